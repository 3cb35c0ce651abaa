"""Reports: figures, report sections, papermill runs, offline HTML, the index and manifest, and the
scheduled run. Depends on the engine, the store and the core.

``from impact.reports import load_context`` (the notebooks' entry point) keeps working.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    # the stage's main module, imported on first use (keeps ``import impact.reports.<module>`` cheap)
    for module in ("impact.reports.context", "impact.reports.runner"):
        found = importlib.import_module(module)
        if hasattr(found, name):
            return getattr(found, name)
    raise AttributeError(f"module 'impact.reports' has no attribute {name!r}")
