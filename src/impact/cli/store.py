"""``impact ingest`` and ``impact submissions``: fill the store and show what it holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from impact.cli.common import (
    ImpactCommand,
    catalog_option,
    cli_settings,
    fail,
    format_option,
    lang_option,
    load_catalog_or_exit,
    store_option,
    user_errors,
)
from impact.core.errors import EXIT_OK, EXIT_UNREADABLE, ImpactError
from impact.core.i18n import N_, texts
from impact.store.layout import printable
from impact.store.store import Store

__all__ = ["existing_store", "ingest", "submissions"]

_MAX_WARNING_LINES = 20


def existing_store(store_dir: Path | None, lang: str) -> Store:
    """The store at ``--store`` (else the configured one); exit 2 when there is no store there."""
    store = Store(store_dir if store_dir is not None else cli_settings().store_dir)
    if not store.exists():
        _ = texts(lang)
        fail(EXIT_UNREADABLE, _("No store at {path} (check --store or IMPACT_STORE).", path=store.path))
    return store


def check_project(catalog_dir: Path | None, project: str | None, lang: str) -> None:
    """Exit 2 when ``project`` is not a project of the catalog."""
    if project is None:
        return
    cat = load_catalog_or_exit(catalog_dir, lang)
    if project not in cat.projects:
        _ = texts(lang)
        fail(EXIT_UNREADABLE, _("Unknown project '{project}'. Known projects: {known}",
                                project=printable(project), known=", ".join(cat.projects)))


def _error_entry(path: Path, exc: ImpactError | OSError, lang: str) -> dict[str, Any]:
    if isinstance(exc, ImpactError):
        code, text = exc.exit_code, exc.message(lang)
    else:
        _ = texts(lang)
        code = EXIT_UNREADABLE
        text = _("Store not writable: {reason} ({path})", reason=exc.strerror or exc, path=exc.filename or "")
    return {"file": path.name, "status": "error", "exit_code": code, "message": text}


INGEST_HELP = N_("""Validate files and add the valid ones to the store; quarantine the others.

Each accepted file gets a submission id (sha256 of its bytes), a receive time (UTC) and a
ledger line; its original bytes are archived unchanged. The same file again changes nothing
("duplicate"). A later value for the same project, indicator, period and breakdown is a
correction: the newest counts, the older stays in the history. A rejected file goes with its
error report (errors.json, errors.txt) to <store>/quarantine/ and the store is untouched.

A valid file is still refused when it would change an approved value, bring back a value that a
newer correction replaced (e.g. an old file saved again; --allow-revert accepts it) or replace a
stored value with one the plausibility rule flags (--confirm-implausible accepts it).

Exit codes (with several files: the worst one):

\b
  0  accepted, or duplicate (nothing changed)
  1  invalid or refused data (file and error report in quarantine, store unchanged)
  2  unreadable file, unusable store (newer format, damaged) or usage error
  3  the store was locked by another writer for too long
