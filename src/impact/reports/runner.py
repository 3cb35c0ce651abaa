"""Evaluation reports: plan, execute (papermill, in processes), export HTML, index, manifest.

One run (``impact report``) does this::

    catalog + store ──evaluate once──► cache file (pickle of plain DataFrames, deleted after the run)
    for each report, in a worker process:  papermill(notebook, parameters) → <name>.ipynb
                                           html_export                     → <name>.html
    index.html (links and status of all reports) + manifest.json (provenance) + plotly.min.js

The notebooks in ``notebooks/`` are thin; inside their kernel :func:`load_context` reads the
cache (or, when a notebook is opened by hand, evaluates the store itself), and the sections
come from :mod:`impact.reports.sections`. Papermill and nbconvert are imported lazily: the kernels
import only pandas, plotly and the catalog model.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact.core.catalog import Catalog, load_catalog
from impact.core.config import settings
from impact.core.errors import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, ImpactError
from impact.reports.context import build_cache, evaluate_store

__all__ = [
    "KINDS",
    "ReportError",
    "ReportResult",
    "ReportSpec",
    "RunSummary",
    "check_notebook",
    "lighten_imports",
    "plan_reports",
    "render_index",
    "run_reports",
    "validate_parameters",
]

KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 300  # seconds per cell
MANIFEST_VERSION = 1

# kind -> (notebook file, id parameter or None)
KINDS: dict[str, tuple[str, str | None]] = {
    "project": ("project_report.ipynb", "project_id"),
    "portfolio": ("portfolio_report.ipynb", None),
    "guiding_idea": ("guiding_idea_report.ipynb", "guiding_idea_id"),
    "principle": ("principle_report.ipynb", "principle_id"),
}
_NAME_PREFIX = {"project": "project", "portfolio": "portfolio", "guiding_idea": "guiding-idea",
                "principle": "principle"}
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
PLAIN_TYPES = (str, int, float, bool, type(None))

ParamValue = str | int | float | bool | None


class ReportError(ImpactError):
    """A report run cannot start (bad selection, missing notebook, unusable parameters)."""

    def __init__(self, message_de: str, message_en: str, exit_code: int = EXIT_UNREADABLE) -> None:
        self.message_de = message_de
        self.message_en = message_en
        self.exit_code = exit_code
        super().__init__(message_en)

    def message(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message_de


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: its kind (``project``, ``portfolio``, ``guiding_idea``,
    ``principle``) and, except for the portfolio, the id it is about."""

    kind: str
    ident: str | None = None

    @property
    def name(self) -> str:
        """File stem, e.g. ``project-kiezbox``, ``portfolio``, ``guiding-idea-nachhaltig``."""
        prefix = _NAME_PREFIX[self.kind]
        return prefix if self.ident is None else f"{prefix}-{self.ident}"

    @property
    def notebook(self) -> str:
        return KINDS[self.kind][0]

    def parameters(self, common: dict[str, ParamValue]) -> dict[str, ParamValue]:
        params = dict(common)
        id_param = KINDS[self.kind][1]
        if id_param is not None:
            params[id_param] = self.ident
        return params

    def title(self, catalog: Catalog, lang: str) -> str:
        """A human title in ``lang`` (used in the index and as the HTML ``<title>``)."""
        from impact.reports.sections import label

        if self.kind == "portfolio":
            return label("report_portfolio", lang)
        kind_attr = {"project": "projects", "guiding_idea": "guiding_ideas", "principle": "principles"}[self.kind]
        entity = getattr(catalog, kind_attr).get(self.ident or "")
        name = entity.name.get(lang) if entity is not None else str(self.ident)
        key = {"project": "report_project", "guiding_idea": "report_guiding_idea", "principle": "report_principle"}
        return f"{label(key[self.kind], lang)}: {name}"


def plan_reports(catalog: Catalog, *, all_reports: bool = False, projects: Sequence[str] = (),
                 portfolio: bool = False, guiding_ideas: Sequence[str] = (),
                 principles: Sequence[str] = ()) -> list[ReportSpec]:
    """The reports to run. ``all_reports``: every project, the portfolio, every guiding idea and
    principle (5 + 1 + 4 + 8 = 18 with the shipped framework). Unknown ids raise ReportError (2)."""
    if all_reports:
        return ([ReportSpec("project", p) for p in catalog.projects] + [ReportSpec("portfolio")]
                + [ReportSpec("guiding_idea", g) for g in catalog.guiding_ideas]
                + [ReportSpec("principle", p) for p in catalog.principles])
    specs: list[ReportSpec] = []
    for kind, ids, known, de, en in (
            ("project", projects, catalog.projects, "Projekt", "project"),
            ("guiding_idea", guiding_ideas, catalog.guiding_ideas, "Leitgedanke", "guiding idea"),
            ("principle", principles, catalog.principles, "Prinzip", "principle")):
        for ident in ids:
            if ident not in known:
                raise ReportError(f"Unbekannte {de}-ID '{ident}'. Bekannt sind: {', '.join(known)}.",
                                  f"Unknown {en} id '{ident}'. Known ids: {', '.join(known)}.")
            spec = ReportSpec(kind, ident)
            if spec not in specs:
                specs.append(spec)
        if kind == "project" and portfolio:
            specs.append(ReportSpec("portfolio"))
    if not specs:
        raise ReportError("Keine Berichte gewählt: --all oder --project ID (bzw. --portfolio, --guiding-idea, "
                          "--principle) angeben.",
                          "No reports selected: give --all or --project ID (or --portfolio, --guiding-idea, "
                          "--principle).")
    return specs


