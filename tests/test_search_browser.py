"""Sharded search in a real browser: the results of the shards merged into one index against a single Pagefind
run's, the bytes a query costs, the section filter, and an edit found by the word it added.

Drives the system's Chromium (/usr/bin/chromium) with Playwright, as tests/test_browser.py does; without Chromium
these tests skip, unless HEALTHSITE_REQUIRE_BROWSER=1. The single index is Pagefind's own CLI run over the same
built pages. The figures are printed (pytest -s shows them); docs/performance.md quotes them.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import load_every_search_result, serve_folder
from conftest import ROOT, run_healthsite

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate_site  # noqa: E402

QUERIES = ("cramps", "sciatica", "blood flow", "stretching", "night cramps", "posture", "heat", "magnesium",
           "walking", "core strength", "red flags", "sleep", "varicose veins", "massage", "hamstrings", "pregnancy",
           "physiotherapy", "desk work", "inflammation", "doctor")
NEW_WORD = "zanzibarian"  # in no generated article: only the edit adds it
TOP = 10
HREFS = "links => links.map(link => link.getAttribute('href'))"
# Pagefind's JavaScript API, as the search page uses it: each query's top 10.
TOP_RESULTS = """async ([queries, top]) => {
    const pagefind = await import('/pagefind/pagefind.js');
    await pagefind.options({});
    const found = {};
    for (const query of queries) {
        const search = await pagefind.search(query);
        const urls = await Promise.all(search.results.slice(0, top).map(async r => (await r.data()).url));
        found[query] = {count: search.results.length, top: urls, scores: search.results.map(r => [r.id, r.score])};
    }
    return found;
}"""


def single_index(public: Path, into: Path) -> Path:
    """Copy a built site as links, without its sharded index, and index it with one Pagefind run."""
    shutil.copytree(public, into, copy_function=os.link, ignore=lambda folder, names: ["pagefind"] if
                    Path(folder) == public else [])
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(into), "--silent"], check=True, timeout=900)
    return into


def top_results(browser, public: Path) -> dict:
    """Run every query through Pagefind's API in the browser, as the search page does."""
    with serve_folder(public) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/")
        found = page.evaluate(TOP_RESULTS, [list(QUERIES), TOP])
        context.close()
    return found


def query_bytes(browser, public: Path, query: str) -> tuple[int, int]:
    """Open the search page for one query in a fresh browser and return the bytes of every Pagefind file it fetched
    until the results showed, and of the index files alone (not scripts, styles or WebAssembly)."""
    with serve_folder(public) as url:
        context = browser.new_context()
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(f"{url}/search/?q={query}")
        page.locator("pagefind-results a.pf-result-link").first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
        total = index = 0
        for request in finished:
            if "/pagefind/" in request.url:
                sizes = request.sizes()
                size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                total += size
                if not re.search(r"(\.js|\.css|\.pagefind)$", request.url.split("?")[0]):
                    index += size
        context.close()
    return total, index


