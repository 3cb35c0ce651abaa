"""template.py: due periods, csv/xlsx templates, and that a filled-in template validates."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from impact.core.periods import Period
from impact.intake.template import TEMPLATE_HEADER, build_template, companion_csv, companion_name, due_periods
from intake.helpers import TODAY, codes


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_due_periods_from_runtime_start_up_to_today(cat_min):
    ind = cat_min.indicators["test-users"]  # quarterly; kiezbox runs 2022-01-01 .. 2026-12-31
    periods = due_periods(cat_min, "kiezbox", ind, today=TODAY)
    assert periods[0].label == "2022-Q1" and periods[-1].label == "2026-Q4"
    assert len(periods) == 20


def test_due_periods_after_latest_stored_and_at_least_current(cat_min):
    ind = cat_min.indicators["test-satisfaction"]  # yearly
    latest = Period(dt.date(2024, 1, 1), "yearly")
    assert [p.label for p in due_periods(cat_min, "kiezbox", ind, latest=latest, today=TODAY)] == ["2025", "2026"]
    current = Period(dt.date(2026, 1, 1), "yearly")
    assert [p.label for p in due_periods(cat_min, "kiezbox", ind, latest=current, today=TODAY)] == ["2026"]


def test_due_periods_stop_at_project_end(cat_min):
    ind = cat_min.indicators["test-users"]
    periods = due_periods(cat_min, "kiezbox", ind, today=dt.date(2030, 5, 1))
    assert periods[-1].label == "2026-Q4"


def test_csv_template_is_german_excel_friendly(cat_min):
    rows = _csv_rows(build_template(cat_min, "kiezbox", "csv", today=TODAY))
    assert tuple(rows[0]) == TEMPLATE_HEADER
    ids = {r[1] for r in rows[1:]}
    assert ids == {i.id for i in cat_min.indicators_for("kiezbox")}
    assert ["kiezbox", "test-users", "2022-Q1", "", "Anzahl", "", "", "", "", "", "", "Nutzende"] in rows
    assert all(r[0] == "kiezbox" and r[3] == "" for r in rows[1:])


def test_template_uses_history(cat_min):
    history = pd.DataFrame({"project_id": ["kiezbox", "kiezbox"], "indicator_id": ["test-users", "test-users"],
                            "period": ["2026-Q2", "2026-Q3"], "breakdown": ["", "district"],
                            "breakdown_value": ["", "mitte"], "value": [1.0, 2.0]})
    rows = _csv_rows(build_template(cat_min, "kiezbox", "csv", history=history, today=TODAY))
    assert [r[2] for r in rows[1:] if r[1] == "test-users"] == ["2026-Q3", "2026-Q4"]


def _fill(rows: list[list[str]], value: str = "3") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(rows[0])
    for r in rows[1:]:
        w.writerow([*r[:3], value, *r[4:]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@pytest.mark.parametrize("project", ["kiezbox", "smart-water"])
def test_filled_csv_template_validates(cat_min, validate, project):
    rows = _csv_rows(build_template(cat_min, project, "csv", today=TODAY))
    report = validate(_fill(rows, "3"), "filled.csv")  # counts are whole numbers
    assert report.valid, report.to_text("en")
    assert report.warnings == []  # the name column is read and ignored without a warning
    assert report.rows == len(rows) - 1


def test_filled_xlsx_template_validates(cat_min, validate):
    data = build_template(cat_min, "kiezbox", "xlsx", today=TODAY)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Werte", "Indikatoren"]
    ws = wb["Werte"]
    assert tuple(c.value for c in ws[1]) == TEMPLATE_HEADER
    for row in ws.iter_rows(min_row=2):
        row[3].value = 2
    info = [tuple(c.value for c in r) for r in wb["Indikatoren"].iter_rows()]
    assert info[1][0] == "test-users" and info[1][1] == "Nutzende" and info[1][2] == "Users"
    buf = io.BytesIO()
    wb.save(buf)
    report = validate(buf.getvalue(), "filled.xlsx")
    assert report.valid, report.to_text("en")


def test_unfilled_template_is_invalid_with_missing_values(cat_min, validate):
    report = validate(build_template(cat_min, "smart-water", "csv", today=TODAY), "empty.csv")
    assert {c for _, c, _ in codes(report)} == {"Wert"}
    assert {code for _, _, code in codes(report)} == {"missing_value"}
    # the clerk learns what to do with rows they have no value for yet
    assert all("leave the row out" in p.message("en") for p in report.errors)
    assert all("Zeile weglassen" in p.message("de") for p in report.errors)


def test_companion_explains_in_german_and_english(cat_min):
    rows = _csv_rows(companion_csv(cat_min, "kiezbox"))
    assert rows[0][:5] == ["indicator_id", "Name (de)", "Name (en)", "Definition (de)", "Definition (en)"]
    users = next(r for r in rows if r[0] == "test-users")
    assert "Nutzende" in users and "Users" in users and "quartalsweise / quarterly" in users
    assert any("district" in c for c in users)
    assert companion_name("kiezbox.csv") == "kiezbox.indikatoren.csv"


def test_unknown_project_or_format(cat_min):
    with pytest.raises(KeyError):
        build_template(cat_min, "nope", "csv")
    with pytest.raises(ValueError):
        build_template(cat_min, "kiezbox", "ods")


def test_csv_template_names_each_indicator_beside_its_id(cat_min):
    """Issue 15: a clerk sees which indicator a row is about, with its unit, in the template itself."""
    rows = _csv_rows(build_template(cat_min, "kiezbox", "csv", today=TODAY))
    assert rows[0][-1] == "Indikatorname"
    names = {r[1]: (r[-1], r[4]) for r in rows[1:]}
    assert names["test-users"] == ("Nutzende", "Anzahl")
    assert names["test-outage-hours"] == ("Ausfallstunden", "h")
    english = _csv_rows(build_template(cat_min, "kiezbox", "csv", today=TODAY, lang="en"))
    assert english[0] == ["project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value",
                          "note", "source", "quality", "evidence", "indicator_name"]
    assert {r[1]: (r[-1], r[4]) for r in english[1:]}["test-users"] == ("Users", "count")


def test_english_template_validates(cat_min, validate):
    rows = _csv_rows(build_template(cat_min, "smart-water", "csv", today=TODAY, lang="en"))
    report = validate(_fill(rows, "3"), "filled.csv")
    assert report.valid and report.warnings == [], report.to_text("en")
