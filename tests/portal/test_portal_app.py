"""The portal's widget logic, driven headlessly (set widget values, click buttons)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from impact.apps.portal.app import PortalApp, clean_file_name, problems_html, receipt_rows
from impact.apps.portal.tokens import AttemptLimiter, TokenStore
from impact.core.errors import Problem
from impact.intake.problems import problem
from impact.store.store import Store

from .conftest import INVALID_CSV, VALID_CSV

TODAY = dt.date(2026, 11, 21)


@dataclass
class Env:
    app: PortalApp
    store: Store
    tokens: TokenStore
    raw: dict[str, str] = field(default_factory=dict)


@pytest.fixture()
def env(min_catalog, tmp_path: Path) -> Env:
    tokens = TokenStore(tmp_path / "tokens.json")
    raw = {p: tokens.issue(p, today=TODAY)[1] for p in ("kiezbox", "smart-water")}
    store = Store(tmp_path / "store")
    app = PortalApp(min_catalog, store, tokens, AttemptLimiter(), max_bytes=5_000, today=TODAY)
    return Env(app, store, tokens, raw)


def _upload(app: PortalApp, data: bytes, name: str = "werte.csv") -> None:
    app.upload.value = ({"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
                         "last_modified": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},)


def _login(env: Env, project: str = "kiezbox") -> None:
    env.app.token_input.value = env.raw[project]
    env.app.login_button.click()


def test_starts_closed_and_switches_language(env: Env) -> None:
    app = env.app
    assert app.project_box.layout.display == "none"
    assert "Einreichung von Indikatorwerten" in app.heading.value
    app.lang_toggle.value = "en"
    assert "Submitting indicator values" in app.heading.value
    assert app.login_button.description == "Sign in"


def test_wrong_token_refused_and_cleared(env: Env) -> None:
    app = env.app
    app.token_input.value = "y" * 43
    app.login_button.click()
    assert "Dieser Zugangscode ist ungültig." in app.status.value
    assert app.token_input.value == "" and app.record is None
    assert app.project_box.layout.display == "none"


def test_rate_limit_in_the_app(env: Env) -> None:
    app = env.app
    for _ in range(5):
        app.token_input.value = "z" * 43
        app.login_button.click()
    _login(env)  # even the right token waits now
    assert "Zu viele fehlgeschlagene Versuche" in app.status.value and app.record is None


def test_sign_in_shows_project_and_token_id(env: Env) -> None:
    _login(env)
    app = env.app
    assert app.record is not None and app.record.project == "kiezbox"
    assert "kiezbox" in app.status.value and app.record.id in app.status.value
    assert env.raw["kiezbox"] not in app.status.value and app.token_input.value == ""
    assert app.project_box.layout.display == "flex"


def test_upload_before_sign_in_refused(env: Env) -> None:
    _upload(env.app, VALID_CSV)
    assert "Bitte zuerst mit dem Zugangscode anmelden." in env.app.status.value
    assert env.app.submit_button.disabled


def test_invalid_file_shows_row_errors(env: Env) -> None:
    _login(env)
    app = env.app
    _upload(app, INVALID_CSV)
    html = app.validation.value
    assert "<td>Fehler</td><td>3</td><td>value</td>" in html
    assert "<td>4</td><td>indicator_id</td>" in html
    assert "2 Fehler" in html and app.submit_button.disabled and app.pending is None
    app.lang_toggle.value = "en"
    assert "<td>Error</td><td>3</td>" in app.validation.value and "2 error(s)" in app.validation.value
    assert app.upload.value == ()  # the bytes do not stay in widget state


def test_valid_file_submitted_with_receipt(env: Env) -> None:
    _login(env)
    app = env.app
    _upload(app, VALID_CSV)
    assert "kann eingereicht werden" in app.validation.value and not app.submit_button.disabled
    app.submit_button.click()
    sid = hashlib.sha256(VALID_CSV).hexdigest()
    assert "Eingereicht und gespeichert." in app.receipt.value and sid in app.receipt.value
    assert "Nutzende (test-users)" in app.receipt.value and "2025-Q2" in app.receipt.value
    assert app.submit_button.disabled
    values = env.store.values()
    assert len(values) == 3 and set(values["token_id"]) == {app.record.id}
    # a second click (forged: the button is disabled) submits nothing
    app.submit_button.click()
    assert "keine gültige Datei" in app.validation.value
    assert len(env.store.ledger()) == 1
    assert receipt_rows(values) == [("test-outage-hours", "2025-05", 1), ("test-users", "2025-Q1", 1),
                                    ("test-users", "2025-Q2", 1)]


def test_same_file_again_is_a_duplicate(env: Env) -> None:
    _login(env)
    app = env.app
    for _ in range(2):
        _upload(app, VALID_CSV)
        app.submit_button.click()
    assert "bereits eingereicht" in app.receipt.value
    assert len(env.store.values()) == 3


def test_rows_of_another_project_refused(env: Env) -> None:
    _login(env, "smart-water")
    app = env.app
    _upload(app, VALID_CSV)
    assert "project_id" in app.validation.value and "kiezbox" in app.validation.value
    assert app.submit_button.disabled
    app.submit_button.click()  # forged click
    assert env.store.values().empty


def test_revoked_after_sign_in(env: Env) -> None:
    _login(env)
    app = env.app
    _upload(app, VALID_CSV)
    env.tokens.revoke(app.record.id)
    app.submit_button.click()
    assert "widerrufen" in app.status.value
    assert env.store.values().empty and app.project_box.layout.display == "none"


def test_too_large_and_wrong_type(env: Env) -> None:
    _login(env)
    app = env.app
    _upload(app, b"x" * 6_000)
    assert "Die Datei „werte.csv“ ist 6 KB groß; erlaubt sind höchstens 5 KB." in app.validation.value
    assert app.report is None and app.submit_button.disabled
    _upload(app, VALID_CSV, name="werte.exe")
    assert "keine erlaubte Endung" in app.validation.value


def test_everything_shown_is_escaped(env: Env) -> None:
    _login(env)
    app = env.app
    evil = b"project_id,indicator_id,period,value\nkiezbox,<script>alert(1)</script>,2025-Q1,<b>1</b>\n"
    _upload(app, evil, name="../../<img src=x onerror=alert(1)>.csv")
    html = app.validation.value
    assert "<script>" not in html and "<img" not in html and "<b>1" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in html


def test_store_failure_gives_message_not_traceback(env: Env, tmp_path: Path) -> None:
    broken = tmp_path / "not-a-dir"
    broken.write_text("x")
    env.app.store = Store(broken)
    _login(env)
    _upload(env.app, VALID_CSV)
    env.app.submit_button.click()
    text = env.app.status.value + env.app.validation.value + env.app.receipt.value
    assert "Traceback" not in text and str(broken) not in text  # no server paths for project teams
    assert "Ein interner Fehler ist aufgetreten (Referenz " in env.app.status.value


def test_error_details_go_to_the_server_log_under_the_reference(env: Env, tmp_path: Path) -> None:
    """The page shows only a reference; the evaluation unit finds the details in the log of
    ``impact portal`` (inside a kernel, ``sys.stderr`` would send them to the browser)."""
    import io
    import re

    from impact.apps.portal.app import server_log

    out = io.StringIO()
    logger = server_log(out)
    assert logger.propagate is False and server_log() is logger  # idempotent, stream kept
    broken = tmp_path / "not-a-dir"
    broken.write_text("x")
    env.app.store = Store(broken)
    _login(env)
    _upload(env.app, VALID_CSV)
    env.app.submit_button.click()
    ref = re.search(r"Referenz ([0-9a-f]{8})", env.app.status.value)
    assert ref is not None
    text = out.getvalue()
    assert f"reference {ref.group(1)}" in text and "Traceback" in text
    assert "[impact.portal]" in text and "signed in for kiezbox" in text
    assert env.raw["kiezbox"] not in text  # the token itself is never logged


def test_server_stderr_bypasses_the_kernel_stream(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Like ipykernel's stream: ``fileno()`` is the process's real stderr, ``write`` goes elsewhere."""
    from impact.apps.portal.app import _server_stderr

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


