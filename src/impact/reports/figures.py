"""Plotly figures for the reports: colour-blind-safe, titled, each with a text alternative.

Every builder returns a :class:`Chart`: the figure, its title and a small table with the same
numbers (shown beside the chart as its text alternative). Colours come from the Okabe–Ito
palette; status colours are paired with labels and marker shapes, never colour alone.
Figures carry a minimal template so the notebook JSON stays small. Submitted free text
(notes) is never put into figures: plotly renders some HTML in labels.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from impact.core.catalog import Indicator
from impact.engine.path import expected_value as trajectory_value
from impact.engine.path import path_points

__all__ = [
    "OKABE_ITO",
    "PLOTLY_MIME",
    "STATUS_COLOURS",
    "Chart",
    "completeness_chart",
    "cross_project_series",
    "indicator_series",
    "ladder_chart",
    "matrix_heatmap",
    "project_comparison",
    "score_bars",
    "shared_indicator_chart",
    "trajectory_value",
]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with all common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00", "no_data": "#999999"}

_T = {  # the few chart words (German, English); report_text has the full label set
    "value": ("Wert", "Value"), "trajectory": ("Zielpfad", "Target trajectory"),
    "forecast": ("Prognose", "Forecast"), "band": ("Zielkorridor", "Target band"),
    "period": ("Zeitraum", "Period"), "date": ("Datum", "Date"), "baseline": ("Ausgangswert", "Baseline"),
    "target": ("Zielwert", "Target"), "score": ("Punktzahl (%)", "Score (%)"),
    "coverage": ("Abdeckung (%)", "Coverage (%)"), "name": ("Bereich", "Area"),
    "with_data": ("Indikatoren mit Daten", "Indicators with data"), "n": ("Indikatoren", "Indicators"),
    "level": ("Ebene", "Level"), "mean_progress": ("Mittlerer Fortschritt (%)", "Mean progress (%)"),
    "share": ("Anteil erhalten (%)", "Share received (%)"), "expected": ("erwartet", "expected"),
    "received": ("erhalten", "received"), "overdue": ("überfällig", "overdue"),
    "indicator": ("Indikator", "Indicator"), "project": ("Projekt", "Project"),
    "progress": ("Fortschritt (%)", "Progress (%)"), "no_data": ("keine Daten", "no data"),
    "kind": ("Art", "Kind"), "low": ("unten", "low"), "high": ("oben", "high"),
    "output": ("Output", "Output"), "outcome": ("Outcome", "Outcome"), "impact": ("Impact", "Impact"),
    "none": ("keine", "none"), "avg": ("Ø Fortschritt", "mean progress"),
    "nothing_due": ("noch nichts fällig", "nothing due yet"),
    "no_indicators": ("keine Indikatoren", "no indicators"),
}


# Charts with names on an axis: a small fixed margin, grown by the axes' automargin to fit the labels.
_LABEL_MARGIN = {"l": 20, "r": 20, "t": 60, "b": 40}


def _t(key: str, lang: str) -> str:
    de, en = _T[key]
    return en if lang == "en" else de


@dataclass(frozen=True)
class Chart:
    """A figure with its title and a text alternative (a table with the same numbers)."""

    figure: go.Figure
    title: str
    table: pd.DataFrame


def _base_layout(title: str, height: int = 380, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13, "color": "#222"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": OKABE_ITO,
        "legend": {"orientation": "h", "y": -0.18},
        # automargin: plotly widens the margins until every tick label fits (long German names
        # such as "Evidenzinformiert und vorausschauend" are never cut off at the left edge)
        "xaxis": {"showgrid": True, "gridcolor": "#e5e5e5", "linecolor": "#888", "automargin": True},
        "yaxis": {"showgrid": True, "gridcolor": "#e5e5e5", "linecolor": "#888", "zerolinecolor": "#bbb",
                  "automargin": True},
        "template": "none",
    }
    layout.update(extra)
    return layout


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _fmt_num(x: Any, lang: str, digits: int = 2) -> str:
    """A number for chart text: German decimal comma, at most ``digits`` decimals; missing → ``–``."""
    v = _num(x)
    if v is None:
        return "–"
    text = f"{round(v, digits):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "de" else text


def _pct(x: Any) -> float | None:
    v = _num(x)
    return None if v is None else round(v * 100, 1)


def _day(x: Any) -> dt.date | None:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    if isinstance(x, pd.Timestamp | dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x)[:10])


def indicator_series(indicator: Indicator, project_id: str, series: pd.DataFrame, row: Any,
                     title: str, lang: str = "de") -> Chart:
    """One indicator of one project: values over time, the target trajectory, band and forecast.

    ``series`` holds the project's current total values (``period``, ``period_start``,
    ``value``); ``row`` is the project's row of ``Evaluation.indicators`` (or ``None``).
    """
    s = series.sort_values("period_start")
    days = [_day(d) for d in s["period_start"]]
    values = [_num(v) for v in s["value"]]
    fig = go.Figure(layout=_base_layout(title))
    target = indicator.targets.get(project_id)
    table_rows: list[tuple[Any, ...]] = []
    if target is not None:
        path = path_points(target)  # the one expected path (impact.engine.path)
        fig.add_trace(go.Scatter(
            x=[d for d, _ in path], y=[v for _, v in path],
            mode="lines+markers", name=_t("trajectory", lang),
            line={"color": OKABE_ITO[1], "dash": "dash", "width": 2}, marker={"symbol": "square", "size": 8}))
        if target.band is not None:
            low, high = target.band
            fig.add_hrect(y0=low, y1=high, fillcolor=OKABE_ITO[2], opacity=0.12, line_width=0)
            fig.add_trace(go.Scatter(x=[target.baseline_date, target.target_date], y=[low, low], mode="lines",
                                     name=_t("band", lang), line={"color": OKABE_ITO[2], "dash": "dot", "width": 1}))
            fig.add_trace(go.Scatter(x=[target.baseline_date, target.target_date], y=[high, high], mode="lines",
                                     showlegend=False, line={"color": OKABE_ITO[2], "dash": "dot", "width": 1}))
        table_rows.append((_t("baseline", lang), target.baseline_date.isoformat(), target.baseline, target.baseline))
    fig.add_trace(go.Scatter(
        x=days, y=values, mode="lines+markers", name=_t("value", lang),
        line={"color": OKABE_ITO[0], "width": 3}, marker={"symbol": "circle", "size": 8},
        text=list(s["period"]), hovertemplate="%{text}: %{y}<extra></extra>"))
    for period, day, value in zip(s["period"], days, values, strict=True):
        expected = round(trajectory_value(target, day), 3) if target is not None and day else None
        table_rows.append((str(period), day.isoformat() if day else "", value, expected))
    forecast = _num(row["forecast"]) if row is not None and "forecast" in row else None
    if target is not None and forecast is not None:
        f_low, f_high = _num(row.get("forecast_low")), _num(row.get("forecast_high"))
        error = None
        if f_low is not None and f_high is not None:
            error = {"type": "data", "symmetric": False, "array": [max(f_high - forecast, 0)],
                     "arrayminus": [max(forecast - f_low, 0)], "color": OKABE_ITO[3]}
        if days and values:
            fig.add_trace(go.Scatter(x=[days[-1], target.target_date], y=[values[-1], forecast], mode="lines",
                                     showlegend=False, line={"color": OKABE_ITO[3], "dash": "dot", "width": 1}))
        fig.add_trace(go.Scatter(x=[target.target_date], y=[forecast], mode="markers", name=_t("forecast", lang),
                                 marker={"symbol": "diamond", "size": 11, "color": OKABE_ITO[3]}, error_y=error))
        table_rows.append((_t("forecast", lang), target.target_date.isoformat(), round(forecast, 3),
                           target.target))
    elif target is not None:
        table_rows.append((_t("target", lang), target.target_date.isoformat(), None, target.target))
    fig.update_yaxes(title_text=_t("value", lang))
    table = pd.DataFrame(table_rows, columns=[_t("period", lang), _t("date", lang), _t("value", lang),
                                              _t("trajectory", lang)])
    return Chart(fig, title, table)


def score_bars(rows: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Horizontal bars of score (0–100 %) per area, coverage written beside each bar.

    ``rows``: ``label``, ``score`` (0..1 or NaN), ``coverage`` (0..1), ``n_with_data``, ``n_indicators``.
    """
    labels = [str(x) for x in rows["label"]]
    scores = [_pct(x) for x in rows["score"]]
    coverage = [_pct(x) for x in rows["coverage"]]
    counts = [int(n) for n in rows["n_indicators"]]
    # no score: either no indicator of the area has a current value, or the area has no indicator here
    text = [(_t("no_indicators", lang) if n == 0 else _t("no_data", lang)) if s is None
            else f"{s:.0f} % · {_t('coverage', lang).split(' ')[0]} {c or 0:.0f} %"
            for s, c, n in zip(scores, coverage, counts, strict=True)]
    fig = go.Figure(layout=_base_layout(title, height=max(220, 60 + 36 * len(labels)),
                                        margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=labels, x=[s if s is not None else 0 for s in scores], orientation="h",
                         marker={"color": OKABE_ITO[0]}, text=text, textposition="outside", cliponaxis=False,
                         name=_t("score", lang), hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_xaxes(range=[0, 125], title_text=_t("score", lang))
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({
        _t("name", lang): labels, _t("score", lang): scores, _t("coverage", lang): coverage,
        _t("with_data", lang): [int(x) for x in rows["n_with_data"]], _t("n", lang): [int(x) for x in rows["n_indicators"]],
    })
    return Chart(fig, title, table)


def ladder_chart(ladder: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Indicators (and those with data) per level of the impact ladder, with mean progress."""
    levels = ["output", "outcome", "impact"]
    lad = ladder.set_index("level") if len(ladder) else pd.DataFrame(columns=["n_indicators", "n_with_data", "mean_progress"])
    names = [_t(lv, lang) for lv in levels]
    n = [int(lad.loc[lv, "n_indicators"]) if lv in lad.index else 0 for lv in levels]
    with_data = [int(lad.loc[lv, "n_with_data"]) if lv in lad.index else 0 for lv in levels]
    mean = [_pct(lad.loc[lv, "mean_progress"]) if lv in lad.index else None for lv in levels]
    fig = go.Figure(layout=_base_layout(title, height=340))
    fig.add_trace(go.Bar(x=names, y=n, name=_t("n", lang), marker={"color": OKABE_ITO[4]}, text=n,
                         textposition="outside", cliponaxis=False))
    # the mean progress of each level is written on its "with data" bar (and is in the table)
    progress_text = [f"{w} · {_t('avg', lang)} {_fmt_num(m, lang, 0)} %" if m is not None else f"{w}"
                     for w, m in zip(with_data, mean, strict=True)]
    fig.add_trace(go.Bar(x=names, y=with_data, name=f"{_t('with_data', lang)} ({_t('avg', lang)})",
                         marker={"color": OKABE_ITO[0], "pattern": {"shape": "/"}}, text=progress_text,
                         textposition="outside", cliponaxis=False))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=_t("n", lang), rangemode="tozero")
    table = pd.DataFrame({_t("level", lang): names, _t("n", lang): n, _t("with_data", lang): with_data,
                          _t("mean_progress", lang): mean})
    return Chart(fig, title, table)


def completeness_chart(completeness: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Share of expected submissions received per indicator; overdue periods in the table.

    ``completeness``: ``label`` (indicator name), ``expected``, ``received``, ``share``, ``overdue``.
    """
    labels = [str(x) for x in completeness["label"]]
    share = [_pct(x) for x in completeness["share"]]
    overdue = [", ".join(str(p) for p in o) if isinstance(o, list | tuple) or hasattr(o, "tolist") else ""
               for o in completeness["overdue"]]
    overdue = [o or _t("none", lang) for o in overdue]
    colours = [STATUS_COLOURS["no_data"] if s is None else STATUS_COLOURS["on_track"] if s >= 99.5
               else STATUS_COLOURS["at_risk"] if s >= 50 else STATUS_COLOURS["off_track"] for s in share]
    fig = go.Figure(layout=_base_layout(title, height=max(220, 60 + 32 * len(labels)),
                                        margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=labels, x=[s or 0 for s in share], orientation="h", marker={"color": colours},
                         text=[_t("nothing_due", lang) if s is None else f"{s:.0f} %" for s in share],
                         textposition="outside", cliponaxis=False,
                         name=_t("share", lang), hovertemplate="%{y}: %{x:.0f} %<extra></extra>"))
    fig.update_xaxes(range=[0, 115], title_text=_t("share", lang))
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({_t("indicator", lang): labels,
                          _t("expected", lang): [int(x) for x in completeness["expected"]],
                          _t("received", lang): [int(x) for x in completeness["received"]],
                          _t("share", lang): share, _t("overdue", lang): overdue})
    return Chart(fig, title, table)


def matrix_heatmap(matrix: pd.DataFrame, row_names: dict[str, str], col_names: dict[str, str], title: str,
                   lang: str = "de") -> Chart:
    """A project × area matrix of scores (0..1) as a heatmap (cividis, colour-blind-safe)."""
    rows = [r for r in row_names if r in matrix.index] or list(matrix.index)
    cols = [c for c in col_names if c in matrix.columns] or list(matrix.columns)
    z = [[_pct(matrix.loc[r, c]) if r in matrix.index and c in matrix.columns else None for c in cols] for r in rows]
    text = [["–" if v is None else f"{v:.0f}" for v in row] for row in z]
    fig = go.Figure(layout=_base_layout(title, height=220 + 48 * len(rows),
                                        margin={**_LABEL_MARGIN, "b": 60}))
    fig.add_trace(go.Heatmap(z=z, x=[col_names.get(c, c) for c in cols], y=[row_names.get(r, r) for r in rows],
                             zmin=0, zmax=100, colorscale="Cividis", text=text, texttemplate="%{text}",
                             colorbar={"title": {"text": _t("score", lang)}}, hoverongaps=False))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-30)
    table = pd.DataFrame(text, columns=[col_names.get(c, c) for c in cols])
    table.insert(0, _t("project", lang), [row_names.get(r, r) for r in rows])
    return Chart(fig, title, table)


def project_comparison(scores: pd.DataFrame, group_type: str, group_names: dict[str, str],
                       project_names: dict[str, str], title: str, lang: str = "de") -> Chart:
    """Grouped bars: score per area (x) for each project (one colour and pattern per project)."""
    s = scores[scores["group_type"] == group_type]
    patterns = ["", "/", ".", "x", "-", "|", "+", "\\"]
    fig = go.Figure(layout=_base_layout(title, height=420))
    table_rows = []
    for n, (pid, pname) in enumerate(project_names.items()):
        ps = s[s["scope"] == pid].set_index("group_id")
        ys = [_pct(ps.loc[g, "score"]) if g in ps.index else None for g in group_names]
        fig.add_trace(go.Bar(x=list(group_names.values()), y=ys, name=pname,
                             marker={"color": OKABE_ITO[n % len(OKABE_ITO)],
                                     "pattern": {"shape": patterns[n % len(patterns)]}}))
        table_rows.append([pname, *ys])
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100], title_text=_t("score", lang))
    table = pd.DataFrame(table_rows, columns=[_t("project", lang), *group_names.values()])
    return Chart(fig, title, table)


