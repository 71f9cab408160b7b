"""Merge the Pagefind indexes of several shards into one index, as one Pagefind run over all their pages writes it.

Readers then search one index: every word is weighed by the whole site's counts, as with a single Pagefind run, and
a query fetches one set of files. Pagefind 1.5 writes, per language, gzip-compressed CBOR after a signature: a
metadata file (each page's fragment name and word count, the word chunks' ranges, the filter files, sort orders,
the names of the metadata fields), word chunks (each word with its pages, numbered as the gap from the page before,
each with its word positions and metadata positions, then the word's spellings with diacritics, likewise), one
file per filter (each value's page numbers), and one JSON fragment per page. The merged index numbers the first
shard's pages first, then the second's, and so on.

`read_shard` turns a shard's index into plain data: each word's pages as CBOR bytes ready to join. The speed layer
keeps it with the shard, so a build reads only the shards it indexed again. `merge` joins the bytes; the chunks
are cut where a word's hash says (after enough pages and positions), not at a running total as Pagefind cuts them,
so an edit changes only the chunks of the words it touched, and `merge` brings the last merged index up to date
in place: every file whose name and bytes stay the same is kept, not compressed or linked again.
"""

from __future__ import annotations

import concurrent.futures
import gzip
import hashlib
import itertools
import json
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import cbor2

from .staging import link_or_copy

SIGNATURE = b"pagefind_dcd"  # before every compressed index file's bytes
ENTRY = "pagefind-entry.json"  # the index's entry file: its languages and their metadata files
CHUNK_SIZE = 20_000  # Pagefind's: a chunk of about this many pages and positions (of its words) is fetched whole
HASH_LENGTH = 12  # hex digits after the language in a file's name: a name stands for its bytes across builds
# Word chunks are compressed fast (zlib level 1): at 10,000 articles an edit compresses them again in 0.6 s of CPU,
# on every core at once, not 7 s (level 9, Pagefind's), for 8 % more bytes.

# A shard's index as plain data (the speed layer pickles it): {"entry": the entry file, "languages": {language:
# {"version": the Pagefind release, "wasm", "pages": [[fragment, word count]], "fields": [metadata field names],
# "filters": {filter: [[value, [page numbers]]]}, "sorted": bool, "words": {word: Postings}}}}.
# Postings: (pages, size, first gap, sum of gaps, first page's CBOR after its gap, the other pages' CBOR, spellings)
# where spellings is a tuple of (spelling, Postings without spellings).
Postings = tuple


FORMATS = ("1.5.",)  # the Pagefind releases whose index files the merge knows


class Unmergeable(Exception):
    """Shards the merge cannot join: written by a Pagefind release it does not know, or whose results can be
    sorted (data-pagefind-sort), as sort orders cannot be merged without the values, which the index does not
    hold."""


