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
