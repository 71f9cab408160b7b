"""Killed, interrupted, failing and simultaneous builds: the previous public/ survives byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import BUILD_EPOCH, run_healthsite, write_site
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
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_staging(root: Path, process: subprocess.Popen, page: str = "guide/a0000/index.html",
                     text: str = "") -> Path:
    """Return the build's staging folder once it holds `page` with `text` in it, failing if the build ends first."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for folder in root.glob("public.new-*"):
            try:
                if text in (folder / page).read_text(encoding="utf-8"):
                    return folder
            except (OSError, UnicodeDecodeError):
                pass
        assert process.poll() is None, "the build finished before it could be interrupted"
        time.sleep(0.002)
    raise AssertionError("no staging folder appeared")


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(("public.new-", "public.old-")))


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
    assert leftovers(root) == []
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
    assert leftovers(root) == []
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
    assert leftovers(root) == []
    assert files_below(root / "public") == before


def test_a_build_that_fails_on_content_leaves_the_old_site(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=40)
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    (root / "content/guide/a0003.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[-1] == "Build failed: 1 error, 0 warnings; public/ was left as it was."
    assert files_below(root / "public") == before


def test_two_builds_started_together_both_succeed_and_write_one_whole_site(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "only", articles=300)
    first, second = start_build(root, "--no-cache"), start_build(root, "--no-cache")
    results = [first.communicate(), second.communicate()]
    assert (first.returncode, second.returncode) == (0, 0), results
    assert leftovers(root) == []
    together = files_below(root / "public")
    alone = big_site(tmp_path / "alone", "only", articles=300)
    assert run_healthsite("build", "--no-cache", cwd=alone).code == 0
    assert together == files_below(alone / "public")


def test_stale_staging_folders_of_killed_builds_are_removed_by_the_next_build(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    (root / "public.new-99999/guide").mkdir(parents=True)
    (root / "public.new-99999/guide/index.html").write_text("half a page", encoding="utf-8")
    (root / "public.old-99998").mkdir()
    (root / "public.old-99998/index.html").write_text("an old site", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert leftovers(root) == []
    assert "half a page" not in (root / "public/guide/index.html").read_text(encoding="utf-8")


def test_a_site_moved_aside_by_a_build_killed_mid_swap_is_restored_then_replaced(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    os.rename(root / "public", root / "public.old-99999")  # the kill came between the swap's two renames
    (root / "public.new-99999").mkdir()
    big_site(root, "second", articles=5)
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert leftovers(root) == []
    assert "Article 3 second" in (root / "public/guide/a0003/index.html").read_text(encoding="utf-8")


def test_folders_that_only_look_like_staging_folders_are_left_alone(tmp_path: Path) -> None:
    root = big_site(tmp_path / "site", "first", articles=5)
    assert run_healthsite("build", cwd=root).code == 0
    for name in ("public.old-backup", "public.new-design", "public.old-2024-01"):
        (root / name).mkdir()
        (root / name / "index.html").write_text(f"kept by hand: {name}", encoding="utf-8")
    os.rename(root / "public", root / "public.old-99999")  # and a killed swap to recover from
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert leftovers(root) == ["public.new-design", "public.old-2024-01", "public.old-backup"]
    assert "Article 3 first" in (root / "public/guide/a0003/index.html").read_text(encoding="utf-8")
