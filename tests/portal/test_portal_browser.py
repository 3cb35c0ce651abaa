"""End to end in real headless Chromium against ``impact portal`` running as a subprocess."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator

import pytest

from impact.store.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 90  # seconds; the first page load starts a kernel and imports pandas and GX


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian chromium / chromium-driver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="impact-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,2000", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        yield drv
    finally:
        drv.quit()


def _css(driver, selector: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))


def _clickable(driver, selector: str):
    """Wait until the element is shown and enabled: widgets appear before they can take input."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(ec.element_to_be_clickable((By.CSS_SELECTOR, selector)))


def _wait_text(driver, selector: str, text: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d):
        els = d.find_elements(By.CSS_SELECTOR, selector)
        content = " ".join(e.text for e in els)
        return content if text in content else False

    try:
        return str(WebDriverWait(driver, WAIT).until(found))
    except Exception:
        els = driver.find_elements(By.CSS_SELECTOR, selector)
        raise AssertionError(f"{text!r} not in {selector}: {[e.text for e in els]!r}") from None


def _sign_in(driver, url: str, token: str) -> None:
    driver.get(url)
    box = _clickable(driver, ".impact-token input")
    box.clear()
    box.send_keys(token)
    _clickable(driver, "button.impact-login").click()


# ipywidgets' FileUpload keeps its <input type=file> detached from the document and calls
# .click() on it when its button is pressed. Redirect that click to attach the input instead,
# so selenium can send the file path to it (what a user does in the file dialog).
_EXPOSE_FILE_INPUT = """
if (!window.__impactFileInputExposed) {
  const click = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function () {
    if (this.type !== 'file') { return click.call(this); }
    this.classList.add('impact-test-file-input');
    document.body.appendChild(this);
  };
  window.__impactFileInputExposed = true;
}
"""


def _upload(driver, path: str) -> None:
    driver.execute_script(_EXPOSE_FILE_INPUT)
    _clickable(driver, "button.impact-upload").click()
    _css(driver, "input.impact-test-file-input").send_keys(path)


def test_wrong_token_refused(driver, running_portal) -> None:
    _sign_in(driver, running_portal.url, "x" * 43)
    _wait_text(driver, ".impact-status", "Dieser Zugangscode ist ungültig.")
    assert not driver.find_element("css selector", ".impact-upload").is_displayed()
    # the refusal is in the server log of `impact portal` (not lost in the kernel's stderr)
    assert "portal: token refused (token_unknown)" in running_portal.log.read_text(errors="replace")


def test_invalid_then_valid_file_then_receipt(driver, running_portal) -> None:
    _sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    _wait_text(driver, ".impact-status", "kiezbox")
    link = _css(driver, "a.impact-template-link")
    assert link.get_attribute("download") == "vorlage-kiezbox.csv"
    assert link.get_attribute("href").startswith("data:text/csv;base64,")
    # invalid file: its row errors appear, submitting stays disabled
    _upload(driver, str(running_portal.files / "invalid.csv"))
    text = _wait_text(driver, ".impact-validation", "Fehler")
    rows = driver.find_elements("css selector", ".impact-problems tbody tr")
    cells = [[td.text for td in r.find_elements("css selector", "td")] for r in rows]
    assert {c[1] for c in cells if c[0] == "Fehler"} >= {"3", "4"}, cells
    assert "invalid.csv" in text
    assert not driver.find_element("css selector", "button.impact-submit").is_enabled()
    assert Store(running_portal.store_dir).values().empty
    # switch to English: the same problems, in English
    driver.find_element("xpath", "//button[normalize-space()='English']").click()
    _wait_text(driver, ".impact-validation", "error(s)")
    # valid file: submit, see the receipt
    _upload(driver, str(running_portal.files / "valid.csv"))
    _wait_text(driver, ".impact-validation", "It can be submitted")
    submit = _css(driver, "button.impact-submit")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(lambda d: submit.is_enabled())
    submit.click()
    sid = hashlib.sha256((running_portal.files / "valid.csv").read_bytes()).hexdigest()
    receipt = _wait_text(driver, ".impact-receipt", sid)
    assert "Submitted and stored." in receipt and "2025-Q1" in receipt and "2025-05" in receipt
    # the store has the rows, recorded with the token id (never the token)
    values = Store(running_portal.store_dir).values()
    assert len(values) == 3 and set(values["project_id"]) == {"kiezbox"}
    kiezbox_id = running_portal.tokens.verify(running_portal.raw["kiezbox"]).id
    assert set(values["token_id"]) == {kiezbox_id}
    ledger = Store(running_portal.store_dir).ledger()
    assert running_portal.raw["kiezbox"] not in ledger.to_string()
    log = running_portal.log.read_text(errors="replace")
    assert f"portal: token {kiezbox_id} submitted {sid}: accepted, 3 rows" in log
    assert running_portal.raw["kiezbox"] not in log


def test_token_of_another_project_refused(driver, running_portal) -> None:
    before = len(Store(running_portal.store_dir).values())
    _sign_in(driver, running_portal.url, running_portal.raw["smart-water"])
    _wait_text(driver, ".impact-status", "smart-water")
    _upload(driver, str(running_portal.files / "valid.csv"))
    text = _wait_text(driver, ".impact-validation", "Fehler")
    assert "kiezbox" in text
    assert not driver.find_element("css selector", "button.impact-submit").is_enabled()
    assert len(Store(running_portal.store_dir).values()) == before
