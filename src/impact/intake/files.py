"""Getting a submission's bytes, within the size limits, with the documented problem codes.

:func:`read_file` is the one way to read a submitted file from a path (``impact validate`` and
``impact ingest`` both use it): a path that cannot be opened is ``unreadable_file``, a file over
the limit ``file_too_large`` with its real size. The limits of a workbook (unpacked size, rows)
are proportional to the upload limit: :func:`max_unpacked`, :func:`max_rows`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Any

from impact.core.config import Settings
from impact.core.errors import Grouped, Message, UnreadableFileError
from impact.core.i18n import N_
from impact.intake.problems import problem

__all__ = [
    "BYTES_PER_ROW",
    "DEFAULT_MAX_BYTES",
    "UNPACKED_FACTOR",
    "display_name",
    "max_rows",
    "max_unpacked",
    "read_file",
    "too_large",
    "unreadable",
]

#: the upload limit when a caller names none (the default of ``IMPACT_MAX_BYTES``)
DEFAULT_MAX_BYTES: int = Settings.max_bytes
#: a workbook may unpack to at most this many times the upload limit (xlsx compresses ~5-10×)
UNPACKED_FACTOR = 4
#: a workbook may hold at most one row per this many bytes of the upload limit (a CSV row of the
#: submission format takes about 40 bytes; 50 MB allow 500,000 rows, the portal's 10 MB 100,000)
BYTES_PER_ROW = 100

_WHY = {FileNotFoundError: N_("No such file or directory"), PermissionError: N_("Permission denied"),
        IsADirectoryError: N_("Is a directory")}


def display_name(file_name: str | None) -> str:
    """The last part of a file name, for messages (a name is never used as a path)."""
    return PurePath(file_name or "upload").name


def unreadable(file: str, code: str, hint: str | None = None, **fields: Any) -> UnreadableFileError:
    """The error for a file that cannot be read (a file-level problem with ``code``)."""
    return UnreadableFileError(file, problem(code, hint=hint, **fields))


def _bytes(n: int, text: str = N_("{n} bytes")) -> Message:
    return Message(text, n=Grouped(n))


def too_large(file_name: str, size: int | None, limit: int) -> UnreadableFileError:
    """The ``file_too_large`` error; ``size`` ``None`` = unknown, only known to exceed ``limit``."""
    shown = _bytes(limit, N_("more than {n} bytes")) if size is None else _bytes(size)
    return unreadable(display_name(file_name), "file_too_large", "too_large", size=shown, limit=_bytes(limit))


def max_unpacked(max_bytes: int) -> int:
    """The most a workbook may unpack to, for the upload limit ``max_bytes``."""
    return UNPACKED_FACTOR * max_bytes


def max_rows(max_bytes: int) -> int:
    """The most rows a workbook may hold, for the upload limit ``max_bytes``."""
    return max(1, max_bytes // BYTES_PER_ROW)


def unpacked_too_large(file_name: str, size: int, max_bytes: int) -> UnreadableFileError:
    """``file_too_large`` for a workbook whose content unpacks beyond :func:`max_unpacked`."""
    limit = Message(N_("{n} bytes unpacked, {factor} times the upload limit"), n=Grouped(max_unpacked(max_bytes)),
                    factor=UNPACKED_FACTOR)
    return unreadable(display_name(file_name), "file_too_large", "too_large",
                      size=_bytes(size, N_("{n} bytes unpacked")), limit=limit)


def too_many_rows(file_name: str, max_bytes: int) -> UnreadableFileError:
    """``too_many_rows`` for a workbook with more rows than :func:`max_rows` allows."""
    return unreadable(display_name(file_name), "too_many_rows", "too_large", limit=Grouped(max_rows(max_bytes)),
                      per_row=BYTES_PER_ROW, max_bytes=Grouped(max_bytes))


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the file at ``path``, at most ``max_bytes`` of them.

    Raises :class:`UnreadableFileError` with code ``unreadable_file`` (missing, no permission, a
    directory) or ``file_too_large`` (naming the real size; a pipe without one is "more than the
    limit"). A file over the limit is not read beyond the limit.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(max_bytes + 1)  # enough to tell "too large" without reading it all
    except OSError as exc:
        why = _WHY.get(type(exc))
        detail: Any = Message(why) if why else (exc.strerror or type(exc).__name__)
        raise unreadable(p.name, "unreadable_file", detail=detail) from None
    if len(data) > max_bytes:
        raise too_large(p.name, size if size >= len(data) else None, max_bytes)
    return data
