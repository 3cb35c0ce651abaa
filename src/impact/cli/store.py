"""``impact ingest`` and ``impact submissions``: fill the store and show what it holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from impact.cli.common import load_catalog_or_exit
from impact.core.config import settings
from impact.core.errors import EXIT_OK, EXIT_UNREADABLE, ImpactError
from impact.store.store import Store

_store_option = click.option(
    "--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Store directory (default: data/store, or $IMPACT_STORE).")
_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                              show_default=True)
_lang_option = click.option("--lang", type=click.Choice(["de", "en"]), default=None,
                            help="Language of messages (default: $IMPACT_LANG or de).")


def _error_entry(path: Path, exc: ImpactError | OSError, lang: str) -> dict[str, Any]:
    if isinstance(exc, ImpactError):
        code, text = exc.exit_code, exc.message(lang)
    else:
        code = EXIT_UNREADABLE
        text = (f"Speicher nicht beschreibbar / store not writable: {exc.strerror or exc} "
                f"({exc.filename or ''})")
    return {"file": path.name, "status": "error", "exit_code": code, "message": text}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
@_store_option
@click.option("--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
              help="Catalog directory (default: indicators/, or $IMPACT_CATALOG).")
@_lang_option
@_format_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Size limit per file in bytes (default: $IMPACT_MAX_BYTES or 50 MB).")
def ingest(files: tuple[Path, ...], store_dir: Path | None, catalog_dir: Path | None, lang: str | None,
           fmt: str, max_bytes: int | None) -> None:
    """Validate files and add the valid ones to the store; quarantine the others.

    Each accepted file gets a submission id (sha256 of its bytes), a receive time (UTC) and a
    ledger line; its original bytes are archived unchanged. The same file again changes nothing
    ("duplicate"). A later value for the same project, indicator, period and breakdown is a
    correction: the newest counts, the older stays in the history. A rejected file goes with its
    error report (errors.json, errors.txt) to <store>/quarantine/ and the store is untouched.

    Exit codes (with several files: the worst one):

    \b
      0  accepted, or duplicate (nothing changed)
      1  invalid data (file and error report in quarantine)
      2  unreadable file, unusable store (newer format, damaged) or usage error
      3  the store was locked by another writer for too long
    """
    from impact.store.ingest import ingest_file  # lazy: pulls in validation (Great Expectations)

    lang = lang or settings().lang
    cat = load_catalog_or_exit(catalog_dir)
    store = Store(store_dir)
    entries: list[dict[str, Any]] = []
    worst = EXIT_OK
    for path in files:
        try:
            result = ingest_file(path, store, cat, lang=lang, max_bytes=max_bytes)
        except (ImpactError, OSError) as exc:
            entry = _error_entry(path, exc, lang)
            entries.append(entry)
            worst = max(worst, entry["exit_code"])
            if fmt == "text":
                click.echo(f"{path.name}: {entry['message']}", err=True)
            continue
        worst = max(worst, result.exit_code)
        entries.append(result.to_json(lang))
        if fmt == "text":
            click.echo(result.summary(lang))
            if result.status in ("rejected", "unreadable"):
                click.echo(_indent(result.report.to_text(lang)))
            elif result.report.warnings:
                _echo_warnings(result.report.warnings, lang)
    if fmt == "json":
        click.echo(json.dumps({"store": str(store.path), "exit_code": worst, "results": entries},
                              ensure_ascii=False, indent=2))
    elif len(files) > 1:
        counts: dict[str, int] = {}
        for e in entries:
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        click.echo(f"{len(files)} Dateien / files: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    sys.exit(worst)


_MAX_WARNING_LINES = 20


def _echo_warnings(warnings: list[Any], lang: str) -> None:
    for w in warnings[:_MAX_WARNING_LINES]:
        where = f"{'Zeile' if lang != 'en' else 'row'} {w.row}: " if w.row is not None else ""
        click.echo(f"    {where}{w.message(lang)} [{w.code}]")
    rest = len(warnings) - _MAX_WARNING_LINES
    if rest > 0:
        click.echo(f"    … and {rest} more (--format json)" if lang == "en"
                   else f"    … und {rest} weitere (--format json)")


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines())


def _listing(store: Store, project: str | None) -> pd.DataFrame:
    ledger = store.ledger()
    rejected = store.quarantined().drop(columns=["folder"])
    frames = [f for f in (ledger, rejected) if not f.empty]
    table = pd.concat(frames, ignore_index=True) if frames else ledger
    if project:
        table = table[table["projects"].map(lambda ps: project in ps)]
    return table.sort_values("received_at", kind="stable").reset_index(drop=True)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or (not isinstance(value, list | str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@click.command()
@_store_option
@_format_option
@click.option("--project", default=None, help="Only submissions with rows for this project id.")
@_lang_option
def submissions(store_dir: Path | None, fmt: str, project: str | None, lang: str | None) -> None:
    """List the submissions: accepted ones from the ledger, rejected ones from quarantine.

    Columns: submission id (short), received (UTC), file, status, rows, corrections, projects,
    token id. Exit 0, or 2 when the store cannot be read.
    """
    lang = lang or settings().lang
    store = Store(store_dir)
    try:
        table = _listing(store, project)
    except ImpactError as exc:
        click.echo(exc.message(lang), err=True)
        sys.exit(exc.exit_code)
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in rec.items()} for rec in table.to_dict(orient="records")]
        click.echo(json.dumps({"store": str(store.path), "submissions": rows}, ensure_ascii=False, indent=2))
        return
    if table.empty:
        click.echo(f"Keine Einreichungen / no submissions in {store.path}")
        return
    header = (f"{'id':<12}  {'eingegangen / received (UTC)':<28}  {'Status':<10}  {'Zeilen/rows':>11}  "
              f"{'Korr./corr.':>11}  {'Projekte / projects':<24}  {'Token':<12}  Datei / file")
    lines = [header, "-" * len(header)]
    for rec in table.itertuples(index=False):
        received = rec.received_at.strftime("%Y-%m-%d %H:%M:%S") if pd.notna(rec.received_at) else "-"
        sid = (rec.submission_id or "-")[:12]
        token = rec.token_id if isinstance(rec.token_id, str) and rec.token_id else "-"
        name = rec.file_name if isinstance(rec.file_name, str) else "-"
        if rec.status == "recovered":
            name = rec.detail
        lines.append(f"{sid:<12}  {received:<28}  {rec.status:<10}  {rec.rows:>11}  {rec.corrections:>11}  "
                     f"{', '.join(rec.projects) or '-':<24}  {token:<12}  {name}")
    n_acc = int((table["status"] == "accepted").sum())
    lines += ["", f"{n_acc} angenommen / accepted, {len(table) - n_acc} andere / other"]
    click.echo("\n".join(lines))
