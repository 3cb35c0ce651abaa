"""Series over time: one indicator against its expected path and forecast, one indicator across
projects. Shared layout and palette come from :mod:`impact.reports.figures`; the expected path is
the engine's (:mod:`impact.engine.path`), so chart, table and status judge the same line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from impact.core.catalog import Indicator
from impact.core.i18n import texts
from impact.engine.path import expected_value as trajectory_value
from impact.engine.path import path_points, target_changes
from impact.reports.figures import OKABE_ITO, Chart, base_layout, num

__all__ = ["cross_project_series", "date_axis", "day", "indicator_series", "pair_series", "trajectory_value"]

_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]


def day(x: Any) -> dt.date | None:
    """A date from a date, timestamp or ISO text; ``None`` when missing."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    if isinstance(x, pd.Timestamp | dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x)[:10])


def date_axis(fig: go.Figure, lang: str) -> None:
    """Date ticks written with numbers only (plotly.js would write English month names)."""
    _ = texts(lang)
    fig.update_xaxes(tickformat=_.pgettext("chart date axis (d3 time format)", "%m/%Y"))


def _has_target(target: Any) -> bool:
    return target is not None and getattr(target, "target", None) is not None


def _path(fig: go.Figure, target: Any, lang: str, rows: list[tuple[Any, ...]]) -> None:
    """The expected path (baseline → milestones → target), its milestones and target band."""
    _ = texts(lang)
    path = path_points(target)  # the one expected path (impact.engine.path)
    fig.add_trace(go.Scatter(x=[d for d, _v in path], y=[v for _d, v in path], mode="lines+markers",
                             name=_("Expected path"), line={"color": OKABE_ITO[1], "dash": "dash", "width": 2},
                             marker={"symbol": "square", "size": 8}))
    milestones = [m for m in getattr(target, "milestones", ()) or ()
                  if target.baseline_date < m.date < target.target_date]
    if milestones:
        name = _("Milestone")
        fig.add_trace(go.Scatter(x=[m.date for m in milestones], y=[m.value for m in milestones], mode="markers",
                                 name=name, marker={"symbol": "star", "size": 13, "color": OKABE_ITO[1]},
                                 hovertemplate=f"{name}: %{{y}}<extra></extra>"))
        rows.extend((name, m.date, None, m.value) for m in milestones)
    if target.band is not None:
        low, high = target.band
        fig.add_hrect(y0=low, y1=high, fillcolor=OKABE_ITO[2], opacity=0.12, line_width=0)
        for edge, legend in ((low, True), (high, False)):
            fig.add_trace(go.Scatter(x=[target.baseline_date, target.target_date], y=[edge, edge], mode="lines",
                                     name=_("Target band"), showlegend=legend,
                                     line={"color": OKABE_ITO[2], "dash": "dot", "width": 1}))


def _changes(fig: go.Figure, target: Any, lang: str, rows: list[tuple[Any, ...]]) -> None:
    """Each change of the target: a dotted line where it took effect, the earlier path drawn thin."""
    _ = texts(lang)
    earlier = _("Expected path before the change")
    for n, change in enumerate(target_changes(target)):
        before = path_points(target, day=change.valid_from - dt.timedelta(days=1))
        fig.add_trace(go.Scatter(x=[d for d, _v in before], y=[v for _d, v in before], mode="lines",
                                 name=earlier, showlegend=n == 0, line={"color": "#999999", "dash": "dot", "width": 1}))
        fig.add_shape(type="line", x0=change.valid_from, x1=change.valid_from, y0=0, y1=1, yref="paper",
                      line={"color": "#555555", "dash": "dot", "width": 1})
        label = _("Target changed")
        fig.add_annotation(x=change.valid_from, y=1, yref="paper", yanchor="bottom", showarrow=False, text=label,
                           font={"size": 11, "color": "#555555"})
        rows.append((label, change.valid_from, None, change.new))


def _tolerance(fig: go.Figure, target: Any, end: dt.date | None, lang: str, rows: list[tuple[Any, ...]]) -> None:
    """The tolerance limit of a side effect, from the date it applies."""
    tolerance = getattr(target, "tolerance", None)
    if tolerance is None:
        return
    _ = texts(lang)
    name = _("Tolerance limit")
    stop = max(d for d in (tolerance.date, target.target_date, end) if d is not None)
    fig.add_trace(go.Scatter(x=[tolerance.date, stop], y=[tolerance.limit, tolerance.limit], mode="lines", name=name,
                             line={"color": OKABE_ITO[5], "dash": "dashdot", "width": 2}))
    rows.append((name, tolerance.date, tolerance.limit, None))


def _forecast(fig: go.Figure, target: Any, row: Any, last: tuple[dt.date, float] | None, lang: str,
              rows: list[tuple[Any, ...]]) -> None:
    _ = texts(lang)
    forecast = num(row["forecast"]) if row is not None and "forecast" in row else None
    if forecast is None:
        if _has_target(target):
            rows.append((_("Target"), target.target_date, None, target.target))
        return
    f_low, f_high = num(row.get("forecast_low")), num(row.get("forecast_high"))
    error = None
    if f_low is not None and f_high is not None:
        error = {"type": "data", "symmetric": False, "array": [max(f_high - forecast, 0)],
                 "arrayminus": [max(forecast - f_low, 0)], "color": OKABE_ITO[3]}
    if last is not None:
        fig.add_trace(go.Scatter(x=[last[0], target.target_date], y=[last[1], forecast], mode="lines",
                                 showlegend=False, line={"color": OKABE_ITO[3], "dash": "dot", "width": 1}))
    fig.add_trace(go.Scatter(x=[target.target_date], y=[forecast], mode="markers", name=_("Forecast"),
                             marker={"symbol": "diamond", "size": 11, "color": OKABE_ITO[3]}, error_y=error))
    rows.append((_("Forecast"), target.target_date, round(forecast, 3), target.target))


