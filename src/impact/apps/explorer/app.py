"""The evaluators' interactive explorer, in JupyterLab and served by Voilà (``impact explorer``).

Usage in a notebook (``notebooks/explorer.ipynb`` does exactly this)::

    from impact.apps.explorer.app import launch
    explorer = launch(store=None, lang="de")   # None = the configured store
    explorer.widget

The parts, one job each: :mod:`~impact.apps.explorer.state` (values, cached evaluations, the
selection), :mod:`~impact.apps.explorer.controls` (the widgets and their labels),
:mod:`~impact.apps.explorer.figures` (pure chart builders), :mod:`~impact.apps.explorer.charts`
(how a figure reaches the page), :mod:`~impact.apps.explorer.table` (values table and CSV) and
:mod:`~impact.apps.explorer.data` (pure slicing). This module wires them.

Everything can be driven headlessly: set a control's ``value`` (observers fire synchronously),
call ``download_button.click()``, then look at :attr:`Explorer.score_fig`, ``series_fig``,
``breakdown_fig`` (the figures the page shows), :attr:`Explorer.table` and
:meth:`Explorer.selection_csv`. The evaluation runs once per date (cached); every other control
slices the cached frames, and each chart is rebuilt only when its own inputs changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from impact.apps.explorer.charts import ChartView
from impact.apps.explorer.controls import Controls
from impact.apps.explorer.data import GROUP_KINDS, Frames, group_ids, value_table, value_table_empty
from impact.apps.explorer.figures import breakdown_chart, score_chart, series_chart
from impact.apps.explorer.marks import WARNING_COLOUR, tolerance_warnings
from impact.apps.explorer.state import ExplorerData, Selection
from impact.apps.explorer.table import TableView
from impact.core.catalog import Catalog
from impact.core.i18n import Texts, format_date, languages, normalise_lang, texts

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from impact.store.store import Store

__all__ = ["Explorer", "ExplorerError", "launch"]

log = logging.getLogger(__name__)


class ExplorerError:
    """What :func:`launch` returns when the explorer cannot start (e.g. a broken catalog):
    a message in every language in :attr:`widget`, no traceback."""

    def __init__(self, message_html: str) -> None:
        self.message = message_html
        self.widget = w.HTML(value=message_html)


class Explorer:
    """Interactive explorer over one store (or a values DataFrame) and one catalog.

    ``values`` is a DataFrame in the store's value-row schema; without it the values are read
    from ``store`` (a directory or a :class:`impact.store.store.Store`). ``lang`` is one of
    :func:`impact.core.i18n.languages`. ``as_of`` is the reference date (Stichtag: which periods
    count), default ``today`` (default: the real date); ``known_at`` the knowledge date (Datenstand:
    which submissions count, received by the end of that day), default ``None`` = everything stored.

    Controls: :attr:`language`, :attr:`as_of`, :attr:`known_at`, :attr:`projects`, :attr:`guiding_idea`,
    :attr:`principle`, :attr:`perspective`, :attr:`effect`, :attr:`indicators`, :attr:`time_range`,
    :attr:`breakdown`, :attr:`score_kind`, :attr:`download_button`. Figures (the ones the page
    shows): :attr:`score_fig`, :attr:`series_fig`, :attr:`breakdown_fig`. Output:
    :attr:`message`, :attr:`warnings` (side effects beyond their tolerance), :attr:`table_view`, :attr:`download_link`; :attr:`widget` is the box to display.
    """

    def __init__(self, catalog: Catalog, values: pd.DataFrame | None = None, store: str | Path | Store | None = None,
                 lang: str = "de", *, as_of: dt.date | None = None, known_at: dt.date | None = None,
                 today: dt.date | None = None) -> None:
        self.catalog = catalog
        self.lang = normalise_lang(lang)
        self.today = today or dt.date.today()
        self.data = ExplorerData(catalog, values, store)
        self._frames: Frames | None = None
        self._eval_error = ""
        self._muted = 0
        self._rendered: dict[str, Any] = {}
        day = as_of or self.today
        self.controls = Controls(catalog, self.lang, day, self.data.months(day, self.today), known_at)
        c = self.controls
        self.title, self.language, self.as_of, self.projects = c.title, c.language, c.as_of, c.projects
        self.known_at, self.effect = c.known_at, c.effect
        self.guiding_idea, self.principle, self.perspective = c.guiding_idea, c.principle, c.perspective
        self.indicators, self.time_range, self.breakdown, self.score_kind = (c.indicators, c.time_range,
                                                                             c.breakdown, c.score_kind)
        self.message = w.HTML()
        self.warnings = w.HTML()
        self.warnings.add_class("impact-warnings")
        self.score_view = ChartView("score")
        self.series_view = ChartView("series")
        self.breakdown_view = ChartView("breakdown")
        self.values_view = TableView()
        self.table_view = self.values_view.view
        self.download_button = self.values_view.download_button
        self.download_link = self.values_view.download_link
        self.controls_box = self.controls.box()
        self.controls_box.add_class("impact-controls")
        self.widget = w.VBox([self.controls_box, self.message, self.warnings, self.score_view.widget, self.series_view.widget,
                              self.breakdown_view.widget, self.values_view.widget])
        self.widget.add_class("impact-explorer")
        self.values_view.relabel(self.lang)
        self._wire()
        with self._mute():
            self.controls.update_indicators(self.lang)
        self._evaluate()

    # ------------------------------------------------------------------ state
    @property
    def has_data(self) -> bool:
        """Whether the store holds any values."""
        return self.data.has_data

    @property
    def n_evaluations(self) -> int:
        """How often an evaluation ran (once per date; then cached)."""
        return self.data.n_evaluations

    @property
    def score_fig(self) -> go.Figure:
        """The score chart as the page shows it (an empty figure while none is drawn)."""
        return self.score_view.figure

    @property
    def series_fig(self) -> go.Figure:
        """The series chart as the page shows it (an empty figure while none is drawn)."""
        return self.series_view.figure

    @property
    def breakdown_fig(self) -> go.Figure:
        """The breakdown chart as the page shows it (an empty figure while none is drawn)."""
        return self.breakdown_view.figure

    @property
    def table(self) -> pd.DataFrame:
        """The values behind the current selection (columns ``TABLE_COLUMNS``), a copy."""
        return self.values_view.table.copy()

    @property
    def last_csv(self) -> bytes | None:
        """The bytes of the last download link made."""
        return self.values_view.last_csv

    def selection(self) -> Selection:
        """The current values of every control the charts and the table read."""
        return self.controls.selection(self.lang)

    # ------------------------------------------------------------------ events
    @contextlib.contextmanager
    def _mute(self) -> Iterator[None]:
        """Suppress observers while the explorer itself changes controls."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def _wire(self) -> None:
        def on(widget: Any, handler: Callable[[], None]) -> None:
            def callback(change: dict[str, Any]) -> None:
                if not self._muted:
                    handler()
            widget.observe(callback, names="value")

        on(self.language, self._on_language)
        on(self.as_of, self._evaluate)
        on(self.known_at, self._evaluate)
        for ctl in (self.projects, self.guiding_idea, self.principle, self.perspective, self.effect):
            on(ctl, self._on_filter)
        for ctl in (self.indicators, self.time_range, self.breakdown, self.score_kind):
            on(ctl, self.render)
        self.download_button.on_click(lambda _button: self.make_download_link())

    def _on_language(self) -> None:
        self.lang = normalise_lang(self.language.value)
        with self._mute():
            self.controls.relabel(self.lang)
        self.values_view.relabel(self.lang)
        self.render()

    def _on_filter(self) -> None:
        with self._mute():
            self.controls.update_indicators(self.lang)
        self.render()

    def _evaluate(self) -> None:
        """Evaluate at the chosen reference and knowledge dates (cached), then render."""
        as_of, known_at = self.as_of.value, self.known_at.value
        if as_of is None:  # the evaluator cleared the date: keep showing the last evaluation
            self.render()
            return
        try:
            self._frames = self.data.frames_for(as_of, known_at)
            self._eval_error = ""
        except Exception as exc:  # noqa: BLE001 - shown to the evaluator instead of a traceback
            log.info("evaluation as of %s/%s failed", as_of, known_at, exc_info=True)  # below WARNING: no stderr
            self._frames = None
            self._eval_error = f"{type(exc).__name__}: {exc}"
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

    # ------------------------------------------------------------------ rendering
    def _message(self) -> str:
        """Why the charts show nothing (or stale data), in the current language; "" if all is well."""
        _ = texts(self.lang)
        data, day, known = self.data, self.as_of.value, self.known_at.value
        store = f"<code>{html.escape(data.store_label)}</code>"
        if data.error is not None:
            return _("The store {store} cannot be read: {error}", store=store,
                     error=html.escape(data.error_text(self.lang)))
        if self._eval_error:
            return _("The evaluation for the reference date {as_of} failed: {error}", as_of=format_date(day, self.lang),
                     error=html.escape(self._eval_error))
        if not data.has_data:
            missing = _(" (there is no such folder – is the path right?)") if data.store_missing else ""
            return _("The store {store} holds no values yet{missing}. To load the sample data run "
                     "<code>make report</code> or <code>impact ingest data/sample/*.csv data/sample/*.xlsx</code>, "
                     "then open the explorer again.", store=store, missing=missing)
        if day is None:
            return _("Please choose a reference date.")
        if not data.received_any_by(known):
            return _("Nothing had been received by the knowledge date {known_at} (the first submission arrived on "
                     "{first}). Please choose a later knowledge date, or none for everything received.",
                     known_at=format_date(known, self.lang), first=format_date(data.first_received, self.lang))
        return ""

    def render(self) -> None:
        """Update message, charts and table from the current control values.

        No re-evaluation; each chart and the table are only rebuilt when their own inputs changed."""
        if self._muted:
            return
        text = self._message()
        self.message.value = (f'<div role="alert" style="padding:0.5em;border-left:4px solid #D55E00">{text}</div>'
                              if text else "")
        sel = self.selection()
        frames = self._frames if not text or self.as_of.value is None else None
        ev = (frames.as_of, sel.known_at) if frames is not None else None
        rows = (ev, sel.lang, sel.projects, sel.indicators, sel.start, sel.end)
        self._once("scores", (ev, sel.lang, sel.projects, sel.kind, sel.group),
                   lambda: self.score_view.show(score_chart(self.catalog, frames, sel)))
        self._once("series", rows, lambda: self.series_view.show(series_chart(self.catalog, frames, sel)))
        self._once("breakdowns", (*rows, sel.breakdown),
                   lambda: self.breakdown_view.show(breakdown_chart(self.catalog, frames, sel)))
        self._once("table", (*rows, sel.breakdown), lambda: self._render_table(frames, sel))
        self._once("warnings", (ev, sel.lang, sel.projects), lambda: self._render_warnings(frames, sel))
        self.download_link.value = ""

    def _once(self, part: str, key: Any, render: Callable[[], None]) -> None:
        """Run ``render`` unless ``part`` was last rendered from the same inputs."""
        if self._rendered.get(part) != key:
            render()
            self._rendered[part] = key

    def _render_warnings(self, frames: Frames | None, sel: Selection) -> None:
        """Side effects of the chosen projects beyond their tolerance, as one warning box."""
        found = [] if frames is None else tolerance_warnings(self.catalog, frames, sel.projects, sel.lang)
        if not found:
            self.warnings.value = ""
            return
        _ = texts(sel.lang)
        head = _.ngettext("Warning: {n} side effect beyond its tolerance", "Warning: {n} side effects beyond their "
                          "tolerance", len(found))
        items = "".join(f"<li>{html.escape(text)}</li>" for text in found)
        self.warnings.value = (f'<div role="status" style="padding:0.5em 0.8em;border-left:4px solid {WARNING_COLOUR};'
                               f'background:#FDF1EA"><strong>{html.escape(head)}</strong><ul style="margin:0.3em 0">'
                               f"{items}</ul></div>")

    def _render_table(self, frames: Frames | None, sel: Selection) -> None:
        table = value_table_empty() if frames is None else value_table(
            self.catalog, frames, list(sel.projects), list(sel.indicators), sel.start, sel.end,
            sel.breakdown or None, sel.lang)
        self.values_view.show(table, sel.lang)

    # ------------------------------------------------------------------ output
    def selection_csv(self) -> bytes:
        """The current selection as formula-safe CSV bytes (UTF-8 with BOM), with submission ids."""
        from impact.apps.explorer.data import selection_csv

        return selection_csv(self.values_view.table)

    def make_download_link(self) -> str:
        """Regenerate the download link (a ``data:`` URI, no server round trip); returns its HTML."""
        return self.values_view.make_link(self.lang, self.as_of.value)


