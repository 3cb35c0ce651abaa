"""Serving the explorer as a web app: ``notebooks/explorer.ipynb`` through :mod:`impact.apps.serving`.

Everything Voilà-specific (locked-down settings, a kernel cap, kernels that end with their tab
and are culled when idle, sessions bound to the browser, local assets) lives in
:mod:`impact.apps.serving`; this module only says what the explorer needs: its notebook, no
sign-in, and the ``IMPACT_*`` variables its kernels read (store, catalog, default language).
The explorer only reads the store; a served page cannot change any file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from impact.apps.serving import ServeConfig

__all__ = ["DEFAULT_PORT", "ExplorerServer", "kernel_environment", "serve_config"]

DEFAULT_PORT = 8867  # the portal's default is 8866: both can run side by side


@dataclass(frozen=True)
class ExplorerServer:
    """Everything ``impact explorer`` needs to start the server (resolved at the edge)."""

    notebook: Path
    store_dir: Path
    catalog_dir: Path
    lang: str = "de"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    base_url: str = "/"
    max_kernels: int = 6
    kernel_idle_seconds: int = 300
    session_idle_seconds: int = 3600


def kernel_environment(cfg: ExplorerServer) -> dict[str, str]:
    """The ``IMPACT_*`` variables the explorer's kernels (one per browser tab) read in ``launch()``."""
    return {"IMPACT_STORE": str(cfg.store_dir.resolve()), "IMPACT_CATALOG": str(cfg.catalog_dir.resolve()),
            "IMPACT_LANG": cfg.lang}


def serve_config(cfg: ExplorerServer) -> ServeConfig:
    """The serving settings of the explorer: no gate, a few kernels per browser session."""
    return ServeConfig(notebook=cfg.notebook, host=cfg.host, port=cfg.port, base_url=cfg.base_url, lang=cfg.lang,
                       max_kernels=cfg.max_kernels, kernels_per_session=2,
                       kernel_idle_seconds=cfg.kernel_idle_seconds, session_idle_seconds=cfg.session_idle_seconds,
                       grace_seconds=min(120, cfg.session_idle_seconds), max_message_bytes=1_000_000,
                       kernel_env=kernel_environment(cfg))
