"""Rank related articles fast: reuse the last build's ranking when its inputs are unchanged, and on a large site
rank half the articles in a forked helper. The ranking itself is `relate.related.RelatedIndex`'s."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping

from ..config import RelatedConfig
from ..model import Body, Catalog
from ..processes import die_with_parent
from ..relate.related import Rank, RelatedIndex
from .store import PackCache, key_of

PARALLEL_THRESHOLD = 1000  # fewer articles than this are ranked faster in one process than with a forked helper


def remembered_ranking(cache: PackCache) -> Rank:
    """Return a `relate` ranker that reuses the last build's related articles when every input is the same, and
    else ranks them in two processes."""
    return lambda catalog, bodies, settings: _remembered_related(catalog, bodies, settings, cache)


def _remembered_related(catalog: Catalog, bodies: Mapping[str, Body], settings: RelatedConfig,
                        cache: PackCache) -> Mapping[str, tuple[str, ...]]:
    docs = catalog.docs
    inputs = (settings, catalog.articles, [(docs[s].title, docs[s].tags, docs[s].related, catalog.urls[s],
                                            bodies[s].keywords if s in bodies else ()) for s in catalog.articles])
    key = key_of(repr(inputs))  # not pickle's bytes: they tell equal strings apart by whether they are one object
    related = cache.get(key)
    if related is None:
        related = ranked_in_two_processes(catalog, bodies, settings)
        cache.put(key, related)
        cache.save()
    return related


def ranked_in_two_processes(catalog: Catalog, bodies: Mapping[str, Body],
                            settings: RelatedConfig) -> dict[str, tuple[str, ...]]:
    """Rank as `related_articles` does; on a large site a forked helper ranks the second half of the articles while
    this process ranks the first."""
    index = RelatedIndex(catalog, bodies, settings)
    articles = catalog.articles
    if (len(articles) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        return {slug: index[slug] for slug in articles}
    half = len(articles) // 2
    later = _ranked_by_helper(index, articles[half:])
    ranked = {slug: index[slug] for slug in articles[:half]}
    ranked.update(zip(articles[half:], later()))
    return ranked


def _ranked_by_helper(index: RelatedIndex, slugs: list[str]) -> Callable[[], list[tuple[str, ...]]]:
    """Start a forked process ranking `slugs` from a copy of `index`; return the function that waits for its
    answer, ranking them here instead if the helper stopped without one."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    helper = context.Process(target=_rank_and_send, args=(index, slugs, sender, os.getpid()), daemon=True)  # shared, not pickled
    helper.start()
    sender.close()

    def wait() -> list[tuple[str, ...]]:
        try:
            return receiver.recv()
        except (EOFError, OSError):
            return [index[slug] for slug in slugs]
        finally:
            receiver.close()
            helper.join()
    return wait


def _rank_and_send(index: RelatedIndex, slugs: list[str], sender, parent: int) -> None:
    die_with_parent(parent)
    sender.send([index._rank(slug) for slug in slugs])
    sender.close()
