"""Numbers as the person who typed them means them.

* **Semicolon files** (German Excel) and text cells of workbooks: the comma is the decimal
  separator and the dot separates thousands — ``1.234,5`` = 1234.5, ``2.480`` = 2480,
  ``1.234.567`` = 1234567, also in files without a single decimal comma (counts are whole
  numbers). A dot that cannot be a thousands separator (``2.48``, ``0.5``) is *unclear*: an
  error asking which was meant, never a guess.
* **Comma files**: the dot is the decimal separator (``1234.5``); ``2.480`` is read as 2.48
  with a warning (``ambiguous_number``), since a German clerk may have meant 2480.
* **Number cells** of workbooks are numbers already.
* Everywhere: blanks between groups of three digits (``1 234,5``) and the indicator's own unit
  after the number (``12 %``, ``3,5 Std.``) are allowed.

:func:`standard_numbers` returns the text with a decimal dot and no separators, plus masks of
unclear and ambiguous cells; parsing and range checks then follow the expectation suite.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.intake.codes import Distinct, cat_codes, cat_values, categorical

__all__ = ["may_carry_unit", "number_hint", "standard_numbers", "text_series", "to_floats", "whole_number_text", "without_unit"]

# [0-9] rather than \d keeps these on pyarrow's fast regex engine (see impact.intake.expectations)
_THOUSANDS_COMMA = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$"
_DECIMAL_COMMA = r"^[+-]?[0-9]+,[0-9]+$"
_DOT_GROUPS = r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+$"
_ONE_DOT_GROUP = r"^[+-]?[0-9]{1,3}\.[0-9]{3}$"
_SPACE_GROUPS = r"^[+-]?[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?$"
_NOT_NUMBER_CHAR = r"[^0-9.,+\- ]"  # a cheap first filter (pyarrow's RE2); rows it finds are few
_HAS_SUFFIX = re.compile(r"^[+-]?[0-9][0-9., \u00a0\u202f]*[^0-9., \u00a0\u202f+-].*$")
_NUMBER_AND_UNIT = re.compile(r"^([+-]?[0-9][0-9., \u00a0\u202f]*?)[ \u00a0\u202f]*(\D+)$")


_FEW = 2000  # up to this many distinct texts, Python's re is quicker than pyarrow's (no per-call set-up)


def text_series(values: np.ndarray | list[str]) -> pd.Series:
    """Distinct cell texts as a Series for the string methods below: object dtype (Python's ``re``)
    for a few, pyarrow strings for many. The patterns here are anchored full matches or literal
    searches, which both engines read alike (a property test compares them)."""
    return pd.Series(values, dtype=object if len(values) <= _FEW else "str")


def _match(s: pd.Series, pattern: str) -> np.ndarray:
    return s.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def standard_numbers(raw: pd.Series, style: str, typed: np.ndarray | None = None,
                     number_pattern: str | None = None) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Number text → (text with decimal dot and no thousands separators, unclear mask, ambiguous mask).

    ``style`` is the file's (``de``, ``en`` or ``xlsx``); ``typed`` marks workbook number cells
    (already numbers). ``number_pattern`` (what a standard number looks like) decides which
    leftover dots are unclear in German-style cells.
    """
    s = raw.str.replace("\u00a0", "", regex=False).str.replace("\u202f", "", regex=False)
    spaced = _match(s, _SPACE_GROUPS)
    if spaced.any():  # "1 234,5": blanks between groups of three digits
        s = s.where(~spaced, s.str.replace(" ", "", regex=False))
    n = len(s)
    if style == "en":
        return s, np.zeros(n, dtype=bool), _match(s, _ONE_DOT_GROUP)
    german = np.ones(n, dtype=bool) if style == "de" or typed is None else ~np.asarray(typed, dtype=bool)
    grouped = _match(s, _THOUSANDS_COMMA) & german
    comma = _match(s, _DECIMAL_COMMA)
    dots = _match(s, _DOT_GROUPS) & german
    out = s.copy()
    if grouped.any():
        out = out.where(~grouped, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    if comma.any():
        out = out.where(~comma, s.str.replace(",", ".", regex=False))
    if dots.any():
        out = out.where(~dots, s.str.replace(".", "", regex=False))
    unclear = np.zeros(n, dtype=bool)
    if number_pattern is not None:
        leftover = german & ~grouped & ~dots & s.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
        if leftover.any():
            unclear = leftover & _match(s, number_pattern)
    return out, unclear, np.zeros(n, dtype=bool)


def to_floats(texts: pd.Series, ok: np.ndarray) -> np.ndarray:
    """The numbers of standard number texts where ``ok`` (texts matching the suite's number pattern),
    NaN elsewhere: correctly rounded like Python's ``float`` (``1e999`` → inf), through pyarrow's
    parser, which is an order of magnitude faster than ``pd.to_numeric`` on many distinct values
    (and, unlike it, never off by one unit in the last place, e.g. for ``100E50``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(texts), np.nan)
    if ok.any():
        chosen = texts[ok]
        try:
            out[ok] = pc.cast(pa.array(chosen.to_numpy(dtype=object), type=pa.string()), pa.float64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not expected for pattern-checked texts: the slow way
            with np.errstate(over="ignore"):
                out[ok] = pd.to_numeric(chosen, errors="coerce").to_numpy(dtype="float64")
    return out


def may_carry_unit(values: pd.Series) -> bool:
    """Whether any of ``values`` has a character a number does not (a unit, text): cheap to ask
    of the distinct values before :func:`without_unit` looks at rows."""
    return bool(values.str.contains(_NOT_NUMBER_CHAR).fillna(False).any())


def _strip_unit(text: str, unit_names: frozenset[str] | None) -> str:
    """``text`` without the unit written after its number when that unit is one of ``unit_names``."""
    m = _NUMBER_AND_UNIT.match(text) if unit_names and _HAS_SUFFIX.match(text) else None
    return m.group(1) if m is not None and unit_names and m.group(2).strip().casefold() in unit_names else text


def without_unit(values: pd.Series, indicator_ids: pd.Series, catalog: Catalog) -> pd.Series:
    """Values with the indicator's own unit written after the number (``12 %``, ``3,5 Std.``,
    ``1.234,50 €``) reduced to the number; any other text is left for the number check.

    ``values`` and ``indicator_ids`` are categoricals on the same rows; the work is done once per
    distinct (value, indicator) pair among the values that carry more than a number."""
    texts = cat_values(values)
    candidate = np.append(text_series(texts).str.contains(_NOT_NUMBER_CHAR).fillna(False).to_numpy(dtype=bool), False)
    codes = cat_codes(values).astype(np.int64)
    rows = np.flatnonzero(candidate[codes])
    if not len(rows):
        return values
    ind_codes = cat_codes(indicator_ids).astype(np.int64)[rows]
    ind_ids = np.append(cat_values(indicator_ids), np.array([None], dtype=object))
    pairs = Distinct([(codes[rows], len(texts)), (ind_codes, len(ind_ids) - 1)])
    names: dict[str | None, frozenset[str] | None] = {}
    for ind_id in set(ind_ids[pairs.codes[1]].tolist()):
        ind = catalog.indicators.get(ind_id) if isinstance(ind_id, str) else None
        unit = catalog.units.get(ind.unit) if ind is not None else None
        names[ind_id] = None if unit is None else frozenset(
            n.strip().casefold() for n in (unit.id, unit.symbol, unit.name.de, unit.name.en, *unit.aliases))
    reduced = [_strip_unit(texts[v], names[i]) for v, i in zip(pairs.codes[0].tolist(),
                                                                ind_ids[pairs.codes[1]].tolist(), strict=True)]
    extended = pd.Index([*texts.tolist(), *reduced], dtype=object).unique()  # old categories keep their codes
    new_codes = codes.copy()
    new_codes[rows] = pairs.spread(extended.get_indexer(pd.Index(reduced, dtype=object)))
    return categorical(new_codes, extended, values.index)


# what people write instead of leaving a value out ("keine Angabe", "nicht verfügbar", dashes)
_NO_VALUE_MARKERS = frozenset({"ka", "keineangabe", "keineangaben", "nv", "n/v", "n/a", "na", "nichtverfügbar",
                               "-", "–", "—", "--", "?", "x", "tbd", "offen", "fehlt", "none", "null"})


def number_hint(value: str, style: str) -> str:
    """The hint id for a cell that is not a number (see :data:`impact.intake.problems.HINTS`)."""
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


def whole_number_text(value: str, number: float) -> str:
    """What a whole number meant by ``value`` may look like: ``2.480`` → ``2480``, ``2,5`` → ``3``."""
    digits = value.strip().replace(".", "").replace(" ", "")
    if re.fullmatch(r"[+-]?[0-9]+", digits) and "." in value:
        return digits
    return str(int(round(number))) if np.isfinite(number) else "1"
