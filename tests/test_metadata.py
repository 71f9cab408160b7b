"""Metadata in every page: Open Graph, Twitter, schema.org JSON-LD that parses and uses real terms; feeds and sitemap."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from conftest import ROOT, run_healthsite
from pyld import jsonld

from healthsite.config import SiteConfig
from healthsite.pages.metadata import absolute

SCHEMA = "https://schema.org/"
TERMS = json.loads((ROOT / "tests" / "schemaorg" / "terms.json").read_text(encoding="utf-8"))
DATATYPES = {"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float", "Boolean"}
HOST = "https://example.org/guide/"


class Head(HTMLParser):
    """Collect a page's meta tags, feed links and JSON-LD scripts."""

    def __init__(self, text: str):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.feeds: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_jsonld = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta.append((attrs.get("property") or attrs["name"], attrs.get("content", "")))
        elif tag == "link" and attrs.get("type") == "application/atom+xml":
            self.feeds.append((attrs["title"], attrs["href"]))
        elif tag == "script":
            self._in_jsonld = attrs.get("type") == "application/ld+json"
            if self._in_jsonld:
                self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.scripts[-1] += data

    def value(self, key: str) -> str:
        return dict(self.meta)[key]

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.meta if k == key]


def offline_loader(url, options=None):
    """Serve the schema.org context from memory: JSON-LD processing here must never fetch anything."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA}}}
    raise jsonld.JsonLdError(f"refusing to fetch {url}", "jsonld.LoadDocumentError", code="loading document failed")


@lru_cache(maxsize=None)
def ancestors(name: str) -> frozenset[str]:
    found = {name}
    for parent in TERMS["classes"].get(name, ()):
        found |= ancestors(parent)
    return frozenset(found)


def term_problems(node: dict, where: str) -> list[str]:
    """Check an expanded JSON-LD node: real types, properties allowed on them, values in their ranges."""
    problems = []
    types = [t.removeprefix(SCHEMA) for t in node.get("@type", [])]
    problems += [f"{where}: unknown type {t}" for t in types if t not in TERMS["classes"]]
    kinds = frozenset().union(*(ancestors(t) for t in types)) if types else frozenset()
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = key.removeprefix(SCHEMA)
        prop = TERMS["properties"].get(name)
        if not key.startswith(SCHEMA) or prop is None:
            problems.append(f"{where}: {key} is not a schema.org {TERMS['version']} property of {types}")
            continue
        if kinds and not kinds & set(prop["domains"]):
            problems.append(f"{where}: {name} does not apply to {types}")
        for index, value in enumerate(values):
            if "@value" in value:
                url = isinstance(value["@value"], str) and value["@value"].startswith(("https://", "/"))
                if not DATATYPES & set(prop["ranges"]) and not url:
                    problems.append(f"{where}: {name} expects {prop['ranges']}, not text")
            elif "@type" in value:
                value_types = frozenset().union(*(ancestors(t.removeprefix(SCHEMA)) for t in value["@type"]))
                if not value_types & set(prop["ranges"]):
                    problems.append(f"{where}: {name} expects {prop['ranges']}, not {value['@type']}")
                problems += term_problems(value, f"{where}.{name}[{index}]")
    return problems


def build(root: Path, base_url: str | None) -> Path:
    args = ["build"] + (["--base-url", base_url] if base_url else [])
    result = run_healthsite(*args, cwd=root)
    assert result.code == 0, result.err
    return root / "public"


def bundled_copy(root: Path) -> Path:
    shutil.copytree(ROOT / "content", root / "content")
    (root / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8") + "\nsearch: false\n",
                                    encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hosted(tmp_path_factory) -> Path:
    """The bundled site built for https://example.org/guide/."""
    return build(bundled_copy(tmp_path_factory.mktemp("hosted")), HOST)


@pytest.fixture(scope="module")
def rooted(tmp_path_factory) -> Path:
    """The bundled site built for '/', with no host known."""
    return build(bundled_copy(tmp_path_factory.mktemp("rooted")), None)


