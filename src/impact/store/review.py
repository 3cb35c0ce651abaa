"""Review events in the ledger: queries to a team, their answers, approval and reopening.

Every step is one ledger line (append-only, under the writer lock), with ``by`` (who) and ``at``
(UTC, not earlier than any earlier event, so the ledger's order is the time order):

* ``query``   — an evaluator's question about one value: ``id`` (``q-`` + 8 hex), the key
  columns, ``value`` (the value asked about), ``text``;
* ``answer``  — a team's text reply to a query: ``query``, ``text``. A correction of the queried
  value answers it too: the submission's own ledger line lists the query ids in ``answers``;
* ``resolve`` — the evaluator closes a query: ``query``, ``text``;
* ``approve`` — the current values of a project and period (optionally one indicator) are
  approved: ``keys`` (key columns, ``submission_id``, ``value`` of each); the line lists the
  unresolved queries about them in ``resolves`` (approval closes them);
* ``reopen``  — approved values are unlocked again: ``keys``, ``reason``.

A value's **review state** (:data:`STATES`): ``approved`` while its key's last approve/reopen
event is an approval, else ``queried`` while a query about it is not resolved, else ``pending``.
Everything here is computed from the events; :class:`impact.store.Store` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from impact.core.periods import parse_period
from impact.core.schema import KEY_COLUMNS, knowledge_cutoff
from impact.store.guards import keyed

__all__ = ["Answer", "EVENTS", "answered_by", "QUERY_STATES", "Query", "STATES", "approvals", "event_time", "known_events",
           "key_of", "next_instant", "normal_period", "queries", "queries_about", "review_frame",
           "with_review_state"]

#: The review events of the ledger.
EVENTS = ("query", "answer", "resolve", "approve", "reopen")
#: A value's review state.
STATES = ("pending", "queried", "approved")
#: A query's state.
QUERY_STATES = ("open", "answered", "resolved")

Key = tuple[str, str, str, str, str]
KEY = list(KEY_COLUMNS)


def key_of(record: dict[str, Any] | pd.Series) -> Key:
    """The key of a value, an event or a key dict as a tuple of texts (missing breakdown = ``""``)."""
    out = []
    for c in KEY_COLUMNS:
        v = record.get(c)
        out.append("" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
    return (out[0], out[1], out[2], out[3], out[4])


def key_dict(key: Key) -> dict[str, str]:
    return dict(zip(KEY_COLUMNS, key, strict=True))


def normal_period(text: str) -> str:
    """The canonical label of a period text (``2024q2`` → ``2024-Q2``); unparseable text unchanged."""
    p = parse_period(text)
    return p.label if p is not None else str(text).strip()


def event_time(event: dict[str, Any]) -> pd.Timestamp | None:
    """When an event happened (``at``, or ``received_at`` for submissions and recoveries), UTC."""
    raw = event.get("at") or event.get("received_at")
    return pd.Timestamp(raw) if raw else None


def next_instant(events: Iterable[dict[str, Any]], now: pd.Timestamp, *, strict: bool = True) -> pd.Timestamp:
    """``now``, unless the latest event is not earlier: then 1 µs after it (``strict``, for
    submissions) or its time (review steps). Keeps time order = ledger order, so a knowledge date
    always cuts the ledger after a prefix; a review step stamped like the event before it stays
    inside a knowledge date that is "now" on a pinned clock (``IMPACT_NOW``)."""
    times = [t for t in (event_time(e) for e in events) if t is not None]
    last = max(times, default=None)
    if last is None or now > last:
        return now
    return last + pd.Timedelta(microseconds=1) if strict else last


def known_events(events: list[dict[str, Any]], known_at: Any) -> list[dict[str, Any]]:
    """The events that happened by the knowledge date ``known_at`` (all for ``None``)."""
    cutoff = knowledge_cutoff(known_at)
    if cutoff is None:
        return events
    return [e for e in events if (t := event_time(e)) is not None and t <= cutoff]


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Answer:
    """A reply to a query: ``kind`` ``text`` (a team's words) or ``correction`` (a corrected value)."""

    kind: str
    at: pd.Timestamp
    by: str | None
    text: str | None = None
    submission_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at.isoformat(), "by": self.by, "text": self.text,
                "submission_id": self.submission_id}


