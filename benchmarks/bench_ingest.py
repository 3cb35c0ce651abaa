"""Store and ingest timings: prints figures (not a test). Run: .venv/bin/python benchmarks/bench_ingest.py

Measures, in a temporary directory:
1. Store.append of hand-made 500-row submissions (store mechanics only: lock, archive, parquet, ledger),
2. Store.values() / Store.current() over 100 submissions (50 000 rows),
3. ingest_bytes of a valid ~500-row CSV against the tiny test catalog (validation included),
   a correction of it, a duplicate re-ingest, and a 10 000-row invalid file (quarantined).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "store"))

from store_helpers import make_frame  # noqa: E402

from impact.core.catalog import load_catalog  # noqa: E402
from impact.store.ingest import ingest_bytes  # noqa: E402
from impact.store.store import Store  # noqa: E402


def timed(label: str, func, repeat: int = 1):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(repeat):
        result = func()
    took = (time.perf_counter() - start) / repeat
    print(f"{label:<58} {took * 1000:9.1f} ms")
    return result


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    try:
        store = Store(tmp / "store")
        periods = [f"{y}-{m:02d}" for y in range(2010, 2052) for m in range(1, 13)][:500]
        frame = make_frame([("kiezbox", "test-outage-hours", p, 1.0) for p in periods])
        start = time.perf_counter()
        for n in range(100):
            store.append(f"submission {n}".encode() * 200, f"{n}.csv", frame.assign(value=float(n)))
        print(f"{'Store.append, 500-row submission (mean of 100)':<58} {(time.perf_counter() - start) * 10:9.1f} ms")
        values = timed("Store(path).values() cold, 100 submissions / 50 000 rows",
                       lambda: Store(store.path).values(), repeat=3)
        timed("Store.values() warm (same Store object, files cached)", store.values, repeat=3)
        assert len(values) == 50_000
        timed("Store.current(), 100 submissions", store.current, repeat=3)
        timed("Store.ledger()", store.ledger, repeat=3)
        timed("Store.content_hash()", store.content_hash, repeat=3)

        cat_dir = tmp / "catalog"
        shutil.copytree(ROOT / "indicators" / "framework", cat_dir / "framework")
        shutil.copy(ROOT / "tests" / "fixtures" / "catalog_min" / "indicators.yaml", cat_dir / "indicators.yaml")
        catalog = load_catalog(cat_dir)
        import yaml  # noqa: PLC0415

        districts = [v["id"] for b in yaml.safe_load((cat_dir / "framework" / "breakdowns.yaml").read_text())["breakdowns"]
                     if b["id"] == "district" for v in b["values"]]
        rows = ["project_id,indicator_id,period,breakdown,breakdown_value,value"]
        for project in ("kiezbox", "smart-water"):
            for y in range(2022, 2027):
                for q in range(1, 5):
                    if (y, q) > (2026, 3):
                        continue
                    rows.append(f"{project},test-users,{y}-Q{q},,,{100 * q}")
                    rows += [f"{project},test-users,{y}-Q{q},district,{d},{q}" for d in districts]
                rows += [f"{project},test-outage-hours,{y}-{m:02d},,,{m}" for m in range(1, 13)
                         if project == "kiezbox" and (y, m) <= (2026, 11)]
        data = ("\n".join(rows) + "\n").encode()
        fresh = Store(tmp / "fresh")
        today = dt.date(2026, 11, 21)
        first = timed(f"ingest_bytes, {len(rows) - 1}-row valid CSV (first, incl. GX import)",
                      lambda: ingest_bytes(data, "valid.csv", fresh, catalog, today=today))
        print(f"  -> status {first.status}, {len(first.report.errors)} errors, {len(first.report.warnings)} warnings")
        again = timed(f"ingest_bytes, {len(rows) - 1}-row valid CSV (warm)",
                      lambda: ingest_bytes(data.replace(b",,,1", b",,,2"), "valid2.csv", fresh, catalog, today=today))
        print(f"  -> status {again.status}, {again.corrections} corrections")
        timed("ingest_bytes, the same CSV again (duplicate)",
              lambda: ingest_bytes(data, "valid.csv", fresh, catalog, today=today), repeat=3)
        big = ("\n".join(rows[:1] + rows[1:] * 20) + "\n").encode()
        bad = timed(f"ingest_bytes, {20 * (len(rows) - 1)}-row CSV, every key 20 times (rejected)",
                    lambda: ingest_bytes(big, "big.csv", fresh, catalog, today=today))
        print(f"  -> status {bad.status}, {len(bad.report.errors)} errors")
        size = sum(p.stat().st_size for p in (tmp / "store").rglob("*") if p.is_file())
        print(f"{'store size on disk, 100 x 500 rows':<58} {size / 1e6:9.2f} MB")
        print(f"pandas {pd.__version__}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
