"""validation.py: every rule, with row, column, code and both languages."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from impact.intake.validation import FRAME_COLUMNS, validate_bytes, validate_file
from intake.helpers import HEADER_DE, TODAY, codes, csv_bytes, warning_codes, xlsx_bytes

# One semicolon file (German headers, decimal commas) exercising every row rule once.
# Row numbers as a spreadsheet shows them: header = 1, first data row = 2.
BAD_ROWS = [
    ("kiezbox", "test-users", "2024-Q2", "1.234", "Anzahl", "", "", "Grüße aus Köpenick"),    # 2 ok (thousands)
    ("kiezbox", "test-users", "2024-Q2", "12", "", "district", "Neukölln", ""),                # 3 ok (name → id)
    ("kiezbox", "test-users", "2024-Q2", "13", "", "district", "mitte", ""),                   # 4 ok
    ("kiezbox", "test-users", "2024-Q2", "13", "", "district", "mitte", ""),                   # 5 duplicate of 4
    ("kiezbox", "test-users", "2024-05", "1", "", "", "", ""),                                 # 6 wrong_frequency
    ("kiezbx", "test-users", "2024-Q2", "1", "", "", "", ""),                                  # 7 unknown_project
    ("kiezbox", "test-user", "2024-Q2", "1", "", "", "", ""),                                  # 8 unknown_indicator
    ("kiezbox", "test-open-share", "2024", "1", "", "", "", ""),                               # 9 not in project
    ("kiezbox", "test-users", "2027-Q1", "1", "", "", "", ""),                                 # 10 future
    ("kiezbox", "test-users", "2021-Q1", "1", "", "", "", ""),                                 # 11 outside runtime
    ("kiezbox", "test-users", "2023-Q3", "abc", "", "", "", ""),                               # 12 not_a_number
    ("kiezbox", "test-users", "2023-Q2", "-5", "", "", "", ""),                                # 13 below_min
    ("kiezbox", "test-users", "2023-Q1", "100001", "", "", "", ""),                            # 14 above_max
    ("kiezbox", "test-users", "2022-Q4", "5", "kg", "", "", ""),                               # 15 unit_mismatch
    ("kiezbox", "test-users", "2022-Q3", "5", "", "gender", "male", ""),                       # 16 not declared
    ("kiezbox", "test-users", "2022-Q2", "5", "", "distrct", "mitte", ""),                     # 17 unknown_breakdown
    ("kiezbox", "test-users", "2022-Q1", "5", "", "district", "Mars", ""),                     # 18 unknown value
    ("kiezbox", "test-users", "2025-Q1", "5", "", "district", "", ""),                         # 19 incomplete
    ("kiezbox", "test-users", "2025-Q2", "=1+1", "", "", "", ""),                              # 20 formula
    ("kiezbox", "test-users", "2025-Q3", "1e400", "", "", "", ""),                             # 21 too large
    ("kiezbox", "test-users", "2025-Q4", "1,234.5", "", "", "", ""),                           # 22 not_a_number
    ("kiezbox", "test-users", "", "1", "", "", "", ""),                                        # 23 missing period
    ("kiezbox", "test-users", "24-Q2", "1", "", "", "", ""),                                   # 24 bad_period
    ("", "test-users", "2024-Q1", "1", "", "", "", ""),                                        # 25 missing project
    ("kiezbox", "test-users", "2024-Q3", "", "", "", "", ""),                                  # 26 missing value
    ("kiezbox", "test-users", "2024-Q4", "NaN", "", "", "", ""),                               # 27 not_a_number
    ("kiezbox", "test-satisfaction", "2024", "5,5", "", "", "", ""),                           # 28 above_max (5)
    ("kiezbox", "test-outage-hours", "2026-11", "3", "Std.", "", "", ""),                      # 29 ok (today's month)
    ("kiezbox", "test-outage-hours", "2026-12", "3", "", "", "", ""),                          # 30 future
]
EXPECTED = [
    (5, None, "duplicate_key"),
    (6, "Zeitraum", "wrong_frequency"),
    (7, "Projekt", "unknown_project"),
    (8, "Indikator", "unknown_indicator"),
    (9, "Indikator", "indicator_not_in_project"),
    (10, "Zeitraum", "period_in_future"),
    (11, "Zeitraum", "period_outside_runtime"),
    (12, "Wert", "not_a_number"),
    (13, "Wert", "below_min"),
    (14, "Wert", "above_max"),
    (15, "Einheit", "unit_mismatch"),
    (16, "Aufschlüsselung", "breakdown_not_declared"),
    (17, "Aufschlüsselung", "unknown_breakdown"),
    (18, "Ausprägung", "unknown_breakdown_value"),
    (19, "Ausprägung", "breakdown_incomplete"),
    (20, "Wert", "formula"),
    (21, "Wert", "number_too_large"),
    (22, "Wert", "not_a_number"),
    (23, "Zeitraum", "missing_value"),
    (24, "Zeitraum", "bad_period"),
    (25, "Projekt", "missing_value"),
    (26, "Wert", "missing_value"),
    (27, "Wert", "not_a_number"),
    (28, "Wert", "above_max"),
    (30, "Zeitraum", "period_in_future"),
]


@pytest.fixture(scope="module")
def bad_report(validate):
    return validate(csv_bytes(BAD_ROWS, HEADER_DE, sep=";", encoding="cp1252"), "bad.csv")


def test_every_rule_reports_code_row_and_column(bad_report):
    assert codes(bad_report) == EXPECTED
    assert not bad_report.valid and not bad_report.unreadable
    assert bad_report.rows == len(BAD_ROWS)
    assert bad_report.frame is None


@pytest.mark.parametrize("row,lang,fragments", [
    (5, "de", ["Doppelte Zeile", "Zeile 4"]),
    (5, "en", ["Duplicate row", "row 4"]),
    (6, "en", ["quarterly", "2024-Q2"]),
    (6, "de", ["quartalsweise", "schreiben Sie z. B. 2024-Q2"]),
    (7, "en", ["Unknown project 'kiezbx'", "did you mean 'kiezbox'?"]),
    (7, "de", ["Unbekanntes Projekt „kiezbx“", "meinten Sie „kiezbox“?"]),
    (8, "en", ["did you mean 'test-users'?"]),
    (9, "en", ["not assigned to project 'kiezbox'", "test-outage-hours"]),
    (10, "en", ["future", "2026-11-21"]),
    (11, "en", ["outside the runtime", "2022-01-01"]),
    (12, "de", ["„abc“ ist keine Zahl"]),
    (13, "en", ["below the minimum 0"]),
    (14, "en", ["above the maximum 100000"]),
    (15, "en", ["Unit 'kg'", "Anzahl"]),
    (16, "en", ["no breakdown by 'gender'", "district, target_group"]),
    (17, "en", ["did you mean 'district'?"]),
    (18, "de", ["„Mars“ ist keine Ausprägung", "mitte"]),
    (20, "en", ["Formulas are not allowed", "=1+1"]),
    (21, "en", ["implausibly large"]),
    (22, "en", ["use a decimal comma or a dot, not both"]),
    (22, "de", ["Dezimalkomma oder Dezimalpunkt verwenden, nicht beides"]),
    (24, "en", ["quarterly indicator: write e.g. 2024-Q2"]),
    (27, "en", ["'NaN'"]),
])
def test_messages_in_both_languages(bad_report, row, lang, fragments):
    msg = next(p for p in bad_report.errors if p.row == row).message(lang)
    for fragment in fragments:
        assert fragment in msg


def test_umlauts_and_decimal_comma_survive_in_a_valid_file(validate):
    rows = [BAD_ROWS[0], BAD_ROWS[1], ("kiezbox", "test-outage-hours", "2024-05", "0,5", "h", "", "", "Ärger über Öffnungszeiten")]
    report = validate(csv_bytes(rows, HEADER_DE, sep=";", encoding="cp1252"), "ok.csv")
    assert report.valid, report.to_text("en")
    f = report.frame
    assert list(f.columns) == list(FRAME_COLUMNS)
    assert f["row"].tolist() == [2, 3, 4]
    assert f["value"].tolist() == [1234.0, 12.0, 0.5]
    assert f["note"].tolist() == ["Grüße aus Köpenick", None, "Ärger über Öffnungszeiten"]
    assert f["breakdown"].tolist() == ["", "district", ""]
    assert f["breakdown_value"].tolist() == ["", "neukoelln", ""]
    assert f["unit"].tolist() == ["count", "count", "hours"]
    assert f["period"].tolist() == ["2024-Q2", "2024-Q2", "2024-05"]
    assert f["period_start"].tolist() == [dt.date(2024, 4, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1)]
    assert f["period_end"].tolist() == [dt.date(2024, 6, 30), dt.date(2024, 6, 30), dt.date(2024, 5, 31)]
    assert f["source"].tolist() == [None, None, None]


def test_period_spellings_are_normalised(validate):
    rows = [("kiezbox", "test-users", "2024q2", "1"), ("kiezbox", "test-outage-hours", "2024-5", "1"),
            ("kiezbox", "test-satisfaction", " 2024 ", "3")]
    report = validate(csv_bytes(rows))
    assert report.valid, report.to_text("en")
    assert report.frame["period"].tolist() == ["2024-Q2", "2024-05", "2024"]


@pytest.mark.parametrize("value,sep,expected", [
    ("1234.5", ",", 1234.5), ("-3", ",", -3.0), ("+7", ",", 7.0), ("1e3", ",", 1000.0), (".5", ",", 0.5),
    ("1234,5", ";", 1234.5), ("1.234,5", ";", 1234.5), ("1.234.567", ";", 1234567.0), ("0,5", ";", 0.5),
    ("12", ";", 12.0), ("2.480", ";", 2480.0), ("1.234", ";", 1234.0),
])
def test_number_forms(validate, value, sep, expected):
    row = ("kiezbox", "test-outage-hours", "2024-05", value)
    report = validate(csv_bytes([row], sep=sep), max_bytes=None)
    report_ok = report.valid if expected <= 8784 else None
    if expected > 8784 or expected < 0:
        assert codes(report)[0][2] in ("above_max", "below_min")
    else:
        assert report_ok, report.to_text("en")
        assert report.frame["value"].tolist() == [expected]


@pytest.mark.parametrize("value,hint", [
    ("1,5", "use a decimal dot"), ("1.234,5", "not both"), ("inf", "'NaN' or 'infinity'"), ("12 kg", "digits only"),
    ("", None),
])
def test_bad_numbers_in_comma_files(validate, value, hint):
    report = validate(csv_bytes([("kiezbox", "test-outage-hours", "2024-05", f'"{value}"' if "," in value else value)]))
    expected = "missing_value" if value == "" else "not_a_number"
    assert codes(report) == [(2, "value", expected)]
    if hint:
        assert hint in report.errors[0].message("en")


def test_dot_groups_in_semicolon_files_are_thousands_without_a_warning(validate):
    """A German clerk's ``2.480`` means 2480, also in a file without any decimal comma (issue 14)."""
    rows = [("kiezbox", "test-outage-hours", "2024-05", "1.234"), ("kiezbox", "test-outage-hours", "2024-06", "2,5")]
    report = validate(csv_bytes(rows, sep=";"))
    assert report.valid and report.warnings == []
    assert report.frame["value"].tolist() == [1234.0, 2.5]
    alone = validate(csv_bytes(rows[:1], sep=";"))
    assert alone.valid and alone.warnings == []
    assert alone.frame["value"].tolist() == [1234.0]


