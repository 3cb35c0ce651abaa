"""A pseudo-locale made from the English catalogue, and a check that a page shows no text that
bypassed the catalogue.

Every message id of ``impact.pot`` becomes a marked, accented copy (``Summary`` →
``⟦Šúmmáŕý⟧``) with its ``{fields}``, ``%`` formats and control characters kept. Compiled into a
folder named in ``IMPACT_LOCALE_DIRS``, it is a language like any other (the CLI offers it, the
report kernels use it), so every visible string of a report built in it either carries the
marker or is data: catalog content, submitted values and notes, ids, numbers and dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "src" / "impact" / "locale"
PSEUDO = "qps"  # the conventional pseudo-locale code ("qps-ploc")
OPEN, CLOSE = "⟦", "⟧"
_ACCENTS = str.maketrans("aceginorsuyzACEGINORSUYZ", "áćéǵíñóŕšúýžÁĆÉǴÍÑÓŔŠÚÝŽ")
_KEEP = re.compile(r"(\{[^{}]*\}|%[A-Za-z%]|[\x00-\x1f])")


def pseudo(text: str) -> str:
    """``text`` accented and marked; fields (``{name}``), ``%`` formats and control chars kept."""
    parts = _KEEP.split(text)
    return OPEN + "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts)) + CLOSE


def build_pseudo_locale(folder: Path, lang: str = PSEUDO) -> Path:
    """Compile the pseudo-locale into ``folder/<lang>/LC_MESSAGES/impact.mo``; returns ``folder``."""
    with (LOCALE / "impact.pot").open("rb") as fh:
        template = read_po(fh)
    cat = Catalog(locale="en")  # English plural rules
    for m in template:
        if not m.id:
            continue
        string = tuple(pseudo(x) for x in m.id) if isinstance(m.id, tuple) else pseudo(m.id)
        cat.add(m.id, string, context=m.context)
    target = folder / lang / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "impact.mo").open("wb") as fh:
        write_mo(fh, cat)
    return folder


_INLINE = {"a", "abbr", "b", "bdi", "br", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span", "strong",
           "sub", "sup", "time", "u", "var", "wbr"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The visible text of each block (paragraph, cell, heading …; text in inline markup such as
    <strong> joined into its block), outside <script>/<style>, plus readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._blocks: list[tuple[str, list[str]]] = [("#document", [])]
        self._skip = 0

    def _flush(self, parts: list[str]) -> None:
        text = "".join(parts)
        if text.strip():
            self.nodes.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "alt", "aria-label", "placeholder") and value:
                self.nodes.append(value)
        if tag not in _INLINE and tag not in _VOID:
            self._blocks.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in _INLINE or tag in _VOID or not any(t == tag for t, _parts in self._blocks[1:]):
            return
        while self._blocks[1:]:
            open_tag, parts = self._blocks.pop()
            self._flush(parts)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._blocks[-1][1].append(data)

    def close(self) -> None:
        super().close()
        while self._blocks:
            self._flush(self._blocks.pop()[1])


_FIGURE = re.compile(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', re.S)


def _strings(x: Any) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def _titles(x: Any) -> Iterator[str]:
    """Every ``title.text`` (and annotation text) anywhere in a layout or trace."""
    if isinstance(x, dict):
        for key, value in x.items():
            if key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                yield value["text"]
            elif key == "annotations" and isinstance(value, list):
                yield from (a.get("text", "") for a in value if isinstance(a, dict))
            else:
                yield from _titles(value)
    elif isinstance(x, list):
        for v in x:
            yield from _titles(v)


def figure_texts(page: str) -> list[str]:
    """What the page's charts write: titles, axis titles, trace names, labels, hover templates."""
    out: list[str] = []
    for data, layout in _FIGURE.findall(page):
        traces, lay = json.loads(data), json.loads(layout)
        out.extend(_titles(lay))
        for trace in traces:
            out.extend(_titles(trace))
            for key in ("name", "text", "hovertemplate", "texttemplate", "x", "y"):
                out.extend(_strings(trace.get(key)))
    return out


def visible_texts(page: str) -> list[str]:
    """The text of every block of ``page`` and its readable attributes, plus the texts of its charts."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser.nodes + figure_texts(page)


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_DATE = re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}(?:, \d{{2}}:\d{{2}}:\d{{2}} UTC)?")
_NUMBER = re.compile(r"[-−+]?\d[\d.,:\-\u00a0\u202f ]*")
_PLACEHOLDER = re.compile(r"%\{[^}]*\}|<extra>.*?</extra>")
_TAG = re.compile(r"<[^>]+>")
_LETTER = re.compile(r"[^\W\d_]")
_INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


class DataStrings:
    """The texts that are data, not messages: matched as whole words, longest first."""

    def __init__(self, strings: Iterable[str]) -> None:
        words = sorted({s.strip() for s in strings if s and s.strip()}, key=len, reverse=True)
        self._pattern = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words)) if words else None

    def remove(self, text: str) -> str:
        return self._pattern.sub(" ", text) if self._pattern else text


def residue(text: str, data: DataStrings) -> str:
    """What is left of ``text`` after marked messages, data, numbers, dates and punctuation are
    taken out: letters here are a string that bypassed the catalogue."""
    t = _PLACEHOLDER.sub(" ", text)  # plotly's hover placeholders
    t = data.remove(_DATE.sub(" ", t))  # dates first: a period label such as 2022 is data too
    t = _TAG.sub(" ", t)  # markup in chart texts (after data: a submitted note may contain some)
    while True:  # messages filled into messages: innermost first
        t, n = _INNERMOST.subn(" ", t)
        if not n:
            break
    t = re.sub(f"{OPEN}.*$", " ", t, flags=re.S)  # a message split by markup into several nodes
    t = re.sub(f"^.*?{CLOSE}", " ", t, flags=re.S)
    t = _NUMBER.sub(" ", _DATE.sub(" ", t))
    return t.strip() if _LETTER.search(t) else ""


def data_strings(value: Any) -> Iterator[str]:
    """Every text inside ``value`` (dataclasses, mappings, sequences): e.g. everything the catalog,
    written by evaluators, can put on a page, in any language, with its ids."""
    import dataclasses

    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from data_strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from data_strings(k)
            yield from data_strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from data_strings(v)
