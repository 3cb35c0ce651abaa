"""Integer codes for columns and their combinations: the tool behind "once per distinct value".

A column becomes (codes, distinct values) with ``-1`` for a missing cell; several columns become
their distinct combinations (:class:`Distinct`), found through a dense table when the product of
the columns' sizes is small (the usual case: ids, periods and units repeat), else by hashing.
Something worked out once per combination is spread back over the rows with
:meth:`Distinct.spread`. Categorical columns give their codes for free; others are factorised once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Distinct", "cat_codes", "cat_values", "categorical", "codes_of", "combine", "factorize_text", "first_rows",
           "mixed_radix", "present_keys", "recode"]

_DENSE_MIN = 1 << 22  # a dense table of this many entries (4 MB of flags) is always fine


def cat_codes(col: pd.Series) -> np.ndarray:
    """The codes of a categorical column (-1 = missing), without a copy."""
    return col.array.codes  # type: ignore[attr-defined,no-any-return]


def cat_values(col: pd.Series) -> np.ndarray:
    """The categories of a categorical column as an object array."""
    return col.dtype.categories.to_numpy(dtype=object)  # type: ignore[union-attr]


def codes_of(col: pd.Series, *, wide: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(integer codes with -1 for missing, the distinct values as an object array) of a column;
    ``wide=False`` keeps a categorical's own small integer codes (no copy) where no arithmetic
    follows but indexing and :class:`Distinct`."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = cat_codes(col)
        return (codes.astype(np.int64) if wide else codes), cat_values(col)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def mixed_radix(parts: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int] | None:
    """(one number per row that encodes its codes, how many numbers there can be) — the codes of
    ``parts`` (codes with -1 for missing, number of distinct values) as the digits of one number —
    or ``None`` when that range is too large for a table (more than 4 entries per row and above
    4 million)."""
    n = len(parts[0][0])
    span = 1
    for _codes, k in parts:
        span *= k + 1
    if span > max(_DENSE_MIN, 4 * n):
        return None
    key = np.zeros(n, dtype=np.int64)
    for codes, k in parts:
        _fold(key, codes, k)
    return key, span


def combine(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One group number (0 … groups − 1) per row for several code arrays; ``parts`` are (codes
    with -1 for missing, number of distinct values). Rows get the same number exactly when they
    have the same codes; the numbering itself carries no meaning.

    The columns are folded in one at a time into a mixed-radix number, renumbered through a table
    of flags whenever the next column would make it too large (hashing only when one column alone
    has too many values for that)."""
    n = len(parts[0][0])
    limit = max(_DENSE_MIN, 8 * n)
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for codes, k in parts:
        if span * (k + 1) > limit:
            key, span = _renumber(key, span)
        _fold(key, codes, k)
        span *= k + 1
        if span > limit:  # too many for a table even after renumbering: hash
            hashed, uniques = pd.factorize(key)
            key, span = hashed.astype(np.int64), len(uniques)
    return _renumber(key, span)[0]


def present_keys(key: np.ndarray, span: int) -> np.ndarray:
    """The distinct values of ``key`` (all in 0 … ``span`` − 1), ascending, found through a table of flags."""
    used = np.zeros(span, dtype=bool)
    used[key] = True
    return np.flatnonzero(used)


def _renumber(key: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """(``key`` renumbered 0 … groups − 1, the number of groups) for keys in 0 … ``span`` − 1."""
    present = present_keys(key, span)
    number = np.empty(span, dtype=np.int32 if span < 2**31 else np.int64)  # only the used entries are written
    number[present] = np.arange(len(present), dtype=number.dtype)
    return number[key].astype(np.int64), len(present)


def _fold(key: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """``key * (k + 1) + codes + 1`` in place (no temporary arrays of a million rows)."""
    key *= k + 1
    key += codes
    key += 1
    return key


def first_rows(groups: np.ndarray) -> np.ndarray:
    """The first row of each group (groups numbered 0 … g − 1)."""
    first = np.zeros(int(groups.max()) + 1 if len(groups) else 0, dtype=np.int64)
    first[groups[::-1]] = np.arange(len(groups))[::-1]
    return first


class Distinct:
    """The distinct combinations of some columns' codes (``parts``: codes with -1 for missing,
    number of distinct values).

    ``codes[j]`` holds column ``j``'s code (-1 = missing) in each combination; an array with one
    entry per combination goes back to one entry per row with :meth:`spread`. A single column's
    combinations are its values in order with the missing value last, so code -1 picks the last.
    """

    def __init__(self, parts: list[tuple[np.ndarray, int]]) -> None:
        self._key: np.ndarray
        self._table_keys: np.ndarray | None = None
        self._span = 0
        if len(parts) == 1:
            codes, k = parts[0]
            self.codes = [np.append(np.arange(k, dtype=np.int64), -1)]
            self._key = codes  # -1 picks the last entry: the missing value
            return
        dense = mixed_radix(parts)
        if dense is not None:
            key, span = dense
            combos = present_keys(key, span)
            digits, rest = [], combos
            for _codes, k in reversed(parts):
                rest, digit = np.divmod(rest, k + 1)
                digits.append(digit - 1)
            self.codes = digits[::-1]
            self._key, self._table_keys, self._span = key, combos, span
            return
        group = combine(parts)
        first = first_rows(group)
        self.codes = [codes[first] for codes, _k in parts]
        self._key = group

    def spread(self, per_combination: np.ndarray) -> np.ndarray:
        """One entry per row: the entry of the row's combination."""
        if self._table_keys is None:
            return per_combination[self._key]
        table = np.empty(self._span, dtype=per_combination.dtype)
        table[self._table_keys] = per_combination
        return table[self._key]


def _code_type(n: int) -> type[np.signedinteger]:
    """The integer type pandas keeps the codes of ``n`` categories in."""
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32 if n < 2**31 - 1 else np.int64


def categorical(codes: np.ndarray, categories: pd.Index, index: pd.Index) -> pd.Series:
    """A categorical Series from codes already known to be in range (-1 = missing): no check pass."""
    dtype = pd.CategoricalDtype(categories)
    return pd.Series(pd.Categorical.from_codes(codes.astype(_code_type(len(categories)), copy=False), dtype=dtype,
                                               validate=False), index=index, copy=False)


def factorize_text(values: list[object] | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """(codes in pandas' small integer type, -1 for ``None``; the distinct values as text categories,
    an object Index: building one costs a fraction of a ``str`` Index for a small file)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    texts = [u if isinstance(u, str) else str(u) for u in uniques.tolist()]
    return codes.astype(_code_type(len(uniques))), pd.Index(texts, dtype=object)


def recode(col: pd.Series, values: list[object] | np.ndarray) -> pd.Series:
    """The categorical ``col`` with its categories replaced by ``values`` (one per category,
    ``None`` = missing); categories that become equal are merged."""
    codes, cats = factorize_text(values)
    mapping = np.append(codes, np.array(-1, dtype=codes.dtype))  # code -1 (missing) stays missing
    return categorical(mapping[cat_codes(col)], cats, col.index)
