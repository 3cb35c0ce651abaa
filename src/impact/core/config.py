"""One place for paths and settings.

Every path the package uses is derived here, once, from the project root; each setting has a
default that an environment variable (and, in the CLI, an option) can override.

| setting            | environment variable   | default                          |
|--------------------|------------------------|----------------------------------|
| project root       | ``IMPACT_HOME``        | the checkout this package lives in, else the current directory |
| catalog directory  | ``IMPACT_CATALOG``     | ``<root>/indicators``            |
| store directory    | ``IMPACT_STORE``       | ``<root>/data/store``            |
| reports directory  | ``IMPACT_REPORTS``     | ``<root>/reports``               |
| inbox directory    | ``IMPACT_INBOX``       | ``<root>/data/inbox``            |
| max. file size     | ``IMPACT_MAX_BYTES``   | 50 MB                            |
| "today"            | ``IMPACT_TODAY``       | the real date (tests pin it)     |
| receipt clock      | ``IMPACT_NOW``         | the real UTC time (tests and replays pin it) |
| language           | ``IMPACT_LANG``        | ``de``                           |
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "project_root", "settings", "utc_now"]

LANGS = ("de", "en")


def project_root() -> Path:
    """The project root: ``IMPACT_HOME``, else the checkout holding this package, else cwd."""
    env = os.environ.get("IMPACT_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "indicators").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd().resolve()


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def utc_now() -> dt.datetime:
    """The current UTC time, used to stamp received submissions.

    ``IMPACT_NOW`` (an ISO date-time; a naive value is taken as UTC) pins it, so that tests and
    replays of a past intake are reproducible; the store still keeps receipt times strictly
    increasing. Leave it unset in production.
    """
    value = os.environ.get("IMPACT_NOW")
    if value:
        pinned = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return pinned if pinned.tzinfo else pinned.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    value = os.environ.get("IMPACT_TODAY")
    return dt.date.fromisoformat(value) if value else dt.date.today()


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`settings`; change with :meth:`with_`."""

    root: Path
    catalog_dir: Path
    store_dir: Path
    reports_dir: Path
    inbox_dir: Path
    max_bytes: int = 50_000_000
    today: dt.date = field(default_factory=dt.date.today)
    lang: str = "de"

    @property
    def sample_dir(self) -> Path:
        """The embedded synthetic sample submissions."""
        return self.root / "data" / "sample"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields replaced (``None`` values are ignored)."""
        clean = {k: v for k, v in changes.items() if v is not None}
        for key in ("catalog_dir", "store_dir", "reports_dir", "inbox_dir"):
            if key in clean:
                clean[key] = Path(str(clean[key])).expanduser().resolve()
        return replace(self, **clean)  # type: ignore[arg-type]


def settings() -> Settings:
    """Settings from the environment, with defaults derived from the project root."""
    root = project_root()
    lang = os.environ.get("IMPACT_LANG", "de")
    return Settings(
        root=root,
        catalog_dir=_env_path("IMPACT_CATALOG", root / "indicators"),
        store_dir=_env_path("IMPACT_STORE", root / "data" / "store"),
        reports_dir=_env_path("IMPACT_REPORTS", root / "reports"),
        inbox_dir=_env_path("IMPACT_INBOX", root / "data" / "inbox"),
        max_bytes=int(os.environ.get("IMPACT_MAX_BYTES", "50000000")),
        today=_today(),
        lang=lang if lang in LANGS else "de",
    )
