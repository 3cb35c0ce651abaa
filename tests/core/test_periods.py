"""Reporting periods (impact.core.periods)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impact.core.periods import Period, detect_frequency, parse_period, periods_between


@pytest.mark.parametrize(("text", "start", "frequency", "label"), [
    ("2024", dt.date(2024, 1, 1), "yearly", "2024"),
    (" 2024 ", dt.date(2024, 1, 1), "yearly", "2024"),
    (2024, dt.date(2024, 1, 1), "yearly", "2024"),
    ("2024-Q2", dt.date(2024, 4, 1), "quarterly", "2024-Q2"),
    ("2024Q2", dt.date(2024, 4, 1), "quarterly", "2024-Q2"),
    ("2024-q4", dt.date(2024, 10, 1), "quarterly", "2024-Q4"),
    ("2024-05", dt.date(2024, 5, 1), "monthly", "2024-05"),
    ("2024-5", dt.date(2024, 5, 1), "monthly", "2024-05"),
    ("2024-12", dt.date(2024, 12, 1), "monthly", "2024-12"),
])
def test_parse_period_accepts(text: object, start: dt.date, frequency: str, label: str) -> None:
    p = parse_period(text)
    assert p == Period(start, frequency)
    assert p is not None and p.label == label and str(p) == label


@pytest.mark.parametrize("text", [
    "", "   ", "24", "20245", "2024-Q5", "2024-Q0", "2024-13", "2024-00", "2024-1-1", "2024-05-01",
    "Q2-2024", "2024/05", "05.2024", "1899", "2200", "abcd", None, 2024.0, True, ["2024"],
    "２０２４", "٢٠٢٤-Q1",  # non-ASCII digits are no period
])
def test_parse_period_rejects(text: object) -> None:
    assert parse_period(text) is None


def test_detect_frequency() -> None:
    assert detect_frequency("2023") == "yearly"
    assert detect_frequency("2023-Q1") == "quarterly"
    assert detect_frequency("2023-01") == "monthly"
    assert detect_frequency("2023-W01") is None


@pytest.mark.parametrize(("label", "end"), [
    ("2024", dt.date(2024, 12, 31)),
    ("2024-Q1", dt.date(2024, 3, 31)),
    ("2024-Q2", dt.date(2024, 6, 30)),
    ("2024-Q3", dt.date(2024, 9, 30)),
    ("2024-Q4", dt.date(2024, 12, 31)),
    ("2024-02", dt.date(2024, 2, 29)),
    ("2023-02", dt.date(2023, 2, 28)),
    ("2024-04", dt.date(2024, 4, 30)),
    ("2024-12", dt.date(2024, 12, 31)),
])
def test_period_end(label: str, end: dt.date) -> None:
    p = parse_period(label)
    assert p is not None and p.end == end


@pytest.mark.parametrize(("label", "following"), [
    ("2024", "2025"), ("2024-Q3", "2024-Q4"), ("2024-Q4", "2025-Q1"), ("2024-11", "2024-12"), ("2024-12", "2025-01"),
])
def test_period_next(label: str, following: str) -> None:
    p = parse_period(label)
    assert p is not None and p.next().label == following


@pytest.mark.parametrize(("day", "frequency", "label"), [
    (dt.date(2024, 5, 17), "yearly", "2024"),
    (dt.date(2024, 5, 17), "quarterly", "2024-Q2"),
    (dt.date(2024, 3, 31), "quarterly", "2024-Q1"),
    (dt.date(2024, 4, 1), "quarterly", "2024-Q2"),
    (dt.date(2024, 5, 17), "monthly", "2024-05"),
])
def test_period_containing(day: dt.date, frequency: str, label: str) -> None:
    assert Period.containing(day, frequency).label == label


def test_period_containing_unknown_frequency() -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        Period.containing(dt.date(2024, 1, 1), "weekly")


def test_periods_are_ordered_by_start() -> None:
    labels = ["2024-Q3", "2023-Q4", "2024-Q1"]
    periods = sorted(p for p in map(parse_period, labels) if p is not None)
    assert [p.label for p in periods] == ["2023-Q4", "2024-Q1", "2024-Q3"]


def test_periods_between_overlapping() -> None:
    got = [p.label for p in periods_between(dt.date(2023, 6, 1), dt.date(2024, 1, 15), "quarterly")]
    assert got == ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]
    assert [p.label for p in periods_between(dt.date(2022, 3, 1), dt.date(2022, 5, 31), "monthly")] == [
        "2022-03", "2022-04", "2022-05"]
    assert [p.label for p in periods_between(dt.date(2022, 12, 31), dt.date(2024, 1, 1), "yearly")] == [
        "2022", "2023", "2024"]


def test_periods_between_single_day_and_empty() -> None:
    assert [p.label for p in periods_between(dt.date(2024, 2, 10), dt.date(2024, 2, 10), "monthly")] == ["2024-02"]
    assert list(periods_between(dt.date(2024, 3, 1), dt.date(2024, 2, 1), "monthly")) == []


# ---------------------------------------------------------------------------- properties

_frequencies = st.sampled_from(["yearly", "quarterly", "monthly"])
_days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2198, 12, 31))


@given(_days, _frequencies)
def test_label_roundtrip_and_containment(day: dt.date, frequency: str) -> None:
    p = Period.containing(day, frequency)
    assert p.start <= day <= p.end
    assert parse_period(p.label) == p
    assert p.next().start == p.end + dt.timedelta(days=1)


@given(_days, st.integers(min_value=0, max_value=800), _frequencies)
def test_periods_between_is_contiguous_and_covers(start: dt.date, length: int, frequency: str) -> None:
    end = start + dt.timedelta(days=length)
    periods = list(periods_between(start, end, frequency))
    assert periods[0].start <= start <= periods[0].end
    assert periods[-1].start <= end <= periods[-1].end
    for a, b in zip(periods, periods[1:], strict=False):
        assert a.next() == b


@given(st.text(max_size=12))
def test_parse_period_never_raises(text: str) -> None:
    p = parse_period(text)
    assert p is None or parse_period(p.label) == p
