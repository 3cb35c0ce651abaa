"""The explorer in JupyterLab (``make lab``) in headless Chromium: the same fixed sequence of actions
as for the served explorer, with every chart compared with the kernel's figure after each action."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import pytest

from impact.apps.explorer.app import Explorer
from impact.core.catalog import load_catalog

from .browser import ROOT, TODAY, chrome, free_port, plan, run_sequence, running, server_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUNS = 3  # fresh kernels, one after the other


def _twin(store: Path) -> Explorer:
    day = dt.date.fromisoformat(TODAY)
    return Explorer(load_catalog(ROOT / "indicators"), store=store, lang="de", as_of=day, today=day)


def _run_all(driver) -> None:  # type: ignore[no-untyped-def]
    """Run every cell of the open notebook with JupyterLab's own command, after a kernel restart."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready = driver.execute_script(
            "const app = window.jupyterapp; if (!app) return false;"
            "const panel = app.shell.currentWidget;"
            "return !!(panel && panel.sessionContext && panel.sessionContext.session"
            " && panel.sessionContext.session.kernel && panel.content && panel.content.widgets.length);")
        if ready:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("JupyterLab did not open the notebook with a kernel")
    driver.execute_script("window.jupyterapp.commands.execute('notebook:restart-run-all');")
    time.sleep(1)
    # the restart asks for confirmation in a dialog
    for _ in range(20):
        accepted = driver.execute_script(
            "const b = document.querySelector('.jp-Dialog .jp-mod-accept'); if (b) { b.click(); return true; }"
            "return false;")
        if accepted:
            break
        time.sleep(0.5)


def test_jupyterlab_shows_the_kernels_figures_after_every_action(sample_store: Path, tmp_path: Path) -> None:
    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "explorer.ipynb", work / "explorer.ipynb")
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    argv = [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={work}", "--allow-root",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = server_env(sample_store, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
                     JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    url = f"http://127.0.0.1:{port}/"
    steps = plan(lambda: _twin(sample_store))
    failures: dict[int, list[str]] = {}
    with running(argv, url + "api/status", tmp_path / "lab.log", env, work):
        driver = chrome()
        try:
            driver.get(url + "lab/tree/explorer.ipynb")
            for n in range(RUNS):
                _run_all(driver)
                problems = run_sequence(driver, steps, 30.0)
                if problems:
                    failures[n] = problems[:5]
        finally:
            driver.quit()
    assert not failures, "\n".join(f"run {n}: {p}" for n, p in failures.items())
