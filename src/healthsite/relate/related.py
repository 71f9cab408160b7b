"""Relate articles once every link is known: related articles, backlinks and each pillar's neighbours."""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date

from ..catalog.review import review_status
from ..config import RelatedConfig, SiteConfig
from ..markdown.convert import STOPWORDS
from ..markdown.readability import reading_minutes
from ..model import Body, Catalog, Site, Summary, lastmod

WINDOW = 12  # neighbours taken on each side in a long posting list: bounds candidates, keeps the build linear
COMMON_KEYWORD_SHARE = 0.3  # a keyword in more than this share of articles says nothing about relatedness
PILLAR_NEIGHBOURS = 6
Rank = Callable[[Catalog, Mapping[str, Body], RelatedConfig], Mapping[str, tuple[str, ...]]]


def relate(config: SiteConfig, catalog: Catalog, bodies: Mapping[str, Body], rank: Rank | None = None) -> Site:
    """Compute related articles (with `rank`, by default `related_articles`; the build's ranker reuses the cache
    and a second process), backlinks and pillar neighbours."""
    return Site(
        config=config, catalog=catalog, bodies=bodies,
        related=(rank or related_articles)(catalog, bodies, config.related),
        backlinks=backlinks(bodies),
        pillar_neighbours=pillar_neighbours(catalog),
        summaries=summaries(catalog, bodies),
        overdue_reviews=overdue_reviews(config, catalog),
    )


def related_articles(catalog: Catalog, bodies: Mapping[str, Body], settings: RelatedConfig) -> dict[str, tuple[str, ...]]:
    """Pick up to `count` related articles each: pins first, then the best scores above the threshold."""
    index = RelatedIndex(catalog, bodies, settings)
    return {slug: index[slug] for slug in catalog.articles}


def summaries(catalog: Catalog, bodies: Mapping[str, Body]) -> dict[str, Summary]:
    """Summarise every published document for the pages that list it."""
    result = {}
    for slug, doc in catalog.docs.items():
        body = bodies.get(slug)
        result[slug] = Summary(doc.kind, doc.title, doc.description, reading_minutes(body.words if body else 0),
                               lastmod(doc), doc.language)
    return result


def overdue_reviews(config: SiteConfig, catalog: Catalog) -> dict[str, date]:
    """Find the documents whose clinical review is overdue on the build date: all a page shows that depends on that
    date, so pages read it here (and a build on a later day renders again only the pages whose review fell due)."""
    result = {}
    for slug, doc in catalog.docs.items():
        status = review_status(doc, config)
        if status.state == "overdue":
            result[slug] = status.due
    return result


class RelatedIndex(Mapping):
    """Related articles, each worked out the first time it is asked for from an index of every article's terms.

    A build asks for all of them (`related_articles`); `serve` shows one page at a time, so after a change of tags
    it only indexes the site again and scores the articles whose pages are opened. `terms` (slug -> last inputs and
    terms) lets the next index reuse the terms of every article whose title, tags and keywords are unchanged.
    """

    def __init__(self, catalog: Catalog, bodies: Mapping[str, Body], settings: RelatedConfig,
                 terms: dict[str, tuple[tuple, tuple[str, ...]]] | None = None):
        self.catalog, self.settings = catalog, settings
        self.weights, self.terms = _weighted_terms(catalog, bodies, settings, {} if terms is None else terms)
        self.articles = catalog.articles
        self.order = {slug: index for index, slug in enumerate(self.articles)}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, slug in enumerate(self.articles):
            for term in self.terms[slug]:
                self.postings[term].append(index)
        self.pillars = [catalog.pillar_of[slug] for slug in self.articles]
        self.found: dict[str, tuple[str, ...]] = {}

    def __getitem__(self, slug: str) -> tuple[str, ...]:
        related = self.found.get(slug)
        if related is None:
            if slug not in self.order:
                raise KeyError(slug)
            related = self.found[slug] = self._rank(slug)
        return related

    def __iter__(self):
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def _rank(self, slug: str) -> tuple[str, ...]:
        settings, articles, pillars, me = self.settings, self.articles, self.pillars, self.order[slug]
        scores = _scores(me, [(self.postings[term], self.weights[term]) for term in self.terms[slug]])
        language = self.catalog.docs[slug].language  # a pinned article in another language is not offered
        pinned = [p for p in self.catalog.docs[slug].related if p in self.order and p != slug
                  and self.catalog.docs[p].language == language]
        ranked = []
        for other, score in scores.items():
            if pillars[other] == pillars[me]:
                score += settings.pillar_weight
            if score >= settings.min_score and articles[other] not in pinned:
                ranked.append((-score, articles[other]))
        best = heapq.nsmallest(settings.count, ranked)  # the same as sorting all, ties by slug, but linear in candidates
        return tuple(dict.fromkeys(pinned + [s for _, s in best]))[:settings.count]  # pins first, never more than count