def html_pages(public: Path) -> list[Path]:
    """Return every page except alias redirects, which only point elsewhere."""
    return sorted(p for p in public.rglob("*.html") if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8"))


def page_url(public: Path, page: Path, host: str) -> str:
    relative = page.relative_to(public).as_posix()
    return urljoin(host, relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def expanded(head: Head, base: str) -> list[dict]:
    assert len(head.scripts) == 1
    return jsonld.expand(json.loads(head.scripts[0]), {"documentLoader": offline_loader, "base": base})


@pytest.mark.parametrize("fixture", ["hosted", "rooted"])
def test_every_page_has_json_ld_that_parses_and_uses_only_real_schema_org_terms(fixture, request):
    public = request.getfixturevalue(fixture)
    problems = []
    for page in html_pages(public):
        url = page_url(public, page, HOST)
        nodes = expanded(Head(page.read_text(encoding="utf-8")), url)
        types = {t.removeprefix(SCHEMA) for node in nodes for t in node.get("@type", [])}
        assert "BreadcrumbList" in types, page
        for node in nodes:
            problems += term_problems(node, page.relative_to(public).as_posix())
    assert problems == []


def test_home_is_a_website_and_articles_are_medical_web_pages_inside_their_pillar(hosted):
    home = json.loads(Head((hosted / "index.html").read_text(encoding="utf-8")).scripts[0])["@graph"]
    assert home[0]["@type"] == "WebSite" and home[0]["url"] == HOST
    assert home[1]["itemListElement"] == [{"@type": "ListItem", "position": 1, "name": "Home", "item": HOST}]
    page = hosted / "circulation" / "poor-circulation-and-back-cramps" / "index.html"
    main, crumbs = json.loads(Head(page.read_text(encoding="utf-8")).scripts[0])["@graph"]
    assert main["@type"] == "MedicalWebPage"
    assert main["isPartOf"]["@id"] == HOST + "circulation/" and main["isPartOf"]["name"] == "Circulation and the spine"
    assert main["citation"][1] == {"@type": "CreativeWork", "name": "Muscle Cramps",
                                   "url": "https://medlineplus.gov/musclecramps.html",
                                   "publisher": {"@type": "Organization",
                                                 "name": "MedlinePlus (US National Library of Medicine)"}}
    assert [item["name"] for item in crumbs["itemListElement"]] == [
        "Home", "Circulation and the spine", "Can poor circulation cause back cramps?"]


def test_reviewed_article_names_reviewer_author_dates_topics_and_sources(make_site):
    site = make_site({
        "site.yaml": f"title: Test site\nbase_url: {HOST}\nsearch: false\ntags:\n  legs: Legs and feet\n",
        "content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\n"
                                  "See [first steps](first-steps.md).\n",
        "content/guide/first-steps.md": """---
title: First steps
description: What to do first.
date: 2026-01-02
updated: 2026-02-01
reviewed: 2026-03-01
reviewer: Dr Ada Clinician
author: Sam Writer
pillar: guide
tags: [legs]
sources:
  - title: Cramps
    publisher: NHS
    year: 2024
---

Keep moving.
""",
    })
    public = build(site, None)
    main = json.loads(Head((public / "guide/first-steps/index.html").read_text(encoding="utf-8")).scripts[0])["@graph"][0]
    url = HOST + "guide/first-steps/"
    assert main == {
        "@type": "MedicalWebPage", "@id": url, "url": url, "name": "First steps", "description": "What to do first.",
        "inLanguage": "en", "isPartOf": {"@type": "CollectionPage", "@id": HOST + "guide/", "url": HOST + "guide/",
                                         "name": "Guide", "isPartOf": {"@type": "WebSite", "@id": HOST + "#website",
                                                                       "url": HOST, "name": "Test site"}},
        "breadcrumb": {"@id": url + "#breadcrumb"}, "headline": "First steps",
        "datePublished": "2026-01-02", "dateModified": "2026-03-01", "lastReviewed": "2026-03-01",
        "reviewedBy": {"@type": "Person", "name": "Dr Ada Clinician"},
        "author": {"@type": "Person", "name": "Sam Writer"},
        "publisher": {"@type": "Organization", "name": "Test site", "url": HOST},
        "citation": [{"@type": "CreativeWork", "name": "Cramps", "publisher": {"@type": "Organization", "name": "NHS"},
                      "datePublished": "2024"}],
        "about": [{"@type": "Thing", "name": "Legs and feet"}],
    }
    sitemap = ET.fromstring((public / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmods = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in sitemap}
    assert lastmods[url] == "2026-03-01"


def test_json_ld_cannot_be_broken_out_of_by_a_title(make_site):
    title = 'Cramps </script><script>alert(1)</script> <!-- & "quotes"'
    site = make_site({
        "content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\n"
                                  "See [it](first-steps.md).\n",
        "content/guide/first-steps.md": f"---\ntitle: {json.dumps(title)}\ndescription: What to do.\ndate: 2026-01-02\n"
                                        "pillar: guide\n---\n\nKeep moving.\n",
    })
    text = (build(site, None) / "guide/first-steps/index.html").read_text(encoding="utf-8")
    head = Head(text)
    assert len(head.scripts) == 1 and "alert(1)</script>" not in text
    assert json.loads(head.scripts[0])["@graph"][0]["headline"] == title
    assert head.value("og:title") == title


def test_article_head_has_open_graph_twitter_card_and_both_feeds(hosted):
    head = Head((hosted / "cramps" / "leg-cramps-and-your-back" / "index.html").read_text(encoding="utf-8"))
    assert head.value("og:type") == "article"
    assert head.value("og:url") == HOST + "cramps/leg-cramps-and-your-back/"
    assert head.value("og:site_name") == "Back & Circulation Guide"
    assert head.value("og:locale") == "en_GB"
    assert head.value("og:title") == head.value("twitter:title")
    assert head.value("og:description") == head.value("twitter:description") != ""
    assert head.value("twitter:card") == "summary"
    assert head.value("article:section") == "Muscle cramps and spasms"
    assert head.values("article:tag")
    assert [href for _, href in head.feeds] == ["/guide/feed.xml", "/guide/cramps/feed.xml"]


def test_pages_without_a_host_leave_out_og_url_and_the_sitemap(rooted):
    head = Head((rooted / "index.html").read_text(encoding="utf-8"))
    assert "og:url" not in dict(head.meta)
    assert not (rooted / "sitemap.xml").exists()
    assert (rooted / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"


def test_sitemap_lists_every_indexable_page_with_absolute_addresses(hosted):
    assert (hosted / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\nSitemap: {HOST}sitemap.xml\n")
    root = ET.fromstring((hosted / "sitemap.xml").read_bytes())
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [url[0].text for url in root]
    assert len(locs) == len(set(locs))
    for loc in locs:
        assert loc.startswith(HOST)
        assert (hosted / urlsplit(loc).path.removeprefix("/guide/") / "index.html").is_file(), loc
    pages = {page_url(hosted, p, HOST) for p in html_pages(hosted)} - {HOST + "404.html"}
    assert set(locs) == pages


@pytest.mark.parametrize("fixture", ["hosted", "rooted"])
def test_site_and_pillar_feeds_parse_as_atom_without_errors(fixture, request):
    public = request.getfixturevalue(fixture)
    feeds = [public / "feed.xml"] + sorted(public.glob("*/feed.xml"))
    assert len(feeds) == 7
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.entries and all(e.id and e.title and e.link and e.updated and e.summary for e in feed.entries)
        assert len({e.id for e in feed.entries}) == len(feed.entries)
    site_feed = feedparser.parse((public / "feed.xml").read_bytes())
    assert len(site_feed.entries) == 20
    cramps = feedparser.parse((public / "cramps" / "feed.xml").read_bytes())
    assert all("/cramps/" in e.link for e in cramps.entries)
    if fixture == "hosted":
        assert all(e.id == e.link and e.link.startswith(HOST) for e in site_feed.entries)
    else:
        assert all(e.id.startswith("urn:uuid:") and e.link.startswith("/") for e in site_feed.entries)


def test_article_page_shows_the_review_status(make_site):
    front = "---\ntitle: {0}\ndescription: D.\ndate: 2026-01-02\npillar: guide\n{1}---\n\nKeep moving.\n"
    site = make_site({
        "content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\n"
                                  "See [one](one.md) and [two](two.md).\n",
        "content/guide/one.md": front.format("One", "reviewed: 2026-03-01\nreviewer: Dr Ada Clinician\n"),
        "content/guide/two.md": front.format("Two", ""),
    })
    public = build(site, None)
    reviewed = (public / "guide/one/index.html").read_text(encoding="utf-8")
    assert "Medically reviewed by Dr Ada Clinician" in reviewed and "1 March 2026" in reviewed
    assert "Next review due" in reviewed and "March 2027" in reviewed
    assert "Awaiting clinical review" in (public / "guide/two/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/sub/", "http://h:8080/a/b/",
                                  "https://user@h.example/x", "/", "/sub/"])
def test_absolute_urls_are_what_urljoin_makes_of_them(base: str) -> None:
    config = SiteConfig(root=Path("."), config_path="site.yaml", base_url=base)
    for url in ["/", "/a/", "/a//b/", "//other.example/a", "/a;p/b", "/a?x=1#f", "/a#", "/a?", "/é/ü/", "/a b/",
                "/a/%2e%2e/b", "/a/./b", "/a/../b", "/a.b/", "/.x/", "/feed.xml", "/a\tb/", "/a\nb", "x/y", "#top", ""]:
        assert absolute(config, url) == (urljoin(base, url) if config.absolute_url else url), (base, url)
