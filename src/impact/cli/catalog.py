"""``impact catalog``: show the indicator catalog (text table or JSON) or check it.

Exit codes: 0 ok, 1 the catalog has problems (each named with file, indicator and key),
2 usage error.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from impact.cli.common import (
    ImpactGroup,
    bilingual,
    catalog_option,
    format_option,
    help_lang,
    lang_option,
    load_catalog_or_exit,
)
from impact.core.catalog import Catalog
from impact.core.i18n import N_, texts


def _text_table(cat: Catalog, lang: str) -> str:
    _ = texts(lang)
    n_ind, n_proj = len(cat.indicators), len(cat.projects)
    lines = [_.ngettext("{n} indicator", "{n} indicators", n_ind) + ", "
             + _.ngettext("{n} project", "{n} projects", n_proj)
             + "  " + _("(catalog {hash})", hash=cat.content_hash[:12]), ""]
    ident, freq, step = _.pgettext("column", "id"), _.pgettext("column", "frequency"), _.pgettext("column", "step")
    direction, unit, projects = (_.pgettext("column", "direction"), _.pgettext("column", "unit"),
                                 _.pgettext("column", "projects"))
    header = f"{ident:<42} {freq:<9} {step:>4}  {direction:<16} {unit:<8} {projects}"
    lines += [header, "-" * len(header)]
    for ind in cat.indicators.values():
        lines.append(f"{ind.id:<42} {ind.frequency:<9} {ind.impact_step:>4}  {ind.direction:<16} "
                     f"{ind.unit:<8} {', '.join(ind.projects)}")
        marks = []
        if ind.unintended:
            marks.append(_("side effect"))
        if ind.cumulative:
            marks.append(_("cumulative"))
        lines.append(f"  {ind.name.get(lang)}" + (f"  [{', '.join(marks)}]" if marks else ""))
    pairs = cat.conflicts()
    if pairs:
        lines += ["", _("Trade-offs:")]
        lines += [f"  {p.indicator} ↔ {p.other}: {p.note.get(lang)}" for p in pairs]
    return "\n".join(lines)


@click.group(cls=ImpactGroup, invoke_without_command=True,
             help=N_("Show the indicator catalog (a text table, or with --format json every field of every "
                     "entry).\n\nExit 0, or 1 when the catalog has problems (each named with file, indicator "
                     "and key)."))
@format_option("text", "json")
@lang_option
@catalog_option
@click.pass_context
def catalog(ctx: click.Context, fmt: str, lang: str | None, catalog_dir: Path | None) -> None:
    """``impact catalog``: the table or JSON (help text above, translated)."""
    ctx.obj = {"catalog_dir": catalog_dir, "lang": lang}
    if ctx.invoked_subcommand is not None:
        return
    cat = load_catalog_or_exit(catalog_dir, lang)
    if fmt == "json":
        click.echo(json.dumps(cat.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_text_table(cat, lang or help_lang()))


@catalog.command("check", help=N_("Check the catalog: exit 0 when it is valid, 1 naming file, indicator, key "
                                  "and problem for every mistake."))
@lang_option
@catalog_option
@click.pass_context
def check(ctx: click.Context, lang: str | None, catalog_dir: Path | None) -> None:
    """``impact catalog check`` (help text above, translated)."""
    parent = ctx.obj or {}
    catalog_dir = catalog_dir if catalog_dir is not None else parent.get("catalog_dir")
    lang = lang or parent.get("lang")
    cat = load_catalog_or_exit(catalog_dir, lang)
    message = N_("catalog OK: {indicators} indicators ({side_effects} side effects), {projects} projects, "
                 "{ideas} guiding ideas, {principles} principles, {perspectives} perspectives, "
                 "{pairs} trade-offs.")
    fields = {"indicators": len(cat.indicators), "side_effects": sum(i.unintended for i in cat.indicators.values()),
              "projects": len(cat.projects), "ideas": len(cat.guiding_ideas), "principles": len(cat.principles),
              "perspectives": len(cat.perspectives), "pairs": len(cat.conflicts())}
    click.echo(texts(lang)(message, **fields) if lang else bilingual(message, **fields))
