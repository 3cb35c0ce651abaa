"""The evaluators' interactive explorer for JupyterLab: ipywidgets controls, plotly charts.

Usage in a notebook (``notebooks/explorer.ipynb`` does exactly this)::

    from impact.apps.explorer.app import launch
    explorer = launch(store=None, lang="de")   # None = settings().store_dir
    explorer.widget

Everything is wired here, so that it can be driven headlessly in tests: set a control's
``value`` (observers fire synchronously), call ``download_button.click()``, then look at
``score_fig.data``, ``series_fig.data``, ``breakdown_fig.data``, :attr:`Explorer.table` and
:meth:`Explorer.selection_csv`.

The evaluation runs once per as-of date (cached); every other control slices the cached frames
(:mod:`impact.apps.explorer.data`). Figures are ``go.FigureWidget`` objects created once; updates
mutate their traces inside ``batch_update()`` so nothing is redrawn from scratch.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import html
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from impact.apps.explorer.data import (
    GROUP_KINDS,
    TABLE_COLUMNS,
    Frames,
    group_ids,
    indicator_ids,
    month_starts,
    pick,
    prepare,
    score_table,
    selection_csv,
    trajectory_line,
    value_table,
    value_table_empty,
)
from impact.apps.explorer.labels import label
from impact.core.catalog import Catalog, load_catalog
from impact.core.config import LANGS, settings
from impact.core.errors import CatalogError, ImpactError

if TYPE_CHECKING:
    from impact.store.store import Store

__all__ = ["Explorer", "ExplorerError", "launch"]

log = logging.getLogger(__name__)

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
PORTFOLIO_COLOUR = "#8C8C8C"
TABLE_PREVIEW_ROWS = 200
MAX_SERIES = 12       # (project, indicator) pairs drawn at once; more is unreadable (the table has all)
MAX_BREAKDOWN_LINES = 24
CACHE_SIZE = 8
_WIDE = {"description_width": "initial"}


class ExplorerError:
    """What :func:`launch` returns when the explorer cannot start (e.g. a broken catalog):
    a bilingual message in :attr:`widget`, no traceback."""

    def __init__(self, message_html: str) -> None:
        self.message = message_html
        self.widget = w.HTML(value=message_html)


class Explorer:
    """Interactive explorer over one store (or a values DataFrame) and one catalog.

    ``values`` is a DataFrame in the store's value-row schema; without it the values are read
    from ``store`` (a path, a :class:`impact.store.store.Store`, or ``None`` for
    ``settings().store_dir``). ``lang`` is ``de`` or ``en``; ``as_of`` defaults to today.

    Controls: :attr:`language`, :attr:`as_of`, :attr:`projects`, :attr:`guiding_idea`,
    :attr:`principle`, :attr:`perspective`, :attr:`indicators`, :attr:`time_range`,
    :attr:`breakdown`, :attr:`score_kind`, :attr:`download_button`. Figures:
    :attr:`score_fig`, :attr:`series_fig`, :attr:`breakdown_fig`. Output: :attr:`message`,
    :attr:`table_view`, :attr:`download_link`; :attr:`widget` is the box to display.
    """

    def __init__(self, catalog: Catalog, values: pd.DataFrame | None = None, store: str | Path | Store | None = None,
                 lang: str = "de", *, as_of: dt.date | None = None) -> None:
        self.catalog = catalog
        self.lang = lang if lang in LANGS else "de"
        self.n_evaluations = 0
        self.last_csv: bytes | None = None
        self._cache: OrderedDict[dt.date, Frames] = OrderedDict()
        self._frames: Frames | None = None
        self._table = value_table_empty()
        self._muted = 0
        self._rendered: dict[str, tuple[Any, ...]] = {}
        self._applied: dict[str, list[dict[str, Any]]] = {}
        self._problem = ""
        self._problem_detail: dict[str, str] = {}
        self._store_missing = False
        self._store_label, self._values = self._load(values, store)
        self._first_received = _first_received(self._values)
        self._build_widgets(as_of or settings().today)
        self._wire()
        self._update_indicator_options()
        self._set_as_of(self.as_of.value)

    # ------------------------------------------------------------------ data
    def _load(self, values: pd.DataFrame | None, store: str | Path | Store | None) -> tuple[str, pd.DataFrame | None]:
        if values is not None:
            return "(DataFrame)", values
        from impact.store.store import Store

        if isinstance(store, Store):
            path = store.path
        else:
            path = Path(store).expanduser() if store is not None else settings().store_dir
            store = Store(path)
        shown = str(path)
        try:
            if not path.is_dir():
                self._store_missing = True
                return shown, None
            return shown, store.values()
        except (ImpactError, OSError, ValueError) as exc:
            self._problem = "store_error"
            self._problem_detail = {lang: exc.message(lang) if isinstance(exc, ImpactError) else str(exc)
                                    for lang in LANGS}
            return shown, None

    @property
    def has_data(self) -> bool:
        """Whether the store holds any values."""
        return self._values is not None and len(self._values) > 0

    def _frames_for(self, as_of: dt.date) -> Frames | None:
        """The cached evaluation as of ``as_of``; evaluates (once) on a cache miss."""
        if not self.has_data:
            return None
        if as_of in self._cache:
            self._cache.move_to_end(as_of)
            return self._cache[as_of]
        from impact.engine.evaluation import evaluate

        assert self._values is not None
        values = _received_by(self._values, as_of)
        frames = prepare(evaluate(self.catalog, values, as_of))
        self.n_evaluations += 1
        self._cache[as_of] = frames
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return frames

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self, as_of: dt.date) -> None:
        cat, lang = self.catalog, self.lang
        self.title = w.HTML()
        self.language = w.ToggleButtons(options=[("Deutsch", "de"), ("English", "en")], value=lang, style=_WIDE)
        self.as_of = w.DatePicker(value=as_of, style=_WIDE)
        project_ids = list(cat.projects)
        self.projects = w.SelectMultiple(options=self._project_options(), value=tuple(project_ids),
                                         rows=min(6, max(2, len(project_ids))), style=_WIDE)
        self.guiding_idea = w.Dropdown(options=self._group_options("guiding_idea"), value="", style=_WIDE)
        self.principle = w.Dropdown(options=self._group_options("principle"), value="", style=_WIDE)
        self.perspective = w.Dropdown(options=self._group_options("perspective"), value="", style=_WIDE)
        self.indicators = w.SelectMultiple(options=[], rows=8, style=_WIDE,
                                           layout=w.Layout(width="28em"))
        months = self._month_options(as_of)
        self.time_range = w.SelectionRangeSlider(options=[(m.strftime("%m/%Y"), m) for m in months],
                                                 index=(0, len(months) - 1), style=_WIDE,
                                                 layout=w.Layout(width="36em"))
        self.breakdown = w.Dropdown(options=self._breakdown_options(), value="", style=_WIDE)
        self.score_kind = w.ToggleButtons(options=self._kind_options(), value="guiding_idea", style=_WIDE)
        self.message = w.HTML()
        self.score_fig = go.FigureWidget(
            data=[go.Bar(name="portfolio", marker={"color": PORTFOLIO_COLOUR})]
            + [go.Bar(name=p, marker={"color": PALETTE[n % len(PALETTE)]}) for n, p in enumerate(project_ids)],
            layout={"barmode": "group", "yaxis": {"range": [0, 1.05]}, "height": 380,
                    "margin": {"t": 50, "b": 40}, "legend": {"orientation": "h"}})
        below = {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0}
        self.series_fig = go.FigureWidget(layout={"height": 520, "margin": {"t": 50}, "hovermode": "closest",
                                                  "legend": below})
        self.breakdown_fig = go.FigureWidget(layout={"height": 110, "margin": {"t": 50}, "legend": below})
        self.table_view = w.HTML()
        self.download_button = w.Button(icon="download")
        self.download_link = w.HTML()
        self.widget = w.VBox([
            self.title,
            w.HBox([self.language, self.as_of]),
            self.message,
            w.HBox([self.projects, w.VBox([self.guiding_idea, self.principle, self.perspective]),
                    self.indicators]),
            w.HBox([self.time_range, self.breakdown]),
            self.score_kind,
            self.score_fig,
            self.series_fig,
            self.breakdown_fig,
            self.table_view,
            w.HBox([self.download_button, self.download_link]),
        ])
        self._relabel()

    def _month_options(self, as_of: dt.date) -> list[dt.date]:
        starts = [p.start for p in self.catalog.projects.values()]
        first = min(starts) if starts else as_of
        last = max(as_of, settings().today)
        if self.has_data and "period_start" in self._values.columns:  # type: ignore[union-attr]
            ps = pd.to_datetime(self._values["period_start"])  # type: ignore[index]
            first, last = min(first, ps.min().date()), max(last, ps.max().date())
        return month_starts(first, last)

    def _project_options(self) -> list[tuple[str, str]]:
        return [(p.name.get(self.lang), p.id) for p in self.catalog.projects.values()]

    def _group_options(self, kind: str) -> list[tuple[str, str]]:
        entities = getattr(self.catalog, {"guiding_idea": "guiding_ideas", "principle": "principles",
                                           "perspective": "perspectives"}[kind])
        return [(label("all", self.lang), "")] + [(e.name.get(self.lang), e.id) for e in entities.values()]

    def _breakdown_options(self) -> list[tuple[str, str]]:
        return [(label("none", self.lang), "")] + [(b.name.get(self.lang), b.id)
                                                   for b in self.catalog.breakdowns.values()]

    def _kind_options(self) -> list[tuple[str, str]]:
        return [(label(f"kind_{k}", self.lang), k) for k in GROUP_KINDS]

    def _indicator_options(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        return [(self.catalog.indicators[i].name.get(self.lang), i) for i in ids]

    @contextlib.contextmanager
    def _mute(self) -> Iterator[None]:
        """Suppress observers while the explorer itself changes controls."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    @staticmethod
    def _set_options(widget: Any, options: list[tuple[str, Any]], value: Any) -> None:
        widget.options = options
        widget.value = value

    def _relabel(self) -> None:
        """Put every label into the current language, keeping every value."""
        lang = self.lang
        with self._mute():
            self.title.value = f"<h3>{html.escape(label('title', lang))}</h3>"
            for name in ("as_of", "guiding_idea", "principle", "perspective", "time_range", "breakdown",
                         "score_kind"):
                getattr(self, name).description = label(name, lang)
            self.language.description = label("lang", lang)
            self.projects.description = label("projects", lang)
            self.indicators.description = label("indicator", lang)
            self._set_options(self.projects, self._project_options(), self.projects.value)
            for kind in GROUP_KINDS:
                ctl = getattr(self, kind)
                self._set_options(ctl, self._group_options(kind), ctl.value)
            self._set_options(self.breakdown, self._breakdown_options(), self.breakdown.value)
            self._set_options(self.score_kind, self._kind_options(), self.score_kind.value)
            ids = [v for _, v in self.indicators.options]
            self._set_options(self.indicators, self._indicator_options(ids), self.indicators.value)
            self.download_button.description = label("download", lang)
            self.download_button.tooltip = label("download_tip", lang)
            self.download_link.value = ""

    def _wire(self) -> None:
        def on(widget: Any, handler: Callable[[], None]) -> None:
            def callback(change: dict[str, Any]) -> None:
                if not self._muted:
                    handler()
            widget.observe(callback, names="value")

        on(self.language, self._on_language)
        on(self.as_of, lambda: self._set_as_of(self.as_of.value))
        for ctl in (self.projects, self.guiding_idea, self.principle, self.perspective):
            on(ctl, self._on_filter)
        for ctl in (self.indicators, self.time_range, self.breakdown, self.score_kind):
            on(ctl, self.render)
        self.download_button.on_click(lambda _button: self.make_download_link())
        for trace in self.score_fig.data:
            trace.on_click(lambda _trace, points, _state: self._on_bar_click(points))

    # ------------------------------------------------------------------ events
    def _on_language(self) -> None:
        self.lang = self.language.value
        self._relabel()
        self.render()

    def _on_filter(self) -> None:
        self._update_indicator_options()
        self.render()

    def _on_bar_click(self, points: Any) -> None:
        if points.point_inds:
            groups = group_ids(self.catalog, self.score_kind.value)
            self.drill_down(self.score_kind.value, groups[points.point_inds[0]])

    def _set_as_of(self, as_of: dt.date | None) -> None:
        if as_of is None:  # the evaluator cleared the date: keep showing the last evaluation
            self.render()
            return
        try:
            self._frames = self._frames_for(as_of)
        except Exception as exc:  # noqa: BLE001 - shown to the evaluator instead of a traceback
            log.info("evaluation as of %s failed", as_of, exc_info=True)  # below WARNING: no stderr
            self._frames = None
            self._problem = "eval_error"
            self._problem_detail = dict.fromkeys(LANGS, f"{type(exc).__name__}: {exc}")
        else:
            if self._problem == "eval_error":
                self._problem = ""
        self.render()

    def drill_down(self, kind: str, group_id: str) -> None:
        """Show the indicators behind one guiding idea, principle or perspective: sets the
        score view and that filter (clearing the other two), which selects every indicator
        linked to it for the chosen projects."""
        if kind not in GROUP_KINDS:
            raise ValueError(f"kind must be one of {GROUP_KINDS}, got {kind!r}")
        if group_id not in group_ids(self.catalog, kind):
            raise ValueError(f"unknown {kind} {group_id!r}")
        with self._mute():
            self.score_kind.value = kind
            for other in GROUP_KINDS:
                getattr(self, other).value = group_id if other == kind else ""
        self._on_filter()

    def _selected_group(self) -> bool:
        return bool(self.guiding_idea.value or self.principle.value or self.perspective.value)

    def _update_indicator_options(self) -> None:
        ids = indicator_ids(self.catalog, self.projects.value, self.guiding_idea.value or None,
                            self.principle.value or None, self.perspective.value or None)
        if self._selected_group():
            chosen = tuple(ids)  # drill-down: every indicator behind the chosen group
        else:
            chosen = tuple(i for i in self.indicators.value if i in ids) or tuple(ids[:1])
        with self._mute():
            self._set_options(self.indicators, self._indicator_options(ids), chosen)

    # ------------------------------------------------------------------ rendering
    def _show_message(self, text: str) -> None:
        self.message.value = f'<div style="padding:0.5em;border-left:4px solid #D55E00">{text}</div>' if text else ""

    def _range(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.time_range.options:
            return None, None
        start, end = self.time_range.value
        last = month_starts(end, end)[0]
        nxt = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)

    def render(self) -> None:
        """Update message, figures and table from the current control values.

        No re-evaluation; each figure and the table are only touched when their own inputs
        changed, and then only the trace properties that differ are sent."""
        if self._muted:
            return
        lang = self.lang
        if self._problem == "store_error":
            self._show_message(label("store_error", lang, store=f"<code>{html.escape(self._store_label)}</code>",
                                     error=html.escape(self._problem_detail.get(lang, ""))))
        elif self._problem == "eval_error":
            self._show_message(label("eval_error", lang, as_of=self.as_of.value,
                                     error=html.escape(self._problem_detail.get(lang, ""))))
        elif not self.has_data:
            missing = label("store_missing", lang) if self._store_missing else ""
            self._show_message(label("empty_store", lang, store=f"<code>{html.escape(self._store_label)}</code>",
                                     missing=missing))
        elif self.as_of.value is None:
            self._show_message(label("no_as_of", lang))
        elif self._first_received is not None and self.as_of.value < self._first_received:
            self._show_message(label("none_received", lang, as_of=self.as_of.value.isoformat(),
                                     first=self._first_received.isoformat()))
        else:
            self._show_message("")
        frames = self._frames
        start, end = self._range()
        projects = tuple(self.projects.value)
        indicators = tuple(self.indicators.value)
        kind = self.score_kind.value
        ev = frames.as_of if frames is not None else None
        selection = (ev, projects, indicators, start, end, lang)
        self._once("scores", (ev, projects, kind, getattr(self, kind).value, lang), self._render_scores)
        self._once("series", selection, self._render_series)
        self._once("breakdowns", (*selection, self.breakdown.value), self._render_breakdowns)
        self._once("table", (*selection, self.breakdown.value), self._render_table)
        self.download_link.value = ""

    def _once(self, part: str, key: tuple[Any, ...], render: Callable[[], None]) -> None:
        """Run ``render`` unless ``part`` was last rendered from the same inputs."""
        if self._rendered.get(part) != key:
            render()
            self._rendered[part] = key

    def _render_scores(self) -> None:
        frames, lang, kind = self._frames, self.lang, self.score_kind.value
        groups = group_ids(self.catalog, kind)
        entities = getattr(self.catalog, {"guiding_idea": "guiding_ideas", "principle": "principles",
                                           "perspective": "perspectives"}[kind])
        names = [entities[g].name.get(lang) for g in groups]
        selected = getattr(self, kind).value
        opacity = [1.0 if not selected or g == selected else 0.3 for g in groups]
        shown = set(self.projects.value)
        hover = ("%{x}<br>" + label("score", lang) + ": %{y:.2f}<br>" + label("coverage", lang)
                 + ": %{customdata[1]:.0%} (%{customdata[2]}/%{customdata[3]})<extra>%{fullData.name}</extra>")
        specs = []
        for scope in ("portfolio", *self.catalog.projects):
            if frames is None:
                part = pd.DataFrame({"score": [float("nan")] * len(groups), "coverage": float("nan"),
                                     "n_with_data": 0, "n_indicators": 0})
            else:
                part = score_table(frames, kind, scope, groups)
            colour = (PORTFOLIO_COLOUR if scope == "portfolio"
                      else PALETTE[list(self.catalog.projects).index(scope) % len(PALETTE)])
            specs.append({
                "x": names, "y": part["score"].astype(float).to_numpy(),
                "customdata": [(g, float(c), int(n), int(t)) for g, c, n, t in zip(
                    groups, part["coverage"].astype(float), part["n_with_data"].fillna(0),
                    part["n_indicators"].fillna(0), strict=True)],
                "name": (label("portfolio", lang) if scope == "portfolio"
                         else self.catalog.projects[scope].name.get(lang)),
                "visible": scope == "portfolio" or scope in shown,
                "marker": {"color": colour, "opacity": opacity},
                "hovertemplate": hover})
        as_of = frames.as_of.isoformat() if frames is not None else ""
        layout = {"title.text": label("score_title", lang, kind=label(f"kind_{kind}", lang), as_of=as_of),
                  "yaxis.title.text": label("score", lang)}
        self._apply("score_fig", self.score_fig, specs, layout)

    def _trace_name(self, project: str, indicator: str, extra: str = "") -> str:
        ind = self.catalog.indicators[indicator]
        unit = self.catalog.units[ind.unit].symbol if ind.unit in self.catalog.units else ind.unit
        base = f"{self.catalog.projects[project].name.get(self.lang)} – {ind.name.get(self.lang)} ({unit})"
        return f"{extra}: {base}" if extra else base

    def _value_hover(self) -> str:
        return ("%{text}: %{y}<br>" + label("col_submission_id", self.lang)
                + ": %{customdata}…<extra>%{fullData.name}</extra>")

    def _render_series(self) -> None:
        frames, lang = self._frames, self.lang
        start, end = self._range()
        projects, indicators = list(self.projects.value), list(self.indicators.value)
        specs: list[dict[str, Any]] = []
        note = ""
        if frames is not None:
            pairs = [(p, i) for i in indicators for p in projects if p in self.catalog.indicators[i].targets]
            if len(pairs) > MAX_SERIES:
                note = label("too_many", lang, shown=MAX_SERIES, total=len(pairs))
                pairs = pairs[:MAX_SERIES]
            parts = dict(pick(frames.series_by, pairs, start, end))
            for n, (project, ind_id) in enumerate(pairs):
                ind = self.catalog.indicators[ind_id]
                colour = PALETTE[n % len(PALETTE)]
                part = parts.get((project, ind_id))
                specs.append(_scatter_spec(
                    name=self._trace_name(project, ind_id), group=f"{project}/{ind_id}", colour=colour,
                    x=part["period_start"].to_numpy() if part is not None else [],
                    y=part["value"].astype(float).to_numpy() if part is not None else [],
                    text=part["period"].astype(str).tolist() if part is not None else None,
                    custom=part["submission_id"].astype(str).str[:12].tolist() if part is not None else None,
                    hover=self._value_hover()))
                xs, ys = trajectory_line(ind.targets[project], start, end)
                specs.append(_scatter_spec(
                    name=self._trace_name(project, ind_id, label("trajectory", lang)),
                    group=f"{project}/{ind_id}", colour=colour, x=xs, y=ys, dash="dash", mode="lines",
                    hover="%{x|%Y-%m-%d}: %{y:.4g}<extra>%{fullData.name}</extra>"))
        layout = {"title.text": label("series_title", lang) + note, "yaxis.title.text": label("value", lang),
                  "xaxis.title.text": label("period", lang)}
        self._apply("series_fig", self.series_fig, specs, layout)

    def _render_breakdowns(self) -> None:
        frames, lang, bd_id = self._frames, self.lang, self.breakdown.value
        start, end = self._range()
        projects, indicators = list(self.projects.value), list(self.indicators.value)
        specs: list[dict[str, Any]] = []
        note = ""
        if frames is not None and bd_id:
            bd = self.catalog.breakdowns[bd_id]
            keys = [(p, i, bd_id) for i in indicators for p in projects]
            lines = [(key, bv, part) for key, rows in pick(frames.breakdowns_by, keys, start, end)
                     for bv, part in rows.groupby("breakdown_value", sort=False)]
            if len(lines) > MAX_BREAKDOWN_LINES:
                note = label("too_many", lang, shown=MAX_BREAKDOWN_LINES, total=len(lines))
                lines = lines[:MAX_BREAKDOWN_LINES]
            for n, ((project, ind_id, _b), bv, part) in enumerate(lines):
                value_name = bd.values[bv].get(lang) if bv in bd.values else str(bv)
                specs.append(_scatter_spec(
                    name=self._trace_name(project, ind_id, value_name), group=f"{project}/{ind_id}",
                    colour=PALETTE[n % len(PALETTE)], x=part["period_start"].to_numpy(),
                    y=part["value"].astype(float).to_numpy(), text=part["period"].astype(str).tolist(),
                    custom=part["submission_id"].astype(str).str[:12].tolist(), hover=self._value_hover()))
        title = (label("breakdown_title", lang, breakdown=self.catalog.breakdowns[bd_id].name.get(lang)) + note
                 if bd_id else label("breakdown_title_none", lang))
        self._apply("breakdown_fig", self.breakdown_fig, specs,
                    {"title.text": title, "yaxis.title.text": label("value", lang),
                     "xaxis.visible": bool(bd_id), "yaxis.visible": bool(bd_id),
                     "height": 480 if bd_id else 110})

    def _apply(self, name: str, fig: go.FigureWidget, specs: list[dict[str, Any]],
               layout: dict[str, Any]) -> None:
        """Show ``specs`` in ``fig`` by mutating its traces inside one ``batch_update``: only
        properties that differ from what was last applied are set; traces are added only when
        more are needed and left-over ones are hidden. The figure is never re-created."""
        applied = self._applied.setdefault(name, [])
        missing = len(specs) - len(fig.data)
        if missing > 0:
            fig.add_traces([go.Scatter(visible=False) for _ in range(missing)])
        hidden: dict[str, Any] = {"x": [], "y": [], "text": None, "customdata": None, "name": "", "visible": False,
                  "showlegend": False}
        with fig.batch_update():
            for n, trace in enumerate(fig.data):
                spec = specs[n] if n < len(specs) else hidden
                before = applied[n] if n < len(applied) else {}
                changed = {k: v for k, v in spec.items() if k not in before or not _same(before[k], v)}
                if changed:
                    trace.update(changed)
                if n < len(applied):
                    applied[n] = {**before, **spec}
                else:
                    applied.append(dict(spec))
            for path, value in layout.items():
                if fig.layout[path] != value:
                    fig.layout[path] = value
        _sync_widget_state(fig)

    def _render_table(self) -> None:
        frames = self._frames
        start, end = self._range()
        if frames is None:
            self._table = value_table_empty()
        else:
            self._table = value_table(self.catalog, frames, list(self.projects.value), list(self.indicators.value),
                                      start, end, self.breakdown.value or None, self.lang)
        self._render_table_view()

    def _render_table_view(self) -> None:
        lang, table = self.lang, self._table
        head = (f"<h4>{html.escape(label('table_title', lang))} "
                f"({len(table)} {html.escape(label('rows', lang))})</h4>")
        if table.empty:
            self.table_view.value = head + f"<p>{html.escape(label('table_empty', lang))}</p>"
            return
        body = _html_table(table.head(TABLE_PREVIEW_ROWS), [label(f"col_{c}", lang) for c in TABLE_COLUMNS])
        more = ""
        if len(table) > TABLE_PREVIEW_ROWS:
            more = f"<p>{html.escape(label('table_more', lang, n=len(table) - TABLE_PREVIEW_ROWS))}</p>"
        self.table_view.value = (head + '<div style="max-height:24em;overflow:auto;font-size:90%">'
                                 + body + "</div>" + more)

    # ------------------------------------------------------------------ output
    @property
    def table(self) -> pd.DataFrame:
        """The values behind the current selection (columns ``TABLE_COLUMNS``), a copy."""
        return self._table.copy()

    def selection_csv(self) -> bytes:
        """The current selection as formula-safe CSV bytes (UTF-8 with BOM), with submission ids."""
        return selection_csv(self._table)

    def make_download_link(self) -> str:
        """Regenerate the download link (a ``data:`` URI, no server round trip); returns its HTML."""
        data = self.selection_csv()
        self.last_csv = data
        stamp = self.as_of.value.isoformat() if self.as_of.value else "undatiert"
        name = f"impact-{'auswahl' if self.lang == 'de' else 'selection'}-{stamp}.csv"
        href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
        text = f"{label('download_link', self.lang)} ({len(self._table)} {label('rows', self.lang)})"
        self.download_link.value = (f'<a download="{html.escape(name)}" href="{href}" target="_blank">'
                                    f"{html.escape(text)}</a>")
        return self.download_link.value


