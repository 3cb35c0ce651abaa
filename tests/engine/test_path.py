"""The one expected path: engine, report figures and explorer draw and judge the same line,
including zero-length and negative date spans (the span is over: the target)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import impact
from engine.helpers import indicator_yaml, value_rows, write_catalog
from impact.apps.explorer.data import trajectory_line
from impact.core.catalog import Target
from impact.engine.evaluation import evaluate
from impact.engine.path import expected_fraction, expected_value, path_points, target_changes
from impact.reports import series_figures as figures

D = dt.date
NORMAL = Target(10.0, D(2024, 1, 1), 20.0, D(2024, 1, 11))
ZERO = Target(10.0, D(2024, 1, 1), 20.0, D(2024, 1, 1))
NEGATIVE = Target(10.0, D(2024, 1, 11), 20.0, D(2024, 1, 1))
T = "{baseline: 0, baseline_date: 2022-01-01, target: 100, target_date: 2025-12-31}"
DAYS = [D(2023, 6, 1), D(2024, 1, 1), D(2024, 1, 6), D(2024, 1, 11), D(2030, 1, 1)]


def test_the_public_trajectory_is_the_path_function() -> None:
    assert impact.trajectory is expected_value
    assert figures.trajectory_value is expected_value


@pytest.mark.parametrize("day, want", [(D(2023, 6, 1), 10.0), (D(2024, 1, 1), 10.0), (D(2024, 1, 6), 15.0),
                                       (D(2024, 1, 11), 20.0), (D(2030, 1, 1), 20.0)])
def test_straight_line_held_at_both_ends(day: dt.date, want: float) -> None:
    assert expected_value(NORMAL, day) == pytest.approx(want)


@pytest.mark.parametrize("target", [ZERO, NEGATIVE], ids=["zero-span", "negative-span"])
@pytest.mark.parametrize("day", DAYS)
def test_zero_and_negative_span_give_the_target(target: Target, day: dt.date) -> None:
    assert expected_value(target, day) == 20.0
    assert expected_fraction(target, day) == 1.0


def _chart_path(target: Target) -> list[tuple[dt.date, float]]:
    ind = SimpleNamespace(targets={"p": target})
    chart = figures.indicator_series(ind, "p", pd.DataFrame(columns=["period", "period_start", "value"]),  # type: ignore[arg-type]
                                     None, "t", "en")
    trace = next(t for t in chart.figure.data if t.name == "Expected path")
    return [(D.fromisoformat(str(x)[:10]), float(y)) for x, y in zip(trace.x, trace.y, strict=True)]


@pytest.mark.parametrize("target", [NORMAL, ZERO, NEGATIVE], ids=["normal", "zero-span", "negative-span"])
def test_engine_figures_and_explorer_draw_the_same_path(target: Target, cat_dir: Path) -> None:
    points = path_points(target)
    # the report chart and the explorer draw exactly the path's vertices
    assert _chart_path(target) == points
    xs, ys = trajectory_line(target)
    assert list(zip(xs, ys, strict=True)) == points
    # every vertex lies on expected_value, which the report table and the engine use
    for day, value in points:
        assert expected_value(target, day) == value
    # the engine: a value reported for the period ending on a day is judged against the same path
    # (the catalog refuses such spans, so the target is put into a loaded catalog directly)
    loaded = write_catalog(cat_dir, [indicator_yaml("a", frequency="monthly", targets={"kiezbox": T})])
    ind = dataclasses.replace(loaded.indicators["a"], targets={"kiezbox": target})
    cat = dataclasses.replace(loaded, indicators={"a": ind}, _by_project={})
    for day in (D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1)):
        month_end = (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()
        v = value_rows([{"project": "kiezbox", "indicator": "a", "period": f"{day:%Y-%m}", "value": 12}])
        r = evaluate(cat, v, D(2024, 3, 1)).indicators.iloc[0]
        assert r["expected_value"] == pytest.approx(expected_value(target, month_end))
        assert r["expected_value"] == pytest.approx(figures.trajectory_value(target, month_end))
        assert r["expected_progress"] == pytest.approx(expected_fraction(target, month_end))

def test_path_points_cut_to_a_range() -> None:
    assert path_points(NORMAL, D(2024, 1, 6), None) == [(D(2024, 1, 6), 15.0), (D(2024, 1, 11), 20.0)]
    assert path_points(NORMAL, D(2025, 1, 1), D(2026, 1, 1)) == []
    assert path_points(ZERO) == [(D(2024, 1, 1), 20.0)]
    assert path_points(NEGATIVE) == [(D(2024, 1, 1), 20.0)]
    assert trajectory_line(NORMAL, D(2025, 1, 1)) == ([], [])


def test_milestones_bend_the_path() -> None:
    m = SimpleNamespace(date=D(2024, 1, 3), value=18.0, term="short")
    t = SimpleNamespace(baseline=10.0, baseline_date=D(2024, 1, 1), target=20.0, target_date=D(2024, 1, 11),
                        milestones=(m,))
    assert expected_value(t, D(2024, 1, 2)) == pytest.approx(14.0)
    assert expected_value(t, D(2024, 1, 3)) == pytest.approx(18.0)
    assert expected_value(t, D(2024, 1, 7)) == pytest.approx(19.0)
    assert expected_fraction(t, D(2024, 1, 3)) == pytest.approx(0.8)
    assert path_points(t) == [(D(2024, 1, 1), 10.0), (D(2024, 1, 3), 18.0), (D(2024, 1, 11), 20.0)]
    xs, ys = trajectory_line(t)  # type: ignore[arg-type]
    assert list(zip(xs, ys, strict=True)) == path_points(t)


def test_target_versions_and_changes() -> None:
    old = SimpleNamespace(valid_from=D(2022, 1, 1), baseline=0.0, baseline_date=D(2022, 1, 1), target=100.0,
                          target_date=D(2025, 12, 31), band=None, reason=None, decided_by="Lenkungskreis")
    reason = SimpleNamespace(de="Neue Datenlage", en="New evidence", get=lambda lang: "New evidence")

    class Versioned(SimpleNamespace):
        def at(self, day: dt.date) -> object:
            return old if day < self.valid_from else self

    t = Versioned(baseline=0.0, baseline_date=D(2022, 1, 1), target=60.0, target_date=D(2025, 12, 31),
                  valid_from=D(2024, 7, 1), reason=reason, decided_by="Steuerungsrunde", history=(old,))
    # before the change the old target's path applies, after it the new one's
    assert expected_value(t, D(2024, 1, 1)) == pytest.approx(expected_value(old, D(2024, 1, 1)))
    assert expected_value(t, D(2025, 12, 31)) == 60.0
    assert expected_value(t, D(2025, 12, 31), version=D(2024, 1, 1)) == 100.0
    (change,) = target_changes(t)
    assert (change.valid_from, change.old, change.new, change.decided_by) == (D(2024, 7, 1), 100.0, 60.0,
                                                                           "Steuerungsrunde")
    assert change.reason.get("en") == "New evidence"
    assert target_changes(NORMAL) == []