def test_dot_groups_in_comma_files_warn(validate):
    report = validate(csv_bytes([("kiezbox", "test-outage-hours", "2024-05", "1.234")]))
    assert report.valid
    assert warning_codes(report) == [(2, "value", "ambiguous_number")]
    assert report.frame["value"].tolist() == [1.234]
    assert "read as 1.234. (if you meant 1234, write it without the dot)" in report.warnings[0].message("en")
    assert "als 1,234 gelesen. (falls 1234 gemeint ist, ohne Punkt schreiben)" in report.warnings[0].message("de")


@pytest.mark.parametrize("value", ["2.48", "0.5", "1234.5", ".5", "12.3456"])
def test_a_dot_that_cannot_group_thousands_in_a_semicolon_file_is_an_error(validate, value):
    report = validate(csv_bytes([("kiezbox", "test-outage-hours", "2024-05", value)], HEADER_DE[:4], sep=";"))
    assert codes(report) == [(2, "Wert", "unclear_number")]
    comma = value.replace(".", ",")
    assert f"'{value}' is unclear" in report.errors[0].message("en")
    assert f"für die Dezimalzahl {comma} schreiben" in report.errors[0].message("de")


def test_the_clerks_thousands_become_a_count_and_a_decimal_count_is_refused(validate):
    """Issue 14: ``people-reached;2026-Q3;2.480`` is 2480 people, not 2.48; 2.48 people is refused."""
    ok = validate(csv_bytes([("kiezbox", "test-users", "2026-Q3", "2.480")], sep=";"))
    assert ok.valid and ok.frame["value"].tolist() == [2480.0]
    for value, code in (("2.48", "unclear_number"), ("2,48", "not_whole_number")):
        report = validate(csv_bytes([("kiezbox", "test-users", "2026-Q3", value)], sep=";"))
        assert codes(report) == [(2, "value", code)], value
    report = validate(csv_bytes([("kiezbox", "test-users", "2026-Q3", "2.48")]))  # a comma file: 2.48 people
    assert codes(report) == [(2, "value", "not_whole_number")]
    assert "counts are whole numbers: write e.g. 2" in report.errors[0].message("en")
    report = validate(csv_bytes([("kiezbox", "test-users", "2026-Q3", "2.480")]))
    assert codes(report) == [(2, "value", "not_whole_number")] and report.warnings == []
    assert "write e.g. 2480" in report.errors[0].message("en")
    # a whole number written with decimals is whole
    assert validate(csv_bytes([("kiezbox", "test-users", "2026-Q3", "12,0")], sep=";")).valid


