"""Names in the report's language: catalog entities, indicators with their unit, and the words
for statuses, directions, frequencies, levels, quality grades and review states.

The words are marked with ``N_`` here and translated where they are shown; catalog names come
from the catalog (``Text.get(lang)`` falls back to English).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from impact.core.i18n import N_, texts

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["DIRECTIONS", "FREQUENCIES", "LEVELS", "QUALITY", "REVIEW_STATES", "STATUSES", "UNKNOWN_ID", "entity_name",
           "indicator_name", "require", "unit_symbol", "word"]

STATUSES = {"on_track": N_("on track"), "at_risk": N_("at risk"), "off_track": N_("off track"),
            "no_data": N_("no data")}
DIRECTIONS = {"higher_is_better": N_("higher is better"), "lower_is_better": N_("lower is better"),
              "target_band": N_("target band")}
FREQUENCIES = {"monthly": N_("monthly"), "quarterly": N_("quarterly"), "yearly": N_("yearly")}
LEVELS = {"output": N_("Output"), "outcome": N_("Outcome"), "impact": N_("Impact")}
QUALITY = {"measured": N_("measured"), "counted": N_("counted"), "surveyed": N_("surveyed"),
           "estimated": N_("estimated"), "proxy": N_("proxy")}
REVIEW_STATES = {"approved": N_("approved"), "pending": N_("pending"), "queried": N_("open query")}
UNKNOWN_ID = {
    "projects": N_("Unknown project id '{id}'. Known ids: {known}."),
    "guiding_ideas": N_("Unknown guiding idea id '{id}'. Known ids: {known}."),
    "principles": N_("Unknown principle id '{id}'. Known ids: {known}."),
}


def word(vocabulary: dict[str, str], key: Any, lang: str, default: str = "") -> str:
    """The translated word for ``key`` in ``vocabulary`` (``default``'s word, or ``key``, if unknown)."""
    text = vocabulary.get(str(key)) or vocabulary.get(default)
    return texts(lang)(text) if text else str(key)


def entity_name(ctx: ReportContext, kind: str, ident: str) -> str:
    """The name of a project, guiding idea, principle or perspective (``kind`` = catalog attribute)."""
    entity = getattr(ctx.catalog, kind).get(ident)
    return entity.name.get(ctx.lang) if entity is not None else ident


def unit_symbol(unit: Any, lang: str) -> str:
    """The unit's symbol; a symbol that is a German word (``Anzahl``) is its name in ``lang``."""
    name = getattr(unit, "name", None)
    if name is not None and unit.symbol == name.de:
        return str(name.get(lang))
    return str(unit.symbol)


def indicator_name(ctx: ReportContext, indicator_id: str) -> str:
    """The indicator's name with its unit, e.g. ``Nutzerinnen und Nutzer (Anzahl)``."""
    ind = ctx.catalog.indicators.get(indicator_id)
    if ind is None:
        return indicator_id
    unit = ctx.catalog.units.get(ind.unit)
    suffix = f" ({unit_symbol(unit, ctx.lang)})" if unit is not None and unit.symbol else ""
    return str(ind.name.get(ctx.lang)) + suffix


def require(ctx: ReportContext, kind: str, ident: str) -> None:
    """Raise ``ValueError`` (in the report's language) when ``ident`` is not in the catalog."""
    known = getattr(ctx.catalog, kind)
    if ident not in known:
        raise ValueError(texts(ctx.lang)(UNKNOWN_ID[kind], id=ident, known=", ".join(known)))
