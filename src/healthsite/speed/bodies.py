"""Make bodies fast: reuse last build's resolved bodies from the cache, or `serve`'s from memory, and render the
rest with the pool. Every body is still rendered by `markdown.convert.render_job` and resolved by
`markdown.links.resolve_links`, exactly as `--no-cache` does."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..config import SiteConfig
from ..diagnostics import Diagnostic, Diagnostics
from ..markdown.convert import Rendered
from ..markdown.links import MakeBodies, Track, link_targets, resolve_links
from ..model import Body, Catalog, Document
from ..progress import no_progress
from . import reads
from .pool import BodyJobs, body_digest, settings_key
from .store import PackCache, key_of


@dataclass(slots=True)
class BodyMemo:
    """Keep bodies in memory between rebuilds in one process (`serve`), so an edit re-renders only its own body."""

    rendered: dict[str, tuple[str, int, str, Rendered]] = field(default_factory=dict)  # path -> key, line, body, result
    resolved: dict[str, tuple[Document, Rendered, Body, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    links: tuple = ()  # what link targets resolved against: a change makes every resolved body stale


def packed_bodies(jobs: BodyJobs) -> MakeBodies:
    """Return a `markdown.render_bodies` maker that takes last build's resolved bodies from the cache and renders
    the rest with `jobs` (which loading may have started)."""
    return lambda docs, config, catalog, diags, track: _resolve_packed(docs, config, catalog, diags, track, jobs)


def remembered_bodies(memo: BodyMemo) -> MakeBodies:
    """Return a `markdown.render_bodies` maker for `serve`: bodies kept in `memo` since the last rebuild are
    reused, so an edit renders and resolves only its own body."""
    def make(docs: Sequence[Document], config: SiteConfig, catalog: Catalog, diags: Diagnostics,
             track: Track) -> dict[str, Body]:
        rendered = {doc.slug: outcome for doc, outcome in _rendered(docs, config, diags, memo, track)}
        return _resolve_remembered(docs, rendered, config, catalog, diags, memo)
    return make


def _resolve_packed(docs: Sequence[Document], config: SiteConfig, catalog: Catalog, diags: Diagnostics,
                    track: Track, jobs: BodyJobs) -> dict[str, Body]:
    """Reuse last build's resolved bodies (from one pack, not a file each) while their body and every link target
    are unchanged; render the rest, resolving each as soon as it is rendered."""
    pack = PackCache(config.cache_path, "resolved", config.cache_write)
    key = settings_key(config)
    targets = key_of(repr(link_targets(config, catalog)))
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
    jobs.keep(digests.values())  # the rendered bodies of unchanged documents stay in the cache, asked for or not
    for doc, rendered in _rendered([doc for doc, _ in todo.values()], config, diags, None, track, jobs, digests):
        problems = Diagnostics()
        body = resolve_links(doc, rendered, config, catalog, problems)
        found[doc.slug] = (body, tuple(problems.items), reads.digest(body))
        reads.remember(body, found[doc.slug][2])
        pack.put(todo[doc.slug][1], found[doc.slug])
    pack.save()
    for _, problems, _ in found.values():
        diags.replay(problems)
    return {doc.slug: found[doc.slug][0] for doc in docs if doc.slug in found}


def _resolve_remembered(docs: Sequence[Document], rendered: Mapping[str, Rendered], config: SiteConfig,
                        catalog: Catalog, diags: Diagnostics, memo: BodyMemo) -> dict[str, Body]:
    """Resolve links, reusing the last result (and its diagnostics) for bodies whose text and targets are unchanged."""
    links = link_targets(config, catalog)
    if links != memo.links:
        memo.resolved.clear()
        memo.links = links
    bodies: dict[str, Body] = {}
    for doc in docs:
        if doc.slug not in rendered:
            continue
        entry = memo.resolved.get(doc.slug)
        if entry is None or entry[1] is not rendered[doc.slug] or entry[0].path != doc.path:
            found = Diagnostics()  # every problem: the levels apply as they are replayed
            body = resolve_links(doc, rendered[doc.slug], config, catalog, found)
            entry = memo.resolved[doc.slug] = (doc, rendered[doc.slug], body, tuple(found.items))
        diags.replay(entry[3])
        bodies[doc.slug] = entry[2]
    if len(memo.resolved) > len(bodies):
        _forget(memo.resolved, set(bodies))
    return bodies


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
