"""`impact run`: inbox → archive/quarantine → store → all reports; the lock; exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from impact.core.catalog import Catalog
from impact.core.locking import exclusive_lock
from impact.reports.scheduler import LOCK_NAME, _move, inbox_files
from impact.store.store import Store

from .conftest import AS_OF, TODAY, run_impact
from .helpers import submission_rows, write_csv


def test_inbox_files_skips_hidden_partial_and_folders(tmp_path: Path) -> None:
    for name in ("b.csv", "a.xlsx", ".hidden.csv", "upload.csv.part", LOCK_NAME):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "archive").mkdir()
    assert [p.name for p in inbox_files(tmp_path)] == ["a.xlsx", "b.csv"]


def test_move_never_overwrites(tmp_path: Path) -> None:
    first = tmp_path / "x.csv"
    first.write_text("1", encoding="utf-8")
    a = _move(first, tmp_path / "archive")
    first.write_text("2", encoding="utf-8")
    b = _move(first, tmp_path / "archive")
    assert a != b and a.read_text() == "1" and b.read_text() == "2" and not first.exists()


def test_missing_inbox_is_usage_error(tmp_path: Path) -> None:
    proc = run_impact("run", "--inbox", str(tmp_path / "nope"), "--store", str(tmp_path / "s"),
                      "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "Eingangsordner nicht gefunden" in proc.stderr
    english = run_impact("run", "--lang", "en", "--inbox", str(tmp_path / "nope"), "--store", str(tmp_path / "s"),
                         "--out", str(tmp_path / "r"))
    assert english.returncode == 2 and "Inbox folder not found" in english.stderr


@pytest.mark.slow
def test_second_run_exits_3_while_locked(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "waiting.csv").write_text("project_id,indicator_id,period,value\n", encoding="utf-8")
    with exclusive_lock(inbox / LOCK_NAME, timeout=0):
        proc = run_impact("run", "--inbox", str(inbox), "--store", str(tmp_path / "store"),
                          "--out", str(tmp_path / "reports"))
    assert proc.returncode == 3, proc.stderr
    assert "noch aktiv" in proc.stderr
    assert (inbox / "waiting.csv").is_file(), "a busy run touches nothing"
    assert not (tmp_path / "store").exists()
    log = (tmp_path / "reports" / "impact-run.log").read_text(encoding="utf-8")
    assert "busy" in log


@pytest.mark.slow
def test_run_ingests_moves_and_reports(tmp_path: Path, min_catalog_dir: Path, min_catalog: Catalog) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "kiezbox-2026.csv", submission_rows(min_catalog, "kiezbox"))
    write_csv(inbox / "falsch.csv", [{"project_id": "atlantis", "indicator_id": "test-users", "period": "2025-Q1",
                                      "value": "5", "unit": "count", "note": ""}])
    store, reports = tmp_path / "store", tmp_path / "reports"
    proc = run_impact("run", "--inbox", str(inbox), "--store", str(store), "--out", str(reports),
                      "--catalog", str(min_catalog_dir), "--jobs", "2")
    assert proc.returncode == 1, proc.stderr  # 1: a file was rejected (the reports are fine)
    assert "Traceback" not in proc.stderr
    assert not list(inbox.glob("*.csv")), "every file has left the inbox"
    archived = list((inbox / "archive").glob("*kiezbox-2026.csv"))
    quarantined = list((inbox / "quarantine").glob("*falsch.csv"))
    assert len(archived) == 1 and len(quarantined) == 1
    errors = quarantined[0].with_name(quarantined[0].name + ".errors.txt").read_text(encoding="utf-8")
    assert "atlantis" in errors
    values = Store(store).values()
    assert set(values["project_id"]) == {"kiezbox"} and len(values) == len(submission_rows(min_catalog, "kiezbox"))
    out = reports / TODAY
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["n_reports"] == 18
    # the knowledge date is "now" after the inbox was ingested: the file just accepted counts
    known_at = dt.datetime.fromisoformat(manifest["known_at"].replace("Z", "+00:00"))
    assert manifest["as_of"] == AS_OF.isoformat() and known_at >= Store(store).ledger()["received_at"].max()
    assert manifest["store_hash"] == Store(store).content_hash(known_at) == Store(store).content_hash()
    assert len(list(out.glob("*.html"))) == 19 and len(list(out.glob("*.ipynb"))) == 18
    log = (reports / "impact-run.log").read_text(encoding="utf-8")
    assert "kiezbox-2026.csv: accepted" in log and "falsch.csv: rejected" in log
    assert "reports: 18/18 produced" in log and "exit code 1" in log
    assert "18/18 Berichte erstellt: " in proc.stdout


def _held(lock: Path) -> bool:
    from impact.core.locking import LockBusyError

    if not lock.exists():
        return False
    try:
        with exclusive_lock(lock, timeout=0):
            return False
    except LockBusyError:
        return True


@pytest.mark.slow
def test_two_real_runs_overlap_second_exits_3(tmp_path: Path, min_catalog_dir: Path, min_catalog: Catalog) -> None:
    """A real first run (paused inside the store write) holds the lock; a second one exits 3."""
    import subprocess
    import time

    from impact.store.store import PAUSE_ENV

    from .conftest import IMPACT, ROOT, impact_env

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "kiezbox.csv", submission_rows(min_catalog, "kiezbox"))
    args = ["run", "--inbox", str(inbox), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "reports"),
            "--catalog", str(min_catalog_dir), "--notebooks", str(tmp_path / "no-notebooks")]
    first = subprocess.Popen([IMPACT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             env=impact_env(**{PAUSE_ENV: "8"}))
    try:
        deadline = time.monotonic() + 120
        while not _held(inbox / LOCK_NAME):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "first run never took the lock"
            time.sleep(0.1)
        second = run_impact(*args)
        assert second.returncode == 3, second.stderr
        assert "noch aktiv" in second.stderr
    finally:
        out, err = first.communicate(timeout=300)
    # the first run ingested its file, then stopped: no notebooks in that folder (usage error)
    assert first.returncode == 2, err
    assert "Notebook" in err and not list(inbox.glob("*.csv"))
