"""`impact validate` beside its peers, in one run, on the same files (issue 16).

Every tool runs as a whole cold process (interpreter start, imports, reading, checking) on the
same semicolon CSV shaped like ``benchmarks/bench_validate.py`` (1,000,000 rows: 50 projects ×
200 monthly indicators × 100 months, decimal commas, a unit column), once valid and once with
1 % bad rows (each bad row breaks exactly one of the five rules below, so every tool should
report 10,000 rows with errors; the counts are printed as a check):

* **pyarrow read only** — the floor: read the CSV as strings, check nothing;
* **pandera, five rules** (lazy, pandas backend) — project and indicator from fixed sets, period
  pattern, numeric value within range, unit from a set;
* **frictionless validate** — the same five rules as a Table Schema (enum, pattern, number with
  decimal comma, minimum/maximum), every error collected;
* **impact validate** — all its rules (ids, assignment, period form, frequency, start, runtime,
  number parsing, whole numbers, per-indicator range, unit per indicator, breakdowns, quality,
  evidence, formulas, duplicate keys) and a message per problem;
* **pandera, our full rule set** — the fair comparison: the same rules as `impact validate`,
  vectorised with pandas inside a pandera schema (no messages beyond pandera's own).

Wall seconds, the ratio to the pyarrow floor and to pandera (five rules), and each process's
peak RSS (``/usr/bin/time -f %M``) are printed. Then: a bare ``import pandas, pyarrow``, a 50-row
file end to end, the same 50 rows validated warm in-process (as the portal does: catalog loaded
once, ``validate_bytes`` per upload; median of 20, in a fresh process), and growth of `impact validate` at 100k, 1M
and 5M rows (the 5M file adds a breakdown to keep its keys distinct in the same catalog;
``--no-5m`` skips it when the machine is short of memory or time).

Run: ``.venv/bin/python benchmarks/bench_peers.py [--quick] [--no-5m] [--rows N]``
(``--quick``: 100,000 rows, growth at 10k/100k, no 5M — a smoke run of a minute or two).
pandera and frictionless are dev dependencies (requirements.txt, ``pip install -e .[dev]``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
IMPACT = str(Path(sys.executable).with_name("impact"))
TODAY = "2026-11-21"
FIVE = ("project_id", "indicator_id", "period", "value", "unit")
#: the period pattern of impact's suite (impact.intake.expectations.PERIOD_PATTERN), given to every tool
PERIOD_PATTERN = r"^[ \t]*(?:19|20|21)[0-9]{2}(?:-?[Qq][1-4]|-(?:0?[1-9]|1[0-2]))?[ \t]*$"
BAD_EVERY = 100  # 1 % bad rows
_DISTRICTS = ("mitte", "pankow", "neukoelln", "spandau")


# --------------------------------------------------------------------------- workers (cold processes)


def _read_strings(path: str) -> Any:
    import pandas as pd

    return pd.read_csv(path, sep=";", dtype=str, engine="pyarrow", keep_default_na=False, na_values=[""])


def _decimal_comma(s: Any) -> Any:
    import pandas as pd

    return pd.to_numeric(s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False), errors="coerce")


def worker_pyarrow(path: str, _rules: dict[str, Any]) -> int:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "rb") as fh:
        names = fh.readline().decode("utf-8").strip().split(";")
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"),
                           convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}))
    assert table.num_rows > 0
    return 0


def _pandera_errors(schema: Any, df: Any) -> int:
    import pandera.errors as pe

    try:
        schema.validate(df, lazy=True)
    except pe.SchemaErrors as exc:  # a row-wide check lists a failing row once per column: count rows
        return int(exc.failure_cases["index"].nunique())
    return 0


def worker_pandera5(path: str, rules: dict[str, Any]) -> int:
    import pandera.pandas as pa

    df = _read_strings(path)
    df["value"] = _decimal_comma(df["value"])
    schema = pa.DataFrameSchema({
        "project_id": pa.Column(str, pa.Check.isin(rules["projects"])),
        "indicator_id": pa.Column(str, pa.Check.isin(rules["indicators"])),
        "period": pa.Column(str, pa.Check.str_matches(PERIOD_PATTERN)),
        "value": pa.Column(float, pa.Check.in_range(rules["min"], rules["max"])),
        "unit": pa.Column(str, pa.Check.isin(rules["units"]), nullable=True),
    })
    return _pandera_errors(schema, df)


def _periods(period: Any) -> tuple[Any, Any, Any]:
    """(frequency, first day, last day) per row as date ordinals, vectorised (NaN where no period)."""
    import numpy as np
    import pandas as pd

    parts = period.str.strip().str.extract(r"^(\d{4})(?:-?[Qq]([1-4])|-(\d{1,2}))?$")
    year = pd.to_numeric(parts[0], errors="coerce")
    q = pd.to_numeric(parts[1], errors="coerce")
    m = pd.to_numeric(parts[2], errors="coerce")
    freq = pd.Series(np.where(m.notna(), "monthly", np.where(q.notna(), "quarterly", "yearly")), index=period.index)
    freq = freq.where(year.notna())
    first = year * 12 + m.fillna((q - 1) * 3 + 1).fillna(1) - 1  # months since year 0
    months = np.where(m.notna(), 1, np.where(q.notna(), 3, 12))

    def ordinal(month_index: Any) -> Any:  # the first day of a month as a date ordinal
        y, mo = month_index // 12, month_index % 12 + 1
        days = pd.to_datetime({"year": y, "month": mo, "day": 1}, errors="coerce")
        return (days - pd.Timestamp("1970-01-01")).dt.days + 719163

    return freq, ordinal(first), ordinal(first + months) - 1


def worker_pandera_full(path: str, rules: dict[str, Any]) -> int:
    """impact's rules as a pandera schema: the same checks, vectorised with pandas."""
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

    df = _read_strings(path)
    for col in ("unit", "breakdown", "breakdown_value", "note", "source", "quality", "evidence"):
        if col not in df:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="str")
    ind = rules["indicator_rules"]
    proj = rules["project_runtime"]
    freq, start, end = _periods(df["period"])
    number = _decimal_comma(df["value"])
    iid = df["indicator_id"]
    pid = df["project_id"]
    lo, hi = iid.map({k: v["min"] for k, v in ind.items()}), iid.map({k: v["max"] for k, v in ind.items()})
    count = iid.map({k: v["count"] for k, v in ind.items()}).fillna(False).astype(bool)
    unit_key = iid + "|" + df["unit"].str.casefold()
    bd_key = iid + "|" + df["breakdown"].str.casefold()
    bdv_key = df["breakdown"].str.casefold() + "|" + df["breakdown_value"].str.casefold()
    needs_evidence = iid.map({k: v["evidence"] for k, v in ind.items()}).fillna(False).astype(bool)
    pstart = pd.to_numeric(pid.map({k: v[0] for k, v in proj.items()}))
    pend = pd.to_numeric(pid.map({k: v[1] for k, v in proj.items()}))
    today = rules["today"]

    def known(series: Any, allowed: list[str]) -> Any:
        return series.isna() | series.isin(allowed)

    def no_formula(s: Any) -> Any:
        return ~s.fillna("").str.startswith("=")

    row_checks = {
        "assignment": lambda d: (pid + "|" + iid).isin(rules["pairs"]) | ~pid.isin(rules["projects"])
        | ~iid.isin(rules["indicators"]),
        "frequency": lambda d: freq.isna() | iid.map({k: v["frequency"] for k, v in ind.items()}).isna()
        | (freq == iid.map({k: v["frequency"] for k, v in ind.items()})),
        "not_in_future": lambda d: start.isna() | (start <= today),
        "within_runtime": lambda d: start.isna() | pstart.isna() | ((end >= pstart) & (pend.isna() | (start <= pend))),
        "finite": lambda d: number.isna() | (number.abs() <= 1e15),
        "whole": lambda d: ~count | number.isna() | ((number - number.round()).abs() <= 1e-9),
        "min": lambda d: lo.isna() | number.isna() | (number >= lo),
        "max": lambda d: hi.isna() | number.isna() | (number <= hi),
        "unit": lambda d: unit_key.isna() | ~iid.isin(rules["indicators"]) | unit_key.isin(rules["unit_keys"]),
        "breakdown_declared": lambda d: bd_key.isna() | ~iid.isin(rules["indicators"]) | bd_key.isin(rules["declared"]),
        "breakdown_value": lambda d: bdv_key.isna() | bdv_key.isin(rules["breakdown_values"]),
        "breakdown_complete": lambda d: d["breakdown"].isna() == d["breakdown_value"].isna(),
        "evidence": lambda d: ~needs_evidence | d["evidence"].notna(),
        "evidence_length": lambda d: d["evidence"].isna() | (d["evidence"].str.len() <= 1000),
    }
    text = {"nullable": True}
    schema = pa.DataFrameSchema({
        "project_id": pa.Column(str, [pa.Check.isin(rules["projects"]), pa.Check(no_formula)]),
        "indicator_id": pa.Column(str, [pa.Check.isin(rules["indicators"]), pa.Check(no_formula)]),
        "period": pa.Column(str, [pa.Check.str_matches(PERIOD_PATTERN), pa.Check(no_formula)]),
        "value": pa.Column(str, [pa.Check(lambda s: _decimal_comma(s).notna()), pa.Check(no_formula)]),
        "unit": pa.Column(str, pa.Check(no_formula), **text),
        "breakdown": pa.Column(str, [pa.Check(no_formula), pa.Check(lambda s: known(s.str.casefold(),
                                                                                  rules["breakdowns"]))], **text),
        "breakdown_value": pa.Column(str, pa.Check(no_formula), **text),
        "note": pa.Column(str, pa.Check(no_formula), **text),
        "source": pa.Column(str, pa.Check(no_formula), **text),
        "quality": pa.Column(str, [pa.Check(no_formula), pa.Check(lambda s: known(s.str.casefold(),
                                                                                rules["quality"]))], **text),
        "evidence": pa.Column(str, pa.Check(lambda s: ~s.fillna("").str.match(r"^[=+\-@]")), **text),
    }, checks=[pa.Check(fn, name=name) for name, fn in row_checks.items()],
        unique=["project_id", "indicator_id", "period", "breakdown", "breakdown_value"])
    np.seterr(invalid="ignore")
    return _pandera_errors(schema, df)


