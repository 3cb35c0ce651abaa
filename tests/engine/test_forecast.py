"""The forecast band: each kind of series against a dense per-series computation (and the textbook
intervals it reduces to), the whole vectorised method against the plain reference, its calibration
on a small seeded simulation, cumulative counts that never fall, the outlook rule and its sentence."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine import forecast_reference as ref
from engine.helpers import indicator_yaml, quarterly, value_rows, write_catalog
from impact.core.errors import CatalogError
from impact.engine.evaluation import evaluate
from impact.engine.forecast import PHI_GRID, batch_forecast, outlook
from impact.engine.forecast_models import ar_trend, level_shift, prepare, random_walk
from impact.engine.story import status_sentence

AS_OF = dt.date(2026, 11, 21)
STEP = 0.25  # quarters, in years


def _series(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    t = np.arange(n, dtype=float)
    noise = rng.normal(0, 3, n)
    if kind == "walk":
        noise = np.cumsum(noise)
    elif kind == "shift":
        noise = noise + 15.0 * (t >= n // 2)
    return 100 + 4 * t + noise


@pytest.mark.parametrize("target", ["level", "sum"])
def test_each_kind_is_its_exact_kriging_predictor(target: str) -> None:
    """Vectorised components = dense generalised least squares (universal kriging) per series."""
    rng = np.random.default_rng(3)
    width, horizon = 14, 5
    rows = [(n, kind) for n in (5, 9, 14) for kind in ("noise", "walk", "shift")]
    x = np.full((len(rows), width), np.nan)
    y = np.full((len(rows), width), np.nan)
    for i, (n, kind) in enumerate(rows):
        x[i, width - n:] = 2024 + np.arange(n) * STEP
        y[i, width - n:] = _series(rng, n, kind)
    p, last, scale, _ = prepare(x, y, x[:, -1] + horizon * STEP)
    ar, walk, shift = ar_trend(p, PHI_GRID, target), random_walk(p, target), level_shift(p, target)
    offset = {"level": 1.0, "sum": float(horizon)}[target]  # the sum starts from h times the last value
    for i, (n, _) in enumerate(rows):
        t, yy = np.arange(n, dtype=float), y[i, width - n:]
        want = [ref.ar_component(t, yy, float(phi), horizon, target) for phi in PHI_GRID]
        want.append(ref.walk_component(t, yy, horizon, target))
        want += [ref.step_component(t, yy, k, horizon, target) for k in range(2, n - 1)]
        got_ll = np.r_[ar.loglik[i], walk.loglik[i], shift.loglik[i][np.isfinite(shift.loglik[i])]]
        got_mean = np.r_[ar.mean[i], walk.mean[i], shift.mean[i][np.isfinite(shift.loglik[i])]]
        got_var = np.r_[ar.var[i], walk.var[i], shift.var[i][np.isfinite(shift.loglik[i])]]
        w_ll, w_mean, w_var = (np.array(c) for c in zip(*want, strict=True))
        # standardised units: the log likelihood moves by −(n − 2) log(scale) for every component alike
        np.testing.assert_allclose(got_ll - got_ll[0], w_ll - w_ll[0], rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(offset * last[i] + scale[i] * got_mean, w_mean, rtol=1e-9)
        np.testing.assert_allclose(scale[i] ** 2 * got_var, w_var, rtol=1e-7)


def test_independent_scatter_is_the_textbook_ols_interval_and_the_walk_the_limit_of_ar1() -> None:
    x = np.arange(10, dtype=float)
    y = 3 * x + 5 + np.array([1, -1, 1, -1, 1, -1, 1, -1, 1, -1], dtype=float)
    p, last, scale, _ = prepare(x[None, :], y[None, :], np.array([14.0]))
    comp = ar_trend(p, np.array([0.0, 1 - 1e-7]), "level")
    lr = stats.linregress(x, y)
    s2 = ((y - lr.intercept - lr.slope * x) ** 2).sum() / 8
    assert last[0] + scale[0] * comp.mean[0, 0] == pytest.approx(lr.intercept + lr.slope * 14)
    assert scale[0] ** 2 * comp.var[0, 0] == pytest.approx(s2 * (1 + 1 / 10 + (14 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
    walk = random_walk(p, "level")  # the random walk with drift is AR(1) with φ → 1
    assert walk.loglik[0, 0] == pytest.approx(comp.loglik[0, 1], abs=1e-4)
    assert walk.mean[0, 0] == pytest.approx(comp.mean[0, 1], abs=1e-5)
    assert walk.var[0, 0] == pytest.approx(comp.var[0, 1], rel=1e-4)


def test_vectorised_forecast_equals_the_plain_reference() -> None:
    rng = np.random.default_rng(11)
    width, horizon = 16, 6
    cases = [(n, kind) for n in (4, 7, 12, 16) for kind in ("noise", "walk", "shift")]
    x = np.full((len(cases), width), np.nan)
    y = np.full((len(cases), width), np.nan)
    for i, (n, kind) in enumerate(cases):
        x[i, width - n:] = 2024 + np.arange(n) * STEP
        y[i, width - n:] = _series(rng, n, kind)
    fc = batch_forecast(x, y, x[:, -1] + horizon * STEP)
    for i, (n, _) in enumerate(cases):
        want = ref.forecast(np.arange(n, dtype=float), y[i, width - n:], horizon)
        width_band = want[2] - want[1]
        assert (fc.value[i], fc.low[i], fc.high[i]) == pytest.approx(want, abs=1e-5 * width_band), (n, i)


def test_vectorised_cumulative_forecast_equals_the_plain_reference() -> None:
    rng = np.random.default_rng(5)
    horizon, n = 8, 12
    intake = [rng.poisson(np.linspace(3, 12, n - 1)), rng.poisson(np.full(n - 1, 6)),
              np.r_[rng.poisson(2, 5), rng.poisson(9, n - 6)]]
    y = np.array([np.r_[10, 10 + np.cumsum(k)] for k in intake], dtype=float)
    x = np.tile(2024 + np.arange(n) * STEP, (len(y), 1))
    fc = batch_forecast(x, y, x[:, -1] + horizon * STEP, np.ones(len(y), dtype=bool))
    for i in range(len(y)):
        want = ref.cumulative_forecast(y[i], horizon, STEP)
        assert (fc.value[i], fc.low[i], fc.high[i]) == pytest.approx(want, abs=1e-5 * (want[2] - want[1])), i


def _coverage(y: np.ndarray, hist: int, cumulative: bool = False) -> float:
    m, n = y.shape
    x = np.tile(np.arange(1, n + 1) * STEP, (m, 1))
    fc = batch_forecast(x[:, :hist], y[:, :hist], x[:, -1], np.full(m, cumulative))
    return float(((y[:, -1] >= fc.low) & (y[:, -1] <= fc.high)).mean())


def test_the_90_percent_band_covers_about_90_percent_of_simulated_futures() -> None:
    """Calibration on a small seeded simulation (the full backtest is benchmarks/bench_forecast_backtest.py):
    twelve quarters of history, judged eight quarters later, 600 series per process."""
    rng = np.random.default_rng(20261127)
    m, hist, n = 600, 12, 20
    t = np.arange(1, n + 1) * STEP
    trend = rng.uniform(50, 150, (m, 1)) + rng.uniform(-10, 30, (m, 1)) * t
    sd = rng.uniform(2, 10, (m, 1))
    ar = np.zeros((m, n))
    ar[:, 0] = rng.standard_normal(m) / math.sqrt(1 - 0.36)
    for k in range(1, n):
        ar[:, k] = 0.6 * ar[:, k - 1] + rng.standard_normal(m)
    jump = rng.choice([-1, 1], (m, 1)) * rng.uniform(3, 6, (m, 1)) * (np.arange(n) >= rng.integers(2, hist - 1, (m, 1)))
    intake = rng.uniform(2, 20, (m, 1)) + rng.uniform(0, 1.5, (m, 1)) * np.arange(n)
    coverage = {
        "trend + noise": _coverage(trend + sd * rng.standard_normal((m, n)), hist),
        "AR(1)": _coverage(trend + sd * ar, hist),
        "level shift": _coverage(trend + sd * (jump + rng.standard_normal((m, n))), hist),
        "cumulative": _coverage(np.cumsum(rng.poisson(intake), axis=1).astype(float), hist, cumulative=True),
    }
    assert all(0.85 <= c <= 0.96 for c in coverage.values()), coverage


def test_gaps_and_left_over_padding_are_handled() -> None:
    """Points need not be right-aligned; a missing period leaves a gap in time, not a wrong step."""
    x = 2024 + np.arange(10) * STEP
    y = 100 + 8 * (x - 2024) + np.array([1, -2, 0, 2, -1, 1, 0, -2, 1, 0], dtype=float)
    aligned = batch_forecast(x[None, :], y[None, :], np.array([2027.0]))
    padded = batch_forecast(np.r_[np.nan, x[:5], np.nan, x[5:]][None, :], np.r_[np.nan, y[:5], np.nan, y[5:]][None, :],
                            np.array([2027.0]))
    assert (padded.value[0], padded.low[0], padded.high[0]) == pytest.approx((aligned.value[0], aligned.low[0], aligned.high[0]))
    gap = batch_forecast(np.delete(x, 4)[None, :], np.delete(y, 4)[None, :], np.array([2027.0]))
    assert gap.low[0] < 100 + 8 * 3 < gap.high[0] and gap.high[0] - gap.low[0] < 40


def test_cumulative_forecast_and_band_never_fall_below_the_last_value() -> None:
    rng = np.random.default_rng(2)
    x = np.tile(np.arange(8) * 0.25, (200, 1))
    y = np.cumsum(rng.poisson(rng.uniform(0, 3, (200, 1)), (200, 8)), axis=1).astype(float)
    fc = batch_forecast(x, y, np.full(200, 4.0), np.ones(200, dtype=bool))
    assert (fc.low >= y[:, -1]).all() and (fc.value >= y[:, -1]).all() and (fc.high >= fc.value).all()
    # a steady intake of 4 per quarter continues: about 16 per year
    steady = np.arange(1, 9, dtype=float) * 4
    fc = batch_forecast(x[:1], steady[None, :], np.array([3.75]), np.array([True]))
    assert fc.value[0] == pytest.approx(32 + 16 * 2, rel=1e-6)
    assert fc.low[0] == pytest.approx(64, rel=1e-6) and fc.high[0] == pytest.approx(64, rel=1e-6)


def test_outlook_rule() -> None:
    d = np.array(["higher_is_better"] * 3 + ["lower_is_better"] * 2 + ["target_band"] * 2, dtype=object)
    tgt = np.array([10, 10, 10, 5, 5, np.nan, np.nan], dtype=float)
    lo = np.array([11, 8, 2, 1, 4, 3, 0], dtype=float)
    hi = np.array([12, 12, 9, 4, 9, 4, 1], dtype=float)
    unlikely, view = outlook(d, tgt, np.array([np.nan] * 5 + [2, 2.0]), np.array([np.nan] * 5 + [5, 5.0]), lo, hi)
    assert list(view) == ["likely", "uncertain", "unlikely", "likely", "uncertain", "likely", "unlikely"]
    assert list(unlikely) == [False, False, True, False, False, False, True]
    u, v = outlook(d[:1], tgt[:1], np.array([np.nan]), np.array([np.nan]), np.array([np.nan]), np.array([np.nan]))
    assert u[0] is None and v[0] is None


def _cumulative_catalog(cat_dir: Path):  # type: ignore[no-untyped-def]
    text = indicator_yaml("datasets", hi=500, targets={
        "kiezbox": "{baseline: 0, baseline_date: 2024-01-01, target: 40, target_date: 2026-12-31}"})
    try:
        return write_catalog(cat_dir, [text.replace("    frequency:", "    cumulative: true\n    frequency:")])
    except CatalogError:  # a catalog model without the field yet: set it on the loaded indicator
        cat = write_catalog(cat_dir, [text])
        object.__setattr__(cat.indicators["datasets"], "cumulative", True)
        return cat


def test_kiezbox_open_datasets_never_forecast_to_fall(cat_dir: Path) -> None:
    """The case of the issue: a cumulative count at 20 was forecast to 18.7 (band 18.0–19.9)."""
    cat = _cumulative_catalog(cat_dir)
    v = value_rows(quarterly("kiezbox", "datasets", "2024-Q1", [3, 9, 14, 17, 19, 20, 20, 20, 20, 20]))
    r = evaluate(cat, v, AS_OF).indicators.iloc[0]
    assert bool(r["cumulative"])
    assert r["forecast_low"] >= 20 and r["forecast"] >= 20 and r["forecast_high"] >= r["forecast"]


def test_evaluation_outlook_columns_and_sentence(cat_dir: Path) -> None:
    target = "{baseline: 0, baseline_date: 2024-01-01, target: 1000, target_date: 2027-12-31}"
    cat = write_catalog(cat_dir, [indicator_yaml(i, targets={"kiezbox": target}) for i in ("fast", "slow", "past")])
    noise = [3.0, -2.0, 1.0, -4.0, 2.0, 0.0, -1.0, 3.0, -2.0, 1.0]
    v = value_rows(quarterly("kiezbox", "fast", "2024-Q1", [100.0 * k + e for k, e in enumerate(noise, 1)])
                   + quarterly("kiezbox", "slow", "2024-Q1", [10.0 * k + e for k, e in enumerate(noise, 1)]))
    ind = evaluate(cat, v, AS_OF).indicators.set_index("indicator_id")
    assert ind.loc["fast", "outlook"] == "likely" and ind.loc["fast", "target_unlikely"] is False
    assert ind.loc["slow", "outlook"] == "unlikely" and ind.loc["slow", "target_unlikely"] is True
    assert ind.loc["past", "outlook"] is None and math.isnan(ind.loc["past", "forecast"])
    slow = ind.loc["slow"].to_dict() | {"indicator_id": "slow"}
    assert status_sentence(pd.Series(slow), "de").endswith("wird das Ziel 2027 voraussichtlich verfehlt")
    assert "2027 target will probably be missed" in status_sentence(slow, "en")
    assert status_sentence({"status": "on_track", "outlook": "unlikely", "target_date": "2026-12-31"}, "de") == (
        "im Plan, aber bei gleichbleibendem Tempo wird das Ziel 2026 voraussichtlich verfehlt")
    assert status_sentence({"status": "no_data", "stale": True}, "en") == "no current data (the last value is outdated)"
    assert status_sentence({"status": "at_risk", "n_points": 2}, "en") == "at risk (too few values for a forecast)"


def test_target_date_already_passed_gives_no_forecast(cat_dir: Path) -> None:
    cat = write_catalog(cat_dir, [indicator_yaml("a", targets={
        "kiezbox": "{baseline: 0, baseline_date: 2022-01-01, target: 100, target_date: 2024-12-31}"})])
    v = value_rows(quarterly("kiezbox", "a", "2024-Q1", [10, 20, 30, 40, 50, 60]))
    r = evaluate(cat, v, AS_OF).indicators.iloc[0]
    assert math.isnan(r["forecast"]) and r["outlook"] is None and r["target_unlikely"] is None
    assert r["trend_note"] == "ok" and r["trend_slope"] > 0
