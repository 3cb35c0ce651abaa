#!/usr/bin/env python3
"""Generate the SYNTHETIC sample submissions of the five pilot projects.

SYNTHETISCHE Beispieldaten / SYNTHETIC sample data: every value is invented. Nothing here
describes the real pilots.

    python data/sample/generate.py [--seed N] [--until YYYY-MM-DD] [--out DIR] [--catalog DIR]

Writes one submission file per pilot, covering the project's runtime from its start (not before
2022) up to ``--until`` at each indicator's frequency. Only complete periods (period end on or
before ``--until``) that overlap the runtime are written. Series move toward (a few away from)
their illustrative targets with noise, stay within the indicator's min/max and are rounded
sensibly; a few periods are missing; indicators that declare breakdowns get breakdown rows next to
their totals; a few notes carry umlauts. A second small Kiezbox file re-submits one key with a
corrected value. Indicators the catalog marks ``evidence_required`` carry a document reference in
an ``evidence`` (German ``Nachweis``) column; a file gets that column only when one of its rows
needs it.

The files exercise the accepted formats the way real project teams send them:

============================  ======================================================================
``kiezbox.csv``               ``;``-separated, Windows-1252, German headers, decimal commas
``kiezbox_korrektur.csv``     same format, one corrected row (a later correction: ingest it last)
``hardenbergplatz.xlsx``      Excel, German headers, first sheet (a second sheet holds explanations)
``data-governance.csv``       ``,``-separated UTF-8 with BOM, English headers, unit ids
``smart-water.csv``           ``,``-separated UTF-8, English headers, English unit names
``smarte-partizipation.csv``  ``;``-separated UTF-8, English headers, decimal commas, no unit column
============================  ======================================================================

The defaults (seed 20261031, until 2026-10-31) reproduce the committed files byte for byte
(the xlsx too: its workbook properties and zip timestamps are fixed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

try:  # the package is normally installed (editable); fall back to the source tree
    from impact.core.catalog import Catalog, Indicator, Project, load_catalog
    from impact.core.periods import Period, periods_between
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(ROOT / "src"))
    from impact.core.catalog import Catalog, Indicator, Project, load_catalog
    from impact.core.periods import Period, periods_between

DEFAULT_SEED = 20261031
DEFAULT_UNTIL = dt.date(2026, 10, 31)
EARLIEST = dt.date(2022, 1, 1)
FIXED_TIMESTAMP = dt.datetime(2026, 10, 31, 12, 0, 0)

GERMAN_HEADER = ("Projekt", "Indikator", "Zeitraum", "Wert", "Einheit", "Aufschlüsselung", "Ausprägung",
                 "Anmerkung", "Quelle")
ENGLISH_HEADER = ("project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value",
                  "note", "source")
#: the evidence column's header, added to a file only when one of its rows carries evidence
EVIDENCE_HEADER = {"de": "Nachweis", "en": "evidence"}

#: breakdown values that make sense for each project (a one-value breakdown tells nothing)
DISTRICTS = {
    "kiezbox": ("treptow-koepenick", "marzahn-hellersdorf", "friedrichshain-kreuzberg", "neukoelln", "pankow"),
    "smart-water": ("mitte", "pankow", "neukoelln", "spandau", "treptow-koepenick"),
    "data-governance": ("mitte", "friedrichshain-kreuzberg", "neukoelln", "charlottenburg-wilmersdorf"),
}
RARELY_HEARD = ("children-youth", "people-with-disabilities", "refugees", "people-facing-discrimination",
                "homeless-people")

#: series that move away from their target (the reports must show such cases honestly)
AWAY_FROM_TARGET = {("hardenbergplatz", "conflicts-accidents"), ("data-governance", "data-request-days"),
                    ("smarte-partizipation", "budget-green-share")}
#: series that lag clearly behind their trajectory
LAGGING = {("smart-water", "agencies-using-water-model"), ("kiezbox", "crisis-awareness"),
           ("hardenbergplatz", "mobility-hub-providers")}
#: side effects whose series crosses its tolerance (the reports must show the warning); the others
#: drift towards their limit but stay within it
CROSSING = {("hardenbergplatz", "rent-pressure-hardenbergplatz")}

OUTAGE_NOTES = (
    "Ausfall wegen Stromstörung in Köpenick",
    "Störung im Mesh-Netz nach Gewitter, Boxen in Grünau betroffen",
    "Überspannungsschaden an zwei Boxen, Austausch durch Wartungsteam",
)
SURVEY_NOTE = "Befragung mit n = {n}; Gewichtung nach Alter und Bezirk"
MISSING_NOTES = {
    "kiezbox-drill-availability": "Übung wegen Hitzewarnung verschoben, Werte folgen",
    "budget-voters": "Abstimmungsrunde läuft noch, Ergebnis im Folgequartal",
}
ESTIMATE_NOTE = "Schätzung; Papiervorschläge aus Schöneweide noch nicht vollständig erfasst"


@dataclass(frozen=True)
class Row:
    """One submission row (a total when ``breakdown`` is empty)."""

    project_id: str
    indicator_id: str
    period: str
    value: float
    unit: str
    breakdown: str = ""
    breakdown_value: str = ""
    note: str = ""
    source: str = ""
    evidence: str = ""


# --------------------------------------------------------------------------- series


def _never_falls(ind: Indicator) -> bool:
    """Cumulative counts (catalog field ``cumulative``) and stocks of things that are only added."""
    return ind.cumulative or "(Bestand" in ind.definition.de


def _is_additive(ind: Indicator) -> bool:
    """Whether breakdown values add up to the total (counts, euros, areas)."""
    return ind.value_type in ("count", "amount_eur") or ind.unit in ("square-metres", "cubic-metres")


def _decimals(ind: Indicator) -> int:
    if ind.value_type in ("count", "amount_eur") or ind.unit in ("square-metres", "cubic-metres", "days"):
        return 0
    if ind.value_type == "scale_1_5":
        return 2
    return 1


def _round(ind: Indicator, value: float) -> float:
    lo = ind.min if ind.min is not None else -math.inf
    hi = ind.max if ind.max is not None else math.inf
    value = min(max(value, lo), hi)
    if ind.unit == "cubic-metres":
        return float(round(value / 1000) * 1000)
    if ind.unit == "square-metres":
        return float(round(value / 10) * 10)
    return float(round(value, _decimals(ind)))


def _periods(ind: Indicator, project: Project, until: dt.date) -> list[Period]:
    start = max(project.start, EARLIEST)
    end = min(project.end or until, until)
    return [p for p in periods_between(start, end, ind.frequency) if p.end <= until]


def _midpoint(p: Period) -> dt.date:
    return p.start + (p.end - p.start) / 2


def _series(ind: Indicator, project: Project, periods: list[Period], rng: random.Random) -> list[float]:
    """Values of one (project, indicator) series, in period order (before rounding)."""
    t = ind.targets[project.id]
    span = (t.target_date - t.baseline_date).days
    key = (project.id, ind.id)
    if t.target is None:  # a side effect watched by its tolerance: drift towards (or across) the limit
        limit = t.tolerance.limit if t.tolerance else t.baseline
        goal, reach = limit, rng.uniform(1.4, 1.7) if key in CROSSING else rng.uniform(0.3, 0.6)
    elif key in AWAY_FROM_TARGET:
        goal, reach = t.target, rng.uniform(-0.45, -0.15)
    elif key in LAGGING:
        goal, reach = t.target, rng.uniform(0.25, 0.45)
    else:
        goal, reach = t.target, rng.uniform(0.85, 1.25)
    shape = rng.choice((0.7, 1.0, 1.0, 1.4))
    delta = goal - t.baseline
    # noise grows with the level, so small values do not jump to zero; side effects scatter less
    rel = rng.uniform(0.05, 0.1) if t.target is not None else rng.uniform(0.01, 0.02)
    values = []
    for p in periods:
        x = min(max((_midpoint(p) - t.baseline_date).days / span, 0.0), 1.15)
        v = t.baseline + delta * reach * x**shape
        if ind.frequency == "monthly" and ind.id != "kiezbox-outage-hours":
            v *= 1 + 0.18 * math.sin(2 * math.pi * (p.start.month - 4) / 12)
        v += rng.gauss(0, rel * (0.4 * abs(v) + 0.1 * abs(delta)))
        values.append(v)
    if _never_falls(ind) and values:
        floor = t.baseline if t.target is None else min(t.baseline, t.target)
        out, top = [], floor
        for v in values:
            top = max(top, v)
            out.append(top)
        values = out
    return values


def _split_total(total: float, weights: Sequence[float], decimals: int) -> list[float]:
    """Split ``total`` by ``weights`` so that the rounded parts add up exactly (largest remainder)."""
    scale = 10**decimals
    units = round(total * scale)
    raw = [units * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return [p / scale for p in parts]


def _breakdown_values(ind: Indicator, project_id: str, breakdown: str, catalog: Catalog) -> tuple[str, ...]:
    if breakdown == "district":
        return DISTRICTS.get(project_id, ())
    if breakdown == "target_group" and ind.id == "rarely-heard-share":
        return RARELY_HEARD
    return tuple(catalog.breakdowns[breakdown].values)


def _breakdown_rows(ind: Indicator, total: Row, breakdown: str, values: tuple[str, ...],
                    weights: list[float], rng: random.Random) -> list[Row]:
    rows = []
    if _is_additive(ind):
        parts = _split_total(total.value, weights, _decimals(ind))
    elif ind.id == "rarely-heard-share":  # share per group; people may name several groups
        parts = [total.value * 1.2 * w / sum(weights) + rng.gauss(0, 0.4) for w in weights]
    else:  # a rate, mean or share per group, scattered around the total
        spread = max(abs(total.value) * 0.15, 10.0 ** -_decimals(ind))
        if ind.max is not None and ind.min is not None:
            spread = min(spread, (ind.max - ind.min) * 0.05)
        parts = [total.value + (w - sum(weights) / len(weights)) * 2 * spread + rng.gauss(0, spread / 3)
                 for w in weights]
    for value_id, part in zip(values, parts, strict=True):
        rows.append(Row(total.project_id, total.indicator_id, total.period, _round(ind, part), total.unit,
                        breakdown, value_id, evidence=total.evidence))
    return rows


def _wants_breakdown(ind: Indicator, index: int, n: int) -> bool:
    if ind.frequency == "yearly":
        return True
    if ind.frequency == "quarterly":
        return index % 2 == 1
    return index >= n - 12  # monthly: the last twelve months


def _source(ind: Indicator) -> str:
    text = re.split(r"[,(;]", ind.source.de, maxsplit=1)[0].strip()
    return text[:60]


def _evidence(ind: Indicator, project: Project, period: Period) -> str:
    """A document reference for indicators that require evidence (else empty)."""
    if not ind.evidence_required:
        return ""
    return f"{_source(ind)}, {project.id} {period.label}"


def series_rows(catalog: Catalog, project: Project, ind: Indicator, until: dt.date, seed: int) -> list[Row]:
    """All rows (totals and breakdowns) of one indicator for one project."""
    rng = random.Random(f"{seed}:{project.id}:{ind.id}")
    periods = _periods(ind, project, until)
    values = _series(ind, project, periods, rng)
    usable = [b for b in ind.breakdowns if len(_breakdown_values(ind, project.id, b, catalog)) >= 2][:2]
    weights = {b: [rng.uniform(0.3, 1.0) for _ in _breakdown_values(ind, project.id, b, catalog)] for b in usable}
    if "target_group" in weights and ind.id != "rarely-heard-share":
        groups = _breakdown_values(ind, project.id, "target_group", catalog)
        weights["target_group"] = [3.0 if g == "general-public" else w
                                   for g, w in zip(groups, weights["target_group"], strict=True)]
    rows: list[Row] = []
    missing_left = 0 if len(periods) < 4 else 1 + (len(periods) >= 12)
    pending = ""  # why the previous value is missing - teams say so in the next row's note
    for n, (p, v) in enumerate(zip(periods, values, strict=True)):
        note, pending = pending, ""
        if n > 0 and n < len(periods) - 1 and missing_left and rng.random() < 0.06:
            missing_left -= 1
            pending = f"{p.label} fehlt: {MISSING_NOTES[ind.id]}" if ind.id in MISSING_NOTES else ""
            continue
        extra = ""
        if ind.id == "kiezbox-outage-hours" and rng.random() < 0.08:
            v += rng.uniform(20, 45)
            extra = rng.choice(OUTAGE_NOTES)
        elif ind.value_type == "scale_1_5" or (ind.value_type == "percent" and "befrag" in ind.source.de.lower()):
            extra = SURVEY_NOTE.format(n=rng.randint(180, 420))
        elif ind.id == "proposals-submitted" and n == len(periods) - 1:
            extra = ESTIMATE_NOTE
        note = " | ".join(x for x in (note, extra) if x)
        total = Row(project.id, ind.id, p.label, _round(ind, v), ind.unit, note=note, source=_source(ind),
                    evidence=_evidence(ind, project, p))
        rows.append(total)
        if _wants_breakdown(ind, n, len(periods)):
            for b in usable:
                rows.extend(_breakdown_rows(ind, total, b, _breakdown_values(ind, project.id, b, catalog),
                                            weights[b], rng))
    return rows


def generate_rows(catalog: Catalog, seed: int = DEFAULT_SEED, until: dt.date = DEFAULT_UNTIL) -> dict[str, list[Row]]:
    """Rows per project id, in catalog order (indicator, period, total before its breakdowns)."""
    out: dict[str, list[Row]] = {}
    for project in catalog.projects.values():
        rows: list[Row] = []
        for ind in catalog.indicators_for(project.id):
            rows.extend(series_rows(catalog, project, ind, until, seed))
        out[project.id] = rows
    return out


def correction_row(rows: list[Row], seed: int) -> tuple[Row, Row]:
    """The Kiezbox row that is corrected later, and its correction."""
    candidates = [r for r in rows if r.indicator_id == "kiezboxes-deployed" and not r.breakdown]
    if not candidates:  # another catalog: correct any total
        candidates = [r for r in rows if not r.breakdown]
    rng = random.Random(f"{seed}:correction")
    original = candidates[len(candidates) // 2 + rng.randint(-1, 1)] if len(candidates) > 2 else candidates[0]
    delta = -1.0 if original.value >= 1 else 1.0
    corrected = Row(original.project_id, original.indicator_id, original.period, original.value + delta,
                    original.unit, note="Korrektur: eine Box in Köpenick war doppelt gezählt",
                    source=original.source, evidence=original.evidence)
    return original, corrected


# --------------------------------------------------------------------------- formatting


def _number_de(value: float, decimals: int) -> str:
    """German number text; thousands grouped only when a decimal comma makes that unambiguous."""
    if decimals == 0:
        return str(int(round(value)))
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def _number_en(value: float, decimals: int) -> str:
    return str(int(round(value))) if decimals == 0 else f"{value:.{decimals}f}"


_KIEZBOX_UNITS = {"percent": "%", "count": "Anzahl", "hours": "Std.", "scale-1-5": "Skala"}


def _csv_bytes(header: Sequence[str], records: list[list[str]], *, sep: str, encoding: str, bom: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(records)
    data = buf.getvalue().encode(encoding)  # strict: a character the encoding lacks is a bug here
    return (b"\xef\xbb\xbf" + data) if bom else data


def kiezbox_csv(rows: list[Row], catalog: Catalog) -> bytes:
    """``;``-separated, Windows-1252, German headers and units, decimal commas."""
    evidence = _has_evidence(rows)
    records = []
    for r in rows:
        ind = catalog.indicators[r.indicator_id]
        records.append([r.project_id, r.indicator_id, r.period, _number_de(r.value, _decimals(ind)),
                        _KIEZBOX_UNITS.get(r.unit, catalog.units[r.unit].symbol), r.breakdown, r.breakdown_value,
                        r.note, r.source, *([r.evidence] if evidence else [])])
    return _csv_bytes(_header(GERMAN_HEADER, rows, "de"), records, sep=";", encoding="cp1252", bom=False)


def english_csv(rows: list[Row], catalog: Catalog, *, unit_style: str | None, sep: str, bom: bool) -> bytes:
    """UTF-8 CSV with English headers; ``unit_style`` ``id``, ``name`` or ``None`` (no unit column)."""
    header = [h for h in _header(ENGLISH_HEADER, rows, "en") if unit_style or h != "unit"]
    fmt = _number_de if sep == ";" else _number_en
    evidence = _has_evidence(rows)
    records = []
    for r in rows:
        ind = catalog.indicators[r.indicator_id]
        rec = [r.project_id, r.indicator_id, r.period, fmt(r.value, _decimals(ind))]
        if unit_style == "id":
            rec.append(r.unit)
        elif unit_style == "name":
            rec.append(catalog.units[r.unit].name.en)
        rec += [r.breakdown, r.breakdown_value, r.note, r.source, *([r.evidence] if evidence else [])]
        records.append(rec)
    return _csv_bytes(header, records, sep=sep, encoding="utf-8", bom=bom)


def _header(header: Sequence[str], rows: list[Row], lang: str) -> list[str]:
    """The header, with the evidence column when a row carries evidence."""
    return [*header, EVIDENCE_HEADER[lang]] if _has_evidence(rows) else list(header)


def _has_evidence(rows: list[Row]) -> bool:
    return any(r.evidence for r in rows)


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack an xlsx with fixed timestamps so that the bytes depend only on the content."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = stamp.sub(rb"\g<1>" + FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                                    content)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def hardenbergplatz_xlsx(rows: list[Row], catalog: Catalog) -> bytes:
    """Excel workbook: German headers on the first sheet, numbers as numbers, periods as text."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "Bezirksamt Charlottenburg-Wilmersdorf (synthetisch / synthetic)"
    wb.properties.title = "Indikatorwerte Smart Space Hardenbergplatz - SYNTHETISCH"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    wb.properties.lastModifiedBy = "generate.py"
    ws = wb.active
    ws.title = "Indikatorwerte"
    ws.append(_header(GERMAN_HEADER, rows, "de"))
    evidence = _has_evidence(rows)
    for r in rows:
        ind = catalog.indicators[r.indicator_id]
        value: float | int = int(round(r.value)) if _decimals(ind) == 0 else r.value
        ws.append([r.project_id, r.indicator_id, r.period, value, catalog.units[r.unit].name.de,
                   r.breakdown or None, r.breakdown_value or None, r.note or None, r.source or None,
                   *([r.evidence or None] if evidence else [])])
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "@"  # periods stay text, Excel must not turn 2024-05 into a date
    ws.column_dimensions["B"].width = 32
    info = wb.create_sheet("Erläuterungen")
    info.append(["SYNTHETISCHE Beispieldaten - alle Werte sind erfunden."])
    info.append(["SYNTHETIC sample data - every value is invented."])
    info.append(["Nur das erste Blatt wird eingelesen. / Only the first sheet is read."])
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


