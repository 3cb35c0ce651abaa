"""Indicators and their per-project targets: what is measured, how, and what each pilot aims for.

An :class:`Indicator` says what is measured and how, where it sits in the Strategic Framework,
whether it is an intended effect or a side effect to watch (``effect``), which indicators it
trades off against (``conflicts_with``) and which external indicators it matches
(``references``). Its :class:`Target` per project holds baseline and target, dated
:class:`Milestone` values on the way, an optional :class:`Tolerance` (the limit a side effect must
not cross) and the history of earlier targets (:class:`TargetVersion`), so that progress can be
judged against the target valid on any day (:meth:`Target.at`) and against the first one
(:attr:`Target.original`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace

from impact.core.catalog.model import Text

VALUE_TYPES = ("count", "percent", "rate", "amount_eur", "scale_1_5", "duration", "index", "quantity")
DIRECTIONS = ("higher_is_better", "lower_is_better", "target_band")
FREQUENCIES = ("monthly", "quarterly", "yearly")
IMPACT_LEVELS = ("output", "outcome", "impact")
#: intended: the effect the project aims for; unintended: a side effect to watch (004 §1.3, §4.6)
EFFECTS = ("intended", "unintended")
#: short, medium and long term (004 §1.3, ch. 6)
TERMS = ("short", "medium", "long")
#: how a value was obtained (the submission column ``quality`` uses the same grades)
QUALITY_GRADES = ("measured", "counted", "surveyed", "estimated", "proxy")
#: value types whose values can be summed up since the project start (``cumulative: true``)
CUMULATIVE_VALUE_TYPES = ("count", "quantity", "amount_eur")


def impact_level(step: int) -> str:
    """Impact-ladder step 1–3 → ``output``, 4–6 → ``outcome``, 7 → ``impact`` (PHINEO)."""
    return "output" if step <= 3 else "outcome" if step <= 6 else "impact"


@dataclass(frozen=True)
class Milestone:
    """A dated intermediate value on the way from baseline to target (``term``: short/medium/long)."""

    date: dt.date
    value: float
    term: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "value": self.value, "term": self.term}


@dataclass(frozen=True)
class Tolerance:
    """The limit a value must not cross, from ``date`` on.

    Crossing means the value is worse than ``limit`` in the indicator's direction (above it for
    ``lower_is_better``, below it for ``higher_is_better``) on or after ``date``.
    """

    limit: float
    date: dt.date
    note: Text | None = None

    def crossed(self, value: float, direction: str, day: dt.date) -> bool:
        """Whether ``value`` observed on ``day`` crosses the limit (never before :attr:`date`)."""
        if day < self.date or value != value:  # noqa: PLR0124 - NaN
            return False
        return value > self.limit if direction == "lower_is_better" else value < self.limit

    def to_json(self) -> dict[str, object]:
        return {"limit": self.limit, "date": self.date.isoformat(),
                "note": self.note.to_json() if self.note else None}


@dataclass(frozen=True)
class TargetVersion:
    """An earlier target, valid from ``valid_from`` until the next version's ``valid_from``."""

    valid_from: dt.date
    target: float
    target_date: dt.date
    band: tuple[float, float] | None
    reason: Text
    decided_by: str
    milestones: tuple[Milestone, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"valid_from": self.valid_from.isoformat(), "target": self.target,
                "target_date": self.target_date.isoformat(), "band": list(self.band) if self.band else None,
                "reason": self.reason.to_json(), "decided_by": self.decided_by,
                "milestones": [m.to_json() for m in self.milestones]}


