"""Validating a submission: bytes → :class:`ValidationReport` (errors, warnings, accepted rows).

Steps: :func:`impact.intake.reading.read_submission` turns bytes into a table of strings;
:func:`prepare` parses periods and numbers and looks catalog facts up into helper columns
(vectorised, per distinct value where possible); the Great Expectations suite from
:mod:`impact.intake.expectations` checks every rule; its failures become bilingual
:class:`impact.core.errors.Problem` records with spreadsheet row numbers. Plausibility warnings
(``implausible_jump``) compare values with the stored history.

Plausibility rule (``implausible_jump``, a warning): for a submitted value *v* of a key
(project, indicator, breakdown, breakdown value) and period *p*, take the current stored
values of that key (newest received per period) in the 8 periods nearest to *p*, leaving *p*
itself out (a re-sent or corrected value is no evidence for itself). With at least 4 of them,
fit a robust straight line (Siegel's repeated median, which ignores up to half the points as
outliers) and read the expected value *e* at *p* (kept within the indicator's min/max). The
spread is *s* = max(1.4826 × median |residual|, 10 % of the points' median |value|, 1 when all
values are whole numbers, 1 % of max − min for percentages and 1–5 scales). *v* is flagged
when it lies more than 3 × *s* below the lowest or above the highest of *e* and the stored
values of the nearest periods before and after *p*. A series that trends steadily raises no
warnings; a value off its course (a typo, a wrong unit, a spike) does.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import warnings as _warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.errors import Problem, UnreadableFileError
from impact.core.periods import parse_period
from impact.intake import expectations as ex
from impact.intake.problems import closest, problem
from impact.intake.reading import RawTable, read_submission, too_large

__all__ = ["FRAME_COLUMNS", "ValidationReport", "prepare", "validate_bytes", "validate_file"]

FRAME_COLUMNS = ("row", "project_id", "indicator_id", "period", "period_start", "period_end", "value", "unit",
                 "breakdown", "breakdown_value", "note", "source")
_FREQ_DE = {"monthly": "monatlich", "quarterly": "quartalsweise", "yearly": "jährlich"}
_FREQ_EN = {"monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly"}
#: plausibility rule (see the module docstring)
_JUMP_NEIGHBOURS, _JUMP_MIN_POINTS, _JUMP_FACTOR, _JUMP_RELATIVE, _JUMP_RANGE = 8, 4, 3.0, 0.1, 0.01
_FIXED_SCALES = ("percent", "scale_1_5")  # value types whose min..max is the whole scale
_DAYS = 10_000_000.0  # > any date ordinal: series code × _DAYS + day sorts by series, then day
_JUMP_CHUNK = 50_000  # submitted rows compared at a time (bounds memory: chunk × 8 × 8 floats)


@dataclass
class ValidationReport:
    """The outcome of validating one file (see ARCHITECTURE.md, "Validation")."""

    file: str
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    _frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _build: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.unreadable

    @property
    def frame(self) -> pd.DataFrame | None:
        """The accepted rows, normalised (columns :data:`FRAME_COLUMNS`); ``None`` unless valid.

        Built on first access, so that checking a file alone does not pay for it."""
        if not self.valid:
            return None
        if self._frame is None and self._build is not None:
            self._frame, self._build = self._build(), None
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame, self._build = value, None

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        """``{"valid", "rows", "errors": [{"row","column","code","message"}], "warnings": [...]}``."""
        return {"valid": self.valid, "rows": self.rows,
                "errors": [p.to_json(lang) for p in self.errors],
                "warnings": [p.to_json(lang) for p in self.warnings]}

    def to_text(self, lang: str = "de") -> str:
        """Every problem on its own line: file, row, column, message (and hint), code."""
        en = lang == "en"
        lines = []
        for kind, problems in (("error", self.errors), ("warning", self.warnings)):
            label = ("Fehler" if kind == "error" else "Warnung") if not en else kind
            for p in problems:
                where = [self.file]
                if p.row is not None:
                    where.append(f"{'row' if en else 'Zeile'} {p.row}")
                if p.column is not None:
                    where.append(f"{'column' if en else 'Spalte'} {_quote(p.column, en)}")
                lines.append(f"{', '.join(where)}: {label}: {p.message(lang)} [{p.code}]")
        n_e, n_w = len(self.errors), len(self.warnings)
        if en:
            verdict = "valid" if self.valid else ("unreadable" if self.unreadable else "invalid")
            summary = (f"{self.file}: {verdict} – {self.rows} data row{'s' if self.rows != 1 else ''}, "
                       f"{n_e} error{'s' if n_e != 1 else ''}, {n_w} warning{'s' if n_w != 1 else ''}.")
        else:
            verdict = "gültig" if self.valid else ("nicht lesbar" if self.unreadable else "ungültig")
            summary = (f"{self.file}: {verdict} – {self.rows} Datenzeile{'n' if self.rows != 1 else ''}, "
                       f"{n_e} Fehler, {n_w} Warnung{'en' if n_w != 1 else ''}.")
        return "\n".join([*lines, summary])


def _quote(text: str, en: bool) -> str:
    return f"'{text}'" if en else f"„{text}“"


# ---------------------------------------------------------------------------- entry points


def validate_file(path: str | Path, catalog: Catalog, **kwargs: Any) -> ValidationReport:
    """Validate the file at ``path`` (see :func:`validate_bytes`); an unreadable path is a file-level error."""
    p = Path(path)
    max_bytes = kwargs.get("max_bytes")
    if max_bytes is None:
        from impact.core.config import settings

        max_bytes = settings().max_bytes
    try:
        with p.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(max_bytes + 1)  # enough to tell "too large" without reading it all
    except OSError as exc:
        report = ValidationReport(p.name, unreadable=True)
        why = exc.strerror or type(exc).__name__
        why_de = {FileNotFoundError: "Datei nicht gefunden", PermissionError: "keine Leseberechtigung",
                  IsADirectoryError: "das ist ein Ordner"}.get(type(exc), why)
        report.errors.append(problem("unreadable_file", detail=why, detail_de=why_de))
        return report
    if len(data) > max_bytes:  # report the real size (a pipe has none: "more than the limit")
        err = too_large(p.name, size if size >= len(data) else None, max_bytes)
        report = ValidationReport(err.file, unreadable=True)
        report.errors.append(Problem(None, None, err.code, err.message_de, err.message_en))
        return report
    return validate_bytes(data, p.name, catalog, **kwargs)


def validate_bytes(data: bytes, file_name: str, catalog: Catalog, *, history: pd.DataFrame | None = None,
                   today: dt.date | None = None, max_bytes: int | None = None,
                   only_project: str | None = None) -> ValidationReport:
    """Validate a submission's bytes against ``catalog``.

    ``file_name`` is for messages (and the file type) only. ``today`` defaults to
    ``settings().today``, ``max_bytes`` to ``settings().max_bytes``. ``only_project`` makes
    rows of other projects errors (``project_not_allowed``). ``history`` (stored value rows)
    enables ``implausible_jump`` warnings. Never raises for bad input.
    """
    if today is None or max_bytes is None:
        from impact.core.config import settings

        cfg = settings()
        today = cfg.today if today is None else today
        max_bytes = cfg.max_bytes if max_bytes is None else max_bytes
    try:
        table = read_submission(data, file_name, max_bytes=max_bytes)
    except UnreadableFileError as exc:
        report = ValidationReport(exc.file, unreadable=True)
        report.errors.append(Problem(None, None, exc.code, exc.message_de, exc.message_en))
        return report
    report = ValidationReport(table.file, rows=table.rows, errors=list(table.errors), warnings=list(table.warnings))
    order = {table.header(c): n for n, c in enumerate(ex.USER_COLUMNS, 1)}
    if any(p.code in ("missing_column", "duplicate_column") for p in table.errors):
        report.errors = _sorted(report.errors, order)
        return report
    frame = prepare(table, catalog)
    checks = ex.row_checks(catalog, today=today, only_project=only_project)
    failures = ex.run_checks(frame, checks)
    report.errors.extend(_problems(failures, frame, table, catalog, today, only_project))
    report.warnings.extend(_ambiguous_numbers(frame, table))
    if history is not None and not history.empty:
        report.warnings.extend(_jumps(frame, table, history, catalog))
    report.errors = _sorted(report.errors, order)
    report.warnings = _sorted(report.warnings, order)
    if report.valid:
        report._build = functools.partial(_normalised, frame, catalog)
    return report


def _sorted(problems: list[Problem], order: dict[str, int]) -> list[Problem]:
    """By row (file-level first), then column in the submission format's order, then code."""
    return sorted(problems, key=lambda p: (p.row if p.row is not None else -1,
                                           (0 if p.column is None else order.get(p.column, len(order) + 1)), p.code))


