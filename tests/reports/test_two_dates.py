"""Reference date and knowledge date: a report re-run with the two dates of its manifest shows
exactly the same numbers after a later correction; without them it shows the correction."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from impact.core.catalog import Catalog
from impact.store.ingest import ingest_file
from impact.store.store import Store

from .conftest import run_impact
from .helpers import submission_rows, write_csv
from .pseudo import visible_texts

pytestmark = pytest.mark.slow

FIRST, LATER = "2026-10-01T09:00:00+00:00", "2026-10-20T09:00:00+00:00"
_FIGURE = re.compile(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', re.S)


def _numbers(page: Path) -> dict[str, Any]:
    """What a reader sees: the text of every block and every chart's data and layout (the chart
    containers' random ids left out)."""
    text = page.read_text(encoding="utf-8")
    return {"text": visible_texts(text), "charts": [(json.loads(d), json.loads(lay)) for d, lay in _FIGURE.findall(text)]}


def test_rerun_with_the_manifests_dates_reproduces_the_report(tmp_path: Path, min_catalog_dir: Path,
                                                              min_catalog: Catalog,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "store")
    rows = submission_rows(min_catalog, "kiezbox")
    monkeypatch.setenv("IMPACT_NOW", FIRST)
    assert ingest_file(write_csv(tmp_path / "kiezbox.csv", rows), store, min_catalog).status == "accepted"
    common = ["--project", "kiezbox", "--as-of", "2026-09-30", "--store", str(store.path),
              "--catalog", str(min_catalog_dir), "--jobs", "1"]

    # the report "on the day": knowledge date now (the clock is pinned just after the receipt)
    proc = run_impact("report", *common, "--out", str(tmp_path / "then"), IMPACT_NOW="2026-10-05T08:00:00Z")
    assert proc.returncode == 0, proc.stderr
    then = json.loads((tmp_path / "then" / "manifest.json").read_text(encoding="utf-8"))
    assert then["as_of"] == "2026-09-30" and then["known_at"] == "2026-10-05T08:00:00Z"
    assert then["reports"][0]["parameters"]["known_at"] == then["known_at"]
    page = (tmp_path / "then" / "project-kiezbox.html").read_text(encoding="utf-8")
    assert "Stichtag: 30.09.2026 · Datenstand: 05.10.2026, 08:00:00 UTC" in page
    index = (tmp_path / "then" / "index.html").read_text(encoding="utf-8")
    assert "Stichtag: 30.09.2026 · Datenstand: 05.10.2026, 08:00:00 UTC" in index

    # later: a team corrects the latest value of every indicator of the report
    monkeypatch.setenv("IMPACT_NOW", LATER)
    latest = {r["indicator_id"]: r for r in rows}  # the last period of each indicator
    corrected = [dict(r, value=str(float(r["value"]) // 2 + 1)) for r in latest.values()]  # whole, in range
    res = ingest_file(write_csv(tmp_path / "korrektur.csv", corrected), store, min_catalog,
                      confirm_implausible=True)  # halved values: the plausibility rule flags them
    assert res.status == "accepted", res.report.to_text("en")

    # the audit: the same two dates give the same report, number for number
    proc = run_impact("report", *common, "--known-at", then["known_at"], "--out", str(tmp_path / "again"))
    assert proc.returncode == 0, proc.stderr
    again = json.loads((tmp_path / "again" / "manifest.json").read_text(encoding="utf-8"))
    assert again["known_at"] == then["known_at"] and again["store_hash"] == then["store_hash"]
    assert _numbers(tmp_path / "again" / "project-kiezbox.html") == _numbers(tmp_path / "then" / "project-kiezbox.html")

    # today's knowledge shows the correction (so the comparison above could have failed)
    proc = run_impact("report", *common, "--out", str(tmp_path / "now"), IMPACT_NOW="2026-10-21T08:00:00Z")
    assert proc.returncode == 0, proc.stderr
    now = json.loads((tmp_path / "now" / "manifest.json").read_text(encoding="utf-8"))
    assert now["known_at"] == "2026-10-21T08:00:00Z" and now["store_hash"] != then["store_hash"]
    assert _numbers(tmp_path / "now" / "project-kiezbox.html")["charts"] != _numbers(
        tmp_path / "then" / "project-kiezbox.html")["charts"]


def test_knowledge_now_never_hides_a_stored_submission(tmp_path: Path, min_catalog: Catalog,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With a pinned clock, receipts are stamped just after it (they are strictly increasing):
    "now" is then the newest receipt, so the default knowledge date counts everything stored."""
    import datetime as dt

    from impact.reports.context import knowledge_now

    store = Store(tmp_path / "store")
    monkeypatch.setenv("IMPACT_NOW", FIRST)
    for name in ("a.csv", "b.csv"):
        rows = submission_rows(min_catalog, "kiezbox", seed=len(name) + ord(name[0]))
        assert ingest_file(write_csv(tmp_path / name, rows), store, min_catalog).status == "accepted"
    clock = dt.datetime.fromisoformat(FIRST)
    newest = store.ledger()["received_at"].max()
    assert newest > clock
    assert knowledge_now(store.path, clock) == newest.to_pydatetime()
    assert knowledge_now(store.path, clock + dt.timedelta(days=1)) == clock + dt.timedelta(days=1)
    assert knowledge_now(tmp_path / "no-store", clock) == clock
