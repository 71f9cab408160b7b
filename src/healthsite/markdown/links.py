"""Render every body (rendering.py does one), reuse what the caches hold, and resolve links between articles."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from ..catalog.index import Catalog
from ..config import SiteConfig
from ..diagnostics import Diagnostic, Diagnostics, did_you_mean
from ..model import Body, Document, Heading, Link
from ..progress import no_progress
from ..speed import reads
from ..speed.store import PackCache, key_of
from .convert import BodyJobs, Rendered, body_digest, settings_key

_HREF = re.compile(r'(<(?:a|img)\b[^>]*?\b(?:href|src)=")([^"]*)(")')
_HELP_TITLE = re.compile(r'<p class="admonition-title">\s*when to get help\s*</p>', re.I)


@dataclass(slots=True)
class BodyMemo:
    """Keep bodies in memory between rebuilds in one process (`serve`), so an edit re-renders only its own body."""

    rendered: dict[str, tuple[str, int, str, Rendered]] = field(default_factory=dict)  # path -> key, line, body, result
    resolved: dict[str, tuple[Document, Rendered, Body, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    links: tuple = ()  # what link targets resolved against: a change makes every resolved body stale


Track = Callable[..., Iterable]  # (label, items, total) -> the same items, counted


def render_bodies(config: SiteConfig, catalog: Catalog, diags: Diagnostics, memo: BodyMemo | None = None,
                  track: Track = no_progress, jobs: BodyJobs | None = None) -> dict[str, Body]:
    """Render every published body (from the cache where possible) and check its links and anchors; `jobs` holds
    the bodies loading started to render."""
    docs = list(catalog.docs.values())
    if memo is None and config.cache:
        bodies = _resolve_packed(docs, config, catalog, diags, track, jobs)
    elif memo is None:
        rendered = _render_all(docs, config, diags, memo, track, jobs)
        bodies = {doc.slug: _resolve(doc, rendered[doc.slug], config, catalog, diags) for doc in docs
                  if doc.slug in rendered}
    else:
        rendered = _render_all(docs, config, diags, memo, track)
        bodies = _resolve_remembered(docs, rendered, config, catalog, diags, memo)
    _check_anchors(catalog, bodies, diags)
    return bodies


def _resolve_packed(docs: Sequence[Document], config: SiteConfig, catalog: Catalog, diags: Diagnostics,
                    track: Track, jobs: BodyJobs | None) -> dict[str, Body]:
    """Reuse last build's resolved bodies (from one pack, not a file each) while their body and every link target
    are unchanged; render the rest, resolving each as soon as it is rendered."""
    pack = PackCache(config.cache_path, "resolved", config.cache_write)
    key = settings_key(config.html)
    targets = key_of(repr((config.base_path, sorted(catalog.urls.items()), sorted(catalog.by_source.items()),
                           sorted(catalog.unpublished), sorted(catalog.files))))
    found: dict[str, tuple] = {}
    todo: dict[str, tuple[Document, bytes]] = {}
    digests = {doc.path: body_digest(key, doc) for doc in docs}
    for doc in docs:
        entry_key = key_of(digests[doc.path], targets, doc.path, doc.source_path)
        entry = pack.get(entry_key)
        if entry is not None:
            found[doc.slug] = entry
            reads.remember(entry[0], entry[2])  # pages hash the bodies they read: this one is hashed already
        else:
            todo[doc.slug] = (doc, entry_key)
    owned = jobs is None
    jobs = BodyJobs(config) if jobs is None else jobs
    try:
        jobs.keep(digests.values())  # the rendered bodies of unchanged documents stay in the cache, asked for or not
        for doc, rendered in _rendered([doc for doc, _ in todo.values()], config, diags, None, track, jobs, digests):
            problems = Diagnostics()
            body = _resolve(doc, rendered, config, catalog, problems)
            found[doc.slug] = (body, tuple(problems.items), reads.digest(body))
            reads.remember(body, found[doc.slug][2])
            pack.put(todo[doc.slug][1], found[doc.slug])
    finally:
        if owned:
            jobs.close()
    pack.save()
    for _, problems, _ in found.values():
        for item in problems:
            (diags.error if item.level == "error" else diags.warning)(item.code, item.path, item.line, item.message,
                                                                      item.hint)
    return {doc.slug: found[doc.slug][0] for doc in docs if doc.slug in found}


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


def _render_all(docs: Sequence[Document], config: SiteConfig, diags: Diagnostics, memo: BodyMemo | None = None,
                track: Track = no_progress, jobs: BodyJobs | None = None) -> dict[str, Rendered]:
    """Return the rendered body of every document that renders, by slug."""
    return {doc.slug: rendered for doc, rendered in _rendered(docs, config, diags, memo, track, jobs)}


def _rendered(docs: Sequence[Document], config: SiteConfig, diags: Diagnostics, memo: BodyMemo | None = None,
              track: Track = no_progress, jobs: BodyJobs | None = None,
              digests: Mapping[str, bytes] | None = None) -> Iterator[tuple[Document, Rendered]]:
    """Yield each document with its rendered body as soon as it is ready: those serve remembers or the cache holds
    first, then the rest as they render (in a process pool when there are many). `digests` holds the body digests
    already made, by path."""
    owned = jobs is None
    jobs = BodyJobs(config) if jobs is None else jobs
    key = jobs.key
    todo: list[tuple[Document, bytes]] = []
    remembered = memo.rendered if memo is not None else None  # serve's bodies from the last rebuild
    try:
        for doc in docs:
            hit = remembered.get(doc.path) if remembered is not None else None
            if hit is not None and hit[2] == doc.body and hit[:2] == (key, doc.body_line):  # the same str: no compare
                yield doc, hit[3]
                continue
            digest = digests[doc.path] if digests is not None else body_digest(key, doc)
            if jobs.started(doc):  # its result comes from the pool
                todo.append((doc, digest))
                continue
            cached = jobs.cached(digest)
            if cached is not None:
                if remembered is not None:
                    remembered[doc.path] = (key, doc.body_line, doc.body, cached)
                yield doc, cached
            else:
                todo.append((doc, digest))
        # The counted outcomes first: zip then runs them to their end, where the count prints its last line.
        for outcome, (doc, _) in zip(track("Rendering Markdown", jobs.outcomes(todo), len(todo)), todo):
            if isinstance(outcome, tuple):
                diags.error("markdown-failed", doc.path, *outcome)
                continue
            if remembered is not None:
                remembered[doc.path] = (key, doc.body_line, doc.body, outcome)
            yield doc, outcome
        if remembered is not None and len(remembered) > len(docs):  # in place: a new dict per save costs a collection
            _forget(remembered, {doc.path for doc in docs})
    finally:
        if owned:
            jobs.close()


def _forget(memory: dict, keep: set) -> None:
    """Drop the entries of `memory` whose key is not in `keep`."""
    for key in [key for key in memory if key not in keep]:
        del memory[key]


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
        claims=tuple((line, word) for line, word in rendered.claims),
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
