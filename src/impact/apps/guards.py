"""What guards the kernels of a served app: Jupyter/Voilà classes that :mod:`impact.apps.serving` plugs in.

* :class:`SessionIdentity` — a request belongs to a live session named by a signed, HttpOnly,
  SameSite=Strict cookie; without a gate (explorer) a page load opens one, with a gate (portal)
  only the gate's sign-in does.
* :class:`OwnerAuthorizer` — a kernel (websocket, kernel API, shutdown) is reachable only from the
  session whose page load started it: knowing a kernel id is worth nothing.
* :class:`PageHandler` — the app page: no ``?template=``/``?theme=``, a hard cap on running
  kernels (a "busy, try again" page beyond it; at the cap, a session that already has a kernel
  gets its new one in place of its oldest), the ``_xsrf`` cookie the page's unload call needs.
* :class:`BoundKernelManager` — binds each new kernel to its session, tells the kernel its session
  (environment), keeps at most ``kernels_per_session`` per session (the oldest goes).
* :class:`ActivityWebsocket`, :class:`OwnedShutdownHandler` — messages count as activity; a tab's
  kernel ends with the tab (the unload call is accepted from its own session only).

The shared state (:class:`ServingState`) is in the Tornado settings under ``"impact"``.
"""

from __future__ import annotations

import contextvars
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from impact.apps.sessions import SESSION_ENV, SESSIONS_FILE_ENV, Session, SessionRegistry
from impact.core.i18n import texts

if TYPE_CHECKING:
    from impact.apps.serving import Gate, ServeConfig

__all__ = ["COOKIE", "ActivityWebsocket", "BoundKernelManager", "KernelIdRedactor", "OwnedShutdownHandler",
           "OwnerAuthorizer", "PageHandler", "PlainErrors", "ServingState", "SessionIdentity", "client_address", "page_html",
           "session_of", "set_session_cookie"]

COOKIE = "impact-session"
COOKIE_DAYS = 1  # the signature's lifetime; the session itself ends after its idle time
# the session whose page load is starting a kernel, and whether its oldest kernel must make room first
_OPENING: contextvars.ContextVar[tuple[Session, bool] | None] = contextvars.ContextVar("impact_opening", default=None)
log = logging.getLogger("impact.serving")


@dataclass
class ServingState:
    """What the guards share inside one server process."""

    config: ServeConfig
    registry: SessionRegistry
    gate: Gate | None = None
    reserved: int = 0  # page loads between the capacity check and their kernel's start
    sockets: dict[str, set[Any]] = field(default_factory=dict)  # kernel id -> its open websockets
    kernel_ids: Any = field(default=lambda: [])  # the kernel manager's list_kernel_ids, set at start
    retiring: set[str] = field(default_factory=set)  # kernels being shut down (gone within seconds)

    def running(self) -> int:
        """Kernels that count against ``max_kernels``: running and not already being shut down
        (a closed tab's kernel takes a few seconds to stop; the next page load must not wait for it)."""
        return len(set(self.kernel_ids()) - self.retiring)


def state_of(handler: tornado.web.RequestHandler) -> ServingState:
    return handler.settings["impact"]  # type: ignore[no-any-return]


