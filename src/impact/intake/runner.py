"""Running the expectation suite fast: each expectation on the smallest frame that decides it.

The suite of :mod:`impact.intake.expectations` is the one statement of the rules; this module
executes it without starting Great Expectations, with the same semantics as GX's pandas engine
(the conditions below mirror GX 1.x's ``_pandas`` metric implementations, including how nulls
and ``ignore_row_if`` skip rows):

* An expectation whose columns are all categorical (ids, periods, units, breakdowns and the
  helper columns derived from them) is decided on the **distinct combinations** of those
  columns — a few hundred rows for a million-row file — and the verdict is mapped back to every
  row with that combination.
* An expectation over a per-row column (the value and its parsed forms) is evaluated
  **vectorised on the full column**.
* ``expect_compound_columns_to_be_unique`` counts key combinations over all rows.

The outcome (failing rows per expectation, in suite order) is identical to running the suite
with GX on the whole frame (:func:`impact.intake.gx.run_checks`); a property-based test compares
the two on random files, and ``engine="gx"`` in :func:`impact.intake.validation.validate_bytes`
runs GX itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from impact.intake.codes import Distinct, cat_codes, cat_values, combine, mixed_radix, present_keys
from impact.intake.expectations import Check, Failure, SuiteError

__all__ = ["SUPPORTED", "run_suite"]

_Condition = Callable[[Any, dict[str, Any]], np.ndarray]
_SMALL = 5000  # up to this many distinct values, membership is tested value by value against a set


def _column(sub: Any, name: str) -> np.ndarray:
    """A column of ``sub`` (the whole frame, or the reduced frame: a dict of object arrays) as an array."""
    return np.asarray(sub[name])


def _notnull(x: np.ndarray) -> np.ndarray:
    return ~pd.isna(x)


def _floats(x: np.ndarray) -> np.ndarray:
    """``x`` as floats, missing (``None``) as NaN — what pandas' ``to_numpy(dtype="float64")`` gives."""
    return pd.Series(x, dtype=object).to_numpy(dtype="float64") if x.dtype == object else x.astype("float64", copy=False)