def test_xlsx_number_cells_are_numbers_and_text_cells_read_like_a_semicolon_file(validate):
    data = xlsx_bytes([("kiezbox", "test-outage-hours", "2024-05", 2.48), ("kiezbox", "test-users", "2024-Q2", "2.480"),
                       ("kiezbox", "test-outage-hours", "2024-06", "2.48"), ("kiezbox", "test-users", "2024-Q3", 2.5)])
    report = validate(data, "a.xlsx")
    assert codes(report) == [(4, "value", "unclear_number"), (5, "value", "not_whole_number")]
    data = xlsx_bytes([("kiezbox", "test-outage-hours", "2024-05", 2.48), ("kiezbox", "test-users", "2024-Q2", "2.480")])
    assert validate(data, "a.xlsx").frame["value"].tolist() == [2.48, 2480.0]


def test_units_match_by_id_symbol_name_or_alias(validate):
    rows = [("kiezbox", "test-outage-hours", f"2024-{m:02d}", "1", u)
            for m, u in enumerate(["hours", "h", "Stunden", "STD.", " hrs "], 1)]
    report = validate(csv_bytes(rows, (*("project_id", "indicator_id", "period", "value"), "unit")))
    assert report.valid, report.to_text("en")


def test_breakdown_by_name_and_case(validate):
    header = ("project_id", "indicator_id", "period", "value", "breakdown", "breakdown_value")
    rows = [("kiezbox", "test-users", "2024-Q1", "1", "Bezirk", "Treptow-Köpenick"),
            ("kiezbox", "test-users", "2024-Q1", "1", "target_group", "Geflüchtete"),
            ("kiezbox", "test-users", "2024-Q1", "1", "DISTRICT", "MITTE")]
    report = validate(csv_bytes(rows, header))
    assert report.valid, report.to_text("en")
    assert report.frame["breakdown_value"].tolist() == ["treptow-koepenick", "refugees", "mitte"]


