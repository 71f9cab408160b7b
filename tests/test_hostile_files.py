"""Odd files in content/: empty, binary, other encodings and line endings, huge, deeply nested, with many tags."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, run_healthsite, write_site
from site_files import failed_rebuild_errors, files_below

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
FIELDS = "title: Heat or cold?\ndescription: Which helps a sore back.\ndate: 2026-01-02\npillar: guide\n"
GOOD = f"---\n{FIELDS}---\n\nHeat helps most people.\n"
ARTICLE = f"---\n{FIELDS}---\n\nHeat helps.\n\nSee [the missing one](missing.md).\n"  # the link is on line 10


def site_with(tmp_path: Path, article: bytes) -> Path:
    """Write a one-pillar site whose article file holds exactly these bytes."""
    root = write_site(tmp_path / "site", {"content/guide/index.md": PILLAR})
    (root / "content/guide/heat.md").write_bytes(article)
    return root


def broken_build(tmp_path: Path, article: bytes) -> list[str]:
    """Build a good site, replace its article with these bytes; return the errors of the failed rebuild."""
    root = site_with(tmp_path, GOOD.encode())
    return failed_rebuild_errors(root, lambda: (root / "content/guide/heat.md").write_bytes(article))


def built_page(tmp_path: Path, article: bytes, name: str = "site") -> bytes:
    """Build a site with this article (it must succeed) and return the article page's bytes."""
    root = site_with(tmp_path / name, article)
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    return (root / "public/guide/heat/index.html").read_bytes()


def test_an_empty_file_is_an_error_asking_for_front_matter(tmp_path: Path) -> None:
    assert broken_build(tmp_path, b"") == [
        "content/guide/heat.md:1: error: the file does not start with front matter. Begin the file with a '---' line, "
        "fields such as 'title: ...', and another '---' line [front-matter-missing]"]


def test_a_file_of_blank_lines_is_an_error_asking_for_front_matter(tmp_path: Path) -> None:
    assert broken_build(tmp_path, b"\n\n  \n") == [
        "content/guide/heat.md:1: error: the file does not start with front matter. Begin the file with a '---' line, "
        "fields such as 'title: ...', and another '---' line [front-matter-missing]"]


def test_a_file_with_only_front_matter_builds_an_empty_article(tmp_path: Path) -> None:
    for name, text in (("newline", f"---\n{FIELDS}---\n"), ("no-newline", f"---\n{FIELDS}---")):
        page = built_page(tmp_path, text.encode(), name).decode()
        assert "<h1>Heat or cold?</h1>" in page


def test_a_binary_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    assert broken_build(tmp_path, png) == [
        "content/guide/heat.md:1: error: the file is not valid UTF-8 text (byte 1). "
        "Save it as UTF-8 in your editor [file-encoding]"]


def test_invalid_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    latin1 = f"---\n{FIELDS}---\n\nCaf\xe9 culture.\n".encode("latin-1")
    assert broken_build(tmp_path, latin1) == [
        "content/guide/heat.md:8: error: the file is not valid UTF-8 text (byte 103). "
        "Save it as UTF-8 in your editor [file-encoding]"]


def test_a_utf16_file_is_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, GOOD.encode("utf-16")) == [
        "content/guide/heat.md:1: error: the file is not valid UTF-8 text (byte 1). "
        "Save it as UTF-8 in your editor [file-encoding]"]


def test_a_nul_character_in_text_is_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}---\n\nHeat\x00helps.\n".encode()) == [
        "content/guide/heat.md:8: error: the file contains a NUL character, so it looks binary. "
        "Save it as plain UTF-8 text [file-encoding]"]


def test_a_byte_order_mark_builds_the_same_page(tmp_path: Path) -> None:
    plain = built_page(tmp_path, GOOD.encode(), "plain")
    assert built_page(tmp_path, b"\xef\xbb\xbf" + GOOD.encode(), "bom") == plain


def test_crlf_and_cr_line_endings_build_the_same_page(tmp_path: Path) -> None:
    plain = built_page(tmp_path, GOOD.encode(), "lf")
    assert built_page(tmp_path, GOOD.replace("\n", "\r\n").encode(), "crlf") == plain
    assert built_page(tmp_path, GOOD.replace("\n", "\r").encode(), "cr") == plain


def test_crlf_and_cr_files_report_the_same_lines_as_lf(tmp_path: Path) -> None:
    expected = ["content/guide/heat.md:10: error: link 'missing.md' points to no article. No article has a name like "
                "it: check the file name, or write the article first [link-not-found]"]
    for ending in ("\n", "\r\n", "\r"):
        errors = broken_build(tmp_path / repr(ending), ARTICLE.replace("\n", ending).encode())
        assert errors == expected, ending


