"""Shared fixtures: real sample sites, a way to write one inline, and the bundled site built once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, browser_unavailable, chromium_path

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "sites"
# A fixed build date makes every build reproducible, whatever day the tests run.
BUILD_EPOCH = "1796601600"  # 2026-12-07

MINIMAL_CONFIG = "title: Test site\nbase_url: /\nsearch: false\n"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def as_in_a_terminal() -> None:
    """Give a started process Ctrl-C's default meaning (a Popen preexec_fn): a test run started in the background
    by a non-interactive shell ignores SIGINT, and its children would inherit that, so Ctrl-C tests could not work."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_healthsite(*args: str, cwd: Path, env: dict | None = None) -> Run:
    """Run the real command line in a subprocess, as a writer would, and capture what it prints."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "healthsite", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)
    return Run(done.returncode, done.stdout, done.stderr)


def touch_content(site: Path) -> None:
    """Give the site's first content file a new time and the same bytes, so that the next build runs every stage on
    the caches (a warm build) instead of keeping the site because nothing changed."""
    os.utime(min((site / "content").rglob("*.md")))


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write a site from {relative path: text}; a site.yaml is added unless given."""
    files = {"site.yaml": MINIMAL_CONFIG, **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path):
    """Return a function that writes a one-off site into a fresh folder and returns that folder."""
    def make(files: dict[str, str]) -> Path:
        return write_site(tmp_path / "site", files)
    return make


@pytest.fixture
def copy_site(tmp_path: Path):
    """Return a function that copies a sample site from tests/sites into a fresh folder."""
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SITES / name, target)
        return target
    return copy


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled site (content/, site.yaml, the theme) once, with search, and return its folder."""
    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    result = run_healthsite("build", "--no-cache", cwd=root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="session")
def bundled_url(bundled_site: Path):
    """Serve the built bundled site on 127.0.0.1 for the browser; yield its address, without a trailing slash."""
    from browser_support import serve_folder

    with serve_folder(bundled_site / "public") as url:
        yield url


def build_sample_site(name: str, into: Path, *args: str) -> Path:
    """Copy a sample site from tests/sites into `into/name`, build it afresh, and return its folder."""
    root = into / name
    shutil.copytree(SITES / name, root)
    result = run_healthsite("build", "--no-cache", *args, cwd=root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="session")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build tests/sites/full (the sample site that uses every feature) once, and return its folder."""
    return build_sample_site("full", tmp_path_factory.mktemp("full"))


@pytest.fixture
def open_page_at(browser):
    """Return a function that opens a fresh page in its own browser context, at a viewport size and colour scheme,
    with or without JavaScript, after an optional init script, and with a watch on its errors; the contexts close
    after the test. Reduced motion makes scrolling instant, so positions can be read right after a jump."""
    from browser_support import PageWatch

    contexts = []

    def open_(width: int, height: int = 800, scheme: str = "light", javascript: bool = True,
              reduced_motion: str = "reduce", init_script: str | None = None, timeout: float = 20_000):
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                      reduced_motion=reduced_motion, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout)
        if init_script:
            page.add_init_script(init_script)
        watch = PageWatch()
        watch.attach(page)
        return page, watch

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def browser():
    """Start the system's Chromium once for a test module (the browser tests)."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
