"""The methodology appendix of every report: how the numbers are made — the engine's method text
(:func:`impact.engine.methodology.methodology_text`: the two dates, progress, expected path,
status, scores, forecast) and what the report adds (side effects, review) — then every indicator
of the report as the catalog defines it. ``docs/methodology.md`` is the long form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from impact.core.i18n import N_, format_date, format_number, texts
from impact.reports import markup
from impact.reports.naming import DIRECTIONS, FREQUENCIES, LEVELS, entity_name, indicator_name, word

if TYPE_CHECKING:  # pragma: no cover
    from impact.core.catalog import Indicator
    from impact.reports.context import ReportContext

__all__ = ["REPORT_RULES", "methodology"]

TERMS = {"short": N_("short term"), "medium": N_("medium term"), "long": N_("long term")}
# what the report shows beyond the engine's rules (impact.engine.methodology has those)
REPORT_RULES = (
    N_("Side effects and trade-offs: an unintended-effect indicator has a tolerance instead of a target; "
       "crossing it is a warning. For a trade-off pair the report says when one indicator improves while the "
       "other worsens."),
    N_("Review: evaluators check values before publication; every value carries its quality grade "
       "(measured, counted, surveyed, estimated, proxy), its evidence and its review state. A publication set "
       "contains approved values only."),
)


def _targets(ctx: ReportContext, ind: Indicator, project_id: str | None) -> list[tuple[str, str]]:
    lang = ctx.lang
    _ = texts(lang)
    rows = []
    for pid, t in ind.targets.items():
        if project_id is not None and pid != project_id:
            continue
        value = _("{baseline} ({baseline_date}) → {target} ({target_date})",
                  baseline=format_number(t.baseline, lang, 2), baseline_date=format_date(t.baseline_date, lang),
                  target=format_number(t.target, lang, 2), target_date=format_date(t.target_date, lang))
        if t.band:
            value = _("{path}, target band {low}–{high}", path=value, low=format_number(t.band[0], lang, 2),
                      high=format_number(t.band[1], lang, 2))
        if t.illustrative:
            value = _("{text} (illustrative)", text=value)
        project = entity_name(ctx, "projects", pid)
        rows.append((_("Baseline → target · {project}", project=project), value))
        milestones = "; ".join(_("{date}: {value}", date=format_date(m.date, lang), value=format_number(m.value, lang, 2))
                               + (f" ({word(TERMS, m.term, lang)})" if m.term else "")
                               for m in getattr(t, "milestones", ()) or ())
        if milestones:
            rows.append((_("Milestones · {project}", project=project), milestones))
        tolerance = getattr(t, "tolerance", None)
        if tolerance is not None:
            rows.append((_("Tolerance · {project}", project=project),
                         _("{limit} from {date}", limit=format_number(tolerance.limit, lang, 2),
                           date=format_date(tolerance.date, lang))))
    return rows


def _indicator_table(ctx: ReportContext, ind: Indicator, project_id: str | None) -> str:
    lang = ctx.lang
    _ = texts(lang)
    unit = ctx.catalog.units.get(ind.unit)
    rows: list[tuple[str, Any]] = [
        (_("Definition"), ind.definition.get(lang)),
        (_("Unit"), unit.name.get(lang) if unit else ind.unit),
        (_("Direction"), word(DIRECTIONS, ind.direction, lang)),
        (_("Frequency"), word(FREQUENCIES, ind.frequency, lang)),
        (_("Impact step"), _("{step} ({level})", step=ind.impact_step, level=word(LEVELS, ind.level, lang))),
        (_("Guiding ideas"), ", ".join(entity_name(ctx, "guiding_ideas", g) for g in ind.guiding_ideas)),
        (_("Principles"), ", ".join(entity_name(ctx, "principles", g) for g in ind.principles)),
        (_("Source"), ind.source.get(lang)),
        (_("Method"), ind.method.get(lang)),
        (_("Framework section"), ind.framework_section),
        *_targets(ctx, ind, project_id),
    ]
    return markup.table_html(rows, [_("Indicator"), indicator_name(ctx, ind.id)], caption=ind.id)


def methodology(ctx: ReportContext, project_id: str | None = None, indicator_ids: Iterable[str] | None = None) -> None:
    """The appendix: how the numbers are made, then every indicator of the report as the catalog
    defines it (a project's indicators, the given ones, or all)."""
    _ = texts(ctx.lang)
    if indicator_ids is None:
        inds = ctx.catalog.indicators_for(project_id) if project_id else tuple(ctx.catalog.indicators.values())
    else:
        inds = tuple(ctx.catalog.indicators[i] for i in indicator_ids if i in ctx.catalog.indicators)
    from IPython.display import Markdown, display

    from impact.engine.methodology import methodology_text

    markup.show(markup.heading(2, _("Appendix: methodology"), "methodology")
                + markup.para(_("Indicators come from the indicator catalog (checksum {hash}); values from validated "
                                "submissions.", hash=ctx.catalog.content_hash[:12])))
    display(Markdown(methodology_text(ctx.lang)))
    rules = "".join(f"<li>{markup.esc(_(rule))}</li>" for rule in REPORT_RULES)
    markup.show(f"<ul>{rules}</ul>" + "".join(_indicator_table(ctx, ind, project_id) for ind in inds))
