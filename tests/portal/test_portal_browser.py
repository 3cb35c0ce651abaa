"""End to end in real headless Chromium against ``impact portal`` running as a subprocess."""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

import pytest

from impact.store.store import Store

from . import browser as b

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fresh(driver, url: str) -> None:
    """A new browser session: no cookies of the portal, nothing logged yet."""
    driver.get(url + "login")
    driver.delete_all_cookies()
    driver.get("about:blank")
    b.requested_urls(driver)  # drop what was logged so far


def test_wrong_token_then_enter_signs_in(driver, running_portal) -> None:
    """Enter in the token field signs in, also after a wrong try; the field is empty and focused again."""
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, "x" * 43)
    b.wait_text(driver, "main", "Dieser Zugangscode ist ungültig.")
    box = b.clickable(driver, "input#token")
    assert box.get_attribute("value") == "" and driver.switch_to.active_element == box
    assert not driver.find_elements("css selector", ".impact-upload")
    log = running_portal.log.read_text(errors="replace")
    assert "portal: token refused (token_unknown)" in log
    from selenium.webdriver.common.keys import Keys

    box.send_keys(running_portal.raw["kiezbox"] + Keys.ENTER)
    b.wait_text(driver, ".impact-header", "kiezbox")
    assert driver.execute_script("return document.documentElement.lang") == "de"


def test_invalid_then_valid_file_then_receipt(driver, running_portal) -> None:
    _fresh(driver, running_portal.url)
    stored_before = len(Store(running_portal.store_dir).values())  # (other tests share this portal)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    b.wait_text(driver, ".impact-header", "kiezbox")
    link = b.css(driver, "a.impact-template-link")
    assert link.get_attribute("download") == "vorlage-kiezbox.csv"
    assert link.get_attribute("href").startswith("data:text/csv;base64,")
    assert link.value_of_css_property("text-decoration-line") == "underline"  # looks like a link
    # invalid file: its row errors appear, submitting stays disabled
    b.upload(driver, str(running_portal.files / "invalid.csv"))
    text = b.wait_text(driver, ".impact-validation", "Fehler")
    rows = driver.find_elements("css selector", ".impact-problems tbody tr")
    cells = [[td.text for td in r.find_elements("css selector", "td")] for r in rows]
    assert {c[1] for c in cells if c[0] == "Fehler"} >= {"3", "4"}, cells
    assert "invalid.csv" in text
    assert not driver.find_element("css selector", "button.impact-submit").is_enabled()
    assert b.css(driver, "button.impact-upload").text == "Datei wählen"  # no "(0)" after an upload
    assert len(Store(running_portal.store_dir).values()) == stored_before
    # switch to English: the same problems, in English
    driver.find_element("xpath", "//button[normalize-space()='English']").click()
    b.wait_text(driver, ".impact-validation", "2 errors")
    b.wait_until(driver, lambda d: d.execute_script("return document.documentElement.lang") == "en")
    # valid file: submit, see the receipt
    b.upload(driver, str(running_portal.files / "valid.csv"))
    b.wait_text(driver, ".impact-validation", "It can be submitted")
    submit = b.clickable(driver, "button.impact-submit")
    submit.click()
    sid = hashlib.sha256((running_portal.files / "valid.csv").read_bytes()).hexdigest()
    receipt = b.wait_text(driver, ".impact-receipt", sid)
    assert "Submitted and stored." in receipt and "2025-Q1" in receipt and "2025-05" in receipt
    assert receipt.count(sid) == 1 and "UTC" in receipt
    assert b.css(driver, "button.impact-upload").text == "Choose file"
    # the store has the rows, recorded with the token id (never the token)
    values = Store(running_portal.store_dir).values()
    values = values[values["submission_id"] == sid]
    assert len(values) == 3 and set(values["project_id"]) == {"kiezbox"}
    kiezbox_id = next(r.id for r in running_portal.tokens.records() if r.project == "kiezbox")
    assert set(values["token_id"]) == {kiezbox_id}
    ledger = Store(running_portal.store_dir).ledger()
    assert running_portal.raw["kiezbox"] not in ledger.to_string()
    log = running_portal.log.read_text(errors="replace")
    assert f"portal: token {kiezbox_id} submitted {sid}: accepted, 3 rows" in log
    assert running_portal.raw["kiezbox"] not in log
    assert b.kernel_id(driver) not in log  # kernel ids never reach the log


