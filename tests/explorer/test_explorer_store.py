"""The explorer on a real store (ingested through impact.store.ingest) and the notebook under papermill."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from impact.apps.explorer.app import Explorer
from impact.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explorer.ipynb"


def test_explorer_reads_a_store_by_path_with_corrections(min_catalog, tmp_store):
    path, (first, second) = tmp_store
    ex = Explorer(min_catalog, store=path, as_of=dt.date(2026, 11, 21))
    assert ex.has_data and ex.message.value == ""
    ex.projects.value = ("kiezbox",)
    ex.indicators.value = ("test-users",)
    table = ex.table.set_index("period")
    assert table.loc["2024-Q4", "value"] == 1300.0  # the correction wins
    assert table.loc["2024-Q4", "submission_id"] == second
    assert table.loc["2024-Q3", "submission_id"] == first
    assert table.loc["2024-Q4", "note"] == "Korrektur"


def test_explorer_accepts_a_store_object_and_an_earlier_knowledge_date(min_catalog, tmp_store):
    path, (first, second) = tmp_store
    received = Store(path).ledger()["received_at"]
    day = pd.Timestamp(received.iloc[0]).date()
    ex = Explorer(min_catalog, store=Store(path), as_of=dt.date(2026, 11, 21), known_at=day - dt.timedelta(days=1))
    assert ex.indicators.value == ("test-users",)
    assert ex.table.empty  # nothing received yet
    ex.known_at.value = day
    assert set(ex.table["submission_id"]) == {first, second}


def test_a_damaged_store_is_a_bilingual_message(min_catalog, tmp_store):
    path, (first, _second) = tmp_store
    (path / "values" / f"{first}.parquet").write_bytes(b"not parquet")
    ex = Explorer(min_catalog, store=path, as_of=dt.date(2026, 11, 21))
    assert not ex.has_data and ex.table.empty
    assert "kann nicht gelesen werden" in ex.message.value and first[:12] in ex.message.value
    ex.language.value = "en"
    assert "cannot be read" in ex.message.value and "checksum mismatch" in ex.message.value


def test_notebook_has_tagged_parameters_and_no_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code")
    import papermill

    params = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(params) == {"store", "catalog", "lang", "as_of", "known_at"}
    assert not [c for c in nb["cells"] if c["cell_type"] == "markdown"]  # the served page shows no instructions


def test_explorer_on_the_sample_store(sample_store, catalog):
    ex = Explorer(catalog, store=sample_store, as_of=dt.date(2026, 11, 21))
    assert ex.has_data and ex.message.value == ""
    portfolio = ex.score_fig.data[0]
    assert pd.notna(pd.Series(portfolio.y, dtype=float)).any()
    assert not ex.table.empty and ex.table["submission_id"].str.fullmatch(r"[0-9a-f]{64}").all()
    ex.drill_down("guiding_idea", "resilient")
    expected = {i.id for i in catalog.indicators.values() if "resilient" in i.guiding_ideas}
    assert set(ex.indicators.value) == expected
    assert set(ex.table["indicator_id"]) <= expected and not ex.table.empty
    assert any(t.visible and len(t.x) for t in ex.series_fig.data)
    assert ex.series_view.drawn and ex.series_view.output.outputs


@pytest.mark.slow
def test_notebook_runs_under_papermill_on_the_sample_store(tmp_path, sample_store):
    import papermill

    out = tmp_path / "explorer-out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
        parameters={"store": str(sample_store), "lang": "en", "as_of": "2026-11-21"})
    outputs = _outputs(out)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_notebook_runs_under_papermill_on_an_empty_store(tmp_path, min_catalog_dir):
    import papermill

    out = tmp_path / "explorer-out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
        parameters={"store": str(tmp_path / "empty"), "catalog": str(min_catalog_dir)})
    outputs = _outputs(out)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def _outputs(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
