"""The translation catalogue is complete and current, and numbers and dates follow the language."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from impact.core import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "impact" / "locale"
SHIPPED = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/impact.po"))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}


def _po(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "impact.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _extracted() -> set[tuple[str | None, str]]:
    """What `make messages` would extract from the source right now: (context, msgid)."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT / "src" / "impact"), method_map=[("**.py", "python")], keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return found


def _ids(cat: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in cat if m.id}


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def test_german_is_shipped() -> None:
    assert "de" in SHIPPED


def test_template_is_current_with_the_source() -> None:
    with (LOCALE / "impact.pot").open("rb") as fh:
        pot = read_po(fh)
    source, template = _extracted(), _ids(pot)
    assert not source - template, f"marked in the code but not in impact.pot (run `make messages`): {sorted(source - template)[:10]}"
    assert not template - source, f"in impact.pot but no longer in the code (run `make messages`): {sorted(template - source)[:10]}"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_message_is_translated(lang: str) -> None:
    cat = _po(lang)
    source = _extracted()
    missing = sorted(source - _ids(cat))
    assert not missing, f"{lang}: ids without an entry (run `make messages`): {missing[:10]}"
    untranslated = [m.id for m in cat if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert not untranslated, f"{lang}: {len(untranslated)} message(s) without a (non-fuzzy) translation: {untranslated[:10]}"


@pytest.mark.parametrize("lang", SHIPPED)
def test_translations_keep_their_fields(lang: str) -> None:
    bad = []
    for m in _po(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for s in strings:
            if s and not _fields(s) <= wanted | {"n"}:
                bad.append((ids[0], s))
    assert not bad, f"{lang}: translations with fields the original does not have: {bad[:5]}"


@pytest.mark.parametrize("lang", SHIPPED)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    buf = io.BytesIO()
    write_mo(buf, _po(lang))
    fresh = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    with (LOCALE / lang / "LC_MESSAGES" / "impact.mo").open("rb") as fh:
        shipped = gettext.GNUTranslations(fh)
    assert fresh._catalog == shipped._catalog, f"{lang}: impact.mo is stale (run `make messages`)"  # type: ignore[attr-defined]


def test_a_catalogue_outside_the_package_adds_a_language(tmp_path: Path) -> None:
    cat = Catalog(locale="tr")
    cat.add("The file is empty.", "Dosya boş.")
    target = tmp_path / "tr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "impact.mo").open("wb") as fh:
        write_mo(fh, cat)
    code = ("from impact.core.i18n import languages, texts, format_number\n"
            "print(languages()); print(texts('tr')('The file is empty.')); print(format_number(1234.5, 'tr'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"IMPACT_LOCALE_DIRS": str(tmp_path), "PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert out[0] == "('de', 'en', 'tr')"
    assert out[1] == "Dosya boş."
    assert out[2] == "1.234,5"  # Turkish CLDR notation, without any code for Turkish


def test_unknown_ids_and_languages_fall_back() -> None:
    assert i18n.texts("en")("No such message {x}", x=1) == "No such message 1"
    assert i18n.texts("xx").lang == i18n.DEFAULT_LANG
    assert i18n.normalise_lang("EN") == "en" and i18n.normalise_lang("en-GB") == "en"
    assert i18n.normalise_lang(None) == "de" and i18n.normalise_lang("zz", default="en") == "en"


def test_plural_and_context() -> None:
    _ = i18n.texts("en")
    assert _.ngettext("{n} row", "{n} rows", 1) == "1 row"
    assert _.ngettext("{n} row", "{n} rows", 3) == "3 rows"
    assert _.pgettext("column", "Period") == "Period"


@pytest.mark.parametrize(("lang", "number", "percent", "day", "moment"), [
    ("de", "1.234.567,9", "42 %", "31.12.2025", "31.12.2025, 14:05:09 UTC"),
    ("en", "1,234,567.9", "42%", "31 Dec 2025", "31 Dec 2025, 14:05:09 UTC"),
])
def test_numbers_and_dates_follow_the_language(lang: str, number: str, percent: str, day: str, moment: str) -> None:
    nbsp = re.compile(r"[\u00a0\u202f]")
    assert i18n.format_number(1234567.891, lang) == number
    assert nbsp.sub(" ", i18n.format_percent(0.4234, lang)) == percent
    assert i18n.format_date(dt.date(2025, 12, 31), lang) == day
    assert i18n.format_datetime(dt.datetime(2025, 12, 31, 14, 5, 9, 123456, tzinfo=dt.UTC), lang) == moment
    assert i18n.format_number(None, lang) == i18n.format_number(float("nan"), lang) == "–"


def test_rounding_is_half_away_from_zero() -> None:
    assert i18n.format_number(2.675, "en", 2) == "2.68"
    assert i18n.format_number(-3.25, "en", 1) == "-3.3"
    assert i18n.format_number(2.0, "de") == "2"
