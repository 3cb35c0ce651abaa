"""Fixtures for the store tests."""

from __future__ import annotations

import pandas as pd
import pytest
from store_helpers import make_frame


@pytest.fixture()
def frame() -> pd.DataFrame:
    return make_frame()