# ---------------------------------------------------------------------------- helper columns


def _nullable(s: pd.Series) -> pd.Series:
    """Strip blanks; empty cells become missing (``None``)."""
    s = s.str.strip()
    return s.where(s.ne(""), None)


# [0-9] rather than \d keeps these on pyarrow's fast regex engine (see impact.intake.expectations)
_THOUSANDS_COMMA = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$"
_DECIMAL_COMMA = r"^[+-]?[0-9]+,[0-9]+$"
_DOT_GROUPS = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+$"
_MULTI_DOT_GROUPS = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}$"


def _standard_numbers(raw: pd.Series, style: str) -> tuple[pd.Series, pd.Series]:
    """Number text → (text with decimal dot and no thousands separators, mask of ambiguous cells)."""
    s = raw.str.replace("\u00a0", "", regex=False).str.replace("\u202f", "", regex=False)
    spaced = s.str.fullmatch(_SPACE_GROUPS).fillna(False).astype(bool)
    if spaced.any():  # "1 234,5": blanks between groups of three digits
        s = s.where(~spaced, s.str.replace(" ", "", regex=False))
    ambiguous = pd.Series(False, index=s.index)
    if style == "en":
        return s, ambiguous
    grouped = s.str.fullmatch(_THOUSANDS_COMMA).fillna(False).astype(bool)
    comma = s.str.fullmatch(_DECIMAL_COMMA).fillna(False).astype(bool)
    dots = s.str.fullmatch(_DOT_GROUPS).fillna(False).astype(bool)
    multi = s.str.fullmatch(_MULTI_DOT_GROUPS).fillna(False).astype(bool)
    out = s.copy()
    if grouped.any():
        out = out.where(~grouped, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    if comma.any():
        out = out.where(~comma, s.str.replace(",", ".", regex=False))
    if multi.any():
        out = out.where(~multi, s.str.replace(".", "", regex=False))
    if style == "de":
        single = dots & ~multi
        if single.any():
            ambiguous = single
            if (grouped | comma).any():  # the file writes decimal commas: the dot groups thousands
                out = out.where(~single, s.str.replace(".", "", regex=False))
    return out, ambiguous


_NOT_NUMBER_CHAR = r"[^0-9.,+\- ]"  # a cheap first filter (pyarrow's RE2); rows it finds are few
_HAS_SUFFIX = re.compile(r"^[+-]?[0-9][0-9., \u00a0\u202f]*[^0-9., \u00a0\u202f+-].*$")
_NUMBER_AND_UNIT = re.compile(r"^([+-]?[0-9][0-9., \u00a0\u202f]*?)[ \u00a0\u202f]*(\D+)$")
_SPACE_GROUPS = r"^[+-]?[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?$"


def _without_unit(values: pd.Series, indicator_ids: pd.Series, catalog: Catalog) -> pd.Series:
    """Values with the indicator's own unit written after the number (``12 %``, ``3,5 Std.``,
    ``1.234,50 €``) reduced to the number; any other text is left for the number check."""
    candidates = values.str.contains(_NOT_NUMBER_CHAR).fillna(False).astype(bool).to_numpy()
    if not candidates.any():
        return values
    out = values.copy()
    for row in values.index[candidates]:
        text = values.at[row]
        ind = catalog.indicators.get(indicator_ids.at[row]) if isinstance(indicator_ids.at[row], str) else None
        unit = catalog.units.get(ind.unit) if ind is not None else None
        m = _NUMBER_AND_UNIT.match(text) if _HAS_SUFFIX.match(text) else None
        if unit is None or m is None:
            continue
        names = {n.strip().casefold() for n in (unit.id, unit.symbol, unit.name.de, unit.name.en, *unit.aliases)}
        if m.group(2).strip().casefold() in names:
            out.at[row] = m.group(1)
    return out


def _derive(columns: list[pd.Series], func: Callable[..., Any], kind: str = "text") -> pd.Series:
    """``func(*cells)`` computed once per distinct combination of ``columns`` (missing cells are
    ``None``), spread back over all rows: a categorical (``kind="text"``, ``None`` → missing) or
    float (``kind="float"``, ``None`` → NaN) Series on the same index."""
    index = columns[0].index
    n = len(index)
    combined = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        combined = combined * (len(uniques) + 1) + (codes.astype(np.int64) + 1)
        combined = pd.factorize(combined)[0].astype(np.int64)  # 0..k-1, keeps the numbers small
    k = int(combined.max()) + 1 if n else 0
    rep = np.zeros(k, dtype=np.int64)
    rep[combined] = np.arange(n)  # some row of each group (all rows of a group agree)
    cells = [[None if pd.isna(v) else v for v in col.iloc[rep].to_numpy(dtype=object)] for col in columns]
    results = [func(*vals) for vals in zip(*cells, strict=True)]
    if kind == "float":
        values = np.array([np.nan if r is None else float(r) for r in results] + [np.nan], dtype="float64")
        return pd.Series(values[combined], index=index, dtype="float64")
    res_codes, res_uniques = pd.factorize(pd.Series(results, dtype=object), use_na_sentinel=True)
    res_codes = np.append(res_codes, -1)
    cat = pd.Categorical.from_codes(res_codes[combined], categories=pd.Index(res_uniques, dtype=object).astype(str))
    return pd.Series(cat, index=index)


def _formula_columns(f: pd.DataFrame) -> pd.Series:
    """Per row: the user columns (comma-separated) whose cell starts with ``=``, else missing."""
    bits = np.zeros(len(f), dtype=np.int64)
    for i, col in enumerate(ex.USER_COLUMNS):
        hit = f[col].str.startswith(ex.FORMULA_PREFIX).fillna(False).to_numpy(dtype=bool)
        bits |= hit.astype(np.int64) << i
    codes, uniques = pd.factorize(bits)
    names = [",".join(c for i, c in enumerate(ex.USER_COLUMNS) if int(u) >> i & 1) or None for u in uniques]
    res_codes, res_uniques = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
    cat = pd.Categorical.from_codes(res_codes[codes], categories=pd.Index(res_uniques, dtype=object).astype(str))
    return pd.Series(cat, index=f.index)


def prepare(table: RawTable, catalog: Catalog) -> pd.DataFrame:
    """The submission frame with the helper columns the expectation suite checks.

    Catalog look-ups and period parsing run once per distinct value (or combination), so a
    million rows cost little more than their distinct ids and periods.
    """
    raw = table.frame
    f = pd.DataFrame(index=raw.index)
    for col in ex.USER_COLUMNS:
        f[col] = _nullable(raw[col])
    for col in ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value"):
        f[col] = f[col].astype("category")  # few distinct values: factorised once, reused below
    f[ex.H_FORMULA] = _formula_columns(f)
    projects, indicators, breakdowns = catalog.projects, catalog.indicators, catalog.breakdowns
    pid, iid = f["project_id"], f["indicator_id"]

    def ordinal(day: dt.date | None) -> int | None:
        return day.toordinal() if day else None

    f[ex.H_PROJECT_START] = _derive([pid], lambda p: ordinal(projects[p].start) if p in projects else None, "float")
    f[ex.H_PROJECT_END] = _derive([pid], lambda p: ordinal(projects[p].end) if p in projects else None, "float")
    f[ex.H_ASSIGNMENT] = _derive([pid, iid], lambda p, i: f"{p}|{i}" if p in projects and i in indicators else None)
    f[ex.H_INDICATOR_FREQ] = _derive([iid], lambda i: indicators[i].frequency if i in indicators else None)
    f[ex.H_MIN] = _derive([iid], lambda i: indicators[i].min if i in indicators else None, "float")
    f[ex.H_MAX] = _derive([iid], lambda i: indicators[i].max if i in indicators else None, "float")

    period = f["period"]

    def period_attr(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def inner(text: Any) -> Any:
            p = parse_period(text) if text is not None else None
            return get(p) if p is not None else None
        return inner

    f[ex.H_PERIOD_LABEL] = _derive([period], period_attr(lambda p: p.label))
    f[ex.H_PERIOD_FREQ] = _derive([period], period_attr(lambda p: p.frequency))
    f[ex.H_PERIOD_START] = _derive([period], period_attr(lambda p: p.start.toordinal()), "float")
    f[ex.H_PERIOD_END] = _derive([period], period_attr(lambda p: p.end.toordinal()), "float")

    std, ambiguous = _standard_numbers(_without_unit(f["value"], iid, catalog), table.number_style)
    f[ex.H_VALUE_STD] = std
    ok = std.str.fullmatch(ex.NUMBER_PATTERN).fillna(False).astype(bool)
    with np.errstate(over="ignore"):
        nums = pd.to_numeric(std.where(ok, None), errors="coerce").astype("float64")
    f[ex.H_VALUE_NUM] = nums
    f["_ambiguous"] = ambiguous.to_numpy()

    def unit_key(i: Any, u: Any) -> str | None:
        return f"{i}|{u.casefold()}" if i in indicators and u is not None else None

    f[ex.H_UNIT_KEY] = _derive([iid, f["unit"]], unit_key)

    bd_lookup: dict[str, str] = {}
    for b in breakdowns.values():
        for name in (b.id, b.name.de, b.name.en):
            bd_lookup.setdefault(name.casefold(), b.id)
    f[ex.H_BREAKDOWN] = _derive([f["breakdown"]], lambda t: bd_lookup.get(t.casefold(), t) if t is not None else None)
    bd = f[ex.H_BREAKDOWN]
    f[ex.H_INDICATOR_BREAKDOWN] = _derive(
        [iid, bd], lambda i, b: f"{i}|{b}" if i in indicators and b in breakdowns else None)

    value_lookup: dict[tuple[str, str], str] = {}
    for b in breakdowns.values():
        for vid, vname in b.values.items():
            for name in (vid, vname.de, vname.en):
                value_lookup.setdefault((b.id, name.casefold()), vid)

    def value_id(b: Any, v: Any) -> str | None:
        return None if v is None else value_lookup.get((b, v.casefold()), v)

    f["_bdv_id"] = _derive([bd, f["breakdown_value"]], value_id)
    f[ex.H_BREAKDOWN_VALUE_KEY] = _derive(
        [bd, f["_bdv_id"]], lambda b, v: f"{b}|{v}" if b in breakdowns and v is not None else None)
    yes_no = ["no", "yes"]
    f[ex.H_HAS_BREAKDOWN] = pd.Categorical.from_codes(f["breakdown"].notna().to_numpy().astype("int8"), yes_no)
    f[ex.H_HAS_BREAKDOWN_VALUE] = pd.Categorical.from_codes(
        f["breakdown_value"].notna().to_numpy().astype("int8"), yes_no)
    f[ex.H_KEY_BREAKDOWN] = _derive([bd], lambda b: "" if b is None else b)
    f[ex.H_KEY_BREAKDOWN_VALUE] = _derive([f["_bdv_id"]], lambda v: "" if v is None else v)
    return f


# ---------------------------------------------------------------------------- failures → problems


_RECORD_COLUMNS = [*ex.USER_COLUMNS, ex.H_VALUE_NUM, ex.H_BREAKDOWN, ex.H_PERIOD_LABEL, ex.H_KEY_BREAKDOWN,
                   ex.H_KEY_BREAKDOWN_VALUE]


def _problems(failures: list[ex.Failure], f: pd.DataFrame, table: RawTable, catalog: Catalog,
              today: dt.date, only_project: str | None) -> list[Problem]:
    """GX failures → one Problem per (row, column): the first failing check of a column wins."""
    taken: set[tuple[int, str]] = set()
    out: list[Problem] = []
    dup_first: dict[int, int] = {}
    closest_cached = functools.lru_cache(maxsize=4096)(closest)
    for failure in failures:
        check = failure.check
        if check.code == "duplicate_key" and len(failure.rows):
            dup_first = _first_occurrences(f, failure.rows)
        if check.column == ex.FORMULA_GROUP:  # one problem per formula cell, named by the helper column
            cells = f.loc[failure.rows, ex.H_FORMULA].astype(str).tolist()
            pairs = [(r, c) for r, cols in zip(failure.rows.tolist(), cells, strict=True) for c in cols.split(",")]
        else:
            pairs = [(r, check.column) for r in failure.rows.tolist()]
        pairs = [rc for rc in pairs if rc not in taken]
        taken.update(pairs)
        if not pairs:
            continue
        records = f.loc[[r for r, _ in pairs], _RECORD_COLUMNS].astype(object).to_dict("records")
        for (row, column), rec in zip(pairs, records, strict=True):
            p = _problem_for(check.code, column, row, rec, table, catalog, today, only_project, dup_first,
                             closest_cached)
            if p is not None:
                out.append(p)
    return out


def _first_occurrences(f: pd.DataFrame, rows: np.ndarray) -> dict[int, int]:
    """For duplicated rows: row → the first row with the same key."""
    cols = ["project_id", "indicator_id", ex.H_PERIOD_LABEL, ex.H_KEY_BREAKDOWN, ex.H_KEY_BREAKDOWN_VALUE]
    sub = f.loc[np.sort(rows), cols].astype(str)
    group = sub.groupby(cols, sort=False).ngroup().to_numpy()
    first = pd.Series(sub.index.to_numpy()).groupby(group).transform("min").to_numpy()
    return dict(zip(sub.index.tolist(), first.tolist(), strict=True))


def _problem_for(code: str, column: str, row: int, r: dict[str, Any], table: RawTable, catalog: Catalog,
                 today: dt.date, only_project: str | None, dup_first: dict[int, int],
                 closest: Callable[..., str | None] = closest) -> Problem | None:
    header = table.header(column) if column != ex.KEY_GROUP else None
    raw_value = r[column] if column in ex.USER_COLUMNS else None
    value = "" if raw_value is None or (isinstance(raw_value, float) and math.isnan(raw_value)) else str(raw_value)
    ind = catalog.indicators.get(r["indicator_id"]) if isinstance(r["indicator_id"], str) else None
    proj = catalog.projects.get(r["project_id"]) if isinstance(r["project_id"], str) else None
    kw: dict[str, Any] = {"value": value}
    hint: str | None = None
    hint_args: dict[str, Any] = {}
    if code == "missing_value":
        if column == "period" and ind is not None:
            hint = f"period_{ind.frequency}"
        elif column == "value":  # e.g. a template row not filled in
            hint = "no_value"
    elif code == "formula":
        hint = "type_value"
    elif code == "unknown_project":
        sugg = closest(value, tuple(catalog.projects))
        hint, hint_args = ("did_you_mean", {"suggestion": sugg}) if sugg else \
            ("known_values", {"values": ", ".join(catalog.projects)})
    elif code == "project_not_allowed":
        kw["allowed"] = only_project
    elif code == "unknown_indicator":
        pool = [i.id for i in catalog.indicators_for(proj.id)] if proj else list(catalog.indicators)
        sugg = closest(value, tuple(pool)) or closest(value, tuple(catalog.indicators))
        if sugg:
            hint, hint_args = "did_you_mean", {"suggestion": sugg}
    elif code == "indicator_not_in_project":
        kw["project"] = r["project_id"]
        ids = [i.id for i in catalog.indicators_for(r["project_id"])]
        hint, hint_args = "project_indicators", {"values": ", ".join(ids) or "–"}
    elif code == "bad_period":
        hint = f"period_{ind.frequency}" if ind is not None else "period_forms"
        if len(value) >= 10 and value[:4].isdigit() and value[4:5] in "-." and ind is not None:
            hint = "period_date"
    elif code == "wrong_frequency":
        assert ind is not None
        kw.update(indicator=ind.id, freq_de=_FREQ_DE[ind.frequency], freq_en=_FREQ_EN[ind.frequency])
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
        hint = _number_hint(value, table.number_style)
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
        sugg = closest(value, tuple(catalog.breakdowns))
        hint, hint_args = ("did_you_mean", {"suggestion": sugg}) if sugg else \
            ("known_values", {"values": ", ".join(catalog.breakdowns)})
    elif code == "breakdown_not_declared":
        assert ind is not None
        kw["indicator"] = ind.id
        hint, hint_args = "known_values", {"values": ", ".join(ind.breakdowns) or "–"}
    elif code == "unknown_breakdown_value":
        bd = catalog.breakdowns[r[ex.H_BREAKDOWN]]
        kw["breakdown"] = bd.id
        sugg = closest(value, tuple(bd.values))
        hint, hint_args = ("did_you_mean", {"suggestion": sugg}) if sugg else \
            ("known_values", {"values": ", ".join(bd.values)})
    elif code == "breakdown_incomplete":
        header = table.header("breakdown_value" if isinstance(r["breakdown"], str) else "breakdown")
    elif code == "duplicate_key":
        parts = [str(r["project_id"]), str(r["indicator_id"]), str(r[ex.H_PERIOD_LABEL])]
        if r[ex.H_KEY_BREAKDOWN]:
            parts.append(f"{r[ex.H_KEY_BREAKDOWN]}={r[ex.H_KEY_BREAKDOWN_VALUE]}")
        first = dup_first.get(row, row)
        if first == row:
            return None  # the first occurrence is fine; the later ones are reported
        kw.update(key=", ".join(parts), first=first)
        hint = "duplicate"
    return problem(code, row, header, hint=hint, hint_args=hint_args, **kw)


# what people write instead of leaving a value out ("keine Angabe", "nicht verfügbar", dashes)
_NO_VALUE_MARKERS = frozenset({"ka", "keineangabe", "keineangaben", "nv", "n/v", "n/a", "na", "nichtverfügbar",
                               "-", "–", "—", "--", "?", "x", "tbd", "offen", "fehlt", "none", "null"})


def _number_hint(value: str, style: str) -> str:
    low = value.strip().casefold()
    if low.lstrip("+-") in ("nan", "inf", "infinity", "unendlich", "∞"):
        return "nan_inf"
    if low.replace(" ", "").replace(".", "") in _NO_VALUE_MARKERS:
        return "no_value"
    if "," in value and "." in value:
        return "comma_and_dot"
    if "," in value and style == "en":
        return "comma_in_comma_file"
    return "number_plain"


def _ambiguous_numbers(f: pd.DataFrame, table: RawTable) -> list[Problem]:
    rows = f.index[f["_ambiguous"].to_numpy(dtype=bool) & f[ex.H_VALUE_NUM].notna().to_numpy()]
    out = []
    for row in rows.tolist():
        out.append(problem("ambiguous_number", row, table.header("value"), value=f.at[row, "value"],
                           read=float(f.at[row, ex.H_VALUE_NUM])))
    return out


# ---------------------------------------------------------------------------- plausibility


def _period_days(h: pd.DataFrame) -> pd.Series:
    """Day ordinal of each history row's period start (float, NaN when unknown)."""
    if "period_start" in h:
        start = pd.to_datetime(h["period_start"], errors="coerce")
        days = pd.Series(np.nan, index=h.index, dtype="float64")
        ok = start.notna().to_numpy()
        if ok.any():
            days[ok] = (start[ok].dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy() \
                + dt.date(1970, 1, 1).toordinal()
        if ok.all():
            return days
    else:
        days = pd.Series(np.nan, index=h.index, dtype="float64")
    labels = h["period"].astype(str)
    parsed = _derive([labels.astype("category")], lambda t: p.start.toordinal() if (p := parse_period(t)) else None,
                     "float")
    return days.fillna(parsed)


def _jumps(f: pd.DataFrame, table: RawTable, history: pd.DataFrame, catalog: Catalog) -> list[Problem]:
    """``implausible_jump`` warnings (the rule is in the module docstring)."""
    need = {"project_id", "indicator_id", "period", "value"}
    if not need.issubset(history.columns):
        return []
    keys = ["project_id", "indicator_id", "breakdown", "breakdown_value"]
    sub = pd.DataFrame({"row": f.index.to_numpy(), "project_id": f["project_id"].astype(object).to_numpy(),
                        "indicator_id": f["indicator_id"].astype(object).to_numpy(),
                        "breakdown": f[ex.H_KEY_BREAKDOWN].astype(object).to_numpy(),
                        "breakdown_value": f[ex.H_KEY_BREAKDOWN_VALUE].astype(object).to_numpy(),
                        "t": f[ex.H_PERIOD_START].to_numpy(dtype="float64"),
                        "v": f[ex.H_VALUE_NUM].to_numpy(dtype="float64"),
                        "min": f[ex.H_MIN].to_numpy(dtype="float64"), "max": f[ex.H_MAX].to_numpy(dtype="float64"),
                        "floor": _derive([f["indicator_id"]], functools.partial(_scale_floor, catalog), "float")
                        .to_numpy(dtype="float64")})
    sub = sub[np.isfinite(sub["t"].to_numpy()) & np.isfinite(sub["v"].to_numpy())]
    if sub.empty:
        return []
    h = history[[c for c in (*keys, "period", "period_start", "value", "received_at") if c in history]].copy()
    for col in keys:
        h[col] = h[col].fillna("").astype(str) if col in h else ""
        sub[col] = sub[col].fillna("").astype(str)
    series = pd.MultiIndex.from_frame(sub[keys]).unique()  # only the series this file touches
    h_code = series.get_indexer(pd.MultiIndex.from_frame(h[keys]))
    h = h[h_code >= 0]
    if h.empty:
        return []
    h["code"] = h_code[h_code >= 0]
    h["t"] = _period_days(h)
    h["v"] = pd.to_numeric(h["value"], errors="coerce")
    h = h[np.isfinite(h["t"].to_numpy()) & np.isfinite(h["v"].to_numpy())]
    if "received_at" in h:  # the current value per period: the newest received
        h = h.sort_values("received_at", kind="stable")
    h = h.drop_duplicates(["code", "t"], keep="last").sort_values(["code", "t"])
    sub["code"] = series.get_indexer(pd.MultiIndex.from_frame(sub[keys]))
    sub = sub.sort_values(["code", "t"], kind="stable")  # sorted look-ups are much faster
    s_code = sub["code"].to_numpy(dtype="int64")
    hc, ht = h["code"].to_numpy(dtype="int64"), h["t"].to_numpy(dtype="float64")
    stored = (hc, hc * _DAYS + ht, ht, h["v"].to_numpy(dtype="float64"))
    out = []
    for lo in range(0, len(sub), _JUMP_CHUNK):
        part = sub.iloc[lo:lo + _JUMP_CHUNK]
        flagged, expected, low, high = _expected(*stored, s_code[lo:lo + _JUMP_CHUNK], part["t"].to_numpy(),
                                                 part["v"].to_numpy(), part["min"].to_numpy(), part["max"].to_numpy(),
                                                 part["floor"].to_numpy())
        for i in np.flatnonzero(flagged):
            out.append(problem("implausible_jump", int(part["row"].iat[i]), table.header("value"), hint="jump",
                               value=float(part["v"].iat[i]), expected=_shown(expected[i]),
                               low=_shown(low[i]), high=_shown(high[i])))
    return out


def _scale_floor(catalog: Catalog, indicator_id: Any) -> float | None:
    """The least plausibility spread of an indicator on a fixed scale: 1 % of its range."""
    ind = catalog.indicators.get(indicator_id) if indicator_id is not None else None
    if ind is None or ind.value_type not in _FIXED_SCALES or ind.min is None or ind.max is None:
        return None
    return _JUMP_RANGE * (ind.max - ind.min)


def _median(a: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN where all are NaN); faster than ``np.nanmedian``."""
    srt = np.sort(a, axis=-1)  # NaN sorts last
    count = np.sum(~np.isnan(a), axis=-1)
    lo = np.take_along_axis(srt, np.maximum((count - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(srt, np.maximum(count // 2, 0)[..., None], axis=-1)[..., 0]
    return np.where(count > 0, (lo + hi) / 2, np.nan)


def _shown(x: float) -> float:
    """A computed number rounded for a message: whole above 100, else 3 significant digits."""
    x = float(x)
    return float(round(x)) if abs(x) >= 100 else float(f"{x:.3g}")


def _expected(hc: np.ndarray, hkey: np.ndarray, ht: np.ndarray, hv: np.ndarray, code: np.ndarray, t: np.ndarray,
              v: np.ndarray, vmin: np.ndarray, vmax: np.ndarray,
              floor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Submitted values ``v`` at days ``t`` of series ``code`` against the stored series.

    ``hc``/``ht``/``hv`` are the stored (series code, day, value), sorted by code then day, and
    ``hkey`` = ``hc * _DAYS + ht`` (one sortable number); ``vmin``/``vmax`` are the indicator
    limits (NaN = unbounded), ``floor`` the least spread of its scale (NaN = none). Returns
    (flagged, expected value, low, high) per submitted value (NaN where the history is too short).
    """
    k, n = _JUMP_NEIGHBOURS, len(code)
    first = np.searchsorted(hc, code, side="left")
    end = np.searchsorted(hc, code, side="right")
    # where t falls inside its series (the slice first:end is sorted by day)
    pos = np.searchsorted(hkey, code * _DAYS + t, side="left")
    idx = pos[:, None] + np.arange(-k, k + 1)[None, :]
    valid = (idx >= first[:, None]) & (idx < end[:, None])
    idx = np.where(valid, idx, 0)
    nt = ht[idx] if len(ht) else np.zeros(idx.shape)
    nv = hv[idx] if len(hv) else np.zeros(idx.shape)
    valid &= nt != t[:, None]  # the same period (the value re-sent or corrected) is no evidence for itself
    dist = np.where(valid, np.abs(nt - t[:, None]), np.inf)
    pick = np.argsort(dist, axis=1, kind="stable")[:, :k]
    rows = np.arange(n)[:, None]
    ok = valid[rows, pick]
    flagged = np.zeros(n, dtype=bool)
    expected, low, high = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    enough = ok.sum(axis=1) >= _JUMP_MIN_POINTS
    if not enough.any():
        return flagged, expected, low, high
    ok, pick, rows = ok[enough], pick[enough], rows[enough]
    x = np.where(ok, (nt[rows, pick] - t[enough, None]) / 365.25, np.nan)  # years from the submitted period
    y = np.where(ok, nv[rows, pick], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"), _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: handled below
        dx = x[:, None, :] - x[:, :, None]
        slopes = np.where(dx != 0, (y[:, None, :] - y[:, :, None]) / dx, np.nan)
        slope = _median(_median(slopes))  # Siegel's repeated median
        slope = np.where(np.isfinite(slope), slope, 0.0)
        line = _median(y - slope[:, None] * x)  # the line's value at the submitted period
        mad = _median(np.abs(y - (line[:, None] + slope[:, None] * x)))
        typical = np.abs(_median(y))
        # the nearest stored values before and after the period
        before = np.where(x < 0, x, -np.inf).argmax(axis=1)
        after = np.where(x > 0, x, np.inf).argmin(axis=1)
    r = np.arange(len(line))
    prev = np.where(x[r, before] < 0, y[r, before], np.nan)
    nxt = np.where(x[r, after] > 0, y[r, after], np.nan)
    line = np.clip(line, np.where(np.isnan(vmin[enough]), -np.inf, vmin[enough]),
                   np.where(np.isnan(vmax[enough]), np.inf, vmax[enough]))
    vals = v[enough]
    whole = np.all(np.isnan(y) | (y == np.round(y)), axis=1) & (vals == np.round(vals))
    spread = np.maximum.reduce([1.4826 * mad, _JUMP_RELATIVE * typical, np.where(whole, 1.0, 0.0),
                                np.nan_to_num(floor[enough], nan=0.0), np.full(len(mad), 1e-9)])
    # plausible: near the trend line or near the neighbouring stored values
    lowest = np.fmin(np.fmin(line, prev), nxt) - _JUMP_FACTOR * spread
    highest = np.fmax(np.fmax(line, prev), nxt) + _JUMP_FACTOR * spread
    flagged[enough] = (vals < lowest) | (vals > highest)
    lowest = np.fmax(lowest, vmin[enough])  # as shown: within the indicator's limits
    highest = np.fmin(highest, vmax[enough])
    expected[enough], low[enough], high[enough] = line, lowest, highest
    return flagged, expected, low, high


# ---------------------------------------------------------------------------- accepted rows


def _dates(ordinals: pd.Series) -> np.ndarray:
    """Date ordinals (float) → an object array of ``datetime.date`` (computed per distinct value)."""
    codes, uniques = pd.factorize(ordinals.astype("int64"))
    days = np.array([dt.date.fromordinal(int(o)) for o in uniques] + [None], dtype=object)
    return days[codes]


def _normalised(f: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The accepted rows in the store's column layout (see ARCHITECTURE.md)."""
    unit_of = {i.id: i.unit for i in catalog.indicators.values()}

    def text(col: str) -> np.ndarray:
        return f[col].astype(object).to_numpy()

    def optional(col: str) -> np.ndarray:
        s = f[col].astype(object)
        return s.where(s.notna(), None).to_numpy()

    out = pd.DataFrame({
        "row": f.index.to_numpy(dtype="int64"),
        "project_id": text("project_id"),
        "indicator_id": text("indicator_id"),
        "period": text(ex.H_PERIOD_LABEL),
        "period_start": _dates(f[ex.H_PERIOD_START]),
        "period_end": _dates(f[ex.H_PERIOD_END]),
        "value": f[ex.H_VALUE_NUM].to_numpy(dtype="float64"),
        "unit": _derive([f["indicator_id"]], unit_of.get).astype(object).to_numpy(),
        "breakdown": text(ex.H_KEY_BREAKDOWN),
        "breakdown_value": text(ex.H_KEY_BREAKDOWN_VALUE),
        "note": optional("note"),
        "source": optional("source"),
    })
    for col in ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value"):
        out[col] = out[col].astype("str")
    for col in ("note", "source"):  # str or None (object dtype keeps None as None)
        out[col] = pd.Series(optional(col), index=out.index, dtype=object)
    return out[list(FRAME_COLUMNS)]
