"""Who is signed in, as a portal kernel sees it: the session the server started the kernel for.

The token itself never reaches a kernel: the server checked it at sign-in and stored the token
id and project in the session (:mod:`impact.apps.portal.signin`). Before every upload and
submission the kernel asks :meth:`SignIn.check` whether the session is still alive (not signed
out, not idle for too long) and the token still valid (not revoked or expired since), whatever
the browser sends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from impact.apps.portal.tokens import TokenRecord, TokenStore
from impact.apps.sessions import KernelSession, kernel_session
from impact.core.errors import EXIT_INVALID, ImpactError
from impact.core.i18n import texts

__all__ = ["SignIn", "SignInEnded", "signed_in"]


class SignInEnded(ImpactError):
    """The session of this page has ended (signed out, or idle for too long): sign in again."""

    exit_code = EXIT_INVALID
    code = "signed_out"

    def message(self, lang: str = "de") -> str:
        _ = texts(lang)
        return _("Your sign-in has ended (signed out, or no activity for a while). Please sign in again; "
                 "nothing was stored.")


@dataclass(frozen=True)
class SignIn:
    """The signed-in token of this page: its id, its project, and the session to re-check."""

    token_id: str
    project: str
    session: KernelSession
    lang: str | None = None

    def check(self, tokens: TokenStore, today: dt.date) -> TokenRecord:
        """The token's record if the session is alive and the token still valid, else an error
        (:class:`SignInEnded`, or the token's :class:`impact.apps.portal.tokens.TokenError`)."""
        data = self.session.data()
        if data is None or data.get("token_id") != self.token_id:
            raise SignInEnded()
        record = tokens.active(self.token_id, today=today)
        if record.project != self.project:  # pragma: no cover - a token never changes its project
            raise SignInEnded()
        return record


def signed_in(session: KernelSession | None = None) -> SignIn | None:
    """The sign-in of this kernel (from its environment by default); ``None`` without one."""
    session = session if session is not None else kernel_session()
    data = session.data() if session is not None else None
    if session is None or not data or not data.get("token_id") or not data.get("project"):
        return None
    return SignIn(str(data["token_id"]), str(data["project"]), session, data.get("lang"))
