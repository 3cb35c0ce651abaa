"""Validate a submission, then store it — or put it into quarantine with its error report.

Only sequencing lives here: validation is :mod:`impact.intake.validation`, writing is
:mod:`impact.store.store`. Outcomes (``IngestResult.status``):

* ``accepted``   — valid and new: rows appended, original archived, ledger line written (exit 0)
* ``duplicate``  — the same bytes were accepted before: nothing changes, nothing is validated
  again (exit 0); the check is repeated under the writer lock, so two simultaneous ingests of
  the same bytes store it once
* ``rejected``   — invalid data: original + ``errors.json`` + ``errors.txt`` in quarantine (exit 1)
* ``unreadable`` — empty, binary, too large, undecodable, no data rows, missing (exit 2);
  quarantined like ``rejected`` (a file over the size limit is not copied, only reported)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.core.catalog import Catalog
from impact.core.config import settings
from impact.core.errors import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, Problem, UnreadableFileError
from impact.store.store import DEFAULT_LOCK_TIMEOUT, Store, sha256_hex

if TYPE_CHECKING:
    from impact.intake.validation import ValidationReport

__all__ = ["FileProblemReport", "IngestResult", "ingest_bytes", "ingest_file", "worst_exit_code"]

STATUS_TEXT = {
    "accepted": ("angenommen", "accepted"),
    "duplicate": ("bereits vorhanden, nichts geändert", "duplicate, nothing changed"),
    "rejected": ("abgelehnt", "rejected"),
    "unreadable": ("nicht lesbar", "unreadable"),
}


@dataclass
class FileProblemReport:
    """A report for a file that was never handed to validation (missing, or over the size limit).

    Has the same reading interface as :class:`impact.intake.validation.ValidationReport`.
    """

    file: str
    errors: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0
    valid: bool = False
    unreadable: bool = True
    frame: pd.DataFrame | None = None

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        return {"valid": False, "rows": 0, "errors": [p.to_json(lang) for p in self.errors],
                "warnings": [p.to_json(lang) for p in self.warnings]}

    def to_text(self, lang: str = "de") -> str:
        head = "nicht lesbar" if lang != "en" else "unreadable"
        return "\n".join([f"{self.file}: {head}", *(f"  {p.message(lang)}" for p in self.errors)])


@dataclass(frozen=True)
class IngestResult:
    """The outcome of ingesting one file (see the module docstring for ``status``)."""

    status: str
    submission_id: str | None
    rows: int
    received_at: pd.Timestamp | None
    report: ValidationReport | FileProblemReport
    quarantine_dir: Path | None
    exit_code: int
    file_name: str = ""
    corrections: int = 0

    def summary(self, lang: str = "de") -> str:
        """One line for people, in ``lang``."""
        de, en = STATUS_TEXT[self.status]
        sid = (self.submission_id or "")[:12]
        if lang == "en":
            parts = [f"{self.file_name}: {en}"]
            if self.status == "accepted":
                parts.append(f"{self.rows} row(s), {self.corrections} correction(s), submission {sid}")
            elif self.status == "duplicate":
                parts.append(f"submission {sid} is already in the store")
            else:
                parts.append(f"{len(self.report.errors)} error(s); see {self.quarantine_dir or '-'}")
        else:
            parts = [f"{self.file_name}: {de}"]
            if self.status == "accepted":
                parts.append(f"{self.rows} Zeile(n), davon {self.corrections} Korrektur(en), Einreichung {sid}")
            elif self.status == "duplicate":
                parts.append(f"Einreichung {sid} ist schon im Speicher")
            else:
                parts.append(f"{len(self.report.errors)} Fehler; siehe {self.quarantine_dir or '-'}")
        if self.report.warnings and self.status in ("accepted", "duplicate"):
            parts.append(f"{len(self.report.warnings)} " + ("warning(s)" if lang == "en" else "Hinweis(e)"))
        return " — ".join(parts)

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        """A JSON-ready dict: status, ids, counts, quarantine folder and the validation report."""
        return {
            "file": self.file_name,
            "status": self.status,
            "exit_code": self.exit_code,
            "submission_id": self.submission_id,
            "received_at": self.received_at.isoformat() if self.received_at is not None else None,
            "rows": self.rows,
            "corrections": self.corrections,
            "quarantine_dir": str(self.quarantine_dir) if self.quarantine_dir else None,
            "message": self.summary(lang),
            "report": self.report.to_json(lang),
        }


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"row": p.row, "column": p.column, "code": p.code,
             "message_de": p.message("de"), "message_en": p.message("en")} for p in problems]


def _error_text(file_name: str, status: str, sid: str, report: Any, copied: bool) -> str:
    de, en = STATUS_TEXT[status]
    lines = [
        f"Datei / file: {file_name}",
        f"Einreichung / submission (sha256): {sid}",
        f"Ergebnis / result: {de} / {en}",
    ]
    if not copied:
        lines.append("Original nicht kopiert (zu groß) / original not copied (too large)")
    lines += ["", "== Deutsch ==", report.to_text("de"), "", "== English ==", report.to_text("en"), ""]
    return "\n".join(lines)


def _quarantine(store: Store, data: bytes | None, file_name: str, sid: str, status: str, report: Any,
                token_id: str | None) -> Path:
    info = {
        "file": file_name,
        "submission_id": sid,
        "status": status,
        "token_id": token_id,
        "rows": int(getattr(report, "rows", 0) or 0),
        "errors": _problem_dicts(list(report.errors)),
        "warnings": _problem_dicts(list(report.warnings)),
    }
    return store.quarantine(data, file_name, info, _error_text(file_name, status, sid, report, data is not None))


def _as_store(store: Store | str | Path | None) -> Store:
    return store if isinstance(store, Store) else Store(store)


def _finish_rejected(store: Store, data: bytes | None, file_name: str, sid: str, report: Any,
                     token_id: str | None) -> IngestResult:
    status = "unreadable" if report.unreadable else "rejected"
    folder = _quarantine(store, data, file_name, sid, status, report, token_id)
    code = EXIT_UNREADABLE if report.unreadable else EXIT_INVALID
    return IngestResult(status, sid, 0, None, report, folder, code, file_name)


def ingest_bytes(data: bytes, file_name: str, store: Store | str | Path | None, catalog: Catalog, *,
                 token_id: str | None = None, only_project: str | None = None, lang: str = "de",
                 max_bytes: int | None = None, today: dt.date | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> IngestResult:
    """Validate ``data`` (with the store's history) and store it, or quarantine it.

    ``file_name`` is for display and the archive extension only, never used as a path.
    ``token_id`` is recorded in the ledger and in every value row; ``only_project`` limits the
    rows to that project (other projects are errors). ``lang`` is accepted for symmetry with the
    CLI; results carry both languages. Raises :class:`impact.store.store.StoreError` (exit 2) for a
    store that cannot be used and :class:`impact.core.locking.LockBusyError` (exit 3).
    """
    from impact.intake.validation import ValidationReport, validate_bytes  # lazy: keeps GX out of cheap imports

    st = _as_store(store)
    cfg = settings()
    limit = cfg.max_bytes if max_bytes is None else max_bytes
    sid = sha256_hex(data)
    earlier = _accepted_event(st, sid)
    if earlier is not None and (only_project is None or set(earlier.get("projects") or []) <= {only_project}):
        # the same bytes are in the store already: nothing to validate or change
        report = ValidationReport(file_name, rows=int(earlier.get("rows") or 0))
        return IngestResult("duplicate", sid, 0, None, report, None, EXIT_OK, file_name)
    history = st.values()
    report = validate_bytes(data, file_name, catalog, history=history, today=today or cfg.today,
                            max_bytes=limit, only_project=only_project)
    if report.unreadable or not report.valid or report.frame is None:
        too_large = len(data) > limit
        return _finish_rejected(st, None if too_large else data, file_name, sid, report, token_id)
    appended = st.append(data, file_name, report.frame, token_id=token_id, warnings=len(report.warnings),
                         lock_timeout=lock_timeout)
    return IngestResult(appended.status, sid, appended.rows, appended.received_at, report, None, EXIT_OK,
                        file_name, appended.corrections)


def _accepted_event(store: Store, submission_id: str) -> dict[str, Any] | None:
    """The ledger event of the accepted submission with this id, if any (read without the lock)."""
    for event in store.events():
        if event.get("event") == "submission" and event.get("status") == "accepted" \
                and event.get("submission_id") == submission_id:
            return event
    return None


def ingest_file(path: str | Path, store: Store | str | Path | None, catalog: Catalog, **kw: Any) -> IngestResult:
    """Ingest the file at ``path`` (see :func:`ingest_bytes`; same keyword arguments).

    A missing or unreadable path gives an ``unreadable`` result (exit code 2, nothing
    quarantined). A file over the size limit is not read: it is reported and recorded in
    quarantine without a copy. (Reading and its problem codes: :func:`impact.intake.files.read_file`.)
    """
    from impact.intake.files import read_file

    p = Path(path)
    st = _as_store(store)
    limit = kw.get("max_bytes") or settings().max_bytes
    try:
        data = read_file(p, max_bytes=limit)
    except UnreadableFileError as exc:
        report = FileProblemReport(exc.file, [exc.problem])
        if exc.code == "file_too_large":
            return _finish_rejected(st, None, p.name, _sha256_file(p), report, kw.get("token_id"))
        return IngestResult("unreadable", None, 0, None, report, None, EXIT_UNREADABLE, p.name)
    return ingest_bytes(data, p.name, st, catalog, **kw)


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def worst_exit_code(results: list[IngestResult]) -> int:
    """The exit code for several files: the worst one (2 > 1 > 0)."""
    return max((r.exit_code for r in results), default=EXIT_OK)

