"""Settings: the one dataclass of everything configurable, read from the environment once.

Every path the package uses is derived here, once, from the project root; every setting has a
default that an environment variable (and, in the CLI, an option) can override. Library code never
reads the environment: the edges (the CLI via ``impact.cli.common.cli_settings``, notebooks, the
apps' entry points) call :func:`settings` once and pass the values they need down.

| field               | environment variable        | default                                    |
|---------------------|-----------------------------|--------------------------------------------|
| ``root``            | ``IMPACT_HOME``             | the checkout this package lives in, else the current directory |
| ``catalog_dir``     | ``IMPACT_CATALOG``          | ``<root>/indicators``                      |
| ``store_dir``       | ``IMPACT_STORE``            | ``<root>/data/store``                      |
| ``reports_dir``     | ``IMPACT_REPORTS``          | ``<root>/reports``                         |
| ``inbox_dir``       | ``IMPACT_INBOX``            | ``<root>/data/inbox``                      |
| ``tokens_path``     | ``IMPACT_TOKENS``           | ``<root>/data/portal/tokens.json``         |
| ``max_bytes``       | ``IMPACT_MAX_BYTES``        | 50 MB (largest submission file)            |
| ``today``           | ``IMPACT_TODAY``            | the real date (tests pin it)               |
| ``now``             | ``IMPACT_NOW``              | unset: the real UTC time stamps receipts (tests and replays pin it) |
| ``lang``            | ``IMPACT_LANG``             | ``de`` (a language without a catalogue falls back to German) |
| ``locale_dirs``     | ``IMPACT_LOCALE_DIRS``      | none: extra translation catalogues, paths separated by ``:`` |
| ``report_debug``    | ``IMPACT_REPORT_DEBUG``     | off: keep failed report notebooks' tracebacks |
| ``portal_max_bytes``| ``IMPACT_PORTAL_MAX_BYTES`` | unset: the portal's own upload limit       |
| ``portal_attempts`` | ``IMPACT_PORTAL_ATTEMPTS``  | unset: the portal's sign-in attempt log    |
| ``portal_client_env`` | ``IMPACT_PORTAL_CLIENT_ENV`` | unset: the request header variable naming the client |

``IMPACT_TEST_PAUSE_AFTER_WRITE`` is a test hook of the store (a pause to kill a writer in), not a
setting. A malformed value (``IMPACT_MAX_BYTES=lots``) raises :class:`SettingsError` naming the
variable (exit 2), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from impact.core.errors import EXIT_UNREADABLE, ImpactError
from impact.core.i18n import N_, normalise_lang

__all__ = ["LANGS", "Settings", "SettingsError", "project_root", "settings", "utc_now"]

#: the languages every text exists in (more come with a translation catalogue, docs/translating.md)
LANGS = ("de", "en")


class SettingsError(ImpactError):
    """An environment variable holds a value the tool cannot use (exit 2)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, variable: str, value: str, expected: str) -> None:
        self.variable, self.value, self.expected = variable, value, expected
        super().__init__(f"{variable}={value!r}: {expected}")

    def message(self, lang: str = "de") -> str:
        from impact.core.i18n import texts

        _ = texts(lang)
        return _("The environment variable {variable} has the unusable value '{value}': {expected}",
                 variable=self.variable, value=self.value, expected=_(self.expected))


def project_root(env: Mapping[str, str] | None = None) -> Path:
    """The project root: ``IMPACT_HOME``, else the checkout holding this package, else cwd."""
    value = (os.environ if env is None else env).get("IMPACT_HOME")
    if value:
        return Path(value).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "indicators").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd().resolve()


def _parse_now(value: str) -> dt.datetime:
    pinned = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return pinned if pinned.tzinfo else pinned.replace(tzinfo=dt.UTC)


def utc_now() -> dt.datetime:
    """The current UTC time, used to stamp received submissions.

    ``IMPACT_NOW`` (an ISO date-time; a naive value is taken as UTC) pins it, so that tests and
    replays of a past intake are reproducible; the store still keeps receipt times strictly
    increasing. Leave it unset in production. (The store's clock; :attr:`Settings.now` is the
    same value read once.)
    """
    value = os.environ.get("IMPACT_NOW")
    if value:
        try:
            return _parse_now(value)
        except ValueError:
            raise SettingsError("IMPACT_NOW", value, N_EXPECT_DATETIME) from None
    return dt.datetime.now(dt.UTC)


