"""Side effects and trade-offs, target changes, milestones and references in the reports.

The sections are called in-process on the sample data (their HTML captured instead of displayed),
and a changed target is checked end to end with real report runs.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from impact.core.catalog import Catalog
from impact.reports import markup
from impact.reports.context import ReportContext, evaluate_store

from .conftest import run_impact
from .helpers import kiezbox_store

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def sample_context(sample_store: Path, catalog: Catalog) -> ReportContext:
    evaluation, _hash = evaluate_store(catalog, sample_store, AS_OF)
    return ReportContext(catalog, evaluation, AS_OF, "de")


@pytest.fixture()
def shown(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """What the sections display: HTML strings and charts, in order."""
    out: list[Any] = []
    monkeypatch.setattr(markup, "show", out.append)
    monkeypatch.setattr(markup, "show_chart", lambda chart, lang: out.append(chart))
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: out.append(a))
    yield out


def _html(items: list[Any]) -> str:
    return "".join(i for i in items if isinstance(i, str))


def _charts(items: list[Any]) -> list[Any]:
    return [i for i in items if hasattr(i, "figure")]


@pytest.mark.parametrize("project", ["hardenbergplatz", "data-governance", "smart-water", "kiezbox",
                                     "smarte-partizipation"])
def test_each_project_report_shows_its_side_effects(sample_context: ReportContext, shown: list[Any],
                                                     project: str) -> None:
    """On the sample data every pilot has a side effect with its tolerance and a trade-off pair:
    the section shows them with real values, not only the headings."""
    from impact.reports.sections import project_side_effects

    project_side_effects(sample_context, project)
    page = _html(shown)
    assert "Nebenwirkungen und Zielkonflikte" in page and "Zieländerungen" in page
    assert "Hier ist kein Indikator für eine unbeabsichtigte Wirkung zugeordnet." not in page
    assert re.search(r"innerhalb der Toleranz|Toleranzgrenze überschritten", page)
    assert "Hier ist kein Zielkonflikt-Paar hinterlegt." not in page and "↔" in page
    charts = _charts(shown)
    assert any(t.name == "Toleranzgrenze" for c in charts for t in c.figure.data), "the tolerance line is drawn"
    assert any(c.title.startswith("Zielkonflikt:") and len(c.figure.data) == 2 for c in charts), "pair side by side"


def test_a_crossed_tolerance_and_a_diverging_pair_are_said_plainly(sample_context: ReportContext,
                                                                   shown: list[Any]) -> None:
    from impact.reports.sections import project_side_effects

    ev = sample_context.evaluation
    crossed = ev.indicators[ev.indicators["tolerance_status"] == "crossed"]
    assert len(crossed), "the sample data cross a tolerance at least once"
    project_side_effects(sample_context, crossed.iloc[0]["project_id"])
    assert "⚠ Toleranzgrenze überschritten" in _html(shown)
    diverging = ev.tradeoffs[ev.tradeoffs["diverging"]]
    if len(diverging):
        shown.clear()
        project_side_effects(sample_context, diverging.iloc[0]["project_id"])
        assert "Der Zielkonflikt wird sichtbar." in _html(shown)


def test_charts_mark_milestones_and_target_changes(sample_context: ReportContext, shown: list[Any]) -> None:
    from impact.reports.indicator_block import indicator_block

    catalog = sample_context.catalog
    changed = [(pid, ind) for ind in catalog.indicators.values() for pid, t in ind.targets.items() if t.history]
    assert changed, "the shipped catalog records a target change"
    pid, ind = changed[0]
    indicator_block(sample_context, pid, ind.id)
    chart = _charts(shown)[0]
    names = {t.name for t in chart.figure.data}
    assert {"Zielpfad", "Meilenstein", "Zielpfad vor der Änderung"} <= names
    assert any(a.text == "Ziel geändert" for a in chart.figure.layout.annotations)
    target = ind.targets[pid]
    assert str(target.valid_from) in {str(s.x0)[:10] for s in chart.figure.layout.shapes}
    table = chart.table
    assert (table["Zeitraum"] == "Meilenstein").sum() == len(target.milestones)
    assert "Ursprüngliches Ziel" in _html(shown), "progress against the original target beside the current one"


def test_portfolio_lists_the_references_it_touches(sample_context: ReportContext, shown: list[Any]) -> None:
    from impact.reports.sections import portfolio_references

    portfolio_references(sample_context)
    page = _html(shown)
    sdgs = sorted({ref for ind in sample_context.catalog.indicators.values()
                   for ref in (ind.references or {}).get("sdg", ())})
    assert sdgs, "the shipped catalog links indicators to SDG indicators"
    assert "UN-Nachhaltigkeitsziele (SDG-Indikatoren)" in page
    for ref in sdgs:
        assert f"<td>{ref}</td>" in page


def test_group_reports_have_the_section(sample_context: ReportContext, shown: list[Any]) -> None:
    from impact.reports.sections import group_side_effects

    group_side_effects(sample_context, "guiding_idea", "nachhaltig")
    page = _html(shown)
    assert "Nebenwirkungen und Zielkonflikte" in page and "Zieländerungen" in page
    group_side_effects(sample_context, "principle", "kreativ-mutig")
    assert _html(shown).count("Nebenwirkungen und Zielkonflikte") == 2


# --------------------------------------------------------------------------- a target changed with a reason

CHANGED = ("kiezbox: {baseline: 0, baseline_date: 2022-01-01, target: 600, target_date: 2025-12-31, "
           "valid_from: 2024-07-01, decided_by: Lenkungskreis Kiezbox, "
           "reason: {de: \"Weniger Boxen finanziert als geplant.\", en: \"Fewer boxes funded than planned.\"}, "
           "history: [{valid_from: 2022-01-01, target: 1000, target_date: 2025-12-31, decided_by: Projektleitung, "
           "reason: {de: \"Ziel bei Projektstart.\", en: \"Target at the project start.\"}}]}")
ORIGINAL = "kiezbox: {baseline: 0, baseline_date: 2022-01-01, target: 1000, target_date: 2025-12-31}"


def _progress(page: str, indicator: str) -> str:
    """The progress in the facts line of ``indicator``'s block."""
    block = page[page.index(f"<h3>{indicator}</h3>"):]
    found = re.search(r"<strong>Fortschritt:</strong> ([^<·]+?) ·", block)
    assert found, block[:800]
    return found.group(1)


