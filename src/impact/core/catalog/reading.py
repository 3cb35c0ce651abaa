"""Reading YAML values for the catalog, collecting every problem instead of stopping at the first.

A :class:`Collector` gathers :class:`~impact.core.errors.CatalogProblem` records; a :class:`Spot`
is one place in the catalog (file and entry) that typed readers (:func:`read_text`,
:func:`read_date`, :func:`read_number`, :func:`read_ids` …) report to, each naming the YAML key
that is wrong. Messages are English message ids marked with ``N_`` and translated when shown.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact.core.catalog.model import REQUIRED_LANGS, Text
from impact.core.errors import CatalogProblem
from impact.core.i18n import N_

__all__ = ["Collector", "Spot", "closest", "each_mapping", "entries", "g", "read_bool", "read_choice", "read_date",
           "read_ids", "read_number", "read_text", "unique", "unknown_keys"]

#: "unknown … id" per kind of reference, without and with a "did you mean" hint
_UNKNOWN_ID = {
    "guiding_ideas": (N_("unknown guiding idea id '{id}'; known: {known}"),
                      N_("unknown guiding idea id '{id}' (did you mean '{hint}'?); known: {known}")),
    "principles": (N_("unknown principle id '{id}'; known: {known}"),
                   N_("unknown principle id '{id}' (did you mean '{hint}'?); known: {known}")),
    "perspectives": (N_("unknown perspective id '{id}'; known: {known}"),
                     N_("unknown perspective id '{id}' (did you mean '{hint}'?); known: {known}")),
    "breakdowns": (N_("unknown breakdown id '{id}'; known: {known}"),
                   N_("unknown breakdown id '{id}' (did you mean '{hint}'?); known: {known}")),
}
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
#: a language code as a text key: ``tr``, ``ar``, ``pt_BR``, ``zh-Hant``
LANG_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$")


class Collector:
    """Collects problems while parsing, so that every mistake is reported at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[CatalogProblem] = []
        #: results of checks that found nothing, for YAML objects shared through an alias (``*name``):
        #: ``{(id(obj), …): (obj, result)}`` — holding ``obj`` keeps its id from being reused
        self.clean: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    def add(self, file: Path, entry: str | None, key: str | None, message: str, /, **fields: object) -> None:
        """Record a problem: ``message`` is an English message id with ``{field}`` names."""
        try:
            name = str(file.relative_to(self.root.parent))
        except ValueError:
            name = str(file)
        self.problems.append(CatalogProblem(name, entry, message, key, tuple((k, str(v)) for k, v in fields.items())))

    def spot(self, file: Path, entry: str | None = None) -> Spot:
        return Spot(self, file, entry)


