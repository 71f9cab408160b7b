"""Killed, interrupted, failing and simultaneous builds: the previous public/ survives byte for byte."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUILD_EPOCH, as_in_a_terminal, run_healthsite, write_site
from site_files import files_below

PARAGRAPH = "Warm baths relax tight muscles and ease the ache for many people with back pain after a long day. " * 8


def big_site(root: Path, version: str, articles: int = 500, every: int = 1) -> Path:
    """Write a site large enough that writing it takes a moment; `version` goes into every `every`-th article."""
    files = {"content/guide/index.md": f"---\nkind: pillar\ntitle: Guide {version}\ndescription: All.\n"
                                       "date: 2026-01-01\n---\n\nEvery article.\n"}
    for i in range(0, articles, every):
        body = "\n\n".join(f"## Part {j}\n\n{PARAGRAPH}" for j in range(6))
        files[f"content/guide/a{i:04}.md"] = (f"---\ntitle: Article {i} {version}\ndescription: About {i}.\n"
                                              f"date: 2026-01-02\npillar: guide\ntags: [t{i % 40}]\n---\n\n{body}\n")
    return write_site(root, files)


def start_build(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    return subprocess.Popen([sys.executable, "-m", "healthsite", "build", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_in_a_terminal)


def work_folder(root: Path) -> Path:
    """Return the folder in the cache where builds of root/public keep their lock, staging folder and spare."""
    found = list((root / ".healthsite-cache/output").glob("public-*"))
    assert len(found) == 1, found
    return found[0]


def wait_until(process: subprocess.Popen, ready: Callable[[], bool], seen: set[int] | None = None) -> None:
    """Wait until `ready()` holds, failing if the build ends first; collect the build's helpers in `seen`."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if seen is not None:
            seen.update(descendants(process.pid))
        if ready():
            if seen is not None:
                seen.update(descendants(process.pid))  # those that started while `ready` looked
            return
        assert process.poll() is None, "the build finished before it could be interrupted"
        time.sleep(0.002)
    raise AssertionError("the build never reached the point to interrupt it at")


def wait_for_staging(root: Path, process: subprocess.Popen, page: str = "guide/a0000/index.html",
                     text: str = "", seen: set[int] | None = None) -> Path:
    """Return the build's staging folder once it holds `page` with `text` in it, failing if the build ends first."""
    found: list[Path] = []

    def staged() -> bool:
        for folder in (root / ".healthsite-cache/output").glob(f"public-*/new-{process.pid}"):
            try:
                if text in (folder / page).read_text(encoding="utf-8"):
                    found.append(folder)
                    return True
            except (OSError, UnicodeDecodeError):
                pass
        return False
    wait_until(process, staged, seen)
    return found[0]


