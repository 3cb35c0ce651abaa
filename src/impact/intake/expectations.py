"""The row rules of the submission format, as Great Expectations expectations built from the catalog.

The rules are one GX expectation suite per catalog (and, for the portal, one per project):
:func:`row_checks` is the single statement of them. The suite runs on the submission frame
*plus helper columns* that :mod:`impact.intake.prepare` derives by parsing (period labels and
dates, numbers, catalog look-ups): numeric-ness is checked by parsing, not by dtype
expectations, and the catalog's knowledge becomes value sets and per-row limits the
expectations compare against. Running them is :mod:`impact.intake.gx`.

Each expectation carries, in its ``meta``, the stable problem ``code`` it reports and the
submission ``column`` it concerns. Within a column the first failing expectation (in suite
order) wins, so that one bad cell yields one clear message.

Nothing here imports GX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from impact.core.catalog import Catalog
from impact.core.errors import ImpactError
from impact.core.schema import SUBMISSION_COLUMNS
from impact.intake.quality import EVIDENCE_FORMULA_PREFIXES, EVIDENCE_MAX_LENGTH, QUALITY_GRADES

__all__ = [
    "CATEGORICAL_COLUMNS",
    "HELPER_COLUMNS",
    "NUMBER_PATTERN",
    "PERIOD_PATTERN",
    "USER_COLUMNS",
    "Check",
    "Failure",
    "SuiteError",
    "cached_row_checks",
    "row_checks",
]

#: what a period must look like (the same language as :func:`impact.core.periods.parse_period`)
PERIOD_PATTERN = r"^[ \t]*(?:19|20|21)[0-9]{2}(?:-?[Qq][1-4]|-(?:0?[1-9]|1[0-2]))?[ \t]*$"
# Patterns use [0-9] and [ \t], not \d and \s: pandas runs those through pyarrow (RE2), ~10x
# faster than Python's re, which it needs for Unicode classes.
#: a number after separators were normalised (decimal dot, no thousands separators)
NUMBER_PATTERN = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
#: numbers beyond this are treated as typos (no indicator counts that high)
MAX_ABS_NUMBER = 1e15
#: a count may differ from a whole number by this much (binary floating point of decimal input)
WHOLE_TOLERANCE = 1e-9
#: cells starting with this are formulas (in CSV and as xlsx formula cells)
FORMULA_PREFIX = "="
#: per column, when not just FORMULA_PREFIX: the starts that make a cell a formula
FORMULA_PREFIXES = {"evidence": EVIDENCE_FORMULA_PREFIXES}

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
H_UNCLEAR = "_unclear_number"         # the value as written when its dot is unclear, else null
H_FRACTION = "_count_fraction"        # count indicators: distance of the value to a whole number
H_MIN = "_min"                        # indicator limits (NaN = unbounded)
H_MAX = "_max"
H_UNIT_KEY = "_unit_key"              # "indicator|unit as written, case-folded"
H_BREAKDOWN = "_breakdown"            # breakdown id (or the text as written when unknown)
H_INDICATOR_BREAKDOWN = "_indicator_breakdown"  # "indicator|breakdown" when both are known
H_BREAKDOWN_VALUE_KEY = "_breakdown_value_key"  # "breakdown|value id" when the breakdown is known
H_HAS_BREAKDOWN = "_has_breakdown"    # "yes"/"no"
H_HAS_BREAKDOWN_VALUE = "_has_breakdown_value"
H_FORMULA = "_formula"                # columns (comma-separated) whose cell holds a formula
H_QUALITY = "_quality"                # quality grade id (German words mapped), the text as written if unknown
H_EVIDENCE_NEEDED = "_evidence_needed"  # "yes" when the indicator requires evidence, else null
H_HAS_EVIDENCE = "_has_evidence"      # "yes"/"no"
H_KEY_BREAKDOWN = "_key_breakdown"    # breakdown id or "" (total)
H_KEY_BREAKDOWN_VALUE = "_key_breakdown_value"

#: text columns with few distinct values: handed to GX as categoricals (GX fingerprints every
#: batch with pandas' row hashing, which is ~20x cheaper on categoricals than on 1M strings)
CATEGORICAL_COLUMNS = ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value",
                       "quality", "evidence", H_QUALITY, H_EVIDENCE_NEEDED, H_HAS_EVIDENCE, H_ASSIGNMENT,
                       H_PERIOD_LABEL, H_UNIT_KEY, H_BREAKDOWN, H_INDICATOR_BREAKDOWN, H_BREAKDOWN_VALUE_KEY,
                       H_KEY_BREAKDOWN, H_KEY_BREAKDOWN_VALUE)

#: what each helper column holds (written into exported suites)
HELPER_COLUMNS = {
    H_FORMULA: "user columns (comma-separated) whose cell starts with '=' (evidence: '=', '+', '-' or '@'), "
               "else null",
    H_ASSIGNMENT: "'project|indicator' when both ids are known, else null",
    H_PERIOD_FREQ: "frequency the period is written in (monthly|quarterly|yearly), null if no period",
    H_INDICATOR_FREQ: "the indicator's frequency from the catalog, null if unknown",
    H_PERIOD_LABEL: "canonical period label (2024, 2024-Q2, 2024-05)",
    H_PERIOD_START: "first day of the period as a date ordinal",
    H_PERIOD_END: "last day of the period as a date ordinal",
    H_PROJECT_START: "project start as a date ordinal",
    H_PROJECT_END: "project end as a date ordinal (null = open end)",
    H_VALUE_STD: "value with decimal dot and no thousands separators (semicolon files: decimal comma converted)",
    H_VALUE_NUM: "value parsed as float (null unless it matches the number pattern and is clear)",
    H_UNCLEAR: "the value as written when German-style (semicolon file, text cell) and its dot cannot separate "
               "thousands (2.48), else null",
    H_FRACTION: "for indicators of value type 'count': |value - nearest whole number|, else null",
    H_MIN: "the indicator's minimum (null = unbounded)",
    H_MAX: "the indicator's maximum (null = unbounded)",
    H_UNIT_KEY: "'indicator|unit as written, case-folded' when a unit is given",
    H_BREAKDOWN: "breakdown id (names are mapped to ids), null when empty",
    H_INDICATOR_BREAKDOWN: "'indicator|breakdown' when both are known",
    H_BREAKDOWN_VALUE_KEY: "'breakdown|value id' when the breakdown is known and a value is given",
    H_HAS_BREAKDOWN: "'yes' if a breakdown is given, else 'no'",
    H_HAS_BREAKDOWN_VALUE: "'yes' if a breakdown value is given, else 'no'",
    H_QUALITY: "quality grade id (German words and other spellings mapped), the text as written when it names "
               "no grade, null when empty",
    H_EVIDENCE_NEEDED: "'yes' when the indicator requires evidence (catalog evidence_required), else null",
    H_HAS_EVIDENCE: "'yes' if evidence is given, else 'no'",
    H_KEY_BREAKDOWN: "breakdown id or '' (total), part of the duplicate key",
    H_KEY_BREAKDOWN_VALUE: "breakdown value id or '' (total), part of the duplicate key",
}

#: the submission columns, in the order problems are listed
USER_COLUMNS = SUBMISSION_COLUMNS
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
        Check("unclear_number", "value", "expect_column_values_to_be_null", {"column": H_UNCLEAR}),
        Check("not_a_number", "value", "expect_column_values_to_match_regex",
              {"column": H_VALUE_STD, "regex": NUMBER_PATTERN}),
        Check("number_too_large", "value", "expect_column_values_to_be_between",
              {"column": H_VALUE_NUM, "min_value": -MAX_ABS_NUMBER, "max_value": MAX_ABS_NUMBER}),
        Check("not_whole_number", "value", "expect_column_values_to_be_between",
              {"column": H_FRACTION, "min_value": 0, "max_value": WHOLE_TOLERANCE}),
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
        Check("unknown_quality", "quality", "expect_column_values_to_be_in_set",
              {"column": H_QUALITY, "value_set": list(QUALITY_GRADES)}),
        Check("evidence_too_long", "evidence", "expect_column_value_lengths_to_be_between",
              {"column": "evidence", "max_value": EVIDENCE_MAX_LENGTH}),
        Check("missing_evidence", "evidence", "expect_column_pair_values_to_be_equal",
              {"column_A": H_EVIDENCE_NEEDED, "column_B": H_HAS_EVIDENCE, "ignore_row_if": "either_value_is_missing"}),
        Check("duplicate_key", KEY_GROUP, "expect_compound_columns_to_be_unique",
              {"column_list": ["project_id", "indicator_id", H_PERIOD_LABEL, H_KEY_BREAKDOWN, H_KEY_BREAKDOWN_VALUE],
               "ignore_row_if": "any_value_is_missing"}),
    ]
    return checks


_SUITES: dict[tuple[int, dt.date, str | None], tuple[Catalog, list[Check]]] = {}
_SUITES_KEPT = 8


def cached_row_checks(catalog: Catalog, *, today: dt.date, only_project: str | None = None) -> list[Check]:
    """:func:`row_checks`, remembered for the last few (catalog object, today, project): a portal
    or a batch validating many files builds the suite once. Treat the list as read-only."""
    key = (id(catalog), today, only_project)
    hit = _SUITES.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    checks = row_checks(catalog, today=today, only_project=only_project)
    if len(_SUITES) >= _SUITES_KEPT:
        _SUITES.pop(next(iter(_SUITES)))
    _SUITES[key] = (catalog, checks)
    return checks
