"""Keep each search shard's Pagefind index between builds; index again only the shards whose pages changed.

A shard's key is a hash of its pages' paths and bytes, the shard plan and the Pagefind release; its index waits in
`.healthsite-cache/search/<site>/<key>/` and is linked into the next site whose shard has the same key. Pages are
hashed once: the last build's (size, mtime, inode) of each file, which an unchanged page linked from the last build
keeps, stand for its hash and whether Pagefind reads it. A build keeps only the shards it used.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import shutil
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from ..output.search import Shard, is_searched

FORMAT = 1
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

    def done(self) -> None:
        """Remember the pages' hashes, and delete the shards this build did not use (and any half-made ones)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f"pages.pickle.new-{os.getpid()}"
        temp.write_bytes(pickle.dumps((FORMAT, self.entries), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, self.folder / "pages.pickle")
        for child in self.folder.iterdir():
            if child.is_dir() and child.name not in self.used:
                shutil.rmtree(child, ignore_errors=True)


class _PlainUnpickler(pickle.Unpickler):
    """Load only plain containers, numbers and bytes: a cache restored from elsewhere cannot run code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the search cache")


def _load(file: Path) -> dict[str, Entry]:
    """Read last build's page hashes; a missing or damaged file only costs speed."""
    try:
        data = _PlainUnpickler(io.BytesIO(file.read_bytes())).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return {}
    if isinstance(data, tuple) and len(data) == 2 and data[0] == FORMAT and isinstance(data[1], dict):
        return data[1]
    return {}
