"""Impact measurement for Berlin's smart-city pilot projects.

The small public API (everything else is internal)::

    from impact import load_catalog, Store, validate_file, ingest_file, evaluate

Names are imported lazily, so ``import impact`` stays cheap (Great Expectations, for example,
is loaded only when something validates).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # foundation
    "settings": "impact.config",
    "Settings": "impact.config",
    "ImpactError": "impact.errors",
    "CatalogError": "impact.errors",
    "Problem": "impact.errors",
    "UnreadableFileError": "impact.errors",
    "Catalog": "impact.catalog",
    "Indicator": "impact.catalog",
    "load_catalog": "impact.catalog",
    "Period": "impact.periods",
    "parse_period": "impact.periods",
    # intake
    "ValidationReport": "impact.validation",
    "validate_bytes": "impact.validation",
    "validate_file": "impact.validation",
    "build_template": "impact.template",
    # store
    "Store": "impact.store",
    "IngestResult": "impact.ingest",
    "ingest_bytes": "impact.ingest",
    "ingest_file": "impact.ingest",
    # engine
    "Evaluation": "impact.engine",
    "current_values": "impact.engine",
    "evaluate": "impact.engine",
    "trajectory": "impact.engine",
    # explorer
    "Explorer": "impact.explorer",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'impact' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
