"""The engine with hand-computed expectations: current values, progress, status, scores,
coverage, ladder, completeness, synergies and the JSON form."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.helpers import indicator_yaml, quarterly, value_rows, write_catalog
from impact.core.catalog import Catalog, Target
from impact.engine.evaluation import (
    METHODOLOGY,
    compute_progress,
    current_values,
    evaluate,
    trajectory,
)

AS_OF = dt.date(2026, 11, 21)
T0100 = "{baseline: 0, baseline_date: 2022-01-01, target: 100, target_date: 2025-12-31}"


def row(ev_frame: pd.DataFrame, project: str, indicator: str) -> pd.Series:
    sel = ev_frame[(ev_frame["project_id"] == project) & (ev_frame["indicator_id"] == indicator)]
    assert len(sel) == 1
    return sel.iloc[0]


def score(ev, scope: str, group_type: str, group_id: str) -> pd.Series:  # type: ignore[no-untyped-def]
    s = ev.scores
    sel = s[(s["scope"] == scope) & (s["group_type"] == group_type) & (s["group_id"] == group_id)]
    assert len(sel) == 1
    return sel.iloc[0]


# --------------------------------------------------------------------------- current values


def test_correction_newest_receipt_wins_and_older_rows_stay() -> None:
    v = value_rows([
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 10, "received": "2025-04-10T08:00"},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 12, "received": "2025-05-02T08:00"},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q2", "value": 20, "received": "2025-07-10T08:00"},
    ])
    before = v.copy(deep=True)
    cur = current_values(v, dt.date(2025, 12, 31))
    assert sorted(zip(cur["period"], cur["value"], strict=True)) == [("2025-Q1", 12.0), ("2025-Q2", 20.0)]
    pd.testing.assert_frame_equal(v, before)  # input untouched
    assert list(cur.columns) == list(v.columns)
    # as known on 2025-04-30: the correction and the Q2 value had not arrived yet
    old = current_values(v, dt.date(2025, 4, 30), known_at=dt.date(2025, 4, 30))
    assert list(zip(old["period"], old["value"], strict=True)) == [("2025-Q1", 10.0)]


def test_known_at_is_end_of_day_utc_and_future_periods_do_not_count() -> None:
    v = value_rows([
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 1, "received": "2025-05-01T23:59:59"},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 2, "received": "2025-05-02T00:00:00"},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q2", "value": 3, "received": "2025-04-20T00:00:00"},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q3", "value": 4, "received": "2025-04-20T00:00:00"},
    ])
    cur = current_values(v, dt.date(2025, 5, 1), known_at=dt.date(2025, 5, 1))
    assert dict(zip(cur["period"], cur["value"], strict=True)) == {"2025-Q1": 1.0, "2025-Q2": 3.0}
    # a non-UTC receipt time is compared in UTC: 01:30 in Berlin on 2 May is 23:30 UTC on 1 May
    v2 = v.copy()
    v2["received_at"] = pd.to_datetime(["2025-05-02T01:30:00+02:00"] * 4, utc=True)
    assert len(current_values(v2, dt.date(2025, 5, 1), known_at=dt.date(2025, 5, 1))) == 2
    # without a knowledge date everything stored counts (the reference date only limits periods)
    assert dict(zip(*(current_values(v, dt.date(2025, 5, 1))[c] for c in ("period", "value")), strict=True)) == {
        "2025-Q1": 2.0, "2025-Q2": 3.0}


def test_reference_date_and_knowledge_date_are_separate(cat_dir: Path) -> None:
    """The 2025 annual report written in February 2026: periods up to 31 Dec 2025, everything
    known in February (a late 2025 value counts); an audit with the report's knowledge date
    gets the report's numbers, whatever arrived later."""
    cat = write_catalog(cat_dir, [indicator_yaml("a", targets={"kiezbox": T0100})])
    v = value_rows([
        {"project": "kiezbox", "indicator": "a", "period": "2025-Q3", "value": 30, "received": "2025-10-20"},
        {"project": "kiezbox", "indicator": "a", "period": "2025-Q4", "value": 40, "received": "2026-02-03"},
        {"project": "kiezbox", "indicator": "a", "period": "2025-Q4", "value": 45, "received": "2026-03-01"},
        {"project": "kiezbox", "indicator": "a", "period": "2026-Q1", "value": 50, "received": "2026-02-10"},
    ])
    report = evaluate(cat, v, dt.date(2025, 12, 31), known_at=dt.datetime(2026, 2, 15, 9, 30))
    r = row(report.indicators, "kiezbox", "a")
    assert (r["period"], r["value"]) == ("2025-Q4", 40.0)  # 2026-Q1 is after the reference date
    assert report.known_at == pd.Timestamp("2026-02-15T09:30:00Z")
    assert report.to_json()["known_at"] == "2026-02-15T09:30:00Z"
    everything = evaluate(cat, v, dt.date(2025, 12, 31))
    assert row(everything.indicators, "kiezbox", "a")["value"] == 45.0 and everything.known_at is None
    assert everything.to_json()["known_at"] is None
    before = evaluate(cat, v, dt.date(2025, 12, 31), known_at=dt.date(2026, 1, 31))
    assert row(before.indicators, "kiezbox", "a")["value"] == 30.0
    assert before.known_at == pd.Timestamp("2026-01-31T23:59:59.999999Z")


