"""Launching the submission portal: Voilà, serving one notebook, with safe settings.

Voilà is started in-process in *single-notebook mode* (``notebooks/submit.ipynb`` only) with:

* ``Voila.ip`` = ``127.0.0.1`` by default, the port exactly as given (``port_retries = 0``:
  a busy port is an error, never silently another port), ``open_browser = False``;
* ``strip_sources = True`` (no code in the page) and ``show_tracebacks = False``;
* ``file_allowlist = []`` and ``file_denylist = ['.*']``: ``/voila/files/...`` serves nothing,
  so neither the notebook source nor any other file can be fetched (every other path in
  single-notebook mode redirects there and ends in 403);
* ``config_file_paths`` = an empty private directory, so no stray ``voila.json`` in the
  working directory or the Jupyter config path can change these settings;
* Tornado settings: security headers (no framing, no sniffing, no referrer) and a websocket
  message limit tied to the upload limit.

Voilà itself has no file browser, no contents API and no terminals, and its kernels accept
only widget (comm) messages from the browser, never code. Every browser tab gets its own kernel
process; the kernels learn the store, token file, limits and the shared attempt-limiter file
from ``IMPACT_*`` environment variables set here.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact.core.config import settings

__all__ = [
    "ENV_ATTEMPTS",
    "ENV_CLIENT",
    "ENV_MAX_BYTES",
    "PORTAL_MAX_BYTES",
    "PortalConfig",
    "PortError",
    "check_port",
    "serve",
    "voila_config",
    "websocket_limit",
]

PORTAL_MAX_BYTES = 10_000_000  # 10 MB: far above any real submission, far below the global limit
ENV_ATTEMPTS = "IMPACT_PORTAL_ATTEMPTS"
ENV_MAX_BYTES = "IMPACT_PORTAL_MAX_BYTES"
ENV_CLIENT = "IMPACT_PORTAL_CLIENT_ENV"

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
}


class PortError(OSError):
    """The port cannot be bound (in use or not permitted)."""


@dataclass(frozen=True)
class PortalConfig:
    """Everything ``impact portal`` needs to start the server."""

    notebook: Path
    host: str = "127.0.0.1"
    port: int = 8866
    store_dir: Path | None = None
    tokens_path: Path | None = None
    catalog_dir: Path | None = None
    max_bytes: int = PORTAL_MAX_BYTES
    base_url: str = "/"
    client_header: str | None = None  # e.g. "X-Real-IP", set by a trusted reverse proxy


def default_notebook() -> Path:
    """``<root>/notebooks/submit.ipynb``."""
    return settings().notebooks_dir / "submit.ipynb"


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortError` if ``host:port`` cannot be bound right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortError(exc.errno or errno.EADDRINUSE, exc.strerror or str(exc)) from None


def _client_env_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def voila_config(cfg: PortalConfig, config_dir: Path) -> dict[str, Any]:
    """The traitlets configuration (as nested dicts) Voilà is started with."""
    base_url = "/" + cfg.base_url.strip("/") + "/" if cfg.base_url.strip("/") else "/"
    voila: dict[str, Any] = {
        "ip": cfg.host,
        "port": cfg.port,
        "port_retries": 0,
        "open_browser": False,
        "root_dir": str(cfg.notebook.parent),
        "base_url": base_url,
        "config_file_paths": [str(config_dir)],
        "tornado_settings": {
            "headers": dict(SECURITY_HEADERS),
            "websocket_max_message_size": websocket_limit(cfg.max_bytes),
        },
    }
    voila_configuration: dict[str, Any] = {
        "strip_sources": True,
        "show_tracebacks": False,
        "file_allowlist": [],
        "file_denylist": [".*"],
        "http_header_envs": [cfg.client_header] if cfg.client_header else [],
    }
    # every page load starts a kernel: shut down kernels idle for 30 minutes that no open tab uses
    kernels = {"cull_idle_timeout": 1800, "cull_interval": 120, "cull_connected": False}
    return {"Voila": voila, "VoilaConfiguration": voila_configuration, "MappingKernelManager": kernels}


def websocket_limit(max_bytes: int) -> int:
    """The largest websocket message Tornado accepts, for an upload limit of ``max_bytes``.

    An upload travels as one binary websocket message. A larger message makes Tornado close the
    connection: the kernel never sees the file and the page silently keeps its old text. So
    messages up to four times the limit are let through, and the app refuses those files with
    its bilingual "too large" message; only beyond that (at least limit + 1 MB for framing) the
    connection is dropped, which bounds the memory a single message can take."""
    return max(4 * max_bytes, max_bytes + 1_000_000)


def kernel_environment(cfg: PortalConfig, attempts_file: Path) -> dict[str, str]:
    """The ``IMPACT_*`` variables the kernels (one per browser tab) inherit."""
    env = {ENV_ATTEMPTS: str(attempts_file), ENV_MAX_BYTES: str(cfg.max_bytes)}
    if cfg.store_dir:
        env["IMPACT_STORE"] = str(Path(cfg.store_dir).resolve())
    if cfg.tokens_path:
        env["IMPACT_TOKENS"] = str(Path(cfg.tokens_path).resolve())
    if cfg.catalog_dir:
        env["IMPACT_CATALOG"] = str(Path(cfg.catalog_dir).resolve())
    if cfg.client_header:
        env[ENV_CLIENT] = _client_env_name(cfg.client_header)
    return env


def serve(cfg: PortalConfig) -> int:  # pragma: no cover - exercised by the browser tests in a subprocess
    """Run the portal until interrupted. Returns the exit code."""
    from traitlets.config import Config
    from voila.app import Voila

    check_port(cfg.host, cfg.port)
    state_dir = Path(tempfile.mkdtemp(prefix="impact-portal-"))  # mode 0700
    config_dir = state_dir / "config"
    config_dir.mkdir(mode=0o700)
    os.environ.update(kernel_environment(cfg, state_dir / "attempts.json"))
    app = Voila(config=Config(voila_config(cfg, config_dir)))
    try:
        app.initialize([str(cfg.notebook)])
        app.start()
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    finally:
        for child in sorted(state_dir.rglob("*"), reverse=True):
            if child.is_dir():
                child.rmdir()
            else:
                child.unlink()
        state_dir.rmdir()
    return 0