def _scatter_spec(*, name: str, group: str, colour: str, x: Any, y: Any, text: list[str] | None = None,
                  custom: list[str] | None = None, hover: str = "", dash: str = "solid",
                  mode: str = "lines+markers") -> dict[str, Any]:
    """Every property a series trace uses, so that reusing a trace leaves nothing stale."""
    return {"name": name, "legendgroup": group, "x": x, "y": y, "text": text,
            "customdata": custom, "mode": mode, "line": {"color": colour, "dash": dash},
            "marker": {"color": colour}, "hovertemplate": hover, "showlegend": True, "visible": True}


def _sync_widget_state(fig: go.FigureWidget) -> None:
    """Keep the figure's widget state (what a browser gets when it connects or reloads, e.g.
    Voilà or a reopened notebook) equal to the figure. plotly only refreshes it when the figure
    itself is displayed, not inside a box; the frontend ignores changes of these two traits
    (it draws from the update messages), so this never redraws a shown chart."""
    fig._widget_data = copy.deepcopy(fig._data)
    fig._widget_layout = copy.deepcopy(fig._layout_obj._props)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return html.escape(str(value))


def _html_table(table: pd.DataFrame, headers: list[str]) -> str:
    """A plain HTML table, every cell escaped (notes and ids come from submitted files)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False, name=None))
    return f'<table class="impact-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _same(a: Any, b: Any) -> bool:
    """Whether two trace property values are equal (arrays compared element-wise, NaN = NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
            return False
        try:
            return bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fcmM"))
        except TypeError:
            return bool(np.array_equal(x, y))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _first_received(values: pd.DataFrame | None) -> dt.date | None:
    """The UTC day the first value was received (``None`` without values or receipt times)."""
    if values is None or values.empty or "received_at" not in values.columns:
        return None
    first = pd.to_datetime(values["received_at"], utc=True).min()
    return None if pd.isna(first) else first.date()


def _received_by(values: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Rows received up to the end of ``as_of`` (UTC)."""
    if "received_at" not in values.columns:
        return values
    received = pd.to_datetime(values["received_at"], utc=True)
    limit = pd.Timestamp(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()), tz="UTC")
    return values.loc[received < limit]


def launch(store: str | None = None, catalog: str | None = None, lang: str | None = None,
           as_of: str | None = None) -> Explorer | ExplorerError:
    """Start the explorer from plain notebook parameters.

    ``store``/``catalog`` are directory paths (``None`` = the configured defaults), ``lang``
    ``de`` or ``en``, ``as_of`` an ISO date. A broken catalog or a bad date gives an
    :class:`ExplorerError` with a bilingual message instead of a traceback.
    """
    conf = settings()
    language = lang if lang in LANGS else conf.lang
    day: dt.date | None = None
    if as_of:
        try:
            day = dt.date.fromisoformat(str(as_of))
        except ValueError:
            return ExplorerError(
                f"<p>Ungültiges Datum für den Stand: {html.escape(str(as_of))} (erwartet JJJJ-MM-TT).</p>"
                f"<p>Invalid as-of date: {html.escape(str(as_of))} (expected YYYY-MM-DD).</p>")
    try:
        cat = load_catalog(_resolve_dir(catalog, conf.root) if catalog else conf.catalog_dir)
    except CatalogError as exc:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
        return ExplorerError(f"<p>{html.escape(label('catalog_error', 'de', n=len(exc.problems)))}<br>"
                             f"{html.escape(label('catalog_error', 'en', n=len(exc.problems)))}</p><ul>{items}</ul>")
    return Explorer(cat, store=_resolve_dir(store, conf.root) if store else None, lang=language, as_of=day)


def _resolve_dir(text: str, root: Path) -> Path:
    """A directory named in the notebook's parameters cell. A relative path is taken from the
    working directory, which in JupyterLab is the notebook's folder (``notebooks/``); when it is
    not there but exists below the project root (``store = "data/store"``), the root is meant."""
    path = Path(str(text)).expanduser()
    if not path.is_absolute() and not path.exists() and (root / path).exists():
        path = root / path
    return path.resolve()
