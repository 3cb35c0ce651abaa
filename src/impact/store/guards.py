"""Checks of a valid submission against what is stored, run under the writer lock before it commits.

Each returns :class:`impact.core.errors.Problem` records (one per refused row, with the file's
row number); any problem refuses the whole file (it goes to quarantine, the store is unchanged):

* :func:`approved_changes` — ``value_approved``: a row would change an approved value;
* :func:`reverts` — ``reverts_correction``: a row would bring back a value that a newer
  correction replaced (e.g. an old file saved again with other line endings: not a duplicate,
  but its rows would count as corrections).

The second can be overridden by the user (``--allow-revert``); an approved value only by
reopening it (``impact review reopen``). (Implausible corrections are found by the intake stage:
``ValidationReport.implausible_corrections``, confirmed with ``--confirm-implausible``.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from impact.core.errors import Problem
from impact.core.schema import KEY_COLUMNS
from impact.store.values import latest_per_key

__all__ = ["approved_changes", "key_label", "keyed", "reverts"]

KEY = list(KEY_COLUMNS)
#: What approval fixes about a value: a row that differs in one of these changes it.
REVIEWED = ("value", "quality", "evidence")


def keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s key columns as text (missing breakdown = ``""``), for joining on the key."""
    return pd.DataFrame({c: frame[c].fillna("").astype(str) for c in KEY}, index=frame.index)


def key_label(project: Any, indicator: Any, period: Any, breakdown: Any = "", breakdown_value: Any = "") -> str:
    """A key as people read it: ``kiezbox / test-users / 2024-Q2`` (``/ district = mitte``)."""
    label = f"{project} / {indicator} / {period}"
    return f"{label} / {breakdown} = {breakdown_value}" if breakdown else label


def _with_current(frame: pd.DataFrame, stored: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The rows of ``frame`` that correct a stored value, with the current stored row's ``columns``
    (suffix ``_stored``)."""
    cols = list(dict.fromkeys(columns))
    current = latest_per_key(stored) if not stored.empty else stored
    left = keyed(frame).join(frame.drop(columns=KEY))
    right = keyed(current).join(current[cols].add_suffix("_stored"))
    return left.merge(right, on=KEY, how="inner")


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality where two missing values are equal too."""
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    return np.asarray(both_missing | (a.astype(object) == b.astype(object)).to_numpy(dtype=bool))


def _problem(code: str, rec: dict[str, Any], hint: str, hint_args: dict[str, Any], **fields: Any) -> Problem:
    from impact.intake.problems import problem  # the code list and its texts

    key = key_label(*(rec[c] for c in KEY))
    return problem(code, int(rec["row"]), "value", hint=hint, hint_args=hint_args, key=key,
                   value=float(rec["value"]), stored=float(rec["value_stored"]), **fields)


def approved_changes(frame: pd.DataFrame, stored: pd.DataFrame, approved: pd.DataFrame) -> list[Problem]:
    """Rows that would change an approved value. ``approved``: key columns + ``approved_at``,
    ``approved_by`` of the keys approved now."""
    if frame.empty or stored.empty or approved.empty:
        return []
    cols = [c for c in REVIEWED if c in frame.columns and c in stored.columns]
    hits = _with_current(frame, stored, cols)
    hits = hits.merge(keyed(approved).join(approved[["approved_at", "approved_by"]]), on=KEY)
    changed = np.zeros(len(hits), dtype=bool)
    for c in cols:
        changed |= ~_same(hits[c], hits[f"{c}_stored"])
    return [_problem("value_approved", rec, "reopen", {"approved_by": rec["approved_by"]},
                     approved_at=pd.Timestamp(rec["approved_at"]).date(), approved_by=rec["approved_by"])
            for rec in hits[changed].sort_values("row").to_dict("records")]


def reverts(frame: pd.DataFrame, stored: pd.DataFrame) -> list[Problem]:
    """Rows whose value differs from the current one but equals a value that a correction replaced."""
    if frame.empty or stored.empty:
        return []
    hits = _with_current(frame, stored, ["value", "received_at", "submission_id"])
    hits = hits[hits["value"].to_numpy(dtype=float) != hits["value_stored"].to_numpy(dtype=float)]
    if hits.empty:
        return []
    older = keyed(stored).join(stored[["value", "submission_id"]].rename(columns={"submission_id": "older_id"}))
    hits = hits.merge(older, on=[*KEY, "value"], how="inner")
    hits = hits[hits["older_id"] != hits["submission_id_stored"]].drop_duplicates("row")
    return [_problem("reverts_correction", rec, "revert", {}, since=pd.Timestamp(rec["received_at_stored"]).date())
            for rec in hits.sort_values("row").to_dict("records")]