def worker_frictionless(path: str, rules: dict[str, Any]) -> int:
    import frictionless

    schema = {"fields": [
        {"name": "project_id", "type": "string", "constraints": {"required": True, "enum": rules["projects"]}},
        {"name": "indicator_id", "type": "string", "constraints": {"required": True, "enum": rules["indicators"]}},
        {"name": "period", "type": "string", "constraints": {"required": True, "pattern": PERIOD_PATTERN[1:-1]}},
        {"name": "value", "type": "number", "decimalChar": ",", "groupChar": ".",
         "constraints": {"required": True, "minimum": rules["min"], "maximum": rules["max"]}},
        {"name": "unit", "type": "string", "constraints": {"enum": rules["units"]}},
    ]}
    with frictionless.system.use_context(trusted=True):  # an absolute path in a temp dir
        resource = frictionless.Resource(path, schema=frictionless.Schema.from_descriptor(schema),
                                         dialect=frictionless.Dialect.from_descriptor({"csv": {"delimiter": ";"}}))
        report = resource.validate(limit_errors=10**9)
    return len({e.row_number for e in report.tasks[0].errors}) if report.tasks else 0


WORKERS = {"pyarrow": worker_pyarrow, "pandera5": worker_pandera5, "pandera_full": worker_pandera_full,
           "frictionless": worker_frictionless}


