"""Running the expectation suite with Great Expectations (GX), and exporting it as GX JSON.

GX is imported lazily and only once per process (it takes about a second even after the
deferrals in :func:`_gx`); nothing else in intake imports it, so reading a file and an
unreadable file never pay for it. Failing rows come back as index labels: the frame's index is
the spreadsheet row number.
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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.files import atomic_write_text
from impact.intake.expectations import CATEGORICAL_COLUMNS, HELPER_COLUMNS, Check, Failure, SuiteError, row_checks

__all__ = ["build_suite", "export_suites", "fit_value_sets", "gx_frame", "run_checks", "suite_json"]

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


def export_suites(catalog: Catalog, out_dir: str | Path, *, today: dt.date) -> list[Path]:
    """Write the suites as GX JSON, one file per suite, and return the paths.

    ``impact_submission.json`` checks any submission; ``impact_submission_<project>.json``
    additionally allows only that project's rows (what a portal token for it accepts). ``today``
    is the day the "not in the future" rule compares with.
    """
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
                                     "impact.intake.prepare.prepare(); meta.code is the problem code reported.",
                             "helper_columns": HELPER_COLUMNS})
        path = out / f"{name}.json"
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        written.append(path)
    return written
