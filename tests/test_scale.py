"""A generated site of 2,000 articles: every page is written, every link lands, caches and processes change nothing."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import BUILD_EPOCH, ROOT, run_healthsite
from site_files import files_below, links_in

import healthsite.speed.pages
import healthsite.speed.pool
import healthsite.speed.related
from healthsite.config import ListsConfig, load_config
from healthsite.diagnostics import Diagnostics
from healthsite.pipeline import build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import PILLARS, generate_site  # noqa: E402

ARTICLES = 2000
HOST = "https://example.org"  # the generated site's base_url


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the site and build it once, cold, with the cache (so with the process pools)."""
    root = tmp_path_factory.mktemp("scale") / "site"
    generate_site(root, ARTICLES, seed=7)
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    assert f"{ARTICLES} articles, {len(PILLARS)} pillars" in result.out
    return root


def articles_of(root: Path) -> list[tuple[str, str]]:
    """List (pillar, slug) for every generated article."""
    return [(file.parent.name, file.stem) for file in sorted((root / "content").glob("*/*.md")) if file.stem != "index"]


def page_file(public: Path, url: str) -> Path | None:
    """Return the file a site-relative or same-host URL points to, or None for other hosts and schemes."""
    if url.startswith(HOST):
        url = url[len(HOST):] or "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = unquote(parts.path).lstrip("/")
    return public / path / "index.html" if path == "" or path.endswith("/") else public / path


def test_every_article_pillar_and_tag_page_of_2000_articles_is_written(big_site):
    public = big_site / "public"
    missing = [f"{pillar}/{slug}" for pillar, slug in articles_of(big_site)
               if not (public / pillar / slug / "index.html").is_file()]
    assert missing == []
    assert all((public / pillar / "index.html").is_file() for pillar in PILLARS)
    tags = [line.split(":")[0].strip() for line in (big_site / "site.yaml").read_text().split("tags:")[1]
            .split("tag_aliases:")[0].splitlines() if line.strip()]
    assert [tag for tag in tags if not (public / "tags" / tag / "index.html").is_file()] == []
    for name in ("index.html", "404.html", "tags/index.html", "sitemap.xml", "feed.xml", "robots.txt"):
        assert (public / name).is_file(), name


def test_each_pillar_lists_every_one_of_its_articles_once_across_its_pages(big_site):
    public = big_site / "public"
    for pillar in PILLARS:
        expected = sorted(f"/{p}/{slug}/" for p, slug in articles_of(big_site) if p == pillar)
        pages = [public / pillar / "index.html", *sorted((public / pillar / "page").glob("*/index.html"),
                                                         key=lambda path: int(path.parent.name))]
        assert len(pages) == -(-len(expected) // ListsConfig().per_page)  # the generated site keeps the default
        listed = []
        for page in pages:
            html = page.read_text(encoding="utf-8").split('id="neighbours-heading"')[0]
            listed += re.findall(r'<h[23] class="card-title"><a href="(/[^"]+)">', html)
        assert sorted(listed) == expected and len(set(listed)) == len(listed)


def test_every_internal_link_in_every_page_leads_to_a_written_file(big_site):
    public = big_site / "public"
    broken = []
    for page in sorted(public.rglob("*.html")):
        for url in links_in(page):
            target = page_file(public, url)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(public)} -> {url}")
    assert broken == []


def test_a_warm_build_writes_the_same_bytes_as_the_cold_one_and_after_an_edit_as_a_fresh_build(big_site, tmp_path):
    cold = files_below(big_site / "public")
    warm = run_healthsite("build", cwd=big_site)
    assert warm.code == 0, warm.err
    assert files_below(big_site / "public") == cold
    article = sorted((big_site / "content" / "cramps").glob("*.md"))[5]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\ntitle: '", "\ntitle: 'Edited ", 1).replace("\n## ", "\nA new line.\n\n## ", 1),
                       encoding="utf-8")
    try:
        assert run_healthsite("build", cwd=big_site).code == 0
        fresh = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh"), cwd=big_site)
        assert fresh.code == 0, fresh.err
        assert files_below(big_site / "public") == files_below(tmp_path / "fresh")
    finally:
        article.write_text(text, encoding="utf-8")
        assert run_healthsite("build", cwd=big_site).code == 0  # public/ matches the content again


def test_related_blocks_and_every_page_are_the_same_with_and_without_the_process_pools(big_site, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    monkeypatch.setattr(healthsite.speed.pool, "PARALLEL_THRESHOLD", 10**9)  # render every body in this process
    monkeypatch.setattr(healthsite.speed.pages, "PARALLEL_THRESHOLD", 10**9)
    monkeypatch.setattr(healthsite.speed.related, "PARALLEL_THRESHOLD", 10**9)  # rank every article in this process
    diags = Diagnostics()
    config = load_config(big_site / "site.yaml", diags, out_dir=str(tmp_path / "one-process"), cache=False)
    result = build(config, diags)
    assert result.published is not None, diags.format()
    pooled = files_below(big_site / "public")
    alone = files_below(tmp_path / "one-process")
    assert alone.keys() == pooled.keys()
    with_related = [name for name, data in pooled.items() if b'<h2 id="related-heading">' in data
                    and b"No closely related articles yet" not in data]
    assert len(with_related) > ARTICLES // 2  # the generated tags give most articles related ones
    assert [name for name in pooled if alone[name] != pooled[name]] == []


def test_the_cold_build_was_big_enough_to_use_the_process_pools():
    assert ARTICLES > healthsite.speed.pool.PARALLEL_THRESHOLD and ARTICLES > healthsite.speed.pages.PARALLEL_THRESHOLD
    assert ARTICLES >= healthsite.speed.related.PARALLEL_THRESHOLD
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the builds above ran in one process")
