"""Merging shards' Pagefind indexes gives the index one Pagefind run over all their pages gives.

The pages are the bundled site's, built, and three pages an imported site might hold (a heading-less page with
words spelt with diacritics, an image only one shard has, an h3 title); each shard and the whole site are indexed by
Pagefind itself. Two indexes are the same when each language holds the same pages (by address, with their word
counts), each word the same pages with the same positions, weights and metadata positions, each spelling with
diacritics likewise, and each filter value the same pages: what Pagefind's search reads to find and rank results.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from site_files import files_below

import healthsite.speed.search
from healthsite.output import pagefind_merge
from healthsite.speed.search import SearchShards

IMPORTED = {  # pages of an imported site, in the first shard only: their words and fields are the others' news
    "imported/cafe/index.html": '<html lang="en-GB"><body><main data-pagefind-body><p>A café near the clinic serves '
                                'crème brûlée; its naïve owner had sciatica.</p><img src="/x.png" alt="A café">'
                                "</main></body></html>",
    "imported/heading/index.html": '<html lang="en-GB"><body><main data-pagefind-body><h3>Cramp after a long walk'
                                   '</h3><p>Stretch the calf; see a doctor if the cramp lasts.</p></main></body></html>',
    "imported/plain/index.html": '<html lang="en-GB"><body><main data-pagefind-body data-pagefind-filter="section:'
                                 'Imported">Cafe, cafe and café again.</main></body></html>',
}


def pagefind(site: Path, into: Path) -> Path:
    """Index a folder of pages with one Pagefind run; return the index folder."""
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(into), "--silent"],
                   check=True, timeout=600)
    return into


def contents(index: Path) -> dict:
    """Return what Pagefind's search reads of an index, with page numbers replaced by the pages' addresses."""
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    found = {}
    for language, info in entry["languages"].items():
        meta = pagefind_merge.read(index / f"pagefind.{info['hash']}.pf_meta")
        urls = [json.loads(gzip.decompress((index / "fragment" / f"{name}.pf_fragment").read_bytes())
                           [len(pagefind_merge.SIGNATURE):])["url"] for name, _ in meta[1]]
        words = {}
        for _first, _last, chunk in meta[2]:
            for word, entries, spellings in pagefind_merge.read(index / "index" / f"{chunk}.pf_index")[0]:
                words[word] = (_pages(entries, urls, meta[5]),
                               {spelling: _pages(more, urls, meta[5]) for spelling, more in spellings})
        filters = {(name, value): sorted(urls[number] for number in numbers) for name, file in meta[3]
                   for value, numbers in pagefind_merge.read(index / "filter" / f"{file}.pf_filter")[1]}
        found[language] = {"pages": sorted(zip(urls, (count for _, count in meta[1]))), "words": words,
                           "filters": filters, "page_count": info["page_count"]}
    return found


def _pages(entries: list, urls: list[str], fields: list[str]) -> dict:
    """Return a word's pages by address, each with its positions and its metadata positions by field name."""
    number, result = 0, {}
    for gap, places, places_in_fields in entries:
        number += gap
        result[urls[number]] = (places, [fields[-1 - place] if place < 0 else place for place in places_in_fields])
    return result