def test_token_of_another_project_refused(driver, running_portal) -> None:
    _fresh(driver, running_portal.url)
    before = len(Store(running_portal.store_dir).values())
    b.sign_in(driver, running_portal.url, running_portal.raw["smart-water"])
    b.wait_text(driver, ".impact-header", "smart-water")
    b.upload(driver, str(running_portal.files / "valid.csv"))
    text = b.wait_text(driver, ".impact-validation", "Fehler")
    assert "kiezbox" in text
    assert not driver.find_element("css selector", "button.impact-submit").is_enabled()
    assert len(Store(running_portal.store_dir).values()) == before


def test_every_request_stays_on_127_0_0_1(driver, running_portal) -> None:
    """No Font Awesome, no CDN: sign-in page and app load nothing from anywhere else."""
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.clickable(driver, "button.impact-upload")
    urls = [u for u in b.requested_urls(driver) if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert len(urls) > 5 and any("/api/kernels/" in u for u in urls)
    foreign = [u for u in urls if urlparse(u).hostname != "127.0.0.1"]
    assert foreign == []
    assert not driver.find_elements("css selector", "link[href*='fontawesome'], link[href*='cdn']")


def test_signing_out_ends_the_page(driver, running_portal) -> None:
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.clickable(driver, ".impact-header a[href^='logout']").click()
    b.wait_text(driver, "main", "Sie haben sich abgemeldet.")
    driver.get(running_portal.url)
    b.clickable(driver, "input#token")  # back on the sign-in page: the session is gone


def test_flood_then_a_team_submits(driver, running_portal, tmp_path) -> None:
    """200 anonymous page loads in under a minute start no kernel; then a team signs in, uploads
    and submits as usual (the acceptance test of the memory threat, in the real browser)."""
    from concurrent.futures import ThreadPoolExecutor

    from .test_portal_security import kernels_of

    before = len(kernels_of(running_portal.pid))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _i: running_portal.client().request("")[0], range(200)))
    assert statuses == [200] * 200 and len(kernels_of(running_portal.pid)) <= before
    data = tmp_path / "after-flood.csv"
    data.write_bytes(b"project_id,indicator_id,period,value\nkiezbox,test-users,2025-Q3,170\n")
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.upload(driver, str(data))
    b.wait_text(driver, ".impact-validation", "Sie kann eingereicht werden")
    b.clickable(driver, "button.impact-submit").click()
    b.wait_text(driver, ".impact-receipt", "Eingereicht und gespeichert.")
    assert "2025-Q3" in set(Store(running_portal.store_dir).values()["period"])


def test_a_page_whose_session_ended_says_so(driver, running_portal) -> None:
    """When the session ends (here: signed out from another tab), its kernel stops and the page
    shows, in its language, that the connection has ended — instead of silently ignoring clicks."""
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"], "en")
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.clickable(driver, "button.impact-upload")
    driver.execute_script("fetch('logout', {credentials: 'same-origin'})")
    banner = b.wait_text(driver, "#impact-disconnected", "The connection to the portal has ended")
    assert "reload the page" in banner
    assert b.css(driver, "#impact-disconnected").get_attribute("role") == "alert"


