"""Workbooks read completely and safely (issue 14): declared dimensions are not trusted, row and
unpacked-size limits follow the upload limit and are named in the message, macros and links to
other workbooks are refused at the door."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from impact.core.errors import UnreadableFileError
from impact.intake.files import BYTES_PER_ROW, UNPACKED_FACTOR, max_rows, max_unpacked
from impact.intake.reading import read_submission
from intake.helpers import codes, xlsx_bytes

ROWS = [("kiezbox", "test-users", f"2024-Q{q}", q) for q in (1, 2, 3, 4)]


def _rewrite(data: bytes, change: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the workbook ``data`` with some parts replaced (``None`` removes) or added."""
    change, add = change or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                dst.writestr(info, src.read(info.filename))
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def _sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_a_wrong_declared_dimension_loses_no_rows(validate):
    data = xlsx_bytes(ROWS)
    sheet = _sheet(data)
    assert b'<dimension ref="A1:D5"' in sheet
    doctored = _rewrite(data, {"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:D5"', b'ref="A1:D2"')})
    table = read_submission(doctored, "a.xlsx")
    assert table.rows == 4 and list(table.frame.index) == [2, 3, 4, 5]
    report = validate(doctored, "a.xlsx")
    assert report.valid and report.rows == 4
    assert report.frame["period"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def test_a_huge_declared_dimension_invents_no_rows(validate):
    data = xlsx_bytes(ROWS)
    sheet = _sheet(data).replace(b'ref="A1:D5"', b'ref="A1:XFD1048576"')
    report = validate(_rewrite(data, {"xl/worksheets/sheet1.xml": sheet}), "a.xlsx")
    assert report.valid and report.rows == 4


def _many_rows(n: int) -> bytes:
    """A small workbook (deflated) whose first sheet holds ``n`` data rows (without the optional
    row and cell references, so that they compress to almost nothing)."""
    data = xlsx_bytes(ROWS[:1])
    sheet = _sheet(data)
    head, _, rest = sheet.partition(b"<sheetData>")
    body, _, tail = rest.partition(b"</sheetData>")
    header = re.match(rb'<row r="1".*?</row>', body)
    assert header is not None
    rows = header.group(0) + b'<row><c t="inlineStr"><is><t>kiezbox</t></is></c><c t="n"><v>1</v></c></row>' * n
    head = re.sub(rb'<dimension ref="[^"]*" ?/>', b"", head)
    return _rewrite(data, {"xl/worksheets/sheet1.xml": head + b"<sheetData>" + rows + b"</sheetData>" + tail})


def test_an_amplification_workbook_is_refused_with_the_row_limit_named():
    """About a million rows in well under a megabyte: refused by counting rows, before reading cells."""
    data = _many_rows(1_000_000)
    assert len(data) < 1_000_000
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, "bombe.xlsx")  # the CLI's default limit of 50 MB
    assert exc.value.code == "too_many_rows"
    assert "more than 500,000 rows" in exc.value.message("en") and "50,000,000 bytes" in exc.value.message("en")
    assert "mehr als 500.000 Zeilen" in exc.value.message("de")


def test_the_row_limit_follows_the_upload_limit(validate):
    data = _many_rows(300)
    assert max_rows(len(data) * 2) < 300 < max_rows(300 * BYTES_PER_ROW + 1000)
    report = validate(data, "a.xlsx", max_bytes=len(data) * 2)
    assert codes(report) == [(None, None, "too_many_rows")] and report.unreadable
    report = validate(data, "a.xlsx", max_bytes=300 * BYTES_PER_ROW + 1000)
    assert not report.unreadable  # within the limit the rows are read (and checked)
    assert report.rows == 300


def test_unpacked_size_limit_is_proportional_and_named():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 500_000)
    data = buf.getvalue()
    assert max_unpacked(100_000) == UNPACKED_FACTOR * 100_000 < 500_000
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, "a.xlsx", max_bytes=100_000)
    assert exc.value.code == "file_too_large"
    assert "500,000 bytes unpacked; at most 400,000 bytes unpacked, 4 times the upload limit" in exc.value.message("en")
    assert "das 4-Fache der Größengrenze" in exc.value.message("de")


def test_workbook_with_macros_is_refused(validate):
    data = _rewrite(xlsx_bytes(ROWS), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro storage"})
    report = validate(data, "makro.xlsx")
    assert report.unreadable and codes(report) == [(None, None, "xlsx_macros")]
    assert "macros" in report.errors[0].message("en") and "Makros" in report.errors[0].message("de")


def test_macro_enabled_content_type_is_refused(validate):
    data = xlsx_bytes(ROWS)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml")
    types = types.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    report = validate(_rewrite(data, {"[Content_Types].xml": types}), "a.xlsx")
    assert codes(report) == [(None, None, "xlsx_macros")]


def test_workbook_with_external_links_is_refused(validate):
    data = _rewrite(xlsx_bytes(ROWS), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    report = validate(data, "verknuepft.xlsx")
    assert report.unreadable and codes(report) == [(None, None, "xlsx_external_links")]
    assert "Verknüpfung aufheben" in report.errors[0].message("de")
