"""The conda environment and the pip pins describe the same environment."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pip_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: '{line}' is not pinned with =="
            pins[name.lower()] = version
    return pins


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                name, _, version = line.partition("==")
                pins[name.lower()] = version
        else:
            m = re.match(r"^([A-Za-z0-9_.\-]+)\s*=?=\s*([^=\s]+)$", dep)
            if m:
                pins[m.group(1).lower()] = m.group(2)
    return pins


def test_environment_yml_matches_pip_pins() -> None:
    pip, conda = _pip_pins(), _conda_pins()
    missing = sorted(set(pip) - set(conda))
    assert not missing, f"in requirements.txt but not environment.yml: {missing}"
    differ = {n: (pip[n], conda[n]) for n in pip if conda.get(n) != pip[n]}
    assert not differ, f"versions differ (pip, conda): {differ}"


def test_environment_python_is_311() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_constraints_agree_with_direct_pins() -> None:
    constraints = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.strip().partition("==")
            constraints[name.lower().replace("_", "-")] = version
    for name, version in _pip_pins().items():
        key = name.replace("_", "-")
        assert constraints.get(key) == version, f"constraints.txt pins {name}=={constraints.get(key)}, requirements.txt {version}"
