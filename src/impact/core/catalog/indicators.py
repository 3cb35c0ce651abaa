"""Reading one indicator entry of an ``indicators:`` list, every field checked.

Cross-indicator checks (trade-off partners exist, pairs made symmetric) are in :mod:`.loading`,
targets in :mod:`.targets`, external references in :mod:`.references`.
"""

from __future__ import annotations

from typing import Any

from impact.core.catalog.framework import Framework
from impact.core.catalog.indicator import (
    CUMULATIVE_VALUE_TYPES,
    DIRECTIONS,
    EFFECTS,
    FREQUENCIES,
    QUALITY_GRADES,
    VALUE_TYPES,
    Conflict,
    Indicator,
)
from impact.core.catalog.reading import (
    Spot,
    each_mapping,
    g,
    read_bool,
    read_choice,
    read_ids,
    read_number,
    read_text,
    unknown_keys,
)
from impact.core.catalog.references import read_references
from impact.core.catalog.targets import TargetRules, read_targets
from impact.core.i18n import N_

__all__ = ["INDICATOR_KEYS", "read_indicator"]

INDICATOR_KEYS = (
    "id", "name", "definition", "unit", "value_type", "direction", "min", "max", "frequency",
    "impact_step", "guiding_ideas", "principles", "perspectives", "breakdowns", "source",
    "method", "framework_section", "targets", "weight", "cumulative", "effect", "conflicts_with",
    "references", "evidence_required", "quality",
)
OPTIONAL_KEYS = ("breakdowns", "weight", "min", "max", "cumulative", "effect", "conflicts_with", "references",
                 "evidence_required", "quality")


def _conflicts(raw: Any, spot: Spot) -> tuple[Conflict, ...]:
    """``conflicts_with: [{indicator, note: {de, en}}]`` (whether the partner exists is checked later)."""
    out: list[Conflict] = []
    for key, c in each_mapping(
            raw, "conflicts_with", spot, ("indicator", "note"),
            N_("'conflicts_with' must be a list of trade-offs, each with 'indicator' and 'note'"),
            N_("a trade-off needs 'indicator' and 'note' (German and English)")):
        other = c.get("indicator")
        note = read_text(c.get("note"), f"{key}.note", spot)
        if not isinstance(other, str) or not other.strip():
            spot.add(f"{key}.indicator", N_("missing 'indicator': the id of the indicator this one trades off against"))
        elif other == spot.entry:
            spot.add(f"{key}.indicator", N_("an indicator cannot trade off against itself"))
        elif any(x.indicator == other for x in out):
            spot.add(f"{key}.indicator", N_("'conflicts_with' names '{id}' twice"), id=other)
        else:
            out.append(Conflict(other, note))
    return tuple(out)


def _step(raw: Any, spot: Spot) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 7:
        spot.add("impact_step", N_("'impact_step' must be a whole number from 1 to 7, got {value}"), value=repr(raw))
        return 1
    return raw


def read_indicator(item: dict[str, Any], spot: Spot, fw: Framework) -> Indicator | None:
    """The indicator, or None when any of its fields has a problem (all reported in ``spot``)."""
    n_before = spot.count
    unknown_keys(item, INDICATOR_KEYS, spot)
    for missing in sorted(set(INDICATOR_KEYS) - set(OPTIONAL_KEYS) - set(item)):
        spot.add(missing, N_("missing '{name}'"))
    name = read_text(item.get("name"), "name", spot)
    definition = read_text(item.get("definition"), "definition", spot)
    source = read_text(item.get("source"), "source", spot)
    method = read_text(item.get("method"), "method", spot)
    unit = item.get("unit")
    if unit not in fw.units:
        spot.add("unit", N_("unknown unit '{unit}'; known: {known}"), unit=unit, known=", ".join(fw.units))
    value_type = read_choice(item.get("value_type"), "value_type", spot, VALUE_TYPES)
    direction = read_choice(item.get("direction"), "direction", spot, DIRECTIONS)
    frequency = read_choice(item.get("frequency"), "frequency", spot, FREQUENCIES)
    step = _step(item.get("impact_step"), spot)
    lo = read_number(item.get("min"), "min", spot, optional=True)
    hi = read_number(item.get("max"), "max", spot, optional=True)
    if lo is not None and hi is not None and lo >= hi:
        spot.add("min", N_("'min' ({low}) must be below 'max' ({high})"), low=g(lo), high=g(hi))
    weight = read_number(item.get("weight", 1.0), "weight", spot)
    if weight is not None and weight <= 0:
        spot.add("weight", N_("'weight' must be positive"))
    section = item.get("framework_section")
    if not isinstance(section, str) or not section.strip():
        spot.add("framework_section", N_("missing 'framework_section' (the Strategic Framework section it rests on, e.g. '004 §2.3')"))
    effect = item.get("effect", "intended")
    if effect not in EFFECTS:
        spot.add("effect", N_("'{name}' must be one of {choices}, got {value}"), choices=", ".join(EFFECTS), value=repr(effect))
    cumulative = read_bool(item.get("cumulative"), "cumulative", spot, False)
    if cumulative and value_type is not None and value_type not in CUMULATIVE_VALUE_TYPES:
        spot.add("cumulative", N_("'cumulative' is only for counts, quantities and amounts, which add up since the "
                                  "project start (value_type {choices}), not for '{value}'"),
                 choices=", ".join(CUMULATIVE_VALUE_TYPES), value=value_type)
    quality = item.get("quality")
    if quality is not None and quality not in QUALITY_GRADES:
        spot.add("quality", N_("'{name}' must be one of {choices}, got {value}"), choices=", ".join(QUALITY_GRADES),
                 value=repr(quality))
    evidence_required = read_bool(item.get("evidence_required"), "evidence_required", spot, False)
    conflicts = _conflicts(item.get("conflicts_with"), spot)
    references = read_references(item.get("references"), spot)
    rules = TargetRules(direction, lo, hi, effect == "unintended", cumulative)
    targets = read_targets(item.get("targets"), spot, rules, fw.projects)
    guiding = read_ids(item.get("guiding_ideas"), "guiding_ideas", fw.guiding_ideas, spot)
    principles = read_ids(item.get("principles"), "principles", fw.principles, spot)
    perspectives = read_ids(item.get("perspectives"), "perspectives", fw.perspectives, spot)
    breakdowns = read_ids(item.get("breakdowns"), "breakdowns", fw.breakdowns, spot, min_items=0)
    if spot.count > n_before:
        return None
    return Indicator(
        id=item["id"], name=name, definition=definition, unit=str(unit), value_type=str(value_type),
        direction=str(direction), min=lo, max=hi, frequency=str(frequency), impact_step=step,
        guiding_ideas=guiding, principles=principles, perspectives=perspectives, breakdowns=breakdowns,
        source=source, method=method, framework_section=str(section), targets=targets,
        weight=float(weight or 1.0), file=spot.file.name, cumulative=cumulative, effect=str(effect),
        conflicts_with=conflicts, references=references, evidence_required=evidence_required,
        quality=quality,
    )
