"""The synthetic sample data: reproducible, consistent with the catalog, in the promised formats.

The files are read here with the standard library and openpyxl only (not with the intake
module), so that these tests check the data, independently of the reader under test elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from impact.core.catalog import Catalog
from impact.core.periods import parse_period

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
UNTIL = dt.date(2026, 10, 31)
FILES = {
    "kiezbox.csv": "kiezbox", "kiezbox_korrektur.csv": "kiezbox", "hardenbergplatz.xlsx": "hardenbergplatz",
    "data-governance.csv": "data-governance", "smart-water.csv": "smart-water",
    "smarte-partizipation.csv": "smarte-partizipation",
}
GERMAN = {"Projekt": "project_id", "Indikator": "indicator_id", "Zeitraum": "period", "Wert": "value",
          "Einheit": "unit", "Aufschlüsselung": "breakdown", "Ausprägung": "breakdown_value",
          "Anmerkung": "note", "Quelle": "source", "Nachweis": "evidence"}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def read_rows(name: str, data: bytes) -> list[dict[str, str]]:
    """Rows of a sample file as canonical-name dicts (values as text, decimal dot)."""
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        header = [GERMAN.get(str(h), str(h)) for h in values[0]]
        return [{h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)} for row in values[1:]]
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = [GERMAN.get(h, h) for h in next(reader)]
    rows = []
    for rec in reader:
        row = dict(zip(header, rec, strict=True))
        if sep == ";":
            row["value"] = row["value"].replace(".", "").replace(",", ".")
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def committed() -> dict[str, bytes]:
    return {name: (SAMPLE / name).read_bytes() for name in FILES}


# ---------------------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_bytes(catalog: Catalog) -> None:
    first = gen.build_files(catalog, 7, dt.date(2025, 6, 30))
    second = gen.build_files(catalog, 7, dt.date(2025, 6, 30))
    assert set(first) == set(FILES)
    for name in first:
        assert first[name] == second[name], name


def test_different_seed_gives_different_files(catalog: Catalog) -> None:
    a = gen.build_files(catalog, 1, dt.date(2025, 6, 30))
    b = gen.build_files(catalog, 2, dt.date(2025, 6, 30))
    for name in FILES:
        if name != "kiezbox_korrektur.csv":  # one row: may coincide
            assert a[name] != b[name], name


def zip_members(data: bytes) -> dict[str, bytes]:
    """The uncompressed members of an xlsx (independent of the zlib build that compressed them)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info.filename) for info in zf.infolist()}


def test_committed_files_equal_generator_defaults(catalog: Catalog, committed: dict[str, bytes]) -> None:
    fresh = gen.build_files(catalog)
    assert set(fresh) == set(FILES)
    for name, data in fresh.items():
        hint = f"{name} differs: re-run python data/sample/generate.py and commit"
        if name.endswith(".xlsx"):  # byte-identical with the same zlib; compare what the zip holds
            assert zip_members(committed[name]) == zip_members(data), hint
        else:
            assert committed[name] == data, hint


@pytest.mark.slow
def test_script_writes_the_files(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(SAMPLE / "generate.py"), "--seed", "3", "--until", "2024-12-31",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in tmp_path.iterdir()} == set(FILES)
    rows = read_rows("kiezbox.csv", (tmp_path / "kiezbox.csv").read_bytes())
    assert max(parse_period(r["period"]).end for r in rows) <= dt.date(2024, 12, 31)  # type: ignore[union-attr]


def test_until_limits_periods(catalog: Catalog) -> None:
    until = dt.date(2024, 5, 15)
    rows = [r for rs in gen.generate_rows(catalog, 5, until).values() for r in rs]
    ends = [parse_period(r.period).end for r in rows]  # type: ignore[union-attr]
    assert max(ends) <= until
    assert "2024-04" in {r.period for r in rows}
    assert "2024-Q2" not in {r.period for r in rows}