def descendants(pid: int) -> set[int]:
    """Return the processes below `pid` (children, their children...), from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Return the processes of `pids` still running (a zombie has ended: it only waits to be reaped)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            running.add(pid)
    return running


def beside_output(root: Path) -> list[str]:
    """Return what the site folder holds besides its own files, the output folder and the cache folder."""
    return sorted(p.name for p in root.iterdir() if p.name not in ("site.yaml", "content", "public", ".healthsite-cache"))


def build_and_edit(tmp_path: Path, articles: int, *config: str) -> tuple[Path, dict[str, bytes]]:
    """Build a site twice (so a spare copy waits in the cache), change every article, and return the site and
    its published files."""
    root = tmp_path / "site"
    for version in ("first", "second", "third"):
        big_site(root, version, articles)
        (root / "site.yaml").write_text("title: Test site\nbase_url: /\n" + "".join(config), encoding="utf-8")
        if version != "third":
            result = run_healthsite("build", cwd=root)
            assert result.code == 0, result.err
    return root, files_below(root / "public")


def has_helpers(process: subprocess.Popen, count: int) -> Callable[[], bool]:
    return lambda: len(alive(descendants(process.pid))) >= count


def runs_pagefind(process: subprocess.Popen) -> Callable[[], bool]:
    def running() -> bool:
        for pid in alive(descendants(process.pid)):
            with contextlib.suppress(OSError):
                if "pagefind" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    return True
        return False
    return running


STAGES = {  # stage -> (articles, extra site.yaml, caches to empty first, the point to stop the build at)
    "loading and the Markdown pool": (700, "search: false\n", ("rendered", "resolved"),
                                      lambda root, process: has_helpers(process, 2)),
    "writing pages beside the page helper": (700, "search: false\n", (),
                                             lambda root, process: lambda: any(
                                                 "Article 0 third" in _text(folder / "guide/a0000/index.html")
                                                 for folder in root.glob(f".healthsite-cache/output/*/new-{process.pid}"))),
    "indexing for search, just before the swap": (60, "search: true\n", (),
                                                  lambda root, process: runs_pagefind(process)),
}


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_process_the_old_site_and_nothing_beside_the_output(
        tmp_path: Path, stage: str, sig: signal.Signals) -> None:
    articles, config, emptied, point = STAGES[stage]
    root, before = build_and_edit(tmp_path, articles, config)
    for cache in emptied:  # every body renders again, in the pool
        shutil.rmtree(root / ".healthsite-cache" / cache)
    process = start_build(root)
    helpers: set[int] = set()
    wait_until(process, point(root, process), helpers)
    assert helpers, "the build had started no helper process to outlive it"
    os.kill(process.pid, sig)  # the main process only, as `timeout` or a CI runner does
    _, err = process.communicate()
    if sig == signal.SIGTERM:
        assert process.returncode == 143
        assert err.splitlines()[-1] == "Terminated; the output folder was left as it was."
        assert "Traceback" not in err
        assert sorted(p.name for p in work_folder(root).iterdir()) == ["last-build", "lock", "spare"]
    else:
        assert process.returncode == -signal.SIGKILL
    time.sleep(2)
    assert alive(helpers) == set()
    assert files_below(root / "public") == before
    assert beside_output(root) == []
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert beside_output(root) == []
    assert sorted(p.name for p in work_folder(root).iterdir()) == ["last-build", "lock", "spare"]
    assert "Article 0 third" in (root / "public/guide/a0000/index.html").read_text(encoding="utf-8")
    assert run_healthsite("build", "--no-cache", "--out", "fresh", cwd=root).code == 0
    assert files_below(root / "public") == files_below(root / "fresh")


def test_a_build_killed_while_writing_leaves_the_old_site_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first")
    assert run_healthsite("build", cwd=root).code == 0
    big_site(root, "second")
    assert run_healthsite("build", cwd=root).code == 0  # the first site is now kept aside for reuse as staging
    before = files_below(root / "public")
    big_site(root, "third", every=2)  # half the pages change; the other half are reused from public/
    process = start_build(root)
    staging = wait_for_staging(root, process, "guide/a0000/index.html", "Article 0 third")
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert staging.is_dir()  # killed part-way through writing
    assert files_below(root / "public") == before
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert sorted(p.name for p in work_folder(root).iterdir()) == ["last-build", "lock", "spare"]
    fresh = big_site(tmp_path / "fresh", "second")
    big_site(fresh, "third", every=2)
    assert run_healthsite("build", cwd=fresh).code == 0
    assert files_below(root / "public") == files_below(fresh / "public")


def test_ctrl_c_while_writing_leaves_the_old_site_and_no_staging_folder(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first")
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    big_site(root, "second")
    process = start_build(root, "--no-cache")
    wait_for_staging(root, process)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate()
    assert process.returncode == 130
    assert err.splitlines()[-1] == "Interrupted; the output folder was left as it was."
    assert "Traceback" not in err
    assert sorted(p.name for p in work_folder(root).iterdir()) == ["last-build", "lock", "spare"]
    assert beside_output(root) == []
    assert files_below(root / "public") == before


def test_a_build_that_fails_while_writing_leaves_the_old_site_and_no_staging_folder(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=40)
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    (root / "templates").mkdir()
    (root / "templates/tag.html").write_text("{% extends \"base.html\" %}\n{% block main %}{{ no_such }}{% endblock %}\n",
                                             encoding="utf-8")  # tag pages come after many pages are written
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert "templates/tag.html:2: error: template error: 'no_such' is undefined." in result.err
    assert sorted(p.name for p in work_folder(root).iterdir()) == ["last-build", "lock", "spare"]
    assert sorted(p.name for p in root.iterdir()) == [".healthsite-cache", "content", "public", "site.yaml", "templates"]
    assert files_below(root / "public") == before


def test_a_build_that_fails_on_content_leaves_the_old_site(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=40)
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    (root / "content/guide/a0003.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[-2] == ("Build failed: 1 error (1 yaml-syntax), 78 warnings "
                                           "(39 help-block-missing, 39 sources-missing); public/ was left as it was.")
    assert result.err.splitlines()[-1] == ("content/guide/a0003.md has no page while its errors stand, so links to it "
                                           "and the orphan-article and pillar-empty checks wait for the fix.")
    assert files_below(root / "public") == before
    assert beside_output(root) == []


def test_two_builds_started_together_both_succeed_and_write_one_whole_site(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "only", articles=300)
    first, second = start_build(root, "--no-cache"), start_build(root, "--no-cache")
    results = [first.communicate(), second.communicate()]
    assert (first.returncode, second.returncode) == (0, 0), results
    assert beside_output(root) == []
    together = files_below(root / "public")
    alone = big_site(tmp_path / "alone", "only", articles=300)
    assert run_healthsite("build", "--no-cache", cwd=alone).code == 0
    assert together == files_below(alone / "public")


HOLD_LOCK = """
import fcntl, os, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.truncate(0); handle.write(str(os.getpid()).encode()); handle.flush()
print("holding", flush=True)
time.sleep(600)
"""


def test_a_build_waits_for_a_live_lock_holder_says_so_and_gives_up_after_its_timeout(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(work_folder(root) / "lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "holding\n"
        big_site(root, "second", articles=5)
        result = run_healthsite("build", "--lock-timeout", "1.5", cwd=root)
        assert result.code == 1
        assert [line for line in result.err.splitlines() if ": warning: " not in line] == [
            f"waiting for the build with pid {holder.pid} to finish writing the site (giving up after 1.5 s; "
            "--lock-timeout changes this)",
            f"public: error: another build (process {holder.pid}) was still writing this site after 1.5 s, so this "
            "build gave up. Let it finish or stop it, or pass --lock-timeout with more seconds [output-locked]",
            "Build failed: 1 error (1 output-locked), 15 warnings (5 help-block-missing, 5 orphan-article, "
            "5 sources-missing); public/ was left as it was."]
        assert files_below(root / "public") == before
    finally:
        holder.kill()
        holder.wait()
    result = run_healthsite("build", "--lock-timeout", "0", cwd=root)  # its holder is dead: taken at once
    assert result.code == 0, result.err
    assert "waiting" not in result.err
    assert "Article 3 second" in (root / "public/guide/a0003/index.html").read_text(encoding="utf-8")


def test_a_lock_timeout_that_is_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    result = run_healthsite("build", "--lock-timeout", "soon", cwd=root)
    assert result.code == 2
    assert result.err.splitlines()[-1] == ("healthsite build: error: argument --lock-timeout: 'soon' is not a number "
                                           "of seconds, 0 or more")


def test_leftovers_of_killed_builds_and_of_older_releases_are_removed_by_the_next_build(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    work = work_folder(root)
    for folder in (work / "new-99999/guide", root / "public.new-99997/guide", root / ".public.new-99996/guide"):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("half a page", encoding="utf-8")
    for folder in (root / "public.old-99998", root / ".public.spare", work / "probe-99995"):
        folder.mkdir()
        (folder / "index.html").write_text("an old site", encoding="utf-8")
    (root / ".public.lock").write_text("", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert beside_output(root) == []
    assert sorted(p.name for p in work.iterdir()) == ["last-build", "lock", "spare"]
    assert "half a page" not in (root / "public/guide/index.html").read_text(encoding="utf-8")


def test_a_build_leaves_the_probe_of_a_live_build_that_has_not_reached_the_lock_yet(tmp_path: Path) -> None:
    # A build tests where it may stage (places()) before it takes the lock; the build holding the lock tidies only
    # the probes of builds that died, or a build starting beside it failed with "No such file or directory".
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    live = work_folder(root) / f"probe-{os.getpid()}"  # this test's process: alive while the build runs
    live.mkdir()
    assert run_healthsite("build", cwd=root).code == 0
    assert live.is_dir()


def test_a_site_moved_aside_by_a_build_killed_mid_swap_is_restored_then_replaced(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    work = work_folder(root)
    os.rename(root / "public", work / "old-99999")  # the kill came between the swap's two renames
    (work / "new-99999").mkdir()
    big_site(root, "second", articles=5)
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert beside_output(root) == []
    assert sorted(p.name for p in work.iterdir()) == ["last-build", "lock", "spare"]
    assert "Article 3 second" in (root / "public/guide/a0003/index.html").read_text(encoding="utf-8")


def test_folders_that_only_look_like_staging_folders_are_left_alone(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    for name in ("public.old-backup", "public.new-design", "public.old-2024-01"):
        (root / name).mkdir()
        (root / name / "index.html").write_text(f"kept by hand: {name}", encoding="utf-8")
    os.rename(root / "public", work_folder(root) / "old-99999")  # and a killed swap to recover from
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert beside_output(root) == ["public.new-design", "public.old-2024-01", "public.old-backup"]
    assert "Article 3 first" in (root / "public/guide/a0003/index.html").read_text(encoding="utf-8")


def test_an_output_on_another_file_system_stages_beside_it_and_leaves_nothing_there(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    if not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat(root).st_dev:
        pytest.skip("/dev/shm is on the same file system as the test's folder")
    elsewhere = Path(tempfile.mkdtemp(dir="/dev/shm"))
    try:
        for version in ("first", "second"):
            big_site(root, version, articles=5)
            result = run_healthsite("build", "--out", str(elsewhere / "site"), cwd=root)
            assert result.code == 0, result.err
            assert sorted(p.name for p in elsewhere.iterdir()) == ["site"]
        assert "Article 3 second" in (elsewhere / "site/guide/a0003/index.html").read_text(encoding="utf-8")
        assert beside_output(root) == []
    finally:
        shutil.rmtree(elsewhere)
