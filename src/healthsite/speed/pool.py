"""Render the bodies the body cache lacks: in this process when they are few, in a process pool when they are many.

The body cache is a pack (store.py) of rendered bodies by digest: the pool's workers hand their bodies back and
write no file of their own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import fields

import markdown
import nh3

from ..catalog.index import is_published
from ..config import SiteConfig
from ..markdown import pruned
from ..markdown.convert import Job, Rendered, job_for, render_job
from ..model import Document
from ..processes import die_with_parent
from .store import PackCache, code_version

PARALLEL_THRESHOLD = 300  # below this many uncached bodies, one process is faster than starting a pool


CHUNK = 32  # bodies sent to a pool worker at once


_RENDERED_FIELDS = tuple(item.name for item in fields(Rendered))


def body_digest(key: str, doc: Document) -> bytes:
    """Return the body cache's key for a document's body."""
    return hashlib.sha256(f"{key}\0{doc.body_line}\0{doc.body}".encode()).digest()


def settings_key(config: SiteConfig) -> str:
    """Describe everything besides the source that changes a rendered body (what `job_for` passes besides the body
    and the time limit), for the cache key."""
    settings = config.html
    return json.dumps([code_version(), markdown.__version__, nh3.__version__, pruned.EXTENSIONS,
                       pruned.EXTENSION_CONFIGS, list(settings.extra_tags),
                       {k: list(v) for k, v in sorted(settings.extra_attributes.items())},
                       config.markdown.heading_base], sort_keys=True)


class BodyJobs:
    """Render the bodies the cache lacks: in this process when they are few, in a process pool when they are many.

    Loading calls `start` for each file it reads, so on a cold build the pool renders bodies while the other files
    are still being read; `outcomes` then collects them, and renders whatever was not started.
    """

    def __init__(self, config: SiteConfig):
        self.config = config
        self.key = settings_key(config)
        self.cache = PackCache(config.cache_path, "rendered", config.cache_write) if config.cache else None
        self.pool: ProcessPoolExecutor | None = None
        self.waiting: list[tuple[Document, bytes]] = []  # started and not cached, not yet sent to the pool
        self.sent: dict[str, tuple[str, int, Future, int]] = {}  # path -> body, first line, its chunk, index
        self.rendered = 0  # bodies rendered afresh, not taken from the cache

    def __enter__(self) -> BodyJobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the pool, dropping work nobody asked for (a build that failed before rendering); save the cache."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        self.sent.clear()
        if self.cache is not None:
            self.cache.save()

    def cached(self, digest: bytes) -> Rendered | None:
        """Return the cached body for a digest, or None (no cache, no entry, or a damaged one)."""
        data = self.cache.get(digest) if self.cache is not None else None
        if isinstance(data, tuple) and len(data) == len(_RENDERED_FIELDS):
            return Rendered(*data)
        return None

    def keep(self, digests: Iterable[bytes]) -> None:
        """Keep these bodies in the cache when its files are rewritten: the bodies of every current document."""
        if self.cache is not None:
            self.cache.keep(digests)

    def start(self, doc: Document) -> None:
        """Begin rendering the body of a file just read, once enough uncached ones wait to be worth a pool."""
        if not is_published(doc, self.config):
            return
        digest = body_digest(self.key, doc)
        if self.cache is not None and self.cache.get(digest) is not None:
            return
        self.waiting.append((doc, digest))
        if self.pool is None and len(self.waiting) >= PARALLEL_THRESHOLD:
            self._open_pool()
        if self.pool is not None and len(self.waiting) >= CHUNK:
            self._send(self.waiting)
            self.waiting = []

    def started(self, doc: Document) -> bool:
        """Tell whether this document's body was sent to the pool while loading."""
        entry = self.sent.get(doc.path)
        return entry is not None and entry[1] == doc.body_line and entry[0] == doc.body

    def outcomes(self, todo: Sequence[tuple[Document, bytes]]) -> Iterator[Rendered | tuple[int, str, str]]:
        """Yield the outcome of each (document, body digest) in order: the pool's where it was started, else made
        now (in the pool when many remain); keep each body rendered in the cache."""
        self.waiting = []
        rest = [(doc, digest) for doc, digest in todo if not self.started(doc)]
        if self.pool is None and len(rest) >= PARALLEL_THRESHOLD:
            self._open_pool()
        if self.pool is None:
            outcomes = (render_job(job_for(doc, self.config)) for doc, _ in todo)
        else:
            self._send(rest)
            outcomes = (self._returned(doc) for doc, _ in todo)
        for (_, digest), outcome in zip(todo, outcomes):
            if isinstance(outcome, Rendered):
                self.rendered += 1
                if self.cache is not None:
                    self.cache.put(digest, tuple(getattr(outcome, name) for name in _RENDERED_FIELDS))
            yield outcome

    def _returned(self, doc: Document) -> Rendered | tuple[int, str, str]:
        _, _, future, index = self.sent.pop(doc.path)
        return future.result()[index]

    def _open_pool(self) -> None:
        if (os.cpu_count() or 1) > 1:
            self.pool = ProcessPoolExecutor(initializer=die_with_parent, initargs=(os.getpid(),))

    def _send(self, items: Sequence[tuple[Document, bytes]]) -> None:
        """Send (document, body digest) pairs to the pool in chunks."""
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            future = self.pool.submit(_render_chunk, [job_for(doc, self.config) for doc, _ in chunk])
            for index, (doc, _) in enumerate(chunk):
                self.sent[doc.path] = (doc.body, doc.body_line, future, index)



def _render_chunk(jobs: list[Job]) -> list[Rendered | tuple[int, str, str]]:
    return [render_job(job) for job in jobs]

