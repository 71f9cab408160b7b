"""Long tag and pillar lists are split into pages of `lists.per_page` articles, each linking to the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_healthsite
from site_files import broken_internal_links, files_below

from healthsite.pages.views import page_numbers

CARD = re.compile(r'<h[23] class="card-title"><a href="([^"]+)">')
BACK_ARTICLES = ["/back/night-back-pain/", "/back/stretches/", "/back/when-to-worry/"]  # tagged back-pain, newest first
PILLAR_ARTICLES = ["/back/when-to-worry/", "/back/night-back-pain/", "/back/stretches/"]  # the pillar's, by weight


def build_full_site(copy_site, per_page: str, *args: str) -> Path:
    root = copy_site("full")
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    assert "\nlists:\n  per_page: 2\n" in text  # the full site's own setting, replaced here
    config.write_text(text.replace("per_page: 2\n", f"per_page: {per_page}\n"), encoding="utf-8")
    result = run_healthsite("build", "--no-cache", *args, cwd=root)
    assert result.code == 0, result.err
    return root


def read(root: Path, path: str) -> str:
    return (root / "public" / path).read_text(encoding="utf-8")


def cards(html: str, section: str = "") -> list[str]:
    """Return the card links of a page, or of the part of it after `section`."""
    return CARD.findall(html.split(section, 1)[1] if section else html)


def pager(html: str) -> str:
    match = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    return match.group(0) if match else ""


def test_a_tag_with_more_articles_than_a_page_holds_continues_on_page_2(copy_site) -> None:
    root = build_full_site(copy_site, "2")
    first, second = read(root, "tags/back-pain/index.html"), read(root, "tags/back-pain/page/2/index.html")
    assert cards(first) == BACK_ARTICLES[:2]
    assert cards(second) == BACK_ARTICLES[2:]
    assert not (root / "public/tags/back-pain/page/3").exists()
    assert not (root / "public/tags/back-pain/page/1").exists()  # page 1 is the tag's own address
    assert '<p class="lede">3 articles tagged “Back pain”.' in first
    assert "<title>Articles about back pain, page 2 of 2 | Full sample site</title>" in second
    assert "<h1>Articles about back pain, page 2 of 2</h1>" in second
    assert '<p class="lede">Article 3 of 3 tagged <a href="/tags/back-pain/">Back pain</a>.</p>' in second
    assert '<meta name="description" content="Article 3 of 3 tagged &#39;Back pain&#39;.">' in second
    assert pager(first) == (
        '<nav class="pager" aria-label="Pages of this list">\n'
        '  <p class="pager-status">Page 1 of 2</p>\n'
        "  <ul>\n"
        '    <li><a href="/tags/back-pain/" aria-current="page"><span class="visually-hidden">Page </span>1</a></li>\n'
        '    <li><a href="/tags/back-pain/page/2/"><span class="visually-hidden">Page </span>2</a></li>\n'
        '    <li><a href="/tags/back-pain/page/2/" rel="next">Next<span class="visually-hidden"> page</span></a></li>\n'
        "  </ul>\n"
        "</nav>")
    assert '<a href="/tags/back-pain/" rel="prev">Previous' in pager(second)
    assert 'rel="next"' not in pager(second)
    assert '<a href="/tags/back-pain/page/2/" aria-current="page">' in pager(second)
    # The trail and the structured data name page 2 as a page of the tag.
    assert ('<li><a href="/tags/back-pain/">Back pain</a></li>\n    <li><span aria-current="page">Page 2</span></li>'
            in second)
    assert '"@type":"CollectionPage","@id":"/tags/back-pain/page/2/"' in second


def test_a_pillar_shows_its_introduction_once_and_continues_its_list_on_page_2(copy_site) -> None:
    root = build_full_site(copy_site, "2", "--base-url", "https://example.org/")
    first, second = read(root, "back/index.html"), read(root, "back/page/2/index.html")
    assert cards(first.split('id="neighbours-heading"')[0], 'id="articles-heading"') == PILLAR_ARTICLES[:2]
    assert 'rel="next"' in pager(first)
    assert cards(second) == PILLAR_ARTICLES[2:]
    assert "<h1>Back pain, page 2 of 2</h1>" in second
    assert '<p class="lede">Article 3 of 3 in <a href="/back/">Back pain</a>.</p>' in second
    assert "data-pagefind-body" in first and "data-pagefind-body" not in second  # search finds the pillar once
    assert 'pillar-intro' not in second
    assert '<a href="/back/" aria-current="true">Back pain</a>' in second  # the section stays marked in the menu
    assert '<link rel="canonical" href="https://example.org/back/page/2/">' in second
    sitemap = read(root, "sitemap.xml")  # page 2 is dated by its newest article, stretches.md
    assert "<loc>https://example.org/back/page/2/</loc>\n    <lastmod>2026-04-20</lastmod>" in sitemap
    assert "<loc>https://example.org/tags/back-pain/page/2/</loc>" in sitemap
    assert broken_internal_links(root / "public") == []


def test_lists_that_fit_on_one_page_have_no_pager_and_no_further_pages(copy_site) -> None:
    root = build_full_site(copy_site, "3")
    assert cards(read(root, "tags/back-pain/index.html")) == BACK_ARTICLES
    assert sorted(path.relative_to(root / "public").as_posix() for path in (root / "public").rglob("page")) == []
    assert pager(read(root, "tags/back-pain/index.html")) == ""


def test_per_page_0_lists_every_article_on_one_page(copy_site) -> None:
    one = build_full_site(copy_site, "0")
    assert list((one / "public").rglob("page")) == []
    assert cards(read(one, "tags/back-pain/index.html")) == BACK_ARTICLES


def test_a_negative_or_fractional_per_page_is_a_configuration_error(make_site) -> None:
    for value, message in (("-1", "'lists.per_page' must be 0 or more, not -1. Use 0 to list every article on one page"),
                           ("2.5", "'lists.per_page' must be a whole number.")):
        root = make_site({"site.yaml": f"title: T\nbase_url: /\nsearch: false\nlists:\n  per_page: {value}\n"})
        result = run_healthsite("build", cwd=root)
        assert result.code == 1
        assert result.err.splitlines()[0] == f"site.yaml:5: error: {message} [config-type]"


def test_an_alias_at_the_address_of_a_pillar_list_page_is_refused(copy_site) -> None:
    root = copy_site("full")
    article = root / "content/back/stretches.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title:", "aliases: [/back/page/2/]\ntitle:", 1),
                       encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert ("content/back/stretches.md:2: error: alias /back/page/2/ is already the address of page 2 of the list of "
            "/back/. Remove the alias or change it [alias-duplicate]") in result.err.splitlines()


def test_a_warm_build_after_an_edit_that_moves_articles_between_pages_equals_a_fresh_one(copy_site, tmp_path) -> None:
    root = build_full_site(copy_site, "2")
    article = root / "content/back/when-to-worry.md"
    article.write_text(article.read_text(encoding="utf-8").replace("weight: 5\n", "weight: 30\n", 1), encoding="utf-8")
    assert run_healthsite("build", cwd=root).code == 0
    assert cards(read(root, "back/page/2/index.html")) == ["/back/when-to-worry/"]
    fresh = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh"), cwd=root)
    assert fresh.code == 0, fresh.err
    assert files_below(root / "public") == files_below(tmp_path / "fresh")
    untagged = root / "content/back/stretches.md"  # two articles left in the tag: it fits on one page again
    untagged.write_text(untagged.read_text(encoding="utf-8").replace("tags: [back-pain, ", "tags: [", 1),
                        encoding="utf-8")
    assert run_healthsite("build", cwd=root).code == 0
    assert not (root / "public/tags/back-pain/page").exists()
    fresh = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh-2"), cwd=root)
    assert fresh.code == 0, fresh.err
    assert files_below(root / "public") == files_below(tmp_path / "fresh-2")


@pytest.mark.parametrize(("number", "count", "expected"), [
    (1, 1, [1]),
    (1, 2, [1, 2]),
    (1, 10, [1, 2, 3, None, 10]),
    (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),  # 2 is shown rather than a gap of one number
    (6, 10, [1, None, 4, 5, 6, 7, 8, 9, 10]),
    (10, 10, [1, None, 8, 9, 10]),
    (25, 46, [1, None, 23, 24, 25, 26, 27, None, 46]),
])
def test_the_pager_links_the_first_and_last_pages_and_two_either_side(number, count, expected) -> None:
    assert page_numbers(number, count) == expected
