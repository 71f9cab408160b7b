"""Render a page again only when something it read from the site changed; link the others from the last output.

While a page's context is built and its template runs, the site it sees notes every document, body, relation or
list it reads. The page's key is a hash of those values, the templates, the code and the configuration. The next
build recomputes the key from the same reads: when it matches and the page written last time is still there,
untouched, the writer links that file into the new site instead of rendering it. Large renders use every core.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Iterator, Mapping, Set
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from ..config import THEME_DIR, SiteConfig
from ..diagnostics import Diagnostic, Diagnostics
from ..model import Site
from ..pages import templates as render
from ..pages.assets import Assets
from ..pages.feeds import site_files
from ..pages.views import Views
from ..processes import die_with_parent
from .reads import ALL, Deps, Reads, digest, forget, known_digest, recording_site, sorted_reads
from .store import PlainUnpickler, code_version

CHUNK = 50  # pages taken at a time when rendering in two processes
PARALLEL_THRESHOLD = 600  # fewer pages than this render faster in one process than with a helper
MEMO_FORMAT = 6
SITE_FILES = "\0site files"  # the memo's entry for the feeds, sitemap and robots.txt, made together


def _template_engine() -> str:
    """Name the Jinja2 and MarkupSafe releases, which shape every page's text."""
    return f"Jinja2 {jinja2.__version__}, MarkupSafe {metadata.version('MarkupSafe')}"


def code_and_theme_digest(site: Site) -> bytes:
    """Hash healthsite's own source, every template and the theme's text in every language, which shape every
    page."""
    hasher = hashlib.blake2b(code_version().encode(), digest_size=16)
    for folder in [p / "templates" for p in site.config.theme_paths] + [THEME_DIR / "strings"]:
        if folder.is_dir():
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    hasher.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    return hasher.digest()


@dataclasses.dataclass(frozen=True, slots=True)
class Hashes:
    """What a build made its pages' keys of: the base key, the hash of each read's value, and the hash of each field
    of the site as a whole, which tells the next build the fields that did not change at all."""

    base: bytes = b""
    reads: Mapping[tuple[str, Any], bytes] = dataclasses.field(default_factory=dict)
    fields: Mapping[str, bytes | None] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(slots=True)
class PageMemo:
    """What the last build wrote: output path -> (key, reads, (size, mtime_ns, inode) and hash of the file); the
    hash of the inputs its keys were made from (`PageRenderer.inputs`); and, to tell which reads changed, the base
    key, the hash of each read and of each field of the site as a whole."""

    file: Path | None
    entries: dict[str, tuple[bytes, Deps, tuple[int, int, int], bytes]]
    inputs: bytes | None = None
    hashes: Hashes = dataclasses.field(default_factory=Hashes)

    @classmethod
    def load(cls, cache: Path, out: Path) -> PageMemo:
        """Read the memo kept for this output folder; a missing or unreadable one only costs speed."""
        name = hashlib.blake2b(str(out.resolve()).encode(), digest_size=8).hexdigest()
        file = cache / "pages" / f"{name}.pickle"
        collecting = gc.isenabled()
        gc.disable()  # loading makes many objects and no garbage: a collection now would only walk them
        try:
            data = PlainUnpickler(io.BytesIO(file.read_bytes())).load()
            if (isinstance(data, tuple) and len(data) == 4 and data[0] == MEMO_FORMAT and isinstance(data[1], dict)
                    and isinstance(data[2], bytes)):
                return cls(file, data[1], data[2], Hashes(*data[3]))
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, IndexError):
            pass
        finally:
            if collecting:
                gc.enable()
        return cls(file, {})

    def save(self, out: Path, keys: Mapping[str, tuple[bytes, Deps, bytes]], inputs: bytes, changed: bool = True,
             kept: Set[str] = frozenset(), hashes: Hashes = Hashes()) -> None:
        """Remember each page written into `out` with the signature and hash of its file, the hash of the inputs
        of their keys and the hashes their keys were made of; the entries of the pages in `kept` (linked from the
        last build's file, untouched) stay as they are. When the entries are the same, the memo on disk is left as it
        is: its keys are this build's too."""
        if not changed and keys.keys() == self.entries.keys():
            return  # every page was linked from the last build, untouched: the memo on disk is already this
        entries, shared = {}, {}
        for path, (key, deps, content) in keys.items():
            if path in kept:
                entries[path] = self.entries[path]  # the same file (a link to it): no need to look at it again
                continue
            signature = file_signature(out / path) if path != SITE_FILES else None
            if signature is not None or path == SITE_FILES:
                deps = tuple(map(shared.setdefault, deps, deps))  # one object per read: pickled once, loaded once
                entries[path] = (key, deps, signature, content)  # the site files' entry lists their paths
        if entries == self.entries:
            return  # nothing was rendered or written: the memo on disk is already this
        read = set().union(*(deps for _, deps, _, _ in entries.values()))
        hashes = (hashes.base, {dep: value for dep, value in hashes.reads.items() if dep in read}, hashes.fields)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temp = self.file.with_suffix(f".{os.getpid()}.tmp")
            temp.write_bytes(pickle.dumps((MEMO_FORMAT, entries, inputs, hashes), protocol=5))
            os.replace(temp, self.file)
        except OSError:
            pass


