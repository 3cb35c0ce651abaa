"""Helpers of the portal's browser tests: headless Chromium, waiting for widgets, signing in, uploading.

Widgets appear before they can take input, so every action waits until its element is shown
and enabled. The ``<input type=file>`` of an ipywidgets FileUpload is not attached to the page:
:data:`EXPOSE_FILE_INPUT` stands in for the file dialog (the page's ``window.impactOpenFileDialog``,
reached through the template's ``click`` patch that first empties the input, as a person's dialog
would be) and attaches the input so the test can reach it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 120  # seconds; the first page load starts a kernel and imports pandas and GX


def have_chromium() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def make_driver(width: int = 1280, height: int = 2000) -> Any:
    """Headless Chromium that records its network requests (see :func:`requested_urls`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='impact-chromium-')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked for since the last call (from Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
        elif msg.get("method") == "Network.webSocketCreated":
            urls.append(msg["params"]["url"])
    return urls


def css(driver: Any, selector: str, wait: float = WAIT) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, wait).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))


def clickable(driver: Any, selector: str, wait: float = WAIT) -> Any:
    """Wait until the element is shown and enabled: widgets appear before they can take input."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, wait).until(ec.element_to_be_clickable((By.CSS_SELECTOR, selector)))


def wait_text(driver: Any, selector: str, text: str, wait: float = WAIT) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d: Any) -> Any:
        content = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, selector))
        return content if text in content else False

    try:
        return str(WebDriverWait(driver, wait).until(found))
    except Exception:
        els = driver.find_elements(By.CSS_SELECTOR, selector)
        raise AssertionError(f"{text!r} not in {selector}: {[e.text for e in els]!r}") from None


def wait_until(driver: Any, condition: Any, wait: float = WAIT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, wait).until(condition)


def sign_in(driver: Any, url: str, token: str, lang: str | None = None) -> None:
    """Open the portal, type the token and press Enter (the form submits; no mouse needed)."""
    from selenium.webdriver.common.keys import Keys

    driver.get(url + (f"login?lang={lang}" if lang else "login"))
    box = clickable(driver, "input#token")
    box.clear()
    box.send_keys(token + Keys.ENTER)


EXPOSE_FILE_INPUT = """
if (typeof window.impactOpenFileDialog !== 'function') {
  throw new Error('the impact template does not route file dialogs through impactOpenFileDialog');
}
if (!window.__impactFileInputExposed) {
  window.impactOpenFileDialog = function (input) {
    input.classList.add('impact-test-file-input');
    document.body.appendChild(input);
  };
  window.__impactFileInputExposed = true;
}
"""


def upload(driver: Any, path: str) -> None:
    """Choose ``path`` with the upload button (clicked; see :data:`EXPOSE_FILE_INPUT`)."""
    driver.execute_script(EXPOSE_FILE_INPUT)
    clickable(driver, "button.impact-upload").click()
    css(driver, "input.impact-test-file-input").send_keys(path)


def kernel_id(driver: Any) -> str:
    """The id of the page's kernel (it is in the page's configuration)."""
    return str(driver.execute_script(
        "return JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"))


AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
  .catch(e => done({error: String(e)}));
"""


def axe_violations(driver: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of the current page with one of ``impacts``.

    A current ``axe.min.js`` (tests/vendor) is injected: the copy bundled with axe-selenium-python
    does not know the wcag21 tags and never returns when axe rejects."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(180)
    result = driver.execute_async_script(_RUN_AXE, WCAG_21_AA)
    if isinstance(result, dict):
        raise AssertionError(f"axe-core failed: {result.get('error')}")
    return [v for v in result if v.get("impact") in impacts]


def tab_to(driver: Any, selector: str, limit: int = 40) -> Any:
    """Press Tab until the focused element matches ``selector`` (keyboard only); returns it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if driver.execute_script("return document.activeElement && document.activeElement.matches(arguments[0])",
                                 selector):
            return driver.switch_to.active_element
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"{selector!r} not reached with {limit} presses of Tab")


def press_enter(driver: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(Keys.ENTER).perform()
