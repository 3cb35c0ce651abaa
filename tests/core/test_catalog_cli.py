"""``impact catalog``: the real command line on the shipped catalog and on broken copies of it.

Each broken copy carries exactly one mistake an evaluator could make; the command must exit 1
and name the file and the indicator (for broken YAML: the file and the line), never print a
traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPACT = Path(sys.executable).with_name("impact")

GUIDING_IDEAS = {"nachhaltig", "gemeinwohlorientiert", "resilient", "kooperativ"}
PRINCIPLES = {
    "menschenzentriert-systemisch", "evidenzinformiert-vorausschauend", "problembewusst-innovativ",
    "verantwortungsvoll-selbstbestimmt", "offen-vertrauenswuerdig", "wirkungsorientiert-anpassungsfaehig",
    "kooperativ-divers", "kreativ-mutig",
}
PERSPECTIVES = {
    "gesunde-vielfaeltige-kieze", "inklusiver-stadtraum", "regionale-vernetzung", "regeneratives-wirtschaften",
    "gemeinsame-gestaltung", "zukunftschancen-fuer-alle", "ermoeglichende-verwaltung",
}
PROJECTS = {"hardenbergplatz", "data-governance", "smart-water", "kiezbox", "smarte-partizipation"}
INDICATOR_JSON_KEYS = {
    "id", "name", "unit", "value_type", "direction", "min", "max", "frequency", "impact_step",
    "guiding_ideas", "principles", "perspectives", "projects", "targets",
}


def run_impact(*args: str, catalog_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "IMPACT_CATALOG"}
    if catalog_dir is not None:
        env["IMPACT_CATALOG"] = str(catalog_dir)
    exe = [str(IMPACT)] if IMPACT.exists() else [sys.executable, "-m", "impact.cli"]
    return subprocess.run([*exe, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def catalog_json() -> dict[str, Any]:
    proc = run_impact("catalog", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


@pytest.fixture()
def broken_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalog (the directory is called ``indicators``)."""
    dst = tmp_path / "indicators"
    shutil.copytree(ROOT / "indicators", dst)
    return dst


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------------------- the shipped catalog


def test_check_passes_on_shipped_catalog() -> None:
    proc = run_impact("catalog", "check")
    assert proc.returncode == 0, proc.stderr
    assert "catalog OK" in proc.stdout
    assert_no_traceback(proc)


