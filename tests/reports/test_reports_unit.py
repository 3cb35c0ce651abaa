"""Planning, parameter checks, notebook checks and the index page (no kernels)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

from impact.cli.reports import report
from impact.core.catalog import Catalog
from impact.core.errors import EXIT_UNREADABLE
from impact.reports.planning import (
    ReportError,
    ReportSpec,
    check_notebook,
    plan_reports,
    validate_parameters,
)
from impact.reports.runner import ReportResult, render_index


def test_plan_all_is_18_in_order(catalog: Catalog) -> None:
    specs = plan_reports(catalog, all_reports=True)
    assert len(specs) == 18
    assert [s.kind for s in specs] == ["project"] * 5 + ["portfolio"] + ["guiding_idea"] * 4 + ["principle"] * 8
    assert specs[0].name == "project-hardenbergplatz" and specs[5].name == "portfolio"
    assert specs[6].name == "guiding-idea-nachhaltig" and specs[-1].name == "principle-kreativ-mutig"
    assert len({s.name for s in specs}) == 18


def test_plan_selection_and_duplicates(catalog: Catalog) -> None:
    specs = plan_reports(catalog, projects=["kiezbox", "kiezbox"], portfolio=True, principles=["kreativ-mutig"])
    assert [s.name for s in specs] == ["project-kiezbox", "portfolio", "principle-kreativ-mutig"]


def test_plan_unknown_id_and_empty(catalog: Catalog) -> None:
    with pytest.raises(ReportError) as exc:
        plan_reports(catalog, projects=["atlantis"])
    assert exc.value.exit_code == EXIT_UNREADABLE
    assert "Unbekannte Projekt-ID „atlantis“" in exc.value.message("de")
    assert "Unknown project id 'atlantis'" in exc.value.message("en")
    with pytest.raises(ReportError) as exc:
        plan_reports(catalog)
    assert "--all" in exc.value.message("de") and "No reports selected" in exc.value.message("en")


def test_spec_parameters_and_titles(catalog: Catalog) -> None:
    spec = ReportSpec("principle", "kreativ-mutig")
    params = spec.parameters({"lang": "en"})
    assert params == {"lang": "en", "principle_id": "kreativ-mutig"}
    assert ReportSpec("portfolio").parameters({"lang": "de"}) == {"lang": "de"}
    assert spec.title(catalog, "de").startswith("Prinzip: ")
    assert ReportSpec("project", "kiezbox").title(catalog, "en").startswith("Impact report: ")
    assert ReportSpec("portfolio").title(catalog, "de") == "Portfoliobericht: die Pilotprojekte"


@pytest.mark.parametrize("value", [Path("/tmp/x"), dt.date(2026, 1, 1), ["a"], {"a": 1}, object()])
def test_validate_parameters_refuses_non_plain_values(value: object) -> None:
    with pytest.raises(ReportError) as exc:
        validate_parameters({"store": value})
    assert "store" in exc.value.message("en")


def test_validate_parameters_refuses_bad_names_and_text() -> None:
    with pytest.raises(ReportError):
        validate_parameters({"x = 1; import os; y": "v"})
    with pytest.raises(ReportError):
        validate_parameters({"lang": "de\x00"})
    assert validate_parameters({"a": "x'\"", "b": 1, "c": 1.5, "d": True, "e": None})["a"] == "x'\""


def _write(path: Path, cells: list, tag: bool = True) -> Path:
    nb = new_notebook(cells=cells)
    if tag:
        nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(path))
    return path


def test_check_notebook_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="not found"):
        check_notebook(tmp_path / "missing.ipynb", [])
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError, match="readable"):
        check_notebook(bad, [])
    untagged = _write(tmp_path / "untagged.ipynb", [new_code_cell("lang = 'de'")], tag=False)
    with pytest.raises(ReportError) as exc:
        check_notebook(untagged, ["lang"])
    assert "parameters" in exc.value.message("en") and "Tag" in exc.value.message("de")
    ok = _write(tmp_path / "ok.ipynb", [new_code_cell("lang = 'de'\nstore = None")])
    check_notebook(ok, ["lang", "store"])  # no kernel metadata: inspected as the run executes it
    with pytest.raises(ReportError) as exc:
        check_notebook(ok, ["lang", "project_id"])
    assert "project_id" in exc.value.message("en") and "lang, store" in exc.value.message("en")


def test_check_notebook_uses_papermills_public_inspection() -> None:
    """papermill's private parameter helper is not used (it may change without notice)."""
    import impact.reports.planning as planning

    source = Path(planning.__file__).read_text(encoding="utf-8")
    assert "_infer_parameters" not in source and "papermill.inspect_notebook" in source


