"""The fast ways of loading the catalog give exactly what the thorough ways give.

* YAML: :func:`parse_yaml` (built from the parser's events) against
  :func:`parse_yaml_reference` (PyYAML's own safe constructor): the same document, the same keys
  written twice in the same order, the same error — on hand-picked edge cases, on every YAML file
  of the repository and on many random documents.
* Targets: a plain target accepted by ``_plain_target`` is the target the full check builds, with
  no problem; ``read_targets`` gives the same targets and the same problems with and without the
  shortcut, on many random targets (good and bad).
* ``Target.plain`` builds the same object as ``Target(...)``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.core.test_catalog import problems

from impact.core.catalog import Project, Target, Text, load_catalog
from impact.core.catalog import targets as targets_module
from impact.core.catalog.reading import Collector
from impact.core.catalog.targets import TargetRules, read_targets
from impact.core.catalog.yamlfile import parse_yaml, parse_yaml_reference

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def outcome(fn: Any, text: str) -> Any:
    """What ``fn(text)`` returns, or the type and text of what it raises (to compare both readers)."""
    try:
        doc, duplicates = fn(text)
    except Exception as exc:  # noqa: BLE001 - any error must be the same error
        return ("raised", type(exc).__name__, str(exc))
    return ("doc", _typed(doc), duplicates)


def _typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out (``1 == 1.0 == True`` must not hide a change)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


EDGE_CASES = [
    "",
    "# only a comment\n",
    "---\n",
    "a: 1\n",
    "a: 1\nb: 2\na: 3\n",
    "a: {x: 1, x: 2}\na: 3\nb: [1, {y: 1, y: 2}]\n",
    "outer:\n  inner: {k: 1, k: 2}\n  inner: 5\nouter: 2\n",
    "1: a\n1.0: b\ntrue: c\n",
    ".nan: 1\n.nan: 2\n",
    "a: .nan\nb: .inf\nc: -.Inf\nd: 0x1F\ne: 0o17\nf: 1_000\ng: 1e3\nh: +12\n",
    "a: yes\nb: No\nc: ~\nd: null\ne:\nf: ''\ng: 'true'\nh: \"1\"\n",
    "d: 2025-01-31\nt: 2025-01-31 10:00:00\nz: 2025-01-31T10:00:00+01:00\nbad: 2025-13-01\ns: '2025-01-31'\n",
    "base: &b {x: 1, y: [1, 2]}\nother: *b\nlist: [*b, *b]\n",
    "s: &s hello\nt: *s\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "merged:\n  <<: [{a: 1}, {b: 2}]\n  a: 3\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float 1\n",
    "a: !custom x\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "&k key: 1\n*k : 2\n",
    "a: *nowhere\n",
    "a: &x 1\nb: &x 2\n",
    "a: &r [1, *r]\n",
    "a: &r {b: *r}\n",
    "- 1\n- 2\n",
    "just a string\n",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a: 'unterminated\n",
    "a:\n\t- tab\n",
    "a: 1\n b: 2\n",
    "a: =\n",
    "= : 1\n",
    "a: <<\n",
    "a: b: c\n",
    "indicators:\n  - id: x\n    targets:\n      p: {baseline: 0, baseline: 1}\n  - id: y\n    name: {de: a, de: b}\n",
    "a: !binary aGVsbG8=\n",
    "a: !!binary aGVsbG8=\n",
    "a: |\n  block\n  text\nb: >\n  folded\n  text\n",
    "a: \"\\u00e4\\t\"\nb: 'it''s'\n",
    "list: [a, [b, [c, {d: [e]}]]]\n",
    "!!map {a: 1}\n",
    "--- !!map\na: 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
    "a: 190:20:30\nb: 0b1010\nc: 012\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_yaml_reader_matches_pyyaml_on_edge_cases(text: str) -> None:
    assert outcome(parse_yaml, text) == outcome(parse_yaml_reference, text)


def test_fast_yaml_reader_matches_pyyaml_on_every_yaml_file_of_the_repository() -> None:
    files = [p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and "node_modules" not in p.parts]
    assert len(files) >= 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert outcome(parse_yaml, text) == outcome(parse_yaml_reference, text), f


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.random()
    if depth > 3 or kind < 0.55:
        return rng.choice([0, 1, -2, 2.5, 1e20, float("inf"), float("nan"), True, False, None, "", "x", "yes",
                           "1", "0x1F", "2025-01-01", dt.date(2024, 2, 29), "a: b", "- c", "ü ß", "=", "<<",
                           "~", "null", "1_000", " lead", "#x", dt.datetime(2025, 1, 1, 12, 30)])
    if kind < 0.8:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["id", "a", "b", "target", "1", "yes", "2025-01-01", 1, 2.0, True, None]):
            _random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _mutate(text: str, rng: random.Random) -> str:
    """The dumped text with a line repeated (a key written twice), removed or garbled, or as is."""
    lines = text.splitlines()
    if not lines:
        return text
    n = rng.randrange(len(lines))
    choice = rng.random()
    if choice < 0.3:
        lines.insert(n, lines[n])
    elif choice < 0.4:
        del lines[n]
    elif choice < 0.5:
        lines[n] = lines[n].replace(":", "", 1)
    elif choice < 0.55:
        lines[n] = "  " + lines[n]
    return "\n".join(lines) + "\n"


def test_fast_yaml_reader_matches_pyyaml_on_random_documents() -> None:
    rng = random.Random(16)
    for _ in range(600):
        doc = {"indicators": [_random_value(rng, 1) for _ in range(rng.randint(0, 3))],
               **{f"k{n}": _random_value(rng, 1) for n in range(rng.randint(0, 3))}}
        shared = _random_value(rng, 2)
        if isinstance(shared, (list, dict)):
            doc["again"] = [shared, shared]  # dumped with an anchor and an alias
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=rng.choice([None, False, True]))
        text = _mutate(text, rng)
        assert outcome(parse_yaml, text) == outcome(parse_yaml_reference, text), text


# ---------------------------------------------------------------------------- targets


def test_plain_target_is_the_target_built_field_by_field() -> None:
    args = (0.0, dt.date(2022, 1, 1), 1000.0, dt.date(2025, 12, 31), False)
    fast, slow = Target.plain(*args), Target(*args)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert list(vars(fast).items()) == list(vars(slow).items())
    assert Target.plain(*args[:4]) == Target(*args[:4])


PROJECT = Project("p", Text("P", "P"), Text("", ""), "s", "lead", dt.date(2020, 1, 1), dt.date(2030, 1, 1))
NUMBERS = [0, 1, 5, 100, 1000, -3, 0.5, 1e7, 5.0]
BAD_NUMBERS = [float("nan"), float("inf"), True, None, "5", [1]]
DATES = ["2022-01-01", "2025-12-31", "2030-06-30", dt.date(2021, 1, 1), dt.date(2026, 1, 1),
         dt.datetime(2027, 1, 1, 10)]
BAD_DATES = ["2022-1-1", "20250101", "soon", None, 2025, dt.time(1, 2)]


def _pick(rng: random.Random, good: list[Any], bad: list[Any]) -> Any:
    return rng.choice(bad if rng.random() < 0.1 else good)


def _random_target(rng: random.Random) -> dict[str, Any]:
    t: dict[str, Any] = {"baseline": _pick(rng, NUMBERS, BAD_NUMBERS), "baseline_date": _pick(rng, DATES, BAD_DATES),
                         "target": _pick(rng, NUMBERS, BAD_NUMBERS), "target_date": _pick(rng, DATES, BAD_DATES)}
    for key in list(t):
        if rng.random() < 0.05:
            del t[key]
    if rng.random() < 0.3:
        t["illustrative"] = rng.choice([True, False, None, "no", 1])
    if rng.random() < 0.1:
        t[rng.choice(["band", "milestones", "tolerance", "valid_from", "typo", "history"])] = rng.choice(
            [[1, 2], [{"date": "2023-01-01", "value": 10}], {"limit": 5, "date": "2023-01-01"}, "2023-01-01", 3])
    return t


def _rules(rng: random.Random) -> TargetRules:
    return TargetRules(rng.choice(["higher_is_better", "higher_is_better", "lower_is_better", "target_band", None]),
                       rng.choice([None, 0.0, 10.0]), rng.choice([None, 100.0, 1e6]),
                       rng.random() < 0.15, rng.random() < 0.3)


def _read(raw: Any, rules: TargetRules, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Any]]:
    col = Collector(Path("/catalog"))
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(targets_module, "_plain_target", lambda t, rules: None)
        out = read_targets(raw, col.spot(Path("/catalog/x.yaml"), "ind"), rules, {"p": PROJECT, "q": PROJECT})
    return out, col.problems


def test_read_targets_is_the_same_with_and_without_the_plain_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    accepted = 0
    for _ in range(4000):
        rules = _rules(rng)
        raw = {"p": _random_target(rng), "q": _random_target(rng)}
        fast = _read(raw, rules, True, monkeypatch)
        assert fast == _read(raw, rules, False, monkeypatch), (raw, rules)
        for t in raw.values():
            plain = targets_module._plain_target(t, rules)
            if plain is not None:
                accepted += 1
                assert list(vars(plain).items()) == list(vars(fast[0]["p" if t is raw["p"] else "q"]).items())
    assert accepted > 150  # the shortcut was really taken, not only the full check


def test_catalog_is_the_same_with_and_without_the_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_catalog(ROOT / "indicators")
    with monkeypatch.context() as m:
        m.setattr(targets_module, "_plain_target", lambda t, rules: None)
        m.setattr("impact.core.catalog.yamlfile.parse_yaml", parse_yaml_reference)
        slow = load_catalog(ROOT / "indicators")
    assert fast == slow and fast.to_json() == slow.to_json()


# ---------------------------------------------------------------------------- targets shared by an alias


def _write_sharing(catalog_dir: Path, share: tuple[str, ...], targets: dict[str, Any], aliases: bool) -> None:
    """The tiny catalog with the indicators ``share`` all given the same ``targets`` object (written
    once with an anchor and then as aliases, or written out each time); test-users and
    test-open-share have the same rules, so that the second may reuse what was checked for the first."""
    f = catalog_dir / "indicators.yaml"
    doc = yaml.safe_load((FIXTURES / "catalog_min" / "indicators.yaml").read_text(encoding="utf-8"))
    for item in doc["indicators"]:
        if item["id"] in share:
            item["targets"] = targets
        if item["id"] == "test-open-share":
            item["max"] = 100000  # the same rules as test-users (direction and range)
    dumper = yaml.SafeDumper if aliases else type("NoAliases", (yaml.SafeDumper,), {
        "ignore_aliases": lambda self, data: True})
    text = yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False)
    assert ("*id001" in text) == aliases
    f.write_text(text, encoding="utf-8")


def test_targets_shared_by_an_alias_give_the_same_catalog(min_catalog_dir: Path) -> None:
    shared = {"kiezbox": {"baseline": 1, "baseline_date": "2022-01-01", "target": 90, "target_date": "2025-12-31"},
              "smart-water": {"baseline": 5, "baseline_date": "2022-01-01", "target": 60, "target_date": "2025-12-31",
                              "milestones": [{"date": "2024-01-01", "value": 30}]}}
    share = ("test-users", "test-open-share", "test-outage-hours")  # the last one points the other way
    _write_sharing(min_catalog_dir, share, shared, aliases=False)
    written_out = problems(min_catalog_dir)
    _write_sharing(min_catalog_dir, share, shared, aliases=True)
    aliased = problems(min_catalog_dir)
    assert aliased == written_out
    assert [p for p in aliased if "[test-outage-hours] targets.kiezbox.target:" in p], aliased

    share = ("test-users", "test-open-share")
    _write_sharing(min_catalog_dir, share, shared, aliases=False)
    written = load_catalog(min_catalog_dir)
    _write_sharing(min_catalog_dir, share, shared, aliases=True)
    cat = load_catalog(min_catalog_dir)
    assert cat.to_json()["indicators"] == written.to_json()["indicators"]
    users, share_ = cat.indicators["test-users"].targets, cat.indicators["test-open-share"].targets
    assert users == share_ and users is not share_ and set(users) == {"kiezbox", "smart-water"}


def test_a_problem_in_shared_targets_is_reported_for_each_indicator(min_catalog_dir: Path) -> None:
    shared = {"kiezbox": {"baseline": 1, "baseline_date": "2022-01-01", "target": 1, "target_date": "2025-12-31"}}
    _write_sharing(min_catalog_dir, ("test-users", "test-open-share"), shared, aliases=True)
    found = problems(min_catalog_dir)
    for ident in ("test-users", "test-open-share"):
        assert any(f"[{ident}] targets.kiezbox.target:" in p and "target equals baseline" in p for p in found), found