def test_equal_receipt_time_later_row_wins_and_breakdowns_are_separate_keys() -> None:
    v = value_rows([
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 1},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 2},
        {"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 5,
         "breakdown": "district", "breakdown_value": "mitte"},
    ])
    cur = current_values(v, AS_OF)
    assert sorted(cur["value"]) == [2.0, 5.0]


def test_missing_column_is_named() -> None:
    v = value_rows([{"project": "kiezbox", "indicator": "x", "period": "2025-Q1", "value": 1}])
    with pytest.raises(ValueError, match="received_at"):
        current_values(v.drop(columns=["received_at"]), AS_OF)


def test_period_start_as_datetime64_gives_the_same_result() -> None:
    v = value_rows(quarterly("kiezbox", "x", "2025-Q1", [1, 2, 3], received="2025-04-20"))
    v2 = v.assign(period_start=pd.to_datetime(v["period_start"]))
    a = current_values(v, dt.date(2025, 5, 1))
    b = current_values(v2, dt.date(2025, 5, 1))
    assert list(a["value"]) == list(b["value"]) == [1.0, 2.0]


# --------------------------------------------------------------------------- progress


def test_progress_both_directions() -> None:
    # higher is better: 0 → 1000
    assert compute_progress(250.0, 0.0, 1000.0) == pytest.approx(0.25)
    assert compute_progress(1200.0, 0.0, 1000.0) == pytest.approx(1.2)
    assert compute_progress(-100.0, 0.0, 1000.0) == pytest.approx(-0.1)
    # lower is better: 40 → 10 (same formula)
    assert compute_progress(25.0, 40.0, 10.0) == pytest.approx(0.5)
    assert compute_progress(40.0, 40.0, 10.0) == pytest.approx(0.0)
    assert compute_progress(10.0, 40.0, 10.0) == pytest.approx(1.0)
    assert compute_progress(50.0, 40.0, 10.0) == pytest.approx(-1 / 3)
    assert math.isnan(float(compute_progress(np.nan, 0.0, 1.0)))


def test_progress_target_band() -> None:
    # baseline 2, band [3.5, 4.5]
    p = compute_progress(np.array([3.5, 4.0, 4.5, 2.75, 2.0, 5.0, 1.0]), 2.0, 4.0, 3.5, 4.5)
    assert p == pytest.approx([1.0, 1.0, 1.0, 0.5, 0.0, 0.8, -2 / 3])
    # baseline on the lower edge: distance = band width (1.0)
    assert compute_progress(3.0, 3.5, 4.0, 3.5, 4.5) == pytest.approx(0.5)
    # band from above: baseline 8, band [3.5, 4.5]; value 6.25 is halfway to the upper edge
    assert compute_progress(6.25, 8.0, 4.0, 3.5, 4.5) == pytest.approx(0.5)


def test_trajectory_is_a_straight_line_held_at_both_ends() -> None:
    t = Target(10.0, dt.date(2024, 1, 1), 20.0, dt.date(2024, 1, 11))
    assert trajectory(t, dt.date(2023, 6, 1)) == 10.0
    assert trajectory(t, dt.date(2024, 1, 6)) == pytest.approx(15.0)
    assert trajectory(t, dt.date(2030, 1, 1)) == 20.0
    down = Target(40.0, dt.date(2024, 1, 1), 10.0, dt.date(2024, 1, 31))
    assert trajectory(down, dt.date(2024, 1, 11)) == pytest.approx(30.0)


