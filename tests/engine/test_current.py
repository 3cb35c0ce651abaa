"""The one "newest value per key" rule (impact.core.schema.newest_per_key) against a brute-force
reference, and the engine's use of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.schema import KEY_COLUMNS, key_codes, newest_per_key

_ROW = st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["x", "y"]), st.sampled_from(["2025-Q1", "2025-Q2"]),
                 st.sampled_from(["", None, "district"]), st.sampled_from(["", None, "mitte"]),
                 st.integers(0, 3))


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[*KEY_COLUMNS, "t"])
    df["received_at"] = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(df.pop("t"), unit="h")
    return df


def _reference(df: pd.DataFrame) -> list[int]:
    """Per key (missing breakdown = total ""), the last position among those with the latest receipt."""
    best: dict[tuple, int] = {}
    for n, r in enumerate(df.itertuples(index=False)):
        key = tuple("" if (k in ("breakdown", "breakdown_value") and pd.isna(getattr(r, k))) else getattr(r, k)
                    for k in KEY_COLUMNS)
        if key not in best or r.received_at >= df["received_at"].iloc[best[key]]:
            best[key] = n
    return sorted(best.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(_ROW, max_size=30))
def test_newest_per_key_matches_brute_force(rows: list[tuple]) -> None:
    df = _frame(rows)
    before = df.copy()
    assert newest_per_key(df).tolist() == _reference(df)
    pd.testing.assert_frame_equal(df, before)


@settings(max_examples=100, deadline=None)
@given(st.lists(_ROW, max_size=30), st.data())
def test_newest_per_key_among_candidate_rows(rows: list[tuple], data: st.DataObject) -> None:
    df = _frame(rows)
    keep = sorted(data.draw(st.sets(st.integers(0, max(len(df) - 1, 0)))) & set(range(len(df))))
    got = newest_per_key(df, np.array(keep, dtype=np.int64), codes=key_codes(df)).tolist()
    sub = df.iloc[keep].reset_index(drop=True)
    assert got == [keep[k] for k in _reference(sub)]


def test_naive_and_text_receipt_times_are_utc() -> None:
    df = _frame([("a", "x", "2025-Q1", "", "", 0), ("a", "x", "2025-Q1", "", "", 1)])
    assert newest_per_key(df).tolist() == [1]
    naive = df.assign(received_at=df["received_at"].dt.tz_localize(None))
    text = df.assign(received_at=df["received_at"].astype(str))
    assert newest_per_key(naive).tolist() == newest_per_key(text).tolist() == [1]
    assert key_codes(df).total().tolist() == [True, True]
