"""No visible string of a report bypasses the translation catalogue.

A pseudo-locale made from the English catalogue (every message a marked, accented copy) is compiled
into a temporary folder named in ``IMPACT_LOCALE_DIRS``; one report of each kind is built in it with
real kernels. Every text node of each page, and every text its charts write, must carry the marker,
unless it is data: catalog content, submitted periods, values and notes, ids, hashes, numbers and dates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from impact.core.catalog import Catalog
from impact.store.store import Store

from .conftest import run_impact
from .pseudo import (
    CLOSE,
    OPEN,
    PSEUDO,
    DataStrings,
    build_pseudo_locale,
    data_strings,
    figure_texts,
    pseudo,
    residue,
    visible_texts,
)

pytestmark = pytest.mark.slow


def test_pseudo_translation_keeps_fields_and_formats() -> None:
    assert pseudo("Score {score} · coverage {coverage}") == f"{OPEN}Šćóŕé {{score}} · ćóvéŕáǵé {{coverage}}{CLOSE}"
    assert pseudo("%m/%Y") == f"{OPEN}%m/%Y{CLOSE}"


def test_residue_finds_unmarked_words() -> None:
    data = DataStrings(["Kiezbox 2.0", "2025-Q2"])
    assert residue(f"{OPEN}Šúmmáŕý{CLOSE}: Kiezbox 2.0, 2025-Q2, 1.234,5 · 21 Nov 2026, 12:00:00 UTC", data) == ""
    assert "coverage" in residue(f"{OPEN}Šćóŕé{CLOSE} 42 % coverage", data)
    note = '<script>alert("x")</script><b>fett</b> & Co'
    assert residue(note, DataStrings([note])) == "", "a submitted note is data, markup and all"
    assert residue("%{y}: %{text}<extra></extra>", DataStrings(["%"])) == ""


def test_every_visible_string_comes_from_the_catalogue(tmp_path: Path, report_store: Path, catalog: Catalog) -> None:
    locales = build_pseudo_locale(tmp_path / "locales")
    out = tmp_path / "out"
    proc = run_impact("report", "--project", "kiezbox", "--portfolio", "--guiding-idea", "resilient",
                      "--principle", "offen-vertrauenswuerdig", "--lang", PSEUDO, "--store", str(report_store),
                      "--out", str(out), "--jobs", "2", IMPACT_LOCALE_DIRS=str(locales))
    assert proc.returncode == 0, proc.stderr
    assert OPEN in proc.stdout, "the command's own output is in the pseudo-locale too"
    values = Store(report_store).values()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    data = DataStrings([*data_strings(catalog), *values["period"].astype(str), *values["note"].dropna().astype(str),
                        catalog.content_hash[:12], manifest["store_hash"][:12], "UTC"])
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 5  # four reports and the index
    bypassed: dict[str, list[str]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{PSEUDO}">' in text
        assert page.name == "index.html" or figure_texts(text), "the charts' texts are checked too"
        left = sorted({r for node in visible_texts(text) if (r := residue(node, data))})
        if left:
            bypassed[page.name] = left
    assert not bypassed, f"texts that bypassed the catalogue: {json.dumps(bypassed, ensure_ascii=False, indent=1)}"
