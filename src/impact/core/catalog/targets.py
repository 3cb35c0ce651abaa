"""Reading one indicator's ``targets``: baseline and target per project, milestones, tolerance, history.

Every check names the key it concerns, e.g. ``targets.kiezbox.milestones[1].date`` or
``targets.hardenbergplatz.history[0].reason``. The rules:

* ``target`` points from ``baseline`` in the indicator's direction (inside ``band`` for
  ``target_band``); it may be left out only for a side effect (``effect: unintended``) that has a
  ``tolerance``, and then ``target_date`` defaults to the project's end (else the tolerance date).
* ``milestones`` lie strictly between ``baseline_date`` and ``target_date``, in date order.
* ``tolerance`` (``limit``, ``date``, optional ``note``) only for ``higher_is_better`` or
  ``lower_is_better`` indicators; the date does not lie before the baseline date.
* ``history`` lists earlier targets, oldest first, each with ``valid_from``, ``target``,
  ``target_date`` (default: the current one's), ``band``, ``reason`` in German and English and
  ``decided_by``; the current
  target then needs ``valid_from``, ``reason`` and ``decided_by`` too, and every ``valid_from`` comes
  after the one before it.
* A cumulative indicator never falls: target and milestones do not lie below the baseline, and
  milestones do not decrease.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from impact.core.catalog.indicator import TERMS, Milestone, Target, TargetVersion, Tolerance
from impact.core.catalog.model import Project, Text
from impact.core.catalog.reading import (
    Spot,
    closest,
    each_mapping,
    g,
    read_bool,
    read_date,
    read_number,
    read_text,
    unknown_keys,
)
from impact.core.i18n import N_

__all__ = ["TARGET_KEYS", "TargetRules", "read_targets"]

TARGET_KEYS = ("baseline", "baseline_date", "target", "target_date", "illustrative", "band", "milestones",
               "tolerance", "valid_from", "reason", "decided_by", "history")
VERSION_KEYS = ("valid_from", "target", "target_date", "band", "milestones", "reason", "decided_by")
MILESTONE_KEYS = ("date", "value", "term")
#: the keys of a plain target (no band, milestones, tolerance or history), the shape most targets have
PLAIN_KEYS = frozenset(("baseline", "baseline_date", "target", "target_date", "illustrative"))
TOLERANCE_KEYS = ("limit", "date", "note")


_OUT_OF_RANGE = {
    "baseline": N_("baseline {value} for project '{project}' is outside the valid range [{low}, {high}]"),
    "target": N_("target {value} for project '{project}' is outside the valid range [{low}, {high}]"),
    "band": N_("band limit {value} for project '{project}' is outside the valid range [{low}, {high}]"),
    "value": N_("milestone {value} for project '{project}' is outside the valid range [{low}, {high}]"),
    "limit": N_("tolerance limit {value} for project '{project}' is outside the valid range [{low}, {high}]"),
}


@dataclass(frozen=True)
class TargetRules:
    """What the targets of one indicator must satisfy (from the indicator's own fields)."""

    direction: str | None
    lo: float | None
    hi: float | None
    unintended: bool
    cumulative: bool

    def in_range(self, value: float | None, key: str, spot: Spot) -> None:
        """Report ``value`` (at ``targets.<project>.….<what>``) when it lies outside ``[lo, hi]``."""
        if value is None:
            return
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            what = key.rsplit(".", 1)[-1]
            spot.add(key, _OUT_OF_RANGE.get(what, _OUT_OF_RANGE["value"]), value=g(value), project=key.split(".")[1],
                     low="-∞" if self.lo is None else g(self.lo), high="∞" if self.hi is None else g(self.hi))


@dataclass(frozen=True)
class _Goal:
    target: float | None
    target_date: dt.date | None
    band: tuple[float, float] | None


def _band(raw: Any, key: str, target: float | None, spot: Spot, rules: TargetRules) -> tuple[float, float] | None:
    if rules.direction != "target_band":
        if raw is not None:
            spot.add(key, N_("'band' is only for direction 'target_band'"))
        return None
    if (not isinstance(raw, list) or len(raw) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in raw)):
        spot.add(key, N_("a target_band indicator needs 'band: [low, high]'"))
        return None
    band = (float(raw[0]), float(raw[1]))
    if band[0] > band[1]:
        spot.add(key, N_("band low must not exceed band high"))
    rules.in_range(band[0], key, spot)
    rules.in_range(band[1], key, spot)
    if target is not None and not band[0] <= target <= band[1]:
        spot.add(key, N_("target {target} lies outside its band"), target=g(target))
    return band


