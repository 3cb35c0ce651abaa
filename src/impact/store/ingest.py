"""Validate a submission, then store it — or put it into quarantine with its error report.

Only sequencing lives here: validation is :mod:`impact.intake.validation`, the checks against
what is stored are :mod:`impact.store.guards`, writing is :mod:`impact.store.store`. Outcomes
(``IngestResult.status``):

* ``accepted``   — valid and new: rows appended, original archived, ledger line written (exit 0)
* ``duplicate``  — the same bytes were accepted before: nothing changes, nothing is validated
  again (exit 0); the check is repeated under the writer lock, so two simultaneous ingests of
  the same bytes store it once
* ``rejected``   — invalid data, or refused against what is stored (a correction of an approved
  value, a revert of newer corrections, an unconfirmed implausible correction): original +
  ``errors.json`` + ``errors.txt`` in quarantine, the store unchanged (exit 1)
* ``unreadable`` — empty, binary, too large, undecodable, no data rows, missing (exit 2);
  quarantined like ``rejected`` (a file over the size limit is not copied, only reported)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import Locale

from impact.core.catalog import Catalog
from impact.core.config import Settings
from impact.core.errors import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, Problem, UnreadableFileError
from impact.core.i18n import DEFAULT_LANG, N_, SOURCE_LANG, texts
from impact.store import guards
from impact.store.layout import DEFAULT_LOCK_TIMEOUT, printable, sha256_hex
from impact.store.store import Snapshot, Store

if TYPE_CHECKING:
    from impact.intake.validation import ValidationReport

__all__ = ["IngestResult", "ingest_bytes", "ingest_file", "worst_exit_code"]

#: ``IngestResult.status`` -> its word for people
STATUS_TEXT = {
    "accepted": N_("accepted"),
    "duplicate": N_("duplicate, nothing changed"),
    "rejected": N_("rejected"),
    "unreadable": N_("unreadable"),
    "recovered": N_("cleaned up"),  # a recovery line of the ledger (after a killed writer)
}


def status_text(status: str, lang: str) -> str:
    """``status`` (of a submission) in ``lang``."""
    return texts(lang)(STATUS_TEXT.get(status, status))


@dataclass(frozen=True)
class IngestResult:
    """The outcome of ingesting one file (see the module docstring for ``status``)."""

    status: str
    submission_id: str | None
    rows: int
    received_at: pd.Timestamp | None
    report: ValidationReport
    quarantine_dir: Path | None
    exit_code: int
    file_name: str = ""
    corrections: int = 0

    def summary(self, lang: str = DEFAULT_LANG) -> str:
        """One line for people, in ``lang`` (control characters of the file name escaped)."""
        _ = texts(lang)
        sid = (self.submission_id or "")[:12]
        head = f"{printable(self.file_name)}: {status_text(self.status, lang)}"
        if self.status == "accepted":
            detail = _("{rows} row(s), {corrections} correction(s), submission {sid}",
                       rows=self.rows, corrections=self.corrections, sid=sid)
        elif self.status == "duplicate":
            detail = _("submission {sid} is already in the store", sid=sid)
        else:
            detail = _("{n} error(s); see {folder}", n=len(self.report.errors),
                       folder=printable(self.quarantine_dir or "-"))
        parts = [head, detail]
        if self.report.warnings and self.status in ("accepted", "duplicate"):
            parts.append(_("{n} warning(s)", n=len(self.report.warnings)))
        return " — ".join(parts)

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
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


def _language_name(lang: str) -> str:
    try:
        return str(Locale.parse(lang).get_display_name(lang)).capitalize()
    except (ValueError, TypeError):
        return lang


def _error_text(file_name: str, status: str, sid: str, report: ValidationReport, copied: bool) -> str:
    """``errors.txt``: the report in German, then in English."""
    lines = []
    for lang in (DEFAULT_LANG, SOURCE_LANG):
        _ = texts(lang)
        lines += [f"== {_language_name(lang)} ==",
                  _("File: {file}", file=printable(file_name)),
                  _("Submission (sha256): {sid}", sid=sid),
                  _("Result: {status}", status=status_text(status, lang))]
        if not copied:
            lines.append(_("The original was not copied (too large)."))
        lines += ["", report.to_text(lang), ""]
    return "\n".join(lines)


def _quarantine(store: Store, data: bytes | None, file_name: str, sid: str, status: str,
                report: ValidationReport, token_id: str | None) -> Path:
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


def _as_store(store: Store | str | Path) -> Store:
    return store if isinstance(store, Store) else Store(store)


def _finish_rejected(store: Store, data: bytes | None, file_name: str, sid: str, report: ValidationReport,
                     token_id: str | None) -> IngestResult:
    status = "unreadable" if report.unreadable else "rejected"
    folder = _quarantine(store, data, file_name, sid, status, report, token_id)
    code = EXIT_UNREADABLE if report.unreadable else EXIT_INVALID
    return IngestResult(status, sid, 0, None, report, folder, code, file_name)


def ingest_bytes(data: bytes, file_name: str, store: Store | str | Path, catalog: Catalog, *,
                 token_id: str | None = None, only_project: str | None = None,
                 max_bytes: int | None = None, today: dt.date | None = None,
                 allow_revert: bool = False, confirm_implausible: bool = False,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> IngestResult:
    """Validate ``data`` (with the store's history) and store it, or quarantine it.

    ``file_name`` is for display and the archive extension only, never used as a path.
    ``token_id`` is recorded in the ledger and in every value row; ``only_project`` limits the
    rows to that project (other projects are errors). ``max_bytes`` and ``today`` go to
    validation. A valid file is still refused (``rejected``, exit 1, quarantined, store
    unchanged) when it would change an approved value, revert a newer correction (unless
    ``allow_revert``) or replace a stored value with one the plausibility rule flags (unless
    ``confirm_implausible``); see :mod:`impact.store.guards`. These checks run under the writer
    lock. Results carry every language (``summary(lang)``, ``to_json(lang)``). Raises
    :class:`impact.store.errors.StoreError` (exit 2) for a store that cannot be used and
    :class:`impact.core.locking.LockBusyError` (exit 3).
    """
    from impact.intake.validation import ValidationReport, validate_bytes  # lazy: keeps GX out of cheap imports

    st = _as_store(store)
    sid = sha256_hex(data)
    earlier = _accepted_event(st, sid)
    if earlier is not None and (only_project is None or set(earlier.get("projects") or []) <= {only_project}):
        # the same bytes are in the store already: nothing to validate or change
        report = ValidationReport(file_name, rows=int(earlier.get("rows") or 0))
        return IngestResult("duplicate", sid, 0, None, report, None, EXIT_OK, file_name)
    history = st.values()
    report = validate_bytes(data, file_name, catalog, history=history, today=today,
                            max_bytes=max_bytes, only_project=only_project)
    if report.unreadable or not report.valid or report.frame is None:
        too_large = max_bytes is not None and len(data) > max_bytes
        return _finish_rejected(st, None if too_large else data, file_name, sid, report, token_id)
    implausible = [] if confirm_implausible else list(report.implausible_corrections)

    def guard(snap: Snapshot, frame: pd.DataFrame) -> list[Problem]:
        found = implausible
        if not confirm_implausible and len(snap.values) != len(history):
            # another writer stored values since this file was validated: judge its corrections
            # against what is stored now, under the lock (the rule must not depend on timing)
            again = validate_bytes(data, file_name, catalog, history=snap.values, today=today,
                                   max_bytes=max_bytes, only_project=only_project)
            found = list(again.implausible_corrections)
        problems = [] if allow_revert else guards.reverts(frame, snap.values)
        return sorted([*problems, *found], key=lambda p: (p.row or 0, p.code))

    appended = st.append(data, file_name, report.frame, token_id=token_id, warnings=len(report.warnings),
                         lock_timeout=lock_timeout, guard=guard)
    if appended.status == "refused":
        report.errors.extend(appended.problems)
        return _finish_rejected(st, data, file_name, sid, report, token_id)
    return IngestResult(appended.status, sid, appended.rows, appended.received_at, report, None, EXIT_OK,
                        file_name, appended.corrections)


def _accepted_event(store: Store, submission_id: str) -> dict[str, Any] | None:
    """The ledger event of the accepted submission with this id, if any (read without the lock)."""
    for event in store.events():
        if event.get("event") == "submission" and event.get("status") == "accepted" \
                and event.get("submission_id") == submission_id:
            return event
    return None


def ingest_file(path: str | Path, store: Store | str | Path, catalog: Catalog, **kw: Any) -> IngestResult:
    """Ingest the file at ``path`` (see :func:`ingest_bytes`; same keyword arguments).

    A missing or unreadable path gives an ``unreadable`` result (exit code 2, nothing
    quarantined). A file over the size limit (``max_bytes``, default
    :attr:`impact.core.config.Settings.max_bytes`) is not read: it is reported and recorded in
    quarantine without a copy. (Reading and its problem codes: :func:`impact.intake.files.read_file`.)
    """
    from impact.intake.files import read_file
    from impact.intake.validation import ValidationReport

    p = Path(path)
    st = _as_store(store)
    limit = kw.get("max_bytes") or Settings.max_bytes
    try:
        data = read_file(p, max_bytes=limit)
    except UnreadableFileError as exc:
        report = ValidationReport(exc.file, errors=[exc.problem], unreadable=True)
        if exc.code == "file_too_large":
            return _finish_rejected(st, None, p.name, _sha256_file(p), report, kw.get("token_id"))
        return IngestResult("unreadable", None, 0, None, report, None, EXIT_UNREADABLE, p.name)
    return ingest_bytes(data, p.name, st, catalog, **{**kw, "max_bytes": limit})


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def worst_exit_code(results: list[IngestResult]) -> int:
    """The exit code for several files: the worst one (2 > 1 > 0)."""
    return max((r.exit_code for r in results), default=EXIT_OK)