def _result(name: str, status: str, error: dict | None = None) -> ReportResult:
    return ReportResult(name=name, kind="project", ident=name, title=f"Bericht <{name}>", notebook=f"{name}.ipynb",
                        html=f"{name}.html" if status == "ok" else None, parameters={}, status=status,
                        duration_s=1.25, error=error)


def test_index_marks_failures_and_escapes() -> None:
    manifest = {"as_of": "2026-11-21", "known_at": "2026-11-21T09:30:00.250000Z", "finished_at": "2026-11-21T10:00:00Z",
                "catalog_hash": "a" * 64, "store_hash": "b" * 64}
    results = [_result("a", "ok"),
               _result("b", "failed", {"ename": "ValueError", "evalue": "<script>alert(1)</script>"})]
    page = render_index(manifest, results, "de")
    assert '<html lang="de">' in page
    assert "1 von 2 Berichten sind fehlgeschlagen" in page
    assert "Stichtag: 21.11.2026 · Datenstand: 21.11.2026, 09:30:00 UTC" in page
    assert 'data-report="b" data-status="failed"' in page and "fehlgeschlagen" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bericht &lt;a&gt;" in page and 'href="a.html"' in page and 'href="b.html"' not in page
    assert 'href="b.ipynb"' in page
    en = render_index(manifest, results[:1], "en")
    assert '<html lang="en">' in en and "The report was produced." in en
    assert "Reference date: 21 Nov 2026 · Knowledge date: 21 Nov 2026, 09:30:00 UTC" in en
    two = render_index(manifest, [_result("a", "ok"), _result("c", "ok")], "de")
    assert "Alle 2 Berichte wurden erstellt." in two


def test_cli_without_selection_is_a_usage_error() -> None:
    result = CliRunner().invoke(report, [])
    assert result.exit_code == 2
    assert "Keine Berichte gewählt" in result.output
    result = CliRunner().invoke(report, ["--lang", "en"])
    assert result.exit_code == 2 and "No reports selected" in result.output and "Keine" not in result.output


def test_cli_unknown_project_and_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, ["--project", "atlantis"])
    assert result.exit_code == 2 and "atlantis" in result.output
    result = CliRunner().invoke(report, ["--project", "kiezbox", "--store", str(tmp_path / "nope"),
                                         "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Datenspeicher nicht gefunden" in result.output


def test_cli_bad_date_and_catalog(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, ["--all", "--as-of", "21.11.2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    (tmp_path / "cat").mkdir()
    result = CliRunner().invoke(report, ["--all", "--catalog", str(tmp_path / "cat")])
    assert result.exit_code == 1 and "Der Katalog hat 6 Probleme" in result.output


def test_kernel_start_failure_is_retried_once_then_reported(tmp_path: Path) -> None:
    from impact.reports.execution import execute_report

    nb = tmp_path / "nb.ipynb"
    _write(nb, [new_code_cell("lang = 'de'")])
    out = tmp_path / "out"
    out.mkdir()
    result = execute_report({"name": "x", "input": str(nb), "parameters": {"lang": "en"}, "out_dir": str(out),
                       "lang": "en", "title": "X", "timeout": 30, "start_timeout": 10,
                       "kernel_name": "no-such-kernel"})
    assert result["status"] == "failed" and result["attempts"] == 2
    assert result["error"]["type"] == "kernel" and result["html"] is None
