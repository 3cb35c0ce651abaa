"""Review cost in the store: prints figures (not a test). Run: .venv/bin/python benchmarks/bench_review.py

One submission of 100 000 rows (7 500 keys, the rest corrections) in a temporary store. Baseline:
``Store.values()`` before any review step, measured in the same run; then the same with 700
approved keys and an open query (every row gets its key's state), ``approved_only=True``, and an
append refused because it changes an approved value. Ratios are against the baseline.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "store"))

from store_helpers import make_frame  # noqa: E402

from impact.store.store import Store  # noqa: E402


def best(func: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    store = Store(tempfile.mkdtemp(prefix="impact-bench-review-"))
    rows = [("kiezbox", f"ind-{i % 50}", f"{2000 + (i // 50) % 150}", float(i)) for i in range(100_000)]
    store.append(b"big", "big.csv", make_frame(rows))
    store.values()  # checked files cached, as in a long-running app
    base = best(store.values)
    store.approve("kiezbox", "2001", by="bench")
    store.ask("kiezbox", "ind-1", "2002", "?", by="bench")
    figures = {
        "Store.values(), no review step (baseline)": base,
        "Store.values(), 700 approved keys + 1 query": best(store.values),
        "Store.values(approved_only=True)": best(lambda: store.values(approved_only=True)),
        "Store.review_state()": best(store.review_state),
        "Store.append refused (value_approved), 1 row": best(
            lambda: store.append(b"c", "c.csv", make_frame([("kiezbox", "ind-1", "2001", 1.0)]))),
    }
    for label, took in figures.items():
        print(f"{label:<50} {took * 1000:8.1f} ms  {took / base:5.2f}× baseline")


if __name__ == "__main__":
    main()
