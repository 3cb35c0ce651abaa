"""The exception hierarchy and the bilingual problem record.

``ImpactError`` is the base of everything the package raises on purpose. Catalog-author
mistakes (:class:`CatalogError`) and submission data failures (:class:`Problem` records
collected in a validation report, or :class:`UnreadableFileError` for a file that cannot be
read at all) are different things and are kept apart. A problem holds its code and facts
(:class:`Message`) and is rendered in any language through the gettext catalogue.

Exit codes used by the CLI (documented in ``impact --help`` and the README):

* ``0`` success
* ``1`` invalid data or catalog (problems were found and reported)
* ``2`` unreadable input file or usage error
* ``3`` another run holds the lock (scheduled runs only)
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from impact.core.i18n import Texts

__all__ = [
    "EXIT_BUSY",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "CatalogError",
    "CatalogProblem",
    "Grouped",
    "ImpactError",
    "Message",
    "Problem",
    "UnreadableFileError",
    "render_field",
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
    """One mistake in the indicator catalog: which file, which entry (indicator), which key, what is wrong.

    ``message`` is the English message id with ``{field}`` names, ``fields`` their values; the text
    is looked up in the user's language by :meth:`text` (gettext, like every user-facing string).
    """

    file: str
    entry: str | None
    message: str
    key: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str | None = "en") -> str:
        """What is wrong, in ``lang``."""
        from impact.core.i18n import texts

        return texts(lang)(self.message, **dict(self.fields))

    @property
    def where(self) -> str:
        """``file [entry] key`` (the parts that are known)."""
        return self.file + (f" [{self.entry}]" if self.entry else "") + (f" {self.key}" if self.key else "")

    def line(self, lang: str | None = "en", also: str | None = None) -> str:
        """``file [entry] key: text`` in ``lang``, followed by `` / `` and the text in ``also`` if it differs."""
        text = self.text(lang)
        second = self.text(also) if also else text
        return f"{self.where}: {text}" + (f" / {second}" if second != text else "")

    def __str__(self) -> str:
        return self.line("de", also="en")


class CatalogError(ImpactError):
    """The catalog (YAML written by evaluators) is broken. Carries every problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[CatalogProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def message(self, lang: str = "de", also: str | None = None) -> str:
        """A heading and one line per problem in ``lang`` (each followed by ``also``'s text if given)."""
        from impact.core.i18n import texts

        heads = []
        for language in (lang, also or lang):
            _ = texts(language)
            head = _.ngettext("The catalog has {n} problem:", "The catalog has {n} problems:", len(self.problems))
            if head not in heads:
                heads.append(head)
        head = " / ".join(heads)
        return "\n".join([head, *(f"  {p.line(lang, also)}" for p in self.problems)])


class Message:
    """A text in any language: an English message id (a ``str.format`` template) and its fields.

    The id must be marked for extraction where it is written (``N_("…")``); :meth:`render` looks
    it up in the gettext catalogue of ``lang`` and fills the fields, each rendered for that
    language too (see :func:`render_field`). A message is data: it can be created once and shown
    in every language.
    """

    __slots__ = ("fields", "text")

    def __init__(self, text: str, /, **fields: Any) -> None:
        self.text = text
        self.fields: dict[str, Any] = fields

    @classmethod
    def of(cls, text: str, fields: dict[str, Any]) -> Message:
        """``Message(text, **fields)`` keeping ``fields`` itself (not a copy; do not change it afterwards):
        for code that builds thousands of messages."""
        message = cls.__new__(cls)
        message.text, message.fields = text, fields
        return message

    def render(self, lang: str | None = "de") -> str:
        """The message in ``lang`` (unknown languages fall back as :func:`impact.core.i18n.texts` does)."""
        from impact.core.i18n import texts

        return self.render_with(texts(lang))

    def render_with(self, _: Texts) -> str:
        """The message with the translator of a language (``texts(lang)``), fetched once by callers
        that render many messages (a report with thousands of problems)."""
        template = _.templates.get(self.text) or _.template(self.text)  # what _(text, **fields) does, without
        if not self.fields:                                             # its layers (this runs per problem shown)
            return template
        lang = _.lang
        return template.format_map({k: v if type(v) is str else render_field(v, lang) for k, v in self.fields.items()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.text, self.fields) == (other.text, other.fields)

    def __hash__(self) -> int:
        return hash((self.text, repr(sorted(self.fields.items(), key=lambda kv: kv[0]))))

    def __repr__(self) -> str:
        return f"Message({self.text!r}, **{self.fields!r})"


class Grouped(int):
    """An integer field shown with the language's thousands separators (``52.428.800`` / ``52,428,800``)."""


def render_field(value: Any, lang: str | None) -> str:
    """A field of a :class:`Message` as text in ``lang``.

    A nested :class:`Message` is translated; a :class:`Grouped` integer gets thousands
    separators; other integers (row numbers, counts, positions) stay plain; a float is written
    in the language's notation without thousands separators (``2,48`` / ``2.48``, up to six
    decimals); a date in the language's notation; a list or tuple is joined with ``, ``;
    ``None`` is ``–``; anything else is ``str(value)`` (user input is shown as written).
    """
    kind = type(value)
    if kind is str:  # the common cases first (thousands of problems per file), same results as below
        return value
    if kind is int:
        return str(value)
    if kind is float:
        return _real_text(value, lang)
    from impact.core.i18n import format_date, format_number

    if isinstance(value, Message):
        return value.render(lang)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Grouped):
        return format_number(int(value), lang, 0)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _real_text(float(value), lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render_field(v, lang) for v in value)
    return str(value)


def _real_text(x: float, lang: str | None) -> str:
    if math.isfinite(x) and abs(x) < 1e15:
        from impact.core.i18n import normalise_lang

        return _number_text(repr(x), normalise_lang(lang))
    return f"{x:.3g}"


@functools.lru_cache(maxsize=8192)
def _number_text(x: str, lang: str) -> str:
    """A float (as its ``repr``, which tells ``-0.0`` from ``0.0``) in ``lang``'s notation, once per
    value: Babel takes about 45 µs per number, and the values and limits of a file repeat."""
    from impact.core.i18n import format_number

    return format_number(float(x), lang, 6, grouping=False)


@dataclass(frozen=True)
class Problem:
    """One data failure (or warning) in a submission, in any language.

    ``row`` is the row number as a spreadsheet shows it (header = row 1), or ``None`` when the
    problem concerns the whole file; ``column`` is the column name as written in the file (or
    the canonical name when the column is missing), or ``None``. ``code`` is stable and
    documented (e.g. ``unknown_project``); tools may rely on it. ``text`` and ``hint`` are
    :class:`Message` objects (code list and texts: :mod:`impact.intake.problems`), rendered in
    the reader's language by :meth:`message`.
    """

    row: int | None
    column: str | None
    code: str
    text: Message
    hint: Message | None = None

    @classmethod
    def of(cls, row: int | None, column: str | None, code: str, text: Message, hint: Message | None) -> Problem:
        """``Problem(row, column, code, text, hint)`` without the frozen dataclass's per-field
        ``object.__setattr__`` calls (the same object; for code that builds thousands of problems)."""
        problem = object.__new__(cls)
        problem.__dict__.update(row=row, column=column, code=code, text=text, hint=hint)
        return problem

    @property
    def fields(self) -> dict[str, Any]:
        """The facts the message is built from (value, limits, periods …)."""
        return self.text.fields

    def message(self, lang: str = "de") -> str:
        """The message with its hint, in ``lang``."""
        from impact.core.i18n import texts

        return self.message_with(texts(lang))

    def message_with(self, _: Texts) -> str:
        """:meth:`message` with the translator of a language (``texts(lang)``), fetched once by the caller."""
        text = self.text.render_with(_)
        return f"{text} ({self.hint.render_with(_)})" if self.hint is not None else text

    def to_json(self, lang: str = "de") -> dict[str, Any]:
        """The contract form: ``{"row", "column", "code", "message"}``."""
        from impact.core.i18n import texts

        return self.json_with(texts(lang))

    def json_with(self, _: Texts) -> dict[str, Any]:
        """:meth:`to_json` with the translator of a language (``texts(lang)``), fetched once by the caller."""
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message_with(_)}

    @property
    def message_de(self) -> str:
        """The German message without its hint."""
        return self.text.render("de")

    @property
    def message_en(self) -> str:
        """The English message without its hint."""
        return self.text.render("en")

    @property
    def hint_de(self) -> str | None:
        return self.hint.render("de") if self.hint is not None else None

    @property
    def hint_en(self) -> str | None:
        return self.hint.render("en") if self.hint is not None else None


class UnreadableFileError(ImpactError):
    """A submitted file cannot be read at all (missing, empty, binary, too large, bad encoding).

    Carries the file-level :class:`Problem` (row and column ``None``) with its stable ``code``.
    """

    exit_code = EXIT_UNREADABLE

    def __init__(self, file: str, problem: Problem) -> None:
        self.file = file
        self.problem = problem
        self.code = problem.code
        super().__init__(f"{file}: {problem.message('en')}")

    def message(self, lang: str = "de") -> str:
        return f"{self.file}: {self.problem.message(lang)}"
