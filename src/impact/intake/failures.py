"""Failed expectations → problems a clerk can act on: code, row, column as written, message, hint.

The suite says *which* rows fail *which* rule; this module says it in words, with the facts of
the row (the value as written, the indicator, the allowed values, a close match) and a hint.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.errors import Message, Problem
from impact.intake import expectations as ex
from impact.intake.columns import RawTable
from impact.intake.numbers import number_hint, whole_number_text
from impact.intake.problems import FREQUENCY, closest, problem
from impact.intake.quality import EVIDENCE_MAX_LENGTH, GERMAN_GRADES, QUALITY_GRADES

__all__ = ["MAX_SUGGESTED", "failure_problems"]

#: "did you mean" is worked out for this many distinct unknown words of a file (each costs a
#: similarity search over the catalog's ids, ~5 ms for 200 ids); later ones get the plain hint.
#: A file with more distinct unknown ids has a wrong column, not typos.
MAX_SUGGESTED = 50
_USER_COLUMNS = frozenset(ex.USER_COLUMNS)


def failure_problems(failures: list[ex.Failure], f: pd.DataFrame, table: RawTable, catalog: Catalog,
              today: dt.date, only_project: str | None) -> list[Problem]:
    """GX failures → one Problem per (row, column): the first failing check of a column wins.

    ``f`` is the prepared frame (:func:`impact.intake.prepare.prepare`), ``table`` the file as read
    (for column names as written and the number style)."""
    taken: set[tuple[int, str]] = set()
    cells: list[tuple[str, int, str, dict[int, int]]] = []  # (code, row, column, dup_first), in report order
    dup_first: dict[int, int] = {}
    for failure in failures:
        check = failure.check
        if check.code == "duplicate_key" and len(failure.rows):
            dup_first = _first_occurrences(f, failure.rows)
        if check.column == ex.FORMULA_GROUP:  # one problem per formula cell, named by the helper column
            formulas = f.loc[failure.rows, ex.H_FORMULA].astype(str).tolist()
            pairs = [(r, c) for r, cols in zip(failure.rows.tolist(), formulas, strict=True) for c in cols.split(",")]
        else:
            pairs = [(r, check.column) for r in failure.rows.tolist()]
        pairs = [rc for rc in pairs if rc not in taken]
        taken.update(pairs)
        cells.extend((check.code, row, column, dup_first) for row, column in pairs)
    if not cells:
        return []
    closest_cached = _suggester()
    indicator_ids = functools.cache(lambda project: tuple(i.id for i in catalog.indicators_for(project)))
    out: list[Problem] = []
    facts = _Facts(f, [row for _, row, _, _ in cells])
    with _collector_paused():
        for k, (code, row, column, dups) in enumerate(cells):
            p = _problem_for(code, column, row, _Row(facts, k), table, catalog, today, only_project, dups,
                             closest_cached, indicator_ids)
            if p is not None:
                out.append(p)
    return out


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the problems are made: tens of thousands of
    new objects (none in a cycle) would start full collections that scan the whole heap, the
    file's tables included, and free nothing (measured: 10-25 % of building 10,000 problems)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Facts(dict[str, list[Any]]):
    """The facts of the failing cells' rows, ``facts[column][k]``: each column fetched for all of them
    at once, on first use.

    A column's values are those of ``f.loc[rows, column].astype(object).tolist()`` with NumPy
    scalars as Python values, as ``to_dict("records")`` gives them (text, ``nan`` for a missing cell,
    floats)."""

    def __init__(self, f: pd.DataFrame, rows: list[int]) -> None:
        super().__init__()
        self._f = f
        self._positions = f.index.get_indexer(rows)
        if len(rows) and self._positions.min() < 0:
            f.loc[rows]  # a row that is not in the frame: pandas names it (KeyError)

    def __missing__(self, column: str) -> list[Any]:
        values = self[column] = _native(self._f[column].take(self._positions).astype(object).tolist())
        return values


class _Row:
    """One failing cell's row in :class:`_Facts`: ``row[column]``."""

    __slots__ = ("_facts", "_k")

    def __init__(self, facts: _Facts, k: int) -> None:
        self._facts, self._k = facts, k

    def __getitem__(self, column: str) -> Any:
        return self._facts[column][self._k]


