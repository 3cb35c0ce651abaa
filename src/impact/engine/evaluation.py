"""The evaluation: :func:`evaluate` puts the engine's steps together into a frozen :class:`Evaluation`.

Pure: DataFrames and the catalog in, a frozen object of new DataFrames out; nothing reads or
writes files and no input is modified. Everything is vectorised over the rows (numpy/pandas group
operations, no per-row Python), so millions of stored values evaluate in seconds
(``benchmarks/bench_scores.py``). The rules are in ``docs/methodology.md`` and, for readers of
reports, :func:`impact.engine.methodology.methodology_text`; each step has its module:

* :mod:`impact.engine.current` — which rows count (reference date, knowledge date, corrections);
* :mod:`impact.engine.path` and :mod:`impact.engine.progress` — the expected path, progress, status;
* :mod:`impact.engine.trends`, :mod:`impact.engine.forecast` — trend and forecast of each series;
* :mod:`impact.engine.scores` — scores, ladder, synergies;
* :mod:`impact.engine.completeness` — due and overdue periods;
* :mod:`impact.engine.scores_json` — the JSON form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.schema import KEY_COLUMNS, knowledge_cutoff
from impact.engine import completeness as completeness_step
from impact.engine import scores as scores_step
from impact.engine.assignments import assignments
from impact.engine.calendar import GRACE_DAYS, MONTHS, as_date, days, period_end_days, project_due_ordinal
from impact.engine.current import CurrentRows, current_rows, current_values
from impact.engine.forecast import MIN_POINTS as FORECAST_MIN_POINTS
from impact.engine.forecast import Forecast, batch_forecast, outlook
from impact.engine.path import expected_value as trajectory
from impact.engine.progress import (
    AT_RISK_TOLERANCE,
    ON_TRACK_TOLERANCE,
    STALE_PERIODS,
    STATUSES,
    compute_progress,
    expected_progress,
    stale,
    status,
)
from impact.engine.scores_json import completeness_json, indicator_json, number, score_json
from impact.engine.side_effects import TRADEOFF_COLUMNS, recent_change, tolerance_status, tradeoffs
from impact.engine.trends import MIN_POINTS, batch_theil_sen, window, years

__all__ = [
    "AT_RISK_TOLERANCE",
    "GRACE_DAYS",
    "KEY_COLUMNS",
    "ON_TRACK_TOLERANCE",
    "STALE_PERIODS",
    "STATUSES",
    "Evaluation",
    "compute_progress",
    "current_values",
    "evaluate",
    "trajectory",
]

# quality, evidence, review_state: from the store's values when it has them (empty otherwise)
REVIEW_COLUMNS = ["quality", "evidence", "review_state"]
SERIES_COLUMNS = ["project_id", "indicator_id", "period", "period_start", "value", "submission_id", "note",
                  *REVIEW_COLUMNS]
BREAKDOWN_COLUMNS = ["project_id", "indicator_id", "period", "period_start", "breakdown", "breakdown_value",
                     "value", "submission_id", "note", *REVIEW_COLUMNS]
INDICATOR_COLUMNS = [
    "project_id", "indicator_id", "level", "impact_step", "weight", "direction", "frequency", "unit",
    "period", "period_start", "value", "baseline", "baseline_date", "target", "target_date", "band_low",
    "band_high", "illustrative", "progress", "progress_raw", "expected_progress", "expected_value", "stale", "status",
    "n_points", "trend_slope", "trend_note", "forecast", "forecast_low", "forecast_high", "target_unlikely",
    "outlook", "cumulative", "effect", "target_original", "progress_original", "target_changed", "tolerance",
    "tolerance_status", "recent_change",
]


def __getattr__(name: str) -> Any:
    # METHODOLOGY of 0.1: the method text per language, now from the translation catalogue
    if name == "METHODOLOGY":
        from impact.engine.methodology import methodology_texts

        return methodology_texts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Lazy:
    """A DataFrame computed on first use, then kept."""

    def __init__(self, build: Callable[[], pd.DataFrame]) -> None:
        self._build: Callable[[], pd.DataFrame] | None = build
        self._value: pd.DataFrame | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Lazy:
        lazy = cls(lambda: frame)
        lazy._value, lazy._build = frame, None
        return lazy

    def get(self) -> pd.DataFrame:
        if self._value is None:
            assert self._build is not None
            self._value, self._build = self._build(), None
        return self._value


@dataclass(frozen=True)
class Evaluation:
    """Everything the reports, the explorer and ``impact scores`` show (column names are a
    contract, see docs/ARCHITECTURE.md "Engine"). Build with :func:`evaluate`.

    ``as_of`` is the reference date (*Stichtag*), ``known_at`` the knowledge date (*Datenstand*) as
    the exact UTC instant used (``None``: everything stored counted).
    Beyond the contract: ``indicators`` also has ``direction``, ``frequency``, ``unit``,
    ``band_low``/``band_high`` (NaN without band), ``illustrative`` and ``stale``;
    ``period_start``, ``baseline_date`` and ``target_date`` there are ``datetime.date``.
    ``ladder`` and ``completeness`` also have ``coverage`` and ``frequency``;
    ``shared_indicators`` also has ``status``; ``projects`` is the tuple of evaluated project
    ids. ``tradeoffs`` has one row per declared trade-off pair and project (``diverging`` when one
    series improves while the other worsens); unintended-effect indicators are in ``indicators``
    (with ``tolerance_status``) but not in ``scores`` or ``ladder``. ``series`` and ``breakdowns`` are properties built on first access (their
    ``period_start`` is passed through from the input).
    """

    as_of: dt.date
    indicators: pd.DataFrame
    scores: pd.DataFrame
    ladder: pd.DataFrame
    completeness: pd.DataFrame
    matrix_guiding_ideas: pd.DataFrame
    matrix_principles: pd.DataFrame
    shared_indicators: pd.DataFrame
    projects: tuple[str, ...] = ()
    _series: _Lazy = field(default_factory=lambda: _Lazy.of(pd.DataFrame(columns=SERIES_COLUMNS)),
                           repr=False, compare=False)
    _breakdowns: _Lazy = field(default_factory=lambda: _Lazy.of(pd.DataFrame(columns=BREAKDOWN_COLUMNS)),
                               repr=False, compare=False)
    known_at: pd.Timestamp | None = None
    tradeoffs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TRADEOFF_COLUMNS))

    @property
    def series(self) -> pd.DataFrame:
        """Current total values of the evaluated project × indicator pairs, sorted by project,
        indicator (catalog order) and period. Built on first access (it can be large)."""
        return self._series.get()

    @property
    def breakdowns(self) -> pd.DataFrame:
        """Current breakdown values (same columns + ``breakdown``, ``breakdown_value``), sorted
        like :attr:`series`. Built on first access."""
        return self._breakdowns.get()

    def project_ids(self) -> tuple[str, ...]:
        """The evaluated projects, in catalog order."""
        return self.projects

    def known_at_iso(self) -> str | None:
        """The knowledge date as ISO 8601 UTC text with ``Z`` (``None`` when everything counted)."""
        if self.known_at is None:
            return None
        return self.known_at.tz_convert("UTC").isoformat().replace("+00:00", "Z")

    def to_json(self, projects: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``impact scores --format json`` object (NaN → null). ``projects`` limits the
        ``projects`` part; the portfolio always covers every evaluated project."""
        chosen = [p for p in self.projects if projects is None or p in projects]
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), "known_at": self.known_at_iso(), "projects": {}}
        ind = self.indicators
        comp = self.completeness
        for pid in chosen:
            rows = ind[ind["project_id"] == pid]
            out["projects"][pid] = {
                "indicators": [indicator_json(r) for r in rows.to_dict("records")],
                **self._groups_json(pid),
                "ladder": {r["level"]: {"n_indicators": int(r["n_indicators"]), "n_with_data": int(r["n_with_data"]),
                                        "mean_progress": number(r["mean_progress"])}
                           for r in self.ladder[self.ladder["project_id"] == pid].to_dict("records")},
                "completeness": completeness_json(comp[comp["project_id"] == pid]),
                "tradeoffs": [{k: (bool(v) if k == "diverging" else v) for k, v in r.items() if k != "project_id"}
                              for r in self.tradeoffs[self.tradeoffs["project_id"] == pid].to_dict("records")],
            }
        out["portfolio"] = self._groups_json("portfolio")
        return out

    def _groups_json(self, scope: str) -> dict[str, Any]:
        # every group id is always listed (stable keys for scripts); a group without indicators
        # or without data has score null and coverage 0, with n_indicators telling which it is
        s = self.scores[self.scores["scope"] == scope]
        out: dict[str, Any] = {}
        for gtype, key in (("guiding_idea", "guiding_ideas"), ("principle", "principles"),
                           ("perspective", "perspectives")):
            out[key] = {r["group_id"]: score_json(r) for r in s[s["group_type"] == gtype].to_dict("records")}
        overall = s[s["group_type"] == "overall"].to_dict("records")
        out["overall"] = score_json(overall[0]) if overall else {"score": None, "coverage": 0.0,
                                                                "n_indicators": 0, "n_with_data": 0}
        return out


