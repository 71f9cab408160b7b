"""Keep each search shard's Pagefind index between builds; index again only the shards whose pages changed.

A shard's key is a hash of its pages' paths and bytes, the shard plan and the Pagefind release; its index waits in
`.healthsite-cache/search/<site>/<key>/`, what the merge read of it in `<key>.postings`, and the shards' merged
index in `merged-<hash of the keys>/`, which is linked into the next site whose shards are the same; the next merge
takes it over and changes only the files that differ. Pages are hashed once: the last build's (size, mtime, inode)
of each file, which an unchanged page linked from the last build keeps, stand for its hash and whether Pagefind
reads it. A build keeps only the shards it used.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import multiprocessing
import os
import pickle
import shutil
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from ..output import pagefind_merge
from ..output.search import Shard, is_searched
from ..processes import die_with_parent
from .store import PlainUnpickler

FORMAT = 2
HELPED_READS = 8  # shards to read for a merge from which a helper process reads half of them
MERGED = "merged-"  # the name of a merged index's folder, before a hash of its shards' keys
Entry = tuple[int, int, int, bytes, bool]  # size, mtime_ns, inode, hash of the bytes, read by Pagefind


def pagefind_release() -> str:
    """Name the Pagefind releases installed, which shape every index."""
    names = []
    for package in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            names.append(f"{package} {metadata.version(package)}")
    return ", ".join(names)


class SearchShards:
    """The shards of one output folder's search index, kept in the cache; made by the speed layer."""

    def __init__(self, cache: Path, out: Path):
        name = hashlib.blake2b(str(out.resolve()).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
        self.folder = cache / "search" / f"{out.name}-{name}"
        self.digests: dict[str, bytes] = {}
        self.entries: dict[str, Entry] = {}
        self.used: set[str] = set()
        self.release = pagefind_release()

    def searched(self, folder: Path, html: Sequence[str]) -> list[str]:
        """Return the pages Pagefind reads, hashing only the files that are not the last build's."""
        last = _load(self.folder / "pages.pickle")
        marked = []
        for page in html:
            path = folder / page
            stat = os.stat(path)
            entry = last.get(page)
            if entry is None or entry[:3] != (stat.st_size, stat.st_mtime_ns, stat.st_ino):
                data = path.read_bytes()
                entry = (stat.st_size, stat.st_mtime_ns, stat.st_ino, hashlib.blake2b(data, digest_size=16).digest(),
                         is_searched(data))
            self.entries[page] = entry
            self.digests[page] = entry[3]
            if entry[4]:
                marked.append(page)
        return marked or list(html)

    def shard(self, shard: Shard, index: Callable[[Path], None]) -> tuple[Path, bool]:
        """Return the folder of the shard's index and whether it was made now: last build's when its pages are
        unchanged, else made by `index` and kept for the next build."""
        hasher = hashlib.blake2b(f"{FORMAT} {self.release} {shard.number}/{shard.count}".encode(), digest_size=16)
        for page in shard.pages:
            hasher.update(page.encode("utf-8", "surrogateescape") + b"\0" + self.digests[page])
        key = hasher.hexdigest()
        self.used.add(key)
        kept = self.folder / key
        if kept.is_dir():
            return kept, False
        fresh = self.folder / f"{key}.new-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.parent.mkdir(parents=True, exist_ok=True)
        index(fresh)
        os.rename(fresh, kept)
        return kept, True

    def postings(self, folders: Sequence[Path]) -> list[dict]:
        """Return what the merge reads of each shard's index: kept beside it since the build that indexed it, else
        read now and kept. Many are read in two processes: the build and a forked helper, which keeps its half for
        the build to load."""
        found = [_load(_postings_file(folder)) for folder in folders]
        missing = [folder for folder, data in zip(folders, found) if not data]
        helper = None
        if len(missing) >= HELPED_READS and (os.cpu_count() or 1) > 1 \
                and "fork" in multiprocessing.get_all_start_methods():
            helper = multiprocessing.get_context("fork").Process(target=_keep_postings,
                                                                 args=(os.getpid(), missing[1::2]), daemon=True)
            helper.start()
        try:
            read = {folder: _keep(folder) for folder in (missing[::2] if helper else missing)}
        except BaseException:
            if helper:  # this build stops merging (an index it cannot merge, Ctrl-C): so does its helper
                helper.terminate()
                helper.join()
            raise
        if helper:
            helper.join()
        return [data or read.get(folder) or _load(_postings_file(folder)) or _keep(folder)
                for folder, data in zip(folders, found)]

    def merged(self, sources: Sequence[Path], merge: Callable[[Path, Path | None], None]) -> Path:
        """Return the folder of the kept shards' merged index: last build's when the shards are the same, else
        made by `merge` (given the folder and the last merged index, which it moves there and brings up to date)."""
        key = hashlib.blake2b(f"{FORMAT} {' '.join(source.name for source in sources)}".encode(),
                              digest_size=16).hexdigest()
        self.used.add(MERGED + key)
        kept = self.folder / (MERGED + key)
        if kept.is_dir():
            return kept
        last = [child for child in self.folder.iterdir() if child.name.startswith(MERGED) and child.is_dir()
                and ".new-" not in child.name]
        fresh = self.folder / f"{MERGED}{key}.new-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        merge(fresh, max(last, key=lambda child: child.stat().st_mtime_ns) if last else None)
        os.rename(fresh, kept)
        return kept

    def done(self) -> None:
        """Remember the pages' hashes, and delete the shards and merged indexes this build did not use (and any
        half-made ones)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f"pages.pickle.new-{os.getpid()}"
        temp.write_bytes(pickle.dumps((FORMAT, self.entries), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, self.folder / "pages.pickle")
        for child in self.folder.iterdir():
            if child.is_dir() and child.name not in self.used:
                shutil.rmtree(child, ignore_errors=True)
            elif child.is_file() and child.name != "pages.pickle" and child.name.removesuffix(".postings") \
                    not in self.used:
                child.unlink(missing_ok=True)


def _postings_file(folder: Path) -> Path:
    return folder.with_name(f"{folder.name}.postings")


def _keep(folder: Path) -> dict:
    """Read what the merge needs of a shard's index, and keep it beside the index."""
    data = pagefind_merge.read_shard(folder)
    kept = _postings_file(folder)
    temp = kept.with_name(f"{kept.name}.new-{os.getpid()}")
    temp.write_bytes(pickle.dumps((FORMAT, data), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, kept)
    return data


def _keep_postings(parent: int, folders: list[Path]) -> None:
    """In a forked helper: read and keep each shard's postings (a shard it cannot read is left to the build)."""
    die_with_parent(parent)
    for folder in folders:
        with contextlib.suppress(Exception):
            _keep(folder)


def _load(file: Path) -> dict:
    """Read last build's page hashes, or a shard's postings; a missing or damaged file only costs speed."""
    try:
        data = PlainUnpickler(io.BytesIO(file.read_bytes())).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return {}
    if isinstance(data, tuple) and len(data) == 2 and data[0] == FORMAT and isinstance(data[1], dict):
        return data[1]
    return {}