def _inputs_digest(site: Site, base_key: bytes) -> bytes:
    """Hash what every value a page reads is made from: each document (published or not) and body, the content
    files, the build date, and the base key (program, templates, configuration, assets). Each document's and body's
    hash was made when it was loaded or taken from the cache, so this costs a look-up each, not a hash."""
    catalog = site.catalog
    return hashlib.sha256(b"".join([
        base_key, str(site.config.build_date).encode(), digest(sorted(catalog.files)),
        digest(list(catalog.docs)), *map(digest, catalog.docs.values()),
        digest(list(catalog.unpublished)), *map(digest, catalog.unpublished.values()),
        digest(list(site.bodies)), *map(digest, site.bodies.values())])).digest()


def field_hashes(wrapped: Mapping[str, Any]) -> dict[str, bytes | None]:
    """Hash each field of the site as a whole, a document or body by the hash its cache gave it. A field that cannot
    be pickled gets None, and one holding sets (which pickle in an order that differs between processes) another
    hash each build: either only costs hashing its reads one by one."""
    hashes: dict[str, bytes | None] = {}
    for name, data in wrapped.items():
        items = ([(key, known_digest(value) or value) for key, value in data.items()] if isinstance(data, Mapping)
                 else data)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.fast = True  # no references to objects met before: equal values pickle alike however they are shared
        try:
            pickler.dump(items)
            hashes[name] = hashlib.sha256(buffer.getvalue()).digest()
        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
            hashes[name] = None
    return hashes


