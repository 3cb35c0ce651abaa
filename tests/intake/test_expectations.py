"""expectations.py: the suites are generated from the catalog, really check, and export as GX JSON."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.periods import parse_period
from impact.intake import expectations as ex
from impact.intake import gx as gxm
from impact.intake.reading import read_submission
from impact.intake.validation import prepare
from intake.helpers import TODAY, csv_bytes


def test_checks_come_from_the_catalog(cat_min):
    checks = ex.row_checks(cat_min, today=TODAY)
    by_code = {c.code: c for c in checks}
    assert set(by_code["unknown_project"].kwargs["value_set"]) == set(cat_min.projects)
    assert set(by_code["unknown_indicator"].kwargs["value_set"]) == set(cat_min.indicators)
    assert "kiezbox|test-users" in by_code["indicator_not_in_project"].kwargs["value_set"]
    assert "kiezbox|test-open-share" not in by_code["indicator_not_in_project"].kwargs["value_set"]
    assert "test-outage-hours|std." in by_code["unit_mismatch"].kwargs["value_set"]
    assert by_code["period_in_future"].kwargs["max_value"] == TODAY.toordinal()
    assert "project_not_allowed" not in by_code
    only = ex.row_checks(cat_min, today=TODAY, only_project="kiezbox")
    assert [c.kwargs["value_set"] for c in only if c.code == "project_not_allowed"] == [["kiezbox"]]


def test_gx_reports_failing_rows_by_spreadsheet_number(cat_min):
    rows = [("kiezbox", "test-users", "2024-Q2", "1"), ("nope", "test-users", "2024-Q2", "1"),
            ("kiezbox", "test-users", "2024-Q3", "-1")]
    table = read_submission(csv_bytes(rows), "a.csv")
    frame = prepare(table, cat_min)
    failures = gxm.run_checks(frame, ex.row_checks(cat_min, today=TODAY))
    found = {(f.check.code, tuple(f.rows.tolist())) for f in failures}
    assert ("unknown_project", (3,)) in found
    assert ("below_min", (4,)) in found


def test_export_writes_one_gx_json_file_per_suite(cat_min, tmp_path):
    paths = gxm.export_suites(cat_min, tmp_path / "suites", today=TODAY)
    names = sorted(p.name for p in paths)
    assert names == sorted(["impact_submission.json", *(f"impact_submission_{p}.json" for p in cat_min.projects)])
    data = json.loads((tmp_path / "suites" / "impact_submission.json").read_text(encoding="utf-8"))
    assert data["name"] == "impact_submission"
    assert data["meta"]["catalog_hash"] == cat_min.content_hash and data["meta"]["today"] == "2026-11-21"
    types = {e["type"] for e in data["expectations"]}
    assert {"expect_column_values_to_be_in_set", "expect_column_values_to_not_be_null",
            "expect_column_values_to_match_regex", "expect_column_values_to_be_between",
            "expect_compound_columns_to_be_unique", "expect_column_pair_values_a_to_be_greater_than_b"} <= types
    assert all("code" in e["meta"] for e in data["expectations"])
    used = {e["kwargs"].get("column") for e in data["expectations"]} - {None}
    assert {c for c in used if c.startswith("_")} <= set(data["meta"]["helper_columns"])


def test_exported_suite_is_reusable_in_gx(cat_min, tmp_path):
    """Load the exported JSON into GX and run it on a prepared submission frame."""
    gxm.export_suites(cat_min, tmp_path, today=TODAY)
    data = json.loads((tmp_path / "impact_submission_kiezbox.json").read_text(encoding="utf-8"))
    gx = gxm._gx()
    bd = gxm._batch_definition()
    suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"])
    rows = [("kiezbox", "test-users", "2024-Q2", "1"), ("smart-water", "test-users", "2024-Q2", "1")]
    frame = prepare(read_submission(csv_bytes(rows), "a.csv"), cat_min)
    result = bd.get_batch(batch_parameters={"dataframe": gxm.gx_frame(frame, ex.row_checks(cat_min, today=TODAY))}
                          ).validate(suite, result_format="COMPLETE")
    failed = {r.expectation_config.meta["code"]: r.result["unexpected_index_list"] for r in result.results if not r.success}
    assert failed == {"project_not_allowed": [3]}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-Qq ", max_size=9))
def test_period_pattern_agrees_with_parse_period(text):
    stripped = text.strip(" ")
    assert bool(re.match(ex.PERIOD_PATTERN, stripped)) == (parse_period(stripped) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.eE+-", max_size=8))
def test_number_pattern_means_float_parses(text):
    if re.match(ex.NUMBER_PATTERN, text):
        float(text)


def test_fitted_value_sets_give_the_same_row_outcomes(cat_min):
    rows = [("kiezbox", "test-users", "2024-Q2", "1", "Stück"), ("kiezbox", "test-open-share", "2024", "1", "kg"),
            ("smart-water", "test-open-share", "2024", "1", "%")]
    frame = prepare(read_submission(csv_bytes(rows, ("project_id", "indicator_id", "period", "value", "unit")), "a.csv"),
                    cat_min)
    checks = ex.row_checks(cat_min, today=TODAY)
    g = gxm.gx_frame(frame, checks)
    fitted = gxm.fit_value_sets(g, checks)
    assert sum(len(c.kwargs.get("value_set", ())) for c in fitted) < sum(len(c.kwargs.get("value_set", ())) for c in checks)
    batch = gxm._batch_definition().get_batch(batch_parameters={"dataframe": g})

    def outcome(cs):
        res = batch.validate(gxm.build_suite("t", cs), result_format="COMPLETE")
        return sorted((r.expectation_config.meta["check"], tuple(r.result.get("unexpected_index_list") or ()))
                      for r in res.results)

    assert outcome(fitted) == outcome(checks)
    assert ("indicator_not_in_project", (3,)) in {(checks[n].code, rows) for n, rows in outcome(checks) if rows}
    assert ("unit_mismatch", (3,)) in {(checks[n].code, rows) for n, rows in outcome(checks) if rows}


_DEFERRED_PROBE = r"""
import sys
from impact.intake.gx import _gx
gx = _gx()
assert "great_expectations" in sys.modules
# deferred while GX imported, and not left behind as stand-ins
assert "scipy.stats" not in sys.modules and "altair" not in sys.modules, sorted(sys.modules)
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
# first use imports the real modules and forwards to them
assert abs(kl.stats.entropy([0.5, 0.5]) - 0.6931471805599453) < 1e-12
assert kl.alt.Chart.__name__ == "Chart"
import scipy.stats, altair
assert type(scipy.stats).__name__ == "module" and scipy.stats.entropy is kl.stats.entropy
assert altair.Chart is kl.alt.Chart
print("ok")
"""


def test_gx_import_defers_altair_and_scipy_stats_without_losing_them():
    """The 50-row `impact validate` budget (≤ 4 s) needs GX's import cut: altair and scipy.stats
    (≈ 2 s together) are imported only when first used, which submissions never do."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _DEFERRED_PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