def _pairs(cur: CurrentRows, ind: pd.DataFrame, pids: list[str]) -> np.ndarray:
    """Assignment row of each current row (−1: not evaluated), through small lookup tables."""
    proj_index = {p: n for n, p in enumerate(pids)}
    ind_ids = list(dict.fromkeys(ind["indicator_id"]))
    ind_index = {i: n for n, i in enumerate(ind_ids)}
    # the last row/column (index −1) of the grid stands for "not evaluated": pair −1
    grid = np.full((len(pids) + 1, len(ind_ids) + 1), -1, dtype=np.int32)
    for n, (p, i) in enumerate(zip(ind["project_id"].tolist(), ind["indicator_id"].tolist(), strict=True)):
        grid[proj_index[p], ind_index[i]] = n
    p_map = np.array([proj_index.get(u, -1) for u in cur.project_uniques], dtype=np.int32)
    i_map = np.array([ind_index.get(u, -1) for u in cur.indicator_uniques], dtype=np.int32)
    if not len(cur.pos):
        return np.zeros(0, np.int32)
    return grid[p_map[cur.project_codes], i_map[cur.indicator_codes]]


@dataclass(frozen=True)
class _Totals:
    """The current total values of the evaluated pairs, sorted by pair then period."""

    rows: np.ndarray    # current-row numbers
    pair: np.ndarray
    ordinal: np.ndarray  # period ordinal in the indicator's frequency
    value: np.ndarray


