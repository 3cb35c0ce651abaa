"""The framework's impact logic in the engine: milestones on the path, target changes that never
rewrite past progress, tolerances of side effects (not scored), trade-off pairs, and the export.

Targets are the catalog's own ``Target`` objects (milestones, history, ``at()``, ``original``,
tolerance), built directly and put into a loaded test catalog."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import frictionless
import pytest

from engine.helpers import indicator_yaml, quarterly, value_rows, write_catalog
from impact.core.catalog import Catalog
from impact.core.catalog import Target as Tgt
from impact.engine.evaluation import evaluate
from impact.engine.export import export_tables, write_export
from impact.engine.story import status_sentence

D = dt.date
T = "{baseline: 0, baseline_date: 2022-01-01, target: 100, target_date: 2025-12-31}"
TEXT = SimpleNamespace(de="Neue Datenlage", en="New evidence", get=lambda lang: "Neue Datenlage" if lang == "de"
                       else "New evidence")


class _Catalog(Catalog):
    """The test catalog with declared trade-off pairs (``conflicts``)."""

    def conflicts(self, project_id: str | None = None) -> tuple[Any, ...]:
        return (SimpleNamespace(indicator="good", other="side", note=TEXT),)


def _catalog(cat_dir: Path, targets: dict[str, Any], effects: dict[str, str] | None = None,
             references: dict[str, Any] | None = None) -> Catalog:
    down = "{baseline: 100, baseline_date: 2022-01-01, target: 0, target_date: 2025-12-31}"
    loaded = write_catalog(cat_dir, [indicator_yaml(i, direction="lower_is_better", targets={"kiezbox": down})
                                     if i == "side" else indicator_yaml(i, targets={"kiezbox": T}) for i in targets])
    inds = {}
    for ident, target in targets.items():
        ind = dataclasses.replace(loaded.indicators[ident], targets={"kiezbox": target})
        for name, value in (("effect", (effects or {}).get(ident, "intended")),
                            ("references", (references or {}).get(ident, {}))):
            object.__setattr__(ind, name, value)
        inds[ident] = ind
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded)}
    return _Catalog(**{**fields, "indicators": inds, "_by_project": {}})


def _row(ev: Any, ident: str) -> Any:
    return ev.indicators.set_index("indicator_id").loc[ident]


def test_milestones_shape_expected_progress_and_status(cat_dir: Path) -> None:
    steep = Tgt(0.0, D(2024, 1, 1), 100.0, D(2025, 12, 31),
                milestones=(SimpleNamespace(date=D(2024, 6, 30), value=80.0, term="short"),))
    cat = _catalog(cat_dir, {"a": steep, "b": Tgt(0.0, D(2024, 1, 1), 100.0, D(2025, 12, 31))})
    v = value_rows([{"project": "kiezbox", "indicator": i, "period": "2024-Q2", "value": 40} for i in "ab"])
    ev = evaluate(cat, v, D(2024, 8, 15))
    a, b = _row(ev, "a"), _row(ev, "b")
    assert a["expected_progress"] == pytest.approx(0.8) and a["expected_value"] == pytest.approx(80.0)
    assert a["status"] == "off_track"  # 0.40 < 0.80 − 0.25: the milestone asked for more by June
    assert b["status"] == "on_track"   # the straight line expected about a quarter by then


def _changed() -> Tgt:
    old = SimpleNamespace(valid_from=D(2022, 1, 1), target=100.0, target_date=D(2025, 12, 31), band=None,
                          milestones=(), reason=TEXT, decided_by="Lenkungskreis")
    return Tgt(0.0, D(2022, 1, 1), 60.0, D(2025, 12, 31), valid_from=D(2024, 7, 1), reason=TEXT,
               decided_by="Steuerungsrunde", history=(old,))


def test_a_changed_target_never_rewrites_past_progress(cat_dir: Path) -> None:
    cat = _catalog(cat_dir, {"a": _changed()})
    v = value_rows([{"project": "kiezbox", "indicator": "a", "period": "2024-Q1", "value": 30,
                     "received": "2024-04-20"}])
    before = _row(evaluate(cat, v, D(2024, 5, 1), known_at=D(2024, 5, 1)), "a")
    assert (before["target"], before["progress"], bool(before["target_changed"])) == (100.0, pytest.approx(0.3), False)
    # the same report re-run today, after the change: still judged against the target then valid
    again = _row(evaluate(cat, v, D(2024, 5, 1)), "a")
    assert (again["target"], again["progress"]) == (100.0, pytest.approx(0.3))
    after = _row(evaluate(cat, v, D(2025, 1, 10)), "a")
    assert (after["target"], after["progress"], after["target_original"], after["progress_original"]) == (
        60.0, pytest.approx(0.5), 100.0, pytest.approx(0.3))
    assert bool(after["target_changed"])


def test_side_effect_tolerance_status_and_not_scored(cat_dir: Path) -> None:
    tol = SimpleNamespace(limit=12.0, date=D(2024, 1, 1), note=None)
    side = Tgt(10.0, D(2022, 1, 1), None, D(2026, 12, 31), tolerance=tol)
    cat = _catalog(cat_dir, {"good": Tgt(0.0, D(2022, 1, 1), 100.0, D(2026, 12, 31)), "side": side},
                   effects={"side": "unintended"})
    rows = quarterly("kiezbox", "good", "2025-Q1", [40, 50, 60, 70]) + quarterly("kiezbox", "side", "2025-Q1",
                                                                                  [10, 11, 12, 13])
    ev = evaluate(cat, value_rows(rows), D(2026, 2, 15))
    side_row, good = _row(ev, "side"), _row(ev, "good")
    assert side_row["effect"] == "unintended" and side_row["tolerance"] == 12.0
    assert side_row["tolerance_status"] == "crossed" and side_row["status"] is None
    assert status_sentence(side_row, "de") == "Nebenwirkung jenseits ihrer Toleranzgrenze"
    assert good["tolerance_status"] is None and good["effect"] == "intended"
    overall = ev.scores[(ev.scores["scope"] == "kiezbox") & (ev.scores["group_type"] == "overall")].iloc[0]
    assert overall["n_indicators"] == 1  # the side effect is not scored
    within = evaluate(cat, value_rows(rows[:6]), D(2026, 2, 15))  # side effect at 11
    assert _row(within, "side")["tolerance_status"] == "within"
    # trade-off: the intended series improves while the side effect (lower is better) worsens
    t = ev.tradeoffs
    assert list(t.columns) == ["project_id", "indicator_id", "other_id", "change", "other_change", "diverging"]
    assert t.iloc[0].to_dict() == {"project_id": "kiezbox", "indicator_id": "good", "other_id": "side",
                                   "change": "improving", "other_change": "worsening", "diverging": True}
    js = ev.to_json()
    assert js["projects"]["kiezbox"]["tradeoffs"][0]["diverging"] is True
    json.dumps(js, allow_nan=False)


def test_export_carries_effect_tolerance_milestones_history_and_references(cat_dir: Path, tmp_path: Path) -> None:
    tol = SimpleNamespace(limit=12.0, date=D(2024, 1, 1), note=None)
    changed = dataclasses.replace(_changed(), milestones=(SimpleNamespace(date=D(2024, 12, 31), value=30.0,
                                                                          term="short"),))
    cat = _catalog(cat_dir, {"good": changed, "side": Tgt(10.0, D(2022, 1, 1), None, D(2026, 12, 31), tolerance=tol)},
                   effects={"side": "unintended"}, references={"good": {"sdg": ("11.3.2",)}})
    v = value_rows(quarterly("kiezbox", "good", "2025-Q1", [40, 50]) + quarterly("kiezbox", "side", "2025-Q1", [10, 13]))
    ev = evaluate(cat, v, D(2025, 9, 1))
    tables = export_tables(ev, v, cat)
    targets = tables["targets"]
    assert list(targets["version"]) == [1, 2, 1] and list(targets["current"]) == [False, True, True]
    assert targets.iloc[1]["reason_de"] == "Neue Datenlage" and targets.iloc[1]["decided_by"] == "Steuerungsrunde"
    assert targets.iloc[2]["tolerance"] == 12.0 and targets.iloc[2]["effect"] == "unintended"
    assert math.isnan(targets.iloc[2]["target"])
    assert tables["milestones"].to_dict("records") == [{"project_id": "kiezbox", "indicator_id": "good", "version": 2,
                                                        "date": "2024-12-31", "value": 30.0, "term": "short"}]
    assert tables["references"].to_dict("records") == [{"indicator_id": "good", "scheme": "sdg",
                                                        "reference": "11.3.2"}]
    scores = tables["indicator_scores"].set_index("indicator_id")
    assert scores.loc["side", "tolerance_status"] == "crossed" and scores.loc["good", "target_original"] == 100.0
    out = tmp_path / "pkg"
    write_export(tables, out, "datapackage", as_of=ev.as_of, known_at="2025-09-01T10:00:00Z")
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["known_at"] == "2025-09-01T10:00:00Z" and pkg["as_of"] == "2025-09-01"
    assert {r["name"] for r in pkg["resources"]} >= {"targets", "milestones", "references", "tradeoffs"}


def test_series_and_export_carry_quality_evidence_and_review_state(cat_dir: Path) -> None:
    cat = _catalog(cat_dir, {"good": Tgt(0.0, D(2022, 1, 1), 100.0, D(2026, 12, 31))})
    v = value_rows(quarterly("kiezbox", "good", "2025-Q1", [40, 50]) + [
        {"project": "kiezbox", "indicator": "good", "period": "2025-Q2", "value": 7, "breakdown": "district",
         "breakdown_value": "mitte"}])
    v = v.assign(quality=["counted", "estimated", "counted"], evidence=["https://example.org/a", None, None],
                 review_state=["approved", "pending", "queried"])
    ev = evaluate(cat, v, D(2025, 9, 1))
    assert list(ev.series["quality"]) == ["counted", "estimated"]
    assert list(ev.series["review_state"]) == ["approved", "pending"]
    assert ev.series["evidence"].iloc[0] == "https://example.org/a"
    assert ev.breakdowns["review_state"].tolist() == ["queried"]
    values = export_tables(ev, v, cat)["values"]
    assert {"quality", "evidence", "review_state"} <= set(values.columns)
    assert sorted(values["review_state"]) == ["approved", "pending", "queried"]
    # a store without these columns: empty, not an error
    plain = evaluate(cat, v.drop(columns=["quality", "evidence", "review_state"]), D(2025, 9, 1))
    assert plain.series["quality"].isna().all()


def test_export_of_quality_evidence_and_state_is_formula_safe_and_a_valid_package(cat_dir: Path,
                                                                                 tmp_path: Path) -> None:
    cat = _catalog(cat_dir, {"good": Tgt(0.0, D(2022, 1, 1), 100.0, D(2026, 12, 31))})
    v = value_rows(quarterly("kiezbox", "good", "2025-Q1", [40, 50]))
    v = v.assign(quality=["measured", "proxy"], evidence=['=HYPERLINK("http://evil.example","x")', "Akte 4/2025"],
                 review_state=["approved", "queried"])
    ev = evaluate(cat, v, D(2025, 9, 1))
    tables = export_tables(ev, v, cat)
    out = tmp_path / "pkg"
    write_export(tables, out, "datapackage", as_of=ev.as_of, known_at="2025-09-01T10:00:00Z")
    csv_text = (out / "values.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    assert "proxy" in csv_text and "queried" in csv_text and "Akte 4/2025" in csv_text
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in pkg["resources"] if r["name"] == "values" for f in r["schema"]["fields"]}
    assert fields["quality"]["constraints"]["enum"] == ["measured", "counted", "surveyed", "estimated", "proxy"]
    assert {"quality", "evidence", "review_state"} <= {n for n, f in fields.items() if "description" in f}
    # a grade outside the catalog's list is caught by the package's own schema
    (out / "values.csv").write_text(csv_text.replace("proxy", "guessed"), encoding="utf-8")
    assert not frictionless.validate(str(out / "datapackage.json")).valid
