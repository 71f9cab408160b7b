"""The full sample site, built once: every feature lands on the right page, and builds are reproducible."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import BUILD_EPOCH, SITES, run_healthsite
from site_files import broken_internal_links, files_below

import healthsite.speed.pages
from healthsite.config import load_config
from healthsite.diagnostics import Diagnostics
from healthsite.pipeline import build

ARTICLES = {  # slug -> (pillar, title)
    "night-back-pain": ("back", "Back pain at night: what helps"),
    "stretches": ("back", "Gentle stretches for a stiff back"),
    "when-to-worry": ("back", "Back pain that needs a doctor"),
    "night-cramps": ("legs", "Night-time leg cramps"),
    "calf-stretches": ("legs", "Calf stretches before bed"),
}
PILLAR_TITLES = {"back": "Back pain", "legs": "Legs and cramps"}
UNPUBLISHED = {"coming-soon": "Compression socks", "next-year": "Cramps in winter"}


def page(root: Path, path: str) -> str:
    return (root / "public" / path).read_text(encoding="utf-8")


def article(root: Path, slug: str) -> str:
    return page(root, f"{ARTICLES[slug][0]}/{slug}/index.html")


def section(html: str, opening: str, closing: str) -> str:
    """Return the part of a page from the element marked by `opening` to its closing tag."""
    match = re.search(re.escape(opening) + r".*?" + re.escape(closing), html, re.S)
    assert match, f"no {opening} in the page"
    return match.group(0)


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def breadcrumbs(html: str) -> list[str]:
    """Return the breadcrumb trail as text, links and the current page alike."""
    trail = section(html, 'aria-label="Breadcrumb"', "</nav>")
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", trail, re.S)]


def related_links(html: str) -> list[str]:
    return hrefs(section(html, 'aria-labelledby="related-heading"', "</section>"))


def test_full_site_builds_strictly_and_prints_one_summary_line(copy_site) -> None:
    result = run_healthsite("build", "--strict", cwd=copy_site("full"))
    assert (result.code, result.err) == (0, "")
    assert re.fullmatch(r"Built \d+ pages: 5 articles, 2 pillars, 5 tags, 0 warnings in \d+\.\d\d s\n", result.out)


def test_every_kind_of_page_is_written_at_its_pretty_url(full_site: Path) -> None:
    expected = ["index.html", "404.html", "about/index.html", "back/index.html", "legs/index.html",
                "tags/index.html", "old/night-pain/index.html",
                *(f"tags/{tag}/index.html" for tag in ("back-pain", "cramps", "exercise", "legs", "sleep")),
                *(f"{pillar}/{slug}/index.html" for slug, (pillar, _) in ARTICLES.items())]
    written = files_below(full_site / "public")
    assert [path for path in expected if path not in written] == []


def test_search_false_writes_no_search_index(full_site: Path) -> None:
    assert not (full_site / "public" / "pagefind").exists()


def test_drafts_and_future_articles_are_left_out_of_every_file(full_site: Path) -> None:
    for path, data in files_below(full_site / "public").items():
        for slug, title in UNPUBLISHED.items():
            assert slug not in path
            assert title.encode() not in data and f"/{slug}/".encode() not in data, f"{title} leaked into {path}"


def test_drafts_and_future_articles_are_published_with_drafts(copy_site) -> None:
    root = copy_site("full")
    result = run_healthsite("build", "--drafts", cwd=root)
    assert result.code == 0, result.err
    assert (root / "public/legs/coming-soon/index.html").is_file()
    assert (root / "public/legs/next-year/index.html").is_file()
    assert related_links(article(root, "night-back-pain"))[:2] == ["/back/stretches/", "/legs/coming-soon/"]


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_every_article_has_breadcrumbs_home_pillar_article(full_site: Path, slug: str) -> None:
    pillar, title = ARTICLES[slug]
    assert breadcrumbs(article(full_site, slug)) == ["Home", PILLAR_TITLES[pillar], title]


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_every_article_has_a_related_block_of_published_articles(full_site: Path, slug: str) -> None:
    links = related_links(article(full_site, slug))
    assert links, "the related block is empty"
    urls = {f"/{pillar}/{other}/" for other, (pillar, _) in ARTICLES.items() if other != slug}
    assert set(links) <= urls


def test_pinned_related_article_comes_first_and_count_is_respected(full_site: Path) -> None:
    links = related_links(article(full_site, "night-back-pain"))
    assert links[0] == "/back/stretches/"
    assert len(links) <= 3


def test_related_count_zero_leaves_the_block_out(copy_site) -> None:
    site = copy_site("full")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  count: 3\n", "  count: 0\n"), encoding="utf-8")
    assert run_healthsite("build", "--strict", cwd=site).code == 0
    html = article(site, "night-back-pain")
    assert 'id="related-heading"' not in html and "No closely related articles yet" not in html
    assert 'class="article-tags"' in html  # the rest of the article is there


def test_tags_are_normalised_and_aliases_mapped(full_site: Path) -> None:
    html = article(full_site, "night-back-pain")  # written as [Backache, Sleep]
    assert "/tags/back-pain/" in hrefs(html) and "/tags/sleep/" in hrefs(html)
    assert "/tags/exercise/" in hrefs(article(full_site, "stretches"))  # written as 'stretches'


def card_links(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="([^"]+)"', html)


def test_tag_page_lists_its_articles_newest_first_two_a_page(full_site: Path) -> None:
    first, second = page(full_site, "tags/back-pain/index.html"), page(full_site, "tags/back-pain/page/2/index.html")
    assert card_links(first) == ["/back/night-back-pain/", "/back/stretches/"]  # site.yaml: lists.per_page: 2
    assert card_links(second) == ["/back/when-to-worry/"]


def test_tag_index_links_every_tag(full_site: Path) -> None:
    links = hrefs(section(page(full_site, "tags/index.html"), "<main", "</main>"))
    assert [h for h in links if h.startswith("/tags/") and h != "/tags/"] == [
        "/tags/back-pain/", "/tags/cramps/", "/tags/exercise/", "/tags/legs/", "/tags/sleep/"]


def test_pillar_page_has_its_intro_then_its_articles_by_weight(full_site: Path) -> None:
    html = section(page(full_site, "back/index.html"), "<main", "</main>")
    assert html.index("Most back pain is not serious") < html.index('aria-labelledby="articles-heading"')
    articles = card_links(section(html, 'aria-labelledby="articles-heading"', "</section>"))
    assert articles + card_links(page(full_site, "back/page/2/index.html")) == [
        "/back/when-to-worry/", "/back/night-back-pain/", "/back/stretches/"]


def test_pillar_page_shows_articles_of_other_pillars_sharing_its_tags(full_site: Path) -> None:
    html = page(full_site, "legs/index.html")
    assert hrefs(section(html, 'aria-labelledby="neighbours-heading"', "</section>")) == ["/back/stretches/"]


def test_home_page_lists_pillars_then_latest_articles_newest_first(full_site: Path) -> None:
    links = list(dict.fromkeys(hrefs(section(page(full_site, "index.html"), "<main", "</main>"))))
    content = [h for h in links if h.count("/") in (2, 3) and not h.startswith("/tags/")]
    assert content == ["/back/", "/legs/", "/legs/calf-stretches/", "/legs/night-cramps/", "/back/night-back-pain/",
                       "/back/stretches/", "/back/when-to-worry/"]


def test_article_shows_its_dates_author_review_and_sources(full_site: Path) -> None:
    html = article(full_site, "night-back-pain")
    # Updated on 2026-06-01, then reviewed on 2026-06-15: the review is the last change, and the date shown.
    for text in ('datetime="2026-05-10"', 'Updated <time datetime="2026-06-15"', "Sam Writer", "Dr Alex Reviewer, GP",
                 'Medically reviewed by Dr Alex Reviewer, GP on <time datetime="2026-06-15"',
                 "Low back pain and sciatica in over 16s", "NICE, 2016",
                 'href="https://www.nice.org.uk/guidance/ng59"'):
        assert text in html


def test_article_without_an_author_names_the_site_author(full_site: Path) -> None:
    assert "The sample editorial team" in article(full_site, "stretches")


def test_links_between_articles_point_at_urls_with_their_anchors(full_site: Path) -> None:
    links = hrefs(article(full_site, "night-back-pain"))
    assert "/legs/night-cramps/#what-helps" in links and "#sleeping-positions" in links
    assert "/back/when-to-worry/#signs-to-watch-for" in hrefs(page(full_site, "back/index.html"))


def test_alias_page_redirects_to_the_article(full_site: Path) -> None:
    html = page(full_site, "old/night-pain/index.html")
    assert '<meta http-equiv="refresh" content="0; url=/back/night-back-pain/">' in html


def test_page_of_kind_page_sits_outside_the_pillars(full_site: Path) -> None:
    html = page(full_site, "about/index.html")
    assert breadcrumbs(html) == ["Home", "About this site"]
    assert "/back/night-back-pain/" in hrefs(html)


def test_when_to_get_help_block_is_rendered(full_site: Path) -> None:
    assert "When to get help" in article(full_site, "when-to-worry")


def test_every_internal_link_of_the_full_site_resolves(full_site: Path) -> None:
    assert broken_internal_links(full_site / "public") == []


def test_two_builds_of_the_same_input_are_byte_identical(full_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(SITES / "full", again)
    for _ in range(2):  # the second build reads every body from the cache the first one wrote
        assert run_healthsite("build", "--out", "elsewhere", cwd=again).code == 0
    assert files_below(again / "elsewhere") == files_below(full_site / "public")


def bundled_articles(root: Path) -> dict[str, str]:
    """Return the output file of every published article of the bundled site."""
    from healthsite.config import load_config
    from healthsite.diagnostics import Diagnostics
    from healthsite.pipeline import load_site

    diags = Diagnostics()
    site = load_site(load_config(root / "site.yaml", diags), diags)
    assert site is not None and not diags.errors, diags.format()
    return {slug: site.catalog.urls[slug].strip("/") + "/index.html" for slug in site.catalog.articles}


def test_bundled_site_articles_all_have_breadcrumbs_and_a_related_block(bundled_site: Path) -> None:
    articles = bundled_articles(bundled_site)
    assert len(articles) >= 20
    for slug, path in articles.items():
        html = page(bundled_site, path)
        assert len(breadcrumbs(html)) == 3, slug
        assert related_links(html), f"{slug} has an empty related block"


def test_bundled_site_internal_links_all_resolve(bundled_site: Path) -> None:
    assert broken_internal_links(bundled_site / "public") == []


def build_in_process(site: Path, out: Path) -> dict[str, bytes]:
    diags = Diagnostics()
    config = load_config(site / "site.yaml", diags, out_dir=str(out), cache=False)
    assert build(config, diags).published is not None, diags.format()
    return files_below(out)


def test_pages_rendered_with_a_helper_process_equal_those_of_one_process(copy_site, tmp_path, monkeypatch) -> None:
    site = copy_site("full")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    alone = build_in_process(site, tmp_path / "alone")
    monkeypatch.setattr(healthsite.speed.pages, "PARALLEL_THRESHOLD", 0)  # a helper for a small site, in chunks of 2
    monkeypatch.setattr(healthsite.speed.pages, "CHUNK", 2)
    assert build_in_process(site, tmp_path / "helped") == alone


def test_chunks_a_page_helper_took_and_never_sent_are_rendered_by_the_build(copy_site, tmp_path, monkeypatch) -> None:
    site = copy_site("full")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    alone = build_in_process(site, tmp_path / "alone")

    def help_once_then_die() -> None:
        _, shared = healthsite.speed.pages._HELPER_STATE
        shared.take()  # taken, never sent
        shared.take()
        os._exit(1)

    monkeypatch.setattr(healthsite.speed.pages, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(healthsite.speed.pages, "CHUNK", 2)
    monkeypatch.setattr(healthsite.speed.pages, "_help", help_once_then_die)
    assert build_in_process(site, tmp_path / "helped") == alone
