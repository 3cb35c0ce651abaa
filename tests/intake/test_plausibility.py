"""The plausibility warning ``implausible_jump``: rare on realistic trending data, firm on real jumps.

The rule (impact.intake.validation's docstring): a robust line through the 8 stored periods nearest
to the submitted one (that period itself left out); warn when the value lies far outside both
that line and the neighbouring stored values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.core.catalog import Catalog
from impact.intake.validation import validate_file
from impact.store.store import Store
from intake.helpers import csv_bytes, warning_codes

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for p in (ROOT / "data" / "sample").glob("*") if p.suffix in (".csv", ".xlsx"))


def _history(values, indicator="test-outage-hours", period_fmt="2024-{:02d}", breakdown=("", "")):
    return pd.DataFrame({
        "project_id": "kiezbox", "indicator_id": indicator,
        "period": [period_fmt.format(m) for m in range(1, len(values) + 1)],
        "value": [float(v) for v in values], "breakdown": breakdown[0], "breakdown_value": breakdown[1],
        "received_at": pd.Timestamp("2025-01-01", tz="UTC"),
    })


def _rows(*pairs, indicator="test-outage-hours"):
    return csv_bytes([("kiezbox", indicator, period, value) for period, value in pairs])


def test_steady_trend_continued_after_a_gap_is_no_jump(validate):
    # the median of 10, 20, 30, 40 is 25: the old "median of the last 12" rule flagged 80 here
    report = validate(_rows(("2024-08", "80")), history=_history([10, 20, 30, 40]))
    assert report.valid and report.warnings == []


def test_value_far_off_a_trend_is_a_jump(validate):
    report = validate(_rows(("2024-05", "50"), ("2024-06", "5")), history=_history([10, 20, 30, 40]))
    assert warning_codes(report) == [(3, "value", "implausible_jump")]
    assert "expected about 60" in report.warnings[0].message("en")


def test_small_whole_counts_do_not_warn_for_a_few_more(validate):
    # 1, 1, 0, 1, 1, 2 then 3: the old rule (median 1, spread 0.1) called 3 a jump
    history = _history([1, 1, 0, 1, 1, 2], indicator="test-users", period_fmt="2023-Q{}")
    history["period"] = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    report = validate(_rows(("2024-Q3", "3"), indicator="test-users"), history=history)
    assert report.warnings == []
    report = validate(_rows(("2024-Q3", "40"), indicator="test-users"), history=history)
    assert warning_codes(report) == [(2, "value", "implausible_jump")]


def test_resent_spike_is_judged_by_its_neighbours_not_by_itself(validate):
    values = [10, 11, 9, 10, 60, 10, 11, 9]  # 2024-05 is a spike, stored already
    report = validate(_rows(("2024-05", "60"), ("2024-06", "10")), history=_history(values))
    assert warning_codes(report) == [(2, "value", "implausible_jump")]


def test_breakdowns_are_their_own_series(validate):
    history = pd.concat([_history([10, 11, 9, 10]), _history([100, 110, 90, 100], breakdown=("district", "mitte"))])
    data = csv_bytes([("kiezbox", "test-outage-hours", "2024-05", "105", "district", "mitte"),
                      ("kiezbox", "test-outage-hours", "2024-05", "105", "", "")],
                     ("project_id", "indicator_id", "period", "value", "breakdown", "breakdown_value"))
    report = validate(data, history=history)
    assert warning_codes(report) == [(3, "value", "implausible_jump")]


def test_history_with_period_start_dates_like_the_store(validate):
    history = _history([10, 11, 9, 10, 12, 10])
    history["period_start"] = [dt.date(2024, m, 1) for m in range(1, 7)]
    history["period"] = "ignored"  # period_start wins when present
    report = validate(_rows(("2024-07", "300")), history=history)
    assert warning_codes(report) == [(2, "value", "implausible_jump")]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_files_against_their_own_history_warn_only_on_real_spikes(
        path: Path, sample_store: Path, catalog: Catalog) -> None:
    """Re-validating a sample file against a store holding it: the trending series raise nothing;
    only the outage spikes the generator adds on purpose (each explained in a note) are flagged."""
    history = Store(sample_store).values()
    report = validate_file(path, catalog, history=history, today=dt.date(2026, 11, 21))
    assert report.valid
    jumps = [w for w in report.warnings if w.code == "implausible_jump"]
    assert len(jumps) <= max(1, report.rows // 50), [w.message("en") for w in jumps]
    frame = report.frame
    assert frame is not None
    flagged = frame[frame["row"].isin([w.row for w in jumps])]
    assert set(flagged["indicator_id"]) <= {"kiezbox-outage-hours"}
    assert (flagged["value"] > 35).all()  # the spikes: 20-45 hours on top of a falling 10-30

_NUMBERS = st.floats(min_value=0, max_value=8000, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(values=st.lists(_NUMBERS, min_size=0, max_size=12), months=st.lists(st.integers(1, 12), max_size=3),
       sent=_NUMBERS)
def test_any_history_never_crashes_and_a_repeated_neighbour_is_never_a_jump(validate, values, months, sent):
    history = _history(values, period_fmt="2023-{:02d}") if values else _history([])
    for m in months:  # corrections: several values for the same period
        history = pd.concat([history, _history([sent], period_fmt=f"2023-{m:02d}")])
    report = validate(_rows(("2024-12", repr(sent))), history=history)
    assert report.valid
    for w in report.warnings:
        assert w.code == "implausible_jump" and w.row == 2 and w.message("de") and w.message("en")
    if values:  # the value of the latest stored period again is never a "jump"
        latest = history.drop_duplicates("period", keep="last").sort_values("period")["value"].iloc[-1]
        again = validate(_rows(("2024-12", repr(float(latest)))), history=history)
        assert again.warnings == []


# ---------------------------------------------------------------------------- cumulative indicators


@pytest.fixture()
def cumulative_catalog(min_catalog: Catalog) -> Catalog:
    """The tiny catalog with ``test-users`` marked cumulative (a count since the project start)."""
    object.__setattr__(min_catalog.indicators["test-users"], "cumulative", True)
    return min_catalog


def _users(*pairs):
    return pd.DataFrame({"project_id": "kiezbox", "indicator_id": "test-users", "period": [p for p, _ in pairs],
                         "value": [float(v) for _, v in pairs], "breakdown": "", "breakdown_value": "",
                         "received_at": pd.Timestamp("2025-01-01", tz="UTC")})


def _check(catalog, rows, history=None):
    from impact.intake.validation import validate_bytes

    return validate_bytes(csv_bytes([("kiezbox", "test-users", p, v) for p, v in rows]), "c.csv", catalog,
                          history=history, today=dt.date(2026, 11, 21))


def test_cumulative_value_below_the_stored_previous_period_warns_naming_both(cumulative_catalog):
    history = _users(("2024-Q1", 100), ("2024-Q2", 120))
    report = _check(cumulative_catalog, [("2024-Q3", "110")], history)
    assert report.valid
    assert warning_codes(report) == [(2, "value", "cumulative_decrease")]
    en, de = report.warnings[0].message("en"), report.warnings[0].message("de")
    assert "Value 110 for 2024-Q3 is below the value 120 for 2024-Q2" in en
    assert "Wert 110 für 2024-Q3 liegt unter dem Wert 120 für 2024-Q2" in de
    assert not report.implausible_corrections  # a new period, not a correction
    assert _check(cumulative_catalog, [("2024-Q3", "120")], history).warnings == []  # equal is fine


def test_cumulative_value_below_the_previous_period_in_the_same_file_warns(cumulative_catalog):
    report = _check(cumulative_catalog, [("2024-Q1", "50"), ("2024-Q2", "40"), ("2024-Q3", "60")])
    assert warning_codes(report) == [(3, "value", "cumulative_decrease")]
    assert "2024-Q1" in report.warnings[0].message("en")
    # the file's value for a period wins over the stored one: correcting Q2 upwards fixes Q3
    history = _users(("2024-Q2", 200))
    report = _check(cumulative_catalog, [("2024-Q2", "90"), ("2024-Q3", "100")], history)
    assert report.warnings == []


def test_a_non_cumulative_indicator_may_fall(min_catalog):
    report = _check(min_catalog, [("2024-Q1", "50"), ("2024-Q2", "40")], _users(("2023-Q4", 60)))
    assert report.warnings == []


# ---------------------------------------------------------------------------- confirmation


def test_an_implausible_correction_is_marked_for_confirmation(validate):
    """Issue 14: the clerk's 2.48 (read before the fix from ``2.480``) replacing 2466 must be confirmed."""
    history = _history([2400, 2420, 2450, 2466, 2470, 2490], indicator="test-users", period_fmt="2024-{:02d}")
    history["period"] = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    report = validate(csv_bytes([("kiezbox", "test-users", "2023-Q4", "2")]), history=history)
    assert report.valid and report.needs_confirmation
    assert warning_codes(report) == [(2, "value", "implausible_jump")]
    [p] = report.implausible_corrections
    assert (p.row, p.column, p.code) == (2, "value", "implausible_correction")
    assert "Value 2 would replace the stored value 2466 for 2023-Q4" in p.message("en")
    assert "ersetzen" in p.message("de") and "bestätigen" in p.message("de")
    # a plausible correction, and an implausible *new* value, need no confirmation
    assert not validate(csv_bytes([("kiezbox", "test-users", "2023-Q4", "2467")]), history=history).needs_confirmation
    new = validate(csv_bytes([("kiezbox", "test-users", "2024-Q3", "2")]), history=history)
    assert warning_codes(new) == [(2, "value", "implausible_jump")] and not new.needs_confirmation


def test_a_cumulative_decrease_on_a_correction_needs_confirmation(cumulative_catalog):
    history = _users(("2024-Q1", 100), ("2024-Q2", 120), ("2024-Q3", 130))
    report = _check(cumulative_catalog, [("2024-Q3", "110")], history)
    assert [p.code for p in report.implausible_corrections] == ["implausible_correction"]
    assert report.needs_confirmation