def test_progress_clipped_and_raw_in_evaluation(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [
        indicator_yaml("up", targets={"kiezbox": "{baseline: 0, baseline_date: 2022-01-01, target: 1000, target_date: 2025-12-31}"}),
        indicator_yaml("down", direction="lower_is_better", targets={
            "kiezbox": "{baseline: 40, baseline_date: 2022-01-01, target: 10, target_date: 2025-12-31}"}),
        indicator_yaml("band", direction="target_band", lo=1, hi=5, targets={
            "kiezbox": "{baseline: 2, baseline_date: 2022-01-01, target: 4, target_date: 2025-12-31, band: [3.5, 4.5]}"}),
    ])
    v = value_rows([
        {"project": "kiezbox", "indicator": "up", "period": "2026-Q2", "value": 1200},
        {"project": "kiezbox", "indicator": "down", "period": "2026-Q2", "value": 25},
        {"project": "kiezbox", "indicator": "band", "period": "2026-Q2", "value": 5.0},
    ])
    ev = evaluate(cat, v, AS_OF)
    up, down, band = (row(ev.indicators, "kiezbox", i) for i in ("up", "down", "band"))
    assert (up["progress"], up["progress_raw"]) == (pytest.approx(1.0), pytest.approx(1.2))
    assert (down["progress"], down["progress_raw"]) == (pytest.approx(0.5), pytest.approx(0.5))
    assert (band["progress"], band["band_low"], band["band_high"]) == (pytest.approx(0.8), 3.5, 4.5)
    assert up["period"] == "2026-Q2" and up["period_start"] == dt.date(2026, 4, 1)


# --------------------------------------------------------------------------- status


STATUS_TARGET = "{baseline: 0, baseline_date: 2023-12-31, target: 100, target_date: 2024-12-31}"


def test_status_against_the_trajectory(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml(i, targets={"kiezbox": STATUS_TARGET}) for i in ("a", "b", "c", "d")])
    v = value_rows([
        {"project": "kiezbox", "indicator": "a", "period": "2024-Q2", "value": 45, "received": "2024-07-20"},
        {"project": "kiezbox", "indicator": "b", "period": "2024-Q2", "value": 30, "received": "2024-07-20"},
        {"project": "kiezbox", "indicator": "c", "period": "2024-Q2", "value": 20, "received": "2024-07-20"},
    ])
    ev = evaluate(cat, v, dt.date(2024, 8, 15))
    expected = 182 / 366  # end of 2024-Q2 (30 June) on the line from 31 Dec 2023 to 31 Dec 2024
    got = {i: row(ev.indicators, "kiezbox", i) for i in "abcd"}
    assert got["a"]["expected_progress"] == pytest.approx(expected)
    assert got["a"]["status"] == "on_track"   # 0.45 >= 0.497 - 0.10
    assert got["b"]["status"] == "at_risk"    # 0.30 >= 0.497 - 0.25
    assert got["c"]["status"] == "off_track"  # 0.20 <  0.497 - 0.25
    assert got["d"]["status"] == "no_data" and math.isnan(got["d"]["value"]) and got["d"]["period"] is None
    assert math.isnan(got["d"]["progress"])


def test_stale_value_counts_as_no_data(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml(i, targets={"kiezbox": STATUS_TARGET}) for i in ("old", "ok")])
    v = value_rows([
        {"project": "kiezbox", "indicator": "old", "period": "2024-Q1", "value": 50},
        {"project": "kiezbox", "indicator": "ok", "period": "2024-Q2", "value": 50},
    ])
    # on 2025-03-01 the last due quarter is 2024-Q4 (2025-Q1 is not over); Q2 is two before it
    ev = evaluate(cat, v.assign(received_at=pd.Timestamp("2024-08-01", tz="UTC")), dt.date(2025, 3, 1))
    old, ok = row(ev.indicators, "kiezbox", "old"), row(ev.indicators, "kiezbox", "ok")
    assert bool(old["stale"]) and old["status"] == "no_data" and old["value"] == 50.0
    assert not bool(ok["stale"]) and ok["status"] != "no_data"
    overall = score(ev, "kiezbox", "overall", "overall")
    assert (overall["n_indicators"], overall["n_with_data"], overall["coverage"]) == (2, 1, 0.5)


