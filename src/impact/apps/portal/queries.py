"""The evaluation unit's questions to a team, shown after sign-in (issue 13, item 4).

The team sees each question that is not resolved yet — indicator, period (and breakdown), the
value now stored, the question, when it was asked — and answers it by uploading a corrected file
(the store records an accepted correction of that value as an answer) or by replying in text.
Evaluators read the replies with ``impact review list``.

The store's side is the contract in ``docs/ARCHITECTURE.md`` ("Evidence, quality and review"):
``Store.queries(project, state)`` and ``Store.answer_query(query_id, text, by=token id)``.
A reply is checked in the kernel like every other action: the sign-in is re-checked, the
question must belong to the signed-in project (the browser can send any id), the text is
limited in length; everything shown is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from impact.apps.portal.html import esc, facts_html, message_html, tag
from impact.apps.portal.serverlog import log
from impact.core.i18n import N_, format_date, format_number, texts
from impact.core.schema import KEY_COLUMNS

__all__ = ["MAX_REPLY_CHARS", "QueriesPanel", "query_key"]

MAX_REPLY_CHARS = 2000
_SHOWN_STATES = ("open", "answered")  # resolved questions are the evaluation unit's business


def query_key(query: Any) -> dict[str, str]:
    """The key of the value a query is about (``KEY_COLUMNS`` → text, ``""`` for none)."""
    key = getattr(query, "key", None)
    if isinstance(key, Mapping):
        raw = {c: key.get(c) for c in KEY_COLUMNS}
    elif isinstance(key, (tuple, list)):
        raw = dict(zip(KEY_COLUMNS, key, strict=False))
    else:
        raw = {c: getattr(query, c, None) for c in KEY_COLUMNS}
    return {c: "" if raw.get(c) is None or pd.isna(raw.get(c)) else str(raw[c]) for c in KEY_COLUMNS}


def _answers(query: Any) -> list[Mapping[str, Any]]:
    """A query's answers as mappings (the store may give mappings or objects with attributes)."""
    fields = ("text", "by", "at", "submission_id")
    return [a if isinstance(a, Mapping) else {f: getattr(a, f, None) for f in fields}
            for a in (getattr(query, "answers", None) or [])]


