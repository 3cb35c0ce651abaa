"""``impact validate``, ``impact expectations export`` and ``impact template``.

Exit codes: 0 valid / written, 1 invalid data (or broken catalog), 2 unreadable file or usage
error. No traceback reaches the user: unexpected failures become a one-line message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from impact.cli.common import load_catalog_or_exit
from impact.core.errors import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, ImpactError

_catalog_option = click.option(
    "--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
    help="Katalog-Verzeichnis / catalog directory (default: indicators/, or $IMPACT_CATALOG).")


def _default_lang() -> str:
    from impact.core.config import settings

    return settings().lang


def _history(store_dir: Path | None) -> Any:
    """Stored values for plausibility warnings, or ``None`` (a missing store is no error)."""
    from impact.core.config import settings

    path = store_dir or settings().store_dir
    if not Path(path).is_dir():
        return None
    try:
        from impact.store.store import Store

        return Store(path).values()
    except (ImportError, ImpactError, OSError, ValueError):
        click.echo("Hinweis: gespeicherte Werte nicht lesbar, keine Plausibilitätsprüfung / "
                   "note: stored values unreadable, no plausibility check", err=True)
        return None


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Ausgabe / output: text or one JSON object.")
@click.option("--lang", type=click.Choice(["de", "en"]), default=None, help="Sprache / language (default de).")
@_catalog_option
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Ablage für Plausibilitätsprüfung / store for plausibility warnings (default data/store).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Größenlimit / size limit in bytes (default $IMPACT_MAX_BYTES or 50 MB).")
@click.option("--project", "only_project", default=None,
              help="Nur dieses Projekt zulassen / accept rows of this project only.")
def validate(file: Path, fmt: str, lang: str | None, catalog_dir: Path | None, store_dir: Path | None,
             max_bytes: int | None, only_project: str | None) -> None:
    """Prüft eine Einreichung (CSV oder XLSX) / check a submission file.

    Lists every problem with file, row (header = row 1), column and a hint.
    Exit 0 valid, 1 invalid, 2 unreadable file or usage error.
    """
    lang = lang or _default_lang()
    cat = load_catalog_or_exit(catalog_dir)
    if only_project is not None and only_project not in cat.projects:
        click.echo(f"Unbekanntes Projekt / unknown project '{only_project}'. "
                   f"Bekannt / known: {', '.join(cat.projects)}", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        from impact.intake.validation import validate_file

        history = _history(store_dir)
        report = validate_file(file, cat, history=history, max_bytes=max_bytes, only_project=only_project)
    except ImpactError as exc:
        click.echo(exc.message(lang), err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - never a traceback for users
        click.echo(f"Interner Fehler / internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text(lang))
    sys.exit(EXIT_UNREADABLE if report.unreadable else EXIT_OK if report.valid else EXIT_INVALID)


@click.group()
def expectations() -> None:
    """Great-Expectations-Suiten / GX expectation suites generated from the catalog."""


@expectations.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@_catalog_option
def export(directory: Path, catalog_dir: Path | None) -> None:
    """Schreibt die Suiten als GX-JSON / write the suites as GX JSON, one file per suite."""
    cat = load_catalog_or_exit(catalog_dir)
    try:
        from impact.intake.expectations import export_suites

        paths = export_suites(cat, directory)
    except OSError as exc:
        click.echo(f"Kann nicht schreiben / cannot write {directory}: {exc.strerror}", err=True)
        sys.exit(EXIT_UNREADABLE)
    for p in paths:
        click.echo(str(p))


@click.command()
@click.argument("project")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Zieldatei / output file (default <project>-vorlage.<format> in the current directory).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv (Semikolon, UTF-8 mit BOM) or xlsx (default: from --out, else xlsx).")
@_catalog_option
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Ablage / store: the next due periods follow the latest stored one.")
def template(project: str, out: Path | None, fmt: str | None, catalog_dir: Path | None, store_dir: Path | None) -> None:
    """Erzeugt eine Vorlage zum Ausfüllen / write a ready-to-fill submission template.

    Exit 0 written, 2 unknown project or unwritable file.
    """
    cat = load_catalog_or_exit(catalog_dir)
    if project not in cat.projects:
        click.echo(f"Unbekanntes Projekt „{project}“ / unknown project '{project}'. "
                   f"Bekannte Projekte / known projects: {', '.join(cat.projects)}", err=True)
        sys.exit(EXIT_UNREADABLE)
    if fmt is None:
        fmt = "csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx"
    if out is None:
        out = Path(f"{project}-vorlage.{fmt}")
    elif out.suffix.lower() != f".{fmt}":
        click.echo(f"--out {out.name} passt nicht zu --format {fmt} / does not match --format {fmt}", err=True)
        sys.exit(EXIT_UNREADABLE)
    from impact.intake.template import build_template, companion_csv, companion_name

    history = _history(store_dir)
    try:
        data = build_template(cat, project, fmt, history=history)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written = [out]
        if fmt == "csv":
            side = out.with_name(companion_name(out.name))
            side.write_bytes(companion_csv(cat, project))
            written.append(side)
    except OSError as exc:
        click.echo(f"Kann nicht schreiben / cannot write {out}: {exc.strerror}", err=True)
        sys.exit(EXIT_UNREADABLE)
    for p in written:
        click.echo(str(p))
