"""Accessibility of the portal in real Chromium: axe-core's WCAG 2.1 A/AA rules find no serious or
critical violation, and a team can sign in, upload and submit with the keyboard alone."""

from __future__ import annotations

import pytest

from impact.store.store import Store

from . import browser as b

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fresh(driver, url: str) -> None:
    driver.get(url + "login")
    driver.delete_all_cookies()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_sign_in_page_passes_axe(driver, running_portal, lang: str) -> None:
    _fresh(driver, running_portal.url)
    driver.get(running_portal.url + f"login?lang={lang}")
    b.clickable(driver, "input#token")
    assert b.axe_violations(driver) == []
    b.sign_in(driver, running_portal.url, "x" * 43, lang)  # with an error message shown
    b.clickable(driver, "input#token")
    assert b.axe_violations(driver) == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_app_passes_axe(driver, running_portal, lang: str) -> None:
    _fresh(driver, running_portal.url)
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"], lang)
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.clickable(driver, "button.impact-upload")
    assert b.axe_violations(driver) == []
    b.upload(driver, str(running_portal.files / "invalid.csv"))  # the problem table
    b.css(driver, ".impact-problems")
    assert b.axe_violations(driver) == []
    b.wait_until(driver, lambda d: d.execute_script("return document.documentElement.lang") == lang)


def test_keyboard_only_sign_in_upload_submit(driver, running_portal, tmp_path) -> None:
    """Sign in, switch the language, choose a file and submit without a mouse."""
    data = tmp_path / "keyboard.csv"
    data.write_bytes(b"project_id,indicator_id,period,value\nkiezbox,test-outage-hours,2025-06,9\n")
    _fresh(driver, running_portal.url)
    driver.get(running_portal.url + "login")
    field = b.clickable(driver, "input#token")
    assert driver.switch_to.active_element == field  # the field has the focus from the start
    field.send_keys("wrong-token-" + "x" * 40)
    b.press_enter(driver)
    b.wait_text(driver, "main", "ungültig")
    field = b.tab_to(driver, "input#token")
    field.send_keys(running_portal.raw["kiezbox"])
    b.press_enter(driver)
    b.wait_text(driver, ".impact-header", "kiezbox")
    b.clickable(driver, "button.impact-upload")
    b.tab_to(driver, ".impact-lang button:nth-of-type(2)")  # "English"
    b.press_enter(driver)
    b.wait_text(driver, ".impact-header", "Signed in")
    driver.execute_script(b.EXPOSE_FILE_INPUT)
    b.tab_to(driver, "button.impact-upload")
    b.press_enter(driver)  # opens the file dialog (here: the exposed input)
    b.css(driver, "input.impact-test-file-input").send_keys(str(data))
    b.wait_text(driver, ".impact-validation", "It can be submitted")
    b.wait_until(driver, lambda d: d.find_element("css selector", "button.impact-submit").is_enabled())
    b.tab_to(driver, "button.impact-submit")
    b.press_enter(driver)
    b.wait_text(driver, ".impact-receipt", "Submitted and stored.")
    assert "2025-06" in set(Store(running_portal.store_dir).values()["period"])
    b.tab_to(driver, ".impact-header a[href^='logout']")
    b.press_enter(driver)
    b.wait_text(driver, "main", "signed out")
