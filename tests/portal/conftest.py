"""Fixtures of the portal tests: a tiny catalog, tokens, sample files and a running portal."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from impact.apps.portal.tokens import TokenStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

VALID_CSV = (b"project_id,indicator_id,period,value\n"
             b"kiezbox,test-users,2025-Q1,120\n"
             b"kiezbox,test-users,2025-Q2,150\n"
             b"kiezbox,test-outage-hours,2025-05,12\n")
# row 3: not a number; row 4: unknown indicator
INVALID_CSV = (b"project_id,indicator_id,period,value\n"
               b"kiezbox,test-users,2025-Q1,120\n"
               b"kiezbox,test-users,2025-Q2,abc\n"
               b"kiezbox,test-nonsense,2025-Q2,5\n")


@pytest.fixture(autouse=True)
def _restore_portal_log() -> Iterator[None]:
    """``impact.apps.portal.app.server_log`` (called by ``portal_widget``) configures a process-wide
    logger; put it back after each test."""
    import logging

    logger = logging.getLogger("impact.portal")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    yield
    logger.handlers[:] = saved[0]
    logger.propagate, logger.level = saved[1], saved[2]


def make_catalog(target: Path) -> Path:
    """A copy of the tiny test catalog (real framework + 4 test indicators)."""
    shutil.copytree(ROOT / "indicators" / "framework", target / "framework")
    shutil.copy(FIXTURES / "catalog_min" / "indicators.yaml", target / "indicators.yaml")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningPortal:
    url: str
    store_dir: Path
    tokens: TokenStore
    raw: dict[str, str]  # project -> raw token
    files: Path
    log: Path


@pytest.fixture(scope="package")
def running_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """``impact portal`` as a real subprocess on a free 127.0.0.1 port, tmp store and tokens."""
    base = tmp_path_factory.mktemp("portal")
    catalog_dir = make_catalog(base / "catalog")
    tokens = TokenStore(base / "tokens.json")
    raw = {p: tokens.issue(p)[1] for p in ("kiezbox", "smart-water")}
    files = base / "files"
    files.mkdir()
    (files / "valid.csv").write_bytes(VALID_CSV)
    (files / "invalid.csv").write_bytes(INVALID_CSV)
    port = free_port()
    env = {**os.environ, "IMPACT_TODAY": "2026-11-21", "IMPACT_LANG": "de"}
    env.pop("IMPACT_TOKENS", None)
    log = base / "portal.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "impact.cli", "portal", "--port", str(port), "--store", str(base / "store"),
             "--tokens", str(tokens.path), "--catalog", str(catalog_dir)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=base)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:  # a cheap probe that starts no kernel: answered 403 once Voilà listens
                urllib.request.urlopen(url + "voila/files/probe", timeout=5)  # noqa: S310
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("portal did not start:\n" + log.read_text(errors="replace")) from None
                time.sleep(0.5)
        yield RunningPortal(url, base / "store", tokens, raw, files, log)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
