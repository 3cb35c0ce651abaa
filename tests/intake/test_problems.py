"""The one code list: docs/submitting.md documents exactly its codes, the code emits only them,
and every code renders in every shipped language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from impact.core.errors import Grouped, Message, render_field
from impact.core.i18n import languages
from impact.intake.problems import CODES, HINTS, WARNING_CODES, problem

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "submitting.md").read_text(encoding="utf-8")
_ROW = re.compile(r"^\| *((?:`[a-z_]+`(?: */ *)?)+) *\|", re.MULTILINE)


def _documented(section: str) -> set[str]:
    found: set[str] = set()
    for cell in _ROW.findall(section):
        found.update(re.findall(r"`([a-z_]+)`", cell))
    return found


def _section(start: str, end: str | None) -> str:
    a = DOC.index(start)
    return DOC[a:DOC.index(end, a)] if end else DOC[a:]


@pytest.mark.parametrize("start,end", [("### Fehlercodes", "## English"), ("File-level errors have", "**Plausibility rule**")])
def test_docs_list_exactly_the_codes(start: str, end: str) -> None:
    documented = _documented(_section(start, end))
    assert not documented - set(CODES), f"documented but not in impact.intake.problems.CODES: {documented - set(CODES)}"
    assert not set(CODES) - documented, f"in the code list but not documented: {set(CODES) - documented}"


def _emitted_codes() -> set[str]:
    """Every code passed as a literal to problem()/unreadable() or compared with in src/."""
    found = set()
    for path in (ROOT / "src" / "impact").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "problem", "unreadable"):
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and re.fullmatch(r"[a-z_]+",
                                                                                                    arg.value):
                        found.add(arg.value)
    return found


def test_code_emits_only_listed_codes() -> None:
    emitted = _emitted_codes()
    assert emitted, "the scan found no codes"
    assert emitted <= set(CODES), emitted - set(CODES)


def test_store_ingest_uses_the_intake_reader_not_its_own_codes() -> None:
    source = (ROOT / "src" / "impact" / "store" / "ingest.py").read_text(encoding="utf-8")
    assert "file_not_found" not in source and "file_not_readable" not in source
    assert "read_file" in source


@pytest.mark.parametrize("code", sorted(CODES))
@pytest.mark.parametrize("lang", languages())
def test_every_code_renders_with_its_fields(code: str, lang: str) -> None:
    fields = {name for _lit, name, _spec, _conv in __import__("string").Formatter().parse(CODES[code].text) if name}
    p = problem(code, 3, "value", **{f: f"<{f}>" for f in fields if f != "column"})
    text = p.message(lang)
    assert text and "{" not in text
    assert p.to_json(lang)["code"] == code


def test_hints_and_warning_levels() -> None:
    assert {"unknown_column", "ambiguous_number", "implausible_jump", "cumulative_decrease"} <= WARNING_CODES
    assert all(isinstance(t, str) and t for t in HINTS.values())


def test_fields_render_per_language() -> None:
    assert render_field(2.48, "de") == "2,48" and render_field(2.48, "en") == "2.48"
    assert render_field(100000.0, "en") == "100000"  # values as typed: no grouping
    assert render_field(Grouped(52428800), "de") == "52.428.800"
    assert render_field(Grouped(52428800), "en") == "52,428,800"
    assert render_field(Message("quarterly"), "de") == "quartalsweise"
    assert render_field(None, "en") == "–" and render_field(["a", 1], "en") == "a, 1"
