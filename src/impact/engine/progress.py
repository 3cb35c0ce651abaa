"""Progress towards a target, the expected progress on the path, and the status rule.

* :func:`compute_progress` — ``(value − baseline) / (target − baseline)`` for both directions; for
  target bands 1 inside the band, outside ``1 − distance to the nearest band edge / distance from
  the baseline to that edge`` (the band width when the baseline lies on that edge).
* :func:`expected_progress` — the expected path (:mod:`impact.engine.path`) in progress units, on
  the day each value's period ends (reporting lag is not punished).
* :func:`status` — ``on_track`` when progress ≥ expected − :data:`ON_TRACK_TOLERANCE`,
  ``at_risk`` when ≥ expected − :data:`AT_RISK_TOLERANCE`, else ``off_track``; ``no_data``
  without a current value.
* :func:`stale` — a value whose period lies more than :data:`STALE_PERIODS` periods before the
  last due one counts as missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from impact.engine.path import expected_arrays

__all__ = ["AT_RISK_TOLERANCE", "ON_TRACK_TOLERANCE", "STALE_PERIODS", "STATUSES", "compute_progress",
           "expected_progress", "stale", "status"]

STATUSES = ("on_track", "at_risk", "off_track", "no_data")
ON_TRACK_TOLERANCE = 0.10
AT_RISK_TOLERANCE = 0.25
STALE_PERIODS = 2
EPS = 1e-9
_EPOCH = dt.date(1970, 1, 1)


def compute_progress(value: np.ndarray | float, baseline: np.ndarray | float, target: np.ndarray | float,
                     band_low: np.ndarray | float = np.nan,
                     band_high: np.ndarray | float = np.nan) -> np.ndarray:
    """Unclipped progress (``progress_raw``) for arrays (or scalars) of values.

    Where ``band_low``/``band_high`` are given (not NaN) the band rule applies, elsewhere
    ``(value − baseline) / (target − baseline)``. NaN values give NaN.
    """
    v = np.asarray(value, dtype=float)
    b = np.asarray(baseline, dtype=float)
    t = np.asarray(target, dtype=float)
    lo = np.broadcast_to(np.asarray(band_low, dtype=float), np.broadcast(v, b, t).shape)
    hi = np.broadcast_to(np.asarray(band_high, dtype=float), lo.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = (v - b) / (t - b)
        is_band = ~np.isnan(lo) & ~np.isnan(hi)
        inside = (v >= lo) & (v <= hi)
        edge = np.where(v < lo, lo, hi)
        dist = np.abs(edge - b)
        width = hi - lo
        dist = np.where(dist > 0, dist, np.where(width > 0, width, 1.0))
        band = np.where(inside, 1.0, 1.0 - np.abs(v - edge) / dist)
        out = np.where(is_band, band, linear)
    return np.where(np.isnan(v), np.nan, out)


def expected_progress(targets: Sequence[Any], day: np.ndarray,
                      version: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expected progress (0..1) and expected value of each target on ``day`` (days since
    1970-01-01), along the path of the target version valid on ``version`` (default: on ``day``)."""
    when = [_EPOCH + dt.timedelta(days=d) for d in np.asarray(day, dtype=np.int64).tolist()]
    return expected_arrays(targets, when, version)


def status(progress: np.ndarray, expected: np.ndarray, with_data: np.ndarray) -> np.ndarray:
    """The status of each pair (object array of :data:`STATUSES`)."""
    out = np.where(progress >= expected - ON_TRACK_TOLERANCE - EPS, "on_track",
                   np.where(progress >= expected - AT_RISK_TOLERANCE - EPS, "at_risk", "off_track")).astype(object)
    out[~with_data] = "no_data"
    return out


def stale(has_value: np.ndarray, latest_ordinal: np.ndarray, due_ordinal: np.ndarray) -> np.ndarray:
    """True where the latest value lies more than :data:`STALE_PERIODS` before the last due period."""
    return has_value & (latest_ordinal < due_ordinal - STALE_PERIODS) & (due_ordinal >= 0)