def test_a_several_megabyte_article_builds(tmp_path: Path) -> None:
    paragraph = "Warmth relaxes tight muscles and eases the ache for many people with back pain. " * 10
    body = "\n\n".join(f"## Part {i}\n\n{paragraph}" for i in range(4000))
    article = f"---\n{FIELDS}---\n\n{body}\n\nThe very end.\n".encode()
    assert len(article) > 3 * 2**20
    page = built_page(tmp_path, article).decode()
    assert '<h2 id="part-3999">Part 3999</h2>' in page and "<p>The very end.</p>" in page


def test_a_file_over_20_mb_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = site_with(tmp_path, GOOD.encode())
    assert run_healthsite("build", cwd=root).code == 0
    before = files_below(root / "public")
    with open(root / "content/guide/heat.md", "ab") as handle:
        handle.truncate(21 * 2**20)
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == ("content/guide/heat.md: error: the file is larger than 20 MB. "
                                          "Split it into several articles [file-too-large]")
    assert files_below(root / "public") == before


def test_thousands_of_nested_quotes_are_an_error_naming_the_line(tmp_path: Path) -> None:
    article = f"---\n{FIELDS}---\n\nIntro.\n\n" + ">" * 5000 + " deep\n"
    assert broken_build(tmp_path, article.encode()) == [
        "content/guide/heat.md:10: error: the Markdown nests quotes or lists more than 60 levels deep. "
        "Simplify the nesting of quotes and lists [markdown-failed]"]


def test_thousands_of_nested_spaced_quotes_are_an_error(tmp_path: Path) -> None:
    article = f"---\n{FIELDS}---\n\n" + "> " * 5000 + "deep\n"
    assert broken_build(tmp_path, article.encode()) == [
        "content/guide/heat.md:8: error: the Markdown nests quotes or lists more than 60 levels deep. "
        "Simplify the nesting of quotes and lists [markdown-failed]"]


def test_thousands_of_nested_list_levels_are_an_error_naming_the_line(tmp_path: Path) -> None:
    levels = "\n".join("    " * i + "- level" for i in range(3000))
    article = f"---\n{FIELDS}---\n\n{levels}\n"
    assert broken_build(tmp_path, article.encode()) == [
        "content/guide/heat.md:68: error: the Markdown nests quotes or lists more than 60 levels deep. "
        "Simplify the nesting of quotes and lists [markdown-failed]"]


def test_fifty_nested_quotes_still_build(tmp_path: Path) -> None:
    article = f"---\n{FIELDS}---\n\n" + "> " * 50 + "deep\n"
    page = built_page(tmp_path, article.encode()).decode()
    assert page.count("<blockquote>") == 50


def test_thousands_of_nested_html_elements_build_safely(tmp_path: Path) -> None:
    article = f"---\n{FIELDS}---\n\n" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "\n"
    page = built_page(tmp_path, article.encode()).decode()
    assert "deep" in page


def test_an_article_with_thousands_of_tags_builds_every_tag_page(tmp_path: Path) -> None:
    tags = ", ".join(f"topic-{i}" for i in range(2000))
    root = site_with(tmp_path, f"---\n{FIELDS}tags: [{tags}]\n---\n\nHeat helps.\n".encode())
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert len(list((root / "public/tags").glob("topic-*/index.html"))) == 2000
    assert 'href="/tags/topic-1999/"' in (root / "public/guide/heat/index.html").read_text(encoding="utf-8")


def test_a_folder_named_like_a_markdown_file_is_an_error(tmp_path: Path) -> None:
    root = site_with(tmp_path, GOOD.encode())
    (root / "content/guide/odd.md").mkdir()
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == "content/guide/odd.md: error: cannot read the file: Is a directory. [file-unreadable]"


def test_a_broken_symlink_is_an_error(tmp_path: Path) -> None:
    root = site_with(tmp_path, GOOD.encode())
    os.symlink(tmp_path / "nowhere.md", root / "content/guide/gone.md")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"content/guide/gone.md:1: error: the link points to nothing ('{tmp_path}/nowhere.md' does not exist), so it "
        "is left out. Point the link at a file in the content folder, or remove it [content-link-broken]")


SVG_HINT = ("Export a plain SVG without scripts, event handlers or script links, or convert it to PNG "
            "[content-file-unsafe]")


