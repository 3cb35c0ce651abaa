"""``impact ingest`` / ``impact submissions`` end to end, against the tiny catalog.

Real processes (``.venv/bin/impact``) for the behaviours that matter across processes
(acceptance, idempotence, quarantine, concurrency, a killed writer); click's in-process runner
for the many small input variations (faster: Great Expectations is imported once).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import fingerprint

from impact.cli import cli
from impact.store.store import PAUSE_ENV, Store, sha256_hex

IMPACT = Path(sys.executable).parent / "impact"
HEADER = "project_id,indicator_id,period,value\n"
VALID = HEADER + "kiezbox,test-users,2024-Q1,100\nkiezbox,test-users,2024-Q2,150\nkiezbox,test-outage-hours,2024-05,12\n"
CORRECTION = HEADER + "kiezbox,test-users,2024-Q2,160\nkiezbox,test-users,2024-Q3,170\n"
INVALID = HEADER + "atlantis,test-users,2024-Q1,100\nkiezbox,test-users,2024-Q2,-5\n"


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IMPACT), *map(str, args)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


def runner_ingest(*args: str | Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["ingest", *map(str, args)], env=env)


@pytest.fixture()
def opts(tmp_path: Path, min_catalog_dir: Path) -> list[str]:
    return ["--store", str(tmp_path / "store"), "--catalog", str(min_catalog_dir)]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


# ---- real processes ----------------------------------------------------------------------------

@pytest.mark.slow
def test_valid_then_duplicate_then_correction(tmp_path: Path, opts: list[str], store: Store) -> None:
    src = write(tmp_path / "kiezbox-2024.csv", VALID)
    p = run("ingest", src, *opts, "--lang", "en")
    assert p.returncode == 0, p.stderr
    assert "accepted" in p.stdout and "3 row(s)" in p.stdout and "0 correction(s)" in p.stdout
    sid = sha256_hex(src.read_bytes())
    assert store.submission_ids() == [sid]
    assert (store.archive_dir / sid / "1.csv").read_bytes() == src.read_bytes()
    v = store.values()
    assert len(v) == 3 and set(v["file_name"]) == {"kiezbox-2024.csv"}
    led = [json.loads(x) for x in store.ledger_path.read_text().splitlines()]
    assert [(e["submission_id"], e["status"], e["rows"]) for e in led] == [(sid, "accepted", 3)]

    before = fingerprint(store.path)
    p = run("ingest", src, *opts)
    assert p.returncode == 0, p.stderr
    assert "bereits vorhanden" in p.stdout
    assert fingerprint(store.path) == before

    fix = write(tmp_path / "korrektur.csv", CORRECTION)
    r = runner_ingest(fix, *opts, "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["exit_code"] == 0
    (res,) = out["results"]
    assert res["status"] == "accepted" and res["rows"] == 2 and res["corrections"] == 1
    hist = store.values()
    q2 = hist[(hist["indicator_id"] == "test-users") & (hist["period"] == "2024-Q2")].sort_values("received_at")
    assert list(q2["value"]) == [150.0, 160.0]  # both kept, each with its submission id
    assert list(q2["submission_id"]) == [sid, res["submission_id"]]
    cur = store.current()
    assert len(cur) == 4
    assert cur[(cur["indicator_id"] == "test-users") & (cur["period"] == "2024-Q2")]["value"].item() == 160.0


@pytest.mark.slow
def test_rejected_goes_to_quarantine_and_store_is_unchanged(tmp_path: Path, opts: list[str], store: Store) -> None:
    assert runner_ingest(write(tmp_path / "ok.csv", VALID), *opts).exit_code == 0
    before = fingerprint(store.path, exclude=("quarantine",))
    bad = write(tmp_path / "falsch.csv", INVALID)
    p = run("ingest", bad, *opts)
    assert p.returncode == 1
    assert "abgelehnt" in p.stdout and "atlantis" in p.stdout
    assert fingerprint(store.path, exclude=("quarantine",)) == before
    (folder,) = list(store.quarantine_dir.iterdir())
    assert folder.name.endswith(sha256_hex(bad.read_bytes())[:12])
    assert (folder / "falsch.csv").read_bytes() == bad.read_bytes()
    info = json.loads((folder / "errors.json").read_text())
    assert info["status"] == "rejected" and info["file"] == "falsch.csv"
    codes = {e["code"] for e in info["errors"]}
    assert "unknown_project" in codes
    assert all(e["row"] is not None and e["message_de"] and e["message_en"] for e in info["errors"])
    text = (folder / "errors.txt").read_text()
    assert "== Deutsch ==" in text and "== English ==" in text and "atlantis" in text


@pytest.mark.slow
def test_concurrent_ingests_lose_and_duplicate_nothing(tmp_path: Path, opts: list[str], store: Store) -> None:
    files = []
    for n in range(4):
        # later files correct earlier months by a little: plausible corrections, whatever the order
        body = HEADER + "".join(f"kiezbox,test-outage-hours,2024-{m:02d},{100 + n + m}\n" for m in range(1, 4 + n))
        files.append(write(tmp_path / f"f{n}.csv", body))
    order = [files[0], files[1], files[2], files[0], files[3], files[1]]
    procs = [subprocess.Popen([str(IMPACT), "ingest", str(f), *opts, "--format", "json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in order]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [o[1] for o in outs]
    statuses = sorted(json.loads(o[0])["results"][0]["status"] for o in outs)
    assert statuses == ["accepted"] * 4 + ["duplicate"] * 2
    assert sorted(store.submission_ids()) == sorted(sha256_hex(f.read_bytes()) for f in files)
    v = store.values()
    assert len(v) == 3 + 4 + 5 + 6
    assert not v.duplicated(["submission_id", "row"]).any()
    times = list(store.ledger()["received_at"])
    assert times == sorted(times) and len(set(times)) == 4


@pytest.mark.slow
def test_killed_writer_leaves_no_partial_submission(tmp_path: Path, opts: list[str], store: Store) -> None:
    assert runner_ingest(write(tmp_path / "ok.csv", VALID), *opts).exit_code == 0
    victim = write(tmp_path / "victim.csv", CORRECTION)
    sid = sha256_hex(victim.read_bytes())
    proc = subprocess.Popen([str(IMPACT), "ingest", str(victim), *opts], env={**os.environ, PAUSE_ENV: "60"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not store.values_path(sid).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "writer never reached the pause"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # values file and archive copy are on disk, but nothing is visible to readers
    assert (store.archive_dir / sid).exists()
    assert store.submission_ids() == [sha256_hex((tmp_path / "ok.csv").read_bytes())]
    assert len(store.values()) == 3 and sid not in set(store.values()["submission_id"])
    p = run("submissions", "--store", store.path)
    assert p.returncode == 0 and "victim.csv" not in p.stdout
    # the next ingest (the same file again) works and cleans up
    r = runner_ingest(victim, *opts)
    assert r.exit_code == 0, r.output
    assert store.submission_ids()[-1] == sid
    led = store.ledger()
    assert list(led["status"]) == ["accepted", "recovered", "accepted"]
    assert "uncommitted" in led["detail"].iloc[1]
    assert len(store.values()) == 5
    # the listing shows the recovery (it crashed with a TypeError on the missing submission id)
    p = run("submissions", "--store", store.path, "--lang", "en")
    assert p.returncode == 0, p.stderr
    assert "cleaned up" in p.stdout and f"values/{sid}.parquet: uncommitted file removed" in p.stdout
    assert "victim.csv" in p.stdout and "Traceback" not in p.stderr
    p = run("submissions", "--store", store.path, "--format", "json")
    assert p.returncode == 0, p.stderr
    listed = json.loads(p.stdout)["submissions"]
    assert [(s["status"], s["submission_id"]) for s in listed][1] == ("recovered", None)


# ---- in-process variations ---------------------------------------------------------------------

def test_size_limit_option_and_environment(tmp_path: Path, opts: list[str], store: Store) -> None:
    src = write(tmp_path / "gross.csv", VALID)
    r = runner_ingest(src, *opts, "--max-bytes", "20", "--format", "json")
    assert r.exit_code == 2, r.output
    res = json.loads(r.output)["results"][0]
    assert res["status"] == "unreadable"
    assert [e["code"] for e in res["report"]["errors"]] == ["file_too_large"]
    folder = Path(res["quarantine_dir"])
    assert sorted(p.name for p in folder.iterdir()) == ["errors.json", "errors.txt"]  # too large: not copied
    r = runner_ingest(src, *opts, env={"IMPACT_MAX_BYTES": "20"})
    assert r.exit_code == 2 and "zu groß" in r.output
    assert store.submission_ids() == []


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (b"\x00\x01\x02PK\x03\x04" * 20, "binary_file"),
    (HEADER.encode(), "no_data_rows"),
])
def test_unreadable_files(tmp_path: Path, opts: list[str], store: Store, content: bytes, code: str) -> None:
    src = write(tmp_path / "kaputt.csv", content)
    r = runner_ingest(src, *opts, "--format", "json", "--lang", "en")
    assert r.exit_code == 2, r.output
    res = json.loads(r.output)["results"][0]
    assert res["status"] == "unreadable"
    assert code in [e["code"] for e in res["report"]["errors"]]
    folder = Path(res["quarantine_dir"])
    assert (folder / "kaputt.csv").read_bytes() == content
    assert store.submission_ids() == []


def test_missing_file_and_worst_exit_code(tmp_path: Path, opts: list[str], store: Store) -> None:
    ok = write(tmp_path / "ok.csv", VALID)
    bad = write(tmp_path / "bad.csv", INVALID)
    r = runner_ingest(ok, bad, *opts)
    assert r.exit_code == 1, r.output
    assert "2 Dateien:" in r.output
    r = runner_ingest(tmp_path / "fehlt.csv", ok, *opts)
    assert r.exit_code == 2
    assert "nicht gefunden" in r.output and "bereits vorhanden" in r.output
    assert len(store.submission_ids()) == 1


def test_rejected_into_a_fresh_store_creates_only_quarantine(tmp_path: Path, opts: list[str], store: Store) -> None:
    r = runner_ingest(write(tmp_path / "falsch.csv", INVALID), *opts)
    assert r.exit_code == 1, r.output
    assert sorted(x.name for x in store.path.iterdir()) == ["quarantine"]


def test_newer_store_format_is_refused(tmp_path: Path, opts: list[str], store: Store) -> None:
    store.path.mkdir()
    store.meta_path.write_text(json.dumps({"format": "impact-store", "version": 99}))
    r = runner_ingest(write(tmp_path / "ok.csv", VALID), *opts)
    assert r.exit_code == 2
    assert "Version 99" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["submissions", "--store", str(store.path), "--lang", "en"])
    assert r.exit_code == 2 and "newer" in r.output


def test_submissions_text_json_and_project_filter(tmp_path: Path, opts: list[str], store: Store) -> None:
    store.path.mkdir()  # an empty folder is an empty store
    r = CliRunner().invoke(cli, ["submissions", "--store", str(store.path)])
    assert r.exit_code == 0 and "Keine Einreichungen" in r.output
    assert runner_ingest(write(tmp_path / "ok.csv", VALID), *opts).exit_code == 0
    water = HEADER + "smart-water,test-open-share,2024,30\n"
    assert runner_ingest(write(tmp_path / "water.csv", water), *opts).exit_code == 0
    assert runner_ingest(write(tmp_path / "bad.csv", INVALID), *opts).exit_code == 1
    r = CliRunner().invoke(cli, ["submissions", "--store", str(store.path)])
    assert r.exit_code == 0, r.output
    for text in ("ok.csv", "water.csv", "bad.csv", "angenommen", "abgelehnt", "kiezbox", "smart-water"):
        assert text in r.output
    r = CliRunner().invoke(cli, ["submissions", "--store", str(store.path), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "accepted" in r.output and "rejected" in r.output and "2 accepted, 1 other" in r.output
    assert sha256_hex(VALID.encode())[:12] in r.output
    assert sha256_hex(VALID.encode())[:13] not in r.output  # short ids
    r = CliRunner().invoke(cli, ["submissions", "--store", str(store.path), "--format", "json",
                                 "--project", "smart-water"])
    assert r.exit_code == 0, r.output
    subs = json.loads(r.output)["submissions"]
    assert [(s["file_name"], s["status"], s["rows"], s["projects"]) for s in subs] == [
        ("water.csv", "accepted", 1, ["smart-water"])]
    assert subs[0]["submission_id"] == sha256_hex(water.encode())
    assert subs[0]["received_at"].endswith("+00:00")


def test_ingest_requires_a_file() -> None:
    r = CliRunner().invoke(cli, ["ingest"])
    assert r.exit_code == 2 and "FILES" in r.output


def test_store_from_environment(tmp_path: Path, min_catalog_dir: Path) -> None:
    where = tmp_path / "env-store"
    r = CliRunner().invoke(cli, ["ingest", str(write(tmp_path / "ok.csv", VALID)), "--catalog", str(min_catalog_dir)],
                           env={"IMPACT_STORE": str(where)})
    assert r.exit_code == 0, r.output
    assert Store(where).submission_ids() == [sha256_hex(VALID.encode())]
    r = CliRunner().invoke(cli, ["submissions", "--lang", "en"], env={"IMPACT_STORE": str(where)})
    assert r.exit_code == 0 and "ok.csv" in r.output