def test_duplicate_key_uses_canonical_forms(validate):
    rows = [("kiezbox", "test-users", "2024-Q2", "1"), ("kiezbox", "test-users", "2024q2", "2"),
            ("kiezbox", "test-users", "2024-Q2", "3")]
    report = validate(csv_bytes(rows))
    assert codes(report) == [(3, None, "duplicate_key"), (4, None, "duplicate_key")]
    assert all("row 2" in p.message("en") for p in report.errors)


def test_only_project(validate):
    rows = [("kiezbox", "test-users", "2024-Q2", "1"), ("smart-water", "test-users", "2024-Q2", "1")]
    report = validate(csv_bytes(rows), only_project="kiezbox")
    assert codes(report) == [(3, "project_id", "project_not_allowed")]
    assert "kiezbox" in report.errors[0].message("en")


def test_library_takes_today_explicitly_and_never_reads_settings(cat_min, monkeypatch):
    """Library functions take ``today`` as an argument (default: the real date), never from the
    environment: only the edges (CLI, apps) read settings."""
    data = csv_bytes([("kiezbox", "test-users", "2024-Q4", "1")])
    monkeypatch.setenv("IMPACT_TODAY", "2024-01-01")
    assert validate_bytes(data, "a.csv", cat_min).valid  # the real date, not $IMPACT_TODAY
    report = validate_bytes(data, "a.csv", cat_min, today=dt.date(2024, 9, 30))
    assert codes(report) == [(2, "period", "period_in_future")]