def test_text_format_lists_every_indicator(catalog_json: dict[str, Any]) -> None:
    proc = run_impact("catalog", "--format", "text", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    for ind in catalog_json["indicators"]:
        assert ind["id"] in proc.stdout
        assert ind["name"]["en"] in proc.stdout


def test_json_top_level_keys(catalog_json: dict[str, Any]) -> None:
    assert {"guiding_ideas", "principles", "perspectives", "projects", "indicators"} <= set(catalog_json)


def test_fixed_framework_ids_exactly_present(catalog_json: dict[str, Any]) -> None:
    assert {e["id"] for e in catalog_json["guiding_ideas"]} == GUIDING_IDEAS
    assert {e["id"] for e in catalog_json["principles"]} == PRINCIPLES
    assert {e["id"] for e in catalog_json["perspectives"]} == PERSPECTIVES
    assert {e["id"] for e in catalog_json["projects"]} == PROJECTS


def test_every_indicator_has_the_contract_keys(catalog_json: dict[str, Any]) -> None:
    assert 35 <= len(catalog_json["indicators"]) <= 50
    for ind in catalog_json["indicators"]:
        missing = INDICATOR_JSON_KEYS - set(ind)
        assert not missing, f"{ind.get('id')}: missing {missing}"
        assert ind["name"]["de"].strip() and ind["name"]["en"].strip()
        assert set(ind["projects"]) == set(ind["targets"])
        assert 1 <= ind["impact_step"] <= 7
        for project, t in ind["targets"].items():
            assert project in PROJECTS
            assert {"baseline", "baseline_date", "target", "target_date"} <= set(t), (ind["id"], project)
            assert t["illustrative"] is True, f"{ind['id']}/{project}: targets are not public, must be illustrative"


def test_catalog_uses_every_direction_and_frequency(catalog_json: dict[str, Any]) -> None:
    inds = catalog_json["indicators"]
    assert {i["direction"] for i in inds} == {"higher_is_better", "lower_is_better", "target_band"}
    assert {i["frequency"] for i in inds} == {"monthly", "quarterly", "yearly"}
    assert {i["impact_step"] for i in inds} == set(range(1, 8))


def test_target_dates_lie_within_project_runtime(catalog_json: dict[str, Any]) -> None:
    runtime = {p["id"]: (p["start"], p["end"]) for p in catalog_json["projects"]}
    for ind in catalog_json["indicators"]:
        for project, t in ind["targets"].items():
            start, end = runtime[project]
            assert start <= t["baseline_date"] < t["target_date"], (ind["id"], project)
            assert end is None or t["target_date"] <= end, (ind["id"], project)


# ---------------------------------------------------------------------------- coverage rules


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_coverage_per_project(catalog_json: dict[str, Any], project: str) -> None:
    mine = [i for i in catalog_json["indicators"] if project in i["projects"]]
    assert len(mine) >= 8
    assert {g for i in mine for g in i["guiding_ideas"]} == GUIDING_IDEAS
    assert len({p for i in mine for p in i["principles"]}) >= 4
    assert sum(1 for i in mine if i["impact_step"] >= 4) >= 3


def test_every_principle_and_perspective_is_covered(catalog_json: dict[str, Any]) -> None:
    inds = catalog_json["indicators"]
    principles = Counter(p for i in inds for p in i["principles"])
    perspectives = Counter(p for i in inds for p in i["perspectives"])
    assert all(principles[p] >= 2 for p in PRINCIPLES), principles
    assert all(perspectives[p] >= 1 for p in PERSPECTIVES), perspectives


def test_enough_indicators_are_shared_across_projects(catalog_json: dict[str, Any]) -> None:
    shared = [i["id"] for i in catalog_json["indicators"] if len(i["projects"]) >= 3]
    assert len(shared) >= 3


def test_indicator_file_follows_first_guiding_idea() -> None:
    import yaml

    for path in sorted((ROOT / "indicators").glob("*.yaml")):
        for ind in yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]:
            assert f"{ind['guiding_ideas'][0]}.yaml" == path.name, ind["id"]


# ---------------------------------------------------------------------------- broken copies


def assert_reported(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert_no_traceback(proc)
    for fragment in fragments:
        assert fragment in proc.stderr, f"{fragment!r} not in:\n{proc.stderr}"


def test_unknown_guiding_idea(broken_copy: Path) -> None:
    f = broken_copy / "nachhaltig.yaml"
    replace_once(f, "guiding_ideas: [nachhaltig, resilient]", "guiding_ideas: [nachhaltigg, resilient]")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "indicators/nachhaltig.yaml", "[combined-sewer-overflow]", "nachhaltigg",
                    "did you mean 'nachhaltig'")


def test_duplicate_indicator_id(broken_copy: Path) -> None:
    replace_once(broken_copy / "kooperativ.yaml", "- id: payout-days", "- id: user-satisfaction")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "indicators/kooperativ.yaml", "[user-satisfaction]", "duplicate id 'user-satisfaction'",
                    "gemeinwohlorientiert.yaml")


def test_target_outside_valid_range(broken_copy: Path) -> None:
    replace_once(broken_copy / "resilient.yaml",
                 "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45,",
                 "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 145,")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "indicators/resilient.yaml", "[crisis-awareness]", "target 145", "outside the valid range",
                    "kiezbox")


def test_missing_english_name(broken_copy: Path) -> None:
    replace_once(broken_copy / "gemeinwohlorientiert.yaml", "      en: Dwell quality at Hardenbergplatz\n", "")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "indicators/gemeinwohlorientiert.yaml", "[dwell-quality-score]", "missing English name")


