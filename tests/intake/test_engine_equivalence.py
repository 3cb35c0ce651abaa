"""The fast runner and Great Expectations give the same outcome for the same suite (issue 16).

Random files (valid and broken ids, periods, numbers, units, breakdowns, quality grades, evidence,
duplicates, formulas, blanks) are validated twice, against the tiny catalog with quality defaults
and an indicator that requires evidence (``cat_ev``): with the expectation suite run by GX on the
whole frame, and with
``impact.intake.runner`` (each expectation on the smallest frame that decides it). Every error
and warning — row, column, code and message — must be identical, and so must the failing rows of
every expectation.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.intake import expectations as ex
from impact.intake import gx
from impact.intake.prepare import prepare
from impact.intake.reading import read_submission
from impact.intake.runner import SUPPORTED, run_suite
from impact.intake.validation import validate_bytes
from intake.helpers import TODAY, xlsx_bytes

HEADER = ["project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value", "note", "quality",
          "evidence"]
PROJECTS = ["kiezbox", "smart-water", "kiezbx", "", " kiezbox ", "=A1"]
INDICATORS = ["test-users", "test-outage-hours", "test-satisfaction", "test-open-share", "test-user", ""]
PERIODS = ["2024", "2024-Q2", "2024q3", "2024-05", "2024-5", "2027-Q1", "2021-Q1", "2026-12", "24-Q2", "2024-05-01",
           "", "2025-Q4", "2023"]
VALUES = ["1", "12", "2.480", "2.48", "1.234,5", "0,5", "1,234.5", "-5", "100001", "3,5", "abc", "", "NaN", "1e400",
          "12 %", "3 kg", "=1+1", "2,0", "7", "1 234"]
UNITS = ["", "Anzahl", "h", "Std.", "%", "kg", "1-5"]
BREAKDOWNS = [("", ""), ("district", "mitte"), ("Bezirk", "Neukölln"), ("district", "Mars"), ("distrct", "mitte"),
              ("district", ""), ("", "mitte"), ("gender", "male"), ("target_group", "Geflüchtete")]

QUALITIES = ["", "gezählt", "Measured", "GESCHAETZT", "Näherung", "erhoben", "proxy", "ungefähr", "=A1", " "]
EVIDENCE = ["", "https://example.org/bericht.pdf", "Protokoll 3/2024", "-3", "@SUM(1)", "+49", "x" * 1001, "x" * 1000,
            "=HYPERLINK(1)"]

ROW = st.tuples(st.sampled_from(PROJECTS), st.sampled_from(INDICATORS), st.sampled_from(PERIODS),
                st.sampled_from(VALUES), st.sampled_from(UNITS), st.sampled_from(BREAKDOWNS),
                st.sampled_from(["", "Grüße", "=HYPERLINK(1)"]), st.sampled_from(QUALITIES),
                st.sampled_from(EVIDENCE))


def _csv(rows: list[tuple], sep: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(HEADER)
    for p, i, t, v, u, (b, bv), n, q, e in rows:
        w.writerow([p, i, t, v, u, b, bv, n, q, e])
    return buf.getvalue().encode("utf-8")


def _outcome(report) -> tuple:
    def rows(problems):
        return [(p.row, p.column, p.code, p.message("en"), p.message("de")) for p in problems]
    return report.valid, report.unreadable, report.rows, rows(report.errors), rows(report.warnings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=25), sep=st.sampled_from([";", ","]),
       only=st.sampled_from([None, "kiezbox"]), repeat=st.integers(0, 3))
def test_fast_runner_and_gx_report_the_same_problems(cat_ev, rows, sep, only, repeat):
    rows = rows + rows[:repeat]  # duplicates
    data = _csv(rows, sep)
    fast = validate_bytes(data, "x.csv", cat_ev, today=TODAY, only_project=only)
    slow = validate_bytes(data, "x.csv", cat_ev, today=TODAY, only_project=only, engine="gx")
    assert _outcome(fast) == _outcome(slow)
    if fast.valid:
        assert fast.frame.equals(slow.frame)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=15), only=st.sampled_from([None, "smart-water"]))
def test_every_expectation_fails_the_same_rows(cat_ev, rows, only):
    """Below the problems: the failing rows of each expectation, including the ones a later
    expectation of the same cell hides."""
    frame = prepare(read_submission(_csv(rows, ";"), "x.csv"), cat_ev)
    checks = ex.row_checks(cat_ev, today=TODAY, only_project=only)
    assert {c.type for c in checks} <= {*SUPPORTED, "expect_compound_columns_to_be_unique"}

    def outcome(failures):
        return [(f.check.code, f.check.column, f.rows.tolist()) for f in failures]

    assert outcome(run_suite(frame, checks)) == outcome(gx.run_checks(frame, checks))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(PROJECTS[:3]), st.sampled_from(INDICATORS[:4]),
                               st.sampled_from(PERIODS[:8]),
                               st.one_of(st.sampled_from(VALUES), st.integers(-10, 10**6),
                                         st.floats(-1e3, 1e6, allow_nan=False))), min_size=1, max_size=10))
def test_workbooks_too(cat_ev, rows):
    data = xlsx_bytes(rows)
    fast = validate_bytes(data, "x.xlsx", cat_ev, today=TODAY)
    slow = validate_bytes(data, "x.xlsx", cat_ev, today=TODAY, engine="gx")
    assert _outcome(fast) == _outcome(slow)
