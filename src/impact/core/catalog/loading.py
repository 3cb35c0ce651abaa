"""``load_catalog(path)``: read every YAML file below a catalog directory, check it all, hash it.

Problems are collected over the whole catalog and raised together as one
:class:`~impact.core.errors.CatalogError`, each naming the file, the indicator and the key, so
that an evaluator can fix every typo in one pass. After the single indicators, the checks that
span indicators run: a trade-off partner must exist, and trade-offs are made symmetric (a pair
declared on one side appears on both).
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from impact.core.catalog.framework import read_framework
from impact.core.catalog.indicator import Conflict, Indicator
from impact.core.catalog.indicators import read_indicator
from impact.core.catalog.model import Catalog
from impact.core.catalog.reading import Collector, closest, entries, unique
from impact.core.errors import CatalogError, CatalogProblem
from impact.core.i18n import N_

__all__ = ["content_hash", "load_catalog"]


def content_hash(files: list[Path], root: Path) -> str:
    """sha256 over the relative path and the bytes of every file (a comment is a change too)."""
    import hashlib  # here: importing the catalog package stays cheap for callers that load no catalog

    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _link_conflicts(indicators: dict[str, Indicator], all_ids: set[str], col: Collector,
                    files: dict[str, Path]) -> dict[str, Indicator]:
    """Check that every trade-off partner exists; add the reverse side where only one side names it."""
    reverse: dict[str, list[Conflict]] = {}
    for ind in indicators.values():
        for n, c in enumerate(ind.conflicts_with):
            if c.indicator not in all_ids:
                spot = col.spot(files[ind.id], ind.id)
                hint = closest(c.indicator, all_ids)
                if hint:
                    spot.add(f"conflicts_with[{n}].indicator",
                             N_("unknown indicator '{id}' (did you mean '{hint}'?)"), id=c.indicator, hint=hint)
                else:
                    spot.add(f"conflicts_with[{n}].indicator", N_("unknown indicator '{id}'"), id=c.indicator)
            elif c.indicator in indicators:
                reverse.setdefault(c.indicator, []).append(Conflict(ind.id, c.note))
    out = dict(indicators)
    for ident, extra in reverse.items():
        own = out[ident].conflicts_with
        named = {c.indicator for c in own}
        added = tuple(c for c in extra if c.indicator not in named)
        if added:
            out[ident] = replace(out[ident], conflicts_with=own + added)
    return out


def load_catalog(path: str | Path) -> Catalog:
    """Load and check the catalog below ``path`` (callers pass ``settings().catalog_dir`` at the edges).

    Raises :class:`~impact.core.errors.CatalogError` listing every problem found.
    """
    if path is None:  # a programming mistake, not a catalog problem
        raise TypeError("load_catalog() needs the catalog directory (e.g. settings().catalog_dir)")
    from impact.core.catalog.yamlfile import load_yaml  # here: PyYAML is imported when a catalog is loaded

    root = Path(path).resolve()
    if not root.is_dir():
        raise CatalogError([CatalogProblem(str(root), None, N_("catalog directory not found"))])
    col = Collector(root)
    fw_dir = root / "framework"
    fw = read_framework(fw_dir, col)
    indicator_files = sorted(p for p in root.rglob("*.yaml") if fw_dir not in p.parents)
    indicators: dict[str, Indicator] = {}
    files: dict[str, Path] = {}
    seen: dict[str, Path] = {}
    for f in indicator_files:
        spot = col.spot(f)
        for item in unique(entries(load_yaml(f, col), "indicators", spot), spot, seen):
            files[item["id"]] = f
            ind = read_indicator(item, col.spot(f, item["id"]), fw)
            if ind is not None:
                indicators[ind.id] = ind
    indicators = _link_conflicts(indicators, set(files), col, files)
    if not files and not col.problems:
        col.spot(root).add(None, N_("no indicators found (expected YAML files with an 'indicators:' list)"))
    if col.problems:
        raise CatalogError(col.problems)
    return Catalog(
        **{f.name: getattr(fw, f.name) for f in fields(fw)}, indicators=indicators, path=root,
        content_hash=content_hash(sorted(root.rglob("*.yaml")), root),
    )