def _native(values: list[Any]) -> list[Any]:
    """NumPy scalars as the Python values ``to_dict`` gives (text, floats and ``None`` pass as they are)."""
    if any(issubclass(kind, np.generic) for kind in set(map(type, values))):
        return [v.item() if isinstance(v, np.generic) else v for v in values]
    return values


def _suggester(limit: int | None = None) -> Callable[..., str | None]:
    """:func:`closest`, remembered per word, for at most ``limit`` distinct words (default
    :data:`MAX_SUGGESTED`) per file; later new words get no suggestion (``None``)."""
    limit = MAX_SUGGESTED if limit is None else limit
    cached = functools.lru_cache(maxsize=4096)(closest)
    words: set[str] = set()

    def find(word: str, candidates: tuple[str, ...], cutoff: float = 0.6) -> str | None:
        if word not in words:
            if len(words) >= limit:
                return None
            words.add(word)
        return cached(word, candidates, cutoff)

    return find


def _first_occurrences(f: pd.DataFrame, rows: np.ndarray) -> dict[int, int]:
    """For duplicated rows: row → the first row with the same key."""
    cols = ["project_id", "indicator_id", ex.H_PERIOD_LABEL, ex.H_KEY_BREAKDOWN, ex.H_KEY_BREAKDOWN_VALUE]
    sub = f.loc[np.sort(rows), cols].astype(str)
    group = sub.groupby(cols, sort=False).ngroup().to_numpy()
    first = pd.Series(sub.index.to_numpy()).groupby(group).transform("min").to_numpy()
    return dict(zip(sub.index.tolist(), first.tolist(), strict=True))