def test_token_reaches_the_kernel_in_one_piece(env: Env) -> None:
    """Per-keystroke updates can arrive after the click on "sign in"; one update on blur cannot."""
    assert env.app.token_input.continuous_update is False


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
    widget = portal_widget(lang="de")
    assert "Das Portal ist derzeit nicht verfügbar (Referenz " in widget.value
    assert "currently unavailable" in widget.value and str(tmp_path) not in widget.value


def test_portal_widget_from_environment(min_catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.apps.portal.app import portal_widget

    monkeypatch.setenv("IMPACT_CATALOG", str(min_catalog_dir))
    monkeypatch.setenv("IMPACT_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("IMPACT_TOKENS", str(tmp_path / "tokens.json"))
    monkeypatch.setenv("IMPACT_PORTAL_MAX_BYTES", "2000000")
    widget = portal_widget(lang="en")
    assert "impact-portal" in widget._dom_classes
    html = " ".join(getattr(c, "value", "") for c in widget.children)
    assert "Submitting indicator values" in html


def test_template_download_link(env: Env) -> None:
    import base64
    import re

    from impact.intake.template import build_template

    _login(env)
    app = env.app
    link = app.template_link.value
    assert 'download="vorlage-kiezbox.csv"' in link
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1))
    assert data == build_template(app.catalog, "kiezbox", "csv", history=env.store.values(), today=TODAY)
    app.format_choice.value = "xlsx"
    assert 'download="vorlage-kiezbox.xlsx"' in app.template_link.value
    assert "spreadsheetml" in app.template_link.value


def test_receipt_for_a_file_rejected_at_ingest(env: Env) -> None:
    from impact.store.ingest import ingest_bytes

    _login(env)
    app = env.app
    app.result = ingest_bytes(INVALID_CSV, "werte.csv", env.store, app.catalog, token_id=app.record.id,
                              only_project="kiezbox", today=TODAY)
    app._render_receipt()
    assert app.result.status == "rejected"
    assert "zur Prüfung durch die Evaluationsstelle aufbewahrt" in app.receipt.value
    assert "<td>3</td><td>value</td>" in app.receipt.value
    assert str(env.store.path) not in app.receipt.value  # the quarantine folder is not shown to teams
