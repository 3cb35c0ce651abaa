"""The pure slicing functions behind the explorer."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from impact.apps.explorer.data import (
    indicator_ids,
    month_starts,
    score_table,
    selection_csv,
    slice_values,
)

from .conftest import make_values


def test_indicator_ids_filter_by_project_and_groups(min_catalog):
    assert indicator_ids(min_catalog, ["kiezbox"]) == [
        "test-users", "test-outage-hours", "test-satisfaction"]
    assert indicator_ids(min_catalog, ["smart-water"]) == ["test-users", "test-open-share"]
    assert indicator_ids(min_catalog, ["kiezbox", "smart-water"], guiding_idea="gemeinwohlorientiert") == [
        "test-satisfaction", "test-open-share"]
    assert indicator_ids(min_catalog, ["kiezbox"], principle="offen-vertrauenswuerdig") == []
    assert indicator_ids(min_catalog, ["smart-water"], perspective="ermoeglichende-verwaltung") == [
        "test-open-share"]
    assert indicator_ids(min_catalog, []) == []


def test_score_table_orders_groups_and_fills_missing_with_nan():
    scores = pd.DataFrame({
        "scope": ["kiezbox", "kiezbox", "portfolio"], "group_type": ["guiding_idea"] * 3,
        "group_id": ["resilient", "kooperativ", "resilient"], "score": [0.5, 0.25, 0.9],
        "coverage": [1.0, 0.5, 1.0], "n_indicators": [1, 2, 1], "n_with_data": [1, 1, 1]})
    out = score_table(scores, "guiding_idea", "kiezbox", ["kooperativ", "nachhaltig", "resilient"])
    assert out["group_id"].tolist() == ["kooperativ", "nachhaltig", "resilient"]
    assert out["score"].tolist()[0] == 0.25 and pd.isna(out["score"].tolist()[1])
    assert out["score"].tolist()[2] == 0.5


def test_slice_values_filters_projects_indicators_range_and_breakdown():
    frame = make_values([
        ("kiezbox", "test-users", "2024-Q1", 1, "2025-01-01", "a"),
        ("kiezbox", "test-users", "2024-Q3", 3, "2025-01-01", "a"),
        ("kiezbox", "test-users", "2024-Q2", 2, "2025-01-01", "a"),
        ("smart-water", "test-users", "2024-Q2", 9, "2025-01-01", "a"),
        ("kiezbox", "test-users", "2024-Q2", 7, "2025-01-01", "a", "district", "mitte"),
    ])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    out = slice_values(frame, ["kiezbox"], ["test-users"], dt.date(2024, 4, 1), dt.date(2024, 9, 30))
    assert out["value"].tolist() == [2.0, 3.0, 7.0]  # totals first, then by breakdown value
    only = slice_values(frame, ["kiezbox"], ["test-users"], breakdown="district")
    assert only["value"].tolist() == [7.0]
    assert slice_values(frame, ["kiezbox"], ["test-other"]).empty
    assert len(frame) == 5  # input untouched


def test_month_starts_spans_year_ends():
    assert month_starts(dt.date(2024, 11, 15), dt.date(2025, 2, 3)) == [
        dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    assert month_starts(dt.date(2025, 2, 3), dt.date(2025, 1, 1)) == []


def test_selection_csv_is_utf8_with_bom_and_formula_safe():
    table = pd.DataFrame({"note": ["=HYPERLINK(\"x\")", "Straße", "@SUM(A1)", "+49 30 123", None],
                          "value": [-1.5, 2.0, 3.0, 4.0, 5.0],
                          "submission_id": ["ab", "cd", "ef", "gh", "ij"]})
    data = selection_csv(table)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == [
        "note,value,submission_id",
        "\"'=HYPERLINK(\"\"x\"\")\",-1.5,ab",
        "Straße,2.0,cd",
        "'@SUM(A1),3.0,ef",
        "'+49 30 123,4.0,gh",
        ",5.0,ij",
    ]
    assert table["note"].iloc[0].startswith("=")  # input untouched
