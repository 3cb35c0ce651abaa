"""The outcome of validating one file: :class:`ValidationReport` (see ARCHITECTURE.md, "Validation")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from impact.core.errors import Problem
from impact.core.i18n import texts

__all__ = ["ValidationReport"]


@dataclass
class ValidationReport:
    """Errors, warnings and (when valid) the accepted rows of one submitted file.

    ``implausible_corrections`` are ``implausible_correction`` problems, one per row that the
    plausibility rules flag (a warning in ``warnings``) *and* that would replace a stored value:
    the store refuses the file with them unless the submitter confirms (``needs_confirmation``).
    """

    file: str
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    implausible_corrections: list[Problem] = field(default_factory=list)
    _frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _build: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.unreadable

    @property
    def needs_confirmation(self) -> bool:
        """A valid file that replaces stored values with values the plausibility rules flag."""
        return self.valid and bool(self.implausible_corrections)

    @property
    def frame(self) -> pd.DataFrame | None:
        """The accepted rows, normalised (columns ``impact.core.schema.FRAME_COLUMNS``); ``None`` unless valid.

        Built on first access, so that checking a file alone does not pay for it."""
        if not self.valid:
            return None
        if self._frame is None and self._build is not None:
            self._frame, self._build = self._build(), None
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame, self._build = value, None

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        """``{"valid", "rows", "errors": [{"row","column","code","message"}], "warnings": [...]}``."""
        _ = texts(lang)
        return {"valid": self.valid, "rows": self.rows,
                "errors": [p.json_with(_) for p in self.errors],
                "warnings": [p.json_with(_) for p in self.warnings]}

    def json_text(self, lang: str = "de") -> str:
        """:meth:`to_json` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it, byte for byte,
        in a fraction of the time (the standard library indents in pure Python; a test compares the two).

        The problems, thousands in a large bad file, are written straight from their fields into the
        layout of :meth:`impact.core.errors.Problem.to_json`, without building the dicts first."""
        _ = texts(lang)

        def items(problems: list[Problem]) -> str:
            if not problems:
                return "[]"
            entries = [_PROBLEM_JSON.format(_dump(p.row, _IN_PROBLEM), _dump(p.column, _IN_PROBLEM),
                                            _dump(p.code, _IN_PROBLEM), _encode(p.message_with(_))) for p in problems]
            return "[\n    " + ",\n    ".join(entries) + "\n  ]"

        return (f'{{\n  "valid": {_dump(self.valid, _IN_REPORT)},\n  "rows": {_dump(self.rows, _IN_REPORT)},\n'
                f'  "errors": {items(self.errors)},\n  "warnings": {items(self.warnings)}\n}}')

    def to_text(self, lang: str = "de") -> str:
        """Every problem on its own line: file, row, column, message (and hint), code; then a summary."""
        _ = texts(lang)
        lines = []
        row_text, column_text = _("row {row}"), _("column '{name}'")  # filled per problem below
        for kind, problems in ((_.pgettext("problem", "error"), self.errors),
                               (_.pgettext("problem", "warning"), self.warnings)):
            for p in problems:
                where = [self.file]
                if p.row is not None:
                    where.append(row_text.format(row=p.row))
                if p.column is not None:
                    where.append(column_text.format(name=p.column))
                lines.append(f"{', '.join(where)}: {kind}: {p.message_with(_)} [{p.code}]")
        verdict = (_.pgettext("file", "valid") if self.valid else
                   _.pgettext("file", "unreadable") if self.unreadable else _.pgettext("file", "invalid"))
        summary = _("{file}: {verdict} – {rows}, {errors}, {warnings}.", file=self.file, verdict=verdict,
                    rows=_.ngettext("{n} data row", "{n} data rows", self.rows),
                    errors=_.ngettext("{n} error", "{n} errors", len(self.errors)),
                    warnings=_.ngettext("{n} warning", "{n} warnings", len(self.warnings)))
        return "\n".join([*lines, summary])


def _dump(obj: Any, newline: str) -> str:
    """``obj`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it at the depth of ``newline``."""
    kind = type(obj)
    if kind is str:
        return _encode(obj)
    if kind is int:
        return int.__repr__(obj)
    if obj is None or kind is bool:
        return _SCALARS[obj]
    return json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", newline)


#: a problem as an item of the report's lists (Problem.to_json's keys, in its order, indented as json.dumps does)
_PROBLEM_JSON = ('{{\n      "row": {},\n      "column": {},\n      "code": {},\n      "message": {}\n    }}')
_IN_REPORT, _IN_PROBLEM = "\n  ", "\n      "  # line starts of the report's and of a problem's fields
_SCALARS = {None: "null", True: "true", False: "false"}
_encode: Callable[[str], str] = json.encoder.encode_basestring  # the C version when available, as json.dumps uses
