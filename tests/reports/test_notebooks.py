"""The report notebooks: parameters tag, thin (no definitions), no outputs, names papermill sees."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

from impact.reports.runner import KINDS, check_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
COMMON = {"as_of", "lang", "store", "catalog", "evaluation_cache"}


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
