"""The portal's widget logic, driven headlessly (set widget values, click buttons), with a real
token file, a real store and a real session file as the server would keep it."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from impact.apps.portal.app import PortalApp
from impact.apps.portal.html import clean_file_name, problems_html, receipt_rows
from impact.core.errors import Problem
from impact.intake.problems import problem
from impact.store.store import Store

from .conftest import INVALID_CSV, TODAY, VALID_CSV, Env
from .conftest import upload_bytes as _upload


def _text(app: PortalApp) -> str:
    v = app.view
    return " ".join([v.header.value, v.status.value, v.validation.value, v.receipt.value])


def test_signed_in_page_shows_project_token_id_and_sign_out(env: Env) -> None:
    app = env.app()
    v = app.view
    assert v.project_box.layout.display == "flex"
    assert "Angemeldet für das Projekt „Kiezbox" in v.header.value or "(kiezbox)" in v.header.value
    assert env.ids["kiezbox"] in v.header.value and env.raw["kiezbox"] not in _text(app)
    assert '<a href="logout?lang=de">Abmelden</a>' in v.header.value
    assert 'data-impact-lang="de"' in v.header.value


def test_without_sign_in_only_a_pointer_to_the_sign_in_page(env: Env) -> None:
    app = env.app(project=None)
    assert app.view.project_box.layout.display == "none"
    assert '<a href="login?lang=de">Anmelden</a>' in app.view.header.value
    _upload(app, VALID_CSV)  # a forged upload message
    assert app.report is None and "Ihre Anmeldung ist beendet" in app.view.status.value


def test_one_language_at_a_time(env: Env) -> None:
    app = env.app()
    _upload(app, INVALID_CSV)
    app.view.lang_toggle.value = "en"
    english = _text(app)
    assert "Submitting indicator values" in english and "Signed in for the project" in english
    assert "Please correct it and upload it again" in english
    for german in ("Einreichung von", "Angemeldet", "Fehler", "Zeile", "Bitte korrigieren"):
        assert german not in english, german
    assert app.view.upload.description == "Choose file" and app.view.submit_button.description == "Submit"
    assert [label for label, _code in app.view.lang_toggle.options] == ["Deutsch", "English"]
    app.view.lang_toggle.value = "de"
    assert "Submitting" not in _text(app) and "Bitte korrigieren" in _text(app)


def test_invalid_file_shows_row_errors(env: Env) -> None:
    app = env.app()
    _upload(app, INVALID_CSV)
    html = app.view.validation.value
    assert '<tr class="impact-error"><td>Fehler</td><td>3</td><td>value</td>' in html
    assert "<td>4</td><td>indicator_id</td>" in html
    assert "3 Datenzeilen, 2 Fehler, 0 Warnungen" in html
    assert app.view.submit_button.disabled and app.pending is None
    assert app.view.upload.value == ()  # the bytes do not stay in widget state


def test_valid_file_submitted_with_receipt(env: Env) -> None:
    app = env.app()
    _upload(app, VALID_CSV)
    assert "Sie kann eingereicht werden" in app.view.validation.value and not app.view.submit_button.disabled
    app.view.submit_button.click()
    sid = hashlib.sha256(VALID_CSV).hexdigest()
    receipt = app.view.receipt.value
    assert "Eingereicht und gespeichert." in receipt and receipt.count(sid) == 1  # id = checksum, shown once
    assert "Nutzende (test-users)" in receipt and "2025-Q2" in receipt
    assert "21.11.2026, 12:00:00 UTC" in receipt  # IMPACT_NOW, Babel's German notation, no microseconds
    assert app.view.submit_button.disabled
    values = env.store.values()
    assert len(values) == 3 and set(values["token_id"]) == {env.ids["kiezbox"]}
    app.view.submit_button.click()  # a second (forged) click submits nothing
    assert "keine gültige Datei" in app.view.validation.value
    assert len(env.store.ledger()) == 1
    assert receipt_rows(values) == [("test-outage-hours", "2025-05", 1), ("test-users", "2025-Q1", 1),
                                    ("test-users", "2025-Q2", 1)]


def test_same_file_again_gets_a_proper_receipt(env: Env) -> None:
    """Not "Eingegangen (UTC) None" and "Übernommene Zeilen 0": when, and under which id."""
    app = env.app()
    for _ in range(2):
        _upload(app, VALID_CSV)
        app.view.submit_button.click()
    receipt = app.view.receipt.value
    assert app.result.status == "duplicate"
    assert "bereits am 21.11.2026, 12:00:00 UTC eingegangen" in receipt
    assert hashlib.sha256(VALID_CSV).hexdigest() in receipt
    assert "None" not in receipt and "Übernommene Zeilen" not in receipt
    assert len(env.store.values()) == 3


def test_rows_of_another_project_refused(env: Env) -> None:
    app = env.app("smart-water")
    _upload(app, VALID_CSV)
    assert "project_id" in app.view.validation.value and "kiezbox" in app.view.validation.value
    assert app.view.submit_button.disabled
    app.view.submit_button.click()  # forged click
    assert env.store.values().empty


def test_revoked_after_sign_in(env: Env) -> None:
    app = env.app()
    _upload(app, VALID_CSV)
    env.tokens.revoke(env.ids["kiezbox"])
    app.view.submit_button.click()
    assert "widerrufen" in app.view.status.value and '<a href="login?lang=de">' in app.view.status.value
    assert env.store.values().empty and app.view.project_box.layout.display == "none"


def test_expired_sign_in_cannot_submit(env: Env) -> None:
    app = env.app()
    _upload(app, VALID_CSV)
    env.clock.now += 601 + env.sessions.slack  # the session idled out (the server's view)
    app.view.submit_button.click()
    assert "Ihre Anmeldung ist beendet" in app.view.status.value
    assert env.store.values().empty and app.signin is None


def test_signed_out_elsewhere_cannot_submit(env: Env) -> None:
    app = env.app()
    _upload(app, VALID_CSV)
    for session in env.sessions.sessions():
        env.sessions.end(session.id)
    app.view.submit_button.click()
    assert env.store.values().empty and "Ihre Anmeldung ist beendet" in app.view.status.value


def test_too_large_and_wrong_type(env: Env) -> None:
    app = env.app()
    _upload(app, b"x" * 6_000)
    assert "Die Datei „werte.csv“ ist 6 KB groß; erlaubt sind höchstens 5 KB." in app.view.validation.value
    assert app.report is None and app.view.submit_button.disabled
    _upload(app, VALID_CSV, name="werte.txt")
    assert "weder eine CSV-Datei (.csv) noch eine Excel-Arbeitsmappe (.xlsx)" in app.view.validation.value


def test_no_txt_offered_for_upload(env: Env) -> None:
    """The first version offered .txt, which the reader then refused."""
    assert env.app().view.upload.accept == ".csv,.xlsx"


def test_everything_shown_is_escaped(env: Env) -> None:
    app = env.app()
    evil = b"project_id,indicator_id,period,value\nkiezbox,<script>alert(1)</script>,2025-Q1,<b>1</b>\n"
    _upload(app, evil, name="../../<img src=x onerror=alert(1)>.csv")
    html = app.view.validation.value
    assert "<script>" not in html and "<img" not in html and "<b>1" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in html


def test_store_failure_gives_message_not_traceback(env: Env, tmp_path: Path) -> None:
    broken = tmp_path / "not-a-dir"
    broken.write_text("x")
    app = env.app()
    app.store = Store(broken)
    _upload(app, VALID_CSV)
    app.view.submit_button.click()
    text = _text(app)
    assert "Traceback" not in text and str(broken) not in text  # no server paths for project teams
    assert "Ein interner Fehler ist aufgetreten (Referenz " in app.view.status.value


def test_error_details_go_to_the_server_log_under_the_reference(env: Env, tmp_path: Path) -> None:
    """The page shows only a reference; the evaluation unit finds the details in the log of
    ``impact portal`` (inside a kernel, ``sys.stderr`` would send them to the browser)."""
    from impact.apps.portal.serverlog import server_log

    out = io.StringIO()
    logger = server_log(out)
    assert logger.propagate is False and server_log() is logger  # idempotent, stream kept
    broken = tmp_path / "not-a-dir"
    broken.write_text("x")
    app = env.app()
    app.store = Store(broken)
    _upload(app, VALID_CSV)
    app.view.submit_button.click()
    ref = re.search(r"Referenz ([0-9a-f]{8})", app.view.status.value)
    assert ref is not None
    text = out.getvalue()
    assert f"reference {ref.group(1)}" in text and "Traceback" in text and "[impact.portal]" in text
    assert env.raw["kiezbox"] not in text  # the token itself is never logged


def test_server_stderr_bypasses_the_kernel_stream(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Like ipykernel's stream: ``fileno()`` is the process's real stderr, ``write`` goes elsewhere."""
    from impact.apps.portal.serverlog import _server_stderr

    real = (tmp_path / "stderr.txt").open("w")

    class KernelStream:
        written: list[str] = []

        def write(self, text: str) -> None:
            self.written.append(text)

        def fileno(self) -> int:
            return real.fileno()

    fake = KernelStream()
    monkeypatch.setattr("sys.stderr", fake)
    stream = _server_stderr()
    stream.write("to the server log\n")
    stream.close()
    real.close()
    assert (tmp_path / "stderr.txt").read_text() == "to the server log\n" and fake.written == []