def _not_null(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    return ~_notnull(_column(sub, kw["column"]))


def _null(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    return _notnull(_column(sub, kw["column"]))


_SETS: dict[int, tuple[Any, frozenset[Any]]] = {}


def _as_set(values: Any) -> frozenset[Any]:
    """A value set as a frozenset, remembered per list object (suites are cached, so are these)."""
    hit = _SETS.get(id(values))
    if hit is None or hit[0] is not values:
        if len(_SETS) > 256:
            _SETS.clear()
        hit = _SETS[id(values)] = (values, frozenset(values))
    return hit[1]


def _in_set(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    col = _column(sub, kw["column"])
    if kw.get("value_set") is None:
        return np.zeros(len(col), dtype=bool)
    present = _notnull(col)
    if len(col) > _SMALL:
        return present & ~pd.Series(col, dtype=col.dtype).isin(kw["value_set"]).to_numpy(dtype=bool)
    allowed = _as_set(kw["value_set"])
    return present & np.fromiter((v not in allowed for v in col.tolist()), dtype=bool, count=len(col))


def _texts(x: np.ndarray) -> pd.Series:
    """Present values as text, as GX's pandas engine sees them (``astype(str)``: pyarrow strings)."""
    return pd.Series(x, dtype=x.dtype).astype(str)


def _match_regex(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    col = _column(sub, kw["column"])
    present = _notnull(col)
    out = np.zeros(len(col), dtype=bool)
    if present.any():
        out[present] = ~_texts(col[present]).str.contains(kw["regex"]).to_numpy(dtype=bool)
    return out


def _outside(x: np.ndarray, kw: dict[str, Any]) -> np.ndarray:
    """Where ``x`` is not between ``min_value`` and ``max_value`` (inclusive unless ``strict_*``)."""
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is None and hi is None:
        raise SuiteError("min_value and max_value cannot both be None")
    with np.errstate(invalid="ignore"):
        ok = np.ones(len(x), dtype=bool)
        if lo is not None:
            ok &= (lo < x) if kw.get("strict_min") else (lo <= x)
        if hi is not None:
            ok &= (x < hi) if kw.get("strict_max") else (x <= hi)
    return ~ok


def _between(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    col = _column(sub, kw["column"])
    return _notnull(col) & _outside(_floats(col), kw)


def _lengths_between(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    """``expect_column_value_lengths_to_be_between``: the length of the text (``str(value)``)."""
    col = _column(sub, kw["column"])
    present = _notnull(col)
    out = np.zeros(len(col), dtype=bool)
    if present.any():
        lengths = _texts(col[present]).str.len().to_numpy(dtype="float64")
        out[present] = _outside(lengths, kw)
    return out


def _pair_skip(sub: Any, kw: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(column A, column B, rows to skip, rows where both are present)."""
    a, b = _column(sub, kw["column_A"]), _column(sub, kw["column_B"])
    how = kw.get("ignore_row_if", "both_values_are_missing")
    pa_, pb = _notnull(a), _notnull(b)
    if how == "both_values_are_missing":
        skip = ~pa_ & ~pb
    elif how == "either_value_is_missing":
        skip = ~pa_ | ~pb
    elif how == "neither":
        skip = np.zeros(len(a), dtype=bool)
    else:
        raise SuiteError(f"unrecognised ignore_row_if {how!r}")
    return a, b, skip, pa_ & pb


def _pair_equal(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    a, b, skip, both = _pair_skip(sub, kw)
    equal = np.zeros(len(a), dtype=bool)  # as pandas compares: a missing value equals nothing
    if both.any():
        equal[both] = np.asarray(a[both].astype(object) == b[both].astype(object), dtype=bool)
    return ~skip & ~equal


def _pair_greater(sub: Any, kw: dict[str, Any]) -> np.ndarray:
    a, b, skip, _both = _pair_skip(sub, kw)
    x, y = _floats(a), _floats(b)
    with np.errstate(invalid="ignore"):
        ok = (x >= y) if kw.get("or_equal") else (x > y)
    return ~skip & ~ok


#: expectation type → the rows (of the frame given) it reports as unexpected
SUPPORTED: dict[str, _Condition] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_null": _null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _match_regex,
    "expect_column_values_to_be_between": _between,
    "expect_column_value_lengths_to_be_between": _lengths_between,
    "expect_column_pair_values_to_be_equal": _pair_equal,
    "expect_column_pair_values_a_to_be_greater_than_b": _pair_greater,
}


def _columns(check: Check) -> tuple[str, ...]:
    kw = check.kwargs
    if "column" in kw:
        return (kw["column"],)
    return (kw["column_A"], kw["column_B"])


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes (-1 = missing) and the number of categories of a categorical column."""
    return cat_codes(s), len(s.dtype.categories)  # type: ignore[union-attr]


class _Reduced:
    """The distinct combinations of some categorical columns: ``sub`` holds one row per
    combination (object arrays, ``None`` for missing); :meth:`rows` maps a verdict per combination
    back to the rows. The per-row mapping is only made when some combination fails, so a valid
    file never pays for it."""

    def __init__(self, frame: _Frame, cols: tuple[str, ...]) -> None:
        parts = [_codes(frame[c]) for c in cols]
        self._combos = Distinct(parts)
        self.sub = {c: _values(frame[c])[codes]  # code -1 picks the None at the end
                    for c, codes in zip(cols, self._combos.codes, strict=True)}

    def rows(self, bad: np.ndarray) -> np.ndarray:
        """Per row: whether its combination is among the failing ones (``bad``: one flag per combination)."""
        return self._combos.spread(bad)


def _values(s: pd.Series) -> np.ndarray:
    """The categories of a categorical column with ``None`` appended (the value of code -1)."""
    return np.append(cat_values(s), np.array([None], dtype=object))


class _Distinct:
    """The distinct combinations of categorical columns, computed once per column tuple."""

    def __init__(self, frame: _Frame) -> None:
        self.frame = frame
        self.cache: dict[tuple[str, ...], _Reduced | None] = {}

    def get(self, cols: tuple[str, ...]) -> _Reduced | None:
        """The reduced frame of ``cols``, or ``None`` when a column is per-row (not categorical)."""
        if cols not in self.cache:
            frame = self.frame
            categorical = all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in cols)
            self.cache[cols] = _Reduced(frame, cols) if categorical else None
        return self.cache[cols]


class _Frame(dict[str, pd.Series]):
    """The frame's columns, each looked up once (a DataFrame makes a new Series per lookup), and
    its number of rows."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__(frame.items())
        self.rows = len(frame)


def _duplicates(frame: _Frame, kw: dict[str, Any]) -> np.ndarray:
    """``expect_compound_columns_to_be_unique``: rows whose key occurs more than once."""
    cols = list(kw["column_list"])
    how = kw.get("ignore_row_if", "all_values_are_missing")
    missing = np.column_stack([~_notnull(frame[c]) for c in cols])
    if how == "any_value_is_missing":
        skip = missing.any(axis=1)
    elif how == "all_values_are_missing":
        skip = missing.all(axis=1)
    elif how == "never":
        skip = np.zeros(frame.rows, dtype=bool)
    else:
        raise SuiteError(f"unrecognised ignore_row_if {how!r}")
    out = np.zeros(frame.rows, dtype=bool)
    kept = np.flatnonzero(~skip)
    if len(kept):
        parts = []
        every = len(kept) == frame.rows  # nothing skipped: the codes as they are
        for c in cols:
            if isinstance(frame[c].dtype, pd.CategoricalDtype):
                codes, k = _codes(frame[c])
                parts.append((codes if every else codes[kept], k))
            else:
                codes, uniques = pd.factorize(frame[c].iloc[kept], use_na_sentinel=True)
                parts.append((codes.astype(np.int64), len(uniques)))
        dense = mixed_radix(parts)
        if dense is None:
            key = combine(parts)
            out[kept] = np.bincount(key)[key] > 1
        else:
            key, span = dense
            if len(present_keys(key, span)) < len(key):  # fewer distinct keys than rows: some key occurs twice
                out[kept] = np.bincount(key, minlength=span)[key] > 1
    return out


def run_suite(frame: pd.DataFrame, checks: list[Check]) -> list[Failure]:
    """Run ``checks`` on ``frame`` (index = spreadsheet row); the failing rows of each, in suite order."""
    if frame.empty:
        return []
    labels = frame.index.to_numpy()
    frame = _Frame(frame)
    distinct = _Distinct(frame)
    failures = []
    for check in checks:
        if check.type == "expect_compound_columns_to_be_unique":
            bad = _duplicates(frame, check.kwargs)
        elif check.type in SUPPORTED:
            reduced = distinct.get(_columns(check))
            if reduced is None:
                bad = SUPPORTED[check.type](frame, check.kwargs)
            else:
                bad_combos = SUPPORTED[check.type](reduced.sub, check.kwargs)
                if not bad_combos.any():
                    continue
                bad = reduced.rows(bad_combos)
        else:
            raise SuiteError(f"expectation {check.type} ({check.code}) has no fast runner; use engine='gx'")
        if bad.any():
            failures.append(Failure(check, labels[bad].astype("int64")))
    return failures