class QueriesPanel:
    """The team's unresolved queries, each with a reply box (see :mod:`impact.apps.portal.app`,
    which calls :meth:`render` and routes the reply buttons through its guarded ``reply``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.widget = w.VBox()
        self.notice: tuple[str, str, dict[str, Any]] | None = None  # kind, N_ text, fields
        self._boxes: dict[str, tuple[w.Textarea, w.Button]] = {}  # kept across renders: typed text survives

    # -- reading ---------------------------------------------------------------------------
    def queries(self, project: str) -> list[Any]:
        """The project's unresolved queries, oldest first (none while the store keeps none)."""
        reader = getattr(self.app.store, "queries", None)
        if reader is None:
            return []
        found = [q for q in reader(project=project) if getattr(q, "state", "open") in _SHOWN_STATES]
        found = [q for q in found if query_key(q)["project_id"] in ("", project)]
        return sorted(found, key=lambda q: str(getattr(q, "at", "")))

    def _stored_values(self, project: str) -> dict[tuple[str, ...], Any]:
        current = self.app.store.current()
        if current.empty:
            return {}
        rows = current[current["project_id"].astype(str) == project]
        keys = rows[list(KEY_COLUMNS)].fillna("").astype(str)
        return dict(zip(keys.itertuples(index=False, name=None), rows["value"], strict=True))

    # -- rendering -------------------------------------------------------------------------
    def render(self) -> None:
        """Show the signed-in team's questions in the page's language (nothing when there are none)."""
        signin, lang = self.app.signin, self.app.lang
        if signin is None:
            self.widget.children = ()
            self._boxes.clear()
            return
        _ = texts(lang)
        try:
            queries = self.queries(signin.project)
            values = self._stored_values(signin.project) if queries else {}
        except Exception:  # the questions must never block submitting: details to the server log
            log.exception("portal: the questions of %s cannot be read", signin.project)
            self.widget.children = (w.HTML(message_html("warning", _(
                "The questions of the evaluation unit cannot be shown right now; uploading still works."))),)
            return
        children: list[w.Widget] = []
        if queries or self.notice:
            intro = _("Please answer by uploading a corrected file below (a correction of the value answers "
                      "the question) or by replying here.")
            children.append(w.HTML(tag("h2", _("Questions from the evaluation unit")) + (tag("p", intro)
                                                                                         if queries else "")))
        if self.notice:
            kind, text, fields = self.notice
            children.append(w.HTML(message_html(kind, _(text, **fields))))
        for q in queries:
            children.extend(self._render_query(q, values, lang))
        self._boxes = {qid: box for qid, box in self._boxes.items() if qid in {str(q.id) for q in queries}}
        self.widget.children = tuple(children)

    def _render_query(self, q: Any, values: dict[tuple[str, ...], Any], lang: str) -> list[w.Widget]:
        _ = texts(lang)
        key = query_key(q)
        qid = str(q.id)
        period = key["period"]
        if key["breakdown"]:
            period += f" – {key['breakdown']}: {key['breakdown_value']}"
        facts = [(_("Indicator"), self.app.indicator_name(key["indicator_id"])), (_("Period"), period),
                 (_("Stored value"), self._value_text(key, values, lang)), (_("Question"), getattr(q, "text", "")),
                 (_("Asked on"), format_date(_timestamp(getattr(q, "at", None)), lang)),
                 (_("State"), _("answered") if getattr(q, "state", "open") == "answered" else _("open"))]
        for a in _answers(q):
            when = format_date(_timestamp(a.get("at")), lang)
            if a.get("submission_id"):
                facts.append((_("Answered on {when}", when=when),
                              _("by the corrected file {id}", id=str(a["submission_id"])[:12])))
            else:
                facts.append((_("Your reply of {when}", when=when), a.get("text") or ""))
        title = _("Question {id}", id=qid)
        card = w.HTML(f'<div class="impact-query" data-query-id="{esc(qid)}">{tag("h3", title)}'
                      f"{facts_html(facts, css='impact-query-facts')}</div>")
        box, button = self._boxes.get(qid) or self._new_box(qid)
        box.description = _("Reply")
        box.placeholder = _("Your answer to question {id}", id=qid)
        button.description = _("Send reply")
        button.tooltip = _("Send the reply to question {id}", id=qid)
        return [card, box, button]

    def _new_box(self, qid: str) -> tuple[w.Textarea, w.Button]:
        box = w.Textarea(value="", rows=3, layout=w.Layout(width="40rem", max_width="100%"))
        box.add_class("impact-reply")
        button = w.Button()
        button.add_class("impact-reply-send")
        button.on_click(lambda _b: self.app.reply(qid))
        self._boxes[qid] = (box, button)
        return box, button

    def _value_text(self, key: dict[str, str], values: dict[tuple[str, ...], Any], lang: str) -> str:
        _ = texts(lang)
        value = values.get(tuple(key[c] for c in KEY_COLUMNS))
        if value is None or pd.isna(value):
            return _("none stored")
        ind = self.app.catalog.indicators.get(key["indicator_id"])
        unit = self.app.catalog.units.get(ind.unit) if ind else None
        number = format_number(value, lang, 3)
        if unit is None or not unit.symbol:
            return number
        # a symbol that is a German word ("Anzahl") is shown as the unit's name in other languages
        shown = unit.symbol if lang == "de" or unit.symbol != unit.name.de else unit.name.get(lang)
        return f"{number} {shown}"

    # -- replying --------------------------------------------------------------------------
    def send(self, project: str, token_id: str, qid: str) -> bool:
        """Record the typed reply to ``qid`` (already re-checked sign-in: ``project``, ``token_id``);
        whether it was recorded (otherwise the panel says why)."""
        from impact.store.store import StoreError

        sent = False
        box = self._boxes.get(qid)
        text = (box[0].value if box else "").strip()
        if qid not in {str(q.id) for q in self.queries(project)}:
            self.notice = ("error", N_("This question is not open for your project (any more)."), {})
        elif not text:
            self.notice = ("error", N_("Please write a reply first."), {})
        elif len(text) > MAX_REPLY_CHARS:
            self.notice = ("error", N_("The reply is too long: at most {n} characters."), {"n": MAX_REPLY_CHARS})
        else:
            try:
                self.app.store.answer_query(qid, text, by=token_id)
            except StoreError as exc:
                self.notice = ("error", N_("The reply could not be recorded: {reason}"),
                               {"reason": exc.message(self.app.lang)})
            else:
                box[0].value = ""  # type: ignore[index]
                sent = True
                self.notice = ("ok", N_("Your reply to question {id} has been sent to the evaluation unit."), {"id": qid})
        self.render()
        return sent


def _timestamp(value: Any) -> Any:
    """A UTC ``pd.Timestamp`` from whatever the store gives (None when unreadable)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(ts):
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
