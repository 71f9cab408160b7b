"""A build that finds nothing changed since the last one keeps its site and tells its problems again; any change to
what a build reads or wrote builds again."""

from __future__ import annotations

import fcntl
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_healthsite
from site_files import files_below

from healthsite.config import THEME_DIR as THEME

KEPT = "(nothing changed since the last build: its site stands)"
BUILT = "(something changed since the last build, or there was none)"


def signatures(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Return the size, modification time and inode of every file and folder below `folder`."""
    return {path.relative_to(folder).as_posix(): (stat.st_size if path.is_file() else 0, stat.st_mtime_ns, stat.st_ino)
            for path in [folder, *folder.rglob("*")] for stat in [path.lstat()]}


def note_of(site: Path) -> Path:
    """Return the note the last build of `site/public` left for the next one."""
    [note] = (site / ".healthsite-cache/output").glob("public-*/last-build")
    return note


def summary(output: str) -> str:
    """Return the summary line without its time."""
    return re.sub(r" in \d+\.\d\d s$", "", output.splitlines()[0])


def test_a_build_with_nothing_changed_keeps_the_site_and_tells_the_same_warnings(copy_site):
    site = copy_site("hostile-html")
    first = run_healthsite("build", "--verbose", cwd=site)
    assert first.code == 0, first.err
    assert BUILT in first.out and "warning: " in first.err
    before = signatures(site / "public")
    again = run_healthsite("build", "--verbose", cwd=site)
    assert again.code == 0, again.err
    assert KEPT in again.out and "render and write" not in again.out
    assert again.err == first.err  # every warning, in the same order
    assert summary(again.out) == summary(first.out) == "Built 13 pages: 4 articles, 1 pillar, 2 tags, 7 warnings"
    assert signatures(site / "public") == before  # not a file or folder touched


def test_a_kept_build_tells_each_problem_at_the_level_its_file_set(copy_site):
    site = copy_site("hostile-html")
    with open(site / "site.yaml", "a", encoding="utf-8") as handle:
        handle.write("checks:\n  sources-missing: error\n  orphan-article: 'off'\n")
    path = site / "content/guide/unclosed.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "tags: [xss]\n", "tags: [xss]\nchecks: {sources-missing: warning, orphan-article: warning}\n", 1),
        encoding="utf-8")
    first = run_healthsite("build", cwd=site)
    assert first.code == 0, first.err
    assert "unclosed.md:2: warning: the article lists no sources." in first.err
    assert "unclosed.md:2: warning: no other article or page links here" in first.err
    again = run_healthsite("build", "--verbose", cwd=site)
    assert KEPT in again.out
    assert (again.code, again.err) == (0, first.err)


def _touch_article(site: Path) -> None:
    os.utime(site / "content/back/night-pain.md")  # the same bytes, a new time: built again, nothing rendered


def _edit_template(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    text = (THEME / "templates/404.html").read_text(encoding="utf-8")
    (site / "templates/404.html").write_text(text.replace("{% block main %}", "{% block main %}<p>Sorry.</p>", 1),
                                             encoding="utf-8")


def _edit_settings(site: Path) -> None:
    path = site / "site.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Full sample site", "title: Sample site"),
                    encoding="utf-8")


def _edit_output_in_place(site: Path) -> None:
    with open(site / "public/index.html", "ab") as handle:  # the same inode, as an editor keeping hard links writes
        handle.write(b"<!-- edited by hand -->")


def _add_output_file(site: Path) -> None:
    (site / "public/back/stray.html").write_text("left here by hand", encoding="utf-8")


def _remove_output_file(site: Path) -> None:
    (site / "public/feed.xml").unlink()


@pytest.mark.parametrize("change", [_touch_article, _edit_template, _edit_settings, _edit_output_in_place,
                                    _add_output_file, _remove_output_file])
def test_a_change_to_what_a_build_reads_or_wrote_builds_again(copy_site, tmp_path, change: Callable[[Path], None]):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    change(site)
    again = run_healthsite("build", "--verbose", cwd=site)
    assert again.code == 0, again.err
    assert BUILT in again.out and "render and write" in again.out
    fresh = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh"), cwd=site)
    assert fresh.code == 0, fresh.err
    assert files_below(site / "public") == files_below(tmp_path / "fresh")
    assert KEPT in run_healthsite("build", "--verbose", cwd=site).out


@pytest.mark.parametrize("options, env", [(["--drafts"], {}), (["--base-url", "/docs/"], {}),
                                          ([], {"SOURCE_DATE_EPOCH": "1796688000"})])  # the next day
def test_other_options_or_another_day_build_again(copy_site, options: list[str], env: dict[str, str]):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    again = run_healthsite("build", "--verbose", *options, cwd=site, env=env)
    assert again.code == 0, again.err
    assert BUILT in again.out


def test_strict_fails_on_the_warnings_a_kept_build_would_only_tell(copy_site):
    site = copy_site("hostile-html")
    assert run_healthsite("build", cwd=site).code == 0
    before = files_below(site / "public")
    strict = run_healthsite("build", "--strict", cwd=site)
    assert strict.code == 1
    assert strict.err.splitlines()[-1].startswith("Build failed: 0 errors, 7 warnings")
    assert files_below(site / "public") == before
    assert KEPT in run_healthsite("build", "--verbose", cwd=site).out  # the failed build left the note as it was


def test_no_cache_always_builds(copy_site):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    again = run_healthsite("build", "--no-cache", "--verbose", cwd=site)
    assert again.code == 0, again.err
    assert "unchanged" not in again.out and "render and write" in again.out


def test_while_another_build_writes_the_site_nothing_is_kept(copy_site):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    [lock] = (site / ".healthsite-cache/output").glob("public-*/lock")
    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as a build that is swapping its site in holds it
        waiting = run_healthsite("build", "--lock-timeout", "0", cwd=site)
    assert waiting.code == 1
    assert "[output-locked]" in waiting.err


@pytest.mark.parametrize("note", [b"not a pickle", pickle.dumps(Path("/etc/passwd")),
                                  pickle.dumps((1, b"inputs", b"output", (), (), ()))])
def test_a_damaged_or_foreign_note_only_costs_the_shortcut(copy_site, note: bytes):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    note_of(site).write_bytes(note)
    again = run_healthsite("build", "--verbose", cwd=site)
    assert again.code == 0, again.err
    assert BUILT in again.out
    assert KEPT in run_healthsite("build", "--verbose", cwd=site).out
