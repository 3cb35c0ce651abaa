"""Reading ``framework/*.yaml``: guiding ideas, principles, perspectives, projects, breakdowns, units."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from impact.core.catalog.model import Breakdown, Entity, Framework, Project, Text, Unit
from impact.core.catalog.reading import (
    Collector,
    Spot,
    entries,
    read_bool,
    read_date,
    read_text,
    unique,
    unknown_keys,
)
from impact.core.i18n import N_

__all__ = ["FRAMEWORK_FILES", "read_framework"]

FRAMEWORK_FILES = ("guiding_ideas", "principles", "perspectives", "projects", "breakdowns", "units")
PERSPECTIVE_KINDS = ("spatial", "capability")


def _entity(item: dict[str, Any], spot: Spot, kinds: tuple[str, ...] = ()) -> Entity:
    unknown_keys(item, {"id", "name", "description", "section"} | ({"kind"} if kinds else set()), spot)
    kind = item.get("kind")
    if kinds and kind not in kinds:
        spot.add("kind", N_("'{name}' must be one of {choices}, got {value}"), choices=", ".join(kinds), value=repr(kind))
    if not isinstance(item.get("section"), str):
        spot.add("section", N_("missing 'section' (the Strategic Framework section it comes from)"))
    return Entity(item["id"], read_text(item.get("name"), "name", spot),
                  read_text(item.get("description"), "description", spot),
                  str(item.get("section", "")), kind if kinds else None)


def _project(item: dict[str, Any], spot: Spot) -> Project:
    unknown_keys(item, {"id", "name", "description", "section", "lead", "start", "end", "runtime_illustrative"},
                 spot)
    start = read_date(item.get("start"), "start", spot)
    end = read_date(item["end"], "end", spot) if item.get("end") is not None else None
    if start and end and start >= end:
        spot.add("end", N_("'start' must be before 'end'"))
    return Project(item["id"], read_text(item.get("name"), "name", spot),
                   read_text(item.get("description"), "description", spot),
                   str(item.get("section", "")), str(item.get("lead", "")), start or dt.date(2022, 1, 1), end,
                   read_bool(item.get("runtime_illustrative"), "runtime_illustrative", spot, False))


def _breakdown(item: dict[str, Any], spot: Spot) -> Breakdown:
    unknown_keys(item, {"id", "name", "values"}, spot)
    values: dict[str, Text] = {}
    raw_values = item.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        spot.add("values", N_("'values' must be a non-empty list of values, each with 'id' and 'name'"))
        raw_values = []
    for n, v in enumerate(raw_values):
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            spot.add(f"values[{n}]", N_("breakdown value {n} needs an 'id'"), n=n + 1)
            continue
        values[v["id"]] = read_text(v.get("name"), f"values[{n}].name", spot)
    return Breakdown(item["id"], read_text(item.get("name"), "name", spot), values)


def _unit(item: dict[str, Any], spot: Spot) -> Unit:
    unknown_keys(item, {"id", "name", "symbol", "aliases"}, spot)
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        spot.add("aliases", N_("'aliases' must be a list of texts"))
        aliases = []
    return Unit(item["id"], read_text(item.get("name"), "name", spot), str(item.get("symbol", item["id"])),
                tuple(aliases))


def read_framework(fw_dir: Path, col: Collector) -> Framework:
    """Read the six framework files below ``fw_dir``, recording every problem in ``col``."""
    from impact.core.catalog.yamlfile import load_yaml  # here: PyYAML is imported when a catalog is loaded

    raw: dict[str, list[tuple[dict[str, Any], Spot]]] = {}
    for key in FRAMEWORK_FILES:
        f = fw_dir / f"{key}.yaml"
        spot = col.spot(f)
        if not f.is_file():
            spot.add(None, N_("file missing"))
            raw[key] = []
            continue
        items = unique(entries(load_yaml(f, col), key, spot), spot, {})
        raw[key] = [(item, col.spot(f, item["id"])) for item in items]
    return Framework(
        guiding_ideas={i["id"]: _entity(i, s) for i, s in raw["guiding_ideas"]},
        principles={i["id"]: _entity(i, s) for i, s in raw["principles"]},
        perspectives={i["id"]: _entity(i, s, PERSPECTIVE_KINDS) for i, s in raw["perspectives"]},
        projects={i["id"]: _project(i, s) for i, s in raw["projects"]},
        breakdowns={i["id"]: _breakdown(i, s) for i, s in raw["breakdowns"]},
        units={i["id"]: _unit(i, s) for i, s in raw["units"]},
    )
