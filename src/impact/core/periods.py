"""Reporting periods: ``2024`` (yearly), ``2024-Q2`` (quarterly), ``2024-05`` (monthly).

Pure functions, used by validation, templates, completeness and the engine alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "FREQUENCIES",
    "Period",
    "detect_frequency",
    "parse_period",
    "periods_between",
]

FREQUENCIES = ("monthly", "quarterly", "yearly")

_YEARLY = re.compile(r"^(\d{4})$", re.ASCII)
_QUARTERLY = re.compile(r"^(\d{4})-?[Qq]([1-4])$", re.ASCII)
_MONTHLY = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. Ordered by start date."""

    start: dt.date
    frequency: str

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        y, m = self.start.year, self.start.month
        if self.frequency == "yearly":
            return dt.date(y, 12, 31)
        if self.frequency == "quarterly":
            last = m + 2
            return dt.date(y, last, calendar.monthrange(y, last)[1])
        return dt.date(y, m, calendar.monthrange(y, m)[1])

    @property
    def label(self) -> str:
        """Canonical text: ``2024``, ``2024-Q2`` or ``2024-05``."""
        y, m = self.start.year, self.start.month
        if self.frequency == "yearly":
            return f"{y}"
        if self.frequency == "quarterly":
            return f"{y}-Q{(m - 1) // 3 + 1}"
        return f"{y}-{m:02d}"

    def next(self) -> Period:
        """The following period of the same frequency."""
        y, m = self.start.year, self.start.month
        step = {"yearly": 12, "quarterly": 3, "monthly": 1}[self.frequency]
        m += step
        y += (m - 1) // 12
        m = (m - 1) % 12 + 1
        return Period(dt.date(y, m, 1), self.frequency)

    @classmethod
    def containing(cls, day: dt.date, frequency: str) -> Period:
        """The period of ``frequency`` that contains ``day``."""
        if frequency == "yearly":
            return cls(dt.date(day.year, 1, 1), frequency)
        if frequency == "quarterly":
            return cls(dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), frequency)
        if frequency == "monthly":
            return cls(dt.date(day.year, day.month, 1), frequency)
        raise ValueError(f"unknown frequency {frequency!r}")

    def __str__(self) -> str:
        return self.label


def detect_frequency(text: str) -> str | None:
    """The frequency a period text is written in, or ``None`` if it is no valid period."""
    p = parse_period(text)
    return p.frequency if p else None


def parse_period(text: object) -> Period | None:
    """Parse a period text (surrounding blanks ignored); ``None`` when it is not one.

    Accepts ``2024``, ``2024-Q2`` (also ``2024Q2``, ``2024-q2``) and ``2024-05`` (also ``2024-5``).
    Years outside 1900..2199 are rejected.
    """
    if not isinstance(text, str):
        if isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        else:
            return None
    s = text.strip()
    if m := _YEARLY.match(s):
        year = int(m.group(1))
        return Period(dt.date(year, 1, 1), "yearly") if 1900 <= year < 2200 else None
    if m := _QUARTERLY.match(s):
        year, q = int(m.group(1)), int(m.group(2))
        return Period(dt.date(year, 3 * q - 2, 1), "quarterly") if 1900 <= year < 2200 else None
    if m := _MONTHLY.match(s):
        year, month = int(m.group(1)), int(m.group(2))
        if 1900 <= year < 2200 and 1 <= month <= 12:
            return Period(dt.date(year, month, 1), "monthly")
    return None


def periods_between(start: dt.date, end: dt.date, frequency: str) -> Iterator[Period]:
    """Every period of ``frequency`` that starts on or before ``end`` and ends on or after
    ``start`` (i.e. overlaps the closed interval), in order."""
    p = Period.containing(start, frequency)
    while p.start <= end:
        yield p
        p = p.next()
