"""The ``impact scores --format json`` object of an evaluation (NaN → null, dates → ISO text).

Keys are a contract for scripts: existing keys never change meaning; new ones are added.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["completeness_json", "indicator_json", "number", "score_json"]


def number(x: Any) -> float | None:
    """A finite float, or None for missing, NaN, infinite and non-numbers."""
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def score_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"score": number(r["score"]), "coverage": number(r["coverage"]) or 0.0,
            "n_indicators": int(r["n_indicators"]), "n_with_data": int(r["n_with_data"])}


def iso(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
        return None
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    return x.isoformat() if hasattr(x, "isoformat") else str(x)


def indicator_json(r: dict[str, Any]) -> dict[str, Any]:
    band = None if number(r["band_low"]) is None else [number(r["band_low"]), number(r["band_high"])]
    period = r["period"] if isinstance(r["period"], str) else None
    unlikely = r["target_unlikely"]
    return {
        "id": r["indicator_id"], "period": period, "value": number(r["value"]),
        "baseline": number(r["baseline"]), "target": number(r["target"]), "band": band,
        "progress": number(r["progress"]), "progress_raw": number(r["progress_raw"]),
        "expected_progress": number(r["expected_progress"]), "status": r["status"], "stale": bool(r["stale"]),
        "level": r["level"], "weight": number(r["weight"]),
        "trend": {"slope_per_year": number(r["trend_slope"]), "note": r["trend_note"], "n_points": int(r["n_points"])},
        "forecast": {"value": number(r["forecast"]), "low": number(r["forecast_low"]), "high": number(r["forecast_high"]),
                     "at": iso(r["target_date"]),
                     "target_unlikely": None if unlikely is None or unlikely is pd.NA else bool(unlikely),
                     "outlook": r.get("outlook") if isinstance(r.get("outlook"), str) else None},
        "expected_value": number(r.get("expected_value")), "cumulative": bool(r.get("cumulative", False)),
        "target_date": iso(r["target_date"]), "effect": r.get("effect", "intended"),
        "target_original": number(r.get("target_original")), "progress_original": number(r.get("progress_original")),
        "target_changed": bool(r.get("target_changed", False)), "tolerance": number(r.get("tolerance")),
        "tolerance_status": r.get("tolerance_status") if isinstance(r.get("tolerance_status"), str) else None,
        "recent_change": r.get("recent_change") if isinstance(r.get("recent_change"), str) else None,
    }


def completeness_json(c: pd.DataFrame) -> dict[str, Any]:
    expected = int(c["expected"].sum()) if len(c) else 0
    received = int(c["received"].sum()) if len(c) else 0
    overdue = {r["indicator_id"]: list(r["overdue"]) for r in c.to_dict("records") if len(r["overdue"])}
    return {"expected": expected, "received": received,
            "share": (received / expected) if expected else None, "overdue": overdue}
