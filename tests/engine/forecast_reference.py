"""The documented forecast method written plainly, one series at a time, with dense matrices.

An independent computation to compare the vectorised engine with (docs/methodology.md §9): every
component is the universal-kriging (generalised least squares) predictor of its covariance model,
its weight the restricted likelihood, the band the mixture quantile found by root finding on
scipy's Student-t distribution function. Times are in steps (regular series: 0, 1, 2 …).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from impact.engine.forecast import LEVEL, PHI_GRID, PRIOR_SHARES, SHARPNESS
from impact.engine.forecast_models import STEP_PRIOR_SD


def kriging(sigma: np.ndarray, x_all: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[float, float, float]:
    """Log restricted likelihood, predictive centre and squared scale of ``a'y_future`` when the
    ``n`` observed and the future values have covariance ``σ² sigma`` and mean ``x_all β``."""
    n = len(y)
    s_pp, s_fp, s_ff = sigma[:n, :n], sigma[n:, :n], sigma[n:, n:]
    x, x_f = x_all[:n], x_all[n:]
    inv = np.linalg.inv(s_pp)
    info = x.T @ inv @ x
    beta = np.linalg.solve(info, x.T @ inv @ y)
    resid = y - x @ beta
    ssr = float(resid @ inv @ resid)
    nu = n - x.shape[1]
    loglik = -0.5 * np.linalg.slogdet(s_pp)[1] - 0.5 * np.linalg.slogdet(info)[1] - 0.5 * nu * math.log(ssr)
    mean = float(a @ x_f @ beta + a @ s_fp @ inv @ resid)
    c = x_f.T @ a - x.T @ inv @ s_fp.T @ a
    var = ssr / nu * float(a @ s_ff @ a - a @ s_fp @ inv @ s_fp.T @ a + c @ np.linalg.solve(info, c))
    return loglik, mean, var


def _design(t: np.ndarray, horizon: int) -> np.ndarray:
    t_all = np.r_[t, t[-1] + np.arange(1, horizon + 1)]
    return np.c_[np.ones(len(t_all)), t_all]


def _future(horizon: int, target: str) -> np.ndarray:
    return np.eye(horizon)[-1] if target == "level" else np.ones(horizon)


def ar_component(t: np.ndarray, y: np.ndarray, phi: float, horizon: int, target: str) -> tuple[float, float, float]:
    """Line + AR(1) noise between consecutive values (unit stationary variance)."""
    idx = np.arange(len(t) + horizon)
    sigma = phi ** np.abs(np.subtract.outer(idx, idx))
    return kriging(sigma, _design(t, horizon), y, _future(horizon, target))


def step_component(t: np.ndarray, y: np.ndarray, k: int, horizon: int, target: str) -> tuple[float, float, float]:
    """Line + independent scatter + a step N(0, (STEP_PRIOR_SD σ)²) from point ``k`` on (also in the
    future): covariance I + g u u'."""
    u = (np.arange(len(t) + horizon) >= k).astype(float)
    g = STEP_PRIOR_SD ** 2
    return kriging(np.eye(len(u)) + g * np.outer(u, u), _design(t, horizon), y, _future(horizon, target))


def walk_component(t: np.ndarray, y: np.ndarray, horizon: int, target: str) -> tuple[float, float, float]:
    """Random walk with drift, written with its increments (the textbook drift forecast)."""
    dt, dy = np.diff(t), np.diff(y)
    drift = dy.sum() / dt.sum()
    nu = len(y) - 2
    ssr = float(((dy - drift * dt) ** 2 / dt).sum())
    loglik = -0.5 * np.log(dt).sum() - 0.5 * math.log(dt.sum()) - 0.5 * nu * math.log(ssr)
    h = float(horizon)
    c, noise = (h, h) if target == "level" else (h * (h + 1) / 2, h * (h + 1) * (2 * h + 1) / 6)
    return loglik, y[-1] * (1 if target == "level" else h) + drift * c, ssr / nu * (noise + c * c / dt.sum())


def components(t: np.ndarray, y: np.ndarray, horizon: int, target: str) -> list[tuple[str, float, float, float, float]]:
    """(kind, log prior, log likelihood, centre, squared scale) of every component."""
    n = len(y)
    out = []
    ar_prior = (1 - PHI_GRID) / (1 - PHI_GRID).sum() * PRIOR_SHARES["autocorrelated line"]
    for phi, prior in zip(PHI_GRID, ar_prior, strict=True):
        out.append(("ar", math.log(prior), *ar_component(t, y, float(phi), horizon, target)))
    out.append(("walk", math.log(PRIOR_SHARES["random walk"]), *walk_component(t, y, horizon, target)))
    positions = range(2, n - 1)
    for k in positions:
        out.append(("step", math.log(PRIOR_SHARES["level shift"] / len(positions)),
                    *step_component(t, y, k, horizon, target)))
    return out


