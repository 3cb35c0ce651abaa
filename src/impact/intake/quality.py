"""How a value was obtained, and what proves it: the submission columns ``quality`` and ``evidence``.

``quality`` takes a grade of :data:`impact.core.catalog.QUALITY_GRADES` written in English or in
German (``gemessen``, ``gezählt``, ``erhoben``, ``geschätzt``, ``Näherung``; case, blanks and
umlauts spelt ``ae``/``oe``/``ue`` ignored). An empty cell takes the indicator's default
(``Indicator.quality``). ``evidence`` is a web link (``http://``/``https://``) or a document
reference, as free text: trimmed, at most :data:`EVIDENCE_MAX_LENGTH` characters, and never
starting like a spreadsheet formula (:data:`EVIDENCE_FORMULA_PREFIXES`). An indicator with
``evidence_required: true`` needs it in every row.
"""

from __future__ import annotations

from impact.core.catalog import QUALITY_GRADES

__all__ = ["EVIDENCE_FORMULA_PREFIXES", "EVIDENCE_MAX_LENGTH", "GERMAN_GRADES", "QUALITY_GRADES", "quality_grade"]

#: the German word for each grade, as a submission may write it
GERMAN_GRADES: dict[str, str] = {"measured": "gemessen", "counted": "gezählt", "surveyed": "erhoben",
                                 "estimated": "geschätzt", "proxy": "Näherung"}
#: the longest evidence accepted (characters, after trimming): a long intranet link still fits
EVIDENCE_MAX_LENGTH = 1000
#: an evidence cell starting with one of these would run as a formula when the value is exported
#: to a spreadsheet (CSV injection): it is refused like a formula
EVIDENCE_FORMULA_PREFIXES = ("=", "+", "-", "@")

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _key(text: str) -> str:
    return " ".join(text.split()).casefold().translate(_UMLAUTS)


_WORDS: dict[str, str] = {_key(word): grade for grade, word in GERMAN_GRADES.items()} | {g: g for g in QUALITY_GRADES}


def quality_grade(text: str | None) -> str | None:
    """The grade a ``quality`` cell names (``"Gezählt"`` → ``"counted"``), the cell's text when it
    names none, ``None`` for an empty cell."""
    if text is None or not text.strip():
        return None
    return _WORDS.get(_key(text), text.strip())
