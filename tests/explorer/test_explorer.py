"""The explorer driven headlessly: set widget values, assert on figures, table and CSV."""

from __future__ import annotations

import base64
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from plotly.callbacks import Points

from impact.apps.explorer.app import Explorer, ExplorerError, launch

from .conftest import sid

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture()
def ex(min_catalog, values) -> Explorer:
    return Explorer(min_catalog, values=values, as_of=AS_OF)


def visible(fig) -> list:
    return [t for t in fig.data if t.visible]


def xs(trace) -> list[dt.date]:
    return [pd.Timestamp(x).date() for x in trace.x]


def actual_trace(fig, project_name: str, indicator_name: str):
    matches = [t for t in visible(fig) if t.name.startswith(f"{project_name} – {indicator_name}")]
    assert len(matches) == 1, [t.name for t in visible(fig)]
    return matches[0]


def test_starts_with_all_projects_and_first_indicator(ex, min_catalog):
    assert ex.message.value == ""
    assert ex.lang == "de"
    assert set(ex.projects.value) == set(min_catalog.projects)
    assert ex.indicators.value == ("test-users",)
    assert [t.name for t in ex.score_fig.data][0] == "Portfolio (alle Projekte)"
    assert len(ex.score_fig.data) == 1 + len(min_catalog.projects)
    assert set(ex.table["indicator_id"]) == {"test-users"}
    assert set(ex.table["project_id"]) == {"kiezbox", "smart-water"}
    assert ex.n_evaluations == 1


def test_selecting_a_project_changes_score_bars_and_table(ex):
    kiez = next(t for t in ex.score_fig.data if "Kiezbox" in t.name)
    water = next(t for t in ex.score_fig.data if "Water" in t.name)
    assert kiez.visible and water.visible
    ex.projects.value = ("smart-water",)
    assert not kiez.visible and water.visible
    assert set(ex.table["project_id"]) == {"smart-water"}
    assert visible(ex.series_fig) and all("Smart Water" in t.name for t in visible(ex.series_fig))
    assert ex.n_evaluations == 1  # filters slice the cached evaluation


def test_score_bars_carry_scores_per_group(ex, min_catalog):
    water = next(t for t in ex.score_fig.data if "Water" in t.name)
    names = [e.name.de for e in min_catalog.guiding_ideas.values()]
    assert list(water.x) == names
    assert len(water.y) == len(names)
    assert [c[0] for c in water.customdata] == list(min_catalog.guiding_ideas)
    assert np.isfinite(np.asarray(water.y, dtype=float)).any()
    ex.score_kind.value = "principle"
    assert list(water.x) == [e.name.de for e in min_catalog.principles.values()]


def test_selecting_a_guiding_idea_drills_down_to_its_indicators(ex, min_catalog):
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


def test_clicking_a_score_bar_drills_down(ex, min_catalog):
    ex.score_kind.value = "principle"
    principles = list(min_catalog.principles)
    i = principles.index("menschenzentriert-systemisch")
    trace = ex.score_fig.data[0]
    trace._dispatch_on_click(Points(point_inds=[i], xs=[trace.x[i]], ys=[trace.y[i]],
                                    trace_name=trace.name, trace_index=0), None)
    assert ex.principle.value == "menschenzentriert-systemisch"
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


def test_series_against_target_trajectory(ex, min_catalog):
    ex.projects.value = ("kiezbox",)
    ex.indicators.value = ("test-users",)
    actual = actual_trace(ex.series_fig, min_catalog.projects["kiezbox"].name.de, "Nutzende")
    assert xs(actual) == [dt.date(2024, 1, 1), dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1),
                          dt.date(2025, 1, 1), dt.date(2026, 4, 1)]
    assert list(actual.y) == [100, 200, 300, 400, 500, 900]
    assert list(actual.customdata)[-1] == sid("c")[:12]  # hover shows the id's start; the table has it all
    target = min_catalog.indicators["test-users"].targets["kiezbox"]
    line = next(t for t in visible(ex.series_fig) if t.name.startswith("Zielpfad: "))
    assert xs(line)[0] == target.baseline_date and xs(line)[-1] == target.target_date
    assert line.y[0] == pytest.approx(target.baseline) and line.y[-1] == pytest.approx(target.target)
    assert line.line.dash == "dash"


