"""Screenshots of the served explorer in German and English (for docs/screenshots/), not a test.

Run: .venv/bin/python tests/explorer/screenshots.py docs/screenshots --suffix after

Loads every sample file (``data/sample/``) into a temporary store, starts ``impact explorer`` on a
free 127.0.0.1 port with the shipped catalog, and in headless Chromium chooses the project
Smart Space Hardenbergplatz with two of its indicators (the rent level, a side effect with a crossed
tolerance, and the mobility providers, whose target was changed) and the breakdown by district;
then takes the page in German, switches to English and takes it again. The "before" pictures were
taken from version 0.1 (the explorer notebook in Voilà).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from explorer.browser import (  # noqa: E402 - the helpers of the browser tests
    ROOT,
    TODAY,
    _button,
    _choose,
    _click_option,
    chrome,
    expected,
    free_port,
    running,
    server_env,
    wait_until_drawn,
)
from impact.apps.explorer.app import Explorer  # noqa: E402
from impact.core.catalog import load_catalog  # noqa: E402

PROJECT = "hardenbergplatz"
INDICATORS = ("rent-pressure-hardenbergplatz", "mobility-hub-providers")


def _store(base: Path) -> Path:
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    catalog = load_catalog(ROOT / "indicators")
    store = Store(base / "store")
    for path in sorted((ROOT / "data" / "sample").glob("*")):
        if path.suffix.lower() in (".csv", ".xlsx"):
            ingest_file(path, store, catalog, today=dt.date.fromisoformat(TODAY))
    return store.path


def _shot(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole explorer: measured in a tall window, then the window is cut to its height."""
    driver.set_window_size(1100, 4000)
    time.sleep(1)
    height = driver.execute_script("const el = document.querySelector('.impact-explorer');"
                                   "return el.getBoundingClientRect().top + window.scrollY + el.scrollHeight"
                                   " + (window.outerHeight - window.innerHeight);")
    driver.set_window_size(1100, min(max(int(height) + 30, 600), 4000))
    time.sleep(1)
    driver.save_screenshot(str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--suffix", default="after")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="impact-shots-"))
    store = _store(base)
    day = dt.date.fromisoformat(TODAY)
    twin = Explorer(load_catalog(ROOT / "indicators"), store=store, lang="de", as_of=day, today=day)
    port = free_port()
    argv = [str(Path(sys.executable).with_name("impact")), "explorer", "--port", str(port), "--store", str(store)]
    url = f"http://127.0.0.1:{port}/"
    try:
        with running(argv, url + "voila/static/probe", base / "server.log", server_env(store), base):
            driver = chrome(1100, 2000)
            try:
                driver.get(url)
                wait_until_drawn(driver, expected(twin), 240)
                steps = [(twin.projects, PROJECT, lambda e: setattr(e.projects, "value", (PROJECT,)), _click_option),
                         (twin.indicators, INDICATORS[0],
                          lambda e: setattr(e.indicators, "value", INDICATORS[:1]), _click_option),
                         (twin.indicators, INDICATORS[1], lambda e: setattr(e.indicators, "value", INDICATORS),
                          lambda d, desc, label: _click_option(d, desc, label, add=True)),
                         (twin.breakdown, "district", lambda e: setattr(e.breakdown, "value", "district"), _choose)]
                for widget, value, in_twin, in_page in steps:
                    label = next(text for text, v in widget.options if v == value)
                    in_page(driver, str(widget.description), label)
                    in_twin(twin)
                    left = wait_until_drawn(driver, expected(twin), 60)[0]
                    assert not left, left
                _shot(driver, args.out / f"explorer-{args.suffix}-de.png")
                _button(driver, next(text for text, v in twin.language.options if v == "en"))
                twin.language.value = "en"
                left = wait_until_drawn(driver, expected(twin), 60)[0]
                assert not left, left
                _shot(driver, args.out / f"explorer-{args.suffix}-en.png")
            finally:
                driver.quit()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
