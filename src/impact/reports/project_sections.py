"""The sections of a project report, one function per section (the project notebook calls them
in order): summary, guiding ideas with their indicators, principles, impact ladder,
completeness, qualitative notes. Title, side effects and methodology have their own modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from impact.core.i18n import format_percent, texts
from impact.reports import figures, markup
from impact.reports.indicator_block import indicator_block
from impact.reports.naming import indicator_name, require
from impact.reports.review_marks import review_summary
from impact.reports.score_tables import score_rows, scores

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["project_completeness", "project_guiding_ideas", "project_ladder", "project_notes",
           "project_principles", "project_summary"]


def _score_line(ctx: ReportContext, scope: str, group_type: str, group_id: str) -> str:
    """"Score 42 % · coverage 80 %" of one group, or empty when it has no score row."""
    s = scores(ctx, scope, group_type)
    s = s[s["group_id"] == group_id]
    if not len(s):
        return ""
    _ = texts(ctx.lang)
    return _("Score {score} · coverage {coverage}", score=format_percent(s.iloc[0]["score"], ctx.lang),
             coverage=format_percent(s.iloc[0]["coverage"], ctx.lang))


def project_summary(ctx: ReportContext, project_id: str) -> None:
    """Score and coverage per guiding idea and principle at a glance."""
    require(ctx, "projects", project_id)
    lang = ctx.lang
    _ = texts(lang)
    overall = _score_line(ctx, project_id, "overall", "overall")
    intro = _("Score (0–100 %, progress towards the target) and coverage (share of indicators with data) per "
              "guiding idea and principle.")
    series = ctx.evaluation.series
    markup.show(markup.heading(2, _("Summary"), "summary") + markup.para(intro)
                + (markup.para(overall, label=_("Overall")) if overall else "")
                + review_summary(ctx, series[series["project_id"] == project_id]))
    for group_type, kind, title in (("guiding_idea", "guiding_ideas", _("Score and coverage: guiding ideas")),
                                    ("principle", "principles", _("Score and coverage: principles"))):
        markup.show_chart(figures.score_bars(score_rows(ctx, project_id, group_type, kind), title, lang), lang)


def project_guiding_ideas(ctx: ReportContext, project_id: str) -> None:
    """One section per guiding idea: its indicators' series against expected path and forecast."""
    require(ctx, "projects", project_id)
    lang = ctx.lang
    _ = texts(lang)
    indicators = ctx.catalog.indicators_for(project_id)
    for gid, gi in ctx.catalog.guiding_ideas.items():
        line = _score_line(ctx, project_id, "guiding_idea", gid)
        markup.show(markup.heading(2, _("Guiding idea: {name}", name=gi.name.get(lang)), f"gi-{gid}")
                    + f"<p>{markup.esc(gi.description.get(lang))}</p>"
                    + (f'<p class="impact-meta">{markup.esc(line)}</p>' if line else ""))
        members = [i for i in indicators if gid in i.guiding_ideas and _intended(i)]
        if not members:
            markup.show(markup.hint(_("No indicator of this project belongs to this section.")))
        for ind in members:
            indicator_block(ctx, project_id, ind.id)


def _intended(indicator: object) -> bool:
    """Unintended-effect indicators are shown under side effects, not as progress towards a goal."""
    return getattr(indicator, "effect", "intended") != "unintended"


def project_principles(ctx: ReportContext, project_id: str) -> None:
    """The principles for good practice: which indicators serve each and how it scores."""
    require(ctx, "projects", project_id)
    lang = ctx.lang
    _ = texts(lang)
    rows = score_rows(ctx, project_id, "principle", "principles")
    indicators = ctx.catalog.indicators_for(project_id)
    table = []
    for (pid, p), (_i, r) in zip(ctx.catalog.principles.items(), rows.iterrows(), strict=True):
        names = ", ".join(indicator_name(ctx, i.id) for i in indicators if pid in i.principles) or _("none")
        table.append((p.name.get(lang), format_percent(r["score"], lang), format_percent(r["coverage"], lang), names))
    markup.show(markup.heading(2, _("Principles"), "principles")
                + markup.table_html(table, [_("Principle"), _("Score"), _("Coverage"), _("Indicators")]))


def project_ladder(ctx: ReportContext, project_id: str) -> None:
    """The balance of outputs, outcomes and impact (PHINEO's impact ladder)."""
    require(ctx, "projects", project_id)
    lang = ctx.lang
    _ = texts(lang)
    lad = ctx.evaluation.ladder
    lad = lad[lad["project_id"] == project_id]
    title = _("Impact ladder: output, outcome, impact")
    intro = _("How many indicators measure outputs (steps 1–3), changes for target groups (outcomes, 4–6) and "
              "change in society (impact, 7)?")
    markup.show(markup.heading(2, title, "ladder") + markup.para(intro))
    markup.show_chart(figures.ladder_chart(lad, title, lang), lang)


def project_completeness(ctx: ReportContext, project_id: str) -> None:
    """Received against expected submissions per indicator, and the overdue periods."""
    require(ctx, "projects", project_id)
    lang = ctx.lang
    _ = texts(lang)
    comp = ctx.evaluation.completeness
    comp = comp[comp["project_id"] == project_id].copy()
    comp["label"] = [indicator_name(ctx, i) for i in comp["indicator_id"]]
    markup.show(markup.heading(2, _("Data completeness and overdue submissions"), "completeness"))
    markup.show_chart(figures.completeness_chart(comp, _("Completeness per indicator"), lang), lang)


def project_notes(ctx: ReportContext, project_id: str, limit: int = 12) -> None:
    """The most recent qualitative notes submitted with values (shown escaped, as text)."""
    require(ctx, "projects", project_id)
    _ = texts(ctx.lang)
    parts = [markup.heading(2, _("Recent qualitative notes"), "notes")]
    frames = [ctx.evaluation.series]
    if hasattr(ctx.evaluation, "breakdowns") and "note" in ctx.evaluation.breakdowns.columns:
        frames.append(ctx.evaluation.breakdowns)
    notes = pd.concat([f[["project_id", "indicator_id", "period", "period_start", "note"]] for f in frames],
                      ignore_index=True)
    notes = notes[(notes["project_id"] == project_id) & notes["note"].notna()]
    notes = notes[notes["note"].astype(str).str.strip() != ""]
    notes = notes.drop_duplicates(["indicator_id", "period", "note"]).sort_values("period_start", ascending=False)
    if notes.empty:
        parts.append(markup.hint(_("No notes submitted.")))
    for _i, n in notes.head(limit).iterrows():
        parts.append(f'<blockquote class="impact-note"><strong>{markup.esc(indicator_name(ctx, n["indicator_id"]))}, '
                     f'{markup.esc(n["period"])}:</strong> {markup.esc(n["note"])}</blockquote>')
    markup.show("".join(parts))
