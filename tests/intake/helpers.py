"""Builders for tiny submissions (CSV variants, xlsx) and accessors for report problems."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from impact.intake.validation import ValidationReport

TODAY = dt.date(2026, 11, 21)
HEADER = ("project_id", "indicator_id", "period", "value")
HEADER_DE = ("Projekt", "Indikator", "Zeitraum", "Wert", "Einheit", "Aufschlüsselung", "Ausprägung", "Anmerkung")


def csv_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, *, sep: str = ",",
              encoding: str = "utf-8", bom: bool = False, newline: str = "\n") -> bytes:
    """A CSV file (no quoting magic: cells are joined as given)."""
    lines = [sep.join(header)] + [sep.join("" if c is None else str(c) for c in r) for r in rows]
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    """An xlsx workbook with one sheet; cells keep their Python types (numbers, dates, text)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def codes(report: ValidationReport) -> list[tuple[int | None, str | None, str]]:
    """(row, column, code) of every error."""
    return [(p.row, p.column, p.code) for p in report.errors]


def warning_codes(report: ValidationReport) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in report.warnings]
