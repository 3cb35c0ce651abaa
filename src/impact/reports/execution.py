"""Running report notebooks: one papermill execution plus HTML export per task, in worker processes.

papermill's ``cwd=`` changes the process's directory (not thread-safe), so reports run in a
process pool (spawned, absolute paths). A kernel that fails to start is retried once; a failing
cell (``PapermillExecutionError``) or a cell timeout (nbclient's ``CellTimeoutError``) fails
only its report, and the executed notebook with the error is kept.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from impact.reports.planning import KERNEL_NAME

__all__ = ["DEFAULT_TIMEOUT", "execute_report", "lighten_imports", "run_pool"]

DEFAULT_TIMEOUT = 300  # seconds per cell


def lighten_imports() -> None:
    """Skip an optional import that costs over a second of CPU per process.

    nbformat (via papermill, nbconvert and plotly's renderers) imports jsonschema, which imports
    ``rfc3987_syntax`` when installed; that builds a parser grammar at import time. It only
    checks the "iri" string format, which notebook validation never uses. Marking it as not
    importable makes jsonschema skip that one format checker. No effect once it is imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _quiet_stderr() -> None:
    """Silence this worker's (and its kernels') stderr: kernel start-up chatter would clutter the
    command's output; failures are reported through the results, and the executed notebook."""
    if os.environ.get("IMPACT_REPORT_DEBUG"):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _worker_init() -> None:
    lighten_imports()
    _quiet_stderr()


def _error(kind: str, exc: BaseException, ename: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": kind, **extra, "ename": ename or type(exc).__name__,
            "evalue": str(getattr(exc, "evalue", exc))[:2000]}


def execute_report(task: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook with papermill and export it to HTML (runs in a worker process).

    ``task``: ``name``, ``input`` (notebook path), ``parameters``, ``out_dir``, ``lang``, ``title``,
    ``timeout``, ``start_timeout``, optionally ``kernel_name``. Returns ``status``, ``html``, ``error``, ``attempts``, ``charts``, ``duration_s``.
    """
    import logging

    lighten_imports()
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from impact.reports.html_export import export_html

    logging.getLogger("papermill").setLevel(logging.WARNING)
    out_dir = Path(task["out_dir"])
    nb_out = out_dir / f"{task['name']}.ipynb"
    html_out = out_dir / f"{task['name']}.html"
    started = time.monotonic()
    # an HTML page left from an earlier run into the same folder must not pass for this run's
    # result (it would show older data than the manifest's hashes): it goes before the run
    html_out.unlink(missing_ok=True)
    result: dict[str, Any] = {"status": "failed", "html": None, "error": None, "attempts": 0, "charts": 0}
    for attempt in (1, 2):
        result["attempts"] = attempt
        try:
            pm.execute_notebook(task["input"], str(nb_out), parameters=task["parameters"],
                                kernel_name=task.get("kernel_name", KERNEL_NAME), progress_bar=False, log_output=False,
                                execution_timeout=task["timeout"], start_timeout=task["start_timeout"],
                                request_save_on_cell_execute=False, report_mode=False)
            result["status"], result["error"] = "ok", None
            break
        except PapermillExecutionError as exc:
            result["error"] = _error("cell", exc, exc.ename, cell_index=exc.cell_index)
            break
        except CellTimeoutError as exc:
            result["error"] = _error("timeout", exc)
            break
        except Exception as exc:  # noqa: BLE001 - kernel start failures, dead kernels: retry once
            result["error"] = _error("kernel", exc)
    if result["status"] == "ok":
        try:
            result["charts"] = export_html(nb_out, html_out, lang=task["lang"], title=task["title"])
            result["html"] = html_out.name
        except Exception as exc:  # noqa: BLE001 - report it, keep the others going
            result["status"], result["error"] = "failed", _error("html", exc)
    result["duration_s"] = time.monotonic() - started
    return result


def _crashed(exc: BaseException) -> dict[str, Any]:
    return {"status": "failed", "html": None, "attempts": 1, "charts": 0, "duration_s": 0.0,
            "error": _error("worker", exc)}


def run_pool(tasks: Sequence[dict[str, Any]], jobs: int, *, progress: bool | None,
             on_done: Callable[[dict[str, Any], dict[str, Any]], None]) -> None:
    """Execute ``tasks`` in ``jobs`` spawned processes; call ``on_done(task, raw_result)`` for each
    as it finishes. A crashed worker fails only its report. ``progress``: ``None`` shows a tqdm
    bar on stderr only when it is a terminal."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    lighten_imports()
    from tqdm import tqdm

    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_worker_init) as pool, \
            tqdm(total=len(tasks), file=sys.stderr, unit="report", desc="impact report",
                 disable=(None if progress is None else not progress)) as bar:
        futures = {pool.submit(execute_report, t): t for t in tasks}
        for fut in as_completed(futures):
            try:
                raw = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its report
                raw = _crashed(exc)
            bar.update(1)
            on_done(futures[fut], raw)
