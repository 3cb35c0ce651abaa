"""How the explorer's charts name and tell apart what they draw: colours, markers, short labels.

* :func:`line_style` gives the n-th line of a chart a colour and a marker symbol so that every
  line drawn at once differs from every other in at least one of them (28 combinations).
  The colours are the Okabe–Ito set without its yellow (too faint as a thin line on white);
  they stay distinguishable with the common colour-vision deficiencies.
* :func:`short` cuts a long name for legends and facet titles; the full name is in the hover.
* :func:`unit_label` names an indicator's unit in the reader's language (the reports' rule).
"""

from __future__ import annotations

from typing import Any

from impact.core.catalog import Catalog

__all__ = ["COLOURS", "MAX_LINES", "PORTFOLIO_COLOUR", "SYMBOLS", "line_style", "project_label", "short",
           "unit_label"]

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up")
MAX_LINES = len(COLOURS) * len(SYMBOLS)
PORTFOLIO_COLOUR = "#6E6E6E"
_SEPARATORS = (" – ", " - ", ": ")


def line_style(n: int) -> tuple[str, str]:
    """Colour and marker symbol of the ``n``-th line (0-based); unique for ``n < MAX_LINES``."""
    return COLOURS[n % len(COLOURS)], SYMBOLS[(n // len(COLOURS)) % len(SYMBOLS)]


def short(text: str, limit: int = 32) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with ``…`` when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def project_label(catalog: Catalog, project_id: str, lang: str, limit: int = 28) -> str:
    """A project's short name: the shortest part of its name between dashes or after a colon
    ("Smart Water - Modellierung und Governance" → "Smart Water", "Daten im Alltag und in der
    Krise - Kiezbox 2.0" → "Kiezbox 2.0"), cut to ``limit`` characters."""
    project = catalog.projects.get(project_id)
    if project is None:
        return project_id
    name = project.name.get(lang)
    for sep in _SEPARATORS:
        parts = [p.strip(" )") for p in name.split(sep)]
        parts = [p for p in parts if len(p) >= 3]
        if len(parts) > 1:
            name = min(parts, key=len)
            break
    return short(name, limit)


def unit_label(catalog: Catalog, indicator_id: str, lang: str) -> str:
    """The unit of an indicator as readers of ``lang`` write it (``%``, ``Anzahl``/``count``)."""
    from impact.reports.sections import unit_symbol

    ind = catalog.indicators.get(indicator_id)
    unit: Any = catalog.units.get(ind.unit) if ind is not None else None
    if unit is None:
        return ind.unit if ind is not None else ""
    return unit_symbol(unit, lang)
