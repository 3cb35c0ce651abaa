"""Where things are in a store directory, its format marker, and the ids and times it records.

Layout of a store directory (``Store(path)``; the CLI's default is ``data/store``)::

    store.json                        format marker {"format": "impact-store", "version": 1}
    ledger.jsonl                      one JSON object per event, appended under the lock
    values/<submission_id>.parquet    accepted rows of one submission
    archive/<submission_id>/1.<ext>   the original bytes, unchanged
    quarantine/<UTC-stamp>-<sha12>/   refused original + errors.json + errors.txt
    .lock                             writer lock (see :mod:`impact.core.locking`)
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from impact.core.config import utc_now as _clock
from impact.core.files import TMP_PREFIX, atomic_write_text, fsync_dir
from impact.core.i18n import N_
from impact.store.errors import StoreFormatError

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "PAUSE_ENV",
    "TMP_PREFIX",
    "Layout",
    "extension",
    "iso",
    "printable",
    "safe_file_name",
    "sha256_hex",
    "stamp",
    "utc_now",
]

FORMAT_NAME = "impact-store"
FORMAT_VERSION = 1

#: Test hook (inert unless set): seconds to sleep after the values file is written and before
#: the ledger line commits it — lets tests kill a writer at the worst moment.
PAUSE_ENV = "IMPACT_TEST_PAUSE_AFTER_WRITE"
DEFAULT_LOCK_TIMEOUT = 120.0
SUBMISSION_ID = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    """The submission id: sha256 of the original bytes, lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def utc_now() -> pd.Timestamp:
    """Now, UTC, microsecond precision (``IMPACT_NOW`` pins it, see :func:`impact.core.config.utc_now`)."""
    return pd.Timestamp(_clock()).as_unit("us")


def iso(ts: pd.Timestamp) -> str:
    """A UTC time as ISO 8601 (``2026-11-21T10:00:00.123456+00:00``), the ledger's notation."""
    return pd.Timestamp(ts).tz_convert("UTC").isoformat()


def stamp(ts: pd.Timestamp) -> str:
    """A UTC time for folder names (``20261121T100000123456Z``)."""
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y%m%dT%H%M%S%fZ")


def extension(file_name: str) -> str:
    """The archive extension of a submitted file name (``csv``, ``xlsx``…; ``bin`` if odd)."""
    suffix = Path(file_name.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else "bin"


def safe_file_name(file_name: str, fallback: str = "original") -> str:
    """A file name that is safe to create inside a folder (no path, no control characters)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")[:120]
    return base or f"{fallback}.{extension(file_name)}"


def printable(text: object) -> str:
    """``text`` for one line of terminal output: control and line-separator characters escaped.

    A file name such as ``"a.csv\\n0000  accepted"`` must not forge a line in a listing.
    """
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Layout:
    """The paths of one store directory."""

    path: Path

    @property
    def meta_path(self) -> Path:
        return self.path / "store.json"

    @property
    def ledger_path(self) -> Path:
        return self.path / "ledger.jsonl"

    @property
    def values_dir(self) -> Path:
        return self.path / "values"

    @property
    def archive_dir(self) -> Path:
        return self.path / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.path / "quarantine"

    @property
    def lock_path(self) -> Path:
        return self.path / ".lock"

    def values_path(self, submission_id: str) -> Path:
        return self.values_dir / f"{submission_id}.parquet"

    def exists(self) -> bool:
        """Whether a store is at :attr:`path`: a store's files are there, or an empty folder."""
        if not self.path.is_dir():
            return False
        if self.meta_path.exists() or self.ledger_path.exists() or self.quarantine_dir.is_dir():
            return True
        return not any(self.path.iterdir())

    def check_format(self) -> None:
        """Raise :class:`StoreFormatError` if ``store.json`` is unreadable or from a newer version."""
        if not self.meta_path.exists():
            return
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            version = int(meta["version"])
            if meta.get("format") != FORMAT_NAME:
                raise ValueError("format")
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreFormatError(N_("{path}: not a valid store marker (store.json damaged?)."),
                                   path=self.meta_path) from None
        if version > FORMAT_VERSION:
            raise StoreFormatError(N_("{path}: store format version {version} is newer than this program supports "
                                      "(version {supported}); please upgrade the tool."),
                                   path=self.path, version=version, supported=FORMAT_VERSION)

    def create(self) -> None:
        """Under the writer lock: the marker and the folders a writer needs."""
        self.check_format()
        if not self.meta_path.exists():
            meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "created_at": iso(utc_now())}
            atomic_write_text(self.meta_path, json.dumps(meta, indent=2) + "\n")
        fresh = not (self.values_dir.is_dir() and self.archive_dir.is_dir())
        self.values_dir.mkdir(exist_ok=True)
        self.archive_dir.mkdir(exist_ok=True)
        if fresh:
            fsync_dir(self.path)