def site_with_file(tmp_path: Path, name: str, data: bytes) -> tuple[Path, list[str], int]:
    """Build a good site with one more file in content/; return the folder, the problems and the exit code."""
    root = site_with(tmp_path, GOOD.encode())
    (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
    (root / "content" / name).write_bytes(data)
    result = run_healthsite("build", cwd=root)
    assert "Traceback" not in result.err
    return root, [line for line in result.err.splitlines() if ": error: " in line or ": warning: " in line
                  and "content-file" in line], result.code


def test_pages_and_code_in_content_are_not_published(tmp_path: Path) -> None:
    for name in ("guide/evil.html", "guide/evil.js", "guide/evil.xml", "guide/evil.xhtml", "guide/Makefile"):
        root, problems, code = site_with_file(tmp_path / name.replace("/", "-"), name, b"<script>alert(1)</script>")
        suffix = Path(name).suffix or "Makefile"
        assert (code, problems) == (0, [
            f"content/{name}: warning: files of type '{suffix}' are not published from the content folder. "
            "Publish images, PDFs, text, audio and video beside articles; write pages in Markdown "
            "[content-file-skipped]"])
        assert not (root / "public" / name).exists()


def test_a_content_file_cannot_replace_a_file_healthsite_writes(tmp_path: Path) -> None:
    root, problems, code = site_with_file(tmp_path, "robots.txt", b"User-agent: *\nDisallow: /\n")
    assert code == 1
    assert problems == ["content/robots.txt: error: the address /robots.txt is already taken by a page healthsite "
                        "writes itself. Move or rename the file [url-duplicate]"]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">%s</svg>'


@pytest.mark.parametrize("inside, problem", [
    (b"<script>alert(1)</script>", "the SVG contains a <script> element"),
    (b'<rect onclick="alert(1)"/>', "the SVG has an event handler 'onclick'"),
    (b'<a xlink:href="javascript:alert(1)"><text>x</text></a>', "the SVG links to 'javascript:alert(1)'"),
    (b'<a href="jav&#x61;script:alert(1)"><text>x</text></a>', "the SVG links to 'javascript:alert(1)'"),
    (b'<a href="data:text/html,x"><text>x</text></a>', "the SVG links to 'data:text/html,x'"),
    (b'<a><set attributeName="href" to="javascript:alert(1)"/></a>', "the SVG links to 'javascript:alert(1)'"),
    (b"<foreignObject><p>x</p></foreignObject>", "the SVG contains a <foreignobject> element"),
    (b"<style>@import url(https://evil.example/x.css);</style>", "the SVG has a style that can load script"),
    (b"<g>", "the SVG is not well-formed XML (mismatched tag: line 1, column 88)"),
], ids=["script", "handler", "javascript-link", "entity-link", "data-link", "animated-link", "foreign-object",
        "style-import", "broken"])
def test_an_svg_that_could_run_script_is_refused(tmp_path: Path, inside: bytes, problem: str) -> None:
    root, problems, code = site_with_file(tmp_path, "guide/diagram.svg", SVG % inside)
    assert code == 1
    assert problems == [f"content/guide/diagram.svg: error: {problem}, so it is left out. {SVG_HINT}"]
    assert not (root / "public").exists()


def test_an_svg_with_entities_is_refused_without_expanding_them(tmp_path: Path) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>')
    _, problems, code = site_with_file(tmp_path, "guide/laughs.svg", laughs)
    assert code == 1
    assert problems == [f"content/guide/laughs.svg: error: the SVG declares a DOCTYPE or entities, so it is left out. "
                        f"{SVG_HINT}"]


def test_a_plain_svg_diagram_is_published_as_it_is(tmp_path: Path) -> None:
    diagram = SVG % (b'<style>.bone { fill: #eee; }</style><rect class="bone" style="stroke: red" width="4" height="4"/>'
                     b'<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
                     b'<a href="https://www.nhs.uk/"><text>NHS</text></a><use href="#bone"/>'
                     b'<animate attributeName="opacity" values="0;1" dur="1s"/>')
    root, problems, code = site_with_file(tmp_path, "guide/diagram.svg", diagram)
    assert (code, problems) == (0, [])
    assert (root / "public/guide/diagram.svg").read_bytes() == diagram


def test_a_content_file_linking_outside_the_content_folder_is_not_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("API_KEY=hunter2\n", encoding="utf-8")
    root = site_with(tmp_path, GOOD.encode())
    os.symlink(secret, root / "content/guide/notes.txt")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "content/guide/notes.txt:1: error: the link leads outside the content folder, so the file it points to is "
        "left out. Copy it into the content folder instead of linking to it [content-file-unsafe]")
    assert not (root / "public").exists()


def test_markdown_that_would_render_for_minutes_stops_at_the_time_limit(tmp_path: Path) -> None:
    # Unclosed link openings: Python-Markdown 3.11 takes about 7 s for 5,000 of them here, growing with the square
    # (it took as long for 20,000 bare '[' before 3.11 made those fast).
    root = site_with(tmp_path, f"---\n{FIELDS}---\n\nIntro.\n\n{'[a](' * 8000}\n".encode())
    (root / "site.yaml").write_text(MINIMAL_CONFIG + "markdown:\n  time_limit: 1\n", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert [line for line in result.err.splitlines() if ": error: " in line] == [
        "content/guide/heat.md:7: error: the Markdown took longer than the time limit of 1 s to render. Look for long runs of "
        "unclosed brackets or markup, or raise markdown.time_limit in site.yaml [markdown-failed]"]
