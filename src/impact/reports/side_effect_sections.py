"""The section "Side effects and trade-offs" of project, guiding-idea and principle reports
(004 §1.3, §4.6, ch. 6): the tolerance status of unintended-effect indicators, each trade-off
pair's two series side by side (with a plain sentence when one improves while the other worsens),
and every change of a target with its date, old and new value, reason and who decided.

For a project report the section covers that project's indicators; for a guiding-idea or
principle report, every project's side effects and pairs that touch the group, and the target
changes of the group's indicators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.core.i18n import MISSING, N_, format_date, format_number, is_missing, texts
from impact.engine.path import target_changes
from impact.reports import markup
from impact.reports.indicator_block import indicator_row
from impact.reports.naming import entity_name, indicator_name, require, word
from impact.reports.series_figures import indicator_series, pair_series

if TYPE_CHECKING:  # pragma: no cover
    from impact.core.catalog import Indicator
    from impact.reports.context import ReportContext

__all__ = ["CHANGES", "TOLERANCE", "project_side_effects", "side_effects", "target_change_rows"]

TOLERANCE = {"within": N_("within the tolerance"), "crossed": N_("tolerance crossed"), "no_data": N_("no data")}
CHANGES = {"improving": N_("improving"), "worsening": N_("worsening"), "stable": N_("stable"),
           "no_data": N_("too few values")}


def _unintended(ind: Any) -> bool:
    return getattr(ind, "effect", "intended") == "unintended"


def _series(ctx: ReportContext, project_id: str, indicator_id: str) -> pd.DataFrame:
    s = ctx.evaluation.series
    return s[(s["project_id"] == project_id) & (s["indicator_id"] == indicator_id)]


def _crossed(ctx: ReportContext, project_id: str, indicator_id: str) -> bool:
    r = indicator_row(ctx, project_id, indicator_id)
    return r is not None and r.get("tolerance_status") == "crossed"


def _tolerance_rows(ctx: ReportContext, pairs: Iterable[tuple[str, Indicator]]) -> list[tuple[Any, ...]]:
    lang = ctx.lang
    _ = texts(lang)
    rows = []
    for pid, ind in pairs:
        target = ind.targets[pid]
        tol = getattr(target, "tolerance", None)
        r = indicator_row(ctx, pid, ind.id)
        value, period, status = (None, None, None) if r is None else (r.get("value"), r.get("period"),
                                                                     r.get("tolerance_status"))
        state = word(TOLERANCE, status if isinstance(status, str) else "no_data", lang)
        if status == "crossed":
            state = f"⚠ {state}"
        limit = MISSING if tol is None else _("{limit} from {date}", limit=format_number(tol.limit, lang, 2),
                                               date=format_date(tol.date, lang))
        rows.append((indicator_name(ctx, ind.id), entity_name(ctx, "projects", pid),
                     MISSING if is_missing(value) else _("{value} ({period})", value=format_number(value, lang, 2),
                                                         period=period),
                     limit, state))
    return rows


def _tolerances(ctx: ReportContext, pairs: list[tuple[str, Indicator]]) -> None:
    """The table of side effects against their tolerance, then each one's chart."""
    _ = texts(ctx.lang)
    markup.show(markup.heading(3, _("Unintended effects and their tolerance")))
    if not pairs:
        markup.show(markup.hint(_("No unintended-effect indicator is assigned here.")))
        return
    rows = _tolerance_rows(ctx, pairs)
    warnings = "".join(markup.para(_("⚠ Tolerance limit crossed: {indicator} ({project}) is at {value}; limit: "
                                     "{limit}.", indicator=r[0], project=r[1], value=r[2], limit=r[3]),
                                   css="impact-warn")
                       for r, (pid, ind) in zip(rows, pairs, strict=True) if _crossed(ctx, pid, ind.id))
    markup.show(warnings + markup.table_html(rows, [_("Indicator"), _("Project"), _("Value"),
                                                    _("Tolerance limit"), _("Tolerance")]))
    for pid, ind in pairs:
        title = _("Side effect: {indicator} · {project}", indicator=indicator_name(ctx, ind.id),
                  project=entity_name(ctx, "projects", pid))
        chart = indicator_series(ind, pid, _series(ctx, pid, ind.id), indicator_row(ctx, pid, ind.id), title, ctx.lang)
        markup.show_chart(chart, ctx.lang)


