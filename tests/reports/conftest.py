"""Fixtures for the report tests: a store to report on, and ONE full `impact report --all` run.

The full set runs once per session (it is the expensive part) and many tests assert on it.
The store is the shared ``sample_store`` (copied) when ``data/sample/`` has files; until then a
store is built the same way (``ingest_file``) from small CSVs written against the real catalog.
Either way one extra submission adds a note containing ``<script>`` to a Kiezbox value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from impact.core.catalog import Catalog

from .helpers import XSS_NOTE, write_note_file, write_project_files

ROOT = Path(__file__).resolve().parents[2]
IMPACT = str(Path(sys.executable).with_name("impact"))
# Reports count submissions *received* by the end of the reporting day; tests/conftest.py pins the
# receipt clock and "today" to the same day, so the reporting day is fixed and results never drift.
AS_OF = dt.date(2026, 11, 21)  # the day tests/conftest.py pins (IMPACT_TODAY and the receipt clock IMPACT_NOW)
TODAY = AS_OF.isoformat()


def impact_env(**extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: pinned today, no inherited overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACT_")}
    env["IMPACT_TODAY"] = TODAY
    env.update(extra)
    return env


def run_impact(*args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([IMPACT, *args], capture_output=True, text=True, timeout=timeout, env=impact_env(**env),
                          cwd=ROOT)


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all pytest-xdist workers of this session share (their common base temp dir),
    so the expensive store and full run are built once even with ``-n 2``."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reports-shared"
    shared.mkdir(parents=True, exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, catalog: Catalog) -> Path:
    """A store with data for every pilot plus a note containing <script> (kiezbox)."""
    from impact.core.locking import exclusive_lock
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    shared = _shared_dir(tmp_path_factory)
    store = Store(shared / "store")
    with exclusive_lock(shared / ".store.lock", timeout=1200):
        if (shared / "store.done").exists():
            return store.path
        has_sample = any(p.suffix.lower() in (".csv", ".xlsx") for p in (ROOT / "data" / "sample").glob("*"))
        if has_sample:
            shutil.copytree(request.getfixturevalue("sample_store"), store.path)
            files = []
        else:
            files = write_project_files(catalog, shared / "files")
        files.append(write_note_file(catalog, shared / "files" / "zz-note.csv"))
        for path in files:
            res = ingest_file(path, store, catalog, today=dt.date(2026, 11, 21))
            assert res.status == "accepted", res.report.to_text("en")
        (shared / "store.done").touch()
    return store.path


@dataclass
class FullRun:
    proc: subprocess.CompletedProcess[str]
    out: Path
    store: Path
    manifest: dict[str, Any]
    seconds: float


@pytest.fixture(scope="session")
def full_run(tmp_path_factory: pytest.TempPathFactory, report_store: Path) -> FullRun:
    """`impact report --all` on the report store (real papermill, real kernels), once per session."""
    import time

    from impact.core.locking import exclusive_lock

    shared = _shared_dir(tmp_path_factory)
    out, record = shared / "full_run", shared / "full_run.json"
    with exclusive_lock(shared / ".full_run.lock", timeout=1800):
        if not record.exists():
            t0 = time.monotonic()
            proc = run_impact("report", "--all", "--store", str(report_store), "--out", str(out), "--jobs", "2")
            record.write_text(json.dumps({"args": proc.args, "returncode": proc.returncode, "stdout": proc.stdout,
                                          "stderr": proc.stderr, "seconds": time.monotonic() - t0}), encoding="utf-8")
    data = json.loads(record.read_text(encoding="utf-8"))
    proc = subprocess.CompletedProcess(data["args"], data["returncode"], data["stdout"], data["stderr"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8")) if (out / "manifest.json").is_file() else {}
    return FullRun(proc, out, report_store, manifest, data["seconds"])


__all__ = ["AS_OF", "TODAY", "XSS_NOTE", "FullRun", "impact_env", "run_impact"]
