"""``impact tokens issue|revoke|list`` and the usage errors of ``impact portal``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.apps.portal.tokens import TokenStore
from impact.cli import cli


@pytest.fixture()
def run(min_catalog_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("IMPACT_CATALOG", str(min_catalog_dir))
    monkeypatch.setenv("IMPACT_TOKENS", str(tmp_path / "tokens.json"))
    monkeypatch.setenv("IMPACT_LANG", "de")  # `impact --lang en` sets it for the rest of the process

    def _run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_issue_prints_token_and_stores_hash(run, tmp_path: Path) -> None:
    res = run("tokens", "issue", "kiezbox", "--days", "30", "--note", "Team A")
    assert res.exit_code == 0, res.output
    raw = res.stdout.strip()
    assert len(raw) >= 43 and "\n" not in raw
    text = (tmp_path / "tokens.json").read_text()
    assert raw not in text
    rec = TokenStore(tmp_path / "tokens.json").records()[0]
    assert rec.project == "kiezbox" and rec.expires == "2026-12-21" and rec.note == "Team A"
    assert rec.id in res.stderr and "nur jetzt" in res.stderr and "gültig bis: 21.12.2026" in res.stderr
    res = run("--lang", "en", "tokens", "issue", "kiezbox")
    assert res.exit_code == 0 and "only now" in res.stderr and "nur jetzt" not in res.stderr


def test_issue_with_expires_and_tokens_option(run, tmp_path: Path) -> None:
    other = tmp_path / "other" / "t.json"
    res = run("tokens", "issue", "smart-water", "--expires", "2027-03-31", "--tokens", str(other))
    assert res.exit_code == 0, res.output
    assert TokenStore(other).records()[0].expires == "2027-03-31"
    assert not (tmp_path / "tokens.json").exists()


def test_issue_refuses_unknown_project_and_bad_options(run) -> None:
    res = run("tokens", "issue", "kiezbux")
    assert res.exit_code == 1
    assert "Unbekanntes Projekt „kiezbux“" in res.stderr
    assert "kiezbox" in res.stderr  # the known ones are listed
    res = run("tokens", "issue", "kiezbux", "--lang", "en")
    assert res.exit_code == 1 and "Unknown project “kiezbux”" in res.stderr
    res = run("tokens", "issue", "kiezbox", "--days", "3", "--expires", "2027-01-01")
    assert res.exit_code == 2 and "schließen sich aus" in res.stderr
    res = run("tokens", "issue", "kiezbox", "--expires", "2020-01-01")
    assert res.exit_code == 1 and "Vergangenheit" in res.stderr and "Traceback" not in res.output
    res = run("tokens", "issue", "kiezbox", "--expires", "31.12.2027")
    assert res.exit_code == 2


def test_list_never_shows_tokens_or_hashes(run, tmp_path: Path) -> None:
    raw = run("tokens", "issue", "kiezbox").stdout.strip()
    rec = TokenStore(tmp_path / "tokens.json").records()[0]
    for args in (("tokens", "list"), ("tokens", "list", "--format", "json")):
        res = run(*args)
        assert res.exit_code == 0
        assert rec.id in res.output and "kiezbox" in res.output
        assert raw not in res.output and rec.hash[7:] not in res.output and "sha256" not in res.output
    rows = json.loads(run("tokens", "list", "--format", "json").stdout)
    assert rows[0]["status"] == "active"


def test_list_keeps_one_line_per_token(run) -> None:
    run("tokens", "issue", "kiezbox", "--note", "Team A\nFrau M.\tBüro 3")
    res = run("tokens", "list")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert len(lines) == 3 and lines[2].endswith("Team A Frau M. Büro 3")


def test_revoke_and_list_status(run, tmp_path: Path) -> None:
    run("tokens", "issue", "kiezbox")
    rec = TokenStore(tmp_path / "tokens.json").records()[0]
    res = run("tokens", "revoke", rec.id)
    assert res.exit_code == 0 and rec.id in res.stdout
    rows = json.loads(run("tokens", "list", "--format", "json").stdout)
    assert rows[0]["status"] == "revoked"
    res = run("tokens", "revoke", "tok-deadbeef")
    assert res.exit_code == 1 and "Unbekannte Token-ID" in res.stderr
    res = run("tokens", "revoke", "tok-deadbeef", "--lang", "en")
    assert res.exit_code == 1 and "Unknown token id" in res.stderr


def test_list_empty_and_damaged_file(run, tmp_path: Path) -> None:
    res = run("tokens", "list")
    assert res.exit_code == 0 and "Keine Zugangscodes" in res.stdout
    (tmp_path / "tokens.json").write_text("[]")
    res = run("tokens", "list")
    assert res.exit_code == 2
    assert "Token-Datei" in res.stderr and "Traceback" not in res.output


def test_portal_refuses_busy_port(run) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        res = run("portal", "--port", str(port))
    assert res.exit_code == 2
    assert f"Port 127.0.0.1:{port} ist nicht verfügbar" in res.stderr


def test_portal_refuses_damaged_token_file(run, tmp_path: Path) -> None:
    (tmp_path / "tokens.json").write_text("nonsense")
    res = run("portal", "--port", "1")
    assert res.exit_code == 2 and "Token-Datei" in res.stderr


def test_token_file_busy_exits_3(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.core.locking import exclusive_lock

    monkeypatch.setattr("impact.apps.portal.tokens.LOCK_TIMEOUT", 0.2)
    run("tokens", "issue", "kiezbox")
    with exclusive_lock(tmp_path / "tokens.json.lock", timeout=1):
        res = run("tokens", "issue", "kiezbox")
    assert res.exit_code == 3 and "Traceback" not in res.output


def test_help_in_both_languages(run) -> None:
    de = run("tokens", "issue", "--help")
    en = run("--lang", "en", "tokens", "issue", "--help")
    assert "Einen neuen Zugangscode" in de.output and "Issue a new token" in en.output
    res = run("--lang", "en", "portal", "--help")
    assert "--trusted-proxy" in res.output and "--max-kernels" in res.output and "--idle-minutes" in res.output
