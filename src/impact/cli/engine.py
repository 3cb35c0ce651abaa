"""``impact scores`` and ``impact export``: the engine's results on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import pandas as pd

from impact.cli.common import (
    ImpactCommand,
    as_of_option,
    bilingual,
    catalog_option,
    cli_settings,
    fail,
    format_option,
    known_at_option,
    lang_option,
    load_catalog_or_exit,
    store_option,
    user_errors,
)
from impact.core.catalog import Catalog
from impact.core.config import utc_now
from impact.core.errors import EXIT_UNREADABLE
from impact.core.i18n import N_, format_date, format_datetime, format_number, format_percent, normalise_lang, texts

__all__ = ["export", "scores", "scores_text"]

_GROUPS = {"guiding_ideas": N_("Guiding ideas"), "principles": N_("Principles"),
           "perspectives": N_("Future perspectives")}


def _dates(as_of: dt.date | None, known_at: dt.date | dt.datetime | None) -> tuple[dt.date, dt.date | dt.datetime]:
    """The two dates of this run: reference date (default today) and knowledge date (default now)."""
    return (as_of if as_of is not None else cli_settings().today,
            known_at if known_at is not None else utc_now())


def _load_values(store_dir: Path | None, known_at: dt.date | dt.datetime, lang: str) -> tuple[pd.DataFrame, str]:
    from impact.store.store import Store

    store = Store(store_dir if store_dir is not None else cli_settings().store_dir)
    if not store.path.is_dir():
        fail(EXIT_UNREADABLE, bilingual(N_("Store not found: {path}"), path=store.path))
    with user_errors(lang):
        return store.values(known_at), store.content_hash(known_at)
    raise AssertionError("unreachable")  # pragma: no cover - user_errors exits


def _evaluate(cat: Catalog, values: pd.DataFrame, as_of: dt.date, known_at: Any, lang: str) -> Any:
    from impact.engine.evaluation import evaluate

    try:
        return evaluate(cat, values, as_of, known_at=known_at)
    except ValueError as exc:  # malformed store content
        _ = texts(lang)
        fail(EXIT_UNREADABLE, _("Values cannot be evaluated: {reason}", reason=exc))


def _check_project(cat: Catalog, project: str | None) -> None:
    if project is not None and project not in cat.projects:
        fail(EXIT_UNREADABLE, bilingual(N_("Unknown project '{project}'. Known: {known}"), project=project,
                                        known=", ".join(cat.projects)))


def _trend_text(i: dict[str, Any], lang: str) -> str:
    _ = texts(lang)
    trend = i["trend"]
    if trend["n_points"] == 0:
        return "–"
    if trend["note"] == "too_short":
        return _("too short")
    return _("{slope}/yr", slope=format_number(trend["slope_per_year"], lang, 3))


def _indicator_lines(proj: dict[str, Any], lang: str) -> list[str]:
    from impact.engine.story import status_sentence

    _ = texts(lang)
    cols = (_.pgettext("column", "Indicator"), _.pgettext("column", "Period"), _.pgettext("column", "Value"),
            _.pgettext("column", "Target"), _.pgettext("column", "Progress"), _.pgettext("column", "expected"),
            _.pgettext("column", "Trend"), _.pgettext("column", "Status"))
    head = (f"  {cols[0]:<40} {cols[1]:<9} {cols[2]:>10} {cols[3]:>10} {cols[4]:>9} {cols[5]:>9}  "
            f"{cols[6]:<14} {cols[7]}")
    lines = [head, "  " + "-" * (len(head) - 2)]
    for i in proj["indicators"]:
        lines.append(f"  {i['id']:<40} {i['period'] or '–':<9} {format_number(i['value'], lang, 2):>10} "
                     f"{format_number(i['target'], lang, 2):>10} {format_percent(i['progress'], lang):>9} "
                     f"{format_percent(i['expected_progress'], lang):>9}  {_trend_text(i, lang):<14} "
                     f"{status_sentence(i, lang)}")
    return lines


def _coverage(g: dict[str, Any], lang: str) -> str:
    _ = texts(lang)
    return _("{score}, coverage {coverage} ({with_data}/{n})", score=format_percent(g["score"], lang),
             coverage=format_percent(g["coverage"], lang), with_data=g["n_with_data"], n=g["n_indicators"])


def _group_line(key: str, groups: dict[str, Any], lang: str) -> str | None:
    _ = texts(lang)
    parts = [_("{id} {score} (cov. {coverage})", id=gid, score=format_percent(g["score"], lang),
               coverage=format_percent(g["coverage"], lang)) for gid, g in groups.items() if g["n_indicators"]]
    return f"  {_(_GROUPS[key])}: " + "; ".join(parts) if parts else None


def scores_text(js: dict[str, Any], cat: Catalog, lang: str) -> str:
    """The ``impact scores`` text table from the JSON object."""
    _ = texts(lang)
    known = format_datetime(js["known_at"], lang) if js.get("known_at") else _("everything stored")
    lines = [_("Reference date: {as_of} · knowledge date: {known_at}", as_of=format_date(js["as_of"], lang),
               known_at=known), ""]
    for pid, proj in js["projects"].items():
        name = cat.projects[pid].name.get(lang) if pid in cat.projects else pid
        lines += [f"{name} ({pid})", "  " + _("Overall: {summary}", summary=_coverage(proj["overall"], lang))]
        if not proj["indicators"]:
            lines += ["  " + _("no indicators in the catalog"), ""]
            continue
        lines += _indicator_lines(proj, lang)
        lines += [line for key in _GROUPS if (line := _group_line(key, proj.get(key) or {}, lang))]
        comp = proj.get("completeness") or {}
        if comp.get("expected"):
            n_over = sum(len(v) for v in comp["overdue"].values())
            lines.append("  " + _("Completeness: {received}/{expected} ({share}), overdue: {overdue}",
                                  received=comp["received"], expected=comp["expected"],
                                  share=format_percent(comp["share"], lang), overdue=n_over))
        lines.append("")
    pf = js["portfolio"]
    lines.append(_("Portfolio: {summary}", summary=_coverage(pf["overall"], lang)))
    lines += [line for key in ("guiding_ideas", "principles") if (line := _group_line(key, pf[key], lang))]
    return "\n".join(lines)


@click.command(cls=ImpactCommand, help=N_(
    "Progress, status, trend and scores per project, guiding idea, principle and portfolio.\n\n"
    "Scores are weighted mean progress (0..1) of the indicators with a current value, always with their "
    "coverage; missing data never counts as zero (see docs/methodology.md). The JSON object states the "
    "reference date (as_of) and the exact knowledge instant used (known_at, UTC).\n\n"
    "Exit codes: 0 ok, 1 catalog has problems, 2 bad date, unknown project or unreadable store."))
@click.option("--project", default=None, help=N_("Only this project id (the portfolio still covers all)."))
@as_of_option
@known_at_option
@store_option
@catalog_option
@format_option("text", "json")
@lang_option
def scores(project: str | None, as_of: dt.date | None, known_at: dt.date | dt.datetime | None,
           store_dir: Path | None, catalog_dir: Path | None, fmt: str, lang: str | None) -> None:
    lang = normalise_lang(lang or cli_settings().lang)
    day, moment = _dates(as_of, known_at)
    cat = load_catalog_or_exit(catalog_dir, lang)
    _check_project(cat, project)
    values, _hash = _load_values(store_dir, moment, lang)
    js = _evaluate(cat, values, day, moment, lang).to_json(projects=[project] if project else None)
    if fmt == "json":
        click.echo(json.dumps(js, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo(scores_text(js, cat, lang))


@click.command(cls=ImpactCommand, help=N_(
    "Export the current values and the computed scores as open data.\n\n"
    "Tables: values (no token ids, no file names), indicator_scores, group_scores, ladder, completeness, "
    "tradeoffs, targets. 'datapackage' writes CSV files plus datapackage.json (Frictionless Data Package) "
    "with both dates. In CSV, text cells that a spreadsheet would run as formulas are neutralised.\n\n"
    "Exit codes: 0 ok, 1 catalog has problems, 2 bad date, unreadable store or output directory."))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "datapackage"]), default="csv",
              show_default=True, help=N_("Output format."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help=N_("Output directory (default: data/export/<as-of>)."))
@store_option
@as_of_option
@known_at_option
@catalog_option
@lang_option
def export(fmt: str, out_dir: Path | None, store_dir: Path | None, as_of: dt.date | None,
           known_at: dt.date | dt.datetime | None, catalog_dir: Path | None, lang: str | None) -> None:
    from impact.engine.export import export_tables, write_export

    lang = normalise_lang(lang or cli_settings().lang)
    _ = texts(lang)
    day, moment = _dates(as_of, known_at)
    cat = load_catalog_or_exit(catalog_dir, lang)
    values, store_hash = _load_values(store_dir, moment, lang)
    ev = _evaluate(cat, values, day, moment, lang)
    tables = export_tables(ev, values, cat)
    out = out_dir if out_dir is not None else cli_settings().root / "data" / "export" / day.isoformat()
    try:
        paths = write_export(tables, out, fmt, as_of=day, known_at=ev.known_at_iso(), catalog_hash=cat.content_hash,
                             store_hash=store_hash, catalog=cat)
    except OSError as exc:
        fail(EXIT_UNREADABLE, _("Cannot write the export ({path}): {reason}", path=out, reason=exc.strerror or exc))
    click.echo(_.ngettext("Exported {n} value and the scores for {as_of} ({fmt}) to {path}:",
                          "Exported {n} values and the scores for {as_of} ({fmt}) to {path}:", len(tables["values"]),
                          as_of=format_date(day, lang), fmt=fmt, path=out))
    for p in paths:
        click.echo(f"  {p.name}")
