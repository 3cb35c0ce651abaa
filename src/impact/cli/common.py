"""What every stage's CLI shares: settings read once, the common options, date parameters, help
and messages in the user's language, and turning deliberate errors into exit codes.

Every command is declared with ``cls=ImpactCommand`` (groups ``cls=ImpactGroup``) and English help
texts marked with ``N_``; ``--help`` shows them translated into the language chosen with ``--lang``
on the same command line, else ``$IMPACT_LANG``, else German. Options that several commands share
(``--store``, ``--catalog``, ``--lang``, ``--as-of``, ``--known-at``, ``--format``) are defined
once here. Library code never reads the environment: commands take :func:`cli_settings` once and
pass explicit values down.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from impact.core.catalog import Catalog, load_catalog
from impact.core.config import Settings, settings
from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE, CatalogError, ImpactError
from impact.core.i18n import N_, SOURCE_LANG, languages, normalise_lang, texts

__all__ = [
    "DAY",
    "MOMENT",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "ImpactCommand",
    "ImpactGroup",
    "as_of_option",
    "bilingual",
    "catalog_failure",
    "catalog_option",
    "cli_settings",
    "fail",
    "format_option",
    "help_lang",
    "known_at_option",
    "lang_option",
    "load_catalog_or_exit",
    "store_option",
    "user_errors",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Dates the tool accepts (pandas' timestamps end in 2262; nothing here is older than 1900).
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)


# --------------------------------------------------------------------------- language


def help_lang(args: list[str] | None = None) -> str:
    """The language for help and early messages: ``--lang X`` on the command line, else
    ``$IMPACT_LANG``, else German."""
    argv = sys.argv[1:] if args is None else args
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise_lang(arg.split("=", 1)[1])
    return normalise_lang(os.environ.get("IMPACT_LANG"))


def bilingual(message: str, /, **fields: Any) -> str:
    """A message before the user's language is known: German (or ``$IMPACT_LANG``) and English."""
    first = texts(help_lang())(message, **fields)
    english = texts(SOURCE_LANG)(message, **fields)
    return first if first == english else f"{first}\n{english}"


class _Translated:
    """Mixin: show help texts (marked with ``N_``) in :func:`help_lang`'s language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _ = texts(help_lang())
        cmd: Any = self
        saved = (cmd.help, cmd.epilog, cmd.short_help, [(p, getattr(p, "help", None)) for p in cmd.params])
        try:
            cmd.help = _(cmd.help) if cmd.help else cmd.help
            cmd.epilog = _(cmd.epilog) if cmd.epilog else cmd.epilog
            cmd.short_help = _(cmd.short_help) if cmd.short_help else cmd.short_help
            for param, text in saved[3]:
                if text:
                    param.help = _(text)
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            cmd.help, cmd.epilog, cmd.short_help = saved[:3]
            for param, text in saved[3]:
                if hasattr(param, "help"):
                    param.help = text

    def get_short_help_str(self, limit: int = 45) -> str:
        cmd: Any = self
        _ = texts(help_lang())
        saved = (cmd.help, cmd.short_help)
        try:
            cmd.help = _(cmd.help) if cmd.help else cmd.help
            cmd.short_help = _(cmd.short_help) if cmd.short_help else cmd.short_help
            return str(super().get_short_help_str(limit))  # type: ignore[misc]
        finally:
            cmd.help, cmd.short_help = saved


class ImpactCommand(_Translated, click.Command):
    """A command whose help appears in the user's language."""


class ImpactGroup(_Translated, click.Group):
    """A group whose help appears in the user's language; its sub-commands are ImpactCommands."""

    command_class = ImpactCommand
    group_class = type


# --------------------------------------------------------------------------- settings