def validate_parameters(params: dict[str, Any]) -> dict[str, ParamValue]:
    """Accept only identifier names and plain values (str, int, float, bool, None).

    Papermill pastes names into code verbatim and quotes non-plain values without escaping;
    anything else is refused with ReportError.
    """
    for key, value in params.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ReportError(f"Ungültiger Parametername {key!r}.", f"Invalid parameter name {key!r}.")
        if not isinstance(value, PLAIN_TYPES):
            raise ReportError(f"Parameter '{key}': nur Text, Zahl, Wahrheitswert oder None erlaubt, "
                              f"nicht {type(value).__name__}.",
                              f"Parameter '{key}': only str, int, float, bool or None allowed, "
                              f"not {type(value).__name__}.")
        if isinstance(value, str) and ("\x00" in value or len(value) > 4096):
            raise ReportError(f"Parameter '{key}': ungültiger Text.", f"Parameter '{key}': invalid text.")
    return dict(params)


def check_notebook(path: Path, names: Sequence[str]) -> None:
    """The notebook exists, has a cell tagged ``parameters``, and declares every name in ``names``."""
    import nbformat
    import papermill

    if not path.is_file():
        raise ReportError(f"Notebook nicht gefunden: {path}", f"Notebook not found: {path}")
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same user problem
        raise ReportError(f"{path}: kein lesbares Notebook ({exc}).", f"{path}: not a readable notebook ({exc}).") from None
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise ReportError(f"{path}: keine Zelle mit dem Tag 'parameters' (Parameter würden überschrieben).",
                          f"{path}: no cell tagged 'parameters' (parameters would be overwritten).")
    if nb.metadata.get("kernelspec", {}).get("name"):
        declared = set(papermill.inspect_notebook(str(path)))
    else:  # papermill's inspection insists on a kernel name; the run passes one explicitly
        from papermill.inspection import _infer_parameters

        declared = {p.name for p in _infer_parameters(nb, name=KERNEL_NAME, language="python")}
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise ReportError(f"{path}: unbekannte Parameter {unknown}; das Notebook kennt {sorted(declared)}.",
                          f"{path}: unknown parameters {unknown}; the notebook declares {sorted(declared)}.")


# --------------------------------------------------------------------------- execution (worker side)


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


