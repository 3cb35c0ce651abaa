"""The explorer driven headlessly: set widget values, assert on figures, page output, table and CSV."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from impact.apps.explorer.app import Explorer, ExplorerError, launch
from impact.apps.explorer.charts import MIME_TYPE

from .conftest import sid

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture()
def ex(min_catalog, values) -> Explorer:
    return Explorer(min_catalog, values=values, as_of=AS_OF, today=AS_OF)


def visible(fig) -> list:
    return [t for t in fig.data if t.visible]


def xs(trace) -> list[dt.date]:
    return [pd.Timestamp(x).date() for x in trace.x]


def values_trace(fig, label: str):
    matches = [t for t in visible(fig) if t.name == label]
    assert len(matches) == 1, [t.name for t in visible(fig)]
    return matches[0]


def page_figure(view) -> dict | None:
    """The figure the page is given: the single plotly output of the chart's Output widget."""
    outputs = view.output.outputs
    if not outputs:
        return None
    assert len(outputs) == 1 and view.output.layout.display != "none"
    return outputs[0]["data"][MIME_TYPE]


def test_starts_with_all_projects_and_first_indicator(ex, min_catalog):
    assert ex.message.value == ""
    assert ex.lang == "de"
    assert set(ex.projects.value) == set(min_catalog.projects)
    assert ex.indicators.value == ("test-users",)
    assert ex.score_fig.data[0].name == "Portfolio (alle Projekte)"
    assert "Kiezbox 2.0" in [t.name for t in ex.score_fig.data]  # short legend labels
    assert len(ex.score_fig.data) == 1 + len(min_catalog.projects)  # portfolio + every chosen project
    assert set(ex.table["indicator_id"]) == {"test-users"}
    assert set(ex.table["project_id"]) == {"kiezbox", "smart-water"}
    assert ex.n_evaluations == 1


def test_selecting_a_project_changes_score_bars_series_and_table(ex, min_catalog):
    water = min_catalog.projects["smart-water"].name.de
    assert len(ex.score_fig.data) == 1 + len(min_catalog.projects)
    ex.projects.value = ("smart-water",)
    assert len(ex.score_fig.data) == 2  # only what is chosen is drawn
    assert water in ex.score_fig.data[1].hovertemplate
    assert "Portfolio und 1 Projekt," in ex.score_fig.layout.title.text
    assert set(ex.table["project_id"]) == {"smart-water"}
    assert visible(ex.series_fig) and all(t.name.endswith("Smart Water · Nutzende") for t in visible(ex.series_fig))
    assert ex.n_evaluations == 1  # filters slice the cached evaluation


def test_score_bars_carry_scores_and_coverage_per_group(ex, min_catalog):
    water = next(t for t in ex.score_fig.data if t.name == "Smart Water")
    names = [e.name.de for e in min_catalog.guiding_ideas.values()]
    assert list(water.x) == names
    assert len(water.y) == len(names)
    assert np.isfinite(np.asarray(water.y, dtype=float)).any()
    assert all(re.fullmatch(r"\d+\s%|–", c[0]) for c in water.customdata)  # coverage in German notation
    ex.score_kind.value = "principle"
    water = next(t for t in ex.score_fig.data if t.name == "Smart Water")
    assert list(water.x) == [e.name.de for e in min_catalog.principles.values()]
    assert ex.score_fig.layout.title.text.startswith("Zielerreichung nach Prinzipien")


def test_choosing_a_guiding_idea_drills_down_to_its_indicators(ex, min_catalog):
    ex.guiding_idea.value = "gemeinwohlorientiert"
    assert ex.indicators.value == ("test-satisfaction", "test-open-share")
    opacity = list(ex.score_fig.data[0].marker.opacity)
    ideas = list(min_catalog.guiding_ideas)
    assert opacity[ideas.index("gemeinwohlorientiert")] == 1.0
    assert sorted(opacity)[0] < 1.0
    assert set(ex.table["indicator_id"]) == {"test-satisfaction", "test-open-share"}
    names = {t.name for t in visible(ex.series_fig)}
    assert any("Zufriedenheit" in n for n in names) and any("Anteil offener" in n for n in names)
    assert any(n.startswith("Zielpfad: ") for n in names)
    ex.guiding_idea.value = ""
    assert list(ex.score_fig.data[0].marker.opacity) == [1.0] * len(ideas)


