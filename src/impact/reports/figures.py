"""Plotly figures for the reports: colour-blind-safe, titled, each with a text alternative.

Every builder returns a :class:`Chart`: the figure, its title and a small table with the same
numbers (shown beside the chart as its text alternative). Colours come from the Okabe–Ito
palette; status colours are paired with labels and marker shapes, never colour alone.
Figures carry a minimal template so the notebook JSON stays small. Submitted free text
(notes) is never put into figures: plotly renders some HTML in labels. Every word in a figure
comes from the translation catalogue; numbers use the language's separators.

This module holds the shared layout and the overview charts (scores, ladder, completeness,
matrices); series over time are in :mod:`impact.reports.series_figures`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from impact.core.i18n import format_number, format_percent, texts
from impact.reports.naming import LEVELS

__all__ = [
    "OKABE_ITO",
    "PLOTLY_MIME",
    "STATUS_COLOURS",
    "Chart",
    "base_layout",
    "completeness_chart",
    "ladder_chart",
    "matrix_heatmap",
    "num",
    "project_comparison",
    "score_bars",
    "shared_indicator_chart",
]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with all common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00", "no_data": "#999999"}

# Charts with names on an axis: a small fixed margin, grown by the axes' automargin to fit the labels.
_LABEL_MARGIN = {"l": 20, "r": 20, "t": 60, "b": 40}


@dataclass(frozen=True)
class Chart:
    """A figure with its title and a text alternative (a table with the same numbers)."""

    figure: go.Figure
    title: str
    table: pd.DataFrame


def separators(lang: str) -> str:
    """plotly's ``separators`` (decimal mark, then thousands mark) for ``lang``, from CLDR."""
    sample = format_number(1234.5, lang, 1)  # "1,234.5", "1.234,5", "1 234,5" …
    return sample[-2] + (sample[1] if len(sample) == 7 else "")