def test_time_range_filters_series_x_values(ex):
    ex.projects.value = ("kiezbox",)
    ex.time_range.value = (dt.date(2024, 4, 1), dt.date(2024, 9, 1))
    actual = next(t for t in visible(ex.series_fig) if not t.name.startswith("Zielpfad"))
    assert xs(actual) == [dt.date(2024, 4, 1), dt.date(2024, 7, 1)]
    line = next(t for t in visible(ex.series_fig) if t.name.startswith("Zielpfad"))
    assert xs(line) == [dt.date(2024, 4, 1), dt.date(2024, 9, 30)]
    assert ex.table["period"].tolist() == ["2024-Q2", "2024-Q3"]


def test_breakdown_shows_breakdown_series_and_rows(ex):
    assert not visible(ex.breakdown_fig)
    ex.projects.value = ("kiezbox",)
    ex.breakdown.value = "district"
    names = sorted(t.name for t in visible(ex.breakdown_fig))
    assert len(names) == 2 and names[0].startswith("Mitte: ") and names[1].startswith("Pankow: ")
    mitte = next(t for t in visible(ex.breakdown_fig) if t.name.startswith("Mitte"))
    assert xs(mitte) == [dt.date(2024, 10, 1), dt.date(2025, 1, 1), dt.date(2026, 4, 1)]
    assert list(mitte.y) == [150, 320, 600]
    rows = ex.table[ex.table["breakdown"] == "district"]
    assert sorted(rows["breakdown_value"].unique()) == ["mitte", "pankow"]
    assert "Bezirk" in ex.breakdown_fig.layout.title.text
    ex.breakdown.value = ""
    assert not visible(ex.breakdown_fig)
    assert (ex.table["breakdown"] == "").all()


def test_earlier_as_of_hides_later_submissions_and_is_cached(ex):
    assert sid("c") in set(ex.table["submission_id"])
    ex.as_of.value = dt.date(2025, 3, 1)
    assert ex.n_evaluations == 2
    assert set(ex.table["submission_id"]) == {sid("a")}
    assert "2025-03-01" in ex.score_fig.layout.title.text
    ex.projects.value = ("kiezbox",)
    ex.breakdown.value = "district"
    assert ex.n_evaluations == 2
    ex.as_of.value = AS_OF
    assert ex.n_evaluations == 2  # cached
    assert sid("c") in set(ex.table["submission_id"])
    ex.as_of.value = None
    assert "ein Datum für den Stand" in ex.message.value
    ex.projects.value = ("smart-water",)
    assert "ein Datum für den Stand" in ex.message.value  # stays until a date is chosen
    assert set(ex.table["project_id"]) == {"smart-water"}  # the last evaluation is still shown
    ex.as_of.value = AS_OF
    assert ex.message.value == ""


def test_language_switch_relabels_in_place_and_keeps_selection(ex):
    ex.guiding_idea.value = "resilient"
    fig_before, trace_before = ex.score_fig, ex.score_fig.data[0]
    ex.language.value = "en"
    assert ex.lang == "en"
    assert ex.projects.description == "Projects" and ex.as_of.description == "As of"
    assert ex.guiding_idea.value == "resilient"
    assert ex.guiding_idea.options[0] == ("(all)", "")
    assert ex.breakdown.options[0][0] == "(none)"
    assert ex.indicators.value == ("test-outage-hours",)
    assert ex.indicators.options == (("Outage hours", "test-outage-hours"),)
    assert ex.score_fig is fig_before and ex.score_fig.data[0] is trace_before
    assert ex.score_fig.data[0].name == "Portfolio (all projects)"
    assert ex.score_fig.layout.title.text.startswith("Progress by Guiding ideas")
    assert any(t.name.startswith("target trajectory: ") for t in visible(ex.series_fig))
    assert set(ex.table["indicator"]) == {"Outage hours"}
    assert ex.download_button.description == "Selection as CSV"
    ex.language.value = "de"
    assert ex.projects.description == "Projekte"


