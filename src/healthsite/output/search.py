"""Index the built site for search with Pagefind (the pagefind[bin] package), in shards the search page merges.

Each page Pagefind would read (those with `data-pagefind-body`, or every page when none has it) goes to the shard
a hash of its path names, so a page keeps its shard while the site grows. Each shard is one Pagefind run over a
folder of links to its pages; the first shard is the index at /pagefind/, the others sit below it
(/pagefind/shard-3/), and `pagefind/shards.js`, loaded by the search page, hands them to Pagefind's `mergeIndex`.
There are as many shards as the largest power of two at most the square root of (pages / 60): 1 below 240 pages,
4 at 1,000, 8 at 10,000. Each merged shard adds a request and an index chunk to every query and shifts its ranking
a little (a shard weighs words by its own counts); each page in a shard adds to the time an edit takes to index
again. `index_search` runs alone without a cache; the speed layer's `keep` reuses the unchanged shards.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..diagnostics import Diagnostics
from ..processes import die_with_parent
from .staging import StagingTree, link_or_copy, same_file

BUNDLE = "pagefind"  # the folder of the site that holds the index and Pagefind's scripts
SHARD_LIST = "shards.js"  # in BUNDLE: the shards the search page merges
ENTRY = "pagefind-entry.json"  # each shard's entry file, the one whose name is not a hash of its bytes
PAGES_PER_SHARD_SQUARED = 60  # shards = largest power of two <= sqrt(pages / this)
TIMEOUT = 600  # seconds one Pagefind run may take
_BODY = re.compile(rb"<[a-zA-Z][^>]*\sdata-pagefind-body[\s=/>]")  # the attribute in a tag, never in escaped text


@dataclass(frozen=True, slots=True)
class Shard:
    number: int  # 0 .. count - 1, from the hash of each page's path
    count: int  # shards in the plan
    pages: tuple[str, ...]  # the pages' paths in the site, sorted


@dataclass(frozen=True, slots=True)
class SearchIndex:
    shards: int
    indexed: int  # shards Pagefind indexed in this build; the others came from the cache
    pages: int


class ShardKeeper(Protocol):
    """What the speed layer offers: pages' digests from the last build, and unchanged shards' indexes."""

    def searched(self, folder: Path, html: Sequence[str]) -> list[str]: ...

    def shard(self, shard: Shard, index: Callable[[Path], None]) -> tuple[Path, bool]: ...

    def done(self) -> None: ...


class SearchFailed(Exception):
    """Pagefind could not index a shard."""


def shard_count(pages: int) -> int:
    """Return how many shards `pages` pages are spread over."""
    root = math.isqrt(pages // PAGES_PER_SHARD_SQUARED)
    return 1 << (root.bit_length() - 1) if root > 1 else 1


def plan_shards(pages: Sequence[str]) -> list[Shard]:
    """Spread the pages over shards by a hash of their path; return the shards that hold any, by number."""
    count = shard_count(len(pages))
    members: dict[int, list[str]] = {}
    for page in sorted(pages):
        digest = hashlib.blake2b(page.encode("utf-8", "surrogateescape"), digest_size=8).digest()
        members.setdefault(int.from_bytes(digest, "big") % count, []).append(page)
    return [Shard(number, count, tuple(members[number])) for number in sorted(members)]


def is_searched(html: bytes) -> bool:
    """Tell whether Pagefind reads this page's body: it carries data-pagefind-body."""
    return _BODY.search(html) is not None


def searched_pages(folder: Path, html: Sequence[str]) -> list[str]:
    """Return the pages of `folder` Pagefind indexes: those with data-pagefind-body, or all when none has it."""
    marked = [page for page in html if is_searched((folder / page).read_bytes())]
    return marked or list(html)