def _totals(cur: CurrentRows, pair: np.ndarray, freq_months: np.ndarray) -> _Totals:
    t_rows = np.flatnonzero(cur.total & (pair >= 0))
    t_pair = pair[t_rows]
    t_ord = (cur.month[t_rows] // freq_months[t_pair]).astype(np.int32) if len(t_rows) else np.zeros(0, np.int32)
    if len(t_rows):
        sort_key = t_pair.astype(np.int64) * (int(t_ord.max()) + 1) + t_ord
        if not bool((sort_key[1:] >= sort_key[:-1]).all()):
            order = np.argsort(sort_key, kind="stable")
            t_rows, t_pair, t_ord = t_rows[order], t_pair[order], t_ord[order]
    vals = cur.values["value"]
    at = cur.pos[t_rows]
    if pd.api.types.is_numeric_dtype(vals.dtype):
        t_value = vals.to_numpy(dtype=float, na_value=np.nan)[at] if len(at) else np.zeros(0)
    else:
        t_value = pd.to_numeric(vals.take(at), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return _Totals(t_rows, t_pair, t_ord, t_value)


def _latest(cur: CurrentRows, tot: _Totals, n_pairs: int,
            freq_months: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: number of points, whether it has a value, the latest value, its ordinal and end day."""
    n_points = np.bincount(tot.pair, minlength=n_pairs)[:n_pairs] if n_pairs else np.zeros(0, np.int64)
    is_last = np.ones(len(tot.pair), dtype=bool)
    is_last[:-1] = tot.pair[1:] != tot.pair[:-1]
    last_rows = np.flatnonzero(is_last)
    latest_pos = np.full(n_pairs, -1, dtype=np.int64)
    latest_pos[tot.pair[last_rows]] = last_rows
    has_val = latest_pos >= 0
    lp = np.where(has_val, latest_pos, 0)
    value = np.where(has_val, tot.value[lp] if len(tot.value) else np.nan, np.nan)
    latest_ord = np.where(has_val, tot.ordinal[lp] if len(tot.ordinal) else -1, -1).astype(np.int64)
    latest_end = np.where(has_val, period_end_days(latest_ord, freq_months), 0)
    return n_points, latest_pos, value, latest_ord, latest_end


def _trends(tot: _Totals, freq_months: np.ndarray, ind: pd.DataFrame,
            tdays: np.ndarray) -> tuple[np.ndarray, Forecast, np.ndarray]:
    """Theil–Sen slope, the forecast at the target date and the recent change of every pair."""
    n_pairs = len(ind)
    cumulative = ind["cumulative"].to_numpy(dtype=bool)
    change = np.full(n_pairs, "no_data", dtype=object)
    nan = np.full(n_pairs, np.nan)
    x = years(period_end_days(tot.ordinal, freq_months[tot.pair])) if len(tot.pair) else np.zeros(0)
    present, xm, ym = window(tot.pair, x, tot.value, n_pairs)
    slope, mid, low, high = nan, nan.copy(), nan.copy(), nan.copy()
    if len(present):
        slope = nan.copy()
        slope[present] = batch_theil_sen(xm, ym).slope
        at = years(tdays[present])
        # a target date already passed has nothing to forecast; short series get none either
        ahead = np.flatnonzero((at > np.nanmax(xm, axis=1)) & ((~np.isnan(ym)).sum(axis=1) >= FORECAST_MIN_POINTS))
        fc = batch_forecast(xm[ahead], ym[ahead], at[ahead], cumulative[present][ahead])
        rows = present[ahead]
        mid[rows], low[rows], high[rows] = fc.value, fc.low, fc.high
        change[present] = recent_change(ym, ind["direction"].to_numpy(dtype=object)[present],
                                        ind["band_low"].to_numpy(dtype=float)[present],
                                        ind["band_high"].to_numpy(dtype=float)[present])[1]
    return slope, Forecast(mid, low, high), change


def evaluate(catalog: Catalog, values: pd.DataFrame, as_of: dt.date, *, known_at: Any = None,
             projects: Sequence[str] | None = None) -> Evaluation:
    """Evaluate the stored ``values`` against the catalog for the reference date ``as_of``.

    ``known_at`` is the knowledge date: only rows received by then count (a date means the end of
    that day, UTC; ``None`` = every row given). ``projects`` limits the evaluation (and the
    portfolio) to those project ids (catalog order is kept; unknown ids raise ``ValueError``).
    See docs/methodology.md for every rule.
    """
    as_of = as_date(as_of)
    cutoff = knowledge_cutoff(known_at)
    if projects is None:
        pids = list(catalog.projects)
    else:
        unknown = [p for p in projects if p not in catalog.projects]
        if unknown:
            raise ValueError(f"unknown project id(s): {', '.join(unknown)}")
        pids = [p for p in catalog.projects if p in set(projects)]
    cur = current_rows(values, as_of, cutoff)
    ind, targets = assignments(catalog, pids, as_of)
    n_pairs = len(ind)
    pair = _pairs(cur, ind, pids)
    freq_months = ind["frequency"].map(MONTHS).to_numpy(dtype=np.int64) if n_pairs else np.zeros(0, np.int64)
    tot = _totals(cur, pair, freq_months)
    n_points, latest_pos, value, latest_ord, latest_end = _latest(cur, tot, n_pairs, freq_months)
    has_val = latest_pos >= 0
    period = np.full(n_pairs, None, dtype=object)
    pstart = np.full(n_pairs, None, dtype=object)
    if has_val.any():
        src = tot.rows[latest_pos[has_val]]
        period[has_val] = cur.column("period", src).astype(object).to_numpy()
        pstart[has_val] = [dt.date(int(m) // 12, int(m) % 12 + 1, 1) for m in cur.month[src]]

    # ---- progress, expected, stale, status
    base = ind["baseline"].to_numpy(dtype=float)
    tgt = ind["target"].to_numpy(dtype=float)
    lo = ind["band_low"].to_numpy(dtype=float)
    hi = ind["band_high"].to_numpy(dtype=float)
    raw = compute_progress(value, base, tgt, lo, hi) if n_pairs else np.zeros(0)
    prog = np.clip(raw, 0.0, 1.0)
    ref_day = np.where(has_val, latest_end, days(as_of))
    expected, expected_val = expected_progress(targets, ref_day, as_of)
    due_of = {(p, f): project_due_ordinal(as_of, f, catalog.projects[p].end)
              for p, f in set(zip(ind["project_id"].tolist(), ind["frequency"].tolist(), strict=True))}
    due = np.array([due_of[(p, f)] for p, f in zip(ind["project_id"].tolist(), ind["frequency"].tolist(),
                                                     strict=True)], dtype=np.int64)
    is_stale = stale(has_val, latest_ord, due)
    with_data = has_val & ~is_stale & ~np.isnan(value)
    judged = status(prog, expected, with_data)
    judged[with_data & np.isnan(tgt) & np.isnan(lo)] = None  # a side effect watched by its tolerance alone
    orig_raw = compute_progress(value, base, ind["target_original"].to_numpy(dtype=float),
                                ind["_original_band_low"].to_numpy(dtype=float),
                                ind["_original_band_high"].to_numpy(dtype=float)) if n_pairs else np.zeros(0)
    tol_days = np.array([np.nan if d is None else days(d) for d in ind["_tolerance_date"].tolist()], dtype=float)
    tol_status = tolerance_status(np.where(with_data, value, np.nan), ind["direction"].to_numpy(dtype=object),
                                  ind["tolerance"].to_numpy(dtype=float), tol_days, latest_end.astype(float))

    # ---- trends on the last WINDOW totals per pair
    tdays = np.array([days(d) for d in ind["target_date"].tolist()], dtype=np.int64)
    slope, fc, change = _trends(tot, freq_months, ind, tdays)
    vmin = ind["_min"].to_numpy(dtype=float)
    vmax = ind["_max"].to_numpy(dtype=float)
    f_mid, f_low, f_high = (np.clip(a, np.where(np.isnan(vmin), -np.inf, vmin), np.where(np.isnan(vmax), np.inf, vmax))
                            for a in (fc.value, fc.low, fc.high))
    unlikely, view = outlook(ind["direction"].to_numpy(dtype=object), tgt, lo, hi, f_low, f_high)

    out = ind.assign(
        period=pd.Series(period, dtype=object), period_start=pd.Series(pstart, dtype=object), value=value,
        progress=np.where(has_val, prog, np.nan), progress_raw=raw, expected_progress=expected,
        expected_value=expected_val, stale=is_stale,
        status=pd.Series(judged, dtype=object), n_points=n_points.astype(np.int64), trend_slope=slope,
        trend_note=np.where(n_points >= MIN_POINTS, "ok", "too_short").astype(object),
        forecast=f_mid, forecast_low=f_low, forecast_high=f_high, target_unlikely=pd.Series(unlikely, dtype=object),
        outlook=pd.Series(view, dtype=object), progress_original=np.where(has_val, np.clip(orig_raw, 0.0, 1.0), np.nan),
        tolerance_status=pd.Series(tol_status, dtype=object), recent_change=pd.Series(change, dtype=object),
    )[INDICATOR_COLUMNS]

    intended = (out["effect"] != "unintended").to_numpy(dtype=bool)  # side effects are not scored
    scored = out[intended].reset_index(drop=True)
    scores = scores_step.scores(catalog, scored, with_data[intended], pids)
    return Evaluation(
        as_of, out, scores, scores_step.ladder(scored, with_data[intended], pids),
        completeness_step.completeness(catalog, ind, tot.pair, tot.ordinal, as_of),
        scores_step.matrix(scores, "guiding_idea", pids, list(catalog.guiding_ideas)),
        scores_step.matrix(scores, "principle", pids, list(catalog.principles)),
        scores_step.shared(out), tuple(pids),
        _Lazy(lambda: cur.frame(SERIES_COLUMNS, tot.rows)), _Lazy(lambda: _breakdown_frame(cur, pair)),
        known_at=cutoff, tradeoffs=tradeoffs(catalog, out, pids))


def _breakdown_frame(cur: CurrentRows, pair: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(~cur.total & (pair >= 0))
    if len(rows):
        rows = rows[np.lexsort((cur.month[rows], pair[rows]))]
    return cur.frame(BREAKDOWN_COLUMNS, rows)
