"""The indicator catalog: the Strategic Framework and its indicators, as data.

The catalog lives in YAML files below one directory (``indicators/`` by default)::

    framework/guiding_ideas.yaml   guiding_ideas: [{id, name, description, section}]
    framework/principles.yaml      principles:    [{id, name, description, section}]
    framework/perspectives.yaml    perspectives:  [{id, name, description, section, kind}]
    framework/projects.yaml        projects:      [{id, name, description, section, lead,
                                                    start, end, runtime_illustrative}]
    framework/breakdowns.yaml      breakdowns:    [{id, name, values: [{id, name}]}]
    framework/units.yaml           units:         [{id, name, symbol, aliases}]
    <anything else>.yaml           indicators:    [{...see INDICATOR_KEYS...}]

``name``, ``description``, ``definition``, ``source`` and ``method`` are ``{de: ..., en: ...}``.
Loading validates everything and collects *all* problems into one :class:`CatalogError`
that names file, entry and problem, so an evaluator can fix a typo in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from impact.core.errors import CatalogError, CatalogProblem

__all__ = [
    "DIRECTIONS",
    "IMPACT_LEVELS",
    "VALUE_TYPES",
    "Breakdown",
    "Catalog",
    "Entity",
    "Indicator",
    "Project",
    "Target",
    "Text",
    "Unit",
    "impact_level",
    "load_catalog",
]

VALUE_TYPES = ("count", "percent", "rate", "amount_eur", "scale_1_5", "duration", "index", "quantity")
DIRECTIONS = ("higher_is_better", "lower_is_better", "target_band")
FREQUENCIES = ("monthly", "quarterly", "yearly")
IMPACT_LEVELS = ("output", "outcome", "impact")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

INDICATOR_KEYS = {
    "id", "name", "definition", "unit", "value_type", "direction", "min", "max", "frequency",
    "impact_step", "guiding_ideas", "principles", "perspectives", "breakdowns", "source",
    "method", "framework_section", "targets", "weight",
}
_REQUIRED_INDICATOR_KEYS = INDICATOR_KEYS - {"breakdowns", "weight", "min", "max"}
TARGET_KEYS = {"baseline", "baseline_date", "target", "target_date", "illustrative", "band"}


def impact_level(step: int) -> str:
    """Impact-ladder step 1–3 → ``output``, 4–6 → ``outcome``, 7 → ``impact`` (PHINEO)."""
    return "output" if step <= 3 else "outcome" if step <= 6 else "impact"


@dataclass(frozen=True)
class Text:
    """A text in German and English."""

    de: str
    en: str

    def get(self, lang: str = "de") -> str:
        return self.en if lang == "en" else self.de

    def to_json(self) -> dict[str, str]:
        return {"de": self.de, "en": self.en}


@dataclass(frozen=True)
class Entity:
    """A guiding idea, principle or perspective of the Strategic Framework."""

    id: str
    name: Text
    description: Text
    section: str
    kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name.to_json(), "description": self.description.to_json(),
               "section": self.section}
        if self.kind:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class Project:
    """A pilot project with its runtime (``end`` may be open)."""

    id: str
    name: Text
    description: Text
    section: str
    lead: str
    start: dt.date
    end: dt.date | None
    runtime_illustrative: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.to_json(), "description": self.description.to_json(),
                "section": self.section, "lead": self.lead, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "runtime_illustrative": self.runtime_illustrative}


@dataclass(frozen=True)
class Breakdown:
    """A dimension a value may be broken down by (e.g. district) and its allowed values."""

    id: str
    name: Text
    values: Mapping[str, Text]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.to_json(),
                "values": [{"id": k, "name": v.to_json()} for k, v in self.values.items()]}


@dataclass(frozen=True)
class Unit:
    """A unit of measurement; submissions may name it by id, symbol or any alias."""

    id: str
    name: Text
    symbol: str
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether ``text`` (case and blanks ignored) names this unit."""
        t = text.strip().casefold()
        return t in {a.casefold() for a in (self.id, self.symbol, self.name.de, self.name.en, *self.aliases)}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.to_json(), "symbol": self.symbol, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Target:
    """Baseline and target of one indicator for one project.

    For ``target_band`` indicators ``band`` is ``(low, high)`` and ``target`` lies inside it.
    ``illustrative`` marks values that are not public and were set for demonstration.
    """

    baseline: float
    baseline_date: dt.date
    target: float
    target_date: dt.date
    illustrative: bool = True
    band: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"baseline": self.baseline, "baseline_date": self.baseline_date.isoformat(),
                               "target": self.target, "target_date": self.target_date.isoformat(),
                               "illustrative": self.illustrative}
        if self.band is not None:
            out["band"] = list(self.band)
        return out


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

    @property
    def projects(self) -> tuple[str, ...]:
        """The projects that report this indicator (those with a baseline and target)."""
        return tuple(self.targets)

    @property
    def level(self) -> str:
        """``output``, ``outcome`` or ``impact`` (from :attr:`impact_step`)."""
        return impact_level(self.impact_step)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name.to_json(), "definition": self.definition.to_json(),
            "unit": self.unit, "value_type": self.value_type, "direction": self.direction,
            "min": self.min, "max": self.max, "frequency": self.frequency,
            "impact_step": self.impact_step, "level": self.level,
            "guiding_ideas": list(self.guiding_ideas), "principles": list(self.principles),
            "perspectives": list(self.perspectives), "projects": list(self.projects),
            "breakdowns": list(self.breakdowns), "source": self.source.to_json(),
            "method": self.method.to_json(), "framework_section": self.framework_section,
            "weight": self.weight,
            "targets": {p: t.to_json() for p, t in self.targets.items()},
        }


