"""Robust trends and forecasts for many indicator series at once.

The trend of a series is the Theil–Sen slope (the median of the slopes between all pairs of
points), with Sen's (1968) confidence interval for the slope — the same estimator as
:func:`scipy.stats.theilslopes`, but computed for thousands of series in one vectorised pass.

Rules (also in ``docs/methodology.md``):

* Time is measured in years (days since 1970-01-01 / 365.25), so slopes are *units per year*.
* A series needs at least :data:`MIN_POINTS` (4) points; shorter series get ``trend_note =
  "too_short"`` and NaN slope and forecast — no guessing from two or three values.
* Only the last :data:`WINDOW` (24) points of a series are used. This keeps the work per series
  bounded (24·23/2 = 276 pairs instead of ~500,000 for 1,000 points) and makes the trend describe
  the recent course of the project (two years of monthly data, six of quarterly ones).
* The confidence interval uses Sen's normal approximation at :data:`CONFIDENCE` (90 %). Ties in
  the values are *not* subtracted from the variance, which makes the interval slightly wider
  (conservative) than scipy's when values repeat; without ties it equals scipy's exactly.
* The slope is the trend shown to readers (``trend_slope``); forecasts and their prediction
  intervals are :mod:`impact.engine.forecast`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CONFIDENCE", "MIN_POINTS", "WINDOW", "BatchTrend", "batch_theil_sen", "window", "years"]

MIN_POINTS = 4
WINDOW = 24
CONFIDENCE = 0.90
_DAYS_PER_YEAR = 365.25


def years(days_since_epoch: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 → years (float), the time axis of all trends."""
    return np.asarray(days_since_epoch, dtype=float) / _DAYS_PER_YEAR


@dataclass(frozen=True)
class BatchTrend:
    """Theil–Sen results for a batch of series (one entry per series; NaN when too short)."""

    slope: np.ndarray
    low_slope: np.ndarray
    high_slope: np.ndarray
    median_x: np.ndarray
    median_y: np.ndarray
    n: np.ndarray


def _row_median(sorted_rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Median of each row of an ascending-sorted matrix whose NaNs sit at the end."""
    out = np.full(sorted_rows.shape[0], np.nan)
    ok = counts > 0
    rows = np.flatnonzero(ok)
    lo = (counts[ok] - 1) // 2
    hi = counts[ok] // 2
    out[ok] = (sorted_rows[rows, lo] + sorted_rows[rows, hi]) / 2.0
    return out


def batch_theil_sen(x: np.ndarray, y: np.ndarray, confidence: float = CONFIDENCE,
                    min_points: int = MIN_POINTS, chunk: int = 2048) -> BatchTrend:
    """Theil–Sen slope and Sen's confidence interval for each row of ``x`` and ``y``.

    ``x`` and ``y`` are ``(n_series, width)`` float arrays; NaN marks an absent point (rows may
    be padded). Rows with fewer than ``min_points`` valid points give NaN. The inputs are not
    modified. Rows are processed ``chunk`` at a time to bound memory.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape[0] > chunk:
        parts = [_theil_sen(x[k:k + chunk], y[k:k + chunk], confidence, min_points)
                 for k in range(0, x.shape[0], chunk)]
        return BatchTrend(*(np.concatenate([getattr(p, f) for p in parts])
                            for f in ("slope", "low_slope", "high_slope", "median_x", "median_y", "n")))
    return _theil_sen(x, y, confidence, min_points)


def _theil_sen(x: np.ndarray, y: np.ndarray, confidence: float, min_points: int) -> BatchTrend:
    n_series, width = x.shape
    valid = ~(np.isnan(x) | np.isnan(y))
    n = valid.sum(axis=1)
    xs = np.where(valid, x, np.nan)
    ys = np.where(valid, y, np.nan)
    nan = np.full(n_series, np.nan)
    if n_series == 0 or width < 2:
        return BatchTrend(nan, nan, nan, nan, nan, n)
    i, j = np.triu_indices(width, k=1)
    dx = xs[:, j] - xs[:, i]
    dy = ys[:, j] - ys[:, i]
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = np.where(np.abs(dx) > 0, dy / dx, np.nan)
    slopes.sort(axis=1)  # NaN to the end
    nt = (~np.isnan(slopes)).sum(axis=1)
    med = _row_median(slopes, nt)
    # Sen (1968), eq. 2.6, without the tie correction (conservative): sigma^2 = n(n-1)(2n+5)/18
    # the normal quantile from scipy.special (≈ 4 ms to import), not scipy.stats (≈ 30× that), here and
    # not at module level: report and explorer kernels import this module's constants
    from scipy.special import ndtri

    z = float(ndtri((1.0 - confidence) / 2.0))  # negative
    sigma = np.sqrt(n * (n - 1) * (2 * n + 5) / 18.0)
    ru = np.minimum(np.round((nt - z * sigma) / 2.0).astype(int), nt - 1)
    rl = np.maximum(np.round((nt + z * sigma) / 2.0).astype(int) - 1, 0)
    rows = np.arange(n_series)
    has = nt > 0
    low = np.where(has, slopes[rows, np.clip(rl, 0, slopes.shape[1] - 1)], np.nan)
    high = np.where(has, slopes[rows, np.clip(ru, 0, slopes.shape[1] - 1)], np.nan)
    mx = _row_median(np.sort(xs, axis=1), n)
    my = _row_median(np.sort(ys, axis=1), n)
    short = n < max(min_points, 2)
    for arr in (med, low, high, mx, my):
        arr[short] = np.nan
    return BatchTrend(med, low, high, mx, my, n)


def window(pair: np.ndarray, x: np.ndarray, y: np.ndarray, n_pairs: int,
           width: int = WINDOW) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The last ``width`` points of every series as padded matrices.

    ``pair`` (sorted ascending), ``x`` and ``y`` describe the points of all series, one entry per
    point. Returns ``(pairs_present, X, Y)``: the series that have points and their
    ``(len(pairs_present), width)`` matrices, right-aligned, NaN-padded on the left.
    """
    if not len(pair):
        empty = np.full((0, width), np.nan)
        return np.zeros(0, dtype=np.int64), empty, empty.copy()
    # position of each point counted from the end of its series' run
    ends = (np.cumsum(np.bincount(pair, minlength=n_pairs)) - 1).astype(np.int64)
    from_end = ends[pair] - np.arange(len(pair), dtype=np.int64)
    keep = np.flatnonzero(from_end < width)
    pairs_present, row_of = np.unique(pair[keep], return_inverse=True)
    xm = np.full((len(pairs_present), width), np.nan)
    ym = np.full((len(pairs_present), width), np.nan)
    col = width - 1 - from_end[keep]
    xm[row_of, col] = x[keep]
    ym[row_of, col] = y[keep]
    return pairs_present, xm, ym
