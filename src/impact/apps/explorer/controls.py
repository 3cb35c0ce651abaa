"""The explorer's controls: ipywidgets built once, labelled in the reader's language.

:class:`Controls` creates every control, puts labels and options into a language
(:meth:`Controls.relabel`, values kept) and reads the current values as a
:class:`~impact.apps.explorer.state.Selection`. It wires nothing: the app observes the
controls. Every control is a native form element (select, button, date input),
so all of them are reachable and operable with the keyboard.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import traitlets

from impact.apps.explorer.data import GROUP_KINDS, KIND_NAMES, indicator_ids, month_starts
from impact.apps.explorer.state import Selection
from impact.core.catalog import Catalog
from impact.core.i18n import N_, format_date, language_name, languages, texts

__all__ = ["Controls", "language_name"]

_WIDE = {"description_width": "initial"}
_ENTITIES = {"guiding_idea": "guiding_ideas", "principle": "principles", "perspective": "perspectives"}
GROUP_LABELS = {"guiding_idea": N_("Guiding idea"), "principle": N_("Principle"), "perspective": N_("Perspective")}


class Controls:
    """Every control of the explorer (see the attribute list in :class:`impact.apps.explorer.app.Explorer`)."""

    def __init__(self, catalog: Catalog, lang: str, as_of: dt.date, months: Sequence[dt.date],
                 known_at: dt.date | None = None) -> None:
        self.catalog = catalog
        project_ids = list(catalog.projects)
        self.title = w.HTML()
        self.language = w.ToggleButtons(options=[(language_name(code), code) for code in languages()],
                                        value=lang, style=_WIDE)
        self.as_of = w.DatePicker(value=as_of, style=_WIDE)
        self.known_at = w.DatePicker(value=known_at, style=_WIDE)
        self.dates_help = w.HTML()
        self.projects = w.SelectMultiple(options=[], rows=min(6, max(2, len(project_ids))), style=_WIDE,
                                         layout=w.Layout(width="30em"))
        self.guiding_idea = w.Dropdown(options=[("", "")], value="", style=_WIDE, layout=w.Layout(width="24em"))
        self.principle = w.Dropdown(options=[("", "")], value="", style=_WIDE, layout=w.Layout(width="24em"))
        self.perspective = w.Dropdown(options=[("", "")], value="", style=_WIDE, layout=w.Layout(width="24em"))
        self.effect = w.Dropdown(options=[("", "")], value="", style=_WIDE, layout=w.Layout(width="24em"))
        self.indicators = w.SelectMultiple(options=[], rows=8, style=_WIDE, layout=w.Layout(width="42em"))
        self.time_range = MonthRange(months)
        self.breakdown = w.Dropdown(options=[("", "")], value="", style=_WIDE)
        self.score_kind = w.ToggleButtons(options=[(k, k) for k in GROUP_KINDS], value="guiding_idea", style=_WIDE)
        self.relabel(lang)
        self.projects.value = tuple(project_ids)

    # ------------------------------------------------------------------ layout
    def box(self) -> w.Widget:
        """The controls arranged above the charts."""
        return w.VBox([
            self.title,
            w.HBox([self.language, self.as_of, self.known_at], layout=w.Layout(flex_flow="row wrap")),
            self.dates_help,
            w.HBox([self.projects, w.VBox([self.guiding_idea, self.principle, self.perspective, self.effect]),
                    self.indicators], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.time_range, self.breakdown], layout=w.Layout(flex_flow="row wrap")),
            self.score_kind,
        ])

    # ------------------------------------------------------------------ labels
    def relabel(self, lang: str) -> None:
        """Put every label and option text into ``lang``, keeping every value."""
        _ = texts(lang)
        cat = self.catalog
        title = _("Smart City Berlin impact measurement – explorer")
        lost = _("The connection to the explorer was lost. Reload the page to continue.")
        # data-impact-*: the served page sets <html lang>, its title and the disconnection notice from these
        self.title.value = (f'<h1 style="font-size:1.5em" data-impact-lang="{html.escape(lang)}" '
                            f'data-impact-title="{html.escape(title)}" data-impact-disconnected="{html.escape(lost)}">'
                            f"{html.escape(title)}</h1>")
        self.language.description = _("Language")
        self.as_of.description = _("Reference date")
        self.known_at.description = _("Knowledge date")
        help_text = _("Reference date: which periods count (those that began by then). Knowledge date: which "
                      "submissions count (those received by the end of that day; empty = everything received "
                      "so far).")
        self.dates_help.value = f'<p style="margin:0 0 0.5em;font-size:90%">{html.escape(help_text)}</p>'
        self.projects.description = _("Projects")
        self.indicators.description = _("Indicators")
        self.time_range.relabel(lang)
        self.breakdown.description = _("Breakdown")
        self.score_kind.description = _("Scores by")
        _keep(self.projects, [(p.name.get(lang), p.id) for p in cat.projects.values()])
        for kind in GROUP_KINDS:
            ctl = getattr(self, kind)
            ctl.description = _(GROUP_LABELS[kind])
            entities = getattr(cat, _ENTITIES[kind]).values()
            _keep(ctl, [(_("(all)"), "")] + [(e.name.get(lang), e.id) for e in entities])
        self.effect.description = _("Effect")
        _keep(self.effect, [(_("(all)"), ""), (_("intended effects"), "intended"), (_("side effects"), "unintended")])
        _keep(self.breakdown, [(_("(none)"), "")] + [(b.name.get(lang), b.id) for b in cat.breakdowns.values()])
        _keep(self.score_kind, [(_(KIND_NAMES[k]), k) for k in GROUP_KINDS])
        ids = [v for _label, v in self.indicators.options]
        _keep(self.indicators, self.indicator_options(ids, lang))

    def indicator_options(self, ids: Sequence[str], lang: str) -> list[tuple[str, str]]:
        """Options of the indicator list: each name with its unit."""
        from impact.apps.explorer.styles import unit_label

        out = []
        for i in ids:
            unit = unit_label(self.catalog, i, lang)
            out.append((f"{self.catalog.indicators[i].name.get(lang)} ({unit})" if unit else
                        self.catalog.indicators[i].name.get(lang), i))
        return out

    # ------------------------------------------------------------------ values
    def selected_group(self) -> str:
        """The chosen guiding idea, principle or perspective of the score view's kind ("" = none)."""
        return str(getattr(self, self.score_kind.value).value)

    def offered_indicators(self) -> list[str]:
        """Ids of the indicators the project, group and effect filters leave, in catalog order."""
        return indicator_ids(self.catalog, self.projects.value, self.guiding_idea.value or None,
                             self.principle.value or None, self.perspective.value or None,
                             effect=self.effect.value or None)

    def has_group_filter(self) -> bool:
        """Whether a guiding idea, principle or perspective is chosen."""
        return bool(self.guiding_idea.value or self.principle.value or self.perspective.value)

    def update_indicators(self, lang: str) -> None:
        """Offer the indicators the filters leave. A chosen group selects every indicator behind it
        (the drill-down); otherwise the chosen ones stay chosen (or the first is chosen)."""
        ids = self.offered_indicators()
        if self.has_group_filter():
            chosen = tuple(ids)
        else:
            chosen = tuple(i for i in self.indicators.value if i in ids) or tuple(ids[:1])
        self.indicators.options = self.indicator_options(ids, lang)
        self.indicators.value = chosen

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        """First and last day of the chosen months (``None, None`` without any month)."""
        if not self.time_range.value:
            return None, None
        start, end = self.time_range.value
        last = month_starts(end, end)[0]
        after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return start, after - dt.timedelta(days=1)

    def selection(self, lang: str) -> Selection:
        """The current values of every control the charts and the table read."""
        start, end = self.date_range()
        return Selection(lang=lang, as_of=self.as_of.value, known_at=self.known_at.value,
                         projects=tuple(self.projects.value),
                         indicators=tuple(self.indicators.value), start=start, end=end,
                         breakdown=str(self.breakdown.value or ""), kind=str(self.score_kind.value),
                         group=self.selected_group())


