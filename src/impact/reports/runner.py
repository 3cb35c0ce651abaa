"""Evaluation reports: one run sequences planning, execution, the index page and the manifest.

One run (``impact report``) does this::

    catalog + store ──evaluate once──► cache file (pickle of plain DataFrames, deleted after the run)
    for each report, in a worker process:  papermill(notebook, parameters) → <name>.ipynb
                                           html_export                     → <name>.html
    index.html (links and status of all reports) + manifest.json (provenance) + plotly.min.js

Each step has its module: :mod:`~impact.reports.planning` (what to run, checks before any kernel
starts), :mod:`~impact.reports.execution` (papermill in a process pool),
:mod:`~impact.reports.index_page`, :mod:`~impact.reports.provenance` (manifest). The notebooks in
``notebooks/`` are thin; inside their kernel :func:`~impact.reports.context.load_context` reads
the cache, and the sections come from :mod:`impact.reports.sections`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact.core.catalog import Catalog
from impact.core.errors import EXIT_INVALID, EXIT_OK
from impact.core.files import atomic_write_text
from impact.core.i18n import N_, languages, texts
from impact.reports.context import build_cache, evaluate_store
from impact.reports.execution import DEFAULT_TIMEOUT, run_pool
from impact.reports.index_page import render_index
from impact.reports.planning import (
    KINDS,
    ParamValue,
    ReportError,
    ReportSpec,
    check_notebook,
    plan_reports,
    validate_parameters,
)
from impact.reports.provenance import MANIFEST_VERSION, instant, utc_stamp, versions, write_manifest

__all__ = ["KINDS", "ReportError", "ReportResult", "ReportSpec", "RunSummary", "plan_reports", "produced_line",
           "render_index", "run_reports"]


@dataclass
class ReportResult:
    """The outcome of one report."""

    name: str
    kind: str
    ident: str | None
    title: str
    notebook: str
    html: str | None
    parameters: dict[str, ParamValue]
    status: str  # "ok" | "failed"
    duration_s: float
    attempts: int = 1
    charts: int = 0
    error: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "id": self.ident, "title": self.title,
                "notebook": self.notebook, "html": self.html, "parameters": self.parameters,
                "status": self.status, "duration_s": round(self.duration_s, 3), "attempts": self.attempts,
                "charts": self.charts, "error": self.error}


@dataclass
class RunSummary:
    """What a run produced; ``exit_code`` is 0 when every report succeeded, else 1."""

    out_dir: Path
    results: list[ReportResult] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        return EXIT_INVALID if self.failed else EXIT_OK

    @property
    def index_path(self) -> Path:
        return self.out_dir / "index.html"

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / "manifest.json"


def produced_line(summary: RunSummary, lang: str) -> str:
    """"17/18 reports produced: <index.html>" for the command's output."""
    n = len(summary.results)
    _ = texts(lang)
    return _("{ok}/{n} reports produced: {index}", ok=n - len(summary.failed), n=n, index=str(summary.index_path))


def _now() -> str:
    return utc_stamp(dt.datetime.now(dt.UTC).replace(microsecond=0))


def _tasks(specs: Sequence[ReportSpec], catalog: Catalog, common: dict[str, ParamValue], nb_dir: Path, out: Path,
           lang: str, timeout: int, start_timeout: int) -> list[dict[str, Any]]:
    """One task per report, after checking its parameters and (once per notebook) the notebook."""
    tasks: list[dict[str, Any]] = []
    checked: set[str] = set()
    for spec in specs:
        params = validate_parameters(spec.parameters(common))
        nb_path = nb_dir / spec.notebook
        if spec.notebook not in checked:
            check_notebook(nb_path, list(params))
            checked.add(spec.notebook)
        tasks.append({"name": spec.name, "kind": spec.kind, "ident": spec.ident, "input": str(nb_path),
                      "parameters": params, "out_dir": str(out), "lang": lang, "title": spec.title(catalog, lang),
                      "timeout": timeout, "start_timeout": start_timeout})
    return tasks


