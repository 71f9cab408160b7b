"""Split a content file into front matter and body with python-frontmatter, keeping the line of every key.

YAML goes between '---' lines and TOML (as Hugo sites write it) between '+++' lines. The library's handlers find
and split the fences; each handler reads its text with a parser that knows lines, so every message names
`file:line`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import frontmatter
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from ..diagnostics import Diagnostics
from .yaml_lines import ParsedMapping, parse_mapping

FIRST_LINE = 2  # front matter starts on the line after the opening fence
_EDGE = r"[^\S\n]*"  # what `str.strip` removes but a newline: fence lines have always been compared stripped


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict[str, Any]
    lines: dict[str, int]  # "title" -> line in the file, "sources[0]" -> line of that item
    body: str
    body_line: int  # the file's line of the body's first line


class YAMLFrontMatter(YAMLHandler):
    """Find YAML between '---' lines (or a closing '...') and read it with the line-keeping safe composition."""

    FM_BOUNDARY = re.compile(rf"^{_EDGE}(?:---|\.\.\.){_EDGE}$", re.MULTILINE)
    OPENING = re.compile(rf"{_EDGE}---{_EDGE}$", re.MULTILINE)  # '...' only ever closes front matter

    def detect(self, text: str) -> bool:
        """Tell whether the text opens with a '---' line."""
        return self.OPENING.match(text) is not None

    def load(self, fm: str, **kwargs: object) -> dict[str, Any]:
        """Parse front matter as `split` returns it into a dict; raise ValueError when it is unusable."""
        return _plain_load(self, fm)

    def read(self, fm: str, path: str, diags: Diagnostics) -> ParsedMapping | None:
        """Parse front matter as `split` returns it, reporting problems with their line in the file."""
        return parse_mapping(_inner(fm), path, FIRST_LINE, diags, "front matter")


class TOMLFrontMatter(BaseHandler):
    """Find TOML between '+++' lines and read it with tomllib, scanning the text for each key's line."""

    FM_BOUNDARY = re.compile(rf"^{_EDGE}\+\+\+{_EDGE}$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> dict[str, Any]:
        """Parse front matter as `split` returns it into a dict; raise ValueError when it is unusable."""
        return _plain_load(self, fm)

    def read(self, fm: str, path: str, diags: Diagnostics) -> ParsedMapping | None:
        """Parse front matter as `split` returns it, reporting problems with their line in the file."""
        text = _inner(fm)
        try:
            data = _as_yaml_reads(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            line, problem = _toml_problem(text, str(exc))
            diags.error("toml-syntax", path, FIRST_LINE + line, f"front matter is not valid TOML: {problem}",
                        hint='Write one field per line, such as title = "Heat or cold?", with text in quotes')
            return None
        except RecursionError:  # tomllib reads nested lists by recursion, with no limit of its own
            diags.error("toml-too-deep", path, FIRST_LINE, "front matter nests lists or tables too deeply to read",
                        hint="Write each field as a plain value or a short list")
            return None
        return ParsedMapping(data, toml_key_lines(text, FIRST_LINE))


HANDLERS = (YAMLFrontMatter(), TOMLFrontMatter())


def read_front_matter(text: str, path: str, diags: Diagnostics) -> FrontMatter | None:
    """Split a file's text into front matter and body and parse the front matter; report problems and return None
    when the file is unusable."""
    handler = frontmatter.detect_format(text, HANDLERS)
    if handler is None:
        diags.error("front-matter-missing", path, 1, "the file does not start with front matter",
                    hint="Begin the file with a '---' line, fields such as 'title: ...', and another '---' line")
        return None
    try:
        fm, content = handler.split(text)
    except ValueError:  # the library's way of saying there is no closing fence
        diags.error("front-matter-unclosed", path, 1, "the front matter is never closed",
                    hint=f"Add a line with only '{handler.END_DELIMITER}' after the last front-matter field")
        return None
    parsed = handler.read(fm, path, diags)
    if parsed is None:
        return None
    # `split` leaves the newline after the closing fence at the start of the body
    return FrontMatter(parsed.data, parsed.lines, content[1:], FIRST_LINE + fm.count("\n"))


def _inner(fm: str) -> str:
    """Drop the newlines that `split` leaves after the opening fence and before the closing one."""
    return fm[1:-1]


def _plain_load(handler: YAMLFrontMatter | TOMLFrontMatter, fm: str) -> dict[str, Any]:
    """Parse front matter into a dict for python-frontmatter's own `load`, which knows no file or lines."""
    diags = Diagnostics()
    parsed = handler.read(fm, "front matter", diags)
    if parsed is None:
        raise ValueError(str(diags.items[0]))
    return parsed.data


_AT = re.compile(r" \(at (?:line (\d+), column (\d+)|end of document)\)$")


def _toml_problem(text: str, error: str) -> tuple[int, str]:
    """Return the 0-based line of a tomllib error and its problem in a writer's words
    ('invalid value (column 8)')."""
    found = _AT.search(error)
    problem = error[: found.start()] if found else error
    problem = problem[:1].lower() + problem[1:] if problem[1:2].islower() else problem
    if found is None:
        return 0, problem
    if found.group(1) is None:
        return _opened_at(text, error), problem
    return int(found.group(1)) - 1, f"{problem.rstrip('.')} (column {found.group(2)})"


def _opened_at(text: str, error: str) -> int:
    """Return the 0-based line where a value left open at the end begins: the first line that fails the same way
    when read with the lines above it, found by halving (an unclosed '[' is reported where it was opened)."""
    lines = text.split("\n")
    low, high = 1, len(lines)  # reading all the lines fails with `error`
    while low < high:
        middle = (low + high) // 2
        try:
            tomllib.loads("\n".join(lines[:middle]))
            same = False
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            same = str(exc) == error
        low, high = (low, middle) if same else (middle + 1, high)
    return low - 1


def _as_yaml_reads(value: Any) -> Any:
    """Turn TOML date-times and times into the text YAML front matter gives, so both are reported alike; dates stay
    dates, which fields accept."""
    if isinstance(value, dict):
        return {key: _as_yaml_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_yaml_reads(item) for item in value]
    if isinstance(value, (datetime, time)):
        return value.isoformat()
    return value


_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_KEY_PART = re.compile(rf"[A-Za-z0-9_-]+|{_BASIC}|{_LITERAL}")
_KEY_PATH = rf"(?:{_KEY_PART.pattern})(?:[ \t]*\.[ \t]*(?:{_KEY_PART.pattern}))*"
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY_PATH})[ \t]*\]")
_ASSIGN = re.compile(rf"[ \t]*({_KEY_PATH})[ \t]*=")
_ML_BASIC = r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""(?:""?)?'  # up to two quotes may end the text
_ML_LITERAL = r"'''(?:[^']|'(?!''))*'''(?:''?)?"
_TOKEN = re.compile(rf"(?P<text>{_ML_BASIC}|{_ML_LITERAL}|{_BASIC}|{_LITERAL})|(?P<blank>[ \t]+|#[^\n]*)"
                    r"|(?P<newline>\n)|(?P<mark>[\[\]{},])|(?P<word>[^\s\[\]{},#\"']+|.)")


