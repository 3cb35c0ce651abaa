"""Refusals against what is stored, and the submissions listing's edge cases (issue: portal and
intake hardening, store items).

* re-sent data that would revert newer corrections is refused unless ``--allow-revert``;
* a correction that the plausibility rule flags is refused unless ``--confirm-implausible``;
* a refused file goes to quarantine with its report, exit 1, the store stays byte-identical;
* ``impact submissions``: control characters in file names cannot forge lines; a mistyped
  ``--store`` and an unknown ``--project`` exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import fingerprint

from impact.core.catalog import Catalog
from impact.core.i18n import format_date
from impact.store.ingest import ingest_bytes
from impact.store.store import Store, sha256_hex

IMPACT = Path(sys.executable).parent / "impact"
HEADER = "project_id,indicator_id,period,value\n"
ORIGINAL = HEADER + "kiezbox,test-users,2024-Q1,100\nkiezbox,test-users,2024-Q2,150\nkiezbox,test-users,2024-Q3,170\n"
CORRECTION = HEADER + "kiezbox,test-users,2024-Q2,160\n"
HISTORY = HEADER + "".join(f"kiezbox,test-outage-hours,2024-{m:02d},{v}\n"
                           for m, v in zip(range(1, 9), (10, 11, 12, 10, 11, 12, 11, 10), strict=True))


def invoke(*args: str | Path) -> tuple[int, str]:
    from impact.cli import cli

    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.fixture()
def opts(tmp_path: Path, min_catalog_dir: Path) -> list[str]:
    return ["--store", str(tmp_path / "store"), "--catalog", str(min_catalog_dir)]


def _only_quarantine_grew(store: Store, before: dict[str, str], n: int = 1) -> Path:
    assert fingerprint(store.path, exclude=("quarantine",)) == before  # byte for byte
    folders = sorted(store.quarantine_dir.iterdir())
    assert len(folders) == n
    return folders[-1]


# ---- reverting newer corrections ---------------------------------------------------------------

def test_old_file_saved_again_with_crlf_is_refused_with_what_it_would_revert(
        tmp_path: Path, opts: list[str]) -> None:
    store = Store(tmp_path / "store")
    assert invoke("ingest", write(tmp_path / "werte-2024.csv", ORIGINAL), *opts)[0] == 0
    assert invoke("ingest", write(tmp_path / "korrektur.csv", CORRECTION), *opts)[0] == 0
    corrected_at = store.ledger()["received_at"].iloc[-1]
    before = fingerprint(store.path)
    resaved = write(tmp_path / "werte-2024-neu.csv", ORIGINAL.replace("\n", "\r\n"))  # other bytes: no duplicate

    code, out = invoke("ingest", resaved, *opts, "--lang", "en")
    assert code == 1, out
    assert "rejected" in out and "reverts_correction" in out
    line = next(ln for ln in out.splitlines() if "[reverts_correction]" in ln)
    assert "row 3" in line and "kiezbox / test-users / 2024-Q2" in line
    assert "160" in line and "150" in line and format_date(corrected_at, "en") in line
    assert "2024-Q1" not in out and "2024-Q3" not in out  # unchanged rows are no reverts
    folder = _only_quarantine_grew(store, before)
    assert (folder / "werte-2024-neu.csv").read_bytes() == resaved.read_bytes()
    info = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
    assert [(e["code"], e["row"]) for e in info["errors"]] == [("reverts_correction", 3)]
    assert "Korrektur" in info["errors"][0]["message_de"]
    assert "--allow-revert" in (folder / "errors.txt").read_text(encoding="utf-8")
    assert "--allow-revert" in out
    assert store.current().set_index("period").loc["2024-Q2", "value"] == 160.0

    code, out = invoke("ingest", resaved, *opts, "--allow-revert", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["results"][0]["status"] == "accepted"
    assert store.current().set_index("period").loc["2024-Q2", "value"] == 150.0


def test_a_new_value_is_no_revert(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    assert ingest_bytes(ORIGINAL.encode(), "a.csv", store, min_catalog).status == "accepted"
    assert ingest_bytes(CORRECTION.encode(), "b.csv", store, min_catalog).status == "accepted"
    third = ingest_bytes((HEADER + "kiezbox,test-users,2024-Q2,155\n").encode(), "c.csv", store, min_catalog)
    assert (third.status, third.corrections) == ("accepted", 1)
    back = ingest_bytes((HEADER + "kiezbox,test-users,2024-Q2,160\n\n").encode(), "d.csv", store, min_catalog)
    assert (back.status, back.exit_code) == ("rejected", 1)
    assert [p.code for p in back.report.errors] == ["reverts_correction"]
    assert ingest_bytes((HEADER + "kiezbox,test-users,2024-Q2,160\n\n").encode(), "d.csv", store, min_catalog,
                        allow_revert=True).status == "accepted"


# ---- implausible corrections -------------------------------------------------------------------

def test_implausible_correction_needs_confirmation(tmp_path: Path, opts: list[str]) -> None:
    store = Store(tmp_path / "store")
    assert invoke("ingest", write(tmp_path / "verlauf.csv", HISTORY), *opts)[0] == 0
    before = fingerprint(store.path)
    typo = write(tmp_path / "korrektur.csv", HEADER + "kiezbox,test-outage-hours,2024-05,1100\n")

    code, out = invoke("ingest", typo, *opts)
    assert code == 1, out
    assert "[implausible_correction]" in out and "[implausible_jump]" in out
    assert "--confirm-implausible" in out
    folder = _only_quarantine_grew(store, before)
    info = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in info["errors"]] == ["implausible_correction"]
    assert [e["code"] for e in info["warnings"]] == ["implausible_jump"]
    assert store.current().set_index("period").loc["2024-05", "value"] == 11.0

    code, out = invoke("ingest", typo, *opts, "--confirm-implausible")
    assert code == 0, out
    assert store.current().set_index("period").loc["2024-05", "value"] == 1100.0


def test_implausible_new_value_is_only_a_warning_and_library_flag(tmp_path: Path, min_catalog: Catalog) -> None:
    store = Store(tmp_path / "st")
    assert ingest_bytes(HISTORY.encode(), "h.csv", store, min_catalog).status == "accepted"
    new = ingest_bytes((HEADER + "kiezbox,test-outage-hours,2024-09,900\n").encode(), "n.csv", store, min_catalog)
    assert new.status == "accepted" and [w.code for w in new.report.warnings] == ["implausible_jump"]
    fix = (HEADER + "kiezbox,test-outage-hours,2024-03,950\n").encode()
    refused = ingest_bytes(fix, "f.csv", store, min_catalog)
    assert (refused.status, refused.exit_code, refused.rows) == ("rejected", 1, 0)
    assert refused.quarantine_dir is not None and store.submission_ids()[-1] == new.submission_id
    ok = ingest_bytes(fix, "f.csv", store, min_catalog, confirm_implausible=True)
    assert (ok.status, ok.corrections) == ("accepted", 1)


# ---- the submissions listing -------------------------------------------------------------------

def test_control_characters_in_file_names_cannot_forge_listing_lines(tmp_path: Path, opts: list[str]) -> None:
    forged = "x\n" + "f" * 12 + "  2026-01-01 00:00:00  accepted  999  x.csv"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = write(inbox / forged, ORIGINAL)
    bad = write(inbox / "y\r\u2028bad.csv", HEADER + "atlantis,test-users,2024-Q1,1\n")
    assert invoke("ingest", src, *opts)[0] == 0
    assert invoke("ingest", bad, *opts)[0] == 1
    for lang in ("de", "en"):
        p = subprocess.run([str(IMPACT), "submissions", "--store", opts[1], "--lang", lang], capture_output=True,
                           text=True, timeout=120, env=os.environ.copy())
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        assert len(lines) == 2 + 2 + 2  # header, rule, two submissions, blank, summary
        assert not any(ln.startswith("f" * 12) for ln in lines)
        assert "x\\x0a" + "f" * 12 in p.stdout and "y\\x0d\\u2028bad.csv" in p.stdout
    code, out = invoke("submissions", "--store", opts[1], "--format", "json")
    assert code == 0 and {s["file_name"] for s in json.loads(out)["submissions"]} == {forged, "y\r\u2028bad.csv"}


def test_submissions_without_a_store_there_exits_2(tmp_path: Path, opts: list[str]) -> None:
    code, out = invoke("submissions", "--store", tmp_path / "stroe", "--lang", "en")
    assert code == 2 and "No store at" in out and "stroe" in out
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write(elsewhere / "notes.txt", "not a store")
    assert invoke("submissions", "--store", elsewhere)[0] == 2
    code, out = invoke("submissions", "--store", tmp_path / "stroe", "--format", "json")
    assert code == 2 and "Kein Speicher" in out


def test_submissions_for_an_unknown_project_exits_2(tmp_path: Path, opts: list[str]) -> None:
    assert invoke("ingest", write(tmp_path / "a.csv", ORIGINAL), *opts)[0] == 0
    code, out = invoke("submissions", "--store", opts[1], "--project", "nope", "--lang", "en")  # catalog: indicators/
    assert code == 2 and "Unknown project 'nope'" in out and "kiezbox" in out
    code, out = invoke("submissions", *opts, "--project", "kiezbox", "--format", "json")
    assert code == 0 and [s["submission_id"] for s in json.loads(out)["submissions"]] == [
        sha256_hex(ORIGINAL.encode())]


# ---- dates out of range ------------------------------------------------------------------------

@pytest.mark.parametrize("option,day", [("--as-of", "0001-01-01"), ("--as-of", "9999-12-31"),
                                        ("--known-at", "0001-01-01"), ("--known-at", "9999-12-31")])
def test_dates_out_of_range_exit_2_with_a_message(tmp_path: Path, opts: list[str], option: str, day: str) -> None:
    """They printed an OverflowError traceback and exited 1."""
    p = subprocess.run([str(IMPACT), "scores", *opts, option, day, "--lang", "en"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "IMPACT_LANG": "en"})
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout and "OverflowError" not in p.stderr
    assert day in p.stderr and "out of range" in p.stderr
