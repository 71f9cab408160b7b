"""Readers on a phone: "Get help now" and the article's first words in the first screen, navigation that scales to
many sections, related cards with no card alone on a row, pillars that list their articles once, print that shows
only other sites' addresses.

Measured in the system's Chromium (Playwright, headless) at 375 x 812 and 1,280 x 800 in both colour schemes, on the
bundled site and on a generated site of 27 sections. Without Chromium the browser tests skip, unless
HEALTHSITE_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import AXE_OPTIONS, axe_report, serve_folder
from conftest import ROOT, run_healthsite, write_site
from test_theme import vnu_errors

from healthsite.markdown.convert import mark_help_block

SCREENSHOTS = ROOT / "tests" / "screenshots"
SCREENS = {"phone": (375, 812), "desktop": (1280, 800)}
SCHEMES = ["light", "dark"]
SECTIONS = [
    "Allergies and hay fever", "Arthritis and joint pain", "Asthma and breathing", "Back pain",
    "Blood pressure and the heart", "Bones and osteoporosis", "Cancer screening", "Children's health", "Circulation",
    "Diabetes", "Digestion and the gut", "Ears, nose and throat", "Eyes and sight", "Feet and ankles",
    "Headaches and migraine", "Infections and vaccines", "Kidneys and bladder", "Medicines and pharmacy",
    "Men's health", "Mental health and wellbeing", "Neck and shoulder pain", "Older age and frailty",
    "Pregnancy and birth", "Skin, hair and nails", "Sleep", "Sports injuries", "Women's health",
]
MOST_INLINE = 8  # sections shown in the header's row; the rest wait under "Topics"

# Where an element is in the viewport: its top, bottom, left and right, in CSS pixels.
BOX = "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; }"
# The number of cards on each row of the related block, from top to bottom.
CARD_ROWS = """() => {
    const rows = new Map();
    for (const card of document.querySelectorAll('.related .card')) {
        const top = Math.round(card.getBoundingClientRect().top);
        rows.set(top, (rows.get(top) || 0) + 1);
    }
    return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(entry => entry[1]);
}"""
# The number of header controls (inline sections and "Topics") on each visible row of the section bar.
NAV_ROWS = """() => {
    const rows = new Map();
    for (const item of document.querySelectorAll('.pillar-nav-inline > li, .pillar-nav-topics > summary')) {
        const box = item.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const row = [...rows.keys()].find(top => Math.abs(top - box.top) < box.height / 2);
        rows.set(row ?? box.top, (rows.get(row ?? box.top) || 0) + 1);
    }
    return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(entry => entry[1]);
}"""


def built_pages(public: Path, marker: str) -> list[str]:
    """Return the site paths of the built pages whose HTML holds `marker`, tag and people pages left out."""
    found = []
    for page in sorted(public.glob("*/index.html")) + sorted(public.glob("*/*/index.html")):
        if page.parent.parent.name not in ("tags", "people") and marker in page.read_text(encoding="utf-8"):
            found.append("/" + page.parent.relative_to(public).as_posix() + "/")
    return found


def section_site(root: Path) -> Path:
    """Write a site of 27 sections, each with one article; the articles of the first six sections pin 1 to 6
    related articles (and nothing else is related), and every article ends with a help box under no heading."""
    files = {"site.yaml": "title: Many Sections Health\nbase_url: /\nsearch: false\nrelated:\n  count: 6\n"
                          "  min_score: 1000\n"}
    articles = [f"section-{n:02d}-guide" for n in range(1, len(SECTIONS) + 1)]
    for n, title in enumerate(SECTIONS, 1):
        folder, pins = f"section-{n:02d}", [a for a in articles if a != articles[n - 1]][:n if n <= 6 else 0]
        files[f"content/{folder}/index.md"] = (
            f'---\nkind: pillar\ntitle: "{title}"\ndescription: Guides about {title.lower()}.\ndate: 2026-01-01\n'
            f"weight: {n}\n---\n\nThis section explains {title.lower()} in plain words. Start with "
            f"[the first guide]({folder}-guide.md).\n")
        files[f"content/{folder}/{folder}-guide.md"] = (
            f'---\ntitle: "A first guide to {title.lower()}"\ndescription: What to know about {title.lower()}, '
            f"what helps, and when to see a doctor.\ndate: 2026-02-{n:02d}\n"
            + (f"related: [{', '.join(pins)}]\n" if pins else "") + "---\n\n"
            + "Most problems like this get better with simple care and time. " * 6
            + "\n\n## What helps\n\nRest, gentle movement and time.\n\n"
            '!!! warning "When to get help"\n    See a doctor if it gets worse or does not get better.\n')
    return write_site(root, files)


@pytest.fixture(scope="module")
def sections_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site of 27 sections once for this module."""
    root = section_site(tmp_path_factory.mktemp("sections") / "site")
    result = run_healthsite("build", "--no-cache", cwd=root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def sections_url(sections_site: Path):
    with serve_folder(sections_site / "public") as url:
        yield url


@pytest.fixture
def open_screen(open_page_at):
    """Return a function that opens a fresh page on a phone's or a desktop's screen, in a colour scheme, with a watch
    on its errors; scrolling is instant (reduced motion), so positions can be read right after a jump."""

    def open_(screen: str = "phone", scheme: str = "light", javascript: bool = True):
        return open_page_at(*SCREENS[screen], scheme, javascript, timeout=15_000)

    return open_


# Help first and the article in the first screen.

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_article_and_pillar_shows_get_help_now_and_its_first_words_in_the_first_screen(
        bundled_site, bundled_url, open_screen, screen, scheme) -> None:
    public = bundled_site / "public"
    articles, pillars = built_pages(public, 'class="prose article"'), built_pages(public, 'class="prose pillar-intro"')
    assert len(articles) >= 40 and len(pillars) == 6
    page, watch = open_screen(screen, scheme)
    height = SCREENS[screen][1]
    late = []
    for path in articles + pillars:
        page.goto(bundled_url + path)
        top, bottom, _, _ = page.get_by_role("link", name="Get help now").evaluate(BOX)
        if not 0 <= top < bottom <= height:
            late.append(f"{path}: 'Get help now' at {top:.0f}-{bottom:.0f} px")
        if path in articles:
            first_words = page.locator("article .body > p").first.evaluate(BOX)[0]
            if not first_words < height:
                late.append(f"{path}: the first paragraph at {first_words:.0f} px")
    assert late == [], f"below the first screen of {height} px: {late}"
    assert not watch.problems


def test_get_help_now_jumps_to_the_help_box_which_is_also_first_in_the_contents(bundled_url, sections_url,
                                                                                open_screen) -> None:
    page, watch = open_screen("phone")
    # A box under a "When should I get help?" heading, then one under no heading near the end of a short page.
    for url, near_top in ((bundled_url + "/cramps/back-spasms-what-to-do/", True),
                          (sections_url + "/section-04/section-04-guide/", False)):
        page.goto(url)
        page.get_by_role("link", name="Get help now").click()
        assert page.evaluate("location.hash") == "#get-help"
        assert page.locator(":target").get_attribute("class") == "help-anchor"
        box = page.locator(":target + .admonition")
        assert box.locator(".admonition-title").inner_text() == "When to get help"
        top, bottom, _, _ = box.evaluate(BOX)
        if near_top:  # scrolled to the top of the screen, not just somewhere on it
            assert 0 <= top < 40, (url, top)
        else:  # the page ends before the box could reach the top
            assert 0 <= top and bottom <= SCREENS["phone"][1], (url, top, bottom)
    page.goto(bundled_url + "/cramps/back-spasms-what-to-do/")
    contents = page.locator(".toc-fold nav a").evaluate_all("links => links.map(a => [a.textContent, a.hash])")
    assert contents[0] == ["When to get help", "#get-help"]
    assert "When should I get help?" not in [title for title, _ in contents]  # the heading it stands for
    assert not watch.problems


@pytest.mark.parametrize("scheme", SCHEMES)
def test_contents_are_folded_on_a_phone_and_open_beside_the_text_on_a_wide_screen(bundled_url, open_screen,
                                                                                  scheme) -> None:
    phone, watch = open_screen("phone", scheme)
    phone.goto(bundled_url + "/cramps/back-spasms-what-to-do/")
    fold = phone.locator("details.toc-fold")
    assert fold.is_visible() and fold.get_attribute("open") is None
    assert not phone.locator("nav.toc").is_visible()
    assert fold.evaluate(BOX)[1] <= SCREENS["phone"][1]
    fold.locator("summary").click()
    first = fold.get_by_role("link").first
    assert first.is_visible() and first.inner_text() == "When to get help"
    desktop, desktop_watch = open_screen("desktop", scheme)
    desktop.goto(bundled_url + "/cramps/back-spasms-what-to-do/")
    assert desktop.locator("nav.toc").is_visible() and not desktop.locator("details.toc-fold").is_visible()
    assert desktop.locator("nav.toc a").first.inner_text() == "When to get help"
    assert not watch.problems and not desktop_watch.problems


# Navigation that scales.

@pytest.mark.parametrize("scheme", SCHEMES)
def test_with_27_sections_the_header_keeps_to_two_rows_with_the_current_section_in_it(sections_url, open_screen,
                                                                                      scheme) -> None:
    page, watch = open_screen("desktop", scheme)
    for n in (0, 1, 8, 20, 27):  # home, then articles of sections shown inline and of sections under "Topics"
        page.goto(sections_url + (f"/section-{n:02d}/section-{n:02d}-guide/" if n else "/"))
        rows = page.evaluate(NAV_ROWS)
        assert len(rows) <= 2, (n, rows)
        inline = page.locator(".pillar-nav-inline a")
        assert inline.count() == MOST_INLINE
        if n:
            current = page.locator('.pillar-nav-inline a[aria-current="true"]')
            assert current.inner_text() == SECTIONS[n - 1] and current.is_visible()
    topics = page.locator(".pillar-nav-topics")
    topics.locator("summary").click()
    links = topics.get_by_role("link")
    assert links.all_inner_texts() == SECTIONS and all(links.nth(i).is_visible() for i in range(len(SECTIONS)))
    assert not watch.problems


@pytest.mark.parametrize("scheme", SCHEMES)
def test_on_a_phone_the_current_section_is_in_view_beside_topics(sections_url, bundled_url, open_screen,
                                                                 scheme) -> None:
    page, watch = open_screen("phone", scheme)
    width, height = SCREENS["phone"]
    pages = [(sections_url + f"/section-{n:02d}/section-{n:02d}-guide/", SECTIONS[n - 1]) for n in (1, 14, 27)]
    pages += [(bundled_url + "/lifestyle/", "Lifestyle, diet and natural remedies"),
              (bundled_url + "/lifestyle/staying-active-and-pacing/", "Lifestyle, diet and natural remedies")]
    for url, section in pages:
        page.goto(url)
        current = page.locator(".pillar-nav [aria-current]").first
        assert current.inner_text() == section
        top, bottom, left, right = current.evaluate(BOX)
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (url, top, bottom, left, right)
        assert page.locator(".pillar-nav-topics > summary").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".pillar-nav-topics > summary").click()
    assert page.locator(".pillar-nav-topics").get_by_role("link", name="Exercise and rehab").is_visible()
    assert not watch.problems


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_six_sections_share_the_header_rows_without_one_left_alone(bundled_url, open_screen, width) -> None:
    page, watch = open_screen("desktop")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(bundled_url + "/")
    rows = page.evaluate(NAV_ROWS)
    assert sum(rows) == 6 and not page.locator(".pillar-nav-topics").is_visible()  # six fit inline: no "Topics"
    assert len(rows) == 1 or min(rows) > 1, rows
    assert not watch.problems


