"""Great Expectations suites generated from the catalog, and running them.

The row rules of the submission format are expressed as one GX expectation suite per catalog
(and, for the portal, one per project). The suite runs on the submission frame *plus helper
columns* that :mod:`impact.intake.validation` derives by parsing (period labels and dates, numbers,
catalog look-ups): numeric-ness is checked by parsing, not by dtype expectations, and the
catalog's knowledge becomes value sets and per-row limits the expectations compare against.

Each expectation carries, in its ``meta``, the stable problem ``code`` it reports and the
submission ``column`` it concerns. Within a column the first failing expectation (in suite
order) wins, so that one bad cell yields one clear message. GX reports failing rows by index
label; the frame's index is the spreadsheet row number.

GX is imported lazily (it takes seconds); nothing here is needed to read a file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import sys
import threading
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.errors import ImpactError

__all__ = [
    "NUMBER_PATTERN",
    "PERIOD_PATTERN",
    "Check",
    "Failure",
    "SuiteError",
    "export_suites",
    "row_checks",
    "run_checks",
    "suite_json",
]

#: what a period must look like (the same language as :func:`impact.core.periods.parse_period`)
PERIOD_PATTERN = r"^[ \t]*(?:19|20|21)[0-9]{2}(?:-?[Qq][1-4]|-(?:0?[1-9]|1[0-2]))?[ \t]*$"
# Patterns use [0-9] and [ \t], not \d and \s: pandas runs those through pyarrow (RE2), ~10x
# faster than Python's re, which it needs for Unicode classes.
#: a number after separators were normalised (decimal dot, no thousands separators)
NUMBER_PATTERN = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
#: numbers beyond this are treated as typos (no indicator counts that high)
MAX_ABS_NUMBER = 1e15
#: cells starting with this are formulas (in CSV and as xlsx formula cells)
FORMULA_PREFIX = "="

# helper columns computed by impact.intake.validation.prepare()
H_ASSIGNMENT = "_assignment"          # "project|indicator" when both are known
H_PERIOD_FREQ = "_period_freq"        # frequency the period is written in
H_INDICATOR_FREQ = "_indicator_freq"  # frequency the indicator is reported in
H_PERIOD_LABEL = "_period_label"      # canonical label
H_PERIOD_START = "_period_start"      # date ordinal (float, NaN when unknown)
H_PERIOD_END = "_period_end"
H_PROJECT_START = "_project_start"
H_PROJECT_END = "_project_end"        # NaN for an open end
H_VALUE_STD = "_value_std"            # number text with decimal dot, no thousands separators
H_VALUE_NUM = "_value_num"            # parsed value (NaN when not a number)
H_MIN = "_min"                        # indicator limits (NaN = unbounded)
H_MAX = "_max"
H_UNIT_KEY = "_unit_key"              # "indicator|unit as written, case-folded"
H_BREAKDOWN = "_breakdown"            # breakdown id (or the text as written when unknown)
H_INDICATOR_BREAKDOWN = "_indicator_breakdown"  # "indicator|breakdown" when both are known
H_BREAKDOWN_VALUE_KEY = "_breakdown_value_key"  # "breakdown|value id" when the breakdown is known
H_HAS_BREAKDOWN = "_has_breakdown"    # "yes"/"no"
H_HAS_BREAKDOWN_VALUE = "_has_breakdown_value"
H_FORMULA = "_formula"                # columns (comma-separated) whose cell holds a formula
H_KEY_BREAKDOWN = "_key_breakdown"    # breakdown id or "" (total)
H_KEY_BREAKDOWN_VALUE = "_key_breakdown_value"

#: text columns with few distinct values: handed to GX as categoricals (GX fingerprints every
#: batch with pandas' row hashing, which is ~20x cheaper on categoricals than on 1M strings)
CATEGORICAL_COLUMNS = ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value",
                       H_ASSIGNMENT, H_PERIOD_LABEL, H_UNIT_KEY, H_BREAKDOWN, H_INDICATOR_BREAKDOWN,
                       H_BREAKDOWN_VALUE_KEY, H_KEY_BREAKDOWN, H_KEY_BREAKDOWN_VALUE)

#: what each helper column holds (written into exported suites)
HELPER_COLUMNS = {
    H_FORMULA: "user columns (comma-separated) whose cell starts with '=', else null",
    H_ASSIGNMENT: "'project|indicator' when both ids are known, else null",
    H_PERIOD_FREQ: "frequency the period is written in (monthly|quarterly|yearly), null if no period",
    H_INDICATOR_FREQ: "the indicator's frequency from the catalog, null if unknown",
    H_PERIOD_LABEL: "canonical period label (2024, 2024-Q2, 2024-05)",
    H_PERIOD_START: "first day of the period as a date ordinal",
    H_PERIOD_END: "last day of the period as a date ordinal",
    H_PROJECT_START: "project start as a date ordinal",
    H_PROJECT_END: "project end as a date ordinal (null = open end)",
    H_VALUE_STD: "value with decimal dot and no thousands separators (semicolon files: decimal comma converted)",
    H_VALUE_NUM: "value parsed as float (null unless it matches the number pattern)",
    H_MIN: "the indicator's minimum (null = unbounded)",
    H_MAX: "the indicator's maximum (null = unbounded)",
    H_UNIT_KEY: "'indicator|unit as written, case-folded' when a unit is given",
    H_BREAKDOWN: "breakdown id (names are mapped to ids), null when empty",
    H_INDICATOR_BREAKDOWN: "'indicator|breakdown' when both are known",
    H_BREAKDOWN_VALUE_KEY: "'breakdown|value id' when the breakdown is known and a value is given",
    H_HAS_BREAKDOWN: "'yes' if a breakdown is given, else 'no'",
    H_HAS_BREAKDOWN_VALUE: "'yes' if a breakdown value is given, else 'no'",
    H_KEY_BREAKDOWN: "breakdown id or '' (total), part of the duplicate key",
    H_KEY_BREAKDOWN_VALUE: "breakdown value id or '' (total), part of the duplicate key",
}

USER_COLUMNS = ("project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value",
                "note", "source")
KEY_GROUP = "_key"
FORMULA_GROUP = "_formula"


class SuiteError(ImpactError):
    """Great Expectations could not run an expectation (a bug, never the user's data)."""

    exit_code = 1


@dataclass(frozen=True)
class Check:
    """One expectation and what its failures mean for the submitter."""

    code: str
    column: str
    type: str
    kwargs: dict[str, Any] = field(hash=False)

    def config(self) -> dict[str, Any]:
        return {"type": self.type, "kwargs": dict(self.kwargs), "meta": {"code": self.code, "column": self.column}}


@dataclass(frozen=True)
class Failure:
    """Rows (spreadsheet numbers) that failed one check."""

    check: Check
    rows: np.ndarray


def _ord(day: dt.date) -> int:
    return day.toordinal()


def row_checks(catalog: Catalog, *, today: dt.date, only_project: str | None = None) -> list[Check]:
    """The row expectations for submissions against ``catalog`` (in precedence order per column)."""
    projects = sorted(catalog.projects)
    indicators = sorted(catalog.indicators)
    pairs = sorted(f"{p}|{i.id}" for i in catalog.indicators.values() for p in i.targets)
    unit_keys: set[str] = set()
    for ind in catalog.indicators.values():
        unit = catalog.units.get(ind.unit)
        names = (unit.id, unit.symbol, unit.name.de, unit.name.en, *unit.aliases) if unit else (ind.unit,)
        unit_keys.update(f"{ind.id}|{n.strip().casefold()}" for n in names)
    declared = sorted(f"{i.id}|{b}" for i in catalog.indicators.values() for b in i.breakdowns)
    bd_values = sorted(f"{b.id}|{v}" for b in catalog.breakdowns.values() for v in b.values)

    checks = [
        # one helper column lists the cells holding formulas (a regex per column costs 0.1 s per 1M rows)
        Check("formula", FORMULA_GROUP, "expect_column_values_to_be_null", {"column": H_FORMULA}),

        Check("missing_value", "project_id", "expect_column_values_to_not_be_null", {"column": "project_id"}),
        Check("unknown_project", "project_id", "expect_column_values_to_be_in_set",
              {"column": "project_id", "value_set": projects}),
    ]
    if only_project is not None:
        checks.append(Check("project_not_allowed", "project_id", "expect_column_values_to_be_in_set",
                            {"column": "project_id", "value_set": [only_project]}))
    checks += [
        Check("missing_value", "indicator_id", "expect_column_values_to_not_be_null", {"column": "indicator_id"}),
        Check("unknown_indicator", "indicator_id", "expect_column_values_to_be_in_set",
              {"column": "indicator_id", "value_set": indicators}),
        Check("indicator_not_in_project", "indicator_id", "expect_column_values_to_be_in_set",
              {"column": H_ASSIGNMENT, "value_set": pairs}),
        Check("missing_value", "period", "expect_column_values_to_not_be_null", {"column": "period"}),
        Check("bad_period", "period", "expect_column_values_to_match_regex", {"column": "period", "regex": PERIOD_PATTERN}),
        Check("wrong_frequency", "period", "expect_column_pair_values_to_be_equal",
              {"column_A": H_PERIOD_FREQ, "column_B": H_INDICATOR_FREQ, "ignore_row_if": "either_value_is_missing"}),
        Check("period_in_future", "period", "expect_column_values_to_be_between",
              {"column": H_PERIOD_START, "max_value": _ord(today)}),
        Check("period_outside_runtime", "period", "expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": H_PERIOD_END, "column_B": H_PROJECT_START, "or_equal": True,
               "ignore_row_if": "either_value_is_missing"}),
        Check("period_outside_runtime", "period", "expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": H_PROJECT_END, "column_B": H_PERIOD_START, "or_equal": True,
               "ignore_row_if": "either_value_is_missing"}),
        Check("missing_value", "value", "expect_column_values_to_not_be_null", {"column": "value"}),
        Check("not_a_number", "value", "expect_column_values_to_match_regex",
              {"column": H_VALUE_STD, "regex": NUMBER_PATTERN}),
        Check("number_too_large", "value", "expect_column_values_to_be_between",
              {"column": H_VALUE_NUM, "min_value": -MAX_ABS_NUMBER, "max_value": MAX_ABS_NUMBER}),
        Check("below_min", "value", "expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": H_VALUE_NUM, "column_B": H_MIN, "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
        Check("above_max", "value", "expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": H_MAX, "column_B": H_VALUE_NUM, "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
        Check("unit_mismatch", "unit", "expect_column_values_to_be_in_set",
              {"column": H_UNIT_KEY, "value_set": sorted(unit_keys)}),
        Check("unknown_breakdown", "breakdown", "expect_column_values_to_be_in_set",
              {"column": H_BREAKDOWN, "value_set": sorted(catalog.breakdowns)}),
        Check("breakdown_not_declared", "breakdown", "expect_column_values_to_be_in_set",
              {"column": H_INDICATOR_BREAKDOWN, "value_set": declared}),
        Check("unknown_breakdown_value", "breakdown_value", "expect_column_values_to_be_in_set",
              {"column": H_BREAKDOWN_VALUE_KEY, "value_set": bd_values}),
        Check("breakdown_incomplete", "breakdown_value", "expect_column_pair_values_to_be_equal",
              {"column_A": H_HAS_BREAKDOWN, "column_B": H_HAS_BREAKDOWN_VALUE, "ignore_row_if": "neither"}),
        Check("duplicate_key", KEY_GROUP, "expect_compound_columns_to_be_unique",
              {"column_list": ["project_id", "indicator_id", H_PERIOD_LABEL, H_KEY_BREAKDOWN, H_KEY_BREAKDOWN_VALUE],
               "ignore_row_if": "any_value_is_missing"}),
    ]
    return checks


# ---------------------------------------------------------------------------- GX plumbing

_LOCK = threading.RLock()
_STATE: dict[str, Any] = {}


class _Deferred(types.ModuleType):
    """Stands in for a module while GX imports; the real module is imported on first use.

    GX imports ``altair`` (≈ 0.6 s) and ``scipy.stats`` (≈ 1.3 s) at module level only for
    chart renderers and distribution expectations that submissions never use. Their names in
    GX's modules are bound to this stand-in, which imports the real module (and forwards to
    it) the first time an attribute is read, so nothing is lost, only deferred.
    """

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


_DEFERRED = ("altair", "scipy.stats")


def _gx() -> Any:
    """Import GX once, quietly and as fast as possible.

    GX imports altair, which imports jsonschema, which (if installed) imports the optional
    ``rfc3987_syntax`` for IRI format checks: building its grammar costs ~1.2 s on this
    machine. jsonschema skips it on ImportError, so it is hidden during GX's import (only when
    jsonschema is not loaded yet) and restored right after; nothing in GX validates IRIs.
    ``altair`` and ``scipy.stats`` are deferred until first use (see :class:`_Deferred`).
    Together this cuts GX's import from ≈ 3 s to ≈ 1 s.
    """
    with _LOCK:
        if "gx" not in _STATE:
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            hide = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
            if hide:
                sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes the import fail
            stand_ins = {name: _Deferred(name) for name in _DEFERRED if name not in sys.modules}
            sys.modules.update(stand_ins)
            try:
                import great_expectations as gx
            finally:
                if hide and sys.modules.get("rfc3987_syntax", False) is None:
                    del sys.modules["rfc3987_syntax"]
                for name, stand_in in stand_ins.items():  # later imports get the real module
                    if sys.modules.get(name) is stand_in:
                        del sys.modules[name]
            _STATE["gx"] = gx
        return _STATE["gx"]


def _batch_definition() -> Any:
    """An ephemeral context with one pandas dataframe asset (created once per process)."""
    if "bd" not in _STATE:
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = ctx.data_sources.add_pandas("impact_submission").add_dataframe_asset("rows")
        _STATE["ctx"] = ctx
        _STATE["bd"] = asset.add_batch_definition_whole_dataframe("all_rows")
    return _STATE["bd"]


def _columns(checks: Iterable[Check]) -> list[str]:
    cols: list[str] = []
    for c in checks:
        for key in ("column", "column_A", "column_B"):
            if key in c.kwargs and c.kwargs[key] not in cols:
                cols.append(c.kwargs[key])
        for col in c.kwargs.get("column_list", ()):
            if col not in cols:
                cols.append(col)
    return cols


def gx_frame(frame: pd.DataFrame, checks: Iterable[Check]) -> pd.DataFrame:
    """The columns ``checks`` read, low-cardinality text as categoricals (same values, same index)."""
    checks = list(checks)
    out = frame[_columns(checks)].copy()
    for col in CATEGORICAL_COLUMNS:
        if col in out and not isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("category")
    # compared with each other: categoricals need the same categories
    for c in checks:
        if c.type == "expect_column_pair_values_to_be_equal":
            a, b = out[c.kwargs["column_A"]], out[c.kwargs["column_B"]]
            if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
                cats = sorted(set(a.cat.categories) | set(b.cat.categories))
                out[c.kwargs["column_A"]] = a.cat.set_categories(cats)
                out[c.kwargs["column_B"]] = b.cat.set_categories(cats)
            else:
                out[c.kwargs["column_A"]] = a.astype("str")
                out[c.kwargs["column_B"]] = b.astype("str")
    return out


def fit_value_sets(frame: pd.DataFrame, checks: list[Check]) -> list[Check]:
    """``in_set`` checks with their value set cut to the values present in ``frame``.

    The outcome per row is identical (a value is in the set iff it is in the cut set), but GX
    copies each expectation's configuration many times per run, so a catalog-sized set (e.g.
    10,000 project–indicator pairs) costs seconds even for a 50-row file.
    """
    out = []
    for c in checks:
        col = c.kwargs.get("column")
        if c.type == "expect_column_values_to_be_in_set" and col in frame and \
                isinstance(frame[col].dtype, pd.CategoricalDtype):
            present = set(frame[col].cat.categories)
            c = Check(c.code, c.column, c.type, {**c.kwargs, "value_set": [v for v in c.kwargs["value_set"] if v in present]})
        out.append(c)
    return out


def build_suite(name: str, checks: Iterable[Check]) -> Any:
    """A GX ``ExpectationSuite`` (not registered anywhere) from ``checks``."""
    gx = _gx()
    _batch_definition()  # suites need an active context
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for n, check in enumerate(checks):
        cfg = check.config()
        cfg["meta"]["check"] = n
        expectations.append(ExpectationConfiguration(**cfg).to_domain_obj())
    return gx.ExpectationSuite(name=name, expectations=expectations)


def run_checks(frame: pd.DataFrame, checks: list[Check], suite_name: str = "impact_submission") -> list[Failure]:
    """Run ``checks`` as one GX suite on ``frame``; the failing index labels of each check."""
    if frame.empty:
        return []
    frame = gx_frame(frame, checks)
    checks = fit_value_sets(frame, checks)
    with _LOCK:
        suite = build_suite(suite_name, checks)
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format={"result_format": "COMPLETE",
                                                      "return_unexpected_index_query": False})
    failures: list[Failure] = []
    for res in result.results:
        meta = res.expectation_config.meta or {}
        if res.exception_info and res.exception_info.get("raised_exception"):
            raise SuiteError(f"expectation {res.expectation_config.type} ({meta.get('code')}) failed to run: "
                             f"{res.exception_info.get('exception_message')}")
        if res.success:
            continue
        check = checks[int(meta["check"])]
        rows = np.asarray(res.result.get("unexpected_index_list") or [], dtype="int64")
        failures.append(Failure(check, rows))
    order = {id(c): n for n, c in enumerate(checks)}
    failures.sort(key=lambda f: order[id(f.check)])
    return failures