def _goal(t: dict[str, Any], prefix: str, spot: Spot, rules: TargetRules, base: float | None,
          bdate: dt.date | None, *, optional: bool = False, default_date: dt.date | None = None) -> _Goal:
    """``target``, ``target_date`` and ``band`` of the current target or of a history entry (whose
    ``target_date`` defaults to the current one's, ``default_date``)."""
    tgt = None
    if "target" in t:
        tgt = read_number(t["target"], f"{prefix}target", spot, optional=optional)
    elif not optional:
        spot.add(f"{prefix}target", N_("missing '{name}'"))
    tdate = default_date
    if "target_date" in t:
        tdate = read_date(t.get("target_date"), f"{prefix}target_date", spot)
    elif default_date is None and (tgt is not None or not optional):
        spot.add(f"{prefix}target_date", N_("missing '{name}'"))
    rules.in_range(tgt, f"{prefix}target", spot)
    if bdate and tdate and bdate >= tdate:
        spot.add(f"{prefix}target_date", N_("'baseline_date' must be before 'target_date'"))
    band = _band(t.get("band"), f"{prefix}band", tgt, spot, rules)
    if rules.direction in ("higher_is_better", "lower_is_better") and base is not None and tgt is not None:
        if base == tgt:
            spot.add(f"{prefix}target", N_("target equals baseline, progress is undefined"))
        elif (rules.direction == "higher_is_better") != (tgt > base):
            spot.add(f"{prefix}target", N_("target {target} does not point in the direction '{direction}' "
                                           "from baseline {baseline}"),
                     target=g(tgt), direction=rules.direction, baseline=g(base))
    if rules.cumulative and base is not None and tgt is not None and tgt < base:
        spot.add(f"{prefix}target", N_("a cumulative indicator never falls: the target must not lie below "
                                       "the baseline"))
    return _Goal(tgt, tdate, band)


def _milestones(raw: Any, key: str, spot: Spot, rules: TargetRules, base: float | None,
                bdate: dt.date | None, tdate: dt.date | None) -> tuple[Milestone, ...]:
    out: list[Milestone] = []
    for where, m in each_mapping(raw, key, spot, MILESTONE_KEYS,
                                 N_("'milestones' must be a list, each milestone with 'date' and 'value'"),
                                 N_("a milestone needs 'date', 'value' and optionally 'term'")):
        day = read_date(m.get("date"), f"{where}.date", spot)
        value = read_number(m.get("value"), f"{where}.value", spot)
        term = m.get("term")
        if term is not None and term not in TERMS:
            spot.add(f"{where}.term", N_("'{name}' must be one of {choices}, got {value}"), choices=", ".join(TERMS),
                     value=repr(term))
            term = None
        rules.in_range(value, f"{where}.value", spot)
        if day and bdate and tdate and not bdate < day < tdate:
            spot.add(f"{where}.date", N_("milestone date {date} must lie strictly between the baseline date "
                                         "{start} and the target date {end}"),
                     date=day.isoformat(), start=bdate.isoformat(), end=tdate.isoformat())
        if day and out and day <= out[-1].date:
            spot.add(f"{where}.date", N_("milestones must be in date order, each date once"))
        if rules.cumulative and value is not None:
            floor = out[-1].value if out else base
            if floor is not None and value < floor:
                spot.add(f"{where}.value", N_("a cumulative indicator never falls: a milestone must not lie below "
                                              "the baseline or an earlier milestone"))
        if day is not None and value is not None:
            out.append(Milestone(day, value, term))
    return tuple(out)


def _tolerance(raw: Any, key: str, spot: Spot, rules: TargetRules, bdate: dt.date | None) -> Tolerance | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        spot.add(key, N_("'tolerance' needs 'limit', 'date' and optionally 'note'"))
        return None
    unknown_keys(raw, TOLERANCE_KEYS, spot, f"{key}.")
    if rules.direction not in ("higher_is_better", "lower_is_better"):
        spot.add(key, N_("a tolerance needs direction 'higher_is_better' or 'lower_is_better'"))
    limit = read_number(raw.get("limit"), f"{key}.limit", spot)
    day = read_date(raw.get("date"), f"{key}.date", spot)
    note = read_text(raw.get("note"), f"{key}.note", spot, required=False) if raw.get("note") is not None else None
    rules.in_range(limit, f"{key}.limit", spot)
    if day and bdate and day < bdate:
        spot.add(f"{key}.date", N_("the tolerance must not start before the baseline date {start}"),
                 start=bdate.isoformat())
    return Tolerance(limit, day, note) if limit is not None and day is not None else None


