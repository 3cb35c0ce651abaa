"""The catalog model (impact.core.catalog) on the tiny test catalog and on hand-made variants of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from impact.core.catalog import Catalog, Text, Unit, impact_level, load_catalog
from impact.core.errors import EXIT_INVALID, CatalogError


def edit_indicator(catalog_dir: Path, ident: str, **changes: object) -> None:
    """Change keys of one indicator in the tiny catalog (``None`` deletes the key)."""
    f = catalog_dir / "indicators.yaml"
    doc = yaml.safe_load(f.read_text(encoding="utf-8"))
    item = next(i for i in doc["indicators"] if i["id"] == ident)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    f.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(catalog_dir: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_dir)
    assert info.value.exit_code == EXIT_INVALID
    return [str(p) for p in info.value.problems]


# ---------------------------------------------------------------------------- model


@pytest.mark.parametrize(("step", "level"), [(1, "output"), (3, "output"), (4, "outcome"), (6, "outcome"),
                                             (7, "impact")])
def test_impact_level(step: int, level: str) -> None:
    assert impact_level(step) == level


def test_indicator_levels_follow_steps(min_catalog: Catalog) -> None:
    levels = {i.id: i.level for i in min_catalog.indicators.values()}
    assert levels == {"test-users": "output", "test-outage-hours": "outcome", "test-satisfaction": "impact",
                      "test-open-share": "outcome"}


def test_text_get_language() -> None:
    t = Text("Nutzende", "Users")
    assert t.get("de") == "Nutzende"
    assert t.get("en") == "Users"
    assert t.get() == "Nutzende"


def test_unit_matches_id_symbol_names_and_aliases(min_catalog: Catalog) -> None:
    pct = min_catalog.units["percent"]
    for text in ("percent", "%", "Prozent", " PROZENT ", "v. H.", "pct"):
        assert pct.matches(text), text
    assert not pct.matches("count")
    assert not pct.matches("")
    assert Unit("x", Text("Ding", "thing"), "x", ("Stk",)).matches("stk")


def test_targets_and_projects(min_catalog: Catalog) -> None:
    users = min_catalog.indicators["test-users"]
    assert users.projects == ("kiezbox", "smart-water")
    t = users.targets["kiezbox"]
    assert (t.baseline, t.target) == (0.0, 1000.0)
    assert t.baseline_date == dt.date(2022, 1, 1) and t.target_date == dt.date(2025, 12, 31)
    assert t.illustrative is True  # the default: targets are not public
    assert min_catalog.indicators["test-open-share"].targets["smart-water"].illustrative is False
    assert min_catalog.indicators["test-satisfaction"].targets["kiezbox"].band == (3.5, 4.5)
    assert users.breakdowns == ("district", "target_group")
    assert users.file == "indicators.yaml"


def test_indicators_for(min_catalog: Catalog) -> None:
    assert [i.id for i in min_catalog.indicators_for("kiezbox")] == [
        "test-users", "test-outage-hours", "test-satisfaction"]
    assert [i.id for i in min_catalog.indicators_for("smart-water")] == ["test-users", "test-open-share"]
    assert min_catalog.indicators_for("hardenbergplatz") == ()
    assert min_catalog.indicators_for("no-such-project") == ()


def test_group_ids_and_json(min_catalog: Catalog) -> None:
    assert len(min_catalog.group_ids("guiding_ideas")) == 4
    assert len(min_catalog.group_ids("principles")) == 8
    assert len(min_catalog.group_ids("perspectives")) == 7
    assert len(min_catalog.group_ids("projects")) == 5
    data = min_catalog.to_json()
    assert data["catalog_hash"] == min_catalog.content_hash
    sat = next(i for i in data["indicators"] if i["id"] == "test-satisfaction")
    assert sat["targets"]["kiezbox"]["band"] == [3.5, 4.5]
    assert sat["level"] == "impact"


def test_project_runtime(min_catalog: Catalog) -> None:
    sp = min_catalog.projects["smarte-partizipation"]
    assert (sp.start, sp.end) == (dt.date(2023, 6, 1), dt.date(2025, 12, 31))
    assert min_catalog.projects["hardenbergplatz"].lead.startswith("Bezirksamt")


# ---------------------------------------------------------------------------- content hash


def test_content_hash_is_stable_and_changes_with_a_file(min_catalog_dir: Path) -> None:
    first = load_catalog(min_catalog_dir).content_hash
    assert load_catalog(min_catalog_dir).content_hash == first
    f = min_catalog_dir / "indicators.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    assert load_catalog(min_catalog_dir).content_hash != first


def test_content_hash_covers_framework_files(min_catalog_dir: Path) -> None:
    first = load_catalog(min_catalog_dir).content_hash
    f = min_catalog_dir / "framework" / "units.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert load_catalog(min_catalog_dir).content_hash != first


# ---------------------------------------------------------------------------- checks


def test_target_band_needs_band(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-satisfaction",
                   targets={"kiezbox": {"baseline": 2.0, "baseline_date": "2022-01-01", "target": 4.0,
                                        "target_date": "2025-12-31"}})
    out = problems(min_catalog_dir)
    assert any("[test-satisfaction]" in p and "needs 'band: [low, high]'" in p for p in out), out


@pytest.mark.parametrize(("target", "band", "fragment"), [
    (4.8, [3.5, 4.5], "target 4.8 lies outside its band"),
    (4.0, [4.5, 3.5], "band low must not exceed band high"),
])
def test_target_band_checks(min_catalog_dir: Path, target: float, band: list[float], fragment: str) -> None:
    edit_indicator(min_catalog_dir, "test-satisfaction",
                   targets={"kiezbox": {"baseline": 2.0, "baseline_date": "2022-01-01", "target": target,
                                        "target_date": "2025-12-31", "band": band}})
    out = problems(min_catalog_dir)
    assert any("[test-satisfaction] targets.kiezbox.band: " in p and fragment in p for p in out), out


def test_band_only_for_target_band(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-open-share",
                   targets={"smart-water": {"baseline": 10, "baseline_date": "2022-01-01", "target": 60,
                                            "target_date": "2025-12-31", "band": [50, 70]}})
    out = problems(min_catalog_dir)
    assert any("'band' is only for direction 'target_band'" in p for p in out), out


@pytest.mark.parametrize(("ident", "baseline", "target"), [("test-outage-hours", 10, 40), ("test-users", 500, 100)])
def test_target_must_point_in_direction(min_catalog_dir: Path, ident: str, baseline: int, target: int) -> None:
    edit_indicator(min_catalog_dir, ident,
                   targets={"kiezbox": {"baseline": baseline, "baseline_date": "2022-01-01", "target": target,
                                        "target_date": "2025-12-31"}})
    out = problems(min_catalog_dir)
    assert any(f"[{ident}]" in p and "does not point in the direction" in p for p in out), out


def test_target_equal_to_baseline(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users",
                   targets={"kiezbox": {"baseline": 5, "baseline_date": "2022-01-01", "target": 5,
                                        "target_date": "2025-12-31"}})
    assert any("target equals baseline" in p for p in problems(min_catalog_dir))


def test_baseline_date_before_target_date(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users",
                   targets={"kiezbox": {"baseline": 0, "baseline_date": "2026-01-01", "target": 5,
                                        "target_date": "2025-12-31"}})
    assert any("'baseline_date' must be before 'target_date'" in p for p in problems(min_catalog_dir))


def test_unknown_key_with_did_you_mean(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", frequncy="quarterly")
    out = problems(min_catalog_dir)
    assert ("catalog/indicators.yaml [test-users] frequncy: unbekannter Schlüssel 'frequncy' (meinten Sie "
            "'frequency'?) / unknown key 'frequncy' (did you mean 'frequency'?)") in out, out


def test_unknown_principle_with_did_you_mean(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", principles=["kooperativ-diverse"])
    out = problems(min_catalog_dir)
    assert any("unknown principle id 'kooperativ-diverse' (did you mean 'kooperativ-divers'?)" in p for p in out), out


def test_unknown_project_in_targets(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users",
                   targets={"kiezboxx": {"baseline": 0, "baseline_date": "2022-01-01", "target": 5,
                                         "target_date": "2025-12-31"}})
    assert any("unknown project id 'kiezboxx' in targets (did you mean 'kiezbox'?)" in p
               for p in problems(min_catalog_dir))


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("impact_step", 8, "'impact_step' must be a whole number from 1 to 7"),
    ("impact_step", True, "'impact_step' must be a whole number from 1 to 7"),
    ("frequency", "weekly", "'frequency' must be one of"),
    ("direction", "up", "'direction' must be one of"),
    ("value_type", "money", "'value_type' must be one of"),
    ("unit", "furlongs", "unknown unit 'furlongs'"),
    ("min", 200000, "'min' (200000) must be below 'max' (100000)"),
    ("framework_section", None, "missing 'framework_section'"),
    ("name", {"de": "Nutzende"}, "missing English name ('name.en')"),
    ("definition", "only one language", "'definition' must have a German ('de') and an English ('en') text"),
    ("weight", -1, "'weight' must be positive"),
])
def test_field_checks(min_catalog_dir: Path, key: str, value: object, fragment: str) -> None:
    edit_indicator(min_catalog_dir, "test-users", **{key: value})
    out = problems(min_catalog_dir)
    assert any("[test-users]" in p and fragment in p for p in out), out


def test_messages_are_german_first_then_english(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", frequency="weekly")
    (message,) = problems(min_catalog_dir)
    assert message.startswith("catalog/indicators.yaml [test-users] frequency: ")  # file, indicator, key
    german, english = message.split(": ", 1)[1].split(" / ", 1)
    assert german.startswith("'frequency' muss einer von")
    assert english.startswith("'frequency' must be one of")


def test_all_problems_collected(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", frequency="weekly", unit="furlongs")
    edit_indicator(min_catalog_dir, "test-open-share", guiding_ideas=["nachhaltigg"])
    out = problems(min_catalog_dir)
    assert len(out) >= 3
    assert any("[test-open-share]" in p for p in out)


def test_duplicate_id_across_files(min_catalog_dir: Path) -> None:
    (min_catalog_dir / "more.yaml").write_text(
        (min_catalog_dir / "indicators.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = problems(min_catalog_dir)
    assert any(p.startswith("catalog/more.yaml [test-users]: doppelte Kennung 'test-users'")
               and "/ duplicate id 'test-users' (already defined in indicators.yaml)" in p for p in out), out


def test_missing_catalog_directory(tmp_path: Path) -> None:
    out = problems(tmp_path / "nowhere")
    assert any("catalog directory not found" in p for p in out)


def test_missing_framework_file(min_catalog_dir: Path) -> None:
    (min_catalog_dir / "framework" / "units.yaml").unlink()
    out = problems(min_catalog_dir)
    assert any("units.yaml" in p and "file missing" in p for p in out), out


def test_bad_slug(min_catalog_dir: Path) -> None:
    edit_indicator(min_catalog_dir, "test-users", id="Test Users")
    out = problems(min_catalog_dir)
    assert any("'id' must be a lower-case slug" in p for p in out), out
