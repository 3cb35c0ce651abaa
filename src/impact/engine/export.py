"""Open-data export of the accepted values and the computed scores.

Tables (one file each, same names in every format):

| table               | content                                                                        |
|---------------------|--------------------------------------------------------------------------------|
| ``values``          | the current values as of the export date (corrections applied), totals and     |
|                     | breakdowns, with provenance (``submission_id``, ``received_at``), quality     |
|                     | grade, evidence and review state (empty where the store has none). Not exported:|
|                     | ``token_id`` (internal access token) and ``file_name`` (uploaders' file names  |
|                     | may contain personal names), and the spreadsheet ``row``.                      |
| ``indicator_scores``| one row per project × indicator: value, progress, status, trend, forecast      |
| ``group_scores``    | scores and coverage per guiding idea, principle, perspective, overall          |
| ``ladder``          | impact ladder per project and level                                            |
| ``completeness``    | expected/received submissions; ``overdue`` as space-separated period labels   |
| ``tradeoffs``       | declared trade-off pairs per project: recent change of both series, diverging  |
| ``targets``         | every target version (valid from, reason, decided by), effect, tolerance       |
| ``milestones``      | dated intermediate goals per target version                                    |
| ``references``      | SDG / ISO 37120 / ISO 37122 / SDG-Kommunen / Berlin strategy ids per indicator |

``indicator_scores`` carries effect, tolerance and its status, the original target and progress
against it. The last four tables need the catalog (``export_tables(..., catalog)``).

Formats: ``csv`` (UTF-8, comma, ``\\n``), ``parquet``, and ``datapackage`` — the CSV files plus a
``datapackage.json`` (Frictionless Data Package, tabular, with a Table Schema per file; ``quality``,
``evidence`` and ``review_state`` are described there, ``quality`` limited to the catalog's grades).

**Formula neutralisation (CSV only).** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return would be executed as a formula by spreadsheet programs ("CSV
injection"); such cells get a leading ``'``. Only *text* columns are touched: numbers stay
numbers (``-3.5`` in a numeric column is written as is), and a text cell that is just a plain
number (``-5``, ``+1,5``) is left alone because spreadsheets read it as that number anyway.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import QUALITY_GRADES
from impact.core.files import atomic_write_text, atomic_write_with
from impact.engine.catalog_tables import catalog_tables
from impact.engine.current import current_values
from impact.engine.evaluation import Evaluation

__all__ = [
    "FORMATS",
    "TABLES",
    "export_tables",
    "neutralise_cell",
    "neutralise_frame",
    "table_schema",
    "write_export",
]

FORMATS = ("csv", "parquet", "datapackage")
TABLES = ("values", "indicator_scores", "group_scores", "ladder", "completeness", "tradeoffs", "targets",
          "milestones", "references")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")

VALUE_EXPORT_COLUMNS = ["project_id", "indicator_id", "period", "period_start", "period_end", "breakdown",
                        "breakdown_value", "value", "unit", "note", "source", "quality", "evidence", "review_state",
                        "submission_id", "received_at"]

_DESCRIPTIONS: dict[str, str] = {
    "values": "Aktuelle Werte (Korrekturen berücksichtigt) / current values (corrections applied)",
    "indicator_scores": "Fortschritt, Status, Trend und Prognose je Projekt und Indikator / "
                        "progress, status, trend and forecast per project and indicator",
    "group_scores": "Scores und Abdeckung je Leitgedanke, Prinzip, Zukunftsperspektive und gesamt / "
                    "scores and coverage per guiding idea, principle, perspective and overall",
    "ladder": "Wirkungstreppe je Projekt / impact ladder per project",
    "completeness": "Vollständigkeit der Einreichungen / completeness of submissions",
    "tradeoffs": "Zielkonflikte: jüngste Veränderung beider Reihen je Paar / trade-offs: recent change of both "
                 "series per declared pair",
    "targets": "Zielwerte mit Änderungshistorie, Begründung und Toleranzen / targets with their history, reasons "
               "and tolerances",
    "milestones": "Meilensteine (kurz-, mittel-, langfristig) je Zielfassung / milestones per target version",
    "references": "Bezüge zu SDG, ISO 37120/37122, SDG-Kommunen und Berliner Strategien / references to SDG, "
                  "ISO 37120/37122, SDG-Kommunen and Berlin strategies",
}


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _is_text(col: pd.Series) -> bool:
    return bool(pd.api.types.is_string_dtype(col.dtype) or col.dtype == object)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are formula-safe (numeric columns unchanged)."""
    out = frame.copy()
    for name in out.columns:
        if _is_text(out[name]):
            out[name] = out[name].map(neutralise_cell).astype(object)
    return out


def _iso_date(x: Any) -> Any:
    if x is None or x is pd.NaT or (isinstance(x, float) and np.isnan(x)):
        return None
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    return x.isoformat() if isinstance(x, dt.date) else x


def _iso_utc(col: pd.Series) -> pd.Series:
    ts = pd.to_datetime(col, utc=True)
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype(object).where(ts.notna(), None)


