"""What the catalog assigns: one row per (project, indicator) with the target valid on the reference date.

Progress is judged against the target version valid on the reference date (``Target.at(as_of)``),
so a later change of a target never rewrites past progress; the original target (the first
version) is carried beside it (``target_original``), and ``target_changed`` says whether a change
had taken effect by then. Works with catalog models without these fields (plain targets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.engine.path import version_at

__all__ = ["ASSIGNMENT_COLUMNS", "assignments"]

ASSIGNMENT_COLUMNS = [
    "project_id", "indicator_id", "level", "impact_step", "weight", "direction", "frequency", "unit",
    "baseline", "baseline_date", "target", "target_date", "band_low", "band_high", "illustrative",
    "_min", "_max", "cumulative", "effect", "target_original", "_original_band_low", "_original_band_high",
    "target_changed", "tolerance", "_tolerance_date",
]


def _num(x: Any) -> float:
    return np.nan if x is None else float(x)


def _band(t: Any) -> tuple[float, float]:
    band = getattr(t, "band", None)
    return (float(band[0]), float(band[1])) if band else (np.nan, np.nan)


def _signature(t: Any) -> tuple[Any, ...]:
    return (getattr(t, "target", None), t.target_date, getattr(t, "band", None))


def assignments(catalog: Catalog, projects: Sequence[str], as_of: dt.date) -> tuple[pd.DataFrame, list[Any]]:
    """The assignment table (:data:`ASSIGNMENT_COLUMNS`) and each pair's full Target object."""
    rows, targets = [], []
    for pid in projects:
        for ind in catalog.indicators_for(pid):
            full = ind.targets[pid]
            t = version_at(full, as_of)
            original = getattr(full, "original", full)
            tol = getattr(full, "tolerance", None)
            targets.append(full)
            rows.append((pid, ind.id, ind.level, ind.impact_step, float(ind.weight), ind.direction, ind.frequency,
                         ind.unit, float(t.baseline), t.baseline_date, _num(t.target), t.target_date, *_band(t),
                         bool(t.illustrative), _num(ind.min), _num(ind.max), bool(getattr(ind, "cumulative", False)),
                         str(getattr(ind, "effect", "intended")), _num(getattr(original, "target", None)),
                         *_band(original), _signature(t) != _signature(original),
                         np.nan if tol is None else float(tol.limit), None if tol is None else tol.date))
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS), targets
