"""Validating a submission: bytes → :class:`ValidationReport` (errors, warnings, accepted rows).

Steps, each in its own module: :mod:`~impact.intake.reading` turns bytes into a table of
strings; :mod:`~impact.intake.prepare` parses periods and numbers and looks catalog facts up into
helper columns; the Great Expectations suite of :mod:`~impact.intake.expectations` checks every
rule (run by :mod:`~impact.intake.gx`); :mod:`~impact.intake.failures` turns its failures into
problems with spreadsheet row numbers; :mod:`~impact.intake.plausibility` compares values with
the stored history; :mod:`~impact.intake.normalise` gives the accepted rows.

Library functions take every setting as an argument: ``today`` (default: the real date) and
``max_bytes`` (default :data:`impact.intake.files.DEFAULT_MAX_BYTES`); the CLI and the apps pass
what their settings say.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.errors import Problem, UnreadableFileError
from impact.core.schema import FRAME_COLUMNS
from impact.intake import expectations as ex
from impact.intake.columns import RawTable
from impact.intake.files import DEFAULT_MAX_BYTES, read_file
from impact.intake.numbers import whole_number_text
from impact.intake.prepare import AMBIGUOUS, prepare
from impact.intake.problems import problem
from impact.intake.reading import read_submission
from impact.intake.report import ValidationReport

__all__ = ["FRAME_COLUMNS", "ValidationReport", "prepare", "validate_bytes", "validate_file"]


def validate_file(path: str | Path, catalog: Catalog, **kwargs: Any) -> ValidationReport:
    """Validate the file at ``path`` (see :func:`validate_bytes`); an unreadable path is a file-level error."""
    max_bytes = kwargs.get("max_bytes") or DEFAULT_MAX_BYTES
    try:
        data = read_file(path, max_bytes=max_bytes)
    except UnreadableFileError as exc:
        return _unreadable_report(exc)
    return validate_bytes(data, Path(path).name, catalog, **kwargs)


def _unreadable_report(exc: UnreadableFileError) -> ValidationReport:
    return ValidationReport(exc.file, unreadable=True, errors=[exc.problem])


def validate_bytes(data: bytes, file_name: str, catalog: Catalog, *, history: pd.DataFrame | None = None,
                   today: dt.date | None = None, max_bytes: int | None = None,
                   only_project: str | None = None, engine: str = "fast") -> ValidationReport:
    """Validate a submission's bytes against ``catalog``.

    ``file_name`` is for messages (and the file type) only. ``today`` (default: the real date)
    is the day periods must have started by; ``max_bytes`` the upload limit (default
    :data:`~impact.intake.files.DEFAULT_MAX_BYTES`). ``only_project`` makes rows of other projects
    errors (``project_not_allowed``). ``history`` (stored value rows) enables the plausibility
    warnings and ``implausible_corrections``. ``engine`` runs the expectation suite with
    :mod:`~impact.intake.runner` (``"fast"``, the default) or with Great Expectations itself
    (``"gx"``); both give the same outcome. Never raises for bad input.
    """
    today = dt.date.today() if today is None else today
    try:
        table = read_submission(data, file_name, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    except UnreadableFileError as exc:
        return _unreadable_report(exc)
    report = ValidationReport(table.file, rows=table.rows, errors=list(table.errors), warnings=list(table.warnings))
    order = {table.header(c): n for n, c in enumerate(ex.USER_COLUMNS, 1)}
    if any(p.code in ("missing_column", "duplicate_column") for p in table.errors):
        report.errors = _sorted(report.errors, order)
        return report
    from impact.intake.failures import failure_problems

    frame = prepare(table, catalog)
    checks = ex.cached_row_checks(catalog, today=today, only_project=only_project)
    if engine == "gx":
        from impact.intake.gx import run_checks

        failures = run_checks(frame, checks)
    elif engine == "fast":
        from impact.intake.runner import run_suite

        failures = run_suite(frame, checks)
    else:
        raise ValueError(f"unknown engine {engine!r} (fast or gx)")
    report.errors.extend(failure_problems(failures, frame, table, catalog, today, only_project))
    report.warnings.extend(_ambiguous_numbers(frame, table, report.errors))
    if (history is not None and not history.empty) or any(getattr(i, "cumulative", False)
                                                           for i in catalog.indicators.values()):
        from impact.intake.plausibility import check_plausibility

        plausible = check_plausibility(frame, table, history, catalog)
        report.warnings.extend(plausible.warnings)
        report.implausible_corrections = plausible.corrections
    report.errors = _sorted(report.errors, order)
    report.warnings = _sorted(report.warnings, order)
    if report.valid:
        from impact.intake.normalise import normalised

        report._build = functools.partial(normalised, frame, catalog)
    return report


def _sorted(problems: list[Problem], order: dict[str, int]) -> list[Problem]:
    """By row (file-level first), then column in the submission format's order, then code."""
    return sorted(problems, key=lambda p: (p.row if p.row is not None else -1,
                                           (0 if p.column is None else order.get(p.column, len(order) + 1)), p.code))


def _ambiguous_numbers(f: pd.DataFrame, table: RawTable, errors: list[Problem]) -> list[Problem]:
    """``ambiguous_number``: ``2.480`` in a comma file, read as 2.48 (a German clerk may mean 2480)."""
    rows = f.index[f[AMBIGUOUS].to_numpy(dtype=bool) & f[ex.H_VALUE_NUM].notna().to_numpy()]
    if not len(rows):
        return []
    column = table.header("value")
    failed = {p.row for p in errors if p.column == column}
    out = []
    for row in rows.tolist():
        if row in failed:
            continue
        text, number = str(f.at[row, "value"]), float(f.at[row, ex.H_VALUE_NUM])
        out.append(problem("ambiguous_number", row, column, hint="thousands_dot",
                           hint_args={"whole": whole_number_text(text, np.nan)}, value=text, read=number))
    return out