@dataclass(frozen=True)
class Catalog:
    """The whole catalog. Mappings keep file order. Build with :func:`load_catalog`."""

    guiding_ideas: Mapping[str, Entity]
    principles: Mapping[str, Entity]
    perspectives: Mapping[str, Entity]
    projects: Mapping[str, Project]
    breakdowns: Mapping[str, Breakdown]
    units: Mapping[str, Unit]
    indicators: Mapping[str, Indicator]
    path: Path | None = None
    content_hash: str = ""
    _by_project: dict[str, tuple[Indicator, ...]] = field(default_factory=dict, repr=False, compare=False)

    def indicators_for(self, project_id: str) -> tuple[Indicator, ...]:
        """The indicators a project reports, in catalog order."""
        if project_id not in self._by_project:
            self._by_project[project_id] = tuple(
                i for i in self.indicators.values() if project_id in i.targets)
        return self._by_project[project_id]

    def group_ids(self, kind: str) -> tuple[str, ...]:
        """Ids of ``guiding_ideas``, ``principles``, ``perspectives`` or ``projects``."""
        return tuple(getattr(self, kind))

    def to_json(self) -> dict[str, Any]:
        """The ``impact catalog --format json`` object."""
        return {
            "catalog_hash": self.content_hash,
            "guiding_ideas": [e.to_json() for e in self.guiding_ideas.values()],
            "principles": [e.to_json() for e in self.principles.values()],
            "perspectives": [e.to_json() for e in self.perspectives.values()],
            "projects": [p.to_json() for p in self.projects.values()],
            "breakdowns": [b.to_json() for b in self.breakdowns.values()],
            "units": [u.to_json() for u in self.units.values()],
            "indicators": [i.to_json() for i in self.indicators.values()],
        }


# --------------------------------------------------------------------------- loading


