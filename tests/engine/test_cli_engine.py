"""``impact scores`` and ``impact export`` on a REAL store (filled through impact.store.ingest)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import frictionless
import pandas as pd
import pytest
from click.testing import CliRunner

from impact.cli import cli
from impact.core.catalog import Catalog
from impact.core.i18n import format_percent
from impact.engine.evaluation import evaluate
from impact.store.ingest import ingest_file
from impact.store.store import Store

# min catalog: kiezbox/test-users 0 → 1000, smart-water/test-users 100 → 500, kiezbox/test-outage-hours 40 → 10
SUBMISSION = """\
project_id,indicator_id,period,value,note
kiezbox,test-users,2026-Q2,0,at baseline
smart-water,test-users,2026-Q2,500,at target
kiezbox,test-outage-hours,2026-09,25,halfway (lower is better)
"""


def _today_utc() -> str:
    """The pinned day: tests/conftest.py pins both "today" and the receipt clock (IMPACT_NOW) to it,
    so results do not drift as the real date moves on (values would turn stale)."""
    return os.environ["IMPACT_TODAY"]


@pytest.fixture()
def store(tmp_path: Path, min_catalog: Catalog) -> Store:
    st = Store(tmp_path / "store")
    src = tmp_path / "einreichung.csv"
    src.write_text(SUBMISSION, encoding="utf-8")
    result = ingest_file(src, st, min_catalog)
    assert result.status == "accepted", result.report.to_text("en")
    return st


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_scores_json_baseline_target_halfway(store: Store, min_catalog_dir: Path) -> None:
    code, out, _ = run("scores", "--format", "json", "--store", str(store.path), "--catalog", str(min_catalog_dir),
                       "--as-of", _today_utc())
    assert code == 0
    js = json.loads(out)
    assert set(js) == {"as_of", "known_at", "projects", "portfolio"} and js["as_of"] == _today_utc()
    assert js["known_at"] == "2026-11-21T12:00:00Z"  # default: now (the pinned clock), the exact instant
    progress = {(pid, i["id"]): (i["progress"], i["progress_raw"])
                for pid, p in js["projects"].items() for i in p["indicators"]}
    assert progress[("kiezbox", "test-users")] == (0.0, 0.0)
    assert progress[("smart-water", "test-users")] == (1.0, 1.0)
    assert progress[("kiezbox", "test-outage-hours")] == (0.5, 0.5)
    assert progress[("kiezbox", "test-satisfaction")] == (None, None)  # no data: null, not 0
    kb = js["projects"]["kiezbox"]
    # kiezbox: 2 of 3 indicators with data, mean of 0 and 0.5
    assert kb["overall"]["score"] == pytest.approx(0.25) and kb["overall"]["coverage"] == pytest.approx(2 / 3)
    for key in ("guiding_ideas", "principles"):
        for g in kb[key].values():
            assert set(g) >= {"score", "coverage"}
    pf = js["portfolio"]
    assert pf["overall"]["score"] == pytest.approx(0.5) and pf["overall"]["coverage"] == pytest.approx(3 / 5)
    ind = kb["indicators"][0]
    assert set(ind) >= {"id", "period", "value", "baseline", "target", "progress", "progress_raw", "status",
                        "trend", "forecast"}


def test_scores_for_one_project_and_as_of_the_past(store: Store, min_catalog_dir: Path) -> None:
    code, out, _ = run("scores", "--format", "json", "--project", "smart-water", "--store", str(store.path),
                       "--catalog", str(min_catalog_dir), "--as-of", _today_utc())
    js = json.loads(out)
    assert code == 0 and list(js["projects"]) == ["smart-water"]
    assert js["portfolio"]["overall"]["n_indicators"] == 5  # the portfolio still covers all projects
    # before any reported period started nothing counts
    code, out, _ = run("scores", "--format", "json", "--store", str(store.path), "--catalog", str(min_catalog_dir),
                       "--as-of", "2026-01-01")
    js = json.loads(out)
    assert code == 0 and js["portfolio"]["overall"] == {"score": None, "coverage": 0.0, "n_indicators": 5,
                                                        "n_with_data": 0}


def test_scores_text_german_and_english(store: Store, min_catalog_dir: Path) -> None:
    code, out, _ = run("scores", "--store", str(store.path), "--catalog", str(min_catalog_dir), "--as-of",
                       _today_utc(), "--project", "kiezbox")
    assert code == 0
    assert "Fortschritt" in out and "Abdeckung" in out and "keine Daten" in out
    assert format_percent(0.5, "de") in out
    code, out, _ = run("scores", "--store", str(store.path), "--catalog", str(min_catalog_dir), "--as-of",
                       _today_utc(), "--project", "kiezbox", "--lang", "en")
    assert code == 0 and "Progress" in out and "coverage" in out and "no data" in out


@pytest.mark.parametrize("args, needle", [
    (["--as-of", "31.12.2025"], "YYYY-MM-DD"),
    (["--as-of", "2025-13-01"], "JJJJ-MM-TT"),
    (["--project", "atlantis"], "Unknown project 'atlantis'"),
])
def test_scores_usage_errors_exit_2(store: Store, min_catalog_dir: Path, args: list[str], needle: str) -> None:
    code, _, err = run("scores", "--store", str(store.path), "--catalog", str(min_catalog_dir), *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_scores_missing_store_exit_2(tmp_path: Path, min_catalog_dir: Path) -> None:
    code, _, err = run("scores", "--store", str(tmp_path / "nope"), "--catalog", str(min_catalog_dir))
    assert code == 2 and "Store not found" in err and "Speicher nicht gefunden" in err


def test_scores_broken_catalog_exit_1(store: Store, tmp_path: Path) -> None:
    code, _, err = run("scores", "--store", str(store.path), "--catalog", str(tmp_path / "no-catalog"))
    assert code == 1 and "catalog" in err


def test_export_datapackage_is_valid_frictionless(store: Store, min_catalog_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "open-data"
    code, stdout, _ = run("export", "--format", "datapackage", "--out", str(out), "--store", str(store.path),
                          "--catalog", str(min_catalog_dir), "--as-of", _today_utc())
    assert code == 0 and "datapackage.json" in stdout
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in pkg["resources"]}
    assert names == {"values", "indicator-scores", "group-scores", "ladder", "completeness", "tradeoffs", "targets",
                     "milestones", "references"}
    assert pkg["as_of"] == _today_utc() and pkg["known_at"] == "2026-11-21T12:00:00Z"
    values_csv = (out / "values.csv").read_text(encoding="utf-8")
    header = values_csv.splitlines()[0].split(",")
    assert "token_id" not in header and "file_name" not in header and "value" in header
    assert len(values_csv.splitlines()) == 4
    fields = {f["name"]: f["type"] for f in pkg["resources"][0]["schema"]["fields"]}
    assert fields["value"] == "number" and fields["received_at"] == "datetime" and fields["period_start"] == "date"


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("parquet", ".parquet")])
def test_export_csv_and_parquet(store: Store, min_catalog_dir: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    import pandas as pd

    out = tmp_path / fmt
    code, _, _ = run("export", "--format", fmt, "--out", str(out), "--store", str(store.path),
                     "--catalog", str(min_catalog_dir), "--as-of", _today_utc(), "--lang", "en")
    assert code == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{t}{suffix}" for t in ("values", "indicator_scores", "group_scores", "ladder",
                                                    "completeness", "tradeoffs", "targets", "milestones",
                                                    "references"))
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    ind = read(out / f"indicator_scores{suffix}")
    got = {(r.project_id, r.indicator_id): r.progress for r in ind.itertuples()}
    assert got[("kiezbox", "test-outage-hours")] == pytest.approx(0.5)


def test_export_unwritable_out_exit_2(store: Store, min_catalog_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run("export", "--out", str(blocker / "sub"), "--store", str(store.path),
                       "--catalog", str(min_catalog_dir), "--as-of", _today_utc())
    assert code == 2 and "export" in err.lower() and "Traceback" not in err


@pytest.mark.slow
def test_real_process_scores_json(store: Store, min_catalog_dir: Path) -> None:
    impact = Path(sys.executable).with_name("impact")
    proc = subprocess.run([str(impact), "scores", "--format", "json", "--store", str(store.path), "--catalog",
                           str(min_catalog_dir), "--as-of", _today_utc()], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)
    assert js["projects"]["smart-water"]["indicators"][0]["progress"] == 1.0


def test_rerun_for_a_past_date_on_a_real_store(tmp_path: Path, min_catalog: Catalog, min_catalog_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that keeps growing after the reporting date: `impact scores` and `impact export`
    for that date give exactly the same numbers as they did on the day (receipt clock pinned)."""
    st = Store(tmp_path / "store")
    monkeypatch.setenv("IMPACT_NOW", "2026-10-01T09:00:00+00:00")
    first = tmp_path / "erste.csv"
    first.write_text(SUBMISSION, encoding="utf-8")
    assert ingest_file(first, st, min_catalog).status == "accepted"
    common = ["--store", str(st.path), "--catalog", str(min_catalog_dir)]

    def snapshot(day: str, out: Path) -> tuple[str, dict[str, str]]:
        code, scores_out, err = run("scores", "--format", "json", "--as-of", day, "--known-at", day, *common)
        assert code == 0, err
        code, _, err = run("export", "--format", "csv", "--out", str(out), "--as-of", day, "--known-at", day,
                           *common)
        assert code == 0, err
        return scores_out, {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}

    then = snapshot("2026-10-05", tmp_path / "then")
    hash_then = st.content_hash(dt.date(2026, 10, 5))
    # after the reporting date: a correction of a known value and a value for a new period
    monkeypatch.setenv("IMPACT_NOW", "2026-10-20T09:00:00+00:00")
    later = tmp_path / "korrektur.csv"
    later.write_text("project_id;indicator_id;period;value\nkiezbox;test-users;2026-Q2;900\n"
                     "kiezbox;test-users;2026-Q3;950\n", encoding="utf-8")
    res = ingest_file(later, st, min_catalog)
    assert res.status == "accepted", res.report.to_text("en")

    again = snapshot("2026-10-05", tmp_path / "again")
    assert again == then
    assert st.content_hash(dt.date(2026, 10, 5)) == hash_then
    now_json, _ = snapshot("2026-10-20", tmp_path / "now")
    users = {(pid, i["id"]): i for pid, p in json.loads(now_json)["projects"].items() for i in p["indicators"]}
    assert users[("kiezbox", "test-users")]["value"] == 950.0
    assert json.loads(then[0])["projects"]["kiezbox"]["indicators"][0]["value"] == 0.0


