"""Each fact a page states about an article (when it last changed, its pillar, a tag's label, its review status) comes
from one source, so the page, its JSON-LD, the feeds, the sitemap, the checks and `healthsite new` all agree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run_healthsite
from sample_docs import CONFIG, clean_catalog, doc

from healthsite.catalog.index import tag_label
from healthsite.config import SiteConfig
from healthsite.content.fields import FieldReader
from healthsite.diagnostics import Diagnostics
from healthsite.new import check_tags

HOST = "https://example.org/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

SITE_YAML = f"""\
title: One source
base_url: {HOST}
search: false
review:
  interval_months: 12
  due_soon_days: 30
tags:
  legs: Legs and feet
  sleep: Sleep
tag_aliases:
  腰痛: legs
"""

PILLAR = "---\nkind: pillar\ntitle: {title}\ndescription: All about {slug}.\ndate: 2026-01-01\n---\n\n{links}\n"

ARTICLE = """\
---
title: {title}
description: A short description.
date: {date}
pillar: {pillar}
tags: [{tags}]
{extra}sources:
  - title: Cramps
    publisher: NHS
    url: https://www.nhs.uk/conditions/leg-cramps/
---

Keep moving, and see [the other one]({other}).

!!! warning "When to get help"
    See a doctor if it gets worse.
