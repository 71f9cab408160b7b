"""The catalog decides what is published and where, before any Markdown is rendered."""

from __future__ import annotations

from dataclasses import replace

from sample_docs import CONFIG, catalog_of, clean_catalog, doc


def messages(diags) -> list[str]:
    return [str(d) for d in diags.sorted()]


def test_articles_live_under_their_pillar_and_pages_at_the_top() -> None:
    catalog = clean_catalog(doc("night-pain"), doc("about", "page"))
    assert catalog.urls == {"back": "/back/", "legs": "/legs/", "night-pain": "/back/night-pain/", "about": "/about/"}


def test_an_article_without_a_pillar_field_takes_its_folder_pillar() -> None:
    catalog = clean_catalog(doc("cramps", pillar=None, path="content/legs/cramps.md", source_path="legs/cramps.md"))
    assert catalog.urls["cramps"] == "/legs/cramps/"


def test_an_article_outside_any_pillar_folder_must_name_its_pillar() -> None:
    _, diags = catalog_of(doc("stray", pillar=None))
    assert messages(diags) == ["content/misc/stray.md:1: error: the article names no pillar. "
                               "Add 'pillar: ...' with one of: back, legs [pillar-missing]"]


def test_unknown_pillar_is_an_error_with_the_closest_pillar() -> None:
    catalog, diags = catalog_of(doc("cramps", pillar="leg", key_lines={"pillar": 5}))
    assert messages(diags) == ["content/leg/cramps.md:5: error: pillar 'leg' does not exist. "
                               "Did you mean 'legs'? [pillar-unknown]"]
    # kept under the first pillar as a stand-in, so its links are checked in the same build, which fails
    assert (catalog.docs["cramps"].complete, catalog.pillar_of["cramps"]) == (False, "back")


def test_pillars_are_ordered_by_weight_then_title() -> None:
    diags_free = catalog_of(doc("a-pillar", "pillar", weight=5), doc("z-pillar", "pillar", weight=-1))[0]
    assert diags_free.pillars == ("z-pillar", "back", "legs", "a-pillar")


def test_articles_are_listed_newest_first_with_ties_by_slug() -> None:
    catalog = clean_catalog(doc("old", day=1), doc("new-b", day=9), doc("new-a", day=9), doc("mid", day=5))
    assert catalog.articles == ("new-a", "new-b", "mid", "old")


def test_a_pillars_articles_are_ordered_by_weight_then_title() -> None:
    catalog = clean_catalog(doc("zebra", weight=1), doc("apple", weight=2), doc("mango", weight=1),
                            doc("cramp", pillar="legs"))
    assert catalog.pillar_articles == {"back": ("mango", "zebra", "apple"), "legs": ("cramp",)}


def test_tags_list_their_articles_newest_first_in_tag_order() -> None:
    catalog = clean_catalog(doc("a", tags=("sleep", "cramps"), day=1), doc("b", tags=("sleep",), day=2))
    assert list(catalog.tags.items()) == [("cramps", ("a",)), ("sleep", ("b", "a"))]


def test_drafts_and_future_articles_are_left_out_everywhere() -> None:
    draft = doc("draft", tags=("sleep",), draft=True)
    future = replace(doc("future", tags=("sleep",)), published=CONFIG.build_date.replace(year=2027))
    catalog = clean_catalog(doc("live", tags=("sleep",)), draft, future)
    assert set(catalog.docs) == {"back", "legs", "live"}
    assert catalog.tags == {"sleep": ("live",)}
    assert catalog.pillar_articles["back"] == ("live",)
    assert set(catalog.unpublished) == {"back/draft.md", "back/future.md"}


def test_an_article_dated_on_the_build_date_is_published() -> None:
    today = replace(doc("today"), published=CONFIG.build_date)
    assert "today" in clean_catalog(today).docs


def test_drafts_and_future_articles_are_published_with_drafts_on() -> None:
    future = replace(doc("future"), published=CONFIG.build_date.replace(year=2027))
    catalog, diags = catalog_of(doc("draft", draft=True), future, config=replace(CONFIG, drafts=True))
    assert not diags.items
    assert catalog.articles == ("future", "draft")


def test_a_duplicate_slug_keeps_the_first_file_and_names_it() -> None:
    catalog, diags = catalog_of(doc("same"), doc("same", pillar="legs", key_lines={"slug": 4}))
    assert messages(diags) == ["content/legs/same.md:4: error: slug 'same' is already used by content/back/same.md. "
                               "Give one of them a different 'slug:' or file name [slug-duplicate]"]
    assert catalog.urls["same"] == "/back/same/"


def test_a_page_cannot_take_an_address_healthsite_writes_itself() -> None:
    _, diags = catalog_of(doc("static", "page"))
    assert messages(diags) == ["content/static.md:1: error: the address /static/ is already taken by a page "
                               "healthsite writes itself. Choose another slug [url-duplicate]"]


def test_aliases_map_old_addresses_to_the_article() -> None:
    catalog = clean_catalog(doc("night-pain", aliases=("/old/night/",)))
    assert catalog.aliases == {"/old/night/": "night-pain"}


def test_an_alias_that_is_already_a_page_address_is_an_error() -> None:
    catalog, diags = catalog_of(doc("night-pain", aliases=("/LEGS/",), key_lines={"aliases[0]": 8}))
    assert messages(diags) == ["content/back/night-pain.md:8: error: alias /LEGS/ is already the address of "
                               "content/legs/index.md. Remove the alias or change it [alias-duplicate]"]
    assert catalog.aliases == {}


def test_a_pinned_related_slug_that_names_nothing_suggests_the_closest_article() -> None:
    _, diags = catalog_of(doc("a", related=("stretch",), key_lines={"related[0]": 6}), doc("stretches"))
    assert messages(diags) == ["content/back/a.md:6: error: related article 'stretch' does not exist. "
                               "Did you mean 'stretches'? [related-not-found]"]


def test_an_article_pinned_to_itself_or_to_a_pillar_is_told_so() -> None:
    _, diags = catalog_of(doc("a", related=("a", "legs"), key_lines={"related[0]": 6, "related[1]": 7}))
    assert messages(diags) == [
        "content/back/a.md:6: error: an article cannot be related to itself. Remove 'a' from 'related' "
        "[related-not-found]",
        "content/back/a.md:7: error: related 'legs' is a pillar, not an article. Link to it in the text instead "
        "[related-not-found]"]


def test_pinning_a_draft_is_not_an_error() -> None:
    _, diags = catalog_of(doc("a", related=("draft",)), doc("draft", draft=True))
    assert not diags.items
