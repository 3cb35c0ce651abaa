"""reading.py: encodings, separators, header aliases, xlsx, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from impact.core.errors import UnreadableFileError
from impact.intake.reading import canonical_column, read_submission
from intake.helpers import HEADER_DE, csv_bytes, xlsx_bytes

ROW = ("kiezbox", "test-users", "2024-Q2", "12")


def _codes(problems):
    return [(p.row, p.column, p.code) for p in problems]


def test_utf8_comma_csv_reads_strings_with_spreadsheet_rows():
    t = read_submission(csv_bytes([ROW, ROW]), "a.csv")
    assert t.separator == "," and t.encoding == "utf-8" and t.number_style == "en"
    assert list(t.frame.index) == [2, 3]
    assert t.frame.loc[2, "project_id"] == "kiezbox" and t.frame.loc[3, "value"] == "12"
    assert t.rows == 2 and t.errors == [] and t.warnings == []


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_semicolon_german_header_encodings_keep_umlauts(encoding, bom):
    rows = [("kiezbox", "test-users", "2024-Q2", "1.234,5", "", "", "", "Grüße aus Köpenick – ß")]
    if encoding == "cp1252":
        rows = [("kiezbox", "test-users", "2024-Q2", "1.234,5", "", "", "", "Grüße aus Köpenick ß")]
    data = csv_bytes(rows, HEADER_DE, sep=";", encoding=encoding, bom=bom, newline="\r\n")
    t = read_submission(data, "b.csv")
    assert t.separator == ";" and t.number_style == "de"
    assert t.encoding == ("windows-1252" if encoding == "cp1252" else "utf-8")
    assert t.frame.loc[2, "note"] == rows[0][7]
    assert t.frame.loc[2, "value"] == "1.234,5"
    assert t.header("value") == "Wert" and t.header("breakdown") == "Aufschlüsselung"


@pytest.mark.parametrize("label,canon", [
    ("Projekt", "project_id"), (" projekt ", "project_id"), ("INDIKATOR", "indicator_id"), ("Zeitraum", "period"),
    ("wert", "value"), ("Einheit", "unit"), ("Aufschlüsselung", "breakdown"), ("Ausprägung", "breakdown_value"),
    ("Anmerkung", "note"), ("Quelle", "source"), ("project_id", "project_id"), ("Indicator ID", "indicator_id"),
    ("\ufeffproject_id", "project_id"), ("Projekt-ID", "project_id"), ("Indikator ID", "indicator_id"), ("foo", None),
])
def test_header_aliases(label, canon):
    assert canonical_column(label) == canon


def test_missing_column_with_did_you_mean_and_unknown_column_warning():
    data = b"project_id,indicatr_id,period,value,remarks\nkiezbox,test-users,2024-Q2,1,x\n"
    t = read_submission(data, "c.csv")
    assert _codes(t.errors) == [(1, "indicator_id", "missing_column")]
    assert "indicatr_id" in t.errors[0].message("en") and "did you mean 'indicator_id'" in t.errors[0].message("en")
    assert "meinten Sie „indicator_id“" in t.errors[0].message("de")
    assert _codes(t.warnings) == [(1, "remarks", "unknown_column")]


def test_unknown_column_close_to_optional_one_gets_hint():
    t = read_submission(b"project_id,indicator_id,period,value,soruce\nk,i,2024,1,x\n", "c.csv")
    assert _codes(t.warnings) == [(1, "soruce", "unknown_column")]
    assert "did you mean 'source'" in t.warnings[0].message("en")


def test_duplicate_column():
    t = read_submission(b"project_id,indicator_id,period,value,Wert\nk,i,2024,1,2\n", "d.csv")
    assert _codes(t.errors) == [(1, "Wert", "duplicate_column")]


def test_blank_rows_are_dropped_but_keep_numbering():
    data = b"project_id;indicator_id;period;value\nk;i;2024;1\n;;;\n\nk;i;2025;2\n;;;\n"
    t = read_submission(data, "e.csv")
    assert list(t.frame.index) == [2, 5]
    assert t.rows == 2


def test_row_with_too_many_fields_is_an_error_and_numbering_continues():
    data = b"project_id,indicator_id,period,value\nk,i,2024,1,5\nk,i,2025,2\n"
    t = read_submission(data, "f.csv")
    assert _codes(t.errors) == [(2, None, "bad_row")]
    assert "5" in t.errors[0].message("en") and "4" in t.errors[0].message("en")
    assert "decimal comma in a comma-separated file" in t.errors[0].message("en")
    assert list(t.frame.index) == [3]
    assert t.rows == 2


def test_short_row_is_padded():
    t = read_submission(b"project_id,indicator_id,period,value,note\nk,i,2024,1\n", "g.csv")
    assert t.errors == [] and t.frame.loc[2, "note"] == ""


def test_quoted_multiline_note_keeps_row_numbers():
    data = 'project_id,indicator_id,period,value,note\nk,i,2024,1,"Zeile eins\nZeile zwei; mit ""Zitat"""\nk,i,2025,2,\n'
    t = read_submission(data.encode(), "h.csv")
    assert list(t.frame.index) == [2, 3]
    assert t.frame.loc[2, "note"] == 'Zeile eins\nZeile zwei; mit "Zitat"'