def shared_indicator_chart(rows: pd.DataFrame, project_names: dict[str, str], title: str,
                           lang: str = "de") -> Chart:
    """One shared indicator: progress (bars) and current value (text) per project."""
    names = [project_names.get(p, p) for p in rows["project_id"]]
    progress = [_pct(x) for x in rows["progress"]] if "progress" in rows else [None] * len(names)
    values = [_num(x) for x in rows["value"]] if "value" in rows else [None] * len(names)
    fig = go.Figure(layout=_base_layout(title, height=max(220, 80 + 40 * len(names)),
                                        margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=names, x=[p or 0 for p in progress], orientation="h", marker={"color": OKABE_ITO[2]},
                         text=[_fmt_num(v, lang) for v in values], textposition="outside",
                         cliponaxis=False, name=_t("progress", lang)))
    fig.update_xaxes(title_text=_t("progress", lang))
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({_t("project", lang): names, _t("value", lang): values, _t("progress", lang): progress})
    return Chart(fig, title, table)


def cross_project_series(series: pd.DataFrame, project_names: dict[str, str], title: str,
                         lang: str = "de") -> Chart:
    """One indicator's values over time, one line (colour and marker) per project."""
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]
    fig = go.Figure(layout=_base_layout(title))
    table_rows: list[tuple[str, str, float | None]] = []
    for n, (pid, pname) in enumerate(project_names.items()):
        s = series[series["project_id"] == pid].sort_values("period_start")
        if s.empty:
            continue
        days = [_day(d) for d in s["period_start"]]
        values = [_num(v) for v in s["value"]]
        fig.add_trace(go.Scatter(x=days, y=values, mode="lines+markers", name=pname,
                                 line={"color": OKABE_ITO[n % len(OKABE_ITO)]},
                                 marker={"symbol": symbols[n % len(symbols)], "size": 8}))
        table_rows.extend((pname, str(p), v) for p, v in zip(s["period"], values, strict=True))
    fig.update_yaxes(title_text=_t("value", lang))
    table = pd.DataFrame(table_rows, columns=[_t("project", lang), _t("period", lang), _t("value", lang)])
    return Chart(fig, title, table)
