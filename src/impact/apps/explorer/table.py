"""The values behind a selection: an HTML table on the page and a CSV download link.

The table shows the first :data:`PREVIEW_ROWS` rows with numbers in the reader's notation; the
CSV (UTF-8 with BOM, formula-safe, :func:`impact.apps.explorer.data.selection_csv`) has every
row with raw numbers and is delivered as a ``data:`` URI, so a download needs no server round
trip. A link is regenerated on demand and cleared whenever the selection changes, so a stale
link never outlives its selection. Every cell is escaped: notes and ids come from submitted files.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from typing import Any

import ipywidgets as w
import pandas as pd

from impact.apps.explorer.data import TABLE_COLUMNS, selection_csv, value_table_empty
from impact.core.i18n import N_, format_number, is_missing, texts
from impact.reports.naming import QUALITY, REVIEW_STATES

__all__ = ["COLUMN_NAMES", "PREVIEW_ROWS", "TableView", "html_table"]

PREVIEW_ROWS = 200
COLUMN_NAMES = {
    "project_id": N_("Project"), "indicator_id": N_("Indicator id"), "indicator": N_("Indicator"),
    "period": N_("Period"), "breakdown": N_("Breakdown"), "breakdown_value": N_("Breakdown value"),
    "value": N_("Value"), "unit": N_("Unit"), "note": N_("Note"), "submission_id": N_("Submission id"),
    "quality": N_("Data quality"), "review_state": N_("Review"), "evidence": N_("Evidence"),
}


def _cell(column: str, value: Any, lang: str) -> str:
    """One cell as HTML: numbers in the reader's notation, quality grade and review state in words,
    evidence as a link when it is a web address; submitted text escaped."""
    if is_missing(value) or value == "":
        return ""
    if isinstance(value, float):
        return format_number(value, lang, digits=3)
    text = str(value)
    if column in ("quality", "review_state"):
        _ = texts(lang)
        names = QUALITY if column == "quality" else REVIEW_STATES
        return html.escape(_(names[text]) if text in names else text)
    if column == "evidence" and text.lower().startswith(("https://", "http://")):
        shown = text if len(text) <= 48 else text[:47] + "…"
        return f'<a href="{html.escape(text, quote=True)}" target="_blank" rel="noopener noreferrer">{html.escape(shown)}</a>'
    return html.escape(text)


def html_table(table: pd.DataFrame, lang: str) -> str:
    """``table`` (columns :data:`TABLE_COLUMNS`) as an HTML table with headers in ``lang``."""
    _ = texts(lang)
    head = "".join(f'<th scope="col">{html.escape(_(COLUMN_NAMES[c]))}</th>' for c in table.columns)
    columns = list(table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(c, v, lang)}</td>" for c, v in zip(columns, row, strict=True))
                   + "</tr>"
                   for row in table.itertuples(index=False, name=None))
    return f'<table class="impact-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


class TableView:
    """Table of the underlying values, the download button and the download link."""

    def __init__(self) -> None:
        self.view = w.HTML()
        self.download_button = w.Button(icon="download")
        self.download_link = w.HTML()
        self.widget = w.VBox([self.view, w.HBox([self.download_button, self.download_link])])
        self.table = value_table_empty()
        self.last_csv: bytes | None = None

    def relabel(self, lang: str) -> None:
        """Button texts in ``lang``; the table is redrawn by :meth:`show`."""
        _ = texts(lang)
        self.download_button.description = _("Selection as CSV")
        self.download_button.tooltip = _("Creates a download link for the table shown")
        self.download_link.value = ""

    def show(self, table: pd.DataFrame, lang: str) -> None:
        """Show ``table`` (a frame with :data:`TABLE_COLUMNS`); clears a previous download link."""
        _ = texts(lang)
        self.table = table
        self.download_link.value = ""
        title = _("Underlying values")
        count = _.ngettext("{n} row", "{n} rows", len(table), n=format_number(len(table), lang))
        head = f'<h2 style="font-size:1.2em">{html.escape(title)} ({html.escape(count)})</h2>'
        if table.empty:
            empty = _("No values for this selection.")
            self.view.value = head + f"<p>{html.escape(empty)}</p>"
            return
        more = ""
        if len(table) > PREVIEW_ROWS:
            rest = _("… {n} more rows (all of them in the CSV)", n=format_number(len(table) - PREVIEW_ROWS, lang))
            more = f"<p>{html.escape(rest)}</p>"
        self.view.value = (head + '<div style="max-height:24em;overflow:auto;font-size:90%" tabindex="0" '
                           f'role="region" aria-label="{html.escape(title)}">'
                           + html_table(table.head(PREVIEW_ROWS)[list(TABLE_COLUMNS)], lang) + "</div>" + more)

    def make_link(self, lang: str, as_of: dt.date | None) -> str:
        """Regenerate the download link for the current table; returns its HTML."""
        _ = texts(lang)
        data = selection_csv(self.table)
        self.last_csv = data
        stamp = as_of.isoformat() if as_of else _("undated")
        name = _("impact-selection-{date}.csv", date=stamp)
        href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
        text = _.ngettext("Download CSV ({n} row)", "Download CSV ({n} rows)", len(self.table),
                          n=format_number(len(self.table), lang))
        self.download_link.value = (f'<a download="{html.escape(name)}" href="{href}" target="_blank">'
                                    f"{html.escape(text)}</a>")
        return str(self.download_link.value)
