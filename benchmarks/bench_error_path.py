"""The error path of a bad file: building, and rendering as JSON and text, thousands of problems (issue 16).

A file of ``--rows`` rows shaped like ``benchmarks/bench_peers.py``'s, with every 100th row
bad (1 %: unknown project or indicator — a different unknown id per row, the worst case for
"did you mean" —, a malformed period, a value that is no number or below the range, a wrong
unit) is read, prepared and checked once (not timed); then, each the median of ``--repeat``
runs in this process:

* building the problems from the failed checks (``impact.intake.failures.failure_problems``),
* the JSON output as ``impact validate --format json`` writes it (``ValidationReport.json_text``),
  beside the way it was written before, ``json.dumps(report.to_json(lang), ensure_ascii=False,
  indent=2)`` (the standard library indents in pure Python), measured in the same run as the
  baseline,
* the text output (``ValidationReport.to_text``),

in German and English, with the time per problem, so that growth can be compared across sizes
(``--rows 100000 1000000``). The outputs of ``json_text`` and ``json.dumps`` are compared byte for
byte. Run: ``.venv/bin/python benchmarks/bench_error_path.py [--rows N ...] [--repeat K]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 21)


def median_ms(fn: Callable[..., Any], repeat: int, *args: Any) -> tuple[float, Any]:
    """``fn(*args)``'s median wall time in ms over ``repeat`` runs, and its result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def dumps(report: Any, lang: str) -> str:
    """The baseline: what ``impact validate --format json`` wrote before ``json_text``."""
    return json.dumps(report.to_json(lang), ensure_ascii=False, indent=2)


def measure(path: Path, catalog: Any, repeat: int) -> None:
    from impact.intake import expectations as ex
    from impact.intake.failures import failure_problems
    from impact.intake.prepare import prepare
    from impact.intake.reading import read_submission
    from impact.intake.report import ValidationReport
    from impact.intake.runner import run_suite

    table = read_submission(path.read_bytes(), path.name, max_bytes=2_000_000_000)
    frame = prepare(table, catalog)
    failures = run_suite(frame, ex.cached_row_checks(catalog, today=TODAY, only_project=None))
    build, problems = median_ms(failure_problems, repeat, failures, frame, table, catalog, TODAY, None)
    report = ValidationReport(path.name, rows=len(frame), errors=problems)
    n = len(problems)
    print(f"\n{len(frame):,} rows, {n:,} problems: build {build:.0f} ms ({build * 1000 / n:.1f} µs per problem)")
    for lang in ("de", "en"):
        fast, text = median_ms(report.json_text, repeat, lang)
        plain, expected = median_ms(dumps, repeat, report, lang)
        lines, _ = median_ms(report.to_text, repeat, lang)
        assert text == expected, "json_text differs from json.dumps(to_json)"
        print(f"  {lang}: json {fast:.0f} ms (json.dumps(to_json, indent=2): {plain:.0f} ms, {plain / fast:.1f}×), "
              f"text {lines:.0f} ms; built and written: {(build + fast) * 1000 / n:.1f} µs (json), "
              f"{(build + lines) * 1000 / n:.1f} µs (text) per problem")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import bench_peers as bp
    import bench_validate as bv

    from impact.core.catalog import load_catalog

    load = os.getloadavg()
    print(f"load average {load[0]:.1f} / {load[1]:.1f} (1 / 5 min); each figure the median of {args.repeat} runs")
    shape = {"n_periods": bv.N_PERIODS, "n_indicators": bv.N_INDICATORS, "n_projects": bv.N_PROJECTS}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        bv.build_catalog(d / "catalog")
        catalog = load_catalog(d / "catalog")
        for rows in args.rows:
            path = d / f"bad-{rows}.csv"
            bp.write_submission(path, rows, bad=True, **shape)
            measure(path, catalog, args.repeat)


if __name__ == "__main__":
    main()
