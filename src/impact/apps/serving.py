"""Serving a notebook app with Voilà, hardened: used by ``impact portal`` and ``impact explorer``.

``serve(ServeConfig(notebook=...))`` runs Voilà in-process in single-notebook mode until Ctrl-C
or SIGTERM. What it guarantees, whatever the app:

* **Nothing but the app.** Voilà in single-notebook mode with ``strip_sources``, no tracebacks,
  ``/voila/files/…`` serving nothing, ``?template=``/``?theme=`` and notebook-metadata overrides
  off, a private empty ``config_file_paths`` (no stray ``voila.json`` applies), security headers
  (no framing, no sniffing, no referrer to other sites), the port exactly as given (busy = :class:`PortError`).
* **Kernels are bounded.** At most ``max_kernels`` run at once (a page load beyond that gets a
  "busy, try again" page, HTTP 503, and starts nothing); at most ``kernels_per_session`` per
  browser session (reloading replaces the oldest); kernels without an open tab are culled after
  ``kernel_idle_seconds``; a closed tab's kernel is shut down at once (Voilà's unload call, which
  plain Voilà refuses with 403, is accepted from the tab's own session).
* **A kernel belongs to the browser that opened it.** A signed, HttpOnly, SameSite=Strict session
  cookie is checked on every request, including the websocket upgrade; a kernel id alone opens
  nothing (:mod:`impact.apps.guards`). Sessions end after ``session_idle_seconds`` without
  activity; their kernels are shut down ``grace_seconds`` later. Kernel ids never reach a log:
  every log line shows a short hash instead.
* **With a gate, nothing before sign-in.** ``gate`` (the portal's sign-in, see
  :class:`Gate`) adds its own pages; without a session signed in by the gate every app URL leads
  to the sign-in page and no kernel starts. Without a gate (the explorer), the first page load
  of a browser opens its session.
* **Every asset local.** The ``impact`` Voilà template (``apps/voila_data``) extends Voilà's
  ``lab`` template without the Font Awesome links to a public CDN and shows no markdown cells
  (notebook prose is for JupyterLab, not for the served app). A page script keeps the page's
  ``lang`` attribute in step with an element carrying ``data-impact-lang`` (the app's language),
  shows the element's ``data-impact-disconnected`` text when the kernel connection is lost, and
  drops the file count ipywidgets appends to upload buttons.

The kernels get ``kernel_env`` (e.g. ``IMPACT_STORE``) and, from :mod:`impact.apps.sessions`,
their session, which :func:`impact.apps.sessions.kernel_session` reads.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from impact.apps.sessions import Session

__all__ = ["SECURITY_HEADERS", "TEMPLATE", "TEMPLATE_ROOT", "Gate", "PortError", "ServeConfig", "check_port",
           "serve", "voila_config"]

TEMPLATE = "impact"
TEMPLATE_ROOT = Path(__file__).resolve().parent / "voila_data"  # a Jupyter data directory (JUPYTER_PATH)

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes browsers send "Origin: null" with forms
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
}

log = logging.getLogger("impact.serving")


class PortError(OSError):
    """The port cannot be bound (in use or not permitted)."""


class Gate(Protocol):
    """A sign-in in front of an app (the portal's access tokens).

    ``handlers()`` are Tornado handlers ``(path below the base URL, class, kwargs)``; they must
    include ``login`` (where unauthenticated requests are sent). A handler signs a browser in with
    ``registry.create(...)`` and :func:`impact.apps.guards.set_session_cookie`.
    ``still_valid(session)`` is asked now and then; ``False`` ends the session (e.g. a revoked token).
    """

    def handlers(self) -> list[tuple[str, type, dict[str, Any]]]: ...

    def still_valid(self, session: Session) -> bool: ...


@dataclass(frozen=True)
class ServeConfig:
    """How to serve one notebook (see the module docstring for what each limit does)."""

    notebook: Path
    host: str = "127.0.0.1"
    port: int = 8866
    base_url: str = "/"
    lang: str = "de"  # pages shown before the app knows the reader's language (busy, sign-in)
    max_kernels: int = 6
    kernels_per_session: int = 2
    kernel_idle_seconds: int = 300
    session_idle_seconds: int = 1800
    grace_seconds: int = 120
    max_message_bytes: int = 40_000_000  # the largest websocket message (an upload travels as one)
    kernel_env: Mapping[str, str] = field(default_factory=dict)
    trusted_proxy: bool = False  # client address and scheme from X-Real-IP / X-Forwarded-* headers
    gate: Gate | None = None

    @property
    def url_prefix(self) -> str:
        """The base URL, normalised: ``/`` or ``/path/``."""
        inner = self.base_url.strip("/")
        return f"/{inner}/" if inner else "/"


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortError` if ``host:port`` cannot be bound right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortError(exc.errno or errno.EADDRINUSE, exc.strerror or str(exc)) from None


def voila_config(cfg: ServeConfig, config_dir: Path) -> dict[str, Any]:
    """The traitlets configuration (nested dicts) Voilà is started with."""
    from impact.apps.guards import BoundKernelManager, OwnerAuthorizer, SessionIdentity

    voila: dict[str, Any] = {
        "ip": cfg.host,
        "port": cfg.port,
        "port_retries": 0,
        "open_browser": False,
        "root_dir": str(cfg.notebook.parent),
        "base_url": cfg.url_prefix,
        "config_file_paths": [str(config_dir)],
        "identity_provider_class": SessionIdentity,
        "authorizer_class": OwnerAuthorizer,
        "tornado_settings": {
            "headers": dict(SECURITY_HEADERS),
            "websocket_max_message_size": cfg.max_message_bytes,
            "xsrf_cookie_kwargs": {"samesite": "Strict"},
        },
    }
    voila_configuration: dict[str, Any] = {
        "template": TEMPLATE,
        "strip_sources": True,
        "show_tracebacks": False,
        "file_allowlist": [],
        "file_denylist": [".*"],
        "allow_template_override": "NO",
        "allow_theme_override": "NO",
        "http_header_envs": [],
        "multi_kernel_manager_class": BoundKernelManager,
    }
    kernels = {"cull_idle_timeout": cfg.kernel_idle_seconds, "cull_interval": max(5, min(60, cfg.kernel_idle_seconds // 4)),
               "cull_connected": False, "cull_busy": False}
    return {"Voila": voila, "VoilaConfiguration": voila_configuration, "MappingKernelManager": kernels}


def _setup_logs(app_log: logging.Logger) -> None:
    """The ``impact.*`` loggers (sign-ins, sessions) write where Voilà writes, at INFO; kernel ids
    never reach any log (see :class:`impact.apps.guards.KernelIdRedactor`)."""
    from impact.apps.guards import KernelIdRedactor

    redactor = KernelIdRedactor()
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("[%(name)s] %(asctime)s %(levelname)s %(message)s"))
        root.addHandler(stream)
        root.setLevel(logging.WARNING)
    ours = logging.getLogger("impact")
    ours.setLevel(logging.INFO)
    ours.propagate = False
    for handler in app_log.handlers:
        ours.addHandler(handler)
    for logger in (app_log, root, logging.getLogger("tornado.access")):
        for handler in logger.handlers:
            handler.addFilter(redactor)
    if logging.lastResort is not None:
        logging.lastResort.addFilter(redactor)


def _app_class() -> type:
    from tornado.ioloop import IOLoop, PeriodicCallback
    from voila.app import Voila
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    from impact.apps import guards

    replace = {TornadoVoilaHandler: guards.PageHandler, VoilaKernelWebsocketHandler: guards.ActivityWebsocket,
               VoilaShutdownKernelHandler: guards.OwnedShutdownHandler}

    class ImpactVoila(Voila):  # type: ignore[misc]
        """Voilà with the guards plugged in and a sweeper for ended sessions."""

        impact_state: guards.ServingState

        def init_settings(self) -> dict[str, Any]:
            settings = super().init_settings()
            settings["impact"] = self.impact_state
            self.impact_state.kernel_ids = self.kernel_manager.list_kernel_ids
            return settings  # type: ignore[no-any-return]

        def init_handlers(self) -> list[Any]:
            handlers = [(spec[0], replace.get(spec[1], spec[1]), *spec[2:]) for spec in super().init_handlers()]
            gate = self.impact_state.gate
            extra = [] if gate is None else [
                (self.impact_state.config.url_prefix + path.strip("/"), cls, kwargs) for path, cls, kwargs in gate.handlers()]
            return extra + handlers

        def listen(self) -> None:
            cfg = self.impact_state.config
            every = max(1.0, min(30.0, cfg.session_idle_seconds / 5))
            PeriodicCallback(self._sweep, every * 1000).start()
            super().listen()

        def _sweep(self) -> None:
            state = self.impact_state
            ended = state.registry.sweep()
            if state.gate is not None:
                for session in state.registry.sessions():
                    if not state.gate.still_valid(session):
                        gone = state.registry.end(session.id)
                        if gone is not None:
                            ended.append(gone)
            for session in ended:
                log.info("session %s ended; its %s kernel(s) stop in %s s", session.ref, len(session.kernels),
                         state.config.grace_seconds)
                for kernel_id in list(session.kernels):
                    IOLoop.current().call_later(state.config.grace_seconds, self._stop_kernel, kernel_id)

        def _stop_kernel(self, kernel_id: str) -> None:
            if kernel_id in self.kernel_manager and self.impact_state.registry.owner(kernel_id) is None:
                asyncio.ensure_future(self.kernel_manager.shutdown_kernel(kernel_id))

    return ImpactVoila


def serve(cfg: ServeConfig) -> int:  # pragma: no cover - exercised by the browser tests in a subprocess
    """Run the app until interrupted. Returns the exit code."""
    from traitlets.config import Config

    from impact.apps.guards import ServingState
    from impact.apps.sessions import SessionRegistry

    check_port(cfg.host, cfg.port)
    state_dir = Path(tempfile.mkdtemp(prefix="impact-serve-"))  # mode 0700
    config_dir = state_dir / "config"
    config_dir.mkdir(mode=0o700)
    os.environ.update(cfg.kernel_env)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT), os.environ.get("JUPYTER_PATH")) if p)
    registry = SessionRegistry(idle=cfg.session_idle_seconds, path=state_dir / "sessions.json")
    app = _app_class()(config=Config(voila_config(cfg, config_dir)))
    app.impact_state = ServingState(config=cfg, registry=registry, gate=cfg.gate)
    try:
        app.initialize([str(cfg.notebook)])
        _setup_logs(app.log)
        app.start()
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    return 0
