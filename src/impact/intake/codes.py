"""Integer codes for columns and their combinations: the tool behind "once per distinct value".

A column becomes (codes, distinct values) with ``-1`` for a missing cell; several columns become
one group number per row (0 … groups − 1) and the first row of each group. Categorical columns
give their codes for free; others are factorised once. Combinations are numbered through a dense
table when the product of the columns' sizes is small (the usual case: ids, periods and units
repeat), else by hashing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["codes_of", "combine", "first_rows", "mixed_radix"]

_RADIX_LIMIT = 2**62
_DENSE_MIN = 1 << 22  # a dense table of this many entries (4 MB of flags) is always fine


def codes_of(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(integer codes with -1 for missing, the distinct values as an object array) of a column."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(dtype=np.int64), col.cat.categories.to_numpy(dtype=object)
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
        key = key * (k + 1) + (codes + 1)
    return key, span


def combine(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One group number (0 … groups − 1) per row for several code arrays; ``parts`` are (codes
    with -1 for missing, number of distinct values). Rows get the same number exactly when they
    have the same codes; the numbering itself carries no meaning."""
    dense = mixed_radix(parts)
    if dense is not None:
        key, span = dense
        used = np.zeros(span, dtype=bool)
        used[key] = True
        return (np.cumsum(used, dtype=np.int64) - 1)[key]
    n = len(parts[0][0])
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for codes, k in parts:
        if span * (k + 1) >= _RADIX_LIMIT:  # keep the mixed-radix number small enough
            key = pd.factorize(key)[0].astype(np.int64)
            span = int(key.max()) + 1 if n else 1
        key = key * (k + 1) + (codes + 1)
        span *= k + 1
    return pd.factorize(key)[0].astype(np.int64)


def first_rows(groups: np.ndarray) -> np.ndarray:
    """The first row of each group (groups numbered 0 … g − 1)."""
    first = np.zeros(int(groups.max()) + 1 if len(groups) else 0, dtype=np.int64)
    first[groups[::-1]] = np.arange(len(groups))[::-1]
    return first
