"""Load YAML while remembering the line of every value, so errors can point at it.

PyYAML's composer already knows where each node starts; this module keeps that
knowledge in a side table keyed by the path of the value inside the document
(``("kpis", 3, "filter")``), which is exactly the ``loc`` pydantic reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from onpace.errors import YamlSyntaxError

PathKey = tuple[str | int, ...]

__all__ = ["LocatedDocument", "PathKey", "YamlSyntaxError", "load_located"]


@dataclass
class LocatedDocument:
    """A parsed YAML document plus the 1-based line of every path in it."""

    file: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int:
        """Line of ``path``, or of its closest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def _record_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            _record_lines(value_node, child, lines)
            # a key's errors point at the key itself, even when its value starts below it
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*path, i), lines)


# libyaml's parser when PyYAML has it (about ten times faster); errors are always
# reported by the pure-Python one, whose messages the documentation shows
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(loader_class: Any, source: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(source)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def load_located(file: Path, text: str | None = None) -> LocatedDocument:
    """Parse ``file`` (or ``text`` standing for it) into data plus line numbers."""
    source = file.read_text(encoding="utf-8") if text is None else text
    try:
        node, data = _parse(_FAST_LOADER, source)
    except yaml.YAMLError:
        try:
            node, data = _parse(yaml.SafeLoader, source)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise YamlSyntaxError(file, line, str(exc.problem or exc)) from exc
    lines: dict[PathKey, int] = {(): 1}
    if node is not None:
        _record_lines(node, (), lines)
    return LocatedDocument(file=file, data=data, lines=lines)
