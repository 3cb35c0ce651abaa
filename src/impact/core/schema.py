"""Column contracts shared by every stage, and the one rule for "what was known when".

One definition each, imported everywhere (validation, store, engine, export, reports, apps):

* :data:`SUBMISSION_REQUIRED`, :data:`SUBMISSION_OPTIONAL` — the columns a team's file has;
* :data:`FRAME_COLUMNS` — a validated, normalised submission (what intake hands to the store);
* :data:`VALUE_COLUMNS` — a stored value row (frame + receipt);
* :data:`KEY_COLUMNS` — what makes two rows "the same value": a later row with the same key is a
  correction;
* :func:`knowledge_cutoff` / :func:`received_by` — the knowledge date (*Datenstand*): a date means
  the end of that day in UTC, a naive date-time is UTC;
* :func:`newest_per_key` — the one "current value per key" rule: among rows with the same key the
  one received last wins (equal receipt times: the later row in the input); a missing breakdown is
  the total (``""``). :func:`key_codes` gives the integer codes it works on, for callers that
  need them too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FRAME_COLUMNS",
    "KEY_COLUMNS",
    "KeyCodes",
    "SUBMISSION_COLUMNS",
    "SUBMISSION_OPTIONAL",
    "SUBMISSION_REQUIRED",
    "TOTAL",
    "VALUE_COLUMNS",
    "key_codes",
    "knowledge_cutoff",
    "newest_per_key",
    "received_by",
]

#: Columns of a submitted file (canonical names; German aliases are in impact.intake.reading).
SUBMISSION_REQUIRED = ("project_id", "indicator_id", "period", "value")
SUBMISSION_OPTIONAL = ("unit", "breakdown", "breakdown_value", "note", "source", "quality", "evidence")
SUBMISSION_COLUMNS = SUBMISSION_REQUIRED + SUBMISSION_OPTIONAL

#: A validated submission, normalised: ``row`` is the spreadsheet row (header = 1), ``period`` the
#: canonical label, ``breakdown``/``breakdown_value`` are ``""`` for the total; ``quality`` is how the
#: value was obtained (a grade of :data:`impact.core.catalog.QUALITY_GRADES`, from the file or the
#: indicator's default, else ``None``), ``evidence`` a web link or document reference (or ``None``).
FRAME_COLUMNS = ("row", "project_id", "indicator_id", "period", "period_start", "period_end", "value",
                 "unit", "breakdown", "breakdown_value", "note", "source", "quality", "evidence")

#: A stored value row: the frame plus where and when it came from.
VALUE_COLUMNS = (*FRAME_COLUMNS, "submission_id", "received_at", "file_name", "token_id")

#: Two rows with the same key are the same value; the one received later is a correction.
KEY_COLUMNS = ("project_id", "indicator_id", "period", "breakdown", "breakdown_value")

#: ``breakdown`` and ``breakdown_value`` of a total row.
TOTAL = ""


def knowledge_cutoff(known_at: dt.date | dt.datetime | pd.Timestamp | str | None) -> pd.Timestamp | None:
    """The latest receipt time that counts for ``known_at`` (inclusive), in UTC; ``None`` = no limit.

    A date (or a date-only ISO string) means the end of that day, UTC; a naive date-time is taken
    as UTC; an aware one is converted.
    """
    if known_at is None:
        return None
    if isinstance(known_at, str):
        text = known_at.strip()
        known_at = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if isinstance(known_at, pd.Timestamp):
        known_at = known_at.to_pydatetime()
    if isinstance(known_at, dt.datetime):
        ts = pd.Timestamp(known_at)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if not isinstance(known_at, dt.date):
        raise TypeError(f"known_at must be a date or date-time, not {type(known_at).__name__}")
    return pd.Timestamp(dt.datetime.combine(known_at, dt.time.max)).tz_localize("UTC")


def received_by(received_at: pd.Series, cutoff: pd.Timestamp | None) -> np.ndarray:
    """Boolean mask: rows received at or before ``cutoff`` (all rows when ``cutoff`` is ``None``).

    Works on tz-aware, naive (taken as UTC) and text columns without copying the aware case.
    """
    if cutoff is None:
        return np.ones(len(received_at), dtype=bool)
    col: Any = received_at
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return np.asarray(col <= cutoff)
    if pd.api.types.is_datetime64_dtype(col.dtype):
        return np.asarray(col <= cutoff.tz_localize(None))
    return np.asarray(pd.to_datetime(col, utc=True, format="ISO8601") <= cutoff)


# --------------------------------------------------------------------------- newest value per key


@dataclass(frozen=True)
class KeyCodes:
    """The :data:`KEY_COLUMNS` of a frame as integer codes (one array per column, input order) and
    their distinct values (``uniques[k][codes[k]]`` is the column). Missing breakdown cells are
    coded as the total ``""``."""

    codes: tuple[np.ndarray, ...]
    uniques: tuple[np.ndarray, ...]

    def total(self) -> np.ndarray:
        """Boolean per row: no breakdown (the total)."""
        empty_b = np.array([u == TOTAL for u in self.uniques[3]], dtype=bool)
        empty_v = np.array([u == TOTAL for u in self.uniques[4]], dtype=bool)
        if not len(self.codes[3]):
            return np.zeros(0, dtype=bool)
        return empty_b[self.codes[3]] & empty_v[self.codes[4]]


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and x != x)  # noqa: PLR0124


def key_codes(values: pd.DataFrame) -> KeyCodes:
    """Factorise the key columns of ``values`` (not modified) into integer codes."""
    missing = [c for c in KEY_COLUMNS if c not in values.columns]
    if missing:
        raise ValueError(f"value rows lack the column(s) {', '.join(missing)}")
    codes: list[np.ndarray] = []
    uniques: list[np.ndarray] = []
    for name in KEY_COLUMNS:
        c, u = pd.factorize(values[name], use_na_sentinel=False)
        u = np.asarray(u, dtype=object)
        if name in ("breakdown", "breakdown_value"):  # a missing breakdown is the total ("")
            remap, u2 = pd.factorize(np.array([TOTAL if _missing(x) else x for x in u], dtype=object))
            c = remap[c] if len(u) else c
            u = np.asarray(u2, dtype=object)
        codes.append(c.astype(np.int32 if len(u) < 2**31 else np.int64, copy=False))
        uniques.append(u)
    return KeyCodes(tuple(codes), tuple(uniques))


def _received_ns(col: pd.Series) -> np.ndarray:
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        idx = pd.DatetimeIndex(col).tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(col.dtype):
        idx = pd.DatetimeIndex(col).tz_localize("UTC")
    else:
        idx = pd.DatetimeIndex(pd.to_datetime(col, utc=True, format="ISO8601"))
    return idx.as_unit("ns").asi8


def newest_per_key(values: pd.DataFrame, rows: np.ndarray | None = None, *,
                   codes: KeyCodes | None = None) -> np.ndarray:
    """Positions (0-based, ascending) of the newest row per key among ``rows`` of ``values``.

    ``rows``: candidate positions (e.g. those received by the knowledge date), ascending; default
    all rows. Per key (:data:`KEY_COLUMNS`) the row with the latest ``received_at`` wins; equal
    receipt times: the later position. Vectorised (integer keys; only duplicated keys are sorted).
    ``values`` is not modified. ``values.take(newest_per_key(values))`` is the current table.
    """
    kc = codes if codes is not None else key_codes(values)
    pos = np.arange(len(values), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    if not len(pos):
        return pos
    key = kc.codes[0][pos].astype(np.int64)
    for c, u in zip(kc.codes[1:], kc.uniques[1:], strict=True):
        key *= max(len(u), 1)
        key += c[pos]
        if int(key.max()) > 2**52:  # keep the mixed-radix key small: renumber densely
            key = pd.factorize(key)[0].astype(np.int64)
    if int(key.max()) <= 4 * len(key) + 1_000_000:
        dup = (np.bincount(key) > 1)[key]  # cheaper than hashing for a dense key range
    else:
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if not dup.any():
        return pos
    idx = np.flatnonzero(dup)
    received = _received_ns(values["received_at"].take(pos[idx]))
    order = idx[np.lexsort((received, key[idx]))]  # stable: equal times keep input order
    k = key[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = k[1:] != k[:-1]
    chosen = ~dup
    chosen[order[last]] = True
    return pos[chosen]
