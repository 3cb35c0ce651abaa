"""Committed example files (as German Excel and other tools write them) through the whole validator."""

from __future__ import annotations

from pathlib import Path

from impact.intake.validation import validate_file
from intake.helpers import TODAY, codes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_german_excel_csv_in_windows_1252(cat_min):
    report = validate_file(FIXTURES / "excel_de_cp1252.csv", cat_min, today=TODAY)
    assert report.valid, report.to_text("en")
    assert report.rows == 3
    f = report.frame
    assert f["note"].tolist() == ["Grüße aus Köpenick", None, "Ärger über Öffnungszeiten"]
    assert f["value"].tolist() == [1234.0, 310.0, 0.5]  # 1.234 in a semicolon file: thousands
    assert f["breakdown_value"].tolist() == ["", "treptow-koepenick", ""]


def test_utf8_bom_comma_file_with_errors(cat_min):
    report = validate_file(FIXTURES / "utf8_bom_comma.csv", cat_min, today=TODAY)
    assert codes(report) == [(4, "value", "above_max"), (5, "period", "wrong_frequency")]
    assert report.rows == 4


def test_xlsx_with_formula_and_second_sheet(cat_min):
    report = validate_file(FIXTURES / "excel_formula.xlsx", cat_min, today=TODAY)
    assert codes(report) == [(4, "Wert", "formula")]
    assert "„=2+2“" in report.errors[0].message("de")


def test_missing_path_is_a_file_level_error(cat_min, tmp_path):
    report = validate_file(tmp_path / "nope.csv", cat_min, today=TODAY)
    assert report.unreadable and codes(report) == [(None, None, "unreadable_file")]
    assert report.errors[0].message("de") == "Die Datei lässt sich nicht öffnen: Datei nicht gefunden."
    assert report.errors[0].message("en") == "The file cannot be opened: No such file or directory."
