"""``impact report`` and ``impact run``: evaluation reports and the scheduled job."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE, CatalogError, ImpactError

_EXIT_HELP = """
\b
Exit codes:
  0  every report was produced
  1  a report failed (the others are still produced; index.html marks it),
     or the catalog is invalid
  2  usage error, or catalog/store/notebook not found or unreadable
"""

_RUN_EXIT_HELP = """
\b
Exit codes (for cron/systemd):
  0  all inbox files accepted (or duplicates) and all 18 reports produced
  1  some inbox file was rejected or unreadable (moved to <inbox>/quarantine/),
     or a report failed, or the catalog is invalid
  2  usage error: inbox, catalog or store unusable
  3  another `impact run` holds the lock: nothing was done
"""


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"Datum als JJJJ-MM-TT angeben / give the date as YYYY-MM-DD, not {value!r}") from None


def _fail(exc: ImpactError, lang: str) -> None:
    if isinstance(exc, CatalogError):
        click.echo(f"Katalog fehlerhaft / catalog has {len(exc.problems)} problem(s):", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"{exc.message('de')}\n{exc.message('en')}" if exc.message("de") != exc.message("en")
               else exc.message(lang), err=True)
    sys.exit(exc.exit_code)


def _internal(exc: Exception) -> None:
    """An unexpected error: one clear line (the traceback only with IMPACT_REPORT_DEBUG=1), exit 1."""
    if os.environ.get("IMPACT_REPORT_DEBUG"):
        raise exc
    click.echo(f"Interner Fehler, bitte melden / internal error, please report: {type(exc).__name__}: {exc}", err=True)
    sys.exit(EXIT_INVALID)


@contextmanager
def _user_errors(lang: str) -> Iterator[None]:
    """One clear bilingual message and a documented exit code instead of a traceback."""
    try:
        yield
    except ImpactError as exc:
        _fail(exc, lang)
    except OSError as exc:
        click.echo(f"Datei nicht lesbar/schreibbar / file not readable/writable: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except Exception as exc:  # noqa: BLE001 - no traceback for users (a run's log has the details)
        _internal(exc)


def _command_line() -> str:
    return "impact " + " ".join(shlex.quote(a) for a in sys.argv[1:])


_common = [
    click.option("--as-of", "as_of", callback=_date, default=None, metavar="YYYY-MM-DD",
                 help="Reporting date (default: today, or $IMPACT_TODAY)."),
    click.option("--lang", type=click.Choice(["de", "en"]), default=None,
                 help="Report language (default: de, or $IMPACT_LANG)."),
    click.option("--jobs", type=click.IntRange(1, 64), default=None,
                 help="Notebooks run in parallel processes (default: number of CPU cores)."),
    click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
                 help="Store directory (default: data/store, or $IMPACT_STORE)."),
    click.option("--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
                 help="Catalog directory (default: indicators/, or $IMPACT_CATALOG)."),
    click.option("--notebooks", "notebooks_dir", type=click.Path(path_type=Path), default=None, hidden=True,
                 help="Notebook directory (default: notebooks/); for tests and custom layouts."),
    click.option("--timeout", type=click.IntRange(10, 86400), default=300, show_default=True,
                 help="Seconds one notebook cell may run."),
]


def _with_common(f):  # type: ignore[no-untyped-def]
    for option in reversed(_common):
        f = option(f)
    return f


@click.command(epilog=_EXIT_HELP)
@click.option("--project", "projects", multiple=True, metavar="ID", help="A project report (repeatable).")
@click.option("--portfolio", is_flag=True, help="The portfolio report (all pilots side by side).")
@click.option("--guiding-idea", "guiding_ideas", multiple=True, metavar="ID", help="A guiding-idea report (repeatable).")
@click.option("--principle", "principles", multiple=True, metavar="ID", help="A principle report (repeatable).")
@click.option("--all", "all_reports", is_flag=True,
              help="All reports: 5 projects, portfolio, 4 guiding ideas, 8 principles (18).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output directory (default: reports/<as-of>/, or $IMPACT_REPORTS/<as-of>/).")
@_with_common
def report(projects: tuple[str, ...], portfolio: bool, guiding_ideas: tuple[str, ...], principles: tuple[str, ...],
           all_reports: bool, out_dir: Path | None, as_of: dt.date | None, lang: str | None, jobs: int | None,
           store_dir: Path | None, catalog_dir: Path | None, notebooks_dir: Path | None, timeout: int) -> None:
    """Build evaluation reports: executed notebooks, offline HTML, index.html, manifest.json.

    Choose the reports with --all, or with --project/--portfolio/--guiding-idea/--principle;
    without any choice the command stops with a usage error (exit 2).
    """
    from impact.core.catalog import load_catalog
    from impact.core.config import settings
    from impact.reports.runner import plan_reports, run_reports

    cfg = settings()
    lang = lang or cfg.lang
    with _user_errors(lang):
        catalog = load_catalog(catalog_dir)
        specs = plan_reports(catalog, all_reports=all_reports, projects=projects, portfolio=portfolio,
                             guiding_ideas=guiding_ideas, principles=principles)
        summary = run_reports(specs, catalog=catalog, catalog_dir=catalog_dir, store_dir=store_dir,
                              out_dir=out_dir, as_of=as_of, lang=lang, jobs=jobs, notebooks_dir=notebooks_dir,
                              timeout=timeout, command_line=_command_line())
    n, failed = len(summary.results), summary.failed
    click.echo(f"{n - len(failed)}/{n} Berichte erstellt / reports produced: {summary.index_path}")
    for r in failed:
        err = r.error or {}
        click.echo(f"  FEHLGESCHLAGEN / FAILED: {r.name} ({r.notebook}): {err.get('ename', '')}: "
                   f"{str(err.get('evalue', ''))[:300]}", err=True)
    sys.exit(summary.exit_code)


@click.command(epilog=_RUN_EXIT_HELP)
@click.option("--inbox", "inbox_dir", type=click.Path(path_type=Path), default=None,
              help="Folder with new submission files (default: data/inbox, or $IMPACT_INBOX).")
@click.option("--out", "reports_dir", type=click.Path(path_type=Path), default=None,
              help="Reports root; this run writes to <out>/<as-of>/ (default: reports/, or $IMPACT_REPORTS).")
@click.option("--log", "log_file", type=click.Path(path_type=Path), default=None,
              help="Log file (default: <out>/impact-run.log).")
@_with_common
def run(inbox_dir: Path | None, reports_dir: Path | None, log_file: Path | None, as_of: dt.date | None,
        lang: str | None, jobs: int | None, store_dir: Path | None, catalog_dir: Path | None,
        notebooks_dir: Path | None, timeout: int) -> None:
    """Scheduled run: ingest every new inbox file, then build all reports (impact report --all).

    Accepted files move to <inbox>/archive/, rejected ones to <inbox>/quarantine/. A lock
    (<inbox>/.impact-run.lock) keeps two runs from overlapping.
    """
    from impact.core.config import settings
    from impact.reports.scheduler import RunOptions, scheduled_run

    cfg = settings()
    lang = lang or cfg.lang
    options = RunOptions(inbox_dir=inbox_dir, store_dir=store_dir, reports_dir=reports_dir, catalog_dir=catalog_dir,
                         log_file=log_file, as_of=as_of, lang=lang, jobs=jobs, notebooks_dir=notebooks_dir,
                         timeout=timeout, command_line=_command_line())
    with _user_errors(lang):
        outcome = scheduled_run(options, echo=lambda line: click.echo(line))
    sys.exit(outcome.exit_code)


__all__ = ["report", "run"]
