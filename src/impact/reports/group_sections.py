"""The sections of a guiding-idea or principle report (one group across all pilots): title,
scores per project, the assigned indicators, their series per project, and (via
:mod:`impact.reports.side_effects` and :mod:`impact.reports.methodology`) side effects and the
methodology. ``group_type`` is ``guiding_idea`` or ``principle``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.core.i18n import format_number, format_percent, texts
from impact.reports import figures, markup
from impact.reports.indicator_block import status_text
from impact.reports.naming import entity_name, indicator_name, require
from impact.reports.planning import ReportSpec
from impact.reports.review_marks import review_summary
from impact.reports.score_tables import SCORE_COLUMNS, score_row
from impact.reports.series_figures import cross_project_series
from impact.reports.titles import report_title

if TYPE_CHECKING:  # pragma: no cover
    from impact.core.catalog import Indicator
    from impact.reports.context import ReportContext

__all__ = ["GROUP_KINDS", "group_indicator_table", "group_indicators", "group_methodology", "group_scores",
           "group_series", "group_side_effects", "group_title"]

# group_type -> catalog attribute (and Indicator attribute) holding its ids
GROUP_KINDS = {"guiding_idea": "guiding_ideas", "principle": "principles"}


def _kind(ctx: ReportContext, group_type: str, ident: str) -> str:
    kind = GROUP_KINDS[group_type]
    require(ctx, kind, ident)
    return kind


def group_indicators(ctx: ReportContext, group_type: str, ident: str) -> list[Indicator]:
    """The catalog's indicators that serve the group (intended effects), in catalog order."""
    kind = GROUP_KINDS[group_type]
    return [i for i in ctx.catalog.indicators.values()
            if ident in getattr(i, kind) and getattr(i, "effect", "intended") != "unintended"]


def group_title(ctx: ReportContext, group_type: str, ident: str) -> None:
    """Title, dates, description and framework section of the group."""
    kind = _kind(ctx, group_type, ident)
    _ = texts(ctx.lang)
    entity = getattr(ctx.catalog, kind)[ident]
    report_title(ctx, ReportSpec(group_type, ident).title(ctx.catalog, ctx.lang), _("across all pilots"))
    markup.show(markup.para(entity.description.get(ctx.lang))
                + markup.para(entity.section, label=_("Framework section"), css="impact-meta"))


def group_scores(ctx: ReportContext, group_type: str, ident: str) -> None:
    """The group's score and coverage for each project and the portfolio."""
    kind = _kind(ctx, group_type, ident)
    _ = texts(ctx.lang)
    rows = [score_row(ctx, pid, group_type, ident, entity_name(ctx, "projects", pid)) for pid in ctx.catalog.projects]
    portfolio = score_row(ctx, "portfolio", group_type, ident, _("Portfolio"))
    if portfolio[4]:
        rows.append(portfolio)
    title = _("Score per project: {name}", name=entity_name(ctx, kind, ident))
    series = ctx.evaluation.series
    members = {i.id for i in group_indicators(ctx, group_type, ident)}
    markup.show(markup.heading(2, _("Score per project"), "scores")
                + review_summary(ctx, series[series["indicator_id"].isin(members)]))
    markup.show_chart(figures.score_bars(pd.DataFrame(rows, columns=SCORE_COLUMNS), title, ctx.lang), ctx.lang)


def _indicator_rows(ctx: ReportContext, members: list[Indicator]) -> list[tuple[Any, ...]]:
    lang = ctx.lang
    ind = ctx.evaluation.indicators
    table = []
    for i in members:
        for pid in i.targets:
            r = ind[(ind["project_id"] == pid) & (ind["indicator_id"] == i.id)]
            rr = r.iloc[0] if len(r) else None
            table.append((indicator_name(ctx, i.id), entity_name(ctx, "projects", pid),
                          format_number(rr["value"] if rr is not None else None, lang, 2),
                          format_percent(rr["progress"] if rr is not None else None, lang),
                          status_text(rr, lang)))
    return table


def group_indicator_table(ctx: ReportContext, group_type: str, ident: str) -> None:
    """Every indicator of the group with each project's current value, progress and status."""
    _kind(ctx, group_type, ident)
    _ = texts(ctx.lang)
    table = _indicator_rows(ctx, group_indicators(ctx, group_type, ident))
    body = (markup.table_html(table, [_("Indicator"), _("Project"), _("Value"), _("Progress"), _("Status")])
            if table else markup.hint(_("No indicator belongs to this section.")))
    markup.show(markup.heading(2, _("Assigned indicators"), "indicators") + body)


def group_series(ctx: ReportContext, group_type: str, ident: str) -> None:
    """Each indicator of the group over time, one line per project."""
    _kind(ctx, group_type, ident)
    _ = texts(ctx.lang)
    members = group_indicators(ctx, group_type, ident)
    markup.show(markup.heading(2, _("Series per project"), "series"))
    if not members:
        markup.show(markup.hint(_("No indicator belongs to this section.")))
    projects = {k: entity_name(ctx, "projects", k) for k in ctx.catalog.projects}
    series = ctx.evaluation.series
    for i in members:
        chart = cross_project_series(series[series["indicator_id"] == i.id], projects, indicator_name(ctx, i.id),
                                     ctx.lang)
        markup.show_chart(chart, ctx.lang)


def group_methodology(ctx: ReportContext, group_type: str, ident: str) -> None:
    """The methodology appendix for the group's indicators."""
    from impact.reports.methodology import methodology

    _kind(ctx, group_type, ident)
    methodology(ctx, indicator_ids=[i.id for i in group_indicators(ctx, group_type, ident)])


def group_side_effects(ctx: ReportContext, group_type: str, ident: str) -> None:
    """Side effects, trade-offs and target changes of the group's indicators across the pilots."""
    from impact.reports.side_effect_sections import side_effects

    kind = _kind(ctx, group_type, ident)
    members = [i for i in ctx.catalog.indicators.values() if ident in getattr(i, kind)]
    ids = {i.id for i in members}
    t = getattr(ctx.evaluation, "tradeoffs", None)
    rows = t[t["indicator_id"].isin(ids) | t["other_id"].isin(ids)] if t is not None else pd.DataFrame()
    side_effects(ctx, [(pid, i) for i in members for pid in i.targets], rows)
