"""Small submission files for the report tests, written against a catalog (real or tiny).

Values follow each project's line from baseline towards target with a little seeded noise, so
charts, trends and statuses have something to show; clipped to the indicator's min/max.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

from impact.core.catalog import Catalog, Indicator

XSS_NOTE = '<script>document.title="XSS-EXECUTED";document.body.setAttribute("data-xss","1")</script><b>fett</b> & Co'


def _periods(frequency: str, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    out = []
    if frequency == "yearly":
        for y in range(start.year, end.year + 1):
            out.append((f"{y}", dt.date(y, 1, 1)))
    elif frequency == "quarterly":
        y, q = start.year, (start.month - 1) // 3 + 1
        while dt.date(y, 3 * q - 2, 1) <= end:
            out.append((f"{y}-Q{q}", dt.date(y, 3 * q - 2, 1)))
            q += 1
            if q == 5:
                y, q = y + 1, 1
    else:
        y, m = start.year, start.month
        while dt.date(y, m, 1) <= end:
            out.append((f"{y}-{m:02d}", dt.date(y, m, 1)))
            m += 1
            if m == 13:
                y, m = y + 1, 1
    return out


def _value(ind: Indicator, project: str, day: dt.date, rng: random.Random) -> float:
    t = ind.targets[project]
    span = max((t.target_date - t.baseline_date).days, 1)
    frac = min(max((day - t.baseline_date).days / span, 0.0), 1.2) * rng.uniform(0.6, 1.0)
    goal = t.target if t.target is not None else t.tolerance.limit if t.tolerance else t.baseline  # side effect
    v = t.baseline + frac * (goal - t.baseline)
    v *= rng.uniform(0.95, 1.05)
    if ind.min is not None:
        v = max(v, ind.min)
    if ind.max is not None:
        v = min(v, ind.max)
    if ind.value_type == "count":
        return float(round(v))
    return round(v, 2)


def submission_rows(catalog: Catalog, project: str, *, first: dt.date = dt.date(2024, 1, 1),
                    last: dt.date = dt.date(2026, 9, 30), seed: int = 1) -> list[dict[str, str]]:
    """Rows (contract column names) for every indicator of ``project``."""
    rng = random.Random(f"{seed}-{project}")
    p = catalog.projects[project]
    first = max(first, p.start)
    last = min(last, p.end) if p.end else last
    rows = []
    for ind in catalog.indicators_for(project):
        for label, start in _periods(ind.frequency, first, last):
            if start < p.start:
                continue
            rows.append({"project_id": project, "indicator_id": ind.id, "period": label,
                         "value": repr(_value(ind, project, start, rng)), "unit": ind.unit, "note": ""})
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["project_id", "indicator_id", "period", "value", "unit", "note"],
                       lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def write_project_files(catalog: Catalog, folder: Path, projects: list[str] | None = None) -> list[Path]:
    """One CSV per project, named ``<project>.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_csv(folder / f"{p}.csv", submission_rows(catalog, p)) for p in (projects or list(catalog.projects))]


def write_note_file(catalog: Catalog, path: Path, project: str = "kiezbox", note: str = XSS_NOTE) -> Path:
    """A correction of the latest value of the project's first indicator, carrying ``note``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = submission_rows(catalog, project)
    ind = catalog.indicators_for(project)[0]
    latest = [r for r in rows if r["indicator_id"] == ind.id][-1]
    latest = dict(latest, note=note)
    return write_csv(path, [latest])


def kiezbox_store(folder: Path, catalog: Catalog) -> Any:
    """A real store in ``folder``/store with one accepted Kiezbox submission (``submission_rows``);
    the caller pins the receipt clock (``IMPACT_NOW``)."""
    from impact.store.ingest import ingest_file
    from impact.store.store import Store

    store = Store(folder / "store")
    res = ingest_file(write_csv(folder / "k.csv", submission_rows(catalog, "kiezbox")), store, catalog)
    assert res.status == "accepted", res.report.to_text("en")
    return store
