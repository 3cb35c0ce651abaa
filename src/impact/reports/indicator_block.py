"""One indicator of one project in a report: the facts line, its chart, and its breakdown table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from impact.core.i18n import MISSING, format_date, format_number, format_percent, is_missing, texts
from impact.engine.story import status_sentence
from impact.reports import markup
from impact.reports.naming import STATUSES, indicator_name, word
from impact.reports.review_marks import latest_value_line, values_table
from impact.reports.series_figures import indicator_series

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from impact.reports.context import ReportContext

__all__ = ["facts_html", "indicator_block", "indicator_row", "status_text"]


def indicator_row(ctx: ReportContext, project_id: str, indicator_id: str) -> pd.Series | None:
    """The project's row of ``Evaluation.indicators`` for the indicator, or ``None``."""
    ind = ctx.evaluation.indicators
    rows = ind[(ind["project_id"] == project_id) & (ind["indicator_id"] == indicator_id)]
    return rows.iloc[0] if len(rows) else None


def _get(row: Any, key: str) -> Any:
    return None if row is None else row.get(key)


def status_text(row: Any, lang: str) -> str:
    """The engine's status sentence: where the indicator stands and where its pace leads."""
    if row is None:
        return word(STATUSES, "no_data", lang)
    return status_sentence(row, lang)


def _forecast_text(row: Any, lang: str) -> str:
    """The forecast at the target date with its range, or why there is none."""
    _ = texts(lang)
    if row is None or is_missing(row.get("value")):
        return MISSING
    if row.get("trend_note") == "too_short" or is_missing(row.get("forecast")):
        return _("too few values for a trend")
    text = format_number(row["forecast"], lang, 2)
    low, high = row.get("forecast_low"), row.get("forecast_high")
    if not is_missing(low) and not is_missing(high):
        text = _("{forecast} (forecast range {low}–{high})", forecast=text, low=format_number(low, lang, 2),
                 high=format_number(high, lang, 2))
    return text


def facts_html(ctx: ReportContext, project_id: str, indicator_id: str, row: Any) -> str:
    """Status, value, baseline, target, progress, forecast of one indicator, as one line."""
    lang = ctx.lang
    _ = texts(lang)
    target = ctx.catalog.indicators[indicator_id].targets.get(project_id)
    star = "*" if target is not None and target.illustrative else ""
    value = _get(row, "value")
    period = _get(row, "period")
    facts = [
        (_("Status"), status_text(row, lang)),
        (_("Value"), MISSING if is_missing(value) else
         _("{value} ({period})", value=format_number(value, lang, 2), period=MISSING if is_missing(period) else period)),
        (_("Baseline") + star, format_number(target.baseline if target else None, lang, 2)),
        (_("Target") + star, _("{value} ({date})", value=format_number(target.target if target else None, lang, 2),
                               date=format_date(target.target_date if target else None, lang))),
        (_("Progress"), format_percent(_get(row, "progress"), lang)),
        (_("Expected progress"), format_percent(_get(row, "expected_progress"), lang)),
        (_("Forecast"), _forecast_text(row, lang)),
    ]
    changed = _get(row, "target_changed")
    if not is_missing(changed) and bool(changed):
        facts.append((_("Original target"), _("{target} · progress {progress}",
                                              target=format_number(_get(row, "target_original"), lang, 2),
                                              progress=format_percent(_get(row, "progress_original"), lang))))
    line = " · ".join(markup.labelled(k, v) for k, v in facts)
    unlikely = _get(row, "target_unlikely")
    if not is_missing(unlikely) and bool(unlikely):
        warning = _("Target unlikely to be reached")
        line += f' · <strong class="impact-warn">⚠ {markup.esc(warning)}</strong>'
    return f'<p class="impact-meta">{line}</p>'


def _breakdown_table(ctx: ReportContext, project_id: str, indicator_id: str) -> str:
    """The latest period's breakdown values (e.g. by district or rarely heard groups), if any."""
    b = getattr(ctx.evaluation, "breakdowns", None)
    if b is None or len(b) == 0:
        return ""
    b = b[(b["project_id"] == project_id) & (b["indicator_id"] == indicator_id)]
    if b.empty:
        return ""
    latest = b[b["period_start"] == b["period_start"].max()]
    lang = ctx.lang
    _ = texts(lang)
    rows = []
    for _i, x in latest.iterrows():
        dim = ctx.catalog.breakdowns.get(x["breakdown"])
        value_name = dim.values.get(x["breakdown_value"]) if dim is not None else None
        rows.append((dim.name.get(lang) if dim is not None else x["breakdown"],
                     value_name.get(lang) if value_name is not None else x["breakdown_value"],
                     format_number(x["value"], lang, 2)))
    caption = _("Breakdown ({period})", period=latest["period"].iloc[0])
    return markup.table_html(rows, [_("Breakdown"), _("Group"), _("Value")], caption=caption, numeric=[2])


def indicator_block(ctx: ReportContext, project_id: str, indicator_id: str) -> None:
    """Heading, facts line, chart (with its table) and breakdown table of one indicator."""
    row = indicator_row(ctx, project_id, indicator_id)
    name = indicator_name(ctx, indicator_id)
    series = ctx.evaluation.series
    s = series[(series["project_id"] == project_id) & (series["indicator_id"] == indicator_id)]
    markup.show(markup.heading(3, name) + facts_html(ctx, project_id, indicator_id, row)
                + latest_value_line(ctx, indicator_id, s))
    _ = texts(ctx.lang)
    title = _("Values, expected path and forecast: {indicator}", indicator=name)
    markup.show_chart(indicator_series(ctx.catalog.indicators[indicator_id], project_id, s, row, title, ctx.lang),
                      ctx.lang)
    reviewed = values_table(ctx, project_id, indicator_id, s)
    if reviewed:
        markup.show(reviewed)
    breakdowns = _breakdown_table(ctx, project_id, indicator_id)
    if breakdowns:
        markup.show(breakdowns)