def test_clean_file_name() -> None:
    assert clean_file_name("C:\\Users\\x\\Werte 2025.csv") == "Werte 2025.csv"
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("a\x00b\nc.csv") == "abc.csv"
    assert clean_file_name("") == "upload" and clean_file_name("...") == "upload"
    long = clean_file_name("x" * 500 + ".xlsx")
    assert len(long) <= 120 and long.endswith(".xlsx")


@dataclass
class _Report:
    file: str
    rows: int
    errors: list[Problem]
    warnings: list[Problem]

    @property
    def valid(self) -> bool:
        return not self.errors


def test_problems_html_limits_and_file_level_rows() -> None:
    errors = [problem("empty_file")]
    errors += [problem("not_a_number", i, "value", hint="number_plain", value=f"<Wert> {i}") for i in range(2, 300)]
    html = problems_html(_Report("a.csv", 298, errors, []), "de", limit=50)
    assert "ganze Datei" in html and "„&lt;Wert&gt; 2“ ist keine Zahl. (nur Ziffern" in html
    assert "… und 249 weitere Meldungen." in html and html.count("<tr class=") == 50


def test_portal_widget_with_broken_catalog_shows_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.apps.portal.app import portal_widget

    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "broken.yaml").write_text("indicators: [{id: x}]\n")
    monkeypatch.setenv("IMPACT_CATALOG", str(tmp_path / "cat"))
    widget = portal_widget(lang="en")
    assert "The portal is currently unavailable (reference " in widget.value and str(tmp_path) not in widget.value


