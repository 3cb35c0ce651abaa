"""The sections of the portfolio report: the pilots side by side, the synergy matrices, shared
indicators, and the external references the portfolio touches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from impact.core.i18n import format_percent, texts
from impact.reports import figures, markup
from impact.reports.naming import entity_name, indicator_name
from impact.reports.planning import ReportSpec
from impact.reports.score_tables import scores
from impact.reports.titles import report_title

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["portfolio_matrices", "portfolio_overview", "portfolio_shared"]


def _names(ctx: ReportContext, kind: str) -> dict[str, str]:
    return {k: entity_name(ctx, kind, k) for k in getattr(ctx.catalog, kind)}


def portfolio_overview(ctx: ReportContext) -> None:
    """The pilots side by side: overall score, coverage and score per guiding idea."""
    lang = ctx.lang
    _ = texts(lang)
    report_title(ctx, ReportSpec("portfolio").title(ctx.catalog, lang))
    rows = []
    for pid, p in ctx.catalog.projects.items():
        o = scores(ctx, pid, "overall")
        r = o.iloc[0] if len(o) else None
        rows.append((p.name.get(lang), p.lead, format_percent(r["score"] if r is not None else None, lang),
                     format_percent(r["coverage"] if r is not None else None, lang),
                     len(ctx.catalog.indicators_for(pid))))
    markup.show(markup.heading(2, _("The pilots side by side"), "pilots")
                + markup.table_html(rows, [_("Project"), _("Lead"), _("Score"), _("Coverage"), _("Indicators")],
                                    numeric=[4]))
    markup.show_chart(figures.project_comparison(ctx.evaluation.scores, "guiding_idea", _names(ctx, "guiding_ideas"),
                                                 _names(ctx, "projects"), _("Score per guiding idea"), lang), lang)


def portfolio_matrices(ctx: ReportContext) -> None:
    """The synergy matrices: project × guiding idea and project × principle."""
    lang = ctx.lang
    _ = texts(lang)
    markup.show(markup.heading(2, _("Synergies: scores per project and guiding idea or principle"), "synergies")
                + markup.para(_("Where several projects contribute to the same guiding idea or principle, they can "
                                "learn from each other.")))
    projects = _names(ctx, "projects")
    for attr, kind, title in (("matrix_guiding_ideas", "guiding_ideas", _("Synergies: projects × guiding ideas")),
                              ("matrix_principles", "principles", _("Synergies: projects × principles"))):
        markup.show_chart(figures.matrix_heatmap(getattr(ctx.evaluation, attr), projects, _names(ctx, kind), title,
                                                 lang), lang)


def portfolio_shared(ctx: ReportContext) -> None:
    """Indicators reported by at least two pilots, compared."""
    lang = ctx.lang
    _ = texts(lang)
    shared = ctx.evaluation.shared_indicators
    markup.show(markup.heading(2, _("Shared indicators compared"), "shared"))
    if shared is None or len(shared) == 0:
        markup.show(markup.hint(_("No indicator is reported by at least two projects.")))
        return
    projects = _names(ctx, "projects")
    for indicator_id in dict.fromkeys(shared["indicator_id"]):
        rows = shared[shared["indicator_id"] == indicator_id]
        markup.show_chart(figures.shared_indicator_chart(rows, projects, indicator_name(ctx, indicator_id), lang),
                          lang)