def cli_settings() -> Settings:
    """The settings of this invocation, read from the environment once and shared by all its code."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return settings()
    meta = ctx.find_root().meta
    if "impact.settings" not in meta:
        meta["impact.settings"] = settings()
    return meta["impact.settings"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- dates


class _DayType(click.ParamType):
    """An ISO date (YYYY-MM-DD) between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                self.fail(bilingual(N_("'{value}' is not a date: write YYYY-MM-DD, e.g. 2025-12-31."),
                                    value=value), param, ctx)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(bilingual(N_("{value} is out of range: use a date from {first} to {last}."),
                                value=day.isoformat(), first=EARLIEST_DAY.isoformat(),
                                last=LATEST_DAY.isoformat()), param, ctx)
        return day


class _MomentType(click.ParamType):
    """A date (the end of that day, UTC) or an ISO date-time (naive = UTC), in the accepted range."""

    name = "DATE|DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date | dt.datetime:
        if isinstance(value, dt.date):
            moment = value
        else:
            text = str(value).strip()
            try:
                moment = (dt.date.fromisoformat(text) if len(text) == 10
                          else dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
            except ValueError:
                self.fail(bilingual(N_("'{value}' is neither a date nor a date-time: write YYYY-MM-DD or "
                                       "YYYY-MM-DDTHH:MM[:SS][+00:00], e.g. 2026-01-15T09:30."), value=value),
                          param, ctx)
        if isinstance(moment, dt.datetime) and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        day = moment.date() if isinstance(moment, dt.datetime) else moment
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(bilingual(N_("{value} is out of range: use a date from {first} to {last}."),
                                value=str(value), first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()),
                      param, ctx)
        return moment


DAY = _DayType()
MOMENT = _MomentType()


# --------------------------------------------------------------------------- shared options


def store_option(f: F) -> F:
    return click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                        help=N_("Store directory (default: data/store, or $IMPACT_STORE)."))(f)


def catalog_option(f: F) -> F:
    return click.option("--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
                        help=N_("Catalog directory (default: indicators/, or $IMPACT_CATALOG)."))(f)


def lang_option(f: F) -> F:
    return click.option("--lang", type=click.Choice(languages(), case_sensitive=False), default=None,
                        help=N_("Language of the output (default: $IMPACT_LANG, else de)."))(f)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                            help=N_("Output format."))(f)
    return deco


def as_of_option(f: F) -> F:
    return click.option("--as-of", "as_of", type=DAY, default=None,
                        help=N_("Reference date (Stichtag): periods that started on or before it count. "
                                "Default: today."))(f)


def known_at_option(f: F) -> F:
    return click.option("--known-at", "known_at", type=MOMENT, default=None,
                        help=N_("Knowledge date (Datenstand): only submissions received by then count; "
                                "a date means the end of that day, UTC. Default: now."))(f)


# --------------------------------------------------------------------------- failing


def fail(exit_code: int, message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with ``exit_code`` (no traceback)."""
    click.echo(message, err=True)
    sys.exit(exit_code)


def catalog_failure(exc: CatalogError, lang: str | None = None) -> str:
    """The catalog's problems, one line each (file, indicator, key, problem), in ``lang``; when no
    language was chosen, each line in the help language and in English."""
    return exc.message(lang) if lang else exc.message(help_lang(), also=SOURCE_LANG)


def load_catalog_or_exit(catalog_dir: Path | None, lang: str | None = None) -> Catalog:
    """Load the catalog (default: the configured directory); on problems print each and exit 1."""
    try:
        return load_catalog(catalog_dir if catalog_dir is not None else cli_settings().catalog_dir)
    except CatalogError as exc:
        fail(EXIT_INVALID, catalog_failure(exc, lang))


@contextmanager
def user_errors(lang: str | None = None) -> Iterator[None]:
    """Turn the package's deliberate errors (and unreadable files) into a message and exit code."""
    try:
        yield
    except CatalogError as exc:
        fail(EXIT_INVALID, catalog_failure(exc, lang))
    except ImpactError as exc:
        fail(exc.exit_code, exc.message(lang or help_lang()))
    except OSError as exc:
        _ = texts(lang or help_lang())
        fail(EXIT_UNREADABLE, _("Cannot read or write {path}: {reason}", path=getattr(exc, "filename", None) or "?",
                                reason=exc.strerror or str(exc)))

