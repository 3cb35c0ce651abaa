"""Cleaning up after a killed writer (run by the next writer, under the lock).

A writer killed before its ledger line leaves at most: a torn last ledger line, temporary files,
and a values file and archive folder that no ledger line names. None of them is visible to
readers (they use only committed ledger lines). The next writer removes them and records what it
removed as a ``recovery`` event: ``cleaned`` lists ``{"path", "why"}`` (``why``: ``torn_line``,
``unfinished``, ``uncommitted``), ``detail`` says the same in English.
"""

from __future__ import annotations

import shutil
from typing import Any

from impact.core.i18n import N_
from impact.store.layout import SUBMISSION_ID, TMP_PREFIX, Layout
from impact.store.ledger import accepted, cut_torn_line, read_events

__all__ = ["WHY", "recover"]

#: ``why`` of a cleaned item -> its text (marked for translation; shown by ``impact submissions``)
WHY = {
    "torn_line": N_("{path}: {n} bytes of an unfinished line removed"),
    "unfinished": N_("{path}: unfinished copy removed"),
    "uncommitted": N_("{path}: uncommitted file removed"),
}


def _item(path: str, why: str, **extra: Any) -> dict[str, Any]:
    return {"path": path, "why": why, **extra}


def recover(layout: Layout) -> list[dict[str, Any]]:
    """Remove what a killed writer left behind; returns the cleaned items (``[]`` if none)."""
    cleaned: list[dict[str, Any]] = []
    cut = cut_torn_line(layout.ledger_path)
    if cut:
        cleaned.append(_item("ledger.jsonl", "torn_line", n=cut))
    committed = {e["submission_id"] for e in accepted(read_events(layout.ledger_path))}
    for path in sorted(layout.values_dir.iterdir()) if layout.values_dir.is_dir() else []:
        stem = path.name.removesuffix(".parquet")
        if path.name.startswith(TMP_PREFIX):
            path.unlink()
            cleaned.append(_item(f"values/{path.name}", "unfinished"))
        elif path.suffix == ".parquet" and SUBMISSION_ID.match(stem) and stem not in committed:
            path.unlink()
            cleaned.append(_item(f"values/{path.name}", "uncommitted"))
    for path in sorted(layout.archive_dir.iterdir()) if layout.archive_dir.is_dir() else []:
        if path.name.startswith(TMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
            cleaned.append(_item(f"archive/{path.name}", "unfinished"))
        elif SUBMISSION_ID.match(path.name) and path.name not in committed:
            shutil.rmtree(path, ignore_errors=True)
            cleaned.append(_item(f"archive/{path.name}", "uncommitted"))
    return cleaned


def describe(cleaned: list[dict[str, Any]], _: Any) -> str:
    """The cleaned items as one line of text, with the translator ``_`` (``texts(lang)``)."""
    return "; ".join(_(WHY.get(c.get("why", ""), "{path}"), **{"n": 0, **c}) for c in cleaned)