def indicator_series(indicator: Indicator, project_id: str, series: pd.DataFrame, row: Any,
                     title: str, lang: str = "de") -> Chart:
    """One indicator of one project: values over time, the expected path with its milestones,
    band, earlier targets and where they changed, the tolerance limit of a side effect, and the
    forecast.

    ``series`` holds the project's current total values (``period``, ``period_start``,
    ``value``); ``row`` is the project's row of ``Evaluation.indicators`` (or ``None``).
    """
    _ = texts(lang)
    s = series.sort_values("period_start")
    days = [day(d) for d in s["period_start"]]
    values = [num(v) for v in s["value"]]
    fig = go.Figure(layout=base_layout(title, lang))
    target = indicator.targets.get(project_id)
    path_name, value_name = _("Expected path"), _("Value")
    table_rows: list[tuple[Any, ...]] = []
    if target is not None:
        table_rows.append((_("Baseline"), target.baseline_date, target.baseline, target.baseline))
        if _has_target(target):
            _path(fig, target, lang, table_rows)
            _changes(fig, target, lang, table_rows)
        _tolerance(fig, target, days[-1] if days else None, lang, table_rows)
    fig.add_trace(go.Scatter(
        x=days, y=values, mode="lines+markers", name=value_name,
        line={"color": OKABE_ITO[0], "width": 3}, marker={"symbol": "circle", "size": 8},
        text=list(s["period"]), hovertemplate="%{text}: %{y}<extra></extra>"))
    for period, when, value in zip(s["period"], days, values, strict=True):
        expected = round(trajectory_value(target, when), 3) if _has_target(target) and when else None
        table_rows.append((str(period), when, value, expected))
    if target is not None:
        last_day, last_value = (days[-1], values[-1]) if days else (None, None)
        last = (last_day, last_value) if last_day is not None and last_value is not None else None
        _forecast(fig, target, row, last, lang, table_rows)
    fig.update_yaxes(title_text=value_name)
    date_axis(fig, lang)
    table = pd.DataFrame(table_rows, columns=[_("Period"), _("Date"), value_name, path_name])
    return Chart(fig, title, table)


def cross_project_series(series: pd.DataFrame, project_names: dict[str, str], title: str,
                         lang: str = "de") -> Chart:
    """One indicator's values over time, one line (colour and marker) per project."""
    _ = texts(lang)
    fig = go.Figure(layout=base_layout(title, lang))
    table_rows: list[tuple[str, str, float | None]] = []
    for n, (pid, pname) in enumerate(project_names.items()):
        s = series[series["project_id"] == pid].sort_values("period_start")
        if s.empty:
            continue
        days = [day(d) for d in s["period_start"]]
        values = [num(v) for v in s["value"]]
        fig.add_trace(go.Scatter(x=days, y=values, mode="lines+markers", name=pname,
                                 line={"color": OKABE_ITO[n % len(OKABE_ITO)]},
                                 marker={"symbol": _SYMBOLS[n % len(_SYMBOLS)], "size": 8},
                                 text=list(s["period"]), hovertemplate="%{text}: %{y}"))
        table_rows.extend((pname, str(p), v) for p, v in zip(s["period"], values, strict=True))
    fig.update_yaxes(title_text=_("Value"))
    date_axis(fig, lang)
    table = pd.DataFrame(table_rows, columns=[_("Project"), _("Period"), _("Value")])
    return Chart(fig, title, table)


def pair_series(first: pd.DataFrame, second: pd.DataFrame, names: tuple[str, str], title: str,
                lang: str = "de") -> Chart:
    """A trade-off pair: the two indicators' series side by side (one panel each, own scales).

    ``first``/``second``: the project's current total values of each indicator (``period``,
    ``period_start``, ``value``); ``names``: their display names.
    """
    from plotly.subplots import make_subplots

    _ = texts(lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=list(names), horizontal_spacing=0.12)
    fig.update_layout(base_layout(title, lang, height=360))
    table = pd.DataFrame(columns=["period", "period_start"])
    for n, (frame, name, symbol) in enumerate(zip((first, second), names, ("circle", "square"), strict=True)):
        s = frame.sort_values("period_start")
        fig.add_trace(go.Scatter(x=[day(d) for d in s["period_start"]], y=[num(v) for v in s["value"]],
                                 mode="lines+markers", name=name, text=list(s["period"]),
                                 hovertemplate="%{text}: %{y}<extra></extra>",
                                 line={"color": OKABE_ITO[n * 5], "width": 3}, marker={"symbol": symbol, "size": 8}),
                      row=1, col=n + 1)
        part = s[["period", "period_start", "value"]].rename(columns={"value": name})
        table = part if table.empty else table.merge(part, on=["period", "period_start"], how="outer")
    date_axis(fig, lang)
    fig.update_layout(showlegend=False)
    table = table.sort_values("period_start").drop(columns="period_start").rename(columns={"period": _("Period")})
    return Chart(fig, title, table.reset_index(drop=True))