class MonthRange(w.HBox):  # type: ignore[misc]
    """A time range as two lists of months, "from" and "to": native selects, so they are labelled
    and work with the keyboard (a range slider's handles are neither).

    :attr:`value` is ``(first month, last month)`` (first days of months, in order); setting it
    moves both lists, choosing in a list sets it. :attr:`options` are ``(label, month)`` pairs."""

    value = traitlets.Tuple()

    def __init__(self, months: Sequence[dt.date]) -> None:
        self._months = list(months)
        pairs = [(m.isoformat(), m) for m in self._months]
        self.start = w.Dropdown(options=pairs, value=self._months[0], style=_WIDE)
        self.end = w.Dropdown(options=pairs, value=self._months[-1], style=_WIDE)
        super().__init__([self.start, self.end])
        self.add_class("impact-time-range")
        self._pushing = False
        self.value = (self._months[0], self._months[-1])
        for part in (self.start, self.end):
            part.observe(self._from_lists, names="value")

    @property
    def options(self) -> tuple[tuple[str, dt.date], ...]:
        return tuple(self.start.options)

    @property
    def description(self) -> str:
        return str(self.start.description)

    def relabel(self, lang: str) -> None:
        """Labels and month names in ``lang`` ("Jan. 2022" / "Jan 2022"), values kept."""
        _ = texts(lang)
        self._pushing = True
        try:
            self.start.description = _("Time range from")
            self.end.description = _.pgettext("time range", "to")
            pairs = [(format_date(m, lang, "MMM y"), m) for m in self._months]
            _keep(self.start, pairs)
            _keep(self.end, pairs)
        finally:
            self._pushing = False

    @traitlets.validate("value")
    def _ordered(self, proposal: dict[str, Any]) -> tuple[dt.date, dt.date]:
        first, last = proposal["value"]
        first = max(m for m in self._months if m <= first) if first >= self._months[0] else self._months[0]
        last = max(m for m in self._months if m <= last) if last >= self._months[0] else self._months[0]
        return (first, last) if first <= last else (last, first)

    @traitlets.observe("value")
    def _to_lists(self, change: dict[str, Any]) -> None:
        self._pushing = True
        try:
            self.start.value, self.end.value = change["new"]
        finally:
            self._pushing = False

    def _from_lists(self, change: dict[str, Any]) -> None:
        if not self._pushing:
            self.value = (self.start.value, self.end.value)


def _keep(widget: Any, options: list[tuple[str, Any]]) -> None:
    """Replace ``widget``'s options and restore its value (ipywidgets resets it otherwise)."""
    value = widget.value
    widget.options = options
    widget.value = value
