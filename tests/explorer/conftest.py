"""Tiny hand-made values in the store's value-row schema, for the explorer tests."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from impact.core.periods import parse_period

COLUMNS = ["row", "project_id", "indicator_id", "period", "period_start", "period_end", "value", "unit",
           "breakdown", "breakdown_value", "note", "source", "submission_id", "received_at", "file_name",
           "token_id"]


def sid(name: str) -> str:
    """A submission id (sha256 hex) derived from a short name."""
    return hashlib.sha256(name.encode()).hexdigest()


def make_values(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(project, indicator, period, value, received, submission, breakdown, bvalue, note)``
    (the last three optional) → a values frame like ``Store.values()`` returns."""
    out = []
    for n, r in enumerate(rows, 2):
        project, indicator, period, value, received, submission, *rest = r
        breakdown, bvalue, note = (list(rest) + ["", "", None])[:3] if rest else ("", "", None)
        p = parse_period(period)
        assert p is not None, period
        out.append({"row": n, "project_id": project, "indicator_id": indicator, "period": p.label,
                    "period_start": p.start, "period_end": p.end, "value": float(value), "unit": None,
                    "breakdown": breakdown, "breakdown_value": bvalue, "note": note, "source": None,
                    "submission_id": sid(submission), "received_at": pd.Timestamp(received, tz="UTC"),
                    "file_name": f"{submission}.csv", "token_id": None})
    return pd.DataFrame(out, columns=COLUMNS)


@pytest.fixture()
def values() -> pd.DataFrame:
    """Two submissions in 2024/2025 and one late one in 2026 (with a formula-like note)."""
    first = "2025-02-01"
    second = "2025-08-01"
    late = "2026-10-01"
    return make_values([
        ("kiezbox", "test-users", "2024-Q1", 100, first, "a"),
        ("kiezbox", "test-users", "2024-Q2", 200, first, "a"),
        ("kiezbox", "test-users", "2024-Q3", 300, first, "a"),
        ("kiezbox", "test-users", "2024-Q4", 400, first, "a"),
        ("kiezbox", "test-users", "2024-Q4", 150, first, "a", "district", "mitte"),
        ("kiezbox", "test-users", "2024-Q4", 250, first, "a", "district", "pankow"),
        ("kiezbox", "test-users", "2024-Q4", 40, first, "a", "target_group", "seniors"),
        ("kiezbox", "test-outage-hours", "2024-12", 30, first, "a"),
        ("kiezbox", "test-outage-hours", "2025-01", 25, first, "a"),
        ("kiezbox", "test-satisfaction", "2024", 3.8, first, "a"),
        ("smart-water", "test-users", "2024-Q4", 220, second, "b"),
        ("smart-water", "test-users", "2025-Q1", 260, second, "b"),
        ("smart-water", "test-open-share", "2024", 25, second, "b", "", "", "=HYPERLINK(\"http://x\")"),
        ("kiezbox", "test-users", "2025-Q1", 500, second, "b"),
        ("kiezbox", "test-users", "2025-Q1", 320, second, "b", "district", "mitte"),
        ("kiezbox", "test-users", "2026-Q2", 900, late, "c"),
        ("kiezbox", "test-users", "2026-Q2", 600, late, "c", "district", "mitte"),
        ("smart-water", "test-open-share", "2025", 40, late, "c"),
    ])


SUBMISSION_1 = """project_id;indicator_id;period;value;breakdown;breakdown_value;note
kiezbox;test-users;2024-Q3;300;;;
kiezbox;test-users;2024-Q4;1.200;;;erste Meldung
kiezbox;test-users;2024-Q4;700;district;mitte;
kiezbox;test-outage-hours;2024-12;30;;;
smart-water;test-open-share;2024;25;;;vorläufig
"""
SUBMISSION_2 = """project_id,indicator_id,period,value,note
kiezbox,test-users,2024-Q4,1300,Korrektur
kiezbox,test-users,2025-Q1,1500,
"""


@pytest.fixture()
def tmp_store(tmp_path, min_catalog):
    """A real store built through ``impact.store.ingest``: two submissions, the second one correcting
    a value of the first. Returns ``(store_path, [submission ids])``."""
    from impact.store.ingest import ingest_file

    store = tmp_path / "store"
    ids = []
    for n, text in enumerate((SUBMISSION_1, SUBMISSION_2), 1):
        path = tmp_path / f"submission{n}.csv"
        path.write_text(text, encoding="utf-8")
        result = ingest_file(path, store, min_catalog)
        assert result.status == "accepted", result.summary("en")
        ids.append(result.submission_id)
    return store, ids
