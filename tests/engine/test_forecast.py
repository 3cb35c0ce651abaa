"""The forecast band: the vectorised method against a plain per-series computation, the textbook
OLS prediction interval where residuals are not autocorrelated, cumulative counts that never fall,
clipping, the outlook rule and its sentence."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine.helpers import indicator_yaml, quarterly, value_rows, write_catalog
from impact.core.errors import CatalogError
from impact.engine.evaluation import evaluate
from impact.engine.forecast import LEVEL, RHO_MAX, batch_forecast, outlook
from impact.engine.story import status_sentence

AS_OF = dt.date(2026, 11, 21)


def _reference(x: np.ndarray, y: np.ndarray, at: float) -> tuple[float, float, float]:
    """The documented method for one series, written plainly (numpy polyfit, scipy's t)."""
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    s2 = float(resid @ resid) / (n - 2)
    raw = float(resid[1:] @ resid[:-1]) / float(resid @ resid)
    rho = min(max(raw + (2 + 4 * max(raw, 0.0)) / n, 0.0), RHO_MAX)
    h = max((at - x[-1]) / ((x[-1] - x[0]) / (n - 1)), 0.0)
    infl = (1 + rho) / (1 - rho)
    mid = intercept + slope * at + rho ** h * resid[-1]
    var = s2 * ((1 - rho ** (2 * h)) + infl * (1 / n + (at - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
    dof = min(max(n / infl - 2, 2.0), n - 2)
    half = stats.t.ppf(0.5 + LEVEL / 2, dof) * math.sqrt(var)
    return mid, mid - half, mid + half


def test_vectorised_equals_the_plain_computation_on_test_series() -> None:
    rng = np.random.default_rng(11)
    xs, ys, want = [], [], []
    for n in (4, 6, 12, 24):
        for kind in range(3):
            x = 2024 + np.arange(n) * 0.25
            noise = rng.normal(0, 3, n)
            if kind == 1:  # autocorrelated
                noise = np.cumsum(noise) * 0.7
            y = 100 + 12 * (x - 2024) + noise
            xs.append(np.pad(x, (24 - n, 0), constant_values=np.nan))
            ys.append(np.pad(y, (24 - n, 0), constant_values=np.nan))
            want.append(_reference(x, y, 2028.0))
    fc = batch_forecast(np.array(xs), np.array(ys), np.full(len(xs), 2028.0))
    np.testing.assert_allclose(np.c_[fc.value, fc.low, fc.high], np.array(want), rtol=1e-9)


def test_without_autocorrelation_it_is_the_textbook_ols_prediction_interval() -> None:
    x = np.arange(10, dtype=float)
    y = 3 * x + 5 + np.array([1, -1, 1, -1, 1, -1, 1, -1, 1, -1], dtype=float)  # alternating: ρ clips to 0
    fc = batch_forecast(x[None, :], y[None, :], np.array([14.0]))
    lr = stats.linregress(x, y)
    s = math.sqrt(((y - lr.intercept - lr.slope * x) ** 2).sum() / 8)
    se = s * math.sqrt(1 + 1 / 10 + (14 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    mid = lr.intercept + lr.slope * 14
    assert fc.rho[0] == 0.0
    assert (fc.value[0], fc.low[0], fc.high[0]) == (pytest.approx(mid), pytest.approx(mid - stats.t.ppf(0.95, 8) * se),
                                                    pytest.approx(mid + stats.t.ppf(0.95, 8) * se))


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
