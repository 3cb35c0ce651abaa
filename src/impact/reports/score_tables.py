"""Scores of a scope (a project or the portfolio) per guiding idea or principle, in catalog order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from impact.reports.naming import entity_name

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["SCORE_COLUMNS", "score_row", "score_rows", "scores"]

SCORE_COLUMNS = ["label", "score", "coverage", "n_with_data", "n_indicators"]


def scores(ctx: ReportContext, scope: str, group_type: str) -> pd.DataFrame:
    """The rows of ``Evaluation.scores`` for ``scope`` and ``group_type``."""
    s = ctx.evaluation.scores
    return s[(s["scope"] == scope) & (s["group_type"] == group_type)]


def score_row(ctx: ReportContext, scope: str, group_type: str, group_id: str, label: str) -> tuple:
    """``(label, score, coverage, n_with_data, n_indicators)`` of one group (no score: NaN, 0, 0, 0)."""
    s = scores(ctx, scope, group_type)
    s = s[s["group_id"] == group_id]
    if not len(s):
        return (label, float("nan"), 0.0, 0, 0)
    r = s.iloc[0]
    return (label, r["score"], r["coverage"], r["n_with_data"], r["n_indicators"])


def score_rows(ctx: ReportContext, scope: str, group_type: str, kind: str) -> pd.DataFrame:
    """One :func:`score_row` per entity of ``kind`` (catalog attribute), in catalog order."""
    rows = [score_row(ctx, scope, group_type, gid, entity_name(ctx, kind, gid)) for gid in getattr(ctx.catalog, kind)]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