def mixture_band(parts: list[tuple[str, float, float, float, float]], dof: int) -> tuple[float, float, float]:
    """Sharpened weights, each kind merged into one t, and the mixture's centre and 90 % band."""
    logw = np.array([SHARPNESS * (p[1] + p[2]) for p in parts])
    w = np.exp(logw - logw.max())
    w /= w.sum()
    kinds = []
    for kind in ("ar", "walk", "step"):
        pick = [i for i, p in enumerate(parts) if p[0] == kind]
        weight = w[pick].sum()
        if weight == 0:
            continue
        means = np.array([parts[i][3] for i in pick])
        var = np.array([parts[i][4] for i in pick])
        centre = float((w[pick] * means).sum() / weight)
        spread = float((w[pick] * (var + (means - centre) ** 2)).sum() / weight)
        kinds.append((weight, centre, math.sqrt(spread)))

    def cdf(q: float) -> float:
        return sum(wk * stats.t.cdf((q - m) / s, dof) for wk, m, s in kinds)

    lo_all = min(m - 100 * s for _, m, s in kinds)
    hi_all = max(m + 100 * s for _, m, s in kinds)
    band = [optimize.brentq(lambda q, p=p: cdf(q) - p, lo_all, hi_all, xtol=1e-12)
            for p in (0.5 - LEVEL / 2, 0.5 + LEVEL / 2)]
    return sum(wk * m for wk, m, _ in kinds), band[0], band[1]


def forecast(t: np.ndarray, y: np.ndarray, horizon: int) -> tuple[float, float, float]:
    """Forecast and band of a regular series ``horizon`` steps after its last value."""
    return mixture_band(components(t, y, horizon, "level"), len(y) - 2)


def cumulative_forecast(y: np.ndarray, horizon: int, step_years: float) -> tuple[float, float, float]:
    """A cumulative count of a regular series: last value plus the sum of the next ``horizon``
    increments, whose shocks scatter like counts (variance ∝ rate, ratio clipped to ¼ … 4)."""
    rate = np.diff(y) / step_years
    t = np.arange(len(rate), dtype=float)
    slope, intercept = np.polyfit(t, rate, 1)
    ratio = (intercept + slope * (t[-1] + (horizon + 1) / 2)) / rate.mean()
    factor = float(np.clip(ratio, 0.25, 4.0)) if rate.mean() > 0 else 1.0
    scaled = _scaled_noise(t, rate, horizon, factor)
    parts = [(k, pr, ll, m, v) for (k, pr, ll, m, _), v in zip(components(t, rate, horizon, "sum"), scaled, strict=True)]
    centre, low, high = mixture_band(parts, len(rate) - 2)
    return tuple(max(y[-1] + step_years * a, y[-1]) for a in (centre, low, high))  # type: ignore[return-value]


def _scaled_noise(t: np.ndarray, y: np.ndarray, horizon: int, factor: float) -> list[float]:
    """Squared scales of the sum with the future shocks' variance multiplied by ``factor``: the
    kriging variance splits into the shocks' part (a'Σ_ff a − …) and the parameters' part."""
    out = []
    n = len(y)
    a = np.ones(horizon)

    def split(sigma: np.ndarray, future_shocks: np.ndarray) -> float:
        # the same predictor with the shocks after the last value scaled (their covariance block)
        return kriging(sigma + (factor - 1.0) * future_shocks, _design(t, horizon), y, a)[2]

    idx = np.arange(n + horizon)
    for phi in PHI_GRID:
        sigma = float(phi) ** np.abs(np.subtract.outer(idx, idx))
        out.append(split(sigma, _ar_future_shocks(float(phi), n, horizon)))
    # random walk: the shocks' part is the plain sum-of-walk variance
    dt, dy = np.diff(t), np.diff(y)
    drift = dy.sum() / dt.sum()
    ssr = float(((dy - drift * dt) ** 2 / dt).sum())
    h = float(horizon)
    c, noise = h * (h + 1) / 2, h * (h + 1) * (2 * h + 1) / 6
    out.append(ssr / (n - 2) * (factor * noise + c * c / dt.sum()))
    g = STEP_PRIOR_SD ** 2
    for k in range(2, n - 1):
        u = (idx >= k).astype(float)
        shocks = np.zeros((n + horizon, n + horizon))
        shocks[n:, n:] = np.eye(horizon)
        out.append(split(np.eye(n + horizon) + g * np.outer(u, u), shocks))
    return out


def _ar_future_shocks(phi: float, n: int, horizon: int) -> np.ndarray:
    """The covariance added by the shocks after the last observed value (AR(1), unit stationary
    variance): Cov(Σ-part) of e_{n+i}, e_{n+j} that does not come from e_n."""
    idx = np.arange(1, horizon + 1)
    full = phi ** np.abs(np.subtract.outer(idx, idx)) - np.outer(phi ** idx, phi ** idx)
    out = np.zeros((n + horizon, n + horizon))
    out[n:, n:] = full
    return out