def _execute(task: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook with papermill and export it (runs in a worker process)."""
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
            result["status"] = "ok"
            result["error"] = None
            break
        except PapermillExecutionError as exc:
            result["error"] = {"type": "cell", "cell_index": exc.cell_index, "ename": exc.ename,
                               "evalue": str(exc.evalue)[:2000]}
            break
        except CellTimeoutError as exc:
            result["error"] = {"type": "timeout", "ename": "CellTimeoutError", "evalue": str(exc)[:2000]}
            break
        except Exception as exc:  # noqa: BLE001 - kernel start failures, dead kernels: retry once
            result["error"] = {"type": "kernel", "ename": type(exc).__name__, "evalue": str(exc)[:2000]}
            continue
    if result["status"] == "ok":
        try:
            result["charts"] = export_html(nb_out, html_out, lang=task["lang"], title=task["title"])
            result["html"] = html_out.name
        except Exception as exc:  # noqa: BLE001 - report it, keep the others going
            result["status"] = "failed"
            result["error"] = {"type": "html", "ename": type(exc).__name__, "evalue": str(exc)[:2000]}
    result["duration_s"] = time.monotonic() - started
    return result


# --------------------------------------------------------------------------- the run


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("impact", "papermill", "nbconvert", "plotly", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def run_reports(specs: Sequence[ReportSpec], *, catalog: Catalog | None = None, catalog_dir: Path | None = None,
                store_dir: Path | None = None, out_dir: Path | None = None, as_of: dt.date | None = None,
                lang: str = "de", jobs: int | None = None, notebooks_dir: Path | None = None,
                timeout: int = DEFAULT_TIMEOUT, start_timeout: int = 60, command_line: str | None = None,
                progress: bool | None = None,
                on_result: Callable[[ReportResult], None] | None = None) -> RunSummary:
    """Execute ``specs`` into ``out_dir`` (default ``<reports>/<as_of>/``), in parallel processes.

    Writes ``<name>.ipynb`` and ``<name>.html`` per report, ``plotly.min.js``, ``index.html`` and
    ``manifest.json``. One failing notebook does not stop the others. ``progress``: ``None``
    shows a tqdm bar on stderr only when it is a terminal.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    lighten_imports()
    from tqdm import tqdm

    from impact.reports.html_export import write_plotly_js

    cfg = settings()
    day = as_of or cfg.today
    if lang not in ("de", "en"):
        raise ReportError(f"Sprache muss 'de' oder 'en' sein, nicht {lang!r}.", f"Language must be 'de' or 'en', not {lang!r}.")
    cat_dir = Path(catalog_dir).resolve() if catalog_dir else cfg.catalog_dir
    cat = catalog if catalog is not None else load_catalog(cat_dir)
    st_dir = Path(store_dir).resolve() if store_dir else cfg.store_dir
    if not st_dir.is_dir():
        raise ReportError(f"Datenspeicher nicht gefunden: {st_dir} (zuerst 'impact ingest' ausführen).",
                          f"Store not found: {st_dir} (run 'impact ingest' first).")
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else cfg.notebooks_dir
    out = Path(out_dir).resolve() if out_dir else cfg.reports_dir / day.isoformat()
    out.mkdir(parents=True, exist_ok=True)
    started_at, t0 = _now(), time.monotonic()

    evaluation, store_hash = evaluate_store(cat, st_dir, day)
    cache = out / f".impact-cache-{os.getpid()}" / "evaluation.pkl"
    common: dict[str, ParamValue] = {"as_of": day.isoformat(), "lang": lang, "store": str(st_dir),
                                     "catalog": str(cat.path or cat_dir), "evaluation_cache": str(cache)}
    tasks: list[dict[str, Any]] = []
    checked: set[str] = set()
    for spec in specs:
        params = validate_parameters(spec.parameters(common))
        nb_path = nb_dir / spec.notebook
        if spec.notebook not in checked:
            check_notebook(nb_path, list(params))
            checked.add(spec.notebook)
        tasks.append({"name": spec.name, "input": str(nb_path), "parameters": params, "out_dir": str(out),
                      "lang": lang, "title": spec.title(cat, lang), "timeout": timeout,
                      "start_timeout": start_timeout})
    write_plotly_js(out)
    results: dict[str, ReportResult] = {}
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    try:
        build_cache(cat, evaluation, cache)
        by_name = {t["name"]: (spec, t) for spec, t in zip(specs, tasks, strict=True)}
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn"),
                                 initializer=_worker_init) as pool, \
                tqdm(total=len(tasks), file=sys.stderr, unit="report", desc="impact report",
                     disable=(None if progress is None else not progress)) as bar:
            futures = {pool.submit(_execute, t): t["name"] for t in tasks}
            for fut in as_completed(futures):
                name = futures[fut]
                spec, task = by_name[name]
                try:
                    raw = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its report
                    raw = {"status": "failed", "html": None, "attempts": 1, "charts": 0, "duration_s": 0.0,
                           "error": {"type": "worker", "ename": type(exc).__name__, "evalue": str(exc)[:2000]}}
                res = ReportResult(name=name, kind=spec.kind, ident=spec.ident, title=task["title"],
                                   notebook=f"{name}.ipynb", html=raw["html"], parameters=task["parameters"],
                                   status=raw["status"], duration_s=raw["duration_s"], attempts=raw["attempts"],
                                   charts=raw["charts"], error=raw["error"])
                results[name] = res
                bar.update(1)
                if on_result is not None:
                    on_result(res)
    finally:
        shutil.rmtree(cache.parent, ignore_errors=True)
    ordered = [results[t["name"]] for t in tasks]
    summary = RunSummary(out, ordered)
    summary.manifest = {
        "manifest_version": MANIFEST_VERSION,
        "tool": "impact",
        "version": _versions().get("impact", "unknown"),
        "versions": _versions(),
        "command": command_line or " ".join(sys.argv),
        "as_of": day.isoformat(),
        "lang": lang,
        "started_at": started_at,
        "finished_at": _now(),
        "duration_s": round(time.monotonic() - t0, 3),
        "jobs": n_jobs,
        "catalog_dir": str(cat.path or cat_dir),
        "catalog_hash": cat.content_hash,
        "store_dir": str(st_dir),
        "store_hash": store_hash,
        "status": "failed" if summary.failed else "ok",
        "n_reports": len(ordered),
        "n_failed": len(summary.failed),
        "reports": [r.to_json() for r in ordered],
    }
    _write_text(summary.manifest_path, json.dumps(summary.manifest, ensure_ascii=False, indent=2) + "\n")
    _write_text(summary.index_path, render_index(summary.manifest, ordered, lang))
    return summary


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------- index page