# --------------------------------------------------------------------------- data


def write_submission(path: Path, rows: int, *, bad: bool, n_periods: int, n_indicators: int, n_projects: int) -> None:
    """The bench_validate shape; rows beyond one full key space get a district breakdown, and with
    ``bad`` every 100th row breaks one of the five rules (in turn)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    keys = n_periods * n_indicators * n_projects
    k = np.arange(rows)
    variant = k // keys
    per = k % n_periods
    ind = (k // n_periods) % n_indicators
    proj = (k // (n_periods * n_indicators)) % n_projects
    year, month = 2015 + per // 12, per % 12 + 1
    values = rng.uniform(0, 1000, rows).round(2)
    frame = pd.DataFrame({
        "project_id": np.char.add("bench-p", np.char.zfill(proj.astype(str), 2)),
        "indicator_id": np.char.add("bench-i", np.char.zfill(ind.astype(str), 3)),
        "period": np.char.add(np.char.add(year.astype(str), "-"), np.char.zfill(month.astype(str), 2)),
        "value": np.char.replace(np.char.mod("%.2f", values), ".", ","),
        "unit": "EUR",
    })
    if variant.max() > 0:
        if variant.max() > len(_DISTRICTS):
            raise SystemExit(f"{rows:,} rows exceed the benchmark catalog's distinct keys")
        frame["breakdown"] = np.where(variant > 0, "district", "")
        frame["breakdown_value"] = np.array(("", *_DISTRICTS))[variant]
    if bad:
        which = np.flatnonzero(k % BAD_EVERY == BAD_EVERY - 1)
        kind = (which // BAD_EVERY) % 5
        for n, (col, text) in enumerate((("project_id", "bench-x"), ("indicator_id", "bench-y"),
                                         ("period", "24-05"), ("value", "abc"), ("unit", "kg"))):
            rows_n = which[kind == n]
            # unknown ids differ per row: a bad row must not also duplicate another one's key
            frame.loc[rows_n, col] = np.char.add(text, rows_n.astype(str)) if col.endswith("_id") else text
        frame.loc[which[kind == 3][::2], "value"] = "-5"  # half of the value errors: below the range
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")


def rules_for(catalog_dir: Path) -> dict[str, Any]:
    """The rule data every tool is given (read from the catalog once, outside the timed processes)."""
    import datetime as dt

    from impact.core.catalog import QUALITY_GRADES, load_catalog
    from impact.intake.quality import GERMAN_GRADES

    cat = load_catalog(catalog_dir)
    units = sorted({n for i in cat.indicators.values() for u in [cat.units[i.unit]]
                    for n in (u.id, u.symbol, u.name.de, u.name.en, *u.aliases)})
    return {
        "projects": sorted(cat.projects), "indicators": sorted(cat.indicators), "units": units,
        "min": 0, "max": 1_000_000,
        "pairs": sorted(f"{p}|{i.id}" for i in cat.indicators.values() for p in i.targets),
        "project_runtime": {p.id: [p.start.toordinal(), p.end.toordinal() if p.end else None]
                            for p in cat.projects.values()},
        "indicator_rules": {i.id: {"min": i.min, "max": i.max, "count": i.value_type == "count",
                                   "frequency": i.frequency, "evidence": i.evidence_required}
                            for i in cat.indicators.values()},
        "unit_keys": sorted({f"{i.id}|{n.casefold()}" for i in cat.indicators.values() for u in [cat.units[i.unit]]
                             for n in (u.id, u.symbol, u.name.de, u.name.en, *u.aliases)}),
        "declared": sorted(f"{i.id}|{b}" for i in cat.indicators.values() for b in i.breakdowns),
        "breakdowns": sorted({n.casefold() for b in cat.breakdowns.values() for n in (b.id, b.name.de, b.name.en)}),
        "breakdown_values": sorted({f"{b.id}|{n.casefold()}" for b in cat.breakdowns.values()
                                    for vid, v in b.values.items() for n in (vid, v.de, v.en)}),
        "quality": sorted({*QUALITY_GRADES, *(w.casefold() for w in GERMAN_GRADES.values())}),
        "today": dt.date.fromisoformat(TODAY).toordinal(),
    }


# --------------------------------------------------------------------------- timing


class Run(NamedTuple):
    """One cold process: wall and CPU (user + system) seconds, peak RSS, rows with errors found."""

    wall: float
    cpu: float
    peak_mb: float
    bad_rows: int | None = None


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[Run, str, int]:
    """One cold process under ``/usr/bin/time``: its figures, stdout and exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", out.name, *cmd], capture_output=True,
                              env={**os.environ, **(env or {})})
        wall = time.perf_counter() - t
        peak, user, system = Path(out.name).read_text().strip().splitlines()[-1].split()
    if proc.returncode not in (0, 1):
        print(proc.stderr.decode()[-3000:], file=sys.stderr)
    return Run(wall, float(user) + float(system), int(peak) / 1024), proc.stdout.decode(), proc.returncode


