"""The search page for thumbs: results in a phone's first screen, nothing moving as a search loads, the sections
suggested when nothing is found, a retry that forgives a slip of spelling, the section chosen kept in the address,
and articles about the word ranked above passing mentions.

Measured in the system's Chromium (Playwright, headless) at 375 x 812 and 1,280 x 800 in both colour schemes, on the
bundled site; the figures are printed (pytest -s shows them). Layout shift is the sum of every 'layout-shift' entry
a PerformanceObserver sees from the first paint until the results on screen have loaded. Without Chromium these tests
skip, unless HEALTHSITE_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import AXE_OPTIONS, axe_report, load_every_search_result
from conftest import ROOT
from test_theme import vnu_errors

SCREENSHOTS = ROOT / "tests" / "screenshots"
SCREENS = {"phone": (375, 812), "desktop": (1280, 800)}
SCHEMES = ["light", "dark"]
LONG_LISTS = ("pain", "back")  # each finds 10 or more articles on the bundled site
NOTHING = "zqxjv"  # close to no word of the site, and no word starts with its first letters
CRAMPS = "Muscle cramps and spasms"  # the bundled site's pillar at /cramps/
HREFS = "links => links.map(link => link.getAttribute('href'))"
BOX = "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }"
# Add up every layout shift not caused by the reader, from the page's first paint on.
WATCH_SHIFTS = """
window.layoutShift = 0;
new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
}).observe({type: 'layout-shift', buffered: true});
"""
# The search has settled: the sections are drawn, and either the results on screen have loaded or the page says
# nothing was found.
SETTLED = """() => {
    const summary = document.querySelector('pagefind-summary .pf-summary');
    if (!summary || !/results? for|No results/.test(summary.textContent)) return false;
    if (!document.querySelector('pagefind-filter-pane .pf-filter-group')) return false;
    const none = document.querySelector('.search-none');
    if (none && !none.hidden) return true;
    const results = [...document.querySelectorAll('pagefind-results li.pf-result')];
    return results.length > 0 && !results.some(li => li.getAttribute('aria-hidden') === 'true'
                                                     && li.getBoundingClientRect().top < window.innerHeight);
}"""
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture
def open_screen(open_page_at):
    """Return a function that opens a fresh page on a phone's or a desktop's screen, in a colour scheme, that adds up
    its layout shifts and watches for errors."""

    def open_(screen: str = "phone", scheme: str = "light", javascript: bool = True):
        return open_page_at(*SCREENS[screen], scheme, javascript, init_script=WATCH_SHIFTS)

    return open_


def search(page, url: str, query: str) -> None:
    """Open the search page for a query (and any sections: 'cramp&section=...') and wait until it has settled."""
    page.goto(f"{url}/search/?q={query}")
    settle(page)


def settle(page) -> None:
    page.wait_for_function(SETTLED, polling=50)
    page.evaluate(TWO_FRAMES)  # layout shifts are reported after the frame that showed them


def summary(page) -> str:
    return page.locator("pagefind-summary").inner_text().strip()


def result_count(page) -> int:
    return int(re.match(r"(?:Showing )?(\d+) results? for", summary(page)).group(1))


def open_sections(page):
    """Open the sections group (a closed line on a phone) and return it."""
    group = page.locator("pagefind-filter-pane details.pf-filter-group")
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    return group


def address(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


# Results first, and nothing moving.

@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_phone_shows_three_results_of_a_long_list_in_its_first_screen(bundled_url, open_screen, scheme) -> None:
    page, watch = open_screen("phone", scheme)
    height = SCREENS["phone"][1]
    print(f"\nresults wholly in the first screen of 375 x {height} ({scheme}):")
    for query in LONG_LISTS:
        search(page, bundled_url, query)
        boxes = page.locator("pagefind-results li.pf-result:has(a.pf-result-link)").evaluate_all(
            f"items => items.map({BOX})")
        in_view = [bottom for top, bottom in boxes if 0 <= top and bottom <= height]
        filter_top = page.locator(".search-filters").evaluate(BOX)[0]
        print(f"  {query!r}: {len(in_view)} of {result_count(page)}, the first from {boxes[0][0]:.0f} px, the "
              f"third ending at {boxes[2][1]:.0f} px; the closed sections line at {filter_top:.0f} px")
        assert result_count(page) >= 10
        assert len(in_view) >= 3, (query, boxes[:4])
    assert page.locator("pagefind-filter-pane details.pf-filter-group").get_attribute("open") is None
    assert not watch.problems


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_nothing_moves_as_a_search_loads(bundled_url, open_screen, screen, scheme) -> None:
    shifts = {}
    for query in (*LONG_LISTS, "cramsp", NOTHING, "cramp&section=" + CRAMPS.replace(" ", "+")):
        page, watch = open_screen(screen, scheme)  # a fresh page for each: layout shift counts from the first paint
        search(page, bundled_url, query)
        shifts[query] = page.evaluate("window.layoutShift")
        assert not watch.problems
        page.close()
    width, height = SCREENS[screen]
    print(f"\nlayout shift at {width} x {height} ({scheme}): "
          + ", ".join(f"{query!r} {shift:.4f}" for query, shift in shifts.items()))
    assert {query: shift for query, shift in shifts.items() if shift >= 0.05} == {}


# Help when nothing is found, and a retry that forgives a slip.

@pytest.mark.parametrize("screen", SCREENS)
def test_a_search_that_finds_nothing_suggests_every_section(bundled_url, open_screen, screen) -> None:
    page, watch = open_screen(screen)
    search(page, bundled_url, NOTHING)
    assert summary(page) == f"No results for \u201c{NOTHING}\u201d"
    none = page.locator(".search-none")
    assert none.is_visible() and none.get_by_role("heading").inner_text() == "Nothing matched your search"
    sections = page.locator(".pillar-nav-topics a").evaluate_all(
        "links => links.map(a => [a.textContent, a.getAttribute('href')])")  # the header's list of every section
    suggested = none.locator(".search-none-pillars a").evaluate_all(
        "links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert len(suggested) == 6 and suggested == sections
    assert none.get_by_role("link", name="all topics").get_attribute("href") == "/tags/"
    assert page.locator("pagefind-results a.pf-result-link").count() == 0
    none.get_by_role("link", name=CRAMPS).click()
    assert page.locator("h1").inner_text() == CRAMPS
    assert not watch.problems


@pytest.mark.parametrize("screen", SCREENS)
def test_a_slip_of_spelling_is_retried_and_finds_the_cramp_articles(bundled_url, open_screen, screen) -> None:
    page, watch = open_screen(screen)
    search(page, bundled_url, "cramps")
    cramps = result_count(page)
    search(page, bundled_url, "cramsp")
    assert summary(page) == f"Showing {cramps} results for \u201ccramps\u201d"  # the site's closest word
    load_every_search_result(page)
    hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all(HREFS)
    assert len(hrefs) == cramps and not page.locator(".search-none").is_visible()
    assert {"/cramps/", "/cramps/night-leg-and-foot-cramps/", "/cramps/leg-cramps-and-your-back/"} <= set(hrefs[:5])
    assert page.locator("pagefind-input input").input_value() == "cramsp"  # what the reader wrote stays
    assert address(page) == {"q": ["cramsp"]}
    print(f"\n'cramsp' at {SCREENS[screen][0]} px: {summary(page)}; first: {hrefs[:3]}")

    # Typed into the box, and a word the site's list does not know: its first letters are tried.
    page.goto(bundled_url + "/search/")
    page.locator("pagefind-input input").press_sequentially("magnesum", delay=20)
    page.get_by_text(re.compile("^Showing \\d+ results? for \u201cmagne\u201d$")).wait_for()
    settle(page)
    assert page.locator("pagefind-results a.pf-result-link").first.get_attribute("href") == (
        "/lifestyle/hydration-magnesium-and-electrolytes/")
    assert page.locator("pagefind-input input").input_value() == "magnesum"
    assert address(page) == {"q": ["magnesum"]}
    assert not watch.problems


# The section chosen, in the address.

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_the_section_chosen_is_kept_in_the_address_and_survives_a_reload(bundled_url, open_screen, screen,
                                                                         scheme) -> None:
    page, watch = open_screen(screen, scheme)
    search(page, bundled_url, "cramp")
    everywhere = result_count(page)
    open_sections(page).get_by_role("checkbox", name=re.compile("^" + CRAMPS)).check()
    page.wait_for_function("n => !document.querySelector('pagefind-summary').textContent.startsWith(n + ' ')",
                           arg=str(everywhere))
    settle(page)
    narrowed = result_count(page)
    assert address(page) == {"q": ["cramp"], "section": [CRAMPS]}
    shared = page.url

    page.reload()
    settle(page)
    assert page.url == shared
    assert result_count(page) == narrowed and 0 < narrowed < everywhere
    assert open_sections(page).get_by_role("checkbox", name=re.compile("^" + CRAMPS)).is_checked()
    load_every_search_result(page)
    hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all(HREFS)
    assert len(hrefs) == narrowed and all(href.startswith("/cramps/") for href in hrefs), hrefs
    assert page.locator("pagefind-input input").input_value() == "cramp"

    # Cleared, the section leaves the address too.
    open_sections(page).get_by_role("checkbox", name=re.compile("^" + CRAMPS)).uncheck()
    page.wait_for_function("() => !location.search.includes('section=')")
    assert address(page) == {"q": ["cramp"]}
    assert not watch.problems


# Ranking.

def about(public: Path, href: str, stem: str) -> str:
    """Return 'title' or 'heading' when a word starting with `stem` is in a page's title or a heading of its text,
    else 'passing'."""
    html = (public / href.strip("/") / "index.html").read_text(encoding="utf-8")
    word = re.compile(r"\b" + stem, re.IGNORECASE)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1)
    text = html.split('<div class="body">', 1)[-1].split("</article>", 1)[0].split('<section class="sources"', 1)[0]
    headings = " ".join(re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", text, re.DOTALL))
    return "title" if word.search(title) else "heading" if word.search(headings) else "passing"


@pytest.mark.parametrize("query, stem", [("cramp", "cramp"), ("spasm", "spasm"), ("stretch", "stretch"),
                                         ("walking", "walk"), ("physiotherapy", "physiotherap")])
def test_articles_about_the_word_rank_above_passing_mentions(bundled_site, bundled_url, open_screen, query,
                                                             stem) -> None:
    page, watch = open_screen("desktop")
    search(page, bundled_url, query)
    load_every_search_result(page)
    hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all(HREFS)
    kinds = [about(bundled_site / "public", href, stem) for href in hrefs]
    ranks = {kind: [n for n, k in enumerate(kinds, 1) if k == kind] for kind in ("title", "heading", "passing")}
    print(f"\n{query!r}, {len(hrefs)} results: in the title at {ranks['title']}, in a heading at {ranks['heading']}, "
          f"the first passing mention at {ranks['passing'][:1]}")
    if query == "cramp":
        print("  " + ", ".join(f"{n} {href}" for n, href in enumerate(hrefs[:8], 1)))
    assert ranks["title"] and ranks["passing"]
    assert ranks["title"] == list(range(1, len(ranks["title"]) + 1))  # the titles first
    assert max(ranks["title"] + ranks["heading"]) < min(ranks["passing"])
    assert not watch.problems


# Accessibility, valid HTML, and no JavaScript.

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_state_of_the_search_page_has_no_axe_violations(bundled_url, open_screen, screen, scheme) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, watch = open_screen(screen, scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = SCREENS[screen][0]
    violations = {}
    for state, query in (("results", "pain"), ("sections-open", "pain"), ("retried", "cramsp"),
                         ("nothing", NOTHING), ("section-chosen", "cramp&section=" + CRAMPS.replace(" ", "+"))):
        search(page, bundled_url, query)
        if state in ("sections-open", "section-chosen"):
            open_sections(page)
        report = axe_report(Axe().run(page, options=AXE_OPTIONS))
        if report:
            violations[state] = report
        page.screenshot(path=str(SCREENSHOTS / f"search-{state}-{width}-{scheme}.png"), full_page=True)
    assert violations == {}
    assert not watch.problems


def test_the_search_page_is_valid_html5(bundled_site: Path) -> None:
    public = bundled_site / "public"
    assert vnu_errors(public, [public / "search" / "index.html"]) == []


def test_without_javascript_the_search_page_shows_only_that_search_needs_it(bundled_url, open_screen) -> None:
    page, watch = open_screen("phone", javascript=False)
    page.goto(bundled_url + "/search/?q=cramp")
    assert "Search needs JavaScript" in page.locator("main").inner_text()
    assert not page.locator(".search-page").is_visible()  # no empty room kept for results that cannot come
    assert not watch.problems
