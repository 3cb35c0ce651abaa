"""The served explorer (``impact explorer``, Voilà) in headless Chromium, load after fresh load.

The acceptance test of the charts: the page is opened ``IMPACT_TEST_LOADS`` times (40 by default),
each time in a new tab with its own kernel; the fixed sequence of actions (project, indicator,
breakdown, language, as-of, drill-down) runs in every load, and after loading and after each action
every chart's drawn traces, title and note must equal the figure the kernel computes (its twin in
this process). Version 0.1 failed this in about one load in four (see docs/explorer.md).

Also checked on the same server: the widget state one load sends is at most 3 MB, a closed tab's
kernel ends, and the page carries the reader's language in ``<html lang>``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from impact.apps.explorer.app import Explorer
from impact.core.catalog import load_catalog

from .browser import ROOT, TODAY, chrome, free_port, plan, run_sequence, running, server_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOADS = int(os.environ.get("IMPACT_TEST_LOADS", "40"))
STEP_TIMEOUT = 30.0  # seconds a chart may take to show an update (measured: well under 1 s)
STATE_LIMIT = 3_000_000


@pytest.fixture(scope="module")
def served(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    tmp = tmp_path_factory.mktemp("served")
    port = free_port()
    impact = Path(sys.executable).with_name("impact")
    argv = [str(impact), "explorer", "--port", str(port), "--store", str(sample_store), "--max-kernels", "3"]
    url = f"http://127.0.0.1:{port}/"
    with running(argv, url + "voila/static/probe", tmp / "server.log", server_env(sample_store), tmp) as proc:
        yield url, proc


def _twin(store: Path) -> Explorer:
    day = dt.date.fromisoformat(TODAY)
    return Explorer(load_catalog(ROOT / "indicators"), store=store, lang="de", as_of=day, today=day)


def _kernels(proc: Any) -> int:
    """Kernel processes the server runs now (exited ones not counted)."""
    import psutil

    count = 0
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            count += child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline())
        except psutil.Error:
            continue
    return count


def _close_tab(driver: Any) -> None:
    """Leave the page as a person closing the tab does (the browser runs the page's unload
    handlers; WebDriver's own window close skips them), then close the tab."""
    driver.get("about:blank")
    driver.close()
    driver.switch_to.window(driver.window_handles[0])


def _received_bytes(driver: Any) -> int:
    """Bytes of websocket frames the page received since the log was last read (the widget state)."""
    total = 0
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.webSocketFrameReceived":
            total += len(message["params"]["response"]["payloadData"])
    return total


def test_every_load_shows_the_kernels_figures_after_every_action(served: tuple[str, Any], sample_store: Path) -> None:
    url, proc = served
    steps = plan(lambda: _twin(sample_store))
    driver = chrome()
    failures: dict[int, list[str]] = {}
    started = time.monotonic()
    try:
        for n in range(LOADS):
            driver.switch_to.new_window("tab")
            driver.get(url)
            problems = run_sequence(driver, steps, STEP_TIMEOUT)
            if problems:
                failures[n] = problems[:5]
            _close_tab(driver)
    finally:
        driver.quit()
    took = time.monotonic() - started
    print(f"{LOADS} loads in {took:.0f} s ({took / LOADS:.1f} s per load with {len(steps.targets)} actions)")
    assert not failures, f"{len(failures)} of {LOADS} loads showed something else than the kernel:\n" + "\n".join(
        f"load {n}: {p}" for n, p in failures.items())


def test_a_load_sends_little_state_speaks_the_language_and_ends_with_its_tab(served: tuple[str, Any],
                                                                             sample_store: Path) -> None:
    url, proc = served
    steps = plan(lambda: _twin(sample_store))
    driver = chrome(performance_log=True)
    try:
        time.sleep(1)
        before = _kernels(proc)
        driver.switch_to.new_window("tab")
        driver.get(url)
        assert not run_sequence(driver, steps, STEP_TIMEOUT)[:1]
        state = _received_bytes(driver)
        assert 0 < state <= STATE_LIMIT, f"{state:,} bytes of widget state for one load"
        assert driver.execute_script("return document.documentElement.lang") == "en"  # the last language chosen
        assert _kernels(proc) == before + 1
        _close_tab(driver)
        deadline = time.monotonic() + 30
        while _kernels(proc) > before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _kernels(proc) == before, "the kernel of a closed tab is still running"
    finally:
        driver.quit()
