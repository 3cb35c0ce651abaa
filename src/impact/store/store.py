"""The Parquet store: accepted values, the ledger, the archive of originals, the quarantine.

Layout of a store directory (default ``data/store``, ``--store``, ``IMPACT_STORE``)::

    store.json                        format marker {"format": "impact-store", "version": 1}
    ledger.jsonl                      one JSON object per event, appended under the lock
    values/<submission_id>.parquet    accepted rows of one submission
    archive/<submission_id>/1.<ext>   the original bytes, unchanged
    quarantine/<UTC-stamp>-<sha12>/   rejected original + errors.json + errors.txt
    .lock                             writer lock (fcntl)

**Commit point.** A submission exists once its ledger line — terminated by a newline and
fsynced — is in ``ledger.jsonl``. Writers (one at a time, under ``.lock``) first write the
archive copy and the values file (each to a temp name, fsynced, renamed), then append the
ledger line. Readers use only values files named by committed ledger lines, so a process killed
at any moment leaves no partial submission visible. Leftovers of a killed writer (temp files,
values files and archive folders without a ledger line, a torn last ledger line) are ignored by
readers and cleaned up — and recorded in the ledger — by the next writer.

Nothing is overwritten: a later value for the same key (project, indicator, period, breakdown,
breakdown_value) is a correction; :meth:`Store.values` returns the whole history and
:meth:`Store.current` the newest value per key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from impact.core.config import settings
from impact.core.config import utc_now as _clock
from impact.core.errors import EXIT_UNREADABLE, ImpactError
from impact.core.locking import LockBusyError, exclusive_lock

__all__ = [
    "FORMAT_VERSION",
    "KEY_COLUMNS",
    "LEDGER_COLUMNS",
    "VALUE_COLUMNS",
    "AppendResult",
    "LockBusyError",
    "Store",
    "StoreDamagedError",
    "StoreError",
    "StoreFormatError",
    "latest_per_key",
    "sha256_hex",
]

FORMAT_NAME = "impact-store"
FORMAT_VERSION = 1

#: The normalised frame columns (validation contract) followed by the store's own columns.
FRAME_COLUMNS = ("row", "project_id", "indicator_id", "period", "period_start", "period_end", "value",
                 "unit", "breakdown", "breakdown_value", "note", "source")
VALUE_COLUMNS = (*FRAME_COLUMNS, "submission_id", "received_at", "file_name", "token_id")
KEY_COLUMNS = ("project_id", "indicator_id", "period", "breakdown", "breakdown_value")
LEDGER_COLUMNS = ("submission_id", "received_at", "file_name", "status", "rows", "projects", "token_id",
                  "corrections", "detail")

SCHEMA = pa.schema([
    ("row", pa.int64()),
    ("project_id", pa.string()),
    ("indicator_id", pa.string()),
    ("period", pa.string()),
    ("period_start", pa.date32()),
    ("period_end", pa.date32()),
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("breakdown", pa.string()),
    ("breakdown_value", pa.string()),
    ("note", pa.string()),
    ("source", pa.string()),
    ("submission_id", pa.string()),
    ("received_at", pa.timestamp("us", tz="UTC")),
    ("file_name", pa.string()),
    ("token_id", pa.string()),
])

#: Test hook (inert unless set): seconds to sleep after the values file is written and before
#: the ledger line commits it — lets tests kill a writer at the worst moment.
PAUSE_ENV = "IMPACT_TEST_PAUSE_AFTER_WRITE"
DEFAULT_LOCK_TIMEOUT = 120.0
_SID = re.compile(r"^[0-9a-f]{64}$")
_TMP = ".tmp-"


class StoreError(ImpactError):
    """The store cannot be used as it is (exit code 2). Bilingual message."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, message_de: str, message_en: str) -> None:
        self.message_de = message_de
        self.message_en = message_en
        super().__init__(message_en)

    def message(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message_de


class StoreFormatError(StoreError):
    """The store was written by a newer version of this tool, or ``store.json`` is unreadable."""


class StoreDamagedError(StoreError):
    """A committed values file is missing, truncated or altered. Names every damaged file."""

    def __init__(self, damaged: list[tuple[Path, str]]) -> None:
        self.damaged = damaged
        de = "; ".join(f"{p}: {why}" for p, why in damaged)
        super().__init__(
            f"Speicher beschädigt, {len(damaged)} Datei(en) unlesbar: {de}. "
            "Aus der Sicherung wiederherstellen (siehe docs/store.md).",
            f"Store damaged, {len(damaged)} file(s) unreadable: {de}. "
            "Restore from backup (see docs/store.md).")


@dataclass(frozen=True)
class AppendResult:
    """What :meth:`Store.append` did: ``accepted`` (new rows) or ``duplicate`` (nothing changed)."""

    status: str
    submission_id: str
    received_at: pd.Timestamp | None
    rows: int
    corrections: int = 0
    recovered: tuple[str, ...] = field(default_factory=tuple)


def sha256_hex(data: bytes) -> str:
    """The submission id: sha256 of the original bytes, lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def utc_now() -> pd.Timestamp:
    """Now, UTC, microsecond precision (``IMPACT_NOW`` pins it, see :func:`impact.core.config.utc_now`)."""
    return pd.Timestamp(_clock()).as_unit("us")


def _iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").isoformat()


def _stamp(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y%m%dT%H%M%S%fZ")


def _extension(file_name: str) -> str:
    suffix = Path(file_name.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else "bin"


def safe_file_name(file_name: str, fallback: str = "original") -> str:
    """A file name that is safe to create inside a folder (no path, no control characters)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")[:120]
    return base or f"{fallback}.{_extension(file_name)}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, rename it over ``path``."""
    tmp = path.parent / f"{_TMP}{uuid.uuid4().hex}-{path.name}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _as_date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _as_text(value: Any, empty: str | None) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return empty
    return str(value)


def frame_to_table(frame: pd.DataFrame, submission_id: str, received_at: pd.Timestamp, file_name: str,
                   token_id: str | None) -> pa.Table:
    """The normalised frame plus the store's columns, as an Arrow table with the store schema."""
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"normalised frame lacks columns {missing}")
    n = len(frame)
    cols: dict[str, list[Any]] = {
        "row": [int(v) for v in frame["row"]],
        "project_id": [str(v) for v in frame["project_id"]],
        "indicator_id": [str(v) for v in frame["indicator_id"]],
        "period": [str(v) for v in frame["period"]],
        "period_start": [_as_date(v) for v in frame["period_start"]],
        "period_end": [_as_date(v) for v in frame["period_end"]],
        "value": [float(v) for v in frame["value"]],
        "unit": [_as_text(v, None) for v in frame["unit"]],
        "breakdown": [_as_text(v, "") for v in frame["breakdown"]],
        "breakdown_value": [_as_text(v, "") for v in frame["breakdown_value"]],
        "note": [_as_text(v, None) for v in frame["note"]],
        "source": [_as_text(v, None) for v in frame["source"]],
        "submission_id": [submission_id] * n,
        "received_at": [received_at.to_pydatetime()] * n,
        "file_name": [file_name] * n,
        "token_id": [token_id] * n,
    }
    return pa.table({name: pa.array(cols[name], type=SCHEMA.field(name).type) for name in SCHEMA.names},
                    schema=SCHEMA)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas()


