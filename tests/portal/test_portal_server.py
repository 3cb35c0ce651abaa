"""The serving settings: nothing but the one notebook is reachable, no source of it, nothing
before sign-in; and the notebook stays thin."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest

from impact.apps.guards import BoundKernelManager, OwnerAuthorizer, SessionIdentity
from impact.apps.portal.server import PortalConfig, kernel_environment, serve_config, websocket_limit
from impact.apps.portal.tokens import TokenStore
from impact.apps.serving import SECURITY_HEADERS, TEMPLATE_ROOT, ServeConfig, voila_config

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = [
    "voila/files/submit.ipynb", "voila/files/../notebooks/submit.ipynb", "files/submit.ipynb",
    "files/notebooks/submit.ipynb", "notebooks/submit.ipynb", "submit.ipynb",
    "api/contents", "api/contents/submit.ipynb", "voila/api/contents", "api/terminals", "terminals",
    "terminals/1", "api/sessions", "api/kernels", "api/kernelspecs", "tree", "voila/tree",
    "voila/render/submit.ipynb", "lab", "edit/submit.ipynb", "voila/files/tokens.json",
    "voila/files/%2e%2e/%2e%2e/pyproject.toml", "?template=python", "?theme=dark",
]


def _portal_config(tmp_path: Path, **kw: object) -> PortalConfig:
    return PortalConfig(notebook=tmp_path / "submit.ipynb", store_dir=tmp_path / "store",
                        tokens_path=tmp_path / "tokens.json", catalog_dir=tmp_path / "cat",
                        projects=frozenset({"kiezbox"}), today=lambda: dt.date(2026, 11, 21), **kw)  # type: ignore[arg-type]


def test_notebook_is_thin_and_has_parameters_cell() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "submit.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert not any("def " in c.source or "class " in c.source for c in code)
    assert "portal_widget" in code[-1].source
    # nothing in the served page that is not the app (the first version showed "Served by …")
    assert not [c for c in nb.cells if c.cell_type == "markdown"]


def test_voila_config_is_locked_down(tmp_path: Path) -> None:
    cfg = serve_config(_portal_config(tmp_path, port=9999, max_bytes=1000, max_kernels=3,
                                      session_idle_seconds=120))
    conf = voila_config(cfg, tmp_path / "conf")
    v, vc, km = conf["Voila"], conf["VoilaConfiguration"], conf["MappingKernelManager"]
    assert v["ip"] == "127.0.0.1" and v["port"] == 9999 and v["port_retries"] == 0
    assert v["open_browser"] is False and v["config_file_paths"] == [str(tmp_path / "conf")]
    assert v["identity_provider_class"] is SessionIdentity and v["authorizer_class"] is OwnerAuthorizer
    assert vc["strip_sources"] is True and vc["show_tracebacks"] is False
    assert vc["file_allowlist"] == [] and vc["file_denylist"] == [".*"]
    assert vc["allow_template_override"] == "NO" and vc["allow_theme_override"] == "NO"
    assert vc["template"] == "impact" and vc["multi_kernel_manager_class"] is BoundKernelManager
    assert v["tornado_settings"]["headers"] == SECURITY_HEADERS
    assert v["tornado_settings"]["websocket_max_message_size"] == 1000 + 1_000_000
    assert km["cull_idle_timeout"] <= 600 and km["cull_connected"] is False  # idle kernels go within minutes
    assert cfg.max_kernels == 3 and cfg.session_idle_seconds == 120 and cfg.gate is not None
    # files a few times over the limit still reach the app, which refuses them with a message
    assert websocket_limit(10_000_000) == 40_000_000
    env = kernel_environment(_portal_config(tmp_path, max_bytes=1000))
    assert env["IMPACT_PORTAL_MAX_BYTES"] == "1000" and env["IMPACT_TOKENS"].endswith("tokens.json")


def test_defaults_are_small(tmp_path: Path) -> None:
    cfg = ServeConfig(notebook=tmp_path / "x.ipynb")
    assert cfg.max_kernels <= 8 and cfg.kernels_per_session <= 2 and cfg.kernel_idle_seconds <= 600
    assert cfg.host == "127.0.0.1" and cfg.trusted_proxy is False


def test_template_has_no_public_cdn() -> None:
    template = (TEMPLATE_ROOT / "voila" / "templates" / "impact" / "index.html.j2").read_text()
    assert "https://" not in template and "jsdelivr" not in template and "cdnjs" not in template
    assert json.loads((TEMPLATE_ROOT / "voila" / "templates" / "impact" / "conf.json").read_text())["base_template"] == "lab"


@pytest.mark.slow
def test_nothing_before_sign_in(running_portal) -> None:
    """Every path leads an anonymous visitor to the sign-in page, which names no file and starts
    nothing; `?template=` and `?theme=` change nothing."""
    anonymous = running_portal.client()
    for path in ["", *FORBIDDEN]:
        status, url, _h, body = anonymous.request(path)
        assert status in (200, 403, 404), (path, status)
        if status == 200:
            assert url.split("?")[0].endswith("/login"), (path, url)
            assert 'name="token"' in body and "portal_widget" not in body and "kernelId" not in body
    status, _url, headers, body = anonymous.request("", follow=False)
    assert status == 302 and headers["Location"].startswith("/login")
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.slow
def test_no_source_no_files_no_api_after_sign_in(running_portal) -> None:
    client = running_portal.client()
    assert client.sign_in(running_portal.raw["kiezbox"])[0] == 303
    codes = {path: client.request(path)[0] for path in FORBIDDEN if not path.startswith("?")}
    assert {p: c for p, c in codes.items() if c not in (403, 404)} == {}
    status, _url, headers, page = client.request("?template=python&theme=dark")
    assert status == 200 and headers["X-Frame-Options"] == "DENY"
    assert "portal_widget" not in page and "from impact" not in page
    assert "jupyter-config-data" in page and "theme-dark" not in page
    status, _url, _h, body = client.request("api/contents/")
    assert status in (403, 404), body[:200]


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


def test_token_store_path_is_explicit(tmp_path: Path) -> None:
    assert TokenStore(tmp_path / "t.json").path == (tmp_path / "t.json").resolve()
