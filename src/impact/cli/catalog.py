"""``impact catalog``: show or check the indicator catalog."""

from __future__ import annotations

import json
from pathlib import Path

import click

from impact.cli.common import load_catalog_or_exit
from impact.core.catalog import Catalog

_catalog_option = click.option(
    "--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
    help="Catalog directory (default: indicators/, or $IMPACT_CATALOG).")


def _text_table(cat: Catalog, lang: str) -> str:
    lines = [f"{len(cat.indicators)} indicators, {len(cat.projects)} projects  (catalog {cat.content_hash[:12]})", ""]
    header = f"{'id':<42} {'freq':<9} {'step':>4}  {'direction':<16} {'unit':<8} projects"
    lines += [header, "-" * len(header)]
    for ind in cat.indicators.values():
        lines.append(f"{ind.id:<42} {ind.frequency:<9} {ind.impact_step:>4}  {ind.direction:<16} "
                     f"{ind.unit:<8} {', '.join(ind.projects)}")
        lines.append(f"  {ind.name.get(lang)}")
    return "\n".join(lines)


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@_catalog_option
@click.pass_context
def catalog(ctx: click.Context, fmt: str, lang: str, catalog_dir: Path | None) -> None:
    """Show the indicator catalog (text table or one JSON object).

    Exit 0, or 1 when the catalog has problems (each named with file and indicator).
    """
    if ctx.invoked_subcommand is not None:
        return
    cat = load_catalog_or_exit(catalog_dir)
    if fmt == "json":
        click.echo(json.dumps(cat.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_text_table(cat, lang))


@catalog.command("check")
@_catalog_option
def check(catalog_dir: Path | None) -> None:
    """Check the catalog: exit 0 when valid, 1 naming file, indicator and problem otherwise."""
    cat = load_catalog_or_exit(catalog_dir)
    click.echo(f"Katalog in Ordnung / catalog OK: {len(cat.indicators)} indicators, "
               f"{len(cat.projects)} projects, {len(cat.guiding_ideas)} guiding ideas, "
               f"{len(cat.principles)} principles, {len(cat.perspectives)} perspectives.")
