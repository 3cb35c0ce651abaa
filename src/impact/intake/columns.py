"""The header of a submission: German aliases, canonical column names, and the table of strings.

Column contracts come from :mod:`impact.core.schema`; here live only the spellings people use
for them (case and surrounding blanks ignored) and the step from a grid of cells to a
:class:`RawTable` with canonical columns: unknown, duplicate and missing columns, title rows
above the header, Excel's dates for typed months, blank rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from impact.core.errors import Problem
from impact.core.schema import SUBMISSION_COLUMNS, SUBMISSION_REQUIRED
from impact.intake.codes import cat_codes, cat_values, categorical, recode
from impact.intake.problems import closest, problem

__all__ = ["ALIASES", "INFO_COLUMNS", "RawTable", "build_table", "canonical_column"]

#: accepted header spellings (compared case-insensitively, blanks around ignored)
ALIASES: dict[str, str] = {
    **{c: c for c in SUBMISSION_COLUMNS},
    "projekt": "project_id", "indikator": "indicator_id", "zeitraum": "period", "wert": "value",
    "einheit": "unit", "aufschlüsselung": "breakdown", "ausprägung": "breakdown_value",
    "anmerkung": "note", "quelle": "source", "qualität": "quality", "nachweis": "evidence",
    # forgiving variants seen in practice
    "project": "project_id", "indicator": "indicator_id", "projekt_id": "project_id",
    "indikator_id": "indicator_id", "aufschluesselung": "breakdown", "auspraegung": "breakdown_value",
    "project id": "project_id", "indicator id": "indicator_id", "breakdown value": "breakdown_value",
    "qualitaet": "quality",
}

#: columns a template adds for the reader (e.g. the indicator's name beside its id): accepted in a
#: submission and ignored without a warning
INFO_COLUMNS: dict[str, str] = {
    "indicator_name": "indicator_name", "indikatorname": "indicator_name", "indicator name": "indicator_name",
    "name des indikators": "indicator_name", "indikator (name)": "indicator_name",
}

# Excel turns "2024-05" typed into a cell into the date 2024-05-01 (read back as this text).
_SPREADSHEET_MONTH = re.compile(r"^\d{4}-\d{2}-01(?:[ T]00:00(?::00)?)?$")


@dataclass
class RawTable:
    """The submission as text.

    ``frame`` has one column per submission column (canonical names; categoricals of the cell
    texts as written, an absent column's cells ``""``); its index is the spreadsheet row number
    (header = row 1). Blank rows are dropped (they keep their numbers). ``headers`` maps canonical name → name as written in the file.
    ``number_style`` is ``"de"`` (``;`` CSV: decimal comma, dot groups thousands), ``"en"``
    (``,`` CSV: decimal dot) or ``"xlsx"`` (numbers come as numbers, text cells are read as in
    a ``;`` CSV); ``typed_numbers`` marks the rows whose value cell was a number cell (xlsx).
    """

    file: str
    frame: pd.DataFrame
    headers: dict[str, str]
    number_style: str
    encoding: str | None = None
    separator: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0
    typed_numbers: np.ndarray | None = None

    def header(self, column: str) -> str:
        """The column name as written in the file (or the canonical name when absent)."""
        return self.headers.get(column, column)


def _key(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").split()).casefold()


def canonical_column(name: str) -> str | None:
    """The canonical column for a header cell (German aliases, case and blanks ignored), or ``None``."""
    key = _key(name)
    return ALIASES.get(key) or ALIASES.get(key.replace(" ", "_")) or ALIASES.get(key.replace("-", "_"))


def _info_column(name: str) -> bool:
    key = _key(name)
    return key in INFO_COLUMNS or key.replace(" ", "_") in INFO_COLUMNS


def _late_header(frame: pd.DataFrame) -> int | None:
    """The spreadsheet row (among the first 20) that holds the column names, when it is not row 1."""
    for row, cells in frame.head(19).iterrows():
        found = {canonical_column(c) for c in cells.astype(str) if c.strip()}
        if len(found & set(SUBMISSION_REQUIRED)) >= 2:
            return int(row)  # type: ignore[call-overload]
    return None


def _header_problems(header: list[str], frame: pd.DataFrame) -> tuple[dict[str, str], dict[int, str],
                                                                       list[Problem], list[Problem]]:
    """(canonical → written name, column position → canonical, errors, warnings) of the header row."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    headers: dict[str, str] = {}
    keep: dict[int, str] = {}
    unknown: list[str] = []
    for i, raw in enumerate(header):
        label = str(raw).replace("\ufeff", "").strip()
        canon = canonical_column(label)
        if canon is None:
            if _info_column(label):
                continue
            if label:
                unknown.append(label)
            elif i < frame.shape[1] and frame[i].str.strip().ne("").any():
                unknown.append(f"#{i + 1}")
            continue
        if canon in headers:
            errors.append(problem("duplicate_column", 1, label))
            continue
        headers[canon] = label
        keep[i] = canon
    late_header = _late_header(frame) if not any(c in headers for c in SUBMISSION_REQUIRED) else None
    for col in SUBMISSION_REQUIRED:
        if col in headers:
            continue
        if late_header is not None:  # title rows above the column names
            errors.append(problem("missing_column", 1, col, hint="header_row", hint_args={"row": late_header}))
            continue
        near = next((u for u in unknown if closest(u, [col, *(k for k, v in ALIASES.items() if v == col)], 0.7)), None)
        if near:
            unknown.remove(near)
            errors.append(problem("missing_column", 1, col, hint="did_you_mean_column",
                                  hint_args={"found": near, "column": col}))
        else:
            errors.append(problem("missing_column", 1, col))
    for u in unknown:
        sugg = closest(u, [c for c in SUBMISSION_COLUMNS if c not in headers], 0.7)
        warnings.append(problem("unknown_column", 1, u, hint="did_you_mean" if sugg else None,
                                hint_args={"suggestion": sugg}))
    return headers, keep, errors, warnings


def _text_category(col: pd.Series) -> pd.Series:
    """A column of cells as a categorical of text (each distinct cell text once)."""
    return col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("str").astype("category")


def _blank_rows(columns: list[pd.Series], n: int) -> np.ndarray:
    """Rows whose every cell is blank (worked out on each column's distinct texts)."""
    blank = np.ones(n, dtype=bool)
    for col in columns:
        if not blank.any():
            break
        empty = np.array([not t.strip() for t in cat_values(col).tolist()] + [True], dtype=bool)  # -1: no cell
        blank &= empty[cat_codes(col)]
    return blank


def build_table(name: str, header: list[str], frame: pd.DataFrame, style: str, encoding: str | None,
                sep: str | None, errors: list[Problem], numeric: np.ndarray | None = None) -> RawTable:
    """The :class:`RawTable` of a grid of strings (``frame``: columns by position, rows in file order).

    ``numeric`` (xlsx only) marks the cells that were number cells, same shape as ``frame``.
    """
    frame = frame.copy()
    frame.columns = list(range(frame.shape[1]))
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    headers, keep, header_errors, warnings = _header_problems(header, frame)
    errors = [*errors, *header_errors]
    cells = {i: _text_category(frame[i]) for i in range(frame.shape[1])}
    given = {canon: cells[i] for i, canon in keep.items()}
    absent = categorical(np.zeros(len(frame), dtype=np.int8), pd.Index([""], dtype=object), frame.index)
    out = pd.DataFrame({col: given.get(col, absent) for col in SUBMISSION_COLUMNS}, index=frame.index)
    typed = None
    if numeric is not None:
        value_pos = next((i for i, c in keep.items() if c == "value"), None)
        typed = numeric[:, value_pos] if value_pos is not None else np.zeros(len(frame), dtype=bool)
    if style == "xlsx" and len(out):  # Excel turns "2024-05" typed into a cell into the date 2024-05-01
        texts = cat_values(out["period"]).tolist()
        if any(_SPREADSHEET_MONTH.match(t) for t in texts):
            out["period"] = recode(out["period"], [t[:7] if _SPREADSHEET_MONTH.match(t) else t for t in texts])
    # drop rows blank in every column (Excel exports trailing ;;;; lines) and unreadable rows
    bad_rows = [p.row for p in errors if p.code == "bad_row"]
    if frame.shape[1]:
        keep_rows = ~_blank_rows(list(cells.values()), len(frame)) & ~out.index.isin(bad_rows)
    else:
        keep_rows = np.zeros(len(out), dtype=bool)
    if not keep_rows.all():
        out = out.loc[keep_rows]
    if typed is not None:
        typed = np.asarray(typed, dtype=bool)[keep_rows]
    return RawTable(name, out, headers, style, encoding, sep, errors, warnings, len(out) + len(bad_rows), typed)


def table_from_rows(name: str, header: list[str], rows: list[list[str]], style: str, encoding: str | None,
                    sep: str | None, errors: list[Problem], numeric: np.ndarray | None = None) -> RawTable:
    """:func:`build_table` for rows given as lists of strings (each as wide as ``header``)."""
    width = len(header)
    cols = list(zip(*rows, strict=True)) if rows else [()] * width
    frame = pd.DataFrame({i: pd.Series(list(c), dtype="str") for i, c in enumerate(cols)})
    if frame.shape[1] != width:  # pragma: no cover - zip guarantees it
        frame = frame.reindex(columns=range(width), fill_value="")
    return build_table(name, header, frame, style, encoding, sep, errors, numeric)