def test_download_gives_formula_safe_csv_with_submission_ids(ex):
    ex.projects.value = ("smart-water",)
    ex.indicators.value = ("test-open-share",)
    data = ex.selection_csv()
    text = data.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header == "project_id,indicator_id,indicator,period,breakdown,breakdown_value,value,unit,note,submission_id"
    assert len(rows) == 2
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert sid("b") in text and sid("c") in text
    assert ex.download_link.value == ""
    ex.download_button.click()
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', ex.download_link.value)
    assert href is not None
    assert base64.b64decode(href.group(1)) == data == ex.last_csv
    assert 'download="impact-auswahl-2026-11-21.csv"' in ex.download_link.value
    ex.projects.value = ("kiezbox",)
    assert ex.download_link.value == ""  # a stale link never outlives its selection


def test_widget_state_follows_the_figures_for_browsers_that_connect_later(ex):
    """Voilà and a reloaded JupyterLab draw from the synced widget state, not from past messages."""
    ex.projects.value = ("kiezbox",)
    ex.language.value = "en"
    for fig in (ex.score_fig, ex.series_fig, ex.breakdown_fig):
        assert fig._widget_layout["title"]["text"] == fig.layout.title.text
        assert len(fig._widget_data) == len(fig.data)
    shown = [(d.get("name"), list(d.get("y", []))) for d in ex.series_fig._widget_data if d.get("visible")]
    assert shown == [(t.name, list(t.y)) for t in visible(ex.series_fig)]


def test_table_view_escapes_submitted_text(min_catalog):
    from .conftest import make_values

    vals = make_values([("kiezbox", "test-users", "2024-Q1", 1, "2025-01-01", "x", "", "",
                         "<script>alert(1)</script>")])
    ex = Explorer(min_catalog, values=vals, as_of=AS_OF)
    assert "<script>" not in ex.table_view.value
    assert "&lt;script&gt;" in ex.table_view.value


def test_empty_store_shows_how_to_load_sample_data(min_catalog, tmp_path):
    ex = Explorer(min_catalog, store=tmp_path / "no-store-yet", as_of=AS_OF)
    assert not ex.has_data
    assert "make report" in ex.message.value
    # data/sample/ also holds README.md and generate.py: the glob must name the data files only
    assert "impact ingest data/sample/*.csv data/sample/*.xlsx" in ex.message.value
    assert "data/sample/*<" not in ex.message.value and "data/sample/* " not in ex.message.value
    assert "enthält noch keine Werte" in ex.message.value
    assert ex.table.empty and not visible(ex.series_fig)
    ex.language.value = "en"
    assert "holds no values yet" in ex.message.value
    ex.download_button.click()
    assert "base64," in ex.download_link.value


def test_an_as_of_before_the_first_receipt_says_why_nothing_is_shown(ex):
    ex.as_of.value = dt.date(2025, 1, 31)  # the first submission arrived on 2025-02-01
    assert ex.table.empty
    assert "Bis zum Stand 2025-01-31 war noch keine Einreichung eingegangen" in ex.message.value
    assert "2025-02-01" in ex.message.value
    ex.language.value = "en"
    assert "Nothing had been received by 2025-01-31" in ex.message.value
    ex.as_of.value = dt.date(2025, 2, 1)
    assert ex.message.value == "" and not ex.table.empty


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


def test_empty_dataframe_is_an_empty_store(min_catalog, values):
    ex = Explorer(min_catalog, values=values.iloc[0:0], as_of=AS_OF)
    assert "make report" in ex.message.value
    assert ex.n_evaluations == 0


def test_a_failing_evaluation_is_a_message_not_a_traceback(min_catalog, values, capsys):
    ex = Explorer(min_catalog, values=values.drop(columns=["value"]), as_of=AS_OF)
    assert "Auswertung zum Stand 2026-11-21 ist fehlgeschlagen" in ex.message.value
    assert ex.table.empty and not visible(ex.series_fig)
    ex.language.value = "en"
    assert "evaluation as of 2026-11-21 failed" in ex.message.value
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


def test_launch_opens_an_empty_store(tmp_path, min_catalog_dir):
    out = launch(store=str(tmp_path), catalog=str(min_catalog_dir), lang="en", as_of="2026-01-31")
    assert isinstance(out, Explorer)
    assert out.lang == "en" and out.as_of.value == dt.date(2026, 1, 31)
    assert "holds no values yet" in out.message.value
