"""The exception hierarchy and the bilingual problem record.

``ImpactError`` is the base of everything the package raises on purpose. Catalog-author
mistakes (:class:`CatalogError`) and submission data failures (:class:`Problem` records
collected in a validation report, or :class:`UnreadableFileError` for a file that cannot be
read at all) are different things and are kept apart. Every user-facing message exists in
German and English.

Exit codes used by the CLI (documented in ``impact --help`` and the README):

* ``0`` success
* ``1`` invalid data or catalog (problems were found and reported)
* ``2`` unreadable input file or usage error
* ``3`` another run holds the lock (scheduled runs only)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "EXIT_BUSY",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "CatalogError",
    "CatalogProblem",
    "ImpactError",
    "Problem",
    "UnreadableFileError",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_BUSY = 3

Lang = Literal["de", "en"]


class ImpactError(Exception):
    """Base class of all errors the package raises deliberately."""

    exit_code: int = EXIT_UNREADABLE

    def message(self, lang: str = "de") -> str:
        return str(self)


@dataclass(frozen=True)
class CatalogProblem:
    """One mistake in the indicator catalog: which file, which entry, what is wrong."""

    file: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.entry}]" if self.entry else "")
        return f"{where}: {self.message}"


class CatalogError(ImpactError):
    """The catalog (YAML written by evaluators) is broken. Carries every problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[CatalogProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    """One data failure (or warning) in a submission, in both languages.

    ``row`` is the row number as a spreadsheet shows it (header = row 1), or ``None`` when the
    problem concerns the whole file; ``column`` is the column name as written in the file (or
    the canonical name when the column is missing), or ``None``. ``code`` is stable and
    documented (e.g. ``unknown_project``); tools may rely on it.
    """

    row: int | None
    column: str | None
    code: str
    message_de: str
    message_en: str
    hint_de: str | None = None
    hint_en: str | None = None

    def message(self, lang: str = "de") -> str:
        """The message with its hint, in ``lang`` (``de`` or ``en``)."""
        text = self.message_en if lang == "en" else self.message_de
        hint = self.hint_en if lang == "en" else self.hint_de
        return f"{text} ({hint})" if hint else text

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        """The contract form: ``{"row", "column", "code", "message"}``."""
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message(lang)}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class UnreadableFileError(ImpactError):
    """A submitted file cannot be read at all (missing, empty, binary, too large, bad encoding)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, file: str, code: str, message_de: str, message_en: str) -> None:
        self.file = file
        self.code = code
        self.message_de = message_de
        self.message_en = message_en
        super().__init__(f"{file}: {message_en}")

    def message(self, lang: str = "de") -> str:
        return f"{self.file}: {self.message_en if lang == 'en' else self.message_de}"
