"""The reports in a real browser (headless Debian Chromium), with networking off.

plotly.js adds the class ``js-plotly-plot`` only once it has drawn a chart, so the number of
those must equal the number of chart containers in the file. The submitted note containing
``<script>`` must be visible as text and must not run (it would change the title and set
``data-xss`` on <body>).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FullRun

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]


def dump_dom(page: Path, profile: Path, budget_ms: int = 15000) -> str:
    """The DOM after scripts ran, offline: a dead proxy and no name resolution."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--virtual-time-budget={budget_ms}",
           "--dump-dom", page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _rendered(dom: str) -> int:
    return len(re.findall(r'class="[^"]*\bjs-plotly-plot\b', dom))


@pytest.mark.parametrize("name", ["project-kiezbox", "portfolio"])
def test_charts_render_offline_and_note_stays_text(full_run: FullRun, tmp_path: Path, name: str) -> None:
    page = full_run.out / f"{name}.html"
    source = page.read_text(encoding="utf-8")
    containers = source.count('class="plotly-graph-div"')
    dom = dump_dom(page, tmp_path / "profile")
    assert containers > 0
    assert _rendered(dom) == containers
    assert "main-svg" in dom  # plotly drew SVG
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and "XSS-EXECUTED" not in title.group(1)
    assert 'data-xss="1"' not in dom
    if name == "project-kiezbox":
        assert "&lt;script&gt;document.title=" in dom  # the note is shown as text
        assert "&lt;b&gt;fett&lt;/b&gt;" in dom


def test_index_in_browser(full_run: FullRun, tmp_path: Path) -> None:
    dom = dump_dom(full_run.out / "index.html", tmp_path / "profile", budget_ms=2000)
    assert len(re.findall(r'data-status="ok"', dom)) == 18
    assert "Wirkungsberichte" in dom


def test_page_copied_alone_still_shows_its_numbers(full_run: FullRun, tmp_path: Path) -> None:
    """An HTML page mailed or copied without plotly.min.js cannot draw charts: every chart's text
    alternative opens and a notice says why (instead of silent blank space)."""
    alone = tmp_path / "alone"
    alone.mkdir()
    page = alone / "project-kiezbox.html"
    shutil.copy(full_run.out / "project-kiezbox.html", page)
    tables = page.read_text(encoding="utf-8").count('<details class="impact-alt">')
    dom = dump_dom(page, tmp_path / "profile", budget_ms=5000)
    assert tables > 0 and _rendered(dom) == 0
    assert len(re.findall(r'<details class="impact-alt" open', dom)) == tables
    notice = re.search(r'<p class="impact-no-plotly"[^>]*>(.*?)</p>', dom, re.S)
    assert notice is not None and "hidden" not in notice.group(0).split(">")[0]
    assert "<code class=\"impact-plotly-file\">plotly.min.js</code>" in notice.group(1)
    # beside plotly.min.js (the normal case) the notice stays hidden and the tables closed
    normal = dump_dom(full_run.out / "project-kiezbox.html", tmp_path / "profile2")
    assert re.search(r'<p class="impact-no-plotly"[^>]*\bhidden', normal)
    assert '<details class="impact-alt" open' not in normal
