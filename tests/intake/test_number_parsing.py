"""The fast float parser of the intake gives the correctly rounded number of every standard number text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from impact.intake.expectations import NUMBER_PATTERN
from impact.intake.numbers import _NOT_NUMBER_CHAR, standard_numbers, to_floats


@given(st.lists(st.from_regex(NUMBER_PATTERN, fullmatch=True), min_size=1, max_size=30))
def test_to_floats_equals_python_float_on_standard_number_texts(texts: list[str]) -> None:
    series = pd.Series(texts, dtype="str")
    ok = np.ones(len(texts), dtype=bool)
    ok[::3] = False  # texts not chosen stay NaN
    expected = np.array([float(t) if chosen else np.nan for t, chosen in zip(texts, ok, strict=True)])
    got = to_floats(series, ok)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_to_floats_edge_cases() -> None:
    texts = ["+5", "5.", ".5", "-0", "1e999", "-1e999", "1e-999", "9007199254740993", "2.675", "007"]
    got = to_floats(pd.Series(texts, dtype="str"), np.ones(len(texts), dtype=bool))
    assert got.tolist() == [5.0, 5.0, 0.5, -0.0, np.inf, -np.inf, 0.0, 9007199254740992.0, 2.675, 7.0]
    assert np.signbit(got[3])
    assert np.isnan(to_floats(pd.Series(["1"], dtype="str"), np.zeros(1, dtype=bool))).all()


_CELL = st.text(alphabet="0123456789.,+- \u00a0\u202feE%aä\n", max_size=14)


@given(st.lists(_CELL, min_size=1, max_size=20), st.sampled_from(["de", "en", "xlsx"]))
def test_number_reading_is_the_same_with_python_and_pyarrow_strings(cells: list[str], style: str) -> None:
    """A few distinct texts go through Python's re, many through pyarrow's: both read alike."""
    typed = np.array([len(c) % 2 == 0 for c in cells]) if style == "xlsx" else None
    results = []
    for dtype in (object, "str"):
        std, unclear, ambiguous = standard_numbers(pd.Series(cells, dtype=dtype), style, typed, NUMBER_PATTERN)
        ok = std.str.fullmatch(NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
        unit = pd.Series(cells, dtype=dtype).str.contains(_NOT_NUMBER_CHAR).fillna(False).to_numpy(dtype=bool)
        results.append((std.astype(object).tolist(), unclear.tolist(), ambiguous.tolist(), ok.tolist(), unit.tolist()))
    assert results[0] == results[1]
