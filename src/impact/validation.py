"""Validating a submission: bytes → :class:`ValidationReport` (errors, warnings, accepted rows).

Steps: :func:`impact.reading.read_submission` turns bytes into a table of strings;
:func:`prepare` parses periods and numbers and looks catalog facts up into helper columns
(vectorised, per distinct value where possible); the Great Expectations suite from
:mod:`impact.expectations` checks every rule; its failures become bilingual
:class:`impact.errors.Problem` records with spreadsheet row numbers. Plausibility warnings
(``implausible_jump``) compare values with the stored history.

Plausibility rule (``implausible_jump``, a warning): for each key (project, indicator,
breakdown, breakdown value) take the current stored values (newest received per period) of
the most recent 12 periods; with at least 4 of them, let *m* be their median and
*s* = max(1.4826 × MAD, 10 % of |m|, 1e-9) their robust spread. A submitted value *v* with
|v − m| > 3 × s is flagged.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact import expectations as ex
from impact.catalog import Catalog
from impact.errors import Problem, UnreadableFileError
from impact.messages import closest, problem
from impact.periods import parse_period
from impact.reading import RawTable, read_submission

__all__ = ["FRAME_COLUMNS", "ValidationReport", "prepare", "validate_bytes", "validate_file"]

FRAME_COLUMNS = ("row", "project_id", "indicator_id", "period", "period_start", "period_end", "value", "unit",
                 "breakdown", "breakdown_value", "note", "source")
_FREQ_DE = {"monthly": "monatlich", "quarterly": "quartalsweise", "yearly": "jährlich"}
_FREQ_EN = {"monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly"}
_JUMP_WINDOW, _JUMP_MIN_POINTS, _JUMP_FACTOR = 12, 4, 3.0


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
        from impact.config import settings

        max_bytes = settings().max_bytes
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # enough to tell "too large" without reading it all
    except OSError as exc:
        report = ValidationReport(p.name, unreadable=True)
        report.errors.append(problem("unreadable_file", detail=exc.strerror or type(exc).__name__))
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
        from impact.config import settings

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
        report.warnings.extend(_jumps(frame, table, history))
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


# [0-9] rather than \d keeps these on pyarrow's fast regex engine (see impact.expectations)
_THOUSANDS_COMMA = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$"
_DECIMAL_COMMA = r"^[+-]?[0-9]+,[0-9]+$"
_DOT_GROUPS = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+$"
_MULTI_DOT_GROUPS = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}$"


def _standard_numbers(raw: pd.Series, style: str) -> tuple[pd.Series, pd.Series]:
    """Number text → (text with decimal dot and no thousands separators, mask of ambiguous cells)."""
    s = raw.str.replace("\u00a0", "", regex=False).str.replace("\u202f", "", regex=False)
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

    std, ambiguous = _standard_numbers(f["value"], table.number_style)
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


def _number_hint(value: str, style: str) -> str:
    low = value.strip().casefold()
    if low.lstrip("+-") in ("nan", "inf", "infinity", "unendlich", "∞", "n/a", "na"):
        return "nan_inf"
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


def _jumps(f: pd.DataFrame, table: RawTable, history: pd.DataFrame) -> list[Problem]:
    need = {"project_id", "indicator_id", "period", "value"}
    if not need.issubset(history.columns):
        return []
    h = history.copy()
    for col in ("breakdown", "breakdown_value"):
        h[col] = h[col].fillna("").astype(str) if col in h else ""
    keys = ["project_id", "indicator_id", "breakdown", "breakdown_value"]
    if "received_at" in h:
        h = h.sort_values("received_at")
    h = h.drop_duplicates([*keys, "period"], keep="last")
    order = "period_start" if "period_start" in h else "period"
    h = h.sort_values(order).groupby(keys, sort=False).tail(_JUMP_WINDOW)
    h["value"] = pd.to_numeric(h["value"], errors="coerce")
    g = h.groupby(keys)["value"]
    stats = pd.DataFrame({"n": g.count(), "median": g.median()})
    h = h.join(stats["median"], on=keys)
    h["dev"] = (h["value"] - h["median"]).abs()
    stats["mad"] = h.groupby(keys)["dev"].median()
    stats = stats[stats["n"] >= _JUMP_MIN_POINTS].reset_index()
    if stats.empty:
        return []
    stats["spread"] = np.maximum.reduce([1.4826 * stats["mad"].to_numpy(), 0.1 * stats["median"].abs().to_numpy(),
                                         np.full(len(stats), 1e-9)])
    sub = pd.DataFrame({"row": f.index, "project_id": f["project_id"].to_numpy(),
                        "indicator_id": f["indicator_id"].to_numpy(),
                        "breakdown": f[ex.H_KEY_BREAKDOWN].to_numpy(), "breakdown_value": f[ex.H_KEY_BREAKDOWN_VALUE].to_numpy(),
                        "v": f[ex.H_VALUE_NUM].to_numpy()})
    for col in keys:
        sub[col] = sub[col].astype(str)
        stats[col] = stats[col].astype(str)
    m = sub.merge(stats, on=keys, how="inner")
    m = m[(m["v"] - m["median"]).abs() > _JUMP_FACTOR * m["spread"]]
    out = []
    for r in m.itertuples(index=False):
        lo, hi = r.median - _JUMP_FACTOR * r.spread, r.median + _JUMP_FACTOR * r.spread
        out.append(problem("implausible_jump", int(r.row), table.header("value"), hint="jump", value=float(r.v),
                           median=float(r.median), low=float(lo), high=float(hi)))
    return out


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