@dataclass(frozen=True)
class Query:
    """An evaluator's question about one value, with its answers and state (:data:`QUERY_STATES`)."""

    id: str
    project_id: str
    indicator_id: str
    period: str
    breakdown: str
    breakdown_value: str
    text: str
    by: str | None
    at: pd.Timestamp
    value: float | None
    state: str = "open"
    answers: tuple[Answer, ...] = field(default_factory=tuple)
    resolved_at: pd.Timestamp | None = None
    resolved_by: str | None = None
    resolution: str | None = None

    @property
    def key(self) -> Key:
        return (self.project_id, self.indicator_id, self.period, self.breakdown, self.breakdown_value)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times ISO 8601 UTC)."""
        return {"id": self.id, **key_dict(self.key), "value": self.value, "text": self.text, "by": self.by,
                "at": self.at.isoformat(), "state": self.state, "answers": [a.to_json() for a in self.answers],
                "resolved_at": self.resolved_at.isoformat() if self.resolved_at is not None else None,
                "resolved_by": self.resolved_by, "resolution": self.resolution}


def _with(q: Query, **changes: Any) -> Query:
    return Query(**{**q.__dict__, **changes})


def queries(events: list[dict[str, Any]]) -> dict[str, Query]:
    """Every query by id, in the order asked, with its answers and state."""
    out: dict[str, Query] = {}
    for e in events:
        kind, at = e.get("event"), event_time(e)
        if kind == "query" and at is not None:
            value = e.get("value")
            out[e["id"]] = Query(e["id"], *key_of(e), text=str(e.get("text") or ""), by=e.get("by"), at=at,
                                 value=float(value) if value is not None else None)
        elif kind == "answer" and e.get("query") in out and at is not None:
            q = out[e["query"]]
            out[q.id] = _with(q, answers=(*q.answers, Answer("text", at, e.get("by"), e.get("text"))),
                              state="answered" if q.state == "open" else q.state)
        elif kind == "submission" and e.get("status") == "accepted" and at is not None:
            for qid in e.get("answers") or []:
                if qid in out:
                    q = out[qid]
                    ans = Answer("correction", at, e.get("token_id"), None, e.get("submission_id"))
                    out[qid] = _with(q, answers=(*q.answers, ans), state="answered" if q.state == "open" else q.state)
        elif kind == "resolve" and e.get("query") in out:
            out[e["query"]] = _with(out[e["query"]], state="resolved", resolved_at=at, resolved_by=e.get("by"),
                                    resolution=e.get("text"))
        elif kind == "approve":
            for qid in e.get("resolves") or []:
                if qid in out and out[qid].state != "resolved":
                    out[qid] = _with(out[qid], state="resolved", resolved_at=at, resolved_by=e.get("by"),
                                     resolution=None)
    return out


def queries_about(events: list[dict[str, Any]], keys: Iterable[Key]) -> list[str]:
    """Ids of the unresolved queries about any of ``keys``."""
    wanted = set(keys)
    return [q.id for q in queries(events).values() if q.state != "resolved" and q.key in wanted]


def answered_by(events: list[dict[str, Any]], frame: pd.DataFrame) -> list[str]:
    """Ids of the unresolved queries about a key of ``frame`` (a new submission answers them)."""
    unresolved = [q for q in queries(events).values() if q.state != "resolved"]
    if not unresolved or frame.empty:
        return []
    present = pd.MultiIndex.from_frame(keyed(frame)).drop_duplicates()
    found = present.isin([q.key for q in unresolved])
    hits = set(present[found])
    return [q.id for q in unresolved if q.key in hits]


# --------------------------------------------------------------------------- approval and state


def approvals(events: list[dict[str, Any]]) -> pd.DataFrame:
    """The keys approved now: key columns, ``submission_id``, ``value``, ``approved_at``, ``approved_by``."""
    approved: dict[Key, dict[str, Any]] = {}
    for e in events:
        kind = e.get("event")
        if kind == "approve":
            for k in e.get("keys") or []:
                approved[key_of(k)] = {"submission_id": k.get("submission_id"), "value": k.get("value"),
                                       "approved_at": event_time(e), "approved_by": e.get("by")}
        elif kind == "reopen":
            for k in e.get("keys") or []:
                approved.pop(key_of(k), None)
    rows = [{**key_dict(k), **v} for k, v in approved.items()]
    columns = [*KEY, "submission_id", "value", "approved_at", "approved_by"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["approved_at"] = pd.to_datetime(frame["approved_at"], utc=True)
    frame["value"] = frame["value"].astype(float)
    return frame


def _states(keys: pd.DataFrame, events: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """For the rows of ``keys`` (key columns as text): the review state of each, the position of its
    approval in the returned approvals (-1 when not approved), and the approvals."""
    state = np.full(len(keys), "pending", dtype=object)
    position = np.full(len(keys), -1, dtype=np.int64)
    approved = approvals(events)
    queried = [q.key for q in queries(events).values() if q.state != "resolved"]
    if keys.empty or (approved.empty and not queried):
        return state, position, approved
    index = pd.MultiIndex.from_frame(keys[KEY])
    if queried:
        state[index.isin(queried)] = "queried"
    if not approved.empty:
        position = pd.MultiIndex.from_frame(keyed(approved)).get_indexer(index)
        state[position >= 0] = "approved"
    return state, position, approved


def review_frame(current: pd.DataFrame, events: list[dict[str, Any]]) -> pd.DataFrame:
    """Per current value (one row per key): key columns, ``submission_id``, ``review_state``,
    ``approved_at``, ``approved_by``."""
    out = keyed(current).reset_index(drop=True)
    out["submission_id"] = current["submission_id"].to_numpy() if "submission_id" in current else None
    state, position, approved = _states(out, events)
    hit = position >= 0
    out["review_state"] = state
    at = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
    by = pd.Series(None, index=out.index, dtype=object)
    if hit.any():
        at[hit] = pd.to_datetime(approved["approved_at"], utc=True).to_numpy()[position[hit]]
        by[hit] = approved["approved_by"].to_numpy(dtype=object)[position[hit]]
    out["approved_at"], out["approved_by"] = at, by
    return out[[*KEY, "submission_id", "review_state", "approved_at", "approved_by"]]


def _naive_utc(times: pd.Series) -> np.ndarray:
    """UTC times as a numpy ``datetime64`` array (fast to compare)."""
    return pd.to_datetime(times, utc=True).dt.tz_convert(None).to_numpy()


def with_review_state(values: pd.DataFrame, events: list[dict[str, Any]], approved_only: bool = False) -> pd.DataFrame:
    """``values`` with a ``review_state`` column (the state of each row's key).

    ``approved_only`` keeps the rows of approved keys received by their approval, so that the
    newest row per key is the approved one.
    """
    out = values.copy()
    if not any(e.get("event") in ("query", "approve") for e in events):  # nothing reviewed yet: all pending
        out["review_state"] = np.full(len(out), "pending", dtype=object)
        return out.iloc[0:0] if approved_only else out
    state, position, approved = _states(keyed(out), events)
    out["review_state"] = state
    if not approved_only:
        return out
    hit = position >= 0
    keep = hit.copy()
    if hit.any():
        approved_at = _naive_utc(approved["approved_at"])[position[hit]]
        received = _naive_utc(out["received_at"])[hit]
        keep[hit] = received <= approved_at
    return out[keep].reset_index(drop=True)
