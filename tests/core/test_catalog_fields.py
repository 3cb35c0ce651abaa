"""The catalog fields of 0.2: effect and tolerance, trade-offs, milestones, target history,
references, cumulative, evidence and quality — model behaviour and the checks that refuse mistakes.

Every refusal must name the file, the indicator and the key (``file [indicator] key: …``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_catalog import edit_indicator, problems

from impact.core.catalog import Catalog, Milestone, Target, TargetVersion, Text, Tolerance, load_catalog

D = dt.date


def users_target(**extra: Any) -> dict[str, Any]:
    """``targets`` for test-users (count, higher is better) with kiezbox changed by ``extra``."""
    t: dict[str, Any] = {"baseline": 0, "baseline_date": "2022-01-01", "target": 1000, "target_date": "2025-12-31"}
    t.update(extra)
    return {"kiezbox": t}


def only(out: list[str], fragment: str) -> str:
    hits = [p for p in out if fragment in p]
    assert hits, out
    return hits[0]


# ---------------------------------------------------------------------------- Text in any language


def test_text_falls_back_to_english_for_other_languages() -> None:
    t = Text("Nutzende", "Users", (("tr", "Kullanıcılar"),))
    assert (t.get("de"), t.get("en"), t.get("tr"), t.get("ar")) == ("Nutzende", "Users", "Kullanıcılar", "Users")
    assert t.get("en_GB") == "Users" and t.get("TR") == "Kullanıcılar"
    assert t.languages == ("de", "en", "tr")
    assert t.to_json() == {"de": "Nutzende", "en": "Users", "tr": "Kullanıcılar"}


def test_a_new_language_is_data(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", name={"de": "Nutzende", "en": "Users", "tr": "Kullanıcılar"})
    cat = load_catalog(min_catalog_dir)
    assert cat.indicators["test-users"].name.get("tr") == "Kullanıcılar"
    assert cat.indicators["test-outage-hours"].name.get("tr") == "Outage hours"


def test_text_language_key_must_be_a_language_code(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", name={"de": "Nutzende", "en": "Users", "Turkish!": "x"})
    assert "[test-users] name:" in only(problems(min_catalog_dir), "is not a language code")


# ---------------------------------------------------------------------------- defaults


def test_defaults_of_the_new_fields(min_catalog: Catalog) -> None:
    ind = min_catalog.indicators["test-users"]
    assert (ind.cumulative, ind.effect, ind.conflicts_with, dict(ind.references)) == (False, "intended", (), {})
    assert (ind.evidence_required, ind.quality) == (False, None)
    t = ind.targets["kiezbox"]
    assert (t.milestones, t.tolerance, t.history, t.valid_from, t.reason, t.decided_by) == ((), None, (), None,
                                                                                           None, None)
    assert t.at(D(2023, 1, 1)) is t and t.original is t and not t.changed


# ---------------------------------------------------------------------------- milestones


def test_milestones_are_read_in_order(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(milestones=[
        {"date": "2023-06-30", "value": 200, "term": "short"}, {"date": "2024-12-31", "value": 600}]))
    t = load_catalog(min_catalog_dir).indicators["test-users"].targets["kiezbox"]
    assert t.milestones == (Milestone(D(2023, 6, 30), 200.0, "short"), Milestone(D(2024, 12, 31), 600.0, None))


@pytest.mark.parametrize("day", ["2022-01-01", "2025-12-31", "2026-03-31", "2021-06-30"])
def test_milestone_outside_the_target_dates_is_refused(min_catalog_dir: Path, day: str) -> None:
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(milestones=[{"date": day, "value": 200}]))
    p = only(problems(min_catalog_dir), "must lie strictly between")
    assert p.startswith("catalog/indicators.yaml [test-users] targets.kiezbox.milestones[0].date: "), p


@pytest.mark.parametrize(("milestones", "fragment"), [
    ([{"date": "2024-01-01", "value": 1}, {"date": "2023-01-01", "value": 2}], "milestones must be in date order"),
    ([{"date": "2024-01-01", "value": 200000}], "milestone 200000 for project 'kiezbox' is outside the valid range"),
    ([{"date": "2024-01-01", "value": 1, "term": "soon"}], "'term' must be one of short, medium, long"),
    ([{"date": "2024-01-01"}], "'value' must be a number"),
    ([{"date": "2024-01-01", "value": 1, "when": 3}], "unknown key 'when'"),
    ("2024-01-01", "'milestones' must be a list"),
])
def test_milestone_checks(min_catalog_dir: Path, milestones: Any, fragment: str) -> None:
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(milestones=milestones))
    assert "[test-users] targets.kiezbox.milestones" in only(problems(min_catalog_dir), fragment)


# ---------------------------------------------------------------------------- target history


HISTORY = [{"valid_from": "2022-01-01", "target": 1500, "target_date": "2025-12-31",
            "reason": {"de": "Erstes Ziel", "en": "First target"}, "decided_by": "Projektleitung",
            "milestones": [{"date": "2023-12-31", "value": 500, "term": "short"}]}]
CHANGE = {"valid_from": "2024-03-01", "reason": {"de": "Lieferengpass", "en": "Supply shortage"},
          "decided_by": "Steuerungskreis"}


def test_target_history_and_the_version_valid_on_a_day(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(
        history=HISTORY, milestones=[{"date": "2024-12-31", "value": 700, "term": "medium"}], **CHANGE))
    t = load_catalog(min_catalog_dir).indicators["test-users"].targets["kiezbox"]
    assert t.changed and t.target == 1000 and t.valid_from == D(2024, 3, 1) and t.decided_by == "Steuerungskreis"
    assert t.history == (TargetVersion(D(2022, 1, 1), 1500.0, D(2025, 12, 31), None,
                                       Text("Erstes Ziel", "First target"), "Projektleitung",
                                       (Milestone(D(2023, 12, 31), 500.0, "short"),)),)
    before = t.at(D(2024, 2, 29))
    assert (before.target, before.valid_from, before.reason, before.history) == (
        1500.0, D(2022, 1, 1), Text("Erstes Ziel", "First target"), ())
    assert before.milestones == (Milestone(D(2023, 12, 31), 500.0, "short"),)
    assert t.at(D(2021, 1, 1)).target == 1500.0  # before the first version: the first version
    assert t.at(D(2024, 3, 1)) is t
    assert t.original.target == 1500.0 and t.original == before
    assert [v.target for v in t.versions] == [1500.0, 1000.0]
    assert (t.baseline, t.baseline_date) == (before.baseline, before.baseline_date)


def test_history_entry_without_reason_is_refused(min_catalog_dir: Path) -> None:
    entry = {k: v for k, v in HISTORY[0].items() if k != "reason"}
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(history=[entry], **CHANGE))
    p = only(problems(min_catalog_dir), "missing 'reason'")
    assert p.startswith("catalog/indicators.yaml [test-users] targets.kiezbox.history[0].reason: "), p


@pytest.mark.parametrize(("entry", "change", "key", "fragment"), [
    ({"decided_by": None}, CHANGE, "history[0].decided_by", "missing 'decided_by'"),
    ({"reason": {"de": "nur deutsch"}}, CHANGE, "history[0].reason.en", "missing English reason"),
    ({"target": -5}, CHANGE, "history[0].target", "target -5 for project 'kiezbox' is outside the valid range"),
    ({"valid_from": "2024-06-01"}, CHANGE, "valid_from", "must come after the last 'valid_from'"),
    ({}, {"valid_from": "2024-03-01", "decided_by": "x"}, "reason", "a changed target says when, why and by whom"),
    ({"milestones": [{"date": "2026-06-30", "value": 5}]}, CHANGE, "history[0].milestones[0].date",
     "must lie strictly between"),
])
def test_history_checks(min_catalog_dir: Path, entry: dict[str, Any], change: dict[str, Any], key: str,
                        fragment: str) -> None:
    version = {k: v for k, v in {**HISTORY[0], **entry}.items() if v is not None}
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(history=[version], **change))
    assert f"[test-users] targets.kiezbox.{key}: " in only(problems(min_catalog_dir), fragment)


# ---------------------------------------------------------------------------- effect and tolerance


def side_effect(**target: Any) -> dict[str, Any]:
    t = {"baseline": 40, "baseline_date": "2022-01-01", "tolerance": {"limit": 60, "date": "2023-01-01"}}
    t.update(target)
    return {"effect": "unintended", "targets": {"kiezbox": {k: v for k, v in t.items() if v is not None}}}


def test_side_effect_with_tolerance_only(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-outage-hours",
                   **side_effect(tolerance={"limit": 60, "date": "2023-01-01",
                                            "note": {"de": "Grenze", "en": "Limit"}}))
    cat = load_catalog(min_catalog_dir)
    ind = cat.indicators["test-outage-hours"]
    t = ind.targets["kiezbox"]
    assert ind.unintended and t.target is None
    assert t.target_date == cat.projects["kiezbox"].end  # the project's end closes the window
    assert t.tolerance == Tolerance(60.0, D(2023, 1, 1), Text("Grenze", "Limit"))
    assert t.tolerance.crossed(61, ind.direction, D(2023, 1, 1))
    assert not t.tolerance.crossed(61, ind.direction, D(2022, 12, 31))  # not yet in force
    assert not t.tolerance.crossed(60, ind.direction, D(2024, 1, 1))
    assert Tolerance(5, D(2023, 1, 1)).crossed(4, "higher_is_better", D(2024, 1, 1))


def test_side_effect_needs_a_tolerance(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-outage-hours", **side_effect(tolerance=None, target=10,
                                                                        target_date="2025-12-31"))
    assert "[test-outage-hours] targets.kiezbox.tolerance:" in only(problems(min_catalog_dir), "missing 'tolerance'")


def test_intended_effect_needs_a_target(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-outage-hours", targets=side_effect()["targets"])
    assert "[test-outage-hours] targets.kiezbox.target:" in only(problems(min_catalog_dir), "missing 'target'")


@pytest.mark.parametrize(("change", "key", "fragment"), [
    ({"effect": "accidental"}, "effect", "'effect' must be one of intended, unintended"),
    ({"targets": side_effect(tolerance={"limit": 60})["targets"]}, "targets.kiezbox.tolerance.date", "'date'"),
    ({"targets": side_effect(tolerance={"limit": 9000, "date": "2023-01-01"})["targets"]},
     "targets.kiezbox.tolerance.limit", "tolerance limit 9000 for project 'kiezbox' is outside the valid range"),
    ({"targets": side_effect(tolerance={"limit": 60, "date": "2021-01-01"})["targets"]},
     "targets.kiezbox.tolerance.date", "must not start before the baseline date"),
])
def test_tolerance_checks(min_catalog_dir: Path, change: dict[str, Any], key: str, fragment: str) -> None:
    edit_indicator(min_catalog_dir, "test-outage-hours", **{**side_effect(), **change})
    assert f"[test-outage-hours] {key}: " in only(problems(min_catalog_dir), fragment)


def test_tolerance_needs_a_direction(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-satisfaction", targets={"kiezbox": {
        "baseline": 2.0, "baseline_date": "2022-01-01", "target": 4.0, "target_date": "2025-12-31",
        "band": [3.5, 4.5], "tolerance": {"limit": 2, "date": "2023-01-01"}}})
    assert "targets.kiezbox.tolerance:" in only(problems(min_catalog_dir), "a tolerance needs direction")


# ---------------------------------------------------------------------------- trade-offs


def test_conflicts_are_symmetric_and_listed_once(min_catalog_dir: Path) -> None:
    note = {"de": "Mehr Nutzung, mehr Ausfälle", "en": "More use, more outages"}
    edit_indicator(min_catalog_dir, "test-users", conflicts_with=[{"indicator": "test-outage-hours", "note": note}])
    cat = load_catalog(min_catalog_dir)
    users, outage = cat.indicators["test-users"], cat.indicators["test-outage-hours"]
    assert [c.indicator for c in users.conflicts_with] == ["test-outage-hours"]
    assert [c.indicator for c in outage.conflicts_with] == ["test-users"]  # added by the loader
    assert outage.conflicts_with[0].note == Text(note["de"], note["en"])
    (pair,) = cat.conflicts()
    assert (pair.indicator, pair.other, pair.note.en) == ("test-users", "test-outage-hours", note["en"])
    assert cat.conflicts("kiezbox") == (pair,)
    assert cat.conflicts("smart-water") == ()  # smart-water does not report test-outage-hours


def test_both_sides_declared_stays_one_pair(min_catalog_dir: Path) -> None:
    note = {"de": "a", "en": "a"}
    edit_indicator(min_catalog_dir, "test-users", conflicts_with=[{"indicator": "test-outage-hours", "note": note}])
    edit_indicator(min_catalog_dir, "test-outage-hours", conflicts_with=[{"indicator": "test-users",
                                                                          "note": {"de": "b", "en": "b"}}])
    cat = load_catalog(min_catalog_dir)
    assert len(cat.conflicts()) == 1 and len(cat.indicators["test-users"].conflicts_with) == 1
    assert cat.indicators["test-outage-hours"].conflicts_with[0].note.en == "b"


def test_trade_off_to_an_unknown_indicator_is_refused(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", conflicts_with=[
        {"indicator": "test-outage-hour", "note": {"de": "x", "en": "x"}}])
    p = only(problems(min_catalog_dir), "unknown indicator 'test-outage-hour'")
    assert p.startswith("catalog/indicators.yaml [test-users] conflicts_with[0].indicator: "), p
    assert "did you mean 'test-outage-hours'" in p


@pytest.mark.parametrize(("conflicts", "key", "fragment"), [
    ([{"indicator": "test-users", "note": {"de": "x", "en": "x"}}], "conflicts_with[0].indicator", "itself"),
    ([{"indicator": "test-open-share"}], "conflicts_with[0].note", "must have a German"),
    ([{"note": {"de": "x", "en": "x"}}], "conflicts_with[0].indicator", "missing 'indicator'"),
    ("test-open-share", "conflicts_with", "must be a list"),
])
def test_conflict_checks(min_catalog_dir: Path, conflicts: Any, key: str, fragment: str) -> None:
    edit_indicator(min_catalog_dir, "test-users", conflicts_with=conflicts)
    assert f"[test-users] {key}: " in only(problems(min_catalog_dir), fragment)


# ---------------------------------------------------------------------------- references


def test_references_are_read(min_catalog_dir: Path) -> None:
    refs = {"sdg": ["11.7.1", "6.a.1", "17.18.1"], "iso37120": ["8.4"], "iso37122": ["19.10"],
            "sdg_kommunen": ["SDG 11: Verunglückte im Verkehr"], "berlin": ["ewg-bln:§3", "bek-2030"]}
    edit_indicator(min_catalog_dir, "test-users", references=refs)
    assert dict(load_catalog(min_catalog_dir).indicators["test-users"].references) == {
        k: tuple(v) for k, v in refs.items()}


@pytest.mark.parametrize(("kind", "ident"), [
    ("sdg", "11.6"), ("sdg", "18.1.1"), ("sdg", "11-6-2"), ("sdg", "SDG 11.6.2"), ("sdg", "0.1.1"),
("iso37120", "4.1"), ("iso37120", "24.1"), ("iso37122", "8"),
    ("sdg_kommunen", "Luftschadstoffbelastung"), ("berlin", "unknown-plan"), ("berlin", "BEK 2030"),
])
def test_malformed_reference_is_refused(min_catalog_dir: Path, kind: str, ident: str) -> None:
    edit_indicator(min_catalog_dir, "test-users", references={kind: [ident]})
    (p,) = problems(min_catalog_dir)
    assert p.startswith(f"catalog/indicators.yaml [test-users] references.{kind}: "), p
    assert f"'{ident}'" in p


def test_malformed_sdg_id_message(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", references={"sdg": ["11.6"]})
    p = only(problems(min_catalog_dir), "'11.6' is not an SDG indicator id")
    assert "e.g. 11.7.1" in p


def test_unknown_reference_kind(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", references={"sgd": ["11.6.2"]})
    assert "[test-users] references.sgd:" in only(problems(min_catalog_dir), "unknown reference kind")


# ---------------------------------------------------------------------------- cumulative, evidence, quality


def test_cumulative_evidence_and_quality(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", cumulative=True, evidence_required=True, quality="counted")
    ind = load_catalog(min_catalog_dir).indicators["test-users"]
    assert (ind.cumulative, ind.evidence_required, ind.quality) == (True, True, "counted")


@pytest.mark.parametrize(("ident", "change", "key", "fragment"), [
    ("test-open-share", {"cumulative": True}, "cumulative", "only for counts, quantities and amounts"),
    ("test-users", {"cumulative": "yes"}, "cumulative", "must be true or false"),
    ("test-users", {"evidence_required": 1}, "evidence_required", "must be true or false"),
    ("test-users", {"quality": "guessed"}, "quality", "'quality' must be one of measured, counted, surveyed"),
    ("test-users", {"cumulative": True, "targets": users_target(milestones=[
        {"date": "2023-01-01", "value": 500}, {"date": "2024-01-01", "value": 400}])},
     "targets.kiezbox.milestones[1].value", "a cumulative indicator never falls"),
])
def test_cumulative_evidence_quality_checks(min_catalog_dir: Path, ident: str, change: dict[str, Any], key: str,
                                            fragment: str) -> None:
    edit_indicator(min_catalog_dir, ident, **change)
    assert f"[{ident}] {key}: " in only(problems(min_catalog_dir), fragment)


def test_all_fields_in_json(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", cumulative=True, quality="counted", references={"sdg": ["11.3.2"]},
                   conflicts_with=[{"indicator": "test-outage-hours", "note": {"de": "x", "en": "y"}}],
                   targets=users_target(history=HISTORY, milestones=[{"date": "2024-12-31", "value": 700}], **CHANGE))
    data = load_catalog(min_catalog_dir).to_json()
    ind = next(i for i in data["indicators"] if i["id"] == "test-users")
    assert {"cumulative", "effect", "conflicts_with", "references", "evidence_required", "quality"} <= set(ind)
    t = ind["targets"]["kiezbox"]
    assert t["milestones"] == [{"date": "2024-12-31", "value": 700.0, "term": None}]
    assert t["history"][0]["reason"] == {"de": "Erstes Ziel", "en": "First target"}
    assert (t["valid_from"], t["decided_by"], t["tolerance"]) == ("2024-03-01", "Steuerungskreis", None)
    assert data["conflicts"] == [{"indicator": "test-users", "other": "test-outage-hours",
                                  "note": {"de": "x", "en": "y"}}]


def test_target_is_frozen_and_keeps_positional_order() -> None:
    t = Target(10.0, D(2024, 1, 1), 20.0, D(2024, 12, 31))
    assert (t.illustrative, t.band, t.milestones) == (True, None, ())
    with pytest.raises(AttributeError):
        t.target = 5  # type: ignore[misc]


def test_history_target_date_defaults_to_the_current_one(min_catalog_dir: Path) -> None:
    entry = {k: v for k, v in HISTORY[0].items() if k not in ("target_date", "milestones")}
    edit_indicator(min_catalog_dir, "test-users", targets=users_target(history=[entry], target_date="2025-06-30",
                                                                        **CHANGE))
    t = load_catalog(min_catalog_dir).indicators["test-users"].targets["kiezbox"]
    assert t.original.target_date == D(2025, 6, 30) and t.original.target == 1500.0