@pytest.fixture(scope="module")
def indexed(bundled_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Index the bundled site's pages and the imported ones in three shards and in one run."""
    work = tmp_path_factory.mktemp("merge")
    site = work / "site"
    shutil.copytree(bundled_site / "public", site, copy_function=os.link,
                    ignore=lambda folder, names: ["pagefind"] if Path(folder) == bundled_site / "public" else [])
    for name, html in IMPORTED.items():
        (site / name).parent.mkdir(parents=True)
        (site / name).write_text(html, encoding="utf-8")
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    groups = [list(IMPORTED)] + [[page for page in pages if page not in IMPORTED][n::2] for n in range(2)]
    shards = []
    for number, group in enumerate(groups):
        folder = work / f"pages-{number}"
        for page in group:
            (folder / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(site / page, folder / page)
        shards.append(pagefind(folder, work / f"shard-{number}"))
    return {"work": work, "shards": shards, "single": pagefind(site, work / "single")}


def test_three_merged_shards_hold_what_one_pagefind_run_over_their_pages_holds(indexed) -> None:
    merged = indexed["work"] / "merged"
    pagefind_merge.merge([(shard, pagefind_merge.read_shard(shard)) for shard in indexed["shards"]], merged)
    mine, theirs = contents(merged), contents(indexed["single"])
    assert mine.keys() == theirs.keys() == {"en-gb"}
    assert mine["en-gb"]["pages"] == theirs["en-gb"]["pages"]
    assert mine["en-gb"]["page_count"] == theirs["en-gb"]["page_count"] > 40  # articles, pillars, imported
    assert mine["en-gb"]["filters"] == theirs["en-gb"]["filters"]
    assert mine["en-gb"]["words"] == theirs["en-gb"]["words"]
    assert set(mine["en-gb"]["words"]["cafe"][1]) == {"café"}  # a spelling with diacritics, from one shard
    assert "/imported/heading/" in mine["en-gb"]["words"]["cramp"][0]
    # Pagefind's scripts and WebAssembly came along; every fragment is a link to its shard's
    assert (merged / "pagefind-component-ui.js").is_file() and (merged / "wasm.en-gb.pagefind").is_file()
    assert all(fragment.stat().st_nlink > 1 for fragment in (merged / "fragment").iterdir())


def test_a_merge_over_the_last_merged_index_writes_the_same_files_and_keeps_the_unchanged_ones(indexed) -> None:
    work, shards = indexed["work"], indexed["shards"]
    edited = shutil.copytree(work / "pages-2", work / "pages-2-edited")
    page = next(page for page in sorted(edited.rglob("index.html")) if "data-pagefind-body" in page.read_text())
    text = page.read_text(encoding="utf-8")
    page.unlink()  # a link to the built page: write a new file, not through the link
    page.write_text(text.replace("</article>", "<p>A zanzibarian sentence the edit added.</p></article>", 1),
                    encoding="utf-8")
    after = [(shard, pagefind_merge.read_shard(shard)) for shard in (*shards[:2], pagefind(edited, work / "edited"))]
    pagefind_merge.merge(after, work / "fresh")
    pagefind_merge.merge([(shard, pagefind_merge.read_shard(shard)) for shard in shards], work / "last")
    last = {name: path.stat().st_ino for name, path in _files(work / "last").items()}
    pagefind_merge.merge(after, work / "again", previous=work / "last")
    assert not (work / "last").exists()
    assert files_below(work / "again") == files_below(work / "fresh")
    again = {name: path.stat().st_ino for name, path in _files(work / "again").items()}
    kept = {name for name in again if last.get(name) == again[name]}
    # the edited shard's fragments are linked anew (Pagefind wrote them again), one of them under a new name
    assert {name.split("/")[0] for name in again.keys() - kept} == {"index", "fragment", "pagefind-entry.json",
                                                                   next(n for n in again if n.endswith(".pf_meta"))}
    assert len([name for name in again.keys() - last.keys() if name.startswith("fragment/")]) == 1
    assert {name for name in again if name.startswith("filter/")} <= kept  # the same filter file, kept
    assert "zanzibarian" in contents(work / "again")["en-gb"]["words"]


def _files(folder: Path) -> dict[str, Path]:
    """Return the files below a folder by their relative path."""
    return {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}


def test_fragments_whose_short_names_clash_are_both_kept(indexed, tmp_path: Path) -> None:
    shards = [shutil.copytree(shard, tmp_path / shard.name) for shard in indexed["shards"][:2]]
    theirs = min((shards[0] / "fragment").iterdir()).name
    mine = min((shards[1] / "fragment").iterdir()).name
    # give the second shard's first fragment the first shard's name, as two clashing short hashes would
    os.rename(shards[1] / "fragment" / mine, shards[1] / "fragment" / theirs)
    entry = json.loads((shards[1] / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta_file = shards[1] / f"pagefind.{entry['languages']['en-gb']['hash']}.pf_meta"
    meta = pagefind_merge.read(meta_file)
    meta[1] = [[theirs.removesuffix(".pf_fragment") if name == mine.removesuffix(".pf_fragment") else name, count]
               for name, count in meta[1]]
    meta_file.write_bytes(gzip.compress(pagefind_merge.SIGNATURE + cbor2.dumps(meta)))
    pagefind_merge.merge([(shard, pagefind_merge.read_shard(shard)) for shard in shards], tmp_path / "merged")
    urls = [url for url, _ in contents(tmp_path / "merged")["en-gb"]["pages"]]
    assert len(urls) == len(set(urls)) == sum(len(list((shard / "fragment").iterdir())) for shard in shards)


def test_sorted_results_and_unknown_pagefind_releases_are_not_merged(indexed, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text('<html lang="en"><body><p data-pagefind-sort="weight">3</p>Heat</body></html>',
                                 encoding="utf-8")
    sorted_shard = pagefind(site, tmp_path / "sorted")
    with pytest.raises(pagefind_merge.Unmergeable, match="data-pagefind-sort"):
        pagefind_merge.merge([(shard, pagefind_merge.read_shard(shard)) for shard in (indexed["shards"][0],
                                                                                        sorted_shard)], tmp_path / "m")
    future = shutil.copytree(indexed["shards"][0], tmp_path / "future")
    entry = json.loads((future / "pagefind-entry.json").read_text(encoding="utf-8"))
    (future / "pagefind-entry.json").write_text(json.dumps(dict(entry, version="2.0.0")), encoding="utf-8")
    with pytest.raises(pagefind_merge.Unmergeable, match="Pagefind 2.0.0"):
        pagefind_merge.read_shard(future)



def test_shards_in_two_languages_merge_into_each_language_s_own_index(tmp_path: Path) -> None:
    from conftest import build_sample_site

    public = build_sample_site("multilingual", tmp_path) / "public"
    pages = sorted(p.relative_to(public).as_posix() for p in public.rglob("*.html"))
    shards = []
    for number in range(2):
        folder = tmp_path / f"pages-{number}"
        for page in pages[number::2]:
            (folder / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(public / page, folder / page)
        shards.append(pagefind(folder, tmp_path / f"shard-{number}"))
    pagefind_merge.merge([(shard, pagefind_merge.read_shard(shard)) for shard in shards], tmp_path / "merged")
    mine = contents(tmp_path / "merged")
    theirs = contents(pagefind(public, tmp_path / "single"))
    assert mine.keys() == theirs.keys() == {"en-gb", "es"}
    assert mine == theirs
    spanish = {word for word, (pages, spellings) in mine["es"]["words"].items()
               if "/es/espalda/ciatica/" in pages or any("/es/espalda/ciatica/" in more for more in spellings.values())}
    assert spanish and not spanish & {word for word, (pages, _) in mine["en-gb"]["words"].items()
                                      if "/es/espalda/ciatica/" in pages}  # each language's words in its own index


def test_many_shards_are_read_half_by_a_forked_helper_and_kept_for_the_next_build(indexed, tmp_path: Path,
                                                                                   monkeypatch) -> None:
    cache, out = tmp_path / "cache", tmp_path / "public"
    keeper = SearchShards(cache, out)
    keeper.folder.mkdir(parents=True)
    folders = [shutil.copytree(shard, keeper.folder / f"shard-{number}")
               for number, shard in enumerate(indexed["shards"])]
    monkeypatch.setattr(healthsite.speed.search, "HELPED_READS", 2)  # three shards to read: the helper takes one
    read = keeper.postings(folders)
    assert read == [pagefind_merge.read_shard(folder) for folder in folders]
    assert all(folder.with_name(f"{folder.name}.postings").is_file() for folder in folders)

    def read_again(folder: Path) -> dict:
        raise AssertionError(f"{folder.name} was read again")

    monkeypatch.setattr(pagefind_merge, "read_shard", read_again)
    assert SearchShards(cache, out).postings(folders) == read  # the next build loads what this one kept
