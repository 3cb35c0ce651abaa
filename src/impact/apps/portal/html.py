"""What the portal shows, as escaped HTML in one language: messages, problem tables, receipts.

Pure functions (text in, HTML out); every text goes through :func:`impact.core.i18n.texts`, every
number and time through Babel's formats, everything that came from a file through
:func:`html.escape`. The sign-in page (server side) and the app (kernel side) share the wording
defined here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from impact.core.i18n import N_, format_datetime, format_number, language_name, texts

__all__ = ["INTRO", "MAX_PROBLEMS_SHOWN", "STYLE", "TITLE", "clean_file_name", "esc", "facts_html", "tag",
           "language_name", "message_html",
           "problems_html", "receipt_rows", "size_text", "table_html", "when_text"]

TITLE = N_("Submitting indicator values")
INTRO = N_("Smart City Berlin – impact measurement of the pilot projects.")
MAX_PROBLEMS_SHOWN = 200

STYLE = """<style>
.impact-portal {max-width: 60rem; font-size: 1rem; color: #1a1a1a;}
.impact-portal h1 {font-size: 1.6rem; margin: .2em 0 .4em;}
.impact-portal h2 {font-size: 1.2rem; margin: 1.2em 0 .4em;}
.impact-msg {padding: .5em .75em; margin: .4em 0; border-left: .3em solid;}
.impact-msg-ok {border-color: #1b7837; background: #f0f7f1;}
.impact-msg-error {border-color: #b2182b; background: #fbeeee;}
.impact-msg-warning {border-color: #b35806; background: #fdf3e7;}
.impact-msg-info {border-color: #2166ac; background: #eef3fa;}
.impact-portal table {border-collapse: collapse; margin: .5em 0;}
.impact-portal th, .impact-portal td {border: 1px solid #767676; padding: .2em .5em; text-align: left;
  vertical-align: top;}
.impact-portal caption {text-align: left; font-weight: bold; padding: .2em 0;}
.impact-problems tr.impact-error td:first-child {color: #a50f15; font-weight: bold;}
.impact-problems tr.impact-warning td:first-child {color: #8a4500;}
.impact-portal a, .impact-portal a:visited {color: #0b57d0; text-decoration: underline;}
.impact-portal a:focus, .impact-portal button:focus, .impact-portal input:focus
  {outline: 3px solid #0b57d0; outline-offset: 2px;}
.impact-template-link {display: inline-block; margin: .3em 0;}
.impact-mono {font-family: monospace; word-break: break-all;}
</style>"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def tag(name: str, text: Any, **attrs: str) -> str:
    """``<name attrs>escaped text</name>`` (attribute names: ``class_`` for ``class``)."""
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f"<{name}{extra}>{esc(text)}</{name}>"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_file_name(name: Any, fallback: str = "upload") -> str:
    """A display-only version of an uploaded file name: last path component, no control
    characters, at most 120 characters. Never used as a path."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = _CONTROL.sub("", text).strip().lstrip(".")
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:120]
    return text or fallback


def size_text(n: int, lang: str) -> str:
    """A byte count for people: ``850 KB``, ``10 MB``, ``12,5 MB`` (in the language's notation)."""
    if n < 1_000_000:
        return f"{format_number(max(1, round(n / 1000)), lang, 0)} KB"
    return f"{format_number(n / 1_000_000, lang, 1, grouping=False)} MB"


def message_html(kind: str, text: str, *, link: tuple[str, str] | None = None) -> str:
    """A message box (``ok``, ``info``, ``warning``, ``error``); errors are announced at once.

    ``link`` = (href, text), shown after the message (a relative URL of the portal).
    """
    role = "alert" if kind == "error" else "status"
    extra = f' <a href="{esc(link[0])}">{esc(link[1])}</a>' if link else ""
    return f'<div class="impact-msg impact-msg-{kind}" role="{role}">{esc(text)}{extra}</div>'


def table_html(css: str, caption: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
               row_classes: Iterable[str] | None = None) -> str:
    """An escaped table with a caption and column headers."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    classes = list(row_classes) if row_classes is not None else None
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(classes[i])}"' if classes else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
    return (f'<table class="{esc(css)}"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def problems_html(report: Any, lang: str, limit: int = MAX_PROBLEMS_SHOWN) -> str:
    """A validation report: a summary, then a table of its errors and warnings (at most ``limit``)."""
    _ = texts(lang)
    errors, warnings = list(report.errors), list(report.warnings)
    counts = {"file": clean_file_name(report.file),
              "rows": _.ngettext("{n} data row", "{n} data rows", int(report.rows)),
              "errors": _.ngettext("{n} error", "{n} errors", len(errors)),
              "warnings": _.ngettext("{n} warning", "{n} warnings", len(warnings))}
    if report.valid:
        head = message_html("ok", _("File “{file}”: {rows}, {errors}, {warnings}. It can be submitted.", **counts))
    else:
        head = message_html("error", _("File “{file}”: {rows}, {errors}, {warnings}. Please correct it and upload "
                                       "it again; it cannot be accepted as it is.", **counts))
    items = [("error", p) for p in errors] + [("warning", p) for p in warnings]
    if not items:
        return head
    kinds = {"error": _("Error"), "warning": _("Warning")}
    rows = [(kinds[kind], _("whole file") if p.row is None else str(p.row), p.column or "", p.message(lang))
            for kind, p in items[:limit]]
    table = table_html("impact-problems", _("Problems found in the file"),
                       [_("Kind"), _("Row"), _("Column"), _("Message")], rows,
                       [f"impact-{kind}" for kind, _p in items[:limit]])
    more = ""
    if len(items) > limit:
        more = tag("p", _.ngettext("… and {n} more message.", "… and {n} more messages.", len(items) - limit))
    return head + table + more


def receipt_rows(frame: Any) -> list[tuple[str, str, int]]:
    """Accepted rows counted per (indicator, period), sorted."""
    if frame is None or len(frame) == 0:
        return []
    counts = frame.groupby(["indicator_id", "period"], sort=True).size()
    return [(str(ind), str(per), int(n)) for (ind, per), n in counts.items()]


def facts_html(facts: Sequence[tuple[str, Any]], css: str = "impact-receipt-facts") -> str:
    """A two-column table of (label, value) pairs; values in a monospace cell when they are ids."""
    rows = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in facts)
    return f'<table class="{esc(css)}"><tbody>{rows}</tbody></table>'


def when_text(moment: Any, lang: str) -> str:
    """A receipt time: date and time to the second, UTC, in the language's notation."""
    return format_datetime(moment, lang)