class _Collector:
    """Collects problems while parsing, so that every mistake is reported at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[CatalogProblem] = []

    def add(self, file: Path, entry: str | None, message_de: str, message_en: str) -> None:
        """Record a problem; the message is German first, English second (``de / en``)."""
        try:
            name = str(file.relative_to(self.root.parent))
        except ValueError:
            name = str(file)
        self.problems.append(CatalogProblem(name, entry, f"{message_de} / {message_en}"))


def _load_yaml(path: Path, col: _Collector) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where_de = f"Zeile {mark.line + 1}, Spalte {mark.column + 1}: " if mark else ""
        where_en = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        col.add(path, None, f"ungültiges YAML, {where_de}{exc.problem}", f"invalid YAML: {where_en}{exc.problem}")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        col.add(path, None, f"ungültiges YAML: {exc}", f"invalid YAML: {exc}")
    return None


def _text(raw: Any, key: str, file: Path, entry: str, col: _Collector, required: bool = True) -> Text:
    if not isinstance(raw, dict):
        if required or raw is not None:
            col.add(file, entry, f"'{key}' braucht einen deutschen ('de') und einen englischen ('en') Text",
                    f"'{key}' must have a German ('de') and an English ('en') text")
        return Text("", "")
    for lang, label_de, label_en in (("de", "deutscher", "German"), ("en", "englischer", "English")):
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            col.add(file, entry, f"{label_de} Text für '{key}' fehlt ('{key}.{lang}')",
                    f"missing {label_en} {key} ('{key}.{lang}')")
    extra = set(raw) - {"de", "en"}
    if extra:
        col.add(file, entry, f"'{key}' hat unbekannte Sprachen {sorted(extra)}; erlaubt sind 'de' und 'en'",
                f"'{key}' has unknown languages {sorted(extra)}; use 'de' and 'en'")
    return Text(str(raw.get("de") or ""), str(raw.get("en") or ""))


def _date(raw: Any, key: str, file: Path, entry: str, col: _Collector) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    col.add(file, entry, f"'{key}' muss ein Datum der Form JJJJ-MM-TT sein, gefunden: {raw!r}",
            f"'{key}' must be a date written YYYY-MM-DD, got {raw!r}")
    return None


def _number(raw: Any, key: str, file: Path, entry: str, col: _Collector, optional: bool = False) -> float | None:
    if raw is None and optional:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        col.add(file, entry, f"'{key}' muss eine Zahl sein, gefunden: {raw!r}", f"'{key}' must be a number, got {raw!r}")
        return None
    return float(raw)


def _entries(doc: Any, key: str, file: Path, col: _Collector) -> list[dict[str, Any]]:
    if doc is None:
        return []
    if not isinstance(doc, dict) or key not in doc:
        col.add(file, None, f"erwartet wird eine Liste '{key}:' auf oberster Ebene", f"expected a top-level '{key}:' list")
        return []
    items = doc[key]
    if not isinstance(items, list):
        col.add(file, None, f"'{key}' muss eine Liste sein", f"'{key}' must be a list")
        return []
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            col.add(file, f"entry {n}", "jeder Eintrag braucht Schlüssel, darunter 'id'",
                    "each entry must be a mapping with an 'id'")
            continue
        if not isinstance(item.get("id"), str) or not _SLUG.match(item["id"]):
            col.add(file, f"entry {n}",
                    f"'id' muss klein geschrieben sein, ohne Leerzeichen, etwa 'mein-indikator'; gefunden: {item.get('id')!r}",
                    f"'id' must be a lower-case slug like 'my-indicator', got {item.get('id')!r}")
            continue
        out.append(item)
    return out


def _unique(items: Iterable[dict[str, Any]], file: Path, col: _Collector, seen: dict[str, Path]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        ident = item["id"]
        if ident in seen:
            col.add(file, ident, f"doppelte Kennung '{ident}' (schon definiert in {seen[ident].name})",
                    f"duplicate id '{ident}' (already defined in {seen[ident].name})")
            continue
        seen[ident] = file
        out.append(item)
    return out


def _entity(item: dict[str, Any], file: Path, col: _Collector, kinds: tuple[str, ...] = ()) -> Entity:
    ident = item["id"]
    allowed = {"id", "name", "description", "section"} | ({"kind"} if kinds else set())
    for extra in sorted(set(item) - allowed):
        col.add(file, ident, f"unbekannter Schlüssel '{extra}'", f"unknown key '{extra}'")
    kind = item.get("kind")
    if kinds and kind not in kinds:
        col.add(file, ident, f"'kind' muss einer von {list(kinds)} sein, gefunden: {kind!r}",
                f"'kind' must be one of {list(kinds)}, got {kind!r}")
    if not isinstance(item.get("section"), str):
        col.add(file, ident, "'section' fehlt (der Abschnitt des Strategischen Rahmens)",
                "missing 'section' (the Strategic Framework section it comes from)")
    return Entity(ident, _text(item.get("name"), "name", file, ident, col),
                  _text(item.get("description"), "description", file, ident, col),
                  str(item.get("section", "")), kind if kinds else None)


def _check_refs(values: Any, key: str, known: Mapping[str, Any], file: Path, ident: str,
                col: _Collector, min_items: int = 1) -> tuple[str, ...]:
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        col.add(file, ident, f"'{key}' muss eine Liste von Kennungen sein", f"'{key}' must be a list of ids")
        return ()
    if len(values) < min_items:
        col.add(file, ident, f"'{key}' braucht mindestens {min_items} Eintrag", f"'{key}' needs at least {min_items} entry")
    for v in values:
        if v not in known:
            hint = _close(v, known)
            col.add(file, ident,
                    f"unbekannte Kennung '{v}' in '{key}'" + (f" (meinten Sie '{hint}'?)" if hint else ""),
                    f"unknown {key[:-1].replace('_', ' ')} id '{v}'" + (f" (did you mean '{hint}'?)" if hint else "")
                    + f"; known: {', '.join(known)}")
    if len(set(values)) != len(values):
        col.add(file, ident, f"'{key}' nennt eine Kennung doppelt", f"'{key}' lists an id twice")
    return tuple(values)


def _close(word: str, options: Iterable[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return match[0] if match else None


def _indicator(item: dict[str, Any], file: Path, col: _Collector,
               fw: Mapping[str, Mapping[str, Any]]) -> Indicator | None:
    ident = item["id"]
    n_before = len(col.problems)
    for extra in sorted(set(item) - INDICATOR_KEYS):
        hint = _close(extra, INDICATOR_KEYS)
        col.add(file, ident, f"unbekannter Schlüssel '{extra}'" + (f" (meinten Sie '{hint}'?)" if hint else ""),
                f"unknown key '{extra}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    for missing in sorted(_REQUIRED_INDICATOR_KEYS - set(item)):
        col.add(file, ident, f"'{missing}' fehlt", f"missing '{missing}'")
    name = _text(item.get("name"), "name", file, ident, col)
    definition = _text(item.get("definition"), "definition", file, ident, col)
    source = _text(item.get("source"), "source", file, ident, col)
    method = _text(item.get("method"), "method", file, ident, col)
    unit = item.get("unit")
    if unit not in fw["units"]:
        col.add(file, ident, f"unbekannte Einheit '{unit}'",
                f"unknown unit '{unit}'; known: {', '.join(fw['units'])}")
    value_type = item.get("value_type")
    if value_type not in VALUE_TYPES:
        col.add(file, ident, f"'value_type' muss einer von {list(VALUE_TYPES)} sein, gefunden: {value_type!r}",
                f"'value_type' must be one of {list(VALUE_TYPES)}, got {value_type!r}")
    direction = item.get("direction")
    if direction not in DIRECTIONS:
        col.add(file, ident, f"'direction' muss einer von {list(DIRECTIONS)} sein, gefunden: {direction!r}",
                f"'direction' must be one of {list(DIRECTIONS)}, got {direction!r}")
    frequency = item.get("frequency")
    if frequency not in FREQUENCIES:
        col.add(file, ident, f"'frequency' muss einer von {list(FREQUENCIES)} sein, gefunden: {frequency!r}",
                f"'frequency' must be one of {list(FREQUENCIES)}, got {frequency!r}")
    step = item.get("impact_step")
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 7:
        col.add(file, ident, f"'impact_step' muss eine ganze Zahl von 1 bis 7 sein, gefunden: {step!r}",
                f"'impact_step' must be a whole number from 1 to 7, got {step!r}")
        step = 1
    lo = _number(item.get("min"), "min", file, ident, col, optional=True)
    hi = _number(item.get("max"), "max", file, ident, col, optional=True)
    if lo is not None and hi is not None and lo >= hi:
        col.add(file, ident, f"'min' ({lo:g}) muss kleiner als 'max' ({hi:g}) sein", f"'min' ({lo:g}) must be below 'max' ({hi:g})")
    weight = _number(item.get("weight", 1.0), "weight", file, ident, col)
    if weight is not None and weight <= 0:
        col.add(file, ident, "'weight' muss positiv sein", "'weight' must be positive")
    section = item.get("framework_section")
    if not isinstance(section, str) or not section.strip():
        col.add(file, ident, "'framework_section' fehlt (z. B. '004 §2.3')", "missing 'framework_section' (e.g. '004 §2.3')")

    def in_range(v: float | None, what: str, project: str) -> None:
        if v is None:
            return
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"[{'-∞' if lo is None else f'{lo:g}'}, {'∞' if hi is None else f'{hi:g}'}]"
            what_de = {"baseline": "Ausgangswert", "target": "Zielwert", "band low": "Korridor unten",
                       "band high": "Korridor oben"}.get(what, what)
            col.add(file, ident, f"{what_de} {v:g} für Projekt '{project}' liegt außerhalb des gültigen Bereichs {rng}",
                    f"{what} {v:g} for project '{project}' is outside the valid range {rng}")

    targets: dict[str, Target] = {}
    raw_targets = item.get("targets")
    if not isinstance(raw_targets, dict) or not raw_targets:
        if "targets" in item:
            col.add(file, ident, "'targets' muss Projekt-Kennungen auf {baseline, baseline_date, target, target_date} abbilden",
                    "'targets' must map project ids to {baseline, baseline_date, target, target_date}")
        raw_targets = {}
    for project, t in raw_targets.items():
        if project not in fw["projects"]:
            hint = _close(str(project), fw["projects"])
            col.add(file, ident, f"unbekannte Projekt-Kennung '{project}' in targets" + (f" (meinten Sie '{hint}'?)" if hint else ""),
                    f"unknown project id '{project}' in targets" + (f" (did you mean '{hint}'?)" if hint else ""))
            continue
        if not isinstance(t, dict):
            col.add(file, ident, f"targets.{project} braucht Schlüssel und Werte", f"targets.{project} must be a mapping")
            continue
        for extra in sorted(set(t) - TARGET_KEYS):
            col.add(file, ident, f"unbekannter Schlüssel '{extra}' in targets.{project}",
                    f"unknown key '{extra}' in targets.{project}")
        for missing in ("baseline", "baseline_date", "target", "target_date"):
            if missing not in t:
                col.add(file, ident, f"'{missing}' fehlt in targets.{project}", f"missing '{missing}' in targets.{project}")
        base = _number(t.get("baseline"), "baseline", file, ident, col)
        tgt = _number(t.get("target"), "target", file, ident, col)
        bdate = _date(t.get("baseline_date"), "baseline_date", file, ident, col)
        tdate = _date(t.get("target_date"), "target_date", file, ident, col)
        in_range(base, "baseline", project)
        in_range(tgt, "target", project)
        if bdate and tdate and bdate >= tdate:
            col.add(file, ident, f"targets.{project}: 'baseline_date' muss vor 'target_date' liegen",
                    f"targets.{project}: 'baseline_date' must be before 'target_date'")
        band = None
        if direction == "target_band":
            raw_band = t.get("band")
            if (not isinstance(raw_band, list) or len(raw_band) != 2
                    or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in raw_band)):
                col.add(file, ident, f"targets.{project}: ein Indikator mit target_band braucht 'band: [unten, oben]'",
                        f"targets.{project}: a target_band indicator needs 'band: [low, high]'")
            else:
                band = (float(raw_band[0]), float(raw_band[1]))
                if band[0] > band[1]:
                    col.add(file, ident, f"targets.{project}: die Untergrenze des Korridors liegt über der Obergrenze",
                            f"targets.{project}: band low must not exceed band high")
                in_range(band[0], "band low", project)
                in_range(band[1], "band high", project)
                if tgt is not None and not band[0] <= tgt <= band[1]:
                    col.add(file, ident, f"targets.{project}: Zielwert {tgt:g} liegt außerhalb seines Korridors",
                            f"targets.{project}: target {tgt:g} lies outside its band")
        elif "band" in t:
            col.add(file, ident, f"targets.{project}: 'band' gibt es nur bei direction 'target_band'",
                    f"targets.{project}: 'band' is only for direction 'target_band'")
        elif base is not None and tgt is not None and base == tgt:
            col.add(file, ident, f"targets.{project}: Zielwert gleich Ausgangswert, Fortschritt nicht bestimmbar",
                    f"targets.{project}: target equals baseline, progress is undefined")
        elif base is not None and tgt is not None and direction in DIRECTIONS:
            if (direction == "higher_is_better") != (tgt > base):
                col.add(file, ident, f"targets.{project}: Zielwert {tgt:g} weist vom Ausgangswert {base:g} nicht "
                        f"in die Richtung '{direction}'",
                        f"targets.{project}: target {tgt:g} does not point in the direction "
                        f"'{direction}' from baseline {base:g}")
        illustrative = t.get("illustrative", True)
        if not isinstance(illustrative, bool):
            col.add(file, ident, f"targets.{project}: 'illustrative' muss true oder false sein",
                    f"targets.{project}: 'illustrative' must be true or false")
            illustrative = True
        if base is not None and tgt is not None and bdate and tdate:
            targets[project] = Target(base, bdate, tgt, tdate, illustrative, band)

    guiding = _check_refs(item.get("guiding_ideas"), "guiding_ideas", fw["guiding_ideas"], file, ident, col)
    principles = _check_refs(item.get("principles"), "principles", fw["principles"], file, ident, col)
    perspectives = _check_refs(item.get("perspectives"), "perspectives", fw["perspectives"], file, ident, col)
    breakdowns = _check_refs(item.get("breakdowns"), "breakdowns", fw["breakdowns"], file, ident, col, min_items=0)
    if len(col.problems) > n_before:
        return None
    return Indicator(
        id=ident, name=name, definition=definition, unit=str(unit), value_type=str(value_type),
        direction=str(direction), min=lo, max=hi, frequency=str(frequency), impact_step=int(step),
        guiding_ideas=guiding, principles=principles, perspectives=perspectives, breakdowns=breakdowns,
        source=source, method=method, framework_section=str(section), targets=targets,
        weight=float(weight or 1.0), file=file.name,
    )


_FRAMEWORK_FILES = ("guiding_ideas", "principles", "perspectives", "projects", "breakdowns", "units")


def _hash_files(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate the catalog below ``path`` (default: the configured catalog dir).

    Raises :class:`~impact.core.errors.CatalogError` listing every problem found.
    """
    if path is None:
        from impact.core.config import settings

        path = settings().catalog_dir
    root = Path(path).resolve()
    col = _Collector(root)
    fw_dir = root / "framework"
    if not root.is_dir():
        raise CatalogError([CatalogProblem(str(root), None, "catalog directory not found")])
    fw: dict[str, dict[str, Any]] = {}
    seen: dict[str, Path] = {}
    raw_fw: dict[str, list[dict[str, Any]]] = {}
    for key in _FRAMEWORK_FILES:
        f = fw_dir / f"{key}.yaml"
        if not f.is_file():
            col.add(f, None, "Datei fehlt", "file missing")
            raw_fw[key] = []
            continue
        raw_fw[key] = _unique(_entries(_load_yaml(f, col), key, f, col), f, col, {})
    for key in ("guiding_ideas", "principles", "perspectives"):
        f = fw_dir / f"{key}.yaml"
        kinds = ("spatial", "capability") if key == "perspectives" else ()
        fw[key] = {i["id"]: _entity(i, f, col, kinds) for i in raw_fw[key]}
    projects: dict[str, Project] = {}
    f = fw_dir / "projects.yaml"
    for item in raw_fw["projects"]:
        ident = item["id"]
        allowed = {"id", "name", "description", "section", "lead", "start", "end", "runtime_illustrative"}
        for extra in sorted(set(item) - allowed):
            col.add(f, ident, f"unbekannter Schlüssel '{extra}'", f"unknown key '{extra}'")
        start = _date(item.get("start"), "start", f, ident, col)
        end = _date(item["end"], "end", f, ident, col) if item.get("end") is not None else None
        if start and end and start >= end:
            col.add(f, ident, "'start' muss vor 'end' liegen", "'start' must be before 'end'")
        projects[ident] = Project(
            ident, _text(item.get("name"), "name", f, ident, col),
            _text(item.get("description"), "description", f, ident, col),
            str(item.get("section", "")), str(item.get("lead", "")), start or dt.date(2022, 1, 1), end,
            bool(item.get("runtime_illustrative", False)))
    fw["projects"] = projects
    breakdowns: dict[str, Breakdown] = {}
    f = fw_dir / "breakdowns.yaml"
    for item in raw_fw["breakdowns"]:
        ident = item["id"]
        values: dict[str, Text] = {}
        raw_values = item.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            col.add(f, ident, "'values' muss eine nicht leere Liste von {id, name} sein",
                    "'values' must be a non-empty list of {id, name}")
            raw_values = []
        for v in raw_values:
            if not isinstance(v, dict) or not isinstance(v.get("id"), str):
                col.add(f, ident, f"Ausprägung {v!r} braucht eine 'id'", f"breakdown value {v!r} needs an 'id'")
                continue
            values[v["id"]] = _text(v.get("name"), "name", f, f"{ident}.{v['id']}", col)
        breakdowns[ident] = Breakdown(ident, _text(item.get("name"), "name", f, ident, col), values)
    fw["breakdowns"] = breakdowns
    units: dict[str, Unit] = {}
    f = fw_dir / "units.yaml"
    for item in raw_fw["units"]:
        ident = item["id"]
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            col.add(f, ident, "'aliases' muss eine Liste von Texten sein", "'aliases' must be a list of texts")
            aliases = []
        units[ident] = Unit(ident, _text(item.get("name"), "name", f, ident, col), str(item.get("symbol", ident)),
                            tuple(aliases))
    fw["units"] = units

    indicator_files = sorted(p for p in root.rglob("*.yaml") if fw_dir not in p.parents)
    indicators: dict[str, Indicator] = {}
    for f in indicator_files:
        items = _unique(_entries(_load_yaml(f, col), "indicators", f, col), f, col, seen)
        for item in items:
            ind = _indicator(item, f, col, fw)
            if ind is not None:
                indicators[ind.id] = ind
    if not indicators and not col.problems:
        col.add(root, None, "keine Indikatoren gefunden (erwartet: YAML-Dateien mit einer Liste 'indicators:')",
                "no indicators found (expected YAML files with an 'indicators:' list)")
    if col.problems:
        raise CatalogError(col.problems)
    all_files = sorted(root.rglob("*.yaml"))
    return Catalog(
        guiding_ideas=fw["guiding_ideas"], principles=fw["principles"], perspectives=fw["perspectives"],
        projects=projects, breakdowns=breakdowns, units=units, indicators=indicators, path=root,
        content_hash=_hash_files(all_files, root),
    )


def catalog_json(catalog: Catalog) -> str:
    """The catalog as pretty JSON text."""
    return json.dumps(catalog.to_json(), ensure_ascii=False, indent=2)
