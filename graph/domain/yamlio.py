"""YAML reading that remembers line numbers, so every input error can name its line.

Timestamps are kept as strings: a report's date has its own precision and is parsed
by ``graph.domain.dates``, never turned into a ``datetime`` behind the user's back.

Before a document is built, its event stream is checked (``check_structure``): nesting
deeper than ``MAX_DEPTH`` is refused, because building it recurses (PyYAML raises
``RecursionError``, and its C extension can overflow the stack and kill the process), and
so are aliases (``*name``), which let a few hundred bytes stand for a structure of
billions of items. Nothing this project reads needs either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class Located(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class DuplicateKey(yaml.MarkedYAMLError):
    """A mapping names the same key twice; YAML would silently keep the last."""


class UnsafeStructure(yaml.MarkedYAMLError):
    """The document nests too deeply or uses aliases; it is refused before it is built."""


MAX_DEPTH = 64


# libyaml's parser when PyYAML was built with it (several times faster); the constructors,
# and so the line tracking below, stay in Python either way.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise DuplicateKey(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_structure(text: str) -> None:
    """Raise ``UnsafeStructure`` (with a line mark) if ``text`` nests deeper than ``MAX_DEPTH`` or uses aliases.

    The parser streams events without recursing, so this is safe on any input, and it stops
    at the first offence.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise UnsafeStructure(None, None, f"alias *{event.anchor} refused: write the value out instead "
                                              "of referring to an anchor", _mark(event))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeStructure(None, None, f"nested deeper than {MAX_DEPTH} levels", _mark(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _mark(event: yaml.Event) -> yaml.Mark | None:
    """Where an event starts, as the pure-Python mark every YAML error carries (libyaml has its own type)."""
    start = event.start_mark
    return yaml.Mark("<yaml>", start.index, start.line, start.column, None, 0) if start is not None else None


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; ``yaml.YAMLError`` (with a line mark) on malformed or unsafe input."""
    text = path.read_text(encoding="utf-8")
    check_structure(text)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it has one."""
    mark = getattr(error, "problem_mark", None)
    return mark.line + 1 if mark is not None else None
