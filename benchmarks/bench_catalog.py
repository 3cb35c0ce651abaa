"""Catalog stage figures: loading/checking the catalog, the CLI check, generating the sample data.

Run: .venv/bin/python benchmarks/bench_catalog.py   (prints its figures; not a test)

The baseline, measured in the same run, is parsing the same YAML files with the same (C) loader
and nothing else: the ratio says what checking, building the model and hashing add on top.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from impact.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "indicators"


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def parse_only() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for f in sorted(CATALOG.rglob("*.yaml")):
        yaml.load(f.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe loader)


def main() -> None:
    cat = load_catalog(CATALOG)
    pairs = sum(len(i.targets) for i in cat.indicators.values())
    milestones = sum(len(t.milestones) for i in cat.indicators.values() for t in i.targets.values())
    print(f"catalog: {len(cat.indicators)} indicators, {len(cat.projects)} projects, {pairs} project-indicator "
          f"pairs, {milestones} milestones, {len(cat.conflicts())} trade-off pairs")
    base = best_of(10, parse_only)
    full = best_of(10, lambda: load_catalog(CATALOG))
    print(f"baseline: parse the YAML files only, best of 10: {base * 1000:.1f} ms")
    print(f"load_catalog (parse + check + model + hash), best of 10: {full * 1000:.1f} ms "
          f"({full / base:.2f}x the baseline)")
    print(f"catalog.to_json(), best of 10: {best_of(10, cat.to_json) * 1000:.1f} ms")
    exe = Path(sys.executable).with_name("impact")
    env = {**os.environ, "IMPACT_LANG": "en"}
    check = best_of(3, lambda: subprocess.run([str(exe), "catalog", "check"], env=env, check=True,
                                             capture_output=True))
    start = best_of(3, lambda: subprocess.run([sys.executable, "-c", "import impact.cli"], env=env, check=True,
                                             capture_output=True))
    print(f"impact catalog check (whole process), best of 3: {check:.2f} s "
          f"(python -c 'import impact.cli' alone: {start:.2f} s)")
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "data" / "sample" / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    rows = gen.generate_rows(cat)
    print(f"sample rows: {sum(len(r) for r in rows.values())} ({', '.join(f'{k}: {len(v)}' for k, v in rows.items())})")
    print(f"generate all sample files in memory, best of 3: {best_of(3, lambda: gen.build_files(cat)):.2f} s")


if __name__ == "__main__":
    main()
