"""Portal figures: token checks, the attempt limiter, and upload → validation → submit in the app.

Run: .venv/bin/python benchmarks/bench_portal.py   (prints its figures; nothing is asserted)
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from impact.apps.portal.app import PortalApp
from impact.apps.portal.tokens import AttemptLimiter, TokenStore
from impact.core.catalog import load_catalog
from impact.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
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


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    try:
        for n in (10, 1000):
            store = TokenStore(tmp / f"tokens-{n}.json")
            raws = [store.issue("kiezbox", today=TODAY)[1] for _ in range(n)]
            t = _timed(lambda s=store, r=raws[-1]: s.verify(r, today=TODAY), repeat=20)
            print(f"token verify with {n:>5} tokens in the file: {t * 1000:7.2f} ms")
        lim = AttemptLimiter(tmp / "attempts.json")
        print(f"limiter check+failure (file state):     {_timed(lambda: (lim.wait_seconds('x'), lim.record_failure('y')), 50) * 1000:7.2f} ms")

        cat_dir = tmp / "catalog"
        shutil.copytree(ROOT / "indicators" / "framework", cat_dir / "framework")
        shutil.copy(ROOT / "tests" / "fixtures" / "catalog_min" / "indicators.yaml", cat_dir / "indicators.yaml")
        catalog = load_catalog(cat_dir)
        for rows in (20, 100, 438):
            tokens = TokenStore(tmp / f"t{rows}.json")
            raw = tokens.issue("kiezbox", today=TODAY)[1]
            app = PortalApp(catalog, Store(tmp / f"store{rows}"), tokens, AttemptLimiter(), today=TODAY)
            if rows == 20:
                print(f"warm-up (first validation in a fresh kernel): {_timed(app.warm_up):5.2f} s")
            app.token_input.value = raw
            t_login = _timed(app.login_button.click)
            data = _csv(rows)
            item = {"name": "w.csv", "type": "text/csv", "size": len(data), "content": memoryview(data),
                    "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}

            def upload(item=item, app=app) -> None:
                app.upload.value = (item,)

            t_up = _timed(upload)
            valid = app.report.valid
            t_sub = _timed(app.submit_button.click)
            status = app.result.status if app.result else "-"
            print(f"app, {rows:>5} rows ({len(data) / 1000:6.1f} kB): sign-in {t_login:5.2f} s, "
                  f"upload→validation {t_up:5.2f} s (valid={valid}), submit {t_sub:5.2f} s ({status})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
