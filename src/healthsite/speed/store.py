"""Keep many small computed values in a few files under .healthsite-cache/, rewriting only the files that changed.

Entries are spread over SHARDS pickle files by key, so a warm build opens a few dozen files instead of one per
document, and an edit rewrites one or two of them. Only healthsite's own data classes, dates and plain containers
load: a cache restored from elsewhere cannot run code. A missing, stale or damaged file only costs speed.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import gc
import hashlib
import io
import operator
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic
from ..model import Body, Document, Heading, Link, Source
from ..processes import die_with_parent

SHARDS = 64
_ALLOWED = {
    ("healthsite.model", name) for name in ("Document", "Source", "Body", "Heading", "Link")
} | {("healthsite.diagnostics", "Diagnostic"), ("datetime", "date"), ("builtins", "frozenset"),
     ("builtins", "set"), ("copyreg", "_reconstructor"), ("builtins", "object")}


@functools.cache
def code_version() -> str:
    """Return a hash of healthsite's source, so a changed program never reuses what an older one computed; made once
    a process, as the program running does not change under it."""
    hasher = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).resolve().parents[1]  # healthsite, every stage of it
    for file in sorted(package.rglob("*.py")):
        hasher.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    return hasher.hexdigest()


class PackCache:
    """A key -> value store of one kind ("documents", "bodies") for one build, saved at the end."""

    def __init__(self, folder: Path | None, kind: str, write: bool = True):
        self.folder = folder / kind if folder is not None else None
        self.write = write
        self.shards: dict[int, dict[bytes, Any]] = {}
        self.used: dict[int, set[bytes]] = {}
        self.changed: set[int] = set()

    def get(self, key: bytes) -> Any | None:
        """Return the value stored under key, or None."""
        shard = self._shard(key)
        value = shard.get(key)
        if value is not None:
            self.used.setdefault(key[0] % SHARDS, set()).add(key)
        return value

    def keep(self, keys: Iterable[bytes]) -> None:
        """Keep these entries when their files are rewritten, though this build did not ask for them."""
        for key in keys:
            self.used.setdefault(key[0] % SHARDS, set()).add(key)

    def put(self, key: bytes, value: Any) -> None:
        """Store a value; it is written when the build saves the cache."""
        number = key[0] % SHARDS
        self._shard(key)[key] = value
        self.used.setdefault(number, set()).add(key)
        self.changed.add(number)

    def save(self) -> None:
        """Rewrite the shards that gained entries, keeping only the entries this build used (or leave that to
        `saved_in_background`'s forked process, inside its block)."""
        if not self.changed or self.folder is None or not self.write:
            return
        if _put_off is not None:
            if not any(pack is self for pack in _put_off):
                _put_off.append(self)
            return
        self._write()

    def _write(self) -> None:
        for number in sorted(self.changed):
            entries = {key: value for key, value in self.shards[number].items() if key in self.used[number]}
            target = self.folder / f"{number:02x}.pickle"
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                temp = target.with_suffix(f".{os.getpid()}.tmp")
                temp.write_bytes(_dumps(entries))
                os.replace(temp, target)
            except OSError:
                pass
        self.changed.clear()

    def _shard(self, key: bytes) -> dict[bytes, Any]:
        number = key[0] % SHARDS
        shard = self.shards.get(number)
        if shard is None:
            shard = self.shards[number] = self._read(number)
        return shard

    def _read(self, number: int) -> dict[bytes, Any]:
        if self.folder is None:
            return {}
        collecting = gc.isenabled()
        gc.disable()  # loading makes many objects and no garbage: a collection now would only walk them
        try:
            data = _SafeUnpickler(io.BytesIO((self.folder / f"{number:02x}.pickle").read_bytes())).load()
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, IndexError,
                KeyError, ImportError):
            return {}
        finally:
            if collecting:
                gc.enable()
        return data if isinstance(data, dict) else {}


_put_off: list[PackCache] | None = None  # the packs whose saving waits for `saved_in_background`'s process


@contextlib.contextmanager
def saved_in_background() -> Iterator[Callable[[], None]]:
    """Put off saving every pack inside the block; the function it gives saves those put off so far in a forked
    process, while the build goes on with the next stage on the other core. The block's end saves any left (a
    build that stopped early) and waits for that process."""
    global _put_off
    _put_off, child = [], None

    def start() -> None:
        nonlocal child
        global _put_off
        packs, _put_off = _put_off, []
        if not packs or child is not None or not hasattr(os, "fork"):
            _put_off = packs + _put_off  # saved at the block's end
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child would write what the parent buffered a second time
        parent = os.getpid()
        child = os.fork()
        if child == 0:
            try:
                die_with_parent(parent)
                gc.disable()  # a collection would touch, and so copy, every object the build shares with it
                for pack in packs:
                    pack._write()
            finally:
                os._exit(0)

    try:
        yield start
    finally:
        packs, _put_off = _put_off, None
        for pack in packs:
            pack._write()
        if child is not None:
            os.waitpid(child, 0)


def _dumps(value: Any) -> bytes:
    """Pickle with healthsite's data classes stored as calls of the class with their fields, which load twice as
    fast as the default (a generated __setstate__ per object)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def _reducer(kind: type):
    getter = operator.attrgetter(*[field.name for field in dataclasses.fields(kind)])
    return lambda obj: (kind, getter(obj))


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH.update({kind: _reducer(kind) for kind in (Document, Source, Body, Heading, Link, Diagnostic)})


class PlainUnpickler(pickle.Unpickler):
    """Load only plain containers, strings, bytes and numbers: a tampered cache cannot run code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in this part of the cache")


class _SafeUnpickler(pickle.Unpickler):
    """Load healthsite's data classes, dates and plain containers, and nothing that could run code."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def key_of(*parts: str | bytes) -> bytes:
    """Hash the parts that decide a cached value into a cache key."""
    hasher = hashlib.sha256()  # the fastest of hashlib's here: most CPUs compute it in hardware
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()
