"""Current values: which stored rows count for a reference date and a knowledge date.

Rule 1 of the methodology: a row counts when it was *received* by the knowledge date
(:func:`impact.core.schema.knowledge_cutoff`; ``None`` = everything stored) and its *period started*
on or before the reference date. Per key the row received last wins
(:func:`impact.core.schema.newest_per_key`); older rows stay in the store, so a re-run with the
same two dates gives the same numbers.

:class:`CurrentRows` keeps positions into the input instead of copying it (the input can hold
millions of rows); nothing here modifies the input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from impact.core.schema import KEY_COLUMNS, key_codes, knowledge_cutoff, newest_per_key, received_by
from impact.engine.calendar import as_date

__all__ = ["REQUIRED_COLUMNS", "CurrentRows", "current_rows", "current_values"]

REQUIRED_COLUMNS = (*KEY_COLUMNS, "period_start", "value", "received_at")


@dataclass(frozen=True)
class CurrentRows:
    """The current rows of a value frame, as positions into it (input order)."""

    values: pd.DataFrame           # the input (never modified)
    pos: np.ndarray                # positions of the current rows in ``values``, ascending
    month: np.ndarray              # month ordinal (year·12 + month − 1) of each current row's period start
    project_codes: np.ndarray      # into project_uniques
    project_uniques: np.ndarray
    indicator_codes: np.ndarray
    indicator_uniques: np.ndarray
    total: np.ndarray              # bool: no breakdown

    def column(self, name: str, rows: np.ndarray | None = None) -> pd.Series:
        """Column ``name`` of the current rows (or of the given current-row numbers)."""
        at = self.pos if rows is None else self.pos[rows]
        return self.values[name].take(at).reset_index(drop=True)

    def frame(self, columns: Sequence[str] | None = None, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The current rows (optionally only ``rows`` of them) with the given columns (absent
        columns are added empty)."""
        at = self.pos if rows is None else self.pos[rows]
        src = self.values if columns is None else self.values.reindex(columns=list(columns))
        return src.take(at).reset_index(drop=True)


def _check_columns(values: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in values.columns]
    if missing:
        raise ValueError(f"value rows lack the column(s) {', '.join(missing)}")


def _month_and_started(col: pd.Series, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Month ordinal of each period start and whether it is on or before ``as_of``."""
    limit = np.datetime64(as_of, "D")
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        idx = pd.DatetimeIndex(col)
        arr = (idx.tz_convert(None) if idx.tz is not None else idx).values
        started = arr.astype("datetime64[D]") <= limit
        month = arr.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        return month.astype(np.int32), started & ~np.isnat(arr)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    conv = pd.DatetimeIndex(pd.to_datetime(pd.Index(uniques, dtype=object), errors="coerce"))
    if conv.tz is not None:
        conv = conv.tz_convert(None)
    u_arr = conv.values
    u_month = np.append((u_arr.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32), -1)
    u_started = np.append((u_arr.astype("datetime64[D]") <= limit) & ~np.isnat(u_arr), False)
    return u_month[codes], u_started[codes]  # code −1 (missing) picks the appended "no" entry


def current_rows(values: pd.DataFrame, as_of: dt.date, known_at: Any = None) -> CurrentRows:
    """The current rows of ``values`` for reference date ``as_of`` and knowledge date ``known_at``."""
    _check_columns(values)
    month, started = _month_and_started(values["period_start"], as_of)
    mask = started & received_by(values["received_at"], knowledge_cutoff(known_at))
    codes = key_codes(values)
    pos = newest_per_key(values, None if bool(mask.all()) else np.flatnonzero(mask), codes=codes)
    total = codes.total()[pos] if len(pos) else np.zeros(0, dtype=bool)
    return CurrentRows(values, pos, month[pos], codes.codes[0][pos], codes.uniques[0],
                       codes.codes[1][pos], codes.uniques[1], total)


def current_values(values: pd.DataFrame, as_of: dt.date, *, known_at: Any = None) -> pd.DataFrame:
    """The current value rows for reference date ``as_of`` as known at ``known_at``: one row per
    (project, indicator, period, breakdown, breakdown_value), the one received last, among rows
    received by ``known_at`` (a date = end of that day, UTC; ``None`` = all) whose period starts on
    or before ``as_of``.

    Returns a new frame with the input's columns (input order kept, fresh index); ``values`` is
    not modified. Raises ``ValueError`` naming missing columns.
    """
    return current_rows(values, as_date(as_of), known_at).frame()

