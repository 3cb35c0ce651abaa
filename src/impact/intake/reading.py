"""Reading a submitted file: bytes → a table of strings with canonical column names.

Handles the file-level concerns of the submission format: size limit, empty and binary files,
the file type (``.csv`` or ``.xlsx``, first sheet), the encoding of CSV files (UTF-8 with or
without BOM, else Windows-1252), the separator (``;`` or ``,``), and the header with its German
aliases (case and surrounding blanks ignored). Nothing here knows the catalog.

A file that cannot be read at all raises :class:`impact.core.errors.UnreadableFileError` with a
stable ``code``. Header problems (missing, unknown or duplicate columns) and rows with the
wrong number of fields are returned as :class:`impact.core.errors.Problem` records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pandas as pd

from impact.core.errors import Problem, UnreadableFileError
from impact.intake.problems import CODES, HINTS, closest, problem

__all__ = [
    "ALIASES",
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RawTable",
    "canonical_column",
    "read_submission",
    "too_large",
]

REQUIRED_COLUMNS = ("project_id", "indicator_id", "period", "value")
OPTIONAL_COLUMNS = ("unit", "breakdown", "breakdown_value", "note", "source")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: accepted header spellings (compared case-insensitively, blanks around ignored)
ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "projekt": "project_id", "indikator": "indicator_id", "zeitraum": "period", "wert": "value",
    "einheit": "unit", "aufschlüsselung": "breakdown", "ausprägung": "breakdown_value",
    "anmerkung": "note", "quelle": "source",
    # forgiving variants seen in practice
    "project": "project_id", "indicator": "indicator_id", "projekt_id": "project_id",
    "indikator_id": "indicator_id", "aufschluesselung": "breakdown", "auspraegung": "breakdown_value",
    "project id": "project_id", "indicator id": "indicator_id", "breakdown value": "breakdown_value",
}

_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel turns "2024-05" typed into a cell into the date 2024-05-01 (read back as this text).
_UTF8_LATIN = re.compile(rb"\xc3[\x80-\xbf]")  # UTF-8 for ä ö ü ß Ä Ö Ü é …
_LINE = re.compile(r"[^\r\n]*")
_SPREADSHEET_MONTH = re.compile(r"^\d{4}-\d{2}-01(?:[ T]00:00(?::00)?)?$")


@dataclass
class RawTable:
    """The submission as strings.

    ``frame`` has one column per recognised column (canonical names, all ``str``, blanks as
    ``""``); its index is the spreadsheet row number (header = row 1). Blank rows are dropped
    (they keep their numbers). ``headers`` maps canonical name → name as written in the file.
    ``number_style`` is ``"de"`` (``;`` CSV: decimal comma), ``"en"`` (``,`` CSV: decimal
    dot) or ``"xlsx"`` (numbers come as numbers; text cells may use a decimal comma).
    """

    file: str
    frame: pd.DataFrame
    headers: dict[str, str]
    number_style: str
    encoding: str | None = None
    separator: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0

    def header(self, column: str) -> str:
        """The column name as written in the file (or the canonical name when absent)."""
        return self.headers.get(column, column)


def _unreadable(file: str, code: str, hint: str | None = None, **values: Any) -> UnreadableFileError:
    de, en = CODES[code]
    de, en = de.format(**values), en.format(**values)
    if hint:
        de = f"{de} ({HINTS[hint][0]})"
        en = f"{en} ({HINTS[hint][1]})"
    err = UnreadableFileError(file, code, de, en)
    return err


def _bytes_text(n: int) -> tuple[str, str]:
    """A byte count for messages: (German ``1.234.567``, English ``1,234,567``)."""
    en = f"{n:,}"
    return en.replace(",", "."), en


def too_large(file_name: str, size: int | None, limit: int) -> UnreadableFileError:
    """The ``file_too_large`` error; ``size`` ``None`` = unknown, only known to exceed ``limit``."""
    limit_de, limit_en = _bytes_text(limit)
    if size is None:
        size_de, size_en = f"mehr als {limit_de}", f"more than {limit_en}"
    else:
        size_de, size_en = _bytes_text(size)
    return _unreadable(PurePath(file_name or "upload").name, "file_too_large", "too_large", size=size_en,
                       size_de=size_de, limit=limit_en, limit_de=limit_de)


def canonical_column(name: str) -> str | None:
    """The canonical column for a header cell (German aliases, case and blanks ignored), or ``None``."""
    key = " ".join(str(name).replace("\ufeff", "").split()).casefold()
    return ALIASES.get(key) or ALIASES.get(key.replace(" ", "_")) or ALIASES.get(key.replace("-", "_"))


def read_submission(data: bytes, file_name: str, *, max_bytes: int | None = None) -> RawTable:
    """Read a submission's bytes into a :class:`RawTable`.

    ``file_name`` decides the type (``.csv``/``.xlsx``) and appears in messages; it is never
    opened. Raises :class:`UnreadableFileError` (with ``.code``) for files that cannot be read.
    """
    name = PurePath(file_name or "upload").name
    ext = PurePath(name).suffix.lower()
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(name, len(data), max_bytes)
    if ext not in (".csv", ".xlsx"):
        hint = "supported" if ext != ".xls" else "excel_file" if data.startswith(b"PK\x03\x04") else "old_xls"
        raise _unreadable(name, "unsupported_format", hint, ext=ext or "(ohne/none)")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body.strip(b" \t\r\n"):
        raise _unreadable(name, "empty_file", "template")
    if ext == ".xlsx":
        rows, header_row = _xlsx_rows(data, name, 20 * (max_bytes or 50_000_000))
        table = _from_rows(name, header_row, rows, "xlsx", None, None, [])
    else:
        text, encoding = _decode(data, name)
        text, sep = _excel_sep_line(text)
        table = _read_csv_text(name, text, sep, encoding)
    if table.rows == 0:
        raise _unreadable(name, "no_data_rows", "template")
    return table


# ---------------------------------------------------------------------------- CSV


def _decode(data: bytes, name: str) -> tuple[str, str]:
    head = data[:65536]
    if head.startswith(b"PK\x03\x04"):
        raise _unreadable(name, "binary_file", "excel_file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):  # Excel's "Unicode text"
        raise _unreadable(name, "bad_encoding", "utf16", pos=1)
    if b"\x00" in head or any(head.startswith(m) for m in _BINARY_MAGIC) or \
            len(_CONTROL.findall(head[:8192])) > max(8, len(head[:8192]) // 100):
        raise _unreadable(name, "binary_file", "save_as_csv")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_LATIN.search(data):  # UTF-8 umlauts *and* invalid bytes: mixed, either reading garbles text
            raise _unreadable(name, "mixed_encoding", "save_as_csv", pos=exc.start + 1) from None
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise _unreadable(name, "bad_encoding", "save_as_csv", pos=exc.start + 1) from None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without byte-order mark: text whose every other byte is NUL (Latin letters)."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    for text, zeros in ((even, odd), (odd, even)):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) == 0 and not _CONTROL.search(text):
            return True
    return False


def _first_line(text: str) -> str:
    m = _LINE.match(text)
    return m.group(0) if m else ""


_SEP_LINE = re.compile(r"^sep=([;,\t])[ \t]*\r?\n", re.IGNORECASE)


def _excel_sep_line(text: str) -> tuple[str, str]:
    """Excel may write a first line ``sep=;`` (hidden when it opens the file): honour and drop it."""
    m = _SEP_LINE.match(text)
    if m:
        return text[m.end():], m.group(1)
    return text, _separator(text)


def _separator(text: str) -> str:
    first = _first_line(text)
    counts = {s: first.count(s) for s in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _read_csv_text(name: str, text: str, sep: str, encoding: str) -> RawTable:
    style = "de" if sep == ";" else "en"
    try:
        frame, header = _read_csv_arrow(text, sep)
    except _Fallback:
        return _read_csv_python(name, text, sep, encoding, style)
    return _finish(name, header, frame, style, encoding, sep, [])


class _Fallback(Exception):
    """pyarrow cannot read the text strictly: use the forgiving (slower) Python reader."""


def _read_csv_arrow(text: str, sep: str) -> tuple[pd.DataFrame, list[str]]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        header = next(csv.reader(io.StringIO(_first_line(text) + "\n", newline=""), delimiter=sep), [])
    except csv.Error:
        raise _Fallback from None
    if not header or len(set(header)) != len(header) or any(not h.strip() for h in header):
        raise _Fallback
    raw = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(header))], skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        raise _Fallback from None
    frame = table.to_pandas()
    frame.columns = header
    # a trailing blank line at the very end is no row
    return frame, header


def _read_csv_python(name: str, text: str, sep: str, encoding: str, style: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _unreadable(name, "bad_csv", detail=str(exc)) from None
    if not records:
        raise _unreadable(name, "empty_file", "template")
    header, body = records[0], records[1:]
    width = len(header)
    errors: list[Problem] = []
    rows: list[list[str]] = []
    for i, rec in enumerate(body):
        if len(rec) > width and any(c.strip() for c in rec[width:]):
            errors.append(problem("bad_row", i + 2, None, hint="separator" if sep == "," else None,
                                  actual=len(rec), expected=width))
            rows.append([""] * width)
            continue
        rows.append((rec + [""] * width)[:width])
    return _from_rows(name, header, rows, style, encoding, sep, errors)


# ---------------------------------------------------------------------------- XLSX


def _cell_text(value: Any, number_format: str | None = None) -> str:
    """A cell as text. A number shown as a percentage (format ``0%``) holds a fraction: Excel shows
    0.12 as ``12 %``, and so does this (a percent indicator then reads 12, as the clerk sees it)."""
    if number_format and "%" in number_format and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return f"{_cell_text(round(value * 100, 9))} %"
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


def _xlsx_rows(data: bytes, name: str, max_unpacked: int) -> tuple[list[list[str]], list[str]]:
    if not data.startswith(b"PK\x03\x04"):
        head = data[:4096]
        if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format (.xls)
            hint = "old_xls"
        elif b"\x00" not in head and not _CONTROL.search(head) and head.strip():
            hint = "renamed_csv"  # text: a CSV file that was given the extension .xlsx
        else:
            hint = "save_as_csv"
        raise _unreadable(name, "bad_xlsx", hint)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable(name, "bad_xlsx", "save_as_csv") from None
    if unpacked > max_unpacked:  # a "zip bomb": small file, huge content
        raise too_large(name, unpacked, max_unpacked)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            ws = wb.worksheets[0]
            values = [[_cell_text(c.value, getattr(c, "number_format", None)) for c in row] for row in ws.iter_rows()]
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on broken zips/xml
        raise _unreadable(name, "bad_xlsx", "save_as_csv") from None
    if not values:
        raise _unreadable(name, "empty_file", "template")
    header = values[0]
    while header and not header[-1].strip():
        header = header[:-1]
    width = len(header)
    rows = [(r + [""] * width)[:width] for r in values[1:]]
    return rows, header


# ---------------------------------------------------------------------------- common


def _late_header(frame: pd.DataFrame) -> int | None:
    """The spreadsheet row (among the first 20) that holds the column names, when it is not row 1."""
    for row, cells in frame.head(19).iterrows():
        found = {canonical_column(c) for c in cells.astype(str) if c.strip()}
        if len(found & set(REQUIRED_COLUMNS)) >= 2:
            return int(row)  # type: ignore[call-overload]
    return None


def _from_rows(name: str, header: list[str], rows: list[list[str]], style: str, encoding: str | None,
               sep: str | None, errors: list[Problem]) -> RawTable:
    width = len(header)
    cols = list(zip(*rows, strict=True)) if rows else [()] * width
    frame = pd.DataFrame({i: pd.Series(list(c), dtype="str") for i, c in enumerate(cols)})
    if frame.shape[1] != width:  # pragma: no cover - zip guarantees it
        frame = frame.reindex(columns=range(width), fill_value="")
    frame.columns = list(range(width))
    return _finish(name, header, frame, style, encoding, sep, errors)


def _finish(name: str, header: list[str], frame: pd.DataFrame, style: str, encoding: str | None,
            sep: str | None, errors: list[Problem]) -> RawTable:
    frame = frame.copy()
    frame.columns = list(range(frame.shape[1]))
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    warnings: list[Problem] = []
    headers: dict[str, str] = {}
    keep: dict[int, str] = {}
    unknown: list[str] = []
    for i, raw in enumerate(header):
        label = str(raw).replace("\ufeff", "").strip()
        canon = canonical_column(label)
        if canon is None:
            if label:
                unknown.append(label)
            elif i < frame.shape[1] and frame[i].str.strip().ne("").any():
                unknown.append(f"#{i + 1}")
            continue
        if canon in headers:
            errors.append(problem("duplicate_column", 1, label))
            continue
        headers[canon] = label
        keep[i] = canon
    late_header = _late_header(frame) if not any(c in headers for c in REQUIRED_COLUMNS) else None
    for col in REQUIRED_COLUMNS:
        if col in headers:
            continue
        if late_header is not None:  # title rows above the column names
            errors.append(problem("missing_column", 1, col, hint="header_row", hint_args={"row": late_header}))
            continue
        near = next((u for u in unknown if closest(u, [col, *(k for k, v in ALIASES.items() if v == col)], 0.7)), None)
        if near:
            unknown.remove(near)
            errors.append(problem("missing_column", 1, col, hint="did_you_mean_column",
                                  hint_args={"found": near, "column": col}))
        else:
            errors.append(problem("missing_column", 1, col))
    for u in unknown:
        sugg = closest(u, [c for c in COLUMNS if c not in headers], 0.7)
        warnings.append(problem("unknown_column", 1, u, hint="did_you_mean" if sugg else None,
                                hint_args={"suggestion": sugg}))
    out = pd.DataFrame({canon: frame[i].astype("str") for i, canon in keep.items()}, index=frame.index)
    for col in COLUMNS:
        if col not in out:
            out[col] = pd.Series("", index=out.index, dtype="str")
    out = out[list(COLUMNS)]
    if style == "xlsx" and len(out):
        mask = out["period"].str.match(_SPREADSHEET_MONTH)
        if mask.any():  # Excel turns "2024-05" typed into a cell into the date 2024-05-01
            out.loc[mask, "period"] = out.loc[mask, "period"].str.slice(0, 7)
    # drop rows blank in every column (Excel exports trailing ;;;; lines) and unreadable rows
    bad_rows = [p.row for p in errors if p.code == "bad_row"]
    if frame.shape[1]:
        blank = pd.concat([frame[i].str.strip().eq("") for i in range(frame.shape[1])], axis=1).all(axis=1)
        out = out.loc[~blank.to_numpy() & ~out.index.isin(bad_rows)]
    else:
        out = out.iloc[0:0]
    return RawTable(name, out, headers, style, encoding, sep, errors, warnings, len(out) + len(bad_rows))
