"""The error path of a large bad file (issue 16): the shortcuts give exactly the texts of the plain way.

Problems are built with facts fetched column by column, "did you mean" uses a pruned similarity
search, numbers are formatted once per distinct value, translators are fetched once per report,
and the JSON output is indented by our own writer. Each shortcut is checked here against the
straightforward computation it replaces.
"""

from __future__ import annotations

import difflib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.errors import Grouped, Message, Problem, render_field
from impact.core.i18n import format_number, texts
from impact.intake import expectations as ex
from impact.intake.failures import _Facts, _Row
from impact.intake.prepare import prepare
from impact.intake.problems import closest, problem
from impact.intake.reading import read_submission
from impact.intake.report import ValidationReport
from intake.helpers import csv_bytes


def _difflib_closest(word: str, candidates: tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """What :func:`closest` did before it pruned the search."""
    lowered = {c.casefold(): c for c in candidates}
    match = difflib.get_close_matches(word.strip().casefold(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


WORD = st.text(alphabet="abcdeäÄßs-19 ", max_size=9)


@settings(max_examples=400, deadline=None)
@given(word=WORD, candidates=st.lists(WORD, max_size=12).map(tuple),
       cutoff=st.sampled_from([0.0, 0.3, 0.6, 0.8, 1.0]))
def test_closest_is_difflibs_answer(word, candidates, cutoff):
    assert closest(word, candidates, cutoff) == _difflib_closest(word, candidates, cutoff)


def test_closest_on_catalog_like_ids_ties_and_case():
    ids = tuple(f"bench-i{i:03d}" for i in range(200))
    for word in ("bench-y7", "bench-y199", "BENCH-I0", "bench-i100 ", "x", ""):
        assert closest(word, ids) == _difflib_closest(word, ids)
    assert closest("ab", ("ba", "Ab", "aB")) == _difflib_closest("ab", ("ba", "Ab", "aB")) == "aB"
    assert closest("kiezbx", iter(["kiezbox", "smart-water"])) == "kiezbox"  # any iterable, as before
    assert closest("", ("",)) == _difflib_closest("", ("",)) == ""


def test_same_code_different_values_render_differently():
    """Numbers are cached per distinct value and language: the cache must never mix them up."""
    a = problem("below_min", 2, "Wert", value=-5.0, indicator="x", limit=0.0)
    b = problem("below_min", 3, "Wert", value=-5.25, indicator="x", limit=0.0)
    c = problem("below_min", 4, "Wert", value=-0.0, indicator="x", limit=-0.0)
    assert a.message("de") == "Wert -5 ist kleiner als das Minimum 0 von „x“."
    assert b.message("de") == "Wert -5,25 ist kleiner als das Minimum 0 von „x“."
    assert b.message("en") == "Value -5.25 is below the minimum 0 of 'x'."
    for p in (a, b, c):  # the same as formatting each value afresh
        for lang in ("de", "en"):
            fields = {k: format_number(v, lang, 6, grouping=False) if isinstance(v, float) else v
                      for k, v in p.fields.items()}
            assert p.text.render(lang) == texts(lang)(p.text.text, **fields)
    assert render_field(-0.0, "de") == format_number(-0.0, "de", 6, grouping=False)
    assert render_field(0.0, "de") == format_number(0.0, "de", 6, grouping=False)


@settings(max_examples=200, deadline=None)
@given(x=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**18, 10**18)),
       lang=st.sampled_from(["de", "en", "EN", None, "xx"]))
def test_fields_render_as_formatted_afresh(x, lang):
    if isinstance(x, float):
        expected = format_number(x, lang, 6, grouping=False) if math.isfinite(x) and abs(x) < 1e15 else f"{x:.3g}"
    else:
        expected = str(x)
    assert render_field(x, lang) == expected
    assert render_field(Grouped(abs(int(x)) if isinstance(x, int) else 5), lang) == format_number(
        abs(int(x)) if isinstance(x, int) else 5, lang, 0)


def test_message_with_a_fetched_translator_equals_message():
    p = Problem(7, "Zeitraum", "wrong_frequency",
                Message("Period '{value}' does not fit: indicator '{indicator}' is reported {freq}.",
                        value="2024", indicator="i", freq=Message("quarterly")),
                Message("did you mean '{suggestion}'?", suggestion="x"))
    for lang in ("de", "en"):
        assert p.message_with(texts(lang)) == p.message(lang)
        assert p.json_with(texts(lang)) == p.to_json(lang)
    assert "quartalsweise" in p.message("de")


def test_translators_follow_the_locale_dirs_setting(tmp_path, monkeypatch):
    """``texts`` is cached per setting of IMPACT_LOCALE_DIRS, not once for the process."""
    monkeypatch.delenv("IMPACT_LOCALE_DIRS", raising=False)
    before = texts("de")
    monkeypatch.setenv("IMPACT_LOCALE_DIRS", str(tmp_path))
    assert texts("de") is not before  # a new lookup chain for the new directories
    monkeypatch.delenv("IMPACT_LOCALE_DIRS")
    assert texts("de") is before


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
PROBLEM = st.builds(lambda row, column, code, value, hint: problem(code, row, column, value=value, hint=hint),
                    st.one_of(st.none(), st.integers(1, 10**7)), st.one_of(st.none(), TEXT),
                    st.sampled_from(["unknown_project", "bad_period", "formula"]), TEXT,
                    st.sampled_from([None, "type_value", "future"]))


@settings(max_examples=150, deadline=None)
@given(errors=st.lists(PROBLEM, max_size=4), warnings=st.lists(PROBLEM, max_size=3), rows=st.integers(0, 10**6),
       unreadable=st.booleans(), lang=st.sampled_from(["de", "en"]))
def test_json_text_is_json_dumps(errors, warnings, rows, unreadable, lang):
    report = ValidationReport("x.csv", rows=rows, errors=errors, warnings=warnings, unreadable=unreadable)
    assert report.json_text(lang) == json.dumps(report.to_json(lang), ensure_ascii=False, indent=2)


def test_report_json_text_is_json_dumps_of_to_json(validate):
    data = csv_bytes([("kiezbx", "test-users", "2024-Q1", "-5"), ("kiezbox", "test-users", "2024-Q9", "1,5"),
                      ("kiezbox", "test-userz", "2024-Q1", "x\"\\ „ä“")])
    report = validate(data)
    assert len(report.errors) >= 3
    for lang in ("de", "en"):
        assert report.json_text(lang) == json.dumps(report.to_json(lang), ensure_ascii=False, indent=2)
    empty = ValidationReport("x.csv")
    assert empty.json_text("en") == json.dumps(empty.to_json("en"), ensure_ascii=False, indent=2)


#: the columns the problem texts read (the user's columns and the helper columns)
COLUMNS = [*ex.USER_COLUMNS, ex.H_VALUE_NUM, ex.H_BREAKDOWN, ex.H_PERIOD_LABEL, ex.H_KEY_BREAKDOWN,
           ex.H_KEY_BREAKDOWN_VALUE]


@pytest.mark.parametrize("rows", [[4, 2, 2, 3], [], [2]])
def test_facts_are_to_dict_records(cat_min, rows):
    """The facts fetched per column are the values the plain row-by-row fetch gave."""
    data = csv_bytes([("kiezbox", "test-users", "2024-Q1", "5"), ("", "test-users", "", "-1.5"),
                      ("smart-water", "x", "2024", "")])
    f = prepare(read_submission(data, "x.csv"), cat_min)
    expected = f.loc[rows, COLUMNS].astype(object).to_dict("records")
    facts = _Facts(f, rows)
    got = [{c: _Row(facts, k)[c] for c in COLUMNS} for k in range(len(rows))]
    assert repr(got) == repr(expected)
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in expected]


