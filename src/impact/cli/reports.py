"""``impact report`` and ``impact run``: evaluation reports and the scheduled job."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from impact.cli.common import (
    ImpactCommand,
    as_of_option,
    catalog_option,
    cli_settings,
    fail,
    known_at_option,
    lang_option,
    load_catalog_or_exit,
    store_option,
    user_errors,
)
from impact.core.errors import EXIT_INVALID, ImpactError
from impact.core.i18n import N_, texts

__all__ = ["report", "run"]

F = TypeVar("F", bound=Callable[..., Any])

_EXIT_HELP = N_("""
\b
Exit codes:
  0  every report was produced
  1  a report failed (the others are still produced; index.html marks it),
     or the catalog is invalid
  2  usage error, or catalog/store/notebook not found or unreadable
""")

_RUN_EXIT_HELP = N_("""
\b
Exit codes (for cron/systemd):
  0  all inbox files accepted (or duplicates) and all reports produced
  1  some inbox file was rejected or unreadable (moved to <inbox>/quarantine/),
     or a report failed, or the catalog is invalid
  2  usage error: inbox, catalog or store unusable
  3  another `impact run` holds the lock: nothing was done
""")


@contextmanager
def _errors(lang: str) -> Iterator[None]:
    """The shared error handling, plus one clear line for an unexpected error (no traceback unless
    IMPACT_REPORT_DEBUG=1; a scheduled run's log has the details)."""
    with user_errors(lang):
        try:
            yield
        except (ImpactError, OSError):
            raise
        except Exception as exc:
            if os.environ.get("IMPACT_REPORT_DEBUG"):
                raise
            _ = texts(lang)
            fail(EXIT_INVALID, _("Internal error, please report: {error}", error=f"{type(exc).__name__}: {exc}"))


def _command_line() -> str:
    return "impact " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _common(f: F) -> F:
    """The options ``impact report`` and ``impact run`` share."""
    for option in reversed([
        as_of_option, known_at_option, lang_option,
        click.option("--jobs", type=click.IntRange(1, 64), default=None,
                     help=N_("Notebooks run in parallel processes (default: number of CPU cores).")),
        store_option, catalog_option,
        click.option("--notebooks", "notebooks_dir", type=click.Path(path_type=Path), default=None, hidden=True,
                     help=N_("Notebook directory (default: notebooks/); for tests and custom layouts.")),
        click.option("--timeout", type=click.IntRange(10, 86400), default=300, show_default=True,
                     help=N_("Seconds one notebook cell may run.")),
        click.option("--approved-only", "approved_only", is_flag=True,
                     help=N_("Publication set: build the reports from values the evaluators approved alone; every "
                             "page and manifest.json say so.")),
    ]):
        f = option(f)
    return f


@click.command(cls=ImpactCommand, epilog=_EXIT_HELP, help=N_(
    "Build evaluation reports: executed notebooks, offline HTML, index.html, manifest.json.\n\n"
    "Choose the reports with --all, or with --project/--portfolio/--guiding-idea/--principle; without any "
    "choice the command stops with a usage error (exit 2)."))
@click.option("--project", "projects", multiple=True, metavar="ID", help=N_("A project report (repeatable)."))
@click.option("--portfolio", is_flag=True, help=N_("The portfolio report (all pilots side by side)."))
@click.option("--guiding-idea", "guiding_ideas", multiple=True, metavar="ID",
              help=N_("A guiding-idea report (repeatable)."))
@click.option("--principle", "principles", multiple=True, metavar="ID", help=N_("A principle report (repeatable)."))
@click.option("--all", "all_reports", is_flag=True,
              help=N_("All reports: every project, the portfolio, every guiding idea and principle."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help=N_("Output directory (default: reports/<as-of>/, or $IMPACT_REPORTS/<as-of>/)."))
@_common
def report(projects: tuple[str, ...], portfolio: bool, guiding_ideas: tuple[str, ...], principles: tuple[str, ...],
           all_reports: bool, out_dir: Path | None, as_of: dt.date | None, known_at: dt.date | dt.datetime | None,
           lang: str | None, jobs: int | None, store_dir: Path | None, catalog_dir: Path | None,
           notebooks_dir: Path | None, timeout: int, approved_only: bool) -> None:
    """``impact report`` (help text above, translated)."""
    from impact.core.config import utc_now
    from impact.reports.context import knowledge_now
    from impact.reports.runner import plan_reports, produced_line, run_reports

    cfg = cli_settings()
    lang = lang or cfg.lang
    day = as_of or cfg.today
    store = store_dir or cfg.store_dir
    _ = texts(lang)
    catalog = load_catalog_or_exit(catalog_dir, lang)
    with _errors(lang):
        specs = plan_reports(catalog, all_reports=all_reports, projects=projects, portfolio=portfolio,
                             guiding_ideas=guiding_ideas, principles=principles)
        moment = known_at if known_at is not None else knowledge_now(store, utc_now())
        summary = run_reports(specs, catalog=catalog, store_dir=store, out_dir=out_dir or cfg.reports_dir / day.isoformat(),
                              notebooks_dir=notebooks_dir or cfg.notebooks_dir, as_of=day, known_at=moment, lang=lang,
                              jobs=jobs, timeout=timeout, command_line=_command_line(), approved_only=approved_only)
    click.echo(produced_line(summary, lang))
    for r in summary.failed:
        err = r.error or {}
        click.echo(_("  FAILED: {name} ({notebook}): {error}", name=r.name, notebook=r.notebook,
                     error=f"{err.get('ename', '')}: {str(err.get('evalue', ''))[:300]}"), err=True)
    sys.exit(summary.exit_code)


@click.command(cls=ImpactCommand, epilog=_RUN_EXIT_HELP, help=N_(
    "Scheduled run: ingest every new inbox file, then build all reports (impact report --all).\n\n"
    "Accepted files move to <inbox>/archive/, rejected ones to <inbox>/quarantine/. A lock "
    "(<inbox>/.impact-run.lock) keeps two runs from overlapping."))
@click.option("--inbox", "inbox_dir", type=click.Path(path_type=Path), default=None,
              help=N_("Folder with new submission files (default: data/inbox, or $IMPACT_INBOX)."))
@click.option("--out", "reports_dir", type=click.Path(path_type=Path), default=None,
              help=N_("Reports root; this run writes to <out>/<as-of>/ (default: reports/, or $IMPACT_REPORTS)."))
@click.option("--log", "log_file", type=click.Path(path_type=Path), default=None,
              help=N_("Log file (default: <out>/impact-run.log)."))
@_common
def run(inbox_dir: Path | None, reports_dir: Path | None, log_file: Path | None, as_of: dt.date | None,
        known_at: dt.date | dt.datetime | None, lang: str | None, jobs: int | None, store_dir: Path | None,
        catalog_dir: Path | None, notebooks_dir: Path | None, timeout: int, approved_only: bool) -> None:
    """``impact run`` (help text above, translated)."""
    from impact.core.config import utc_now
    from impact.reports.scheduler import RunOptions, scheduled_run

    cfg = cli_settings()
    lang = lang or cfg.lang
    options = RunOptions(inbox_dir=inbox_dir or cfg.inbox_dir, store_dir=store_dir or cfg.store_dir,
                         reports_dir=reports_dir or cfg.reports_dir, catalog_dir=catalog_dir or cfg.catalog_dir,
                         notebooks_dir=notebooks_dir or cfg.notebooks_dir, as_of=as_of or cfg.today,
                         known_at=known_at, clock=utc_now, lang=lang, log_file=log_file, jobs=jobs, timeout=timeout,
                         command_line=_command_line(), approved_only=approved_only)
    with _errors(lang):
        outcome = scheduled_run(options, echo=click.echo)
    sys.exit(outcome.exit_code)