def test_bad_yaml_names_file_and_line(broken_copy: Path) -> None:
    f = broken_copy / "kooperativ.yaml"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if "- id: budget-voters" in line)
    lines.insert(n + 1, "    name: {de: [kaputt, en: broken\n")
    f.write_text("".join(lines), encoding="utf-8")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "indicators/kooperativ.yaml", "invalid YAML", "line ")
    line_no = int(proc.stderr.split("line ", 1)[1].split(",", 1)[0])
    assert abs(line_no - (n + 2)) <= 2, proc.stderr


def test_all_problems_reported_in_one_pass(broken_copy: Path) -> None:
    replace_once(broken_copy / "nachhaltig.yaml", "guiding_ideas: [nachhaltig, resilient]",
                 "guiding_ideas: [nachhaltigg, resilient]")
    replace_once(broken_copy / "gemeinwohlorientiert.yaml", "      en: Dwell quality at Hardenbergplatz\n", "")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, "[combined-sewer-overflow]", "[dwell-quality-score]", "2 problems")


def test_environment_variable_selects_catalog(broken_copy: Path) -> None:
    replace_once(broken_copy / "gemeinwohlorientiert.yaml", "      en: Dwell quality at Hardenbergplatz\n", "")
    proc = run_impact("catalog", "--format", "json", catalog_dir=broken_copy)
    assert_reported(proc, "[dwell-quality-score]")
    assert proc.stdout == ""


# ---------------------------------------------------------------------------- 0.2 fields on the command line


def add_to_indicator(path: Path, ident: str, lines: str) -> None:
    """Insert YAML ``lines`` (indented as indicator keys) right after ``- id: <ident>``."""
    text = path.read_text(encoding="utf-8")
    anchor = f"  - id: {ident}\n"
    assert anchor in text, ident
    path.write_text(text.replace(anchor, anchor + lines, 1), encoding="utf-8")


@pytest.mark.parametrize(("lines", "key", "fragment"), [
    ("    conflicts_with:\n      - {indicator: no-such-indicator, note: {de: x, en: x}}\n",
     "conflicts_with[0].indicator", "unknown indicator 'no-such-indicator'"),
    ("    references: {sdg: ['11.6']}\n", "references.sdg", "'11.6' is not an SDG indicator id"),
    ("    references: {sdg: [11-6-2]}\n", "references.sdg", "is not an SDG indicator id"),
])
def test_check_refuses_with_file_indicator_and_key(broken_copy: Path, lines: str, key: str, fragment: str) -> None:
    add_to_indicator(broken_copy / "kooperativ.yaml", "payout-days", lines)
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy))
    assert_reported(proc, f"indicators/kooperativ.yaml [payout-days] {key}: ", fragment)


def test_check_refuses_a_milestone_outside_the_target_dates(broken_copy: Path) -> None:
    f = broken_copy / "resilient.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45,")
    first = text.index("milestones: [", start)
    f.write_text(text[:first] + "milestones: [{date: 2030-01-01, value: 30}], old_" + text[first:], encoding="utf-8")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy), "--lang", "en")
    assert_reported(proc, "indicators/resilient.yaml [crisis-awareness] targets.kiezbox.milestones[0].date: ",
                    "must lie strictly between", "targets.kiezbox.old_milestones: unknown key 'old_milestones'")
    assert "Der Katalog" not in proc.stderr  # --lang en: English only


def test_check_refuses_a_history_entry_without_reason(broken_copy: Path) -> None:
    replace_once(broken_copy / "resilient.yaml",
                 "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45,",
                 "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45, valid_from: 2024-01-01, "
                 "reason: {de: neu, en: new}, decided_by: Team, history: [{valid_from: 2022-01-01, target: 60, "
                 "target_date: 2025-12-31, decided_by: Team}],")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy), "--lang", "de")
    assert_reported(proc, "indicators/resilient.yaml [crisis-awareness] targets.kiezbox.history[0].reason: ",
                    "'reason' fehlt")
    assert "missing 'reason'" not in proc.stderr  # --lang de: German only