def _scores(me: int, postings: list[tuple[list[int], float]]) -> dict[int, float]:
    """Sum the weights of the terms article `me` shares with each candidate from its terms' posting windows."""
    scores: dict[int, float] = {}
    get = scores.get
    for posting, weight in postings:
        if len(posting) > 2 * WINDOW + 1:
            at = bisect_left(posting, me)
            posting = posting[max(0, at - WINDOW): at + WINDOW + 1]
        for other in posting:
            scores[other] = get(other, 0.0) + weight
    scores.pop(me, None)  # an article with no shared terms has no score of its own
    return scores


def _weighted_terms(catalog: Catalog, bodies: Mapping[str, Body], settings: RelatedConfig,
                    memo: dict[str, tuple[tuple, tuple[str, ...]]]) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Give each article its terms (tags and keywords; from `memo` when its inputs are unchanged) and each term a
    weight by its rarity."""
    terms: dict[str, tuple[str, ...]] = {}
    for slug in catalog.articles:
        doc = catalog.docs[slug]
        body = bodies.get(slug)
        inputs = (doc.title, doc.tags, body.keywords if body else (), doc.language)
        known = memo.get(slug)
        if known is not None and known[0] == inputs:
            terms[slug] = known[1]
            continue
        title_words = [w for w in re.findall(r"[a-z][a-z'-]{3,}", doc.title.lower()) if w not in STOPWORDS]
        keywords = dict.fromkeys(title_words + list(inputs[2]))
        # terms of one language only: articles share none with another language's, its translations among them
        terms[slug] = tuple([f"t:{doc.language}:{t}" for t in doc.tags] + [f"k:{doc.language}:{k}" for k in keywords])
        memo[slug] = (inputs, terms[slug])
    for gone in [slug for slug in memo if slug not in terms] if len(memo) > len(terms) else ():
        del memo[gone]
    count = len(catalog.articles)
    frequency = Counter(term for slug_terms in terms.values() for term in set(slug_terms))
    weights = {}
    for term, df in frequency.items():
        if term.startswith("t:"):
            weights[term] = settings.tag_weight / math.log2(1 + df)
        elif count >= 10 and df > COMMON_KEYWORD_SHARE * count:
            weights[term] = 0.0
        else:
            weights[term] = settings.text_weight * math.log(1 + count / df) / math.log(1 + count) / 10
    kept = {slug: tuple(t for t in ts if weights[t] > 0 and frequency[t] > 1) for slug, ts in terms.items()}
    return weights, kept


def backlinks(bodies: Mapping[str, Body]) -> dict[str, tuple[str, ...]]:
    """Invert the link graph: for each document, the documents that link to it."""
    incoming: dict[str, set[str]] = defaultdict(set)
    for source, body in bodies.items():
        for link in body.links:
            if link.target != source:
                incoming[link.target].add(source)
    return {target: tuple(sorted(sources)) for target, sources in sorted(incoming.items())}


def pillar_neighbours(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """For each pillar, articles of other pillars that carry the tags most used inside it."""
    result = {}
    for pillar in catalog.pillars:
        own = set(catalog.pillar_articles.get(pillar, ()))
        doc = catalog.docs[pillar]
        tag_counts = Counter(tag for slug in own for tag in catalog.docs[slug].tags)
        tags = doc.tags or tuple(t for t, _ in sorted(tag_counts.items(), key=lambda i: (-i[1], i[0]))[:3])
        shared: Counter[str] = Counter()
        for tag in tags:
            for slug in catalog.tags.get(tag, ())[:200]:
                if slug not in own and catalog.docs[slug].language == doc.language:
                    shared[slug] += 1
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        result[pillar] = tuple(slug for slug, _ in ranked[:PILLAR_NEIGHBOURS])
    return result
