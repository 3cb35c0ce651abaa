"""The Voilà settings: nothing but the one notebook is reachable, and no source of it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from impact.apps.portal.server import SECURITY_HEADERS, PortalConfig, kernel_environment, voila_config

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = [
    "voila/files/submit.ipynb", "voila/files/../notebooks/submit.ipynb", "files/submit.ipynb",
    "files/notebooks/submit.ipynb", "notebooks/submit.ipynb", "submit.ipynb",
    "api/contents", "api/contents/submit.ipynb", "voila/api/contents", "api/terminals", "terminals",
    "terminals/1", "api/sessions", "api/kernels", "api/kernelspecs", "tree", "voila/tree",
    "voila/render/submit.ipynb", "lab", "edit/submit.ipynb", "voila/files/tokens.json",
    "voila/files/%2e%2e/%2e%2e/pyproject.toml",
]


def test_notebook_is_thin_and_has_parameters_cell() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "submit.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert not any("def " in c.source or "class " in c.source for c in code)
    assert "portal_widget" in code[-1].source


def test_voila_config_is_locked_down(tmp_path: Path) -> None:
    cfg = PortalConfig(notebook=tmp_path / "submit.ipynb", port=9999, max_bytes=1000, client_header="X-Real-IP")
    conf = voila_config(cfg, tmp_path / "conf")
    v, vc = conf["Voila"], conf["VoilaConfiguration"]
    assert v["ip"] == "127.0.0.1" and v["port"] == 9999 and v["port_retries"] == 0
    assert v["open_browser"] is False and v["config_file_paths"] == [str(tmp_path / "conf")]
    assert vc["strip_sources"] is True and vc["show_tracebacks"] is False
    assert vc["file_allowlist"] == [] and vc["file_denylist"] == [".*"]
    assert vc["http_header_envs"] == ["X-Real-IP"]
    assert v["tornado_settings"]["headers"] == SECURITY_HEADERS
    assert v["tornado_settings"]["websocket_max_message_size"] == 1000 + 1_000_000
    # files a few times over the limit still reach the app, which refuses them with a message
    big = voila_config(PortalConfig(notebook=cfg.notebook, max_bytes=10_000_000), tmp_path / "conf")
    assert big["Voila"]["tornado_settings"]["websocket_max_message_size"] == 40_000_000
    env = kernel_environment(cfg, tmp_path / "a.json")
    assert env["IMPACT_PORTAL_MAX_BYTES"] == "1000" and env["IMPACT_PORTAL_CLIENT_ENV"] == "HTTP_X_REAL_IP"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - follows redirects
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.slow
def test_no_source_no_files_no_api_no_terminal(running_portal) -> None:
    codes = {path: _status(running_portal.url + path) for path in FORBIDDEN}
    assert {p: c for p, c in codes.items() if c not in (403, 404)} == {}
    # the page itself is served, with the security headers, and without notebook source
    with urllib.request.urlopen(running_portal.url, timeout=60) as resp:  # noqa: S310
        page = resp.read().decode("utf-8", errors="replace")
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "portal_widget" not in page and "from impact" not in page
    # the Jupyter contents API is not there even with JSON headers
    req = urllib.request.Request(running_portal.url + "api/contents/", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            body = resp.read()
            pytest.fail(f"contents API answered: {json.loads(body)!r}")
    except urllib.error.HTTPError as exc:
        assert exc.code in (403, 404)


@pytest.mark.slow
def test_notebook_runs_under_papermill(min_catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill as pm

    monkeypatch.setenv("IMPACT_CATALOG", str(min_catalog_dir))
    monkeypatch.setenv("IMPACT_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("IMPACT_TOKENS", str(tmp_path / "tokens.json"))
    assert set(pm.inspect_notebook(str(ROOT / "notebooks" / "submit.ipynb"))) == {"lang"}
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "submit.ipynb"), str(out), parameters={"lang": "en"},
                        kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.get("output_type") == "error" for o in outputs)