# --------------------------------------------------------------------------- files


def build_files(catalog: Catalog, seed: int = DEFAULT_SEED, until: dt.date = DEFAULT_UNTIL) -> dict[str, bytes]:
    """File name → bytes of every sample file."""
    rows = generate_rows(catalog, seed, until)
    files: dict[str, bytes] = {}
    if rows.get("kiezbox"):
        files["kiezbox.csv"] = kiezbox_csv(rows["kiezbox"], catalog)
        _, corrected = correction_row(rows["kiezbox"], seed)
        files["kiezbox_korrektur.csv"] = kiezbox_csv([corrected], catalog)
    if rows.get("hardenbergplatz"):
        files["hardenbergplatz.xlsx"] = hardenbergplatz_xlsx(rows["hardenbergplatz"], catalog)
    if rows.get("data-governance"):
        files["data-governance.csv"] = english_csv(rows["data-governance"], catalog, unit_style="id", sep=",",
                                                   bom=True)
    if rows.get("smart-water"):
        files["smart-water.csv"] = english_csv(rows["smart-water"], catalog, unit_style="name", sep=",", bom=False)
    if rows.get("smarte-partizipation"):
        files["smarte-partizipation.csv"] = english_csv(rows["smarte-partizipation"], catalog, unit_style=None,
                                                        sep=";", bom=False)
    return files


def write_files(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the SYNTHETIC sample submissions.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--until", type=dt.date.fromisoformat, default=DEFAULT_UNTIL,
                        help=f"last day covered, YYYY-MM-DD (default {DEFAULT_UNTIL.isoformat()})")
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: data/sample)")
    parser.add_argument("--catalog", type=Path, default=ROOT / "indicators", help="catalog directory")
    args = parser.parse_args(argv)
    catalog = load_catalog(args.catalog)
    files = build_files(catalog, args.seed, args.until)
    write_files(args.out, files)
    for name, data in files.items():
        print(f"{args.out / name}  ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
