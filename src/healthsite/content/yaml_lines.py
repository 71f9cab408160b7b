"""Safe YAML parsing that keeps the line of every key, for `file:line` messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..diagnostics import Diagnostics

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 50
"""Deepest nesting of lists and mappings accepted; far deeper YAML would overflow the C parser's stack."""
_SHORT_TEXT = 4096  # text this short cannot nest deep enough to harm the parser, so it skips the depth check
_PYYAML_TOO_DEEP = "exceeded maximum nesting depth"  # PyYAML 6.0.4's scanner refuses ~1,000 levels: before our count


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that leaves dates as strings, so the builder can report bad ones itself."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class ParsedMapping:
    data: dict[str, Any]
    lines: dict[str, int]  # "title" -> line, "sources[0]" -> line of that item


def parse_mapping(text: str, path: str, first_line: int, diags: Diagnostics, what: str) -> ParsedMapping | None:
    """Parse YAML text that must be a mapping; report problems with lines counted from `first_line`."""
    loader = _Loader(text)
    try:
        deep_line = _too_deep(text)
        if deep_line is not None:
            _report_too_deep(diags, path, first_line + deep_line, what)
            return None
        node = loader.get_single_node()
        if node is None:
            return ParsedMapping({}, {})
        if not isinstance(node, yaml.MappingNode):
            diags.error("yaml-not-mapping", path, first_line + node.start_mark.line,
                        f"{what} must be a mapping of 'key: value' lines, not a {_node_kind(node)}",
                        hint="Write one field per line, such as 'title: Heat or cold?'")
            return None
        data = _plain_data(loader, node, set(), 0)  # reaches each node once: no alias in it when it is not _OTHER
        if data is _OTHER and _has_alias(node):
            diags.error("yaml-alias", path, first_line + node.start_mark.line,
                        f"{what} uses a YAML alias (*name)", hint="Write the value out in full instead")
            return None
        twice = _repeated_key(node)
        if twice is not None:
            key, line, first = twice
            diags.error("yaml-duplicate-key", path, first_line + line,
                        f"{what} sets '{key}' twice, first on line {first_line + first}", hint="Keep only one of them")
            return None
        if data is _OTHER:
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if exc.problem == _PYYAML_TOO_DEEP and exc.problem_mark is not None:
            _report_too_deep(diags, path, first_line + exc.problem_mark.line, what)
            return None
        mark = exc.problem_mark or exc.context_mark
        opened = exc.context_mark is not None and any(kind in (exc.context or "") for kind in ("flow", "quoted"))
        if exc.context_mark is not None and mark is not None and (mark.index >= len(text.rstrip()) or opened):
            mark = exc.context_mark  # an unclosed '[', '{' or quote fails further on: name the line that opened it
        line = first_line + mark.line if mark else first_line
        problem = (exc.problem or str(exc)).strip()
        diags.error("yaml-syntax", path, line, f"{what} is not valid YAML: {problem}",
                    hint="Check the indentation and quote values that contain ':' or '#'")
        return None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        diags.error("yaml-syntax", path, first_line, f"{what} is not valid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    if not all(isinstance(key, str) for key in data):
        diags.error("yaml-not-mapping", path, first_line, f"{what} has a key that is not text",
                    hint="Keys are plain names such as 'title' or 'tags'")
        return None
    return ParsedMapping(data, _key_lines(node, first_line))


_OTHER = object()  # what `_plain_data` returns for a document it leaves to PyYAML's constructor
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))
_KEYS = (str, int, float, bool, type(None))


def _plain_data(loader: _Loader, node: yaml.Node, seen: set[int], depth: int) -> Any:
    """Build what PyYAML's constructor would from a tree of text, numbers, lists and mappings in one walk (its
    own takes several calls and a generator per node); return _OTHER for anything else, such as an alias (a node
    reached twice), an explicit tag, a merge key, a value it would refuse or deep nesting, which PyYAML builds
    without recursion."""
    if id(node) in seen or depth > MAX_DEPTH:
        return _OTHER
    seen.add(id(node))
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALARS:
            try:
                return loader.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError):
                return _OTHER
        return _OTHER
    if kind is yaml.SequenceNode and tag == _SEQ:
        items = [_plain_data(loader, item, seen, depth + 1) for item in node.value]
        return _OTHER if any(item is _OTHER for item in items) else items
    if kind is yaml.MappingNode and tag == _MAP:
        data = {}
        for key_node, value_node in node.value:
            key = _plain_data(loader, key_node, seen, depth + 1)
            value = _plain_data(loader, value_node, seen, depth + 1)
            if type(key) not in _KEYS or value is _OTHER:
                return _OTHER
            data[key] = value
        return data
    return _OTHER


def _report_too_deep(diags: Diagnostics, path: str, line: int, what: str) -> None:
    diags.error("yaml-too-deep", path, line, f"{what} nests lists or mappings more than {MAX_DEPTH} levels deep",
                hint="Write each field as a plain value or a short list")


def _too_deep(text: str) -> int | None:
    """Return the line where long YAML first nests deeper than MAX_DEPTH, reading events without building them."""
    if len(text) <= _SHORT_TEXT:
        return None
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _key_lines(node: yaml.MappingNode, first_line: int) -> dict[str, int]:
    """Map each top-level key, each item of a top-level list, and the keys of mappings two levels down
    (`strings.en-GB.home`) to their line."""
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        lines[key] = first_line + key_node.start_mark.line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines[f"{key}[{index}]"] = first_line + item.start_mark.line
        elif isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                lines[f"{key}.{sub_key.value}"] = first_line + sub_key.start_mark.line
                if isinstance(sub_value, yaml.MappingNode):
                    for inner_key, _ in sub_value.value:
                        lines[f"{key}.{sub_key.value}.{inner_key.value}"] = first_line + inner_key.start_mark.line
    return lines


def _repeated_key(node: yaml.MappingNode) -> tuple[str, int, int] | None:
    """Return (key, line, first line) of a top-level key written twice, which YAML would silently overwrite."""
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                return key_node.value, key_node.start_mark.line, seen[key_node.value]
            seen[key_node.value] = key_node.start_mark.line
    return None


def _has_alias(root: yaml.Node) -> bool:
    """Tell whether any node is reachable twice, which is what an alias composes to."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _node_kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "single value"
