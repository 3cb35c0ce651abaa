"""Writing review events: ask, answer, resolve, approve, reopen (each under the writer lock).

The events and what they mean are in :mod:`impact.store.review`; :class:`impact.store.Store`
offers these as methods. Each check runs under the lock on the store as it is then, so an
approval and an ingest never interleave: either the ingest commits first (and its value is the
one approved) or the approval does (and the ingest is refused with ``value_approved``).

Refusals raise :class:`impact.store.errors.ReviewError`: exit code 2 when the request names
something that is not there (no such value or query, empty text), 1 when the data's state
forbids it (an approved value, a resolved query).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.core.errors import EXIT_INVALID
from impact.core.i18n import N_
from impact.store import review
from impact.store.errors import ReviewError
from impact.store.guards import key_label, keyed
from impact.store.layout import iso, utc_now
from impact.store.review import Key, Query, key_dict, key_of, normal_period
from impact.store.values import latest_per_key

if TYPE_CHECKING:
    from impact.store.store import Store

__all__ = ["MAX_TEXT", "answer", "approve", "ask", "reopen", "resolve"]

#: The longest question, answer or reason accepted (characters).
MAX_TEXT = 4000


def _text(text: str | None, empty: str) -> str:
    """``text`` without surrounding blanks; ``empty`` (a marked message) when there is none."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ReviewError(empty)
    if len(cleaned) > MAX_TEXT:
        raise ReviewError(N_("The text is longer than {limit} characters."), limit=MAX_TEXT)
    return cleaned


def _match(frame: pd.DataFrame, key: Key) -> pd.DataFrame:
    """The rows of ``frame`` with ``key``."""
    if frame.empty:
        return frame
    texts_ = keyed(frame)
    hit = pd.Series(True, index=frame.index)
    for column, part in zip(review.KEY, key, strict=True):
        hit &= texts_[column] == part
    return frame[hit]


def _by(by: str | None) -> str:
    return (by or "").strip()[:200] or "unknown"


def _commit(store: Store, events: list[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    at = review.next_instant(events, utc_now(), strict=False)
    event = {**event, "at": iso(at)}
    store.append_event(event)
    return event


def _current(store: Store) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    snap = store.snapshot()
    return snap.events, latest_per_key(snap.values)


def _scope(current: pd.DataFrame, project: str, period: str, indicator: str | None) -> pd.DataFrame:
    hit = (current["project_id"] == project) & (current["period"] == period)
    if indicator:
        hit &= current["indicator_id"] == indicator
    return current[hit]


def _scope_label(project: str, period: str, indicator: str | None) -> str:
    return f"{project} / {indicator} / {period}" if indicator else f"{project} / {period}"


def ask(store: Store, project: str, indicator: str, period: str, text: str, *, by: str | None,
        breakdown: str = "", breakdown_value: str = "") -> Query:
    """Record a question about the current value of one key; returns the new query."""
    question = _text(text, N_("The question is empty: write it with --text."))
    key: Key = (project, indicator, normal_period(period), breakdown or "", breakdown_value or "")
    with store.writing():
        events, current = _current(store)
        row = _match(current, key)
        if row.empty:
            raise ReviewError(N_("No stored value for {key}."), key=key_label(*key))
        approved = review.approvals(events)
        hit = _match(approved, key)
        if not hit.empty:
            raise ReviewError(N_("The value {key} was approved on {approved_at} by {approved_by}; reopen it "
                                 "before asking about it."), exit_code=EXIT_INVALID, key=key_label(*key),
                              approved_at=hit["approved_at"].iloc[0].date().isoformat(),
                              approved_by=hit["approved_by"].iloc[0])
        known = review.queries(events)
        qid = "q-" + secrets.token_hex(4)
        while qid in known:
            qid = "q-" + secrets.token_hex(4)
        _commit(store, events, {"event": "query", "id": qid, **key_dict(key), "value": float(row["value"].iloc[0]),
                                "text": question, "by": _by(by)})
        return review.queries(store.events())[qid]


def _open_query(events: list[dict[str, Any]], query_id: str, project: str | None) -> Query:
    q = review.queries(events).get(str(query_id).strip())
    if q is None or (project is not None and q.project_id != project):
        raise ReviewError(N_("Unknown query {id}."), id=query_id)
    if q.state == "resolved":
        at = q.resolved_at.date().isoformat() if q.resolved_at is not None else "?"
        raise ReviewError(N_("Query {id} was closed on {date} by {by}; it cannot be answered or resolved again."),
                          exit_code=EXIT_INVALID, id=q.id, date=at, by=q.resolved_by or "?")
    return q


def _on_query(store: Store, kind: str, query_id: str, text: str, by: str | None, project: str | None) -> Query:
    """Record an ``answer`` or ``resolve`` event for an unresolved query; returns the query then."""
    with store.writing():
        events = store.events()
        q = _open_query(events, query_id, project)
        _commit(store, events, {"event": kind, "query": q.id, "text": text, "by": _by(by)})
        return review.queries(store.events())[q.id]


def answer(store: Store, query_id: str, text: str, *, by: str | None, project: str | None = None) -> Query:
    """A team's text reply to an unresolved query (``project``: the team's, when it must match)."""
    return _on_query(store, "answer", query_id, _text(text, N_("The answer is empty.")), by, project)


def resolve(store: Store, query_id: str, text: str, *, by: str | None) -> Query:
    """The evaluator closes a query with a closing note."""
    note = _text(text, N_("The closing note is empty: write it with --text."))
    return _on_query(store, "resolve", query_id, note, by, None)


def approve(store: Store, project: str, period: str, *, by: str | None, indicator: str | None = None
            ) -> list[dict[str, Any]]:
    """Approve the current values of ``project`` in ``period`` (optionally one ``indicator``) that are
    not approved yet; returns them (key columns, ``submission_id``, ``value``), empty when all were."""
    period = normal_period(period)
    with store.writing():
        events, current = _current(store)
        scope = _scope(current, project, period, indicator) if not current.empty else current
        if scope.empty:
            raise ReviewError(N_("No stored values for {what}."), what=_scope_label(project, period, indicator))
        already = {key_of(r) for r in review.approvals(events).to_dict("records")}
        keys = [{**key_dict(key_of(r)), "submission_id": r["submission_id"], "value": float(r["value"])}
                for r in scope.to_dict("records") if key_of(r) not in already]
        if not keys:
            return []
        resolves = review.queries_about(events, [key_of(k) for k in keys])
        _commit(store, events, {"event": "approve", "project_id": project, "period": period,
                                "indicator_id": indicator, "keys": keys, "resolves": resolves, "by": _by(by)})
        return keys


def reopen(store: Store, project: str, period: str, reason: str, *, by: str | None,
           indicator: str | None = None) -> list[dict[str, Any]]:
    """Unlock the approved values of ``project`` in ``period`` (optionally one ``indicator``) with a
    ``reason``; returns the keys reopened."""
    why = _text(reason, N_("Reopening approved values needs a reason (--reason)."))
    period = normal_period(period)
    with store.writing():
        events = store.events()
        approved = review.approvals(events)
        scope = _scope(approved, project, period, indicator)
        if scope.empty:
            raise ReviewError(N_("No approved values for {what}; nothing to reopen."),
                              what=_scope_label(project, period, indicator))
        keys = [key_dict(key_of(r)) for r in scope.to_dict("records")]
        _commit(store, events, {"event": "reopen", "project_id": project, "period": period,
                                "indicator_id": indicator, "keys": keys, "reason": why, "by": _by(by)})
        return keys
