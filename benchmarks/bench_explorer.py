#!/usr/bin/env python3
"""Explorer recomputation per widget change, on the sample store and on 1M synthetic values.

    .venv/bin/python benchmarks/bench_explorer.py [--rows 1000000] [--repeat 5]

Prints, for each data set: start-up (read + first evaluation), one as-of change (a new
evaluation), and the median / worst time of each filter interaction (project, guiding idea,
principle, indicator, time range, breakdown, language, CSV). Targets: an interaction
≤ 200 ms on the sample store, ≤ 1 s at 1M values. Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from impact.apps.explorer.app import Explorer
from impact.core.catalog import Catalog, load_catalog
from impact.core.periods import periods_between

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 21)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def sample_values(catalog: Catalog) -> pd.DataFrame | None:
    """Ingest data/sample/* into a temporary store and read it back (None without sample files)."""
    files = sorted(p for p in (ROOT / "data" / "sample").glob("*") if p.suffix.lower() in (".csv", ".xlsx"))
    if not files:
        return None
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    store = Store(Path(tempfile.mkdtemp(prefix="bench-explorer-")) / "store")
    for path in files:
        ingest_file(path, store, catalog, today=AS_OF)
    return store.values()


def synthetic_values(catalog: Catalog, rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` values in the store schema: every key the catalog allows (totals and each
    breakdown value, 2022-01 to 2026-10), re-submitted as corrections until ``rows`` is reached."""
    keys = []
    for ind in catalog.indicators.values():
        cuts = [("", "")] + [(b, v) for b in ind.breakdowns for v in catalog.breakdowns[b].values]
        for project in ind.targets:
            for p in periods_between(dt.date(2022, 1, 1), dt.date(2026, 10, 31), ind.frequency):
                for b, v in cuts:
                    keys.append((project, ind.id, p.label, p.start, p.end, ind.unit, b, v))
    base = pd.DataFrame(keys, columns=["project_id", "indicator_id", "period", "period_start", "period_end",
                                       "unit", "breakdown", "breakdown_value"])
    rounds = -(-rows // len(base))
    frame = pd.concat([base] * rounds, ignore_index=True).iloc[:rows].copy()
    rnd = np.random.default_rng(seed)
    round_no = np.arange(len(frame)) // len(base)
    frame["row"] = np.arange(len(frame)) % len(base) + 2
    frame["value"] = rnd.uniform(0, 100, len(frame)).round(1)
    frame["note"] = None
    frame["source"] = None
    sids = [hashlib.sha256(f"bench-{r}".encode()).hexdigest() for r in range(rounds)]
    frame["submission_id"] = [sids[r] for r in round_no]
    frame["received_at"] = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(round_no * 7, unit="D")
    frame["file_name"] = [f"bench-{r}.csv" for r in round_no]
    frame["token_id"] = None
    return frame


def bench(name: str, catalog: Catalog, values: pd.DataFrame, repeat: int) -> None:
    print(f"\n== {name}: {len(values):,} values ==")
    holder: dict[str, Explorer] = {}
    start = timed(lambda: holder.setdefault("ex", Explorer(catalog, values=values, as_of=AS_OF)))
    ex = holder["ex"]
    print(f"start-up (first evaluation + render): {start * 1000:8.0f} ms")
    print(f"as-of change (new evaluation):        {timed(lambda: setattr(ex.as_of, 'value', dt.date(2026, 6, 30))) * 1000:8.0f} ms")
    print(f"as-of back (cached):                  {timed(lambda: setattr(ex.as_of, 'value', AS_OF)) * 1000:8.0f} ms")
    projects = list(catalog.projects)
    ideas = list(catalog.guiding_ideas)
    principles = list(catalog.principles)
    months = [v for _, v in ex.time_range.options]
    steps: list[tuple[str, Callable[[], object]]] = [
        ("project: one", lambda: setattr(ex.projects, "value", (projects[0],))),
        ("project: all", lambda: setattr(ex.projects, "value", tuple(projects))),
        ("guiding idea (drill-down)", lambda: setattr(ex.guiding_idea, "value", ideas[0])),
        ("principle", lambda: setattr(ex.principle, "value", principles[0])),
        ("filters cleared", lambda: (setattr(ex.principle, "value", ""), setattr(ex.guiding_idea, "value", ""))),
        ("indicators: all", lambda: setattr(ex.indicators, "value", tuple(v for _, v in ex.indicators.options))),
        ("time range", lambda: setattr(ex.time_range, "value", (months[len(months) // 3], months[-1]))),
        ("breakdown: district", lambda: setattr(ex.breakdown, "value", "district")),
        ("scores by principle", lambda: setattr(ex.score_kind, "value", "principle")),
        ("language en", lambda: setattr(ex.language, "value", "en")),
        ("language de", lambda: setattr(ex.language, "value", "de")),
        ("CSV download link", lambda: ex.download_button.click()),
        ("reset", lambda: (setattr(ex.breakdown, "value", ""), setattr(ex.score_kind, "value", "guiding_idea"),
                           setattr(ex.time_range, "value", (months[0], months[-1])),
                           setattr(ex.indicators, "value", tuple(v for _, v in ex.indicators.options[:1])))),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in steps}
    for _ in range(repeat):
        for label, step in steps:
            times[label].append(timed(step))
    worst = 0.0
    for label, ts in times.items():
        worst = max(worst, max(ts))
        print(f"  {label:28s} median {statistics.median(ts) * 1000:7.1f} ms   worst {max(ts) * 1000:7.1f} ms")
    print(f"worst interaction: {worst * 1000:.0f} ms; evaluations run: {ex.n_evaluations}; "
          f"table rows at the end: {len(ex.table):,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    catalog = load_catalog(ROOT / "indicators")
    print(f"catalog: {len(catalog.indicators)} indicators, {len(catalog.projects)} projects")
    sample = sample_values(catalog)
    if sample is None:
        print("\n== sample store: data/sample/ has no submission files yet – skipped ==")
    else:
        bench("sample store", catalog, sample, args.repeat)
    t = time.perf_counter()
    synthetic = synthetic_values(catalog, args.rows)
    print(f"\n(synthetic values generated in {time.perf_counter() - t:.1f} s)")
    bench("synthetic store", catalog, synthetic, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