def _problem_for(code: str, column: str, row: int, r: _Row, table: RawTable, catalog: Catalog,
                 today: dt.date, only_project: str | None, dup_first: dict[int, int],
                 closest: Callable[..., str | None], indicator_ids: Callable[[str], tuple[str, ...]]) -> Problem | None:
    """The problem of one cell; ``indicator_ids(project)`` are the ids of the project's indicators."""
    header = table.header(column) if column != ex.KEY_GROUP else None
    raw_value = r[column] if column in _USER_COLUMNS else None
    value = "" if raw_value is None or (isinstance(raw_value, float) and math.isnan(raw_value)) else str(raw_value)
    project_id, indicator_id = r["project_id"], r["indicator_id"]
    ind = catalog.indicators.get(indicator_id) if isinstance(indicator_id, str) else None
    proj = catalog.projects.get(project_id) if isinstance(project_id, str) else None
    kw: dict[str, Any] = {"value": value}
    hint: str | None = None
    hint_args: dict[str, Any] = {}
    if code == "missing_value":
        if column == "period" and ind is not None:
            hint = f"period_{ind.frequency}"
        elif column == "value":  # e.g. a template row not filled in
            hint = "no_value"
    elif code == "formula":
        hint = "evidence_formula" if column == "evidence" else "type_value"
    elif code == "unknown_project":
        hint, hint_args = _suggestion(value, tuple(catalog.projects), closest)
    elif code == "project_not_allowed":
        kw["allowed"] = only_project
    elif code == "unknown_indicator":
        pool = indicator_ids(proj.id) if proj else tuple(catalog.indicators)
        sugg = closest(value, pool) or closest(value, tuple(catalog.indicators))
        if sugg:
            hint, hint_args = "did_you_mean", {"suggestion": sugg}
    elif code == "indicator_not_in_project":
        kw["project"] = project_id
        ids = indicator_ids(project_id)
        hint, hint_args = "project_indicators", {"values": ", ".join(ids) or "–"}
    elif code == "bad_period":
        hint = f"period_{ind.frequency}" if ind is not None else "period_forms"
        if len(value) >= 10 and value[:4].isdigit() and value[4:5] in "-." and ind is not None:
            hint = "period_date"
    elif code == "wrong_frequency":
        assert ind is not None
        kw.update(indicator=ind.id, freq=Message(FREQUENCY[ind.frequency]))
        hint = f"period_{ind.frequency}"
    elif code == "period_in_future":
        kw["today"] = today.isoformat()
        hint = "future"
    elif code == "period_outside_runtime":
        assert proj is not None
        kw["project"] = proj.id
        kw["runtime"] = f"{proj.start.isoformat()} – {proj.end.isoformat() if proj.end else '…'}"
        hint = "runtime_ok"
    elif code == "not_a_number":
        hint = number_hint(value, table.number_style)
    elif code == "unclear_number":
        hint, hint_args = "decimal_comma", {"comma": value.strip().replace(".", ",")}
    elif code == "not_whole_number":
        assert ind is not None
        kw["indicator"] = ind.id
        hint, hint_args = "whole_number", {"whole": whole_number_text(value, float(r[ex.H_VALUE_NUM]))}
    elif code in ("below_min", "above_max"):
        assert ind is not None
        kw.update(value=float(r[ex.H_VALUE_NUM]), indicator=ind.id,
                  limit=float(ind.min if code == "below_min" else ind.max))  # type: ignore[arg-type]
    elif code == "unit_mismatch":
        assert ind is not None
        unit = catalog.units.get(ind.unit)
        kw.update(indicator=ind.id, expected=f"{unit.symbol} ({unit.id})" if unit else ind.unit)
        hint = "unit_optional"
    elif code == "unknown_breakdown":
        hint, hint_args = _suggestion(value, tuple(catalog.breakdowns), closest)
    elif code == "breakdown_not_declared":
        assert ind is not None
        kw["indicator"] = ind.id
        hint, hint_args = "known_values", {"values": ", ".join(ind.breakdowns) or "–"}
    elif code == "unknown_breakdown_value":
        bd = catalog.breakdowns[r[ex.H_BREAKDOWN]]
        kw["breakdown"] = bd.id
        hint, hint_args = _suggestion(value, tuple(bd.values), closest)
    elif code == "breakdown_incomplete":
        header = table.header("breakdown_value" if isinstance(r["breakdown"], str) else "breakdown")
    elif code == "unknown_quality":
        hint, hint_args = "quality_values", {"values": ", ".join(QUALITY_GRADES),
                                             "german": ", ".join(GERMAN_GRADES[g] for g in QUALITY_GRADES)}
    elif code == "evidence_too_long":
        kw.update(length=len(value), limit=EVIDENCE_MAX_LENGTH)
        hint = "evidence_shorter"
    elif code == "missing_evidence":
        assert ind is not None
        kw["indicator"] = ind.id
        hint = "evidence_needed" if "evidence" in table.headers else "evidence_column"
    elif code == "duplicate_key":
        parts = [str(project_id), str(indicator_id), str(r[ex.H_PERIOD_LABEL])]
        if r[ex.H_KEY_BREAKDOWN]:
            parts.append(f"{r[ex.H_KEY_BREAKDOWN]}={r[ex.H_KEY_BREAKDOWN_VALUE]}")
        first = dup_first.get(row, row)
        if first == row:
            return None  # the first occurrence is fine; the later ones are reported
        kw.update(key=", ".join(parts), first=first)
        hint = "duplicate"
    return problem(code, row, header, hint=hint, hint_args=hint_args, **kw)


def _suggestion(value: str, pool: tuple[str, ...], closest: Callable[..., str | None]) -> tuple[str, dict[str, Any]]:
    """The hint for an unknown id: the closest known one, else the list of known ones."""
    sugg = closest(value, pool)
    return ("did_you_mean", {"suggestion": sugg}) if sugg else ("known_values", {"values": ", ".join(pool)})
