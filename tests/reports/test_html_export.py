"""HTML export of an (already executed) notebook: offline, shared plotly.js, code and stderr hidden."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import plotly.graph_objects as go
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from impact.reports.html_export import PLOTLY_JS, PLOTLY_MIME, export_html, write_plotly_js


def _executed_notebook() -> nbformat.NotebookNode:
    fig = go.Figure(go.Bar(x=["a"], y=[1]), layout={"title": {"text": "Titel"}})
    cells = [
        new_markdown_cell("# Nur für Entwickler"),
        new_code_cell("secret_code_marker = 1", outputs=[
            new_output("stream", name="stderr", text="SomeWarning: noisy\n"),
            new_output("display_data", data={"text/html": "<p>Hallo &amp; willkommen</p>"}),
            new_output("display_data", data={PLOTLY_MIME: fig.to_plotly_json(), "text/plain": "Figure"}),
        ]),
    ]
    return new_notebook(cells=cells)


def test_export_is_offline_and_shares_plotly(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    charts = export_html(_executed_notebook(), out, lang="en", title="Report <1>")
    text = out.read_text(encoding="utf-8")
    assert charts == 1
    assert text.count('class="plotly-graph-div"') == 1 and "Plotly.newPlot" in text
    assert '<script src="plotly.min.js"></script>' in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "require.js" not in text and "mathjax" not in text.lower()
    assert "secret_code_marker" not in text, "code is hidden"
    assert "Nur für Entwickler" not in text, "markdown cells are for notebook readers only"
    assert "noisy" not in text, "stderr is dropped"
    assert "Hallo &amp; willkommen" in text
    assert '<html lang="en">' in text and "<title>Report &lt;1&gt;</title>" in text
    assert PLOTLY_MIME not in text


def test_write_plotly_js_once(tmp_path: Path) -> None:
    p = write_plotly_js(tmp_path)
    assert p.name == PLOTLY_JS and p.stat().st_size > 1_000_000
    mtime = p.stat().st_mtime_ns
    write_plotly_js(tmp_path)
    assert p.stat().st_mtime_ns == mtime
