"""Values files (``values/<submission_id>.parquet``): the accepted rows of one submission.

A values file holds :data:`STORED_COLUMNS` (:data:`impact.core.schema.VALUE_COLUMNS` plus
``quality`` and ``evidence``) with the Arrow types of :data:`SCHEMA`. It is written once (atomically, fsynced) and never changed; the ledger line that
commits it records its sha256, so a reader detects a missing, truncated or altered file
(:class:`impact.store.errors.StoreDamagedError` names each). Files written before a column was
added (``quality``, ``evidence``) still read: the missing columns are null.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from impact.core.files import atomic_write
from impact.core.i18n import N_
from impact.core.schema import FRAME_COLUMNS, KEY_COLUMNS, VALUE_COLUMNS
from impact.store.errors import Damage

__all__ = ["OPTIONAL_COLUMNS", "SCHEMA", "STORED_COLUMNS", "ValuesFiles", "empty_table", "frame_to_table", "latest_per_key"]

_TYPES: dict[str, pa.DataType] = {
    "row": pa.int64(),
    "period_start": pa.date32(),
    "period_end": pa.date32(),
    "value": pa.float64(),
    "received_at": pa.timestamp("us", tz="UTC"),
}
#: Frame columns a submission may lack (older intake, older values files): stored as null. Kept
#: even while :data:`impact.core.schema.FRAME_COLUMNS` does not list them yet.
OPTIONAL_COLUMNS = ("quality", "evidence")
#: The columns of a values file: the stored value row plus the optional columns.
STORED_COLUMNS = tuple(dict.fromkeys((*VALUE_COLUMNS, *OPTIONAL_COLUMNS)))
#: The Arrow schema of a values file (text columns are strings).
SCHEMA = pa.schema([(name, _TYPES.get(name, pa.string())) for name in STORED_COLUMNS])
#: Text columns whose missing value is ``""`` (the total), not null.
_EMPTY_IS_TOTAL = ("breakdown", "breakdown_value")


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


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    if name not in frame.columns:
        return [None] * len(frame)
    col = frame[name]
    if name == "row":
        return [int(v) for v in col]
    if name == "value":
        return [float(v) for v in col]
    if name in ("period_start", "period_end"):
        return [_as_date(v) for v in col]
    empty = "" if name in _EMPTY_IS_TOTAL else None
    if name in ("project_id", "indicator_id", "period"):
        return [str(v) for v in col]
    return [_as_text(v, empty) for v in col]


def frame_to_table(frame: pd.DataFrame, submission_id: str, received_at: pd.Timestamp, file_name: str,
                   token_id: str | None) -> pa.Table:
    """The normalised frame plus the store's columns, as an Arrow table with :data:`SCHEMA`."""
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise ValueError(f"normalised frame lacks columns {missing}")
    n = len(frame)
    cols: dict[str, list[Any]] = {name: _column(frame, name) for name in (*FRAME_COLUMNS, *OPTIONAL_COLUMNS)}
    cols.update(submission_id=[submission_id] * n, received_at=[received_at.to_pydatetime()] * n,
                file_name=[file_name] * n, token_id=[token_id] * n)
    return pa.table({name: pa.array(cols[name], type=SCHEMA.field(name).type) for name in SCHEMA.names},
                    schema=SCHEMA)


def encode(table: pa.Table) -> bytes:
    """A values file's bytes (zstd-compressed Parquet)."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def empty_table() -> pa.Table:
    return SCHEMA.empty_table()


def _conform(table: pa.Table) -> pa.Table:
    """``table`` with exactly :data:`SCHEMA`'s columns: optional columns it lacks added as null."""
    for name in OPTIONAL_COLUMNS:
        if name not in table.column_names:
            table = table.append_column(SCHEMA.field(name), pa.nulls(table.num_rows, SCHEMA.field(name).type))
    return table.select(list(SCHEMA.names)).cast(SCHEMA)


class ValuesFiles:
    """Reads and writes the values files of one store; checked tables are cached in memory.

    Committed values files never change, so a checked table is kept for as long as the file's
    size and modification time (and the ledger's checksum) stay the same.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[tuple[int, int, Any], pa.Table]] = {}

    def path(self, submission_id: str) -> Path:
        return self.folder / f"{submission_id}.parquet"

    def write(self, submission_id: str, table: pa.Table) -> str:
        """Write a submission's values file (atomically, fsynced); returns its sha256."""
        payload = encode(table)
        atomic_write(self.path(submission_id), payload)
        return hashlib.sha256(payload).hexdigest()

    def read(self, event: dict[str, Any]) -> pa.Table | Damage:
        """The checked table of one committed submission, or the :class:`Damage` found."""
        sid = event["submission_id"]
        path = self.path(sid)
        try:
            st = path.stat()
            stamp = (st.st_size, st.st_mtime_ns, event.get("values_sha256"))
            cached = self._cache.get(sid)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            raw = path.read_bytes()
        except FileNotFoundError:
            return Damage(path, N_("missing"))
        except OSError as exc:
            return Damage(path, N_("unreadable ({reason})"), reason=exc.strerror)
        result = _check(raw, path, event)
        if isinstance(result, pa.Table):
            self._cache[sid] = (stamp, result)
        return result


def _check(raw: bytes, path: Path, event: dict[str, Any]) -> pa.Table | Damage:
    expected = event.get("values_sha256")
    if expected and hashlib.sha256(raw).hexdigest() != expected:
        return Damage(path, N_("checksum mismatch (altered or truncated)"))
    try:
        table = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowException, OSError, ValueError) as exc:
        return Damage(path, N_("not readable Parquet ({reason})"), reason=str(exc))
    if table.num_rows != int(event.get("rows", table.num_rows)):
        return Damage(path, N_("row count differs from the ledger"))
    try:
        return _conform(table)
    except (pa.ArrowException, KeyError, ValueError) as exc:
        return Damage(path, N_("unexpected columns ({reason})"), reason=str(exc))


def to_frame(tables: list[pa.Table]) -> pd.DataFrame:
    """The rows of ``tables`` (in order) as one DataFrame with :data:`SCHEMA`'s columns."""
    table = pa.concat_tables(tables) if tables else empty_table()
    return table.to_pandas()


def current_positions(values: pd.DataFrame) -> pd.Index:
    """Index labels of the newest row (largest ``received_at``) per key, in input order."""
    ordered = values.sort_values("received_at", kind="stable")
    return ordered.drop_duplicates(list(KEY_COLUMNS), keep="last").index.sort_values()


def latest_per_key(values: pd.DataFrame) -> pd.DataFrame:
    """The newest row (largest ``received_at``) per key; earlier corrections dropped."""
    if values.empty:
        return values.copy()
    return values.loc[current_positions(values)].reset_index(drop=True)
