"""`healthsite serve`: the real command in a subprocess, driven as a writer's editor and browser would drive it."""

from __future__ import annotations

import html
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import BUILD_EPOCH, as_in_a_terminal, run_healthsite

WAIT = 30  # seconds: a generous bound for every wait, so a broken server fails the test instead of hanging it
ARTICLE = "/back/stretches/"
ARTICLE_FILE = "content/back/stretches.md"


class Served:
    """`healthsite serve --port 0` running on a site folder, with its output collected line by line."""

    def __init__(self, site: Path, *args: str):
        env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "healthsite", "serve", "--port", "0", *args],
                                        cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        preexec_fn=as_in_a_terminal)
        self.out: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._collect, args=(self.process.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._collect, args=(self.process.stderr, self.err.append), daemon=True).start()

    def wait_ready(self) -> None:
        """Wait for the line with the address, and remember the address."""
        first = self.out.get(timeout=WAIT)
        match = re.match(r"Serving (http://\S+/) with drafts", first)
        assert match, first
        self.url = match.group(1)

    @staticmethod
    def _collect(stream, put) -> None:
        for line in stream:
            put(line)

    def get(self, path: str) -> tuple[int, str]:
        """Fetch a path and return the status and text, errors included."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=WAIT) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def wait_for(self, path: str, expected: str) -> tuple[int, str]:
        """Fetch `path` until its text contains `expected`, for at most WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while True:
            status, text = self.get(path)
            if expected in text or time.monotonic() > deadline:
                return status, text
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        """Stop the server as Ctrl-C does and return its exit code and error output."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=WAIT)
        time.sleep(0.1)  # let the reader threads take the last lines
        return code, "".join(self.err)


@pytest.fixture
def serve():
    """Return a function that starts `serve` on a site folder; every server started is stopped afterwards."""
    started: list[Served] = []

    def start(site: Path, *args: str) -> Served:
        started.append(Served(site, *args))  # listed before waiting, so it is killed even if it never gets ready
        started[-1].wait_ready()
        return started[-1]
    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=WAIT)


class Events:
    """A reader of the reload stream (/__healthsite/events), as the injected script's EventSource reads it."""

    def __init__(self, served: Served):
        self.response = urllib.request.urlopen(served.url + "__healthsite/events", timeout=WAIT)
        self.versions: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode("utf-8").strip()
                if line.startswith("data: "):
                    self.versions.put(line[len("data: "):])
        except OSError:
            pass

    def next(self) -> str:
        return self.versions.get(timeout=WAIT)


def edit(site: Path, name: str, old: str, new: str) -> None:
    """Change a file as an editor saves it."""
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_errors(site: Path) -> list[str]:
    """Return the errors `healthsite build` reports for the site as it is now."""
    result = run_healthsite("build", "--drafts", "--out", "built", cwd=site)
    assert result.code == 1
    return [line for line in result.err.splitlines() if ": error: " in line]


def test_saving_an_article_serves_the_new_text_and_fires_the_reload_signal(copy_site, serve):
    site = copy_site("full")
    served = serve(site)
    status, page = served.get(ARTICLE)
    assert status == 200 and "Stretch slowly and stop" in page
    events = Events(served)
    first = events.next()
    assert f'var seen = "{first}"' in page  # the page knows the version it was rendered at
    edit(site, ARTICLE_FILE, "Stretch slowly and stop", "Stretch very slowly and stop")
    second = events.next()
    assert second != first
    status, page = served.get(ARTICLE)
    assert status == 200 and "Stretch very slowly and stop" in page and f'var seen = "{second}"' in page
    code, err = served.stop()
    assert (code, err) == (0, "")


def test_broken_front_matter_shows_the_errors_on_every_page_until_fixed(copy_site, serve):
    site = copy_site("full")
    served = serve(site)
    assert served.get(ARTICLE)[0] == 200
    edit(site, ARTICLE_FILE, "title: Gentle stretches", "title: [Gentle stretches")
    status, page = served.wait_for(ARTICLE, "The site has 1 error")
    assert status == 500
    error = build_errors(site)[0]
    assert error.startswith("content/back/stretches.md:") and ": error: front matter is not valid YAML" in error
    assert f"<li>{html.escape(error)}</li>" in page  # the very words and line the build reports
    assert "The last good version of the site is kept" in page
    assert "The site has 1 error" in served.get("/")[1]  # every page shows it, not only the broken one
    assert "new EventSource" in page  # so the fix brings the page back by itself
    edit(site, ARTICLE_FILE, "title: [Gentle stretches", "title: Gentle stretches")
    status, page = served.wait_for(ARTICLE, "Stretch slowly and stop")
    assert status == 200 and "<h1>Gentle stretches for a stiff back</h1>" in page
    code, err = served.stop()
    assert code == 0
    assert err == f"{error}\n1 error: the browser shows them, and the last good site is still served.\n"


