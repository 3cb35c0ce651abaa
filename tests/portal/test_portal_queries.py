"""The evaluation unit's questions in the portal (issue 13, item 4), driven headlessly: questions are
asked with the real ``impact review query`` command, answered in the real widget, and read back with
``impact review list --format json`` — with a real store, token file and session file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.apps.portal.queries import MAX_REPLY_CHARS
from impact.cli import cli

from .conftest import VALID_CSV, Env
from .conftest import upload_bytes as _upload


@pytest.fixture()
def review(min_catalog_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("IMPACT_CATALOG", str(min_catalog_dir))
    monkeypatch.setenv("IMPACT_LANG", "de")

    def _review(env: Env, *args: str) -> dict:
        result = CliRunner().invoke(cli, ["review", *args, "--store", str(env.store.path), "--format", "json"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return _review


def _submit(env: Env, data: bytes, name: str = "werte.csv", project: str = "kiezbox") -> None:
    app = env.app(project)
    _upload(app, data, name)
    assert not app.view.submit_button.disabled, app.view.validation.value
    app.view.submit_button.click()
    assert app.result.status == "accepted", app.view.receipt.value


def _ask(review, env: Env, text: str, period: str = "2025-Q1", indicator: str = "test-users",
         project: str = "kiezbox") -> str:
    return str(review(env, "query", "--project", project, "--indicator", indicator, "--period", period,
                      "--text", text, "--by", "eva")["id"])


def _query(review, env: Env, qid: str) -> dict:
    found = [q for q in review(env, "list")["queries"] if q["id"] == qid]
    assert len(found) == 1
    return found[0]


def _panel_html(app) -> str:
    """What the questions panel shows (its HTML parts)."""
    return " ".join(c.value for c in app.queries.widget.children if isinstance(getattr(c, "value", None), str)
                    and c.value.lstrip().startswith("<"))


def test_no_questions_no_panel(env: Env) -> None:
    app = env.app()
    assert app.queries.widget.children == ()


def test_open_questions_shown_after_sign_in(env: Env, review) -> None:
    """Indicator, period, stored value, question, date — escaped, in the page's language; another
    project's question is not shown."""
    _submit(env, VALID_CSV)
    qid = _ask(review, env, "Warum <b>120</b>? Bitte prüfen.")
    app = env.app()
    html = _panel_html(app)
    assert "Rückfragen der Evaluationsstelle" in html and f'data-query-id="{qid}"' in html
    for part in ("Nutzende (test-users)", "2025-Q1", "120 Anzahl", "Warum &lt;b&gt;120&lt;/b&gt;? Bitte prüfen.",
                 "21.11.2026", "offen"):
        assert part in html, part
    app.view.lang_toggle.value = "en"
    html = _panel_html(app)
    assert "Questions from the evaluation unit" in html and "Users (test-users)" in html and "120 count" in html
    assert env.app("smart-water").queries.widget.children == ()


def test_reply_in_text_reaches_review_list(env: Env, review) -> None:
    _submit(env, VALID_CSV)
    qid = _ask(review, env, "Stimmt der Wert?")
    app = env.app()
    box, button = app.queries._boxes[qid]
    assert box.description == "Antwort" and button.description == "Antwort senden"
    box.value = "  Ja, doppelt gezählt war nichts. <script>x</script>  "
    button.click()
    html = _panel_html(app)
    assert "Ihre Antwort auf Rückfrage" in html and "an die Evaluationsstelle gesendet" in html
    assert "Ja, doppelt gezählt war nichts. &lt;script&gt;" in html and "beantwortet" in html
    assert box.value == ""
    q = _query(review, env, qid)
    assert q["state"] == "answered"
    assert [(a["text"], a["by"]) for a in q["answers"]] == [("Ja, doppelt gezählt war nichts. <script>x</script>",
                                                             env.ids["kiezbox"])]


def test_a_correction_answers_the_question(env: Env, review) -> None:
    _submit(env, VALID_CSV)
    qid = _ask(review, env, "120 oder 125?")
    _submit(env, b"project_id,indicator_id,period,value\nkiezbox,test-users,2025-Q1,125\n", "korrektur.csv")
    q = _query(review, env, qid)
    assert q["state"] == "answered" and q["answers"][0]["submission_id"]
    html = _panel_html(env.app())
    assert "125 Anzahl" in html and "durch die korrigierte Datei" in html


def test_replies_are_checked_in_the_kernel(env: Env, review) -> None:
    """Empty and overlong replies are refused; a forged reply to another project's question, or
    after the sign-in ended, records nothing."""
    _submit(env, VALID_CSV)
    _submit(env, b"project_id,indicator_id,period,value\nsmart-water,test-users,2025-Q1,7\n", "sw.csv", "smart-water")
    own = _ask(review, env, "Frage an Kiezbox")
    other = _ask(review, env, "Frage an Smart Water", project="smart-water")
    app = env.app()
    box, button = app.queries._boxes[own]
    box.value = "   "
    button.click()
    assert "Bitte schreiben Sie zuerst eine Antwort." in _panel_html(app)
    box.value = "x" * (MAX_REPLY_CHARS + 1)
    button.click()
    assert "zu lang" in _panel_html(app)
    app.reply(other)  # the browser can send any id
    assert "nicht (mehr) offen" in _panel_html(app)
    assert _query(review, env, other)["answers"] == [] and _query(review, env, own)["answers"] == []
    box.value = "Antwort nach dem Abmelden"
    env.clock.now += 601 + env.sessions.slack  # the session idled out (the server's view)
    button.click()
    assert app.signin is None and _query(review, env, own)["answers"] == []


def test_unreadable_questions_never_block_the_portal(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    _submit(env, VALID_CSV)
    with env.store.ledger_path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    app = env.app()
    html = _panel_html(app)
    assert "können gerade nicht angezeigt werden" in html and "Hochladen ist weiterhin möglich" in html
    assert "portal: the questions of kiezbox cannot be read" in caplog.text
    assert app.view.project_box.layout.display == "flex"


def test_a_correction_of_an_approved_value_is_refused_with_who_approved_it(env: Env, review) -> None:
    """An approved value is locked: the portal's receipt says when and by whom it was approved, and
    the stored value stays."""
    _submit(env, VALID_CSV)
    review(env, "approve", "--project", "kiezbox", "--period", "2025-Q1", "--by", "eva")
    app = env.app()
    _upload(app, b"project_id,indicator_id,period,value\nkiezbox,test-users,2025-Q1,125\n", "spaet.csv")
    app.view.submit_button.click()
    receipt = app.view.receipt.value
    assert app.result.status == "rejected" and "wurde am" in receipt and "von eva freigegeben" in receipt
    current = env.store.current()
    assert list(current.loc[current["period"] == "2025-Q1", "value"]) == [120]
