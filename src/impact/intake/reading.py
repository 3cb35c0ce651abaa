"""Reading a submitted file: bytes → a table of strings with canonical column names.

Handles the file-level concerns of the submission format: size limit, empty and binary files,
the file type (``.csv`` or ``.xlsx``, first sheet), then hands over to
:mod:`impact.intake.csv_reading` or :mod:`impact.intake.xlsx_reading`; the header with its
German aliases is :mod:`impact.intake.columns`. Nothing here knows the catalog.

A file that cannot be read at all raises :class:`impact.core.errors.UnreadableFileError` with a
stable ``code``. Header problems (missing, unknown or duplicate columns) and rows with the
wrong number of fields are returned as :class:`impact.core.errors.Problem` records.
"""

from __future__ import annotations

from pathlib import PurePath

from impact.core.errors import Message
from impact.core.i18n import N_
from impact.intake.columns import ALIASES, RawTable, canonical_column
from impact.intake.files import DEFAULT_MAX_BYTES, display_name, too_large, unreadable

__all__ = ["ALIASES", "RawTable", "canonical_column", "read_submission", "too_large"]


def read_submission(data: bytes, file_name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawTable:
    """Read a submission's bytes into a :class:`RawTable`.

    ``file_name`` decides the type (``.csv``/``.xlsx``) and appears in messages; it is never
    opened. ``max_bytes`` is the upload limit (workbooks: the unpacked-size and row limits are
    proportional to it). Raises :class:`UnreadableFileError` (with ``.code``) for files that
    cannot be read.
    """
    name = display_name(file_name)
    ext = PurePath(name).suffix.lower()
    if len(data) > max_bytes:
        raise too_large(name, len(data), max_bytes)
    if ext not in (".csv", ".xlsx"):
        hint = "supported" if ext != ".xls" else "excel_file" if data.startswith(b"PK\x03\x04") else "old_xls"
        raise unreadable(name, "unsupported_format", hint, ext=ext or Message(N_("(none)")))
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body[:65536].strip(b" \t\r\n") and not body.strip(b" \t\r\n"):  # (no copy of a large file)
        raise unreadable(name, "empty_file", "template")
    if ext == ".xlsx":
        from impact.intake.xlsx_reading import read_xlsx

        table = read_xlsx(data, name, max_bytes=max_bytes)
    else:
        from impact.intake.csv_reading import read_csv

        table = read_csv(data, name)
    if table.rows == 0:
        raise unreadable(name, "no_data_rows", "template")
    return table
