"""The receipt a team gets after submitting: what was stored, when, under which id.

A duplicate (the same bytes sent again) gets a proper receipt too: that the file had already
been received, when, and under which id — nothing was taken twice. The submission id is the
file's SHA-256 checksum, so it is shown once, named as both.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from impact.apps.portal.html import (
    clean_file_name,
    facts_html,
    message_html,
    problems_html,
    receipt_rows,
    table_html,
    tag,
    when_text,
)
from impact.core.i18n import format_number, texts

__all__ = ["first_receipt", "receipt_html"]


def first_receipt(ledger: pd.DataFrame, submission_id: str) -> Any:
    """When ``submission_id`` was first accepted, from the store's ledger (``None`` if never)."""
    if ledger.empty or "submission_id" not in ledger:
        return None
    mask = ledger["submission_id"] == submission_id
    if "status" in ledger:
        mask &= ledger["status"] == "accepted"
    times = pd.to_datetime(ledger.loc[mask, "received_at"], utc=True, errors="coerce").dropna()
    return times.min() if len(times) else None


def receipt_html(result: Any, lang: str, *, project: str, indicator_name: Any, first_received: Any = None) -> str:
    """The receipt for an ``IngestResult`` (``indicator_name(id) -> str`` names indicators)."""
    _ = texts(lang)
    if result.status in ("rejected", "unreadable"):
        return (message_html("error", _("The file was not accepted. It has been kept for review by the "
                                        "evaluation unit.")) + problems_html(result.report, lang))
    file = clean_file_name(getattr(result.report, "file", "") or getattr(result, "file_name", ""))
    sid_label = _("Submission id (SHA-256 checksum of the file)")
    if result.status == "duplicate":
        when = first_received if first_received is not None else result.received_at
        head = message_html("info", _("This file had already been received on {when}, under the submission id "
                                      "below. It is stored unchanged; nothing was taken twice.",
                                      when=when_text(when, lang)))
        facts = [(sid_label, result.submission_id), (_("First received"), when_text(when, lang)),
                 (_("File"), file), (_("Project"), project)]
        return head + tag("h3", _("Receipt")) + facts_html(facts)
    head = message_html("ok", _("Submitted and stored."))
    facts = [(sid_label, result.submission_id), (_("Received"), when_text(result.received_at, lang)),
             (_("File"), file), (_("Project"), project), (_("Rows accepted"), format_number(result.rows, lang, 0))]
    if getattr(result, "corrections", 0):
        facts.append((_("of which corrections of earlier values"), format_number(result.corrections, lang, 0)))
    counts = receipt_rows(getattr(result.report, "frame", None))
    table = ""
    if counts:
        table = table_html("impact-receipt-table", _("Rows accepted per indicator and period"),
                           [_("Indicator"), _("Period"), _("Rows")],
                           [(indicator_name(ind), per, format_number(n, lang, 0)) for ind, per, n in counts])
    return head + tag("h3", _("Receipt")) + facts_html(facts) + table