def launch(store: str | None = None, catalog: str | None = None, lang: str | None = None,
           as_of: str | None = None, known_at: str | None = None) -> Explorer | ExplorerError:
    """Start the explorer from plain notebook parameters: the edge that reads the settings.

    ``store``/``catalog`` are directory paths (``None`` = the configured defaults), ``lang`` a
    language code (``None`` = the configured one), ``as_of`` (reference date) and ``known_at``
    (knowledge date) ISO dates (``None``: today, everything received). A broken catalog or a
    bad date gives an :class:`ExplorerError` with a message in every language, no traceback.
    """
    from impact.core.catalog import load_catalog
    from impact.core.config import settings
    from impact.core.errors import CatalogError

    conf = settings()
    language = normalise_lang(lang, conf.lang) if lang else normalise_lang(conf.lang)
    bad = next((t for t in (as_of, known_at) if t and not _is_iso_date(str(t))), None)
    if bad is not None:
        return ExplorerError(_in_every_language(lambda _: _("Invalid date: {value} (expected YYYY-MM-DD).",
                                                            value=bad)))
    days = [dt.date.fromisoformat(str(t)) if t else None for t in (as_of, known_at)]
    try:
        cat = load_catalog(_resolve_dir(catalog, conf.root) if catalog else conf.catalog_dir)
    except CatalogError as exc:
        n = len(exc.problems)
        heads = _in_every_language(lambda _: _.ngettext(
            "The indicator catalog is broken ({n} problem):", "The indicator catalog is broken ({n} problems):", n))
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
        return ExplorerError(f"{heads}<ul>{items}</ul>")
    store_dir = _resolve_dir(store, conf.root) if store else conf.store_dir
    return Explorer(cat, store=store_dir, lang=language, as_of=days[0], known_at=days[1], today=conf.today)


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _in_every_language(text: Callable[[Texts], str]) -> str:
    """``text`` in every language, one paragraph each (for errors before a language is known)."""
    return "".join(f"<p>{html.escape(text(texts(code)))}</p>" for code in languages())


def _resolve_dir(text: str, root: Path) -> Path:
    """A directory named in the notebook's parameters cell. A relative path is taken from the
    working directory, which in JupyterLab is the notebook's folder (``notebooks/``); when it is
    not there but exists below the project root (``store = "data/store"``), the root is meant."""
    path = Path(str(text)).expanduser()
    if not path.is_absolute() and not path.exists() and (root / path).exists():
        path = root / path
    return path.resolve()