@dataclass(frozen=True)
class Spot:
    """One place in the catalog: a file and (optionally) the id of the entry being read."""

    col: Collector
    file: Path
    entry: str | None = None

    def add(self, key: str | None, message: str, /, **fields: object) -> None:
        """Record a problem at ``key`` (a dotted path); ``{name}`` in the message is its last part."""
        fields.setdefault("name", (key or "").rsplit(".", 1)[-1])
        self.col.add(self.file, self.entry, key, message, **fields)

    @property
    def count(self) -> int:
        """How many problems have been collected so far (to tell whether a part was clean)."""
        return len(self.col.problems)


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word`` (for "did you mean"), or None."""
    import difflib  # here: only a catalog with a mistake needs it

    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return match[0] if match else None


def g(x: float) -> str:
    """A number as written in the catalog (``1200000``, ``2.5``)."""
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def read_text(raw: Any, key: str, spot: Spot, required: bool = True) -> Text:
    """A ``{de: …, en: …, tr: …}`` text; German and English are required, more languages allowed."""
    if type(raw) is dict and len(raw) == 2:  # the usual {de, en}: nothing to report when both are texts
        de, en = raw.get("de"), raw.get("en")
        if type(de) is str and type(en) is str and de.strip() and en.strip():
            return Text(de, en)
    if not isinstance(raw, dict):
        if required or raw is not None:
            spot.add(key, N_("'{name}' must have a German ('de') and an English ('en') text"))
        return Text("", "")
    for lang in REQUIRED_LANGS:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            spot.add(f"{key}.{lang}", N_("missing German {name} ('{path}')") if lang == "de"
                     else N_("missing English {name} ('{path}')"), name=key.rsplit(".", 1)[-1], path=f"{key}.{lang}")
    more: list[tuple[str, str]] = []
    for lang, value in raw.items():
        if lang in REQUIRED_LANGS:
            continue
        if not isinstance(lang, str) or not LANG_CODE.match(lang):
            spot.add(key, N_("'{lang}' is not a language code (write e.g. 'tr' or 'ar' beside 'de' and 'en')"),
                     lang=lang)
        elif not isinstance(value, str) or not value.strip():
            spot.add(f"{key}.{lang}", N_("'{path}' must be a text"), path=f"{key}.{lang}")
        else:
            more.append((lang, value))
    return Text(str(raw.get("de") or ""), str(raw.get("en") or ""), tuple(more))


def read_date(raw: Any, key: str, spot: Spot) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` (YAML may already have parsed it)."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    spot.add(key, N_("'{name}' must be a date written YYYY-MM-DD, got {value}"), value=repr(raw))
    return None


def read_number(raw: Any, key: str, spot: Spot, optional: bool = False) -> float | None:
    """A finite number (``None`` allowed when ``optional``)."""
    if raw is None and optional:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        spot.add(key, N_("'{name}' must be a number, got {value}"), value=repr(raw))
        return None
    return float(raw)


def read_bool(raw: Any, key: str, spot: Spot, default: bool) -> bool:
    """``true`` or ``false`` (absent: ``default``)."""
    if raw is None:
        return default
    if not isinstance(raw, bool):
        spot.add(key, N_("'{name}' must be true or false, got {value}"), value=repr(raw))
        return default
    return raw


def read_choice(raw: Any, key: str, spot: Spot, choices: tuple[str, ...]) -> str | None:
    """One of ``choices`` (reported with the list of choices otherwise)."""
    if raw not in choices:
        spot.add(key, N_("'{name}' must be one of {choices}, got {value}"), choices=", ".join(choices), value=repr(raw))
        return None
    return str(raw)


def entries(doc: Any, key: str, spot: Spot) -> list[dict[str, Any]]:
    """The mappings of a top-level list ``key:``, each with a valid slug ``id``."""
    if doc is None:
        return []
    if not isinstance(doc, dict) or key not in doc:
        spot.add(key, N_("expected a top-level '{key}:' list"), key=key)
        return []
    items = doc[key]
    if not isinstance(items, list):
        spot.add(key, N_("'{name}' must be a list"))
        return []
    out = []
    for n, item in enumerate(items, 1):
        where = Spot(spot.col, spot.file, f"#{n}")
        if not isinstance(item, dict):
            where.add(None, N_("each entry must be a mapping with an 'id'"))
            continue
        if not isinstance(item.get("id"), str) or not SLUG.match(item["id"]):
            where.add("id", N_("'id' must be a lower-case slug like 'my-indicator', got {value}"),
                      value=repr(item.get("id")))
            continue
        out.append(item)
    return out


def unique(items: Iterable[dict[str, Any]], spot: Spot, seen: dict[str, Path]) -> list[dict[str, Any]]:
    """The items whose id was not seen before (in ``seen``, shared across files); duplicates reported."""
    out = []
    for item in items:
        ident = item["id"]
        if ident in seen:
            Spot(spot.col, spot.file, ident).add(None, N_("duplicate id '{id}' (already defined in {file})"),
                                                 id=ident, file=seen[ident].name)
            continue
        seen[ident] = spot.file
        out.append(item)
    return out


def unknown_keys(item: Mapping[str, Any], allowed: Iterable[str], spot: Spot, prefix: str = "") -> None:
    """Report each key not in ``allowed`` (with a "did you mean" hint when one is close)."""
    allowed = set(allowed)
    for extra in sorted(set(item) - allowed, key=str):
        hint = closest(str(extra), allowed)
        if hint:
            spot.add(f"{prefix}{extra}", N_("unknown key '{key}' (did you mean '{hint}'?)"), key=extra, hint=hint)
        else:
            spot.add(f"{prefix}{extra}", N_("unknown key '{key}'"), key=extra)


def each_mapping(raw: Any, key: str, spot: Spot, allowed: Iterable[str], not_a_list: str,
                 not_a_mapping: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(key[n], entry)`` for each mapping in the list ``raw`` (absent: none); a value that is not a
    list, an entry that is not a mapping and unknown keys are reported (with the given messages)."""
    if raw is None:
        return
    if not isinstance(raw, list):
        spot.add(key, not_a_list)
        return
    for n, item in enumerate(raw):
        where = f"{key}[{n}]"
        if not isinstance(item, dict):
            spot.add(where, not_a_mapping)
            continue
        unknown_keys(item, allowed, spot, f"{where}.")
        yield where, item


def read_ids(values: Any, key: str, known: Mapping[str, Any], spot: Spot, min_items: int = 1) -> tuple[str, ...]:
    """A list of ids that must all be in ``known`` (unknown ones reported with a hint), none twice."""
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        spot.add(key, N_("'{name}' must be a list of ids"))
        return ()
    if len(values) < min_items:
        spot.add(key, N_("'{name}' needs at least one entry"))
    for v in values:
        if v not in known:
            hint = closest(v, known)
            messages = _UNKNOWN_ID[key][1 if hint else 0]
            spot.add(key, messages, id=v, hint=hint or "", known=", ".join(known))
    if len(set(values)) != len(values):
        spot.add(key, N_("'{name}' lists an id twice"))
    return tuple(values)
