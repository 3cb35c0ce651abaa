"""The evaluation unit's open questions to a team, shown after sign-in (filled in with the review
step of the store)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

__all__ = ["QueriesPanel"]


class QueriesPanel:
    """The team's open queries and their answers (see :mod:`impact.apps.portal.app`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.widget = w.VBox()

    def render(self) -> None:
        """Nothing to show until the store records queries."""
