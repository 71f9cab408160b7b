"""Render Markdown bodies one at a time, in this process or in a process pool, and keep them in the body cache.

A rendered body (`Rendered`) depends on its own text and the renderer's settings only; links between documents
are resolved afterwards, in bodies.py. The body cache is a pack (packcache.py) of rendered bodies by digest: the
pool's workers hand their bodies back and write no file of their own.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import signal
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields

import markdown
import nh3

from ..catalog.index import is_published
from ..config import HtmlConfig, SiteConfig
from ..model import Document
from ..speed.processes import die_with_parent
from ..speed.store import PackCache, code_version
from . import pruned as mdrender
from .claims import body_claims
from .readability import plain_text, prose_stats
from .sanitize import sanitize

PARALLEL_THRESHOLD = 300  # below this many uncached bodies, one process is faster than starting a pool
CHUNK = 32  # bodies sent to a pool worker at once
MAX_NESTING = 60

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|href=[\"']([^\"']+)")
_IMAGE_NO_ALT = re.compile(r"!\[\s*\]\(|<img\b(?![^>]*\balt=[\"'][^\"']+)[^>]*>", re.I)
_DEEP_NESTING = re.compile(r"^(?:[ \t]*>){%d}|^[ \t]{%d}" % (MAX_NESTING, MAX_NESTING * 4), re.M)
_ID = re.compile(r'\bid="([^"]+)"')
_ID_ANYWHERE = re.compile(r'id="([^"]+)"')  # a plain text to look for: many times faster than the \b before it
_WORD_CHAR = re.compile(r"\w")
_H1 = re.compile(r"<(/?)h1\b")
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_NOT_IN_WORDS = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz'-" else 32 for c in range(256))  # -> space
STOPWORDS = frozenset(
    "about above after again also always another back because been before being below between both cannot could "
    "does doing down during each even every from further have having here into itself just know like make many "
    "more most much must need only other over same should some such than that their them then there these they "
    "this those through under until very want what when where which while will with would your yours youre "
    "dont often help helps people things thing feel feels might usually"
    .split())


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the cache keeps for a body: everything that does not depend on other documents."""

    html: str
    headings: list[tuple[int, str, str]]
    ids: list[str]
    hrefs: list[tuple[str, int]]  # written href, line
    words: int
    sentences: int
    syllables: int
    images_without_alt: list[int]
    keywords: list[str]
    claims: list[tuple[int, str]]  # line, risky word


_RENDERED_FIELDS = tuple(item.name for item in fields(Rendered))


def body_digest(key: str, doc: Document) -> bytes:
    """Return the body cache's key for a document's body."""
    return hashlib.sha256(f"{key}\0{doc.body_line}\0{doc.body}".encode()).digest()


def settings_key(settings: HtmlConfig) -> str:
    """Describe everything besides the source that changes a rendered body, for the cache key."""
    return json.dumps([code_version(), markdown.__version__, nh3.__version__, mdrender.EXTENSIONS,
                       mdrender.EXTENSION_CONFIGS, list(settings.extra_tags),
                       {k: list(v) for k, v in sorted(settings.extra_attributes.items())}], sort_keys=True)


Job = tuple[str, int, HtmlConfig, float]  # body, first line, settings, time limit


class BodyJobs:
    """Render the bodies the cache lacks: in this process when they are few, in a process pool when they are many.

    Loading calls `start` for each file it reads, so on a cold build the pool renders bodies while the other files
    are still being read; `outcomes` then collects them, and renders whatever was not started.
    """

    def __init__(self, config: SiteConfig):
        self.config = config
        self.key = settings_key(config.html)
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
            outcomes = (render_job(self._job(doc)) for doc, _ in todo)
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
            future = self.pool.submit(_render_chunk, [self._job(doc) for doc, _ in chunk])
            for index, (doc, _) in enumerate(chunk):
                self.sent[doc.path] = (doc.body, doc.body_line, future, index)

    def _job(self, doc: Document) -> Job:
        return (doc.body, doc.body_line, self.config.html, self.config.markdown.time_limit)


def _render_chunk(jobs: list[Job]) -> list[Rendered | tuple[int, str, str]]:
    return [render_job(job) for job in jobs]


def render_job(job: Job) -> Rendered | tuple[int, str, str]:
    """Render one body; return (file line, message, hint) instead when the Markdown cannot be rendered."""
    return _render(*job)


