"""The report notebooks: parameters tag, thin (no definitions), no outputs, names papermill sees."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

from impact.reports.runner import KINDS, check_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
COMMON = {"as_of", "known_at", "lang", "store", "catalog", "evaluation_cache"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_notebook_is_thin_and_parameterised(kind: str) -> None:
    file_name, id_param = KINDS[kind]
    path = NOTEBOOKS / file_name
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is tagged[0], "the parameters cell comes before any other code"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, "committed without outputs"
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)]
        assert not defs, f"{file_name}: no function definitions in notebooks (logic lives in src/impact)"
    declared = set(papermill.inspect_notebook(str(path)))
    expected = COMMON | ({id_param} if id_param else set())
    assert declared == expected
    check_notebook(path, sorted(expected))  # the run's own check agrees


def test_project_notebook_declares_issue_parameters() -> None:
    declared = set(papermill.inspect_notebook(str(NOTEBOOKS / "project_report.ipynb")))
    assert {"project_id", "as_of", "lang", "store", "catalog"} <= declared


@pytest.mark.parametrize("kind", list(KINDS))
def test_notebook_reads_like_its_report(kind: str) -> None:
    """Every section is a markdown heading followed by exactly one call into the sections module
    (``rt.<section>(ctx, …)``), so an evaluator can read, re-run and adapt one section."""
    import impact.reports.sections as rt

    nb = nbformat.read(str(NOTEBOOKS / KINDS[kind][0]), as_version=4)
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    calls = []
    for before, cell in zip(cells, cells[1:], strict=False):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        assert before.cell_type == "markdown" and before.source.startswith("## "), cell.source
        tree = ast.parse(cell.source)
        if any(isinstance(n, ast.ImportFrom) for n in tree.body):
            continue  # the setup cell: imports and load_context
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), cell.source
        call = tree.body[0].value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), cell.source
        assert isinstance(call.func.value, ast.Name) and call.func.value.id == "rt", cell.source
        assert call.func.attr in rt.__all__, f"{call.func.attr} is not a report section"
        calls.append(call.func.attr)
    assert len(calls) >= 4, f"{kind}: the notebook should show the report's outline, one section per cell"
    assert calls[-1] in ("methodology", "group_methodology"), "the methodology appendix comes last"
