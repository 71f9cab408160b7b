"""Render Markdown bodies to safe HTML, cached by content hash, and resolve links between articles."""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import quote, unquote

import markdown

from . import mdrender
from .catalog import Catalog
from .config import HtmlConfig, SiteConfig
from .diagnostics import Diagnostic, Diagnostics, did_you_mean
from .model import Body, Document, Heading, Link
from .packcache import PackCache, code_version, key_of
from .progress import no_progress
from . import reads
from .readability import plain_text, prose_stats
from .sanitize import sanitize

PARALLEL_THRESHOLD = 300  # below this many uncached bodies, one process is faster than starting a pool
MAX_NESTING = 60

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|href=[\"']([^\"']+)")
_IMAGE_NO_ALT = re.compile(r"!\[\s*\]\(|<img\b(?![^>]*\balt=[\"'][^\"']+)[^>]*>", re.I)
_DEEP_NESTING = re.compile(r"^(?:[ \t]*>){%d}|^[ \t]{%d}" % (MAX_NESTING, MAX_NESTING * 4), re.M)
_HREF = re.compile(r'(<(?:a|img)\b[^>]*?\b(?:href|src)=")([^"]*)(")')
_HELP_TITLE = re.compile(r'<p class="admonition-title">\s*when to get help\s*</p>', re.I)
_ID = re.compile(r'\bid="([^"]+)"')
_H1 = re.compile(r"<(/?)h1\b")
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
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


_RENDERED_FIELDS = tuple(item.name for item in fields(Rendered))


