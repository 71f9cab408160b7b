"""Read built sites: every file's bytes, and the links and sources written in HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import run_healthsite


def files_below(folder: Path) -> dict[str, bytes]:
    """Read every file below a folder, keyed by its relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def failed_rebuild_errors(root: Path, change: Callable[[], None]) -> list[str]:
    """Build the site, apply `change`, rebuild, and return the rebuild's error lines.

    The rebuild must exit 1 without a traceback and leave the first build's public/ exactly as it was.
    """
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    change()
    result = run_healthsite("build", cwd=root)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    closing = result.err.splitlines()[-2:]  # the counts, and what waits for a file that could not be read
    assert closing[-1].startswith("Build failed: ") or (closing[0].startswith("Build failed: ") and
                                                        closing[1].endswith(" checks wait for the fix."))
    assert files_below(root / "public") == before
    return [line for line in result.err.splitlines() if ": error: " in line]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value for name, value in attrs if name in ("href", "src") and value is not None)


def links_in(page: Path) -> list[str]:
    """Return every href and src written in an HTML page, entities decoded."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def target_file(public: Path, href: str, base_path: str = "/") -> Path | None:
    """Return the file an internal link leads to (a folder URL means its index.html), or None if it leaves the site."""
    path = unquote(urlsplit(href).path)
    if not path.startswith(base_path):
        return None
    relative = path[len(base_path):]
    return public / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)


def broken_internal_links(public: Path, base_path: str = "/") -> list[str]:
    """List 'page -> href' for every link starting with '/' that leads to no written file."""
    broken = []
    for page in sorted(public.rglob("*.html")):
        for href in links_in(page):
            if not href.startswith("/") or href.startswith("//"):
                continue
            target = target_file(public, href, base_path)
            if target is None or not target.is_file():
                broken.append(f"{page.relative_to(public)} -> {href}")
    return broken
