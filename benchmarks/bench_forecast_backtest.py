"""Backtest of the forecast band (``impact.engine.forecast``) on series whose truth is known.

Quarterly series, each process simulated many times with a fixed seed, cut after ``history``
quarters and judged ``horizon`` quarters later. The four processes of the acceptance table:

* ``trend+noise``   — a straight line plus independent normal noise;
* ``AR(1)``         — a level that wanders back to its trend (φ = 0.6);
* ``cumulative``    — a count since project start whose quarterly intake (Poisson) grows linearly,
  so the count accelerates;
* ``level shift``   — a line plus noise with a jump of 3–6 noise units at a random quarter of the
  history.

Checks outside the table. *Used to choose the method's weights* (with AR(1) φ = 0.3 and 0.9, on
other seeds): ``random walk`` (with drift) and ``counts`` (Poisson counts around a linear trend,
not cumulative). *Not used at all*: ``t3 noise`` (a line plus heavy-tailed Student-t noise with
3 degrees of freedom), ``slope change`` (the growth slows to 0–50 % of its rate at a random quarter
of the second half of the history: a pilot that matures) and ``local level`` (a random walk with
drift observed with noise of twice its step size).

Printed per process: **coverage** of the nominal 90 % band (target 85–95 %) with its Monte-Carlo
95 % margin (± 1.96 √(p(1 − p)/series)); **width ratio** — median width of the band over the width
of the true process's central 90 % interval given the history (the best any method knowing the
parameters could do; for ``local level``: knowing the current level); **false "unlikely"** — among
series that reached their target (the true 25 % quantile: reached three times in four), the share
flagged "target unlikely" (the favourable end of the band misses the target); **band < last** —
cumulative bands below the last value (must be 0).

    .venv/bin/python benchmarks/bench_forecast_backtest.py [--series 8000] [--setup 12:8 --setup 20:4]
    .venv/bin/python benchmarks/bench_forecast_backtest.py --more-setups   # also 8:4, 16:8, 24:12, 24:4
    .venv/bin/python benchmarks/bench_forecast_backtest.py --seed 7        # a second seed
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from scipy.stats import norm, poisson
from scipy.stats import t as student_t

from impact.engine.forecast import LEVEL, batch_forecast

STEP = 0.25  # quarters, in years
Z = float(norm.ppf(0.5 + LEVEL / 2))
Z25 = float(norm.ppf(0.25))
Truth = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # series, true band low/high, target


def _times(m: int, n: int) -> np.ndarray:
    return np.tile(np.arange(1, n + 1) * STEP, (m, 1))


def _line(rng: np.random.Generator, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-10, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    return a + b * _times(m, n), s


def _normal_band(mid: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return mid - Z * sd, mid + Z * sd, mid + Z25 * sd


def trend_noise(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    mean, s = _line(rng, m, hist + hor)
    return (mean + s * rng.standard_normal(mean.shape), *_normal_band(mean[:, -1], s[:, 0]))


def ar1(rng: np.random.Generator, m: int, hist: int, hor: int, phi: float = 0.6) -> Truth:
    n = hist + hor
    mu, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-5, 15, (m, 1)), rng.uniform(2, 10, (m, 1))
    e = np.zeros((m, n))
    e[:, 0] = s[:, 0] / np.sqrt(1 - phi ** 2) * rng.standard_normal(m)
    for k in range(1, n):
        e[:, k] = phi * e[:, k - 1] + s[:, 0] * rng.standard_normal(m)
    mean = mu + b * _times(m, n)
    cond_mid = mean[:, -1] + phi ** hor * e[:, hist - 1]
    cond_sd = s[:, 0] * np.sqrt((1 - phi ** (2 * hor)) / (1 - phi ** 2))
    return (mean + e, *_normal_band(cond_mid, cond_sd))


def cumulative(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    lam = rng.uniform(2, 20, (m, 1)) + rng.uniform(0.0, 1.5, (m, 1)) * np.arange(n)[None, :]
    y = np.cumsum(rng.poisson(lam), axis=1).astype(float)
    future, base = lam[:, hist:].sum(axis=1), y[:, hist - 1]
    return (y, base + poisson.ppf(0.5 - LEVEL / 2, future), base + poisson.ppf(0.5 + LEVEL / 2, future),
            base + poisson.ppf(0.25, future))


def level_shift(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    mean, s = _line(rng, m, n)
    at = rng.integers(2, hist - 1, (m, 1))
    jump = rng.choice([-1, 1], (m, 1)) * rng.uniform(3, 6, (m, 1)) * s
    mean = mean + jump * (np.arange(n)[None, :] >= at)
    return (mean + s * rng.standard_normal((m, n)), *_normal_band(mean[:, -1], s[:, 0]))


def random_walk(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-10, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    y = a + np.cumsum(b * STEP + s * rng.standard_normal((m, n)), axis=1)
    return (y, *_normal_band(y[:, hist - 1] + b[:, 0] * STEP * hor, s[:, 0] * np.sqrt(hor)))


def counts(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    lam = np.maximum(rng.uniform(3, 60, (m, 1)) + rng.uniform(-1, 4, (m, 1)) * _times(m, n), 0.5)
    end = lam[:, -1]
    return (rng.poisson(lam).astype(float), poisson.ppf(0.5 - LEVEL / 2, end), poisson.ppf(0.5 + LEVEL / 2, end),
            poisson.ppf(0.25, end))


def t3_noise(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    mean, s = _line(rng, m, hist + hor)
    q, q25 = float(student_t.ppf(0.5 + LEVEL / 2, 3)), float(student_t.ppf(0.25, 3))
    mid = mean[:, -1]
    return mean + s * rng.standard_t(3, mean.shape), mid - q * s[:, 0], mid + q * s[:, 0], mid + q25 * s[:, 0]


def slope_change(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(0, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    t = _times(m, n)
    at = rng.integers(hist // 2, hist, (m, 1)) * STEP
    mean = a + b * np.minimum(t, at) + b * rng.uniform(0, 0.5, (m, 1)) * np.maximum(t - at, 0)
    return (mean + s * rng.standard_normal((m, n)), *_normal_band(mean[:, -1], s[:, 0]))


def local_level(rng: np.random.Generator, m: int, hist: int, hor: int) -> Truth:
    n = hist + hor
    a, b, s = rng.uniform(50, 150, (m, 1)), rng.uniform(-10, 30, (m, 1)), rng.uniform(2, 10, (m, 1))
    level = a + np.cumsum(b * STEP + 0.5 * s * rng.standard_normal((m, n)), axis=1)
    mid = level[:, hist - 1] + b[:, 0] * STEP * hor
    return (level + s * rng.standard_normal((m, n)), *_normal_band(mid, s[:, 0] * np.sqrt(0.25 * hor + 1)))


Process = Callable[[np.random.Generator, int, int, int], Truth]
TABLE: dict[str, Process] = {"trend+noise": trend_noise, "AR(1)": ar1, "cumulative": cumulative,
                             "level shift": level_shift}
TUNING_CHECKS: dict[str, Process] = {"random walk": random_walk, "counts": counts}
UNSEEN_CHECKS: dict[str, Process] = {"t3 noise": t3_noise, "slope change": slope_change, "local level": local_level}


def backtest(process: Process, m: int, hist: int, hor: int, is_cumulative: bool = False,
             seed: int = 20261121) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    y, true_lo, true_hi, target = process(rng, m, hist, hor)
    t0 = time.perf_counter()
    fc = batch_forecast(_times(m, hist), y[:, :hist], np.full(m, (hist + hor) * STEP), np.full(m, is_cumulative))
    seconds = time.perf_counter() - t0
    truth = y[:, -1]
    coverage = float(((truth >= fc.low) & (truth <= fc.high)).mean())
    reached = truth >= target
    return {"coverage": coverage, "margin": 1.96 * float(np.sqrt(coverage * (1 - coverage) / m)),
            "width_ratio": float(np.median((fc.high - fc.low) / np.maximum(true_hi - true_lo, 1e-9))),
            "false_unlikely": float((fc.high < target)[reached].mean()),
            "below_last": float((fc.low < y[:, hist - 1] - 1e-9).mean()) if is_cumulative else float("nan"),
            "seconds": seconds}


def _print_block(title: str, processes: dict[str, Process], m: int, hist: int, hor: int, seed: int) -> None:
    print(f"  {title}")
    for name, process in processes.items():
        r = backtest(process, m, hist, hor, is_cumulative=name == "cumulative", seed=seed)
        below = "–" if np.isnan(r["below_last"]) else f"{r['below_last']:.1%}"
        print(f"    {name:<13} {r['coverage']:>7.1%} ± {r['margin']:.1%} {r['width_ratio']:>7.2f} "
              f"{r['false_unlikely']:>9.1%} {below:>8} {1000 * r['seconds']:>7.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=8000, help="series per process and set-up")
    ap.add_argument("--setup", action="append", metavar="HISTORY:HORIZON",
                    help="quarters of history and quarters ahead (repeatable); default 12:8 and 20:4")
    ap.add_argument("--more-setups", action="store_true", help="also 8:4, 16:8, 24:12 and 24:4")
    ap.add_argument("--seed", type=int, default=20261121, help="seed of the simulation (check a second one)")
    args = ap.parse_args()
    setups = [tuple(int(v) for v in s.split(":")) for s in (args.setup or ["12:8", "20:4"])]
    if args.more_setups:
        setups += [(8, 4), (16, 8), (24, 12), (24, 4)]
    print(f"{args.series} series per process and set-up, seed {args.seed}; nominal band {LEVEL:.0%}")
    print(f"    {'process':<13} {'coverage':>15} {'width':>7} {'false unl.':>10} {'< last':>8} {'ms':>7}")
    for hist, hor in setups:
        print(f"history {hist} quarters, judged {hor} quarters later")
        _print_block("acceptance table", TABLE, args.series, hist, hor, args.seed)
        _print_block("checks used to choose the weights", TUNING_CHECKS, args.series, hist, hor, args.seed)
        _print_block("checks not used", UNSEEN_CHECKS, args.series, hist, hor, args.seed)


if __name__ == "__main__":
    main()
