"""Formula neutralisation and the export tables (pure parts of impact.engine.export)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from engine.helpers import indicator_yaml, value_rows, write_catalog
from impact.engine.evaluation import evaluate
from impact.engine.export import export_tables, neutralise_cell, neutralise_frame, write_export

AS_OF = dt.date(2026, 11, 21)


@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+49 30 123", "'+49 30 123"),
    ("-1+2", "'-1+2"),
    ("@cmd", "'@cmd"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("=1+1", "'=1+1"),
    ("-5", "-5"),            # a plain number as text stays (spreadsheets read it as that number)
    ("-3,5", "-3,5"),
    ("Schätzung", "Schätzung"),
    ("", ""),
    ("a=b", "a=b"),
])
def test_neutralise_cell(cell: str, expected: str) -> None:
    assert neutralise_cell(cell) == expected


def test_neutralise_frame_touches_only_text_columns() -> None:
    df = pd.DataFrame({"value": [-3.5, 2.0], "n": [-1, 4], "note": ["=HYPERLINK(\"x\")", None],
                       "src": pd.Series(["@x", "ok"], dtype="str")})
    before = df.copy()
    out = neutralise_frame(df)
    assert list(out["value"]) == [-3.5, 2.0] and list(out["n"]) == [-1, 4]
    assert out["note"].iloc[0] == "'=HYPERLINK(\"x\")" and pd.isna(out["note"].iloc[1])
    assert list(out["src"]) == ["'@x", "ok"]
    pd.testing.assert_frame_equal(df, before)


def _evaluation(cat_dir: Path):  # type: ignore[no-untyped-def]
    cat = write_catalog(cat_dir, [indicator_yaml("a", lo=-1000, targets={
        "kiezbox": "{baseline: -10, baseline_date: 2022-01-01, target: 10, target_date: 2025-12-31}"})])
    v = value_rows([
        {"project": "kiezbox", "indicator": "a", "period": "2026-Q1", "value": -5, "note": "=1+1", "token_id": "tok-1",
         "file_name": "mueller.csv"},
        {"project": "kiezbox", "indicator": "a", "period": "2026-Q2", "value": 0, "note": "-5"},
        {"project": "kiezbox", "indicator": "a", "period": "2026-Q2", "value": 3, "breakdown": "district",
         "breakdown_value": "mitte", "note": "@sum"},
    ])
    return evaluate(cat, v, AS_OF), v


def test_csv_neutralised_but_negative_numbers_stay_numeric(cat_dir: Path, tmp_path: Path) -> None:
    ev, v = _evaluation(cat_dir)
    write_export(export_tables(ev, v), tmp_path, "csv")
    text = (tmp_path / "values.csv").read_text(encoding="utf-8")
    assert "'=1+1" in text and "'@sum" in text and ",-5.0," in text and ",-5," in text
    assert "tok-1" not in text and "mueller" not in text
    back = pd.read_csv(tmp_path / "values.csv")
    assert back["value"].dtype.kind == "f" and sorted(back["value"]) == [-5.0, 0.0, 3.0]
    ind = pd.read_csv(tmp_path / "indicator_scores.csv")
    assert ind["baseline"].iloc[0] == -10.0


def test_parquet_keeps_raw_text(cat_dir: Path, tmp_path: Path) -> None:
    ev, v = _evaluation(cat_dir)
    write_export(export_tables(ev, v), tmp_path, "parquet")
    back = pd.read_parquet(tmp_path / "values.parquet")
    assert "=1+1" in set(back["note"])


def test_datapackage_validates_with_breakdowns_and_nulls(cat_dir: Path, tmp_path: Path) -> None:
    ev, v = _evaluation(cat_dir)
    paths = write_export(export_tables(ev, v), tmp_path, "datapackage", as_of=AS_OF, catalog_hash="abc")
    assert paths[-1].name == "datapackage.json"
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads(paths[-1].read_text(encoding="utf-8"))
    assert pkg["as_of"] == "2026-11-21" and pkg["catalog_hash"] == "abc"
    assert not list(tmp_path.glob(".tmp-*"))


def test_unknown_format_is_refused(cat_dir: Path, tmp_path: Path) -> None:
    ev, v = _evaluation(cat_dir)
    with pytest.raises(ValueError, match="xlsx"):
        write_export(export_tables(ev, v), tmp_path, "xlsx")
