"""Driving the explorer in headless Chromium and comparing what the page draws with the kernel.

Used by the browser tests for the served explorer (``impact explorer``, Voilà) and for JupyterLab.
``SEQUENCE`` is the fixed list of actions; each action knows how to do it in the page and in an
in-process :class:`~impact.apps.explorer.app.Explorer` (the kernel's twin: same store, catalog,
dates and code, so it computes the figures the kernel computes). After every action
:func:`wait_until_drawn` polls the page until every chart shows the twin's figure — traces
(names, x, y, as plotly drew them), number of drawn SVG traces, title text and note — or reports
the difference it last saw.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact.apps.explorer.app import Explorer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TODAY = "2026-11-21"
SLOTS = ("score", "series", "breakdown")

READ_CHARTS = """
const out = {};
for (const slot of arguments[0]) {
  const box = document.querySelector('.impact-chart-' + slot);
  if (!box) { out[slot] = null; continue; }
  const gd = box.querySelector('.js-plotly-plot');
  const note = box.querySelector('.impact-note');
  const svg = gd && gd.querySelector('svg.main-svg');
  const shown = !!(gd && gd.data && svg && gd.offsetParent !== null && svg.getBoundingClientRect().height > 0);
  out[slot] = {
    note: note ? note.textContent : '',
    drawn: shown,
    title: shown ? ((gd.querySelector('.gtitle') || {}).textContent || '') : '',
    svg: shown ? gd.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length : 0,
    traces: shown ? gd.data.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])})) : [],
  };
}
return out;
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chrome(width: int = 1400, height: int = 1600, *, performance_log: bool = False) -> Any:
    """A headless Chromium driver (Selenium) with the browser console log kept (and the network
    events, with ``performance_log``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if performance_log else {})})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(120)
    return driver


@contextlib.contextmanager
def running(argv: list[str], url: str, log: Path, env: dict[str, str], cwd: Path,
            ready: Callable[[], bool] | None = None, timeout: float = 180) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; wait until ``url`` answers (any HTTP status)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=10)  # noqa: S310 (local)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start:\n" + log.read_text(errors="replace")) from None
                time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def server_env(store: Path, **extra: str) -> dict[str, str]:
    """The environment of a served explorer: the test store, the pinned day, German first."""
    return {**os.environ, "IMPACT_STORE": str(store), "IMPACT_CATALOG": str(ROOT / "indicators"),
            "IMPACT_TODAY": TODAY, "IMPACT_LANG": "de", **extra}


# --------------------------------------------------------------------------- the expected state
def expected(ex: Explorer) -> dict[str, Any]:
    """What the page must show for ``ex`` (the kernel's twin), in the shape of ``READ_CHARTS``."""
    out = {}
    for slot in SLOTS:
        view = getattr(ex, f"{slot}_view")
        spec = view.chart.spec
        note = html.unescape(_text(view.note.value))
        if spec is None:
            out[slot] = {"note": note, "drawn": False, "title": "", "svg": 0, "traces": []}
            continue
        traces = [{"name": t.get("name"), "x": list(t.get("x", [])), "y": list(t.get("y", []))} for t in spec["data"]]
        title = html.unescape(spec["layout"]["title"]["text"])
        out[slot] = {"note": note, "drawn": True, "title": title, "svg": len(traces), "traces": traces}
    return out


def _text(markup: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", markup)


def differences(page: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Where the page differs from the expected state (empty when it shows exactly that)."""
    diffs = []
    for slot in SLOTS:
        got, exp = page.get(slot), want[slot]
        if got is None:
            diffs.append(f"{slot}: not on the page")
            continue
        for key in ("drawn", "note", "title", "svg"):
            if got[key] != exp[key]:
                diffs.append(f"{slot}.{key}: page {got[key]!r} != kernel {exp[key]!r}")
        if got["traces"] != exp["traces"]:
            names = ([t["name"] for t in got["traces"]], [t["name"] for t in exp["traces"]])
            diffs.append(f"{slot}.traces differ (page/kernel names: {names[0]} / {names[1]})")
    return diffs


def wait_until_drawn(driver: Any, want: dict[str, Any], timeout: float) -> tuple[list[str], float]:
    """Poll the page until it shows ``want``; returns (differences left, seconds waited)."""
    start = time.monotonic()
    diffs = ["not read yet"]
    while time.monotonic() - start < timeout:
        try:
            diffs = differences(driver.execute_script(READ_CHARTS, list(SLOTS)), want)
        except Exception as exc:  # noqa: BLE001 - a node replaced while reading: read again
            diffs = [f"read failed: {type(exc).__name__}"]
        if not diffs:
            break
        time.sleep(0.1)
    return diffs, time.monotonic() - start


# --------------------------------------------------------------------------- actions
@dataclass(frozen=True)
class Action:
    """One step of the fixed sequence. ``target(ex)`` names, from the kernel's twin before the step,
    the control's description and the option to pick as the page shows them; ``page(driver,
    description, label)`` does it in the browser; ``twin(ex)`` does it in the twin."""

    name: str
    target: Callable[[Explorer], tuple[str, str]]
    page: Callable[[Any, str, str], None]
    twin: Callable[[Explorer], None]


def _option_label(widget: Any, value: str) -> str:
    return next(label for label, v in widget.options if v == value)


def _click_option(driver: Any, description: str, label: str, add: bool = False) -> None:
    """Click an option of the list labelled ``description`` (Ctrl+click adds it to the selection)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    select = _control(driver, description, "select")
    options = select.find_elements(By.TAG_NAME, "option")
    # ipywidgets writes the spaces of option labels as no-break spaces
    option = next(o for o in options if (o.get_attribute("textContent") or "").replace("\xa0", " ").strip() == label)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", option)
    # a pointer click, as a person does (WebDriver's element click toggles options of a multi-select)
    if add:
        ActionChains(driver).key_down(Keys.CONTROL).move_to_element(option).click().key_up(Keys.CONTROL).perform()
    else:
        ActionChains(driver).move_to_element(option).click().perform()


def _choose(driver: Any, description: str, label: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(_control(driver, description, "select")).select_by_visible_text(label)


def _control(driver: Any, description: str, tag: str) -> Any:
    """The form element of the ipywidget whose description is ``description``."""
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, ".widget-inline-hbox, .widget-box, .widget-select-multiple"):
        labels = box.find_elements(By.CSS_SELECTOR, ":scope > label, :scope > .widget-label")
        if labels and labels[0].text.strip() == description:
            found = box.find_elements(By.TAG_NAME, tag)
            if found:
                return found[0]
    page = driver.find_element(By.TAG_NAME, "body").text.strip().replace("\n", " | ")[:300]
    raise AssertionError(f"no control labelled {description!r}; the page shows: {page!r}")


def _button(driver: Any, label: str) -> None:
    from selenium.webdriver.common.by import By

    button = next(b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == label)
    button.click()


def _set_date(driver: Any, description: str, day: dt.date) -> None:
    field = _control(driver, description, "input")
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", field, day.isoformat())


PROJECT = "kiezbox"
FIRST = "kiezboxes-deployed"
AS_OF = dt.date(2025, 12, 31)


def _projects(ex: Explorer) -> None:
    ex.projects.value = (PROJECT,)


def _first(ex: Explorer) -> None:
    ex.indicators.value = (FIRST,)


def _district(ex: Explorer) -> None:
    ex.breakdown.value = "district"


def _english(ex: Explorer) -> None:
    ex.language.value = "en"


def _as_of(ex: Explorer) -> None:
    ex.as_of.value = AS_OF


def _resilient(ex: Explorer) -> None:
    ex.guiding_idea.value = "resilient"


def _target(control: str, value: str) -> Callable[[Explorer], tuple[str, str]]:
    def target(ex: Explorer) -> tuple[str, str]:
        widget = getattr(ex, control)
        return str(widget.description), _option_label(widget, value)
    return target


SEQUENCE = (
    Action("project", _target("projects", PROJECT), _click_option, _projects),
    Action("indicator", _target("indicators", FIRST), _click_option, _first),
    Action("breakdown", _target("breakdown", "district"), _choose, _district),
    Action("language", _target("language", "en"), lambda d, _description, label: _button(d, label), _english),
    Action("as-of", lambda ex: (str(ex.as_of.description), AS_OF.isoformat()),
           lambda d, description, label: _set_date(d, description, dt.date.fromisoformat(label)), _as_of),
    Action("drill-down", _target("guiding_idea", "resilient"), _choose, _resilient),
)


@dataclass(frozen=True)
class Plan:
    """What to do and what to see: the expected page after loading (``states[0]``) and after each
    action (``states[i + 1]``), and the control and option each action uses (``targets[i]``)."""

    states: list[dict[str, Any]]
    targets: list[tuple[str, str]]


def plan(make: Callable[[], Explorer]) -> Plan:
    """Run :data:`SEQUENCE` on a fresh twin from ``make()``."""
    ex = make()
    states, targets = [expected(ex)], []
    for action in SEQUENCE:
        targets.append(action.target(ex))
        action.twin(ex)
        states.append(expected(ex))
    return Plan(states, targets)


def run_sequence(driver: Any, steps: Plan, timeout: float, times: dict[str, list[float]] | None = None) -> list[str]:
    """Do :data:`SEQUENCE` in the loaded page, checking the page after loading and after every
    action; returns one line per mismatch (empty when the page always showed the kernel's state).
    ``times`` collects the seconds each step took until the page showed the kernel's state."""
    problems = []
    diffs, waited = wait_until_drawn(driver, steps.states[0], timeout * 4)
    problems += [f"after loading: {d}" for d in diffs]
    if times is not None:
        times.setdefault("loading", []).append(waited)
    for n, action in enumerate(SEQUENCE):
        description, label = steps.targets[n]
        action.page(driver, description, label)
        diffs, waited = wait_until_drawn(driver, steps.states[n + 1], timeout)
        problems += [f"after {action.name}: {d}" for d in diffs]
        if times is not None:
            times.setdefault(action.name, []).append(waited)
    return problems
