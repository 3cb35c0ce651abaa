"""Forecasts that mean what they say: a 90 % prediction interval at the target date.

For every series at once (padded ``(n_series, width)`` matrices, NaN = no point; the points of a
row are the last ``width`` values in time order, right-aligned):

1. **Trend**: ordinary least squares line ``y = level + slope · (x − x̄)`` over the window (time
   ``x`` in years). Residual scatter ``s² = SSR / (n − 2)``.
2. **Autocorrelation**: the lag-1 autocorrelation ``ρ`` of the residuals, corrected for its
   small-sample bias (``ρ̂ + (2 + 4ρ̂)/n``: after removing a mean the estimate is low by about
   ``(1 + 3ρ)/n`` (Marriott and Pope, 1954), removing the trend as well costs about one more
   ``(1 + ρ)/n``; checked by the backtest) and clipped to ``[0, RHO_MAX]``. Series that wander
   (AR(1) behaviour, level shifts) have ``ρ > 0``.
3. **Anchored at the recent level**: the forecast is the line at the target time plus ``ρ^h`` times
   the last residual (``h`` periods ahead) — the best linear predictor under AR(1) errors. Near
   the last value it starts from where the series *is*, far ahead it follows the trend.
4. **Prediction interval** at :data:`LEVEL` (90 %): Student's *t* (degrees of freedom of the
   effective sample ``n (1 − ρ)/(1 + ρ) − 2``, at least 2) times the standard error of a new value,
   ``s² · [(1 − ρ^{2h}) + (1 + ρ)/(1 − ρ) · (1/n + (T − x̄)² / Sxx)]`` — the residual scatter at
   that horizon plus the uncertainty of level and slope, the latter inflated because
   autocorrelated points carry less information. With ``ρ = 0`` this is exactly the textbook OLS
   prediction interval (tests compare it with scipy, and the whole method with a plain per-series
   computation).
5. **Cumulative counts** (counts since project start, never falling): the same model is fitted to
   the *increments per year*; the forecast is the last value plus the integral of the fitted rate
   from the last period's end to the target date, its variance the rate's parameter uncertainty
   times that integral's weights plus the scatter of the increments summed over the horizon.
   Forecast and band never lie below the last value.

Clipping to the indicator's valid range and the ``target_unlikely`` flag happen in the engine.
``benchmarks/bench_forecast_backtest.py`` checks the interval on simulated series whose truth is
known (coverage, width against the true process's band, false "target unlikely" flags).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LEVEL", "MIN_POINTS", "RHO_MAX", "Forecast", "batch_forecast", "outlook"]

LEVEL = 0.90
MIN_POINTS = 4
RHO_MAX = 0.9


@dataclass(frozen=True)
class Forecast:
    """Per series: forecast at the target time and the band (NaN where there is none)."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    rho: np.ndarray


def _t_quantile(dof: np.ndarray) -> np.ndarray:
    from scipy.stats import t as student_t  # lazily: report kernels import this package's light modules

    out = np.full(dof.shape, np.nan)
    ok = dof >= 1
    out[ok] = student_t.ppf(0.5 + LEVEL / 2.0, dof[ok])
    return out


@dataclass(frozen=True)
class _Fit:
    n: np.ndarray
    mean_x: np.ndarray
    mean_y: np.ndarray
    slope: np.ndarray
    sxx: np.ndarray
    s2: np.ndarray
    rho: np.ndarray
    last_x: np.ndarray
    last_resid: np.ndarray
    step: np.ndarray  # median spacing of the points (years)