_INDEX_TEXT = {
    "title": ("Wirkungsberichte", "Impact reports"),
    "as_of": ("Stand", "As of"),
    "generated": ("erstellt", "generated"),
    "catalog": ("Katalog", "Catalog"),
    "store": ("Datenstand", "Store"),
    "report": ("Bericht", "Report"),
    "status": ("Status", "Status"),
    "duration": ("Dauer", "Duration"),
    "files": ("Dateien", "Files"),
    "ok": ("erstellt", "ok"),
    "failed": ("fehlgeschlagen", "failed"),
    "notebook": ("Notebook", "notebook"),
    "manifest": ("Herkunftsnachweis (manifest.json)", "Provenance (manifest.json)"),
    "summary_ok": ("Alle {n} Berichte wurden erstellt.", "All {n} reports were produced."),
    "summary_failed": ("{f} von {n} Berichten sind fehlgeschlagen; das ausgeführte Notebook zeigt den Fehler.",
                       "{f} of {n} reports failed; the executed notebook shows the error."),
    "project": ("Projektberichte", "Project reports"),
    "portfolio": ("Portfolio", "Portfolio"),
    "guiding_idea": ("Leitgedanken", "Guiding ideas"),
    "principle": ("Prinzipien", "Principles"),
}


def _it(key: str, lang: str, **fmt: Any) -> str:
    de, en = _INDEX_TEXT[key]
    text = en if lang == "en" else de
    return text.format(**fmt) if fmt else text


def render_index(manifest: dict[str, Any], results: Sequence[ReportResult], lang: str = "de") -> str:
    """The ``index.html`` page: every report with its status, links and error (escaped)."""
    e = html.escape
    n, f = len(results), sum(r.status != "ok" for r in results)
    summary = _it("summary_failed", lang, f=f, n=n) if f else _it("summary_ok", lang, n=n)
    parts = [
        "<!DOCTYPE html>", f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(_it('title', lang))} · {e(manifest['as_of'])}</title>",
        "<style>body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:64rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}"
        "th,td{border:1px solid #bbb;padding:.35rem .6rem;text-align:left;vertical-align:top}thead th{background:#f0f0f0}"
        ".status-ok{color:#006b4f;font-weight:600}.status-failed{color:#a33c00;font-weight:700}"
        ".error{white-space:pre-wrap;font-size:.85rem;color:#5a2a00}.meta{color:#444}a{color:#0060a0}</style>",
        "</head><body>", f"<h1>{e(_it('title', lang))}</h1>",
        f'<p class="meta">{e(_it("as_of", lang))}: {e(manifest["as_of"])} · {e(_it("generated", lang))}: '
        f'{e(manifest["finished_at"])} · {e(_it("catalog", lang))}: <code>{e(manifest["catalog_hash"][:12])}</code> · '
        f'{e(_it("store", lang))}: <code>{e(manifest["store_hash"][:12])}</code></p>',
        f'<p id="summary" class="{"status-failed" if f else "status-ok"}">{e(summary)}</p>',
    ]
    for kind in KINDS:
        group = [r for r in results if r.kind == kind]
        if not group:
            continue
        parts.append(f"<h2>{e(_it(kind, lang))}</h2><table><thead><tr><th>{e(_it('report', lang))}</th>"
                     f"<th>{e(_it('status', lang))}</th><th>{e(_it('duration', lang))}</th>"
                     f"<th>{e(_it('files', lang))}</th></tr></thead><tbody>")
        for r in group:
            title = (f'<a href="{e(r.html)}">{e(r.title)}</a>' if r.html and r.status == "ok" else e(r.title))
            status = f'<span class="status-{e(r.status)}">{e(_it(r.status if r.status == "ok" else "failed", lang))}</span>'
            if r.error:
                status += f'<div class="error">{e(str(r.error.get("ename", "")))}: {e(str(r.error.get("evalue", ""))[:400])}</div>'
            files = f'<a href="{e(r.notebook)}">{e(_it("notebook", lang))}</a>'
            parts.append(f'<tr class="report" data-report="{e(r.name)}" data-status="{e(r.status)}">'
                         f"<td>{title}</td><td>{status}</td><td>{r.duration_s:.1f} s</td><td>{files}</td></tr>")
        parts.append("</tbody></table>")
    parts.append(f'<p><a href="manifest.json">{e(_it("manifest", lang))}</a></p></body></html>')
    return "\n".join(parts) + "\n"