def test_project_end_caps_staleness(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("a", targets={"smarte-partizipation": STATUS_TARGET})])
    v = value_rows([{"project": "smarte-partizipation", "indicator": "a", "period": "2025-Q4", "value": 100}])
    ev = evaluate(cat, v, dt.date(2027, 6, 1))  # the project ended 2025-12-31
    r = row(ev.indicators, "smarte-partizipation", "a")
    assert not bool(r["stale"]) and r["status"] == "on_track"


# --------------------------------------------------------------------------- scores, ladder, synergies


@pytest.fixture()
def scored(cat_dir: Path):  # type: ignore[no-untyped-def]
    cat = write_catalog(cat_dir, [
        indicator_yaml("ind-a", weight=1, step=2, targets={"kiezbox": T0100, "smart-water": T0100}),
        indicator_yaml("ind-b", weight=2, step=5, guiding_ideas="kooperativ, resilient", principles="kreativ-mutig",
                       targets={"kiezbox": T0100}),
        indicator_yaml("ind-c", weight=1, step=7, guiding_ideas="resilient", principles="kreativ-mutig",
                       targets={"kiezbox": T0100}),
    ])
    v = value_rows([
        {"project": "kiezbox", "indicator": "ind-a", "period": "2026-Q2", "value": 40},
        {"project": "kiezbox", "indicator": "ind-b", "period": "2026-Q2", "value": 70},
        {"project": "smart-water", "indicator": "ind-a", "period": "2026-Q2", "value": 100},
    ])
    return cat, v, evaluate(cat, v, AS_OF)


def test_scores_per_group_are_weighted_means_with_coverage(scored) -> None:  # type: ignore[no-untyped-def]
    _, _, ev = scored
    s = score(ev, "kiezbox", "guiding_idea", "kooperativ")   # a (w1, .4), b (w2, .7)
    assert (s["score"], s["coverage"], s["n_indicators"], s["n_with_data"]) == (pytest.approx(0.6), 1.0, 2, 2)
    s = score(ev, "kiezbox", "guiding_idea", "resilient")    # b (w2, .7), c (no data: not zero!)
    assert (s["score"], s["coverage"]) == (pytest.approx(0.7), 0.5)
    s = score(ev, "kiezbox", "guiding_idea", "nachhaltig")   # no indicator at all
    assert math.isnan(s["score"]) and s["coverage"] == 0.0 and s["n_indicators"] == 0
    s = score(ev, "kiezbox", "principle", "kreativ-mutig")
    assert (s["score"], s["coverage"]) == (pytest.approx(0.7), 0.5)
    s = score(ev, "kiezbox", "perspective", "gemeinsame-gestaltung")
    assert (s["score"], s["coverage"]) == (pytest.approx(0.6), pytest.approx(2 / 3))
    s = score(ev, "kiezbox", "overall", "overall")            # (1·.4 + 2·.7) / 3
    assert (s["score"], s["coverage"], s["n_indicators"]) == (pytest.approx(0.6), pytest.approx(2 / 3), 3)
    s = score(ev, "smart-water", "overall", "overall")
    assert (s["score"], s["coverage"]) == (pytest.approx(1.0), 1.0)


def test_portfolio_pools_all_project_indicator_pairs(scored) -> None:  # type: ignore[no-untyped-def]
    _, _, ev = scored
    s = score(ev, "portfolio", "overall", "overall")          # (.4 + 1.4 + 1.0) / 4, 3 of 4 pairs
    assert (s["score"], s["coverage"], s["n_indicators"], s["n_with_data"]) == (pytest.approx(0.7), 0.75, 4, 3)
    s = score(ev, "portfolio", "guiding_idea", "kooperativ")
    assert (s["score"], s["coverage"]) == (pytest.approx(0.7), 1.0)
    s = score(ev, "portfolio", "guiding_idea", "resilient")
    assert (s["score"], s["coverage"]) == (pytest.approx(0.7), 0.5)


def test_group_without_data_has_null_score_and_zero_coverage(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("a", targets={"kiezbox": T0100})])
    ev = evaluate(cat, value_rows([]), AS_OF)
    s = score(ev, "kiezbox", "overall", "overall")
    assert math.isnan(s["score"]) and s["coverage"] == 0.0 and (s["n_indicators"], s["n_with_data"]) == (1, 0)
    assert (ev.indicators["status"] == "no_data").all()
    assert ev.series.empty and ev.breakdowns.empty


