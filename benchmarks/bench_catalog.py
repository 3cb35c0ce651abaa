"""Catalog stage figures: importing and loading the catalog, the CLI check, generating the sample data.

Run: .venv/bin/python benchmarks/bench_catalog.py [--runs N]   (prints its figures; not a test)

Catalogs measured:

* ``repository``: ``indicators/`` (the real catalog);
* ``benchmark``: the catalog of ``bench_validate.py`` (``build_catalog``: 50 projects x 200
  indicators = 10,000 targets; ``yaml.safe_dump`` writes the targets, which every indicator shares,
  once with an anchor and then as aliases);
* ``benchmark, written out``: the same with every indicator's targets written out and its target
  value its own (no aliases): 10,000 distinct targets, the case where nothing is shared.

Figures (medians of ``--runs``, wall and CPU time): ``import impact.core.catalog`` in a fresh
process (``-X importtime``, cumulative); ``load_catalog`` as the first load in a fresh process
(what a CLI run pays) and repeated in one process; and as the baseline measured in the same run,
parsing the same YAML files with ``yaml.load(..., Loader=CSafeLoader)`` and nothing else. Python byte code is compiled
first (``compileall``), as in an installed package; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import compileall
import copy
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from impact.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "indicators"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_validate import build_catalog  # noqa: E402 (a sibling script)

FIRST_LOAD = """
import sys, time
w0, c0 = time.perf_counter(), time.process_time()
from impact.core.catalog import load_catalog
w1, c1 = time.perf_counter(), time.process_time()
load_catalog(sys.argv[1])
print(w1 - w0, c1 - c0, time.perf_counter() - w1, time.process_time() - c1)
"""


def median_of(n: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``n`` calls (CPU time moves less on a busy machine)."""
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def parse_only(root: Path) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for f in sorted(root.rglob("*.yaml")):
        yaml.load(f.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe loader)


def import_ms(runs: int) -> float:
    """Median cumulative ``-X importtime`` of ``impact.core.catalog`` in fresh processes (ms)."""
    found = []
    for _ in range(runs):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import impact.core.catalog"],
                             capture_output=True, text=True, check=True).stderr
        last = [line for line in err.splitlines() if line.rstrip().endswith("| impact.core.catalog")][-1]
        found.append(int(last.split("|")[1]) / 1000)
    return statistics.median(found)


def fresh_process_ms(root: Path, runs: int) -> list[float]:
    """Medians in fresh processes (ms): import wall, import CPU, first load_catalog wall, its CPU."""
    found = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", FIRST_LOAD, str(root)], capture_output=True, text=True,
                             check=True).stdout.split()
        found.append([float(x) * 1000 for x in out])
    return [statistics.median(column) for column in zip(*found, strict=True)]


def written_out(src: Path, dest: Path) -> None:
    """``src`` (a benchmark catalog) with each indicator's targets written out, each target its own."""
    shutil.copytree(src / "framework", dest / "framework")
    doc = yaml.safe_load((src / "bench.yaml").read_text(encoding="utf-8"))
    for n, item in enumerate(doc["indicators"]):
        item["targets"] = copy.deepcopy(item["targets"])
        for t in item["targets"].values():
            t["target"] = 100 + n
    noalias = type("NoAliases", (yaml.SafeDumper,), {"ignore_aliases": lambda self, data: True})
    (dest / "bench.yaml").write_text(yaml.dump(doc, Dumper=noalias, allow_unicode=True), encoding="utf-8")


def report_loading(name: str, root: Path, runs: int) -> None:
    cat = load_catalog(root)
    pairs = sum(len(i.targets) for i in cat.indicators.values())
    size = sum(f.stat().st_size for f in root.rglob("*.yaml")) / 1024
    base, base_cpu = median_of(runs, lambda: parse_only(root))
    again, again_cpu = median_of(runs, lambda: load_catalog(root))
    _, _, first, first_cpu = fresh_process_ms(root, runs)
    print(f"{name}: {len(cat.indicators)} indicators, {len(cat.projects)} projects, {pairs} targets, "
          f"{size:.0f} KiB of YAML")
    print(f"  load_catalog, first in a fresh process: {first:.1f} ms (CPU {first_cpu:.1f} ms); "
          f"again in the same process: {again * 1000:.1f} ms (CPU {again_cpu * 1000:.1f} ms)")
    print(f"  baseline, parse the YAML files only (yaml.load, C loader): {base * 1000:.1f} ms "
          f"(CPU {base_cpu * 1000:.1f} ms) -> load_catalog is {again_cpu / base_cpu:.2f}x the baseline (CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (the median is printed)")
    parser.add_argument("--quick", action="store_true", help="only importing and loading")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src" / "impact", quiet=1)
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {args.runs} runs per figure, medians")
    _, import_cpu, _, _ = fresh_process_ms(CATALOG, args.runs)
    print(f"import impact.core.catalog, fresh process: {import_ms(args.runs):.1f} ms (-X importtime, cumulative), "
          f"CPU {import_cpu:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        bench, flat = Path(tmp) / "bench", Path(tmp) / "flat"
        build_catalog(bench)
        written_out(bench, flat)
        report_loading("repository catalog", CATALOG, args.runs)
        report_loading("benchmark catalog (bench_validate.build_catalog)", bench, args.runs)
        report_loading("benchmark catalog, written out (10,000 distinct targets)", flat, args.runs)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if args.quick:
        return
    cat = load_catalog(CATALOG)
    print(f"catalog.to_json(): {median_of(args.runs, cat.to_json)[0] * 1000:.1f} ms")
    exe = Path(sys.executable).with_name("impact")
    env = {**os.environ, "IMPACT_LANG": "en"}
    check, _ = median_of(3, lambda: subprocess.run([str(exe), "catalog", "check"], env=env, check=True,
                                               capture_output=True))
    start, _ = median_of(3, lambda: subprocess.run([sys.executable, "-c", "import impact.cli"], env=env, check=True,
                                               capture_output=True))
    print(f"impact catalog check (whole process), median of 3: {check:.2f} s "
          f"(python -c 'import impact.cli' alone: {start:.2f} s)")
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "data" / "sample" / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    rows = gen.generate_rows(cat)
    print(f"sample rows: {sum(len(r) for r in rows.values())} ({', '.join(f'{k}: {len(v)}' for k, v in rows.items())})")
    print(f"generate all sample files in memory, median of 3: {median_of(3, lambda: gen.build_files(cat))[0]:.2f} s")


if __name__ == "__main__":
    main()
