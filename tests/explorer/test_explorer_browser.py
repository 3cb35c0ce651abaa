"""The explorer in a real browser: Voilà serves notebooks/explorer.ipynb, headless Chromium
draws it. Checks that the FigureWidgets render (plotly adds ``js-plotly-plot`` once it has
drawn) with the evaluated data, and that a click in the page relabels the charts in place."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs chromium and chromedriver"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def voila_url(sample_store: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "IMPACT_STORE": str(sample_store), "IMPACT_TODAY": "2026-11-21", "IMPACT_LANG": "de"}
    log = tmp_path / "voila.log"
    voila = Path(sys.executable).with_name("voila")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(voila), str(ROOT / "notebooks" / "explorer.ipynb"), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1"], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + "voila/static/probe", timeout=5)  # noqa: S310 (local)
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("voila did not start:\n" + log.read_text(errors="replace")) from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait(predicate, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError("condition not met in time")


def test_explorer_renders_and_relabels_in_a_browser(voila_url: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get(voila_url)
        _wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) >= 2, 180)
        body = lambda: driver.find_element(By.TAG_NAME, "body").text  # noqa: E731
        _wait(lambda: "Zielerreichung nach Leitgedanken – Portfolio und 5 Projekte, Stand 21.11.2026" in body())
        assert "Zeitreihen gegen den Zielpfad" in body()
        assert "Keine Aufschlüsselung gewählt" in body()  # an empty state, not an empty chart
        assert "Zugrunde liegende Werte" in body()
        assert "Traceback" not in body() and "enthält noch keine Werte" not in body()
        bars = driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .barlayer .point")
        assert bars, "no score bars drawn"
        english = next(b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == "English")
        english.click()
        _wait(lambda: "Progress by Guiding ideas – portfolio and 5 projects, as of 21 Nov 2026" in body(), 60)
        # the relabelling reaches the page widget by widget: wait for each, do not race it
        _wait(lambda: "Series against the target path" in body(), 60)
        _wait(lambda: "Underlying values" in body(), 60)
        _wait(lambda: "No breakdown is chosen" in body(), 60)
        assert len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2  # same charts, relabelled
    finally:
        driver.quit()