# ---------------------------------------------------------------------------- export


def suite_json(name: str, checks: list[Check]) -> dict[str, Any]:
    """The suite as GX JSON (``ExpectationSuite.to_json_dict()``)."""
    data: dict[str, Any] = build_suite(name, checks).to_json_dict()
    data.setdefault("meta", {})
    return data


def export_suites(catalog: Catalog, out_dir: str | Path, *, today: dt.date | None = None) -> list[Path]:
    """Write the suites as GX JSON, one file per suite, and return the paths.

    ``impact_submission.json`` checks any submission; ``impact_submission_<project>.json``
    additionally allows only that project's rows (what a portal token for it accepts).
    """
    if today is None:
        from impact.core.config import settings

        today = settings().today
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    suites = {"impact_submission": row_checks(catalog, today=today)}
    for pid in catalog.projects:
        suites[f"impact_submission_{pid}"] = row_checks(catalog, today=today, only_project=pid)
    for name, checks in suites.items():
        data = suite_json(name, checks)
        data["meta"].update({"catalog_hash": catalog.content_hash, "today": today.isoformat(),
                             "note": "Runs on the submission frame (canonical column names, blanks as null, "
                                     "index = spreadsheet row) plus helper columns built by "
                                     "impact.intake.validation.prepare(); meta.code is the problem code reported.",
                             "helper_columns": HELPER_COLUMNS})
        path = out / f"{name}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