def _decided_by(raw: Any, key: str, spot: Spot) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        spot.add(key, N_("missing 'decided_by': who decided (a body or role, e.g. 'Steuerungskreis')"))
        return None
    return raw.strip()


def _reason(raw: Any, key: str, spot: Spot) -> Text | None:
    if raw is None:
        spot.add(key, N_("missing 'reason': say why this target was set, in German ('de') and English ('en')"))
        return None
    return read_text(raw, key, spot)


def _history(raw: Any, prefix: str, spot: Spot, rules: TargetRules, base: float | None,
             bdate: dt.date | None, tdate: dt.date | None) -> tuple[TargetVersion, ...]:
    out: list[TargetVersion] = []
    for key, v in each_mapping(raw, f"{prefix}history", spot, VERSION_KEYS,
                               N_("'history' must be a list of earlier targets, oldest first"),
                               N_("a history entry needs 'valid_from', 'target', 'target_date', 'reason' "
                                  "and 'decided_by'")):
        where = f"{key}."
        since = read_date(v.get("valid_from"), f"{where}valid_from", spot)
        goal = _goal(v, where, spot, rules, base, bdate, default_date=tdate)
        reason = _reason(v.get("reason"), f"{where}reason", spot)
        by = _decided_by(v.get("decided_by"), f"{where}decided_by", spot)
        steps = _milestones(v.get("milestones"), f"{where}milestones", spot, rules, base, bdate, goal.target_date)
        if since and out and since <= out[-1].valid_from:
            spot.add(f"{where}valid_from", N_("history must be in date order: each 'valid_from' after the one "
                                              "before"))
        if since and goal.target is not None and goal.target_date and reason and by:
            out.append(TargetVersion(since, goal.target, goal.target_date, goal.band, reason, by, steps))
    return tuple(out)


def _target(project: Project, t: dict[str, Any], spot: Spot, rules: TargetRules) -> Target | None:
    prefix = f"targets.{project.id}."
    n_before = spot.count
    unknown_keys(t, TARGET_KEYS, spot, prefix)
    for missing in ("baseline", "baseline_date"):
        if missing not in t:
            spot.add(f"{prefix}{missing}", N_("missing '{name}'"))
    base = read_number(t.get("baseline"), f"{prefix}baseline", spot) if "baseline" in t else None
    bdate = read_date(t.get("baseline_date"), f"{prefix}baseline_date", spot) if "baseline_date" in t else None
    rules.in_range(base, f"{prefix}baseline", spot)
    tolerance = _tolerance(t.get("tolerance"), f"{prefix}tolerance", spot, rules, bdate)
    may_omit = rules.unintended and "tolerance" in t
    if rules.unintended and "tolerance" not in t:
        spot.add(f"{prefix}tolerance", N_("missing 'tolerance': a side effect (effect: unintended) needs a "
                                          "tolerance ('limit' and 'date') for each project"))
    goal = _goal(t, prefix, spot, rules, base, bdate, optional=may_omit)
    tdate = goal.target_date
    if goal.target is None and may_omit and tdate is None:
        tdate = project.end or (tolerance.date if tolerance else None)
    milestones = _milestones(t.get("milestones"), f"{prefix}milestones", spot, rules, base, bdate, tdate)
    if milestones and goal.target is None:
        spot.add(f"{prefix}milestones", N_("'milestones' need a target"))
    history = _history(t.get("history"), prefix, spot, rules, base, bdate, goal.target_date)
    if "history" in t and goal.target is None:
        spot.add(f"{prefix}history", N_("a target 'history' needs a current target"))
    since = read_date(t["valid_from"], f"{prefix}valid_from", spot) if t.get("valid_from") is not None else None
    reason = read_text(t["reason"], f"{prefix}reason", spot) if t.get("reason") is not None else None
    by = _decided_by(t["decided_by"], f"{prefix}decided_by", spot) if t.get("decided_by") is not None else None
    if history or t.get("history"):
        for key, value in (("valid_from", since), ("reason", reason), ("decided_by", by)):
            if value is None and t.get(key) is None:
                spot.add(f"{prefix}{key}", N_("missing '{name}': a changed target says when, why and by whom it "
                                              "was set ('valid_from', 'reason', 'decided_by')"))
        if since and history and since <= history[-1].valid_from:
            spot.add(f"{prefix}valid_from", N_("'valid_from' must come after the last 'valid_from' in the history"))
    illustrative = read_bool(t.get("illustrative"), f"{prefix}illustrative", spot, True)
    if spot.count > n_before or base is None or bdate is None or tdate is None:
        return None
    return Target(base, bdate, goal.target, tdate, illustrative, goal.band, milestones, tolerance, since, reason,
                  by, history)