def test_missing_required_column_stops_row_checks(validate):
    report = validate(b"project_id,indicator_id,period\nkiezbox,test-users,2024-Q2\n")
    assert codes(report) == [(1, "value", "missing_column")]
    assert not report.unreadable


@pytest.mark.parametrize("data,name,code", [
    (b"", "a.csv", "empty_file"),
    (b"project_id,indicator_id,period,value\n", "a.csv", "no_data_rows"),
    (b"\x00\x01\x02" * 100, "a.csv", "binary_file"),
    (b"a\n\x81\n", "a.csv", "bad_encoding"),
    (b"x", "a.pdf", "unsupported_format"),
    (b"not a zip", "a.xlsx", "bad_xlsx"),
])
def test_unreadable_input_is_one_file_level_error(validate, data, name, code):
    report = validate(data, name)
    assert report.unreadable and not report.valid
    assert codes(report) == [(None, None, code)]
    assert report.to_json("en")["errors"][0]["row"] is None


def test_size_limit_is_an_argument(cat_min, monkeypatch):
    data = csv_bytes([("kiezbox", "test-users", "2024-Q2", "1")])
    monkeypatch.setenv("IMPACT_MAX_BYTES", "10")
    assert validate_bytes(data, "a.csv", cat_min, today=TODAY).valid  # the library ignores the environment
    report = validate_bytes(data, "a.csv", cat_min, today=TODAY, max_bytes=10)
    assert report.unreadable and codes(report) == [(None, None, "file_too_large")]


def test_oversized_file_reports_its_real_size(cat_min, tmp_path):
    path = tmp_path / "gross.csv"
    path.write_bytes(csv_bytes([("kiezbox", "test-users", "2024-Q2", "1")] * 200))
    size = path.stat().st_size
    assert size > 2000
    report = validate_file(path, cat_min, max_bytes=1000)
    assert report.unreadable and codes(report) == [(None, None, "file_too_large")]
    assert f"({size:,} bytes; at most 1,000 bytes" in report.errors[0].message("en")
    size_de = f"{size:,}".replace(",", ".")
    assert f"({size_de} Bytes, erlaubt sind höchstens 1.000 Bytes" in report.errors[0].message("de")