""")


@click.command(cls=ImpactCommand, help=INGEST_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
@store_option
@catalog_option
@lang_option
@format_option("text", "json")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help=N_("Size limit per file in bytes (default: $IMPACT_MAX_BYTES or 50 MB)."))
@click.option("--allow-revert", is_flag=True,
              help=N_("Accept rows that bring back a value a newer correction replaced (refused by default)."))
@click.option("--confirm-implausible", is_flag=True,
              help=N_("Confirm corrections that the plausibility rule flags (refused by default)."))
def ingest(files: tuple[Path, ...], store_dir: Path | None, catalog_dir: Path | None, lang: str | None,
           fmt: str, max_bytes: int | None, allow_revert: bool, confirm_implausible: bool) -> None:
    from impact.store.ingest import ingest_file  # lazy: pulls in validation (Great Expectations)

    cfg = cli_settings()
    lang = lang or cfg.lang
    _ = texts(lang)
    cat = load_catalog_or_exit(catalog_dir, lang)
    store = Store(store_dir if store_dir is not None else cfg.store_dir)
    entries: list[dict[str, Any]] = []
    worst = EXIT_OK
    for path in files:
        try:
            result = ingest_file(path, store, cat, max_bytes=max_bytes or cfg.max_bytes, today=cfg.today,
                                 allow_revert=allow_revert, confirm_implausible=confirm_implausible)
        except (ImpactError, OSError) as exc:
            entry = _error_entry(path, exc, lang)
            entries.append(entry)
            worst = max(worst, entry["exit_code"])
            if fmt == "text":
                click.echo(f"{printable(path.name)}: {entry['message']}", err=True)
            continue
        worst = max(worst, result.exit_code)
        entries.append(result.to_json(lang))
        if fmt == "text":
            click.echo(result.summary(lang))
            if result.status in ("rejected", "unreadable"):
                click.echo(_indent(result.report.to_text(lang)))
                _echo_overrides(result, lang)
            elif result.report.warnings:
                _echo_warnings(result.report.warnings, lang)
    if fmt == "json":
        click.echo(json.dumps({"store": str(store.path), "exit_code": worst, "results": entries},
                              ensure_ascii=False, indent=2))
    elif len(files) > 1:
        counts: dict[str, int] = {}
        for e in entries:
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        click.echo(_("{n} files: {counts}", n=len(files),
                     counts=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
    sys.exit(worst)


#: refusal code -> what the user can do on the command line
_OVERRIDES = {
    "implausible_correction": N_("If the flagged values are right: impact ingest --confirm-implausible {file}"),
    "reverts_correction": N_("If the older values really apply again: impact ingest --allow-revert {file}"),
    "value_approved": N_("Approved values change only after they are reopened: impact review reopen --reason …"),
}


def _echo_overrides(result: Any, lang: str) -> None:
    _ = texts(lang)
    codes = {p.code for p in result.report.errors}
    for code, text in _OVERRIDES.items():
        if code in codes:
            click.echo("  → " + _(text, file=printable(result.file_name)))


def _echo_warnings(warnings: list[Any], lang: str) -> None:
    _ = texts(lang)
    for w in warnings[:_MAX_WARNING_LINES]:
        where = _("row {row}: ", row=w.row) if w.row is not None else ""
        click.echo(f"    {where}{printable(w.message(lang))} [{w.code}]")
    rest = len(warnings) - _MAX_WARNING_LINES
    if rest > 0:
        click.echo("    " + _("… and {n} more (--format json)", n=rest))


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines())


def _listing(store: Store, project: str | None) -> pd.DataFrame:
    ledger = store.ledger()
    rejected = store.quarantined()
    frames = [f for f in (ledger, rejected) if not f.empty]
    table = pd.concat(frames, ignore_index=True) if frames else ledger
    if project:
        table = table[table["projects"].map(lambda ps: project in ps)]
    return table.sort_values("received_at", kind="stable").reset_index(drop=True)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or (not isinstance(value, list | str | dict) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _text_or(value: Any, default: str = "-") -> str:
    return printable(value) if isinstance(value, str) and value else default


SUBMISSIONS_HELP = N_("""List the submissions: accepted ones from the ledger, rejected ones from quarantine.

Columns: submission id (short), received (UTC), status, rows, corrections, projects, token id,
file. --project keeps the submissions with rows for that project.

\b
Exit codes:
  0  listed
  2  no store at --store, unknown project, or the store cannot be read
""")

_COLUMNS = (N_("id"), N_("received (UTC)"), N_("status"), N_("rows"), N_("corrections"), N_("projects"),
            N_("token"), N_("file"))


@click.command(cls=ImpactCommand, help=SUBMISSIONS_HELP)
@store_option
@format_option("text", "json")
@click.option("--project", default=None, help=N_("Only submissions with rows for this project id."))
@catalog_option
@lang_option
def submissions(store_dir: Path | None, fmt: str, project: str | None, catalog_dir: Path | None,
                lang: str | None) -> None:
    lang = lang or cli_settings().lang
    store = existing_store(store_dir, lang)
    check_project(catalog_dir, project, lang)
    with user_errors(lang):
        table = _listing(store, project)
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in rec.items() if k != "folder"} for rec in table.to_dict(orient="records")]
        click.echo(json.dumps({"store": str(store.path), "submissions": rows}, ensure_ascii=False, indent=2))
        return
    _ = texts(lang)
    if table.empty:
        click.echo(_("No submissions in {path}", path=store.path))
        return
    recoveries = {pd.Timestamp(e["received_at"]): e.get("cleaned") for e in store.events()
                  if e.get("event") == "recovery" and e.get("received_at")}
    click.echo("\n".join(_text_lines(table, recoveries, lang)))


def _text_lines(table: pd.DataFrame, recoveries: dict[pd.Timestamp, Any], lang: str) -> list[str]:
    from impact.core.i18n import format_datetime
    from impact.store.ingest import status_text
    from impact.store.recovery import describe

    _ = texts(lang)
    head = [_(c) for c in _COLUMNS]
    rows = []
    for rec in table.itertuples(index=False):
        received = format_datetime(rec.received_at, lang) if pd.notna(rec.received_at) else "-"
        name = _text_or(rec.file_name)
        if rec.status == "recovered":
            cleaned = recoveries.get(rec.received_at)
            name = printable(describe(cleaned, _)) if cleaned else _text_or(rec.detail)
        rows.append([_text_or(rec.submission_id)[:12], received, status_text(str(rec.status), lang), str(rec.rows),
                     str(rec.corrections), printable(", ".join(rec.projects)) or "-", _text_or(rec.token_id), name])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)), r[-1]]) for r in [head, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    n_acc = int((table["status"] == "accepted").sum())
    lines += ["", _("{accepted} accepted, {other} other", accepted=n_acc, other=len(table) - n_acc)]
    return lines
