"""Helpers for the store tests: hand-made normalised frames and a whole-directory fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from impact.core.periods import parse_period


def make_frame(rows: list[tuple[str, str, str, float]] | None = None, *, breakdown: str = "",
               breakdown_value: str = "") -> pd.DataFrame:
    """A normalised frame as validation produces it: (project, indicator, period, value) per row."""
    rows = rows or [("kiezbox", "test-users", "2024-Q1", 10.0), ("kiezbox", "test-users", "2024-Q2", 20.0)]
    recs = []
    for n, (project, indicator, period, value) in enumerate(rows, start=2):
        p = parse_period(period)
        assert p is not None
        recs.append({"row": n, "project_id": project, "indicator_id": indicator, "period": p.label,
                     "period_start": p.start, "period_end": p.end, "value": value,
                     "unit": "count",
                     "breakdown": breakdown, "breakdown_value": breakdown_value, "note": None, "source": None})
    return pd.DataFrame(recs)


def fingerprint(directory: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file below ``directory`` (relative path -> hash), minus excluded top folders."""
    out = {}
    for p in sorted(directory.rglob("*")):
        rel = p.relative_to(directory)
        if rel.parts[0] in exclude:
            continue
        out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out

