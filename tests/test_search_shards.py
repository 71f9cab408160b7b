"""Search in shards: a build that changed nothing indexes nothing, an edit indexes one shard, serve searches too.

The site is the 1,000-article benchmark site (benchmarks/generate.py) with search on: 1,006 pages in 8 shards,
merged into one index. That the merge holds what one Pagefind run holds is tests/test_search_merge.py; what a
reader meets (the results, the section filter, the bytes) is tests/test_search_browser.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_healthsite, touch_content
from site_files import files_below
from test_serve import serve  # noqa: F401 - the fixture that starts `healthsite serve`

from healthsite.output.search import plan_shards, shard_count

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate_site  # noqa: E402

ARTICLES = 1000
NEW_WORD = "zanzibarian"  # in no generated article: only the edit adds it


def shards_note(result) -> tuple[int, int]:
    """Return (shards indexed, shards) from the search line of `build --verbose`."""
    found = re.search(r"^  search .*\((\d+) of (\d+) shards indexed, the rest from the cache\)$", result.out, re.M)
    assert found, result.out + result.err
    return int(found.group(1)), int(found.group(2))


def edited_article(root: Path) -> Path:
    """Return the article the tests edit: the 11th of the exercise pillar."""
    return sorted(p for p in (root / "content" / "exercise").glob("*.md") if p.name != "index.md")[10]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the site cold, again unchanged, then after an edit; return the folder and the three builds' output."""
    root = tmp_path_factory.mktemp("shards") / "site"
    generate_site(root, ARTICLES, seed=5, search=True)
    cold = run_healthsite("build", "--verbose", cwd=root)
    assert cold.code == 0, cold.err
    before = files_below(root / "public" / "pagefind")
    touch_content(root)
    warm = run_healthsite("build", "--verbose", cwd=root)
    unchanged = files_below(root / "public" / "pagefind")
    article = edited_article(root)
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n## ", f"\nA {NEW_WORD} sentence the edit added.\n\n## ", 1), encoding="utf-8")
    edit = run_healthsite("build", "--verbose", cwd=root)
    assert edit.code == 0, edit.err
    return {"root": root, "cold": cold, "warm": warm, "edit": edit, "before": before, "unchanged": unchanged}


def test_shards_hold_125_to_250_pages_and_each_page_keeps_its_shard() -> None:
    assert [shard_count(n) for n in (1, 49, 249, 250, 1006, 3840, 10006, 50006)] == [1, 1, 1, 2, 8, 16, 64, 256]
    pages = [f"guide/article-{n}/index.html" for n in range(1000)]
    before = {page: shard.number for shard in plan_shards(pages) for page in shard.pages}
    after = {page: shard.number for shard in plan_shards(pages + ["guide/new/index.html"]) for page in shard.pages}
    assert {page: after[page] for page in pages} == before
    assert sorted(len(shard.pages) for shard in plan_shards(pages))[0] > 100  # no shard is left nearly empty


def test_a_cold_build_indexes_every_shard_and_one_that_changed_nothing_indexes_none(builds) -> None:
    assert shards_note(builds["cold"]) == (8, 8)
    assert shards_note(builds["warm"]) == (0, 8)
    assert builds["unchanged"] == builds["before"]  # the same index, byte for byte


def test_an_edited_article_indexes_only_its_own_shard_again_and_changes_only_what_holds_it(builds) -> None:
    assert shards_note(builds["edit"]) == (1, 8)
    after = files_below(builds["root"] / "public" / "pagefind")
    assert not [name for name in after if name.startswith("shard-") or name == "shards.js"]  # one index
    changed = sorted(name for name, data in after.items() if builds["before"].get(name) != data)
    # word chunks (the edit moved the positions of most words of its page), the page's fragment, and the files that
    # name them; the filter, the other pages' fragments and Pagefind's scripts are as they were
    assert [name.split("/")[0] for name in changed if not name.startswith("index/")] == \
        ["fragment", "pagefind-entry.json", next(name for name in after if name.endswith(".pf_meta"))]


def test_the_cache_keeps_only_the_shards_the_last_build_used_and_the_site_no_scratch_folder(builds) -> None:
    root = builds["root"]
    kept = sorted(child.name for folder in (root / ".healthsite-cache" / "search").iterdir()
                  for child in folder.iterdir())
    shards = [name for name in kept if re.fullmatch(r"[0-9a-f]{32}", name)]
    # no shard the edit replaced, no half-made one: each shard, what the merge read of it, one merged index
    assert len(shards) == 8 and kept == sorted([*shards, *(f"{name}.postings" for name in shards), "pages.pickle",
                                                next(name for name in kept if re.fullmatch(r"merged-[0-9a-f]{32}",
                                                                                          name))])
    assert not [name for name in (root / "public").iterdir() if name.name.startswith(".")]


def test_a_build_without_the_cache_writes_the_same_index(builds, tmp_path: Path) -> None:
    root = builds["root"]
    result = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh"), cwd=root)
    assert result.code == 0, result.err
    # byte for byte, though Pagefind writes a filter's values in a random order: the merge sorts them
    assert files_below(tmp_path / "fresh" / "pagefind") == files_below(root / "public" / "pagefind")


def test_serve_searches_the_last_builds_index_and_says_so(builds, serve) -> None:  # noqa: F811
    served = serve(builds["root"])
    status, page = served.get("/search/?q=walking")
    assert status == 200 and "Search uses the index of the last build" in page
    status, entry = served.get("/pagefind/pagefind-entry.json")
    assert status == 200 and '"page_count":1006' in entry


def test_serve_without_a_build_says_search_needs_one(copy_site, serve) -> None:  # noqa: F811
    site = copy_site("full")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("search: false", "search: true"), encoding="utf-8")
    served = serve(site)
    status, page = served.get("/search/")
    assert status == 200 and "Search needs an index: run <code>healthsite build</code> once" in page
    assert served.get("/pagefind/pagefind-entry.json")[0] == 404


def test_a_pagefind_failure_is_a_warning_and_the_site_goes_out_without_a_half_made_index(copy_site) -> None:
    site = copy_site("full")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("search: false", "search: true"), encoding="utf-8")
    assert run_healthsite("build", cwd=site).code == 0
    assert (site / "public" / "pagefind" / "pagefind-entry.json").is_file()
    (site / "content" / "back" / "stretches.md").write_text(
        (site / "content" / "back" / "stretches.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    result = run_healthsite("build", cwd=site, env={"PAGEFIND_BINARY_PATH": "/bin/false"})
    assert result.code == 0, result.err
    assert "warning: the search index was not built" in result.err and "[search-index]" in result.err
    assert not (site / "public" / "pagefind").exists()
    assert "One more line." in (site / "public" / "back" / "stretches" / "index.html").read_text(encoding="utf-8")
