"""Benchmark ``impact validate`` end to end (subprocess) on 1,000,000 rows and on 50 rows.

Builds a synthetic catalog large enough for a million distinct keys (50 projects × 200
monthly indicators × 100 periods), writes it as YAML into a temporary directory, generates a
valid submission and times:

* reading the same CSV with pyarrow alone (the floor),
* ``impact validate`` on it (a fresh process: imports, catalog, reading, GX suite, report),
* ``impact validate`` on a 50-row file,

printing seconds, the ratio to pyarrow and the child's peak memory (ru_maxrss).
Run: ``.venv/bin/python benchmarks/bench_validate.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
IMPACT = str(Path(sys.executable).with_name("impact"))
N_PROJECTS, N_INDICATORS, N_PERIODS = 50, 200, 100


def build_catalog(dest: Path) -> None:
    shutil.copytree(ROOT / "indicators" / "framework", dest / "framework")
    projects = [{"id": f"bench-p{p:02d}", "name": {"de": f"Projekt {p}", "en": f"Project {p}"},
                 "description": {"de": "Benchmark", "en": "Benchmark"}, "section": "bench", "lead": "bench",
                 "start": "2010-01-01", "end": None} for p in range(N_PROJECTS)]
    (dest / "framework" / "projects.yaml").write_text(yaml.safe_dump({"projects": projects}, allow_unicode=True))
    targets = {f"bench-p{p:02d}": {"baseline": 0, "baseline_date": "2015-01-01", "target": 100,
                                   "target_date": "2027-12-31"} for p in range(N_PROJECTS)}
    indicators = [{
        "id": f"bench-i{i:03d}", "name": {"de": f"Indikator {i}", "en": f"Indicator {i}"},
        "definition": {"de": "Benchmark", "en": "Benchmark"}, "unit": "eur", "value_type": "amount_eur",
        "direction": "higher_is_better", "min": 0, "max": 1000000, "frequency": "monthly", "impact_step": 2,
        "guiding_ideas": ["kooperativ"], "principles": ["kooperativ-divers"], "perspectives": ["gemeinsame-gestaltung"],
        "breakdowns": ["district"], "source": {"de": "x", "en": "x"}, "method": {"de": "x", "en": "x"},
        "framework_section": "bench", "targets": targets} for i in range(N_INDICATORS)]
    (dest / "bench.yaml").write_text(yaml.safe_dump({"indicators": indicators}, allow_unicode=True))


def write_submission(path: Path, rows: int, sep: str = ";") -> None:
    rng = np.random.default_rng(1)
    k = np.arange(rows)
    per = k % N_PERIODS
    ind = (k // N_PERIODS) % N_INDICATORS
    proj = (k // (N_PERIODS * N_INDICATORS)) % N_PROJECTS
    year, month = 2015 + per // 12, per % 12 + 1
    values = rng.uniform(0, 1000, rows).round(2)
    frame = pd.DataFrame({
        "project_id": pd.Series(proj).map(lambda p: f"bench-p{p:02d}"),
        "indicator_id": pd.Series(ind).map(lambda i: f"bench-i{i:03d}"),
        "period": [f"{y}-{m:02d}" for y, m in zip(year, month, strict=True)],
        "value": [f"{v:.2f}".replace(".", ",") for v in values] if sep == ";" else [f"{v:.2f}" for v in values],
        "unit": "EUR",
    })
    frame.to_csv(path, sep=sep, index=False, encoding="utf-8")


def run_validate(path: Path, catalog: Path) -> tuple[float, int, float, float]:
    """(wall seconds, exit code, peak RSS MB of the child, child CPU seconds)."""
    env = {**os.environ, "IMPACT_TODAY": "2026-11-21", "IMPACT_MAX_BYTES": str(500_000_000)}
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    t = time.perf_counter()
    proc = subprocess.run([IMPACT, "validate", str(path), "--catalog", str(catalog), "--store", str(path.parent / "nostore"),
                           "--format", "json"], capture_output=True, env=env)
    elapsed = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(proc.stdout.decode()[:2000], proc.stderr.decode()[-2000:])
    # ru_maxrss of children is the largest child so far: run the small file first
    return elapsed, proc.returncode, max(usage.ru_maxrss, before) / 1024, usage.ru_utime + usage.ru_stime - cpu0


def pyarrow_read(path: Path, sep: str) -> float:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t = time.perf_counter()
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=sep),
                           convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in (
                               "project_id", "indicator_id", "period", "value", "unit")}))
    assert table.num_rows > 0
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        build_catalog(d / "catalog")
        small = d / "small.csv"
        write_submission(small, 50)
        big = d / "big.csv"
        t = time.perf_counter()
        write_submission(big, args.rows)
        print(f"generated {args.rows:,} rows ({big.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
        pa_s = pyarrow_read(big, ";")
        print(f"pyarrow read alone:            {pa_s:6.2f} s")
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        s, rc, mb, cpu = run_validate(small, d / "catalog")
        print(f"impact validate, 50 rows:      {s:6.2f} s wall  {cpu:6.2f} s cpu  exit {rc}  peak {mb:.0f} MB")
        s, rc, mb, cpu = run_validate(big, d / "catalog")
        print(f"impact validate, {args.rows:,} rows: {s:6.2f} s wall  {cpu:6.2f} s cpu  exit {rc}  peak {mb:.0f} MB  "
              f"ratio to pyarrow {s / pa_s:.1f}x")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
