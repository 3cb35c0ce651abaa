"""Reading a CSV submission: encoding, separator, and the cells as strings.

UTF-8 (with or without BOM), else Windows-1252; UTF-16, binary data and files that mix
encodings are refused with a hint. The separator is ``;``, ``,`` or tab (from the header line,
or from Excel's ``sep=`` first line). pyarrow reads well-formed files fast; anything it refuses
goes through Python's forgiving reader, which reports rows with too many fields (``bad_row``).
"""

from __future__ import annotations

import csv
import io
import os
import re
from typing import Any

import pandas as pd

from impact.core.errors import Problem
from impact.intake.codes import categorical
from impact.intake.columns import RawTable, build_table, table_from_rows
from impact.intake.files import unreadable
from impact.intake.problems import problem

__all__ = ["BINARY_MAGIC", "CONTROL", "decode", "read_csv"]

BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UTF8_LATIN = re.compile(rb"\xc3[\x80-\xbf]")  # UTF-8 for ä ö ü ß Ä Ö Ü é …
_LINE = re.compile(r"[^\r\n]*")
_PARALLEL_ROWS = 100_000  # from this many rows the columns are encoded in parallel threads
_SEP_LINE = re.compile(r"^sep=([;,\t])[ \t]*\r?\n", re.IGNORECASE)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file; raises ``UnreadableFileError`` when it is no text."""
    head = data[:65536]
    if head.startswith(b"PK\x03\x04"):
        raise unreadable(name, "binary_file", "excel_file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):  # Excel's "Unicode text"
        raise unreadable(name, "bad_encoding", "utf16", pos=1)
    if b"\x00" in head or any(head.startswith(m) for m in BINARY_MAGIC) or \
            len(CONTROL.findall(head[:8192])) > max(8, len(head[:8192]) // 100):
        raise unreadable(name, "binary_file", "save_as_csv")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_LATIN.search(data):  # UTF-8 umlauts *and* invalid bytes: mixed, either reading garbles text
            raise unreadable(name, "mixed_encoding", "save_as_csv", pos=exc.start + 1) from None
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise unreadable(name, "bad_encoding", "save_as_csv", pos=exc.start + 1) from None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without byte-order mark: text whose every other byte is NUL (Latin letters)."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    for text, zeros in ((even, odd), (odd, even)):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) == 0 and not CONTROL.search(text):
            return True
    return False


def _first_line(text: str) -> str:
    m = _LINE.match(text)
    return m.group(0) if m else ""


def _excel_sep_line(text: str) -> tuple[str, str]:
    """Excel may write a first line ``sep=;`` (hidden when it opens the file): honour and drop it."""
    m = _SEP_LINE.match(text)
    if m:
        return text[m.end():], m.group(1)
    first = _first_line(text)
    counts = {s: first.count(s) for s in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return text, best if counts[best] else ","


def read_csv(data: bytes, name: str) -> RawTable:
    """The :class:`RawTable` of a CSV file's bytes (semicolon files: German number style)."""
    text, encoding = decode(data, name)
    text, sep = _excel_sep_line(text)
    style = "de" if sep == ";" else "en"
    try:
        frame, header = _read_csv_arrow(text, sep)
    except _Fallback:
        return _read_csv_python(name, text, sep, encoding, style)
    return build_table(name, header, frame, style, encoding, sep, [])


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
    columns = [table.column(i) for i in range(table.num_columns)]
    if table.num_rows >= _PARALLEL_ROWS and len(columns) > 1:  # pyarrow encodes without the GIL: use the cores
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
            encoded = list(pool.map(_encoded, columns))
    else:
        encoded = [_encoded(c) for c in columns]
    frame = pd.DataFrame({i: _categorical(e) for i, e in enumerate(encoded)})
    frame.columns = header
    return frame, header


def _encoded(column: Any) -> Any:
    """A pyarrow string column dictionary-encoded (each distinct text once, an index per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.chunk(0) if column.num_chunks == 1 else pa.concat_arrays(column.chunks) if column.num_chunks \
        else pa.array([], type=pa.string())
    return pc.dictionary_encode(array)


def _categorical(encoded: Any) -> pd.Series:
    """A dictionary-encoded pyarrow array as a pandas categorical."""
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    texts = pd.Index(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return categorical(codes, texts, pd.RangeIndex(len(codes)))


def _read_csv_python(name: str, text: str, sep: str, encoding: str, style: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise unreadable(name, "bad_csv", detail=str(exc)) from None
    if not records:
        raise unreadable(name, "empty_file", "template")
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
    return table_from_rows(name, header, rows, style, encoding, sep, errors)
