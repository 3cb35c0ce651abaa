"""``impact validate``, ``impact expectations export`` and ``impact template``.

Exit codes: 0 valid / written, 1 invalid data (or broken catalog), 2 unreadable file or usage
error. No traceback reaches the user: unexpected failures become a one-line message. Settings
are read once (:func:`impact.cli.common.cli_settings`) and passed to the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from impact.cli.common import (
    ImpactCommand,
    ImpactGroup,
    catalog_option,
    cli_settings,
    fail,
    lang_option,
    load_catalog_or_exit,
    store_option,
)
from impact.core.catalog import Catalog
from impact.core.errors import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, ImpactError
from impact.core.i18n import N_, normalise_lang, texts


def _lang(lang: str | None) -> str:
    return normalise_lang(lang or cli_settings().lang)


def _history(store_dir: Path | None, lang: str) -> Any:
    """Stored values for plausibility warnings, or ``None`` (a missing store is no error)."""
    path = store_dir or cli_settings().store_dir
    if not Path(path).is_dir():
        return None
    try:
        from impact.store.store import Store

        return Store(path).values()
    except (ImportError, ImpactError, OSError, ValueError):
        _ = texts(lang)
        click.echo(_("Note: the stored values cannot be read; no plausibility check."), err=True)
        return None


def _known_project(cat: Catalog, project: str, lang: str) -> None:
    if project not in cat.projects:
        _ = texts(lang)
        fail(EXIT_UNREADABLE, _("Unknown project '{project}'. Known projects: {known}", project=project,
                                known=", ".join(cat.projects)))


@click.command(cls=ImpactCommand, help=N_("""Check a submission file (CSV or XLSX).

Lists every problem with file, row (header = row 1), column and a hint.
Exit 0 valid, 1 invalid, 2 unreadable file or usage error."""))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Output: text, or one JSON object."))
@lang_option
@catalog_option
@store_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help=N_("Size limit in bytes (default: $IMPACT_MAX_BYTES, else 50 MB)."))
@click.option("--project", "only_project", default=None, help=N_("Accept rows of this project only."))
def validate(file: Path, fmt: str, lang: str | None, catalog_dir: Path | None, store_dir: Path | None,
             max_bytes: int | None, only_project: str | None) -> None:
    lang = _lang(lang)
    cat = load_catalog_or_exit(catalog_dir, lang)
    if only_project is not None:
        _known_project(cat, only_project, lang)
    cfg = cli_settings()
    try:
        from impact.intake.validation import validate_file

        history = _history(store_dir, lang)
        report = validate_file(file, cat, history=history, today=cfg.today, max_bytes=max_bytes or cfg.max_bytes,
                               only_project=only_project)
    except ImpactError as exc:
        fail(exc.exit_code, exc.message(lang))
    except Exception as exc:  # noqa: BLE001 - never a traceback for users
        _ = texts(lang)
        fail(EXIT_INVALID, _("Internal error: {error}", error=f"{type(exc).__name__}: {exc}"))
    if fmt == "json":
        click.echo(report.json_text(lang))
    else:
        click.echo(report.to_text(lang))
    raise SystemExit(EXIT_UNREADABLE if report.unreadable else EXIT_OK if report.valid else EXIT_INVALID)


@click.group(cls=ImpactGroup, help=N_("Great Expectations suites generated from the catalog."))
def expectations() -> None:
    pass


@expectations.command("export", help=N_("Write the suites as GX JSON, one file per suite."))
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@catalog_option
@lang_option
def export(directory: Path, catalog_dir: Path | None, lang: str | None) -> None:
    lang = _lang(lang)
    cat = load_catalog_or_exit(catalog_dir, lang)
    try:
        from impact.intake.gx import export_suites

        paths = export_suites(cat, directory, today=cli_settings().today)
    except OSError as exc:
        _ = texts(lang)
        fail(EXIT_UNREADABLE, _("Cannot write {path}: {reason}", path=directory, reason=exc.strerror or exc))
    for p in paths:
        click.echo(str(p))


@click.command(cls=ImpactCommand, help=N_("""Write a ready-to-fill submission template.

One row per indicator of the project and due period, with the indicator's name and unit; a
second sheet (xlsx) or a companion file (csv) explains every indicator.
Exit 0 written, 2 unknown project or unwritable file."""))
@click.argument("project")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=N_("Output file (default: <project>-vorlage.<format> in the current directory)."))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help=N_("csv (semicolons, UTF-8 with BOM) or xlsx (default: from --out, else xlsx)."))
@catalog_option
@store_option
@lang_option
def template(project: str, out: Path | None, fmt: str | None, catalog_dir: Path | None, store_dir: Path | None,
             lang: str | None) -> None:
    lang = _lang(lang)
    _ = texts(lang)
    cat = load_catalog_or_exit(catalog_dir, lang)
    _known_project(cat, project, lang)
    if fmt is None:
        fmt = "csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx"
    if out is None:
        out = Path(f"{project}-vorlage.{fmt}")
    elif out.suffix.lower() != f".{fmt}":
        fail(EXIT_UNREADABLE, _("--out {name} does not match --format {fmt}", name=out.name, fmt=fmt))
    from impact.intake.template import build_template, companion_csv, companion_name

    history = _history(store_dir, lang)
    today = cli_settings().today
    try:
        data = build_template(cat, project, fmt, history=history, today=today, lang=lang)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written = [out]
        if fmt == "csv":
            side = out.with_name(companion_name(out.name))
            side.write_bytes(companion_csv(cat, project, lang=lang))
            written.append(side)
    except OSError as exc:
        fail(EXIT_UNREADABLE, _("Cannot write {path}: {reason}", path=out, reason=exc.strerror or exc))
    for p in written:
        click.echo(str(p))