@dataclass(frozen=True)
class Target:
    """Baseline and target of one indicator for one project, with the way there and its history.

    For ``target_band`` indicators ``band`` is ``(low, high)`` and ``target`` lies inside it.
    ``target`` is ``None`` only for a side effect (``effect: unintended``) watched by its
    :attr:`tolerance` alone; ``target_date`` then closes the observation window.
    ``illustrative`` marks values that are not public and were set for demonstration.
    ``valid_from``/``reason``/``decided_by`` say when and why the current target was set (required
    once there is a :attr:`history` of earlier targets, oldest first).
    """

    baseline: float
    baseline_date: dt.date
    target: float | None
    target_date: dt.date
    illustrative: bool = True
    band: tuple[float, float] | None = None
    milestones: tuple[Milestone, ...] = ()
    tolerance: Tolerance | None = None
    valid_from: dt.date | None = None
    reason: Text | None = None
    decided_by: str | None = None
    history: tuple[TargetVersion, ...] = ()

    @classmethod
    def plain(cls, baseline: float, baseline_date: dt.date, target: float, target_date: dt.date,
              illustrative: bool = True) -> Target:
        """``Target(baseline, baseline_date, target, target_date, illustrative)``, built faster.

        The same object (class, attributes and their order), without the frozen ``__init__``'s
        ``object.__setattr__`` per field: a catalog has thousands of targets, most of them plain.
        """
        obj = object.__new__(cls)
        object.__setattr__(obj, "__dict__", {
            "baseline": baseline, "baseline_date": baseline_date, "target": target, "target_date": target_date,
            "illustrative": illustrative, **_TARGET_REST})
        return obj

    @property
    def changed(self) -> bool:
        """Whether the target was changed since it was first set."""
        return bool(self.history)

    def _version(self, index: int) -> Target:
        v = self.history[index]
        return replace(self, target=v.target, target_date=v.target_date, band=v.band, milestones=v.milestones,
                       valid_from=v.valid_from, reason=v.reason, decided_by=v.decided_by,
                       history=self.history[:index])

    def at(self, day: dt.date) -> Target:
        """The version of this target valid on ``day`` (with that version's milestones).

        Before the first recorded ``valid_from`` the first version applies; a target without
        history is valid on every day.
        """
        if not self.history or self.valid_from is None or day >= self.valid_from:
            return self
        chosen = 0
        for n, version in enumerate(self.history):
            if version.valid_from <= day:
                chosen = n
        return self._version(chosen)

    @property
    def original(self) -> Target:
        """The first version of this target (itself when it never changed)."""
        return self._version(0) if self.history else self

    @property
    def versions(self) -> tuple[Target, ...]:
        """Every version, oldest first, the current one last."""
        return (*(self._version(n) for n in range(len(self.history))), self)


#: the fields of a Target after ``illustrative``, in order, with their defaults (for :meth:`Target.plain`)
_TARGET_REST = {f.name: f.default for f in fields(Target)[5:]}
assert [f.name for f in fields(Target)[:5]] == ["baseline", "baseline_date", "target", "target_date", "illustrative"]
assert all(f.default is not MISSING for f in fields(Target)[5:]) and not hasattr(Target, "__post_init__")


@dataclass(frozen=True)
class Conflict:
    """A trade-off: improving this indicator may worsen ``indicator`` (why: ``note``)."""

    indicator: str
    note: Text

    def to_json(self) -> dict[str, object]:
        return {"indicator": self.indicator, "note": self.note.to_json()}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what is measured, how, for which part of the framework and which projects."""

    id: str
    name: Text
    definition: Text
    unit: str
    value_type: str
    direction: str
    min: float | None
    max: float | None
    frequency: str
    impact_step: int
    guiding_ideas: tuple[str, ...]
    principles: tuple[str, ...]
    perspectives: tuple[str, ...]
    breakdowns: tuple[str, ...]
    source: Text
    method: Text
    framework_section: str
    targets: Mapping[str, Target]
    weight: float = 1.0
    file: str = ""
    cumulative: bool = False
    effect: str = "intended"
    conflicts_with: tuple[Conflict, ...] = ()
    references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    evidence_required: bool = False
    quality: str | None = None

    @property
    def projects(self) -> tuple[str, ...]:
        """The projects that report this indicator (those with a baseline and target)."""
        return tuple(self.targets)

    @property
    def level(self) -> str:
        """``output``, ``outcome`` or ``impact`` (from :attr:`impact_step`)."""
        return impact_level(self.impact_step)

    @property
    def unintended(self) -> bool:
        """Whether this indicator watches a side effect (``effect: unintended``)."""
        return self.effect == "unintended"

    def to_json(self) -> dict[str, object]:
        from impact.core.catalog.jsonform import indicator_to_json

        return indicator_to_json(self)
