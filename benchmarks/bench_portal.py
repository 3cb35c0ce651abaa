"""Portal figures: token checks, the attempt limiter, upload → validation → submit in the app, and a
real ``impact portal`` process: sign-in latency, page load, memory per kernel, 200 anonymous loads.

Run: .venv/bin/python benchmarks/bench_portal.py   (prints its figures; nothing is asserted)
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from impact.apps.portal.app import PortalApp
from impact.apps.portal.limiter import AttemptLimiter
from impact.apps.portal.signedin import signed_in
from impact.apps.portal.tokens import TokenStore
from impact.apps.sessions import KernelSession, SessionRegistry
from impact.core.catalog import load_catalog
from impact.intake.validation import validate_bytes
from impact.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "portal"))
TODAY = dt.date(2026, 11, 21)


def _timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def _csv(rows: int) -> bytes:
    """A valid kiezbox file within the project's runtime (2022 to 2026-Q3): quarterly users, total
    and per district and target group, then monthly outage hours. At most 438 rows."""
    groups = [("", ""), *[("district", d) for d in (
        "mitte", "friedrichshain-kreuzberg", "pankow", "charlottenburg-wilmersdorf", "spandau",
        "steglitz-zehlendorf", "tempelhof-schoeneberg", "neukoelln", "treptow-koepenick",
        "marzahn-hellersdorf", "lichtenberg", "reinickendorf")],
        *[("target_group", g) for g in ("children-youth", "seniors", "people-with-disabilities", "refugees",
                                        "people-facing-discrimination", "homeless-people", "general-public")]]
    out = []
    for year in range(2022, 2027):
        for q in range(1, 5):
            if (year, q) > (2026, 3):
                continue
            out += [f"kiezbox,test-users,{year}-Q{q},{b},{v},{100 + q}" for b, v in groups]
        for month in range(1, 13):
            if (year, month) <= (2026, 10):
                out.append(f"kiezbox,test-outage-hours,{year}-{month:02d},,,{month}")
    lines = ["project_id,indicator_id,period,breakdown,breakdown_value,value", *out[:rows]]
    return ("\n".join(lines) + "\n").encode()


def bench_library(tmp: Path) -> None:
    for n in (10, 1000):
        store = TokenStore(tmp / f"tokens-{n}.json")
        raws = [store.issue("kiezbox", today=TODAY)[1] for _ in range(n)]
        t = _timed(lambda s=store, r=raws[-1]: s.verify(r, today=TODAY), repeat=20)
        print(f"token verify with {n:>5} tokens in the file: {t * 1000:7.2f} ms")
    lim = AttemptLimiter()
    t = _timed(lambda: (lim.wait_seconds("x"), lim.record_failure("y")), 1000)
    print(f"limiter check + failure (memory):        {t * 1e6:7.1f} µs")

    cat_dir = tmp / "catalog"
    shutil.copytree(ROOT / "indicators" / "framework", cat_dir / "framework")
    shutil.copy(ROOT / "tests" / "fixtures" / "catalog_min" / "indicators.yaml", cat_dir / "indicators.yaml")
    catalog = load_catalog(cat_dir)
    for rows in (20, 100, 438):
        tokens = TokenStore(tmp / f"t{rows}.json")
        rec = tokens.issue("kiezbox", today=TODAY)[0]
        sessions = SessionRegistry(idle=600, path=tmp / f"sessions{rows}.json")
        session = sessions.create("127.0.0.1", {"token_id": rec.id, "project": "kiezbox"})
        signin = signed_in(KernelSession(session.id, sessions.path))
        app = PortalApp(catalog, Store(tmp / f"store{rows}"), tokens, signin=signin, today=lambda: TODAY,
                        max_bytes=10_000_000)
        if rows == 20:
            print(f"warm-up (first validation in a fresh kernel): {_timed(app.warm_up):5.2f} s")
        data = _csv(rows)
        item = {"name": "w.csv", "type": "text/csv", "size": len(data), "content": memoryview(data),
                "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}

        def upload(item=item, app=app) -> None:
            app.view.upload.value = (item,)

        t_val = _timed(lambda d=data, a=app: validate_bytes(d, "w.csv", catalog, history=a.store.values(),
                                                            today=TODAY, only_project="kiezbox"))
        t_up = _timed(upload)
        valid = app.report.valid
        t_sub = _timed(app.view.submit_button.click)
        status = app.result.status if app.result else "-"
        print(f"app, {rows:>5} rows ({len(data) / 1000:6.1f} kB): upload→problem table {t_up:5.2f} s "
              f"(validation alone {t_val:5.2f} s, ratio {t_up / t_val:4.2f}; valid={valid}), "
              f"submit {t_sub:5.2f} s ({status})")


def _tree_rss(pid: int) -> tuple[int, list[int]]:
    proc = psutil.Process(pid)
    kernels = [c for c in proc.children(recursive=True) if any("ipykernel" in a for a in c.cmdline())]
    return proc.memory_info().rss, [k.memory_info().rss for k in kernels]


def bench_server(tmp: Path) -> None:
    from conftest import Client, portal_setup, start_portal, stop_portal

    catalog_dir, tokens, raw, _files = portal_setup(tmp / "served")
    proc, url, _log = start_portal(tmp / "served", catalog_dir, tokens)
    try:
        server_rss, _ = _tree_rss(proc.pid)
        print(f"server process at rest: {server_rss / 1e6:6.0f} MB RSS, no kernel")
        times = []
        for _ in range(20):
            client = Client(url)
            start = time.perf_counter()
            status, _loc = client.sign_in(raw["kiezbox"])
            times.append(time.perf_counter() - start)
        print(f"sign-in (GET the form, POST the token), median of 20: {statistics.median(times) * 1000:6.0f} ms "
              f"(status {status})")
        client = Client(url)
        client.sign_in(raw["kiezbox"])
        start = time.perf_counter()
        status, _u, _h, page = client.request("")
        load = time.perf_counter() - start
        assert re.search(r'"kernelId"', page), page[:200]
        print(f"app page after sign-in (kernel start, notebook run): {load:5.1f} s")
        _srv, kernels = _tree_rss(proc.pid)
        print(f"kernel right after the page load: {kernels[0] / 1e6:6.0f} MB RSS")
        previous, steady = 0, 0
        for _ in range(60):  # the warm-up thread validates a tiny file (imports Great Expectations)
            time.sleep(2)
            steady = _tree_rss(proc.pid)[1][0]
            if abs(steady - previous) < 2_000_000:
                break
            previous = steady
        print(f"kernel after the warm-up validation:  {steady / 1e6:6.0f} MB RSS")
        client.request("logout")
        rss_before, kernels_before = _tree_rss(proc.pid)
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _i: Client(url).request("")[0], range(200)))
        took = time.perf_counter() - start
        time.sleep(2)
        rss_after, kernels_after = _tree_rss(proc.pid)
        print(f"200 anonymous page loads: {took:5.1f} s, all {set(statuses)}, kernels {len(kernels_before)} → "
              f"{len(kernels_after)}, server {rss_before / 1e6:.0f} → {rss_after / 1e6:.0f} MB RSS")
    finally:
        stop_portal(proc)


def main() -> None:
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in psutil.getloadavg())} on {psutil.cpu_count()} CPUs")
    tmp = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    try:
        bench_library(tmp)
        bench_server(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