def test_portal_widget_from_environment(min_catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.apps.portal.app import portal_widget

    monkeypatch.setenv("IMPACT_CATALOG", str(min_catalog_dir))
    monkeypatch.setenv("IMPACT_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("IMPACT_TOKENS", str(tmp_path / "tokens.json"))
    monkeypatch.setenv("IMPACT_PORTAL_MAX_BYTES", "2000000")
    widget = portal_widget(lang="en")
    assert "impact-portal" in widget._dom_classes
    html = " ".join(getattr(c, "value", "") for c in widget.children)
    assert "Submitting indicator values" in html and "Please sign in" in html


def test_template_download_link(env: Env) -> None:
    import base64

    from impact.intake.template import build_template

    app = env.app()
    link = app.view.template_link.value
    assert 'download="vorlage-kiezbox.csv"' in link and 'class="impact-template-link"' in link
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1))
    assert data == build_template(app.catalog, "kiezbox", "csv", history=env.store.values(), today=TODAY)
    app.view.format_choice.value = "xlsx"
    assert 'download="vorlage-kiezbox.xlsx"' in app.view.template_link.value
    assert "spreadsheetml" in app.view.template_link.value
    app.view.lang_toggle.value = "en"
    assert 'download="template-kiezbox.xlsx"' in app.view.template_link.value
    app.view.format_choice.value = "csv"  # the template in the page's language: names and units beside the ids
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", app.view.template_link.value).group(1))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == ["project_id", "indicator_id", "period", "value", "unit", "breakdown",
                                   "breakdown_value", "note", "source", "quality", "evidence", "indicator_name"]
    assert any(line.startswith("kiezbox;test-users;") and line.endswith(";Users") and ";count;" in line
               for line in lines[1:]), lines


def test_receipt_for_a_file_rejected_at_ingest(env: Env) -> None:
    from impact.store.ingest import ingest_bytes

    app = env.app()
    app.result = ingest_bytes(INVALID_CSV, "werte.csv", env.store, app.catalog, token_id=env.ids["kiezbox"],
                              only_project="kiezbox", today=TODAY)
    app.render_receipt()
    assert app.result.status == "rejected"
    assert "zur Prüfung durch die Evaluationsstelle aufbewahrt" in app.view.receipt.value
    assert "<td>3</td><td>value</td>" in app.view.receipt.value
    assert str(env.store.path) not in app.view.receipt.value  # the quarantine folder is not shown to teams
