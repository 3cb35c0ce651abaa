"""Benchmark: `impact report --all` (18 reports) on the sample data, --jobs 1 and the default.

Ingests data/sample/* into a fresh store under benchmarks/_work/, then runs the real CLI twice
and prints wall time, per-report durations and HTML sizes. Target: ≤ 60 s for the full set on
the 2-core machine, each HTML ≤ 5 MB. Run: ``.venv/bin/python benchmarks/bench_reports.py``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "reports"
IMPACT = str(Path(sys.executable).with_name("impact"))


def build_store() -> Path:
    from impact.core.catalog import load_catalog
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    shutil.rmtree(WORK, ignore_errors=True)
    store = Store(WORK / "store")
    catalog = load_catalog(ROOT / "indicators")
    files = sorted(p for p in (ROOT / "data" / "sample").iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    if not files:
        sys.exit("data/sample/ has no submission files")
    for f in files:
        res = ingest_file(f, store, catalog)
        print(f"  ingest {f.name}: {res.status} ({res.rows} rows)")
    return store.path


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(store: Path, out: Path, jobs: int | None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command, its workers and their kernels)."""
    args = [IMPACT, "report", "--all", "--store", str(store), "--out", str(out)]
    if jobs:
        args += ["--jobs", str(jobs)]
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(args, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        sys.exit(f"impact report failed with exit code {proc.returncode}")
    return seconds, cpu


def main() -> None:
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    store = build_store()
    results = {}
    for label, jobs in (("--jobs 1", 1), (f"default (--jobs {os.cpu_count()})", None)):
        out = WORK / ("out-1" if jobs else "out-default")
        seconds, cpu = run(store, out, jobs)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        results[label] = (seconds, out, manifest)
        print(f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU for {manifest['n_reports']} reports "
              f"(load average now {os.getloadavg()[0]:.2f}; other processes share the cores)")
    seconds, out, manifest = results[next(k for k in results if k.startswith("default"))]
    print("\nper report (default run): seconds, HTML size")
    sizes = []
    for r in manifest["reports"]:
        size = (out / r["html"]).stat().st_size
        sizes.append(size)
        print(f"  {r['name']:<48} {r['duration_s']:6.1f} s  {size / 1e6:6.2f} MB  {r['charts']:3d} charts")
    print(f"\nHTML: max {max(sizes) / 1e6:.2f} MB, total {sum(sizes) / 1e6:.2f} MB "
          f"+ shared plotly.min.js {(out / 'plotly.min.js').stat().st_size / 1e6:.2f} MB")
    ok = seconds <= 60 and max(sizes) <= 5_000_000
    print(f"target (≤ 60 s, each HTML ≤ 5 MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
