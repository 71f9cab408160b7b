"""See what a page reads from the site, and hash values the same way in every process.

A recording copy of the site wraps each mapping and list of `Site` and `Catalog` so that every read is noted as
(field, key), or (field, ALL) when a page takes all of it. `digest` hashes any value stably: data classes become
tuples of their fields and sets sorted tuples, so equal values hash alike whatever Python's string hashing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import pickle
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Catalog, Site

ALL = "*"  # the key of a read that took a whole mapping or list

Reads = set  # of (field, key): ("catalog.docs", "back-pain"), ("related", ALL)
Deps = tuple[tuple[str, Any], ...]


class _RecordingMapping(Mapping):
    """A read-only mapping that notes each key read, or ALL when iterated."""

    __slots__ = ("_name", "_data", "_reads")

    def __init__(self, name: str, data: Mapping, reads: Reads):
        self._name, self._data, self._reads = name, data, reads

    def __getitem__(self, key):
        self._reads.add((self._name, key))
        return self._data[key]

    def get(self, key, default=None):
        self._reads.add((self._name, key))
        return self._data.get(key, default)

    def __contains__(self, key) -> bool:
        self._reads.add((self._name, key))
        return key in self._data

    def __iter__(self):
        self._reads.add((self._name, ALL))
        return iter(self._data)

    def __len__(self) -> int:
        self._reads.add((self._name, ALL))
        return len(self._data)


class _RecordingSequence(Sequence):
    """A read-only sequence that notes any read of it as a read of all of it."""

    __slots__ = ("_name", "_data", "_reads")

    def __init__(self, name: str, data: Sequence, reads: Reads):
        self._name, self._data, self._reads = name, data, reads

    def __getitem__(self, index):
        self._reads.add((self._name, ALL))
        return self._data[index]

    def __len__(self) -> int:
        self._reads.add((self._name, ALL))
        return len(self._data)


def recording_site(site: Site, reads: Reads) -> tuple[Site, dict[str, Any], list[tuple[str, Any]]]:
    """Return a copy of the site that notes reads, the wrapped values by name, and the values left unwrapped."""
    wrapped: dict[str, Any] = {}
    unwrapped: list[tuple[str, Any]] = []

    def copy(obj: Any, prefix: str) -> Any:
        changes = {}
        for field in dataclasses.fields(obj):
            name, value = prefix + field.name, getattr(obj, field.name)
            if isinstance(value, Catalog):
                changes[field.name] = copy(value, f"{name}.")
            elif isinstance(value, Mapping):
                changes[field.name], wrapped[name] = _RecordingMapping(name, value, reads), value
            elif isinstance(value, tuple):
                changes[field.name], wrapped[name] = _RecordingSequence(name, value, reads), value
            else:
                unwrapped.append((name, value))  # the configuration: part of every page's key
        return dataclasses.replace(obj, **changes)

    return copy(site, ""), wrapped, unwrapped


def digest(value: Any) -> bytes:
    """Return a stable hash of a value; sets are sorted so equal values hash alike in every process."""
    return known_digest(value) or hashlib.sha256(pickle.dumps(_plain(value), protocol=5)).digest()[:16]


def known_digest(value: Any) -> bytes | None:
    """Return the hash a cache gave this very value (`remember`), or None."""
    known = _KNOWN.get(id(value))
    return known[1] if known is not None and known[0] is value else None


# Hashes the build caches stored with their values (documents, bodies), so a warm build need not hash them again.
# Each entry holds its value, so its id cannot be reused while the entry exists.
_KNOWN: dict[int, tuple[Any, bytes]] = {}


def remember(value: Any, value_digest: bytes) -> None:
    """Note the stable hash of a value loaded from a cache that stored it (as `digest` made it)."""
    _KNOWN[id(value)] = (value, value_digest)


def remember_derived(value: Any, source: Any) -> None:
    """Note the hash of a data class made from a remembered one by `dataclasses.replace` (as the catalog gives each
    article its pillar's language): the source's hash and the hashes of the fields that are not the very same objects.
    Equal values made another way hash otherwise, which only renders a page again."""
    known = _KNOWN.get(id(source))
    if known is None or known[0] is not source or type(value) is not type(source):
        return
    getter = _getter(type(value))
    changed = [(index, new) for index, (new, old) in enumerate(zip(getter(value), getter(source))) if new is not old]
    remember(value, hashlib.sha256(known[1] + pickle.dumps(_plain(changed), protocol=5)).digest()[:16])


def forget() -> None:
    """Drop the remembered hashes and the values they hold."""
    _KNOWN.clear()


_FIELDS: dict[type, Any] = {}  # data class -> getter of all its fields at once (None: not a data class)


def _plain(value: Any) -> Any:
    """Turn data classes into tuples and sets into sorted tuples, which pickle the same in every process.

    Anything else is left for pickle as it is: an odd value can only make a page render again, never stay stale.
    """
    kind = type(value)
    if kind is str or kind is int:
        return value
    getter = _getter(kind)
    if getter is not None:
        return (kind.__qualname__, tuple(map(_plain, getter(value))))
    if (kind is tuple or kind is list) and value:
        first = type(value[0])
        getter = _getter(first)
        if getter is not None and all(type(item) is first for item in value):
            return (first.__qualname__, tuple(map(getter, value)))  # rows of headings, links, sources
        if first is str and all(type(item) is str for item in value):
            return value  # names: the commonest, and already plain
        return tuple(map(_plain, value))
    if kind is set or kind is frozenset:
        return ("set", tuple(sorted(map(_plain, value), key=repr)))
    return value


def _getter(kind: type) -> Any:
    """Return a getter of all a data class's fields at once, or None for other types."""
    getter = _FIELDS.get(kind, False)
    if getter is False:
        names = [field.name for field in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else []
        getter = _FIELDS[kind] = operator.attrgetter(*names) if len(names) > 1 else None
    return getter


def sorted_reads(reads: Reads) -> Deps:
    """Return the reads in a stable order, leaving out single keys of a field also read whole."""
    if any(key == ALL for _, key in reads):
        whole = {name for name, key in reads if key == ALL}
        reads = {(name, key) for name, key in reads if key == ALL or name not in whole}
    return tuple(sorted(reads, key=repr))
