"""What the series chart marks beside the values: milestones, target changes, tolerance limits,
and the warnings for side effects whose tolerance is crossed.

Nothing here judges or recomputes a path: the milestones and target versions come from
:mod:`impact.engine.path` (the one definition of the expected path), whether a tolerance is crossed
from the evaluation's ``tolerance_status`` (``crossed`` / ``within`` / ``no_data``). This module
only turns them into plotly traces and sentences in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pandas as pd

from impact.apps.explorer.data import Frames
from impact.apps.explorer.styles import unit_label
from impact.core.catalog import Catalog, Target
from impact.core.i18n import format_date, format_number, is_missing, texts
from impact.reports.naming import QUALITY, REVIEW_STATES

__all__ = ["WARNING_COLOUR", "change_marks", "milestone_trace", "review_hover", "tolerance_trace",
           "tolerance_warnings"]

WARNING_COLOUR = "#D55E00"  # Okabe–Ito vermillion: the tolerance line and the warning's border


def _esc(text: str) -> str:
    return html.escape(str(text)).replace("%{", "%\u200b{")


def _inside(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def _term(term: str | None, lang: str) -> str:
    _ = texts(lang)
    names = {"short": _("short term"), "medium": _("medium term"), "long": _("long term")}
    return names.get(term or "", "")


def milestone_trace(target: Target, as_of: dt.date, start: dt.date | None, end: dt.date | None, colour: str,
                    axis: str, name: str, lang: str) -> dict[str, Any] | None:
    """Open diamonds on the milestones of the target version valid on ``as_of`` inside the range."""
    from impact.engine.path import version_at

    _ = texts(lang)
    steps = [m for m in getattr(version_at(target, as_of), "milestones", ()) if _inside(m.date, start, end)]
    if not steps:
        return None
    label = _("Milestone")
    text = [f"{format_date(m.date, lang)}" + (f" ({_term(m.term, lang)})" if _term(m.term, lang) else "")
            for m in steps]
    return {"type": "scatter", "visible": True, "mode": "markers", "name": _("Milestones: {name}", name=name),
            "showlegend": False, "xaxis": "x", "yaxis": axis, "x": [m.date.isoformat() for m in steps],
            "y": [float(m.value) for m in steps], "text": text,
            "marker": {"symbol": "diamond-open", "size": 11, "color": colour, "line": {"width": 2}},
            "hovertemplate": f"<b>{_esc(label)}</b>: {_esc(name)}<br>%{{text}}: %{{y}}<extra></extra>"}


def change_marks(target: Target, start: dt.date | None, end: dt.date | None, colour: str, axis: str,
                 name: str, lang: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A marker (with old and new target, reason and who decided in the hover) and a dotted
    vertical line for every change of the target inside the range."""
    from impact.engine.path import expected_value, target_changes

    _ = texts(lang)
    changes = [c for c in target_changes(target) if _inside(c.valid_from, start, end)]
    if not changes:
        return None, []
    text = []
    for c in changes:
        reason = c.reason.get(lang) if c.reason is not None and hasattr(c.reason, "get") else ""
        line = _("Target changed on {date}: {old} by {old_date} → {new} by {new_date}", date=format_date(c.valid_from, lang),
                 old=format_number(c.old, lang, 3), old_date=format_date(c.old_date, lang),
                 new=format_number(c.new, lang, 3), new_date=format_date(c.new_date, lang))
        parts = [_esc(line)]
        if reason:
            parts.append(_esc(_("Reason: {reason}", reason=reason)))
        if c.decided_by:
            parts.append(_esc(_("Decided by: {who}", who=c.decided_by)))
        text.append("<br>".join(parts))
    trace = {"type": "scatter", "visible": True, "mode": "markers", "name": _("Target changes: {name}", name=name),
             "showlegend": False, "xaxis": "x", "yaxis": axis, "x": [c.valid_from.isoformat() for c in changes],
             "y": [float(expected_value(target, c.valid_from)) for c in changes], "text": text,
             "marker": {"symbol": "star", "size": 13, "color": colour, "line": {"width": 1, "color": "#000000"}},
             "hovertemplate": f"<b>{_esc(name)}</b><br>%{{text}}<extra></extra>"}
    shapes = [{"type": "line", "xref": "x", "yref": f"{axis} domain", "x0": c.valid_from.isoformat(),
               "x1": c.valid_from.isoformat(), "y0": 0, "y1": 1, "layer": "below",
               "line": {"color": colour, "width": 1, "dash": "dot"}} for c in changes]
    return trace, shapes


