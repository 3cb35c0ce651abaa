"""Plausibility warnings against the stored history, and which of them need confirmation.

* ``implausible_jump``: a value far off its series' course (the rule: :mod:`impact.intake.jump_rule`).
* ``cumulative_decrease``: for an indicator the catalog marks ``cumulative`` (a total since the
  project start, which never falls), a value below the value of the previous period of its
  series — the nearest earlier period, in the file or stored (a value in the file wins over the
  stored one for the same period). The warning names both periods.

A row flagged by one of these (:data:`impact.intake.problems.CONFIRM_CODES`) that would replace a
stored value of the same key is an *implausible correction*: :func:`check_plausibility` also
returns an ``implausible_correction`` problem for it, and the store keeps such a file only when
the submitter confirms (see ARCHITECTURE.md, "Plausibility and confirmation").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.errors import Problem
from impact.core.periods import parse_period
from impact.intake import expectations as ex
from impact.intake.columns import RawTable
from impact.intake.jump_rule import DAYS, expected_values, scale_floor, shown
from impact.intake.prepare import derive
from impact.intake.problems import CONFIRM_CODES, problem

__all__ = ["Plausibility", "check_plausibility"]

_SERIES = ["project_id", "indicator_id", "breakdown", "breakdown_value"]
_CHUNK = 50_000  # submitted rows compared at a time (bounds memory: chunk × 8 × 8 floats)


@dataclass
class Plausibility:
    """Warnings (``implausible_jump``, ``cumulative_decrease``) and the ``implausible_correction``
    problems of flagged rows that would replace a stored value."""

    warnings: list[Problem] = field(default_factory=list)
    corrections: list[Problem] = field(default_factory=list)


def _period_days(h: pd.DataFrame) -> pd.Series:
    """Day ordinal of each history row's period start (float, NaN when unknown)."""
    days = pd.Series(np.nan, index=h.index, dtype="float64")
    if "period_start" in h:
        start = pd.to_datetime(h["period_start"], errors="coerce")
        ok = start.notna().to_numpy()
        if ok.any():
            days[ok] = (start[ok].dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy() \
                + dt.date(1970, 1, 1).toordinal()
        if ok.all():
            return days
    labels = h["period"].astype(str)
    parsed = derive([labels.astype("category")], lambda t: p.start.toordinal() if (p := parse_period(t)) else None,
                    "float")
    return days.fillna(parsed)


def _submitted(f: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The file's rows with a period and a number: series key, day, value, label, limits."""
    sub = pd.DataFrame({"row": f.index.to_numpy(), "project_id": f["project_id"].astype(object).to_numpy(),
                        "indicator_id": f["indicator_id"].astype(object).to_numpy(),
                        "breakdown": f[ex.H_KEY_BREAKDOWN].astype(object).to_numpy(),
                        "breakdown_value": f[ex.H_KEY_BREAKDOWN_VALUE].astype(object).to_numpy(),
                        "t": f[ex.H_PERIOD_START].to_numpy(dtype="float64"),
                        "v": f[ex.H_VALUE_NUM].to_numpy(dtype="float64"),
                        "label": f[ex.H_PERIOD_LABEL].astype(object).to_numpy(),
                        "min": f[ex.H_MIN].to_numpy(dtype="float64"), "max": f[ex.H_MAX].to_numpy(dtype="float64")})
    sub = sub[np.isfinite(sub["t"].to_numpy()) & np.isfinite(sub["v"].to_numpy())]
    for col in _SERIES:
        sub[col] = sub[col].fillna("").astype(str)
    return sub


def _current(history: pd.DataFrame | None, series: pd.MultiIndex) -> pd.DataFrame:
    """The stored current value (newest received) per series code and day, for ``series`` only."""
    empty = pd.DataFrame({"code": pd.Series(dtype="int64"), "t": pd.Series(dtype="float64"),
                          "v": pd.Series(dtype="float64"), "label": pd.Series(dtype=object)})
    if history is None or history.empty or not {"project_id", "indicator_id", "period", "value"} <= set(history):
        return empty
    h = history[[c for c in (*_SERIES, "period", "period_start", "value", "received_at") if c in history]].copy()
    for col in _SERIES:
        h[col] = h[col].fillna("").astype(str) if col in h else ""
    code = series.get_indexer(pd.MultiIndex.from_frame(h[_SERIES]))
    h = h[code >= 0]
    if h.empty:
        return empty
    h["code"] = code[code >= 0]
    h["t"] = _period_days(h)
    h["v"] = pd.to_numeric(h["value"], errors="coerce")
    h["label"] = h["period"].astype(str)
    h = h[np.isfinite(h["t"].to_numpy()) & np.isfinite(h["v"].to_numpy())]
    if "received_at" in h:  # the current value per period: the newest received
        h = h.sort_values("received_at", kind="stable")
    h = h.drop_duplicates(["code", "t"], keep="last").sort_values(["code", "t"])
    return h[["code", "t", "v", "label"]].reset_index(drop=True)


def check_plausibility(f: pd.DataFrame, table: RawTable, history: pd.DataFrame | None,
                       catalog: Catalog) -> Plausibility:
    """The plausibility warnings of the prepared frame ``f`` against ``history`` (stored value rows)."""
    sub = _submitted(f, catalog)
    if sub.empty:
        return Plausibility()
    series = pd.MultiIndex.from_frame(sub[_SERIES]).unique()  # only the series this file touches
    sub["code"] = series.get_indexer(pd.MultiIndex.from_frame(sub[_SERIES]))
    h = _current(history, series)
    column = table.header("value")
    warnings = [*_jumps(sub, h, catalog, column), *_decreases(sub, h, catalog, column)]
    warnings.sort(key=lambda p: (p.row or 0, p.code))
    return Plausibility(warnings, _corrections(warnings, sub, h, column))


def _jumps(sub: pd.DataFrame, h: pd.DataFrame, catalog: Catalog, column: str) -> list[Problem]:
    """``implausible_jump`` warnings (the rule: :mod:`impact.intake.jump_rule`)."""
    if h.empty:
        return []
    floor = derive([sub["indicator_id"].astype("category")], lambda i: scale_floor(catalog, i), "float")
    sub = sub.assign(floor=floor.to_numpy(dtype="float64")).sort_values(["code", "t"], kind="stable")
    s_code = sub["code"].to_numpy(dtype="int64")
    hc, ht = h["code"].to_numpy(dtype="int64"), h["t"].to_numpy(dtype="float64")
    stored = (hc, hc * DAYS + ht, ht, h["v"].to_numpy(dtype="float64"))
    out = []
    for lo in range(0, len(sub), _CHUNK):
        part = sub.iloc[lo:lo + _CHUNK]
        flagged, expected, low, high = expected_values(*stored, s_code[lo:lo + _CHUNK], part["t"].to_numpy(),
                                                       part["v"].to_numpy(), part["min"].to_numpy(),
                                                       part["max"].to_numpy(), part["floor"].to_numpy())
        for i in np.flatnonzero(flagged):
            out.append(problem("implausible_jump", int(part["row"].iat[i]), column, hint="jump",
                               value=float(part["v"].iat[i]), expected=shown(expected[i]),
                               low=shown(low[i]), high=shown(high[i])))
    return out


def _decreases(sub: pd.DataFrame, h: pd.DataFrame, catalog: Catalog, column: str) -> list[Problem]:
    """``cumulative_decrease`` warnings: a cumulative series falls from the previous period."""
    cumulative = {i.id for i in catalog.indicators.values() if getattr(i, "cumulative", False)}
    mine = sub[sub["indicator_id"].isin(cumulative)]
    if mine.empty:
        return []
    stored = h[h["code"].isin(mine["code"].unique())].assign(row=-1, src=0)
    both = pd.concat([stored, mine[["code", "t", "v", "label", "row"]].assign(src=1)], ignore_index=True)
    both = both.sort_values(["code", "t", "src"], kind="stable").drop_duplicates(["code", "t"], keep="last")
    prev = both.groupby("code", sort=False)[["v", "label"]].shift(1)
    v, pv = both["v"].to_numpy(dtype="float64"), prev["v"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        falls = (both["src"].to_numpy() == 1) & (v < pv - 1e-9 * np.maximum(1.0, np.abs(pv)))
    indicator = dict(zip(mine["row"], mine["indicator_id"], strict=True))
    out = []
    for i in np.flatnonzero(falls):
        row = int(both["row"].iat[i])
        out.append(problem("cumulative_decrease", row, column, hint="cumulative", value=float(v[i]),
                           period=str(both["label"].iat[i]), previous=float(pv[i]),
                           previous_period=str(prev["label"].iat[i]), indicator=indicator[row]))
    return out


def _corrections(warnings: list[Problem], sub: pd.DataFrame, h: pd.DataFrame, column: str) -> list[Problem]:
    """``implausible_correction`` for each flagged row that replaces a stored value of its key."""
    rows = sorted({p.row for p in warnings if p.code in CONFIRM_CODES and p.row is not None})
    if not rows or h.empty:
        return []
    flagged = sub[sub["row"].isin(rows)].merge(h[["code", "t", "v"]], on=["code", "t"], suffixes=("", "_stored"))
    return [problem("implausible_correction", int(r.row), column, hint="confirm", value=float(r.v),
                    stored=float(r.v_stored), period=str(r.label))
            for r in flagged.sort_values("row").itertuples(index=False)]
