"""Acceptance: `impact report --all` on a real store, with real papermill kernels (run once)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

import impact
from impact.core.catalog import Catalog
from impact.store.store import Store

from .conftest import TODAY, FullRun

pytestmark = pytest.mark.slow

EXPECTED = (
    ["project-hardenbergplatz", "project-data-governance", "project-smart-water", "project-kiezbox",
     "project-smarte-partizipation", "portfolio"]
    + [f"guiding-idea-{g}" for g in ("nachhaltig", "gemeinwohlorientiert", "resilient", "kooperativ")]
    + [f"principle-{p}" for p in ("menschenzentriert-systemisch", "evidenzinformiert-vorausschauend",
                                  "problembewusst-innovativ", "verantwortungsvoll-selbstbestimmt",
                                  "offen-vertrauenswuerdig", "wirkungsorientiert-anpassungsfaehig",
                                  "kooperativ-divers", "kreativ-mutig")]
)
_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I)


def test_exit_code_and_message(full_run: FullRun) -> None:
    assert full_run.proc.returncode == 0, full_run.proc.stderr
    assert "18/18 Berichte erstellt: " in full_run.proc.stdout
    assert "Traceback" not in full_run.proc.stderr


def test_files(full_run: FullRun) -> None:
    names = {p.name for p in full_run.out.iterdir()}
    assert {f"{n}.ipynb" for n in EXPECTED} <= names
    assert {f"{n}.html" for n in EXPECTED} <= names
    assert len([n for n in names if n.endswith(".ipynb")]) == 18
    assert len([n for n in names if n.endswith(".html")]) == 19  # + index.html
    assert {"index.html", "manifest.json", "plotly.min.js"} <= names
    assert not [n for n in names if n.startswith(".impact-cache")], "the evaluation cache is removed after the run"


def test_manifest(full_run: FullRun, catalog: Catalog) -> None:
    m = full_run.manifest
    for key in ("version", "command", "as_of", "known_at", "lang", "catalog_hash", "store_hash", "started_at",
                "finished_at", "duration_s", "jobs", "status", "reports"):
        assert key in m, key
    assert m["catalog_hash"] == catalog.content_hash
    known_at = dt.datetime.fromisoformat(m["known_at"].replace("Z", "+00:00"))
    assert m["store_hash"] == Store(full_run.store).content_hash(known_at) == Store(full_run.store).content_hash()
    assert m["version"] == impact.__version__
    assert m["command"].startswith("impact report --all")
    assert m["as_of"] == TODAY and m["lang"] == "de" and m["status"] == "ok" and m["jobs"] == 2
    assert [r["name"] for r in m["reports"]] == EXPECTED
    for r in m["reports"]:
        assert r["status"] == "ok" and r["error"] is None
        assert r["duration_s"] > 0
        assert r["html"] == f"{r['name']}.html" and r["notebook"] == f"{r['name']}.ipynb"
        params = r["parameters"]
        assert params["as_of"] == TODAY and params["lang"] == "de"
        assert params["store"] == str(full_run.store)
        assert all(isinstance(v, str | int | float | bool | type(None)) for v in params.values())
    kinds = [r["kind"] for r in m["reports"]]
    assert kinds.count("project") == 5 and kinds.count("portfolio") == 1
    assert kinds.count("guiding_idea") == 4 and kinds.count("principle") == 8
    by_name = {r["name"]: r for r in m["reports"]}
    assert by_name["project-kiezbox"]["parameters"]["project_id"] == "kiezbox"
    assert by_name["principle-kreativ-mutig"]["parameters"]["principle_id"] == "kreativ-mutig"


def test_index(full_run: FullRun) -> None:
    index = (full_run.out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in index
    assert "Alle 18 Berichte wurden erstellt." in index
    for name in EXPECTED:
        assert f'data-report="{name}" data-status="ok"' in index
        assert f'href="{name}.html"' in index and f'href="{name}.ipynb"' in index
    assert 'href="manifest.json"' in index


def test_executed_notebooks_keep_parameters(full_run: FullRun) -> None:
    nb = nbformat.read(str(full_run.out / "project-kiezbox.ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'project_id = "kiezbox"' in injected[0].source
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert tags.index(["injected-parameters"]) == tags.index(["parameters"]) + 1
    # plotly stays as its JSON mimetype in the notebook (JupyterLab renders it natively)
    mimes = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs for k in o.get("data", {})}
    assert "application/vnd.plotly.v1+json" in mimes


@pytest.mark.parametrize("name", EXPECTED)
def test_html_offline_small_and_charted(full_run: FullRun, name: str) -> None:
    path = full_run.out / f"{name}.html"
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= 5_000_000
    assert not _EXTERNAL.search(text), _EXTERNAL.search(text)
    assert not _CSS_IMPORT.search(text)
    assert '<script src="plotly.min.js"></script>' in text
    assert text.count("plotly.min.js") == 1, "plotly.js is shared, not embedded"
    assert text.count('class="plotly-graph-div"') > 0
    assert "application/vnd.plotly.v1+json" not in text
    assert "Traceback" not in text and "impact.reports" not in text, "code and tracebacks stay hidden"
    assert '<html lang="de">' in text


def test_every_chart_has_title_and_text_alternative(full_run: FullRun) -> None:
    text = (full_run.out / "project-kiezbox.html").read_text(encoding="utf-8")
    charts = text.count('class="plotly-graph-div"')
    assert charts == text.count('<details class="impact-alt">')
    for spec in re.findall(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', text, re.S)[:5]:
        layout = json.loads(spec[1])
        assert layout["title"]["text"]


def test_german_sections_and_escaped_note(full_run: FullRun) -> None:
    text = (full_run.out / "project-kiezbox.html").read_text(encoding="utf-8")
    for heading in ("Überblick", "Leitgedanke: Die nachhaltige Stadt", "Prinzipien", "Wirkungstreppe",
                    "Vollständigkeit der Daten und überfällige Meldungen", "Aktuelle qualitative Hinweise",
                    "Anhang: Methodik"):
        assert heading in text, heading
    assert "&lt;script&gt;document.title=" in text
    assert "<script>document.title=" not in text
    assert html.escape("<b>fett</b>", quote=False) in text


def test_portfolio_and_cross_reports_content(full_run: FullRun) -> None:
    portfolio = (full_run.out / "portfolio.html").read_text(encoding="utf-8")
    assert "Die Pilotprojekte im Vergleich" in portfolio and "Synergien" in portfolio
    assert "Gemeinsame Indikatoren im Vergleich" in portfolio
    gi = (full_run.out / "guiding-idea-resilient.html").read_text(encoding="utf-8")
    assert "Leitgedanke: Die resiliente Stadt" in gi and "Punktzahl je Projekt" in gi


def test_plotly_js_is_the_library(full_run: FullRun) -> None:
    from impact.reports.html_export import plotly_js_source

    assert (full_run.out / "plotly.min.js").read_bytes() == Path(plotly_js_source()).read_bytes()


def test_breakdowns_shown_when_submitted(full_run: FullRun) -> None:
    values = Store(full_run.store).values()
    has = bool(((values["project_id"] == "kiezbox") & (values["breakdown"] != "")).any())
    text = (full_run.out / "project-kiezbox.html").read_text(encoding="utf-8")
    assert ("<caption>Aufschlüsselung (" in text) == has