def toml_key_lines(text: str, first_line: int) -> dict[str, int]:
    """Map each key of valid TOML to its line counted from `first_line`, the same shape `parse_mapping` gives: 'title',
    'tags[0]' for a list's items, 'sources[1]' for a '[[sources]]' table, 'extra.note' for a key in '[extra]'."""
    lines: dict[str, int] = {}
    tables: dict[str, int] = {}  # '[[name]]' -> how many so far
    prefix, pos, line = "", 0, first_line
    while pos < len(text):
        if header := _HEADER.match(text, pos):
            prefix = _table(header, line, lines, tables)
            pos = header.end()
        elif assign := _ASSIGN.match(text, pos):
            parts = _key_parts(assign.group(1))
            for count in range(1, len(parts) + 1):  # 'a.b = 1' also names 'a'
                lines.setdefault(prefix + ".".join(parts[:count]), line)
            pos, line = _value(text, assign.end(), line, prefix + ".".join(parts), lines)
        end = text.find("\n", pos)
        if end < 0:
            break
        pos, line = end + 1, line + 1
    return lines


def _table(header: re.Match[str], line: int, lines: dict[str, int], tables: dict[str, int]) -> str:
    """Note a '[table]' or '[[table]]' header's line and return the prefix of the keys below it."""
    name = ".".join(_key_parts(header.group(2)))
    lines.setdefault(name.split(".")[0], line)
    lines.setdefault(name, line)
    if header.group(1) == "[":
        return name + "."
    index = tables.get(name, 0)
    tables[name] = index + 1
    lines[f"{name}[{index}]"] = line
    return f"{name}[{index}]."


def _key_parts(path: str) -> list[str]:
    """Return the parts of a dotted key, unquoted."""
    parts = [part.group() for part in _KEY_PART.finditer(path)]
    return [tomllib.loads(f"k = {part}")["k"] if part[0] == '"' else part.strip("'") for part in parts]


def _value(text: str, pos: int, line: int, key: str, lines: dict[str, int]) -> tuple[int, int]:
    """Walk one value to the newline that ends it, noting the line of each item of a list as 'key[i]'; return the
    position of that newline and its line."""
    depth, items, is_list, expect_item = 0, 0, False, False
    while pos < len(text):
        token = _TOKEN.match(text, pos)
        assert token is not None  # the last alternative takes any one character
        kind, value = token.lastgroup, token.group()
        if kind == "newline" and depth == 0:
            break
        if kind in ("text", "mark", "word"):
            if depth == 1 and is_list and expect_item and value != "]":
                lines[f"{key}[{items}]"] = line
                items, expect_item = items + 1, False
            if value in ("[", "{"):
                if depth == 0:
                    is_list = expect_item = value == "["
                depth += 1
            elif value in ("]", "}"):
                depth -= 1
            elif value == "," and depth == 1:
                expect_item = True
        line += value.count("\n")
        pos = token.end()
    return pos, line
