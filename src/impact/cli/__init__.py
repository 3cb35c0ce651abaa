"""The ``impact`` command line: a thin layer that hands straight to library functions.

Commands are loaded lazily (each lives in the ``impact.cli`` module of its stage), so that e.g.
``impact catalog`` does not pay for importing Great Expectations. Help and messages appear in
the language given with ``--lang`` (else ``$IMPACT_LANG``, else German).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from impact.cli.common import ImpactGroup, help_lang
from impact.core.errors import EXIT_INVALID, CatalogError, ImpactError
from impact.core.i18n import N_, languages, normalise_lang

# command name -> "module:attribute"; each stage owns its module.
COMMANDS: dict[str, str] = {
    "catalog": "impact.cli.catalog:catalog",
    "validate": "impact.cli.intake:validate",
    "expectations": "impact.cli.intake:expectations",
    "template": "impact.cli.intake:template",
    "ingest": "impact.cli.store:ingest",
    "submissions": "impact.cli.store:submissions",
    "review": "impact.cli.review:review",
    "scores": "impact.cli.engine:scores",
    "export": "impact.cli.engine:export",
    "report": "impact.cli.reports:report",
    "run": "impact.cli.reports:run",
    "tokens": "impact.cli.portal:tokens",
    "portal": "impact.cli.portal:portal",
    "explorer": "impact.cli.explorer:explorer",
}


HELP = N_("""Impact measurement for Berlin's smart-city pilot projects.

Help in English: add --lang en (or set IMPACT_LANG=en).

Exit codes (all commands):

\b
  0  success
  1  invalid data or catalog: problems were found and reported
  2  unreadable input file or usage error
  3  busy: another process holds the lock; nothing was done
""")


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``impact --lang en <command>``: the language of every message of this invocation."""
    if value:
        os.environ["IMPACT_LANG"] = normalise_lang(value)


class LazyGroup(ImpactGroup):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def _load(self, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            return self._load(cmd_name)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"command '{cmd_name}' is not available: {exc}") from None  # a broken install

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            try:
                cmd = self._load(name)
            except (ImportError, AttributeError):
                continue
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=70)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="impact")
@click.option("--lang", type=click.Choice(languages(), case_sensitive=False), default=None, is_eager=True,
              expose_value=False, callback=_set_lang, help=N_("Language of help and messages for every command."))
def cli() -> None:
    pass


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: turns deliberate errors into messages and exit codes."""
    try:
        return cli.main(args=argv, standalone_mode=True)
    except CatalogError as exc:  # raised by lazily loaded commands outside their own handling
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)
    except ImpactError as exc:
        click.echo(exc.message(help_lang(argv)), err=True)
        sys.exit(exc.exit_code)

