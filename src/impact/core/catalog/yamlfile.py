"""Reading one catalog YAML file: the parsed document, or problems naming line and column.

The parse uses libyaml (PyYAML's ``CSafeLoader``) when PyYAML was built with it and the pure
Python ``SafeLoader`` otherwise. The document is built straight from the parser's events for the
plain shapes a catalog has (mappings with plain keys, lists, strings, numbers, booleans, nulls,
dates, anchors and aliases), reusing the value of a scalar text that occurs again (``0``,
``2027-12-31``); anything else (merge keys ``<<``, explicit tags, complex keys, recursion, more
than one document, a syntax error) is read again by PyYAML's own safe constructor, which gives the
document or the error. Either way the result is exactly ``yaml.load(text, Loader=CSafeLoader)``
(``tests/core/test_catalog_yaml.py`` compares both), and a key written twice in one mapping is
noted (YAML itself silently keeps the last one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import Node, ScalarNode

from impact.core.catalog.reading import Collector, Spot
from impact.core.i18n import N_

__all__ = ["load_yaml", "parse_yaml", "parse_yaml_reference"]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
#: scalar tags whose value depends on the text alone and is immutable: built once per file and text
_PLAIN = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                    "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})
_OPEN = object()  # an anchored list or mapping still being read (an alias to it would be recursive)
_UNSEEN = object()  # a plain scalar text not met before in this file


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, noting keys written twice in one mapping, remembering resolved tags."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []
        self.resolved: dict[tuple[Any, ...], str] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        """The implicit tag of a node; the same text resolves to the same tag (no path resolvers here)."""
        key = (kind, value, implicit)
        tag = self.resolved.get(key)
        if tag is None:
            tag = self.resolved[key] = super().resolve(kind, value, implicit)
        return tag


assert not _Loader.yaml_path_resolvers, "resolve() is memoised on the assumption of no path resolvers"


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """PyYAML's mapping constructor, noting duplicate keys first."""
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                loader.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        except TypeError:  # an unhashable key: the constructor below reports it
            pass
    return yaml.SafeLoader.construct_mapping(loader, node, deep=True)  # type: ignore[arg-type]


_Loader.add_constructor(_MAP, _mapping)