def latest_per_key(values: pd.DataFrame) -> pd.DataFrame:
    """The newest row (largest ``received_at``) per key; earlier corrections dropped."""
    if values.empty:
        return values.copy()
    ordered = values.sort_values("received_at", kind="stable")
    return ordered.drop_duplicates(list(KEY_COLUMNS), keep="last").sort_index().reset_index(drop=True)


class Store:
    """A store directory. Cheap to create; nothing is read or written until asked."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser().resolve() if path is not None else settings().store_dir
        self._cache: dict[str, tuple[tuple[int, int, Any], pa.Table]] = {}

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ---- paths -----------------------------------------------------------------------------
    @property
    def meta_path(self) -> Path:
        return self.path / "store.json"

    @property
    def ledger_path(self) -> Path:
        return self.path / "ledger.jsonl"

    @property
    def values_dir(self) -> Path:
        return self.path / "values"

    @property
    def archive_dir(self) -> Path:
        return self.path / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.path / "quarantine"

    @property
    def lock_path(self) -> Path:
        return self.path / ".lock"

    def values_path(self, submission_id: str) -> Path:
        return self.values_dir / f"{submission_id}.parquet"

    # ---- format ----------------------------------------------------------------------------
    def check_format(self) -> None:
        """Raise :class:`StoreFormatError` if ``store.json`` is unreadable or from a newer version."""
        if not self.meta_path.exists():
            return
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            version = int(meta["version"])
            if meta.get("format") != FORMAT_NAME:
                raise ValueError("format")
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreFormatError(
                f"{self.meta_path}: keine gültige Speicher-Kennung (store.json beschädigt?).",
                f"{self.meta_path}: not a valid store marker (store.json damaged?).") from None
        if version > FORMAT_VERSION:
            raise StoreFormatError(
                f"{self.path}: Speicherformat Version {version} ist neuer als diese Programmversion "
                f"(kann Version {FORMAT_VERSION}); bitte das Programm aktualisieren.",
                f"{self.path}: store format version {version} is newer than this program supports "
                f"(version {FORMAT_VERSION}); please upgrade the tool.")

    # ---- ledger ----------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        """All committed ledger events (complete, newline-terminated lines), in order."""
        self.check_format()
        try:
            raw = self.ledger_path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{self.ledger_path}: nicht lesbar ({exc.strerror}).",
                             f"{self.ledger_path}: cannot be read ({exc.strerror}).") from None
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
                raise StoreError(f"{self.ledger_path}, Zeile {n}: kein gültiges JSON (Datei beschädigt).",
                                 f"{self.ledger_path}, line {n}: not valid JSON (file damaged).") from None
            out.append(event)
        return out

    def _accepted(self, events: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        evs = self.events() if events is None else events
        return [e for e in evs if e.get("event") == "submission" and e.get("status") == "accepted"]

    def submission_ids(self) -> list[str]:
        """Ids of the accepted submissions, oldest first."""
        return [e["submission_id"] for e in self._accepted()]

    def has_submission(self, submission_id: str) -> bool:
        """Whether a submission with these bytes has been accepted already."""
        return submission_id in set(self.submission_ids())

    def ledger(self) -> pd.DataFrame:
        """The ledger as a table: one row per event (accepted submissions and recovery notes).

        Columns: submission_id, received_at (UTC), file_name, status, rows, projects (list),
        token_id, corrections, detail.
        """
        rows = [{
            "submission_id": e.get("submission_id"),
            "received_at": pd.Timestamp(e["received_at"]) if e.get("received_at") else pd.NaT,
            "file_name": e.get("file_name"),
            "status": e.get("status"),
            "rows": int(e.get("rows") or 0),
            "projects": list(e.get("projects") or []),
            "token_id": e.get("token_id"),
            "corrections": int(e.get("corrections") or 0),
            "detail": e.get("detail") or "",
        } for e in self.events()]
        frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
        frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.as_unit("us")
        return frame

    def quarantined(self) -> pd.DataFrame:
        """Rejected submissions found in ``quarantine/`` (same columns as :meth:`ledger`, plus ``folder``)."""
        rows = []
        if self.quarantine_dir.is_dir():
            for folder in sorted(self.quarantine_dir.iterdir()):
                if folder.name.startswith(_TMP) or not folder.is_dir():
                    continue
                try:
                    info = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    info = {}
                rows.append({
                    "submission_id": info.get("submission_id"),
                    "received_at": pd.Timestamp(info["received_at"]) if info.get("received_at") else pd.NaT,
                    "file_name": info.get("file", folder.name),
                    "status": info.get("status", "rejected"),
                    "rows": int(info.get("rows") or 0),
                    "projects": list(info.get("projects") or []),
                    "token_id": info.get("token_id"),
                    "corrections": 0,
                    "detail": f"quarantine/{folder.name}: {len(info.get('errors') or [])} error(s)",
                    "folder": str(folder),
                })
        frame = pd.DataFrame(rows, columns=[*LEDGER_COLUMNS, "folder"])
        frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.as_unit("us")
        return frame

    # ---- values ----------------------------------------------------------------------------
    def _read_values_file(self, event: dict[str, Any]) -> pa.Table | tuple[Path, str]:
        """The checked table of one committed submission, or (path, reason) when it is damaged.

        Committed values files never change, so a checked table is kept in memory for as long
        as the file's size and modification time stay the same.
        """
        sid = event["submission_id"]
        path = self.values_path(sid)
        try:
            st = path.stat()
        except FileNotFoundError:
            return (path, "fehlt / missing")
        except OSError as exc:
            return (path, f"nicht lesbar / unreadable ({exc.strerror})")
        stamp = (st.st_size, st.st_mtime_ns, event.get("values_sha256"))
        cached = self._cache.get(sid)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        result = self._check_values_file(path, event)
        if isinstance(result, pa.Table):
            self._cache[sid] = (stamp, result)
        return result

    def _check_values_file(self, path: Path, event: dict[str, Any]) -> pa.Table | tuple[Path, str]:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return (path, "fehlt / missing")
        except OSError as exc:
            return (path, f"nicht lesbar / unreadable ({exc.strerror})")
        expected = event.get("values_sha256")
        if expected and hashlib.sha256(raw).hexdigest() != expected:
            return (path, "Prüfsumme falsch (verändert oder abgeschnitten) / checksum mismatch (altered or truncated)")
        try:
            table = pq.read_table(io.BytesIO(raw))
        except (pa.ArrowException, OSError, ValueError) as exc:
            return (path, f"kein lesbares Parquet / not readable parquet ({exc})")
        if table.num_rows != int(event.get("rows", table.num_rows)):
            return (path, "Zeilenzahl passt nicht zum Journal / row count differs from the ledger")
        try:
            return table.select(list(SCHEMA.names)).cast(SCHEMA)
        except (pa.ArrowException, KeyError, ValueError) as exc:
            return (path, f"unerwartete Spalten / unexpected columns ({exc})")

    def verify(self) -> list[tuple[Path, str]]:
        """Check every committed values file; returns the damaged ones (path, reason)."""
        return [r for e in self._accepted() if isinstance(r := self._read_values_file(e), tuple)]

    def _tables(self, as_of: dt.date | dt.datetime | None = None) -> list[pa.Table]:
        events = self._accepted()
        cutoff = _cutoff(as_of)
        if cutoff is not None:
            events = [e for e in events if pd.Timestamp(e["received_at"]) <= cutoff]
        tables, damaged = [], []
        for e in events:
            r = self._read_values_file(e)
            (damaged.append(r) if isinstance(r, tuple) else tables.append(r))
        if damaged:
            raise StoreDamagedError(damaged)
        return tables

    def values(self, as_of: dt.date | dt.datetime | None = None) -> pd.DataFrame:
        """All accepted rows, history included, received at or before ``as_of``.

        ``as_of`` as a date means the end of that day (UTC); a naive datetime is taken as UTC.
        Raises :class:`StoreDamagedError` naming every damaged values file.
        """
        tables = self._tables(as_of)
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        return _to_pandas(table)

    def current(self, as_of: dt.date | dt.datetime | None = None) -> pd.DataFrame:
        """The newest value per key among rows received by ``as_of``."""
        return latest_per_key(self.values(as_of))

    def content_hash(self, as_of: dt.date | dt.datetime | None = None) -> str:
        """sha256 over the accepted submission ids in order (stable for the same submissions)."""
        events = self._accepted()
        cutoff = _cutoff(as_of)
        if cutoff is not None:
            events = [e for e in events if pd.Timestamp(e["received_at"]) <= cutoff]
        h = hashlib.sha256(f"{FORMAT_NAME}/{FORMAT_VERSION}\n".encode())
        for e in events:
            h.update(f"{e['submission_id']}\n".encode())
        return h.hexdigest()

    # ---- writing ---------------------------------------------------------------------------
    @contextmanager
    def _writing(self, lock_timeout: float) -> Iterator[list[str]]:
        """Hold the writer lock; make sure the layout exists; clean up after killed writers."""
        self.check_format()
        self.path.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.lock_path, lock_timeout):
            self.check_format()
            if not self.meta_path.exists():
                meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "created_at": _iso(utc_now())}
                _write_atomic(self.meta_path, (json.dumps(meta, indent=2) + "\n").encode())
            self.values_dir.mkdir(exist_ok=True)
            self.archive_dir.mkdir(exist_ok=True)
            yield self._recover()

    def _append_event(self, event: dict[str, Any]) -> None:
        line = (json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.ledger_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def _recover(self) -> list[str]:
        """Under the lock: remove what a killed writer left behind, and record it."""
        notes: list[str] = []
        # a torn last ledger line (no newline) was never committed: cut it off
        if self.ledger_path.exists():
            size = self.ledger_path.stat().st_size
            with open(self.ledger_path, "rb") as fh:
                raw = fh.read()
            keep = raw.rfind(b"\n") + 1
            if keep < size:
                with open(self.ledger_path, "r+b") as fh:
                    fh.truncate(keep)
                    fh.flush()
                    os.fsync(fh.fileno())
                notes.append(f"ledger.jsonl: {size - keep} bytes of an unfinished line removed")
        committed = {e["submission_id"] for e in self._accepted()}
        for path in sorted(self.values_dir.iterdir()) if self.values_dir.is_dir() else []:
            stem = path.name.removesuffix(".parquet")
            if path.name.startswith(_TMP) or (path.suffix == ".parquet" and _SID.match(stem) and stem not in committed):
                path.unlink()
                notes.append(f"values/{path.name}: uncommitted file removed")
        for path in sorted(self.archive_dir.iterdir()) if self.archive_dir.is_dir() else []:
            if path.name.startswith(_TMP):
                shutil.rmtree(path, ignore_errors=True)
                notes.append(f"archive/{path.name}: unfinished copy removed")
            elif _SID.match(path.name) and path.name not in committed:
                shutil.rmtree(path, ignore_errors=True)
                notes.append(f"archive/{path.name}: uncommitted copy removed")
        if notes:
            self._append_event({"event": "recovery", "status": "recovered", "received_at": _iso(utc_now()),
                                "detail": "; ".join(notes)})
        return notes

    def append(self, data: bytes, file_name: str, frame: pd.DataFrame, *, token_id: str | None = None,
               warnings: int = 0, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> AppendResult:
        """Add a validated submission (original ``data`` and its normalised ``frame``).

        Under the writer lock: if the same bytes were accepted before, nothing changes
        (``duplicate``); otherwise archive the original, write the values file, and commit with
        the ledger line. ``received_at`` is strictly later than every earlier submission's.
        """
        sid = sha256_hex(data)
        with self._writing(lock_timeout) as recovered:
            events = self.events()
            accepted = self._accepted(events)
            if any(e["submission_id"] == sid for e in accepted):
                return AppendResult("duplicate", sid, None, 0, 0, tuple(recovered))
            received_at = utc_now()
            if accepted:
                last = max(pd.Timestamp(e["received_at"]) for e in accepted)
                if received_at <= last:
                    received_at = last + pd.Timedelta(microseconds=1)
            corrections = self._count_corrections(frame)
            table = frame_to_table(frame, sid, received_at, file_name, token_id)
            # 1) archive the original bytes
            ext = _extension(file_name)
            tmp_dir = self.archive_dir / f"{_TMP}{uuid.uuid4().hex}"
            tmp_dir.mkdir()
            _write_atomic(tmp_dir / f"1.{ext}", data)
            os.replace(tmp_dir, self.archive_dir / sid)
            _fsync_dir(self.archive_dir)
            # 2) the values file
            buf = io.BytesIO()
            pq.write_table(table, buf, compression="zstd")
            payload = buf.getvalue()
            _write_atomic(self.values_path(sid), payload)
            pause = os.environ.get(PAUSE_ENV)
            if pause:
                time.sleep(float(pause))
            # 3) commit: the ledger line
            projects = sorted({str(p) for p in frame["project_id"]})
            self._append_event({
                "event": "submission", "status": "accepted", "submission_id": sid,
                "received_at": _iso(received_at), "file_name": file_name, "rows": len(frame),
                "projects": projects, "token_id": token_id, "corrections": corrections,
                "warnings": warnings, "archive": f"archive/{sid}/1.{ext}",
                "values": f"values/{sid}.parquet", "values_sha256": hashlib.sha256(payload).hexdigest(),
                "detail": "",
            })
            return AppendResult("accepted", sid, received_at, len(frame), corrections, tuple(recovered))

    def _count_corrections(self, frame: pd.DataFrame) -> int:
        """Rows of ``frame`` whose key already has a value in the store."""
        tables = self._tables()
        if frame.empty or not tables:
            return 0
        known = pa.concat_tables([t.select(list(KEY_COLUMNS)) for t in tables]).to_pandas()
        known = known.astype(str).drop_duplicates()
        keys = frame[list(KEY_COLUMNS)].fillna("").astype(str)
        hits = keys.merge(known, on=list(KEY_COLUMNS), how="left", indicator=True)
        return int((hits["_merge"] == "both").sum())

    def archived_original(self, submission_id: str) -> Path | None:
        """Path of the archived original of an accepted submission, or None."""
        folder = self.archive_dir / submission_id
        files = sorted(folder.glob("1.*")) if folder.is_dir() else []
        return files[0] if files else None

    def quarantine(self, data: bytes | None, file_name: str, info: dict[str, Any], text: str) -> Path:
        """Put a rejected submission aside: original (if given), ``errors.json``, ``errors.txt``.

        Needs no lock and never touches the rest of the store. The folder appears atomically
        (written under a temp name, then renamed). ``info`` is written as ``errors.json``.
        """
        self.check_format()
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        now = utc_now()
        sha12 = (info.get("submission_id") or sha256_hex(data or b""))[:12]
        tmp = self.quarantine_dir / f"{_TMP}{uuid.uuid4().hex}"
        tmp.mkdir()
        original = None
        if data is not None:
            original = safe_file_name(file_name)
            if original in ("errors.json", "errors.txt"):
                original = f"original-{original}"
            _write_atomic(tmp / original, data)
        info = {"received_at": _iso(now), **info, "original": original}
        _write_atomic(tmp / "errors.json", (json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        _write_atomic(tmp / "errors.txt", text.encode("utf-8"))
        base = f"{_stamp(now)}-{sha12}"
        for n in range(1, 1000):
            target = self.quarantine_dir / (base if n == 1 else f"{base}-{n}")
            try:
                os.rename(tmp, target)  # fails if target exists and is not empty
                break
            except OSError:
                if not target.exists():
                    raise
        else:  # pragma: no cover - 1000 collisions in one microsecond
            raise StoreError("Quarantäne-Ordner nicht anlegbar.", "cannot create a quarantine folder.")
        _fsync_dir(self.quarantine_dir)
        return target


def _cutoff(as_of: dt.date | dt.datetime | None) -> pd.Timestamp | None:
    if as_of is None:
        return None
    if isinstance(as_of, dt.datetime):
        ts = pd.Timestamp(as_of)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    end = dt.datetime.combine(as_of, dt.time.max)
    return pd.Timestamp(end).tz_localize("UTC")