def test_ladder(scored) -> None:  # type: ignore[no-untyped-def]
    _, _, ev = scored
    lad = ev.ladder[ev.ladder["project_id"] == "kiezbox"].set_index("level")
    assert list(lad.index) == ["output", "outcome", "impact"]
    assert lad.loc["output", "mean_progress"] == pytest.approx(0.4)
    assert lad.loc["outcome", "mean_progress"] == pytest.approx(0.7)
    assert (lad.loc["impact", "n_indicators"], lad.loc["impact", "n_with_data"]) == (1, 0)
    assert math.isnan(lad.loc["impact", "mean_progress"])


def test_synergy_matrices_and_shared_indicators(scored) -> None:  # type: ignore[no-untyped-def]
    cat, _, ev = scored
    m = ev.matrix_guiding_ideas
    assert list(m.index) == list(cat.projects) and list(m.columns) == list(cat.guiding_ideas)
    assert m.loc["kiezbox", "kooperativ"] == pytest.approx(0.6)
    assert m.loc["kiezbox", "resilient"] == pytest.approx(0.7)
    assert m.loc["smart-water", "kooperativ"] == pytest.approx(1.0)
    assert math.isnan(m.loc["smart-water", "resilient"])
    assert ev.matrix_principles.loc["kiezbox", "kreativ-mutig"] == pytest.approx(0.7)
    sh = ev.shared_indicators
    assert list(sh.columns[:4]) == ["indicator_id", "project_id", "value", "progress"]
    assert set(sh["indicator_id"]) == {"ind-a"}
    assert dict(zip(sh["project_id"], sh["progress"], strict=True)) == {"kiezbox": pytest.approx(0.4),
                                                                       "smart-water": pytest.approx(1.0)}


def test_projects_filter_and_unknown_project(scored) -> None:  # type: ignore[no-untyped-def]
    cat, v, _ = scored
    ev = evaluate(cat, v, AS_OF, projects=["smart-water"])
    assert set(ev.indicators["project_id"]) == {"smart-water"}
    assert score(ev, "portfolio", "overall", "overall")["score"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="nope"):
        evaluate(cat, v, AS_OF, projects=["nope"])


def test_series_and_breakdowns(scored) -> None:  # type: ignore[no-untyped-def]
    cat, v, _ = scored
    extra = value_rows([
        {"project": "kiezbox", "indicator": "ind-a", "period": "2026-Q1", "value": 30, "note": "Schätzung"},
        {"project": "kiezbox", "indicator": "ind-a", "period": "2026-Q1", "value": 9,
         "breakdown": "district", "breakdown_value": "mitte"},
        {"project": "kiezbox", "indicator": "unknown-indicator", "period": "2026-Q1", "value": 9},
    ])
    ev = evaluate(cat, pd.concat([v, extra], ignore_index=True), AS_OF)
    s = ev.series[(ev.series["project_id"] == "kiezbox") & (ev.series["indicator_id"] == "ind-a")]
    assert list(s["period"]) == ["2026-Q1", "2026-Q2"] and list(s["value"]) == [30.0, 40.0]
    assert s["note"].iloc[0] == "Schätzung"
    assert list(ev.series.columns) == ["project_id", "indicator_id", "period", "period_start", "value",
                                       "submission_id", "note", "quality", "evidence", "review_state"]
    b = ev.breakdowns
    assert len(b) == 1 and (b["breakdown"].iloc[0], b["breakdown_value"].iloc[0], b["value"].iloc[0]) == (
        "district", "mitte", 9.0)
    assert "unknown-indicator" not in set(ev.series["indicator_id"])
    assert row(ev.indicators, "kiezbox", "ind-a")["n_points"] == 2


# --------------------------------------------------------------------------- completeness


