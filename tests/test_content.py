"""The bundled site's editorial invariants, so later edits cannot silently break them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import BUILD_EPOCH, ROOT

from healthsite.config import load_config
from healthsite.diagnostics import Diagnostics
from healthsite.markdown.readability import TextStats
from healthsite.pipeline import load_site

PILLARS = ("back-pain", "causes", "circulation", "cramps", "exercise", "lifestyle")


@pytest.fixture(scope="module")
def site():
    """Load, render and relate the bundled content in memory, writing nothing."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    diags = Diagnostics()
    config = load_config(ROOT / "site.yaml", diags, cache=False)
    loaded = load_site(config, diags)
    assert not diags.errors, diags.format()
    assert loaded is not None
    return loaded


def articles(site):
    return [site.catalog.docs[slug] for slug in site.catalog.articles]


def test_bundled_site_has_six_pillars_and_at_least_40_articles(site):
    assert site.catalog.pillars == PILLARS
    assert len(site.catalog.articles) >= 40
    assert all(site.catalog.pillar_articles[p] for p in PILLARS)


def test_every_article_is_between_600_and_1500_words(site):
    lengths = {doc.slug: site.bodies[doc.slug].words for doc in articles(site)}
    assert {slug: words for slug, words in lengths.items() if not 600 <= words <= 1500} == {}


def test_every_pillar_intro_has_300_words_and_links_to_all_its_articles(site):
    for pillar in PILLARS:
        body = site.bodies[pillar]
        assert body.words >= 300, pillar
        linked = {link.target for link in body.links}
        assert set(site.catalog.pillar_articles[pillar]) <= linked, pillar


def test_every_article_cites_three_sources_with_publisher_and_a_deep_link(site):
    weak = [doc.slug for doc in articles(site)
            if len(doc.sources) < 3 or any(not (s.url and s.publisher) for s in doc.sources)]
    assert weak == []
    home_pages = [(doc.slug, s.url) for doc in articles(site) for s in doc.sources
                  if urlsplit(s.url).path.strip("/") == ""]
    assert home_pages == []


def test_every_article_and_pillar_has_a_help_block_with_the_three_tiers(site):
    missing = []
    for slug in (*site.catalog.articles, *site.catalog.pillars):
        block = re.search(r'<div class="admonition warning">\s*<p class="admonition-title">When to get help</p>'
                          r'(.*?)</div>', site.bodies[slug].html, re.S)
        text = block.group(1) if block else ""
        tiers = ("call 999 or go to a&amp;e now", "call nhs 111 today", "see a gp")  # emergency, urgent, routine
        missing += [(slug, tier) for tier in tiers if tier not in text.lower()]
    assert missing == []


def test_the_shared_red_flag_lists_are_written_once_in_snippets():
    snippets = ROOT / "content" / "_snippets"
    lists = {name: (snippets / name).read_text(encoding="utf-8") for name in ("red-flags-back.md", "red-flags-legs.md")}
    for path in (ROOT / "content").rglob("*.md"):
        if snippets not in path.parents:
            text = path.read_text(encoding="utf-8")
            assert not [line for shared in lists.values() for line in shared.splitlines()
                        if line.startswith("**") and line in text], path  # a tier's heading, copied


def test_every_article_links_to_three_others_and_is_linked_from_two(site):
    for doc in articles(site):
        outbound = {link.target for link in site.bodies[doc.slug].links
                    if link.target != doc.slug and site.catalog.docs[link.target].kind == "article"}
        inbound = site.backlinks.get(doc.slug, ())
        from_articles = [s for s in inbound if site.catalog.docs[s].kind == "article"]
        assert len(outbound) >= 3, doc.slug
        assert len(inbound) >= 2 and from_articles, doc.slug


def test_no_article_claims_a_clinical_review(site):
    assert [doc.slug for doc in articles(site) if doc.reviewed or doc.reviewer] == []


def test_every_article_reads_at_grade_eight_or_lower(site):
    target = site.config.readability.target_grade
    grades = {doc.slug: TextStats(b.words, b.sentences, b.syllables).grade
              for doc in articles(site) for b in [site.bodies[doc.slug]]}
    assert {slug: grade for slug, grade in grades.items() if grade > target} == {}


def test_every_article_uses_only_vocabulary_tags_and_has_related_articles(site):
    vocabulary = set(site.config.tags)
    for doc in articles(site):
        assert 1 <= len(doc.tags) and set(doc.tags) <= vocabulary, doc.slug
        assert site.related[doc.slug], doc.slug


def test_about_and_editorial_policy_pages_exist(site):
    assert {"about", "editorial-policy"} <= set(site.catalog.pages)


def test_descriptions_fit_search_results_and_titles_are_unique(site):
    docs = list(site.catalog.docs.values())
    assert [d.slug for d in docs if len(d.description) > 160] == []
    titles = [d.title for d in docs]
    assert len(titles) == len(set(titles))


def test_content_folder_holds_only_markdown_the_builder_reads():
    stray = [p for p in Path(ROOT / "content").rglob("*") if p.is_file() and p.suffix != ".md"]
    assert stray == []
