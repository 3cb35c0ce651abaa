"""The expected path of an indicator: from the baseline through the milestones to the target.

The one definition used by the engine (expected progress and status), the report charts and the
explorer, so that all three draw and judge the same line (docs/ARCHITECTURE.md, "The expected
path"):

* :func:`expected_value` — the value the path expects on a day: piecewise linear from
  ``(baseline_date, baseline)`` through each milestone ``(date, value)`` to ``(target_date,
  target)``, using the target version valid on that day (:meth:`Target.at`). Before the baseline
  date it is the baseline, after the target date the target. A zero-length or negative span
  (target date on or before the baseline date) gives the **target**: the span is over.
* :func:`expected_fraction` — the same path in progress units (baseline 0, target 1), which the
  engine compares with the measured progress.
* :func:`path_points` — the vertices to draw, optionally cut to a date range.
* :func:`target_changes` — every change of the target, with its reason and who decided.

Works with the catalog's :class:`~impact.core.catalog.Target` of this and the previous version
(milestones, history and ``at()`` are optional attributes).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["TargetChange", "expected_arrays", "expected_fraction", "expected_value", "path_points", "target_changes",
           "version_at"]


@dataclass(frozen=True)
class TargetChange:
    """One change of a target: from ``valid_from`` on, ``new`` replaced ``old``."""

    valid_from: dt.date
    old: float | None
    new: float | None
    old_date: dt.date | None
    new_date: dt.date | None
    reason: Any  # catalog Text (``.get(lang)``) or None
    decided_by: str | None


def version_at(target: Any, day: dt.date) -> Any:
    """The version of ``target`` valid on ``day`` (the target itself when it has no history)."""
    at = getattr(target, "at", None)
    return at(day) if callable(at) else target


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _vertices(version: Any) -> list[tuple[dt.date, float]]:
    """Baseline, milestones strictly inside the span (date order), target."""
    start, end = version.baseline_date, version.target_date
    points = [(start, _num(version.baseline))]
    for m in sorted(getattr(version, "milestones", ()) or (), key=lambda m: m.date):
        if start < m.date < end:
            points.append((m.date, float(m.value)))
    points.append((end, _num(version.target)))
    return points


def _interpolate(points: Sequence[tuple[dt.date, float]], day: dt.date) -> float:
    first, last = points[0], points[-1]
    if last[0] <= first[0]:
        return last[1]  # the span is over
    if day <= first[0]:
        return first[1]
    if day >= last[0]:
        return last[1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= day <= d1:
            return v0 + (day - d0).days / (d1 - d0).days * (v1 - v0)
    return last[1]  # pragma: no cover - unreachable with ordered vertices


def expected_value(target: Any, day: dt.date, *, version: dt.date | None = None) -> float:
    """The value the path expects on ``day`` (see the module docstring); NaN without a target value.

    ``version``: judge against the target version valid on that date instead of on ``day`` (the
    engine uses the reference date, so a later change of the target never rewrites the past).
    """
    if target is None:
        return math.nan
    return _interpolate(_vertices(version_at(target, version or day)), day)


def expected_fraction(target: Any, day: dt.date, *, version: dt.date | None = None) -> float:
    """The path in progress units on ``day``: 0 at the baseline, 1 at the target, clipped to [0, 1].

    A milestone counts as ``(value − baseline) / (target − baseline)`` of the way; without
    milestones (or when baseline and target are equal) this is the share of the time span that
    has passed. A zero-length or negative span gives 1 (the span is over). ``version`` as in
    :func:`expected_value`.
    """
    if target is None:
        return math.nan
    points = _vertices(version_at(target, version or day))
    base, goal = points[0][1], points[-1][1]
    if len(points) > 2 and not math.isnan(base) and not math.isnan(goal) and goal != base:
        points = [(d, (v - base) / (goal - base)) for d, v in points]
    else:
        points = [(points[0][0], 0.0), (points[-1][0], 1.0)]
    return min(max(_interpolate(points, day), 0.0), 1.0)


def _is_straight(target: Any) -> bool:
    return (target is not None and not getattr(target, "milestones", ()) and not getattr(target, "history", ())
            and target.target is not None)


def expected_arrays(targets: Sequence[Any], day: Sequence[dt.date],
                    version: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`expected_fraction` and :func:`expected_value` for many targets at once (one day each).

    Targets with a single straight segment (no milestones, no history) are computed as arrays;
    the others one by one. Gives the same numbers as the scalar functions.
    """
    n = len(targets)
    fraction, value = np.full(n, np.nan), np.full(n, np.nan)
    straight = np.array([_is_straight(t) for t in targets], dtype=bool)
    for k in np.flatnonzero(~straight).tolist():
        fraction[k] = expected_fraction(targets[k], day[k], version=version)
        value[k] = expected_value(targets[k], day[k], version=version)
    idx = np.flatnonzero(straight)
    if len(idx):
        chosen = [targets[k] for k in idx.tolist()]
        start = np.array([t.baseline_date.toordinal() for t in chosen], dtype=np.int64)
        end = np.array([t.target_date.toordinal() for t in chosen], dtype=np.int64)
        when = np.array([day[k].toordinal() for k in idx.tolist()], dtype=np.int64)
        base = np.array([_num(t.baseline) for t in chosen])
        goal = np.array([_num(t.target) for t in chosen])
        span = end - start
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(span > 0, np.clip((when - start) / np.where(span > 0, span, 1), 0.0, 1.0), 1.0)
        fraction[idx] = frac
        value[idx] = np.where(span > 0, np.where(frac >= 1.0, goal, base + frac * (goal - base)), goal)
    return fraction, value


def path_points(target: Any, start: dt.date | None = None, end: dt.date | None = None,
                day: dt.date | None = None) -> list[tuple[dt.date, float]]:
    """The vertices of the path to draw (baseline, milestones, target), cut to ``[start, end]``.

    ``day`` chooses the target version (default: the current one). Where the range cuts a
    segment the cut point is interpolated; an empty list when the path lies outside the range.
    A zero-length or negative span is drawn as the single point at the target date.
    """
    if target is None:
        return []
    version = version_at(target, day) if day is not None else target
    points = _vertices(version)
    if points[-1][0] <= points[0][0]:
        points = [points[-1]]
    lo = start if start is not None else points[0][0]
    hi = end if end is not None else points[-1][0]
    lo, hi = max(lo, points[0][0]), min(hi, points[-1][0])
    if lo > hi:
        return []
    inside = [(d, v) for d, v in points if lo < d < hi]
    ends = [(lo, _interpolate(points, lo))] + ([(hi, _interpolate(points, hi))] if hi != lo else [])
    return sorted([*ends[:1], *inside, *ends[1:]], key=lambda p: p[0])


def target_changes(target: Any) -> list[TargetChange]:
    """The changes of ``target`` in date order: each earlier version replaced by the next one.

    Empty for a target without ``history``.
    """
    history = tuple(getattr(target, "history", ()) or ())
    if not history:
        return []
    versions = [*history, target]
    out = []
    for old, new in zip(versions, versions[1:], strict=False):
        out.append(TargetChange(
            valid_from=getattr(new, "valid_from", None) or new.target_date,
            old=None if old.target is None else float(old.target),
            new=None if new.target is None else float(new.target),
            old_date=old.target_date, new_date=new.target_date,
            reason=getattr(new, "reason", None), decided_by=getattr(new, "decided_by", None)))
    return out
