"""Texts in the reader's language: gettext catalogues and Babel's locale data, one way everywhere.

Every user-facing string of the package is written in English in the code, marked for
translation, and looked up in a gettext message catalogue at run time::

    from impact.core.i18n import N_, texts

    STATUS = {"on_track": N_("on track")}        # marked here, translated where it is shown

    def summary(lang: str, n: int) -> str:
        _ = texts(lang)
        return _("{n} values, {share} on track", n=n, share=format_percent(0.4, lang))
        # plural forms: _.ngettext("{n} row", "{n} rows", n); context: _.pgettext("column", "Period")

The catalogues live in ``src/impact/locale/<lang>/LC_MESSAGES/impact.po`` (compiled to ``.mo``);
``make messages`` runs Babel's extract → update → compile. English is the source language (the
message ids); German is shipped complete (a test fails on a missing translation). A new language
needs a catalogue and no code: ``docs/translating.md`` lists the exact commands.
``IMPACT_LOCALE_DIRS`` (paths separated by ``os.pathsep``) adds catalogue directories outside the
package, e.g. for a translator trying a new language before it is shipped.

Numbers and dates go through Babel's CLDR data for the language (``format_number``,
``format_percent``, ``format_date``, ``format_datetime``): German ``1.234,5`` and ``31.12.2025``,
English ``1,234.5`` and ``31 Dec 2025`` (British habits). A language without CLDR data (a pseudo-locale) formats
like English.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import math
import os
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

__all__ = [
    "DEFAULT_LANG",
    "DOMAIN",
    "LOCALE_DIR",
    "SOURCE_LANG",
    "N_",
    "Texts",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "is_missing",
    "language_name",
    "languages",
    "locale_dirs",
    "normalise_lang",
    "texts",
]

DOMAIN = "impact"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANG = "en"  # the language of the message ids
DEFAULT_LANG = "de"  # what users get when they do not choose (German first, 004 §4.5)
MISSING = "–"  # shown for a missing number or date, in every language


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it now (translate it where it is shown)."""
    return message


def locale_dirs() -> tuple[Path, ...]:
    """Where catalogues are looked up: ``IMPACT_LOCALE_DIRS`` (if set) first, then the package's."""
    return _locale_dirs(os.environ.get("IMPACT_LOCALE_DIRS", ""))