def test_principle_filter_combines_with_project(ex):
    ex.principle.value = "offen-vertrauenswuerdig"
    assert ex.score_kind.value == "guiding_idea"  # the dropdown does not switch the view by itself
    assert ex.indicators.value == ("test-open-share",)
    ex.projects.value = ("kiezbox",)
    assert ex.indicators.options == ()
    assert ex.table.empty
    assert "Keine Werte" in ex.table_view.value
    assert not ex.series_view.drawn and "Kein Indikator gewählt" in ex.series_view.note.value


def test_drill_down_sets_view_and_filter(ex, min_catalog):
    ex.drill_down("principle", "menschenzentriert-systemisch")
    assert ex.score_kind.value == "principle" and ex.principle.value == "menschenzentriert-systemisch"
    assert ex.indicators.value == ("test-satisfaction",)
    ex.drill_down("perspective", "ermoeglichende-verwaltung")
    assert ex.score_kind.value == "perspective"
    assert ex.perspective.value == "ermoeglichende-verwaltung"
    assert ex.principle.value == ""  # a drill-down replaces the other group filters
    assert ex.indicators.value == ("test-open-share",)
    assert set(ex.table["indicator_id"]) == {"test-open-share"}
    with pytest.raises(ValueError, match="no-such-perspective"):
        ex.drill_down("perspective", "no-such-perspective")
    assert ex.perspective.value == "ermoeglichende-verwaltung"
    with pytest.raises(ValueError, match="kind"):
        ex.drill_down("district", "mitte")


def test_series_against_target_path(ex, min_catalog):
    ex.projects.value = ("kiezbox",)
    ex.indicators.value = ("test-users",)
    actual = values_trace(ex.series_fig, "Kiezbox 2.0 · Nutzende")
    assert xs(actual) == [dt.date(2024, 1, 1), dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1),
                          dt.date(2025, 1, 1), dt.date(2026, 4, 1)]
    assert list(actual.y) == [100, 200, 300, 400, 500, 900]
    assert list(actual.customdata)[-1][0] == sid("c")[:12]  # hover shows the id's start; the table has it all
    full = f"{min_catalog.projects['kiezbox'].name.de} – Nutzende (Anzahl)"
    assert full in actual.hovertemplate  # short legend label, full name on hover
    target = min_catalog.indicators["test-users"].targets["kiezbox"]
    line = values_trace(ex.series_fig, "Zielpfad: Kiezbox 2.0 · Nutzende")
    assert xs(line)[0] == target.baseline_date and xs(line)[-1] == target.target_date
    assert line.y[0] == pytest.approx(target.baseline) and line.y[-1] == pytest.approx(target.target)
    assert line.line.dash == "dash" and line.line.color == actual.line.color
    assert ex.series_fig.layout.title.text == "Zeitreihen gegen den Zielpfad – 1 Reihe"
    assert ex.series_fig.layout.yaxis.title.text == "Anzahl"