def parse_yaml_reference(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """The document and its keys written twice (key, line) by PyYAML's safe constructor."""
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


class _Unusual(Exception):
    """Something the event reader leaves to PyYAML's constructor."""


class _EventReader:
    """Builds the document from the parser's events (see the module docstring for what it takes)."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.next: Callable[[], Event] = loader.get_event
        self.anchors: dict[str, Any] = {}
        #: the value of each plain (unquoted) scalar text met so far: it depends on the text alone
        self.plain: dict[str, Any] = {}
        self.mappings = 0
        #: (mapping number in document order, key text, line): PyYAML notes them mapping by mapping
        self.duplicates: list[tuple[int, str, int]] = []

    def scalar(self, event: ScalarEvent) -> Any:
        if event.tag is not None:
            raise _Unusual
        text = event.value
        if not event.implicit[0]:  # quoted or a block: resolved to a string
            return text
        try:
            return self.plain[text]
        except KeyError:
            pass
        tag = self.loader.resolve(ScalarNode, text, event.implicit)
        if tag == _STR:
            value = text
        elif tag in _PLAIN:
            value = self.loader.yaml_constructors[tag](self.loader, ScalarNode(tag, text))
        else:
            raise _Unusual
        if value == value:  # noqa: PLR0124 - a NaN is built anew each time, as PyYAML does (never equal)
            self.plain[text] = value
        return value

    def node(self, event: Event) -> Any:
        kind = type(event)
        if kind is AliasEvent:
            value = self.anchors.get(event.anchor, _OPEN)  # type: ignore[attr-defined]
            if value is _OPEN:  # undefined or recursive
                raise _Unusual
            return value
        anchor = event.anchor  # type: ignore[attr-defined]
        if anchor is not None:
            if anchor in self.anchors:  # a duplicate anchor
                raise _Unusual
            self.anchors[anchor] = _OPEN
        if kind is ScalarEvent:
            value = self.scalar(event)  # type: ignore[arg-type]
        elif kind is MappingStartEvent and event.tag is None:  # type: ignore[attr-defined]
            value = self.mapping()
        elif kind is SequenceStartEvent and event.tag is None:  # type: ignore[attr-defined]
            value = []
            while type(event := self.next()) is not SequenceEndEvent:
                value.append(self.node(event))
        else:
            raise _Unusual
        if anchor is not None:
            self.anchors[anchor] = value
        return value

    def mapping(self) -> dict[Any, Any]:
        number = self.mappings = self.mappings + 1
        data: dict[Any, Any] = {}
        next_event, scalar, plain = self.next, self.scalar, self.plain
        while type(event := next_event()) is not MappingEndEvent:
            if type(event) is not ScalarEvent or event.anchor is not None:  # type: ignore[attr-defined]
                raise _Unusual
            key = plain.get(event.value, _UNSEEN) if event.implicit[0] and event.tag is None else _UNSEEN
            if key is _UNSEEN:  # not a plain text met before: the full way
                key = scalar(event)  # type: ignore[arg-type]
            if key in data:
                self.duplicates.append((number, str(key), event.start_mark.line + 1))
            event = next_event()
            if type(event) is ScalarEvent and event.anchor is None:  # type: ignore[attr-defined]
                data[key] = scalar(event)  # type: ignore[arg-type]
            else:
                data[key] = self.node(event)
        return data

    def document(self) -> Any:
        """The single document (None for an empty stream); raises for anything unusual."""
        self.next()  # the stream start
        event = self.next()
        if type(event) is StreamEndEvent:
            return None
        if type(event) is not DocumentStartEvent or type(event := self.next()) is not MappingStartEvent:
            raise _Unusual
        doc = self.node(event)
        if type(self.next()) is not DocumentEndEvent or type(self.next()) is not StreamEndEvent:
            raise _Unusual
        return doc


def parse_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """The document in ``text`` and the keys written twice (key, line); raises ``yaml.YAMLError``.

    The same as :func:`parse_yaml_reference`, faster for the plain shapes of a catalog.
    """
    loader = _Loader(text)
    reader = _EventReader(loader)
    try:
        doc = reader.document()
    except Exception:  # noqa: BLE001 - whatever it is, PyYAML's own constructor decides (document or error)
        return parse_yaml_reference(text)
    finally:
        loader.dispose()
    reader.duplicates.sort(key=lambda d: d[0])  # stable: in key order within each mapping
    return doc, [(key, line) for _, key, line in reader.duplicates]


def load_yaml(path: Path, col: Collector) -> Any:
    """The parsed document, or None after recording why it cannot be read (with line and column).

    A key written twice in one mapping is reported too: YAML would silently keep the last one.
    """
    spot = col.spot(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc, duplicates = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is not None:
            spot.add(None, N_("invalid YAML: line {line}, column {column}: {problem}"),
                     line=mark.line + 1, column=mark.column + 1, problem=exc.problem)
        else:
            spot.add(None, N_("invalid YAML: {problem}"), problem=exc.problem)
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        spot.add(None, N_("invalid YAML: {problem}"), problem=exc)
        return None
    for key, line in duplicates:
        entry = _entry_at(text, line)
        Spot(col, path, entry).add(key, N_("line {line}: the key '{key}' is written twice in the same mapping; YAML "
                                          "would keep only the last one"), line=line, key=key)
    return doc


_ENTRY_ID = re.compile(r"^\s*-\s*\{?\s*id:\s*([a-z0-9_-]+)")


def _entry_at(text: str, line: int) -> str | None:
    """The id of the list entry (``- id: …``) that line ``line`` (1-based) belongs to, if any."""
    entry = None
    for number, content in enumerate(text.splitlines()[:line], 1):
        m = _ENTRY_ID.match(content)
        if m:
            entry = m.group(1)
        if number == line:
            break
    return entry
