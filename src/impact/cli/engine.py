"""``impact scores`` and ``impact export``: the engine's results on the command line."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from impact.cli.common import load_catalog_or_exit
from impact.core.catalog import Catalog
from impact.core.config import settings
from impact.core.errors import EXIT_UNREADABLE, ImpactError

_STATUS = {
    "de": {"on_track": "im Plan", "at_risk": "gefährdet", "off_track": "nicht im Plan", "no_data": "keine Daten"},
    "en": {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "no_data": "no data"},
}
_GROUPS = {
    "de": {"guiding_ideas": "Leitgedanken", "principles": "Prinzipien", "perspectives": "Zukunftsperspektiven"},
    "en": {"guiding_ideas": "Guiding ideas", "principles": "Principles", "perspectives": "Future perspectives"},
}

_store_option = click.option(
    "--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Store directory (default: data/store, or $IMPACT_STORE).")
_catalog_option = click.option(
    "--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
    help="Catalog directory (default: indicators/, or $IMPACT_CATALOG).")
_as_of_option = click.option(
    "--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD",
    help="Evaluate what was known at the end of this day (UTC). Default: today.")
_lang_option = click.option("--lang", type=click.Choice(["de", "en"]), default=None,
                            help="Language of the output (default: $IMPACT_LANG or de).")


def _fail(code: int, de: str, en: str) -> None:
    click.echo(f"{de}\n{en}", err=True)
    sys.exit(code)


def _parse_as_of(text: str | None) -> dt.date:
    if text is None:
        return settings().today
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        _fail(EXIT_UNREADABLE,
              f"Ungültiges Datum für --as-of: '{text}'. Bitte JJJJ-MM-TT angeben, z. B. 2026-03-31.",
              f"Invalid date for --as-of: '{text}'. Use YYYY-MM-DD, e.g. 2026-03-31.")
        raise AssertionError("unreachable") from None


def _load_values(store_dir: Path | None, as_of: dt.date, lang: str) -> tuple[pd.DataFrame, str]:
    from impact.store.store import Store

    store = Store(store_dir)
    if not store.path.is_dir():
        _fail(EXIT_UNREADABLE, f"Speicher nicht gefunden: {store.path}",
              f"Store not found: {store.path}")
    try:
        return store.values(as_of), store.content_hash(as_of)
    except ImpactError as exc:
        click.echo(exc.message(lang), err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        _fail(EXIT_UNREADABLE, f"Speicher nicht lesbar: {exc}", f"Store unreadable: {exc}")
    raise AssertionError("unreachable")


def _check_project(cat: Catalog, project: str | None) -> None:
    if project is not None and project not in cat.projects:
        known = ", ".join(cat.projects)
        _fail(EXIT_UNREADABLE, f"Unbekanntes Projekt '{project}'. Bekannt: {known}",
              f"Unknown project '{project}'. Known: {known}")


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * float(x):.0f} %"


def _num(x: Any, lang: str = "en", digits: int = 6) -> str:
    """A number for the text table: German decimal comma, thin-space thousands separator."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{float(x):,.{digits}g}".replace(",", "\u2009")
    return text.replace(".", ",") if lang == "de" else text


def scores_text(js: dict[str, Any], cat: Catalog, lang: str) -> str:
    """The ``impact scores`` text table from the JSON object."""
    de = lang != "en"
    lines = [f"{'Stand' if de else 'As of'}: {js['as_of']}", ""]
    head = (f"  {'Indikator' if de else 'Indicator':<40} {'Zeitraum' if de else 'Period':<9} "
            f"{'Wert' if de else 'Value':>10} {'Ziel' if de else 'Target':>10} {'Fortschr.' if de else 'Progress':>9} "
            f"{'erwartet' if de else 'expected':>9}  {'Status':<14} Trend")
    for pid, proj in js["projects"].items():
        name = cat.projects[pid].name.get(lang) if pid in cat.projects else pid
        ov = proj["overall"]
        lines.append(f"{name} ({pid})")
        lines.append(f"  {'Gesamt' if de else 'Overall'}: {_pct(ov['score'])}, "
                     f"{'Abdeckung' if de else 'coverage'} {_pct(ov['coverage'])} "
                     f"({ov['n_with_data']}/{ov['n_indicators']})")
        if not proj["indicators"]:
            lines += ["  " + ("keine Indikatoren im Katalog" if de else "no indicators in the catalog"), ""]
            continue
        lines += [head, "  " + "-" * (len(head) - 2)]
        for i in proj["indicators"]:
            trend = i["trend"]
            if trend["n_points"] == 0:
                ttxt = "–"
            elif trend["note"] == "too_short":
                ttxt = "zu kurz" if de else "too short"
            else:
                ttxt = f"{_num(trend['slope_per_year'], lang, 3)}/{'Jahr' if de else 'yr'}"
                if i["forecast"]["target_unlikely"]:
                    ttxt += ", Ziel unwahrscheinlich" if de else ", target unlikely"
            status = _STATUS[lang][i["status"]] + (" (veraltet)" if de and i["stale"] else
                                                  " (stale)" if i["stale"] else "")
            lines.append(f"  {i['id']:<40} {i['period'] or '–':<9} {_num(i['value'], lang):>10} {_num(i['target'], lang):>10} "
                         f"{_pct(i['progress']):>9} {_pct(i['expected_progress']):>9}  {status:<14} {ttxt}")
        for key in ("guiding_ideas", "principles", "perspectives"):
            if proj.get(key):
                parts = [f"{gid} {_pct(g['score'])} ({'Abd.' if de else 'cov.'} {_pct(g['coverage'])})"
                         for gid, g in proj[key].items()]
                lines.append(f"  {_GROUPS[lang][key]}: " + "; ".join(parts))
        comp = proj.get("completeness") or {}
        if comp.get("expected"):
            n_over = sum(len(v) for v in comp["overdue"].values())
            lines.append(f"  {'Vollständigkeit' if de else 'Completeness'}: {comp['received']}/{comp['expected']}"
                         f" ({_pct(comp['share'])}), {'überfällig' if de else 'overdue'}: {n_over}")
        lines.append("")
    pf = js["portfolio"]
    lines.append(f"Portfolio: {_pct(pf['overall']['score'])}, {'Abdeckung' if de else 'coverage'} "
                 f"{_pct(pf['overall']['coverage'])} ({pf['overall']['n_with_data']}/{pf['overall']['n_indicators']})")
    for key in ("guiding_ideas", "principles"):
        parts = [f"{gid} {_pct(g['score'])} ({_pct(g['coverage'])})" for gid, g in pf[key].items()
                 if g["n_indicators"]]
        if parts:
            lines.append(f"  {_GROUPS[lang][key]}: " + "; ".join(parts))
    return "\n".join(lines)


