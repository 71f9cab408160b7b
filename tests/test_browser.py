"""The bundled site in a real browser: reading, navigating, searching, accessibility, print, and screenshots for review.

Drives the system's Chromium (/usr/bin/chromium) with Playwright, headless; axe-core comes bundled with
axe-playwright-python. Without Chromium these tests skip, unless HEALTHSITE_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import AXE_OPTIONS, REQUIRE_BROWSER, axe_report, browser_unavailable, load_every_search_result
from conftest import ROOT

SCREENSHOTS = ROOT / "tests" / "screenshots"
PHONE, DESKTOP = 375, 1280


@pytest.fixture
def open_page(open_page_at):
    """Return a function that opens a fresh page at a width and colour scheme, with a watch on its errors."""

    def open_(width: int = DESKTOP, scheme: str = "light", javascript: bool = True):
        return open_page_at(width, 800, scheme, javascript, reduced_motion="no-preference", timeout=15_000)

    return open_


@pytest.fixture(scope="module")
def page_types(bundled_site: Path) -> dict[str, str]:
    """Pick one site path of every page type from the built site: a long article, a pillar, a tag and so on."""
    public = bundled_site / "public"
    home = (public / "index.html").read_text(encoding="utf-8")
    pillar = re.search(r'<nav class="pillar-nav".*?<a href="([^"]+)"', home, re.S).group(1)
    articles = sorted(public.glob("*/*/index.html"))
    long_article = next(p for p in articles if 'class="toc"' in p.read_text(encoding="utf-8")
                        and 'admonition warning' in p.read_text(encoding="utf-8") and "tags" not in p.parts)
    tag = sorted(public.glob("tags/*/index.html"))[0]
    further = sorted(public.glob("tags/*/page/2/index.html"))[0]  # site.yaml's lists.per_page splits a long tag
    return {
        "home": "/",
        "pillar": pillar,
        "article": "/" + long_article.parent.relative_to(public).as_posix() + "/",
        "tag": "/" + tag.parent.relative_to(public).as_posix() + "/",
        "tag-index": "/tags/",
        "tag-page-2": "/" + further.parent.relative_to(public).as_posix() + "/",
        "404": "/404.html",
        "search": "/search/?q=cramps",
        "person": "/people/editorial-team/",
        "people": "/people/",
    }


def test_missing_browser_skips_locally_but_fails_when_ci_requires_browsers(monkeypatch) -> None:
    monkeypatch.delenv(REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        browser_unavailable("Chromium is not installed")
    monkeypatch.setenv(REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match="HEALTHSITE_REQUIRE_BROWSER=1 forbids skipping browser tests"):
        browser_unavailable("Chromium is not installed")


def open_search_results(page, bundled_url: str, query: str) -> None:
    """Open the search page for a query and wait until Pagefind has shown every result."""
    page.goto(f"{bundled_url}/search/?q={query}")
    page.locator("pagefind-results a.pf-result-link").first.wait_for()
    load_every_search_result(page)


def test_reader_clicks_home_to_pillar_to_article_to_related_and_back_by_breadcrumbs(bundled_url, open_page) -> None:
    page, watch = open_page()
    page.goto(bundled_url + "/")
    pillar_link = page.locator("main .card-pillar .card-title a").first
    pillar_title = pillar_link.inner_text()
    pillar_link.click()
    assert page.locator("h1").inner_text() == pillar_title

    # The pillar's text lists its articles (the cards would only repeat it).
    pillar_path = page.url.removeprefix(bundled_url)
    article_link = page.locator(f'main .pillar-intro .body a[href^="{pillar_path}"]:not([href="{pillar_path}"])').first
    article_path = article_link.get_attribute("href")
    article_link.click()
    assert page.url == bundled_url + article_path
    assert page.locator(".breadcrumbs a").nth(1).inner_text() == pillar_title

    related_link = page.locator(".related .card-title a").first
    related_title, related_path = related_link.inner_text(), related_link.get_attribute("href")
    related_link.click()
    assert page.locator("h1").inner_text() == related_title
    crumbs = page.locator(".breadcrumbs li")
    assert crumbs.last.inner_text() == related_title
    assert crumbs.last.locator("[aria-current=page]").count() == 1

    crumb_pillar = page.locator(".breadcrumbs a").nth(1)
    crumb_pillar_title = crumb_pillar.inner_text()
    crumb_pillar.click()
    assert page.locator("h1").inner_text() == crumb_pillar_title
    assert page.locator(f'main a[href="{related_path}"]').count() >= 1  # the pillar lists the related article
    page.locator(".breadcrumbs a", has_text="Home").click()
    assert page.url == bundled_url + "/"
    assert not watch.problems


def test_reader_on_a_phone_pages_through_a_long_topic_and_back(bundled_url, open_page, page_types) -> None:
    page, watch = open_page(width=PHONE)
    second = page_types["tag-page-2"]
    page.goto(bundled_url + second.removesuffix("page/2/"))
    first_titles = page.locator("main .card-title a").all_inner_texts()
    assert len(first_titles) == 12  # site.yaml's lists.per_page
    next_link = page.get_by_role("link", name="Next page")
    box = next_link.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44  # a touch target
    next_link.click()
    assert page.url == bundled_url + second
    assert re.fullmatch(r"Articles about .+, page 2 of \d+", page.locator("h1").inner_text())
    assert page.get_by_role("link", name="Page 2", exact=True).get_attribute("aria-current") == "page"
    second_titles = page.locator("main .card-title a").all_inner_texts()
    assert second_titles and not set(second_titles) & set(first_titles)
    page.get_by_role("link", name="Previous page").click()
    assert page.url == bundled_url + second.removesuffix("page/2/")
    assert not watch.problems


def test_search_box_on_a_page_finds_an_article_and_opens_it(bundled_url, open_page, page_types) -> None:
    page, watch = open_page(PHONE)
    page.goto(bundled_url + page_types["article"])
    target_title = page.locator("h1").inner_text()
    page.goto(bundled_url + "/")
    search = page.get_by_role("searchbox", name="Search this site")
    search.fill(target_title)
    search.press("Enter")
    assert re.search(r"/search/\?q=", page.url)
    result = page.locator(f'pagefind-results a.pf-result-link[href="{page_types["article"]}"]')
    result.wait_for()
    assert result.inner_text() == target_title
    assert page.locator("pagefind-results .pf-result-excerpt").first.inner_text().strip()
    result.click()
    page.wait_for_url(bundled_url + page_types["article"])
    assert page.locator("h1").inner_text() == target_title
    assert not watch.problems


def test_typing_on_the_search_page_shows_titles_and_excerpts(bundled_url, open_page) -> None:
    page, watch = open_page()
    page.goto(bundled_url + "/search/")
    page.locator("pagefind-input input").press_sequentially("stretch", delay=20)
    first = page.locator("pagefind-results a.pf-result-link").first
    first.wait_for()
    assert re.search(r"\d+ results? for stretch", page.locator("pagefind-summary").inner_text())
    assert "stretch" in page.locator("pagefind-results .pf-result-excerpt").first.inner_text().lower()
    title = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == title
    assert not watch.problems


def test_search_results_narrow_to_one_pillar(bundled_url, open_page) -> None:
    from playwright.sync_api import expect

    page, watch = open_page()
    page.goto(bundled_url + "/")
    nav = page.locator(".pillar-nav a")
    pillars = {nav.nth(i).inner_text(): nav.nth(i).get_attribute("href") for i in range(nav.count())}
    open_search_results(page, bundled_url, "back")
    everywhere = page.locator("pagefind-results a.pf-result-link").count()
    summary = page.locator("pagefind-summary").inner_text()
    title, path = next(iter(pillars.items()))
    group = page.locator("pagefind-filter-pane details.pf-filter-group")
    if group.count() and group.first.get_attribute("open") is None:
        group.first.locator("summary").click()
    page.get_by_role("checkbox", name=re.compile("^" + re.escape(title))).check()
    page.wait_for_function("n => document.querySelectorAll('pagefind-results li.pf-result').length < n", arg=everywhere)
    expect(page.locator("pagefind-summary")).not_to_have_text(summary)
    load_every_search_result(page)
    hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith(path) for href in hrefs), (path, hrefs)
    assert not watch.problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_type_has_no_axe_violations(bundled_url, open_page, page_types, width, scheme) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page, watch = open_page(width, scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = {}
    for name, path in page_types.items():
        if name == "search":
            open_search_results(page, bundled_url, "cramps")
        else:
            page.goto(bundled_url + path)
        report = axe_report(axe.run(page, options=AXE_OPTIONS))
        if report:
            violations[name] = report
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
    assert not violations, "\n".join(f"{name} ({path}):\n{report}" for name, report in violations.items()
                                     for path in [page_types[name]])
    assert not watch.problems


def test_pages_fit_a_375_px_phone_without_sideways_scrolling(bundled_url, open_page, page_types) -> None:
    page, watch = open_page(PHONE)
    too_wide = {}
    for name, path in page_types.items():
        page.goto(bundled_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            too_wide[name] = width
    assert not too_wide
    assert not watch.problems


def test_skip_link_is_the_first_tab_stop_and_moves_to_the_main_content(bundled_url, open_page, page_types) -> None:
    page, watch = open_page()
    page.goto(bundled_url + page_types["article"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert not watch.problems


def test_site_works_without_javascript_and_search_says_it_needs_it(bundled_url, open_page) -> None:
    page, watch = open_page(javascript=False)
    page.goto(bundled_url + "/")
    page.locator("main .card-pillar .card-title a").first.click()
    article = page.locator("main .cards .card-title a").first
    title = article.inner_text()
    article.click()
    assert page.locator("h1").inner_text() == title
    search = page.get_by_role("searchbox", name="Search this site")
    search.fill("sleep")
    search.press("Enter")
    assert page.url.endswith("/search/?q=sleep")
    assert "Search needs JavaScript" in page.locator("main").inner_text()
    assert not watch.problems


def test_printed_article_hides_navigation_and_shows_link_addresses(bundled_url, open_page, page_types) -> None:
    page, watch = open_page()
    page.goto(bundled_url + page_types["article"])
    page.emulate_media(media="print")
    for hidden in (".pillar-nav", ".site-search", ".breadcrumbs", ".related"):
        assert not page.locator(hidden).is_visible(), hidden
    after = page.locator(".sources a").first.evaluate("a => getComputedStyle(a, '::after').content")
    href = page.locator(".sources a").first.get_attribute("href")
    assert href in after
    assert not watch.problems
