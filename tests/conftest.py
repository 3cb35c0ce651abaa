"""Shared fixtures: the real catalog and a tiny one for unit tests.

Stage-specific fixtures live beside their tests (tests/<stage>/conftest.py or the test module).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from impact.core.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The whole test run (and every process it starts) lives on one fixed day: "today" for period
# checks and the clock that stamps receipts. Without the second pin, a store filled "now" would
# look empty to an evaluation "as of 2026-11-21" once the real date has moved on.
os.environ["IMPACT_TODAY"] = "2026-11-21"
os.environ["IMPACT_NOW"] = "2026-11-21T12:00:00+00:00"

# Property tests check behaviour, not speed: no per-example deadline (a loaded CI machine made
# them fail on time alone; speed targets live in benchmarks/).
hypothesis_settings.register_profile("impact", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("impact")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Browser tests fail (never skip) when Chromium is missing: `make browser` installs it."""
    if item.get_closest_marker("browser") and not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("browser test needs Debian's chromium and chromium-driver: run `make browser` "
                    "(as root it installs them; otherwise `sudo apt-get install chromium chromium-driver`)",
                    pytrace=False)


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


SAMPLE_SUFFIXES = (".csv", ".xlsx")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    """A store filled from every submission file in ``data/sample/`` (name order), via ingest_file.

    Ingested with the real catalog and "today" = 2026-11-21. Rejected sample files (if any are
    deliberately broken) land in the store's quarantine. Read-only for tests: copy it before
    writing. Returns the store directory.
    """
    files = sorted(p for p in (ROOT / "data" / "sample").glob("*") if p.suffix.lower() in SAMPLE_SUFFIXES)
    assert files, "data/sample/ has no submission files"
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    store = Store(tmp_path_factory.mktemp("sample_store") / "store")
    for path in files:
        ingest_file(path, store, catalog, today=dt.date(2026, 11, 21))
    return store.path
