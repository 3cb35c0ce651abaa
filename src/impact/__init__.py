"""Impact measurement for Berlin's smart-city pilot projects.

The small public API (everything else is internal)::

    from impact import load_catalog, Store, validate_file, ingest_file, evaluate

Names are imported lazily, so ``import impact`` stays cheap (Great Expectations, for example,
is loaded only when something validates).
"""

from __future__ import annotations

import importlib
from typing import Any

from impact import _compat

__version__ = "0.1.0"

_compat.install()  # the flat module paths of 0.1 (impact.validation, …) still import, with a warning

_EXPORTS: dict[str, str] = {
    # foundation
    "settings": "impact.core.config",
    "Settings": "impact.core.config",
    "ImpactError": "impact.core.errors",
    "CatalogError": "impact.core.errors",
    "Problem": "impact.core.errors",
    "UnreadableFileError": "impact.core.errors",
    "Catalog": "impact.core.catalog",
    "Indicator": "impact.core.catalog",
    "load_catalog": "impact.core.catalog",
    "Period": "impact.core.periods",
    "parse_period": "impact.core.periods",
    # intake
    "ValidationReport": "impact.intake.validation",
    "validate_bytes": "impact.intake.validation",
    "validate_file": "impact.intake.validation",
    "build_template": "impact.intake.template",
    # store
    "Store": "impact.store.store",
    "IngestResult": "impact.store.ingest",
    "ingest_bytes": "impact.store.ingest",
    "ingest_file": "impact.store.ingest",
    # engine
    "Evaluation": "impact.engine.evaluation",
    "current_values": "impact.engine.evaluation",
    "evaluate": "impact.engine.evaluation",
    "trajectory": "impact.engine.evaluation",
    # explorer
    "Explorer": "impact.apps.explorer.app",
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