def base_layout(title: str, lang: str, height: int = 380, **extra: Any) -> dict[str, Any]:
    """The layout every report chart starts from: title, fonts, palette, the language's separators."""
    layout: dict[str, Any] = {
        "separators": separators(lang),
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


def num(x: Any) -> float | None:
    """``x`` as a finite float, or ``None``."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _pct(x: Any) -> float | None:
    v = num(x)
    return None if v is None else round(v * 100, 1)


def _percent_text(share_pct: float | None, lang: str) -> str:
    """A percentage (0–100 scale, as the charts keep it) written in the language's notation."""
    return format_percent(None if share_pct is None else share_pct / 100, lang)


def score_bars(rows: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Horizontal bars of score (0–100 %) per area, coverage written beside each bar.

    ``rows``: ``label``, ``score`` (0..1 or NaN), ``coverage`` (0..1), ``n_with_data``, ``n_indicators``.
    """
    _ = texts(lang)
    labels = [str(x) for x in rows["label"]]
    scores = [_pct(x) for x in rows["score"]]
    coverage = [_pct(x) for x in rows["coverage"]]
    counts = [int(n) for n in rows["n_indicators"]]
    # no score: either no indicator of the area has a current value, or the area has no indicator here
    text = [(_("no indicators") if n == 0 else _("no data")) if s is None
            else _("{score} · coverage {coverage}", score=_percent_text(s, lang), coverage=_percent_text(c or 0, lang))
            for s, c, n in zip(scores, coverage, counts, strict=True)]
    score_axis = _("Score (%)")
    fig = go.Figure(layout=base_layout(title, lang, height=max(220, 60 + 36 * len(labels)), margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=labels, x=[s if s is not None else 0 for s in scores], orientation="h",
                         marker={"color": OKABE_ITO[0]}, text=text, textposition="outside", cliponaxis=False,
                         name=score_axis, hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_xaxes(range=[0, 125], title_text=score_axis)
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({
        _("Area"): labels, score_axis: scores, _("Coverage (%)"): coverage,
        _("Indicators with data"): [int(x) for x in rows["n_with_data"]], _("Indicators"): counts,
    })
    return Chart(fig, title, table)


def ladder_chart(ladder: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Indicators (and those with data) per level of the impact ladder, with mean progress."""
    _ = texts(lang)
    levels = ["output", "outcome", "impact"]
    lad = ladder.set_index("level") if len(ladder) else pd.DataFrame(columns=["n_indicators", "n_with_data", "mean_progress"])
    names = [_(LEVELS[lv]) for lv in levels]
    n = [int(lad.loc[lv, "n_indicators"]) if lv in lad.index else 0 for lv in levels]
    with_data = [int(lad.loc[lv, "n_with_data"]) if lv in lad.index else 0 for lv in levels]
    mean = [_pct(lad.loc[lv, "mean_progress"]) if lv in lad.index else None for lv in levels]
    fig = go.Figure(layout=base_layout(title, lang, height=340))
    fig.add_trace(go.Bar(x=names, y=n, name=_("Indicators"), marker={"color": OKABE_ITO[4]}, text=n,
                         textposition="outside", cliponaxis=False))
    # the mean progress of each level is written on its "with data" bar (and is in the table)
    progress_text = [_("{n} · mean progress {progress}", n=w, progress=_percent_text(m, lang)) if m is not None
                     else str(w) for w, m in zip(with_data, mean, strict=True)]
    fig.add_trace(go.Bar(x=names, y=with_data, name=_("Indicators with data (mean progress)"),
                         marker={"color": OKABE_ITO[0], "pattern": {"shape": "/"}}, text=progress_text,
                         textposition="outside", cliponaxis=False))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=_("Indicators"), rangemode="tozero")
    table = pd.DataFrame({_("Level"): names, _("Indicators"): n, _("Indicators with data"): with_data,
                          _("Mean progress (%)"): mean})
    return Chart(fig, title, table)


def completeness_chart(completeness: pd.DataFrame, title: str, lang: str = "de") -> Chart:
    """Share of expected submissions received per indicator; overdue periods in the table.

    ``completeness``: ``label`` (indicator name), ``expected``, ``received``, ``share``, ``overdue``.
    """
    _ = texts(lang)
    labels = [str(x) for x in completeness["label"]]
    share = [_pct(x) for x in completeness["share"]]
    overdue = [", ".join(str(p) for p in o) if isinstance(o, list | tuple) or hasattr(o, "tolist") else ""
               for o in completeness["overdue"]]
    overdue = [o or _("none") for o in overdue]
    colours = [STATUS_COLOURS["no_data"] if s is None else STATUS_COLOURS["on_track"] if s >= 99.5
               else STATUS_COLOURS["at_risk"] if s >= 50 else STATUS_COLOURS["off_track"] for s in share]
    share_axis = _("Share received (%)")
    fig = go.Figure(layout=base_layout(title, lang, height=max(220, 60 + 32 * len(labels)), margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=labels, x=[s or 0 for s in share], orientation="h", marker={"color": colours},
                         text=[_("nothing due yet") if s is None else _percent_text(s, lang) for s in share],
                         textposition="outside", cliponaxis=False,
                         name=share_axis, hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_xaxes(range=[0, 115], title_text=share_axis)
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({_("Indicator"): labels,
                          _("expected"): [int(x) for x in completeness["expected"]],
                          _("received"): [int(x) for x in completeness["received"]],
                          share_axis: share, _("overdue"): overdue})
    return Chart(fig, title, table)


def matrix_heatmap(matrix: pd.DataFrame, row_names: dict[str, str], col_names: dict[str, str], title: str,
                   lang: str = "de") -> Chart:
    """A project × area matrix of scores (0..1) as a heatmap (cividis, colour-blind-safe)."""
    _ = texts(lang)
    rows = [r for r in row_names if r in matrix.index] or list(matrix.index)
    cols = [c for c in col_names if c in matrix.columns] or list(matrix.columns)
    z = [[_pct(matrix.loc[r, c]) if r in matrix.index and c in matrix.columns else None for c in cols] for r in rows]
    text = [["–" if v is None else format_number(v, lang, 0) for v in row] for row in z]
    fig = go.Figure(layout=base_layout(title, lang, height=220 + 48 * len(rows), margin={**_LABEL_MARGIN, "b": 60}))
    fig.add_trace(go.Heatmap(z=z, x=[col_names.get(c, c) for c in cols], y=[row_names.get(r, r) for r in rows],
                             zmin=0, zmax=100, colorscale="Cividis", text=text, texttemplate="%{text}",
                             colorbar={"title": {"text": _("Score (%)")}}, hoverongaps=False,
                             hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-30)
    table = pd.DataFrame(text, columns=[col_names.get(c, c) for c in cols])
    table.insert(0, _("Project"), [row_names.get(r, r) for r in rows])
    return Chart(fig, title, table)


_PATTERNS = ["", "/", ".", "x", "-", "|", "+", "\\"]


def project_comparison(scores: pd.DataFrame, group_type: str, group_names: dict[str, str],
                       project_names: dict[str, str], title: str, lang: str = "de") -> Chart:
    """Grouped bars: score per area (x) for each project (one colour and pattern per project)."""
    _ = texts(lang)
    s = scores[scores["group_type"] == group_type]
    fig = go.Figure(layout=base_layout(title, lang, height=420))
    table_rows = []
    for n, (pid, pname) in enumerate(project_names.items()):
        ps = s[s["scope"] == pid].set_index("group_id")
        ys = [_pct(ps.loc[g, "score"]) if g in ps.index else None for g in group_names]
        fig.add_trace(go.Bar(x=list(group_names.values()), y=ys, name=pname,
                             marker={"color": OKABE_ITO[n % len(OKABE_ITO)],
                                     "pattern": {"shape": _PATTERNS[n % len(_PATTERNS)]}}))
        table_rows.append([pname, *ys])
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100], title_text=_("Score (%)"))
    table = pd.DataFrame(table_rows, columns=[_("Project"), *group_names.values()])
    return Chart(fig, title, table)


def shared_indicator_chart(rows: pd.DataFrame, project_names: dict[str, str], title: str,
                           lang: str = "de") -> Chart:
    """One shared indicator: progress (bars) and current value (text) per project."""
    _ = texts(lang)
    names = [project_names.get(p, p) for p in rows["project_id"]]
    progress = [_pct(x) for x in rows["progress"]] if "progress" in rows else [None] * len(names)
    values = [num(x) for x in rows["value"]] if "value" in rows else [None] * len(names)
    progress_axis = _("Progress (%)")
    fig = go.Figure(layout=base_layout(title, lang, height=max(220, 80 + 40 * len(names)), margin=_LABEL_MARGIN))
    fig.add_trace(go.Bar(y=names, x=[p or 0 for p in progress], orientation="h", marker={"color": OKABE_ITO[2]},
                         text=[format_number(v, lang, 2) for v in values], textposition="outside",
                         cliponaxis=False, name=progress_axis))
    fig.update_xaxes(title_text=progress_axis)
    fig.update_yaxes(autorange="reversed")
    table = pd.DataFrame({_("Project"): names, _("Value"): values, progress_axis: progress})
    return Chart(fig, title, table)