def test_xlsx_first_sheet_numbers_dates_and_formulas():
    data = xlsx_bytes([
        ("kiezbox", "test-users", "2024-Q2", 12),
        ("kiezbox", "test-outage-hours", dt.datetime(2024, 5, 1), 3.5),
        ("kiezbox", "test-satisfaction", 2024, "=1+1"),
        (None, None, None, None),
        ("smart-water", "test-open-share", "2024", "12,5"),
    ], ("Projekt", "Indikator", "Zeitraum", "Wert"))
    t = read_submission(data, "x.xlsx")
    assert t.number_style == "xlsx"
    f = t.frame
    assert list(f.index) == [2, 3, 4, 6]
    assert f.loc[2, "value"] == "12"
    assert f.loc[3, "period"] == "2024-05"  # Excel's date for a typed 2024-05
    assert f.loc[3, "value"] == "3.5"
    assert f.loc[4, "period"] == "2024" and f.loc[4, "value"] == "=1+1"
    assert f.loc[6, "value"] == "12,5"


@pytest.mark.parametrize("data,name,code", [
    (b"", "a.csv", "empty_file"),
    (b"  \r\n\n", "a.csv", "empty_file"),
    (b"\xef\xbb\xbf", "a.csv", "empty_file"),
    (b"project_id,indicator_id,period,value\n", "a.csv", "no_data_rows"),
    (b"project_id;indicator_id;period;value\n;;;\n\n", "a.csv", "no_data_rows"),
    (b"\x00\x01\x02binary\x00" * 20, "a.csv", "binary_file"),
    (b"%PDF-1.4\n...", "a.csv", "binary_file"),
    (b"PK\x03\x04rest-of-a-zip", "a.csv", "binary_file"),
    (b"project_id\n\x81\x8d\x8f\x90\x9d\n", "a.csv", "bad_encoding"),
    (b"\xff\xfep\x00r\x00", "a.csv", "bad_encoding"),
    (b"a,b\n1,2\n", "a.json", "unsupported_format"),
    (b"a,b\n1,2\n", "a.xls", "unsupported_format"),
    (b"a,b\n1,2\n", "noext", "unsupported_format"),
    (b"project_id,indicator_id\nthis is text", "a.xlsx", "bad_xlsx"),
    (b"PK\x03\x04garbage that is no zip", "a.xlsx", "bad_xlsx"),
])
def test_unreadable_files(data, name, code):
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, name)
    assert exc.value.code == code
    assert exc.value.message("de") != exc.value.message("en")
    assert exc.value.file == name


def test_zip_that_is_no_workbook_is_bad_xlsx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(buf.getvalue(), "a.xlsx")
    assert exc.value.code == "bad_xlsx"


def test_size_limit():
    data = csv_bytes([("kiezbox", "test-users", "2024-Q2", "1")] * 10)
    read_submission(data, "a.csv", max_bytes=len(data))
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, "a.csv", max_bytes=len(data) - 1)
    assert exc.value.code == "file_too_large"
    assert "Bytes" in exc.value.message("de") and "bytes" in exc.value.message("en")


def test_excel_csv_hint_for_zip_named_csv():
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(b"PK\x03\x04xxxx", "a.csv")
    assert ".xlsx" in exc.value.message("en")


def test_file_name_is_only_a_label():
    t = read_submission(csv_bytes([ROW]), "../../etc/passwd.csv")
    assert t.file == "passwd.csv"


def test_excel_sep_line_is_honoured_and_dropped():
    t = read_submission(b"sep=;\r\nproject_id;indicator_id;period;value\r\nk;i;2024;1,5\r\n", "a.csv")
    assert t.separator == ";" and list(t.frame.index) == [2] and t.frame.loc[2, "value"] == "1,5"


def test_xlsx_zip_bomb_is_too_large():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    data = buf.getvalue()
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, "a.xlsx", max_bytes=100_000)
    assert exc.value.code == "file_too_large"


def test_txt_is_not_accepted():
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(csv_bytes([ROW]), "a.txt")
    assert exc.value.code == "unsupported_format" and ".csv" in exc.value.message("en")


def test_mixed_utf8_and_cp1252_is_refused_rather_than_garbled():
    data = "project_id,indicator_id,period,value,note\nk,i,2024,1,Grüße\n".encode() + b"k,i,2025,2,K\xf6penick\n"
    with pytest.raises(UnreadableFileError) as exc:
        read_submission(data, "a.csv")
    assert exc.value.code == "mixed_encoding"
    assert "umlauts would be garbled" in exc.value.message("en")
