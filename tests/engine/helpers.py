"""Build store value rows (ARCHITECTURE.md "Store" schema) directly as DataFrames."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

import pandas as pd

from impact.core.periods import parse_period

COLUMNS = ["row", "project_id", "indicator_id", "period", "period_start", "period_end", "value", "unit",
           "breakdown", "breakdown_value", "note", "source", "submission_id", "received_at", "file_name", "token_id"]


def value_rows(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Rows given as dicts with project, indicator, period, value and optional received
    (ISO date/datetime, default 2026-01-10), breakdown, breakdown_value, note, unit."""
    out = []
    for n, r in enumerate(rows, 2):
        p = parse_period(r["period"])
        assert p is not None, r["period"]
        received = pd.Timestamp(r.get("received", "2026-01-10T12:00:00"), tz="UTC")
        sub = r.get("submission") or hashlib.sha256(f"{received}{r['project']}".encode()).hexdigest()
        out.append({
            "row": n, "project_id": r["project"], "indicator_id": r["indicator"], "period": p.label,
            "period_start": p.start, "period_end": p.end, "value": float(r["value"]), "unit": r.get("unit", "count"),
            "breakdown": r.get("breakdown", ""), "breakdown_value": r.get("breakdown_value", ""),
            "note": r.get("note"), "source": r.get("source"), "submission_id": sub, "received_at": received,
            "file_name": r.get("file_name", "upload.csv"), "token_id": r.get("token_id"),
        })
    df = pd.DataFrame(out, columns=COLUMNS)
    df["received_at"] = pd.to_datetime(df["received_at"], utc=True)
    df["value"] = df["value"].astype(float)
    return df


def quarterly(project: str, indicator: str, start: str, values: list[float], **kw: Any) -> list[dict[str, Any]]:
    """Consecutive quarterly rows from ``start`` (e.g. ``2024-Q1``)."""
    p = parse_period(start)
    assert p is not None
    rows = []
    for v in values:
        rows.append({"project": project, "indicator": indicator, "period": p.label, "value": v, **kw})
        p = p.next()
    return rows


AS_OF = dt.date(2026, 11, 21)


def indicator_yaml(ident: str, *, targets: dict[str, str], direction: str = "higher_is_better",
                   frequency: str = "quarterly", step: int = 2, weight: float = 1.0,
                   guiding_ideas: str = "kooperativ", principles: str = "kooperativ-divers",
                   perspectives: str = "gemeinsame-gestaltung", lo: float = 0, hi: float = 100000) -> str:
    """One indicator entry for a test catalog (``targets``: project id → inline YAML mapping)."""
    tg = "\n".join(f"      {p}: {t}" for p, t in targets.items())
    return f"""\
  - id: {ident}
    name: {{de: {ident}, en: {ident}}}
    definition: {{de: d, en: d}}
    unit: count
    value_type: count
    direction: {direction}
    min: {lo}
    max: {hi}
    frequency: {frequency}
    impact_step: {step}
    weight: {weight}
    guiding_ideas: [{guiding_ideas}]
    principles: [{principles}]
    perspectives: [{perspectives}]
    source: {{de: s, en: s}}
    method: {{de: m, en: m}}
    framework_section: "004 §2"
    targets:
{tg}
"""


def write_catalog(catalog_dir: Any, entries: list[str]):  # type: ignore[no-untyped-def]
    """Replace the indicators of a copied test catalog directory and load it."""
    from impact.core.catalog import load_catalog

    (catalog_dir / "indicators.yaml").write_text("indicators:\n" + "".join(entries), encoding="utf-8")
    return load_catalog(catalog_dir)
