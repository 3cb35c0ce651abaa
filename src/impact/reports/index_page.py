"""The ``index.html`` page of a report run: every report with its status, links and error.

All texts come from the translation catalogue; everything else (titles, error messages) is
HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Protocol

from impact.core.i18n import N_, format_datetime, texts
from impact.reports.planning import KINDS
from impact.reports.provenance import approved_only_notice, dates_line

__all__ = ["render_index"]

GROUP_TITLES = {"project": N_("Project reports"), "portfolio": N_("Portfolio"),
                "guiding_idea": N_("Guiding ideas"), "principle": N_("Principles")}
_STYLE = ("<style>body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:64rem;"
          "margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}table{border-collapse:collapse;width:100%;"
          "margin-bottom:1.5rem}th,td{border:1px solid #bbb;padding:.35rem .6rem;text-align:left;vertical-align:top}"
          "thead th{background:#f0f0f0}.status-ok{color:#006b4f;font-weight:600}"
          ".status-failed{color:#a33c00;font-weight:700}.error{white-space:pre-wrap;font-size:.85rem;color:#5a2a00}"
          ".meta{color:#444}.notice{border-left:4px solid #E69F00;padding:.4rem .7rem;background:#fff8e6}"
          "a{color:#0060a0}</style>")


class _Result(Protocol):
    name: str
    kind: str
    title: str
    notebook: str
    html: str | None
    status: str
    duration_s: float
    error: dict[str, Any] | None


def _meta_line(manifest: dict[str, Any], lang: str) -> str:
    """Reference date, knowledge date, when generated, and the catalog's and store's hashes."""
    e = html.escape
    _ = texts(lang)
    generated = _("generated: {moment}", moment=format_datetime(manifest["finished_at"], lang))
    catalog, store = _("catalog"), _("stored submissions")
    return (f'<p class="meta">{e(dates_line(manifest, lang))} · {e(generated)} · '
            f'{e(catalog)}: <code>{e(manifest["catalog_hash"][:12])}</code> · '
            f'{e(store)}: <code>{e(manifest["store_hash"][:12])}</code></p>')


def _row(r: _Result, lang: str) -> str:
    e = html.escape
    _ = texts(lang)
    title = f'<a href="{e(r.html)}">{e(r.title)}</a>' if r.html and r.status == "ok" else e(r.title)
    word = _("produced") if r.status == "ok" else _("failed")
    status = f'<span class="status-{e(r.status)}">{e(word)}</span>'
    if r.error:
        status += f'<div class="error">{e(str(r.error.get("ename", "")))}: {e(str(r.error.get("evalue", ""))[:400])}</div>'
    notebook = _("notebook")
    files = f'<a href="{e(r.notebook)}">{e(notebook)}</a>'
    duration = _("{seconds} s", seconds=f"{r.duration_s:.1f}")
    return (f'<tr class="report" data-report="{e(r.name)}" data-status="{e(r.status)}">'
            f"<td>{title}</td><td>{status}</td><td>{e(duration)}</td><td>{files}</td></tr>")


def render_index(manifest: dict[str, Any], results: Sequence[_Result], lang: str = "de") -> str:
    """The ``index.html`` page: every report with its status, links and error (escaped).

    ``manifest`` needs ``as_of``, ``known_at``, ``finished_at``, ``catalog_hash``, ``store_hash``
    and may have ``approved_only``.
    """
    e = html.escape
    _ = texts(lang)
    n, f = len(results), sum(r.status != "ok" for r in results)
    summary = (_.ngettext("{failed} of {n} report failed; the executed notebook shows the error.",
                          "{failed} of {n} reports failed; the executed notebooks show the errors.", n, failed=f)
               if f else _.ngettext("The report was produced.", "All {n} reports were produced.", n))
    title = _("Impact reports")
    parts = [
        "<!DOCTYPE html>", f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} · {e(manifest['as_of'])}</title>", _STYLE, "</head><body>", f"<h1>{e(title)}</h1>",
        _meta_line(manifest, lang),
    ]
    if manifest.get("approved_only"):
        parts.append(f'<p class="notice" id="approved-only">{e(approved_only_notice(lang))}</p>')
    parts.append(f'<p id="summary" class="{"status-failed" if f else "status-ok"}">{e(summary)}</p>')
    header = "".join(f"<th>{e(h)}</th>" for h in (_("Report"), _("Status"), _("Duration"), _("Files")))
    for kind in KINDS:
        group = [r for r in results if r.kind == kind]
        if group:
            group_title = _(GROUP_TITLES[kind])
            parts.append(f"<h2>{e(group_title)}</h2><table><thead><tr>{header}</tr></thead><tbody>")
            parts.extend(_row(r, lang) for r in group)
            parts.append("</tbody></table>")
    provenance = _("Provenance (manifest.json)")
    parts.append(f'<p><a href="manifest.json">{e(provenance)}</a></p></body></html>')
    return "\n".join(parts) + "\n"