@dataclass(slots=True)
class BodyMemo:
    """Keep bodies in memory between rebuilds in one process (`serve`), so an edit re-renders only its own body."""

    rendered: dict[str, tuple[str, int, str, Rendered]] = field(default_factory=dict)  # path -> key, line, body, result
    resolved: dict[str, tuple[Document, Rendered, Body, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    links: tuple = ()  # what link targets resolved against: a change makes every resolved body stale


Track = Callable[..., Iterable]  # (label, items, total) -> the same items, counted


def render_bodies(config: SiteConfig, catalog: Catalog, diags: Diagnostics, memo: BodyMemo | None = None,
                  track: Track = no_progress) -> dict[str, Body]:
    """Render every published body (from the cache where possible) and check its links and anchors."""
    docs = list(catalog.docs.values())
    if memo is None and config.cache:
        bodies = _resolve_packed(docs, config, catalog, diags, track)
    elif memo is None:
        rendered = _render_all(docs, config, diags, memo, track)
        bodies = {doc.slug: _resolve(doc, rendered[doc.slug], config, catalog, diags) for doc in docs
                  if doc.slug in rendered}
    else:
        rendered = _render_all(docs, config, diags, memo, track)
        bodies = _resolve_remembered(docs, rendered, config, catalog, diags, memo)
    _check_anchors(catalog, bodies, diags)
    return bodies


def _resolve_packed(docs: Sequence[Document], config: SiteConfig, catalog: Catalog, diags: Diagnostics,
                    track: Track) -> dict[str, Body]:
    """Reuse last build's resolved bodies (from one pack, not a file each) while their cached body and every link
    target are unchanged; render and resolve the rest."""
    pack = PackCache(config.cache_path, "resolved", config.cache_write)
    folder, key = config.cache_path / "bodies", settings_key(config.html)
    targets = key_of(repr((config.base_path, sorted(catalog.urls.items()), sorted(catalog.by_source.items()),
                           sorted(catalog.unpublished), sorted(catalog.files))))
    found: dict[str, tuple] = {}
    todo: list[tuple[Document, bytes, Path]] = []
    for doc in docs:
        digest = _digest(key, doc)
        cached, entry_key = _cache_file(folder, digest), key_of(digest, targets, doc.path, doc.source_path)
        entry = pack.get(entry_key)
        if entry is not None and entry[0] == _signature(cached):  # the body cache's own file, unchanged
            found[doc.slug] = entry
            reads.remember(entry[1], entry[3])  # pages hash the bodies they read: this one is hashed already
        else:
            todo.append((doc, entry_key, cached))
    rendered = _render_all([doc for doc, _, _ in todo], config, diags, None, track)
    for doc, entry_key, cached in todo:
        if doc.slug in rendered:
            problems = Diagnostics()
            body = _resolve(doc, rendered[doc.slug], config, catalog, problems)
            found[doc.slug] = (_signature(cached), body, tuple(problems.items), reads.digest(body))
            reads.remember(body, found[doc.slug][3])
            if found[doc.slug][0] is not None:
                pack.put(entry_key, found[doc.slug])
    pack.save()
    for _, _, problems, _ in found.values():
        for item in problems:
            (diags.error if item.level == "error" else diags.warning)(item.code, item.path, item.line, item.message,
                                                                      item.hint)
    return {doc.slug: found[doc.slug][1] for doc in docs if doc.slug in found}


def _signature(file: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _digest(key: str, doc: Document) -> str:
    """Return the body cache's name for a document's body."""
    return hashlib.sha256(f"{key}\0{doc.body_line}\0{doc.body}".encode()).hexdigest()


def _resolve_remembered(docs: Sequence[Document], rendered: Mapping[str, Rendered], config: SiteConfig,
                        catalog: Catalog, diags: Diagnostics, memo: BodyMemo) -> dict[str, Body]:
    """Resolve links, reusing the last result (and its diagnostics) for bodies whose text and targets are unchanged."""
    links = (config.base_path, catalog.urls, catalog.by_source, frozenset(catalog.unpublished))
    if links != memo.links:
        memo.resolved.clear()
        memo.links = links
    bodies: dict[str, Body] = {}
    for doc in docs:
        if doc.slug not in rendered:
            continue
        entry = memo.resolved.get(doc.slug)
        if entry is None or entry[1] is not rendered[doc.slug] or entry[0].path != doc.path:
            found = Diagnostics(levels=diags.levels)
            body = _resolve(doc, rendered[doc.slug], config, catalog, found)
            entry = memo.resolved[doc.slug] = (doc, rendered[doc.slug], body, tuple(found.items))
        for item in entry[3]:
            (diags.error if item.level == "error" else diags.warning)(item.code, item.path, item.line, item.message,
                                                                      item.hint)
        bodies[doc.slug] = entry[2]
    if len(memo.resolved) > len(bodies):
        _forget(memo.resolved, set(bodies))
    return bodies


def settings_key(settings: HtmlConfig) -> str:
    """Describe everything besides the source that changes a rendered body, for the cache key."""
    return json.dumps([code_version(), markdown.__version__, mdrender.EXTENSIONS, mdrender.EXTENSION_CONFIGS,
                       list(settings.extra_tags),
                       {k: list(v) for k, v in sorted(settings.extra_attributes.items())}], sort_keys=True)


def _render_all(docs: Sequence[Document], config: SiteConfig, diags: Diagnostics, memo: BodyMemo | None = None,
                track: Track = no_progress) -> dict[str, Rendered]:
    """Render the bodies the caches lack, in a process pool when there are many."""
    key = settings_key(config.html)
    cache = config.cache_path / "bodies" if config.cache else None
    results: dict[str, Rendered] = {}
    todo: list[tuple[Document, str]] = []
    remembered = memo.rendered if memo is not None else None  # serve's bodies from the last rebuild
    for doc in docs:
        hit = remembered.get(doc.path) if remembered is not None else None
        if hit is not None and hit[2] == doc.body and hit[:2] == (key, doc.body_line):  # the same str: no compare
            results[doc.slug] = hit[3]
            continue
        digest = _digest(key, doc)
        cached = _read_cache(cache, digest)
        if cached is not None:
            results[doc.slug] = cached
            if remembered is not None:
                remembered[doc.path] = (key, doc.body_line, doc.body, cached)
        else:
            todo.append((doc, digest))
    store = cache is not None and config.cache_write  # each job stores its own result: the pool's work, not ours
    jobs = [(doc.body, doc.body_line, config.html, config.markdown.time_limit,
             _cache_file(cache, digest) if store else None) for doc, digest in todo]
    if len(jobs) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            outcomes = list(track("Rendering Markdown", pool.map(_render_job, jobs, chunksize=32), len(jobs)))
    else:
        outcomes = list(track("Rendering Markdown", map(_render_job, jobs), len(jobs)))
    for (doc, _), outcome in zip(todo, outcomes):
        if isinstance(outcome, tuple):
            diags.error("markdown-failed", doc.path, *outcome)
            continue
        results[doc.slug] = outcome
        if remembered is not None:
            remembered[doc.path] = (key, doc.body_line, doc.body, outcome)
    if remembered is not None and len(remembered) > len(docs):  # in place: a new dict per save costs a collection
        _forget(remembered, {doc.path for doc in docs})
    return results


def _forget(memory: dict, keep: set) -> None:
    """Drop the entries of `memory` whose key is not in `keep`."""
    for key in [key for key in memory if key not in keep]:
        del memory[key]


def _render_job(job: tuple[str, int, HtmlConfig, float, Path | None]) -> Rendered | tuple[int, str, str]:
    """Render one body and store it in the cache file named; return (file line, message, hint) instead when the
    Markdown cannot be rendered."""
    body, body_line, settings, time_limit, cache_file = job
    outcome = _render(body, body_line, settings, time_limit)
    if cache_file is not None and isinstance(outcome, Rendered):
        _write_cache(cache_file, outcome)
    return outcome


def _render(body: str, body_line: int, settings: HtmlConfig, time_limit: float) -> Rendered | tuple[int, str, str]:
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
    safe = sanitize(_H1.sub(r"<\1h2", raw), settings)
    prose = plain_text(body)
    stats = prose_stats(prose)
    headings = _flatten(md.toc_tokens)  # type: ignore[attr-defined]
    return Rendered(
        html=safe,
        headings=headings,
        ids=sorted(set(_ID.findall(safe))),
        hrefs=_source_hrefs(body, body_line),
        words=stats.words, sentences=stats.sentences, syllables=stats.syllables,
        images_without_alt=[body_line + i for i, line in enumerate(body.split("\n")) if _IMAGE_NO_ALT.search(line)],
        keywords=_keywords(prose),
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


def _source_hrefs(body: str, body_line: int) -> list[tuple[str, int]]:
    """Find every link target written in the source with its file line, skipping fenced code."""
    found: list[tuple[str, int]] = []
    in_fence = False
    for index, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            for match in _LINK_TARGET.finditer(line):
                found.append((next(g for g in match.groups() if g), body_line + index))
    return found


def _keywords(prose: str, count: int = 12) -> list[str]:
    """Return the most frequent content words of a body's prose (see `plain_text`), ties broken alphabetically."""
    words: Counter[str] = Counter()
    for word, times in Counter(_WORD.findall(prose.lower())).items():  # each distinct word stripped once
        if word not in STOPWORDS:
            words[word.strip("'-")] += times
    return [w for w, _ in sorted(words.items(), key=lambda item: (-item[1], item[0]))[:count]]


def _cache_file(cache: Path, digest: str) -> Path:
    return cache / digest[:2] / f"{digest}.json"


def _read_cache(cache: Path | None, digest: str) -> Rendered | None:
    if cache is None:
        return None
    try:
        data = json.loads(_cache_file(cache, digest).read_text(encoding="utf-8"))
        return Rendered(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write_cache(target: Path, rendered: Rendered) -> None:
    """Store a rendered body; a cache that cannot be written only costs speed."""
    data = json.dumps({name: getattr(rendered, name) for name in _RENDERED_FIELDS})  # asdict() deep-copies: slow
    temp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        try:
            temp.write_text(data, encoding="utf-8")
        except FileNotFoundError:  # the first body in this folder
            target.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(data, encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        pass


def _resolve(doc: Document, rendered: Rendered, config: SiteConfig, catalog: Catalog, diags: Diagnostics) -> Body:
    """Point links to other Markdown files at their pages' URLs and report those that lead nowhere."""
    lines = {html.unescape(href): line for href, line in reversed(rendered.hrefs)}
    links: list[Link] = []
    ids = frozenset(rendered.ids)

    def rewrite(match: re.Match[str]) -> str:
        href = html.unescape(match.group(2))
        line = lines.get(href, doc.body_line)
        new = _rewrite_href(href, line, doc, config, catalog, ids, links, diags)
        return match.group(1) + html.escape(new, quote=True) + match.group(3)

    body_html = _HREF.sub(rewrite, rendered.html)
    return Body(
        html=body_html,
        headings=tuple(Heading(level, id_, title) for level, id_, title in rendered.headings),
        ids=ids, links=tuple(links),
        words=rendered.words, sentences=rendered.sentences, syllables=rendered.syllables,
        images_without_alt=tuple(rendered.images_without_alt),
        has_help_block=bool(_HELP_TITLE.search(rendered.html)),
        keywords=tuple(rendered.keywords),
    )


def _rewrite_href(href: str, line: int, doc: Document, config: SiteConfig, catalog: Catalog,
                  ids: frozenset[str], links: list[Link], diags: Diagnostics) -> str:
    """Return the URL a written href should have, recording internal links and reporting broken ones."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", href):
        return href
    path, _, anchor = href.partition("#")
    if not path:
        if anchor and anchor not in ids:
            diags.error("anchor-not-found", doc.path, line, f"link '{href}' points to no heading on this page",
                        hint=did_you_mean(href, [f"#{i}" for i in ids]))
        return href
    if path.startswith("/"):
        return config.base_path + href.lstrip("/")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source_path), unquote(path)))
    if not path.endswith(".md"):
        if target in catalog.files:
            return config.base_path + quote(target) + (f"#{anchor}" if anchor else "")
        diags.error("link-not-found", doc.path, line, f"link '{href}' points to no file in the content folder",
                    hint=did_you_mean(path, _relative_to(doc, catalog.files)) or
                    "Link to another article by its .md file, or put the file in the content folder")
        return href
    slug = catalog.by_source.get(target)
    if slug is None:
        _report_missing(href, target, doc, line, catalog, diags)
        return href
    links.append(Link(target=slug, anchor=anchor, line=line, href=href))
    return config.base_path + catalog.urls[slug].lstrip("/") + (f"#{anchor}" if anchor else "")


def _relative_to(doc: Document, sources: Iterable[str]) -> list[str]:
    """Write content paths as links from `doc` would, for suggestions."""
    here = posixpath.dirname(doc.source_path) or "."
    return [posixpath.relpath(source, here) for source in sources]


def _report_missing(href: str, target: str, doc: Document, line: int, catalog: Catalog, diags: Diagnostics) -> None:
    """Explain a link to a Markdown file that is not published, suggesting the closest existing one."""
    if target in catalog.unpublished:
        diags.error("link-to-draft", doc.path, line, f"link '{href}' points to an article that is a draft or dated "
                    "in the future", hint="Publish that article first, or remove the link")
        return
    here = posixpath.dirname(doc.source_path)
    hint = did_you_mean(posixpath.relpath(target, here or "."), _relative_to(doc, catalog.by_source))
    diags.error("link-not-found", doc.path, line, f"link '{href}' points to no article", hint=hint)


def _check_anchors(catalog: Catalog, bodies: Mapping[str, Body], diags: Diagnostics) -> None:
    """Report links whose '#anchor' names no heading in the target article."""
    for slug, body in bodies.items():
        for link in body.links:
            target = bodies.get(link.target)
            if link.anchor and target is not None and link.anchor not in target.ids:
                diags.error("anchor-not-found", catalog.docs[slug].path, link.line,
                            f"link '{link.href}' points to no heading in {catalog.docs[link.target].path}",
                            hint=did_you_mean(f"#{link.anchor}", [f"#{i}" for i in target.ids]))
