"""Benchmark of the indicator engine: ``evaluate`` on a synthetic store.

100 projects × 100 indicators × N periods (monthly), every project reporting every indicator
(10,000 series); N = 100 gives 1 million values, N = 1,000 gives 10 million. The catalog is built
in code. Each size runs in a fresh subprocess so that peak memory (max RSS) is per size.

    .venv/bin/python benchmarks/bench_scores.py            # 1M and 10M rows
    .venv/bin/python benchmarks/bench_scores.py --rows 1e6 # one size

Prints, per size: wall and CPU time of ``evaluate`` (median of the runs; on a shared machine the
CPU time is the steadier figure), the input frame's size, RSS after building the input, peak RSS
of the process while evaluating (input included), and the cost of materialising ``series``
(built lazily on first access).
Target (docs/ARCHITECTURE.md, engine task): ≤ 10 s and ≤ 4 GB peak at 10M rows on 2 cores.

``--forecast-baseline FILE`` (e.g. an earlier ``forecast.py`` from ``git show``) compares forecast
methods in the same process: evaluate runs alternate between the current forecast and the one in
FILE (put in place of ``impact.engine.evaluation.batch_forecast``), and both CPU medians and their
ratio are printed — on a shared machine the only fair before/after.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import hashlib
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

N_PROJECTS = 100
N_INDICATORS = 100
AS_OF = dt.date(2026, 11, 21)
LAST_MONTH = 2026 * 12 + 9  # 2026-10, the latest synthetic month (as month ordinal)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """Peak RSS since the last :func:`_reset_peak` (VmHWM), else since start."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Give freed memory back to the OS and reset the peak-RSS mark (Linux)."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def build_catalog(n_periods: int):  # type: ignore[no-untyped-def]
    """Catalog of 100 projects (running since the first synthetic month) × 100 indicators."""
    from impact.core.catalog import Catalog, Entity, Indicator, Project, Target, Text, Unit

    def t(s: str) -> Text:
        return Text(s, s)

    first = LAST_MONTH - n_periods + 1
    start = dt.date(first // 12, first % 12 + 1, 1)
    gis = {f"gi-{k}": Entity(f"gi-{k}", t(f"GI {k}"), t(""), "x") for k in range(4)}
    prs = {f"pr-{k}": Entity(f"pr-{k}", t(f"PR {k}"), t(""), "x") for k in range(8)}
    pes = {f"pe-{k}": Entity(f"pe-{k}", t(f"PE {k}"), t(""), "x", "spatial") for k in range(7)}
    projects = {f"project-{p:03d}": Project(f"project-{p:03d}", t(f"P{p}"), t(""), "x", "lead",
                                            start, None) for p in range(N_PROJECTS)}
    units = {"count": Unit("count", t("Anzahl"), "n")}
    rng = np.random.default_rng(1)
    indicators = {}
    for i in range(N_INDICATORS):
        direction = ("higher_is_better", "lower_is_better", "target_band")[i % 3]
        targets = {}
        for pid in projects:
            if direction == "higher_is_better":
                targets[pid] = Target(0.0, dt.date(2020, 1, 1), 1000.0, dt.date(2030, 12, 31))
            elif direction == "lower_is_better":
                targets[pid] = Target(1000.0, dt.date(2020, 1, 1), 0.0, dt.date(2030, 12, 31))
            else:
                targets[pid] = Target(200.0, dt.date(2020, 1, 1), 600.0, dt.date(2030, 12, 31), band=(500.0, 700.0))
        iid = f"ind-{i:03d}"
        indicators[iid] = Indicator(
            id=iid, name=t(iid), definition=t(iid), unit="count", value_type="count", direction=direction,
            min=None, max=None, frequency="monthly", impact_step=int(rng.integers(1, 8)),
            guiding_ideas=(f"gi-{i % 4}",), principles=(f"pr-{i % 8}", f"pr-{(i + 3) % 8}"),
            perspectives=(f"pe-{i % 7}",), breakdowns=(), source=t("s"), method=t("m"),
            framework_section="x", targets=targets, weight=float(1 + i % 3))
    return Catalog(gis, prs, pes, projects, {}, units, indicators)


def build_values(n_periods: int, date_objects: bool = False) -> pd.DataFrame:
    """Store value rows: every project × indicator × the last ``n_periods`` months.

    ``date_objects``: period_start/period_end as Python dates (object columns), as
    ``Store.values()`` returns them (Parquet date32), instead of datetime64."""
    months = np.arange(LAST_MONTH - n_periods + 1, LAST_MONTH + 1)
    n = N_PROJECTS * N_INDICATORS * n_periods
    p = np.repeat(np.arange(N_PROJECTS), N_INDICATORS * n_periods)
    i = np.tile(np.repeat(np.arange(N_INDICATORS), n_periods), N_PROJECTS)
    m = np.tile(months, N_PROJECTS * N_INDICATORS)
    labels = np.array([f"{x // 12}-{x % 12 + 1:02d}" for x in months], dtype=object)
    starts = (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[ns]")
    ends = ((months + 1 - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]") - 1).astype("datetime64[ns]")
    if date_objects:
        starts = np.array([pd.Timestamp(x).date() for x in starts], dtype=object)
        ends = np.array([pd.Timestamp(x).date() for x in ends], dtype=object)
    pnames = np.array([f"project-{k:03d}" for k in range(N_PROJECTS)], dtype=object)
    inames = np.array([f"ind-{k:03d}" for k in range(N_INDICATORS)], dtype=object)
    # one submission per project and month: 100 rows each
    sub_code = p * n_periods + (m - months[0])
    subs = np.array([hashlib.sha256(str(k).encode()).hexdigest() for k in range(N_PROJECTS * n_periods)], dtype=object)
    rng = np.random.default_rng(7)
    value = np.linspace(0, 800, n_periods)[m - months[0]] + rng.normal(0, 20, n)
    received = pd.Timestamp("2026-11-01", tz="UTC") - pd.to_timedelta((months[-1] - m) * 30, unit="D")

    def s(codes: np.ndarray, names: np.ndarray) -> pd.Series:
        return pd.Series(pd.Categorical.from_codes(codes, names)).astype("str")

    m_idx = m - months[0]
    df = pd.DataFrame({
        "row": (i + 2).astype(np.int64),
        "project_id": s(p, pnames),
        "indicator_id": s(i, inames),
        "period": s(m_idx, labels),
        "period_start": starts[m_idx],
        "period_end": ends[m_idx],
        "value": value,
        "unit": pd.Series(["count"] * 1, dtype="str").repeat(n).reset_index(drop=True),
        "breakdown": pd.Series([""], dtype="str").repeat(n).reset_index(drop=True),
        "breakdown_value": pd.Series([""], dtype="str").repeat(n).reset_index(drop=True),
        "note": pd.Series([None], dtype="str").repeat(n).reset_index(drop=True),
        "source": pd.Series([None], dtype="str").repeat(n).reset_index(drop=True),
        "submission_id": s(sub_code, subs),
        "received_at": received,
        "file_name": s(p, np.array([f"{x}.csv" for x in pnames], dtype=object)),
        "token_id": pd.Series([None], dtype="str").repeat(n).reset_index(drop=True),
    })
    # 1 % gaps (overdue periods) and 1 % corrections (a later row for an existing key)
    k = max(n // 100, 1)
    pick = rng.choice(n, size=2 * k, replace=False)
    corr = df.take(pick[:k])
    corr = corr.assign(value=corr["value"] + 1.0, received_at=pd.Timestamp("2026-11-15", tz="UTC"))
    kept = np.ones(n, dtype=bool)
    kept[pick[k:]] = False
    return pd.concat([df[kept], corr], ignore_index=True)


def _load_forecast(path: str):  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("baseline_forecast", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.batch_forecast


def compare_forecast(rows: int, repeat: int, baseline: str) -> dict[str, float]:
    """Evaluate CPU seconds with the current and with a baseline forecast, alternating."""
    import impact.engine.evaluation as evaluation

    n_periods = max(int(rows) // (N_PROJECTS * N_INDICATORS), 4)
    cat, values = build_catalog(n_periods), build_values(n_periods)
    current, old = evaluation.batch_forecast, _load_forecast(baseline)
    cpu: dict[str, list[float]] = {"current": [], "baseline": []}
    evaluation.evaluate(cat, values, AS_OF)  # warm-up (tables, caches)
    for _ in range(repeat):
        for name, fn in (("baseline", old), ("current", current)):
            evaluation.batch_forecast = fn
            c1 = time.process_time()
            evaluation.evaluate(cat, values, AS_OF)
            cpu[name].append(time.process_time() - c1)
    evaluation.batch_forecast = current
    return {"rows": len(values), "current_cpu_s": float(np.median(cpu["current"])),
            "baseline_cpu_s": float(np.median(cpu["baseline"]))}


def run_one(rows: int, repeat: int, date_objects: bool = False) -> dict[str, float]:
    from impact.engine.evaluation import evaluate

    n_periods = max(int(rows) // (N_PROJECTS * N_INDICATORS), 4)
    t0 = time.perf_counter()
    cat = build_catalog(n_periods)
    values = build_values(n_periods, date_objects)
    build_s = time.perf_counter() - t0
    _reset_peak()
    rss_input = _rss_mb()
    frame_mb = values.memory_usage(deep=True).sum() / 2**20
    times = []
    cpu = []
    ev = None
    for _ in range(repeat):
        t1, c1 = time.perf_counter(), time.process_time()
        ev = evaluate(cat, values, AS_OF)
        times.append(time.perf_counter() - t1)
        cpu.append(time.process_time() - c1)
    assert ev is not None
    peak_eval = _peak_mb()
    t2 = time.process_time()
    n_series = len(ev.series)
    series_s = time.process_time() - t2
    peak_series = _peak_mb()
    return {"rows": len(values), "build_s": build_s, "evaluate_s": float(np.median(times)),
            "evaluate_min_s": min(times), "cpu_s": float(np.median(cpu)), "rss_input_mb": rss_input, "frame_mb": frame_mb, "peak_rss_mb": peak_eval, "series_s": series_s, "series_rows": n_series,
            "peak_with_series_mb": peak_series,
            "pairs": len(ev.indicators), "on_track": int((ev.indicators["status"] == "on_track").sum())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=float, action="append", help="rows (repeatable); default 1e6 and 1e7")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--date-objects", action="store_true",
                    help="period dates as Python date objects (as Store.values() returns them)")
    ap.add_argument("--forecast-baseline", metavar="FILE", help="compare with the forecast module in FILE")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = args.rows or [1e6, 1e7]
    if args.forecast_baseline:
        for size in sizes:
            r = compare_forecast(int(size), args.repeat, args.forecast_baseline)
            print(f"{r['rows']:>12,} rows: evaluate CPU s (median of {args.repeat}) with the baseline forecast "
                  f"{r['baseline_cpu_s']:.2f}, with the current one {r['current_cpu_s']:.2f} "
                  f"(× {r['current_cpu_s'] / r['baseline_cpu_s']:.2f})")
        return
    if args.child:
        print(json.dumps(run_one(int(sizes[0]), args.repeat, args.date_objects)))
        return
    print(f"{'rows':>12} {'wall s':>7} {'min s':>7} {'CPU s':>6} {'frame MiB':>9} {'input RSS MiB':>13}"
          f" {'peak RSS MiB':>12} {'series CPU s':>13} {'peak w/ series MiB':>18}")
    for size in sizes:
        cmd = [sys.executable, __file__, "--child", "--rows", str(size), "--repeat", str(args.repeat)]
        out = subprocess.run(cmd + (["--date-objects"] if args.date_objects else []),
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>12,} {r['evaluate_s']:>7.2f} {r['evaluate_min_s']:>7.2f} {r['cpu_s']:>6.2f} "
              f"{r['frame_mb']:>9,.0f} {r['rss_input_mb']:>13,.0f} {r['peak_rss_mb']:>12,.0f} {r['series_s']:>13.2f} "
              f"{r['peak_with_series_mb']:>18,.0f}")


if __name__ == "__main__":
    main()
