"""Helpers for the browser tests: serve a built site locally, start the system's Chromium, watch a page for errors."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = "HEALTHSITE_REQUIRE_BROWSER"
# Every rule set axe-core knows for WCAG 2.0-2.2 A and AA, plus its best practices.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]},
               "resultTypes": ["violations"]}


def browser_unavailable(reason: str) -> None:
    """Skip a browser test, or fail it when CI demands real browsers (HEALTHSITE_REQUIRE_BROWSER=1)."""
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_BROWSER}=1 forbids skipping browser tests")
    pytest.skip(reason)


def chromium_path() -> Path:
    """Return the system Chromium, or skip (or fail in CI) when it is not installed."""
    found = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or "/nonexistent")
    if not found.exists():
        browser_unavailable("Chromium is not installed (apt-get install chromium)")
    return found


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 in a background thread and yield its base URL, without a trailing slash."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class PageWatch:
    """Everything that went wrong while a page was open: console errors, script errors, failed requests."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        """Listen to one Playwright page."""
        page.on("console", lambda message: message.type == "error" and self.problems.append(
            f"console error: {message.text} at {message.location.get('url', '')}"))
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda response: response.status >= 400 and self.problems.append(
            f"HTTP {response.status}: {response.url}"))


    def _request_failed(self, request) -> None:
        # Chromium aborts requests still running when the test moves to the next page (often the favicon):
        # the test's doing, not the site's.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")


def axe_report(results) -> str:
    """Summarise axe violations as one line per rule and element, for an assertion message."""
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']}: {node['target']} {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


def load_every_search_result(page) -> None:
    """Scroll each placeholder result into view until Pagefind has filled in every result it loads lazily."""
    page.wait_for_function("""() => {
        const waiting = document.querySelector('pagefind-results li.pf-result[aria-hidden="true"]');
        if (waiting) waiting.scrollIntoView();
        return !waiting && document.querySelector('pagefind-results a.pf-result-link') !== null;
    }""", polling=100)
    page.evaluate("window.scrollTo(0, 0)")
