"""An exclusive writer lock on a file (``fcntl.flock``), with a timeout.

The kernel releases the lock when the holding process dies (even by ``SIGKILL``), so a killed
writer never leaves a stale lock behind. The lock file itself is never deleted: deleting it
while another process waits on it would let two writers in at once.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from impact.core.errors import EXIT_BUSY, ImpactError

__all__ = ["LockBusyError", "exclusive_lock"]

_POLL_SECONDS = 0.05


class LockBusyError(ImpactError):
    """Another process held the lock for longer than we were willing to wait (exit code 3)."""

    exit_code = EXIT_BUSY

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        super().__init__(f"{path}: lock busy for {timeout:g} s")

    def message(self, lang: str = "de") -> str:
        if lang == "en":
            return (f"{self.path}: another process has been writing for more than {self.timeout:g} s "
                    "(lock busy); please try again later.")
        return (f"{self.path}: ein anderer Vorgang schreibt seit über {self.timeout:g} s "
                "(Sperre belegt); bitte später erneut versuchen.")


@contextmanager
def exclusive_lock(path: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block.

    Waits up to ``timeout`` seconds (``0`` = do not wait) and raises :class:`LockBusyError`
    when the lock stays taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    raise LockBusyError(path, timeout) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