def tolerance_trace(target: Target, direction: str, start: dt.date | None, end: dt.date | None, axis: str,
                    name: str, lang: str) -> dict[str, Any] | None:
    """The tolerance limit of a side effect as a dotted line from the day it applies."""
    tol = getattr(target, "tolerance", None)
    if tol is None:
        return None
    _ = texts(lang)
    first = max(tol.date, start) if start is not None else tol.date
    last = min(target.target_date, end) if end is not None else target.target_date
    if last < first:
        return None
    side = _("values above it are a warning") if direction == "lower_is_better" else _("values below it are a warning")
    hover = _("Tolerance limit from {date}", date=format_date(tol.date, lang))
    return {"type": "scatter", "visible": True, "mode": "lines", "name": _("Tolerance limit: {name}", name=name),
            "showlegend": False, "xaxis": "x", "yaxis": axis, "x": [first.isoformat(), last.isoformat()],
            "y": [float(tol.limit), float(tol.limit)], "line": {"color": WARNING_COLOUR, "width": 2, "dash": "dot"},
            "hovertemplate": f"<b>{_esc(hover)}</b>: %{{y}}<br>{_esc(name)}<br>{_esc(side)}<extra></extra>"}


def tolerance_warnings(catalog: Catalog, frames: Frames, projects: tuple[str, ...], lang: str) -> list[str]:
    """One sentence per side effect of the chosen projects whose latest value by the reference date
    crosses its tolerance (the evaluation's ``tolerance_status``)."""
    ind = frames.indicators
    if ind.empty or "tolerance_status" not in ind.columns:
        return []
    _ = texts(lang)
    crossed = ind[(ind["tolerance_status"] == "crossed") & ind["project_id"].isin(projects)]
    out = []
    for row in crossed.itertuples(index=False):
        indicator = catalog.indicators.get(row.indicator_id)
        project = catalog.projects.get(row.project_id)
        if indicator is None or project is None:
            continue
        target = indicator.targets.get(row.project_id)
        tol = getattr(target, "tolerance", None)
        unit = unit_label(catalog, row.indicator_id, lang)
        value = format_number(row.value, lang, 3) + (f" {unit}" if unit else "")
        limit = format_number(row.tolerance, lang, 3) + (f" {unit}" if unit else "")
        fields = {"project": project.name.get(lang), "indicator": indicator.name.get(lang), "value": value,
                  "period": row.period, "limit": limit, "date": format_date(tol.date if tol else None, lang)}
        sentence = (_("{project}: {indicator} is {value} in {period}, above the tolerance limit of {limit} "
                      "(valid from {date}).", **fields) if row.direction == "lower_is_better" else
                    _("{project}: {indicator} is {value} in {period}, below the tolerance limit of {limit} "
                      "(valid from {date}).", **fields))
        note = tol.note.get(lang) if tol is not None and tol.note is not None else ""
        out.append(f"{sentence} {note}".strip())
    return out


def review_hover(part: pd.DataFrame, lang: str) -> list[str]:
    """Per value the hover lines on its quality grade, review state and evidence ("" when none is known)."""
    _ = texts(lang)
    columns = [c for c in ("quality", "review_state", "evidence") if c in part.columns]
    if not columns:
        return [""] * len(part)
    labels = {"quality": _("Data quality"), "review_state": _("Review"), "evidence": _("Evidence")}
    out = []
    for values in zip(*(part[c].tolist() for c in columns), strict=True):
        lines = []
        for column, value in zip(columns, values, strict=True):
            if is_missing(value) or str(value) == "":
                continue
            shown = str(value)
            if column == "quality":
                shown = _(QUALITY[shown]) if shown in QUALITY else shown
            elif column == "review_state":
                shown = _(REVIEW_STATES[shown]) if shown in REVIEW_STATES else shown
            else:
                shown = shown if len(shown) <= 48 else shown[:47] + "…"
            lines.append(f"{labels[column]}: {shown}")
        out.append("".join("<br>" + html.escape(line) for line in lines))
    return out
