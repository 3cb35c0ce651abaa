"""The plausibility rule ``implausible_jump``: is a submitted value far off its series' course?

Plausibility rule (``implausible_jump``, a warning): for a submitted value *v* of a key
(project, indicator, breakdown, breakdown value) and period *p*, take the current stored
values of that key (newest received per period) in the 8 periods nearest to *p*, leaving *p*
itself out (a re-sent or corrected value is no evidence for itself). With at least 4 of them,
fit a robust straight line (Siegel's repeated median, which ignores up to half the points as
outliers) and read the expected value *e* at *p* (kept within the indicator's min/max). The
spread is *s* = max(1.4826 × median |residual|, 10 % of the points' median |value|, 1 when all
values are whole numbers, 1 % of max − min for percentages and 1–5 scales). *v* is flagged
when it lies more than 3 × *s* below the lowest or above the highest of *e* and the stored
values of the nearest periods before and after *p*. A series that trends steadily raises no
warnings; a value off its course (a typo, a wrong unit, a spike) does.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any

import numpy as np

from impact.core.catalog import Catalog

__all__ = ["DAYS", "expected_values", "scale_floor", "shown"]

_JUMP_NEIGHBOURS, _JUMP_MIN_POINTS, _JUMP_FACTOR, _JUMP_RELATIVE, _JUMP_RANGE = 8, 4, 3.0, 0.1, 0.01
_FIXED_SCALES = ("percent", "scale_1_5")  # value types whose min..max is the whole scale
#: > any date ordinal: series code × DAYS + day sorts by series, then day
DAYS = 10_000_000.0


def scale_floor(catalog: Catalog, indicator_id: Any) -> float | None:
    """The least plausibility spread of an indicator on a fixed scale: 1 % of its range."""
    ind = catalog.indicators.get(indicator_id) if indicator_id is not None else None
    if ind is None or ind.value_type not in _FIXED_SCALES or ind.min is None or ind.max is None:
        return None
    return _JUMP_RANGE * (ind.max - ind.min)


def _median(a: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN where all are NaN); faster than ``np.nanmedian``."""
    srt = np.sort(a, axis=-1)  # NaN sorts last
    count = np.sum(~np.isnan(a), axis=-1)
    lo = np.take_along_axis(srt, np.maximum((count - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(srt, np.maximum(count // 2, 0)[..., None], axis=-1)[..., 0]
    return np.where(count > 0, (lo + hi) / 2, np.nan)


def shown(x: float) -> float:
    """A computed number rounded for a message: whole above 100, else 3 significant digits."""
    x = float(x)
    return float(round(x)) if abs(x) >= 100 else float(f"{x:.3g}")


def expected_values(hc: np.ndarray, hkey: np.ndarray, ht: np.ndarray, hv: np.ndarray, code: np.ndarray, t: np.ndarray,
              v: np.ndarray, vmin: np.ndarray, vmax: np.ndarray,
              floor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Submitted values ``v`` at days ``t`` of series ``code`` against the stored series.

    ``hc``/``ht``/``hv`` are the stored (series code, day, value), sorted by code then day, and
    ``hkey`` = ``hc * DAYS + ht`` (one sortable number); ``vmin``/``vmax`` are the indicator
    limits (NaN = unbounded), ``floor`` the least spread of its scale (NaN = none). Returns
    (flagged, expected value, low, high) per submitted value (NaN where the history is too short).
    """
    k, n = _JUMP_NEIGHBOURS, len(code)
    first = np.searchsorted(hc, code, side="left")
    end = np.searchsorted(hc, code, side="right")
    # where t falls inside its series (the slice first:end is sorted by day)
    pos = np.searchsorted(hkey, code * DAYS + t, side="left")
    idx = pos[:, None] + np.arange(-k, k + 1)[None, :]
    valid = (idx >= first[:, None]) & (idx < end[:, None])
    idx = np.where(valid, idx, 0)
    nt = ht[idx] if len(ht) else np.zeros(idx.shape)
    nv = hv[idx] if len(hv) else np.zeros(idx.shape)
    valid &= nt != t[:, None]  # the same period (the value re-sent or corrected) is no evidence for itself
    dist = np.where(valid, np.abs(nt - t[:, None]), np.inf)
    pick = np.argsort(dist, axis=1, kind="stable")[:, :k]
    rows = np.arange(n)[:, None]
    ok = valid[rows, pick]
    flagged = np.zeros(n, dtype=bool)
    expected, low, high = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    enough = ok.sum(axis=1) >= _JUMP_MIN_POINTS
    if not enough.any():
        return flagged, expected, low, high
    ok, pick, rows = ok[enough], pick[enough], rows[enough]
    x = np.where(ok, (nt[rows, pick] - t[enough, None]) / 365.25, np.nan)  # years from the submitted period
    y = np.where(ok, nv[rows, pick], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"), _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: handled below
        dx = x[:, None, :] - x[:, :, None]
        slopes = np.where(dx != 0, (y[:, None, :] - y[:, :, None]) / dx, np.nan)
        slope = _median(_median(slopes))  # Siegel's repeated median
        slope = np.where(np.isfinite(slope), slope, 0.0)
        line = _median(y - slope[:, None] * x)  # the line's value at the submitted period
        mad = _median(np.abs(y - (line[:, None] + slope[:, None] * x)))
        typical = np.abs(_median(y))
        # the nearest stored values before and after the period
        before = np.where(x < 0, x, -np.inf).argmax(axis=1)
        after = np.where(x > 0, x, np.inf).argmin(axis=1)
    r = np.arange(len(line))
    prev = np.where(x[r, before] < 0, y[r, before], np.nan)
    nxt = np.where(x[r, after] > 0, y[r, after], np.nan)
    line = np.clip(line, np.where(np.isnan(vmin[enough]), -np.inf, vmin[enough]),
                   np.where(np.isnan(vmax[enough]), np.inf, vmax[enough]))
    vals = v[enough]
    whole = np.all(np.isnan(y) | (y == np.round(y)), axis=1) & (vals == np.round(vals))
    spread = np.maximum.reduce([1.4826 * mad, _JUMP_RELATIVE * typical, np.where(whole, 1.0, 0.0),
                                np.nan_to_num(floor[enough], nan=0.0), np.full(len(mad), 1e-9)])
    # plausible: near the trend line or near the neighbouring stored values
    lowest = np.fmin(np.fmin(line, prev), nxt) - _JUMP_FACTOR * spread
    highest = np.fmax(np.fmax(line, prev), nxt) + _JUMP_FACTOR * spread
    flagged[enough] = (vals < lowest) | (vals > highest)
    lowest = np.fmax(lowest, vmin[enough])  # as shown: within the indicator's limits
    highest = np.fmin(highest, vmax[enough])
    expected[enough], low[enough], high[enough] = line, lowest, highest
    return flagged, expected, low, high