@pytest.mark.slow
def test_a_changed_target_keeps_past_progress_and_lists_the_change(tmp_path: Path, min_catalog_dir: Path,
                                                                   min_catalog: Catalog,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_NOW", "2026-01-10T09:00:00+00:00")
    store = kiezbox_store(tmp_path, min_catalog)
    changed_dir = tmp_path / "changed"
    shutil.copytree(min_catalog_dir, changed_dir)
    yaml = (changed_dir / "indicators.yaml").read_text(encoding="utf-8")
    assert ORIGINAL in yaml
    (changed_dir / "indicators.yaml").write_text(yaml.replace(ORIGINAL, CHANGED, 1), encoding="utf-8")

    def report(catalog_dir: Path, as_of: str, name: str) -> str:
        out = tmp_path / name
        proc = run_impact("report", "--project", "kiezbox", "--as-of", as_of, "--known-at", "2026-01-10T10:00:00Z",
                          "--store", str(store.path), "--catalog", str(catalog_dir), "--out", str(out), "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
        return (out / "project-kiezbox.html").read_text(encoding="utf-8")

    before = report(min_catalog_dir, "2024-03-31", "before")
    after = report(changed_dir, "2024-03-31", "after")
    # a report for a reference date before the change judges against the target valid then
    assert _progress(after, "Nutzende (Anzahl)") == _progress(before, "Nutzende (Anzahl)")
    # the change is listed with its date, old and new target, reason and who decided
    changes = after[after.index('id="target-changes"'):]
    row = re.search(r"<tr><td>01\.07\.2024</td><td>Nutzende \(Anzahl\)</td>.*?</tr>", changes)
    assert row, changes[:1500]
    assert "1.000 (31.12.2025) → 600 (31.12.2025)" in row.group(0)
    assert "Weniger Boxen finanziert als geplant." in row.group(0) and "Lenkungskreis Kiezbox" in row.group(0)
    assert 'id="target-changes"' in before and "Kein Ziel wurde geändert." in before[before.index('id="target-changes"'):]
    # after the change: progress against the new target, the original one beside it
    later = report(changed_dir, "2025-06-30", "later")
    facts = later[later.index("<h3>Nutzende (Anzahl)</h3>"):][:3000]
    assert "<strong>Zielwert*:</strong> 600 (31.12.2025)" in facts
    assert re.search(r"<strong>Ursprüngliches Ziel:</strong> 1\.000 · Fortschritt \d+", facts), facts


def test_pair_series_table_joins_both_series() -> None:
    from impact.reports.series_figures import pair_series

    a = pd.DataFrame({"period": ["2024", "2025"], "period_start": [dt.date(2024, 1, 1), dt.date(2025, 1, 1)],
                      "value": [1.0, 2.0]})
    b = pd.DataFrame({"period": ["2025"], "period_start": [dt.date(2025, 1, 1)], "value": [9.0]})
    chart = pair_series(a, b, ("A", "B"), "A und B", "de")
    assert chart.table.columns.tolist() == ["Zeitraum", "A", "B"]
    assert chart.table["A"].tolist() == [1.0, 2.0] and pd.isna(chart.table["B"].iloc[0])
    assert [t.name for t in chart.figure.data] == ["A", "B"]
    assert [a.text for a in chart.figure.layout.annotations] == ["A", "B"]


# --------------------------------------------------------------------------- the executed reports (full run)

PROJECTS = ["hardenbergplatz", "data-governance", "smart-water", "kiezbox", "smarte-partizipation"]


def _section(page: str) -> str:
    """The side-effects section of a rendered report: from its heading to the next section heading."""
    start = page.index('id="side-effects"')
    end = page.find("<h2", start)
    return page[start:end if end > 0 else len(page)]


@pytest.mark.slow
@pytest.mark.parametrize("project", PROJECTS)
def test_every_executed_project_report_has_the_section_with_content(full_run: Any, project: str) -> None:
    """The real `impact report --all` run on the sample data: each project's HTML carries the section
    with a tolerance status, a trade-off pair with its two series, and the target-changes list."""
    page = (full_run.out / f"project-{project}.html").read_text(encoding="utf-8")
    section = _section(page)
    assert "Nebenwirkungen und Zielkonflikte" in section
    assert re.search(r"<td>(innerhalb der Toleranz|⚠ Toleranzgrenze überschritten)</td>", section), section[:2000]
    assert "↔" in section and "Zielkonflikt:" in section, "a trade-off pair with its chart"
    assert 'id="target-changes"' in page and "Zieländerungen" in page


@pytest.mark.slow
def test_a_crossed_tolerance_is_a_warning_in_the_executed_report(full_run: Any, catalog: Catalog) -> None:
    """The sample data cross a tolerance: that project's executed report warns, in the table and as text."""
    evaluation, _hash = evaluate_store(catalog, full_run.store, AS_OF)
    crossed = evaluation.indicators[evaluation.indicators["tolerance_status"] == "crossed"]
    assert len(crossed), "the sample data cross a tolerance at least once"
    for project in sorted(set(crossed["project_id"])):
        section = _section((full_run.out / f"project-{project}.html").read_text(encoding="utf-8"))
        assert "<td>⚠ Toleranzgrenze überschritten</td>" in section, project
        assert re.search(r'<p class="impact-warn">⚠ Toleranzgrenze überschritten: [^<]+ liegt bei [^<]+; '
                         r'Grenze: [^<]+\.</p>', section), section[:2000]