def test_sample_data_ingested_today_for_last_years_reference_date(sample_store: Path, catalog: Catalog) -> None:
    """The issue's acceptance: the samples, all ingested "today" (2026-11-21), evaluated for the
    reference date 31 Dec 2025 have values, progress and status; with the knowledge date yesterday
    nothing had arrived yet."""
    common = ["--store", str(sample_store), "--catalog", str(Path(__file__).resolve().parents[2] / "indicators"),
              "--format", "json", "--as-of", "2025-12-31"]
    code, out, err = run("scores", *common)
    assert code == 0, err
    rows = [i for p in json.loads(out)["projects"].values() for i in p["indicators"]]
    dated = [i for i in rows if i["period"] and i["period"].startswith("2025")
             and not catalog.indicators[i["id"]].unintended]  # a side effect has a tolerance, no progress
    assert dated and all(i["value"] is not None and i["progress"] is not None and i["status"] != "no_data"
                         for i in dated)
    assert all(i["period"] is None or i["period"][:4] <= "2025" for i in rows)  # nothing after the reference date
    code, out, err = run("scores", *common, "--known-at", "2026-11-20")
    assert code == 0, err
    js = json.loads(out)
    assert js["known_at"] == "2026-11-20T23:59:59.999999Z"
    assert all(i["value"] is None and i["status"] == "no_data" for p in js["projects"].values()
               for i in p["indicators"])


