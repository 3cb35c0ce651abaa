"""Issue 13, item 1: the submission columns ``quality`` and ``evidence`` (aliases ``Qualität``, ``Nachweis``).

Run against the tiny catalog with quality defaults (``cat_ev``: ``test-users`` counted,
``test-outage-hours`` measured and ``evidence_required``), with both engines where the outcome
matters.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from impact.intake.quality import EVIDENCE_MAX_LENGTH, quality_grade
from impact.intake.template import build_template, companion_csv
from impact.intake.validation import validate_bytes
from intake.helpers import TODAY, codes, csv_bytes, xlsx_bytes

HEADER_DE = ("Projekt", "Indikator", "Zeitraum", "Wert", "Qualität", "Nachweis")
HEADER_EN = ("project_id", "indicator_id", "period", "value", "quality", "evidence")
ENGINES = ("fast", "gx")


@pytest.mark.parametrize(("text", "grade"), [
    ("gemessen", "measured"), ("Gezählt", "counted"), ("GEZAEHLT", "counted"), (" erhoben ", "surveyed"),
    ("geschätzt", "estimated"), ("Näherung", "proxy"), ("naeherung", "proxy"), ("Measured", "measured"),
    ("proxy", "proxy"), ("", None), ("  ", None), (None, None), ("ungefähr", "ungefähr"),
])
def test_quality_words_in_german_and_english_any_case(text, grade):
    assert quality_grade(text) == grade


@pytest.mark.parametrize("engine", ENGINES)
def test_frame_carries_quality_and_evidence_with_the_indicators_default(cat_ev, engine):
    data = csv_bytes([
        ("kiezbox", "test-users", "2024-Q1", "5", "Geschätzt", "https://example.org/bericht.pdf"),
        ("kiezbox", "test-users", "2024-Q2", "6", "", ""),  # default of test-users: counted
        ("kiezbox", "test-outage-hours", "2024-05", "3", "", "Betriebsprotokoll Mai 2024, Az. 12/24"),
        ("kiezbox", "test-satisfaction", "2024", "3", "", ""),  # no default: None
    ], HEADER_DE, sep=";")
    report = validate_bytes(data, "q.csv", cat_ev, today=TODAY, engine=engine)
    assert report.valid, report.to_text("en")
    f = report.frame.set_index("row")
    assert f.loc[2, "quality"] == "estimated" and f.loc[2, "evidence"] == "https://example.org/bericht.pdf"
    assert f.loc[3, "quality"] == "counted" and f.loc[3, "evidence"] is None
    assert f.loc[4, "quality"] == "measured" and f.loc[4, "evidence"] == "Betriebsprotokoll Mai 2024, Az. 12/24"
    assert f.loc[5, "quality"] is None and f.loc[5, "evidence"] is None


def test_without_the_columns_values_take_the_default(cat_ev, validate):
    data = csv_bytes([("kiezbox", "test-users", "2024-Q1", "5")])
    report = validate_bytes(data, "q.csv", cat_ev, today=TODAY)
    assert report.valid and report.warnings == []
    assert report.frame["quality"].tolist() == ["counted"] and report.frame["evidence"].tolist() == [None]


@pytest.mark.parametrize("engine", ENGINES)
def test_unknown_quality_names_file_row_column_and_allowed_values_in_both_languages(cat_ev, engine):
    data = csv_bytes([("kiezbox", "test-users", "2024-Q1", "5", "ungefähr", ""),
                      ("kiezbox", "test-users", "2024-Q2", "5", "gezählt", "")], HEADER_DE, sep=";")
    report = validate_bytes(data, "werte.csv", cat_ev, today=TODAY, engine=engine)
    assert codes(report) == [(2, "Qualität", "unknown_quality")]
    de, en = report.to_text("de"), report.to_text("en")
    assert "werte.csv, Zeile 2, Spalte „Qualität“" in de and "werte.csv, row 2, column 'Qualität'" in en
    for text in (de, en):
        assert "ungefähr" in text
        for word in ("measured", "counted", "surveyed", "estimated", "proxy",
                     "gemessen", "gezählt", "erhoben", "geschätzt", "Näherung"):
            assert word in text


@pytest.mark.parametrize("engine", ENGINES)
def test_required_evidence_missing_is_an_error(cat_ev, engine):
    data = csv_bytes([("kiezbox", "test-outage-hours", "2024-05", "3", "", ""),
                      ("kiezbox", "test-outage-hours", "2024-06", "3", "", "Protokoll Juni"),
                      ("kiezbox", "test-users", "2024-Q2", "5", "", "")], HEADER_EN)
    report = validate_bytes(data, "x.csv", cat_ev, today=TODAY, engine=engine)
    assert codes(report) == [(2, "evidence", "missing_evidence")]
    assert "test-outage-hours" in report.errors[0].message("en")
    assert "Nachweis" in report.errors[0].message("de")


def test_required_evidence_without_the_column_says_to_add_it(cat_ev):
    report = validate_bytes(csv_bytes([("kiezbox", "test-outage-hours", "2024-05", "3")]), "x.csv", cat_ev,
                            today=TODAY)
    assert codes(report) == [(2, "evidence", "missing_evidence")]
    assert "Nachweis" in report.errors[0].message("en") and "Nachweis" in report.errors[0].message("de")


@pytest.mark.parametrize("engine", ENGINES)
def test_evidence_that_would_run_as_a_formula_or_is_too_long(cat_ev, engine):
    data = csv_bytes([("kiezbox", "test-users", "2024-Q1", "5", "", "=HYPERLINK(1)"),
                      ("kiezbox", "test-users", "2024-Q2", "5", "", "@SUM(1)"),
                      ("kiezbox", "test-users", "2024-Q3", "5", "", "x" * (EVIDENCE_MAX_LENGTH + 1)),
                      ("kiezbox", "test-users", "2024-Q4", "5", "", "x" * EVIDENCE_MAX_LENGTH)], HEADER_EN)
    report = validate_bytes(data, "x.csv", cat_ev, today=TODAY, engine=engine)
    assert codes(report) == [(2, "evidence", "formula"), (3, "evidence", "formula"),
                             (4, "evidence", "evidence_too_long")]


def test_workbook_with_german_headers(cat_ev):
    data = xlsx_bytes([("kiezbox", "test-outage-hours", "2024-05", 3, "Gemessen", "https://example.org/p")],
                      HEADER_DE)
    report = validate_bytes(data, "x.xlsx", cat_ev, today=TODAY)
    assert report.valid, report.to_text("en")
    assert report.frame[["quality", "evidence"]].values.tolist() == [["measured", "https://example.org/p"]]


def test_templates_offer_and_explain_both_columns(cat_ev):
    wb = load_workbook(io.BytesIO(build_template(cat_ev, "kiezbox", "xlsx", today=TODAY)))
    ws = wb["Werte"]
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["Qualität", "Nachweis", "Indikatorname"]
    assert "gezählt" in ws["J1"].comment.text and "Nachweis" not in ws["J1"].comment.text
    assert "https://" in ws["K1"].comment.text
    info = [[c.value for c in r] for r in wb["Indikatoren"].iter_rows()]
    assert info[0][-2:] == ["Qualität (Vorgabe) / Quality (default)", "Nachweis / Evidence"]
    outage = next(r for r in info if r[0] == "test-outage-hours")
    assert outage[-2:] == ["gemessen / measured", "Pflicht / required"]
    companion = companion_csv(cat_ev, "kiezbox", lang="en").decode("utf-8-sig")
    assert "Quality (default);Evidence" in companion and "counted;optional" in companion


def test_store_keeps_quality_and_evidence(cat_ev, tmp_path):
    """The validated frame's quality and evidence reach the real Parquet store (defaults included)."""
    from impact.store import Store
    from impact.store.ingest import ingest_bytes

    data = csv_bytes([("kiezbox", "test-users", "2024-Q1", "5", "Geschätzt", "https://example.org/b.pdf"),
                      ("kiezbox", "test-users", "2024-Q2", "6", "", "")], HEADER_DE, sep=";")
    result = ingest_bytes(data, "q.csv", tmp_path / "store", cat_ev, today=TODAY)
    assert result.exit_code == 0
    stored = Store(tmp_path / "store").values().sort_values("period")
    assert stored["quality"].tolist() == ["estimated", "counted"]
    assert stored["evidence"].tolist()[0] == "https://example.org/b.pdf" and stored["evidence"].isna().tolist()[1]
