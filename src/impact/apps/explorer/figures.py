"""The explorer's three charts as plotly figure specs, built from a selection: pure, no widgets.

Each builder returns a :class:`Chart`: a figure spec (plotly's ``{"data": [...], "layout": {...}}``
in plain JSON types) or ``None`` when there is nothing to draw, and a note that says why nothing
is drawn (and what to do), or what was left out. The specs are built as plain data, not through
plotly's validating graph objects, which cost about 10 ms per trace; :attr:`Chart.figure` gives
the validated ``plotly.graph_objects.Figure`` of the same spec. Rules that keep the charts readable:

* **One axis per unit**: series of different units never share a y-axis; the series chart has
  one panel per unit, the breakdown chart one panel per (project, indicator), stacked on one
  shared time axis.
* **Distinguishable lines**: every line drawn at once differs in colour or marker
  (:func:`impact.apps.explorer.styles.line_style`); in the breakdown chart a group (e.g. a
  district) keeps its style in every panel and appears once in the legend.
* **Short legend labels, full names on hover**; **titles count what is drawn**.
* Numbers follow the language's notation (decimal and grouping separators), every text is
  translated, units included.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from impact.apps.explorer.data import GROUP_ATTR, KIND_IN_TEXT, Frames, group_ids, pick, score_table, trajectory_line
from impact.apps.explorer.marks import change_marks, milestone_trace, review_hover, tolerance_trace
from impact.apps.explorer.state import Selection
from impact.apps.explorer.styles import PORTFOLIO_COLOUR, line_style, project_label, short, unit_label
from impact.core.catalog import Catalog
from impact.core.i18n import format_date, format_number, format_percent, texts

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["MAX_FACETS", "MAX_SERIES", "Chart", "breakdown_chart", "score_chart", "series_chart"]

MAX_SERIES = 12  # (project, indicator) pairs in the series chart; the table always has all
MAX_FACETS = 6  # panels of the breakdown chart
PANEL_HEIGHT = 230
LIST_LIMIT = 4  # names listed in a note before "and N more"
GRID = {"gridcolor": "#E1E1E1", "linecolor": "#8C8C8C", "showline": True, "zerolinecolor": "#C8C8C8"}


@dataclass(frozen=True)
class Chart:
    """A figure spec to draw (``None`` = draw nothing) and a plain-text note shown above it."""

    spec: dict[str, Any] | None
    note: str = ""
    _figure: list[go.Figure] = field(default_factory=list, repr=False, compare=False)

    @property
    def figure(self) -> go.Figure:
        """The spec as a validated plotly figure (an empty figure without a spec), made once."""
        if not self._figure:
            import plotly.graph_objects as go  # only when asked for: the page needs only the spec

            fig = go.Figure(self.spec) if self.spec is not None else go.Figure()
            fig.layout.template = None  # the page draws with plotly.js defaults plus the spec's own styling
            self._figure.append(fig)
        return self._figure[0]


def _esc(text: str) -> str:
    """Text for plotly's hover and titles (a small HTML subset): markup and ``%{`` neutralised."""
    return html.escape(str(text)).replace("%{", "%\u200b{")


@functools.cache
def separators(lang: str) -> str:
    """plotly's ``layout.separators`` (decimal, then grouping) for ``lang`` (``",."`` in German)."""
    sample = format_number(1234.5, lang)
    return sample[-2] + sample[1] if len(sample) >= 6 else ".,"