def _finite(raw: Any) -> bool:
    kind = type(raw)
    return kind is int or (kind is float and math.isfinite(raw))


def _day(raw: Any) -> dt.date | None:
    """What :func:`read_date` gives for a well-formed date, None for anything else."""
    kind = type(raw)
    if kind is str:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    if kind is dt.date:
        return raw  # type: ignore[no-any-return]
    return raw.date() if kind is dt.datetime else None  # type: ignore[no-any-return]


def _plain_target(t: dict[str, Any], rules: TargetRules) -> Target | None:
    """The target when ``t`` is a plain one with nothing to report (checked without building any
    message), else None: then :func:`_target` checks it and names every problem.

    Plain means only :data:`PLAIN_KEYS`, for an indicator that is no side effect and no band. The
    result is the one :func:`_target` builds; ``tests/core/test_catalog_fast.py`` compares both.
    """
    if rules.unintended or rules.direction == "target_band" or not t.keys() <= PLAIN_KEYS:
        return None
    base: Any = t.get("baseline")
    tgt: Any = t.get("target")
    if not (_finite(base) and _finite(tgt)):
        return None
    bdate, tdate = _day(t.get("baseline_date")), _day(t.get("target_date"))
    if bdate is None or tdate is None or bdate >= tdate:
        return None
    illustrative = t.get("illustrative")
    if illustrative is None:
        illustrative = True
    elif type(illustrative) is not bool:
        return None
    base, tgt = float(base), float(tgt)
    lo, hi = rules.lo, rules.hi
    if lo is not None and (base < lo or tgt < lo) or hi is not None and (base > hi or tgt > hi):
        return None
    if rules.direction in ("higher_is_better", "lower_is_better") and (
            base == tgt or (rules.direction == "higher_is_better") != (tgt > base)):
        return None
    if rules.cumulative and tgt < base:
        return None
    return Target.plain(base, bdate, tgt, tdate, illustrative)


def read_targets(raw: Any, spot: Spot, rules: TargetRules, projects: Mapping[str, Project]) -> dict[str, Target]:
    """The targets per project id (entries with problems are left out; the problems are in ``spot``).

    A ``targets`` mapping that several indicators share through a YAML alias (``targets: *common``)
    is checked once for the same rules: its clean result is reused (problems are always reported
    for each indicator, as they name it).
    """
    if not isinstance(raw, dict) or not raw:
        if raw is not None:
            spot.add("targets", N_("'targets' must map project ids to their baseline and target"))
        return {}
    key = (id(raw), rules, id(projects))
    seen = spot.col.clean.get(key)
    if seen is not None and seen[0] is raw:
        return dict(seen[1])
    n_before = spot.count
    out = _read_targets(raw, spot, rules, projects)
    if spot.count == n_before:
        spot.col.clean[key] = (raw, dict(out))
    return out


def _read_targets(raw: dict[Any, Any], spot: Spot, rules: TargetRules,
                  projects: Mapping[str, Project]) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for project_id, t in raw.items():
        if project_id in projects and isinstance(t, dict):
            target = _plain_target(t, rules) or _target(projects[project_id], t, spot, rules)
            if target is not None:
                out[project_id] = target
            continue
        key = f"targets.{project_id}"
        if project_id not in projects:
            hint = closest(str(project_id), projects)
            if hint:
                spot.add(key, N_("unknown project id '{id}' in targets (did you mean '{hint}'?)"), id=project_id, hint=hint)
            else:
                spot.add(key, N_("unknown project id '{id}' in targets; known: {known}"), id=project_id,
                         known=", ".join(projects))
            continue
        spot.add(key, N_("targets.{project} must be a mapping of baseline, baseline_date, target and target_date"),
                 project=project_id)
    return out