# ---------------------------------------------------------------------------- consistency


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_consistent_with_catalog(catalog: Catalog, committed: dict[str, bytes], name: str) -> None:
    project = catalog.projects[FILES[name]]
    assigned = {i.id for i in catalog.indicators_for(project.id)}
    rows = read_rows(name, committed[name])
    assert rows
    totals = set()
    for n, row in enumerate(rows, start=2):
        where = f"{name} row {n}"
        assert row["project_id"] == project.id, where
        assert row["indicator_id"] in assigned, where
        ind = catalog.indicators[row["indicator_id"]]
        period = parse_period(row["period"])
        assert period is not None and period.frequency == ind.frequency and period.label == row["period"], where
        assert period.end <= UNTIL, where
        assert period.end >= project.start and (project.end is None or period.start <= project.end), where
        value = float(row["value"])
        assert ind.min is None or value >= ind.min, where
        assert ind.max is None or value <= ind.max, where
        if ind.value_type == "count":
            assert value == int(value), where
        if row.get("unit"):
            assert catalog.units[ind.unit].matches(row["unit"]), where
        key = (row["indicator_id"], row["period"])
        if row["breakdown"]:
            assert row["breakdown"] in ind.breakdowns, where
            assert row["breakdown_value"] in catalog.breakdowns[row["breakdown"]].values, where
            assert key in totals, f"{where}: breakdown row without its total"
        else:
            assert not row["breakdown_value"], where
            totals.add(key)


def test_no_duplicate_keys(committed: dict[str, bytes]) -> None:
    for name, data in committed.items():
        keys = [(r["indicator_id"], r["period"], r["breakdown"], r["breakdown_value"]) for r in read_rows(name, data)]
        assert len(keys) == len(set(keys)), name


def test_additive_breakdowns_add_up(catalog: Catalog, committed: dict[str, bytes]) -> None:
    checked = 0
    for name, data in committed.items():
        sums: dict[tuple[str, str, str], float] = {}
        totals: dict[tuple[str, str], float] = {}
        for r in read_rows(name, data):
            if catalog.indicators[r["indicator_id"]].value_type != "count":
                continue
            if r["breakdown"]:
                k = (r["indicator_id"], r["period"], r["breakdown"])
                sums[k] = sums.get(k, 0.0) + float(r["value"])
            else:
                totals[(r["indicator_id"], r["period"])] = float(r["value"])
        for (ind, period, _), s in sums.items():
            assert s == pytest.approx(totals[(ind, period)]), (name, ind, period)
            checked += 1
    assert checked > 20


def test_every_project_indicator_has_data_and_some_gaps(catalog: Catalog) -> None:
    rows = gen.generate_rows(catalog)
    gaps = 0
    for project in catalog.projects.values():
        got = {(r.indicator_id, r.period) for r in rows[project.id] if not r.breakdown}
        for ind in catalog.indicators_for(project.id):
            expected = {p.label for p in gen._periods(ind, project, UNTIL)}
            present = {p for i, p in got if i == ind.id}
            assert present and present <= expected, (project.id, ind.id)
            gaps += len(expected - present)
    assert 5 <= gaps <= 80


def test_series_move_toward_targets_mostly(catalog: Catalog) -> None:
    rows = gen.generate_rows(catalog)
    toward = away = 0
    for project_id, rs in rows.items():
        series: dict[str, list[float]] = {}
        for r in rs:
            if not r.breakdown:
                series.setdefault(r.indicator_id, []).append(r.value)
        for ind_id, values in series.items():
            t = catalog.indicators[ind_id].targets[project_id]
            if len(values) < 3 or t.band is not None or t.target is None:
                continue
            moved = values[-1] - values[0]
            if moved * (t.target - t.baseline) > 0:
                toward += 1
            elif moved * (t.target - t.baseline) < 0:
                away += 1
    assert away >= 2, "some series must move away from their target"
    assert toward > 4 * away


def test_cumulative_series_never_fall(catalog: Catalog, committed: dict[str, bytes]) -> None:
    cumulative = {i.id for i in catalog.indicators.values() if i.cumulative}
    assert {"datasets-opened", "reuse-by-others", "retention-area-planned"} <= cumulative
    checked = 0
    for name, data in committed.items():
        if name == "kiezbox_korrektur.csv":
            continue
        series: dict[str, list[tuple[str, float]]] = {}
        for r in read_rows(name, data):
            if r["indicator_id"] in cumulative and not r["breakdown"]:
                series.setdefault(r["indicator_id"], []).append((r["period"], float(r["value"])))
        for ind, points in series.items():
            values = [v for _, v in sorted(points)]
            assert values == sorted(values), (name, ind, points)
            checked += 1
    assert checked >= 5


def test_side_effects_are_covered_and_one_tolerance_is_crossed(catalog: Catalog, committed: dict[str, bytes]) -> None:
    rows = [r for name, data in committed.items() for r in read_rows(name, data)]
    crossed = []
    side_effects = [(p, i) for i in catalog.indicators.values() if i.unintended for p in i.targets]
    assert {p for p, _ in side_effects} == set(catalog.projects)  # every pilot watches a side effect
    for project_id, ind in side_effects:
        tol = ind.targets[project_id].tolerance
        assert tol is not None
        values = [(parse_period(r["period"]), float(r["value"])) for r in rows
                  if r["project_id"] == project_id and r["indicator_id"] == ind.id and not r["breakdown"]]
        assert values, (project_id, ind.id)
        crossed += [(ind.id, p.label) for p, v in values if p is not None and tol.crossed(v, ind.direction, p.end)]
    assert ("rent-pressure-hardenbergplatz", "2025") in crossed, crossed


