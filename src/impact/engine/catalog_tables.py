"""The catalog's impact logic as open-data tables: targets with their history, milestones, references.

Exported beside the scores (:mod:`impact.engine.export`) so that a reader of the data package can
see what each figure was judged against: every target version with when, why and by whom it was set
(``targets``), the intermediate goals (``milestones``), tolerances of side effects, and the links to
external indicator systems (``references``: SDG, ISO 37120/37122, SDG-Kommunen, Berlin strategies).
Pure; works with catalog models without these fields (empty tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["MILESTONE_COLUMNS", "REFERENCE_COLUMNS", "TARGET_COLUMNS", "catalog_tables"]

TARGET_COLUMNS = ["project_id", "indicator_id", "effect", "version", "current", "valid_from", "baseline",
                  "baseline_date", "target", "target_date", "band_low", "band_high", "reason_de", "reason_en",
                  "decided_by", "tolerance", "tolerance_date", "illustrative"]
MILESTONE_COLUMNS = ["project_id", "indicator_id", "version", "date", "value", "term"]
REFERENCE_COLUMNS = ["indicator_id", "scheme", "reference"]


def _iso(day: Any) -> str | None:
    return None if day is None else day.isoformat()


def _text(text: Any, lang: str) -> str | None:
    return None if text is None else str(text.get(lang))


def _versions(target: Any) -> tuple[Any, ...]:
    versions = getattr(target, "versions", None)
    return tuple(versions) if versions else (target,)


def catalog_tables(catalog: Any, projects: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``targets``, ``milestones`` and ``references`` for the evaluated ``projects``."""
    targets, milestones, refs = [], [], []
    wanted = set(projects)
    for ind in catalog.indicators.values():
        effect = str(getattr(ind, "effect", "intended"))
        for pid, full in ind.targets.items():
            if pid not in wanted:
                continue
            tol = getattr(full, "tolerance", None)
            versions = _versions(full)
            for n, t in enumerate(versions):
                band = getattr(t, "band", None)
                targets.append((pid, ind.id, effect, n + 1, n == len(versions) - 1, _iso(getattr(t, "valid_from", None)),
                                float(t.baseline), _iso(t.baseline_date), getattr(t, "target", None), _iso(t.target_date),
                                band[0] if band else None, band[1] if band else None,
                                _text(getattr(t, "reason", None), "de"), _text(getattr(t, "reason", None), "en"),
                                getattr(t, "decided_by", None), None if tol is None else float(tol.limit),
                                None if tol is None else _iso(tol.date), bool(getattr(t, "illustrative", True))))
                milestones += [(pid, ind.id, n + 1, _iso(m.date), float(m.value), getattr(m, "term", None))
                               for m in getattr(t, "milestones", ()) or ()]
        if any(pid in wanted for pid in ind.targets):
            for scheme, ids in (getattr(ind, "references", None) or {}).items():
                refs += [(ind.id, scheme, ref) for ref in ids]
    frame = pd.DataFrame(targets, columns=TARGET_COLUMNS)
    frame = frame.astype({"target": float, "band_low": float, "band_high": float, "tolerance": float,
                          "version": "int64", "current": bool, "illustrative": bool})
    return {"targets": frame,
            "milestones": pd.DataFrame(milestones, columns=MILESTONE_COLUMNS).astype({"value": float,
                                                                                     "version": "int64"}),
            "references": pd.DataFrame(refs, columns=REFERENCE_COLUMNS)}
