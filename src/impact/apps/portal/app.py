"""The submission portal's widget app (served by Voilà from ``notebooks/submit.ipynb``).

A project team chooses a language, enters its access token, downloads its template, uploads a
file, reads the validation result (errors and warnings with row, column and message) and, when
the file is valid, submits it; the receipt names the submission id (the SHA-256 of the file),
the time of receipt and the rows accepted per indicator and period.

Security rules kept here (see ``docs/portal.md``):

* every action re-checks its preconditions on the server side: the browser can send any widget
  message (even a click on a disabled button), so the kernel never trusts widget state;
* the token is checked under :class:`impact.apps.portal.tokens.AttemptLimiter`, cleared from the widget at
  once, and only its id is kept; uploads are validated and ingested with ``only_project`` =
  the token's project and ``token_id`` = the token id;
* the uploaded file name is for display only (cleaned, never a path); the upload is limited in
  size and never executed; everything shown is plain text or ``html.escape``-d;
* unexpected errors are logged (to the Voilà log) with a reference and shown as a short
  bilingual message, never a traceback.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import os
import re
import secrets
import sys
import threading
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from impact.apps.portal.server import ENV_ATTEMPTS, ENV_CLIENT, ENV_MAX_BYTES, PORTAL_MAX_BYTES
from impact.apps.portal.tokens import AttemptLimiter, TokenError, TokenRecord, TokenStore, authenticate
from impact.core.config import settings
from impact.core.errors import ImpactError, Problem
from impact.core.locking import LockBusyError

if TYPE_CHECKING:
    from impact.core.catalog import Catalog
    from impact.store.store import Store

__all__ = ["PortalApp", "TEXTS", "clean_file_name", "portal_widget", "problems_html", "receipt_rows",
           "server_log"]

log = logging.getLogger("impact.portal")

_LOG_FORMAT = "[impact.portal] %(asctime)s %(levelname)s %(message)s"


def _server_stderr() -> Any:
    """A text stream to the portal process's stderr (the terminal or journal of ``impact portal``).

    Inside a Jupyter kernel ``sys.stderr`` is ipykernel's stream to the *browser* (which Voilà
    drops): logging there would lose every reference shown to project teams. Its ``fileno()``
    is a copy of the kernel's original stderr, which the kernel inherited from Voilà, so a
    stream on a duplicate of that descriptor reaches the server log and never the browser.
    """
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return sys.__stderr__
    return open(fd, "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)  # noqa: SIM115


def server_log(stream: Any = None) -> logging.Logger:
    """Send the ``impact.apps.portal.app`` log (sign-ins, submissions, refusals, and the details behind
    every error reference shown in the page) to ``stream``, by default the server's stderr
    (:func:`_server_stderr`). Idempotent: one handler, replaced when a stream is given."""
    for handler in [h for h in log.handlers if getattr(h, "_impact_server_log", False)]:
        if stream is None:
            return log
        log.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else _server_stderr())
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler._impact_server_log = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # never into the kernel's stderr, which goes to the browser
    return log


MAX_PROBLEMS_SHOWN = 200
ACCEPTED_SUFFIXES = (".csv", ".txt", ".xlsx")

# every user-facing text, German first
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Einreichung von Indikatorwerten", "Submitting indicator values"),
    "intro": ("Smart City Berlin – Wirkungsmessung der Umsetzungsprojekte.",
              "Smart City Berlin – impact measurement of the pilot projects."),
    "step_token": ("1. Zugangscode eingeben", "1. Enter your access token"),
    "token_placeholder": ("Zugangscode des Projekts", "Your project's access token"),
    "login": ("Anmelden", "Sign in"),
    "logged_in": ("Angemeldet für das Projekt „{project}“ ({name}), Zugangscode-ID {token_id}.",
                  "Signed in for project '{project}' ({name}), token id {token_id}."),
    "step_template": ("2. Vorlage herunterladen (optional)", "2. Download the template (optional)"),
    "template_link": ("Vorlage „{file}“ herunterladen", "Download template '{file}'"),
    "template_unavailable": ("Die Vorlage ist gerade nicht verfügbar; das Hochladen funktioniert trotzdem.",
                             "The template is not available right now; uploading still works."),
    "step_upload": ("3. Datei hochladen (CSV oder Excel, höchstens {limit})",
                    "3. Upload your file (CSV or Excel, at most {limit})"),
    "upload": ("Datei wählen", "Choose file"),
    "step_submit": ("4. Einreichen", "4. Submit"),
    "submit": ("Einreichen", "Submit"),
    "not_logged_in": ("Bitte zuerst mit dem Zugangscode anmelden.", "Please sign in with your access token first."),
    "too_large": ("Die Datei „{file}“ ist {size} groß; erlaubt sind höchstens {limit}.",
                  "The file '{file}' is {size}; at most {limit} are allowed."),
    "bad_suffix": ("Die Datei „{file}“ hat keine erlaubte Endung (.csv, .txt, .xlsx).",
                   "The file '{file}' does not have an allowed extension (.csv, .txt, .xlsx)."),
    "summary_valid": ("Datei „{file}“: {rows} Datenzeilen, keine Fehler, {warnings} Warnung(en). Sie kann eingereicht werden.",
                      "File '{file}': {rows} data rows, no errors, {warnings} warning(s). It can be submitted."),
    "summary_invalid": ("Datei „{file}“: {rows} Datenzeilen, {errors} Fehler, {warnings} Warnung(en). "
                        "Bitte korrigieren und erneut hochladen; so wird sie nicht angenommen.",
                        "File '{file}': {rows} data rows, {errors} error(s), {warnings} warning(s). "
                        "Please correct it and upload it again; it cannot be accepted as it is."),
    "col_kind": ("Art", "Kind"),
    "col_row": ("Zeile", "Row"),
    "col_column": ("Spalte", "Column"),
    "col_message": ("Meldung", "Message"),
    "kind_error": ("Fehler", "Error"),
    "kind_warning": ("Warnung", "Warning"),
    "whole_file": ("ganze Datei", "whole file"),
    "more_problems": ("… und {n} weitere Meldungen.", "… and {n} more messages."),
    "nothing_to_submit": ("Es liegt keine gültige Datei zum Einreichen vor. Bitte zuerst eine Datei hochladen.",
                          "There is no valid file to submit. Please upload a file first."),
    "accepted": ("Eingereicht und gespeichert.", "Submitted and stored."),
    "duplicate": ("Diese Datei wurde bereits eingereicht; sie ist unverändert gespeichert, nichts wurde doppelt übernommen.",
                  "This file has already been submitted; it is stored unchanged and nothing was taken twice."),
    "rejected": ("Die Datei wurde nicht angenommen. Sie wurde zur Prüfung durch die Evaluationsstelle aufbewahrt.",
                 "The file was not accepted. It has been kept for review by the evaluation unit."),
    "receipt_title": ("Empfangsbestätigung", "Receipt"),
    "receipt_id": ("Einreichungs-ID", "Submission id"),
    "receipt_when": ("Eingegangen (UTC)", "Received (UTC)"),
    "receipt_hash": ("Prüfsumme der Datei (SHA-256)", "Checksum of the file (SHA-256)"),
    "receipt_file": ("Datei", "File"),
    "receipt_project": ("Projekt", "Project"),
    "receipt_rows": ("Übernommene Zeilen", "Rows accepted"),
    "receipt_corrections": ("davon Korrekturen früherer Werte", "of which corrections of earlier values"),
    "col_indicator": ("Indikator", "Indicator"),
    "col_period": ("Zeitraum", "Period"),
    "col_count": ("Zeilen", "Rows"),
    "internal_error": ("Ein interner Fehler ist aufgetreten (Referenz {ref}). Bitte später erneut versuchen "
                       "oder die Evaluationsstelle mit dieser Referenz kontaktieren.",
                       "An internal error occurred (reference {ref}). Please try again later "
                       "or contact the evaluation unit quoting this reference."),
    "busy": ("Der Speicher ist gerade belegt; bitte in einer Minute erneut einreichen. Es wurde nichts gespeichert.",
             "The store is busy right now; please submit again in a minute. Nothing was stored."),
    "unavailable": ("Das Portal ist derzeit nicht verfügbar (Referenz {ref}). Bitte die Evaluationsstelle informieren.",
                    "The portal is currently unavailable (reference {ref}). Please inform the evaluation unit."),
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    de, en = TEXTS[key]
    text = en if lang == "en" else de
    return text.format(**fmt) if fmt else text


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_file_name(name: Any, fallback: str = "upload") -> str:
    """A display-only version of an uploaded file name: last path component, no control
    characters, at most 120 characters. Never used as a path."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = _CONTROL.sub("", text).strip().lstrip(".")
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: 110] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:120]
    return text or fallback