@functools.cache
def _locale_dirs(extra: str) -> tuple[Path, ...]:
    dirs = [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    return (*dirs, LOCALE_DIR)


def _shipped(dirs: Iterable[Path]) -> set[str]:
    found = set()
    for base in dirs:
        if base.is_dir():
            for mo in base.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"):
                found.add(mo.parent.parent.name)
    return found


@functools.cache
def _languages(dirs: tuple[Path, ...]) -> tuple[str, ...]:
    found = _shipped(dirs) - {SOURCE_LANG, DEFAULT_LANG}
    return (DEFAULT_LANG, SOURCE_LANG, *sorted(found))


def languages() -> tuple[str, ...]:
    """The languages a user can choose: German, English, then every other compiled catalogue."""
    return _languages(locale_dirs())


def normalise_lang(lang: str | None, default: str = DEFAULT_LANG) -> str:
    """``lang`` when it is a known language (``"EN"``, ``"en_GB"`` → ``"en"``), else ``default``."""
    if not lang:
        return default
    known = languages()
    text = str(lang).strip().replace("-", "_")
    for candidate in (text, text.lower(), text.split("_")[0].lower()):
        if candidate in known:
            return candidate
    return default


class Texts:
    """The translations of one language; call it like gettext, with ``str.format`` fields.

    ``_("Value {value}", value=3)`` translates, then fills the fields. Without fields the text is
    returned as translated (braces left alone). Unknown ids come back in English, never fail.
    """

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        self._t = translations
        #: message id → its translation, as looked up so far (see :meth:`template`)
        self.templates: dict[str, str] = {}

    def template(self, message: str, /) -> str:
        """The translation of ``message`` with its ``{fields}`` not filled in (``_(message)``), remembered:
        code rendering thousands of messages reads :attr:`templates` first."""
        text = self.templates.get(message)
        if text is None:
            text = self.templates[message] = self._t.gettext(message)
        return text

    def __call__(self, message: str, /, **fields: Any) -> str:
        return self._fill(self._t.gettext(message), fields)

    def gettext(self, message: str, /, **fields: Any) -> str:
        return self(message, **fields)

    def ngettext(self, singular: str, plural: str, n: int, /, **fields: Any) -> str:
        """The singular or plural form for ``n`` (``n`` is also a field)."""
        return self._fill(self._t.ngettext(singular, plural, n), {"n": n, **fields})

    def pgettext(self, context: str, message: str, /, **fields: Any) -> str:
        """A text whose translation depends on where it stands (``context``, e.g. ``"column"``)."""
        return self._fill(self._t.pgettext(context, message), fields)

    @staticmethod
    def _fill(text: str, fields: dict[str, Any]) -> str:
        return text.format(**fields) if fields else text

    def __repr__(self) -> str:
        return f"Texts({self.lang!r})"


@functools.cache
def _texts(lang: str, dirs: tuple[Path, ...]) -> Texts:
    chain: gettext.NullTranslations = gettext.NullTranslations()
    if lang != SOURCE_LANG:
        for base in reversed(dirs):  # earlier directories win: they are added as primary last
            try:
                found = gettext.translation(DOMAIN, localedir=str(base), languages=[lang])
            except OSError:
                continue
            found.add_fallback(chain)
            chain = found
    return Texts(lang, chain)


def texts(lang: str | None) -> Texts:
    """The translator for ``lang`` (unknown or ``None`` → the default language), cached."""
    return _texts_for(lang, os.environ.get("IMPACT_LOCALE_DIRS", ""))


@functools.lru_cache(maxsize=256)
def _texts_for(lang: str | None, extra: str) -> Texts:
    """:func:`texts` per (language asked for, ``IMPACT_LOCALE_DIRS``): called once per problem shown."""
    return _texts(normalise_lang(lang), _locale_dirs(extra))


# --------------------------------------------------------------------------- numbers and dates


# CLDR locale per language where the bare language would pick another country's habits
_FORMAT_LOCALE = {"en": "en_GB"}  # "31 Dec 2025", 24-hour clock: English as written in Europe


@functools.cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(_FORMAT_LOCALE.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_FORMAT_LOCALE[SOURCE_LANG])


def _rounded(x: float, digits: int) -> Decimal:
    """Half away from zero on the shortest decimal form (2.675 → 2.68), as people round."""
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def is_missing(x: Any) -> bool:
    """``None``, NaN, NaT and pandas' NA count as missing."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT  # noqa: PLR0124
    except (TypeError, ValueError):  # pandas.NA raises on bool()
        return True


def format_number(x: Any, lang: str | None, digits: int = 1, *, grouping: bool = True) -> str:
    """``x`` rounded to at most ``digits`` decimals in the language's notation (``1.234,5``).

    Trailing zeros are dropped (``2`` not ``2,0``); ``–`` when missing.
    """
    if is_missing(x):
        return MISSING
    value = float(x)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return babel_numbers.format_decimal(_rounded(value, digits), locale=_locale(normalise_lang(lang)),
                                        decimal_quantization=False, group_separator=grouping)


def format_percent(share: Any, lang: str | None, digits: int = 0) -> str:
    """A share (0.42) as a percentage in the language's notation (``42 %`` / ``42%``); ``–`` if missing."""
    if is_missing(share):
        return MISSING
    value = _rounded(float(share) * 100, digits) / 100
    return babel_numbers.format_percent(value, locale=_locale(normalise_lang(lang)), decimal_quantization=False)


def format_date(day: Any, lang: str | None, style: str = "medium") -> str:
    """A date in the language's notation (``31.12.2025`` / ``31 Dec 2025``); ``–`` if missing."""
    if is_missing(day):
        return MISSING
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    elif hasattr(day, "to_pydatetime"):  # pandas Timestamp
        day = day.to_pydatetime().date()
    return babel_dates.format_date(day, format=style, locale=_locale(normalise_lang(lang)))


def format_datetime(moment: Any, lang: str | None, style: str = "medium") -> str:
    """A UTC time to the second, with the zone (``31.12.2025, 14:05:09 UTC``); ``–`` if missing."""
    if is_missing(moment):
        return MISSING
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC).replace(microsecond=0)
    locale = _locale(normalise_lang(lang))
    return babel_dates.format_datetime(moment, format=style, tzinfo=dt.UTC, locale=locale) + " UTC"


def language_name(lang: str) -> str:
    """A language's name in itself (``Deutsch``, ``English``, ``Türkçe``); the code when Babel does not know it."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]