def read(file: Path) -> object:
    """Return the value a compressed Pagefind index file holds."""
    data = gzip.decompress(file.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{file} is not a Pagefind index file")
    return cbor2.loads(data[len(SIGNATURE):])


def read_shard(folder: Path) -> dict:
    """Return a shard's index as the plain data `merge` joins."""
    entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    if not str(entry.get("version", "")).startswith(FORMATS):
        raise Unmergeable(f"an index of Pagefind {entry.get('version')}")
    languages = {}
    for language, info in entry["languages"].items():
        meta = read(folder / f"pagefind.{info['hash']}.pf_meta")
        words = {}
        for _first, _last, chunk in meta[2]:
            for word, pages, spellings in read(folder / "index" / f"{chunk}.pf_index")[0]:
                words[word] = (*_postings(pages), tuple((spelling, _postings(more)) for spelling, more in spellings))
        languages[language] = {
            "version": meta[0], "wasm": info["wasm"], "pages": meta[1], "fields": meta[5], "sorted": bool(meta[4]),
            "filters": {name: read(folder / "filter" / f"{file}.pf_filter")[1] for name, file in meta[3]},
            "words": words}
    return {"entry": entry, "languages": languages}


def merge(shards: Sequence[tuple[Path, dict]], into: Path, previous: Path | None = None) -> None:
    """Write at `into` the index of all the shards' pages (each a folder and its `read_shard`), fragments and
    scripts linked. The `previous` merged index, when given, is moved to `into` and brought up to date: of the
    files it holds, those with the same name and bytes are kept, the others replaced or deleted."""
    if previous:
        os.rename(previous, into)
    else:
        into.mkdir(parents=True)
    held = set()
    for folder, _, files in os.walk(into):
        relative = os.path.relpath(folder, into)
        held.update(files if relative == "." else (f"{relative}/{name}" for name in files))
    written: set[str] = set()
    for folder, _ in shards:  # Pagefind's scripts and each language's WebAssembly, the same in every shard
        for file in folder.iterdir():
            if file.is_file() and file.name != ENTRY and not file.name.endswith(".pf_meta") \
                    and file.name not in written:
                _link(file, into, file.name, written)
    renamed = _link_fragments([folder for folder, _ in shards], into, written)
    languages = {}
    for language in sorted({language for _, shard in shards for language in shard["languages"]}):
        parts = [(shard["languages"][language], names) for (_, shard), names in zip(shards, renamed)
                 if language in shard["languages"]]
        languages[language] = _merge_language(language, parts, into, written)
    entry = dict(shards[0][1]["entry"], languages=languages)
    temp = into / f"{ENTRY}.new-{os.getpid()}"  # a new file: the last one may be a published site's too
    temp.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(temp, into / ENTRY)
    written.add(ENTRY)
    for name in held - written:
        (into / name).unlink()


def _postings(pages: list[list]) -> tuple:
    """Return a word's pages in one shard as Postings without spellings."""
    if not pages:
        return (0, 0, 0, 0, b"", b"")
    first = cbor2.dumps(pages[0][1:])[1:]  # the positions and metadata positions, without the pair's header
    rest = cbor2.dumps(pages[1:])[len(_head(4, len(pages) - 1)):]
    return (len(pages), sum(len(page[1]) + 1 for page in pages), pages[0][0], sum(page[0] for page in pages),
            first, rest)


def _link_fragments(shards: Sequence[Path], into: Path, written: set[str]) -> list[dict[str, str]]:
    """Link every shard's page fragments into one folder; return per shard the fragments renamed because another
    shard has a different one of that name (their short hashes clash), old name to new."""
    (into / "fragment").mkdir(exist_ok=True)
    sources: dict[str, Path] = {}
    renamed: list[dict[str, str]] = []
    for shard in shards:
        names: dict[str, str] = {}
        folder = shard / "fragment"
        for name in sorted(os.listdir(folder)) if folder.is_dir() else ():
            file = folder / name
            if name in sources:
                data = file.read_bytes()
                if data == sources[name].read_bytes():
                    continue
                stem = name.removesuffix(".pf_fragment")
                digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                new = next(f"{stem}{digest[:length]}" for length in range(1, len(digest) + 1)
                           if f"{stem}{digest[:length]}.pf_fragment" not in sources)
                names[stem] = new
                name = f"{new}.pf_fragment"
            sources[name] = file
            _link(file, into, f"fragment/{name}", written)
        renamed.append(names)
    return renamed


def _link(source: Path, into: Path, name: str, written: set[str]) -> None:
    """Link `source` at `name` in `into`, unless the file there is `source` already."""
    target = os.path.join(into, name)
    written.add(name)
    try:
        if os.path.samestat(os.stat(target), os.stat(source)):
            return
        os.unlink(target)
    except FileNotFoundError:
        pass
    link_or_copy(source, target)


def _merge_language(language: str, parts: list[tuple[dict, dict[str, str]]], into: Path,
                    written: set[str]) -> dict:
    """Merge one language's index of each shard; return its entry in the entry file."""
    if any(part["sorted"] for part, _ in parts):
        raise Unmergeable("pages with data-pagefind-sort")
    fields = sorted({field for part, _ in parts for field in part["fields"]})
    offsets = list(itertools.accumulate((len(part["pages"]) for part, _ in parts), initial=0))
    pages = [[names.get(page, page), words] for part, names in parts for page, words in part["pages"]]
    for number, (part, _) in enumerate(parts):
        if part["fields"] != fields:  # a shard without some metadata field numbers the others differently
            moves = {-1 - old: -1 - fields.index(field) for old, field in enumerate(part["fields"])}
            parts[number] = ({**part, "words": _moved(part["words"], moves)}, parts[number][1])
    names: set[str] = set()
    chunks, unwritten = [], []
    for first, last, data in _chunks(parts, offsets):
        chunks.append([first, last, _write(into, "index/", language, ".pf_index", data, names, written, unwritten)])
    _write_all(unwritten)  # an edit changes most chunks: the words of its page are in most of them
    for before, after in itertools.pairwise(chunks):  # where two chunks meet, their words shortened as Pagefind does
        common = len(os.path.commonprefix([before[1], after[0]]))
        before[1], after[0] = before[1][:common + 1], after[0][:common + 1]
    filters = {}
    for part, offset in zip((part for part, _ in parts), offsets):
        for name, values in part["filters"].items():
            for value, numbers in values:
                filters.setdefault(name, {}).setdefault(value, []).extend(number + offset for number in numbers)
    filter_list = [[name, _write(into, "filter/", language, ".pf_filter", _encoded(
        [name, [[value, sorted(numbers)] for value, numbers in sorted(values.items())]]), names, written)]
        for name, values in sorted(filters.items())]
    meta = _encoded([parts[0][0]["version"], pages, chunks, filter_list, [], fields])
    digest = _write(into, "pagefind.", language, ".pf_meta", meta, names, written)
    return {"hash": digest, "wasm": parts[0][0]["wasm"], "page_count": len(pages)}


def _chunks(parts: list[tuple[dict, dict[str, str]]], offsets: list[int]):
    """Yield the merged word chunks as (first word, last word, CBOR bytes without the signature), in word order.

    A chunk closes after a word once it holds 3/4 of CHUNK_SIZE pages and positions and the word's hash ends in
    two zero bits, or at twice CHUNK_SIZE; a word that would take it past twice CHUNK_SIZE (a word on most pages)
    starts a chunk of its own, so a query for a rarer word beside it does not fetch its pages. The cuts depend on
    the words near them, so an edit moves few of them.
    """
    shards: dict[str, list[tuple[Postings, int]]] = {}  # word -> its postings in each shard that has it, in order
    for (part, _), offset in zip(parts, offsets):
        for word, postings in part["words"].items():
            shards.setdefault(word, []).append((postings, offset))
    chunk: list[bytes] = []
    size = 0
    first = last = ""
    for word in sorted(shards):
        found = shards[word]
        grows = sum(postings[1] for postings, _ in found)
        if chunk and size + grows > CHUNK_SIZE * 2:
            yield first, last, _head(4, 1) + _head(4, len(chunk)) + b"".join(chunk)
            chunk, size = [], 0
        if not chunk:
            first = word
        chunk.append(_word(word, found))
        size += grows
        last = word
        if size >= CHUNK_SIZE * 2 or size >= CHUNK_SIZE * 3 // 4 and zlib.crc32(word.encode()) & 3 == 0:
            yield first, word, _head(4, 1) + _head(4, len(chunk)) + b"".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield first, last, _head(4, 1) + _head(4, len(chunk)) + b"".join(chunk)


def _word(word: str, found: list[tuple[Postings, int]]) -> bytes:
    """Return one word's CBOR, its pages and spellings from every shard that has it (Postings, first page number)."""
    spellings: dict[str, list[tuple[Postings, int]]] = {}
    for postings, offset in found:
        for spelling, more in postings[6]:
            spellings.setdefault(spelling, []).append((more, offset))
    text = word.encode("utf-8")
    return (_head(4, 3) + _head(3, len(text)) + text + _pages(postings for postings in found)
            + _head(4, len(spellings)) + b"".join(
                _head(4, 2) + _head(3, len(spelling.encode("utf-8"))) + spelling.encode("utf-8") + _pages(more)
                for spelling, more in spellings.items()))


def _pages(found) -> bytes:
    """Return the CBOR array of a word's pages from several shards, each page numbered as the gap from the one
    before: only each shard's first page gets a new gap."""
    parts, count, last = [], 0, 0
    for (pages, _size, gap, total, first, rest, *_), offset in found:
        if not pages:
            continue
        parts += [_head(4, 3), _head(0, gap + offset - last), first, rest]
        count += pages
        last = offset + total
    return _head(4, count) + b"".join(parts)


def _moved(words: dict[str, Postings], moves: dict[int, int]) -> dict[str, Postings]:
    """Return a shard's words with their metadata positions numbered by the merged index's fields."""
    def move(postings: Postings) -> tuple:
        pages, _size, gap, _total, first, rest, *_ = postings
        if not pages:
            return postings[:6]
        entries = [[gap, *cbor2.loads(_head(4, 2) + first)], *cbor2.loads(_head(4, pages - 1) + rest)]
        for entry in entries:
            entry[2] = [moves.get(place, place) for place in entry[2]]
        return _postings(entries)
    return {word: (*move(postings), tuple((spelling, move(more)) for spelling, more in postings[6]))
            for word, postings in words.items()}


def _encoded(value: object) -> bytes:
    """Return a value's CBOR."""
    return cbor2.dumps(value)


def _head(major: int, number: int) -> bytes:
    """Return the CBOR head of an item of type `major` (0 a number, 3 text, 4 an array) with `number`."""
    if number < 24:
        return bytes([major << 5 | number])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | extra]) + number.to_bytes(size, "big")
    raise ValueError(f"{number} is too large for CBOR")