def test_sample_data_cumulative_forecasts_never_below_the_last_value(sample_store: Path, catalog: Catalog) -> None:
    """Issue 11's acceptance on the shipped catalog and samples: every cumulative indicator's forecast
    and band lie at or above its last value."""
    cumulative = {i for i, ind in catalog.indicators.items() if getattr(ind, "cumulative", False)}
    assert cumulative, "the catalog marks its cumulative counts"
    code, out, err = run("scores", "--store", str(sample_store), "--format", "json", "--catalog",
                         str(Path(__file__).resolve().parents[2] / "indicators"))
    assert code == 0, err
    rows = [i for p in json.loads(out)["projects"].values() for i in p["indicators"] if i["id"] in cumulative]
    forecast = [i for i in rows if i["forecast"]["value"] is not None]
    assert forecast, "some cumulative indicator of the samples has a forecast"
    for i in forecast:
        assert i["value"] is not None
        low, value, high = i["forecast"]["low"], i["forecast"]["value"], i["forecast"]["high"]
        assert i["value"] <= low <= value <= high, i


def _graded_frame() -> pd.DataFrame:
    """A validated submission as the intake hands it over, with a quality grade and evidence."""
    return pd.DataFrame([{"row": 2, "project_id": "kiezbox", "indicator_id": "test-users", "period": "2026-Q3",
                          "period_start": dt.date(2026, 7, 1), "period_end": dt.date(2026, 9, 30), "value": 100.0,
                          "unit": "count", "breakdown": "", "breakdown_value": "", "note": None, "source": None,
                          "quality": "counted", "evidence": '=HYPERLINK("http://evil.example","Beleg")'}])


