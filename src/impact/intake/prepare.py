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
from impact.intake.codes import Distinct, cat_codes, cat_values, categorical, codes_of, factorize_text, recode
from impact.intake.columns import RawTable
from impact.intake.numbers import may_carry_unit, standard_numbers, text_series, to_floats, without_unit
from impact.intake.quality import quality_grade

__all__ = ["AMBIGUOUS", "derive", "prepare"]

#: helper column (not checked by the suite): the value is ambiguous, a warning
AMBIGUOUS = "_ambiguous"
_YES_NO = pd.CategoricalDtype(["no", "yes"])


def _category(s: pd.Series) -> pd.Series:
    """The cells stripped of blanks, empty ones missing, as a categorical (worked out on the
    distinct values only; :func:`impact.intake.columns.build_table` gives categoricals already)."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("category")
    return recode(s, [t.strip() or None for t in cat_values(s).tolist()])


def derive(columns: list[pd.Series], func: Callable[..., Any], kind: str = "text") -> pd.Series:
    """``func(*cells)`` computed once per distinct combination of ``columns`` (missing cells are
    ``None``), spread back over all rows: a categorical (``kind="text"``, ``None`` → missing) or
    float (``kind="float"``, ``None`` → NaN) Series on the same index."""
    index = columns[0].index
    parts = [codes_of(col, wide=False) for col in columns]
    combos = Distinct([(codes, len(values)) for codes, values in parts])
    cells = [np.append(values, np.array([None], dtype=object))[c] for (_codes, values), c in zip(parts, combos.codes, strict=True)]
    results = [func(*row) for row in zip(*cells, strict=True)]
    if kind == "float":
        floats = np.array([np.nan if r is None else float(r) for r in results], dtype="float64")
        return pd.Series(combos.spread(floats), index=index, copy=False)
    codes, cats = factorize_text(results)
    return categorical(combos.spread(codes), cats, index)


def _numbers(value: pd.Series, indicators: pd.Series, table: RawTable, catalog: Catalog) -> dict[str, Any]:
    """The value column parsed (helper columns :data:`~impact.intake.expectations.H_VALUE_STD`,
    ``H_VALUE_NUM``, ``H_UNCLEAR`` and the ambiguity mask), worked out per distinct value (and,
    in a workbook, per distinct value and cell kind: a number cell and a text cell differ)."""
    codes, uniques = codes_of(value)
    if may_carry_unit(text_series(uniques)):  # rare: "12 %", "3,5 Std."
        codes, uniques = codes_of(without_unit(value, indicators, catalog))
    typed = None
    if table.typed_numbers is not None:
        key = np.where(codes < 0, -1, codes * 2 + np.asarray(table.typed_numbers, dtype=np.int64))
        codes, keys = pd.factorize(key, use_na_sentinel=False)
        codes = np.where(key < 0, -1, codes).astype(np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        real = keys >= 0
        uniques = np.array([uniques[k // 2] if k >= 0 else "" for k in keys.tolist()], dtype=object)
        typed = real & (keys % 2 == 1)
    distinct = text_series(uniques)
    std, unclear, ambiguous = standard_numbers(distinct, table.number_style, typed, ex.NUMBER_PATTERN)
    ok = std.str.fullmatch(ex.NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool) & ~unclear
    nums = to_floats(std, ok)
    # one more entry per distinct value for a missing cell: code -1 picks it
    std_codes, std_cats = factorize_text([*std.where(std.notna(), None).tolist(), None])
    unclear_codes, unclear_cats = factorize_text([*distinct.where(unclear, None).tolist(), None])
    index = value.index
    return {
        ex.H_VALUE_STD: categorical(std_codes[codes], std_cats, index),
        ex.H_VALUE_NUM: np.append(nums, np.nan)[codes],
        ex.H_UNCLEAR: categorical(unclear_codes[codes], unclear_cats, index),
        AMBIGUOUS: np.append(ambiguous, False)[codes],
    }


def _formula_columns(f: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """Per row: the user columns (comma-separated) whose cell starts like a formula (``=``; for some
    columns also ``+``, ``-``, ``@``: :data:`~impact.intake.expectations.FORMULA_PREFIXES`), else missing."""
    bits = np.zeros(len(index), dtype=np.int64)
    for i, col in enumerate(ex.USER_COLUMNS):
        prefixes = ex.FORMULA_PREFIXES.get(col, ex.FORMULA_PREFIX)
        hit = np.array([t.startswith(prefixes) for t in cat_values(f[col]).tolist()] + [False], dtype=bool)
        if hit.any():
            bits |= hit[cat_codes(f[col])].astype(np.int64) << i
    if not bits.any():
        return categorical(np.full(len(index), -1, dtype=np.int8), pd.Index([], dtype=object), index)
    present = np.unique(bits)  # formulas are rare: a few combinations of columns
    codes, cats = factorize_text([",".join(c for i, c in enumerate(ex.USER_COLUMNS) if int(n) >> i & 1) or None
                                  for n in present])
    return categorical(codes[np.searchsorted(present, bits)], cats, index)


def prepare(table: RawTable, catalog: Catalog) -> pd.DataFrame:
    """The submission frame with the helper columns the expectation suite checks.

    Catalog look-ups, period parsing and number parsing run once per distinct value (or
    combination), so a million rows cost little more than their distinct ids, periods and values.
    """
    raw = table.frame
    f: dict[str, Any] = {}
    absent = None  # a column the file does not have: every cell missing (one Series serves them all)
    for col in ex.USER_COLUMNS:
        if col in table.headers:
            f[col] = _category(raw[col])
        else:
            if absent is None:
                absent = categorical(np.full(len(raw), -1, dtype=np.int8), pd.Index([], dtype=object), raw.index)
            f[col] = absent
    f[ex.H_FORMULA] = _formula_columns(f, raw.index)
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

    f.update(_numbers(f["value"], iid, table, catalog))
    counts = derive([iid], lambda i: 1.0 if i in indicators and indicators[i].value_type == "count" else None,
                    "float").to_numpy()
    nums = f[ex.H_VALUE_NUM]
    with np.errstate(invalid="ignore"):
        f[ex.H_FRACTION] = np.abs(nums - np.round(nums)) * counts

    def unit_key(i: Any, u: Any) -> str | None:
        return f"{i}|{u.casefold()}" if i in indicators and u is not None else None

    f[ex.H_UNIT_KEY] = derive([iid, f["unit"]], unit_key)

    bd_lookup: dict[str, str] = {}
    for b in breakdowns.values():
        for name in (b.id, b.name.de, b.name.en):
            bd_lookup.setdefault(name.casefold(), b.id)
    f[ex.H_BREAKDOWN] = bd = derive([f["breakdown"]],
                                    lambda t: bd_lookup.get(t.casefold(), t) if t is not None else None)
    f[ex.H_INDICATOR_BREAKDOWN] = derive(
        [iid, bd], lambda i, b: f"{i}|{b}" if i in indicators and b in breakdowns else None)

    value_lookup: dict[tuple[str, str], str] = {}
    for b in breakdowns.values():
        for vid, vname in b.values.items():
            for name in (vid, vname.de, vname.en):
                value_lookup.setdefault((b.id, name.casefold()), vid)

    def value_id(b: Any, v: Any) -> str | None:
        return None if v is None else value_lookup.get((b, v.casefold()), v)

    f["_bdv_id"] = bdv = derive([bd, f["breakdown_value"]], value_id)
    f[ex.H_BREAKDOWN_VALUE_KEY] = derive(
        [bd, bdv], lambda b, v: f"{b}|{v}" if b in breakdowns and v is not None else None)
    f[ex.H_HAS_BREAKDOWN] = _given(f["breakdown"])
    f[ex.H_HAS_BREAKDOWN_VALUE] = _given(f["breakdown_value"])
    f[ex.H_KEY_BREAKDOWN] = derive([bd], lambda b: "" if b is None else b)
    f[ex.H_KEY_BREAKDOWN_VALUE] = derive([bdv], lambda v: "" if v is None else v)

    f[ex.H_QUALITY] = derive([f["quality"]], quality_grade)
    f[ex.H_EVIDENCE_NEEDED] = derive(
        [iid], lambda i: "yes" if i in indicators and indicators[i].evidence_required else None)
    f[ex.H_HAS_EVIDENCE] = _given(f["evidence"])
    return pd.DataFrame(f, index=raw.index, copy=False)


def _given(col: pd.Series) -> pd.Categorical:
    """``"yes"`` where the cell is filled in, else ``"no"`` (a categorical)."""
    return pd.Categorical.from_codes((cat_codes(col) >= 0).astype(np.int8), dtype=_YES_NO, validate=False)