# ---------------------------------------------------------------------------- formats and content


@pytest.mark.parametrize("name", sorted(FILES))
def test_required_evidence_is_given(catalog: Catalog, committed: dict[str, bytes], name: str) -> None:
    """Issue 13: rows of indicators with ``evidence_required`` carry evidence; other files have no such column."""
    rows = read_rows(name, committed[name])
    needed = [r for r in rows if catalog.indicators[r["indicator_id"]].evidence_required]
    assert all(r["evidence"].strip() for r in needed)
    assert ("evidence" in rows[0]) == bool(needed)


def test_kiezbox_is_german_windows_1252(committed: dict[str, bytes]) -> None:
    data = committed["kiezbox.csv"]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert text.startswith("Projekt;Indikator;Zeitraum;Wert;Einheit;Aufschlüsselung;Ausprägung;Anmerkung;Quelle\r\n")
    assert ";" in text and any(ch.isdigit() for ch in text)
    values = [line.split(";")[3] for line in text.splitlines()[1:]]
    assert any("," in v for v in values) and not any("." in v and "," not in v for v in values)
    assert "Ausfall wegen Stromstörung in Köpenick" in text


def test_english_csv_variants(committed: dict[str, bytes]) -> None:
    dg, sw, sp = committed["data-governance.csv"], committed["smart-water.csv"], committed["smarte-partizipation.csv"]
    assert dg.startswith(b"\xef\xbb\xbfproject_id,indicator_id,period,value,unit,")
    assert sw.startswith(b"project_id,indicator_id,period,value,unit,")
    assert sp.startswith(b"project_id;indicator_id;period;value;breakdown;")  # no unit column
    for data in (dg, sw, sp):
        data.decode("utf-8")


def test_xlsx_first_sheet_and_text_periods(committed: dict[str, bytes]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(committed["hardenbergplatz.xlsx"]))
    assert len(wb.worksheets) == 2
    first = wb.worksheets[0]
    assert [c.value for c in first[1]] == list(GERMAN)
    periods = [c.value for c in first["C"][1:]]
    assert all(isinstance(p, str) for p in periods)
    assert any(isinstance(c.value, float) for c in first["D"][1:])
    assert "SYNTHETISCH" in (wb.properties.title or "")


def test_correction_resubmits_an_existing_key_with_a_new_value(committed: dict[str, bytes]) -> None:
    (fix,) = read_rows("kiezbox_korrektur.csv", committed["kiezbox_korrektur.csv"])
    original = [r for r in read_rows("kiezbox.csv", committed["kiezbox.csv"])
                if (r["indicator_id"], r["period"], r["breakdown"], r["breakdown_value"])
                == (fix["indicator_id"], fix["period"], fix["breakdown"], fix["breakdown_value"])]
    assert len(original) == 1
    assert float(original[0]["value"]) != float(fix["value"])
    assert "Korrektur" in fix["note"]


def test_breakdowns_and_notes_present(committed: dict[str, bytes]) -> None:
    rows = [r for name, data in committed.items() for r in read_rows(name, data)]
    kinds = {r["breakdown"] for r in rows}
    assert {"district", "target_group"} <= kinds
    assert any(r["breakdown_value"] == "refugees" for r in rows)
    notes = [r["note"] for r in rows if r["note"]]
    assert len(notes) >= 10
    assert any(ch in note for note in notes for ch in "äöüÄÖÜß")


def test_sample_is_modest(committed: dict[str, bytes]) -> None:
    total = sum(len(read_rows(name, data)) for name, data in committed.items())
    assert 1000 <= total <= 5000


# ---------------------------------------------------------------------------- acceptance: intake accepts them


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FILES))
def test_sample_files_pass_validation(catalog: Catalog, name: str) -> None:
    from impact.intake import validation
    report = validation.validate_file(SAMPLE / name, catalog, today=dt.date(2026, 11, 21),
                                      only_project=FILES[name])
    assert report.valid, report.to_text("en")
    assert not report.errors and not report.warnings, report.to_text("en")
    assert report.rows == len(read_rows(name, (SAMPLE / name).read_bytes()))
