"""The store's errors: a store that cannot be used (exit code 2), in the reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from impact.core.errors import EXIT_UNREADABLE, ImpactError
from impact.core.i18n import N_, texts

__all__ = ["Damage", "ReviewError", "StoreDamagedError", "StoreError", "StoreFormatError"]


class StoreError(ImpactError):
    """The store cannot be used as it is (exit code 2).

    ``message`` is an English text marked with ``N_`` (the message id); ``fields`` fill it after
    translation. ``str(error)`` is the English text.
    """

    exit_code = EXIT_UNREADABLE

    def __init__(self, message: str, /, **fields: Any) -> None:
        self.msgid = message
        self.fields = fields
        super().__init__(texts("en")(message, **fields))

    def message(self, lang: str = "de") -> str:
        return texts(lang)(self.msgid, **self.fields)


class StoreFormatError(StoreError):
    """The store was written by a newer version of this tool, or ``store.json`` is unreadable."""


class Damage:
    """One damaged committed values file: its path and why (a marked English text with fields)."""

    def __init__(self, path: Path, reason: str, /, **fields: Any) -> None:
        self.path = path
        self.reason = reason
        self.fields = fields

    def text(self, lang: str) -> str:
        return texts(lang)(self.reason, **self.fields)

    def __iter__(self) -> Any:  # ``path, reason = damage`` (reason in English)
        return iter((self.path, self.text("en")))

    def __repr__(self) -> str:
        return f"Damage({str(self.path)!r}, {self.text('en')!r})"


class StoreDamagedError(StoreError):
    """A committed values file is missing, truncated or altered. Names every damaged file."""

    def __init__(self, damaged: list[Damage]) -> None:
        self.damaged = damaged
        super().__init__(N_("Store damaged, {n} file(s) unreadable: {files}. Restore from backup (see docs/store.md)."),
                         n=len(damaged), files="")

    def message(self, lang: str = "de") -> str:
        files = "; ".join(f"{d.path}: {d.text(lang)}" for d in self.damaged)
        return texts(lang)(self.msgid, n=len(self.damaged), files=files)

    def __str__(self) -> str:
        return self.message("en")


class ReviewError(StoreError):
    """A review command cannot be carried out as asked (unknown query, nothing to approve…): exit 2.

    ``exit_code`` 1 marks a refusal on the data's grounds (e.g. a resolved query cannot be answered).
    """

    def __init__(self, message: str, /, *, exit_code: int = EXIT_UNREADABLE, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.exit_code = exit_code

