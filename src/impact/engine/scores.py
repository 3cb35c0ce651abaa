"""Scores per guiding idea, principle, perspective and overall; the impact ladder; synergies.

* **Scores**: the weighted mean (indicator ``weight``) of ``progress`` over the indicators *with a
  current value*; ``coverage`` = share of the group's indicators with a current value. Missing data
  never counts as zero: a group without data has score NaN and coverage 0; a group a project has no
  indicators for has ``n_indicators = 0``. The **portfolio** pools all evaluated project ×
  indicator pairs. Unintended-effect indicators are not part of any score (the caller passes only
  the intended ones).
* **Impact ladder** per project and level: number of indicators, number with data, weighted mean
  progress.
* **Synergies**: project × guiding idea / principle score matrices; indicators shared by two or
  more evaluated projects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from impact.core.catalog import IMPACT_LEVELS, Catalog

__all__ = ["GROUP_TYPES", "ladder", "matrix", "scores", "shared"]

GROUP_TYPES = ("guiding_idea", "principle", "perspective", "overall")
_GROUP_ATTR = {"guiding_idea": "guiding_ideas", "principle": "principles", "perspective": "perspectives"}


def _weighted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group ``df`` (columns weight, progress, has) by ``keys`` → n_indicators, n_with_data, score."""
    d = df.assign(_wp=np.where(df["has"], df["weight"] * df["progress"], 0.0),
                  _w=np.where(df["has"], df["weight"], 0.0), _n=1, _h=df["has"].astype(np.int64))
    g = d.groupby(keys, sort=False, observed=True)[["_wp", "_w", "_n", "_h"]].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        g["score"] = np.where(g["_w"] > 0, g["_wp"] / g["_w"].where(g["_w"] > 0, 1.0), np.nan)
    g["n_indicators"] = g["_n"].astype(np.int64)
    g["n_with_data"] = g["_h"].astype(np.int64)
    g["coverage"] = g["n_with_data"] / g["n_indicators"]
    return g.drop(columns=["_wp", "_w", "_n", "_h"])


def _memberships(catalog: Catalog) -> pd.DataFrame:
    rows = [(i.id, gtype, gid) for i in catalog.indicators.values()
            for gtype, attr in _GROUP_ATTR.items() for gid in getattr(i, attr)]
    return pd.DataFrame(rows, columns=["indicator_id", "group_type", "group_id"])


def scores(catalog: Catalog, ind: pd.DataFrame, has: np.ndarray, pids: list[str]) -> pd.DataFrame:
    base = pd.DataFrame({"project_id": ind["project_id"], "indicator_id": ind["indicator_id"],
                         "weight": ind["weight"], "progress": ind["progress"], "has": has})
    mem = base.merge(_memberships(catalog), on="indicator_id", how="inner")
    overall = base.assign(group_type="overall", group_id="overall")
    long = pd.concat([mem, overall], ignore_index=True)
    per_project = _weighted(long, ["project_id", "group_type", "group_id"]).rename(columns={"project_id": "scope"})
    portfolio = _weighted(long, ["group_type", "group_id"]).assign(scope="portfolio")
    got = pd.concat([per_project, portfolio], ignore_index=True)
    # every scope × every group of the catalog (groups without indicators: n_indicators 0)
    groups = [(gt, gid) for gt, attr in _GROUP_ATTR.items() for gid in getattr(catalog, attr)] + [("overall", "overall")]
    frame = pd.DataFrame([(scope, gt, gid) for scope in [*pids, "portfolio"] for gt, gid in groups],
                         columns=["scope", "group_type", "group_id"])
    out = frame.merge(got, on=["scope", "group_type", "group_id"], how="left")
    out["n_indicators"] = out["n_indicators"].fillna(0).astype(np.int64)
    out["n_with_data"] = out["n_with_data"].fillna(0).astype(np.int64)
    out["coverage"] = out["coverage"].fillna(0.0).astype(float)
    out["score"] = out["score"].astype(float)
    return out[["scope", "group_type", "group_id", "score", "coverage", "n_indicators", "n_with_data"]]


def ladder(ind: pd.DataFrame, has: np.ndarray, pids: list[str]) -> pd.DataFrame:
    base = pd.DataFrame({"project_id": ind["project_id"], "level": ind["level"], "weight": ind["weight"],
                         "progress": ind["progress"], "has": has})
    g = _weighted(base, ["project_id", "level"]) if len(base) else pd.DataFrame(
        columns=["project_id", "level", "score", "n_indicators", "n_with_data", "coverage"])
    frame = pd.DataFrame([(p, lv) for p in pids for lv in IMPACT_LEVELS], columns=["project_id", "level"])
    out = frame.merge(g, on=["project_id", "level"], how="left")
    out["n_indicators"] = out["n_indicators"].fillna(0).astype(np.int64)
    out["n_with_data"] = out["n_with_data"].fillna(0).astype(np.int64)
    out["mean_progress"] = out["score"].astype(float)
    out["coverage"] = out["coverage"].fillna(0.0).astype(float)
    return out[["project_id", "level", "n_indicators", "n_with_data", "mean_progress", "coverage"]]


def matrix(scores: pd.DataFrame, group_type: str, pids: list[str], ids: list[str]) -> pd.DataFrame:
    s = scores[(scores["group_type"] == group_type) & (scores["scope"] != "portfolio")]
    m = s.pivot(index="scope", columns="group_id", values="score") if len(s) else pd.DataFrame()
    m = m.reindex(index=pids, columns=ids).astype(float)
    m.index.name = "project_id"
    m.columns.name = group_type
    return m


def shared(ind: pd.DataFrame) -> pd.DataFrame:
    counts = ind.groupby("indicator_id", sort=False)["project_id"].transform("size")
    cols = ["indicator_id", "project_id", "value", "progress", "status"]
    return ind.loc[counts >= 2, cols].sort_values(["indicator_id", "project_id"], kind="stable").reset_index(drop=True)