def test_facts_of_a_row_not_in_the_frame_fail_as_before(cat_min):
    f = prepare(read_submission(csv_bytes([("kiezbox", "test-users", "2024-Q1", "5")]), "x.csv"), cat_min)
    with pytest.raises(KeyError):
        _Facts(f, [2, 99])


def test_fast_constructors_make_the_same_objects():
    import dataclasses

    text, hint = Message("Unknown project '{value}'.", value="x"), Message("did you mean '{suggestion}'?")
    assert [f.name for f in dataclasses.fields(Problem)] == ["row", "column", "code", "text", "hint"]
    fast, plain = Problem.of(3, "Projekt", "unknown_project", text, hint), Problem(3, "Projekt", "unknown_project",
                                                                                   text, hint)
    assert fast == plain and hash(fast) == hash(plain) and vars(fast) == vars(plain) and repr(fast) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.row = 4  # type: ignore[misc]
    assert Message.of("x {a}", {"a": 1}) == Message("x {a}", a=1)


def test_building_problems_leaves_the_garbage_collector_as_it_was(validate):
    import gc

    data = csv_bytes([("kiezbx", "test-users", "2024-Q1", "-5")])
    assert gc.isenabled()
    assert validate(data).errors and gc.isenabled()
    gc.disable()
    try:
        assert validate(data).errors and not gc.isenabled()
    finally:
        gc.enable()
