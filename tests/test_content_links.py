"""Symbolic links in the content folder: followed when they stay inside it, reported when they leave it, point
nowhere or loop, and never a byte of an outside file in the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_healthsite, write_site
from site_files import files_below

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
SECRET = "SECRET-TEXT-7f3a"


def article(title: str, text: str = "Heat helps most people.") -> str:
    return f"---\ntitle: {title}\ndescription: About {title}.\ndate: 2026-01-02\npillar: guide\n---\n\n{text}\n"


def site(tmp_path: Path) -> Path:
    """Write a one-pillar site, and beside it a folder of files that must never be published."""
    outside = tmp_path / "outside"
    (outside / "notes").mkdir(parents=True)
    (outside / "secret.md").write_text(article("Secret", SECRET), encoding="utf-8")
    (outside / "notes/more.md").write_text(article("More secrets", SECRET), encoding="utf-8")
    (outside / "notes/scan.png").write_bytes(SECRET.encode())
    return write_site(tmp_path / "site", {"content/guide/index.md": PILLAR, "content/guide/heat.md": article("Heat")})


def build(root: Path) -> tuple[int, list[str]]:
    """Build the site; return the exit code and the error lines."""
    result = run_healthsite("build", cwd=root)
    assert "Traceback" not in result.err
    return result.code, [line for line in result.err.splitlines() if ": error: " in line]


def published_bytes(root: Path) -> bytes:
    return b"".join(files_below(root / "public").values()) if (root / "public").exists() else b""


OUTSIDE_FILE = ("content/guide/{name}:1: error: the link leads outside the content folder, so the file it points "
                "to is left out. Copy it into the content folder instead of linking to it [content-file-unsafe]")


@pytest.mark.parametrize("name, target", [("linked.md", "secret.md"), ("scan.png", "notes/scan.png")])
def test_a_linked_file_outside_the_content_folder_is_an_error_and_never_published(
        tmp_path: Path, name: str, target: str) -> None:
    root = site(tmp_path)
    os.symlink(tmp_path / "outside" / target, root / "content/guide" / name)
    assert build(root) == (1, [OUTSIDE_FILE.format(name=name)])
    assert not (root / "public").exists()
    (root / "content/guide" / name).unlink()  # and a good build afterwards holds none of it either
    assert build(root) == (0, [])
    assert SECRET.encode() not in published_bytes(root)


def test_a_relative_link_that_climbs_out_of_the_content_folder_is_an_error(tmp_path: Path) -> None:
    root = site(tmp_path)
    os.symlink("../../../outside/secret.md", root / "content/guide/linked.md")
    assert build(root) == (1, [OUTSIDE_FILE.format(name="linked.md")])


def test_a_linked_folder_outside_the_content_folder_is_an_error_naming_the_link(tmp_path: Path) -> None:
    root = site(tmp_path)
    os.symlink(tmp_path / "outside/notes", root / "content/guide/notes")
    assert build(root) == (1, [
        "content/guide/notes: error: the link leads outside the content folder, so the folder it points to is left "
        "out. Copy it into the content folder instead of linking to it [content-file-unsafe]"])
    assert not (root / "public").exists()


def test_a_linked_file_inside_the_content_folder_is_published_under_the_link_s_name(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/leaflets").mkdir()
    (root / "content/leaflets/heat.txt").write_text("Heat leaflet.\n", encoding="utf-8")
    (root / "content/guide/heat-leaflet.txt").symlink_to("../leaflets/heat.txt")
    (root / "content/guide/heat-again.md").symlink_to("heat.md")
    assert build(root) == (0, [])
    assert (root / "public/guide/heat-leaflet.txt").read_text(encoding="utf-8") == "Heat leaflet.\n"
    assert (root / "public/leaflets/heat.txt").read_text(encoding="utf-8") == "Heat leaflet.\n"
    assert "Heat helps most people." in (root / "public/guide/heat-again/index.html").read_text(encoding="utf-8")


def test_a_linked_folder_inside_the_content_folder_is_followed(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/.shared").mkdir()  # hidden: published only where a link puts it
    (root / "content/.shared/walking.md").write_text(article("Walking"), encoding="utf-8")
    (root / "content/.shared/map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "content/guide/extra").symlink_to("../.shared")
    assert build(root) == (0, [])
    assert "Walking" in (root / "public/guide/walking/index.html").read_text(encoding="utf-8")
    assert (root / "public/guide/extra/map.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert not (root / "public/.shared").exists()


def test_links_that_loop_or_point_nowhere_are_reported_not_followed(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/guide/again").symlink_to("..")  # the folder that holds it: listed forever if followed
    (root / "content/guide/a.md").symlink_to("b.md")
    (root / "content/guide/b.md").symlink_to("a.md")
    (root / "content/guide/gone.png").symlink_to("nothing-here.png")
    assert build(root) == (1, [
        "content/guide/a.md:1: error: the link is part of a loop of links, so it is left out. Point the link at a "
        "file in the content folder, or remove it [content-link-broken]",
        "content/guide/again: error: the link points to a folder that holds it, which would list the same files "
        "forever, so it is left out. Remove the link [content-link-broken]",
        "content/guide/b.md:1: error: the link is part of a loop of links, so it is left out. Point the link at a "
        "file in the content folder, or remove it [content-link-broken]",
        "content/guide/gone.png:1: error: the link points to nothing ('nothing-here.png' does not exist), so it is "
        "left out. Point the link at a file in the content folder, or remove it [content-link-broken]"])


def test_check_reports_links_as_build_does(tmp_path: Path) -> None:
    root = site(tmp_path)
    os.symlink(tmp_path / "outside/secret.md", root / "content/guide/linked.md")
    result = run_healthsite("check", cwd=root)
    assert result.code == 1
    assert OUTSIDE_FILE.format(name="linked.md") in result.out.splitlines()
