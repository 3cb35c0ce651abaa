"""The catalog as JSON: the object ``impact catalog --format json`` prints (every field of every entry).

Dates are ISO strings, texts ``{de, en, …}`` objects, absent optional values ``null``; the keys of
0.1 are unchanged, new fields were only added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from impact.core.catalog.indicator import Indicator, Target
    from impact.core.catalog.model import Catalog

__all__ = ["catalog_json", "catalog_to_json", "indicator_to_json", "target_to_json"]


def target_to_json(t: Target) -> dict[str, Any]:
    """One project's target with milestones, tolerance and the history of earlier targets."""
    out: dict[str, Any] = {
        "baseline": t.baseline, "baseline_date": t.baseline_date.isoformat(),
        "target": t.target, "target_date": t.target_date.isoformat(), "illustrative": t.illustrative,
    }
    if t.band is not None:
        out["band"] = list(t.band)
    out.update({
        "milestones": [m.to_json() for m in t.milestones],
        "tolerance": t.tolerance.to_json() if t.tolerance else None,
        "valid_from": t.valid_from.isoformat() if t.valid_from else None,
        "reason": t.reason.to_json() if t.reason else None,
        "decided_by": t.decided_by,
        "history": [v.to_json() for v in t.history],
    })
    return out


def indicator_to_json(ind: Indicator) -> dict[str, Any]:
    """One indicator with every field (``level`` and ``projects`` derived)."""
    return {
        "id": ind.id, "name": ind.name.to_json(), "definition": ind.definition.to_json(),
        "unit": ind.unit, "value_type": ind.value_type, "direction": ind.direction,
        "min": ind.min, "max": ind.max, "frequency": ind.frequency,
        "impact_step": ind.impact_step, "level": ind.level,
        "guiding_ideas": list(ind.guiding_ideas), "principles": list(ind.principles),
        "perspectives": list(ind.perspectives), "projects": list(ind.projects),
        "breakdowns": list(ind.breakdowns), "source": ind.source.to_json(),
        "method": ind.method.to_json(), "framework_section": ind.framework_section,
        "weight": ind.weight,
        "cumulative": ind.cumulative, "effect": ind.effect,
        "conflicts_with": [c.to_json() for c in ind.conflicts_with],
        "references": {kind: list(ids) for kind, ids in ind.references.items()},
        "evidence_required": ind.evidence_required, "quality": ind.quality,
        "file": ind.file,
        "targets": {p: target_to_json(t) for p, t in ind.targets.items()},
    }


def catalog_to_json(cat: Catalog) -> dict[str, Any]:
    """The whole catalog, in file order, with its content hash and the trade-off pairs."""
    return {
        "catalog_hash": cat.content_hash,
        "guiding_ideas": [e.to_json() for e in cat.guiding_ideas.values()],
        "principles": [e.to_json() for e in cat.principles.values()],
        "perspectives": [e.to_json() for e in cat.perspectives.values()],
        "projects": [p.to_json() for p in cat.projects.values()],
        "breakdowns": [b.to_json() for b in cat.breakdowns.values()],
        "units": [u.to_json() for u in cat.units.values()],
        "indicators": [indicator_to_json(i) for i in cat.indicators.values()],
        "conflicts": [c.to_json() for c in cat.conflicts()],
    }


def catalog_json(cat: Catalog) -> str:
    """The catalog as pretty JSON text."""
    import json  # here: importing the catalog package stays cheap

    return json.dumps(catalog_to_json(cat), ensure_ascii=False, indent=2)
