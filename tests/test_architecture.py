"""The layout shows the architecture: dependencies point one way, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "impact"

# apps and CLI → reports → engine → store → intake → core (a module may import its own stage and below)
RANK = {"core": 0, "intake": 1, "store": 2, "engine": 3, "reports": 4, "apps": 5, "cli": 6}
MAX_LINES = 400
WHY_LONG = "Why this module is long:"
# Modules allowed over MAX_LINES without a stated reason while being split. Keep it empty.
SPLIT_PENDING: set[str] = set()
# Settings are read at the edges (CLI, notebooks' kernel context, app entry points) and passed in.
SETTINGS_EDGES = {"core/config.py", "reports/context.py", "apps/explorer/app.py", "apps/portal/app.py"}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "impact" and parts[1] in RANK else None


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "locale" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):  # function-level (lazy) imports count too
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def test_dependencies_point_one_way() -> None:
    upward = []
    for path in _modules():
        own = _stage(".".join(path.relative_to(SRC.parent).with_suffix("").parts))
        if own is None:
            continue
        for name in _imports(path):
            other = _stage(name)
            if other is not None and RANK[other] > RANK[own]:
                upward.append(f"{path.relative_to(SRC)} imports {name} ({own} → {other})")
    assert not upward, "imports against the direction apps/CLI → reports → engine → store → intake → core:\n" + "\n".join(sorted(upward))


def test_modules_are_small_or_say_why() -> None:
    long = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and WHY_LONG not in doc and str(path.relative_to(SRC)) not in SPLIT_PENDING:
            long.append(f"{path.relative_to(SRC)}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines without '{WHY_LONG}' in their docstring:\n" + "\n".join(long)


@pytest.mark.parametrize("stage", sorted(RANK))
def test_every_stage_is_a_package(stage: str) -> None:
    assert (SRC / stage / "__init__.py").is_file()


def test_library_code_does_not_read_settings() -> None:
    calls = []
    for path in _modules():
        rel = str(path.relative_to(SRC))
        if rel in SETTINGS_EDGES or rel.startswith("cli/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "settings":
                calls.append(f"{rel}:{node.lineno}")
    assert not calls, "settings() outside the edges (take the value as an argument instead):\n" + "\n".join(calls)
