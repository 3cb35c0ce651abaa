"""Starting the submission portal: ``notebooks/submit.ipynb`` served by :mod:`impact.apps.serving`
behind the token sign-in (:class:`impact.apps.portal.signin.PortalGate`).

Everything Voilà-specific (locked-down settings, kernel caps, sessions bound to the browser,
local assets) lives in :mod:`impact.apps.serving`; this module only says what the portal needs:
its notebook, its sign-in, its upload limit and the ``IMPACT_*`` variables its kernels read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from impact.apps.serving import ServeConfig

__all__ = ["ENV_MAX_BYTES", "PORTAL_MAX_BYTES", "PortalConfig", "kernel_environment", "serve", "serve_config",
           "websocket_limit"]

PORTAL_MAX_BYTES = 10_000_000  # 10 MB: far above any real submission, far below the global limit
ENV_MAX_BYTES = "IMPACT_PORTAL_MAX_BYTES"


@dataclass(frozen=True)
class PortalConfig:
    """Everything ``impact portal`` needs to start the server (resolved at the edge)."""

    notebook: Path
    store_dir: Path
    tokens_path: Path
    catalog_dir: Path
    projects: frozenset[str]
    today: Callable[[], dt.date]
    host: str = "127.0.0.1"
    port: int = 8866
    max_bytes: int = PORTAL_MAX_BYTES
    base_url: str = "/"
    trusted_proxy: bool = False
    max_kernels: int = 6
    session_idle_seconds: int = 1800
    kernel_idle_seconds: int = 300
    lang: str = "de"


def websocket_limit(max_bytes: int) -> int:
    """The largest websocket message Tornado accepts, for an upload limit of ``max_bytes``.

    An upload travels as one binary websocket message. A larger message makes Tornado close the
    connection: the kernel never sees the file and the page silently keeps its old text. So
    messages up to four times the limit are let through, and the app refuses those files with
    its "too large" message; only beyond that (at least limit + 1 MB for framing) the connection
    is dropped, which bounds the memory a single message can take."""
    return max(4 * max_bytes, max_bytes + 1_000_000)


def kernel_environment(cfg: PortalConfig) -> dict[str, str]:
    """The ``IMPACT_*`` variables the portal's kernels (one per signed-in browser tab) read."""
    return {ENV_MAX_BYTES: str(cfg.max_bytes), "IMPACT_STORE": str(Path(cfg.store_dir).resolve()),
            "IMPACT_TOKENS": str(Path(cfg.tokens_path).resolve()),
            "IMPACT_CATALOG": str(Path(cfg.catalog_dir).resolve())}


def serve_config(cfg: PortalConfig) -> ServeConfig:
    """The serving settings of the portal, with its sign-in as the gate."""
    from impact.apps.portal.limiter import AttemptLimiter
    from impact.apps.portal.signin import PortalGate
    from impact.apps.portal.tokens import TokenStore

    gate = PortalGate(tokens=TokenStore(cfg.tokens_path), projects=cfg.projects, today=cfg.today,
                      limiter=AttemptLimiter(), lang=cfg.lang)
    return ServeConfig(notebook=cfg.notebook, host=cfg.host, port=cfg.port, base_url=cfg.base_url, lang=cfg.lang,
                       max_kernels=cfg.max_kernels, kernels_per_session=2,
                       kernel_idle_seconds=cfg.kernel_idle_seconds, session_idle_seconds=cfg.session_idle_seconds,
                       grace_seconds=min(120, cfg.session_idle_seconds),
                       max_message_bytes=websocket_limit(cfg.max_bytes), kernel_env=kernel_environment(cfg),
                       trusted_proxy=cfg.trusted_proxy, gate=gate)


def serve(cfg: PortalConfig) -> int:  # pragma: no cover - exercised by the browser tests in a subprocess
    """Run the portal until interrupted. Returns the exit code."""
    from impact.apps.serving import serve as serve_app

    return serve_app(serve_config(cfg))