def test_json_has_every_field(catalog_json: dict[str, Any]) -> None:
    keys = {"cumulative", "effect", "conflicts_with", "references", "evidence_required", "quality"}
    for ind in catalog_json["indicators"]:
        assert keys <= set(ind), ind["id"]
        for t in ind["targets"].values():
            assert {"milestones", "tolerance", "history", "valid_from", "reason", "decided_by"} <= set(t)
    assert "conflicts" in catalog_json


@pytest.mark.parametrize(("lang", "words"), [("de", ("Zeigt den Indikatorenkatalog", "Sprache")),
                                             ("en", ("Show the indicator catalog", "Language"))])
def test_help_in_both_languages(lang: str, words: tuple[str, ...]) -> None:
    proc = run_impact("catalog", "--help", "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    for word in words:
        assert word in proc.stdout
    check = run_impact("catalog", "check", "--help", "--lang", lang)
    assert ("Prüft den Katalog" if lang == "de" else "Check the catalog") in check.stdout


def test_text_output_in_german() -> None:
    proc = run_impact("catalog", "--lang", "de")
    assert proc.returncode == 0, proc.stderr
    assert "Indikatoren" in proc.stdout and "Kennung" in proc.stdout
    ok = run_impact("catalog", "check", "--lang", "de")
    assert ok.stdout.startswith("Katalog in Ordnung:") and "catalog OK" not in ok.stdout


def test_a_key_written_twice_is_refused(broken_copy: Path) -> None:
    replace_once(broken_copy / "resilient.yaml", "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45,",
                 "kiezbox: {baseline: 5, baseline_date: 2022-01-01, target: 45, target: 50,")
    proc = run_impact("catalog", "check", "--catalog", str(broken_copy), "--lang", "en")
    assert_reported(proc, "indicators/resilient.yaml [crisis-awareness] target: line ",
                    "the key 'target' is written twice")


# ---------------------------------------------------------------------------- 0.2 content rules


def test_every_pilot_watches_a_side_effect_grounded_in_the_framework(catalog_json: dict[str, Any]) -> None:
    side = [i for i in catalog_json["indicators"] if i["effect"] == "unintended"]
    assert {p for i in side for p in i["projects"]} == PROJECTS
    for ind in side:
        assert "004 §" in ind["framework_section"], ind["id"]
        for project, t in ind["targets"].items():
            assert t["tolerance"] is not None and t["illustrative"] is True, (ind["id"], project)


def test_trade_offs_milestones_and_a_target_change(catalog_json: dict[str, Any]) -> None:
    assert len(catalog_json["conflicts"]) >= 4
    changed = 0
    for ind in catalog_json["indicators"]:
        for project, t in ind["targets"].items():
            if t["target"] is not None:
                assert t["milestones"], (ind["id"], project)
                assert {m["term"] for m in t["milestones"]} >= {"short", "medium"}, (ind["id"], project)
            if t["history"]:
                changed += 1
                assert t["reason"]["de"] and t["reason"]["en"] and t["decided_by"] and t["valid_from"]
                assert all(v["reason"]["de"] and v["reason"]["en"] for v in t["history"])
    assert changed >= 1


def test_every_cumulative_definition_is_marked(catalog_json: dict[str, Any]) -> None:
    for ind in catalog_json["indicators"]:
        says = "kumuliert" in ind["definition"]["de"]
        assert ind["cumulative"] == says, ind["id"]


def test_references_are_used_sparingly_and_well_formed(catalog_json: dict[str, Any]) -> None:
    refs = {ind["id"]: ind["references"] for ind in catalog_json["indicators"] if ind["references"]}
    assert refs.get("combined-sewer-overflow") == {"sdg": ["6.3.1"]}
    assert len(refs) >= 5
