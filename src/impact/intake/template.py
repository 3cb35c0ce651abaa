"""Ready-to-fill submission templates for one project.

A template lists the project's indicators with their name and unit and the periods now due:
those after the latest stored period (from the project's start when nothing is stored) up to
today, and at least the current one. Filled in (only the value column), it validates: the name
column (``Indikatorname`` / ``indicator_name``) is an information column that intake accepts
and ignores. The columns ``Qualität``/``quality`` and ``Nachweis``/``evidence`` are there to be
filled in where needed (an empty quality takes the indicator's default; evidence is required for
indicators marked so); the explanation names both per indicator.

* ``xlsx``: sheet "Werte" (values to fill in; the two header cells carry a comment explaining
  quality and evidence, the quality column offers the German grades as a list) and sheet
  "Indikatoren" (each indicator explained in German and English: name, definition, unit,
  frequency, valid range, breakdowns, default quality, whether evidence is required).
* ``csv``: German-Excel friendly (semicolon, UTF-8 with BOM); the explanation is the companion
  file ``<name>.indikatoren.csv`` (:func:`companion_csv`, :func:`companion_name`).

Labels are in the template's language (``lang``; German by default), the explanation's column
labels and words in that language and English. Pure functions returning bytes, so the
submission portal can offer them as downloads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pandas as pd

from impact.core.catalog import Catalog, Indicator
from impact.core.i18n import N_, SOURCE_LANG, normalise_lang, texts
from impact.core.periods import Period, parse_period
from impact.intake.problems import FREQUENCY
from impact.intake.quality import GERMAN_GRADES

__all__ = ["TEMPLATE_HEADER", "build_template", "companion_csv", "companion_name", "due_periods", "template_header",
           "template_rows"]

#: the columns of a template (canonical names; the header uses the German aliases in German)
_COLUMNS = ("project_id", "indicator_id", "period", "value", "unit", "breakdown", "breakdown_value", "note",
            "source", "quality", "evidence", "indicator_name")
_GERMAN = ("Projekt", "Indikator", "Zeitraum", "Wert", "Einheit", "Aufschlüsselung", "Ausprägung", "Anmerkung",
           "Quelle", "Qualität", "Nachweis", "Indikatorname")
#: the header of a German template (the German aliases of the submission columns)
TEMPLATE_HEADER = _GERMAN
_DIRECTION = {"higher_is_better": N_("higher is better"), "lower_is_better": N_("lower is better"),
              "target_band": N_("target band")}
_EXPLAIN = (N_("Unit"), N_("Frequency"), N_("Minimum"), N_("Maximum"), N_("Breakdowns"), N_("Direction"),
            N_("Impact step"), N_("Quality (default)"), N_("Evidence"))
#: what the quality and evidence columns take (the comments on their header cells in the xlsx)
QUALITY_NOTE = N_("How the value was obtained: measured, counted, surveyed, estimated or proxy (in German: gemessen, "
                  "gezählt, erhoben, geschätzt, Näherung). Empty: the indicator's default (sheet 'Indicators').")
EVIDENCE_NOTE = N_("What proves the value: a web link (https://…) or a document reference (title, file number, "
                   "date). Required for the indicators marked so in sheet 'Indicators'.")
_EVIDENCE = {True: N_("required"), False: N_("optional")}


def template_header(lang: str = "de") -> tuple[str, ...]:
    """The header row: German aliases in German, the canonical column names otherwise."""
    return _GERMAN if normalise_lang(lang) == "de" else _COLUMNS


def _both(message: str, lang: str) -> str:
    """A label in the template's language and in English (``Einheit / Unit``)."""
    own, english = texts(lang)(message), texts(SOURCE_LANG)(message)
    return english if own == english else f"{own} / {english}"


def _latest_stored(history: pd.DataFrame | None, project_id: str) -> dict[str, Period]:
    """Latest stored total period per indicator of ``project_id``."""
    if history is None or history.empty or not {"project_id", "indicator_id", "period"}.issubset(history.columns):
        return {}
    h = history[history["project_id"].astype(str) == project_id]
    if "breakdown" in h:
        h = h[h["breakdown"].fillna("").astype(str) == ""]
    out: dict[str, Period] = {}
    for ind, label in zip(h["indicator_id"].astype(str), h["period"].astype(str), strict=True):
        p = parse_period(label)
        if p is not None and (ind not in out or p > out[ind]):
            out[ind] = p
    return out


def due_periods(catalog: Catalog, project_id: str, indicator: Indicator, *, latest: Period | None = None,
                today: dt.date | None = None) -> list[Period]:
    """Periods due for ``indicator``: after ``latest`` (or from the runtime start) up to ``today``
    (default: the real date), within the project's runtime; at least the current period."""
    today = dt.date.today() if today is None else today
    project = catalog.projects[project_id]
    last_day = min(today, project.end) if project.end else today
    current = Period.containing(max(last_day, project.start), indicator.frequency)
    p = latest.next() if latest is not None and latest.frequency == indicator.frequency \
        else Period.containing(project.start, indicator.frequency)
    out = []
    while p.start <= last_day:
        out.append(p)
        p = p.next()
    return out or [current]


