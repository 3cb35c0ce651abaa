"""``impact run``: the unattended job — ingest the inbox, then build every report.

1. Take the run lock ``<inbox>/.impact-run.lock`` without waiting; if another run holds it,
   stop at once (:class:`RunBusyError`, exit 3) and change nothing.
2. Ingest each new file of the inbox (regular, non-hidden files directly in it, name order)
   with :func:`impact.store.ingest.ingest_file`; move accepted files and duplicates to
   ``<inbox>/archive/`` and rejected or unreadable ones to ``<inbox>/quarantine/`` (with a
   ``.errors.txt`` beside them), each prefixed with a UTC time stamp so nothing is overwritten.
   A file that could not be processed at all (e.g. store lock timeout) stays in the inbox for
   the next run.
3. Run all reports (``impact report --all``) into ``<reports>/<as_of>/``.

Everything is logged to ``<reports>/impact-run.log`` (or ``--log``). The exit code tells cron
what happened: 0 all fine; 1 a file was rejected/unreadable/left in the inbox or a report
failed (or the catalog is invalid); 2 usage (inbox, store or catalog unusable); 3 busy.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact.core.errors import EXIT_BUSY, EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, CatalogError, ImpactError
from impact.core.files import atomic_write_text
from impact.core.i18n import N_, texts
from impact.reports.planning import ReportError
from impact.reports.runner import RunSummary

__all__ = ["LOCK_NAME", "RunBusyError", "RunOptions", "RunOutcome", "inbox_files", "scheduled_run"]

LOCK_NAME = ".impact-run.lock"
LOG_NAME = "impact-run.log"
_SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")


class RunBusyError(ImpactError):
    """Another ``impact run`` holds the lock (exit code 3)."""

    exit_code = EXIT_BUSY

    def __init__(self, lock: Path) -> None:
        self.lock = lock
        super().__init__(f"another impact run is still running (lock {lock})")

    def message(self, lang: str = "de") -> str:
        _ = texts(lang)
        return _("Another 'impact run' is still running (lock {lock}); nothing was done. Try again later.",
                 lock=str(self.lock))


@dataclass(frozen=True)
class RunOptions:
    """Settings of one scheduled run, resolved by the caller (the CLI reads the configuration).

    ``log_file`` ``None`` = ``<reports_dir>/impact-run.log``. ``known_at`` ``None`` = "now" after the
    inbox is ingested: the later of ``clock()`` and the newest receipt (see
    :func:`impact.reports.context.knowledge_now`).
    """

    inbox_dir: Path
    store_dir: Path
    reports_dir: Path
    catalog_dir: Path
    notebooks_dir: Path
    as_of: dt.date
    known_at: dt.date | dt.datetime | None = None
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    lang: str = "de"
    log_file: Path | None = None
    jobs: int | None = None
    timeout: int = 300
    command_line: str | None = None
    lock_timeout: float = 0.0
    approved_only: bool = False


@dataclass
class RunOutcome:
    """What a scheduled run did. ``files``: one dict per inbox file (name, status, moved_to)."""

    files: list[dict[str, Any]] = field(default_factory=list)
    reports: RunSummary | None = None
    log_file: Path | None = None

    @property
    def file_problems(self) -> list[dict[str, Any]]:
        return [f for f in self.files if f["status"] not in ("accepted", "duplicate")]

    @property
    def exit_code(self) -> int:
        if self.file_problems or self.reports is None or self.reports.exit_code != EXIT_OK:
            return EXIT_INVALID
        return EXIT_OK


def inbox_files(inbox: Path) -> list[Path]:
    """New submission files: regular, non-hidden files directly in ``inbox``, by name."""
    return sorted(p for p in inbox.iterdir()
                  if p.is_file() and not p.name.startswith(".") and not p.name.lower().endswith(_SKIP_SUFFIXES))


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_stamp()}-{path.name}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{_stamp()}-{n}-{path.name}"
    os.replace(path, target)
    return target


def _logger(path: Path) -> tuple[logging.Logger, logging.Handler]:
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("impact.run")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [pid %(process)d] %(message)s"))
    log.addHandler(handler)
    return log, handler


def scheduled_run(options: RunOptions, echo: Callable[[str], None] | None = None) -> RunOutcome:
    """Ingest the inbox and build all reports, under the run lock (see the module docstring).

    Raises :class:`RunBusyError` (exit 3), :class:`ReportError` (exit 2) for an unusable inbox,
    and lets :class:`~impact.core.errors.CatalogError` (exit 1) through.
    """
    from impact.core.locking import LockBusyError, exclusive_lock

    inbox = Path(options.inbox_dir).resolve()
    store_dir = Path(options.store_dir).resolve()
    reports_root = Path(options.reports_dir).resolve()
    log_path = Path(options.log_file).resolve() if options.log_file else reports_root / LOG_NAME
    day = options.as_of
    lang = options.lang
    say = echo or (lambda line: None)
    if not inbox.is_dir():
        raise ReportError(N_("Inbox folder not found: {path}"), EXIT_UNREADABLE, path=str(inbox))
    log, handler = _logger(log_path)
    outcome = RunOutcome(log_file=log_path)
    lock = inbox / LOCK_NAME
    acquired = False
    try:
        try:
            with exclusive_lock(lock, timeout=options.lock_timeout):
                acquired = True
                log.info("run started: inbox=%s store=%s reports=%s as_of=%s", inbox, store_dir, reports_root, day)
                _run_locked(options, inbox, store_dir, reports_root, day, lang, outcome, log, say)
        except LockBusyError as exc:
            if acquired:  # some other lock (e.g. the store's) inside the run
                log.error("stopped: %s", exc.message("en"))
                raise
            err = RunBusyError(lock)
            log.warning("busy: %s", err.message("en"))
            raise err from None
        except CatalogError as exc:
            log.error("catalog invalid:\n%s", exc)
            raise
        except ImpactError as exc:
            log.error("stopped: %s", exc.message("en"))
            raise
        except Exception:
            log.exception("unexpected error")
            raise
        log.info("run finished: exit code %d", outcome.exit_code)
        return outcome
    finally:
        log.removeHandler(handler)
        handler.close()


def _run_locked(options: RunOptions, inbox: Path, store_dir: Path, reports_root: Path, day: dt.date, lang: str,
                outcome: RunOutcome, log: logging.Logger, say: Callable[[str], None]) -> None:
    from impact.core.catalog import load_catalog
    from impact.reports.context import knowledge_now
    from impact.reports.runner import plan_reports, produced_line, run_reports
    from impact.store.ingest import ingest_file
    from impact.store.store import Store, StoreError

    _ = texts(lang)
    catalog = load_catalog(options.catalog_dir)
    store = Store(store_dir)
    store.path.mkdir(parents=True, exist_ok=True)
    for path in inbox_files(inbox):
        entry: dict[str, Any] = {"file": path.name, "status": "error", "moved_to": None}
        try:
            res = ingest_file(path, store, catalog)
        except StoreError:
            raise
        except ImpactError as exc:
            entry["detail"] = exc.message(lang)
            log.error("%s: not processed, left in the inbox: %s", path.name, exc.message("en"))
            say(_("{file}: not processed, left in the inbox: {reason}", file=path.name, reason=exc.message(lang)))
            outcome.files.append(entry)
            continue
        entry["status"] = res.status
        entry["submission_id"] = res.submission_id
        if res.status in ("accepted", "duplicate"):
            entry["moved_to"] = str(_move(path, inbox / "archive"))
            log.info("%s: %s (%d rows) -> %s", path.name, res.status, res.rows, entry["moved_to"])
        else:
            target = _move(path, inbox / "quarantine")
            entry["moved_to"] = str(target)
            try:
                text = res.report.to_text(lang)
            except Exception:  # noqa: BLE001 - the report text is a courtesy; the store keeps errors.json
                text = res.summary(lang)
            atomic_write_text(target.with_name(target.name + ".errors.txt"), text + "\n")
            log.warning("%s: %s -> %s (%d error(s))", path.name, res.status, target, len(res.report.errors))
        say(res.summary(lang))
        outcome.files.append(entry)
    specs = plan_reports(catalog, all_reports=True)
    out_dir = reports_root / day.isoformat()

    def on_result(r: Any) -> None:
        if r.status == "ok":
            log.info("report %s: ok in %.1f s", r.name, r.duration_s)
        else:
            log.error("report %s: FAILED (%s)", r.name, (r.error or {}).get("ename"))

    known_at = options.known_at if options.known_at is not None else knowledge_now(store_dir, options.clock())
    log.info("reports: reference date %s, knowledge date %s", day, known_at)
    summary = run_reports(specs, catalog=catalog, store_dir=store_dir, out_dir=out_dir, as_of=day, known_at=known_at,
                          lang=lang, jobs=options.jobs, notebooks_dir=options.notebooks_dir, timeout=options.timeout,
                          command_line=options.command_line, progress=False, on_result=on_result,
                          approved_only=options.approved_only)
    outcome.reports = summary
    n, f = len(summary.results), len(summary.failed)
    log.info("reports: %d/%d produced in %s", n - f, n, out_dir)
    say(produced_line(summary, lang))
