"""Shared Markdown kept once: a line `--8<-- "name.md"` in a body is replaced by content/_snippets/name.md.

The lines a snippet brings are numbered on from the article's (a body's lines are counted as one run), and each
Document keeps `origins`: where each run of its body's lines was written. Diagnostics use them, so a problem in a
snippet is reported at the snippet's own file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..diagnostics import Diagnostics, Origin, did_you_mean

SNIPPETS = "_snippets"  # the folder under the content folder; it is never published as pages
INCLUDE = re.compile(r'^([ \t]*)--8<--[ \t]+"([^"\n]*)"[ \t]*$')  # as pymdownx.snippets, which MkDocs users know
MAX_DEPTH = 8

ReadSnippet = Callable[[Path], str]  # a snippet file's text, '\n' line ends; raises OSError or UnicodeDecodeError


def expand(body: str, body_line: int, path: str, snippets: Path, shown: str, diags: Diagnostics,
           read: ReadSnippet) -> tuple[str, tuple[Origin, ...]]:
    """Replace every include line of a body (written in `path` from file line `body_line`) by its snippet, indented
    as the include line is; report a missing snippet or a loop at its include line. `shown` is the snippets folder
    as the writer sees it. Returns the body and its origins (none when it includes nothing)."""
    if "--8<--" not in body:
        return body, ()
    lines: list[str] = []
    origins: list[Origin] = []
    _expand(body, path, body_line, (), snippets, shown, diags, read, body_line, lines, origins)
    return "\n".join(lines), tuple(origins)


def _expand(text: str, path: str, first_line: int, stack: tuple[str, ...], snippets: Path, shown: str,
            diags: Diagnostics, read: ReadSnippet, start: int, lines: list[str], origins: list[Origin],
            indent: str = "") -> None:
    """Append `text`'s lines (written in `path` from `first_line`) to `lines`, expanded, recording where each run
    of them came from; `start` is the expanded line number of `lines[0]`."""
    source = text.split("\n")
    origins.append((start + len(lines), path, first_line))
    for index, line in enumerate(source):
        match = INCLUDE.match(line)
        name = match.group(2).strip() if match else ""
        target = _snippet_path(name, snippets) if match else None
        if match is None:
            lines.append(indent + line if line else line)
            continue
        where = first_line + index
        if target is None:
            diags.error("snippet-invalid", path, where, f"'{name}' is not a snippet name",
                        hint=f"Name a file in {shown}/, such as \"red-flags.md\"")
        elif f"{shown}/{name}" in stack or f"{shown}/{name}" == path or len(stack) >= MAX_DEPTH:
            diags.error("snippet-loop", path, where, f"snippet {shown}/{name} includes itself through "
                        + " -> ".join((*stack, path, f"{shown}/{name}")), hint="Remove one of the include lines")
        else:
            try:
                included = read(target)
            except FileNotFoundError:
                diags.error("snippet-not-found", path, where, f"there is no snippet {shown}/{name}",
                            hint=_closest(name, snippets) or f"Create {shown}/{name}, or correct the name")
            except (OSError, UnicodeDecodeError) as exc:
                diags.error("snippet-not-found", path, where, f"cannot read the snippet {shown}/{name}: {exc}",
                            hint="Save it as UTF-8 text")
            else:
                _expand(included.rstrip("\n"), f"{shown}/{name}", 1, (*stack, path), snippets, shown, diags, read,
                        start, lines, origins, indent + match.group(1))
                origins.append((start + len(lines), path, where + 1))  # the article goes on after the include
                continue
        lines.append("")  # the include line stays a line, so later lines keep their numbers


def _snippet_path(name: str, snippets: Path) -> Path | None:
    """Return the snippet file a name means, or None if it is not a plain relative '.md' path inside the folder."""
    parts = PurePosixPath(name).parts
    if not name.endswith(".md") or not parts or name.startswith("/") or any(p in ("..", ".") for p in parts):
        return None
    return snippets.joinpath(*parts)


def _closest(name: str, snippets: Path) -> str:
    """Suggest the closest snippet's name."""
    try:
        names = [p.relative_to(snippets).as_posix() for p in snippets.rglob("*.md")]
    except OSError:
        return ""
    return did_you_mean(name, names)

