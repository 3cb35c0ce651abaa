"""Fixtures for intake tests: the tiny catalog (session-scoped) and a validate() shortcut."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from impact.core.catalog import Catalog, load_catalog
from impact.intake.validation import ValidationReport, validate_bytes
from intake.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cat_min(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The same tiny catalog as conftest's ``min_catalog``, loaded once per session."""
    d = tmp_path_factory.mktemp("intake") / "catalog"
    shutil.copytree(ROOT / "indicators" / "framework", d / "framework")
    shutil.copy(ROOT / "tests" / "fixtures" / "catalog_min" / "indicators.yaml", d / "indicators.yaml")
    return load_catalog(d)


@pytest.fixture(scope="session")
def validate(cat_min: Catalog) -> Callable[..., ValidationReport]:
    """``validate(data, name="x.csv", **kw)`` against the tiny catalog with today pinned."""

    def run(data: bytes, name: str = "x.csv", **kw: object) -> ValidationReport:
        kw.setdefault("today", TODAY)
        return validate_bytes(data, name, cat_min, **kw)  # type: ignore[arg-type]

    return run