def test_topics_open_and_lead_to_a_section_without_javascript(bundled_url, open_screen) -> None:
    page, watch = open_screen("phone", javascript=False)
    page.goto(bundled_url + "/")
    page.locator(".pillar-nav-topics > summary").click()
    page.locator(".pillar-nav-topics").get_by_role("link", name="Exercise and rehab").click()
    assert page.locator("h1").inner_text() == "Exercise and rehab"
    assert page.locator('.pillar-nav-inline a[aria-current="page"]').is_visible()
    assert not watch.problems


# Related cards, pillar lists, print.

@pytest.mark.parametrize("width", [375, 700, 1280])
def test_related_block_leaves_no_card_alone_on_a_row_for_one_to_six_cards(sections_url, open_screen, width) -> None:
    page, watch = open_screen("desktop")
    page.set_viewport_size({"width": width, "height": 800})
    lone = {}
    for n in range(1, 7):
        page.goto(sections_url + f"/section-{n:02d}/section-{n:02d}-guide/")
        rows = page.evaluate(CARD_ROWS)
        assert sum(rows) == n
        if max(rows) > 1 and 1 in rows:
            lone[n] = rows
    assert lone == {}, f"cards per row at {width} px: {lone}"
    assert not watch.problems


def test_pillar_whose_text_links_every_article_lists_them_once(bundled_site: Path) -> None:
    public = bundled_site / "public"
    for pillar in built_pages(public, 'class="prose pillar-intro"'):
        html = (public / pillar.strip("/") / "index.html").read_text(encoding="utf-8")
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        text = main.split('<div class="body">', 1)[1].split("</article>", 1)[0]
        articles = [p for p in built_pages(public, 'class="prose article"') if p.startswith(pillar)]
        assert articles and [p for p in articles if f'href="{p}"' not in text] == [], pillar
        before_other_sections = main.split('id="neighbours-heading"', 1)[0]
        assert 'id="articles-heading"' not in main and 'class="card"' not in before_other_sections, pillar


