"""The report sections the notebooks call, in one place: ``from impact.reports import sections as rt``.

Each report notebook is its report's outline: a markdown heading, then one call per section
(``rt.project_summary(ctx, project_id)`` and so on). The sections live in modules of one job —
:mod:`~impact.reports.titles`, :mod:`~impact.reports.project_sections`,
:mod:`~impact.reports.portfolio_sections`, :mod:`~impact.reports.group_sections`,
:mod:`~impact.reports.side_effect_sections`, :mod:`~impact.reports.methodology` — and are gathered here. All text comes from the translation
catalogue or from the catalog; every submitted value is HTML-escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from impact.reports.group_sections import (
    group_indicator_table,
    group_methodology,
    group_scores,
    group_series,
    group_side_effects,
    group_title,
)
from impact.reports.markup import esc, table_html
from impact.reports.methodology import methodology
from impact.reports.naming import unit_symbol
from impact.reports.portfolio_sections import (
    portfolio_matrices,
    portfolio_overview,
    portfolio_references,
    portfolio_shared,
)
from impact.reports.project_sections import (
    project_completeness,
    project_guiding_ideas,
    project_ladder,
    project_notes,
    project_principles,
    project_summary,
)
from impact.reports.side_effect_sections import project_side_effects
from impact.reports.titles import project_title, report_title

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = [
    "esc",
    "group_indicator_table",
    "group_methodology",
    "group_report",
    "group_scores",
    "group_series",
    "group_side_effects",
    "group_title",
    "guiding_idea_report",
    "methodology",
    "portfolio_matrices",
    "portfolio_overview",
    "portfolio_references",
    "portfolio_shared",
    "principle_report",
    "project_completeness",
    "project_guiding_ideas",
    "project_ladder",
    "project_notes",
    "project_principles",
    "project_side_effects",
    "project_summary",
    "project_title",
    "report_title",
    "table_html",
    "unit_symbol",
]


def group_report(ctx: ReportContext, group_type: str, ident: str) -> None:
    """A whole guiding-idea or principle report in one call (the notebooks call the sections)."""
    for section in (group_title, group_scores, group_indicator_table, group_series, group_side_effects,
                    group_methodology):
        section(ctx, group_type, ident)


def guiding_idea_report(ctx: ReportContext, guiding_idea_id: str) -> None:
    """One guiding idea across all pilots, every section."""
    group_report(ctx, "guiding_idea", guiding_idea_id)


def principle_report(ctx: ReportContext, principle_id: str) -> None:
    """One principle across all pilots, every section."""
    group_report(ctx, "principle", principle_id)