def run_worker(name: str, path: Path, rules_path: Path) -> Run:
    run, out, rc = timed([PYTHON, __file__, "--worker", name, str(path), str(rules_path)])
    return run._replace(bad_rows=json.loads(out.strip().splitlines()[-1])["errors"] if rc == 0 and out.strip()
                        else None)


def run_impact(path: Path, catalog: Path) -> Run:
    env = {"IMPACT_TODAY": TODAY, "IMPACT_MAX_BYTES": str(2_000_000_000)}
    run, out, rc = timed([IMPACT, "validate", str(path), "--catalog", str(catalog), "--store",
                          str(path.parent / "nostore"), "--format", "json"], env)
    return run._replace(bad_rows=len({e["row"] for e in json.loads(out)["errors"]}) if rc in (0, 1) else None)


def warm_ms(path: Path, catalog_dir: Path, n: int = 20) -> tuple[float, float, float]:
    """Median wall, worst wall and median CPU milliseconds of validate_bytes on ``path``, in a fresh
    process that has imported the library and loaded the catalog once, as a portal kernel has
    (not in this process, whose heap is full of the benchmark's generated frames)."""
    out = subprocess.run([PYTHON, __file__, "--warm", str(path), str(catalog_dir), str(n)], capture_output=True,
                         text=True, check=True).stdout
    median, worst, cpu = json.loads(out.strip().splitlines()[-1])
    return median, worst, cpu


