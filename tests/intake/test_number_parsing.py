"""The fast float parser of the intake gives the correctly rounded number of every standard number text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from impact.intake.expectations import NUMBER_PATTERN
from impact.intake.numbers import to_floats


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