def _pair_sentence(ctx: ReportContext, r: Any) -> str:
    """A plain sentence on the pair's recent changes (a warning when they diverge)."""
    _ = texts(ctx.lang)
    a, b = indicator_name(ctx, r["indicator_id"]), indicator_name(ctx, r["other_id"])
    if bool(r["diverging"]):
        better, worse = (a, b) if r["change"] == "improving" else (b, a)
        return _("⚠ Improvement in {better}, deterioration in {worse} at the same time: the trade-off shows.",
                 better=better, worse=worse)
    return _("{first}: {first_change}; {second}: {second_change}.", first=a,
             first_change=word(CHANGES, r["change"], ctx.lang, "no_data"), second=b,
             second_change=word(CHANGES, r["other_change"], ctx.lang, "no_data"))


def _tradeoffs(ctx: ReportContext, rows: pd.DataFrame) -> None:
    """Each trade-off pair: why it is one, how both move, their series side by side."""
    lang = ctx.lang
    _ = texts(lang)
    markup.show(markup.heading(3, _("Trade-offs")))
    if rows.empty:
        markup.show(markup.hint(_("No trade-off pair is declared here.")))
        return
    notes = {frozenset((p.indicator, p.other)): p.note for p in getattr(ctx.catalog, "conflicts", lambda: ())()}
    for _i, r in rows.iterrows():
        pid, first, second = r["project_id"], r["indicator_id"], r["other_id"]
        names = (indicator_name(ctx, first), indicator_name(ctx, second))
        note = notes.get(frozenset((first, second)))
        css = "impact-warn" if bool(r["diverging"]) else "impact-meta"
        markup.show(markup.heading(4, _("{first} ↔ {second} · {project}", first=names[0], second=names[1],
                                        project=entity_name(ctx, "projects", pid)))
                    + (markup.para(note.get(lang)) if note is not None else "")
                    + markup.para(_pair_sentence(ctx, r), css=css))
        title = _("Trade-off: {first} and {second}", first=names[0], second=names[1])
        markup.show_chart(pair_series(_series(ctx, pid, first), _series(ctx, pid, second), names, title, lang), lang)


def target_change_rows(ctx: ReportContext, pairs: Iterable[tuple[str, Indicator]]) -> list[tuple[Any, ...]]:
    """Every change of the targets of ``pairs`` (project, indicator): date, indicator, project,
    old → new, reason, who decided; oldest first."""
    lang = ctx.lang
    _ = texts(lang)
    rows = []
    for pid, ind in pairs:
        for c in target_changes(ind.targets[pid]):
            change = _("{old} ({old_date}) → {new} ({new_date})", old=format_number(c.old, lang, 2),
                       old_date=format_date(c.old_date, lang), new=format_number(c.new, lang, 2),
                       new_date=format_date(c.new_date, lang))
            reason = c.reason.get(lang) if c.reason is not None else MISSING
            rows.append((c.valid_from, indicator_name(ctx, ind.id), entity_name(ctx, "projects", pid), change,
                         reason, c.decided_by or MISSING))
    rows.sort(key=lambda row: row[0])
    return [(format_date(row[0], lang), *row[1:]) for row in rows]


def _target_changes(ctx: ReportContext, pairs: list[tuple[str, Indicator]]) -> None:
    _ = texts(ctx.lang)
    rows = target_change_rows(ctx, pairs)
    body = (markup.table_html(rows, [_("Valid from"), _("Indicator"), _("Project"), _("Old → new target"),
                                     _("Reason"), _("Decided by")])
            if rows else markup.hint(_("No target has been changed.")))
    markup.show(markup.heading(3, _("Target changes"), "target-changes")
                + markup.para(_("Past progress is judged against the target valid at the time; progress against "
                                "the original target is shown beside the current one."), css="impact-meta")
                + body)


def side_effects(ctx: ReportContext, assigned: list[tuple[str, Indicator]], tradeoffs: pd.DataFrame) -> None:
    """The whole section for the (project, indicator) pairs ``assigned`` and the ``tradeoffs`` rows."""
    _ = texts(ctx.lang)
    markup.show(markup.heading(2, _("Side effects and trade-offs"), "side-effects"))
    _tolerances(ctx, [(pid, ind) for pid, ind in assigned if _unintended(ind)])
    _tradeoffs(ctx, tradeoffs)
    _target_changes(ctx, [(pid, ind) for pid, ind in assigned if not _unintended(ind)])


def _tradeoff_table(ctx: ReportContext) -> pd.DataFrame:
    t = getattr(ctx.evaluation, "tradeoffs", None)
    return t if t is not None else pd.DataFrame(columns=["project_id", "indicator_id", "other_id", "change",
                                                         "other_change", "diverging"])


def project_side_effects(ctx: ReportContext, project_id: str) -> None:
    """Side effects, trade-offs and target changes of one project."""
    require(ctx, "projects", project_id)
    t = _tradeoff_table(ctx)
    side_effects(ctx, [(project_id, ind) for ind in ctx.catalog.indicators_for(project_id)],
                 t[t["project_id"] == project_id])
