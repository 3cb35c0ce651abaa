"""External indicators an indicator matches (``references``), each id checked for its form.

| key            | what                                                   | form, e.g.                   |
|----------------|--------------------------------------------------------|------------------------------|
| ``sdg``        | UN SDG global indicator (goal 1–17 . target . number)  | ``11.7.1``, ``6.3.1``, ``17.18.1``, ``6.a.1`` |
| ``iso37120``   | ISO 37120:2018 indicator (clause 5–23 . number)        | ``8.4``                      |
| ``iso37122``   | ISO 37122:2019 smart-city indicator (clause 5–23 . n.) | ``10.5``                     |
| ``sdg_kommunen`` | "SDG-Indikatoren für Kommunen" (goal: indicator name) | ``SDG 11: Verunglückte im Verkehr`` |
| ``berlin``     | a Berlin strategy target (document slug, optional part) | ``ewg-bln:§3``, ``bek-2030`` |

The forms follow the numbering of the sources (ISO 37120:2018 and ISO 37122:2019 number their
indicators by theme clause, 5 Economy … 23 Water); the loader checks the form, not whether the
source really has that number — cite where the mapping comes from in the indicator's ``method``.
"""

from __future__ import annotations

import re
from typing import Any

from impact.core.catalog.reading import Spot
from impact.core.i18n import N_

__all__ = ["BERLIN_DOCUMENTS", "REFERENCE_KINDS", "read_references", "reference_problem"]

_SDG = re.compile(r"^(?P<goal>[1-9]|1[0-7])\.(?:[1-9]|1[0-9]|[a-c])\.[1-9][0-9]?$")
_ISO = re.compile(r"^(?P<clause>[1-9][0-9]?)\.[1-9][0-9]?$")
_KOMMUNEN = re.compile(r"^SDG (?P<goal>[1-9]|1[0-7]): \S.{1,118}$")
_BERLIN = re.compile(r"^(?P<doc>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?::\S.{0,60})?$")

#: Berlin strategies and programmes a ``berlin`` reference may name (004 §5.1.1 names the first three)
BERLIN_DOCUMENTS = {
    "berlinstrategie-3": "BerlinStrategie 3.0 (2021)",
    "ewg-bln": "Berliner Klimaschutz- und Energiewendegesetz (EWG Bln)",
    "bek-2030": "Berliner Energie- und Klimaschutzprogramm 2030 (BEK 2030)",
    "luftreinhalteplan": "Luftreinhalteplan für Berlin",
    "stadtentwicklungsplan-klima": "Stadtentwicklungsplan Klima",
    "digitalstrategie": "Digitalstrategie des Landes Berlin",
    "beteiligungsleitlinien": "Leitlinien für Bürgerbeteiligung an der Stadtentwicklung",
}

REFERENCE_KINDS = ("sdg", "iso37120", "iso37122", "sdg_kommunen", "berlin")

_FORMS = {
    "sdg": N_("'{id}' is not an SDG indicator id: write goal.target.number, e.g. 11.7.1 or 6.a.1 (goals 1-17)"),
    "iso37120": N_("'{id}' is not an ISO 37120 indicator number: write clause.number, e.g. 8.4 "
                   "(theme clauses 5-23)"),
    "iso37122": N_("'{id}' is not an ISO 37122 indicator number: write clause.number, e.g. 10.5 "
                   "(theme clauses 5-23)"),
    "sdg_kommunen": N_("'{id}' is not a reference to the SDG indicators for municipalities: write "
                       "'SDG <goal>: <indicator name>', e.g. 'SDG 11: Verunglückte im Verkehr'"),
    "berlin": N_("'{id}' is not a Berlin strategy reference: write a document id, optionally followed by ':' "
                 "and a part, e.g. 'ewg-bln:§3'; known documents: {known}"),
}


def reference_problem(kind: str, ident: str) -> str | None:
    """The message id describing why ``ident`` is malformed for ``kind``, or None when it is fine."""
    ok: bool
    if kind == "sdg":
        ok = bool(_SDG.match(ident))
    elif kind in ("iso37120", "iso37122"):
        m = _ISO.match(ident)
        ok = bool(m) and 5 <= int(m.group("clause")) <= 23  # type: ignore[union-attr]
    elif kind == "sdg_kommunen":
        ok = bool(_KOMMUNEN.match(ident))
    else:
        m = _BERLIN.match(ident)
        ok = bool(m) and m.group("doc") in BERLIN_DOCUMENTS  # type: ignore[union-attr]
    return None if ok else _FORMS[kind]


def read_references(raw: Any, spot: Spot) -> dict[str, tuple[str, ...]]:
    """``references: {sdg: [...], iso37120: [...], ...}``: lists of well-formed ids, none twice."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        spot.add("references", N_("must map reference kinds ({kinds}) to lists of ids"),
                 kinds=", ".join(REFERENCE_KINDS))
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for kind, ids in raw.items():
        key = f"references.{kind}"
        if kind not in REFERENCE_KINDS:
            spot.add(key, N_("unknown reference kind; use one of {kinds}"), kinds=", ".join(REFERENCE_KINDS))
            continue
        if isinstance(ids, (str, int, float)) and not isinstance(ids, bool):
            ids = [ids]
        if not isinstance(ids, list) or not ids:
            spot.add(key, N_("must be a non-empty list of ids"))
            continue
        clean: list[str] = []
        for ident in ids:
            text = str(ident).strip() if isinstance(ident, (str, int, float)) and not isinstance(ident, bool) else ""
            problem = reference_problem(kind, text) if text else _FORMS[kind]
            if problem:
                spot.add(key, problem, id=ident, known=", ".join(BERLIN_DOCUMENTS))
            elif text in clean:
                spot.add(key, N_("lists '{id}' twice"), id=text)
            else:
                clean.append(text)
        if clean:
            out[str(kind)] = tuple(clean)
    return out
