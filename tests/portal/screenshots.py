"""Screenshots of the portal in German and English (for docs/screenshots/), not a test.

Run: .venv/bin/python tests/portal/screenshots.py docs/screenshots --suffix after

Starts ``impact portal`` on a free 127.0.0.1 port with the shipped catalog, a temporary store and a
token for ``kiezbox`` and one question of the evaluation unit (``impact review query``), then in
headless Chromium for each language: the sign-in page, the page after signing in (with the
question), and after uploading a file with two errors (PNGs of some 30–80 KB). The "before"
pictures in docs/screenshots/ were taken with the first version of this script (the token field was
then part of the app page).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser as b  # noqa: E402 - the helpers of the browser tests

from conftest import start_portal, stop_portal  # noqa: E402
from impact.apps.portal.tokens import TokenStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BAD_FILE = ("Projekt;Indikator;Zeitraum;Wert\n"
            "kiezbox;open-outputs-share;2024;60,1\n"
            "kiezbox;open-outputs-share;2025;viel\n"
            "kiezbox;unbekannt;2025;3\n")


def _shot(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole page: measured in a tall window, then the window is cut to the content's height."""
    driver.set_window_size(1000, 2400)
    time.sleep(0.5)
    height = driver.execute_script(
        "const el = document.querySelector('.impact-portal') || document.querySelector('main');"
        "return el.getBoundingClientRect().top + window.scrollY + el.scrollHeight"
        " + (window.outerHeight - window.innerHeight);")  # the window's own frame
    driver.set_window_size(1000, min(max(int(height) + 30, 400), 2400))
    time.sleep(0.5)
    driver.save_screenshot(str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--suffix", default="after")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="impact-shots-"))
    tokens = TokenStore(base / "tokens.json")
    raw = tokens.issue("kiezbox", today=dt.date(2026, 11, 21))[1]
    bad = base / "werte.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    good = base / "gut.csv"
    good.write_text("Projekt;Indikator;Zeitraum;Wert\nkiezbox;open-outputs-share;2024;60,1\n", encoding="utf-8")
    env = {**os.environ, "IMPACT_TODAY": "2026-11-21", "IMPACT_CATALOG": str(ROOT / "indicators")}
    store = ["--store", str(base / "store")]
    subprocess.run([sys.executable, "-m", "impact.cli", "ingest", str(good), *store], env=env, check=True)
    subprocess.run([sys.executable, "-m", "impact.cli", "review", "query", "--project", "kiezbox", "--indicator",
                    "open-outputs-share", "--period", "2024", "--by", "evaluation", *store, "--text",
                    "60,1 % – ist das der Anteil aller Veröffentlichungen oder nur der Berichte?"], env=env, check=True)
    proc, url, _log = start_portal(base, ROOT / "indicators", tokens)
    try:
        for lang in ("de", "en"):
            driver = b.make_driver(1000, 900)
            try:
                driver.get(url + f"login?lang={lang}")
                b.clickable(driver, "input#token")
                _shot(driver, args.out / f"portal-{lang}-start-{args.suffix}.png")
                b.sign_in(driver, url, raw, lang)
                b.wait_text(driver, ".impact-header", "kiezbox")
                b.css(driver, ".impact-query")
                _shot(driver, args.out / f"portal-{lang}-queries-{args.suffix}.png")
                b.upload(driver, str(bad))
                b.wait_text(driver, ".impact-validation", "Fehler" if lang == "de" else "error")
                _shot(driver, args.out / f"portal-{lang}-problems-{args.suffix}.png")
            finally:
                driver.quit()
    finally:
        stop_portal(proc)
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
