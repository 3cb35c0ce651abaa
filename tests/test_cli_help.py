"""Every command's help exists in German and English: each help text of the ``impact`` command tree
(commands, groups and their options) is a message of the shipped German catalogue, and
``--help`` works in both languages. A command added without ``N_()`` around its help fails here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

import impact
from impact.cli import cli

PO = Path(impact.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "impact.po"


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, f"impact {' '.join((*path, name))} cannot be loaded"
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))


COMMANDS = list(_commands(cli))


def _help_texts(cmd: click.Command) -> Iterator[tuple[str, str]]:
    if cmd.help:
        yield "help", cmd.help
    if cmd.short_help:
        yield "short_help", cmd.short_help
    for param in cmd.params:
        text = getattr(param, "help", None)
        if text and param.name != "help":
            yield f"option {param.name}", text


@pytest.fixture(scope="module")
def german() -> dict[str, str]:
    with PO.open("rb") as fh:
        catalogue = read_po(fh)
    return {m.id: m.string for m in catalogue if isinstance(m.id, str) and m.string}


def test_the_tree_is_complete() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"validate", "ingest", "scores", "report", "portal", "explorer"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_help_text_has_a_german_translation(path: tuple[str, ...], cmd: click.Command,
                                                  german: dict[str, str]) -> None:
    assert cmd.help, f"impact {' '.join(path)} has no help text"
    missing = [f"{where}: {text.splitlines()[0]!r}" for where, text in _help_texts(cmd) if text not in german]
    assert not missing, f"impact {' '.join(path)}: help not in the German catalogue (mark it N_()):\n" + "\n".join(missing)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_is_shown_in_both_languages(path: tuple[str, ...], cmd: click.Command, german: dict[str, str]) -> None:
    runner = CliRunner()
    shown = {}
    for lang in ("de", "en"):
        result = runner.invoke(cli, [*path, "--help"], env={"IMPACT_LANG": lang})
        assert result.exit_code == 0, result.output
        shown[lang] = result.output
    first_en = (cmd.help or "").strip().splitlines()[0]
    assert first_en.split()[0] in shown["en"]
    assert shown["de"] != shown["en"]
    first_de = german.get(cmd.help or "", "").strip().splitlines()[0]
    assert first_de.split()[0] in shown["de"]