def _dateless(unwrapped: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Leave the build date out of what every page's key holds: pages read the one thing that depends on it, which
    reviews are overdue, from `Site.overdue_reviews`, and which documents are published from the catalog."""
    return [(name, dataclasses.replace(value, build_date=None) if isinstance(value, SiteConfig) else value)
            for name, value in unwrapped]


def _content_digest(path: Path) -> bytes | None:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None


def file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


class PageRenderer:
    """Render a site's pages, reusing the last output's unchanged pages when given its memo."""

    def __init__(self, site: Site, assets: Assets, out: Path, memo: PageMemo | None):
        self.reads: Reads = set()
        recording, self.wrapped, unwrapped = recording_site(site, self.reads)
        self.site, self.out, self.memo, self.recording = site, out, memo, recording
        self.views = Views(recording, assets)
        self.env = render.template_environment(recording)
        self.base_key = digest((code_and_theme_digest(site), _template_engine(), digest(_dateless(unwrapped)),
                                digest(self.views.site_view), sorted(assets.names.items())))
        self.inputs = _inputs_digest(site, self.base_key)
        # The same inputs as the build that wrote the memo: every value a page reads is the same, and so its key
        self.same_inputs = memo is not None and memo.inputs == self.inputs
        self.digests = _Digests(self._digest_of)  # (field, key) -> hash of its value, each made once per build
        self.fields = memo.hashes.fields if self.same_inputs else field_hashes(self.wrapped)
        self.unchanged = self._unchanged_reads() if memo is not None and not self.same_inputs else None
        self.hashes = Hashes()  # what this build's keys were made of, once every page has its key
        self.keys: dict[str, tuple[bytes, Deps, bytes]] = {}  # this build's pages: path -> (key, reads, text hash)
        self.changed = False  # whether any page was rendered, or reused from a file that was not last build's
        self.kept: set[str] = set()  # pages (and SITE_FILES) whose memo entry holds as it is: their file is unchanged
        self.planned = self.rendered = 0  # HTML pages of the site; those rendered, not linked from the last build

    def pages(self, diags: Diagnostics) -> Iterator[tuple[str, str | Path]]:
        """Yield (output path, text or last build's file to link) for every page, then the feeds and sitemap."""
        todo = []
        for out, template, context in render.plan_pages(self.site, self.views):
            self.planned += 1
            reused = self._reuse(out)
            if reused is not None:
                yield out, reused
            else:
                todo.append((out, template, context))
        site_files: list[tuple[str, str | Path]] = []  # made while a page helper, if any, renders the first pages
        for out, text, deps, found in self._render_all(todo, lambda: site_files.extend(self._site_files())):
            diags.replay(found)
            if text is not None:
                self.changed = True
                self.rendered += 1
                self.keys[out] = (self._key(deps), deps, hashlib.sha256(text.encode("utf-8")).digest())
                yield out, text
        yield from site_files
        last = self.memo.hashes.reads if self.memo is not None else {}
        self.hashes = Hashes(self.base_key, {**last, **self.digests}, self.fields)
        forget()  # the hashes remembered from the caches: every page has its key now
        self.digests.clear()
        self.digests.make = None  # it held this renderer, and so the whole site, in a cycle only a collection frees

    def _site_files(self) -> list[tuple[str, str | Path]]:
        """Return the feeds, sitemap and robots.txt: last build's files while nothing they read has changed."""
        group = self.memo.entries.get(SITE_FILES) if self.memo is not None else None
        if group is not None and (self.same_inputs or self._same_key(group[1], group[0])):
            reused = [(path, self._reuse(path)) for path in group[3]]
            if all(file is not None for _, file in reused):
                self.keys[SITE_FILES] = group[:2] + (group[3],)
                self.kept.add(SITE_FILES)
                return reused
        self.reads.clear()
        self.changed = True
        files = list(site_files(self.recording))
        deps = sorted_reads(self.reads)
        key = self._key(deps)
        self.keys[SITE_FILES] = (key, deps, tuple(path for path, _ in files))
        for path, text in files:
            self.keys[path] = (key, deps, hashlib.sha256(text.encode("utf-8")).digest())
        return files

    def _reuse(self, out: str) -> Path | None:
        """Return last build's file for this page when nothing the page read has changed."""
        entry = self.memo.entries.get(out) if self.memo is not None else None
        if entry is None:
            return None
        key, deps, signature, content = entry
        if not self.same_inputs and not self._same_key(deps, key):
            return None
        file = self.out / out
        if file_signature(file) != signature:
            if _content_digest(file) != content:
                return None  # gone or changed; a copy restored from elsewhere (CI's cache) is checked by its bytes
            self.changed = True
        else:
            self.kept.add(out)
        self.keys[out] = (key, deps, content)
        return file

    def _unchanged_reads(self) -> set[tuple[str, Any]] | None:
        """Return the reads whose values hash as in the last build, whose base key was this one (else None: every key
        is made again). The reads of a field equal as a whole take their hashes from the memo, unmade."""
        last = self.memo.hashes
        if last.base != self.base_key:
            return None
        whole = {name for name, value in self.fields.items() if value is not None and last.fields.get(name) == value}
        for dep, value in last.reads.items():
            if dep[0] in whole:
                self.digests[dep] = value
        return {dep for dep, value in last.reads.items() if self.digests[dep] == value}

    def _same_key(self, deps: Deps, key: bytes) -> bool:
        """Tell whether a page's key from the last build holds: every value it read is the same."""
        if self.unchanged is not None:
            return self.unchanged.issuperset(deps)
        return self._key(deps) == key

    def _key(self, deps: Deps) -> bytes:
        """Hash the base key with the current value of everything a page read."""
        return hashlib.sha256(self.base_key + b"".join(map(self.digests.__getitem__, deps))).digest()

    def _digest_of(self, dep: tuple[str, Any]) -> bytes:
        name, key = dep
        data = self.wrapped.get(name)
        hasher = hashlib.sha256(repr(dep).encode())
        if data is None:
            return hasher.digest()
        if key != ALL:
            hasher.update(digest(data[key]) if key in data else b"missing")
        elif isinstance(data, tuple):
            hasher.update(digest(data))
        else:  # the whole mapping: the hashes of its entries, each made once per build
            hasher.update(b"".join(map(self.digests.__getitem__, [(name, item_key) for item_key in data])))
        return hasher.digest()

    def render_one(self, item: tuple[str, str, Any]) -> tuple[str, str | None, Deps, tuple[Diagnostic, ...]]:
        """Render one planned page, returning what it read and any template problem."""
        out, template, context = item
        self.reads.clear()
        found = Diagnostics()
        text = render.render_page(self.env, self.views, template, context, found)
        return out, text, sorted_reads(self.reads), tuple(found.items)

    def _render_all(self, todo: list, first: Callable[[], None]) -> Iterator[tuple[str, str | None, Deps,
                                                                                tuple[Diagnostic, ...]]]:
        """Render pages, yielded in order, after calling `first`; with many pages a forked helper takes chunks too,
        and `first` runs while it starts on them. Each process takes the next chunk nobody has taken, so this one,
        which also writes every page, renders fewer and neither waits."""
        if (len(todo) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2
                or "fork" not in multiprocessing.get_all_start_methods()):
            first()
            yield from map(self.render_one, todo)
            return
        chunks = [todo[start:start + CHUNK] for start in range(0, len(todo), CHUNK)]
        context = multiprocessing.get_context("fork")
        shared = _Shared(chunks, context.Value("i", 0), context.Queue())
        global _HELPER_STATE
        _HELPER_STATE = (self, shared)
        helper = context.Process(target=_help, args=(os.getpid(),), daemon=True)
        try:
            helper.start()
            first()
            done: dict[int, list] = {}  # rendered chunks not yet yielded
            upcoming = 0  # the next chunk to yield
            while upcoming < len(chunks):
                alive = helper.is_alive()
                while not shared.results.empty():
                    index, pages = shared.results.get()
                    done[index] = pages
                if upcoming in done:
                    yield from done.pop(upcoming)
                    upcoming += 1
                elif (index := shared.take()) is not None:
                    done[index] = list(map(self.render_one, chunks[index]))
                elif alive:  # the helper is rendering the next chunk to yield
                    with contextlib.suppress(queue.Empty):
                        index, pages = shared.results.get(timeout=0.1)
                        done[index] = pages
                else:  # the helper stopped before sending a chunk it took: render it here
                    done[upcoming] = list(map(self.render_one, chunks[upcoming]))
        finally:
            _HELPER_STATE = None
            if helper.is_alive():
                helper.terminate()
            helper.join()


@dataclasses.dataclass(frozen=True, slots=True)
class _Shared:
    """What this process and its page-rendering helper share: the chunks, the next one to take, the helper's pages."""

    chunks: list
    next: Any  # multiprocessing.Value: the first chunk nobody has taken
    results: Any  # multiprocessing.Queue of (chunk index, rendered pages)

    def take(self) -> int | None:
        """Claim the next chunk nobody has taken; None when all are taken."""
        with self.next.get_lock():
            index = self.next.value
            if index >= len(self.chunks):
                return None
            self.next.value = index + 1
        return index


class _Digests(dict):
    """A dict that computes a missing entry with `make` and keeps it."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


_HELPER_STATE: tuple[PageRenderer, _Shared] | None = None  # set only while a forked helper renders pages


def _help(parent: int) -> None:
    """Render chunks of pages in a forked helper, from the renderer the parent left here, until none is left."""
    die_with_parent(parent)
    renderer, shared = _HELPER_STATE
    while (index := shared.take()) is not None:
        shared.results.put((index, list(map(renderer.render_one, shared.chunks[index]))))
