"""Helper columns for the expectation suite: parse periods and numbers, look catalog facts up.

:func:`prepare` turns a :class:`impact.intake.columns.RawTable` into the frame the suite of
:mod:`impact.intake.expectations` checks (the submission columns, blanks as missing, plus the
helper columns listed in ``HELPER_COLUMNS``). Catalog look-ups and period parsing run once per
distinct value or combination (:func:`derive`), so a million rows cost little more than their
distinct ids and periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.periods import parse_period
from impact.intake import expectations as ex
from impact.intake.columns import RawTable
from impact.intake.numbers import standard_numbers, without_unit

__all__ = ["AMBIGUOUS", "derive", "prepare"]

#: helper column (not checked by the suite): the value is ambiguous, a warning
AMBIGUOUS = "_ambiguous"


def _nullable(s: pd.Series) -> pd.Series:
    """Strip blanks; empty cells become missing (``None``)."""
    s = s.str.strip()
    return s.where(s.ne(""), None)


def derive(columns: list[pd.Series], func: Callable[..., Any], kind: str = "text") -> pd.Series:
    """``func(*cells)`` computed once per distinct combination of ``columns`` (missing cells are
    ``None``), spread back over all rows: a categorical (``kind="text"``, ``None`` → missing) or
    float (``kind="float"``, ``None`` → NaN) Series on the same index."""
    index = columns[0].index
    n = len(index)
    combined = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        combined = combined * (len(uniques) + 1) + (codes.astype(np.int64) + 1)
        combined = pd.factorize(combined)[0].astype(np.int64)  # 0..k-1, keeps the numbers small
    k = int(combined.max()) + 1 if n else 0
    rep = np.zeros(k, dtype=np.int64)
    rep[combined] = np.arange(n)  # some row of each group (all rows of a group agree)
    cells = [[None if pd.isna(v) else v for v in col.iloc[rep].to_numpy(dtype=object)] for col in columns]
    results = [func(*vals) for vals in zip(*cells, strict=True)]
    if kind == "float":
        values = np.array([np.nan if r is None else float(r) for r in results] + [np.nan], dtype="float64")
        return pd.Series(values[combined], index=index, dtype="float64")
    res_codes, res_uniques = pd.factorize(pd.Series(results, dtype=object), use_na_sentinel=True)
    res_codes = np.append(res_codes, -1)
    cat = pd.Categorical.from_codes(res_codes[combined], categories=pd.Index(res_uniques, dtype=object).astype(str))
    return pd.Series(cat, index=index)


def _formula_columns(f: pd.DataFrame) -> pd.Series:
    """Per row: the user columns (comma-separated) whose cell starts with ``=``, else missing."""
    bits = np.zeros(len(f), dtype=np.int64)
    for i, col in enumerate(ex.USER_COLUMNS):
        hit = f[col].str.startswith(ex.FORMULA_PREFIX).fillna(False).to_numpy(dtype=bool)
        bits |= hit.astype(np.int64) << i
    codes, uniques = pd.factorize(bits)
    names = [",".join(c for i, c in enumerate(ex.USER_COLUMNS) if int(u) >> i & 1) or None for u in uniques]
    res_codes, res_uniques = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
    cat = pd.Categorical.from_codes(res_codes[codes], categories=pd.Index(res_uniques, dtype=object).astype(str))
    return pd.Series(cat, index=f.index)


def prepare(table: RawTable, catalog: Catalog) -> pd.DataFrame:
    """The submission frame with the helper columns the expectation suite checks.

    Catalog look-ups and period parsing run once per distinct value (or combination), so a
    million rows cost little more than their distinct ids and periods.
    """
    raw = table.frame
    f = pd.DataFrame(index=raw.index)
    for col in ex.USER_COLUMNS:
        f[col] = _nullable(raw[col])
    for col in ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value"):
        f[col] = f[col].astype("category")  # few distinct values: factorised once, reused below
    f[ex.H_FORMULA] = _formula_columns(f)
    projects, indicators, breakdowns = catalog.projects, catalog.indicators, catalog.breakdowns
    pid, iid = f["project_id"], f["indicator_id"]

    def ordinal(day: dt.date | None) -> int | None:
        return day.toordinal() if day else None

    f[ex.H_PROJECT_START] = derive([pid], lambda p: ordinal(projects[p].start) if p in projects else None, "float")
    f[ex.H_PROJECT_END] = derive([pid], lambda p: ordinal(projects[p].end) if p in projects else None, "float")
    f[ex.H_ASSIGNMENT] = derive([pid, iid], lambda p, i: f"{p}|{i}" if p in projects and i in indicators else None)
    f[ex.H_INDICATOR_FREQ] = derive([iid], lambda i: indicators[i].frequency if i in indicators else None)
    f[ex.H_MIN] = derive([iid], lambda i: indicators[i].min if i in indicators else None, "float")
    f[ex.H_MAX] = derive([iid], lambda i: indicators[i].max if i in indicators else None, "float")

    period = f["period"]

    def period_attr(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def inner(text: Any) -> Any:
            p = parse_period(text) if text is not None else None
            return get(p) if p is not None else None
        return inner

    f[ex.H_PERIOD_LABEL] = derive([period], period_attr(lambda p: p.label))
    f[ex.H_PERIOD_FREQ] = derive([period], period_attr(lambda p: p.frequency))
    f[ex.H_PERIOD_START] = derive([period], period_attr(lambda p: p.start.toordinal()), "float")
    f[ex.H_PERIOD_END] = derive([period], period_attr(lambda p: p.end.toordinal()), "float")

    std, unclear, ambiguous = standard_numbers(without_unit(f["value"], iid, catalog), table.number_style,
                                               table.typed_numbers, ex.NUMBER_PATTERN)
    f[ex.H_VALUE_STD] = std
    ok = std.str.fullmatch(ex.NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool) & ~unclear
    with np.errstate(over="ignore"):
        nums = pd.to_numeric(std.where(ok, None), errors="coerce").astype("float64")
    f[ex.H_VALUE_NUM] = nums
    f[ex.H_UNCLEAR] = f["value"].where(unclear, None)
    f[AMBIGUOUS] = ambiguous
    counts = derive([iid], lambda i: 1.0 if i in indicators and indicators[i].value_type == "count" else None,
                    "float")
    with np.errstate(invalid="ignore"):
        f[ex.H_FRACTION] = (nums - nums.round()).abs() * counts

    def unit_key(i: Any, u: Any) -> str | None:
        return f"{i}|{u.casefold()}" if i in indicators and u is not None else None

    f[ex.H_UNIT_KEY] = derive([iid, f["unit"]], unit_key)

    bd_lookup: dict[str, str] = {}
    for b in breakdowns.values():
        for name in (b.id, b.name.de, b.name.en):
            bd_lookup.setdefault(name.casefold(), b.id)
    f[ex.H_BREAKDOWN] = derive([f["breakdown"]], lambda t: bd_lookup.get(t.casefold(), t) if t is not None else None)
    bd = f[ex.H_BREAKDOWN]
    f[ex.H_INDICATOR_BREAKDOWN] = derive(
        [iid, bd], lambda i, b: f"{i}|{b}" if i in indicators and b in breakdowns else None)

    value_lookup: dict[tuple[str, str], str] = {}
    for b in breakdowns.values():
        for vid, vname in b.values.items():
            for name in (vid, vname.de, vname.en):
                value_lookup.setdefault((b.id, name.casefold()), vid)

    def value_id(b: Any, v: Any) -> str | None:
        return None if v is None else value_lookup.get((b, v.casefold()), v)

    f["_bdv_id"] = derive([bd, f["breakdown_value"]], value_id)
    f[ex.H_BREAKDOWN_VALUE_KEY] = derive(
        [bd, f["_bdv_id"]], lambda b, v: f"{b}|{v}" if b in breakdowns and v is not None else None)
    yes_no = ["no", "yes"]
    f[ex.H_HAS_BREAKDOWN] = pd.Categorical.from_codes(f["breakdown"].notna().to_numpy().astype("int8"), yes_no)
    f[ex.H_HAS_BREAKDOWN_VALUE] = pd.Categorical.from_codes(
        f["breakdown_value"].notna().to_numpy().astype("int8"), yes_no)
    f[ex.H_KEY_BREAKDOWN] = derive([bd], lambda b: "" if b is None else b)
    f[ex.H_KEY_BREAKDOWN_VALUE] = derive([f["_bdv_id"]], lambda v: "" if v is None else v)
    return f
