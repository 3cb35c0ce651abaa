"""Store: the Parquet store with its ledger, archive and quarantine, review events, and ingesting.

Depends on :mod:`impact.intake` (to validate) and :mod:`impact.core`. ``from impact.store import
Store`` keeps working; the names below are imported on first use (keeps ``import impact.store``
cheap).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Store": "impact.store.store",
    "AppendResult": "impact.store.store",
    "StoreError": "impact.store.errors",
    "StoreDamagedError": "impact.store.errors",
    "StoreFormatError": "impact.store.errors",
    "ReviewError": "impact.store.errors",
    "IngestResult": "impact.store.ingest",
    "ingest_bytes": "impact.store.ingest",
    "ingest_file": "impact.store.ingest",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # other names of the main module, as before the split
        module = "impact.store.store"
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        raise AttributeError(f"module 'impact.store' has no attribute {name!r}") from None
