"""Engine: pure computation over stored values — current values, progress, status, scores,
trends, forecasts — and the open-data export. Depends on :mod:`impact.core` only.

``from impact.engine import evaluate`` keeps working.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    # the stage's main module, imported on first use (keeps ``import impact.engine.<module>`` cheap)
    return getattr(importlib.import_module("impact.engine.evaluation"), name)