# what a variable must look like (translated when shown)
N_EXPECT_DATE = N_("expected a date written YYYY-MM-DD")
N_EXPECT_DATETIME = N_("expected an ISO date-time such as 2026-01-15T09:30:00Z")
N_EXPECT_BYTES = N_("expected a whole number of bytes greater than 0")


@dataclass(frozen=True)
class Settings:
    """Resolved settings (see the module docstring for each field's variable and default).

    Build with :func:`settings` (from the environment) or directly (tests); change with :meth:`with_`.
    """

    root: Path
    catalog_dir: Path
    store_dir: Path
    reports_dir: Path
    inbox_dir: Path
    max_bytes: int = 50_000_000
    today: dt.date = field(default_factory=dt.date.today)
    lang: str = "de"
    tokens_path: Path | None = None
    now: dt.datetime | None = None
    locale_dirs: tuple[Path, ...] = ()
    report_debug: bool = False
    portal_max_bytes: int | None = None
    portal_attempts: str | None = None
    portal_client_env: str | None = None

    @property
    def sample_dir(self) -> Path:
        """The embedded synthetic sample submissions."""
        return self.root / "data" / "sample"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    def clock(self) -> dt.datetime:
        """The receipt clock: the pinned :attr:`now`, else the real UTC time."""
        return self.now if self.now is not None else dt.datetime.now(dt.UTC)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields replaced (``None`` values are ignored)."""
        clean = {k: v for k, v in changes.items() if v is not None}
        for key in ("catalog_dir", "store_dir", "reports_dir", "inbox_dir", "tokens_path"):
            if key in clean:
                clean[key] = Path(str(clean[key])).expanduser().resolve()
        return replace(self, **clean)  # type: ignore[arg-type]


def _positive_int(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name)
    if not value:
        return None
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        number = 0
    if number <= 0:
        raise SettingsError(name, value, N_EXPECT_BYTES)
    return number


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or ``env``), with defaults derived from the project root.

    Raises :class:`SettingsError` for a malformed value.
    """
    env = os.environ if env is None else env
    root = project_root(env)

    def path(name: str, default: Path) -> Path:
        value = env.get(name)
        return Path(value).expanduser().resolve() if value else default

    today_text = env.get("IMPACT_TODAY")
    try:
        today = dt.date.fromisoformat(today_text.strip()) if today_text else dt.date.today()
    except ValueError:
        raise SettingsError("IMPACT_TODAY", str(today_text), N_EXPECT_DATE) from None
    now_text = env.get("IMPACT_NOW")
    try:
        now = _parse_now(now_text) if now_text else None
    except ValueError:
        raise SettingsError("IMPACT_NOW", str(now_text), N_EXPECT_DATETIME) from None
    return Settings(
        root=root,
        catalog_dir=path("IMPACT_CATALOG", root / "indicators"),
        store_dir=path("IMPACT_STORE", root / "data" / "store"),
        reports_dir=path("IMPACT_REPORTS", root / "reports"),
        inbox_dir=path("IMPACT_INBOX", root / "data" / "inbox"),
        max_bytes=_positive_int(env, "IMPACT_MAX_BYTES") or 50_000_000,
        today=today,
        lang=normalise_lang(env.get("IMPACT_LANG")),
        tokens_path=path("IMPACT_TOKENS", root / "data" / "portal" / "tokens.json"),
        now=now,
        locale_dirs=tuple(Path(p).expanduser() for p in env.get("IMPACT_LOCALE_DIRS", "").split(os.pathsep)
                          if p.strip()),
        report_debug=bool(env.get("IMPACT_REPORT_DEBUG")),
        portal_max_bytes=_positive_int(env, "IMPACT_PORTAL_MAX_BYTES"),
        portal_attempts=env.get("IMPACT_PORTAL_ATTEMPTS") or None,
        portal_client_env=env.get("IMPACT_PORTAL_CLIENT_ENV") or None,
    )
