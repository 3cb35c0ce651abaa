"""Reporting periods as integer ordinals, and when a period is due.

A period of an indicator's frequency is numbered by its ordinal: months since year 0 divided by the
period length in months (``2025-Q2`` → ``2025·4 + 1``). A period is *due* once its end plus
:data:`GRACE_DAYS` days has passed (teams need a few weeks to report); a project's end caps the
last due period. Used by staleness (:mod:`impact.engine.progress`) and completeness
(:mod:`impact.engine.completeness`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

__all__ = ["GRACE_DAYS", "MONTHS", "as_date", "days", "last_due_ordinal", "period_end_days", "period_label",
           "project_due_ordinal"]

GRACE_DAYS = 30
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
_EPOCH = dt.date(1970, 1, 1)


def as_date(day: Any) -> dt.date:
    """A ``date`` from a date, date-time (its date) or ISO text; ``TypeError`` otherwise."""
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    if isinstance(day, str):
        return dt.date.fromisoformat(day)
    raise TypeError(f"as_of must be a date, got {type(day).__name__}")


def days(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


def period_end_days(period_ord: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Last day of each period (ordinal and months per period), as days since 1970-01-01."""
    next_start = (np.asarray(period_ord, dtype=np.int64) + 1) * np.asarray(months, dtype=np.int64) - 1970 * 12
    return next_start.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def period_label(period_ord: int, frequency: str) -> str:
    """The canonical label (``2025``, ``2025-Q2``, ``2025-04``) of a period ordinal."""
    if frequency == "yearly":
        return f"{period_ord}"
    if frequency == "quarterly":
        return f"{period_ord // 4}-Q{period_ord % 4 + 1}"
    return f"{period_ord // 12}-{period_ord % 12 + 1:02d}"


def last_due_ordinal(as_of: dt.date, frequency: str) -> int:
    """Ordinal of the last period whose end + :data:`GRACE_DAYS` lies on or before ``as_of``."""
    months = MONTHS[frequency]
    cut = as_of - dt.timedelta(days=GRACE_DAYS)
    ordinal = (cut.year * 12 + cut.month - 1) // months
    end = period_end_days(np.array([ordinal]), np.array([months]))[0]
    return ordinal if end <= days(cut) else ordinal - 1


def project_due_ordinal(as_of: dt.date, frequency: str, end: dt.date | None) -> int:
    """:func:`last_due_ordinal`, capped by the period that holds the project's ``end``."""
    due = last_due_ordinal(as_of, frequency)
    if end is not None:
        due = min(due, (end.year * 12 + end.month - 1) // MONTHS[frequency])
    return due