def _layout(lang: str, title: str, height: int) -> dict[str, Any]:
    return {"title": {"text": _esc(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
            "height": height, "separators": separators(lang), "hovermode": "closest", "autosize": True,
            "margin": {"t": 70, "l": 70, "r": 20, "b": 40}, "plot_bgcolor": "#FFFFFF",
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0}}


def _panels(layout: dict[str, Any], titles: Sequence[str], gap: float = 0.07) -> None:
    """Stack ``len(titles)`` panels (y-axes ``y``, ``y2``, …, titled) on one time axis at the bottom."""
    n = len(titles)
    height = (1 - gap * (n - 1)) / n
    for row, title in enumerate(titles):
        top = 1 - row * (height + gap)
        name = "yaxis" if row == 0 else f"yaxis{row + 1}"
        layout[name] = {"domain": [max(0.0, top - height), top], "anchor": "x", "title": {"text": _esc(title)},
                        "automargin": True, **GRID}
    layout["xaxis"] = {"anchor": "y" if n == 1 else f"y{n}", "domain": [0, 1], "type": "date", **GRID}


def _axis(row: int) -> str:
    return "y" if row == 1 else f"y{row}"


def _dates(values: Any) -> list[str]:
    """ISO dates (``2024-04-01``) of dates or datetimes."""
    return np.datetime_as_string(np.asarray(pd.to_datetime(values), dtype="datetime64[D]")).tolist()


def _numbers(values: Any) -> list[float | None]:
    """Plain floats, ``None`` for a missing value (JSON has no NaN)."""
    return [None if math.isnan(v) else v for v in np.asarray(values, dtype=float).tolist()]


def _more(names: Sequence[str], lang: str) -> str:
    _ = texts(lang)
    shown = ", ".join(names[:LIST_LIMIT])
    rest = len(names) - LIST_LIMIT
    return shown if rest <= 0 else _.ngettext("{names} and {n} more", "{names} and {n} more", rest, names=shown)


def _full_name(catalog: Catalog, project: str, indicator: str, lang: str) -> str:
    unit = unit_label(catalog, indicator, lang)
    name = f"{catalog.projects[project].name.get(lang)} – {catalog.indicators[indicator].name.get(lang)}"
    return f"{name} ({unit})" if unit else name


def _pair_label(catalog: Catalog, project: str, indicator: str, lang: str,
                pairs: Sequence[tuple[str, str]] = ()) -> str:
    """A legend label: the project when all ``pairs`` share the indicator, the indicator when
    they share the project, else both (each shortened)."""
    if len(pairs) > 1 and len({i for _p, i in pairs}) == 1:
        return project_label(catalog, project, lang)
    if len(pairs) > 1 and len({p for p, _i in pairs}) == 1:
        return short(catalog.indicators[indicator].name.get(lang), 44)
    return f"{project_label(catalog, project, lang)} · {short(catalog.indicators[indicator].name.get(lang), 30)}"


def _submission_hover(lang: str) -> str:
    """The hover line naming the submission (the id's start; the table has it whole)."""
    _ = texts(lang)
    return _esc(_("Submission")) + ": %{customdata[0]}…%{customdata[1]}<extra></extra>"


def _line(part: pd.DataFrame, name: str, colour: str, symbol: str, hover: str, row: int, lang: str,
          **extra: Any) -> dict[str, Any]:
    """A trace of measured values: line and markers in one style; period, submission and each value's
    quality grade, review state and evidence in the hover."""
    review = review_hover(part, lang)
    return {"type": "scatter", "visible": True, "mode": "lines+markers", "name": name, "xaxis": "x",
            "yaxis": _axis(row), "x": _dates(part["period_start"]), "y": _numbers(part["value"]),
            "line": {"color": colour, "width": 2}, "marker": {"color": colour, "symbol": symbol, "size": 8},
            "text": [str(p) for p in part["period"].tolist()],
            "customdata": [[str(s)[:12], r] for s, r in zip(part["submission_id"].tolist(), review, strict=True)],
            "hovertemplate": hover, **extra}


# ---------------------------------------------------------------------------------------- scores
def score_chart(catalog: Catalog, frames: Frames | None, sel: Selection) -> Chart:
    """Bars of the scores (0–1) per guiding idea, principle or perspective: the portfolio and
    each chosen project; the chosen group is highlighted, coverage is in the hover."""
    _ = texts(sel.lang)
    if frames is None:
        return Chart(None)
    groups = group_ids(catalog, sel.kind)
    entities = getattr(catalog, GROUP_ATTR[sel.kind])
    names = [entities[g].name.get(sel.lang) for g in groups]
    chosen = [p for p in catalog.projects if p in sel.projects]
    opacity = [1.0 if not sel.group or g == sel.group else 0.35 for g in groups]
    score_label, coverage_label = _("Score (0–1)"), _("Coverage")
    data: list[dict[str, Any]] = []
    for scope in ("portfolio", *chosen):
        part = score_table(frames, sel.kind, scope, groups)
        if scope == "portfolio":
            label = full = _("Portfolio (all projects)")
            colour = PORTFOLIO_COLOUR
        else:
            label, full = project_label(catalog, scope, sel.lang), catalog.projects[scope].name.get(sel.lang)
            colour = line_style(list(catalog.projects).index(scope))[0]
        coverage = [[format_percent(c, sel.lang), int(n), int(t)] for c, n, t in zip(
            part["coverage"].astype(float), part["n_with_data"].fillna(0), part["n_indicators"].fillna(0), strict=True)]
        hover = (f"<b>{_esc(full)}</b><br>%{{x}}<br>{_esc(score_label)}: %{{y:.2f}}<br>"
                 f"{_esc(coverage_label)}: %{{customdata[0]}} (%{{customdata[1]}}/%{{customdata[2]}})<extra></extra>")
        data.append({"type": "bar", "visible": True, "x": names, "y": _numbers(part["score"].astype(float)),
                     "name": label, "customdata": coverage, "hovertemplate": hover,
                     "marker": {"color": colour, "opacity": opacity, "line": {"width": 0}}})
    if all(v is None for trace in data for v in trace["y"]):
        return Chart(None, _("No scores yet: none of the indicators behind the {kind} has a value by the reference "
                             "date. Choose a later date or look at the series below.",
                             kind=_(KIND_IN_TEXT[sel.kind])))
    date = format_date(frames.as_of, sel.lang)
    kind = _(KIND_IN_TEXT[sel.kind])
    if chosen:
        title = _.ngettext("Progress by {kind} – portfolio and {n} project, reference date {date}",
                           "Progress by {kind} – portfolio and {n} projects, reference date {date}",
                           len(chosen), kind=kind, date=date)
    else:
        title = _("Progress by {kind} – portfolio, reference date {date}", kind=kind, date=date)
    if sel.known_at is not None:
        title += _(", knowledge date {date}", date=format_date(sel.known_at, sel.lang))
    layout = {**_layout(sel.lang, title, 420), "barmode": "group", "bargap": 0.25,
              "yaxis": {"range": [0, 1.05], "title": {"text": _esc(score_label)}, **GRID},
              "xaxis": {"linecolor": GRID["linecolor"], "showline": True}}
    return Chart({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------- series
def series_chart(catalog: Catalog, frames: Frames | None, sel: Selection) -> Chart:
    """Each chosen (project, indicator) with values, against its target path (dashed); one
    panel per unit, at most :data:`MAX_SERIES` series."""
    _ = texts(sel.lang)
    if frames is None:
        return Chart(None)
    if not sel.indicators:
        return Chart(None, _("No indicator is chosen: choose one or more under “Indicators” above."))
    pairs = [(p, i) for i in sel.indicators for p in sel.projects if p in catalog.indicators[i].targets]
    parts = dict(pick(frames.series_by, pairs, sel.start, sel.end))
    with_data = [k for k in pairs if k in parts]
    if not with_data:
        return Chart(None, _("There are no values for the chosen projects and indicators in the chosen time range up "
                             "to the reference date. Widen the time range, choose a later date or other indicators."))
    drawn = with_data[:MAX_SERIES]
    submission, path_label = _submission_hover(sel.lang), _("Target path")
    units = list(dict.fromkeys(unit_label(catalog, i, sel.lang) for _p, i in drawn))
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    for n, (project, ind_id) in enumerate(drawn):
        row = units.index(unit_label(catalog, ind_id, sel.lang)) + 1
        colour, symbol = line_style(n)
        label = _pair_label(catalog, project, ind_id, sel.lang, drawn)
        full = _full_name(catalog, project, ind_id, sel.lang)
        data.append(_line(parts[(project, ind_id)], label, colour, symbol,
                          f"<b>{_esc(full)}</b><br>%{{text}}: %{{y}}<br>{submission}", row, sel.lang,
                          legendgroup=f"{project}/{ind_id}"))
        target = catalog.indicators[ind_id].targets[project]
        xs, ys = trajectory_line(target, sel.start, sel.end, frames.as_of)
        if xs:
            data.append({"type": "scatter", "visible": True, "mode": "lines", "name": _("Target path: {name}", name=label),
                         "legendgroup": f"{project}/{ind_id}", "showlegend": False, "xaxis": "x", "yaxis": _axis(row),
                         "x": _dates(xs), "y": _numbers(ys), "line": {"color": colour, "dash": "dash", "width": 1.5},
                         "text": [format_date(d, sel.lang) for d in xs],
                         "hovertemplate": f"<b>{_esc(path_label)}: {_esc(full)}</b><br>%{{text}}: %{{y}}<extra></extra>"})
        shapes += _marks(data, catalog, project, ind_id, frames.as_of, sel, colour, _axis(row), label)
    if len(with_data) > len(drawn):
        title = _("Series against the target path – {shown} of {total} series (narrow the selection; the table has "
                  "all)", shown=len(drawn), total=len(with_data))
    else:
        title = _.ngettext("Series against the target path – {n} series", "Series against the target path – {n} series",
                           len(drawn))
    layout = _layout(sel.lang, title, 150 + PANEL_HEIGHT * len(units))
    layout["legend"]["title"] = {"text": _esc(_("dashed: target path")) + " · "}
    _panels(layout, units)
    if shapes:
        layout["shapes"] = shapes
    missing = [_pair_label(catalog, p, i, sel.lang) for p, i in pairs if (p, i) not in parts]
    note = _("No values in this selection for: {names}.", names=_more(missing, sel.lang)) if missing else ""
    return Chart({"data": data, "layout": layout}, note)


def _marks(data: list[dict[str, Any]], catalog: Catalog, project: str, ind_id: str, as_of: Any, sel: Selection,
           colour: str, axis: str, label: str) -> list[dict[str, Any]]:
    """Append the milestone, target-change and tolerance traces of one series; returns the
    vertical lines marking target changes (:mod:`impact.apps.explorer.marks`)."""
    indicator = catalog.indicators[ind_id]
    target = indicator.targets[project]
    change, lines = change_marks(target, sel.start, sel.end, colour, axis, label, sel.lang)
    for trace in (milestone_trace(target, as_of, sel.start, sel.end, colour, axis, label, sel.lang), change,
                  tolerance_trace(target, indicator.direction, sel.start, sel.end, axis, label, sel.lang)):
        if trace is not None:
            data.append(trace)
    return lines


# ---------------------------------------------------------------------------------------- breakdowns
def breakdown_chart(catalog: Catalog, frames: Frames | None, sel: Selection) -> Chart:
    """The values of the chosen breakdown (e.g. district): one panel per (project, indicator),
    one line per group, each group in the same style in every panel."""
    _ = texts(sel.lang)
    if frames is None:
        return Chart(None)
    if not sel.breakdown:
        return Chart(None, _("No breakdown is chosen. Choose one under “Breakdown” above (e.g. district) to see the "
                             "values of each group."))
    bd = catalog.breakdowns[sel.breakdown]
    bd_name = bd.name.get(sel.lang)
    declaring = [i for i in sel.indicators if sel.breakdown in catalog.indicators[i].breakdowns]
    if not declaring:
        offered = [catalog.indicators[i].name.get(sel.lang) for i in catalog.indicators
                   if sel.breakdown in catalog.indicators[i].breakdowns
                   and set(sel.projects).intersection(catalog.indicators[i].targets)]
        text = _("None of the chosen indicators is broken down by {breakdown}.", breakdown=bd_name)
        more = (_("Broken down by {breakdown}: {names}.", breakdown=bd_name, names=_more(offered, sel.lang))
                if offered else _("Choose another breakdown."))
        return Chart(None, f"{text} {more}")
    keys = [(p, i, sel.breakdown) for i in declaring for p in sel.projects]
    found = pick(frames.breakdowns_by, keys, sel.start, sel.end)
    if not found:
        return Chart(None, _("There are no values by {breakdown} for the chosen projects and indicators in the chosen "
                             "time range up to the reference date.", breakdown=bd_name))
    panels = found[:MAX_FACETS]
    order = list(bd.values)
    shown: set[str] = set()
    submission = _submission_hover(sel.lang)
    data: list[dict[str, Any]] = []
    for row, ((project, ind_id, _b), rows) in enumerate(panels, 1):
        full = _full_name(catalog, project, ind_id, sel.lang)
        for value, part in rows.groupby("breakdown_value", sort=False):
            value = str(value)
            if value not in order:
                order.append(value)
            colour, symbol = line_style(order.index(value))
            name = bd.values[value].get(sel.lang) if value in bd.values else value
            data.append(_line(part, name, colour, symbol,
                              f"<b>{_esc(name)}</b> – {_esc(full)}<br>%{{text}}: %{{y}}<br>{submission}", row, sel.lang,
                              legendgroup=value, showlegend=value not in shown))
            shown.add(value)
    counts = _.ngettext("{n} series", "{n} series", len(panels))
    if len(found) > len(panels):
        counts = _("{shown} of {total} series (narrow the selection; the table has all)",
                   shown=len(panels), total=len(found))
    groups = _.ngettext("{n} group", "{n} groups", len(shown))
    title = _("Values by {breakdown} – {series}, {groups}", breakdown=bd_name, series=counts, groups=groups)
    layout = _layout(sel.lang, title, 150 + PANEL_HEIGHT * len(panels))
    _panels(layout, [unit_label(catalog, i, sel.lang) for (_p, i, _b), _part in panels], gap=0.1)
    layout["annotations"] = [
        {"text": _esc(_pair_label(catalog, p, i, sel.lang)), "xref": "paper", "yref": "paper", "x": 0,
         "y": layout[f"yaxis{'' if n == 0 else n + 1}"]["domain"][1], "xanchor": "left", "yanchor": "bottom",
         "showarrow": False, "font": {"size": 13}} for n, ((p, i, _b), _part) in enumerate(panels)]
    return Chart({"data": data, "layout": layout})
