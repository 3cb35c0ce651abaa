"""``ingest_bytes`` / ``ingest_file`` as the portal and the reports use them (in-process, real validation)."""

from __future__ import annotations

import json
from pathlib import Path

from impact.core.catalog import Catalog
from impact.store.ingest import ingest_bytes, ingest_file, worst_exit_code  # noqa: E402
from impact.store.store import Store, sha256_hex

HEADER = "project_id,indicator_id,period,value\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(f"{r}\n" for r in rows)).encode()


def test_token_id_is_recorded_in_ledger_and_rows(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    r = ingest_bytes(csv("kiezbox,test-users,2024-Q1,5"), "portal.csv", store, min_catalog, token_id="tok-kiez-1",
                     only_project="kiezbox")
    assert (r.status, r.exit_code, r.rows) == ("accepted", 0, 1)
    assert r.submission_id == sha256_hex(csv("kiezbox,test-users,2024-Q1,5"))
    assert r.received_at is not None and r.quarantine_dir is None and r.report.valid
    assert set(store.values()["token_id"]) == {"tok-kiez-1"}
    assert store.ledger()["token_id"].tolist() == ["tok-kiez-1"]
    assert "1 Zeile(n)" in r.summary("de") and "1 row(s)" in r.summary("en")
    assert r.to_json("en")["status"] == "accepted"


def test_only_project_rejects_other_projects(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    data = csv("kiezbox,test-users,2024-Q1,5", "smart-water,test-users,2024-Q1,7")
    r = ingest_bytes(data, "portal.csv", store, min_catalog, token_id="tok-kiez-1", only_project="kiezbox")
    assert (r.status, r.exit_code) == ("rejected", 1)
    assert [p.code for p in r.report.errors] == ["project_not_allowed"]
    assert r.report.errors[0].row == 3
    info = json.loads((r.quarantine_dir / "errors.json").read_text())
    assert info["token_id"] == "tok-kiez-1" and info["errors"][0]["row"] == 3
    assert store.submission_ids() == []


def test_history_reaches_validation(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    rows = [f"kiezbox,test-outage-hours,2024-{m:02d},{v}" for m, v in zip(range(1, 7), (10, 11, 12, 10, 11, 12), strict=True)]
    assert ingest_bytes(csv(*rows), "h.csv", store, min_catalog).status == "accepted"
    r = ingest_bytes(csv("kiezbox,test-outage-hours,2024-07,700"), "jump.csv", store, min_catalog)
    assert r.status == "accepted"  # a warning, not an error
    assert [w.code for w in r.report.warnings] == ["implausible_jump"]
    assert json.loads(store.ledger_path.read_text().splitlines()[-1])["warnings"] == 1
    assert "1 Hinweis(e)" in r.summary("de")


def test_duplicate_and_correction_via_library(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    first = ingest_bytes(csv("kiezbox,test-users,2024-Q1,5"), "a.csv", store, min_catalog)
    again = ingest_bytes(csv("kiezbox,test-users,2024-Q1,5"), "b.csv", store, min_catalog)
    assert (again.status, again.exit_code, again.submission_id) == ("duplicate", 0, first.submission_id)
    fix = ingest_bytes(csv("kiezbox,test-users,2024-Q1,6"), "c.csv", store, min_catalog)
    assert fix.corrections == 1
    assert store.current()["value"].tolist() == [6.0]
    assert len(store.values()) == 2


def test_ingest_file_missing_and_directory(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    r = ingest_file(tmp_path / "nope.csv", store, min_catalog)
    assert (r.status, r.exit_code, r.quarantine_dir) == ("unreadable", 2, None)
    assert r.report.errors[0].code == "unreadable_file"  # the documented code (was file_not_found)
    r = ingest_file(tmp_path, store, min_catalog)
    assert (r.status, r.exit_code) == ("unreadable", 2)
    assert not store.path.exists()
    assert worst_exit_code([r]) == 2 and worst_exit_code([]) == 0


def test_ingest_file_over_limit_is_not_read_or_copied(tmp_path: Path, min_catalog: Catalog) -> None:
    src = tmp_path / "big.csv"
    src.write_bytes(csv(*[f"kiezbox,test-outage-hours,2024-{m:02d},1" for m in range(1, 13)]))
    r = ingest_file(src, tmp_path / "st", min_catalog, max_bytes=50)
    assert (r.status, r.exit_code) == ("unreadable", 2)
    assert r.submission_id == sha256_hex(src.read_bytes())
    assert str(src.stat().st_size) in r.report.errors[0].message_de
    assert sorted(p.name for p in r.quarantine_dir.iterdir()) == ["errors.json", "errors.txt"]
    assert "nicht kopiert" in (r.quarantine_dir / "errors.txt").read_text()


def test_duplicate_is_not_validated_again_but_token_scope_still_applies(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    data = csv("smart-water,test-users,2024-Q1,150")
    assert ingest_bytes(data, "w.csv", store, min_catalog).status == "accepted"
    before = store.ledger_path.read_bytes()
    again = ingest_bytes(data, "w.csv", store, min_catalog, only_project="smart-water")
    assert (again.status, again.report.valid, again.report.warnings) == ("duplicate", True, [])
    other = ingest_bytes(data, "w.csv", store, min_catalog, only_project="kiezbox", token_id="tok-k")
    assert (other.status, other.exit_code) == ("rejected", 1)
    assert [p.code for p in other.report.errors] == ["project_not_allowed"]
    assert store.ledger_path.read_bytes() == before
