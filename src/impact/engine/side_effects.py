"""Side effects and trade-offs (004 §1.3, §4.6, ch. 6): tolerances and diverging pairs of indicators.

* **Tolerance status** of an unintended-effect indicator (or any indicator with a tolerance):
  ``crossed`` when its latest value is worse than the limit in the indicator's direction (above it
  for ``lower_is_better``, below it otherwise) and the value's period ends on or after the
  tolerance date; ``within`` otherwise; ``no_data`` without a current value; ``None`` without a
  tolerance.
* **Recent change** of a series: the latest value against the mean of up to
  :data:`RECENT_BEFORE` values before it. ``improving``/``worsening`` in the indicator's direction
  (for target bands: closer to / farther from the band), ``stable`` when the change is within
  :data:`STABLE_SHARE` of the earlier level, ``no_data`` with fewer than two values.
* **Trade-offs**: for every declared pair (``catalog.conflicts(project)``) each series' recent
  change; ``diverging`` when one improves while the other worsens.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog

__all__ = ["CHANGES", "RECENT_BEFORE", "STABLE_SHARE", "TRADEOFF_COLUMNS", "recent_change", "tolerance_status",
           "tradeoffs"]

CHANGES = ("improving", "worsening", "stable", "no_data")
RECENT_BEFORE = 3
STABLE_SHARE = 0.01
TRADEOFF_COLUMNS = ["project_id", "indicator_id", "other_id", "change", "other_change", "diverging"]


def tolerance_status(value: np.ndarray, direction: np.ndarray, limit: np.ndarray, since_day: np.ndarray,
                     value_day: np.ndarray) -> np.ndarray:
    """Object array of ``within``/``crossed``/``no_data``/None (days as days since 1970-01-01)."""
    with np.errstate(invalid="ignore"):
        worse = np.where(direction == "lower_is_better", value > limit, value < limit)
    out = np.where(worse & (value_day >= since_day), "crossed", "within").astype(object)
    out[np.isnan(value)] = "no_data"
    out[np.isnan(limit)] = None
    return out


def recent_change(ym: np.ndarray, direction: np.ndarray, band_low: np.ndarray,
                  band_high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Change of the latest value (last column of the right-aligned ``ym``) against the mean of up
    to :data:`RECENT_BEFORE` values before it: (difference, class) per row."""
    n = ym.shape[0]
    if ym.shape[1] < 2 or n == 0:
        return np.full(n, np.nan), np.full(n, "no_data", dtype=object)
    latest = ym[:, -1]
    before = ym[:, -1 - RECENT_BEFORE:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without earlier values: NaN
        earlier = np.nanmean(before, axis=1)
    delta = latest - earlier
    # target bands: the change of the distance to the band (negative = closer)
    def gap(v: np.ndarray) -> np.ndarray:
        return np.maximum(band_low - v, 0.0) + np.maximum(v - band_high, 0.0)

    band = direction == "target_band"
    gain = np.where(direction == "higher_is_better", delta, np.where(band, gap(earlier) - gap(latest), -delta))
    with np.errstate(invalid="ignore"):
        stable = np.abs(gain) <= STABLE_SHARE * np.maximum(np.abs(earlier), 1e-12)
        cls = np.where(stable, "stable", np.where(gain > 0, "improving", "worsening")).astype(object)
    cls[np.isnan(delta)] = "no_data"
    return delta, cls


def tradeoffs(catalog: Catalog, indicators: pd.DataFrame, projects: Sequence[str]) -> pd.DataFrame:
    """One row per declared trade-off pair and evaluated project that reports both indicators."""
    conflicts = getattr(catalog, "conflicts", None)
    if conflicts is None or indicators.empty:
        return pd.DataFrame(columns=TRADEOFF_COLUMNS)
    change = {(p, i): c for p, i, c in zip(indicators["project_id"].tolist(), indicators["indicator_id"].tolist(),
                                           indicators["recent_change"].tolist(), strict=True)}
    rows = []
    for pid in projects:
        for pair in conflicts(pid):
            a = change.get((pid, pair.indicator), "no_data")
            b = change.get((pid, pair.other), "no_data")
            rows.append((pid, pair.indicator, pair.other, a, b,
                         {a, b} == {"improving", "worsening"}))
    return pd.DataFrame(rows, columns=TRADEOFF_COLUMNS).astype({"diverging": bool})