def compare(name: str, sharded: dict, single: dict) -> list[int]:
    """Print, per query, how many of the single index's top 10 the sharded top 10 holds and how good they are by
    the single index's own scores; return the overlaps."""
    overlaps = []
    print(f"\n{name}: top-{TOP} overlap with a single index, and the single index's score of the sharded top {TOP} "
          "over that of its own top")
    for query in QUERIES:
        mine, theirs = sharded[query], single[query]
        overlap = len(set(mine["top"]) & set(theirs["top"]))
        scores = dict(theirs["scores"])
        best = sum(score for _, score in theirs["scores"][:TOP])
        got = sum(scores.get(result, 0.0) for result, _ in mine["scores"][:TOP])
        in_place = sum(a == b for a, b in zip(mine["top"], theirs["top"]))
        print(f"  {query:<16} {overlap:>2}/{min(TOP, theirs['count'])}  in place {in_place:>2}"
              f"  relevance {got / best if best else 1.0:6.3f}  results {mine['count']} / {theirs['count']}")
        overlaps.append(overlap)
    return overlaps


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the 10,000-article benchmark site with search on, and index the same pages once more as one index."""
    root = tmp_path_factory.mktemp("large") / "site"
    generate_site(root, 10_000, seed=1, search=True)
    result = run_healthsite("build", "--verbose", cwd=root)
    assert result.code == 0, result.err
    assert "(64 of 64 shards indexed, the rest from the cache)" in result.out
    return {"sharded": root / "public", "single": single_index(root / "public", root.parent / "single")}


def test_sharded_search_ranks_as_a_single_index_on_the_bundled_site(browser, bundled_site: Path, tmp_path) -> None:
    public = bundled_site / "public"
    sharded, single = top_results(browser, public), top_results(browser, single_index(public, tmp_path / "single"))
    overlaps = compare("bundled site", sharded, single)
    assert all(overlap >= min(9, single[q]["count"]) for overlap, q in zip(overlaps, QUERIES))


def test_sharded_search_at_10000_articles_ranks_as_a_single_index(browser, large_site) -> None:
    sharded, single = top_results(browser, large_site["sharded"]), top_results(browser, large_site["single"])
    overlaps = compare("10,000 articles, 64 shards merged", sharded, single)
    print(f"  median overlap {statistics.median(overlaps)}, lowest {min(overlaps)}")
    assert all(sharded[q]["count"] == single[q]["count"] for q in QUERIES)  # every matching page, from every shard
    assert all(overlap >= min(9, single[q]["count"]) for overlap, q in zip(overlaps, QUERIES))


def test_a_query_at_10000_articles_transfers_about_as_much_as_with_a_single_index(browser, large_site) -> None:
    ratios, index_ratios = [], []
    print("\nbytes per query, search page opened fresh: all Pagefind files (index files alone)")
    for query in QUERIES:
        (total, index), (single_total, single_index_) = (query_bytes(browser, large_site[kind], query)
                                                         for kind in ("sharded", "single"))
        ratios.append(total / single_total)
        index_ratios.append(index / single_index_)
        print(f"  {query:<16} {total / 1024:7.0f} KB ({index / 1024:5.0f})  single {single_total / 1024:7.0f} KB "
              f"({single_index_ / 1024:5.0f})  {ratios[-1]:.2f}x ({index_ratios[-1]:.2f}x)")
    print(f"  median {statistics.median(ratios):.2f}x ({statistics.median(index_ratios):.2f}x), "
          f"highest {max(ratios):.2f}x ({max(index_ratios):.2f}x)")
    assert statistics.median(ratios) <= 1.5


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the 1,000-article benchmark site (8 shards), edit one article, and build again."""
    root = tmp_path_factory.mktemp("edited") / "site"
    generate_site(root, 1000, seed=1, search=True)
    assert run_healthsite("build", cwd=root).code == 0
    article = sorted(p for p in (root / "content" / "causes").glob("*.md") if p.name != "index.md")[7]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n## ", f"\nA {NEW_WORD} sentence the edit added.\n\n## ", 1), encoding="utf-8")
    result = run_healthsite("build", "--verbose", cwd=root)
    assert result.code == 0, result.err
    assert "(1 of 8 shards indexed, the rest from the cache)" in result.out
    return root


def test_the_edited_article_is_found_by_a_word_only_the_edit_added(browser, edited_site: Path) -> None:
    article = sorted(p for p in (edited_site / "content" / "causes").glob("*.md") if p.name != "index.md")[7]
    with serve_folder(edited_site / "public") as url:
        page = browser.new_page()
        page.goto(f"{url}/search/?q={NEW_WORD}")
        page.locator("pagefind-results a.pf-result-link").first.wait_for(timeout=30_000)
        load_every_search_result(page)
        hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all(HREFS)
        page.close()
    assert hrefs == [f"/causes/{article.stem}/"]


def test_the_section_filter_narrows_merged_results_to_one_pillar(browser, edited_site: Path) -> None:
    from playwright.sync_api import expect

    with serve_folder(edited_site / "public") as url:
        page = browser.new_page()
        page.goto(f"{url}/search/?q=sciatica")
        page.locator("pagefind-results a.pf-result-link").first.wait_for(timeout=30_000)
        summary = page.locator("pagefind-summary").inner_text()
        everywhere = int(re.search(r"(\d+) results?", summary).group(1))
        group = page.locator("pagefind-filter-pane details.pf-filter-group")
        if group.count() and group.first.get_attribute("open") is None:
            group.first.locator("summary").click()
        page.get_by_role("checkbox", name=re.compile("^Cramps and spasms")).check()
        expect(page.locator("pagefind-summary")).not_to_have_text(summary)
        narrowed = int(re.search(r"(\d+) results?", page.locator("pagefind-summary").inner_text()).group(1))
        load_every_search_result(page)
        hrefs = page.locator("pagefind-results a.pf-result-link").evaluate_all(HREFS)
        page.close()
    assert 0 < narrowed < everywhere and len(hrefs) == narrowed
    assert all(href.startswith("/cramps/") for href in hrefs)
