"""Store: the Parquet store with its ledger, archive and quarantine, and ingesting into it.

Depends on :mod:`impact.intake` (to validate) and :mod:`impact.core`. ``from impact.store import
Store`` keeps working.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    # the stage's main module, imported on first use (keeps ``import impact.store.<module>`` cheap)
    return getattr(importlib.import_module("impact.store.store"), name)
