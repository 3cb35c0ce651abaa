"""The query round trip of issue 13 in real processes and real headless Chromium: the evaluation
unit asks with ``impact review query``, the team signs in and sees the questions in the portal,
answers one by uploading a corrected file and one in text, and ``impact review list --format json``
shows both as answered."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from . import browser as b
from .conftest import TODAY_ENV

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def impact(running_portal, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``impact`` command as a separate process on the portal's store and catalog."""
    env = {**os.environ, "IMPACT_TODAY": TODAY_ENV, "IMPACT_LANG": "de",
           "IMPACT_CATALOG": str(running_portal.store_dir.parent / "catalog")}
    return subprocess.run([sys.executable, "-m", "impact.cli", *args, "--store", str(running_portal.store_dir)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def ask(running_portal, period: str, text: str) -> str:
    done = impact(running_portal, "review", "query", "--project", "kiezbox", "--indicator", "test-outage-hours",
                  "--period", period, "--text", text, "--by", "eva", "--format", "json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["id"])


def test_query_round_trip(driver, running_portal, tmp_path) -> None:
    base = tmp_path / "stunden.csv"
    base.write_bytes(b"project_id,indicator_id,period,value\n"
                     b"kiezbox,test-outage-hours,2025-10,10\nkiezbox,test-outage-hours,2025-11,11\n")
    done = impact(running_portal, "ingest", str(base))
    assert done.returncode == 0, done.stdout + done.stderr
    by_file = ask(running_portal, "2025-10", "10 Ausfallstunden im Oktober? Bitte prüfen.")
    by_text = ask(running_portal, "2025-11", "Gab es im November <b>Wartung</b>?")
    # the team signs in and sees both questions, with what they are about
    driver.get(running_portal.url + "login")
    driver.delete_all_cookies()
    b.sign_in(driver, running_portal.url, running_portal.raw["kiezbox"])
    first = b.wait_text(driver, f".impact-query[data-query-id='{by_file}']", "10 Ausfallstunden im Oktober?")
    for part in ("Ausfallstunden (test-outage-hours)", "2025-10", "10 h", "21.11.2026", "offen"):
        assert part in first, (part, first)
    second = b.wait_text(driver, f".impact-query[data-query-id='{by_text}']", "Gab es im November <b>Wartung</b>?")
    assert "11 h" in second
    assert b.axe_violations(driver) == []  # the questions panel is accessible too
    # a reply in text to the second question
    boxes = driver.find_elements("css selector", ".impact-reply textarea")
    assert len(boxes) == 2
    boxes[1].send_keys("Ja, vom 3. bis 5. November.")
    # ipywidgets sends typed text as state updates, which it holds back while the kernel is busy,
    # but a click at once: give the text a moment to arrive first (a person takes longer anyway)
    time.sleep(1)
    driver.find_elements("css selector", "button.impact-reply-send")[1].click()
    b.wait_text(driver, ".impact-queries", "an die Evaluationsstelle gesendet")
    # a corrected file answers the first question
    correction = tmp_path / "korrektur.csv"
    correction.write_bytes(b"project_id,indicator_id,period,value\nkiezbox,test-outage-hours,2025-10,11\n")
    b.upload(driver, str(correction))
    b.wait_text(driver, ".impact-validation", "Sie kann eingereicht werden")
    b.clickable(driver, "button.impact-submit").click()
    b.wait_text(driver, ".impact-receipt", "Eingereicht und gespeichert.")
    answered = b.wait_text(driver, f".impact-query[data-query-id='{by_file}']", "durch die korrigierte Datei")
    assert "11 h" in answered and "beantwortet" in answered
    # the evaluation unit sees both answers
    done = impact(running_portal, "review", "list", "--project", "kiezbox", "--format", "json")
    assert done.returncode == 0, done.stderr
    queries = {q["id"]: q for q in json.loads(done.stdout)["queries"]}
    kiezbox_id = next(r.id for r in running_portal.tokens.records() if r.project == "kiezbox")
    sid = hashlib.sha256(correction.read_bytes()).hexdigest()
    assert queries[by_file]["state"] == "answered"
    assert [a["submission_id"] for a in queries[by_file]["answers"]] == [sid]
    assert queries[by_text]["state"] == "answered"
    assert [(a["text"], a["by"]) for a in queries[by_text]["answers"]] == [("Ja, vom 3. bis 5. November.", kiezbox_id)]
    done = impact(running_portal, "review", "list", "--project", "kiezbox")  # and in the text output
    assert "Ja, vom 3. bis 5. November." in done.stdout, done.stdout