def test_time_range_filters_series_x_values(ex):
    ex.projects.value = ("kiezbox",)
    ex.time_range.value = (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    actual = next(t for t in visible(ex.series_fig) if not t.name.startswith("Zielpfad"))
    assert xs(actual) == [dt.date(2024, 4, 1), dt.date(2024, 7, 1)]
    line = next(t for t in visible(ex.series_fig) if t.name.startswith("Zielpfad"))
    assert xs(line) == [dt.date(2024, 4, 1), dt.date(2024, 9, 30)]
    assert ex.table["period"].tolist() == ["2024-Q2", "2024-Q3"]


def test_one_axis_per_unit_and_distinguishable_lines(ex, min_catalog):
    ex.projects.value = ("kiezbox", "smart-water")
    ex.indicators.value = ("test-users", "test-outage-hours", "test-satisfaction", "test-open-share")
    fig = ex.series_fig
    values = [t for t in visible(fig) if not t.name.startswith("Zielpfad")]
    assert len(values) == 5
    axis_units: dict[str, set[str]] = {}
    for t in values:
        unit = re.search(r"\(([^()]*)\)</b>", t.hovertemplate).group(1)
        axis_units.setdefault(t.yaxis or "y", set()).add(unit)
    assert all(len(units) == 1 for units in axis_units.values())  # never two units on one axis
    assert len(axis_units) == 4
    for axis, units in axis_units.items():
        layout_axis = fig.layout["yaxis" + axis[1:]]
        assert layout_axis.title.text == next(iter(units))
    styles = [(t.line.color, t.marker.symbol) for t in values]
    assert len(set(styles)) == len(styles)
    assert all(len(t.name) <= 64 for t in visible(fig))
    assert "5 Reihen" in fig.layout.title.text


def test_the_title_counts_what_is_drawn(min_catalog, values):
    from impact.apps.explorer import figures

    ex = Explorer(min_catalog, values=values, as_of=AS_OF, today=AS_OF)
    old = figures.MAX_SERIES
    figures.MAX_SERIES = 2
    try:
        ex.indicators.value = ("test-users", "test-outage-hours", "test-satisfaction", "test-open-share")
    finally:
        figures.MAX_SERIES = old
    drawn = [t for t in visible(ex.series_fig) if not t.name.startswith("Zielpfad")]
    assert len(drawn) == 2
    assert "2 von 5 Reihen" in ex.series_fig.layout.title.text


def test_breakdown_shows_panels_per_series_and_one_legend_entry_per_group(ex):
    assert not ex.breakdown_view.drawn
    assert "Keine Aufschlüsselung gewählt" in ex.breakdown_view.note.value
    ex.projects.value = ("kiezbox",)
    ex.breakdown.value = "district"
    lines = visible(ex.breakdown_fig)
    assert sorted(t.name for t in lines) == ["Mitte", "Pankow"]
    mitte = next(t for t in lines if t.name == "Mitte")
    assert xs(mitte) == [dt.date(2024, 10, 1), dt.date(2025, 1, 1), dt.date(2026, 4, 1)]
    assert list(mitte.y) == [150, 320, 600]
    rows = ex.table[ex.table["breakdown"] == "district"]
    assert sorted(rows["breakdown_value"].unique()) == ["mitte", "pankow"]
    assert ex.breakdown_fig.layout.title.text == "Werte nach Bezirk – 1 Reihe, 2 Ausprägungen"
    ex.projects.value = ("kiezbox", "smart-water")
    ex.breakdown.value = ""
    assert not ex.breakdown_view.drawn and page_figure(ex.breakdown_view) is None
    assert (ex.table["breakdown"] == "").all()


def test_breakdown_empty_states_say_what_is_missing(ex):
    ex.indicators.value = ("test-outage-hours",)
    ex.breakdown.value = "district"
    assert not ex.breakdown_view.drawn
    note = ex.breakdown_view.note.value
    assert "Keiner der gewählten Indikatoren wird nach Bezirk aufgeschlüsselt" in note and "Nutzende" in note
    ex.indicators.value = ("test-users",)
    ex.time_range.value = (dt.date(2022, 1, 1), dt.date(2022, 12, 1))
    assert not ex.breakdown_view.drawn
    assert "keine Werte nach Bezirk" in ex.breakdown_view.note.value
    assert not ex.series_view.drawn and "keine Werte vor" in ex.series_view.note.value


def test_knowledge_date_hides_later_submissions_and_evaluations_are_cached(ex):
    assert sid("c") in set(ex.table["submission_id"])
    assert ex.known_at.value is None  # everything received
    ex.known_at.value = dt.date(2025, 3, 1)
    assert ex.n_evaluations == 2
    assert set(ex.table["submission_id"]) == {sid("a")}
    assert "Stichtag 21.11.2026, Datenstand 01.03.2025" in ex.score_fig.layout.title.text
    ex.projects.value = ("kiezbox",)
    ex.breakdown.value = "district"
    assert ex.n_evaluations == 2
    ex.known_at.value = None
    assert ex.n_evaluations == 2  # cached
    assert sid("c") in set(ex.table["submission_id"])


def test_reference_date_counts_periods_with_everything_received(ex):
    """An evaluator in November looks at the state at the end of 2025 with everything known now."""
    ex.projects.value = ("kiezbox",)
    ex.as_of.value = dt.date(2025, 12, 31)
    assert ex.message.value == ""
    assert "2026-Q2" not in set(ex.table["period"])  # a period that had not begun
    assert {"2024-Q4", "2025-Q1"} <= set(ex.table["period"])
    assert "Stichtag 31.12.2025" in ex.score_fig.layout.title.text and "Datenstand" not in ex.score_fig.layout.title.text
    ex.as_of.value = None
    assert "Bitte einen Stichtag wählen" in ex.message.value
    ex.projects.value = ("smart-water",)
    assert "Bitte einen Stichtag wählen" in ex.message.value  # stays until a date is chosen
    assert set(ex.table["project_id"]) == {"smart-water"}  # the last evaluation is still shown
    ex.as_of.value = AS_OF
    assert ex.message.value == ""


def test_both_dates_are_labelled_in_plain_words(ex):
    assert ex.as_of.description == "Stichtag" and ex.known_at.description == "Datenstand"
    assert "welche Zeiträume zählen" in ex.controls.dates_help.value
    ex.language.value = "en"
    assert ex.as_of.description == "Reference date" and ex.known_at.description == "Knowledge date"
    assert "which submissions count" in ex.controls.dates_help.value


def test_language_switch_relabels_everything_and_keeps_selection(ex):
    ex.guiding_idea.value = "resilient"
    ex.breakdown.value = "district"
    ex.language.value = "en"
    assert ex.lang == "en"
    assert ex.projects.description == "Projects" and ex.as_of.description == "Reference date"
    assert ex.guiding_idea.value == "resilient"
    assert ex.guiding_idea.options[0] == ("(all)", "")
    assert ex.breakdown.options[0][0] == "(none)" and ex.breakdown.value == "district"
    assert ex.indicators.value == ("test-outage-hours",)
    assert ex.indicators.options == (("Outage hours (h)", "test-outage-hours"),)
    assert ex.score_fig.data[0].name == "Portfolio (all projects)"
    assert ex.score_fig.layout.title.text.startswith("Progress by guiding ideas")
    assert "21 Nov 2026" in ex.score_fig.layout.title.text
    assert ex.series_fig.layout.title.text == "Series against the target path – 1 series"
    assert any(t.name.startswith("Target path: ") for t in visible(ex.series_fig))
    assert set(ex.table["indicator"]) == {"Outage hours"}
    assert "broken down by District" in ex.breakdown_view.note.value
    assert ex.download_button.description == "Selection as CSV"
    ex.guiding_idea.value = ""
    ex.indicators.value = ("test-users",)  # units are translated too
    assert ex.series_fig.layout.yaxis.title.text == "count"
    assert "(count)" in visible(ex.series_fig)[0].hovertemplate
    assert set(ex.table["unit"]) == {"count"}
    ex.language.value = "de"
    assert ex.projects.description == "Projekte" and set(ex.table["unit"]) == {"Anzahl"}


def test_language_choices_come_from_the_catalogues(ex):
    from impact.core.i18n import languages

    assert [v for _label, v in ex.language.options] == list(languages())
    assert ex.language.options[0] == ("Deutsch", "de") and ex.language.options[1] == ("English", "en")


def test_the_page_shows_exactly_the_kernel_figures(ex):
    ex.projects.value = ("kiezbox",)
    ex.breakdown.value = "district"
    ex.language.value = "en"
    for view in (ex.score_view, ex.series_view, ex.breakdown_view):
        shown = page_figure(view)
        expected = json.loads(pio.to_json(view.figure, validate=False))
        assert shown["data"] == expected["data"] and shown["layout"] == expected["layout"]
    state = sum(len(json.dumps(o)) for v in (ex.score_view, ex.series_view, ex.breakdown_view)
                for o in v.output.outputs)
    assert state < 200_000  # figures as JSON, no JavaScript bundle in the widget state


def test_download_gives_formula_safe_csv_with_submission_ids(ex):
    ex.projects.value = ("smart-water",)
    ex.indicators.value = ("test-open-share",)
    data = ex.selection_csv()
    text = data.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header == ("project_id,indicator_id,indicator,period,breakdown,breakdown_value,value,unit,quality,review_state,"
                      "evidence,note,submission_id")
    assert len(rows) == 2
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert sid("b") in text and sid("c") in text
    assert ex.download_link.value == ""
    ex.download_button.click()
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', ex.download_link.value)
    assert href is not None
    assert base64.b64decode(href.group(1)) == data == ex.last_csv
    assert 'download="impact-auswahl-2026-11-21.csv"' in ex.download_link.value
    assert "CSV herunterladen (2 Zeilen)" in ex.download_link.value
    ex.projects.value = ("kiezbox",)
    assert ex.download_link.value == ""  # a stale link never outlives its selection


def test_table_view_escapes_submitted_text(min_catalog):
    from .conftest import make_values

    vals = make_values([("kiezbox", "test-users", "2024-Q1", 1234.5, "2025-01-01", "x", "", "",
                         "<script>alert(1)</script>")])
    ex = Explorer(min_catalog, values=vals, as_of=AS_OF)
    assert "<script>" not in ex.table_view.value
    assert "&lt;script&gt;" in ex.table_view.value
    assert "<td>1.234,5</td>" in ex.table_view.value  # numbers in the reader's notation


def test_empty_store_shows_how_to_load_sample_data(min_catalog, tmp_path):
    ex = Explorer(min_catalog, store=tmp_path / "no-store-yet", as_of=AS_OF)
    assert not ex.has_data
    assert "make report" in ex.message.value
    # data/sample/ also holds README.md and generate.py: the glob must name the data files only
    assert "impact ingest data/sample/*.csv data/sample/*.xlsx" in ex.message.value
    assert "data/sample/*<" not in ex.message.value and "data/sample/* " not in ex.message.value
    assert "enthält noch keine Werte" in ex.message.value
    assert "Zelle" not in ex.message.value and "cell" not in ex.message.value  # no notebook instructions
    assert ex.table.empty and not visible(ex.series_fig)
    assert not any(v.drawn for v in (ex.score_view, ex.series_view, ex.breakdown_view))
    ex.language.value = "en"
    assert "holds no values yet" in ex.message.value
    ex.download_button.click()
    assert "base64," in ex.download_link.value


def test_a_knowledge_date_before_the_first_receipt_says_why_and_draws_nothing(ex):
    ex.known_at.value = dt.date(2025, 1, 31)  # the first submission arrived on 2025-02-01
    assert ex.table.empty
    assert "Bis zum Datenstand 31.01.2025 war noch keine Einreichung eingegangen" in ex.message.value
    assert "01.02.2025" in ex.message.value
    assert not any(v.drawn for v in (ex.score_view, ex.series_view, ex.breakdown_view))  # no path-only charts
    ex.language.value = "en"
    assert "Nothing had been received by the knowledge date 31 Jan 2025" in ex.message.value
    ex.known_at.value = dt.date(2025, 2, 1)
    assert ex.message.value == "" and not ex.table.empty and ex.series_view.drawn


def test_a_store_path_that_does_not_exist_is_named_as_such(min_catalog, tmp_path):
    ex = Explorer(min_catalog, store=tmp_path / "typo", as_of=AS_OF)
    assert "den Ordner gibt es nicht" in ex.message.value
    (tmp_path / "empty").mkdir()
    ex = Explorer(min_catalog, store=tmp_path / "empty", as_of=AS_OF)
    assert "enthält noch keine Werte" in ex.message.value and "Ordner" not in ex.message.value


def test_launch_finds_a_relative_store_below_the_project_root(tmp_path, min_catalog_dir, monkeypatch):
    """In JupyterLab the kernel runs in notebooks/: `store = "data/store"` means the project's."""
    root = tmp_path / "project"
    (root / "data" / "store").mkdir(parents=True)
    (root / "notebooks").mkdir()
    monkeypatch.setenv("IMPACT_HOME", str(root))
    monkeypatch.chdir(root / "notebooks")
    out = launch(store="data/store", catalog=str(min_catalog_dir))
    assert isinstance(out, Explorer)
    assert str(root / "data" / "store") in out.message.value and "Ordner" not in out.message.value
    (root / "notebooks" / "data" / "store").mkdir(parents=True)  # a folder right there wins
    out = launch(store="data/store", catalog=str(min_catalog_dir))
    assert str(root / "notebooks" / "data" / "store") in out.message.value


def test_launch_reads_the_settings_at_the_edge(tmp_path, min_catalog_dir, monkeypatch):
    monkeypatch.setenv("IMPACT_STORE", str(tmp_path / "configured"))
    monkeypatch.setenv("IMPACT_TODAY", "2026-02-03")
    monkeypatch.setenv("IMPACT_LANG", "en")
    out = launch(catalog=str(min_catalog_dir))
    assert isinstance(out, Explorer)
    assert out.lang == "en" and out.as_of.value == dt.date(2026, 2, 3)
    assert str(tmp_path / "configured") in out.message.value


def test_empty_dataframe_is_an_empty_store(min_catalog, values):
    ex = Explorer(min_catalog, values=values.iloc[0:0], as_of=AS_OF)
    assert "make report" in ex.message.value
    assert ex.n_evaluations == 0


def test_a_failing_evaluation_is_a_message_not_a_traceback(min_catalog, values, capsys):
    ex = Explorer(min_catalog, values=values.drop(columns=["value"]), as_of=AS_OF)
    assert "Auswertung zum Stichtag 21.11.2026 ist fehlgeschlagen" in ex.message.value
    assert ex.table.empty and not visible(ex.series_fig)
    ex.language.value = "en"
    assert "evaluation for the reference date 21 Nov 2026 failed" in ex.message.value
    assert "Traceback" not in capsys.readouterr().err


def test_launch_reports_a_broken_catalog_without_traceback(tmp_path, min_catalog_dir):
    (min_catalog_dir / "indicators.yaml").write_text("indicators:\n  - id: Bad Id\n", encoding="utf-8")
    out = launch(store=str(tmp_path / "store"), catalog=str(min_catalog_dir))
    assert isinstance(out, ExplorerError)
    assert "Indikatorenkatalog ist fehlerhaft" in out.widget.value and "indicator catalog is broken" in out.widget.value
    assert "Bad Id" in out.widget.value


def test_launch_rejects_a_bad_date(tmp_path, min_catalog_dir):
    out = launch(store=str(tmp_path), catalog=str(min_catalog_dir), as_of="21.11.2026")
    assert isinstance(out, ExplorerError)
    assert "JJJJ-MM-TT" in out.widget.value and "YYYY-MM-DD" in out.widget.value
    out = launch(store=str(tmp_path), catalog=str(min_catalog_dir), known_at="gestern")
    assert isinstance(out, ExplorerError) and "gestern" in out.widget.value


def test_launch_opens_an_empty_store(tmp_path, min_catalog_dir):
    out = launch(store=str(tmp_path), catalog=str(min_catalog_dir), lang="en", as_of="2026-01-31",
                 known_at="2026-02-15")
    assert isinstance(out, Explorer)
    assert out.lang == "en" and out.as_of.value == dt.date(2026, 1, 31)
    assert out.known_at.value == dt.date(2026, 2, 15)
    assert "holds no values yet" in out.message.value


def test_time_range_is_two_month_lists_and_its_value_round_trips(ex):
    tr = ex.time_range
    months = [m for _label, m in tr.options]
    assert tr.value == (months[0], months[-1])
    assert (tr.start.description, tr.end.description) == ("Zeitraum von", "bis")
    assert tr.start.options[0][0] == "Jan. 2022"  # month names in the reader's language
    # a value set in the kernel moves both lists …
    tr.value = (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    assert (tr.start.value, tr.end.value) == (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    # … choosing in a list (what the page does) sets the value and redraws
    tr.end.value = dt.date(2024, 6, 1)
    assert tr.value == (dt.date(2024, 4, 1), dt.date(2024, 6, 1))
    assert ex.controls.date_range() == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    # "from" after "to" is read in order; days inside a month mean that month
    tr.value = (dt.date(2024, 9, 15), dt.date(2024, 4, 1))
    assert tr.value == (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    ex.language.value = "en"
    assert tr.value == (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    assert (tr.start.description, tr.end.description) == ("Time range from", "to")
    assert tr.start.options[0][0] == "Jan 2022"


def test_each_value_shows_its_quality_evidence_and_review_state(min_catalog, values):
    """Issue 13: quality grade, evidence and review state per value, in the table and the hover;
    values without them (an older store) show nothing there."""
    values = values.assign(quality=None, evidence=None, review_state="pending")
    mask = (values["indicator_id"] == "test-users") & (values["period"] == "2024-Q4") & (values["breakdown"] == "")
    values.loc[mask, ["quality", "evidence", "review_state"]] = ["counted", "https://example.org/x?a=1&b=<2>",
                                                                  "approved"]
    ex = Explorer(min_catalog, values=values, as_of=AS_OF, today=AS_OF)
    ex.projects.value = ("kiezbox",)
    ex.indicators.value = ("test-users",)
    row = ex.table.set_index("period").loc["2024-Q4"]
    assert (row["quality"], row["review_state"], row["evidence"]) == ("counted", "approved",
                                                                       "https://example.org/x?a=1&b=<2>")
    page = ex.table_view.value
    assert "<th scope=\"col\">Datenqualität</th>" in page and "gezählt" in page and "freigegeben" in page
    assert '<a href="https://example.org/x?a=1&amp;b=&lt;2&gt;"' in page and "<2>" not in page
    trace = values_trace(ex.series_fig, "Kiezbox 2.0 · Nutzende")
    hover = dict(zip([p for p in trace.text], [c[1] for c in trace.customdata], strict=True))
    assert hover["2024-Q4"] == "<br>Datenqualität: gezählt<br>Prüfstatus: freigegeben<br>Nachweis: https://example.org/x?a=1&amp;b=&lt;2&gt;"
    assert hover["2024-Q3"] == "<br>Prüfstatus: ungeprüft"
    ex.language.value = "en"
    assert "counted" in ex.table_view.value and "approved" in ex.table_view.value
    plain = Explorer(min_catalog, values=values.drop(columns=["quality", "evidence", "review_state"]), as_of=AS_OF,
                     today=AS_OF)
    assert all(c[1] == "" for c in visible(plain.series_fig)[0].customdata)


def test_series_mark_milestones_target_changes_and_tolerance_and_warn_when_it_is_crossed(catalog):
    """Issue 12: milestones and target changes on the series chart (from impact.engine.path), the
    tolerance limit of a side effect, and a warning when the latest value crosses it."""
    from impact.engine.path import target_changes, version_at

    from .conftest import make_values

    vals = make_values([
        ("hardenbergplatz", "rent-pressure-hardenbergplatz", "2024", 118, "2025-03-01", "a"),
        ("hardenbergplatz", "rent-pressure-hardenbergplatz", "2025", 123.5, "2026-03-01", "b"),
        ("hardenbergplatz", "mobility-hub-providers", "2024-Q4", 5, "2025-03-01", "a"),
    ])
    ex = Explorer(catalog, values=vals, as_of=AS_OF, today=AS_OF)
    assert "Rent" not in ex.warnings.value and "Hardenbergplatz" in ex.warnings.value  # all projects chosen
    ex.projects.value = ("kiezbox",)
    assert ex.warnings.value == ""
    ex.projects.value = ("hardenbergplatz",)
    warning = ex.warnings.value
    assert "Warnung: 1 Nebenwirkung jenseits ihrer Toleranz" in warning
    assert "123,5" in warning and "2025" in warning and "120" in warning and "01.01.2023" in warning
    ex.indicators.value = ("rent-pressure-hardenbergplatz", "mobility-hub-providers")
    fig = ex.series_fig
    limit = next(t for t in visible(fig) if t.name.startswith("Toleranzgrenze"))
    assert list(limit.y) == [120.0, 120.0] and xs(limit)[0] == dt.date(2023, 1, 1)
    target = catalog.indicators["mobility-hub-providers"].targets["hardenbergplatz"]
    steps = next(t for t in visible(fig) if t.name.startswith("Meilensteine"))
    assert [(d, y) for d, y in zip(xs(steps), steps.y, strict=True)] == [
        (m.date, m.value) for m in version_at(target, AS_OF).milestones]
    change = next(t for t in visible(fig) if t.name.startswith("Zieländerungen"))
    assert xs(change) == [c.valid_from for c in target_changes(target)] == [dt.date(2024, 7, 1)]
    assert "12 bis 30.06.2026 → 8 bis 30.06.2026" in change.text[0] and "Steuerungskreis" in change.text[0]
    assert [s.x0 for s in fig.layout.shapes] == ["2024-07-01"]
    ex.language.value = "en"
    assert "Warning: 1 side effect beyond its tolerance" in ex.warnings.value and "123.5" in ex.warnings.value
    assert any(t.name.startswith("Tolerance limit") for t in visible(ex.series_fig))
    ex.time_range.value = (dt.date(2024, 8, 1), dt.date(2026, 11, 1))  # the change lies before the range
    assert not any(t.name.startswith("Target changes") for t in visible(ex.series_fig))
    assert not ex.series_fig.layout.shapes


def test_the_indicators_can_be_filtered_by_effect(catalog):
    """Issue 12: side effects (effect: unintended) apart from the intended effects."""
    vals = values_for_effect_test()
    ex = Explorer(catalog, values=vals, as_of=AS_OF, today=AS_OF)
    ex.projects.value = ("hardenbergplatz",)
    assert ex.effect.description == "Wirkung"
    assert [label for label, _v in ex.effect.options] == ["(alle)", "beabsichtigte Wirkungen", "Nebenwirkungen"]
    every = [v for _label, v in ex.indicators.options]
    ex.effect.value = "unintended"
    side = [v for _label, v in ex.indicators.options]
    assert side and all(catalog.indicators[i].effect == "unintended" for i in side)
    assert "rent-pressure-hardenbergplatz" in side
    assert ex.indicators.value == (side[0],)
    ex.effect.value = "intended"
    intended = [v for _label, v in ex.indicators.options]
    assert sorted(side + intended) == sorted(every)
    ex.language.value = "en"
    assert ex.effect.description == "Effect" and ex.effect.value == "intended"


def values_for_effect_test():
    from .conftest import make_values

    return make_values([("hardenbergplatz", "rent-pressure-hardenbergplatz", "2024", 118, "2025-03-01", "a")])