def test_completeness_expected_received_overdue(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [
        indicator_yaml("q", targets={"smarte-partizipation": T0100}),
        indicator_yaml("y", frequency="yearly", targets={"smarte-partizipation": T0100}),
    ])
    v = value_rows([
        {"project": "smarte-partizipation", "indicator": "q", "period": "2023-Q3", "value": 1, "received": "2023-10-05"},
        {"project": "smarte-partizipation", "indicator": "q", "period": "2023-Q4", "value": 1, "received": "2024-01-05",
         "breakdown": "district", "breakdown_value": "mitte"},  # a breakdown is no total
        {"project": "smarte-partizipation", "indicator": "y", "period": "2024", "value": 1, "received": "2025-01-05"},
    ])

    def comp(as_of: dt.date, ind: str) -> pd.Series:
        c = evaluate(cat, v, as_of).completeness
        return c[c["indicator_id"] == ind].iloc[0]

    # project runs 2023-06-01..2025-12-31; on 2024-01-31 Q2..Q4 2023 are due (Q4: 31 Dec + 30 days)
    q = comp(dt.date(2024, 1, 31), "q")
    assert (q["expected"], q["received"], q["share"], q["overdue"]) == (3, 1, pytest.approx(1 / 3),
                                                                      ["2023-Q2", "2023-Q4"])
    assert comp(dt.date(2024, 1, 29), "q")["expected"] == 2  # Q4 not yet due
    # yearly: 2025 is due on 2026-01-30, not on 2026-01-29; the project ended, later years never due
    assert comp(dt.date(2026, 1, 29), "y")["expected"] == 2
    y = comp(dt.date(2030, 1, 1), "y")
    assert (y["expected"], y["received"], y["overdue"]) == (3, 1, ["2023", "2025"])
    q_late = comp(dt.date(2030, 1, 1), "q")
    assert q_late["expected"] == 11 and len(q_late["overdue"]) == 10


def test_completeness_nothing_due_yet(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("y", frequency="yearly", targets={"smarte-partizipation": T0100})])
    c = evaluate(cat, value_rows([]), dt.date(2023, 7, 1)).completeness.iloc[0]
    assert c["expected"] == 0 and c["received"] == 0 and math.isnan(c["share"]) and c["overdue"] == []


# --------------------------------------------------------------------------- JSON


def test_to_json_shape_and_nulls(scored) -> None:  # type: ignore[no-untyped-def]
    cat, _, ev = scored
    js = ev.to_json()
    text = json.dumps(js, allow_nan=False)  # NaN would fail here
    assert json.loads(text) == js
    assert js["as_of"] == "2026-11-21"
    assert set(js) == {"as_of", "known_at", "projects", "portfolio"} and js["known_at"] is None
    kb = js["projects"]["kiezbox"]
    assert {"indicators", "guiding_ideas", "principles", "overall"} <= set(kb)
    first = kb["indicators"][0]
    assert {"id", "period", "value", "baseline", "target", "progress", "progress_raw", "status", "trend",
            "forecast"} <= set(first)
    c = next(i for i in kb["indicators"] if i["id"] == "ind-c")
    assert c["value"] is None and c["progress"] is None and c["status"] == "no_data" and c["period"] is None
    assert kb["guiding_ideas"]["resilient"]["score"] == pytest.approx(0.7)
    assert kb["guiding_ideas"]["resilient"]["coverage"] == 0.5
    # a group the project has no indicator for is still listed (stable keys): null score, coverage 0
    assert kb["guiding_ideas"]["nachhaltig"] == {"score": None, "coverage": 0.0, "n_indicators": 0, "n_with_data": 0}
    assert js["portfolio"]["overall"]["score"] == pytest.approx(0.7)
    assert js["portfolio"]["guiding_ideas"]["nachhaltig"] == {"score": None, "coverage": 0.0,
                                                              "n_indicators": 0, "n_with_data": 0}
    only = ev.to_json(projects=["smart-water"])
    assert list(only["projects"]) == ["smart-water"] and only["portfolio"] == js["portfolio"]


def test_methodology_is_bilingual() -> None:
    assert set(METHODOLOGY) == {"de", "en"}
    assert "Fortschritt" in METHODOLOGY["de"] and "Progress" in METHODOLOGY["en"]
    assert "10" in METHODOLOGY["de"] and "25" in METHODOLOGY["en"]


def test_evaluation_of_the_min_catalog(min_catalog: Catalog) -> None:
    v = value_rows(quarterly("kiezbox", "test-users", "2025-Q1", [100, 200, 300, 400, 500, 600]))
    ev = evaluate(min_catalog, v, AS_OF)
    pairs = {(p, i) for p in min_catalog.projects for i in (x.id for x in min_catalog.indicators_for(p))}
    assert set(zip(ev.indicators["project_id"], ev.indicators["indicator_id"], strict=True)) == pairs
    r = row(ev.indicators, "kiezbox", "test-users")
    assert r["value"] == 600.0 and r["progress"] == pytest.approx(0.6) and r["n_points"] == 6


