"""Completeness: which due periods of each project × indicator have a total value.

Expected = the periods of the indicator's frequency that overlap the project's runtime and are due
(end + 30 days on or before the reference date); received = those of them with a total value;
``share`` = received / expected (NaN when nothing is due yet); ``overdue`` lists the missing ones.
Breakdown rows do not count as submissions of the total. Work is proportional to the received
rows plus the missing periods (gaps between received ordinals), not to all expected periods.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.engine.calendar import MONTHS, last_due_ordinal, period_label

__all__ = ["completeness", "gaps"]


def gaps(rp: np.ndarray, ro: np.ndarray, first: np.ndarray, last: np.ndarray,
          received: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The expected periods without a value: (pair, ordinal) arrays sorted by pair and ordinal.

    ``rp``/``ro`` are the received (pair, ordinal) inside each pair's expected range
    ``first..last``, sorted by pair then ordinal (unique). Works on the gaps between received
    periods, so memory is proportional to the received rows plus the missing periods only.
    """
    starts: list[np.ndarray] = []
    lens: list[np.ndarray] = []
    pairs: list[np.ndarray] = []
    if len(rp):
        rp = rp.astype(np.int64)
        ro = ro.astype(np.int64)
        same = rp[1:] == rp[:-1]
        glen = ro[1:] - ro[:-1] - 1
        inner = same & (glen > 0)
        pairs.append(rp[1:][inner])
        starts.append(ro[:-1][inner] + 1)
        lens.append(glen[inner])
        head = np.ones(len(rp), dtype=bool)
        head[1:] = ~same
        tail = np.ones(len(rp), dtype=bool)
        tail[:-1] = ~same
        hp, hs = rp[head], ro[head]
        pairs.append(hp)
        starts.append(first[hp])
        lens.append(hs - first[hp])
        tp, ts = rp[tail], ro[tail]
        pairs.append(tp)
        starts.append(ts + 1)
        lens.append(last[tp] - ts)
    none = np.flatnonzero((received == 0) & (last >= first))
    pairs.append(none)
    starts.append(first[none])
    lens.append(last[none] - first[none] + 1)
    gp, gs, gl = (np.concatenate(x).astype(np.int64) for x in (pairs, starts, lens))
    ok = gl > 0
    gp, gs, gl = gp[ok], gs[ok], gl[ok]
    order = np.lexsort((gs, gp))
    gp, gs, gl = gp[order], gs[order], gl[order]
    pr = np.repeat(gp, gl)
    od = np.repeat(gs, gl) + (np.arange(int(gl.sum())) - np.repeat(np.cumsum(gl) - gl, gl))
    return pr, od


def completeness(catalog: Catalog, ind: pd.DataFrame, t_pair: np.ndarray, t_ord: np.ndarray,
                  as_of: dt.date) -> pd.DataFrame:
    n = len(ind)
    first = np.empty(n, dtype=np.int64)
    last = np.empty(n, dtype=np.int64)
    due_cache: dict[str, int] = {}
    for k, (pid, freq) in enumerate(zip(ind["project_id"].tolist(), ind["frequency"].tolist(), strict=True)):
        months = MONTHS[freq]
        proj = catalog.projects[pid]
        first[k] = (proj.start.year * 12 + proj.start.month - 1) // months
        if freq not in due_cache:
            due_cache[freq] = last_due_ordinal(as_of, freq)
        lst = due_cache[freq]
        if proj.end is not None:
            lst = min(lst, (proj.end.year * 12 + proj.end.month - 1) // months)
        last[k] = lst
    expected = np.maximum(last - first + 1, 0)
    in_range = (t_ord >= first[t_pair]) & (t_ord <= last[t_pair]) if len(t_pair) else np.zeros(0, dtype=bool)
    received = np.bincount(t_pair[in_range], minlength=n)[:n] if n else np.zeros(0, np.int64)
    overdue: list[list[str]] = [[] for _ in range(n)]
    if bool((received < expected).any()):
        pr, od = gaps(t_pair[in_range], t_ord[in_range], first, last, received)
        freqs = ind["frequency"].to_numpy(dtype=object)
        pf = freqs[pr]  # (pr, od): the missing (pair, period ordinal), sorted
        lab = np.empty(len(pr), dtype=object)
        for f in set(pf.tolist()):
            sel = pf == f
            lo_o, hi_o = int(od[sel].min()), int(od[sel].max())
            table = np.array([period_label(o, f) for o in range(lo_o, hi_o + 1)], dtype=object)
            lab[sel] = table[od[sel] - lo_o]
        bounds = np.flatnonzero(np.diff(pr)) + 1
        for k, chunk in zip(pr[np.concatenate(([0], bounds))].tolist(), np.split(lab, bounds), strict=True):
            overdue[k] = chunk.tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(expected > 0, received / np.where(expected > 0, expected, 1), np.nan)
    return pd.DataFrame({"project_id": ind["project_id"], "indicator_id": ind["indicator_id"],
                         "frequency": ind["frequency"], "expected": expected.astype(np.int64),
                         "received": received.astype(np.int64), "share": share,
                         "overdue": pd.Series(overdue, dtype=object)})


