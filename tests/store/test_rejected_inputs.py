"""Acceptance of the intake issue: each class of bad input gets exit 1 or 2 with the file and the
row/column (or a file-level message) and no traceback, and the store's content stays byte for byte
the same (only the quarantine grows)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import fingerprint

from impact.cli import cli
from impact.store.store import Store, sha256_hex

VALID = b"project_id,indicator_id,period,value\nkiezbox,test-users,2024-Q1,100\nkiezbox,test-users,2024-Q2,150\n"
DE = "Projekt;Indikator;Zeitraum;Wert;Einheit;Aufschlüsselung;Ausprägung;Anmerkung\r\n"


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    return buf.getvalue()


# (file name, content, exit code, problem code, where: "row N" or None for a file-level problem)
BAD = [
    ("leer.csv", b"", 2, "empty_file", None),
    ("nur_kopf.csv", DE.encode("cp1252"), 2, "no_data_rows", None),
    ("leerzeilen.csv", (DE + ";;;;;;;\r\n;;;;;;;\r\n").encode("cp1252"), 2, "no_data_rows", None),
    ("binaer.csv", b"\x00\x01\x02\x03" * 50, 2, "binary_file", None),
    ("unicode.csv", ("project_id\tindicator_id\tperiod\tvalue\r\nkiezbox\ttest-users\t2024-Q1\t1\r\n").encode("utf-16"),
     2, "bad_encoding", None),
    ("umbenannt.xlsx", VALID.replace(b"150", b"151"), 2, "bad_xlsx", None),
    ("kaputt.xlsx", _zip_bomb(), 2, "bad_xlsx", None),  # a zip, but no workbook
    ("tabelle.ods", VALID.replace(b"150", b"152"), 2, "unsupported_format", None),
    ("kopf.csv", b"Projekt;Indikatr;Zeitraum;Wert\r\nkiezbox;test-users;2024-Q1;1\r\n", 1, "missing_column", "row 1"),
    ("zahl.csv", (DE + "kiezbox;test-users;2024-Q1;1 234,5 kg;;;;\r\n").encode("cp1252"), 1, "not_a_number", "row 2"),
    ("prozent.csv", (DE + "kiezbox;test-users;2024-Q1;12 %;;;;\r\n").encode("cp1252"), 1, "not_a_number", "row 2"),
    ("sep.csv", ("sep=;\r\n" + DE + "kiezbox;test-users;2024-Q1;1;;Bezirk;Mars;Grüße\r\n").encode("cp1252"), 1,
     "unknown_breakdown_value", "row 2"),
    ("zukunft.csv", (DE + "kiezbox;test-users;2030-Q1;1;;;;\r\n;;;;;;;;;\r\n").encode("cp1252"), 1,
     "period_in_future", "row 2"),
    ("fremd.csv", b"project_id,indicator_id,period,value\nkiezbox,test-users,2024-Q3,1\natlantis,test-users,2024-Q1,1\n",
     1, "unknown_project", "row 3"),
]


@pytest.mark.parametrize(("name", "content", "exit_code", "code", "where"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_precisely_and_leaves_the_store_unchanged(
        tmp_path: Path, min_catalog_dir: Path, name: str, content: bytes, exit_code: int, code: str,
        where: str | None) -> None:
    store = Store(tmp_path / "store")
    opts = ["--store", str(store.path), "--catalog", str(min_catalog_dir)]
    ok = tmp_path / "ok.csv"
    ok.write_bytes(VALID)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(ok), *opts]).exit_code == 0
    before = fingerprint(store.path, exclude=("quarantine",))
    bad = tmp_path / name
    bad.write_bytes(content)

    res = runner.invoke(cli, ["ingest", str(bad), *opts, "--lang", "en"])
    assert res.exit_code == exit_code, res.output
    assert isinstance(res.exception, SystemExit) or res.exception is None, res.exception  # no traceback
    assert "Traceback" not in res.output
    line = next(ln for ln in res.output.splitlines() if f"[{code}]" in ln)
    assert line.strip().startswith(f"{name}, {where}" if where else f"{name}: ")
    assert fingerprint(store.path, exclude=("quarantine",)) == before  # byte for byte
    assert store.submission_ids() == [sha256_hex(VALID)]
    (folder,) = list(store.quarantine_dir.iterdir())
    assert (folder / name).read_bytes() == content  # the original, unchanged
    info = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
    assert code in [e["code"] for e in info["errors"]]

    # and `impact validate` says the same, with the same exit code
    res = runner.invoke(cli, ["validate", str(bad), "--catalog", str(min_catalog_dir), "--format", "json"])
    assert res.exit_code == exit_code, res.output
    out = json.loads(res.output)
    assert out["valid"] is False and code in [e["code"] for e in out["errors"]]
    if where:
        row = int(where.split()[1])
        assert any(e["row"] == row and e["column"] for e in out["errors"] if e["code"] == code)
    else:
        assert all(e["row"] is None for e in out["errors"])