def test_printed_article_shows_the_addresses_of_other_sites_only(bundled_url, open_screen) -> None:
    page, watch = open_screen("desktop")
    page.goto(bundled_url + "/cramps/back-spasms-what-to-do/")
    page.emulate_media(media="print")
    after = "a => getComputedStyle(a, '::after').content"
    source = page.locator(".sources a").first
    assert source.get_attribute("href") in source.evaluate(after)
    internal = page.locator('.body a[href^="/"]')
    assert internal.count() > 3
    assert [text for text in internal.evaluate_all(f"links => links.map({after})") if "/" in text] == []
    assert not page.locator(".help-now").is_visible() and not page.locator(".toc-fold").is_visible()
    assert not watch.problems


# Accessibility and valid HTML of the new parts, open.

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_open_topics_and_contents_have_no_axe_violations(sections_url, bundled_url, open_screen, screen,
                                                         scheme) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, watch = open_screen(screen, scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = SCREENS[screen][0]
    violations = {}
    for name, url in (("sections-article", sections_url + "/section-20/section-20-guide/"),
                      ("sections-home", sections_url + "/"),
                      ("article-contents", bundled_url + "/cramps/back-spasms-what-to-do/")):
        page.goto(url)
        if screen == "phone" or name != "article-contents":
            page.locator(".toc-fold > summary" if name == "article-contents" else ".pillar-nav-topics > summary").click()
        report = axe_report(Axe().run(page, options=AXE_OPTIONS))
        if report:
            violations[name] = report
        page.screenshot(path=str(SCREENSHOTS / f"{name}-open-{width}-{scheme}.png"), full_page=True)
    assert violations == {}
    assert not watch.problems


def test_pages_of_27_sections_are_valid_html5(sections_site: Path) -> None:
    public = sections_site / "public"
    checked = [public / "index.html", public / "section-27" / "index.html",
               public / "section-27" / "section-27-guide" / "index.html"]
    assert vnu_errors(public, checked) == []


# The help box's id, without a browser.

def test_help_box_gets_an_id_with_or_without_a_heading_and_one_not_taken() -> None:
    box = '<div class="admonition warning">\n<p class="admonition-title">When to get help</p>\n<p>Call.</p>\n</div>'
    assert mark_help_block(f"<p>Intro.</p>\n{box}\n<p>After.</p>") == (
        f'<p>Intro.</p>\n<div class="help-anchor" id="get-help"></div>{box}\n<p>After.</p>')
    assert 'id="get-help-2"' in mark_help_block(f'<h2 id="get-help">Get help</h2>\n{box}')
    assert mark_help_block("<p>No box.</p>") == "<p>No box.</p>"
    tip = box.replace("When to get help", "Try this")
    assert mark_help_block(tip) == tip


def test_help_box_under_its_heading_opens_the_contents_in_place_of_that_heading(make_site) -> None:
    sections = "".join(f"## Part {n}\n\nText {n}.\n\n" for n in range(1, 4))
    front = "---\ntitle: {title}\ndescription: A test article.\ndate: 2026-01-02\npillar: guide\n---\n\n"
    box = '!!! warning "When to get help"\n    Call a doctor.\n'
    root = make_site({
        "content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\n"
                                  "Read [one](heading.md) and [two](bare.md).\n\n" + box,
        "content/guide/heading.md": front.format(title="Heading") + sections + "## When should I get help?\n\n" + box,
        "content/guide/bare.md": front.format(title="Bare") + sections + "## Last part\n\nText.\n\n" + box,
    })
    assert run_healthsite("build", cwd=root).code == 0
    public = root / "public" / "guide"

    def contents(name: str) -> list[str]:
        html = (public / name / "index.html").read_text(encoding="utf-8")
        assert '<a href="#get-help">Get help now</a>' in html and '<div class="help-anchor" id="get-help">' in html
        return re.findall(r'href="#([^"]+)"', html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0])

    assert contents("heading") == ["get-help", "part-1", "part-2", "part-3"]
    assert contents("bare") == ["get-help", "part-1", "part-2", "part-3", "last-part"]
    pillar = (public / "index.html").read_text(encoding="utf-8")
    assert '<a href="#get-help">Get help now</a>' in pillar
    assert 'id="articles-heading"' not in pillar  # its text links both articles: no cards repeat them