def test_a_broken_link_names_its_file_and_line_in_the_browser(copy_site, serve):
    site = copy_site("full")
    served = serve(site)
    edit(site, ARTICLE_FILE, "(night-pain.md#sleeping-positions)", "(night-pains.md)")
    status, page = served.wait_for("/tags/", "The site has 1 error")
    assert status == 500
    assert build_errors(site) == ["content/back/stretches.md:20: error: link 'night-pains.md' points to no article. "
                                  "Did you mean 'night-pain.md'? [link-not-found]"]
    assert f"<li>{html.escape(build_errors(site)[0])}</li>" in page


def test_drafts_and_future_articles_are_served_and_marked_as_drafts(copy_site, serve):
    served = serve(copy_site("full"))
    banner = "Draft: this page is not published."
    for path, title in (("/legs/coming-soon/", "Compression socks"), ("/legs/next-year/", "Cramps in winter")):
        status, page = served.get(path)
        assert status == 200 and title in page and banner in page
    status, page = served.get(ARTICLE)
    assert status == 200 and banner not in page


def test_a_new_article_appears_and_a_deleted_one_goes(copy_site, serve):
    site = copy_site("full")
    served = serve(site)
    assert served.get("/legs/compression/")[0] == 404
    text = (site / "content/legs/next-year.md").read_text(encoding="utf-8")
    (site / "content/legs/compression.md").write_text(text.replace("title: Cramps in winter", "title: Socks"))
    (site / "content/legs/next-year.md").unlink()
    status, page = served.wait_for("/legs/compression/", "<h1>Socks</h1>")
    assert status == 200
    assert served.wait_for("/legs/next-year/", "Page not found")[0] == 404


def test_a_template_edit_rerenders_pages_and_a_template_error_names_the_file_and_line(copy_site, serve):
    site = copy_site("full")
    template = site / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text('{% extends "base.html" %}\n{% block main %}<h1>{{ doc.title }}</h1>{{ body }}{% endblock %}\n')
    served = serve(site)
    assert "<h1>About this site</h1>" in served.get("/about/")[1]
    edit(site, "templates/page.html", "<h1>{{ doc.title }}</h1>", "<h1>Our page: {{ doc.title }}</h1>")
    assert "<h1>Our page: About this site</h1>" in served.wait_for("/about/", "Our page")[1]
    edit(site, "templates/page.html", "{{ doc.title }}</h1>", "{{ doc.titel }}</h1>")
    status, page = served.wait_for("/about/", "The site has 1 error")
    assert status == 500 and "<li>templates/page.html:2: error: template error: " in page
    assert served.get(ARTICLE)[0] == 200  # other templates still work


def test_a_stylesheet_edit_serves_the_new_fingerprinted_file(copy_site, serve):
    site = copy_site("full")
    (site / "static").mkdir()
    (site / "static" / "style.css").write_text("body { color: black; }\n")
    served = serve(site)
    old = re.search(r'href="/(static/style\.\w+\.css)"', served.get("/")[1]).group(1)
    assert served.get(old) == (200, "body { color: black; }\n")
    (site / "static" / "style.css").write_text("body { color: navy; }\n")
    deadline = time.monotonic() + WAIT
    while (new := re.search(r'href="/(static/style\.\w+\.css)"', served.get("/")[1]).group(1)) == old:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert served.get(new) == (200, "body { color: navy; }\n")


def test_ctrl_c_stops_serve_with_exit_code_0_and_no_traceback(copy_site, serve):
    served = serve(copy_site("minimal"))
    assert served.get("/")[0] == 200
    code, err = served.stop(signal.SIGINT)
    assert (code, err) == (0, "")


def test_a_port_in_use_is_a_clear_message_and_exit_code_2(copy_site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_healthsite("serve", "--port", str(port), cwd=copy_site("minimal"))
    assert (result.code, result.out) == (2, "")
    assert result.err == (f"healthsite serve: port {port} on 127.0.0.1 is already in use. Stop the program using it, "
                          "or pass --port with another number (--port 0 picks a free one).\n")


def test_the_built_site_never_contains_the_reload_script(full_site):
    for page in (full_site / "public").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "__healthsite" not in text and "EventSource" not in text and "healthsite-draft" not in text, page


def test_an_open_browser_page_reloads_by_itself_on_save_on_error_and_on_fix(copy_site, serve):
    from browser_support import CHROMIUM_ARGS, browser_unavailable, chromium_path
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright for Python is not installed")
    site = copy_site("full")
    served = serve(site)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(WAIT * 1000)
            script_errors: list[str] = []
            page.on("pageerror", lambda error: script_errors.append(str(error)))
            page.goto(served.url + ARTICLE.lstrip("/"))
            assert page.locator("h1").inner_text() == "Gentle stretches for a stiff back"
            edit(site, ARTICLE_FILE, "title: Gentle stretches", "title: Kind stretches")
            page.wait_for_function("document.querySelector('h1').textContent.startsWith('Kind stretches')")
            edit(site, ARTICLE_FILE, "title: Kind stretches", "title: [Kind stretches")
            page.wait_for_function("document.querySelector('h1').textContent === 'The site has 1 error'")
            edit(site, ARTICLE_FILE, "title: [Kind stretches", "title: Kind stretches")
            page.wait_for_function("document.querySelector('h1').textContent === 'Kind stretches for a stiff back'")
            assert script_errors == []
        finally:
            browser.close()