def template_rows(catalog: Catalog, project_id: str, *, history: pd.DataFrame | None = None,
                  today: dt.date | None = None, lang: str = "de") -> list[list[str]]:
    """The rows of a template (without header): one per indicator and due period, value empty,
    with the indicator's unit and its name in ``lang``."""
    if project_id not in catalog.projects:
        raise KeyError(project_id)
    latest = _latest_stored(history, project_id)
    rows = []
    for ind in catalog.indicators_for(project_id):
        unit = catalog.units.get(ind.unit)
        # the unit as the reader writes it (any of id, symbol, name, alias is accepted back)
        symbol = ind.unit if unit is None else unit.symbol if lang == "de" else unit.name.get(lang)
        for p in due_periods(catalog, project_id, ind, latest=latest.get(ind.id), today=today):
            rows.append([project_id, ind.id, p.label, "", symbol, "", "", "", "", "", "", _safe(ind.name.get(lang))])
    return rows


def _safe(text: Any) -> str:
    """Text that a spreadsheet will not run as a formula."""
    s = "" if text is None else str(text)
    return "'" + s if s[:1] in ("=", "+", "@") or (s[:1] == "-" and not _is_number(s)) else s


def _is_number(s: str) -> bool:
    try:
        float(s.replace(",", "."))
    except ValueError:
        return False
    return True


def _limit(x: float | None) -> str:
    return "" if x is None else f"{x:g}".replace(".", ",")


def _explain_header(lang: str) -> list[str]:
    _ = texts(lang)
    name, definition = _("Name"), _("Definition")
    return ["indicator_id", f"{name} (de)", f"{name} (en)", f"{definition} (de)", f"{definition} (en)",
            *(_both(m, lang) for m in _EXPLAIN)]


def _grade(grade: str | None, lang: str) -> str:
    """A quality grade as the template's reader writes it (``gezählt / counted``), ``""`` if none."""
    if grade is None:
        return ""
    german = GERMAN_GRADES.get(grade, grade)
    return f"{german} / {grade}" if normalise_lang(lang) == "de" else grade


def _explain_rows(catalog: Catalog, project_id: str, lang: str) -> list[list[str]]:
    rows = []
    for ind in catalog.indicators_for(project_id):
        unit = catalog.units.get(ind.unit)
        unit_text = f"{unit.symbol} ({unit.name.de} / {unit.name.en})" if unit else ind.unit
        bds = []
        for b in ind.breakdowns:
            bd = catalog.breakdowns.get(b)
            if bd:
                bds.append(f"{b} ({bd.name.de} / {bd.name.en}): {', '.join(bd.values)}")
        rows.append([_safe(v) for v in (
            ind.id, ind.name.de, ind.name.en, ind.definition.de, ind.definition.en, unit_text,
            _both(FREQUENCY[ind.frequency], lang) if ind.frequency in FREQUENCY else ind.frequency,
            _limit(ind.min), _limit(ind.max), " | ".join(bds),
            _both(_DIRECTION[ind.direction], lang) if ind.direction in _DIRECTION else ind.direction,
            str(ind.impact_step), _grade(ind.quality, lang), _both(_EVIDENCE[ind.evidence_required], lang))])
    return rows


def _csv_bytes(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def companion_name(name: str) -> str:
    """``kiezbox.csv`` → ``kiezbox.indikatoren.csv``."""
    stem = name[:-4] if name.lower().endswith(".csv") else name
    return f"{stem}.indikatoren.csv"


def companion_csv(catalog: Catalog, project_id: str, *, lang: str = "de") -> bytes:
    """The explanation of the project's indicators (German and English) as a semicolon CSV."""
    return _csv_bytes(_explain_header(lang), _explain_rows(catalog, project_id, lang))


def build_template(catalog: Catalog, project_id: str, fmt: str = "xlsx", history: pd.DataFrame | None = None,
                   today: dt.date | None = None, *, lang: str = "de") -> bytes:
    """A ready-to-fill template for ``project_id`` as ``csv`` or ``xlsx`` bytes, labelled in ``lang``.

    ``today`` (default: the real date) ends the due periods. Raises ``KeyError`` for an unknown
    project and ``ValueError`` for an unknown format.
    """
    lang = normalise_lang(lang)
    rows = template_rows(catalog, project_id, history=history, today=today, lang=lang)
    header = template_header(lang)
    if fmt == "csv":
        return _csv_bytes(header, rows)
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    _ = texts(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Values")
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    for col in ("A", "B", "C", "E", "F", "G", "H", "I", "J", "K", "L"):
        for cell in ws[col]:
            cell.number_format = "@"  # text: Excel must not turn 2024-05 into a date
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKL", (22, 34, 11, 12, 10, 16, 16, 30, 20, 14, 40, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws["J1"].comment = Comment(_(QUALITY_NOTE), "impact", width=320, height=110)
    ws["K1"].comment = Comment(_(EVIDENCE_NOTE), "impact", width=320, height=110)
    # a choice list, not a restriction: English grades and other spellings are accepted too
    grades = GERMAN_GRADES.values() if lang == "de" else GERMAN_GRADES.keys()
    choice = DataValidation(type="list", formula1='"' + ",".join(grades) + '"', allow_blank=True,
                            showErrorMessage=False)
    choice.add(f"J2:J{max(len(rows) + 1, 2) + 500}")
    ws.add_data_validation(choice)
    ws.freeze_panes = "A2"
    info = wb.create_sheet(_("Indicators"))
    info.append(_explain_header(lang))
    for r in _explain_rows(catalog, project_id, lang):
        info.append(r)
    for cell in info[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
