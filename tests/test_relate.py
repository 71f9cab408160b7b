"""Related articles, backlinks and pillar neighbours, computed from plain data without building a site."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from sample_docs import body, clean_catalog, doc

import healthsite.speed.related
from healthsite.config import RelatedConfig
from healthsite.model import Document, Link
from healthsite.relate.related import RelatedIndex, backlinks, pillar_neighbours, related_articles

TAGS_ONLY = RelatedConfig(count=4, min_score=0.1, tag_weight=1.0, pillar_weight=0.0, text_weight=0.0)


def related(articles: list[Document], settings: RelatedConfig = TAGS_ONLY,
            keywords: dict[str, tuple[str, ...]] | None = None, rank=related_articles) -> dict[str, tuple[str, ...]]:
    cat = clean_catalog(*articles)
    return rank(cat, {s: body((keywords or {}).get(s, ())) for s in cat.docs}, settings)


def test_pinned_articles_come_first_even_when_they_share_nothing() -> None:
    result = related([doc("a", tags=("sleep",), related=("lonely",)), doc("b", tags=("sleep",)),
                      doc("lonely", pillar="legs")])
    assert result["a"] == ("lonely", "b")


def test_pins_keep_their_written_order_and_are_never_repeated() -> None:
    result = related([doc("a", tags=("sleep",), related=("c", "b")), doc("b", tags=("sleep",)),
                      doc("c", tags=("sleep",))])
    assert result["a"] == ("c", "b")


def test_count_is_a_maximum_even_for_pins_which_come_first() -> None:
    articles = [doc("a", tags=("sleep",), related=("c", "b")), doc("b", tags=("sleep",)), doc("c", tags=("sleep",)),
                doc("d", tags=("sleep",))]
    assert related(articles, replace(TAGS_ONLY, count=1))["a"] == ("c",)
    assert related(articles, replace(TAGS_ONLY, count=3))["a"] == ("c", "b", "d")
    assert related(articles, replace(TAGS_ONLY, count=0))["a"] == ()


def test_no_more_than_count_scored_articles_are_shown() -> None:
    articles = [doc(f"a{i}", tags=("sleep",)) for i in range(6)]
    assert len(related(articles, replace(TAGS_ONLY, count=3))["a0"]) == 3


def test_below_the_threshold_nothing_is_shown_rather_than_a_weak_match() -> None:
    articles = [doc("a", tags=("sleep",)), doc("b", tags=("sleep",))]
    assert related(articles, replace(TAGS_ONLY, min_score=0.5))["a"] == ("b",)  # one tag on two: 1/log2(3) = 0.63
    assert related(articles, replace(TAGS_ONLY, min_score=0.7))["a"] == ()


def test_an_article_that_shares_nothing_gets_an_empty_block() -> None:
    result = related([doc("a", tags=("sleep",)), doc("b", pillar="legs", tags=("cramps",))])
    assert result == {"a": (), "b": ()}


def test_a_rare_shared_tag_counts_for_more_than_a_common_one() -> None:
    common = [doc(f"filler-{i}", pillar="legs", tags=("common",)) for i in range(6)]
    result = related([doc("a", tags=("rare", "common")), doc("shares-rare", tags=("rare",)),
                      doc("shares-common", tags=("common",)), *common], replace(TAGS_ONLY, count=1))
    assert result["a"] == ("shares-rare",)


def test_more_shared_tags_rank_higher() -> None:
    result = related([doc("a", tags=("x", "y")), doc("one", tags=("x",)), doc("both", tags=("x", "y"))])
    assert result["a"] == ("both", "one")


def test_the_same_pillar_adds_its_weight() -> None:
    settings = replace(TAGS_ONLY, pillar_weight=0.5)
    result = related([doc("a", tags=("sleep",)), doc("b-other", pillar="legs", tags=("sleep",)),
                      doc("c-same", tags=("sleep",))], settings)
    assert result["a"] == ("c-same", "b-other")


def test_shared_keywords_relate_articles_without_shared_tags() -> None:
    settings = replace(TAGS_ONLY, text_weight=2.0, min_score=0.01)
    keywords = {"a": ("magnesium",), "b": ("magnesium",), "c": ("walking",)}
    result = related([doc("a"), doc("b", pillar="legs"), doc("c", pillar="legs")], settings, keywords)
    assert result["a"] == ("b",)


def test_equal_scores_are_ordered_by_slug() -> None:
    result = related([doc("a", tags=("sleep",)), doc("zeta", tags=("sleep",), day=3), doc("beta", tags=("sleep",), day=2),
                      doc("mu", tags=("sleep",), day=9)])
    assert result["a"] == ("beta", "mu", "zeta")


def test_related_articles_do_not_depend_on_file_order() -> None:
    articles = [doc(f"a{i}", pillar=("back", "legs")[i % 2], tags=(f"t{i % 3}", f"t{i % 4}"), day=1 + i % 5)
                for i in range(12)]
    first = related(articles)
    assert related(list(reversed(articles))) == first
    assert related(articles) == first


def varied_articles(count: int) -> list[Document]:
    return [doc(f"a{i:03}", pillar=("back", "legs")[i % 2], tags=(f"t{i % 7}", f"t{i % 11}"),
                related=(f"a{(i * 5 + 1) % count:03}",) if i % 9 == 0 else ()) for i in range(count)]


ONE_CORE = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: related articles are ranked in one process")


@ONE_CORE
def test_a_forked_helper_ranks_half_the_articles_exactly_as_one_process_does(monkeypatch) -> None:
    articles = varied_articles(60)
    keywords = {f"a{i:03}": (f"word{i % 5}", f"word{i % 13}") for i in range(60)}
    alone = related(articles, keywords=keywords)
    monkeypatch.setattr(healthsite.speed.related, "PARALLEL_THRESHOLD", 0)
    helped: list[int] = []
    real = healthsite.speed.related._ranked_by_helper
    monkeypatch.setattr(healthsite.speed.related, "_ranked_by_helper",
                        lambda index, slugs: helped.append(len(slugs)) or real(index, slugs))
    assert related(articles, keywords=keywords, rank=healthsite.speed.related.ranked_in_two_processes) == alone
    assert helped == [30] and sum(map(len, alone.values())) > 60


@ONE_CORE
def test_articles_a_dead_helper_never_ranked_are_ranked_by_the_build(monkeypatch) -> None:
    articles = varied_articles(40)
    alone = related(articles)
    monkeypatch.setattr(healthsite.speed.related, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(healthsite.speed.related, "_rank_and_send", lambda index, slugs, sender, parent: os._exit(1))
    assert related(articles, rank=healthsite.speed.related.ranked_in_two_processes) == alone


def test_an_article_is_never_related_to_itself() -> None:
    result = related([doc("a", tags=("sleep", "rest")), doc("b", tags=("sleep", "rest"))])
    assert result == {"a": ("b",), "b": ("a",)}


def test_a_pinned_draft_is_left_out_until_it_is_published() -> None:
    draft = replace(doc("draft", tags=("sleep",)), draft=True)
    result = related([doc("a", tags=("sleep",), related=("draft",)), doc("b", tags=("sleep",)), draft])
    assert result["a"] == ("b",)


def test_backlinks_list_each_linking_document_once_in_slug_order() -> None:
    links = {"c": (Link("a", "", 3),), "b": (Link("a", "x", 4), Link("a", "", 5), Link("b", "", 6))}
    result = backlinks({slug: body(links=links.get(slug, ())) for slug in ("a", "b", "c")})
    assert result == {"a": ("b", "c")}


def test_pillar_neighbours_are_other_pillars_articles_sharing_its_tags() -> None:
    cat = clean_catalog(doc("a", tags=("sleep",)), doc("b", pillar="legs", tags=("sleep",)),
                  doc("c", pillar="legs", tags=("cramps",)))
    assert pillar_neighbours(cat) == {"back": ("b",), "legs": ("a",)}


def test_serve_ranks_only_the_articles_asked_for_and_reuses_unchanged_terms() -> None:
    articles = [doc("a", tags=("sleep",)), doc("b", tags=("sleep", "posture")), doc("c", tags=("posture",))]
    cat = clean_catalog(*articles)
    bodies = {s: body(("mattress",) if s != "c" else ()) for s in cat.docs}
    terms: dict = {}
    index = RelatedIndex(cat, bodies, TAGS_ONLY, terms)
    assert index.found == {} and set(terms) == {"a", "b", "c"}
    assert index["b"] == related_articles(cat, bodies, TAGS_ONLY)["b"] and list(index.found) == ["b"]
    kept = terms["a"]
    retagged = clean_catalog(articles[0], replace(articles[1], tags=("posture",)), articles[2])
    again = RelatedIndex(retagged, bodies, TAGS_ONLY, terms)
    assert terms["a"] is kept and terms["b"][1] == ("t:en:posture", "k:en:mattress")  # terms of one language
    assert dict(again) == related_articles(retagged, bodies, TAGS_ONLY)