def _warm_in_process(path: Path, catalog_dir: Path, n: int) -> tuple[float, float, float]:
    import datetime as dt

    from impact.core.catalog import load_catalog
    from impact.intake.validation import validate_bytes

    cat = load_catalog(catalog_dir)
    data = path.read_bytes()
    today = dt.date.fromisoformat(TODAY)
    validate_bytes(data, path.name, cat, today=today)  # first upload: imports and suite built
    times, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        report = validate_bytes(data, path.name, cat, today=today)
        _ = report.frame  # the portal stores the accepted rows
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal")) / 1024 / 1024
    except (OSError, StopIteration):
        mem = 0.0
    from importlib.metadata import version

    pkgs = ", ".join(f"{p} {version(p)}" for p in ("pandas", "pyarrow", "great_expectations", "pandera", "frictionless"))
    return (f"{model}, {os.cpu_count()} cores, {mem:.0f} GB RAM, Python {platform.python_version()}; {pkgs}; "
            f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows, growth at 10k/100k, no 5M")
    ap.add_argument("--no-5m", action="store_true", help="skip the 5,000,000-row growth point")
    ap.add_argument("--worker", nargs=3, metavar=("TOOL", "FILE", "RULES"), help=argparse.SUPPRESS)
    ap.add_argument("--warm", nargs=3, metavar=("FILE", "CATALOG", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.warm:
        print(json.dumps(_warm_in_process(Path(args.warm[0]), Path(args.warm[1]), int(args.warm[2]))))
        return
    if args.worker:
        tool, path, rules_path = args.worker
        print(json.dumps({"errors": WORKERS[tool](path, json.loads(Path(rules_path).read_text()))}))
        return
    sys.path.insert(0, str(HERE))
    import bench_validate as bv  # the catalog of bench_validate: 50 projects × 200 monthly indicators

    rows = 100_000 if args.quick else args.rows
    growth = (10_000, 100_000) if args.quick else (100_000, 1_000_000, *(() if args.no_5m else (5_000_000,)))
    shape = {"n_periods": bv.N_PERIODS, "n_indicators": bv.N_INDICATORS, "n_projects": bv.N_PROJECTS}
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        catalog = d / "catalog"
        bv.build_catalog(catalog)
        rules_path = d / "rules.json"
        rules_path.write_text(json.dumps(rules_for(catalog)))
        files = {}
        for label, bad in (("valid", False), ("1 % bad", True)):
            files[label] = d / f"{'bad' if bad else 'valid'}-{rows}.csv"
            write_submission(files[label], rows, bad=bad, **shape)
        print(f"{rows:,} rows, {files['valid'].stat().st_size / 1e6:.1f} MB; whole cold processes, one run each")
        print("ratios: wall against wall, cpu against cpu (cpu = user + system of the process; pyarrow reads "
              "with several threads)")
        print(f"{'tool':<34}{'file':<9}{'wall s':>8}{'cpu s':>7}{'wall×floor':>11}{'wall×pandera':>13}"
              f"{'cpu×pandera':>12}{'peak MB':>8}{'bad rows':>9}")
        names = {"pyarrow": "pyarrow read only (floor)", "pandera5": "pandera, five rules",
                 "frictionless": "frictionless validate", "impact": "impact validate (all rules)",
                 "pandera_full": "pandera, impact's full rule set"}
        for label, path in files.items():
            results: dict[str, Run] = {}
            for tool in names:
                results[tool] = run_impact(path, catalog) if tool == "impact" else run_worker(tool, path, rules_path)
            floor, pandera = results["pyarrow"], results["pandera5"]
            for tool, r in results.items():
                print(f"{names[tool]:<34}{label:<9}{r.wall:8.2f}{r.cpu:7.2f}{r.wall / floor.wall:11.1f}"
                      f"{r.wall / pandera.wall:13.2f}{r.cpu / pandera.cpu:12.2f}{r.peak_mb:8.0f}"
                      f"{'' if r.bad_rows is None else f'{r.bad_rows:,}':>9}")
        print(f"load average: {os.getloadavg()[0]:.1f}")

        small = d / "small.csv"
        write_submission(small, 50, bad=False, **shape)
        bare, _out, _rc = timed([PYTHON, "-c", "import pandas, pyarrow"])
        print(f"bare 'import pandas, pyarrow':          {bare.wall:6.2f} s wall {bare.cpu:5.2f} s cpu  "
              f"peak {bare.peak_mb:.0f} MB")
        r = run_impact(small, catalog)
        print(f"impact validate, 50 rows, end to end:   {r.wall:6.2f} s wall {r.cpu:5.2f} s cpu  peak {r.peak_mb:.0f} MB"
              f"  bad rows {r.bad_rows}")
        median, worst, cpu = warm_ms(small, catalog)
        print(f"validate_bytes, 50 rows, warm:          {median:6.1f} ms median wall ({worst:.1f} ms worst of 20), "
              f"{cpu:.1f} ms median cpu")

        print("growth (impact validate, valid file):")
        first = None
        for n in growth:
            path = d / f"growth-{n}.csv"
            write_submission(path, n, bad=False, **shape)
            r = run_impact(path, catalog)
            path.unlink()
            per = r.cpu / n * 1e6
            first = first or per
            print(f"  {n:>10,} rows  {r.wall:7.2f} s wall {r.cpu:7.2f} s cpu  {per:6.2f} µs cpu/row "
                  f"({per / first:.2f}× the first)  peak {r.peak_mb:.0f} MB  bad rows {r.bad_rows}")
        if not args.quick and args.no_5m:
            print("  5,000,000 rows skipped (--no-5m)")
        print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