def _write(into: Path, prefix: str, language: str, suffix: str, data: bytes, names: set[str],
           written: set[str], unwritten: list[tuple[Path, bytes]] | None = None) -> str:
    """Write a compressed index file named by a hash of its bytes (longer where two would clash), unless the file
    of that name is there already: a name stands for its bytes. Return the name. With `unwritten`, a file to write
    is added to it instead, for `_write_all`."""
    data = SIGNATURE + data
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    length = HASH_LENGTH
    while f"{language}_{digest[:length]}" in names:
        length += 1
    name = f"{language}_{digest[:length]}"
    names.add(name)
    relative = f"{prefix}{name}{suffix}"
    written.add(relative)
    target = into / relative
    if not target.is_file():
        target.parent.mkdir(exist_ok=True)
        if unwritten is None:
            _compressed(target, data)
        else:
            unwritten.append((target, data))
    return name


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Compress and write files, on every core: zlib lets go of Python's lock while it compresses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1) or 1) as pool:
        list(pool.map(lambda file: _compressed(*file), files))


def _compressed(target: Path, data: bytes) -> None:
    """Write `data` gzip-compressed at `target`, through a new file: the one there may be a published site's too.
    Word chunks are compressed fast (level 1), the small files as Pagefind does (level 9)."""
    temp = target.with_name(f"{target.name}.new-{os.getpid()}")
    temp.write_bytes(gzip.compress(data, compresslevel=1 if target.suffix == ".pf_index" else 9, mtime=0))
    os.replace(temp, target)
