"""Shared fixtures: the real catalog and a tiny one for unit tests.

Stage-specific fixtures live beside their tests (tests/<stage>/conftest.py or the test module).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin "today" so period-in-the-future checks are deterministic (override per test)."""
    monkeypatch.setenv("IMPACT_TODAY", "2026-11-21")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped catalog (indicators/)."""
    return load_catalog(ROOT / "indicators")


@pytest.fixture()
def min_catalog_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny test catalog: real framework files + 4 test indicators."""
    d = tmp_path / "catalog"
    shutil.copytree(ROOT / "indicators" / "framework", d / "framework")
    shutil.copy(FIXTURES / "catalog_min" / "indicators.yaml", d / "indicators.yaml")
    return d


@pytest.fixture()
def min_catalog(min_catalog_dir: Path) -> Catalog:
    """The tiny test catalog, loaded."""
    return load_catalog(min_catalog_dir)