def test_same_file_twice_gets_a_sensible_receipt(driver, running_portal, tmp_path) -> None:
    """A re-sent duplicate: "already received on …, under the id …" — no "None", no "0 rows
    taken over"; times to the second in the language's notation; id and checksum shown once; the
    upload button's label is reset after each upload."""
    import re

    data = tmp_path / "twice.csv"
    data.write_bytes(b"project_id,indicator_id,period,value\nkiezbox,test-outage-hours,2025-08,9\n")
    sid = hashlib.sha256(data.read_bytes()).hexdigest()
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    b.wait_text(driver, ".impact-header", "kiezbox")
    stamp = re.compile(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d UTC")
    for attempt in range(2):
        b.upload(driver, str(data))
        b.wait_text(driver, ".impact-validation", "Sie kann eingereicht werden")
        assert b.css(driver, "button.impact-upload").text == "Datei wählen"
        b.clickable(driver, "button.impact-submit").click()
        receipt = b.wait_text(driver, ".impact-receipt", "bereits am" if attempt else "Eingereicht und gespeichert.")
        assert receipt.count(sid) == 1 and stamp.search(receipt), receipt
        assert "None" not in receipt and not re.search(r"\d{2}:\d{2}:\d{2}\.\d", receipt)  # no microseconds
    first = b.css(driver, ".impact-receipt").text
    assert "nichts wurde doppelt übernommen" in first, first
    assert "Übernommene Zeilen" not in first
    values = Store(running_portal.store_dir).values()
    assert len(values[values["submission_id"] == sid]) == 1


def test_template_has_names_and_units_beside_the_ids(driver, running_portal) -> None:
    """The template link looks like a link, and its CSV names each indicator and its unit, in the
    page's language."""
    import base64

    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"], "en")
    b.wait_text(driver, ".impact-header", "kiezbox")
    link = b.css(driver, "a.impact-template-link")
    assert link.value_of_css_property("text-decoration-line") == "underline"
    assert link.get_attribute("download") == "template-kiezbox.csv"
    text = base64.b64decode(link.get_attribute("href").split("base64,", 1)[1]).decode("utf-8-sig")
    header, *rows = [line.split(";") for line in text.splitlines()]
    assert header[:5] == ["project_id", "indicator_id", "period", "value", "unit"]
    named = {(r[1], r[4], r[header.index("indicator_name")]) for r in rows}
    assert ("test-users", "count", "Users") in named and ("test-outage-hours", "hours", "Outage hours") in named


def test_an_implausible_correction_is_confirmed_with_the_box(driver, running_portal, tmp_path) -> None:
    """The confirmation box appears with the flagged rows, submitting waits for it, and once it is
    ticked (with the keyboard: Space) the correction is stored."""
    from selenium.webdriver.common.keys import Keys

    history = tmp_path / "verlauf.csv"
    history.write_bytes(b"project_id,indicator_id,period,value\n" + b"".join(
        b"smart-water,test-users,%s,%d\n" % (p, v) for p, v in (
            (b"2024-Q1", 100), (b"2024-Q2", 110), (b"2024-Q3", 120), (b"2024-Q4", 130), (b"2025-Q1", 140))))
    typo = tmp_path / "tippfehler.csv"
    typo.write_bytes(b"project_id,indicator_id,period,value\nsmart-water,test-users,2024-Q3,1200\n")
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["smart-water"])
    b.wait_text(driver, ".impact-header", "smart-water")
    b.upload(driver, str(history))
    b.wait_text(driver, ".impact-validation", "Sie kann eingereicht werden")
    b.clickable(driver, "button.impact-submit").click()
    b.wait_text(driver, ".impact-receipt", "Eingereicht und gespeichert.")
    b.upload(driver, str(typo))
    b.wait_text(driver, ".impact-validation", "Zu bestätigende Werte")
    box = b.clickable(driver, ".impact-confirm-implausible input[type=checkbox]")
    label = driver.find_element("css selector", ".impact-confirm-implausible").text
    assert "als unplausibel markierten Werte sind richtig" in label
    assert not driver.find_element("css selector", "button.impact-submit").is_enabled()
    box.send_keys(Keys.SPACE)
    b.clickable(driver, "button.impact-submit").click()
    b.wait_text(driver, ".impact-receipt", "Eingereicht und gespeichert.")
    current = Store(running_portal.store_dir).current()
    row = current[(current["project_id"] == "smart-water") & (current["period"] == "2024-Q3")]
    assert list(row["value"]) == [1200]