def _fit(x: np.ndarray, y: np.ndarray) -> _Fit:
    """OLS line, residual scatter and lag-1 autocorrelation of every row (NaN-padded)."""
    valid = ~(np.isnan(x) | np.isnan(y))
    w = valid.astype(float)
    n = w.sum(axis=1)
    xs, ys = np.where(valid, x, 0.0), np.where(valid, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = xs.sum(axis=1) / n
        my = ys.sum(axis=1) / n
        dx = np.where(valid, xs - mx[:, None], 0.0)
        dy = np.where(valid, ys - my[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        slope = np.where(sxx > 0, (dx * dy).sum(axis=1) / sxx, np.nan)
        resid = np.where(valid, dy - slope[:, None] * dx, 0.0)
        ssr = (resid * resid).sum(axis=1)
        s2 = np.where(n > 2, ssr / (n - 2), np.nan)
        both = valid[:, 1:] & valid[:, :-1]
        lag = np.where(both, resid[:, 1:] * resid[:, :-1], 0.0).sum(axis=1)
        raw = np.where(ssr > 0, lag / ssr, 0.0)
        rho = np.clip(raw + (2.0 + 4.0 * np.clip(raw, 0.0, None)) / n, 0.0, RHO_MAX)  # small-sample bias
        last_idx = x.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1)
        rows = np.arange(x.shape[0])
        last_x = np.where(n > 0, x[rows, last_idx], np.nan)
        last_resid = np.where(n > 0, resid[rows, last_idx], np.nan)
        first_idx = np.argmax(valid, axis=1)
        step = np.where(n > 1, (last_x - x[rows, first_idx]) / np.maximum(n - 1, 1), np.nan)
    return _Fit(n, mx, my, slope, sxx, s2, rho, last_x, last_resid, step)


def _horizon(fit: _Fit, at_x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.maximum((at_x - fit.last_x) / fit.step, 0.0)


def _dof(fit: _Fit) -> np.ndarray:
    """Degrees of freedom of the effective sample (autocorrelated points count less), at least 2."""
    effective = fit.n / _inflation(fit.rho) - 2.0
    return np.where(fit.n > 2, np.clip(effective, 2.0, fit.n - 2.0), np.nan)


def _inflation(rho: np.ndarray) -> np.ndarray:
    return (1.0 + rho) / (1.0 - rho)


def _levels(x: np.ndarray, y: np.ndarray, at_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    fit = _fit(x, y)
    h = _horizon(fit, at_x)
    decay = fit.rho ** h
    with np.errstate(invalid="ignore", divide="ignore"):
        mid = fit.mean_y + fit.slope * (at_x - fit.mean_x) + decay * fit.last_resid
        param = 1.0 / fit.n + (at_x - fit.mean_x) ** 2 / fit.sxx
        var = fit.s2 * ((1.0 - decay ** 2) + _inflation(fit.rho) * param)
    return mid, np.sqrt(var), _dof(fit), fit.rho


def _cumulative(x: np.ndarray, y: np.ndarray, at_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                         np.ndarray, np.ndarray]:
    """Forecast of a cumulative count from the trend of its increments per year."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dt_ = x[:, 1:] - x[:, :-1]
        rate = (y[:, 1:] - y[:, :-1]) / dt_
        mid_x = (x[:, 1:] + x[:, :-1]) / 2.0
    fit = _fit(mid_x, rate)
    valid_y = ~(np.isnan(x) | np.isnan(y))
    last_idx = x.shape[1] - 1 - np.argmax(valid_y[:, ::-1], axis=1)
    rows = np.arange(x.shape[0])
    last_x, last_y = x[rows, last_idx], y[rows, last_idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        span = np.maximum(at_x - last_x, 0.0)
        # ∫ (level + slope (t − x̄)) dt from last_x to at_x
        c0 = span
        c1 = ((at_x - fit.mean_x) ** 2 - (last_x - fit.mean_x) ** 2) / 2.0
        mid = last_y + fit.mean_y * c0 + fit.slope * c1
        param = c0 ** 2 / fit.n + c1 ** 2 / fit.sxx
        step = np.where(fit.step > 0, fit.step, np.nan)
        var = fit.s2 * (_inflation(fit.rho) * param + step * span * _inflation(fit.rho))
    return mid, np.sqrt(var), _dof(fit), fit.rho, last_y


def batch_forecast(x: np.ndarray, y: np.ndarray, at_x: np.ndarray, cumulative: np.ndarray | None = None,
                   min_points: int = MIN_POINTS) -> Forecast:
    """Forecast and 90 % prediction interval of each row at time ``at_x`` (years).

    ``x``/``y``: ``(n_series, width)`` NaN-padded, right-aligned, time-ordered; ``cumulative``: bool
    per row. Rows with fewer than ``min_points`` points (or no horizon left) give NaN. Inputs are not
    modified.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    at_x = np.asarray(at_x, dtype=float)
    n_rows = x.shape[0]
    cum = np.zeros(n_rows, dtype=bool) if cumulative is None else np.asarray(cumulative, dtype=bool)
    mid, se, dof, rho = _levels(x, y, at_x)
    if cum.any():
        c_mid, c_se, c_dof, c_rho, last_y = _cumulative(x[cum], y[cum], at_x[cum])
        mid[cum], se[cum], dof[cum], rho[cum] = c_mid, c_se, c_dof, c_rho
    half = _t_quantile(np.where(np.isnan(dof), 0, dof)) * se
    low, high = mid - half, mid + half
    if cum.any():
        floor = np.full(n_rows, -np.inf)
        floor[cum] = last_y
        mid, low, high = (np.fmax(a, floor) for a in (mid, low, high))
    n = (~(np.isnan(x) | np.isnan(y))).sum(axis=1)
    bad = (n < min_points) | np.isnan(half)
    for arr in (mid, low, high):
        arr[bad] = np.nan
    return Forecast(mid, low, high, np.where(bad, np.nan, rho))


def outlook(direction: np.ndarray, target: np.ndarray, band_low: np.ndarray, band_high: np.ndarray,
            low: np.ndarray, high: np.ndarray, eps: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """``target_unlikely`` and ``outlook`` of each forecast band (object arrays; None without one).

    ``unlikely`` when even the favourable end of the band misses the target (for target bands: the
    forecast band does not touch the target band); ``likely`` when even the unfavourable end reaches
    it (lies inside the target band); ``uncertain`` otherwise.
    """
    higher, lower = direction == "higher_is_better", direction == "lower_is_better"
    with np.errstate(invalid="ignore"):
        missed = np.where(higher, high < target - eps, np.where(
            lower, low > target + eps, (high < band_low - eps) | (low > band_high + eps)))
        reached = np.where(higher, low >= target - eps, np.where(
            lower, high <= target + eps, (low >= band_low - eps) & (high <= band_high + eps)))
    none = np.isnan(low) | np.isnan(high) | np.where(higher | lower, np.isnan(target),
                                                     np.isnan(band_low) | np.isnan(band_high))
    unlikely = missed.astype(object)
    unlikely[none] = None
    view = np.where(missed, "unlikely", np.where(reached, "likely", "uncertain")).astype(object)
    view[none] = None
    return unlikely, view
