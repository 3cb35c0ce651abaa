"""Backtest of the forecast band (``impact.engine.forecast``) on series whose truth is known.

Four processes, quarterly like most pilot indicators, each simulated many times with a fixed seed:

* ``trend+noise``   — a straight line plus independent normal noise;
* ``AR(1)``         — a level that wanders back to its mean (φ = 0.6) around a gentle trend;
* ``cumulative``    — a count since project start whose quarterly intake (Poisson) changes over
  time: it grows linearly, so the count accelerates;
* ``level shift``   — a line plus noise with a jump of 3–6 noise units at a random quarter of the
  history.

Each series is cut after ``--history`` quarters (default 12: three years, the typical length of a
pilot's record) and judged ``--horizon`` quarters later (default 8: a target two years ahead).
Printed per process:

* **coverage** — share of the true later values inside the nominal 90 % band (target 85–95 %);
* **width ratio** — median width of the band divided by the width of the true process's central
  90 % interval at that horizon given the history (the best any method could do knowing the
  parameters; > 1 is the price of estimating them from a short history);
* **false "target unlikely"** — among series that did reach their target (set to the true 25 %
  quantile: reached three times in four), the share flagged "target unlikely" (the favourable end
  of the band misses the target).

    .venv/bin/python benchmarks/bench_forecast_backtest.py [--series 4000] [--history 12] [--horizon 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import norm, poisson

from impact.engine.forecast import LEVEL, batch_forecast

STEP = 0.25  # quarters, in years
Z = float(norm.ppf(0.5 + LEVEL / 2))


def _times(n_series: int, n: int) -> np.ndarray:
    return np.tile(np.arange(1, n + 1) * STEP, (n_series, 1))


def trend_noise(rng: np.random.Generator, m: int, hist: int, hor: int) -> tuple[np.ndarray, ...]:
    n = hist + hor
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-10, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    t = _times(m, n)
    y = a + b * t + s * rng.standard_normal((m, n))
    true_mid = (a + b * t)[:, -1]
    return y, true_mid - Z * s[:, 0], true_mid + Z * s[:, 0], true_mid - 0.674 * s[:, 0]


def ar1(rng: np.random.Generator, m: int, hist: int, hor: int, phi: float = 0.6) -> tuple[np.ndarray, ...]:
    n = hist + hor
    mu, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-5, 15, (m, 1)), rng.uniform(2, 10, (m, 1))
    t = _times(m, n)
    e = np.zeros((m, n))
    e[:, 0] = s[:, 0] / np.sqrt(1 - phi ** 2) * rng.standard_normal(m)
    for k in range(1, n):
        e[:, k] = phi * e[:, k - 1] + s[:, 0] * rng.standard_normal(m)
    y = mu + b * t + e
    cond_mid = (mu + b * t)[:, -1] + phi ** hor * e[:, hist - 1]
    cond_sd = s[:, 0] * np.sqrt((1 - phi ** (2 * hor)) / (1 - phi ** 2))
    return y, cond_mid - Z * cond_sd, cond_mid + Z * cond_sd, cond_mid - 0.674 * cond_sd


def cumulative(rng: np.random.Generator, m: int, hist: int, hor: int) -> tuple[np.ndarray, ...]:
    n = hist + hor
    lam0, growth = rng.uniform(2, 20, (m, 1)), rng.uniform(0.0, 1.5, (m, 1))
    lam = lam0 + growth * np.arange(n)[None, :]
    y = np.cumsum(rng.poisson(lam), axis=1).astype(float)
    future = lam[:, hist:].sum(axis=1)
    base = y[:, hist - 1]
    lo, hi = base + poisson.ppf(0.5 - LEVEL / 2, future), base + poisson.ppf(0.5 + LEVEL / 2, future)
    return y, lo, hi, base + poisson.ppf(0.25, future)


def level_shift(rng: np.random.Generator, m: int, hist: int, hor: int) -> tuple[np.ndarray, ...]:
    n = hist + hor
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-10, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    t = _times(m, n)
    at = rng.integers(2, hist - 1, (m, 1))
    jump = rng.choice([-1, 1], (m, 1)) * rng.uniform(3, 6, (m, 1)) * s
    y = a + b * t + jump * (np.arange(n)[None, :] >= at) + s * rng.standard_normal((m, n))
    true_mid = (a + b * t + jump)[:, -1]
    return y, true_mid - Z * s[:, 0], true_mid + Z * s[:, 0], true_mid - 0.674 * s[:, 0]


PROCESSES = {"trend+noise": trend_noise, "AR(1)": ar1, "cumulative": cumulative, "level shift": level_shift}


def backtest(name: str, m: int, hist: int, hor: int, seed: int = 20261121) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    y, true_lo, true_hi, target = PROCESSES[name](rng, m, hist, hor)
    x = _times(m, hist)
    at = np.full(m, (hist + hor) * STEP)
    t0 = time.perf_counter()
    fc = batch_forecast(x, y[:, :hist], at, np.full(m, name == "cumulative"))
    seconds = time.perf_counter() - t0
    truth = y[:, -1]
    inside = (truth >= fc.low) & (truth <= fc.high)
    width = (fc.high - fc.low) / np.maximum(true_hi - true_lo, 1e-9)
    reached = truth >= target
    flagged = fc.high < target
    return {"coverage": float(inside.mean()), "width_ratio": float(np.median(width)),
            "false_unlikely": float(flagged[reached].mean()), "below_last": float((fc.low < y[:, hist - 1] - 1e-9)[
                np.full(m, name == "cumulative")].mean()) if name == "cumulative" else 0.0,
            "seconds": seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=4000)
    ap.add_argument("--history", type=int, default=12)
    ap.add_argument("--horizon", type=int, default=8)
    args = ap.parse_args()
    print(f"{args.series} series per process, history {args.history} quarters, judged {args.horizon} quarters "
          f"later; nominal band {LEVEL:.0%}")
    print(f"{'process':<12} {'coverage':>9} {'width ratio':>12} {'false unlikely':>15} {'band < last':>12}"
          f" {'ms':>7}")
    for name in PROCESSES:
        r = backtest(name, args.series, args.history, args.horizon)
        print(f"{name:<12} {r['coverage']:>9.1%} {r['width_ratio']:>12.2f} {r['false_unlikely']:>15.1%} "
              f"{r['below_last']:>12.1%} {1000 * r['seconds']:>7.1f}")


if __name__ == "__main__":
    main()
