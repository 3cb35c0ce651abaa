"""The sections of the portfolio report: the pilots side by side, the synergy matrices, shared
indicators, and the external goals the portfolio touches (SDGs, ISO standards, Berlin strategies)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from impact.core.i18n import N_, format_percent, texts
from impact.reports import figures, markup
from impact.reports.naming import entity_name, indicator_name
from impact.reports.planning import ReportSpec
from impact.reports.review_marks import review_summary
from impact.reports.score_tables import scores
from impact.reports.titles import report_title

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["SCHEMES", "portfolio_matrices", "portfolio_overview", "portfolio_references", "portfolio_shared"]


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
                                    numeric=[4])
                + review_summary(ctx, ctx.evaluation.series))
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


# reference schemes of the catalog (``Indicator.references``), in the order the report lists them
SCHEMES = {"sdg": N_("UN Sustainable Development Goals (SDG indicators)"),
           "sdg_kommunen": N_("SDG indicators for municipalities (SDG-Kommunen)"),
           "iso37120": N_("ISO 37120 (sustainable cities)"), "iso37122": N_("ISO 37122 (smart cities)"),
           "berlin": N_("Berlin strategies and programmes")}


def _reference_rows(ctx: ReportContext) -> dict[str, dict[str, list[str]]]:
    """scheme → reference id → the indicators (with their projects) that link to it."""
    _ = texts(ctx.lang)
    found: dict[str, dict[str, list[str]]] = {}
    for ind in ctx.catalog.indicators.values():
        projects = ", ".join(entity_name(ctx, "projects", p) for p in ind.targets)
        for scheme, ids in (getattr(ind, "references", None) or {}).items():
            for ref in ids:
                label = _("{indicator} ({projects})", indicator=indicator_name(ctx, ind.id), projects=projects)
                found.setdefault(scheme, {}).setdefault(ref, []).append(label)
    return found


def portfolio_references(ctx: ReportContext) -> None:
    """Which external goals the portfolio touches: SDG targets, ISO 37120/37122, SDG-Kommunen and
    Berlin's strategies, each with the indicators (and pilots) that link to it."""
    lang = ctx.lang
    _ = texts(lang)
    found = _reference_rows(ctx)
    parts = [markup.heading(2, _("Links to other goals: SDGs, ISO standards, Berlin strategies"), "references"),
             markup.para(_("The indicators of the pilots are linked to established indicator systems where one "
                           "matches; this shows which goals the portfolio contributes to."))]
    if not found:
        parts.append(markup.hint(_("No indicator of the catalog names a reference yet.")))
    for scheme in [*SCHEMES, *sorted(set(found) - set(SCHEMES))]:
        refs = found.get(scheme)
        if not refs:
            continue
        rows = [(ref, "; ".join(labels)) for ref, labels in sorted(refs.items(), key=lambda kv: _natural(kv[0]))]
        title = _(SCHEMES[scheme]) if scheme in SCHEMES else scheme
        parts.append(markup.table_html(rows, [_("Reference"), _("Indicators (pilots)")],
                                       caption=_.ngettext("{scheme}: {n} reference", "{scheme}: {n} references",
                                                          len(rows), scheme=title)))
    markup.show("".join(parts))


def _natural(ref: str) -> tuple[Any, ...]:
    """Sort ``11.6.2`` before ``11.10.1``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ref.replace("-", ".").split("."))
