"""'Did you mean' for unknown ids is worked out for a bounded number of distinct words per file
(issue 16: a file with thousands of distinct unknown ids must not spend seconds per hundred rows
on similarity searches); repeated words keep their suggestion, both engines agree."""

from __future__ import annotations

import pytest

from impact.intake.failures import MAX_SUGGESTED, _suggester
from intake.helpers import codes, csv_bytes


def test_suggester_stops_after_the_limit_but_remembers_words():
    find = _suggester(limit=2)
    pool = ("kiezbox", "smart-water")
    assert find("kiezbx", pool) == "kiezbox"
    assert find("smart-watr", pool) == "smart-water"
    assert find("kiezbox2", pool) is None  # a third distinct word: no search
    assert find("kiezbx", pool) == "kiezbox"  # a word seen before keeps its suggestion


@pytest.mark.parametrize("engine", ["fast", "gx"])
def test_many_distinct_unknown_projects(validate, engine):
    n = MAX_SUGGESTED + 5
    rows = [(f"kiezbx{i}" if i else "kiezbx", "test-users", "2024-Q1", "5") for i in range(n)] + \
        [("kiezbx", "test-users", "2024-Q2", "5")]
    report = validate(csv_bytes(rows), engine=engine)
    assert [c for _, _, c in codes(report)] == ["unknown_project"] * (n + 1)
    messages = [p.message("en") for p in report.errors]
    assert "did you mean 'kiezbox'?" in messages[0] and "did you mean 'kiezbox'?" in messages[-1]
    assert "did you mean" not in messages[MAX_SUGGESTED] and "allowed: " in messages[MAX_SUGGESTED]
