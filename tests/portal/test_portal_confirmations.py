"""Confirmations in the portal (issue 14): an implausible correction and a file that would revert
newer corrections are shown right after the upload with a box to tick; without it nothing is
stored (and nothing goes to quarantine), with it the file is stored. Driven headlessly with a real
store, token file and session file."""

from __future__ import annotations

from .conftest import Env
from .conftest import upload_bytes as _upload

HEAD = b"project_id,indicator_id,period,value\n"
HISTORY = HEAD + b"".join(b"kiezbox,test-users,%s,%d\n" % (p, v) for p, v in (
    (b"2024-Q1", 100), (b"2024-Q2", 110), (b"2024-Q3", 120), (b"2024-Q4", 130), (b"2025-Q1", 140), (b"2025-Q2", 150)))


def _submit(app, data: bytes, name: str) -> str:
    _upload(app, data, name)
    app.view.submit_button.click()
    return str(app.result.status) if app.result is not None else "none"


def _stored(env: Env, period: str) -> float:
    current = env.store.current()
    return float(current.loc[current["period"] == period, "value"].iloc[0])


def test_an_implausible_correction_needs_the_box(env: Env) -> None:
    app = env.app()
    assert _submit(app, HISTORY, "verlauf.csv") == "accepted"
    _upload(app, HEAD + b"kiezbox,test-users,2024-Q3,1200\n", "tippfehler.csv")
    box = app.view.confirm_implausible
    assert box.layout.display == "flex" and not box.value and app.view.allow_revert.layout.display == "none"
    html = app.view.validation.value
    assert "bei der Plausibilitätsprüfung auffallen" in html and 'class="impact-confirm-rows-implausible"' in html
    assert app.view.submit_button.disabled  # not before the box is ticked
    app.view.submit_button.click()  # a forged click stores nothing and quarantines nothing
    assert _stored(env, "2024-Q3") == 120 and app.result is None and env.store.quarantined().empty
    box.value = True
    assert not app.view.submit_button.disabled
    app.view.submit_button.click()
    assert app.result.status == "accepted" and _stored(env, "2024-Q3") == 1200
    assert box.layout.display == "none" and not box.value  # ready for the next file
    app.view.lang_toggle.value = "en"  # (the receipt in English)
    assert "Submitted and stored." in app.view.receipt.value


def test_a_file_that_would_revert_a_correction_needs_the_box(env: Env) -> None:
    app = env.app()
    old = HEAD + b"kiezbox,test-users,2025-Q1,140\n"
    assert _submit(app, old, "alt.csv") == "accepted"
    assert _submit(app, HEAD + b"kiezbox,test-users,2025-Q1,141\n", "korrektur.csv") == "accepted"
    _upload(app, old.replace(b"\n", b"\r\n"), "alt-neu-gespeichert.csv")  # the old file re-saved: not a duplicate
    box = app.view.allow_revert
    assert box.layout.display == "flex" and app.view.submit_button.disabled
    assert "eine neuere Korrektur zurücknehmen" in app.view.validation.value
    assert "Nur wenn die älteren Werte wirklich gelten" in app.view.validation.value
    app.view.lang_toggle.value = "en"
    assert "bring back values that newer corrections replaced" in app.view.validation.value
    assert _stored(env, "2025-Q1") == 141
    box.value = True
    app.view.submit_button.click()
    assert app.result.status == "accepted" and _stored(env, "2025-Q1") == 140


def test_a_new_upload_forgets_the_last_confirmation(env: Env) -> None:
    app = env.app()
    _submit(app, HISTORY, "verlauf.csv")
    _upload(app, HEAD + b"kiezbox,test-users,2024-Q3,1200\n", "tippfehler.csv")
    app.view.confirm_implausible.value = True
    _upload(app, HEAD + b"kiezbox,test-users,2024-Q2,1100\n", "noch-einer.csv")  # another implausible file
    assert not app.view.confirm_implausible.value and app.view.submit_button.disabled
    _upload(app, HEAD + b"kiezbox,test-users,2025-Q3,160\n", "plausibel.csv")
    assert app.view.confirm_implausible.layout.display == "none" and not app.view.submit_button.disabled
