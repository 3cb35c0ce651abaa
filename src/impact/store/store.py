"""The Parquet store: accepted values, the ledger, the archive of originals, the quarantine.

:class:`Store` ties the pieces together; each has its own module: paths and format marker
(:mod:`~impact.store.layout`), the ledger (:mod:`~impact.store.ledger`), values files
(:mod:`~impact.store.values`), archive and quarantine (:mod:`~impact.store.archive`), cleaning up
after a killed writer (:mod:`~impact.store.recovery`), review events (:mod:`~impact.store.review`).

**Commit point.** A submission exists once its ledger line — terminated by a newline and
fsynced — is in ``ledger.jsonl``. Writers (one at a time, under ``.lock``) first write the
archive copy and the values file (each to a temp name, fsynced, renamed), then append the
ledger line. Readers use only values files named by committed ledger lines, so a process killed
at any moment leaves no partial submission visible.

Nothing is overwritten: a later value for the same key (:data:`impact.core.schema.KEY_COLUMNS`)
is a correction; :meth:`Store.values` returns the whole history and :meth:`Store.current` the
newest value per key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa

from impact.core.errors import Problem
from impact.core.i18n import texts
from impact.core.locking import LockBusyError, exclusive_lock
from impact.core.schema import KEY_COLUMNS, VALUE_COLUMNS, knowledge_cutoff
from impact.store import archive, guards, ledger, review, reviewing
from impact.store.errors import StoreDamagedError, StoreError, StoreFormatError
from impact.store.layout import (
    DEFAULT_LOCK_TIMEOUT,
    FORMAT_NAME,
    FORMAT_VERSION,
    PAUSE_ENV,
    Layout,
    iso,
    sha256_hex,
    utc_now,
)
from impact.store.ledger import LEDGER_COLUMNS
from impact.store.recovery import describe, recover
from impact.store.review import Query
from impact.store.values import ValuesFiles, frame_to_table, latest_per_key, to_frame

__all__ = [
    # defined here
    "AppendResult", "Guard", "Snapshot", "Store", "count_corrections",
    # the store's names, importable from here as before the split
    "DEFAULT_LOCK_TIMEOUT", "FORMAT_VERSION", "KEY_COLUMNS", "LEDGER_COLUMNS", "PAUSE_ENV", "VALUE_COLUMNS",
    "LockBusyError", "StoreDamagedError", "StoreError", "StoreFormatError", "latest_per_key", "sha256_hex",
]

Moment: TypeAlias = dt.date | dt.datetime | pd.Timestamp | str | None


@dataclass(frozen=True)
class Snapshot:
    """The store as a writer sees it under the lock: committed events and every stored row."""

    events: list[dict[str, Any]]
    values: pd.DataFrame


#: A check run under the writer lock just before a submission commits; problems refuse it.
Guard = Callable[[Snapshot, pd.DataFrame], list[Problem]]


@dataclass(frozen=True)
class AppendResult:
    """What :meth:`Store.append` did: ``accepted`` (new rows), ``duplicate`` (nothing changed) or
    ``refused`` (a guard found ``problems``; nothing changed)."""

    status: str
    submission_id: str
    received_at: pd.Timestamp | None
    rows: int
    corrections: int = 0
    recovered: tuple[str, ...] = field(default_factory=tuple)
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def _known_at(known_at: Moment, as_of: Moment, method: str) -> Moment:
    if as_of is not None:
        warnings.warn(f"Store.{method}(as_of=...) is deprecated: use known_at= (the knowledge date)",
                      DeprecationWarning, stacklevel=3)
        return as_of if known_at is None else known_at
    return known_at


class Store:
    """A store directory. Cheap to create; nothing is read or written until asked."""

    def __init__(self, path: str | Path) -> None:
        if path is None:
            raise TypeError("Store(path): the store directory is required (e.g. settings().store_dir)")
        self.layout = Layout(Path(path).expanduser().resolve())
        self._files = ValuesFiles(self.layout.values_dir)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ---- paths -----------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.layout.path

    @property
    def meta_path(self) -> Path:
        return self.layout.meta_path

    @property
    def ledger_path(self) -> Path:
        return self.layout.ledger_path

    @property
    def values_dir(self) -> Path:
        return self.layout.values_dir

    @property
    def archive_dir(self) -> Path:
        return self.layout.archive_dir

    @property
    def quarantine_dir(self) -> Path:
        return self.layout.quarantine_dir

    @property
    def lock_path(self) -> Path:
        return self.layout.lock_path

    def values_path(self, submission_id: str) -> Path:
        return self.layout.values_path(submission_id)

    def exists(self) -> bool:
        """Whether a store is at :attr:`path` (its files, or an empty folder)."""
        return self.layout.exists()

    def check_format(self) -> None:
        """Raise :class:`~impact.store.errors.StoreFormatError` for a damaged or newer ``store.json``."""
        self.layout.check_format()

    # ---- ledger ----------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        """All committed ledger events, in order."""
        self.check_format()
        return ledger.read_events(self.ledger_path)

    def submission_ids(self) -> list[str]:
        """Ids of the accepted submissions, oldest first."""
        return [e["submission_id"] for e in ledger.accepted(self.events())]

    def last_event_at(self) -> pd.Timestamp | None:
        """When the newest ledger event (submission, review step, recovery) happened, UTC; None if none."""
        times = [t for t in (review.event_time(e) for e in self.events()) if t is not None]
        return max(times, default=None)

    def ledger(self) -> pd.DataFrame:
        """Submissions and recovery notes as a table (:data:`impact.store.ledger.LEDGER_COLUMNS`)."""
        return ledger.ledger_frame(self.events())

    def quarantined(self) -> pd.DataFrame:
        """Refused submissions in ``quarantine/`` (ledger columns plus ``folder`` and ``errors``)."""
        return archive.quarantined(self.layout)

    # ---- values ----------------------------------------------------------------------------
    def _tables(self, events: list[dict[str, Any]], known_at: Moment = None) -> list[pa.Table]:
        chosen = ledger.accepted(events)
        cutoff = knowledge_cutoff(known_at)
        if cutoff is not None:
            chosen = [e for e in chosen if pd.Timestamp(e["received_at"]) <= cutoff]
        tables, damaged = [], []
        for e in chosen:
            r = self._files.read(e)
            (tables.append(r) if isinstance(r, pa.Table) else damaged.append(r))
        if damaged:
            raise StoreDamagedError(damaged)
        return tables

    def verify(self) -> list[tuple[Path, str]]:
        """Check every committed values file; returns the damaged ones (path, reason in English)."""
        found = [self._files.read(e) for e in ledger.accepted(self.events())]
        return [(d.path, d.text("en")) for d in found if not isinstance(d, pa.Table)]

    def values(self, known_at: Moment = None, approved_only: bool = False, *, as_of: Moment = None) -> pd.DataFrame:
        """All accepted rows, history included, received by the knowledge date ``known_at``, with
        their ``quality``, ``evidence`` and ``review_state`` (the state of the row's key then).

        ``known_at`` as a date means the end of that day (UTC); a naive date-time is UTC; ``None``
        = everything stored (:func:`impact.core.schema.knowledge_cutoff`). ``approved_only`` keeps
        the approved values (rows of approved keys received by their approval). ``as_of`` is the
        deprecated name of ``known_at``. Raises :class:`StoreDamagedError` naming every damaged
        values file.
        """
        known_at = _known_at(known_at, as_of, "values")
        events = self.events()
        frame = to_frame(self._tables(events, known_at))
        return review.with_review_state(frame, review.known_events(events, known_at), approved_only)

    def review_state(self, known_at: Moment = None) -> pd.DataFrame:
        """Per current value (by the knowledge date): key columns, ``submission_id``, ``review_state``
        (``pending|queried|approved``), ``approved_at``, ``approved_by``."""
        events = self.events()
        current = latest_per_key(to_frame(self._tables(events, known_at)))
        return review.review_frame(current, review.known_events(events, known_at))

    # ---- review (impact.store.review; each write under the lock) ---------------------------
    def queries(self, project: str | None = None, state: str | None = None) -> list[Query]:
        """Queries to teams, oldest first; ``project`` and ``state`` (``open|answered|resolved``) filter."""
        found = review.queries(self.events()).values()
        return [q for q in found if (project is None or q.project_id == project) and (state is None or q.state == state)]

    def ask(self, project: str, indicator: str, period: str, text: str, *, by: str | None,
            breakdown: str = "", breakdown_value: str = "") -> Query:
        """Ask the team about the current value of one key (see :func:`impact.store.reviewing.ask`)."""
        return reviewing.ask(self, project, indicator, period, text, by=by, breakdown=breakdown,
                             breakdown_value=breakdown_value)

    def answer_query(self, query_id: str, text: str, *, by: str | None, project: str | None = None) -> Query:
        """A team's text reply to an unresolved query; with ``project`` the query must be that
        project's (else "unknown query"). Raises :class:`~impact.store.errors.ReviewError`."""
        return reviewing.answer(self, query_id, text, by=by, project=project)

    def resolve_query(self, query_id: str, text: str, *, by: str | None) -> Query:
        """Close a query with a note."""
        return reviewing.resolve(self, query_id, text, by=by)

    def approve(self, project: str, period: str, *, by: str | None, indicator: str | None = None) -> list[dict[str, Any]]:
        """Approve the current values of a project and period (optionally one indicator)."""
        return reviewing.approve(self, project, period, by=by, indicator=indicator)

    def reopen(self, project: str, period: str, reason: str, *, by: str | None,
               indicator: str | None = None) -> list[dict[str, Any]]:
        """Unlock approved values again, with a reason."""
        return reviewing.reopen(self, project, period, reason, by=by, indicator=indicator)

    def current(self, known_at: Moment = None, *, as_of: Moment = None) -> pd.DataFrame:
        """The newest value per key among rows received by ``known_at``."""
        return latest_per_key(self.values(_known_at(known_at, as_of, "current")))

    def content_hash(self, known_at: Moment = None, *, as_of: Moment = None) -> str:
        """sha256 over the accepted submission ids (in order) received by ``known_at``."""
        cutoff = knowledge_cutoff(_known_at(known_at, as_of, "content_hash"))
        h = hashlib.sha256(f"{FORMAT_NAME}/{FORMAT_VERSION}\n".encode())
        for e in ledger.accepted(self.events()):
            if cutoff is None or pd.Timestamp(e["received_at"]) <= cutoff:
                h.update(f"{e['submission_id']}\n".encode())
        return h.hexdigest()

    # ---- writing ---------------------------------------------------------------------------
    @contextmanager
    def writing(self, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[tuple[str, ...]]:
        """Hold the writer lock; make sure the layout exists; clean up after killed writers.

        Yields what was cleaned up (English notes; also recorded in the ledger).
        """
        self.check_format()
        self.path.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.lock_path, lock_timeout):
            self.layout.create()
            cleaned = recover(self.layout)
            notes: tuple[str, ...] = ()
            if cleaned:
                notes = tuple(describe([c], texts("en")) for c in cleaned)
                ledger.append_event(self.ledger_path, {
                    "event": "recovery", "status": "recovered", "received_at": iso(utc_now()),
                    "cleaned": cleaned, "detail": "; ".join(notes)})
            yield notes

    def append_event(self, event: dict[str, Any]) -> None:
        """Append a ledger event (only inside :meth:`writing`)."""
        ledger.append_event(self.ledger_path, event)

    def snapshot(self) -> Snapshot:
        """Committed events and all stored rows (consistent when called inside :meth:`writing`)."""
        events = self.events()
        return Snapshot(events, to_frame(self._tables(events)))

    def append(self, data: bytes, file_name: str, frame: pd.DataFrame, *, token_id: str | None = None,
               warnings: int = 0, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
               guard: Guard | None = None, extra: Callable[[Snapshot, pd.DataFrame], dict[str, Any]] | None = None,
               ) -> AppendResult:
        """Add a validated submission (original ``data`` and its normalised ``frame``).

        Under the writer lock: if the same bytes were accepted before, nothing changes
        (``duplicate``); if a row would change an approved value (``value_approved``) or ``guard``
        finds problems, nothing changes (``refused``); otherwise archive the original, write the
        values file, and commit with the ledger line (plus the fields ``extra`` returns; the ids of
        unresolved queries about its keys in ``answers``: a correction answers them).
        ``received_at`` is strictly later than every earlier event's.
        """
        sid = sha256_hex(data)
        with self.writing(lock_timeout) as recovered:
            snap = self.snapshot()
            accepted = ledger.accepted(snap.events)
            if any(e["submission_id"] == sid for e in accepted):
                return AppendResult("duplicate", sid, None, 0, 0, recovered)
            problems = guards.approved_changes(frame, snap.values, review.approvals(snap.events))
            problems += guard(snap, frame) if guard is not None else []
            if problems:
                problems.sort(key=lambda p: (p.row or 0, p.code))
                return AppendResult("refused", sid, None, 0, 0, recovered, tuple(problems))
            received_at = review.next_instant(snap.events, utc_now())
            answers = review.answered_by(snap.events, frame)
            corrections = count_corrections(frame, snap.values)
            table = frame_to_table(frame, sid, received_at, file_name, token_id)
            original = archive.archive_original(self.layout, sid, file_name, data)
            checksum = self._files.write(sid, table)
            pause = os.environ.get(PAUSE_ENV)
            if pause:
                time.sleep(float(pause))
            projects = sorted({str(p) for p in frame["project_id"]})
            self.append_event({
                "event": "submission", "status": "accepted", "submission_id": sid,
                "received_at": iso(received_at), "file_name": file_name, "rows": len(frame),
                "projects": projects, "token_id": token_id, "corrections": corrections,
                "warnings": warnings, "archive": original, "values": f"values/{sid}.parquet",
                "values_sha256": checksum, "detail": "", **({"answers": answers} if answers else {}),
                **(extra(snap, frame) if extra else {}),
            })
            return AppendResult("accepted", sid, received_at, len(frame), corrections, recovered)

    def archived_original(self, submission_id: str) -> Path | None:
        """Path of the archived original of an accepted submission, or None."""
        return archive.archived_original(self.layout, submission_id)

    def quarantine(self, data: bytes | None, file_name: str, info: dict[str, Any], text: str) -> Path:
        """Put a refused submission aside (see :func:`impact.store.archive.quarantine`)."""
        return archive.quarantine(self.layout, data, file_name, info, text)


def count_corrections(frame: pd.DataFrame, stored: pd.DataFrame) -> int:
    """Rows of ``frame`` whose key already has a value in ``stored``."""
    if frame.empty or stored.empty:
        return 0
    known = stored[list(KEY_COLUMNS)].fillna("").astype(str).drop_duplicates()
    keys = frame[list(KEY_COLUMNS)].fillna("").astype(str)
    hits = keys.merge(known, on=list(KEY_COLUMNS), how="left", indicator=True)
    return int((hits["_merge"] == "both").sum())
