"""Fixtures of the engine tests: a copied catalog directory with fixed project runtimes."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECTS_YAML = """\
projects:
  - id: kiezbox
    section: "x"
    lead: Lead A
    start: 2022-01-01
    end: null
    name: {de: Kiezbox, en: Kiezbox}
    description: {de: Test, en: Test}
  - id: smart-water
    section: "x"
    lead: Lead B
    start: 2022-01-01
    end: null
    name: {de: Smart Water, en: Smart Water}
    description: {de: Test, en: Test}
  - id: smarte-partizipation
    section: "x"
    lead: Lead C
    start: 2023-06-01
    end: 2025-12-31
    name: {de: Partizipation, en: Participation}
    description: {de: Test, en: Test}
"""


@pytest.fixture()
def cat_dir(min_catalog_dir: Path) -> Path:
    """A catalog directory with the real framework files but three projects of known runtime
    (kiezbox and smart-water since 2022-01-01, open end; smarte-partizipation 2023-06-01 to
    2025-12-31). Tests write their own indicators with ``helpers.write_catalog``."""
    (min_catalog_dir / "framework" / "projects.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    return min_catalog_dir
