"""Property-based: random bytes and random cell contents never crash the validator."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.core.errors import Problem
from intake.helpers import xlsx_bytes

NAMES = st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.CSV"])


def _check(report) -> None:
    assert isinstance(report.valid, bool)
    assert report.valid == (not report.errors and not report.unreadable)
    for p in [*report.errors, *report.warnings]:
        assert isinstance(p, Problem)
        assert p.message("de") and p.message("en")
        assert p.row is None or p.row >= 1
    data = report.to_json("en")
    assert set(data) == {"valid", "rows", "errors", "warnings"}
    report.to_text("de")
    if report.valid:
        assert report.frame is not None and len(report.frame) == report.rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), name=NAMES)
def test_random_bytes_never_crash(validate, data, name):
    _check(validate(data, name))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"project_id;indicator_id;period;value\n", b"Projekt,Indikator,Zeitraum,Wert\n"]),
       data=st.binary(max_size=200))
def test_header_then_random_bytes_never_crash(validate, prefix, data):
    _check(validate(prefix + data, "a.csv"))


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["kiezbox", "smart-water", "test-users", "test-outage-hours", "2024", "2024-Q2", "2024-05",
                     "1,5", "1.234,5", "NaN", "inf", "-0", "1e999", "=SUM(A1)", "district", "mitte", "Std.", "", " "]),
)
ROW = st.lists(CELL, min_size=0, max_size=9)


def _csv(rows: list[list[str]], sep: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(["project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value", "note", "source"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=6), sep=st.sampled_from([",", ";"]))
def test_random_cells_never_crash(validate, rows, sep):
    _check(validate(_csv(rows, sep), "cells.csv"))


XCELL = st.one_of(CELL, st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                  st.booleans())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(XCELL, min_size=0, max_size=6), min_size=1, max_size=4))
def test_random_xlsx_cells_never_crash(validate, rows):
    clean = [[c if not isinstance(c, str) else "".join(ch for ch in c if ch.isprintable()) for c in r] for r in rows]
    _check(validate(xlsx_bytes(clean), "cells.xlsx"))
