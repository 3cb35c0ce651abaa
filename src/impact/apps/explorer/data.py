"""Pure slicing of an evaluation for the explorer: no widgets, no files.

The explorer evaluates once per as-of date (:func:`prepare` keeps what it needs from the
:class:`impact.engine.evaluation.Evaluation`); every other control only slices these cached frames with
the functions below, which never mutate their input.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog, Target
from impact.core.i18n import N_

__all__ = [
    "GROUP_ATTR",
    "GROUP_KINDS",
    "KIND_IN_TEXT",
    "KIND_NAMES",
    "TABLE_COLUMNS",
    "Frames",
    "group_ids",
    "indicator_ids",
    "month_starts",
    "pick",
    "prepare",
    "score_table",
    "selection_csv",
    "slice_values",
    "trajectory_line",
    "value_table",
    "value_table_empty",
]

GROUP_KINDS = ("guiding_idea", "principle", "perspective")
KIND_NAMES = {"guiding_idea": N_("Guiding ideas"), "principle": N_("Principles"), "perspective": N_("Perspectives")}
KIND_IN_TEXT = {"guiding_idea": N_("guiding ideas"), "principle": N_("principles"),  # inside a sentence or title
                "perspective": N_("perspectives")}
GROUP_ATTR = {"guiding_idea": "guiding_ideas", "principle": "principles", "perspective": "perspectives"}
TABLE_COLUMNS = ("project_id", "indicator_id", "indicator", "period", "breakdown", "breakdown_value",
                 "value", "unit", "quality", "review_state", "evidence", "note", "submission_id")


@dataclass(frozen=True)
class Frames:
    """What the explorer keeps of one evaluation (``period_start`` as ``datetime64``), with
    lookup tables so that a widget change touches only the rows it shows."""

    as_of: dt.date
    known_at: Any
    indicators: pd.DataFrame
    series: pd.DataFrame
    breakdowns: pd.DataFrame
    scores: pd.DataFrame
    series_by: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False)
    breakdowns_by: dict[tuple[str, str, str], pd.DataFrame] = field(default_factory=dict, repr=False)
    scores_by: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False)


def _with_datetime(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "period_start" in out.columns:
        out["period_start"] = pd.to_datetime(out["period_start"])
    return out


def _index(frame: pd.DataFrame, keys: list[str], order: list[str]) -> dict[Any, pd.DataFrame]:
    if frame.empty:
        return {}
    ordered = frame.sort_values(order, kind="stable")
    return {key: part for key, part in ordered.groupby(keys, sort=False)}


def prepare(evaluation: Any) -> Frames:
    """Keep the frames of an ``Evaluation`` the explorer slices, with comparable dates and
    lookup tables by (project, indicator[, breakdown]) and by (scope, group type)."""
    series = _with_datetime(evaluation.series)
    breakdowns = _with_datetime(evaluation.breakdowns)
    scores = evaluation.scores
    scores_by = {key: part.drop_duplicates("group_id").set_index("group_id")
                 for key, part in scores.groupby(["scope", "group_type"], sort=False)} if not scores.empty else {}
    return Frames(
        as_of=evaluation.as_of,
        known_at=getattr(evaluation, "known_at", None),
        indicators=evaluation.indicators,
        series=series,
        breakdowns=breakdowns,
        scores=scores,
        series_by=_index(series, ["project_id", "indicator_id"], ["period_start"]),
        breakdowns_by=_index(breakdowns, ["project_id", "indicator_id", "breakdown"],
                             ["breakdown_value", "period_start"]),
        scores_by=scores_by,
    )


def pick(groups: dict[Any, pd.DataFrame], keys: Iterable[Any], start: dt.date | None = None,
         end: dt.date | None = None) -> list[tuple[Any, pd.DataFrame]]:
    """The looked-up parts for ``keys`` (missing keys skipped), each cut to ``period_start``
    in ``[start, end]``; empty parts left out. The parts of :func:`prepare` are sorted by
    ``period_start`` within each breakdown value, which this relies on only for speed when
    there is a single one (a boolean mask is used otherwise)."""
    out = []
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    for key in keys:
        part = groups.get(key)
        if part is None:
            continue
        if lo is not None or hi is not None:
            ps = part["period_start"].to_numpy()
            if ps.size and bool((ps[1:] >= ps[:-1]).all()):
                i = int(ps.searchsorted(lo.to_datetime64(), "left")) if lo is not None else 0
                j = int(ps.searchsorted(hi.to_datetime64(), "right")) if hi is not None else len(ps)
                part = part.iloc[i:j]
            else:
                mask = np.ones(len(ps), dtype=bool)
                if lo is not None:
                    mask &= ps >= lo.to_datetime64()
                if hi is not None:
                    mask &= ps <= hi.to_datetime64()
                part = part.loc[mask]
        if not part.empty:
            out.append((key, part))
    return out


def indicator_ids(catalog: Catalog, projects: Iterable[str], guiding_idea: str | None = None,
                  principle: str | None = None, perspective: str | None = None, *,
                  effect: str | None = None) -> list[str]:
    """Ids of the indicators reported by any of ``projects``, linked to every chosen group and of
    the chosen ``effect`` (``intended`` / ``unintended``; ``None`` = no filter), in catalog order."""
    wanted = set(projects)
    out = []
    for ind in catalog.indicators.values():
        if not wanted.intersection(ind.targets):
            continue
        if guiding_idea and guiding_idea not in ind.guiding_ideas:
            continue
        if principle and principle not in ind.principles:
            continue
        if perspective and perspective not in ind.perspectives:
            continue
        if effect and getattr(ind, "effect", "intended") != effect:
            continue
        out.append(ind.id)
    return out


def group_ids(catalog: Catalog, kind: str) -> list[str]:
    """Ids of the guiding ideas, principles or perspectives (``kind`` from :data:`GROUP_KINDS`)."""
    return list(getattr(catalog, GROUP_ATTR[kind]))


def score_table(scores: pd.DataFrame | Frames, kind: str, scope: str, groups: Sequence[str]) -> pd.DataFrame:
    """Scores of one scope (project id or ``portfolio``) for ``groups`` of ``kind``, in that
    order: columns ``group_id``, ``score`` (NaN = no data), ``coverage``, ``n_indicators``,
    ``n_with_data``. Groups without a score row get NaN. ``scores`` is the engine's long
    table or prepared :class:`Frames` (then its lookup table is used)."""
    if isinstance(scores, Frames):
        part = scores.scores_by.get((scope, kind))
        if part is None:
            part = pd.DataFrame(columns=["score", "coverage", "n_indicators", "n_with_data"])
    else:
        part = scores[(scores["scope"] == scope) & (scores["group_type"] == kind)]
        part = part.drop_duplicates("group_id").set_index("group_id")
    out = part.reindex(list(groups))[["score", "coverage", "n_indicators", "n_with_data"]]
    return out.rename_axis("group_id").reset_index()


def slice_values(frame: pd.DataFrame, projects: Iterable[str], indicators: Iterable[str],
                 start: dt.date | None = None, end: dt.date | None = None,
                 breakdown: str | None = None, *, sort: bool = True) -> pd.DataFrame:
    """Rows of ``frame`` (series or breakdowns) for the projects and indicators whose
    ``period_start`` lies in ``[start, end]`` (either may be ``None``), optionally of one
    breakdown, sorted by project, indicator, breakdown value and period (unless ``sort`` is
    false)."""
    mask = frame["project_id"].isin(list(projects)) & frame["indicator_id"].isin(list(indicators))
    if start is not None:
        mask &= frame["period_start"] >= pd.Timestamp(start)
    if end is not None:
        mask &= frame["period_start"] <= pd.Timestamp(end)
    if breakdown is not None:
        mask &= frame["breakdown"] == breakdown
    keys = [c for c in ("project_id", "indicator_id", "breakdown_value", "period_start") if c in frame.columns]
    return frame.loc[mask].sort_values(keys, kind="stable") if sort else frame.loc[mask]


def trajectory_line(target: Target, start: dt.date | None = None, end: dt.date | None = None,
                    day: dt.date | None = None) -> tuple[list[dt.date], list[float]]:
    """The expected path from baseline through milestones to target (``impact.engine.path``) of
    the target version valid on ``day`` (default: the current one), cut to ``[start, end]``;
    empty when it lies outside."""
    from impact.engine.path import path_points

    points = path_points(target, start, end, day)
    return [d for d, _ in points], [float(v) for _, v in points]


def value_table(catalog: Catalog, frames: Frames, projects: Sequence[str], indicators: Sequence[str],
                start: dt.date | None, end: dt.date | None, breakdown: str | None,
                lang: str = "de") -> pd.DataFrame:
    """The underlying values of a selection: current totals, plus the values of ``breakdown``
    when one is chosen. Columns :data:`TABLE_COLUMNS`; ``indicator`` is the name in ``lang``,
    ``unit`` the unit as written in ``lang``; ``breakdown``/``breakdown_value`` are ``""`` for totals."""
    totals = slice_values(frames.series, projects, indicators, start, end, sort=False)
    parts = [totals.assign(breakdown="", breakdown_value="")] if not totals.empty else []
    if breakdown:
        broken = slice_values(frames.breakdowns, projects, indicators, start, end, breakdown, sort=False)
        parts += [broken] if not broken.empty else []
    cols = ["project_id", "indicator_id", "period", "period_start", "breakdown", "breakdown_value",
            "value", "quality", "review_state", "evidence", "note", "submission_id"]
    if not parts:
        return value_table_empty()
    rows = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    rows = rows.sort_values(["project_id", "indicator_id", "breakdown", "breakdown_value", "period_start"],
                            kind="stable", ignore_index=True)
    names = {i.id: i.name.get(lang) for i in catalog.indicators.values()}
    from impact.apps.explorer.styles import unit_label

    units = {i.id: unit_label(catalog, i.id, lang) for i in catalog.indicators.values()}
    rows["indicator"] = rows["indicator_id"].map(names)
    rows["unit"] = rows["indicator_id"].map(units)
    return rows[list(TABLE_COLUMNS)]


def value_table_empty() -> pd.DataFrame:
    """An empty value table with the :data:`TABLE_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else "object") for c in TABLE_COLUMNS})


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from the month of ``first`` to the month of ``last``."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def selection_csv(table: pd.DataFrame) -> bytes:
    """The table as CSV bytes (UTF-8 with BOM so that spreadsheet programs show umlauts,
    comma separated, ``\n`` line ends), every text cell formula-safe by the same rule as the
    open-data export (:func:`impact.engine.export.neutralise_frame`). Numbers stay numbers."""
    from impact.engine.export import neutralise_frame

    buf = io.StringIO()
    neutralise_frame(table).to_csv(buf, index=False, lineterminator="\n", na_rep="")
    return buf.getvalue().encode("utf-8-sig")
