"""Trends and forecasts: the vectorised Theil–Sen against scipy, too-short series, the window,
the forecast band and the target-unlikely flag."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import theilslopes

from engine.helpers import indicator_yaml, quarterly, value_rows, write_catalog
from impact.engine.evaluation import evaluate
from impact.engine.forecast import batch_forecast
from impact.engine.trends import WINDOW, batch_theil_sen, years

AS_OF = dt.date(2026, 11, 21)


def test_batch_matches_scipy_on_series_without_ties() -> None:
    rng = np.random.default_rng(3)
    xs, ys = [], []
    for n in (4, 5, 9, 24):
        x = np.sort(rng.choice(np.arange(100), size=n, replace=False)).astype(float)
        y = 2.5 * x + rng.normal(0, 5, n)
        xs.append(np.pad(x, (24 - n, 0), constant_values=np.nan))
        ys.append(np.pad(y, (24 - n, 0), constant_values=np.nan))
        ref = theilslopes(y, x, alpha=0.90)
        got = batch_theil_sen(x[None, :], y[None, :], confidence=0.90)
        assert got.slope[0] == pytest.approx(ref.slope)
        assert got.low_slope[0] == pytest.approx(ref.low_slope)
        assert got.high_slope[0] == pytest.approx(ref.high_slope)
        assert got.median_y[0] - got.slope[0] * got.median_x[0] == pytest.approx(ref.intercept)
    # the same series padded into one batch give the same results
    batch = batch_theil_sen(np.array(xs), np.array(ys), confidence=0.90)
    for k, n in enumerate((4, 5, 9, 24)):
        x, y = xs[k][24 - n:], ys[k][24 - n:]
        assert batch.slope[k] == pytest.approx(theilslopes(y, x, alpha=0.90).slope)
        assert batch.n[k] == n


def test_too_short_is_nan_not_a_guess() -> None:
    x = np.array([[0.0, 1.0, 2.0, np.nan], [0.0, 1.0, 2.0, 3.0]])
    y = np.array([[1.0, 2.0, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0]])
    t = batch_theil_sen(x, y)
    assert math.isnan(t.slope[0]) and t.slope[1] == pytest.approx(1.0)
    fc = batch_forecast(x, y, np.array([10.0, 10.0]))
    assert math.isnan(fc.value[0]) and math.isnan(fc.low[0]) and math.isnan(fc.high[0])
    assert (fc.value[1], fc.low[1], fc.high[1]) == (pytest.approx(11.0), pytest.approx(11.0), pytest.approx(11.0))


def test_forecast_on_a_perfect_line_and_its_band() -> None:
    x = np.arange(8, dtype=float)[None, :]
    y = 3.0 * x + 1.0
    fc = batch_forecast(x, y, np.array([20.0]))
    assert fc.value[0] == pytest.approx(61.0) and fc.low[0] == pytest.approx(61.0) and fc.high[0] == pytest.approx(61.0)
    noisy = y + np.array([[0.5, -0.5, 0.3, -0.2, 0.4, -0.6, 0.1, 0.0]])
    fc = batch_forecast(x, noisy, np.array([20.0]))
    assert fc.low[0] < fc.value[0] < fc.high[0]


TARGET = "{baseline: 0, baseline_date: 2024-01-01, target: 1000, target_date: 2027-12-31}"


def test_trend_forecast_and_flag_in_the_evaluation(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [
        indicator_yaml("fast", targets={"kiezbox": TARGET}),
        indicator_yaml("slow", targets={"kiezbox": TARGET}),
        indicator_yaml("short", targets={"kiezbox": TARGET}),
    ])
    # fast: +100 per quarter = 400/year from 2024-Q1 (end 2024-03-31): 100, 200, ... ; slow: +10 per quarter
    v = value_rows(quarterly("kiezbox", "fast", "2024-Q1", [100.0 * k for k in range(1, 11)])
                   + quarterly("kiezbox", "slow", "2024-Q1", [10.0 * k for k in range(1, 11)])
                   + quarterly("kiezbox", "short", "2026-Q1", [5.0, 6.0, 7.0]))
    ev = evaluate(cat, v, AS_OF)
    ind = ev.indicators.set_index("indicator_id")
    fast, slow, short = ind.loc["fast"], ind.loc["slow"], ind.loc["short"]
    # time = period end in years; quarters are 90–92 days long, so the slope is close to 400/year
    assert fast["trend_note"] == "ok" and fast["n_points"] == 10
    assert fast["trend_slope"] == pytest.approx(400, rel=0.02)
    # 2025-Q2 ... 2026-Q2: last value 1000 at 2026-06-30; about 1.5 more years to 2027-12-31
    assert fast["forecast"] == pytest.approx(1000 + 400 * 1.5, rel=0.03)
    assert fast["target_unlikely"] is False
    assert slow["target_unlikely"] is True and slow["forecast_high"] < 1000
    assert slow["forecast_low"] <= slow["forecast"] <= slow["forecast_high"]
    assert short["trend_note"] == "too_short" and math.isnan(short["trend_slope"]) and short["n_points"] == 3
    assert math.isnan(short["forecast"]) and short["target_unlikely"] is None


def test_forecast_clipped_to_the_indicator_range(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("pct", lo=0, hi=100, targets={
        "kiezbox": "{baseline: 0, baseline_date: 2024-01-01, target: 90, target_date: 2030-12-31}"})])
    v = value_rows(quarterly("kiezbox", "pct", "2024-Q1", [10.0 * k for k in range(1, 10)]))
    r = evaluate(cat, v, AS_OF).indicators.iloc[0]
    assert r["forecast"] == 100.0 and r["forecast_high"] == 100.0 and r["target_unlikely"] is False


def test_only_the_last_window_points_shape_the_trend(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("m", frequency="monthly", targets={"kiezbox": TARGET})])
    # 16 falling months, then WINDOW (24) rising months (+12 per year)
    vals = [500.0 - 50 * k for k in range(16)] + [100.0 + k for k in range(WINDOW)]
    rows = []
    start = 2023 * 12 + 0
    for k, val in enumerate(vals):
        m = start + k
        rows.append({"project": "kiezbox", "indicator": "m", "period": f"{m // 12}-{m % 12 + 1:02d}", "value": val})
    r = evaluate(cat, value_rows(rows), AS_OF).indicators.iloc[0]
    assert r["n_points"] == 40
    assert r["trend_slope"] == pytest.approx(12.0, rel=0.05)


def test_years_axis() -> None:
    assert years(np.array([365.25]))[0] == pytest.approx(1.0)


def test_chunked_batches_equal_one_batch() -> None:
    rng = np.random.default_rng(5)
    x = np.tile(np.arange(10, dtype=float), (50, 1))
    y = rng.normal(0, 1, (50, 10)) + x * rng.normal(0, 2, (50, 1))
    y[3, :7] = np.nan  # one too-short row
    whole = batch_theil_sen(x, y)
    parts = batch_theil_sen(x, y, chunk=7)
    for name in ("slope", "low_slope", "high_slope", "median_x", "median_y", "n"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), equal_nan=True)
    assert np.isnan(whole.slope[3])
