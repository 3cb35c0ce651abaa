"""Writing files so that a crash never leaves half a file: one atomic, fsynced write for all.

:func:`atomic_write` writes to a uniquely named temporary file in the same folder, fsyncs it,
renames it over the target and fsyncs the folder, so a reader sees the old file or the new one,
never a mixture, and a power cut after the call returns cannot lose it. A killed writer leaves at
most a temporary file (prefix :data:`TMP_PREFIX`), which readers ignore and
:func:`remove_stale_temporaries` cleans up. The one lock lives in :mod:`impact.core.locking`.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["TMP_PREFIX", "atomic_write", "atomic_write_text", "atomic_write_with", "fsync_dir",
           "remove_stale_temporaries"]

TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file inside ``path`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(path: Path) -> Path:
    return path.parent / f"{TMP_PREFIX}{uuid.uuid4().hex[:12]}-{path.name}"


def _replace_via_temporary(path: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write and fsync a temporary beside ``path``, rename it over ``path``, fsync the folder.

    The temporary is removed whatever goes wrong, so a failed write leaves ``path`` as it was."""
    tmp = _temporary(path)
    try:
        fill(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_with(path: Path, write: Callable[[Path], None], *, mode: int = 0o644) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then fsync it and rename it over ``path``.

    For writers that need a file name (Parquet, Excel, zip). ``write`` must create the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def fill(tmp: Path) -> None:
        write(tmp)
        os.chmod(tmp, mode)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    _replace_via_temporary(path, fill)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` by ``data`` atomically and durably (see the module docstring)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def fill(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    _replace_via_temporary(path, fill)


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """:func:`atomic_write` for UTF-8 text."""
    atomic_write(path, text.encode("utf-8"), mode=mode)


def remove_stale_temporaries(folder: Path, older_than: float = 3600.0) -> int:
    """Delete temporaries a killed writer left in ``folder`` (only those older than ``older_than`` s)."""
    removed = 0
    limit = time.time() - older_than
    if not folder.is_dir():
        return 0
    for tmp in folder.glob(f"{TMP_PREFIX}*"):
        try:
            if tmp.is_file() and tmp.stat().st_mtime < limit:
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed
