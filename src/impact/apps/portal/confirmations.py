"""What a team must confirm before a valid file is stored (issue 14): corrections the plausibility
rule flags (``ValidationReport.implausible_corrections``) and rows that would bring back a value a
newer correction replaced (:func:`impact.store.guards.reverts`).

Both are found right after the upload, so the team sees them before submitting, ticks the box
that says the values are meant (:class:`impact.apps.portal.view.PortalView` has one per kind),
and only then can submit; nothing goes to quarantine for a mere confirmation. The store checks
both again under its lock when the file is submitted (a correction may have arrived meanwhile).
"""

from __future__ import annotations

from typing import Any

from impact.apps.portal.html import message_html, table_html
from impact.apps.portal.serverlog import log
from impact.core.errors import Problem
from impact.core.i18n import N_, texts

__all__ = ["Confirmations"]

_INTRO = {
    "implausible": N_("This file would replace stored values with values that the plausibility check flags. "
                      "Please check them; if they are correct, confirm it below, then submit."),
    "revert": N_("This file would bring back values that newer corrections replaced (for example an older file "
                 "sent again). Only if the older values really apply, confirm it below, then submit."),
}


class Confirmations:
    """The confirmations a validated upload needs (none until :meth:`check` found some)."""

    def __init__(self) -> None:
        self.needed: dict[str, list[Problem]] = {}

    def check(self, report: Any, stored_values: Any) -> None:
        """Find what ``report``'s (valid) file needs confirmed, given the store's values."""
        from impact.store import guards

        self.needed = {}
        if report.implausible_corrections:
            self.needed["implausible"] = list(report.implausible_corrections)
        if report.frame is not None and stored_values is not None:
            try:
                reverts = guards.reverts(report.frame, stored_values)
            except Exception:  # the store re-checks on submitting; this is the early notice only
                log.warning("portal: revert check failed", exc_info=True)
                reverts = []
            if reverts:
                self.needed["revert"] = reverts

    def clear(self) -> None:
        self.needed = {}

    def ready(self, ticked: dict[str, bool]) -> bool:
        """Whether every needed confirmation is ticked (``ticked``: kind → box value)."""
        return all(ticked.get(kind, False) for kind in self.needed)

    def flags(self, ticked: dict[str, bool]) -> dict[str, bool]:
        """The keyword arguments of ``ingest_bytes``: only what was needed and ticked."""
        return {"confirm_implausible": "implausible" in self.needed and ticked.get("implausible", False),
                "allow_revert": "revert" in self.needed and ticked.get("revert", False)}

    def html(self, lang: str) -> str:
        """For each kind needed: why, and a table of the rows concerned."""
        _ = texts(lang)
        parts = []
        for kind, problems in self.needed.items():
            rows = [(str(p.row) if p.row is not None else _("whole file"), p.column or "", p.message(lang))
                    for p in problems]
            parts.append(message_html("warning", _(_INTRO[kind])) + table_html(
                f"impact-confirm-rows-{kind}", _("Values to confirm"), [_("Row"), _("Column"), _("Message")], rows))
        return "".join(parts)