def test_series_and_export_carry_the_stores_quality_evidence_and_review_state(
        store: Store, min_catalog: Catalog, min_catalog_dir: Path, tmp_path: Path) -> None:
    """Issue 13 item 5 on a real store: an approved value, a queried one, pending ones; quality and
    evidence as stored (empty for a file without them); evidence formula-safe in the CSV."""
    store.append(b"graded submission", "nachweis.csv", _graded_frame())
    store.approve("smart-water", "2026-Q2", by="auswertung")
    store.ask("kiezbox", "test-outage-hours", "2026-09", "Stimmt der Wert?", by="auswertung")
    ev = evaluate(min_catalog, store.values(), dt.date.fromisoformat(_today_utc()))
    series = {(r.project_id, r.indicator_id, r.period): r for r in ev.series.itertuples()}
    graded, plain = series[("kiezbox", "test-users", "2026-Q3")], series[("kiezbox", "test-users", "2026-Q2")]
    assert (graded.quality, graded.review_state) == ("counted", "pending") and graded.evidence.startswith("=HYPER")
    assert pd.isna(plain.quality) and pd.isna(plain.evidence)
    assert series[("smart-water", "test-users", "2026-Q2")].review_state == "approved"
    assert series[("kiezbox", "test-outage-hours", "2026-09")].review_state == "queried"
    out = tmp_path / "export"
    code, _, err = run("export", "--format", "csv", "--out", str(out), "--store", str(store.path),
                       "--catalog", str(min_catalog_dir), "--as-of", _today_utc(), "--known-at", _today_utc(),
                       "--lang", "en")  # the end of the pinned day: the pinned clock stamps the review after "now"
    assert code == 0, err
    with (out / "values.csv").open(encoding="utf-8", newline="") as fh:
        rows = {(r["project_id"], r["indicator_id"], r["period"]): r for r in csv.DictReader(fh)}
    assert {k: r["review_state"] for k, r in rows.items()} == {
        ("kiezbox", "test-users", "2026-Q2"): "pending", ("kiezbox", "test-users", "2026-Q3"): "pending",
        ("smart-water", "test-users", "2026-Q2"): "approved", ("kiezbox", "test-outage-hours", "2026-09"): "queried"}
    assert rows[("kiezbox", "test-users", "2026-Q3")]["quality"] == "counted"
    assert rows[("kiezbox", "test-users", "2026-Q3")]["evidence"] == '\'=HYPERLINK("http://evil.example","Beleg")'
    assert rows[("kiezbox", "test-users", "2026-Q2")]["quality"] == ""
