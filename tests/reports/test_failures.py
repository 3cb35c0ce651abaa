"""One failing notebook does not stop the others; the index marks it; the exit code is 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from impact.core.catalog import Catalog
from impact.reports.planning import ReportSpec
from impact.reports.runner import run_reports

from .conftest import AS_OF, ROOT, run_impact

pytestmark = pytest.mark.slow


def test_unknown_principle_fails_alone(report_store: Path, catalog: Catalog, tmp_path: Path) -> None:
    out = tmp_path / "out"
    specs = [ReportSpec("project", "kiezbox"), ReportSpec("principle", "gibt-es-nicht")]
    summary = run_reports(specs, catalog=catalog, store_dir=report_store, out_dir=out, notebooks_dir=ROOT / "notebooks",
                          as_of=AS_OF, lang="de", jobs=2, progress=False)
    assert summary.exit_code == 1
    ok, bad = summary.results
    assert ok.status == "ok" and (out / "project-kiezbox.html").is_file()
    assert bad.status == "failed" and bad.html is None and not (out / "principle-gibt-es-nicht.html").exists()
    assert bad.error is not None and bad.error["ename"] == "ValueError" and bad.error["type"] == "cell"
    assert "Unbekannte Prinzip-ID „gibt-es-nicht“" in bad.error["evalue"]
    # the executed notebook with the error is kept
    nb = nbformat.read(str(out / "principle-gibt-es-nicht.ipynb"), as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-report="principle-gibt-es-nicht" data-status="failed"' in index
    assert 'data-report="project-kiezbox" data-status="ok"' in index
    assert "1 von 2 Berichten sind fehlgeschlagen" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["n_failed"] == 1
    assert [r["status"] for r in manifest["reports"]] == ["ok", "failed"]


def test_cli_broken_notebook_exit_1_in_english(report_store: Path, tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    path = notebooks / "guiding_idea_report.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(new_code_cell('raise RuntimeError("kaputt / broken")'))
    nbformat.write(nb, str(path))
    out = tmp_path / "out"
    out.mkdir()
    # a page from an earlier run into the same folder must not pass for this run's failed report
    (out / "guiding-idea-nachhaltig.html").write_text("<html>stale, older data</html>", encoding="utf-8")
    proc = run_impact("report", "--project", "kiezbox", "--guiding-idea", "nachhaltig", "--lang", "en",
                      "--store", str(report_store), "--out", str(out), "--notebooks", str(notebooks), "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    assert "1/2 reports produced: " in proc.stdout
    assert "FAILED: guiding-idea-nachhaltig" in proc.stderr and "RuntimeError: kaputt / broken" in proc.stderr
    assert "Traceback" not in proc.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "1 of 2 reports failed" in index
    assert 'data-report="guiding-idea-nachhaltig" data-status="failed"' in index
    page = (out / "project-kiezbox.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    for text in ("Summary", "Guiding idea: The sustainable city", "Impact ladder", "Appendix: methodology"):
        assert text in page, text
    assert "Überblick" not in page
    assert "(Anzahl)" not in page and "(count)" in page  # unit words in the report's language
    assert (out / "guiding-idea-nachhaltig.ipynb").is_file() and not (out / "guiding-idea-nachhaltig.html").exists()
