"""Reading an ``.xlsx`` submission (first sheet) safely and completely.

Before openpyxl sees the workbook: it must be a zip whose content unpacks to at most
:func:`impact.intake.files.max_unpacked` bytes, without macros (``xl/vbaProject.bin``, a
macro-enabled content type) and without links to other workbooks (``xl/externalLinks/``) — the
archive keeps originals byte for byte, so such parts are refused at the door — and whose sheets
hold at most :func:`impact.intake.files.max_rows` rows together (counted in the sheets' XML,
streamed, before openpyxl — which parses a sheet without a ``<dimension>`` in full just to
size it — sees them). The sheet is then read independently of its declared ``<dimension>`` (openpyxl's
read-only mode trusts it and would drop or invent rows). Cells become the text Excel shows: a
number formatted as a percentage (holding 0.125) reads ``12.5 %``, a date typed as ``2024-05``
reads back as that month.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from typing import Any

import numpy as np

from impact.core.errors import UnreadableFileError
from impact.intake.columns import RawTable, table_from_rows
from impact.intake.csv_reading import CONTROL
from impact.intake.files import max_rows, max_unpacked, too_many_rows, unpacked_too_large, unreadable

__all__ = ["cell_text", "read_xlsx"]

_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.-]*:row[\s>/]")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_OVERRIDE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Override\b[^>]*>")
_PART_NAME = re.compile(rb'PartName="([^"]+)"')
_MACRO_TYPE = b"macroEnabled"
_CHUNK = 1 << 20


def cell_text(value: Any, number_format: str | None = None) -> str:
    """A cell as text. A number shown as a percentage (format ``0%``) holds a fraction: Excel shows
    0.12 as ``12 %``, and so does this (a percent indicator then reads 12, as the clerk sees it)."""
    if number_format and "%" in number_format and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return f"{cell_text(round(value * 100, 9))} %"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _not_a_workbook(data: bytes, name: str) -> Exception:
    head = data[:4096]
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format (.xls)
        hint = "old_xls"
    elif b"\x00" not in head and not CONTROL.search(head) and head.strip():
        hint = "renamed_csv"  # text: a CSV file that was given the extension .xlsx
    else:
        hint = "save_as_csv"
    return unreadable(name, "bad_xlsx", hint)


def _check_parts(z: zipfile.ZipFile, name: str, max_bytes: int) -> None:
    """Unpacked size, macros, external links and rows, before openpyxl parses anything."""
    infos = z.infolist()
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked(max_bytes):  # a "zip bomb": small file, huge content
        raise unpacked_too_large(name, unpacked, max_bytes)
    parts = {i.filename.replace("\\", "/").lstrip("/").casefold(): i.filename for i in infos}
    types = z.read(parts["[content_types].xml"]) if "[content_types].xml" in parts else b""
    if any(p.endswith("vbaproject.bin") for p in parts) or _MACRO_TYPE in types:
        raise unreadable(name, "xlsx_macros", "save_without_macros")
    if any(p.startswith("xl/externallinks/") for p in parts):
        raise unreadable(name, "xlsx_external_links", "break_links")
    # openpyxl parses every sheet without a <dimension> in full just to size it: count first
    sheets = {p for p in parts if _SHEET_PART.fullmatch(p)}
    for override in _OVERRIDE.findall(types):
        part_name = _PART_NAME.search(override)
        if part_name and b"worksheet+xml" in override:
            sheets.add(part_name.group(1).decode("utf-8", "replace").lstrip("/").casefold())
    limit, rows = max_rows(max_bytes), 0
    for part in sorted(sheets & set(parts)):
        rows += _count_rows(z, parts[part], limit - rows)
        if rows > limit:
            raise too_many_rows(name, max_bytes)


def _row_tags(block: bytes) -> int:
    """``<row …>`` start tags in a piece of sheet XML (``<`` only ever starts a tag in XML)."""
    n = sum(block.count(b"<row" + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    if b":row" in block:  # a namespace prefix (<x:row>): rare, so the slower regex only then
        n += len(_PREFIXED_ROW.findall(block))
    return n


def _count_rows(z: zipfile.ZipFile, part: str, limit: int) -> int:
    """Rows in a sheet's XML, counting at most a little beyond ``limit`` (streamed, nothing kept)."""
    count, tail = 0, b""
    with z.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            block = tail + chunk
            count += _row_tags(block)
            if count > limit:
                return count
            tail = block[max(len(block) - 64, 0):]
            count -= _row_tags(tail)  # counted again with the next chunk
    return count


def read_xlsx(data: bytes, name: str, *, max_bytes: int) -> RawTable:
    """The :class:`RawTable` of a workbook's first sheet (see the module docstring for the limits)."""
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_workbook(data, name)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable(name, "bad_xlsx", "save_as_csv") from None
    with z:
        try:
            _check_parts(z, name, max_bytes)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            raise unreadable(name, "bad_xlsx", "save_as_csv") from None
        values, numeric = _sheet_cells(data, name, max_bytes)
    if not values:
        raise unreadable(name, "empty_file", "template")
    header = values[0]
    while header and not header[-1].strip():
        header = header[:-1]
    width = len(header)
    rows = [(r + [""] * width)[:width] for r in values[1:]]
    flags = np.array([(f + [False] * width)[:width] for f in numeric[1:]], dtype=bool).reshape(len(rows), width)
    return table_from_rows(name, header, rows, "xlsx", None, None, [], flags)


def _sheet_cells(data: bytes, name: str, max_bytes: int) -> tuple[list[list[str]], list[list[bool]]]:
    """(text of every cell, whether it was a number cell), row by row, of the first sheet."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on broken zips/xml
        raise unreadable(name, "bad_xlsx", "save_as_csv") from None
    try:
        if not wb.worksheets:
            raise unreadable(name, "bad_xlsx", "save_as_csv")
        ws: Any = wb.worksheets[0]
        limit = max_rows(max_bytes)
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # the declared <dimension> may be wrong: read what is there
        values: list[list[str]] = []
        numeric: list[list[bool]] = []
        try:
            for row in ws.iter_rows():
                if len(values) > limit:
                    raise too_many_rows(name, max_bytes)
                values.append([cell_text(c.value, getattr(c, "number_format", None)) for c in row])
                numeric.append([isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in row])
        except UnreadableFileError:
            raise
        except Exception:  # noqa: BLE001 - broken sheet XML surfaces as many kinds of errors
            raise unreadable(name, "bad_xlsx", "save_as_csv") from None
    finally:
        wb.close()
    return values, numeric
