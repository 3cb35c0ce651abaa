"""The catalog's framework entities and the catalog itself: what the YAML files describe, as data.

``Text`` (a text in any number of languages), the Strategic Framework's guiding ideas,
principles and perspectives (``Entity``), the pilot projects, breakdowns and units, and the
:class:`Catalog` that holds them together with the indicators (:mod:`.indicator`). Everything is
frozen; build a catalog with :func:`impact.core.catalog.load_catalog`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from impact.core.catalog.indicator import Indicator

__all__ = ["Breakdown", "Catalog", "ConflictPair", "Entity", "Framework", "Project", "Text", "Unit"]

#: Languages every text of the catalog must have (German first, English second, 004 §4.5).
REQUIRED_LANGS = ("de", "en")


def _base_lang(lang: str | None) -> str:
    """``"en_GB"``, ``"EN"``, ``"en-GB"`` → ``"en"``; ``None`` → ``"de"``."""
    if not lang:
        return "de"
    return str(lang).strip().replace("-", "_").split("_")[0].lower()


@dataclass(frozen=True)
class Text:
    """A text of the catalog in German, English and any further languages.

    ``Text("Nutzende", "Users")``; more languages as pairs: ``Text("…", "…", (("tr", "…"),))``.
    :meth:`get` falls back to English for a language the text does not have (docs/translating.md).
    """

    de: str
    en: str
    more: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str | None = "de") -> str:
        """The text in ``lang`` (``"tr"``, ``"en_GB"`` …); English when it has no such text."""
        code = _base_lang(lang)
        if code == "de":
            return self.de
        if code == "en":
            return self.en
        for other, text in self.more:
            if other == code or other == lang:
                return text
        return self.en

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this text is written in (``de``, ``en``, then the others in file order)."""
        return (*REQUIRED_LANGS, *(lang for lang, _ in self.more))

    def to_json(self) -> dict[str, str]:
        return {"de": self.de, "en": self.en, **dict(self.more)}


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
        names = (self.id, self.symbol, self.name.de, self.name.en, *(n for _, n in self.name.more), *self.aliases)
        return t in {a.casefold() for a in names}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.to_json(), "symbol": self.symbol, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class ConflictPair:
    """A trade-off between two indicators, listed once (``indicator`` comes first in the catalog)."""

    indicator: str
    other: str
    note: Text

    def to_json(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "other": self.other, "note": self.note.to_json()}


@dataclass(frozen=True)
class Framework:
    """The framework part of a catalog (``framework/*.yaml``); mappings keep file order."""

    guiding_ideas: Mapping[str, Entity]
    principles: Mapping[str, Entity]
    perspectives: Mapping[str, Entity]
    projects: Mapping[str, Project]
    breakdowns: Mapping[str, Breakdown]
    units: Mapping[str, Unit]


@dataclass(frozen=True)
class Catalog(Framework):
    """The whole catalog: the framework and the indicators. Build with :func:`load_catalog`."""

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

    def conflicts(self, project_id: str | None = None) -> tuple[ConflictPair, ...]:
        """Every trade-off pair once, in catalog order; with ``project_id`` only pairs it reports both of.

        The loader makes ``conflicts_with`` symmetric, so each pair appears on both indicators; here
        it is listed once, with the note of the indicator that comes first in the catalog.
        """
        order = {ident: n for n, ident in enumerate(self.indicators)}
        seen: set[frozenset[str]] = set()
        pairs = []
        for ind in self.indicators.values():
            for c in ind.conflicts_with:
                key = frozenset((ind.id, c.indicator))
                if key in seen or c.indicator not in order:
                    continue
                seen.add(key)
                first, second = sorted((ind.id, c.indicator), key=order.__getitem__)
                if project_id is not None and not (project_id in self.indicators[first].targets
                                                   and project_id in self.indicators[second].targets):
                    continue
                pairs.append(ConflictPair(first, second, c.note))
        return tuple(pairs)

    def to_json(self) -> dict[str, Any]:
        """The ``impact catalog --format json`` object."""
        from impact.core.catalog.jsonform import catalog_to_json

        return catalog_to_json(self)
