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
from impact.engine.path import path_points
from impact.reports.figures import OKABE_ITO, Chart, base_layout, num

__all__ = ["cross_project_series", "date_axis", "day", "indicator_series", "trajectory_value"]

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


def indicator_series(indicator: Indicator, project_id: str, series: pd.DataFrame, row: Any,
                     title: str, lang: str = "de") -> Chart:
    """One indicator of one project: values over time, the expected path, band and forecast.

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
        path = path_points(target)  # the one expected path (impact.engine.path)
        fig.add_trace(go.Scatter(
            x=[d for d, _v in path], y=[v for _d, v in path],
            mode="lines+markers", name=path_name,
            line={"color": OKABE_ITO[1], "dash": "dash", "width": 2}, marker={"symbol": "square", "size": 8}))
        if target.band is not None:
            low, high = target.band
            fig.add_hrect(y0=low, y1=high, fillcolor=OKABE_ITO[2], opacity=0.12, line_width=0)
            fig.add_trace(go.Scatter(x=[target.baseline_date, target.target_date], y=[low, low], mode="lines",
                                     name=_("Target band"), line={"color": OKABE_ITO[2], "dash": "dot", "width": 1}))
            fig.add_trace(go.Scatter(x=[target.baseline_date, target.target_date], y=[high, high], mode="lines",
                                     showlegend=False, line={"color": OKABE_ITO[2], "dash": "dot", "width": 1}))
        table_rows.append((_("Baseline"), target.baseline_date, target.baseline, target.baseline))
    fig.add_trace(go.Scatter(
        x=days, y=values, mode="lines+markers", name=value_name,
        line={"color": OKABE_ITO[0], "width": 3}, marker={"symbol": "circle", "size": 8},
        text=list(s["period"]), hovertemplate="%{text}: %{y}<extra></extra>"))
    for period, when, value in zip(s["period"], days, values, strict=True):
        expected = round(trajectory_value(target, when), 3) if target is not None and when else None
        table_rows.append((str(period), when, value, expected))
    forecast = num(row["forecast"]) if row is not None and "forecast" in row else None
    if target is not None and forecast is not None:
        f_low, f_high = num(row.get("forecast_low")), num(row.get("forecast_high"))
        error = None
        if f_low is not None and f_high is not None:
            error = {"type": "data", "symmetric": False, "array": [max(f_high - forecast, 0)],
                     "arrayminus": [max(forecast - f_low, 0)], "color": OKABE_ITO[3]}
        if days and values:
            fig.add_trace(go.Scatter(x=[days[-1], target.target_date], y=[values[-1], forecast], mode="lines",
                                     showlegend=False, line={"color": OKABE_ITO[3], "dash": "dot", "width": 1}))
        fig.add_trace(go.Scatter(x=[target.target_date], y=[forecast], mode="markers", name=_("Forecast"),
                                 marker={"symbol": "diamond", "size": 11, "color": OKABE_ITO[3]}, error_y=error))
        table_rows.append((_("Forecast"), target.target_date, round(forecast, 3), target.target))
    elif target is not None:
        table_rows.append((_("Target"), target.target_date, None, target.target))
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