def test_xlsx_submission_validates(validate):
    data = xlsx_bytes([("kiezbox", "test-users", "2024-Q2", 12), ("kiezbox", "test-outage-hours", dt.datetime(2024, 5, 1), 3.5),
                       ("kiezbox", "test-satisfaction", 2024, "=1+1")], ("Projekt", "Indikator", "Zeitraum", "Wert"))
    report = validate(data, "a.xlsx")
    assert codes(report) == [(4, "Wert", "formula")]


def test_json_shape(bad_report):
    data = bad_report.to_json("en")
    assert set(data) == {"valid", "rows", "errors", "warnings"}
    assert data["valid"] is False and data["rows"] == len(BAD_ROWS)
    for e in data["errors"]:
        assert set(e) == {"row", "column", "code", "message"}
    json.dumps(data)


def test_text_lists_every_problem_with_file_row_column(bad_report):
    text = bad_report.to_text("de")
    lines = text.splitlines()
    assert len(lines) == len(EXPECTED) + len(bad_report.warnings) + 1
    assert lines[1].startswith("bad.csv, Zeile 6, Spalte „Zeitraum“: Fehler:")
    assert lines[-1].startswith("bad.csv: ungültig")
    assert "bad.csv, row 7, column 'Projekt': error: Unknown project" in bad_report.to_text("en")


def _history(values, period_fmt="2024-{:02d}"):
    return pd.DataFrame({
        "project_id": "kiezbox", "indicator_id": "test-outage-hours",
        "period": [period_fmt.format(m) for m in range(1, len(values) + 1)],
        "value": values, "breakdown": "", "breakdown_value": "",
        "received_at": pd.Timestamp("2025-01-01", tz="UTC"),
    })


def test_implausible_jump_warning(validate):
    history = _history([10, 11, 9, 10, 12, 10])
    rows = [("kiezbox", "test-outage-hours", "2024-07", "11"), ("kiezbox", "test-outage-hours", "2024-08", "300")]
    report = validate(csv_bytes(rows), history=history)
    assert report.valid
    assert warning_codes(report) == [(3, "value", "implausible_jump")]
    assert "expected about 10, usual range 7 to 13" in report.warnings[0].message("en")
    assert "erwartet etwa 10, üblich 7 bis 13" in report.warnings[0].message("de")


def test_no_jump_warning_with_short_history(validate):
    report = validate(csv_bytes([("kiezbox", "test-outage-hours", "2024-07", "300")]), history=_history([10, 11, 9]))
    assert report.valid and report.warnings == []


def test_history_corrections_use_newest_value(validate):
    history = _history([10, 11, 9, 10])
    newer = history.iloc[[0]].assign(value=1000.0, received_at=pd.Timestamp("2025-02-01", tz="UTC"))
    # with the correction the history is 1000, 11, 9, 10: median 10.5, MAD small → 300 is still a jump
    report = validate(csv_bytes([("kiezbox", "test-outage-hours", "2024-07", "300")]),
                      history=pd.concat([history, newer]))
    assert warning_codes(report) == [(2, "value", "implausible_jump")]


def test_today_argument(validate):
    report = validate(csv_bytes([("kiezbox", "test-users", "2024-Q2", "1")]), today=dt.date(2024, 3, 31))
    assert codes(report) == [(2, "period", "period_in_future")]
    assert TODAY.isoformat() not in report.errors[0].message("en")


def test_formulas_in_several_cells_each_reported(validate):
    header = ("project_id", "indicator_id", "period", "value", "note")
    report = validate(csv_bytes([("=A1", "test-users", "2024-Q2", "=B2*2", "=HYPERLINK(1)")], header, sep=";"))
    assert codes(report) == [(2, "project_id", "formula"), (2, "value", "formula"), (2, "note", "formula")]
