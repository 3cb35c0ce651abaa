"""The submission portal's app: what a signed-in project team does (served by Voilà from
``notebooks/submit.ipynb``, behind the sign-in of :mod:`impact.apps.portal.signin`).

A team downloads its template, uploads a file, reads the validation result (errors and warnings
with row, column and message), submits a valid file and gets a receipt (submission id = the
file's SHA-256, time of receipt, rows per indicator and period); it also sees and answers the
evaluation unit's open questions (:mod:`impact.apps.portal.queries`).

Security rules kept here (see ``docs/portal.md``, threat model):

* every action re-checks its preconditions in the kernel — the session is alive, the token still
  valid (:meth:`impact.apps.portal.signedin.SignIn.check`), the file was just validated — because
  the browser can send any widget message, even a click on a disabled button;
* uploads are validated and ingested with ``only_project`` = the token's project and
  ``token_id`` = the token id; the file name is for display only (cleaned, never a path); the
  upload is limited in size and never executed; everything shown is escaped;
* unexpected errors are logged (server log) under a reference and shown as a short message.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import threading
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from impact.apps.portal.confirmations import Confirmations
from impact.apps.portal.html import message_html, problems_html, size_text, tag
from impact.apps.portal.queries import QueriesPanel
from impact.apps.portal.receipts import first_receipt, receipt_html
from impact.apps.portal.serverlog import log, server_log
from impact.apps.portal.signedin import SignIn, SignInEnded, signed_in
from impact.apps.portal.tokens import TokenError, TokenStore
from impact.apps.portal.view import ACCEPTED_SUFFIXES, PortalView
from impact.core.errors import ImpactError
from impact.core.i18n import N_, languages, normalise_lang, texts
from impact.core.locking import LockBusyError

if TYPE_CHECKING:
    from impact.core.catalog import Catalog
    from impact.store.store import Store

__all__ = ["PortalApp", "portal_widget"]

Message = tuple[str, Callable[[str], str]]  # kind, and the text in a given language


def _msg(kind: str, text: str, **fields: Any) -> Message:
    """A message to show in whatever language the page has then; ``text`` is marked with ``N_``,
    a field may be a function of the language (e.g. a formatted size)."""

    def render(lang: str) -> str:
        _ = texts(lang)
        return _(text, **{k: v(lang) if callable(v) else v for k, v in fields.items()})

    return kind, render


def _guarded(method: Callable[..., None]) -> Callable[..., None]:
    """Run a widget callback; refusals become messages, unexpected errors a logged reference."""

    @wraps(method)
    def wrapper(self: PortalApp, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except (TokenError, SignInEnded) as exc:
            log.warning("portal: action refused (%s)", getattr(exc, "code", "signed_out"))
            self.end_sign_in(("error", exc.message))
        except LockBusyError:
            log.warning("portal: store lock busy")
            self.show_status(_msg("warning", N_("The store is busy right now; please submit again in a minute. "
                                                "Nothing was stored.")))
        except Exception:  # includes store errors: their details (server paths) are for the log only
            ref = secrets.token_hex(4)
            log.exception("portal error (reference %s)", ref)
            self.show_status(_msg("error", N_("An internal error occurred (reference {ref}). Please try again later "
                                              "or contact the evaluation unit quoting this reference."), ref=ref))

    return wrapper


class PortalApp:
    """The portal for one signed-in team (``signin=None``: nobody signed in, only a pointer to
    the sign-in page). ``today`` is asked before every check (a kernel may live past midnight)."""

    def __init__(self, catalog: Catalog, store: Store, tokens: TokenStore, *, signin: SignIn | None,
                 today: Callable[[], dt.date], max_bytes: int, lang: str = "de") -> None:
        self.catalog = catalog
        self.store = store
        self.tokens = tokens
        self.signin = signin
        self.today = today
        self.max_bytes = max_bytes
        self.lang = normalise_lang(lang)
        self.pending: tuple[bytes, str] | None = None  # validated bytes and display name
        self.report: Any = None
        self.result: Any = None
        self.first_received: Any = None
        self.confirmations = Confirmations()
        self._history: Any = None  # the stored values the last upload was checked against
        self._status: Message | None = None
        self._upload_status: Message | None = None
        self._resetting = False
        self.view = PortalView(languages(), self.lang)
        self.queries = QueriesPanel(self)
        self.view.queries.children = [self.queries.widget]
        v = self.view
        v.lang_toggle.observe(self._on_lang, names="value")
        v.format_choice.observe(self._on_format, names="value")
        v.upload.observe(self._on_upload, names="value")
        v.submit_button.on_click(self._on_submit)
        v.allow_revert.observe(self._on_confirm, names="value")
        v.confirm_implausible.observe(self._on_confirm, names="value")
        v.show_project(signin is not None)
        self.render()

    @property
    def widget(self) -> w.Widget:
        return self.view.widget

    @property
    def project(self) -> str | None:
        return self.signin.project if self.signin else None

    # -- rendering -------------------------------------------------------------------------
    def render(self) -> None:
        lang, signin = self.lang, self.signin
        if signin is not None:
            project = self.catalog.projects.get(signin.project)
            name = project.name.get(lang) if project else signin.project
            line = PortalView.signed_in_line(lang, signin.project, name, signin.token_id)
        else:
            line = PortalView.signed_out_line(lang)
        self.view.render_labels(lang, self.max_bytes, line)
        self.render_status()
        self.render_validation()
        self.render_receipt()
        if signin is not None:
            self.render_template()
        self.queries.render()

    def show_status(self, message: Message | None) -> None:
        self._status = message
        self.render_status()

    def render_status(self) -> None:
        msg = self._status
        _ = texts(self.lang)
        link = (f"login?lang={self.lang}", _("Sign in")) if self.signin is None and msg else None
        self.view.status.value = message_html(msg[0], msg[1](self.lang), link=link) if msg else ""

    def render_validation(self) -> None:
        if self._upload_status is not None:
            self.view.validation.value = message_html(self._upload_status[0], self._upload_status[1](self.lang))
        elif self.report is not None:
            self.view.validation.value = problems_html(self.report, self.lang) + self.confirmations.html(self.lang)
        else:
            self.view.validation.value = ""

    def render_template(self) -> None:
        assert self.signin is not None
        _ = texts(self.lang)
        fmt, project = self.view.format_choice.value, self.signin.project
        try:
            from impact.intake.template import build_template

            data = build_template(self.catalog, project, fmt, history=self.store.values(), today=self.today(),
                                  lang=self.lang)
        except Exception:  # the template is a convenience: its failure must not block submitting
            log.exception("portal: template for %s (%s) failed", project, fmt)
            self.view.template_link.value = message_html(
                "warning", _("The template is not available right now; uploading still works."))
            return
        mime = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        file = _("template-{project}.{ext}", project=project, ext=fmt)
        href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self.view.template_link.value = tag("a", _("Download the template “{file}”", file=file), download=file,
                                            href=href, class_="impact-template-link")

    def render_receipt(self) -> None:
        if self.result is None:
            self.view.receipt.value = ""
            return
        self.view.receipt.value = receipt_html(self.result, self.lang, project=self.project or "",
                                               indicator_name=self.indicator_name,
                                               first_received=self.first_received)

    def _ticked(self) -> dict[str, bool]:
        return {"implausible": bool(self.view.confirm_implausible.value), "revert": bool(self.view.allow_revert.value)}

    def show_confirmations(self) -> None:
        """The boxes of what the pending file needs confirmed; submitting only once all are ticked."""
        v, needed = self.view, self.confirmations.needed
        for kind, box in (("implausible", v.confirm_implausible), ("revert", v.allow_revert)):
            if kind not in needed:
                box.value = False
            box.layout.display = "flex" if kind in needed and self.pending is not None else "none"
        v.submit_button.disabled = self.pending is None or not self.confirmations.ready(self._ticked())

    def indicator_name(self, indicator_id: str) -> str:
        ind = self.catalog.indicators.get(indicator_id)
        return f"{ind.name.get(self.lang)} ({indicator_id})" if ind else indicator_id

    # -- sign-in state ---------------------------------------------------------------------
    def check(self) -> SignIn:
        """The sign-in, re-checked (session alive, token valid); raises when it has ended."""
        if self.signin is None:
            raise SignInEnded()
        self.signin.check(self.tokens, self.today())
        return self.signin

    def end_sign_in(self, message: Message) -> None:
        """Forget the sign-in and everything uploaded; show why and where to sign in again."""
        self.signin = None
        self.pending = self.report = self.result = None
        self._upload_status = None
        self.confirmations.clear()
        self.show_confirmations()
        self.view.show_project(False)
        self._status = message
        self.render()

    # -- callbacks -------------------------------------------------------------------------
    @_guarded
    def _on_lang(self, change: dict[str, Any]) -> None:
        self.lang = normalise_lang(change["new"])
        self.render()

    @_guarded
    def _on_format(self, change: dict[str, Any]) -> None:
        if self.signin is not None:
            self.render_template()

    @_guarded
    def _on_confirm(self, _change: dict[str, Any]) -> None:
        self.show_confirmations()

    def _take_upload(self) -> tuple[bytes, str] | None:
        from impact.apps.portal.html import clean_file_name

        value = self.view.upload.value
        if not value:
            return None
        item = value[0]
        name = clean_file_name(item.get("name"))
        content = item.get("content")
        data = bytes(content) if content is not None else b""
        self._resetting = True
        try:
            self.view.upload.value = ()  # drop the bytes from widget state; the label shows no count again
        finally:
            self._resetting = False
        return data, name

    @_guarded
    def _on_upload(self, change: dict[str, Any]) -> None:
        if self._resetting:
            return
        taken = self._take_upload()
        if taken is None:
            return
        data, name = taken
        self.pending = self.report = self.result = None
        self._upload_status = None
        self.confirmations.clear()
        self.show_confirmations()
        self.render_receipt()
        signin = self.check()
        if len(data) > self.max_bytes:
            size, limit = len(data), self.max_bytes
            self._upload_status = _msg("error", N_("The file “{file}” is {size}; at most {limit} are allowed."),
                                       file=name, size=lambda lang: size_text(size, lang),
                                       limit=lambda lang: size_text(limit, lang))
        elif not name.lower().endswith(ACCEPTED_SUFFIXES):
            self._upload_status = _msg("error", N_("The file “{file}” is neither a CSV file (.csv) nor an Excel "
                                                   "workbook (.xlsx)."), file=name)
        else:
            self.report = self._validate(data, name, signin.project)
            if self.report.valid:
                self.pending = (data, name)
                self.confirmations.check(self.report, self._history)
        self.show_confirmations()
        self.render_validation()

    def _validate(self, data: bytes, name: str, project: str) -> Any:
        from impact.intake.validation import validate_bytes

        history = self._history = None
        try:
            history = self._history = self.store.values()  # the same history ingest_bytes will use
        except ImpactError as exc:  # an unreadable store only costs the plausibility warnings
            log.warning("portal: no history for plausibility checks: %s", exc)
        return validate_bytes(data, name, self.catalog, history=history, today=self.today(),
                              max_bytes=self.max_bytes, only_project=project)

    @_guarded
    def _on_submit(self, _button: Any = None) -> None:
        from impact.store.ingest import ingest_bytes

        signin = self.check()
        if self.pending is None or self.report is None or not self.report.valid:
            self._upload_status = _msg("error", N_("There is no valid file to submit. Please upload a file first."))
            self.render_validation()
            return
        if not self.confirmations.ready(self._ticked()):
            self._upload_status = _msg("error", N_("Please confirm the values listed above first."))
            self.render_validation()
            self._upload_status = None
            return
        data, name = self.pending
        flags = self.confirmations.flags(self._ticked())
        self.pending = None
        self.confirmations.clear()
        self.show_confirmations()
        self.result = ingest_bytes(data, name, self.store, self.catalog, token_id=signin.token_id,
                                   only_project=signin.project, max_bytes=self.max_bytes, today=self.today(),
                                   **flags)
        self.first_received = None
        if self.result.status == "duplicate":
            self.first_received = first_receipt(self.store.ledger(), self.result.submission_id)
        log.info("portal: token %s submitted %s: %s, %s rows", signin.token_id, self.result.submission_id,
                 self.result.status, self.result.rows)
        self.render_receipt()
        self.queries.render()

    @_guarded
    def reply(self, query_id: str) -> None:
        """Send the typed reply to one of the team's queries (see :mod:`impact.apps.portal.queries`)."""
        signin = self.check()
        if self.queries.send(signin.project, signin.token_id, query_id):
            log.info("portal: token %s replied to query %s", signin.token_id, query_id)

    # -- start-up --------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Validate one tiny file once, so the first real upload does not pay for starting Great
        Expectations (seconds on a busy machine). :func:`portal_widget` runs this in a thread."""
        from impact.intake.validation import validate_bytes

        for ind in self.catalog.indicators.values():
            if ind.projects:
                period = {"yearly": "2024", "quarterly": "2024-Q1"}.get(ind.frequency, "2024-01")
                row = f"project_id,indicator_id,period,value\n{ind.projects[0]},{ind.id},{period},1\n"
                validate_bytes(row.encode(), "warm-up.csv", self.catalog, today=self.today())
                return

    def _warm_up_quietly(self) -> None:
        try:
            self.warm_up()
        except Exception:  # only a speed-up: never let it disturb the app
            log.warning("portal: warm-up failed", exc_info=True)


def portal_widget(lang: str = "de") -> w.Widget:
    """The portal as one widget (what ``notebooks/submit.ipynb`` displays) — the kernel's edge:
    settings, the catalog, the store and the sign-in are read here, from the environment
    ``impact portal`` gave the kernel.

    When the catalog or the store cannot be opened, a message with a reference is shown instead;
    the details go to the server log.
    """
    from impact.apps.portal.server import ENV_MAX_BYTES, PORTAL_MAX_BYTES
    from impact.apps.portal.tokens import TOKENS_ENV, tokens_path
    from impact.core.catalog import load_catalog
    from impact.core.config import settings
    from impact.store.store import Store

    server_log()
    cfg = settings()
    signin = signed_in()
    lang = normalise_lang((signin.lang if signin else None) or lang)
    try:
        limit = min(int(os.environ.get(ENV_MAX_BYTES) or PORTAL_MAX_BYTES), cfg.max_bytes)
        app = PortalApp(load_catalog(cfg.catalog_dir), Store(cfg.store_dir),
                        TokenStore(tokens_path(cfg.root, os.environ.get(TOKENS_ENV))), signin=signin,
                        today=lambda: settings().today, max_bytes=limit, lang=lang)
    except Exception:  # details (paths, catalog problems) go to the server log only
        ref = secrets.token_hex(4)
        log.exception("portal unavailable (reference %s)", ref)
        _ = texts(lang)
        return w.HTML(message_html("error", _("The portal is currently unavailable (reference {ref}). Please inform "
                                              "the evaluation unit.", ref=ref)))
    if signin is not None:
        threading.Thread(target=app._warm_up_quietly, name="impact-portal-warm-up", daemon=True).start()
    return app.widget
