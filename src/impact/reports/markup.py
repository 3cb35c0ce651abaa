"""HTML building blocks of the report sections, and how they are displayed in a kernel.

Every value that is not ours — submitted notes above all — is HTML-escaped here, so a note
containing ``<script>`` shows as text and never runs. Charts are displayed as plotly's JSON
mimetype (JupyterLab draws it natively; the HTML export turns it into a ``<div>``), each followed
by its text alternative: a collapsible table with the same numbers.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.core.i18n import MISSING, format_date, format_number, is_missing, texts

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.figures import Chart

__all__ = ["STYLE", "Markup", "esc", "frame_table", "heading", "hint", "labelled", "para", "readable", "show", "show_chart", "table_html"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
NUM_CELL = '<td class="num">'

STYLE = """<style>
.impact-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;max-width:72rem}
.impact-report h1{font-size:1.8rem;margin:.2rem 0}.impact-report h2{font-size:1.4rem;margin-top:1.6rem;border-bottom:2px solid #0072B2}
.impact-report h3{font-size:1.15rem;margin-top:1.2rem}
.impact-report table.impact-table{border-collapse:collapse;margin:.5rem 0 1rem 0;font-size:.92rem;table-layout:auto}
.impact-report table.impact-table caption{text-align:left;font-weight:600;padding:.2rem 0}
.impact-report table.impact-table th,.impact-report table.impact-table td,.impact-report table.impact-table tr{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
.impact-report table.impact-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.impact-report table.impact-table thead th{background:#f0f0f0}
.impact-warn{color:#a33c00}
.impact-meta{color:#333}.impact-hint{color:#444;font-style:italic}
.impact-notice{border-left:4px solid #E69F00;padding:.4rem .7rem;background:#fff8e6}
.impact-alt summary{cursor:pointer;color:#0072B2}
.impact-note{white-space:pre-wrap;border-left:4px solid #56B4E9;padding:.3rem .6rem;margin:.4rem 0;background:#f7fbff}
.impact-status{font-weight:600}
</style>"""


def esc(x: Any) -> str:
    """HTML-escape any value (``None`` → empty)."""
    return "" if x is None else html.escape(str(x), quote=True)


def _cell(value: Any) -> str:
    """A table cell: markup made by :class:`Markup` stays, everything else is escaped."""
    if isinstance(value, Markup):
        return str(value)
    return esc(MISSING if is_missing(value) else value)


class Markup(str):
    """HTML the sections built themselves from escaped parts (e.g. a link); not escaped again."""


def table_html(rows: Iterable[Sequence[Any]], header: Sequence[str], caption: str | None = None,
               numeric: Iterable[int] = ()) -> str:
    """An accessible HTML table; every cell and header is escaped (except :class:`Markup`)."""
    num = set(numeric)
    out = ['<table class="impact-table">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in header) + "</tr></thead><tbody>")
    for row in rows:
        cells = "".join((NUM_CELL if i in num else "<td>") + f"{_cell(c)}</td>" for i, c in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def readable(value: Any, lang: str, digits: int = 2) -> Any:
    """A cell for readers: numbers and dates in the language's notation, other values unchanged."""
    if isinstance(value, Markup | bool) or is_missing(value):
        return value
    if isinstance(value, numbers.Real):
        return format_number(value, lang, digits)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return value


def frame_table(df: pd.DataFrame, caption: str | None, lang: str) -> str:
    """A DataFrame as :func:`table_html`: numbers and dates written for ``lang``, numeric columns
    right-aligned."""
    numeric = [i for i, c in enumerate(df.columns) if pd.api.types.is_numeric_dtype(df[c])]
    rows = ([readable(v, lang) for v in row] for row in df.itertuples(index=False, name=None))
    return table_html(rows, [str(c) for c in df.columns], caption, numeric)


def labelled(label: str, value: Any) -> str:
    """``<strong>label:</strong> value``, both escaped."""
    return f"<strong>{esc(label)}:</strong> {esc(value)}"


def para(text: str, *, label: str | None = None, css: str | None = None) -> str:
    """A paragraph of escaped text (optionally led by a bold ``label:``)."""
    body = labelled(label, text) if label else esc(text)
    return f'<p class="{esc(css)}">{body}</p>' if css else f"<p>{body}</p>"


def heading(level: int, text: str, anchor: str | None = None) -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<h{level}{ident}>{esc(text)}</h{level}>"


def hint(text: str) -> str:
    """A muted line (e.g. "no indicators in this section")."""
    return f'<p class="impact-hint">{esc(text)}</p>'


def show(markup: str) -> None:
    """Display report HTML in the kernel (wrapped so the report's CSS applies)."""
    from IPython.display import HTML, display

    display(HTML(f'<div class="impact-report">{markup}</div>'))


def show_chart(chart: Chart, lang: str) -> None:
    """Display a chart followed by its text alternative (a collapsible table)."""
    from IPython.display import display

    # The plotly JSON mimetype directly: going through plotly.io's renderers would import
    # nbformat/jsonschema in every report kernel (over a second of CPU each).
    bundle = {PLOTLY_MIME: json.loads(chart.figure.to_json()), "text/plain": f"[{chart.title}]"}
    display(bundle, raw=True)
    _ = texts(lang)
    summary = _("Table (text alternative): {title}", title=chart.title)
    show(f'<details class="impact-alt"><summary>{esc(summary)}</summary>{frame_table(chart.table, chart.title, lang)}'
         "</details>")
