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
def cat_ev(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The tiny catalog with quality defaults and one indicator that requires evidence (issue 13):
    ``test-users`` counted, ``test-outage-hours`` measured and ``evidence_required``."""
    import yaml

    d = tmp_path_factory.mktemp("intake-ev") / "catalog"
    shutil.copytree(ROOT / "indicators" / "framework", d / "framework")
    doc = yaml.safe_load((ROOT / "tests" / "fixtures" / "catalog_min" / "indicators.yaml").read_text("utf-8"))
    by_id = {i["id"]: i for i in doc["indicators"]}
    by_id["test-users"]["quality"] = "counted"
    by_id["test-outage-hours"].update(quality="measured", evidence_required=True)
    (d / "indicators.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_catalog(d)


@pytest.fixture(scope="session")
def validate(cat_min: Catalog) -> Callable[..., ValidationReport]:
    """``validate(data, name="x.csv", **kw)`` against the tiny catalog with today pinned."""

    def run(data: bytes, name: str = "x.csv", **kw: object) -> ValidationReport:
        kw.setdefault("today", TODAY)
        return validate_bytes(data, name, cat_min, **kw)  # type: ignore[arg-type]

    return run
