"""Catalog stage figures: loading/checking the catalog and generating the sample data.

Run: .venv/bin/python benchmarks/bench_catalog.py   (prints its figures; not a test)
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

from impact.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def best_of(n: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    cat = load_catalog(ROOT / "indicators")
    print(f"catalog: {len(cat.indicators)} indicators, {len(cat.projects)} projects")
    print(f"load_catalog (parse + check + hash), best of 10: {best_of(10, lambda: load_catalog(ROOT / 'indicators')) * 1000:.1f} ms")
    print(f"catalog.to_json(), best of 10: {best_of(10, cat.to_json) * 1000:.1f} ms")
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
