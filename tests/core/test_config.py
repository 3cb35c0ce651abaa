"""Settings: defaults derived from the project root, environment overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import impact
from impact.core.config import project_root, settings
from impact.core.errors import Message, Problem


def test_defaults_derive_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("IMPACT_HOME", "IMPACT_STORE", "IMPACT_CATALOG", "IMPACT_REPORTS", "IMPACT_INBOX"):
        monkeypatch.delenv(var, raising=False)
    s = settings()
    root = project_root()
    assert (root / "pyproject.toml").is_file()
    assert s.catalog_dir == root / "indicators"
    assert s.store_dir == root / "data" / "store"
    assert s.reports_dir == root / "reports"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMPACT_STORE", str(tmp_path / "s"))
    monkeypatch.setenv("IMPACT_MAX_BYTES", "123")
    monkeypatch.setenv("IMPACT_TODAY", "2025-01-02")
    monkeypatch.setenv("IMPACT_LANG", "xx")
    s = settings()
    assert s.store_dir == tmp_path / "s"
    assert s.max_bytes == 123
    assert s.today == dt.date(2025, 1, 2)
    assert s.lang == "de"  # unknown languages fall back to German
    assert s.with_(store_dir=tmp_path / "t", lang=None).store_dir == tmp_path / "t"


def test_problem_holds_code_and_facts_and_renders_in_any_language() -> None:
    p = Problem(3, "period", "bad_period", Message("'{value}' is not a valid period.", value="24-Q2"),
                Message("quarterly indicator: write e.g. 2024-Q2"))
    assert p.message("de") == "„24-Q2“ ist kein gültiger Zeitraum. (Quartalsindikator: schreiben Sie z. B. 2024-Q2)"
    assert p.to_json("en") == {"row": 3, "column": "period", "code": "bad_period",
                               "message": "'24-Q2' is not a valid period. (quarterly indicator: write e.g. 2024-Q2)"}
    assert p.fields == {"value": "24-Q2"} and p.message_de == "„24-Q2“ ist kein gültiger Zeitraum."


def test_public_api_is_lazy_and_complete() -> None:
    assert impact.load_catalog is not None
    with pytest.raises(AttributeError):
        impact.does_not_exist  # noqa: B018


def test_receipt_clock_can_be_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.core.config import utc_now

    monkeypatch.setenv("IMPACT_NOW", "2025-03-04T05:06:07")
    assert utc_now() == dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    monkeypatch.delenv("IMPACT_NOW")
    assert abs((utc_now() - dt.datetime.now(dt.UTC)).total_seconds()) < 5


def test_every_public_name_resolves() -> None:
    missing = [name for name in impact.__all__ if name != "__version__" and getattr(impact, name, None) is None]
    assert not missing


def test_version_matches_package_metadata() -> None:
    from importlib.metadata import version

    assert impact.__version__ == version("impact")


def test_every_setting_comes_from_one_read_of_the_environment(tmp_path: Path) -> None:
    env = {"IMPACT_HOME": str(tmp_path), "IMPACT_TOKENS": str(tmp_path / "t.json"),
           "IMPACT_NOW": "2025-03-04T05:06:07Z", "IMPACT_LOCALE_DIRS": f"{tmp_path / 'a'}:{tmp_path / 'b'}",
           "IMPACT_REPORT_DEBUG": "1", "IMPACT_PORTAL_MAX_BYTES": "1000", "IMPACT_PORTAL_ATTEMPTS": "x.json",
           "IMPACT_PORTAL_CLIENT_ENV": "HTTP_X_REAL_IP", "IMPACT_LANG": "en"}
    s = settings(env)
    assert s.root == tmp_path and s.catalog_dir == tmp_path / "indicators"
    assert s.tokens_path == tmp_path / "t.json"
    assert s.now == dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC) and s.clock() == s.now
    assert s.locale_dirs == (tmp_path / "a", tmp_path / "b")
    assert (s.report_debug, s.portal_max_bytes, s.portal_attempts, s.portal_client_env, s.lang) == (
        True, 1000, "x.json", "HTTP_X_REAL_IP", "en")
    plain = settings({"IMPACT_HOME": str(tmp_path)})
    assert (plain.now, plain.tokens_path, plain.report_debug) == (None, tmp_path / "data" / "portal" / "tokens.json",
                                                                  False)
    assert abs((plain.clock() - dt.datetime.now(dt.UTC)).total_seconds()) < 5


@pytest.mark.parametrize(("name", "value"), [("IMPACT_MAX_BYTES", "lots"), ("IMPACT_MAX_BYTES", "-5"),
                                             ("IMPACT_TODAY", "31.12.2025"), ("IMPACT_NOW", "yesterday"),
                                             ("IMPACT_PORTAL_MAX_BYTES", "0")])
def test_malformed_setting_names_the_variable(name: str, value: str) -> None:
    from impact.core.config import SettingsError

    with pytest.raises(SettingsError) as info:
        settings({name: value})
    assert info.value.exit_code == 2
    for lang in ("de", "en"):
        assert name in info.value.message(lang) and value in info.value.message(lang)
    assert "Umgebungsvariable" in info.value.message("de")


def test_malformed_setting_at_the_command_line_is_a_message(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "IMPACT_MAX_BYTES": "lots"}
    exe = Path(sys.executable).with_name("impact")
    proc = subprocess.run([str(exe), "catalog", "check"], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert proc.returncode == 2, proc.stderr
    assert "IMPACT_MAX_BYTES" in proc.stderr and "Traceback" not in proc.stderr