def _result(task: dict[str, Any], raw: dict[str, Any]) -> ReportResult:
    return ReportResult(name=task["name"], kind=task["kind"], ident=task["ident"], title=task["title"],
                        notebook=f"{task['name']}.ipynb", html=raw["html"], parameters=task["parameters"],
                        status=raw["status"], duration_s=raw["duration_s"], attempts=raw["attempts"],
                        charts=raw["charts"], error=raw["error"])


def run_reports(specs: Sequence[ReportSpec], *, catalog: Catalog, store_dir: Path, out_dir: Path,
                notebooks_dir: Path, as_of: dt.date, known_at: dt.date | dt.datetime | None = None,
                lang: str = "de", jobs: int | None = None, approved_only: bool = False,
                timeout: int = DEFAULT_TIMEOUT, start_timeout: int = 60, command_line: str | None = None,
                progress: bool | None = None,
                on_result: Callable[[ReportResult], None] | None = None) -> RunSummary:
    """Execute ``specs`` into ``out_dir``, in parallel processes.

    ``as_of`` is the reference date, ``known_at`` the knowledge date (a date means the end of that
    day, UTC; ``None`` counts everything stored); the manifest records the exact instant. Writes ``<name>.ipynb`` and ``<name>.html`` per report, ``plotly.min.js``, ``index.html`` and
    ``manifest.json``. One failing notebook does not stop the others. ``progress``: ``None``
    shows a tqdm bar on stderr only when it is a terminal. ``approved_only`` builds the publication
    set from approved values alone; every page and the manifest say so.
    """
    from impact.reports.html_export import write_plotly_js

    if lang not in languages():
        raise ReportError(N_("Unknown report language '{lang}'. Choose one of: {known}."), lang=lang,
                          known=", ".join(languages()))
    st_dir = Path(store_dir).resolve()
    if not st_dir.is_dir():
        raise ReportError(N_("Store not found: {path} (run 'impact ingest' first)."), path=str(st_dir))
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started_at, t0 = _now(), time.monotonic()

    moment = instant(known_at)
    cutoff = None if moment is None else dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    evaluation, store_hash = evaluate_store(catalog, st_dir, as_of, cutoff, approved_only)
    cache = out / f".impact-cache-{os.getpid()}" / "evaluation.pkl"
    common: dict[str, ParamValue] = {"as_of": as_of.isoformat(), "known_at": moment, "lang": lang,
                                     "store": str(st_dir), "catalog": str(catalog.path or ""),
                                     "evaluation_cache": str(cache)}
    tasks = _tasks(specs, catalog, common, Path(notebooks_dir).resolve(), out, lang, timeout, start_timeout)
    write_plotly_js(out)
    results: dict[str, ReportResult] = {}
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))

    def done(task: dict[str, Any], raw: dict[str, Any]) -> None:
        res = results[task["name"]] = _result(task, raw)
        if on_result is not None:
            on_result(res)

    try:
        build_cache(catalog, evaluation, cache, known_at=moment, approved_only=approved_only)
        run_pool(tasks, n_jobs, progress=progress, on_done=done)
    finally:
        shutil.rmtree(cache.parent, ignore_errors=True)
    ordered = [results[t["name"]] for t in tasks]
    summary = RunSummary(out, ordered)
    all_versions = versions()
    summary.manifest = {
        "manifest_version": MANIFEST_VERSION,
        "tool": "impact",
        "version": all_versions.get("impact", "unknown"),
        "versions": all_versions,
        "command": command_line or " ".join(sys.argv),
        "as_of": as_of.isoformat(),
        "known_at": moment,
        "approved_only": approved_only,
        "lang": lang,
        "started_at": started_at,
        "finished_at": _now(),
        "duration_s": round(time.monotonic() - t0, 3),
        "jobs": n_jobs,
        "catalog_dir": str(catalog.path or ""),
        "catalog_hash": catalog.content_hash,
        "store_dir": str(st_dir),
        "store_hash": store_hash,
        "status": "failed" if summary.failed else "ok",
        "n_reports": len(ordered),
        "n_failed": len(summary.failed),
        "reports": [r.to_json() for r in ordered],
    }
    write_manifest(summary.manifest_path, summary.manifest)
    atomic_write_text(summary.index_path, render_index(summary.manifest, ordered, lang))
    return summary