def _render(body: str, body_line: int, settings: HtmlConfig, time_limit: float) -> Rendered | tuple[int, str, str]:
    """Render, sanitise and measure one body, or say why it cannot be rendered."""
    deep = _DEEP_NESTING.search(body)
    if deep:
        return (body_line + body.count("\n", 0, deep.start()),
                f"the Markdown nests quotes or lists more than {MAX_NESTING} levels deep", "Simplify the nesting of quotes and lists")
    md = mdrender.renderer_for(body)
    md.reset()
    try:
        raw = _convert_within(md, body, time_limit)
    except RecursionError:
        return body_line, "the Markdown is nested too deeply to render", "Simplify the nesting of quotes and lists"
    except _TooSlow:
        mdrender.forget()  # the interrupted renderer may hold half-built state
        return (body_line, f"the Markdown took longer than the time limit of {time_limit:g} s to render",
                "Look for long runs of unclosed brackets or markup, or raise markdown.time_limit in site.yaml")
    except Exception as exc:  # noqa: BLE001 - a Python-Markdown bug some text triggers is that text's diagnostic
        mdrender.forget()
        return (body_line, f"Python-Markdown failed on this text ({type(exc).__name__}: {exc})",
                "Simplify the markup, such as {...} attribute lists, until it renders, and tell the healthsite "
                "developers what did it")
    safe = sanitize(_H1.sub(r"<\1h2", raw), settings)
    prose = plain_text(body)
    stats = prose_stats(prose)
    headings = _flatten(md.toc_tokens)  # type: ignore[attr-defined]
    return Rendered(
        html=safe,
        headings=headings,
        ids=_ids(safe),
        hrefs=_source_hrefs(body, body_line),
        words=stats.words, sentences=stats.sentences, syllables=stats.syllables,
        images_without_alt=_images_without_alt(body, body_line),
        keywords=_keywords(prose),
        claims=body_claims(body, body_line),
    )


class _TooSlow(Exception):
    """Raised inside the renderer when a body runs past its time limit."""


def _convert_within(md: markdown.Markdown, body: str, seconds: float) -> str:
    """Convert a body, giving up after `seconds` where a timer signal can interrupt (the main thread)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return md.convert(body)

    def expire(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return md.convert(body)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _flatten(tokens: list[dict]) -> list[tuple[int, str, str]]:
    result = []
    for token in tokens:
        result.append((token["level"], token["id"], html.unescape(re.sub(r"<[^>]+>", "", token["name"]))))
        result.extend(_flatten(token["children"]))
    return result


def _images_without_alt(body: str, body_line: int) -> list[int]:
    """Return the file lines of images written without alternative text."""
    if "![" not in body and "<" not in body:  # what either form of image needs
        return []
    return [body_line + i for i, line in enumerate(body.split("\n")) if _IMAGE_NO_ALT.search(line)]


def _ids(html_text: str) -> list[str]:
    """Return the sorted distinct values of the id attributes `_ID` finds."""
    found = []
    for match in _ID_ANYWHERE.finditer(html_text):
        start = match.start()
        if start and _WORD_CHAR.match(html_text, start - 1):  # as in 'xid="': only `_ID` knows where its next match is
            return sorted(set(_ID.findall(html_text)))
        found.append(match.group(1))
    return sorted(set(found))


def _source_hrefs(body: str, body_line: int) -> list[tuple[str, int]]:
    """Find every link target written in the source with its file line, skipping fenced code."""
    found: list[tuple[str, int]] = []
    fences = "```" in body or "~~~" in body
    in_fence = False
    for index, line in enumerate(body.split("\n")):
        if fences and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and ("](" in line or "]:" in line or "href=" in line):  # what each pattern needs
            for match in _LINK_TARGET.finditer(line):
                found.append((next(g for g in match.groups() if g), body_line + index))
    return found


def _keywords(prose: str, count: int = 12) -> list[str]:
    """Return the most frequent content words of a body's prose (see `plain_text`), ties broken alphabetically."""
    lowered = prose.lower()
    if lowered.isascii():  # `_WORD`'s matches, found by C string methods: each run of [a-z'-] from its first letter
        tokens = Counter(lowered.encode().translate(_NOT_IN_WORDS).decode().split())
    else:
        tokens = Counter(_WORD.findall(lowered))
    words: dict[str, int] = {}
    for word, times in tokens.items():  # each distinct word stripped once
        if word[0] in "'-":
            word = word.lstrip("'-")
        if len(word) > 3 and word not in STOPWORDS:
            if word[-1] in "'-":
                word = word.rstrip("'-")  # it starts with a letter
            words[word] = words.get(word, 0) + times
    return [word for _, word in sorted([(-times, word) for word, times in words.items()])[:count]]