"""


class Page(HTMLParser):
    """Read what a reader and a machine see on a page: breadcrumbs, byline dates, review line, meta tags, JSON-LD."""

    def __init__(self, text: str):
        super().__init__()
        self.crumbs: list[tuple[str, str | None]] = []  # (title, href) of each breadcrumb, the last without href
        self.byline_times: dict[str, str] = {}  # "Published" / "Updated" / "Medically reviewed" -> datetime
        self.classes: list[str] = []
        self.meta: dict[str, str] = {}
        self.jsonld: list[dict] = []
        self.section_filter: str | None = None
        self.heading: str = ""
        self._stack: list[str] = []
        self._in_crumbs = self._in_script = self._in_h1 = False
        self._href: str | None = None
        self._text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes += (attrs.get("class") or "").split()
        if tag == "nav" and attrs.get("aria-label") == "Breadcrumb":
            self._in_crumbs = True
        elif tag == "a" and self._in_crumbs:
            self._href = attrs.get("href")
        elif tag == "time" and attrs.get("datetime"):
            label = " ".join(self._text.replace("·", " ").split()).rstrip(".")
            label = label.split(". ")[-1]
            self.byline_times.setdefault("Medically reviewed" if label.startswith("Medically reviewed") else label,
                                         attrs["datetime"])
        elif tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs["content"]
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_script = True
        elif tag == "article" and attrs.get("data-pagefind-filter"):
            self.section_filter = attrs["data-pagefind-filter"].removeprefix("section:")
        elif tag == "h1":
            self._in_h1 = True
        if tag in ("p", "li", "span", "time"):
            self._text = ""

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_crumbs = False
        elif tag == "script":
            self._in_script = False
        elif tag == "h1":
            self._in_h1 = False
        elif tag in ("a", "span") and self._in_crumbs and self._text.strip():
            self.crumbs.append((self._text.strip(), self._href if tag == "a" else None))
            self._href, self._text = None, ""

    def handle_data(self, data):
        if self._in_script:
            self.jsonld.append(json.loads(data))
        else:
            self._text += data
            if self._in_h1:
                self.heading += data

    def graph(self, kind: str) -> dict:
        """Return the JSON-LD node of a schema.org type."""
        return next(node for node in self.jsonld[0]["@graph"] if node["@type"] == kind)


def page(public: Path, path: str) -> Page:
    return Page((public / path / "index.html").read_text(encoding="utf-8"))


def feed_entries(public: Path, path: str) -> tuple[str, dict[str, ET.Element]]:
    """Return a feed's title and its entries by link."""
    feed = ET.parse(public / path).getroot()
    entries = {e.find("a:link[@rel='alternate']", ATOM).get("href"): e for e in feed.findall("a:entry", ATOM)}
    return feed.findtext("a:title", namespaces=ATOM), entries


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a small site: two pillars; an article updated then reviewed; one reviewed only; one overdue; one with a
    reviewer but no review yet; tags from the vocabulary, an alias, and a tag outside the vocabulary."""
    root = tmp_path_factory.mktemp("one-source")
    files = {
        "site.yaml": SITE_YAML,
        "content/guide/index.md": PILLAR.format(title="A guide to legs", slug="guide",
                                                links="See [first](first-steps.md), [second](second-steps.md) and "
                                                      "[third](third-steps.md)."),
        "content/sleep/index.md": PILLAR.format(title="Better sleep", slug="sleep", links="See [rest](rest.md)."),
        "content/guide/first-steps.md": ARTICLE.format(
            title="First steps", date="2026-01-02", pillar="guide", tags="腰痛, Night Time, sleep",
            other="../sleep/rest.md",
            extra="updated: 2026-02-01\nreviewed: 2026-03-01\nreviewer: Dr Ada Clinician\n"),
        "content/guide/second-steps.md": ARTICLE.format(
            title="Second steps", date="2026-01-05", pillar="guide", tags="legs", other="first-steps.md",
            extra="reviewed: 2026-04-10\n"),
        "content/guide/third-steps.md": ARTICLE.format(
            title="Third steps", date="2025-05-01", pillar="guide", tags="legs", other="first-steps.md",
            extra="reviewed: 2025-06-01\nreviewer: Dr Old Review\n"),
        "content/sleep/rest.md": ARTICLE.format(
            title="Rest", date="2026-03-03", pillar="sleep", tags="sleep", other="../guide/first-steps.md",
            extra="reviewer: Dr Not Yet\n"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    result = run_healthsite("build", "--no-cache", cwd=root)
    assert result.code == 0, result.err
    return root / "public"


@pytest.mark.parametrize(("path", "modified"), [
    ("guide/first-steps", "2026-03-01"),  # published, updated, then reviewed: the review is the last change
    ("guide/second-steps", "2026-04-10"),  # reviewed, never updated
    ("sleep/rest", "2026-03-03"),  # never changed since it was published
])
def test_last_modified_agrees_in_sitemap_json_ld_open_graph_feeds_and_page(public: Path, path: str,
                                                                          modified: str) -> None:
    url = HOST + path + "/"
    sitemap = ET.parse(public / "sitemap.xml").getroot()
    lastmods = {u.findtext("s:loc", namespaces=SITEMAP): u.findtext("s:lastmod", namespaces=SITEMAP) for u in sitemap}
    shown = page(public, path)
    pillar = path.split("/")[0]
    _, site_feed = feed_entries(public, "feed.xml")
    _, pillar_feed = feed_entries(public, f"{pillar}/feed.xml")
    published = shown.graph("MedicalWebPage")["datePublished"]
    assert lastmods[url] == modified
    assert shown.graph("MedicalWebPage")["dateModified"] == modified
    assert shown.meta["article:modified_time"] == modified
    assert site_feed[url].findtext("a:updated", namespaces=ATOM) == f"{modified}T00:00:00Z"
    assert pillar_feed[url].findtext("a:updated", namespaces=ATOM) == f"{modified}T00:00:00Z"
    assert shown.byline_times["Published"] == published
    assert shown.byline_times.get("Updated", published) == modified  # "Updated" is shown only after a change


def test_a_tag_has_the_same_label_on_its_page_the_tag_index_the_article_and_the_feeds(public: Path) -> None:
    _, entries = feed_entries(public, "feed.xml")
    categories = {c.get("term"): c.get("label") for e in entries.values() for c in e.findall("a:category", ATOM)}
    article = (public / "guide/first-steps/index.html").read_text(encoding="utf-8")
    index = (public / "tags/index.html").read_text(encoding="utf-8")
    expected = {"legs": "Legs and feet", "sleep": "Sleep"}
    assert categories == expected  # night-time, outside the vocabulary, is left out: no label, no page of its own
    assert not (public / "tags/night-time").exists()
    for tag, label in expected.items():
        tag_page = page(public, f"tags/{tag}")
        assert tag_page.crumbs[-1] == (label, None)
        assert tag_page.graph("BreadcrumbList")["itemListElement"][-1]["name"] == label
        assert tag_page.heading == f"Articles about {label.lower()}"
        assert f'<a href="/tags/{tag}/">{label}</a>' in article
        assert f'<a href="/tags/{tag}/">{label} <span class="count">' in index


@pytest.mark.parametrize(("path", "pillar", "title", "other"), [
    ("guide/first-steps", "guide", "A guide to legs", "sleep"),
    ("sleep/rest", "sleep", "Better sleep", "guide"),
])
def test_an_articles_pillar_agrees_in_breadcrumbs_json_ld_open_graph_search_and_feeds(
        public: Path, path: str, pillar: str, title: str, other: str) -> None:
    url = HOST + path + "/"
    shown = page(public, path)
    assert shown.crumbs[1] == (title, f"/{pillar}/")
    crumbs = shown.graph("BreadcrumbList")["itemListElement"]
    assert (crumbs[1]["name"], crumbs[1]["item"]) == (title, f"{HOST}{pillar}/")
    assert shown.graph("MedicalWebPage")["isPartOf"]["name"] == title
    assert shown.meta["article:section"] == title
    assert shown.section_filter == title
    feed_title, entries = feed_entries(public, f"{pillar}/feed.xml")
    assert feed_title == f"{title} | One source" and url in entries
    assert url not in feed_entries(public, f"{other}/feed.xml")[1]


def test_review_status_agrees_on_the_page_in_json_ld_and_in_the_checks(public: Path) -> None:
    reviewed, overdue, awaiting = (page(public, p) for p in ("guide/first-steps", "guide/third-steps", "sleep/rest"))
    assert reviewed.byline_times["Medically reviewed"] == reviewed.graph("MedicalWebPage")["lastReviewed"] == "2026-03-01"
    assert reviewed.graph("MedicalWebPage")["reviewedBy"]["name"] == "Dr Ada Clinician"
    assert "review-overdue" in overdue.classes and "review-overdue" not in reviewed.classes
    # A reviewer named before any review: the page says it awaits review, and so does the JSON-LD (it names nobody).
    assert "review-pending" in awaiting.classes
    assert {"lastReviewed", "reviewedBy"}.isdisjoint(awaiting.graph("MedicalWebPage"))
    result = run_healthsite("check", "--report", "--format", "json", cwd=public.parent)
    report = json.loads(result.out)
    rows = {row["path"]: row["review"] for row in report["articles"]}
    assert rows == {"content/guide/first-steps.md": "current (due 2027-03-01)",
                    "content/guide/second-steps.md": "current (due 2027-04-10)",
                    "content/guide/third-steps.md": "overdue (due 2026-06-01)",
                    "content/sleep/rest.md": "awaiting review"}
    overdue_codes = {d["path"] for d in report["diagnostics"] if d["code"] == "review-overdue"}
    assert overdue_codes == {"content/guide/third-steps.md"}


def test_new_normalises_tags_exactly_as_the_build_does() -> None:
    config = SiteConfig(root=Path("."), config_path="site.yaml", tags={"legs": "Legs and feet", "night-time": "Night"},
                        tag_aliases={"腰痛": "legs", "Calves": "legs", "late": "night-time"})
    written = ["腰痛", "Calves", "Late", "Night Time", "legs"]
    diags = Diagnostics()
    built = FieldReader({"tags": written}, {}, "content/x.md", diags).tags(config)
    assert diags.errors == [] and diags.warnings == []
    assert check_tags(config, ", ".join(written)) == list(built) == ["legs", "night-time"]


def test_the_catalog_files_each_article_under_one_pillar_and_each_pillar_under_itself() -> None:
    catalog = clean_catalog(doc("named", pillar="legs"), doc("by-folder", pillar=None, source_path="back/by-folder.md"),
                            doc("about", "page"))
    assert catalog.pillar_of == {"back": "back", "legs": "legs", "named": "legs", "by-folder": "back"}
    assert {p: set(a) for p, a in catalog.pillar_articles.items()} == {"back": {"by-folder"}, "legs": {"named"}}
    assert all(catalog.urls[slug] == f"/{catalog.pillar_of[slug]}/{slug}/" for slug in catalog.articles)


def test_a_tag_outside_the_vocabulary_is_labelled_by_its_slug_in_words() -> None:
    config = SiteConfig(root=Path("."), config_path="site.yaml", tags={"legs": "Legs and feet"})
    assert [tag_label(config, t) for t in ("legs", "night-time", "sleep")] == ["Legs and feet", "Night time", "Sleep"]
    assert tag_label(CONFIG, "legs") == "Legs"