def client_address(handler: tornado.web.RequestHandler, trusted_proxy: bool) -> str:
    """The client's address: the socket peer, or (only with a trusted proxy) the proxy's
    ``X-Real-IP`` or the last ``X-Forwarded-For`` entry."""
    if trusted_proxy:
        real = handler.request.headers.get("X-Real-IP", "").strip()
        forwarded = [p.strip() for p in handler.request.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
        if real or forwarded:
            return (real or forwarded[-1])[:64]
    return str(handler.request.remote_ip or "?")[:64]


def set_session_cookie(handler: tornado.web.RequestHandler, session: Session, trusted_proxy: bool) -> None:
    """Give the browser its session: signed, HttpOnly, SameSite=Strict, Secure behind HTTPS."""
    https = handler.request.protocol == "https" or (
        trusted_proxy and handler.request.headers.get("X-Forwarded-Proto", "").lower() == "https")
    handler.set_signed_cookie(COOKIE, session.id, expires_days=None, httponly=True, samesite="Strict",
                              secure=https, path=handler.settings.get("base_url", "/"))


def session_of(handler: tornado.web.RequestHandler) -> Session | None:
    """The live session of this request (set by :class:`SessionIdentity`)."""
    return getattr(handler, "_impact_session", None)


class SessionIdentity(IdentityProvider):
    """Users are sessions (see the module docstring); the user name is the session's public ref."""

    def get_user(self, handler: tornado.web.RequestHandler) -> User | None:  # type: ignore[override]
        state = state_of(handler)
        raw = handler.get_signed_cookie(COOKIE, max_age_days=COOKIE_DAYS)
        session = state.registry.get(raw.decode("ascii", "replace") if raw else None)
        if session is None and state.gate is None and isinstance(handler, PageHandler) \
                and handler.request.method == "GET":
            session = state.registry.create(client_address(handler, state.config.trusted_proxy))
            set_session_cookie(handler, session, state.config.trusted_proxy)
        if session is None:
            return None
        state.registry.touch(session)
        handler._impact_session = session  # type: ignore[attr-defined]
        return User(username=session.ref, name=session.ref, display_name=session.ref)

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return False  # the gate registers its own sign-in page under the base URL

    @property
    def logout_available(self) -> bool:
        return False

    def validate_security(self, app: Any, ssl_options: dict[str, Any] | None = None) -> None:
        """Nothing to warn about: every request is checked here."""


def _kernel_id(handler: tornado.web.RequestHandler) -> str | None:
    kernel_id = getattr(handler, "kernel_id", None) or handler.path_kwargs.get("kernel_id")
    if not kernel_id and handler.path_args:
        kernel_id = handler.path_args[0]
    return str(kernel_id) if kernel_id else None


class OwnerAuthorizer(Authorizer):
    """Kernels only for the session that opened them; everything else for any live session."""

    def is_authorized(self, handler: Any, user: User, action: str, resource: str) -> bool:
        if user is None:
            return False
        if resource != "kernels":
            return True
        kernel_id = _kernel_id(handler)
        owner = state_of(handler).registry.owner(kernel_id) if kernel_id else None
        allowed = owner is not None and owner.ref == user.username
        if not allowed:
            log.warning("refused %s on a kernel that session %s did not open", action, user.username)
        return allowed


class PlainErrors:
    """Errors as a short plain text (Jupyter's error pages need assets the apps do not serve)."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: Any = self
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish(f"{status_code} {handler._reason}\n")


class PageHandler(PlainErrors, TornadoVoilaHandler):
    """The app page (see the module docstring)."""

    async def prepare(self) -> None:  # type: ignore[override]
        for name in ("template", "theme"):  # overrides off, whatever the configuration says
            self.request.arguments.pop(name, None)
            self.request.query_arguments.pop(name, None)
        await super().prepare()

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:  # type: ignore[override]
        if path:  # single-notebook app: nothing else lives here
            raise tornado.web.HTTPError(404)
        state = state_of(self)
        session = session_of(self)
        assert session is not None  # @authenticated
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the page's unload call sends back
        full = state.running() + state.reserved >= state.config.max_kernels
        if full and not session.kernels:
            log.warning("busy: %s kernels running, a page load was turned away", state.running())
            self.busy_page(session)
            return
        # at the cap, a session that has a kernel gets a new one in place of its oldest (a reload)
        state.reserved += 1
        opening = _OPENING.set((session, full))
        try:
            await super().get(path)
        finally:
            _OPENING.reset(opening)
            state.reserved -= 1

    def busy_page(self, session: Session) -> None:
        lang = str(session.data.get("lang") or state_of(self).config.lang)
        _ = texts(lang)
        self.set_status(503)
        self.set_header("Retry-After", "120")
        heading = _("The service is busy right now")
        advice = _("Too many people are using it at the same time. Please try again in a few minutes; "
                   "nothing you did is lost.")
        again = _("Try again")
        self.finish(page_html(lang, heading, [f"<h1>{html.escape(heading)}</h1>", f"<p>{html.escape(advice)}</p>",
                                              f'<p><a href="">{html.escape(again)}</a></p>']))


class BoundKernelManager(AsyncMappingKernelManager):
    """Starts kernels only for a page load of a session, and binds them to it."""

    @property
    def impact_state(self) -> ServingState:
        return self.parent.impact_state  # type: ignore[no-any-return,union-attr]

    async def start_kernel(self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any) -> str:  # type: ignore[override]
        opening = _OPENING.get()
        if opening is None:
            raise tornado.web.HTTPError(403)  # kernels start only for a session's page load
        session, make_room = opening
        state = self.impact_state
        if make_room and session.kernels:
            await self._retire(session.kernels[0])
        env = dict(kwargs.get("env") or {})
        env[SESSION_ENV] = session.id
        if state.registry.path is not None:
            env[SESSIONS_FILE_ENV] = str(state.registry.path)
        kwargs["env"] = env
        new_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        state.registry.bind(session, new_id)
        while len(session.kernels) > state.config.kernels_per_session:
            await self._retire(session.kernels[0])
        return new_id

    async def _retire(self, kernel_id: str) -> None:
        self.impact_state.registry.unbind(kernel_id)
        if kernel_id in self:
            await self.shutdown_kernel(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        state = self.impact_state
        state.registry.unbind(kernel_id)
        state.retiring.add(kernel_id)
        try:
            await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        finally:
            state.retiring.discard(kernel_id)
        for socket in self.impact_state.sockets.pop(kernel_id, set()):  # the page learns it at once
            socket.close()


class ActivityWebsocket(PlainErrors, VoilaKernelWebsocketHandler):
    """The kernel channel; every message from the browser keeps its session alive. It is closed
    when its kernel is shut down, so the page can say that the connection has ended."""

    async def open(self, kernel_id: str) -> None:  # type: ignore[override]
        state_of(self).sockets.setdefault(kernel_id, set()).add(self)
        await super().open(kernel_id)

    def on_close(self) -> None:
        sockets = state_of(self).sockets.get(getattr(self, "kernel_id", ""), set())
        sockets.discard(self)
        super().on_close()

    def on_message(self, ws_message: Any) -> Any:
        session = session_of(self)
        if session is not None:
            state_of(self).registry.touch(session)
        return super().on_message(ws_message)


class OwnedShutdownHandler(PlainErrors, VoilaShutdownKernelHandler):
    """``POST /voila/api/shutdown/<kernel>`` (sent when the tab closes): its own session only."""

    @tornado.web.authenticated
    async def post(self, kernel_id: str) -> None:  # type: ignore[override]
        owner = state_of(self).registry.owner(kernel_id)
        session = session_of(self)
        if owner is None or session is None or owner.id != session.id:
            raise tornado.web.HTTPError(403)
        await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
        self.set_status(204)
        self.finish()


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class KernelIdRedactor(logging.Filter):
    """Replace kernel ids in log records by a short hash: a log or a proxy log never holds one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        if _UUID.search(text):
            record.msg = _UUID.sub(lambda m: "kernel-" + hashlib.sha256(m.group(0).encode()).hexdigest()[:8], text)
            record.args = None
        return True


_PAGE_STYLE = """
body {font-family: system-ui, sans-serif; font-size: 1rem; line-height: 1.5; color: #1a1a1a; margin: 0;
      background: #f6f6f6;}
main {max-width: 40rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border: 1px solid #ccc;}
h1 {font-size: 1.5rem; margin-top: 0;}
a {color: #0b57d0; text-decoration: underline;}
a:focus, button:focus, input:focus {outline: 3px solid #0b57d0; outline-offset: 2px;}
label {display: block; font-weight: bold; margin: 1rem 0 .25rem;}
input[type=password], input[type=text] {font-size: 1rem; padding: .4rem; width: 100%; box-sizing: border-box;
      border: 1px solid #555;}
button {font-size: 1rem; padding: .45rem 1.2rem; margin-top: 1rem; color: #fff; background: #0b57d0;
        border: 1px solid #0b57d0; border-radius: 3px; cursor: pointer;}
.impact-msg {padding: .5em .75em; margin: 1rem 0; border-left: .3em solid;}
.impact-msg-error {border-color: #b2182b; background: #fbeeee;}
.impact-msg-ok {border-color: #1b7837; background: #f0f7f1;}
nav.impact-lang {margin-bottom: 1rem;}
nav.impact-lang a[aria-current] {font-weight: bold; text-decoration: none; color: #1a1a1a;}
"""


def page_html(lang: str, title: str, body: list[str]) -> str:
    """A small, self-contained HTML page (no external assets) in ``lang``; ``body`` is trusted HTML."""
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_PAGE_STYLE}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>")