@click.command()
@click.option("--project", default=None, help="Only this project id (the portfolio still covers all).")
@_as_of_option
@_store_option
@_catalog_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_lang_option
def scores(project: str | None, as_of_text: str | None, store_dir: Path | None, catalog_dir: Path | None,
           fmt: str, lang: str | None) -> None:
    """Progress, status, trend and scores per project, guiding idea, principle and portfolio.

    Scores are weighted mean progress (0..1) of the indicators with a current value, always
    with their coverage; missing data never counts as zero (see docs/methodology.md).

    Exit codes: 0 ok, 1 catalog has problems, 2 bad --as-of, unknown project or unreadable store.
    """
    from impact.engine.evaluation import evaluate

    lang = lang or settings().lang
    as_of = _parse_as_of(as_of_text)
    cat = load_catalog_or_exit(catalog_dir)
    _check_project(cat, project)
    values, _ = _load_values(store_dir, as_of, lang)
    try:
        ev = evaluate(cat, values, as_of)
    except ValueError as exc:  # malformed store content
        _fail(EXIT_UNREADABLE, f"Werte nicht auswertbar: {exc}", f"Values cannot be evaluated: {exc}")
        return
    js = ev.to_json(projects=[project] if project else None)
    if fmt == "json":
        click.echo(json.dumps(js, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo(scores_text(js, cat, lang))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "datapackage"]), default="csv",
              show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output directory (default: data/export/<as-of>).")
@_store_option
@_as_of_option
@_catalog_option
@_lang_option
def export(fmt: str, out_dir: Path | None, store_dir: Path | None, as_of_text: str | None,
           catalog_dir: Path | None, lang: str | None) -> None:
    """Export the current values and the computed scores as open data.

    Tables: values (no token ids, no file names), indicator_scores, group_scores, ladder,
    completeness. 'datapackage' writes CSV files plus datapackage.json (Frictionless Data
    Package). In CSV, text cells that a spreadsheet would run as formulas are neutralised.

    Exit codes: 0 ok, 1 catalog has problems, 2 bad --as-of, unreadable store or output directory.
    """
    from impact.engine.evaluation import evaluate
    from impact.engine.export import export_tables, write_export

    lang = lang or settings().lang
    as_of = _parse_as_of(as_of_text)
    cat = load_catalog_or_exit(catalog_dir)
    values, store_hash = _load_values(store_dir, as_of, lang)
    try:
        ev = evaluate(cat, values, as_of)
        tables = export_tables(ev, values)
    except ValueError as exc:
        _fail(EXIT_UNREADABLE, f"Werte nicht auswertbar: {exc}", f"Values cannot be evaluated: {exc}")
        return
    out = out_dir if out_dir is not None else settings().root / "data" / "export" / as_of.isoformat()
    try:
        paths = write_export(tables, out, fmt, as_of=as_of, catalog_hash=cat.content_hash, store_hash=store_hash)
    except OSError as exc:
        _fail(EXIT_UNREADABLE, f"Export nicht schreibbar ({out}): {exc.strerror or exc}",
              f"Cannot write the export ({out}): {exc.strerror or exc}")
        return
    n_values = len(tables["values"])
    if lang == "en":
        click.echo(f"Exported {n_values} values and the scores as of {as_of} ({fmt}) to {out}:")
    else:
        click.echo(f"{n_values} Werte und die Scores zum Stand {as_of} ({fmt}) exportiert nach {out}:")
    for p in paths:
        click.echo(f"  {p.name}")