def export_tables(evaluation: Evaluation, values: pd.DataFrame, catalog: Any = None) -> dict[str, pd.DataFrame]:
    """The open-data tables (see module docstring) for an evaluation of ``values``.

    Pure: dates become ISO text (``YYYY-MM-DD``; receipt times ``YYYY-MM-DDTHH:MM:SSZ``), lists
    become space-separated text. Inputs are not modified. The values are those the evaluation
    counted: its reference date and knowledge date.
    """
    cur = current_values(values, evaluation.as_of, known_at=evaluation.known_at).reindex(
        columns=VALUE_EXPORT_COLUMNS)
    keep = set(evaluation.project_ids())
    cur = cur[cur["project_id"].isin(keep)]
    cur = cur.assign(period_start=cur["period_start"].map(_iso_date).astype(object),
                     period_end=cur["period_end"].map(_iso_date).astype(object),
                     received_at=_iso_utc(cur["received_at"]))
    cur = cur.sort_values(["project_id", "indicator_id", "period_start", "breakdown", "breakdown_value"],
                          kind="stable").reset_index(drop=True)
    ind = evaluation.indicators.copy()
    for name in ("period_start", "baseline_date", "target_date"):
        ind[name] = ind[name].map(_iso_date).astype(object)
    comp = evaluation.completeness.copy()
    comp["overdue"] = comp["overdue"].map(lambda xs: " ".join(xs)).astype(object)
    extra = catalog_tables(catalog, evaluation.project_ids()) if catalog is not None else {}
    return {
        "values": cur,
        "indicator_scores": ind,
        "group_scores": evaluation.scores.copy(),
        "ladder": evaluation.ladder.copy(),
        "completeness": comp,
        "tradeoffs": evaluation.tradeoffs.copy(),
        **extra,
    }


_NULLABLE_BOOL = {"target_unlikely", "target_changed", "cumulative", "diverging", "current", "illustrative"}


def _field_type(name: str, col: pd.Series) -> str:
    if name in _NULLABLE_BOOL or pd.api.types.is_bool_dtype(col.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(col.dtype):
        return "integer"
    if pd.api.types.is_float_dtype(col.dtype):
        return "number"
    if name == "received_at":
        return "datetime"
    if name.endswith("_date") or name in ("period_start", "period_end", "valid_from", "date"):
        return "date"
    return "string"


_FIELD_NOTES: dict[str, str] = {
    "quality": "Datenqualität: gemessen, gezählt, erhoben, geschätzt, Näherung / quality grade: measured, "
               "counted, surveyed, estimated, proxy",
    "evidence": "Nachweis (URL oder Dokumentverweis) / evidence (URL or document reference)",
    "review_state": "Prüfstatus: pending (ungeprüft), queried (offene Rückfrage), approved (freigegeben) / "
                    "review state: pending, queried (open query), approved",
}


def _field(name: str, col: pd.Series) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": _field_type(name, col)}
    if name in _FIELD_NOTES:
        field["description"] = _FIELD_NOTES[name]
    if name == "quality":
        field["constraints"] = {"enum": list(QUALITY_GRADES)}
    return field


def table_schema(name: str, frame: pd.DataFrame) -> dict[str, Any]:
    """A Frictionless Table Schema for one exported table."""
    fields = [_field(str(c), frame[c]) for c in frame.columns]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    # (values: no primary key — the total's empty breakdown cells read as missing values)
    keys = {"indicator_scores": ["project_id", "indicator_id"],
            "group_scores": ["scope", "group_type", "group_id"],
            "ladder": ["project_id", "level"],
            "completeness": ["project_id", "indicator_id"],
            "targets": ["project_id", "indicator_id", "version"]}.get(name)
    if keys and all(k in frame.columns for k in keys):
        schema["primaryKey"] = keys
    return schema


def _parquet_writer(frame: pd.DataFrame) -> Any:
    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)
    return write


def _csv_text(frame: pd.DataFrame) -> str:
    safe = neutralise_frame(frame)
    for name in safe.columns:  # booleans as true/false, not Python's True/False
        if _field_type(str(name), frame[name]) == "boolean":
            safe[name] = safe[name].map(lambda v: "" if v is None or v is pd.NA or (
                isinstance(v, float) and np.isnan(v)) else ("true" if bool(v) else "false")).astype(object)
    return safe.to_csv(index=False, lineterminator="\n", na_rep="")


def write_export(tables: Mapping[str, pd.DataFrame], out_dir: str | Path, fmt: str = "csv", *,
                 as_of: dt.date | None = None, known_at: str | None = None, catalog_hash: str = "",
                 store_hash: str = "", catalog: Any = None) -> list[Path]:
    """Write ``tables`` to ``out_dir`` in ``fmt`` (``csv``, ``parquet`` or ``datapackage``).

    Each file is written atomically (:mod:`impact.core.files`), so a reader never sees half a file.
    ``as_of`` and ``known_at`` (ISO UTC text) are the two dates of the evaluation, stated in the
    package. Returns the written paths (``datapackage.json`` last).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, frame in tables.items():
        if fmt == "parquet":
            path = out / f"{name}.parquet"
            atomic_write_with(path, _parquet_writer(frame))
        else:
            path = out / f"{name}.csv"
            atomic_write_text(path, _csv_text(frame))
        written.append(path)
    if fmt == "datapackage":
        package: dict[str, Any] = {
            "profile": "tabular-data-package",
            "name": "berlin-smart-city-impact",
            "title": "Wirkungsmessung Smart City Berlin / Berlin smart-city impact measurement",
            "description": "Werte und Scores der Berliner Smart-City-Pilotprojekte / values and scores of "
                           "Berlin's smart-city pilot projects. Methodik / methodology: docs/methodology.md",
            "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resources": [
                {"name": name.replace("_", "-"), "path": f"{name}.csv", "profile": "tabular-data-resource",
                 "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                 "description": _DESCRIPTIONS.get(name, name), "schema": table_schema(name, frame)}
                for name, frame in tables.items()
            ],
        }
        if as_of is not None:
            package["as_of"] = as_of.isoformat()
        if known_at is not None:
            package["known_at"] = known_at
        if catalog_hash:
            package["catalog_hash"] = catalog_hash
        if store_hash:
            package["store_hash"] = store_hash
        path = out / "datapackage.json"
        atomic_write_text(path, json.dumps(package, ensure_ascii=False, indent=2) + "\n")
        written.append(path)
    return written