def _size(n: int) -> str:
    """A byte count for people: ``850 KB``, ``10 MB``, ``12.5 MB``."""
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} KB"
    return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + " MB"


def _message(kind: str, text: str) -> str:
    return f'<div class="impact-msg impact-msg-{kind}">{_e(text)}</div>'


def problems_html(report: Any, lang: str, limit: int = MAX_PROBLEMS_SHOWN) -> str:
    """A validation report as escaped HTML: a summary and a table of errors then warnings."""
    errors: list[Problem] = list(report.errors)
    warnings: list[Problem] = list(report.warnings)
    file = clean_file_name(report.file)
    if report.valid:
        head = _message("ok", _t("summary_valid", lang, file=file, rows=report.rows, warnings=len(warnings)))
    else:
        head = _message("error", _t("summary_invalid", lang, file=file, rows=report.rows, errors=len(errors),
                                    warnings=len(warnings)))
    items = [("error", p) for p in errors] + [("warning", p) for p in warnings]
    if not items:
        return head
    rows = []
    for kind, p in items[:limit]:
        row = _t("whole_file", lang) if p.row is None else str(p.row)
        rows.append(f'<tr class="impact-{kind}"><td>{_e(_t("kind_" + kind, lang))}</td><td>{_e(row)}</td>'
                    f'<td>{_e(p.column or "")}</td><td>{_e(p.message(lang))}</td></tr>')
    more = ""
    if len(items) > limit:
        more = f'<p>{_e(_t("more_problems", lang, n=len(items) - limit))}</p>'
    header = "".join(f"<th>{_e(_t(k, lang))}</th>" for k in ("col_kind", "col_row", "col_column", "col_message"))
    return (f'{head}<table class="impact-problems"><thead><tr>{header}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


def receipt_rows(frame: Any) -> list[tuple[str, str, int]]:
    """Accepted rows counted per (indicator, period), sorted."""
    if frame is None or len(frame) == 0:
        return []
    counts = frame.groupby(["indicator_id", "period"], sort=True).size()
    return [(str(ind), str(per), int(n)) for (ind, per), n in counts.items()]


_STYLE = """<style>
.impact-portal {max-width: 60rem; font-size: 1rem;}
.impact-msg {padding: .5em .75em; margin: .4em 0; border-left: .3em solid;}
.impact-msg-ok {border-color: #1b7837; background: #f0f7f1;}
.impact-msg-error {border-color: #b2182b; background: #fbeeee;}
.impact-msg-warning {border-color: #b35806; background: #fdf3e7;}
.impact-msg-info {border-color: #2166ac; background: #eef3fa;}
.impact-problems, .impact-receipt-table {border-collapse: collapse; margin: .5em 0;}
.impact-problems th, .impact-problems td, .impact-receipt-table th, .impact-receipt-table td
  {border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top;}
.impact-problems tr.impact-error td:first-child {color: #b2182b; font-weight: bold;}
.impact-problems tr.impact-warning td:first-child {color: #b35806;}
</style>"""


def _guarded(method: Callable[..., None]) -> Callable[..., None]:
    """Run a widget callback; unexpected errors become a logged reference, never a traceback."""

    @wraps(method)
    def wrapper(self: PortalApp, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except TokenError as exc:
            self._show_status(("error", exc.message("de"), exc.message("en")))
        except LockBusyError:
            log.warning("portal: store lock busy")
            self._show_status(("warning", _t("busy", "de"), _t("busy", "en")))
        except Exception:  # includes store errors: their details (server paths) are for the log only
            ref = secrets.token_hex(4)
            log.exception("portal error (reference %s)", ref)
            self._show_status(("error", _t("internal_error", "de", ref=ref), _t("internal_error", "en", ref=ref)))

    return wrapper


class PortalApp:
    """The widgets and their logic. Build with :meth:`from_environment` in the notebook."""

    def __init__(self, catalog: Catalog, store: Store, tokens: TokenStore, limiter: AttemptLimiter, *,
                 client: str = "*", max_bytes: int = PORTAL_MAX_BYTES, lang: str = "de",
                 today: dt.date | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.tokens = tokens
        self.limiter = limiter
        self.client = client
        self.max_bytes = max_bytes
        self.lang = lang if lang in ("de", "en") else "de"
        self.today = today
        self.record: TokenRecord | None = None
        self.pending: tuple[bytes, str] | None = None  # validated bytes and display name
        self.report: Any = None
        self.result: Any = None
        self._status: tuple[str, str, str] | None = None  # kind, de, en
        self._upload_status: tuple[str, str, str] | None = None
        self._resetting = False
        self._build()
        self._render()

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_environment(cls, lang: str = "de") -> PortalApp:
        """The app configured from ``IMPACT_*`` variables (set by ``impact portal``)."""
        from impact.core.catalog import load_catalog
        from impact.store.store import Store

        server_log()
        env_max = int(os.environ.get(ENV_MAX_BYTES) or PORTAL_MAX_BYTES)
        client_env = os.environ.get(ENV_CLIENT, "")
        client = (os.environ.get(client_env, "") if client_env else "").split(",")[0].strip()[:64] or "*"
        app = cls(load_catalog(), Store(), TokenStore(), AttemptLimiter(os.environ.get(ENV_ATTEMPTS) or None),
                  client=client, max_bytes=min(env_max, settings().max_bytes), lang=lang)
        threading.Thread(target=app._warm_up_quietly, name="impact-portal-warm-up", daemon=True).start()
        return app

    def warm_up(self) -> None:
        """Validate one tiny file once, so the first real upload does not pay for starting Great
        Expectations (about 10 s on a busy machine). ``from_environment`` runs this in a thread."""
        from impact.intake.validation import validate_bytes

        for ind in self.catalog.indicators.values():
            if ind.projects:
                period = {"yearly": "2024", "quarterly": "2024-Q1"}.get(ind.frequency, "2024-01")
                row = f"project_id,indicator_id,period,value\n{ind.projects[0]},{ind.id},{period},1\n"
                validate_bytes(row.encode(), "warm-up.csv", self.catalog, today=self.today)
                return

    def _warm_up_quietly(self) -> None:
        try:
            self.warm_up()
        except Exception:  # only a speed-up: never let it disturb the app
            log.warning("portal: warm-up failed", exc_info=True)

    def _build(self) -> None:
        self.lang_toggle = w.ToggleButtons(options=[("Deutsch", "de"), ("English", "en")], value=self.lang)
        self.lang_toggle.add_class("impact-lang")
        self.heading = w.HTML()
        self.token_label = w.HTML()
        # the value reaches the kernel once, when the field loses focus (pressing "sign in"),
        # before the click: with per-keystroke updates the browser may hold back the last
        # keystrokes while the click overtakes them, and a correct token arrives truncated
        self.token_input = w.Password(continuous_update=False)
        self.token_input.add_class("impact-token")
        self.login_button = w.Button(button_style="primary")
        self.login_button.add_class("impact-login")
        self.status = w.HTML()
        self.status.add_class("impact-status")
        self.template_label = w.HTML()
        self.format_choice = w.ToggleButtons(options=[("CSV", "csv"), ("Excel (.xlsx)", "xlsx")], value="csv")
        self.template_link = w.HTML()
        self.template_link.add_class("impact-template")
        self.upload_label = w.HTML()
        self.upload = w.FileUpload(accept=",".join(ACCEPTED_SUFFIXES), multiple=False)
        self.upload.add_class("impact-upload")
        self.validation = w.HTML()
        self.validation.add_class("impact-validation")
        self.submit_label = w.HTML()
        self.submit_button = w.Button(button_style="success", disabled=True)
        self.submit_button.add_class("impact-submit")
        self.receipt = w.HTML()
        self.receipt.add_class("impact-receipt")
        self.project_box = w.VBox([self.template_label, self.format_choice, self.template_link, self.upload_label,
                                   self.upload, self.validation, self.submit_label, self.submit_button, self.receipt])
        self.project_box.layout.display = "none"
        self.widget = w.VBox([w.HTML(_STYLE), self.lang_toggle, self.heading, self.token_label,
                              w.HBox([self.token_input, self.login_button]), self.status, self.project_box])
        self.widget.add_class("impact-portal")
        self.lang_toggle.observe(self._on_lang, names="value")
        self.login_button.on_click(self._on_login)
        self.format_choice.observe(self._on_format, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.submit_button.on_click(self._on_submit)

    # -- rendering -------------------------------------------------------------------------
    def _render(self) -> None:
        lang = self.lang
        self.heading.value = f"<h2>{_e(_t('title', lang))}</h2><p>{_e(_t('intro', lang))}</p>"
        self.token_label.value = f"<h3>{_e(_t('step_token', lang))}</h3>"
        self.token_input.placeholder = _t("token_placeholder", lang)
        self.login_button.description = _t("login", lang)
        self.template_label.value = f"<h3>{_e(_t('step_template', lang))}</h3>"
        self.upload_label.value = f"<h3>{_e(_t('step_upload', lang, limit=_size(self.max_bytes)))}</h3>"
        self.upload.description = _t("upload", lang)
        self.submit_label.value = f"<h3>{_e(_t('step_submit', lang))}</h3>"
        self.submit_button.description = _t("submit", lang)
        self._render_status()
        self._render_validation()
        self._render_receipt()
        if self.record is not None:
            self._render_template()

    def _pick(self, triple: tuple[str, str, str] | None) -> str:
        if triple is None:
            return ""
        kind, de, en = triple
        return _message(kind, en if self.lang == "en" else de)

    def _show_status(self, triple: tuple[str, str, str] | None) -> None:
        self._status = triple
        self._render_status()

    def _render_status(self) -> None:
        self.status.value = self._pick(self._status)

    def _render_validation(self) -> None:
        if self._upload_status is not None:
            self.validation.value = self._pick(self._upload_status)
        elif self.report is not None:
            self.validation.value = problems_html(self.report, self.lang)
        else:
            self.validation.value = ""

    def _render_template(self) -> None:
        assert self.record is not None
        fmt = self.format_choice.value
        try:
            from impact.intake.template import build_template

            history = self.store.values()
            data = build_template(self.catalog, self.record.project, fmt, history=history, today=self.today)
        except Exception:  # the template is a convenience: its failure must not block submitting
            log.exception("portal: template for %s (%s) failed", self.record.project, fmt)
            self.template_link.value = _message("warning", _t("template_unavailable", self.lang))
            return
        mime = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        file = f"vorlage-{self.record.project}.{fmt}"
        href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self.template_link.value = (f'<a download="{_e(file)}" href="{_e(href)}" class="impact-template-link">'
                                    f'{_e(_t("template_link", self.lang, file=file))}</a>')

    def _render_receipt(self) -> None:
        res = self.result
        if res is None:
            self.receipt.value = ""
            return
        lang = self.lang
        if res.status in ("rejected", "unreadable"):
            self.receipt.value = _message("error", _t("rejected", lang)) + problems_html(res.report, lang)
            return
        head = _message("ok" if res.status == "accepted" else "info",
                        _t("accepted" if res.status == "accepted" else "duplicate", lang))
        file = clean_file_name(res.report.file) if res.report is not None else ""
        received = res.received_at
        when = received.isoformat() if hasattr(received, "isoformat") else str(received)
        facts = [("receipt_id", res.submission_id), ("receipt_when", when), ("receipt_hash", res.submission_id),
                 ("receipt_file", file), ("receipt_project", self.record.project if self.record else ""),
                 ("receipt_rows", res.rows)]
        if getattr(res, "corrections", 0):
            facts.append(("receipt_corrections", res.corrections))
        dl = "".join(f"<tr><th>{_e(_t(k, lang))}</th><td class='impact-{k}'>{_e(v)}</td></tr>" for k, v in facts)
        table = ""
        counts = receipt_rows(getattr(res.report, "frame", None)) if res.status == "accepted" else []
        if counts:
            header = "".join(f"<th>{_e(_t(k, lang))}</th>" for k in ("col_indicator", "col_period", "col_count"))
            body = "".join(
                f"<tr><td>{_e(self._indicator_name(ind))}</td><td>{_e(per)}</td><td>{n}</td></tr>"
                for ind, per, n in counts)
            table = f'<table class="impact-receipt-table"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
        self.receipt.value = (f"{head}<h4>{_e(_t('receipt_title', lang))}</h4>"
                              f'<table class="impact-receipt-table">{dl}</table>{table}')

    def _indicator_name(self, indicator_id: str) -> str:
        ind = self.catalog.indicators.get(indicator_id)
        return f"{ind.name.get(self.lang)} ({indicator_id})" if ind else indicator_id

    # -- callbacks -------------------------------------------------------------------------
    @_guarded
    def _on_lang(self, change: dict[str, Any]) -> None:
        self.lang = change["new"] if change["new"] in ("de", "en") else "de"
        self._render()

    @_guarded
    def _on_format(self, change: dict[str, Any]) -> None:
        if self.record is not None:
            self._render_template()

    @_guarded
    def _on_login(self, _button: Any = None) -> None:
        raw = self.token_input.value or ""
        self.token_input.value = ""  # the token does not stay in widget state
        try:
            record = authenticate(self.tokens, self.limiter, raw, client=self.client, today=self.today)
        except TokenError as exc:
            log.warning("portal: token refused (%s)", exc.code)
            self._logout()
            self._show_status(("error", exc.message("de"), exc.message("en")))
            return
        project = self.catalog.projects.get(record.project)
        if project is None:  # token for a project no longer in the catalog
            self._logout()
            err = TokenError("unknown_project", f"Das Projekt „{record.project}“ ist nicht (mehr) im Katalog.",
                             f"Project '{record.project}' is not (or no longer) in the catalog.")
            self._show_status(("error", err.message_de, err.message_en))
            return
        self._logout()
        self.record = record
        log.info("portal: token %s signed in for %s", record.id, record.project)
        self._show_status(("ok", _t("logged_in", "de", project=record.project, name=project.name.get("de"),
                                    token_id=record.id),
                           _t("logged_in", "en", project=record.project, name=project.name.get("en"),
                              token_id=record.id)))
        self.project_box.layout.display = "flex"
        self._render_template()

    def _logout(self) -> None:
        self.record = None
        self.pending = None
        self.report = None
        self.result = None
        self._upload_status = None
        self.submit_button.disabled = True
        self.project_box.layout.display = "none"
        self._render_validation()
        self._render_receipt()

    def _current_record(self) -> TokenRecord:
        """The signed-in token, re-checked against the token file (it may have been revoked)."""
        if self.record is None:
            raise TokenError("token_missing", _t("not_logged_in", "de"), _t("not_logged_in", "en"))
        today = self.today or settings().today
        for rec in self.tokens.records():
            if rec.id == self.record.id:
                status = rec.status(today)
                if status == "active":
                    return rec
                self._logout()
                if status == "revoked":
                    raise TokenError("token_revoked",
                                     "Dieser Zugangscode wurde widerrufen. Bitte bei der Evaluationsstelle einen neuen anfordern.",
                                     "This access token has been revoked. Please ask the evaluation unit for a new one.")
                raise TokenError("token_expired", f"Dieser Zugangscode ist am {rec.expires} abgelaufen.",
                                 f"This access token expired on {rec.expires}.")
        self._logout()
        raise TokenError("token_unknown", "Dieser Zugangscode ist ungültig.", "This access token is invalid.")

    def _take_upload(self) -> tuple[bytes, str] | None:
        value = self.upload.value
        if not value:
            return None
        item = value[0]
        name = clean_file_name(item.get("name"))
        content = item.get("content")
        data = bytes(content) if content is not None else b""
        self._resetting = True
        try:
            self.upload.value = ()  # drop the bytes from widget state
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
        self.pending = None
        self.report = None
        self.result = None
        self._upload_status = None
        self.submit_button.disabled = True
        self._render_receipt()
        record = self._current_record()
        if len(data) > self.max_bytes:
            size, limit = _size(len(data)), _size(self.max_bytes)
            self._upload_status = ("error", _t("too_large", "de", file=name, size=size, limit=limit),
                                   _t("too_large", "en", file=name, size=size, limit=limit))
        elif not name.lower().endswith(ACCEPTED_SUFFIXES):
            self._upload_status = ("error", _t("bad_suffix", "de", file=name), _t("bad_suffix", "en", file=name))
        else:
            self.report = self._validate(data, name, record.project)
            if self.report.valid:
                self.pending = (data, name)
                self.submit_button.disabled = False
        self._render_validation()

    def _validate(self, data: bytes, name: str, project: str) -> Any:
        from impact.intake.validation import validate_bytes

        history = None
        try:
            history = self.store.values()  # the same history ingest_bytes will use
        except ImpactError as exc:  # an unreadable store only costs the plausibility warnings
            log.warning("portal: no history for plausibility checks: %s", exc)
        return validate_bytes(data, name, self.catalog, history=history, today=self.today,
                              max_bytes=self.max_bytes, only_project=project)

    @_guarded
    def _on_submit(self, _button: Any = None) -> None:
        from impact.store.ingest import ingest_bytes

        record = self._current_record()
        if self.pending is None or self.report is None or not self.report.valid:
            self._upload_status = ("error", _t("nothing_to_submit", "de"), _t("nothing_to_submit", "en"))
            self._render_validation()
            return
        data, name = self.pending
        self.pending = None
        self.submit_button.disabled = True
        self.result = ingest_bytes(data, name, self.store, self.catalog, token_id=record.id,
                                   only_project=record.project, lang=self.lang, max_bytes=self.max_bytes,
                                   today=self.today)
        log.info("portal: token %s submitted %s: %s, %s rows", record.id, self.result.submission_id,
                 self.result.status, self.result.rows)
        self._render_receipt()


def portal_widget(lang: str = "de") -> w.Widget:
    """The portal as one widget (what ``notebooks/submit.ipynb`` displays).

    When the catalog or the token file cannot be opened, a bilingual message with a reference is
    shown instead; the details go to the server log.
    """
    try:
        return PortalApp.from_environment(lang=lang).widget
    except Exception:  # details (paths, catalog problems) go to the server log only
        ref = secrets.token_hex(4)
        log.exception("portal unavailable (reference %s)", ref)
        return w.HTML(_message("error", _t("unavailable", "de", ref=ref)) +
                      _message("error", _t("unavailable", "en", ref=ref)))
