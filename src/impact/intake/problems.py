"""The one list of submission problem codes, with their texts and hints.

Each code is stable and documented in ``docs/submitting.md`` (a test fails when the two lists
differ); tools may rely on it. Texts are English message ids (``str.format`` templates) marked
for translation; :func:`problem` turns a code and its facts into an
:class:`impact.core.errors.Problem`, which renders in any language through the gettext catalogue.

Levels: ``file`` (the file is not read at all, exit 2), ``header`` (row 1), ``row`` (one cell),
``warning`` (the file is still valid), ``store`` (raised when a valid file meets the store).
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from impact.core.errors import Message, Problem
from impact.core.i18n import N_

__all__ = [
    "CODES",
    "CONFIRM_CODES",
    "FILE_CODES",
    "FREQUENCY",
    "HINTS",
    "WARNING_CODES",
    "Code",
    "closest",
    "problem",
]


@dataclass(frozen=True)
class Code:
    """A problem code: its level and its message id (English, with ``{fields}``)."""

    level: str
    text: str


CODES: dict[str, Code] = {
    # --- file level (the file cannot be read at all) ---
    "empty_file": Code("file", N_("The file is empty.")),
    "binary_file": Code("file", N_("The file is not a text (CSV) file but binary data.")),
    "file_too_large": Code("file", N_("The file is too large ({size}; at most {limit} are allowed).")),
    "too_many_rows": Code("file", N_("The workbook has more than {limit} rows (at most one row per {per_row} bytes "
                                     "of the upload limit of {max_bytes} bytes).")),
    "bad_encoding": Code("file", N_("The file is encoded neither in UTF-8 nor in Windows-1252 (byte {pos}).")),
    "mixed_encoding": Code("file", N_("The file mixes UTF-8 with another encoding (from byte {pos}); umlauts would "
                                      "be garbled.")),
    "no_data_rows": Code("file", N_("The file has no data rows (only a header or blank rows).")),
    "unsupported_format": Code("file", N_("File type '{ext}' is not supported.")),
    "bad_xlsx": Code("file", N_("The file is not a valid Excel (.xlsx) file.")),
    "xlsx_macros": Code("file", N_("The workbook contains macros (VBA code); workbooks with macros are not "
                                   "accepted.")),
    "xlsx_external_links": Code("file", N_("The workbook contains links to other workbooks (external references); "
                                           "they are not accepted.")),
    "unreadable_file": Code("file", N_("The file cannot be opened: {detail}.")),
    "bad_csv": Code("file", N_("The CSV file cannot be read: {detail}.")),
    # --- header (row 1) ---
    "missing_column": Code("header", N_("Required column '{column}' is missing.")),
    "unknown_column": Code("warning", N_("Unknown column '{column}' is ignored.")),
    "duplicate_column": Code("header", N_("Column '{column}' appears more than once.")),
    # --- rows ---
    "bad_row": Code("row", N_("The row has {actual} fields but the header has {expected}.")),
    "missing_value": Code("row", N_("The field '{column}' is empty.")),
    "formula": Code("row", N_("Formulas are not allowed: '{value}'.")),
    "unknown_project": Code("row", N_("Unknown project '{value}'.")),
    "project_not_allowed": Code("row", N_("Project '{value}' may not be submitted with this access (only "
                                          "'{allowed}').")),
    "unknown_indicator": Code("row", N_("Unknown indicator '{value}'.")),
    "indicator_not_in_project": Code("row", N_("Indicator '{value}' is not assigned to project '{project}'.")),
    "bad_period": Code("row", N_("'{value}' is not a valid period.")),
    "wrong_frequency": Code("row", N_("Period '{value}' does not fit: indicator '{indicator}' is reported {freq}.")),
    "period_in_future": Code("row", N_("Period '{value}' lies in the future (today is {today}).")),
    "period_outside_runtime": Code("row", N_("Period '{value}' lies outside the runtime of project '{project}' "
                                             "({runtime}).")),
    "not_a_number": Code("row", N_("'{value}' is not a number.")),
    "unclear_number": Code("row", N_("'{value}' is unclear: in semicolon-separated files a dot separates "
                                     "thousands (2.480 means 2480), so a dot must be followed by groups of three "
                                     "digits.")),
    "number_too_large": Code("row", N_("The number '{value}' is implausibly large.")),
    "not_whole_number": Code("row", N_("'{value}' is not a whole number, but indicator '{indicator}' is a count.")),
    "below_min": Code("row", N_("Value {value} is below the minimum {limit} of '{indicator}'.")),
    "above_max": Code("row", N_("Value {value} is above the maximum {limit} of '{indicator}'.")),
    "unit_mismatch": Code("row", N_("Unit '{value}' does not match '{indicator}' (expected: {expected}).")),
    "unknown_breakdown": Code("row", N_("Unknown breakdown '{value}'.")),
    "breakdown_not_declared": Code("row", N_("Indicator '{indicator}' has no breakdown by '{value}'.")),
    "unknown_breakdown_value": Code("row", N_("'{value}' is not a value of breakdown '{breakdown}'.")),
    "breakdown_incomplete": Code("row", N_("Breakdown and breakdown value must both be filled in (or both be "
                                           "empty).")),
    "unknown_quality": Code("row", N_("Unknown quality grade '{value}'.")),
    "evidence_too_long": Code("row", N_("The evidence is too long ({length} characters; at most {limit} are "
                                        "allowed).")),
    "missing_evidence": Code("row", N_("Indicator '{indicator}' requires evidence for every value: a web link or "
                                       "a document reference.")),
    "duplicate_key": Code("row", N_("Duplicate row: the same value ({key}) is already in row {first}.")),
    # --- warnings (the file stays valid) ---
    "ambiguous_number": Code("warning", N_("'{value}' is ambiguous and was read as {read}.")),
    "implausible_jump": Code("warning", N_("Value {value} differs strongly from the earlier course of values "
                                           "(expected about {expected}, usual range {low} to {high}).")),
    "cumulative_decrease": Code("warning", N_("Value {value} for {period} is below the value {previous} for "
                                              "{previous_period}, but indicator '{indicator}' is cumulative (a total "
                                              "since the project start never falls).")),
    # --- raised by the store for a valid file ---
    "implausible_correction": Code("store", N_("Value {value} would replace the stored value {stored} for {period}, "
                                               "and the plausibility check flags it; an implausible correction is "
                                               "stored only when confirmed.")),
    "value_approved": Code("store", N_("The value {key} was approved on {approved_at} by {approved_by}; an approved "
                                       "value cannot be corrected.")),
    "reverts_correction": Code("store", N_("Value {value} for {key} would revert a newer correction: {stored} has "
                                           "been stored since {since}; {value} is an older value it replaced.")),
}

FILE_CODES = frozenset(c for c, spec in CODES.items() if spec.level == "file")
WARNING_CODES = frozenset(c for c, spec in CODES.items() if spec.level == "warning")
#: plausibility warnings that, on a row replacing a stored value, need explicit confirmation
CONFIRM_CODES = frozenset({"implausible_jump", "cumulative_decrease"})

#: how an indicator's frequency reads inside a sentence ("… is reported quarterly")
FREQUENCY = {"monthly": N_("monthly"), "quarterly": N_("quarterly"), "yearly": N_("yearly")}

# hint id -> message id
HINTS: dict[str, str] = {
    "did_you_mean": N_("did you mean '{suggestion}'?"),
    "did_you_mean_column": N_("found column '{found}' – did you mean '{column}'?"),
    "period_yearly": N_("yearly indicator: write e.g. 2024"),
    "period_quarterly": N_("quarterly indicator: write e.g. 2024-Q2"),
    "period_monthly": N_("monthly indicator: write e.g. 2024-05"),
    "period_forms": N_("use 2024 (year), 2024-Q2 (quarter) or 2024-05 (month)"),
    "period_date": N_("a date is not a period: write 2024-05 for May 2024"),
    "comma_and_dot": N_("use a decimal comma or a dot, not both"),
    "comma_in_comma_file": N_("in comma-separated files use a decimal dot (1234.5) or save the file with semicolons"),
    "decimal_comma": N_("for the decimal number write {comma}"),
    "whole_number": N_("counts are whole numbers: write e.g. {whole}"),
    "thousands_dot": N_("if you meant {whole}, write it without the dot"),
    "nan_inf": N_("'NaN' or 'infinity' are not values: if a value is missing, leave the row out"),
    "no_value": N_("if the value is missing, leave the row out – a missing value is missing, not 0"),
    "number_plain": N_("digits only, with a decimal separator if needed, no unit or text, e.g. 1234.5"),
    "type_value": N_("type the computed value instead"),
    "known_values": N_("allowed: {values}"),
    "project_indicators": N_("indicators of this project: {values}"),
    "runtime_ok": N_("report only periods within the runtime"),
    "future": N_("report values only once the period has started"),
    "unit_optional": N_("the unit column may also be left empty"),
    "quality_values": N_("allowed: {values} (in German: {german}); an empty cell takes the indicator's default"),
    "evidence_needed": N_("enter a web link (https://…) or a document reference, e.g. title, file number and date"),
    "evidence_column": N_("add the column 'Nachweis' (or 'evidence') with a web link (https://…) or a document "
                          "reference, e.g. title, file number and date"),
    "evidence_shorter": N_("a link, or the document's title, file number and date, is enough"),
    "evidence_formula": N_("a spreadsheet would run a cell starting with =, +, - or @ as a formula: start with the "
                           "link or the document's name"),
    "duplicate": N_("delete one of the rows; send corrections as a new file"),
    "excel_file": N_("the file looks like an Excel file: submit it with the extension .xlsx"),
    "utf16": N_("the file is saved as UTF-16 ('Unicode text'): in Excel choose 'Save as' → 'CSV UTF-8'"),
    "header_row": N_("the column names are in row {row}: delete the rows above, so that they are in row 1"),
    "renamed_csv": N_("the file contains text, so it is a CSV file: submit it with the extension .csv"),
    "old_xls": N_("this is the old Excel format (.xls): in Excel choose 'Save as' → 'Excel Workbook (.xlsx)'"),
    "save_as_csv": N_("in Excel choose 'Save as' → 'CSV UTF-8'"),
    "save_without_macros": N_("in Excel choose 'Save as' → 'Excel Workbook (.xlsx)', which removes the macros"),
    "break_links": N_("in Excel choose 'Data' → 'Edit Links' → 'Break Link', then save"),
    "supported": N_("allowed are .csv and .xlsx"),
    "separator": N_("a decimal comma in a comma-separated file? save the file with semicolons or quote the value"),
    "too_large": N_("split the file, e.g. by project or year"),
    "template": N_("create a template with 'impact template PROJECT'"),
    "jump": N_("please check; if the value is right, nothing to do"),
    "cumulative": N_("please check both values; if the earlier one was too high, correct it"),
    "confirm": N_("check the value; if it is right, send the file again and confirm the correction"),
    "reopen": N_("ask {approved_by} to reopen the value if it must change"),
    "revert": N_("if the file is an old version, do not send it; if the older value really applies, send it again "
                 "and confirm (impact ingest --allow-revert, or the checkbox in the portal)"),
}


def problem(code: str, row: int | None = None, column: str | None = None, *, hint: str | None = None,
            hint_args: dict[str, Any] | None = None, **fields: Any) -> Problem:
    """A :class:`Problem` for ``code`` with its facts (``fields``) and an optional hint.

    ``column`` is also available to the text as ``{column}``. Fields are rendered per language
    (see :func:`impact.core.errors.render_field`): pass numbers as numbers, dates as dates and
    words that must be translated as :class:`impact.core.errors.Message`.
    """
    fields.setdefault("column", column)  # ``fields`` is this call's own dict: the message may keep it
    return Problem.of(row, column, code, Message.of(CODES[code].text, fields),
                      Message.of(HINTS[hint], dict(hint_args or {})) if hint else None)


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most similar to ``word`` (case-insensitive), or ``None``.

    The answer of ``difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)`` on the
    casefolded words: the highest similarity ratio, ties to the greater word. Found without
    computing every ratio: candidates are tried by an upper bound of their ratio (the characters
    they share with ``word``, difflib's ``quick_ratio``, counted for all candidates at once), and
    the search stops when no remaining candidate can beat the best (ratio, word) found.
    """
    pool = _pool(tuple(candidates))
    target = word.strip().casefold()
    counts = np.zeros(len(pool.alphabet) + 1, dtype=np.int64)  # the last slot: characters no candidate has
    for ch, n in Counter(target).items():
        counts[pool.alphabet.get(ch, -1)] += n
    length = pool.lengths + len(target)
    shared = np.minimum(pool.counts, counts[:-1]).sum(axis=1)
    # difflib's quick_ratio, the same float operations (and 1.0 for two empty words)
    bounds = np.divide(2.0 * shared, length, out=np.ones(len(length)), where=length > 0)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(target)
    best: tuple[float, str] | None = None
    for i in np.lexsort((pool.order, -bounds)).tolist():  # highest bound first; among equal ones, the greater word
        bound, candidate = float(bounds[i]), pool.words[i]
        if bound < cutoff or (best is not None and (bound, candidate) < best):
            break  # (ratio, word) ≤ (bound, word) for this candidate and every later one: none beats the best
        matcher.set_seq1(candidate)
        found = (matcher.ratio(), candidate)
        if found[0] >= cutoff and (best is None or found > best):
            best = found
    return pool.original[best[1]] if best is not None else None


@dataclass(frozen=True)
class _Pool:
    """Candidates prepared for :func:`closest`: casefolded (of equal folds the last spelling wins),
    counted per character, and ranked by word (``order``: the greater word first)."""

    original: dict[str, str]
    words: list[str]
    alphabet: dict[str, int]
    counts: np.ndarray
    lengths: np.ndarray
    order: np.ndarray


@functools.lru_cache(maxsize=256)
def _pool(candidates: tuple[str, ...]) -> _Pool:
    original = {c.casefold(): c for c in candidates}
    words = list(original)
    alphabet = {ch: i for i, ch in enumerate(sorted({ch for w in words for ch in w}))}
    counts = np.zeros((len(words), len(alphabet)), dtype=np.int64)
    for row, w in enumerate(words):
        for ch, n in Counter(w).items():
            counts[row, alphabet[ch]] = n
    order = np.empty(len(words), dtype=np.int64)
    order[sorted(range(len(words)), key=words.__getitem__, reverse=True)] = np.arange(len(words))
    return _Pool(original, words, alphabet, counts, np.array([len(w) for w in words], dtype=np.float64), order)
