"""The portal's sign-in, in the server process, before any kernel exists (a gate for
:mod:`impact.apps.serving`).

``GET login`` shows a plain HTML form (no script, no external asset; Enter signs in, every control
reachable by keyboard) in the chosen language (``?lang=``, remembered in a cookie). ``POST login``
checks the access token under the per-client attempt limit; a valid token opens a fresh session
(a new id, so a session cookie planted beforehand is worth nothing), sets the session cookie and
sends the browser to the app. Only then does a page load start a kernel. ``GET logout`` ends the
session and its kernels at once.

The sign-in is logged with the token id and the session's public ref; refusals with their reason
code. Tokens, session ids and kernel ids are never logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import JupyterHandler

from impact.apps.guards import COOKIE, client_address, page_html, set_session_cookie, state_of
from impact.apps.portal.html import INTRO, TITLE, esc, language_name, message_html, tag
from impact.apps.portal.limiter import AttemptLimiter
from impact.apps.portal.tokens import TokenError, TokenFileError, TokenStore, authenticate
from impact.apps.sessions import Session
from impact.core.i18n import N_, languages, normalise_lang, texts

__all__ = ["LANG_COOKIE", "PortalGate", "SignInHandler", "SignOutHandler"]

LANG_COOKIE = "impact-lang"
log = logging.getLogger("impact.portal")


@dataclass
class PortalGate:
    """The sign-in in front of the portal app (implements :class:`impact.apps.serving.Gate`)."""

    tokens: TokenStore
    projects: frozenset[str]
    today: Callable[[], dt.date]
    limiter: AttemptLimiter
    lang: str = "de"

    def handlers(self) -> list[tuple[str, type, dict[str, Any]]]:
        return [("login", SignInHandler, {"gate": self}), ("logout", SignOutHandler, {"gate": self})]

    def still_valid(self, session: Session) -> bool:
        """Ends sessions whose token was revoked or expired since they signed in."""
        token_id = session.data.get("token_id")
        if not token_id:
            return False
        try:
            self.tokens.active(str(token_id), today=self.today())
        except TokenError:
            return False
        except TokenFileError:  # a damaged file must not sign everybody out; sign-ins fail meanwhile
            log.warning("portal: token file unreadable while re-checking sessions")
        return True


class _PortalPage(JupyterHandler):
    gate: PortalGate

    def initialize(self, gate: PortalGate) -> None:
        self.gate = gate

    def chosen_lang(self) -> str:
        asked = self.get_query_argument("lang", None)
        if asked:
            lang = normalise_lang(asked, self.gate.lang)
            self.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="Strict", path=self.settings["base_url"])
            return lang
        return normalise_lang(self.get_cookie(LANG_COOKIE), self.gate.lang)

    def end_current_session(self) -> Session | None:
        raw = self.get_signed_cookie(COOKIE, max_age_days=1)
        session = state_of(self).registry.end(raw.decode("ascii", "replace")) if raw else None
        return session

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors as a plain page of ours (Jupyter's error templates need assets the portal does not serve)."""
        lang = self.chosen_lang()
        _ = texts(lang)
        self.finish(page_html(lang, _(TITLE), [
            tag("h1", _(TITLE)),
            message_html("error", _("This request could not be handled (HTTP {status}).", status=status_code),
                         link=(self.settings["base_url"] + "login", _("Back to the sign-in"))),
        ]))

    async def stop_kernels(self, session: Session | None) -> None:
        for kernel_id in list(session.kernels if session else []):
            if kernel_id in self.kernel_manager:
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))


class SignInHandler(_PortalPage):
    """``GET``/``POST`` ``login`` (see the module docstring)."""

    @allow_unauthenticated
    def get(self) -> None:
        lang = self.chosen_lang()
        _ = texts(lang)
        notice = None
        if self.get_query_argument("signed_out", None):
            notice = message_html("ok", _("You have signed out."))
        self.finish(self.render_page(lang, notice))

    @allow_unauthenticated
    async def post(self) -> None:
        lang = self.chosen_lang()
        client = client_address(self, state_of(self).config.trusted_proxy)
        raw = self.get_body_argument("token", "")
        try:
            record = authenticate(self.gate.tokens, self.gate.limiter, raw, client=client, today=self.gate.today())
            if record.project not in self.gate.projects:
                raise TokenError("unknown_project", _UNKNOWN_PROJECT, project=record.project)
        except TokenError as exc:
            log.warning("portal: token refused (%s) from client %s", exc.code, _client_ref(client))
            self.set_status(429 if exc.code == "too_many_attempts" else 401)
            self.finish(self.render_page(lang, message_html("error", exc.message(lang))))
            return
        except TokenFileError:
            log.exception("portal: token file unreadable")
            self.set_status(503)
            _ = texts(lang)
            self.finish(self.render_page(lang, message_html("error", _(_UNAVAILABLE))))
            return
        await self.stop_kernels(self.end_current_session())
        session = state_of(self).registry.create(client, {"token_id": record.id, "project": record.project,
                                                          "lang": lang})
        set_session_cookie(self, session, state_of(self).config.trusted_proxy)
        log.info("portal: token %s signed in for %s (session %s)", record.id, record.project, session.ref)
        self.redirect(self.settings["base_url"], status=303)

    def render_page(self, lang: str, notice: str | None) -> str:
        _ = texts(lang)
        switch = " | ".join(
            f'<a href="?lang={esc(code)}" lang="{esc(code)}" hreflang="{esc(code)}"'
            + (' aria-current="true"' if code == lang else "") + f">{esc(language_name(code))}</a>"
            for code in languages())
        body = [
            '<nav class="impact-lang" aria-label="' + esc(_("Language")) + f'">{switch}</nav>',
            tag("h1", _(TITLE)),
            tag("p", _(INTRO)),
            notice or "",
            f'<form method="post" action="login?lang={esc(lang)}">',
            self.xsrf_form_html(),
            tag("label", _("Access token of your project"), for_="token"),
            '<input type="password" id="token" name="token" autocomplete="off" autofocus required '
            'aria-describedby="token-help">',
            tag("p", _("You received the access token from the evaluation unit."), id="token-help"),
            tag("button", _("Sign in"), type="submit", class_="impact-login"),
            "</form>",
        ]
        return page_html(lang, _(TITLE), body)


class SignOutHandler(_PortalPage):
    """``GET logout``: ends the session and its kernels, back to the sign-in page."""

    @allow_unauthenticated
    async def get(self) -> None:
        self.chosen_lang()  # "?lang=" of the page signed out from: the sign-in page keeps that language
        session = self.end_current_session()
        if session is not None:
            log.info("portal: session %s signed out", session.ref)
        await self.stop_kernels(session)
        self.clear_cookie(COOKIE, path=self.settings["base_url"])
        self.redirect(self.settings["base_url"] + "login?signed_out=1")


def _client_ref(client: str) -> str:
    """A client address as a short hash: enough to see repeated attempts, not the address itself."""
    return hashlib.sha256(client.encode()).hexdigest()[:8]


_UNKNOWN_PROJECT = N_("The project “{project}” of this access token is not in the catalog (any more).")
_UNAVAILABLE = N_("The portal cannot check access tokens right now. Please try again later.")
