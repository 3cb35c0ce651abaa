"""The ledger (``ledger.jsonl``): one JSON object per line, appended under the lock, never edited.

**Commit point.** An event exists once its line — terminated by a newline and fsynced — is in the
file. Readers take only complete lines; a torn last line (a writer killed mid-write) is ignored
and cut off by the next writer (:func:`cut_torn_line`). Every event has ``event``:

* ``submission`` (``status`` ``accepted``): an accepted file, see :meth:`impact.store.Store.append`;
* ``recovery`` (``status`` ``recovered``): what was cleaned up after a killed writer;
* ``query``, ``answer``, ``resolve``, ``approve``, ``reopen``: review events
  (:mod:`impact.store.review`), each with ``by`` and ``at`` (UTC).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from impact.core.files import fsync_dir
from impact.core.i18n import N_
from impact.store.errors import StoreError

__all__ = ["LEDGER_COLUMNS", "accepted", "append_event", "cut_torn_line", "ledger_frame", "listing_table", "read_events", "submissions"]

#: The columns of :meth:`impact.store.Store.ledger` (one row per submission or recovery event).
LEDGER_COLUMNS = ("submission_id", "received_at", "file_name", "status", "rows", "projects", "token_id",
                  "corrections", "detail")


def read_events(path: Path) -> list[dict[str, Any]]:
    """All committed events (complete, newline-terminated lines), in order."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(N_("{path}: cannot be read ({reason})."), path=path, reason=exc.strerror) from None
    end = raw.rfind(b"\n")
    if end < 0:
        return []
    out = []
    for n, line in enumerate(raw[: end + 1].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if not isinstance(event, dict):
                raise ValueError
        except ValueError:
            raise StoreError(N_("{path}, line {line}: not valid JSON (file damaged)."), path=path, line=n) from None
        out.append(event)
    return out


def append_event(path: Path, event: dict[str, Any]) -> None:
    """Append one event as a line and fsync it (call under the writer lock)."""
    line = (json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    created = not path.exists()
    with open(path, "ab") as fh:  # O_APPEND: the line goes to the end, whatever the file size
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    if created:
        fsync_dir(path.parent)


def cut_torn_line(path: Path) -> int:
    """Under the lock: remove an unfinished last line (never committed); returns the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    with open(path, "rb") as fh:
        raw = fh.read()
    keep = raw.rfind(b"\n") + 1
    if keep >= size:
        return 0
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return size - keep


def submissions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The submission events (accepted files), in order."""
    return [e for e in events if e.get("event") == "submission"]


def accepted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The accepted submissions' events, oldest first."""
    return [e for e in submissions(events) if e.get("status") == "accepted"]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ledger_frame(events: list[dict[str, Any]]) -> pd.DataFrame:
    """Submission and recovery events as a table (:data:`impact.core.schema.LEDGER_COLUMNS`).

    Missing texts are ``None`` (object columns), so a recovery line (no submission id, no file)
    reads like any other.
    """
    rows = [{
        "submission_id": _text(e.get("submission_id")),
        "received_at": pd.Timestamp(e["received_at"]) if e.get("received_at") else pd.NaT,
        "file_name": _text(e.get("file_name")),
        "status": _text(e.get("status")) or e.get("event"),
        "rows": int(e.get("rows") or 0),
        "projects": [str(p) for p in e.get("projects") or []],
        "token_id": _text(e.get("token_id")),
        "corrections": int(e.get("corrections") or 0),
        "detail": _text(e.get("detail")) or "",
    } for e in events if e.get("event") in ("submission", "recovery")]
    return listing_table(rows, LEDGER_COLUMNS)


def listing_table(rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """A listing of submissions: texts as objects (``None`` stays ``None``), counts as integers,
    ``received_at`` as UTC timestamps."""
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})
    for name in ("rows", "corrections", "errors"):
        if name in frame.columns:
            frame[name] = frame[name].astype("int64")
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.as_unit("us")
    return frame
