"""Index the built site for search with Pagefind (the pagefind[bin] package), in shards merged into one index.

Each page Pagefind would read (those with `data-pagefind-body`, or every page when none has it) goes to the shard
a hash of its path names, so a page keeps its shard while the site grows. Each shard is one Pagefind run over a
folder of links to its pages (Pagefind's binary, started directly), as many at once as there are cores;
`pagefind_merge` then joins the shards' indexes into the one index at /pagefind/ that one Pagefind run over every
page writes, so readers search with the whole site's word counts and fetch one index. There are as many shards as
the largest power of two at most pages / 125: 1 below 250 pages (its index is Pagefind's own, unmerged), 8 at
1,000, 64 at 10,000; each page in a shard adds to the time an edit takes to index again (a run's time grows faster
than its pages: 0.2 s for 125 pages, 0.5 s for 250, 0.7-1 s for 500), each shard to the time a merge takes.
`index_search` runs alone without a cache; the speed layer's `keep` reuses the unchanged shards, what was read of
them and the last merged index.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cbor2

from ..diagnostics import Diagnostics
from ..processes import die_with_parent
from . import pagefind_merge
from .pagefind_merge import ENTRY
from .staging import StagingTree, link_or_copy, same_file

BUNDLE = "pagefind"  # the folder of the site that holds the index and Pagefind's scripts
PAGES_PER_SHARD = 125  # shards = largest power of two <= pages / this
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
    """What the speed layer offers: pages' digests from the last build, unchanged shards' indexes, what was read
    of them, and the merged index of the same shards."""

    def searched(self, folder: Path, html: Sequence[str]) -> list[str]: ...

    def shard(self, shard: Shard, index: Callable[[Path], None]) -> tuple[Path, bool]: ...

    def postings(self, folders: Sequence[Path]) -> list[dict]: ...

    def merged(self, sources: Sequence[Path], merge: Callable[[Path, Path | None], None]) -> Path: ...

    def done(self) -> None: ...


class SearchFailed(Exception):
    """Pagefind could not index a shard."""


def shard_count(pages: int) -> int:
    """Return how many shards `pages` pages are spread over."""
    return 1 << ((pages // PAGES_PER_SHARD).bit_length() - 1) if pages >= 2 * PAGES_PER_SHARD else 1


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
    return b"data-pagefind-body" in html and _BODY.search(html) is not None  # a scan for the name first: faster


def searched_pages(folder: Path, html: Sequence[str]) -> list[str]:
    """Return the pages of `folder` Pagefind indexes: those with data-pagefind-body, or all when none has it."""
    marked = [page for page in html if is_searched((folder / page).read_bytes())]
    return marked or list(html)


def index_search(tree: StagingTree, html: Sequence[str], diags: Diagnostics,
                 keep: ShardKeeper | None = None) -> SearchIndex | None:
    """Index the HTML pages `html` of the site staged in `tree` in shards merged into one index; a failure is a
    warning, as the site itself is whole. `keep` gives last build's index of each shard whose pages are unchanged,
    and the merged index when no shard changed, which the staging folder may already hold."""
    folder = Path(tree.root)
    scratch = folder / f".healthsite-search-{os.getpid()}"  # inside the staging folder: a killed build leaves none
    try:
        html = sorted(set(html))
        pages = keep.searched(folder, html) if keep else searched_pages(folder, html)
        shards = plan_shards(pages)
        sources, indexed = _index_shards(folder, shards, scratch, keep)
        try:
            index = sources[0] if len(sources) == 1 else _merged(sources, scratch, keep)
        except pagefind_merge.Unmergeable:  # sorted results, or an unknown Pagefind release: one run for all
            shards = [Shard(0, 1, tuple(sorted(pages)))]
            sources, indexed = _index_shards(folder, shards, scratch, keep)
            index = sources[0]
        _place(tree, index, BUNDLE)
        if keep:
            keep.done()
        return SearchIndex(len(shards), indexed, len(pages))
    except (OSError, SearchFailed) as exc:
        _drop(tree, BUNDLE)
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {exc}",
                      hint="Install pagefind[bin], or set 'search: false'")
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _index_shards(folder: Path, shards: list[Shard], scratch: Path,
                  keep: ShardKeeper | None) -> tuple[list[Path], int]:
    """Index each shard, as many at once as there are cores (a small Pagefind run keeps about one busy), or take it
    from `keep`; return the shards' index folders and how many were indexed now."""
    command = functools.cache(pagefind_command)  # looked for once, when a shard is indexed

    def one(shard: Shard) -> tuple[Path, bool]:
        index = functools.partial(_run_pagefind, command, folder, shard, scratch)
        if keep:
            return keep.shard(shard, index)
        index(scratch / f"index-{shard.number}")
        return scratch / f"index-{shard.number}", True

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(shards), os.cpu_count() or 1)) as pool:
        done = list(pool.map(one, shards))
    return [source for source, _ in done], sum(made for _, made in done)


def _merged(sources: list[Path], scratch: Path, keep: ShardKeeper | None) -> Path:
    """Return the folder of the shards' merged index: the last build's when `keep` has it, else made now."""
    def merge(into: Path, previous: Path | None) -> None:
        try:
            read = keep.postings(sources) if keep else [pagefind_merge.read_shard(source) for source in sources]
            pagefind_merge.merge(list(zip(sources, read)), into, previous)
        except (ValueError, KeyError, IndexError, TypeError, EOFError, cbor2.CBORDecodeError) as exc:
            raise SearchFailed(f"the shards' indexes could not be merged: {exc}") from None

    if keep:
        return keep.merged(sources, merge)
    merge(scratch / "merged", None)
    return scratch / "merged"


def pagefind_command() -> list[str]:
    """Return the command that runs Pagefind: the binary `python -m pagefind` would run (PAGEFIND_BINARY_PATH, else
    the pagefind_bin package's), so a shard's run starts no Python; `python -m pagefind` when none is found, which
    says what is missing."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return [sys.executable, "-m", "pagefind"]
    binary = get_executable()
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


def _run_pagefind(command: Callable[[], list[str]], folder: Path, shard: Shard, scratch: Path, into: Path) -> None:
    """Index one shard's pages into the folder `into`, with Pagefind (`command()`) run on a folder of links to
    them."""
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
        result = subprocess.run([*command(), "--site", str(site), "--output-path", str(into), "--silent"],
                                capture_output=True, text=True, timeout=TIMEOUT,
                                preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchFailed(str(exc)) from None
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["unknown error"]
        raise SearchFailed(detail[0])


def _place(tree: StagingTree, source: Path, slot: str) -> None:
    """Put the index and Pagefind's scripts and styles into the site at `slot`.

    When the older site in the staging folder holds this very index there (its entry file is the cached one, and
    every other file is named by a hash of its bytes), its files are kept as they are instead of linked again.
    """
    names = []
    for root, _dirs, files in os.walk(source):
        relative = os.path.relpath(root, source)
        for name in files:
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
