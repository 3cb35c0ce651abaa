"""Column contracts shared by every stage, and the one rule for "what was known when".

One definition each, imported everywhere (validation, store, engine, export, reports, apps):

* :data:`SUBMISSION_REQUIRED`, :data:`SUBMISSION_OPTIONAL` — the columns a team's file has;
* :data:`FRAME_COLUMNS` — a validated, normalised submission (what intake hands to the store);
* :data:`VALUE_COLUMNS` — a stored value row (frame + receipt);
* :data:`KEY_COLUMNS` — what makes two rows "the same value": a later row with the same key is a
  correction;
* :func:`knowledge_cutoff` / :func:`received_by` — the knowledge date (*Datenstand*): a date means
  the end of that day in UTC, a naive date-time is UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FRAME_COLUMNS",
    "KEY_COLUMNS",
    "SUBMISSION_COLUMNS",
    "SUBMISSION_OPTIONAL",
    "SUBMISSION_REQUIRED",
    "TOTAL",
    "VALUE_COLUMNS",
    "knowledge_cutoff",
    "received_by",
]

#: Columns of a submitted file (canonical names; German aliases are in impact.intake.reading).
SUBMISSION_REQUIRED = ("project_id", "indicator_id", "period", "value")
SUBMISSION_OPTIONAL = ("unit", "breakdown", "breakdown_value", "note", "source")
SUBMISSION_COLUMNS = SUBMISSION_REQUIRED + SUBMISSION_OPTIONAL

#: A validated submission, normalised: ``row`` is the spreadsheet row (header = 1), ``period`` the
#: canonical label, ``breakdown``/``breakdown_value`` are ``""`` for the total.
FRAME_COLUMNS = ("row", "project_id", "indicator_id", "period", "period_start", "period_end", "value",
                 "unit", "breakdown", "breakdown_value", "note", "source")

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
