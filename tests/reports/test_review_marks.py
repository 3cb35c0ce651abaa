"""Quality, evidence and review state in the reports, and the publication set (issue 13).

The rendering is checked on frames shaped like ``Evaluation.series``; the publication set end to
end: ``impact report --approved-only`` on a real store (approvals through the store's review
methods), and the executed notebook's data checked for unapproved values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from impact.core.catalog import Catalog
from impact.reports.context import ReportContext, approved_values, evaluate_store
from impact.reports.review_marks import evidence_cell, review_summary, values_table

from .conftest import run_impact
from .helpers import kiezbox_store

AS_OF = dt.date(2026, 11, 21)


def _ctx(catalog: Catalog, series: pd.DataFrame, lang: str = "de") -> ReportContext:
    from types import SimpleNamespace

    return ReportContext(catalog, SimpleNamespace(series=series), AS_OF, lang)


def _series(indicator: str, rows: list[tuple[str, float, Any, Any, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{"project_id": "kiezbox", "indicator_id": indicator, "period": p,
                          "period_start": dt.date(int(p[:4]), 1, 1), "value": v, "submission_id": "s", "note": "",
                          "quality": q, "evidence": e, "review_state": r} for p, v, q, e, r in rows])


@pytest.mark.parametrize(("evidence", "link"), [
    ("https://daten.berlin.de/kiezbox?x=1&y=2", True),
    ("http://example.org/bericht.pdf", True),
    ("javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("Protokoll Lenkungskreis 2025-03, S. 4", False),
    ("ftp://example.org/x", False),
    ("https://example.org/a b", False),
])
def test_only_http_and_https_evidence_is_a_link(evidence: str, link: bool) -> None:
    cell = evidence_cell(evidence)
    from impact.reports.markup import Markup, table_html

    html = table_html([(cell,)], ["Nachweis"])
    assert isinstance(cell, Markup) is link
    assert ("<a href=" in html) is link
    assert "<script>" not in html and "javascript:alert(1)</a>" not in html
    if link:
        assert 'rel="noopener noreferrer nofollow"' in html
        assert "&amp;y=2" in html or "&" not in evidence


def test_evidence_link_text_is_escaped() -> None:
    cell = evidence_cell('https://example.org/"><script>alert(1)</script>')
    html = str(cell)
    assert "<script>" not in html and "&lt;script&gt;" in html and '&quot;' in html


def test_values_table_shows_quality_evidence_and_state_per_value(catalog: Catalog) -> None:
    ind = catalog.indicators_for("kiezbox")[0]
    series = _series(ind.id, [("2024", 1.5, "measured", "https://example.org/n", "approved"),
                              ("2025", 2.0, "estimated", "Protokoll 3/2025", "pending"),
                              ("2026", 3.0, None, None, "queried")])
    ctx = _ctx(catalog, series)
    html = values_table(ctx, "kiezbox", ind.id, series)
    rows = re.findall(r"<tr><td>(\d{4})</td><td class=\"num\">[^<]+</td><td>([^<]+)</td><td>(.*?)</td><td>([^<]+)</td></tr>",
                      html)
    default = {"measured": "gemessen", "counted": "gezählt", "surveyed": "erhoben", "estimated": "geschätzt",
               "proxy": "Näherung"}.get(ind.quality or "", "–")
    assert rows == [("2024", "gemessen", '<a href="https://example.org/n" rel="noopener noreferrer nofollow">'
                     "https://example.org/n</a>", "freigegeben"),
                    ("2025", "geschätzt", "Protokoll 3/2025", "ungeprüft"),
                    ("2026", default, "–", "offene Rückfrage")]
    assert "Werte mit Qualität, Nachweis und Prüfstatus" in html
    english = values_table(_ctx(catalog, series, "en"), "kiezbox", ind.id, series)
    assert "Values with quality, evidence and review state" in english and "open query" in english


def test_summary_gives_the_share_approved_and_per_grade(catalog: Catalog) -> None:
    ind = catalog.indicators_for("kiezbox")[0]
    series = _series(ind.id, [("2022", 1, "measured", None, "approved"), ("2023", 1, "measured", None, "approved"),
                              ("2024", 1, "counted", None, "queried"), ("2025", 1, "proxy", None, "pending")])
    de = review_summary(_ctx(catalog, series), series).replace("\u00a0", " ")
    assert "2 von 4 Werten freigegeben (50 %); 1 mit offener Rückfrage" in de
    assert "gemessen 50 %, gezählt 25 %, Näherung 25 %" in de
    en = review_summary(_ctx(catalog, series, "en"), series)
    assert "2 of 4 values approved (50%)" in en.replace("\u00a0", "").replace(" %", "%")
    assert "Prüfung: noch keine Werte." in review_summary(_ctx(catalog, series), series.iloc[0:0])


# --------------------------------------------------------------------------- the publication set, end to end

def _notebook_values(notebook: Path) -> tuple[set[str], set[float], list[tuple[str, str, str]]]:
    """From an executed report notebook: the periods and values of every "Wert" trace, and the
    (indicator, period, state) rows of every values table."""
    nb = nbformat.read(notebook, as_version=4)
    periods: set[str] = set()
    values: set[float] = set()
    rows: list[tuple[str, str, str]] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            fig = data.get("application/vnd.plotly.v1+json")
            if fig:
                for trace in fig.get("data", []):
                    if trace.get("name") == "Wert":
                        periods.update(trace.get("text") or [])
                        values.update(round(float(v), 6) for v in trace.get("y") or [] if v is not None)
            html = "".join(data.get("text/html", ""))
            for block in re.findall(r'<details class="impact-alt impact-review"[^>]*data-indicator="([^"]+)"[^>]*>(.*?)'
                                    r"</details>", html, re.S):
                for period, state in re.findall(r"<tr><td>([^<]+)</td>.*?<td>([^<]+)</td></tr>", block[1]):
                    rows.append((block[0], period, state))
    return periods, values, rows


@pytest.mark.slow
def test_approved_only_reports_contain_no_unapproved_value(tmp_path: Path, min_catalog_dir: Path,
                                                           min_catalog: Catalog,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_NOW", "2026-01-10T09:00:00+00:00")
    store = kiezbox_store(tmp_path, min_catalog)
    everything = store.values()
    approved_periods = {p for p in everything["period"].astype(str) if p.startswith("2024")}
    assert approved_periods
    for period in sorted(approved_periods):  # the store's review methods (docs/ARCHITECTURE.md)
        assert store.approve("kiezbox", period, by="Evaluation")
    assert len(everything[~everything["period"].astype(str).isin(approved_periods)]), "some values stay unapproved"

    out = tmp_path / "out"
    proc = run_impact("report", "--project", "kiezbox", "--approved-only", "--as-of", "2026-03-31",
                      "--store", str(store.path), "--catalog", str(min_catalog_dir), "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["approved_only"] is True
    for page in ("project-kiezbox.html", "index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert 'id="approved-only"' in text and "Veröffentlichungsstand" in text, page

    periods, values, rows = _notebook_values(out / "project-kiezbox.ipynb")
    approved = everything[everything["period"].astype(str).isin(approved_periods)]
    assert periods <= approved_periods, periods - approved_periods
    unapproved = {round(float(v), 6) for v in everything["value"]} - {round(float(v), 6) for v in approved["value"]}
    assert not values & unapproved, "an unapproved value reached the publication set"
    assert all(state == "freigegeben" for _i, _p, state in rows), rows
    assert {p for _i, p, _s in rows} <= approved_periods
    assert periods == approved_periods and rows, "the approved values are shown"
    summary = (out / "project-kiezbox.html").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert re.search(r"(\d+) von \1 Werten freigegeben \(100 %\)", summary)
    # the same store evaluated for everyone still has the unapproved values (the filter is what hides them)
    full, _h = evaluate_store(min_catalog, store.path, dt.date(2026, 3, 31))
    assert not set(full.series["period"]) <= approved_periods


def test_a_store_without_approvals_publishes_nothing(tmp_path: Path, min_catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_NOW", "2026-01-10T09:00:00+00:00")
    store = kiezbox_store(tmp_path, min_catalog)
    assert len(store.values()) and approved_values(store, None).empty
    assert set(store.values()["review_state"]) == {"pending"}
    evaluation, _h = evaluate_store(min_catalog, store.path, AS_OF, approved_only=True)
    assert evaluation.series.empty


def test_states_from_a_real_store_reach_the_values_table_and_summary(tmp_path: Path, min_catalog: Catalog,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Approve one period and query one value through the store; the report shows approved,
    open query and pending per value, and counts them in the summary."""
    monkeypatch.setenv("IMPACT_NOW", "2026-01-10T09:00:00+00:00")
    store = kiezbox_store(tmp_path, min_catalog)
    values = store.values()
    first = values.sort_values("period_start").iloc[0]
    indicator, periods = first["indicator_id"], sorted(set(values[values["indicator_id"] == first["indicator_id"]]
                                                           ["period"].astype(str)))
    assert len(periods) >= 3
    store.approve("kiezbox", periods[0], by="Evaluation", indicator=indicator)
    store.ask("kiezbox", indicator, periods[1], "Stimmt der Wert?", by="Evaluation")
    evaluation, _h = evaluate_store(min_catalog, store.path, AS_OF)
    ctx = ReportContext(min_catalog, evaluation, AS_OF, "de")
    s = evaluation.series[(evaluation.series["project_id"] == "kiezbox")
                          & (evaluation.series["indicator_id"] == indicator)]
    states = dict(re.findall(r"<tr><td>([^<]+)</td>.*?<td>([^<]+)</td></tr>", values_table(ctx, "kiezbox", indicator, s)))
    assert states[periods[0]] == "freigegeben" and states[periods[1]] == "offene Rückfrage"
    assert {states[p] for p in periods[2:]} == {"ungeprüft"}
    summary = review_summary(ctx, evaluation.series).replace("\u00a0", " ")
    assert re.search(rf"1 von {len(evaluation.series)} Werten freigegeben \(\d+ %\); 1 mit offener Rückfrage", summary)
