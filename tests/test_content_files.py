"""Images and other files kept beside the Markdown are published, and links to them are checked."""

from __future__ import annotations

from conftest import run_healthsite

PILLAR = "---\nkind: pillar\ntitle: Back\ndescription: Backs.\ndate: 2026-01-01\n---\n\nSee [stretches](stretches.md).\n"
ARTICLE = """---
title: Stretches
description: Gentle stretches.
date: 2026-01-02
pillar: back
---

![A person hugging their knees](images/knee-hug.svg)

Print the [stretch sheet](../files/stretch%20sheet.pdf).
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'


def test_content_files_are_copied_and_links_to_them_point_at_the_copy(make_site):
    root = make_site({
        "content/back/index.md": PILLAR,
        "content/back/stretches.md": ARTICLE,
        "content/back/images/knee-hug.svg": SVG,
        "content/files/stretch sheet.pdf": "%PDF-1.4\n",
    })
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert (root / "public/back/images/knee-hug.svg").read_text() == SVG
    assert (root / "public/files/stretch sheet.pdf").exists()
    page = (root / "public/back/stretches/index.html").read_text()
    assert 'src="/back/images/knee-hug.svg"' in page
    assert 'href="/files/stretch%20sheet.pdf"' in page


def test_link_to_a_missing_content_file_names_file_line_and_suggestion(make_site):
    root = make_site({
        "content/back/index.md": PILLAR,
        "content/back/stretches.md": ARTICLE.replace("images/knee-hug.svg", "images/knee-hugs.svg"),
        "content/back/images/knee-hug.svg": SVG,
        "content/files/stretch sheet.pdf": "%PDF-1.4\n",
    })
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert ("content/back/stretches.md:8: error: link 'images/knee-hugs.svg' points to no file in the content "
            "folder. Did you mean 'images/knee-hug.svg'? [link-not-found]") in result.err
    assert not (root / "public").exists()
