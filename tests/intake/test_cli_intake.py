"""``impact validate``, ``impact expectations export``, ``impact template``: exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli import cli
from intake.helpers import HEADER_DE, csv_bytes

GOOD = [("kiezbox", "test-users", "2024-Q2", "12"), ("kiezbox", "test-outage-hours", "2024-05", "1,5")]
BAD = [("kiezbox", "test-users", "2024-Q2", "12"), ("kiezbx", "test-users", "2024-Q2", "x")]


@pytest.fixture()
def run(cat_min, tmp_path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--catalog", str(cat_min.path)], catch_exceptions=False)

    return invoke


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_validate_valid_file_exit_0(run, tmp_path):
    f = _write(tmp_path, "ok.csv", csv_bytes(GOOD, sep=";"))
    res = run("validate", f, "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 0, res.output
    assert "ok.csv: gültig – 2 Datenzeilen, 0 Fehler, 0 Warnungen." in res.output


def test_validate_invalid_file_exit_1_lists_every_problem(run, tmp_path):
    f = _write(tmp_path, "bad.csv", csv_bytes(BAD, HEADER_DE[:4], sep=";"))
    res = run("validate", f, "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 1
    assert "bad.csv, Zeile 3, Spalte „Projekt“: Fehler: Unbekanntes Projekt „kiezbx“. (meinten Sie „kiezbox“?) " \
           "[unknown_project]" in res.output
    assert "bad.csv, Zeile 3, Spalte „Wert“: Fehler: „x“ ist keine Zahl." in res.output
    assert "Traceback" not in res.output


def test_validate_json_english(run, tmp_path):
    f = _write(tmp_path, "bad.csv", csv_bytes(BAD))
    res = run("validate", f, "--format", "json", "--lang", "en", "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert set(data) == {"valid", "rows", "errors", "warnings"}
    assert data["valid"] is False and data["rows"] == 2
    assert data["errors"][0] == {"row": 3, "column": "project_id", "code": "unknown_project",
                                 "message": "Unknown project 'kiezbx'. (did you mean 'kiezbox'?)"}


@pytest.mark.parametrize("name,data,code", [
    ("empty.csv", b"", "empty_file"),
    ("header.csv", b"project_id,indicator_id,period,value\n", "no_data_rows"),
    ("fake.xlsx", b"hello", "bad_xlsx"),
    ("x.pdf", b"%PDF", "unsupported_format"),
])
def test_validate_unreadable_exit_2(run, tmp_path, name, data, code):
    f = _write(tmp_path, name, data)
    res = run("validate", f, "--format", "json", "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 2
    out = json.loads(res.output)
    assert out["valid"] is False and out["errors"][0]["code"] == code and out["errors"][0]["row"] is None


def test_validate_max_bytes_option(run, tmp_path):
    f = _write(tmp_path, "ok.csv", csv_bytes(GOOD))
    res = run("validate", f, "--max-bytes", "20", "--lang", "en", "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 2
    assert "too large" in res.output


def test_validate_reads_limit_and_today_from_the_environment(cat_min, tmp_path, monkeypatch):
    """The CLI is the edge that reads settings ($IMPACT_MAX_BYTES, $IMPACT_TODAY) and passes them on."""
    f = _write(tmp_path, "ok.csv", csv_bytes(GOOD, sep=";"))
    args = ["validate", f, "--lang", "en", "--store", str(tmp_path / "nostore"), "--catalog", str(cat_min.path)]
    monkeypatch.setenv("IMPACT_MAX_BYTES", "20")
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "too large" in res.output
    monkeypatch.setenv("IMPACT_MAX_BYTES", "1000000")
    monkeypatch.setenv("IMPACT_TODAY", "2024-04-30")
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and "[period_in_future]" in res.output


def test_validate_missing_file_and_usage_errors_exit_2(run, tmp_path):
    res = run("validate", str(tmp_path / "nope.csv"), "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 2
    assert "nope.csv" in res.output
    res = run("validate", str(tmp_path / "x.csv"), "--format", "yaml")
    assert res.exit_code == 2


def test_validate_project_option(run, tmp_path):
    f = _write(tmp_path, "ok.csv", csv_bytes(GOOD, sep=";"))
    res = run("validate", f, "--project", "smart-water", "--format", "json", "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 1
    assert {e["code"] for e in json.loads(res.output)["errors"]} == {"project_not_allowed"}
    res = run("validate", f, "--project", "nope")
    assert res.exit_code == 2 and "kiezbox" in res.output


def test_validate_broken_catalog_exit_1(tmp_path):
    f = _write(tmp_path, "ok.csv", csv_bytes(GOOD))
    res = CliRunner().invoke(cli, ["validate", f, "--catalog", str(tmp_path / "nocatalog")])
    assert res.exit_code == 1
    assert "catalog" in res.output


def test_expectations_export(run, tmp_path, cat_min):
    res = run("expectations", "export", str(tmp_path / "suites"))
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in (tmp_path / "suites").iterdir())
    assert "impact_submission.json" in files and len(files) == 1 + len(cat_min.projects)
    json.loads((tmp_path / "suites" / "impact_submission.json").read_text(encoding="utf-8"))


def test_template_csv_with_companion_then_validates(run, tmp_path):
    out = tmp_path / "kiezbox.csv"
    res = run("template", "kiezbox", "--out", str(out), "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 0, res.output
    side = tmp_path / "kiezbox.indikatoren.csv"
    assert out.is_file() and side.is_file()
    text = out.read_bytes().decode("utf-8-sig")
    filled = "\r\n".join(line if i == 0 else ";".join(c if n != 3 else "1" for n, c in enumerate(line.split(";")))
                         for i, line in enumerate(text.splitlines()))
    f = _write(tmp_path, "filled.csv", filled.encode("utf-8"))
    res = run("validate", f, "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 0, res.output


def test_template_xlsx_default(run, tmp_path):
    out = tmp_path / "v.xlsx"
    res = run("template", "smart-water", "--out", str(out), "--store", str(tmp_path / "nostore"))
    assert res.exit_code == 0 and out.read_bytes().startswith(b"PK")


def test_template_unknown_project_exit_2_lists_known(run, tmp_path):
    res = run("template", "kiezbx", "--out", str(tmp_path / "x.csv"))
    assert res.exit_code == 2
    assert "kiezbox" in res.output and "smart-water" in res.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.slow
def test_validate_end_to_end_subprocess(cat_min, tmp_path):
    """The installed console script: real process, exit code, no traceback, umlauts in output."""
    f = _write(tmp_path, "bad.csv", csv_bytes(
        [("kiezbox", "test-users", "2024-Q2", "1", "", "", "", "Grüße"), ("kiezbox", "test-usrs", "2024-Q2", "1", "", "", "", "")],
        HEADER_DE, sep=";", encoding="cp1252"))
    exe = Path(sys.executable).with_name("impact")
    proc = subprocess.run([str(exe), "validate", f, "--catalog", str(cat_min.path), "--store", str(tmp_path / "n")],
                          capture_output=True, text=True, env={"IMPACT_TODAY": "2026-11-21", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert "Zeile 3, Spalte „Indikator“" in proc.stdout and "meinten Sie „test-users“" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_validate_warns_about_jump_against_real_store(run, tmp_path, cat_min):
    """History comes from a real store (impact.store.ingest), not a mock."""
    from impact.store.ingest import ingest_bytes
    from impact.store.store import Store

    store = Store(tmp_path / "store")
    history = csv_bytes([("kiezbox", "test-outage-hours", f"2024-{m:02d}", v) for m, v in
                         zip(range(1, 7), (10, 11, 9, 10, 12, 10), strict=True)])
    result = ingest_bytes(history, "history.csv", store, cat_min)
    assert result.status == "accepted", result.report.to_text("en")
    f = _write(tmp_path, "new.csv", csv_bytes([("kiezbox", "test-outage-hours", "2024-07", "250")]))
    res = run("validate", f, "--store", str(tmp_path / "store"), "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "row 2, column 'value': warning: Value 250 differs strongly" in res.output
    assert "[implausible_jump]" in res.output


def test_template_format_must_match_out_suffix(run, tmp_path):
    res = run("template", "kiezbox", "--out", str(tmp_path / "x.csv"), "--format", "xlsx")
    assert res.exit_code == 2 and not (tmp_path / "x.csv").exists()
