"""What German Excel and clerks really produce: each case is read right or refused with file,
row, column (or a file-level hint) — never a traceback, never a silently wrong number."""

from __future__ import annotations

import io

import pytest

from intake.helpers import HEADER_DE, codes, csv_bytes

WIN = "windows-1252"


def test_space_grouped_thousands_are_read(validate):
    rows = [("kiezbox", "test-outage-hours", "2024-05", "1 234,5"), ("kiezbox", "test-users", "2024-Q3", "12 345")]
    report = validate(csv_bytes(rows, sep=";"))
    assert report.valid, report.to_text("en")
    assert report.frame["value"].tolist() == [1234.5, 12345.0]
    report = validate(csv_bytes([("kiezbox", "test-users", "2024-Q2", "1 23,5")], sep=";"))
    assert codes(report) == [(2, "value", "not_a_number")]  # not groups of three: no guessing


def test_the_indicators_own_unit_after_the_number_is_accepted(validate):
    rows = [("smart-water", "test-open-share", "2024", "12 %"), ("smart-water", "test-open-share", "2023", "12,5%"),
            ("kiezbox", "test-outage-hours", "2024-05", "3,5 Std."), ("kiezbox", "test-users", "2024-Q2", "5 Stück")]
    report = validate(csv_bytes(rows, sep=";"))
    assert report.valid, report.to_text("en")
    assert report.frame["value"].tolist() == [12.0, 12.5, 3.5, 5.0]


def test_another_unit_after_the_number_is_an_error_at_its_cell(validate):
    rows = [("kiezbox", "test-users", "2024-Q2", "12 %"), ("kiezbox", "test-outage-hours", "2024-05", "3 kg"),
            ("kiezbox", "test-users", "2024-Q3", "1e3")]
    report = validate(csv_bytes(rows, HEADER_DE[:4], sep=";"))
    assert codes(report) == [(2, "Wert", "not_a_number"), (3, "Wert", "not_a_number")]
    assert "x.csv, row 2, column 'Wert': error: '12 %' is not a number" in report.to_text("en")


def test_percent_formatted_xlsx_cells_mean_what_excel_shows(validate):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Projekt", "Indikator", "Zeitraum", "Wert"])
    ws.append(["smart-water", "test-open-share", "2024", 0.875])  # shown as 87,5 %
    ws["D2"].number_format = "0.0%"
    ws.append(["smart-water", "test-open-share", "2023", 40])  # typed as a plain number
    ws.append(["kiezbox", "test-users", "2024-Q2", 0.5])  # a count shown as 50 %: no silent 0.5
    ws["D4"].number_format = "0%"
    buf = io.BytesIO()
    wb.save(buf)
    report = validate(buf.getvalue(), "prozent.xlsx")
    assert codes(report) == [(4, "Wert", "not_a_number")]
    assert "'50 %' is not a number" in report.errors[0].message("en")
    ws.delete_rows(4)
    buf = io.BytesIO()
    wb.save(buf)
    report = validate(buf.getvalue(), "prozent.xlsx")
    assert report.valid, report.to_text("en")
    assert report.frame["value"].tolist() == [87.5, 40.0]


@pytest.mark.parametrize("data", [
    "project_id\tindicator_id\tperiod\tvalue\r\nkiezbox\ttest-users\t2024-Q2\t5\r\n".encode("utf-16"),
    "project_id\tindicator_id\tperiod\tvalue\r\nkiezbox\ttest-users\t2024-Q2\t5\r\n".encode("utf-16-le"),
    "Projekt\tIndikator\tZeitraum\tWert\r\nkiezbox\ttest-users\t2024-Q2\t5\r\n".encode("utf-16-be"),
], ids=["bom", "le-without-bom", "be-without-bom"])
def test_excel_unicode_text_utf16_gets_its_own_hint(validate, data):
    report = validate(data, "unicode.csv")
    assert report.unreadable and codes(report) == [(None, None, "bad_encoding")]
    assert "UTF-16" in report.errors[0].message("de") and "CSV UTF-8" in report.errors[0].message("en")


def test_csv_renamed_to_xlsx_and_old_xls_get_the_right_hint(validate):
    report = validate(b"project_id,indicator_id,period,value\nkiezbox,test-users,2024-Q2,5\n", "umbenannt.xlsx")
    assert codes(report) == [(None, None, "bad_xlsx")]
    assert "extension .csv" in report.errors[0].message("en")
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    for name, code in (("alt.xlsx", "bad_xlsx"), ("alt.xls", "unsupported_format")):
        report = validate(old, name)
        assert codes(report) == [(None, None, code)]
        assert "old Excel format (.xls)" in report.errors[0].message("en")


def test_header_only_and_blank_rows_are_no_data(validate):
    for data in (b"Projekt;Indikator;Zeitraum;Wert\r\n", b"Projekt;Indikator;Zeitraum;Wert\r\n;;;\r\n;;;\r\n",
                 b"sep=;\r\nProjekt;Indikator;Zeitraum;Wert\r\n"):
        report = validate(data, "leer.csv")
        assert report.unreadable and codes(report) == [(None, None, "no_data_rows")]
        assert report.to_text("en").startswith("leer.csv: error: The file has no data rows")


def test_excel_export_with_sep_line_trailing_columns_and_rows_in_windows_1252(validate):
    text = ("sep=;\r\nProjekt;Indikator;Zeitraum;Wert;Einheit;Aufschlüsselung;Ausprägung;Anmerkung;;\r\n"
            "kiezbox;test-users;2024-Q2;1.234;Anzahl;Bezirk;Treptow-Köpenick;Grüße aus Köpenick;;\r\n"
            ";;;;;;;;;\r\n;;;;;;;;;\r\n")
    report = validate(text.encode(WIN), "export.csv")
    assert report.valid, report.to_text("en")
    row = report.frame.iloc[0]
    # Excel hides the sep= line: the header is row 1 there, so the first data row is row 2
    assert (row["row"], row["value"], row["breakdown"], row["breakdown_value"]) == (2, 1234.0, "district",
                                                                                      "treptow-koepenick")
    assert row["note"] == "Grüße aus Köpenick"
    bad = text.replace("2024-Q2;1.234", "2024-Q2;viel").encode(WIN)
    report = validate(bad, "export.csv")
    assert codes(report) == [(2, "Wert", "not_a_number")]


@pytest.mark.parametrize("marker", ["k. A.", "-", "n/a", "keine Angabe", "?"])
def test_no_value_markers_are_errors_with_the_leave_it_out_hint(validate, marker):
    report = validate(csv_bytes([("kiezbox", "test-users", "2024-Q2", marker)], HEADER_DE[:4], sep=";"))
    assert codes(report) == [(2, "Wert", "not_a_number")]
    assert "leave the row out" in report.errors[0].message("en")
    assert "nicht 0" in report.errors[0].message("de")


def test_title_rows_above_the_header_are_pointed_out(validate):
    data = "Meldung Kiezbox 2. Quartal;;;\r\n;;;\r\nProjekt;Indikator;Zeitraum;Wert\r\nkiezbox;test-users;2024-Q2;5\r\n"
    report = validate(data.encode(WIN), "titel.csv")
    assert codes(report) == [(1, col, "missing_column") for col in
                             ("project_id", "indicator_id", "period", "value")]
    assert "the column names are in row 3: delete the rows above" in report.errors[0].message("en")
    assert "stehen in Zeile 3" in report.errors[0].message("de")
