"""The archive of accepted originals and the quarantine of refused ones.

* ``archive/<submission_id>/1.<ext>`` — the submitted bytes, unchanged, written before the
  ledger line that commits the submission.
* ``quarantine/<UTC-stamp>-<sha12>/`` — a refused file (unless too large to copy), ``errors.json``
  (machine-readable) and ``errors.txt`` (German, then English). Needs no lock and never touches
  the rest of the store; the folder appears atomically (filled under a temporary name, renamed).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from impact.core.files import TMP_PREFIX, atomic_write, atomic_write_text, fsync_dir
from impact.core.i18n import N_
from impact.store.errors import StoreError
from impact.store.layout import Layout, extension, iso, safe_file_name, sha256_hex, stamp, utc_now
from impact.store.ledger import LEDGER_COLUMNS, listing_table

__all__ = ["archive_original", "archived_original", "quarantine", "quarantined"]

_REPORT_FILES = ("errors.json", "errors.txt")


def archive_original(layout: Layout, submission_id: str, file_name: str, data: bytes) -> str:
    """Copy the original bytes to ``archive/<id>/1.<ext>`` (atomically); returns the relative path."""
    ext = extension(file_name)
    tmp_dir = layout.archive_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}"
    tmp_dir.mkdir()
    atomic_write(tmp_dir / f"1.{ext}", data)
    os.replace(tmp_dir, layout.archive_dir / submission_id)
    fsync_dir(layout.archive_dir)
    return f"archive/{submission_id}/1.{ext}"


def archived_original(layout: Layout, submission_id: str) -> Path | None:
    """Path of the archived original of a submission, or None."""
    folder = layout.archive_dir / submission_id
    files = sorted(folder.glob("1.*")) if folder.is_dir() else []
    return files[0] if files else None


def quarantine(layout: Layout, data: bytes | None, file_name: str, info: dict[str, Any], text: str) -> Path:
    """Put a refused submission aside: original (if given), ``errors.json``, ``errors.txt``.

    ``info`` is written as ``errors.json`` (with ``received_at`` and ``original`` added).
    """
    layout.check_format()
    layout.quarantine_dir.mkdir(parents=True, exist_ok=True)
    now = utc_now()
    sha12 = (info.get("submission_id") or sha256_hex(data or b""))[:12]
    tmp = layout.quarantine_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}"
    tmp.mkdir()
    original = None
    if data is not None:
        original = safe_file_name(file_name)
        if original in _REPORT_FILES:
            original = f"original-{original}"
        atomic_write(tmp / original, data)
    info = {"received_at": iso(now), **info, "original": original}
    atomic_write_text(tmp / "errors.json", json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(tmp / "errors.txt", text)
    base = f"{stamp(now)}-{sha12}"
    for n in range(1, 1000):
        target = layout.quarantine_dir / (base if n == 1 else f"{base}-{n}")
        try:
            os.rename(tmp, target)  # fails if target exists and is not empty
            break
        except OSError:
            if not target.exists():
                raise
    else:  # pragma: no cover - 1000 collisions in one microsecond
        raise StoreError(N_("Cannot create a quarantine folder in {path}."), path=layout.quarantine_dir)
    fsync_dir(layout.quarantine_dir)
    return target


def quarantined(layout: Layout) -> pd.DataFrame:
    """Refused submissions found in ``quarantine/`` (the ledger's columns, plus ``folder`` and ``errors``)."""
    rows = []
    if layout.quarantine_dir.is_dir():
        for folder in sorted(layout.quarantine_dir.iterdir()):
            if folder.name.startswith(TMP_PREFIX) or not folder.is_dir():
                continue
            try:
                info = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
                if not isinstance(info, dict):
                    info = {}
            except (OSError, ValueError):
                info = {}
            errors = info.get("errors")
            errors = errors if isinstance(errors, list) else []
            rows.append({
                "submission_id": _text(info.get("submission_id")),
                "received_at": pd.Timestamp(info["received_at"]) if _text(info.get("received_at")) else pd.NaT,
                "file_name": _text(info.get("file")) or folder.name,
                "status": _text(info.get("status")) or "rejected",
                "rows": int(info.get("rows") or 0),
                "projects": [str(p) for p in info.get("projects") or []],
                "token_id": _text(info.get("token_id")),
                "corrections": 0,
                "detail": f"quarantine/{folder.name}",
                "folder": str(folder),
                "errors": len(errors),
            })
    return listing_table(rows, [*LEDGER_COLUMNS, "folder", "errors"])


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