@given(base=st.floats(-1e6, 1e6), span=st.floats(1e-3, 1e6), sign=st.sampled_from([1, -1]), f=st.floats(-2, 3))
def test_progress_is_the_fraction_of_the_way_in_both_directions(base: float, span: float, sign: int,
                                                              f: float) -> None:
    target = base + sign * span
    value = base + f * (target - base)
    assert float(compute_progress(value, base, target)) == pytest.approx(f, rel=1e-6, abs=1e-6)


def test_project_without_indicators_and_empty_catalog_part(scored) -> None:  # type: ignore[no-untyped-def]
    cat, v, _ = scored
    ev = evaluate(cat, v, AS_OF, projects=["smarte-partizipation"])  # has no indicators in this catalog
    assert ev.indicators.empty and ev.series.empty and ev.completeness.empty and ev.shared_indicators.empty
    s = score(ev, "portfolio", "overall", "overall")
    assert math.isnan(s["score"]) and s["n_indicators"] == 0
    assert list(ev.ladder["n_indicators"]) == [0, 0, 0]
    js = ev.to_json()
    assert js["projects"]["smarte-partizipation"]["indicators"] == []
    json.dumps(js, allow_nan=False)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 12)), min_size=4, max_size=4),
       st.sets(st.tuples(st.integers(0, 3), st.integers(0, 12))))
def test_overdue_gaps_match_brute_force(ranges: list[tuple[int, int, int]], got: set[tuple[int, int]]) -> None:
    from impact.engine.completeness import gaps as _gaps

    first = np.array([min(a, b) for _, a, b in ranges], dtype=np.int64)
    last = np.array([max(a, b) for _, a, b in ranges], dtype=np.int64)
    inside = sorted((p, o) for p, o in got if first[p] <= o <= last[p])
    rp = np.array([p for p, _ in inside], dtype=np.int64)
    ro = np.array([o for _, o in inside], dtype=np.int64)
    received = np.bincount(rp, minlength=4)
    pr, od = _gaps(rp, ro, first, last, received)
    want = [(p, o) for p in range(4) for o in range(first[p], last[p] + 1) if (p, o) not in set(inside)]
    assert list(zip(pr.tolist(), od.tolist(), strict=True)) == want


def test_rerun_for_a_past_date_gives_the_same_numbers(scored) -> None:  # type: ignore[no-untyped-def]
    cat, v, _ = scored
    then = dt.date(2026, 7, 15)  # v (2026-Q2 values) was received on 2026-01-10
    first = evaluate(cat, v, then, known_at=then)
    assert row(first.indicators, "kiezbox", "ind-a")["value"] == 40.0
    later = value_rows([
        # a correction, a new period and a late value for an old period, all received after `then`
        {"project": "kiezbox", "indicator": "ind-a", "period": "2026-Q2", "value": 99, "received": "2026-08-01"},
        {"project": "kiezbox", "indicator": "ind-b", "period": "2026-Q3", "value": 90, "received": "2026-10-01"},
        {"project": "kiezbox", "indicator": "ind-c", "period": "2025-Q4", "value": 10, "received": "2026-07-16"},
    ])
    grown = pd.concat([v, later], ignore_index=True)
    again = evaluate(cat, grown, then, known_at=then)
    pd.testing.assert_frame_equal(first.indicators, again.indicators)
    pd.testing.assert_frame_equal(first.scores, again.scores)
    pd.testing.assert_frame_equal(first.completeness, again.completeness)
    assert first.to_json() == again.to_json()
    now = evaluate(cat, grown, AS_OF)
    assert row(now.indicators, "kiezbox", "ind-a")["value"] == 99.0


def test_evaluate_does_not_modify_its_input(scored) -> None:  # type: ignore[no-untyped-def]
    cat, v, _ = scored
    before = v.copy(deep=True)
    ev = evaluate(cat, v, AS_OF)
    _ = ev.series, ev.breakdowns, ev.to_json()
    pd.testing.assert_frame_equal(v, before)