def index_search(tree: StagingTree, html: Sequence[str], diags: Diagnostics,
                 keep: ShardKeeper | None = None) -> SearchIndex | None:
    """Index the HTML pages `html` of the site staged in `tree` in shards and list them for the search page; a
    failure is a warning, as the site itself is whole. `keep` gives last build's index of each shard whose pages
    are unchanged, which the staging folder may already hold."""
    folder = Path(tree.root)
    scratch = folder / f".healthsite-search-{os.getpid()}"  # inside the staging folder: a killed build leaves none
    try:
        html = sorted(set(html))
        shards = plan_shards(keep.searched(folder, html) if keep else searched_pages(folder, html))
        indexed = 0
        for place, shard in enumerate(shards):
            index = functools.partial(_run_pagefind, folder, shard, scratch)
            if keep:
                source, made = keep.shard(shard, index)
            else:
                source, made = scratch / f"index-{shard.number}", True
                index(source)
            indexed += made
            _place(tree, source, f"{BUNDLE}/shard-{shard.number}" if place else BUNDLE, with_scripts=place == 0)
        if shards:
            tree.write(f"{BUNDLE}/{SHARD_LIST}",
                       _merging_script([f"shard-{shard.number}/" for shard in shards[1:]]).encode("utf-8"))
        if keep:
            keep.done()
        return SearchIndex(len(shards), indexed, sum(len(shard.pages) for shard in shards))
    except (OSError, SearchFailed) as exc:
        _drop(tree, BUNDLE)
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {exc}",
                      hint="Install pagefind[bin], or set 'search: false'")
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _merging_script(shards: list[str]) -> str:
    """Return the script that hands the other shards to the search page's Pagefind before its first search.

    The build writes it, not the theme, so a site's own search.js cannot leave shards out. It runs after Pagefind's
    component script (both deferred): Pagefind loads the index only on a first search or focus, after this.
    """
    return ("/* healthsite: merge every search shard this build wrote into the search page's results. */\n"
            "(function () {\n"
            "  var components = window.PagefindComponents;\n"
            "  if (!components) return;\n"
            "  var instance = components.getInstanceManager().getInstance(\"default\");\n"
            f"  instance.options.mergeIndex = {json.dumps(shards)}.map(function (shard) {{\n"
            "    return { bundlePath: instance.options.bundlePath + shard };\n"
            "  });\n"
            "})();\n")


def _run_pagefind(folder: Path, shard: Shard, scratch: Path, into: Path) -> None:
    """Index one shard's pages into the folder `into`, with Pagefind run on a folder of links to them."""
    site = scratch / f"pages-{shard.number}"
    shutil.rmtree(site, ignore_errors=True)
    made = set()
    for page in shard.pages:
        target = site / page
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        link_or_copy(folder / page, target)
    try:
        result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(into),
                                 "--silent"], capture_output=True, text=True, timeout=TIMEOUT,
                                preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchFailed(str(exc)) from None
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["unknown error"]
        raise SearchFailed(detail[0])


def _place(tree: StagingTree, source: Path, slot: str, with_scripts: bool) -> None:
    """Put a shard's index into the site at `slot`; the first shard also brings Pagefind's scripts and styles.

    When the older site in the staging folder holds this very index there (its entry file is the cached one, and
    every other file is named by a hash of its bytes), its files are kept as they are instead of linked again.
    """
    names = []
    for root, _dirs, files in os.walk(source):
        relative = os.path.relpath(root, source)
        for name in files:
            if relative == "." and not with_scripts and not (name == ENTRY or name.endswith(".pf_meta")):
                continue  # Pagefind's scripts, the same in every shard: the search page loads the first shard's
            names.append(name if relative == "." else f"{relative}/{name}")
    placed = [f"{slot}/{name}" for name in names]
    entry = os.path.join(tree.root, slot, ENTRY)
    if all(name in tree.existing for name in placed) and same_file(entry, source / ENTRY):
        tree.written.update(placed)
        return
    for name, target in zip(names, placed):
        tree.link(target, source / name)


def _drop(tree: StagingTree, slot: str) -> None:
    """Take back the files put at `slot`, after a failure: the site goes out without a half-made index."""
    for name in [name for name in tree.written if name.startswith(slot + "/")]:
        tree.written.discard(name)
        if name not in tree.existing:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(tree.root, name))
