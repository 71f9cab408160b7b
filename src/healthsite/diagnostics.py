"""Problems found while building, collected so the writer sees all of them at once."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

Level = Literal["error", "warning"]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # a file name or value could hold terminal escapes
LEVELS = ("error", "warning", "off")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    level: Level
    code: str
    path: str
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        message = self.message.rstrip(".") + "."
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}: {self.level}: {message}{hint} [{self.code}]"

    def github(self) -> str:
        """Format as a GitHub Actions workflow annotation."""
        line = f",line={self.line}" if self.line else ""
        text = _escape(f"{self.message.rstrip('.')}. {self.hint}".strip())
        return f"::{self.level} file={_escape(self.path, True)}{line},title={_escape(self.code, True)}::{text}"


Origin = tuple[int, str, int]  # a run of a body's lines: its first line as numbered in the body, the file it was
# written in and its line there (content/snippets.py: a snippet's lines are numbered on from the article's)


@dataclass(slots=True)
class Diagnostics:
    """Collect diagnostics; `levels` maps a code to the level it is reported at, or "off" (`file_levels`, for one
    file: its front matter's and its pillar's `checks:`); `origins` maps a file whose body includes snippets to where
    its lines were written, so each problem names the snippet's own line."""

    levels: Mapping[str, str] = field(default_factory=dict)
    items: list[Diagnostic] = field(default_factory=list)
    origins: dict[str, Sequence[Origin]] = field(default_factory=dict)
    file_levels: dict[str, Mapping[str, str]] = field(default_factory=dict)  # path -> code -> level, over `levels`
    _seen: set[Diagnostic] = field(default_factory=set)

    def error(self, code: str, path: str, line: int | None, message: str, hint: str = "") -> None:
        """Record an error, unless the site set this code to another level."""
        self._add("error", code, path, line, message, hint)

    def warning(self, code: str, path: str, line: int | None, message: str, hint: str = "") -> None:
        """Record a warning, unless the site set this code to another level."""
        self._add("warning", code, path, line, message, hint)

    def replay(self, items: Iterable[Diagnostic]) -> None:
        """Record diagnostics found earlier (kept in a cache or a memo), at the levels this site sets."""
        for item in items:
            self._add(item.level, item.code, item.path, item.line, item.message, item.hint)

    def repeat(self, items: Iterable[Diagnostic]) -> None:
        """Record diagnostics exactly as an earlier build with the same settings reported them: their levels already
        hold every file's own `checks:`, which this build does not read."""
        for item in items:
            if item not in self._seen:
                self._seen.add(item)
                self.items.append(item)

    def _add(self, level: Level, code: str, path: str, line: int | None, message: str, hint: str) -> None:
        level = self.file_levels.get(path, {}).get(code) or self.levels.get(code, level)
        if level == "off":
            return
        if line and path in self.origins:
            path, line = _placed(path, line, self.origins[path])
        item = Diagnostic(level, code, _printable(path), line, _printable(message), _printable(hint))
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def counted(self, level: Level) -> str:
        """Count the errors or warnings, and each code among them, most frequent first: '3 errors (2 link-not-found,
        1 field-date)', '0 warnings'."""
        items = [d for d in self.items if d.level == level]
        codes = Counter(d.code for d in items)
        by_code = ", ".join(f"{count} {code}" for code, count in sorted(codes.items(), key=lambda c: (-c[1], c[0])))
        return f"{len(items)} {level}{'' if len(items) == 1 else 's'}" + (f" ({by_code})" if by_code else "")

    def summary(self) -> list[dict]:
        """Count each code, errors first then by count, with its first three places ('path:line'), for an editor
        to see what a thousand lines are about before reading them."""
        codes: dict[tuple[str, str], list[Diagnostic]] = {}
        for item in self.sorted():
            codes.setdefault((item.level, item.code), []).append(item)
        ordered = sorted(codes.items(), key=lambda entry: (entry[0][0] != "error", -len(entry[1]), entry[0][1]))
        return [{"level": level, "code": code, "count": len(items),
                 "first": [f"{d.path}:{d.line}" if d.line else d.path for d in items[:3]]}
                for (level, code), items in ordered]

    def summary_table(self) -> str:
        """Write `summary` as aligned lines: level, code, count and the first places."""
        rows = self.summary()
        width = max((len(row["code"]) for row in rows), default=0)
        return "\n".join(f"{row['level']:<8} {row['code']:<{width}} {row['count']:>5}  " + ", ".join(row["first"])
                         + (", ..." if row["count"] > 3 else "") for row in rows)

    def failed(self, strict: bool = False) -> bool:
        """Tell whether the build must fail: any error, or any warning when strict."""
        return bool(self.errors or (strict and self.warnings))

    def sorted(self) -> list[Diagnostic]:
        """Return the errors, then the warnings, each ordered by file, line and code: what stops the build first."""
        return sorted(self.items, key=lambda d: (d.level != "error", d.path, d.line or 0, d.code, d.message))

    def format(self, style: str = "text") -> str:
        """Render every diagnostic as text, JSON or GitHub annotations."""
        items = self.sorted()
        if style == "json":
            return json.dumps([asdict(d) for d in items], indent=2)
        if style == "github":
            return "\n".join(d.github() for d in items)
        return "\n".join(str(d) for d in items)


def _placed(path: str, line: int, origins: Sequence[Origin]) -> tuple[str, int]:
    """Return the file and line a body line was written at (lines before the body are where they are)."""
    placed = (path, line)
    for start, written_in, first in origins:
        if start > line:
            break
        placed = (written_in, first + line - start)
    return placed


def _escape(text: str, is_property: bool = False) -> str:
    """Escape text the way GitHub's workflow commands require; properties also escape ':' and ','."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def _printable(text: str) -> str:
    """Show control characters (a terminal escape in a file name, say) as '\\x1b' instead of sending them."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def did_you_mean(name: str, choices: Iterable[str], prefix: str = "Did you mean") -> str:
    """Suggest the closest of `choices` to a misspelt `name`, or return an empty hint."""
    match = difflib.get_close_matches(str(name), sorted(set(choices)), n=1, cutoff=0.6)
    return f"{prefix} '{match[0]}'?" if match else ""
