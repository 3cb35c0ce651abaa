"""Figures (palette, titles, text alternatives) and report texts, without kernels.

All words come from the translation catalogue (German shipped), numbers and dates from
``impact.core.i18n``: the hand-written label tables of 0.1 are gone.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from impact.core.catalog import Catalog, Target
from impact.reports import figures as fg
from impact.reports import series_figures as sf
from impact.reports.markup import esc, frame_table, table_html

NBSP = "\u00a0"  # CLDR writes "50 %" in German with a no-break space


def test_tables_write_numbers_and_dates_in_the_report_language() -> None:
    df = pd.DataFrame({"Wert": [1234.5, 3.0], "Datum": [dt.date(2026, 11, 21), None]})
    de, en = frame_table(df, "T", "de"), frame_table(df, "T", "en")
    assert '<td class="num">1.234,5</td>' in de and "21.11.2026" in de and "<td>–</td>" in de
    assert '<td class="num">1,234.5</td>' in en and "21 Nov 2026" in en and '<td class="num">3</td>' in en


def test_table_html_escapes_everything() -> None:
    out = table_html([("<script>x</script>", "1,5")], ["<h>", "n"], caption="<c>", numeric=[1])
    assert "<script>" not in out and "&lt;script&gt;" in out and "&lt;h&gt;" in out and "&lt;c&gt;" in out
    assert '<td class="num">1,5</td>' in out
    assert esc('"&') == "&quot;&amp;"


def test_trajectory_value() -> None:
    t = Target(0.0, dt.date(2024, 1, 1), 100.0, dt.date(2026, 1, 1))
    assert sf.trajectory_value(t, dt.date(2024, 1, 1)) == 0
    assert sf.trajectory_value(t, dt.date(2026, 1, 1)) == 100
    assert sf.trajectory_value(t, dt.date(2030, 1, 1)) == 100
    assert 49 < sf.trajectory_value(t, dt.date(2025, 1, 1)) < 51


def test_chart_numbers_use_the_language_separators() -> None:
    assert fg.separators("de") == ",." and fg.separators("en") == ".,"
    rows = pd.DataFrame({"label": ["A"], "score": [0.5], "coverage": [1.0], "n_with_data": [1], "n_indicators": [1]})
    assert fg.score_bars(rows, "T", "de").figure.layout.separators == ",."


def _colours(fig: object) -> set[str]:
    found: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str) and x.startswith("#") and len(x) == 7:
            found.add(x.upper())

    walk(json.loads(fig.to_json())["data"])  # type: ignore[attr-defined]
    return found


def test_indicator_series_chart(min_catalog: Catalog) -> None:
    ind = min_catalog.indicators["test-satisfaction"]  # a target band
    series = pd.DataFrame({"period": ["2023", "2024", "2025"],
                           "period_start": [dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)],
                           "value": [2.5, 3.0, 3.6], "note": ["<script>bad()</script>", None, None]})
    row = pd.Series({"forecast": 3.9, "forecast_low": 3.5, "forecast_high": 4.2})
    chart = sf.indicator_series(ind, "kiezbox", series, row, "Zufriedenheit", "de")
    assert chart.figure.layout.title.text == "Zufriedenheit" and chart.title == "Zufriedenheit"
    names = [t.name for t in chart.figure.data]
    assert {"Wert", "Zielpfad", "Zielkorridor", "Prognose"} <= set(names)
    assert _colours(chart.figure) <= {c.upper() for c in fg.OKABE_ITO}
    assert list(chart.table.columns) == ["Zeitraum", "Datum", "Wert", "Zielpfad"]
    assert chart.table["Wert"].tolist()[1:4] == [2.5, 3.0, 3.6]
    assert "bad()" not in chart.figure.to_json(), "notes never go into figures"
    en = sf.indicator_series(ind, "kiezbox", series.iloc[:0], None, "Satisfaction", "en")
    assert "Expected path" in [t.name for t in en.figure.data]
    assert chart.figure.layout.xaxis.tickformat == "%m.%Y" and en.figure.layout.xaxis.tickformat == "%m/%Y"


def test_score_bars_missing_score_is_labelled_not_zero() -> None:
    rows = pd.DataFrame({"label": ["A", "B"], "score": [0.5, float("nan")], "coverage": [1.0, 0.0],
                         "n_with_data": [2, 0], "n_indicators": [2, 3]})
    chart = fg.score_bars(rows, "Punktzahl", "de")
    assert chart.figure.data[0].text[1] == "keine Daten"
    assert chart.table["Punktzahl (%)"].tolist()[0] == 50.0 and pd.isna(chart.table["Punktzahl (%)"].tolist()[1])
    assert chart.figure.layout.title.text == "Punktzahl"
    # an area the project has no indicator for is not "no data" but "no indicators"
    none = fg.score_bars(pd.DataFrame({"label": ["C"], "score": [float("nan")], "coverage": [0.0],
                                       "n_with_data": [0], "n_indicators": [0]}), "Score", "en")
    assert none.figure.data[0].text[0] == "no indicators"


def test_matrix_ladder_completeness_shared_cross() -> None:
    matrix = pd.DataFrame([[0.5, None], [1.0, 0.25]], index=["p1", "p2"], columns=["g1", "g2"])
    m = fg.matrix_heatmap(matrix, {"p1": "Projekt 1", "p2": "Projekt 2"}, {"g1": "G1", "g2": "G2"}, "Matrix")
    assert m.figure.data[0].colorscale is not None and m.table.iloc[0].tolist() == ["Projekt 1", "50", "–"]
    lad = fg.ladder_chart(pd.DataFrame({"level": ["output", "impact"], "n_indicators": [3, 1],
                                        "n_with_data": [2, 0], "mean_progress": [0.5, float("nan")]}), "Treppe")
    assert lad.table["Indikatoren"].tolist() == [3, 0, 1]
    comp = fg.completeness_chart(pd.DataFrame({"label": ["I1"], "expected": [4], "received": [3], "share": [0.75],
                                               "overdue": [["2026-Q1"]]}), "Vollständigkeit", "en")
    assert comp.table["overdue"].tolist() == ["2026-Q1"]
    shared = fg.shared_indicator_chart(pd.DataFrame({"indicator_id": ["i", "i"], "project_id": ["p1", "p2"],
                                                     "value": [1.0, 2.0], "progress": [0.1, 0.2]}),
                                       {"p1": "P1", "p2": "P2"}, "Geteilt")
    assert shared.table["Projekt"].tolist() == ["P1", "P2"]
    cross = sf.cross_project_series(pd.DataFrame({"project_id": ["p2"], "period": ["2025"],
                                                  "period_start": [dt.date(2025, 1, 1)], "value": [4.0]}),
                                    {"p1": "P1", "p2": "P2"}, "Verlauf")
    assert len(cross.figure.data) == 1 and cross.figure.data[0].name == "P2"


@pytest.mark.parametrize("builder", ["score_bars", "ladder_chart"])
def test_figures_keep_notebooks_small(builder: str) -> None:
    rows = pd.DataFrame({"label": ["A"], "score": [0.5], "coverage": [1.0], "n_with_data": [1], "n_indicators": [1],
                         "level": ["output"], "mean_progress": [0.5]})
    chart = getattr(fg, builder)(rows, "T")
    assert len(chart.figure.to_json()) < 5000, "no big default template embedded per figure"


def test_report_kernel_imports_stay_light(tmp_path, min_catalog: Catalog) -> None:
    """What a report kernel runs never imports Great Expectations, scipy or nbformat."""
    import subprocess
    import sys

    from impact.reports.context import build_cache, evaluate_store

    ev, _ = evaluate_store(min_catalog, tmp_path / "empty-store", dt.date(2026, 11, 21))
    cache = build_cache(min_catalog, ev, tmp_path / "cache.pkl")
    code = (
        "import sys, IPython.display as d\n"
        "shown = []\n"
        "d.display = lambda *a, **k: shown.append(a)\n"
        "from impact.reports import sections as rt\n"
        "from impact.reports.context import load_context\n"
        f"ctx = load_context(lang='en', evaluation_cache={str(cache)!r})\n"
        "rt.project_summary(ctx, 'kiezbox'); rt.project_guiding_ideas(ctx, 'kiezbox'); rt.portfolio_matrices(ctx)\n"
        "assert shown\n"
        "print(sorted(m for m in ('great_expectations', 'scipy', 'nbformat', 'jsonschema', 'impact.engine.evaluation')"
        " if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def _all_charts() -> list[fg.Chart]:
    long = "Evidenzinformiert und vorausschauend"
    rows = pd.DataFrame({"label": [long, "Kurz"], "score": [0.5, 0.7], "coverage": [1.0, 1.0],
                         "n_with_data": [1, 1], "n_indicators": [1, 1]})
    matrix = pd.DataFrame([[0.5]], index=["p1"], columns=["g1"])
    return [
        fg.score_bars(rows, "Punktzahl"),
        fg.completeness_chart(pd.DataFrame({"label": [long], "expected": [4], "received": [3], "share": [0.75],
                                            "overdue": [["2026-Q1"]]}), "Vollständigkeit"),
        fg.matrix_heatmap(matrix, {"p1": "Smarte Partizipation - von der Kiezkasse zum Bürgerhaushalt"},
                          {"g1": long}, "Matrix"),
        fg.shared_indicator_chart(pd.DataFrame({"indicator_id": ["i"], "project_id": ["p1"], "value": [1.5],
                                                "progress": [0.1]}), {"p1": long}, "Geteilt"),
        fg.ladder_chart(pd.DataFrame({"level": ["output"], "n_indicators": [1], "n_with_data": [1],
                                      "mean_progress": [0.5]}), "Treppe"),
    ]


def test_axis_labels_are_never_cut_off() -> None:
    """Long names on an axis (e.g. "Evidenzinformiert und vorausschauend" in a 1300 px browser) got
    cut off at the left edge behind a fixed margin: every axis now grows its margin to fit."""
    for chart in _all_charts():
        layout = chart.figure.layout
        assert layout.yaxis.automargin is True and layout.xaxis.automargin is True, chart.title
        assert layout.margin.l is None or layout.margin.l <= 60, "no fixed wide margin that hides the plot"


def test_ladder_shows_mean_progress_and_completeness_nothing_due_is_not_zero() -> None:
    lad = fg.ladder_chart(pd.DataFrame({"level": ["output", "outcome"], "n_indicators": [3, 2],
                                        "n_with_data": [2, 0], "mean_progress": [0.5, float("nan")]}), "Treppe")
    assert lad.figure.data[1].text[0] == f"2 · Ø Fortschritt 50{NBSP}%" and lad.figure.data[1].text[1] == "0"
    en = fg.ladder_chart(pd.DataFrame({"level": ["output"], "n_indicators": [3], "n_with_data": [2],
                                       "mean_progress": [0.5]}), "Ladder", "en")
    assert en.figure.data[1].text[0] == "2 · mean progress 50%"
    comp = fg.completeness_chart(pd.DataFrame({"label": ["I1", "I2"], "expected": [0, 4], "received": [0, 4],
                                               "share": [float("nan"), 1.0], "overdue": [[], []]}), "V", "de")
    assert list(comp.figure.data[0].text) == ["noch nichts fällig", f"100{NBSP}%"]
    assert comp.figure.data[0].marker.color[0] == fg.STATUS_COLOURS["no_data"]


def test_shared_indicator_values_use_the_report_language() -> None:
    rows = pd.DataFrame({"indicator_id": ["i", "i"], "project_id": ["p1", "p2"], "value": [3.78, 1234.5],
                         "progress": [0.1, 0.2]})
    de = fg.shared_indicator_chart(rows, {"p1": "P1", "p2": "P2"}, "Geteilt", "de")
    en = fg.shared_indicator_chart(rows, {"p1": "P1", "p2": "P2"}, "Shared", "en")
    assert list(de.figure.data[0].text) == ["3,78", "1.234,5"] and list(en.figure.data[0].text) == ["3.78", "1,234.5"]


def test_indicator_facts_forecast_too_short_unlikely_and_english_unit(min_catalog: Catalog) -> None:
    """The facts line says why there is no forecast, words "target unlikely" (no lone "!"), and
    an English report never shows the German unit word "Anzahl"."""
    from types import SimpleNamespace

    from impact.reports.indicator_block import facts_html
    from impact.reports.naming import indicator_name

    ind = min_catalog.indicators["test-users"]
    base = {"project_id": "kiezbox", "indicator_id": ind.id, "status": "at_risk", "value": 10.0, "period": "2026-Q2",
            "progress": 0.01, "expected_progress": 0.5, "forecast": 20.0, "forecast_low": 10.0,
            "forecast_high": 30.0, "trend_note": "ok", "target_unlikely": True}
    short = {**base, "forecast": float("nan"), "forecast_low": float("nan"), "forecast_high": float("nan"),
             "trend_note": "too_short", "target_unlikely": None}
    for lang, row, needles, absent in (
            ("en", base, ["Target unlikely to be reached", "20 (forecast range 10–30)"], ["Anzahl", ": !"]),
            ("de", base, ["Ziel voraussichtlich verfehlt", "20 (Prognosebereich 10–30)", "gefährdet"], [": !"]),
            ("en", short, ["too few values for a trend"], ["unlikely"]),
            ("en", {**short, "value": float("nan"), "period": None, "status": "no_data"},
             ["<strong>Value:</strong> –", "<strong>Forecast:</strong> –", "no data"], ["(–)", "too few"])):
        ctx = SimpleNamespace(catalog=min_catalog, lang=lang)
        text = indicator_name(ctx, ind.id) + facts_html(ctx, "kiezbox", ind.id, pd.Series(row))  # type: ignore[arg-type]
        for needle in needles:
            assert needle in text, (lang, needle, text)
        for bad in absent:
            assert bad not in text, (lang, bad, text)


def test_report_tables_beat_the_notebook_table_style() -> None:
    """JupyterLab's CSS right-aligns and un-borders every table cell with the selector
    ``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`` (two classes + element); the report's
    own table rules must be more specific or the tables come out centred, right-aligned and bare."""
    from impact.reports.markup import STYLE

    assert ".impact-report table.impact-table td" in STYLE and "text-align:left" in STYLE
