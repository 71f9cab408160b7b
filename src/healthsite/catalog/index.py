"""Decide what is published and where: URLs, pillars, tags and aliases, before any Markdown is rendered."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from ..config import DEFAULT_AUTHOR, SiteConfig
from ..diagnostics import Diagnostics, did_you_mean
from ..model import Catalog, Document

RESERVED_PATHS = ("/tags/", "/404.html", "/sitemap.xml", "/robots.txt", "/feed.xml", "/pagefind/", "/static/",
                  "/search/")


def build_catalog(config: SiteConfig, docs: Sequence[Document], diags: Diagnostics,
                  files: frozenset[str] = frozenset(), unread: Mapping[str, str] | None = None) -> Catalog:
    """Give every published document a unique URL and file it under its pillar and tags. `unread` maps the
    Markdown files that could not be read to their slugs: links to them are not reported. A document with an error
    is kept with a stand-in, so the same build checks the rest of it; it is never published, as the build fails."""
    published = [d for d in docs if is_published(d, config)]
    unpublished = {d.source_path: d for d in docs if not is_published(d, config)}
    by_slug = _unique_slugs(published, diags)
    unread = {**(unread or {}), **{d.source_path: d.slug for d in published if by_slug.get(d.slug) is not d}}
    _resolve_languages(config, by_slug, diags)
    pillars = sorted((d for d in by_slug.values() if d.kind == "pillar"), key=lambda d: (d.weight, d.title, d.slug))
    pillar_slugs = [d.slug for d in pillars]
    prefixes = {language.code: language.prefix for language in config.languages}
    urls: dict[str, str] = {}
    pillar_of = {slug: slug for slug in pillar_slugs}
    for doc in list(by_slug.values()):
        if doc.kind == "article":
            pillar = _article_pillar(doc, pillar_slugs, diags)
            if pillar is None and pillar_slugs:  # the first pillar stands in, so its links are checked too
                pillar, by_slug[doc.slug] = pillar_slugs[0], dataclasses.replace(doc, complete=False)
            elif pillar is None:
                del by_slug[doc.slug]
                unread[doc.source_path] = doc.slug
                continue
            pillar_of[doc.slug] = pillar
            if doc.language is None:  # its pillar's language
                by_slug[doc.slug] = doc = dataclasses.replace(by_slug[doc.slug], language=by_slug[pillar].language)
            urls[doc.slug] = f"/{prefixes[doc.language]}{pillar}/{doc.slug}/"
        elif doc.kind == "person":
            urls[doc.slug] = f"/people/{doc.slug}/"
        else:
            urls[doc.slug] = f"/{prefixes[doc.language]}{doc.slug}/"
    articles = sorted((d for d in by_slug.values() if d.kind == "article"), key=lambda d: (-d.published.toordinal(), d.slug))
    waiting = {d.slug for d in unpublished.values()} | set(unread.values())
    _check_related(articles, by_slug, waiting, diags, config.related.count)
    people = tuple(d.slug for d in sorted((d for d in by_slug.values() if d.kind == "person"),
                                          key=lambda d: (d.weight, d.title, d.slug)))
    person_articles = _check_people(config, articles, people, by_slug, diags)
    aliases = _check_urls(by_slug, urls, diags, bool(people), config)
    translations = _translations(config, by_slug, diags)
    for doc in by_slug.values():  # the levels of the checks run from here on: the pillar's, then the file's own
        pillar = by_slug.get(pillar_of.get(doc.slug, ""))
        if levels := {**(pillar.checks if pillar else {}), **doc.checks}:
            diags.file_levels[doc.path] = levels
    pillar_articles: dict[str, list[Document]] = defaultdict(list)
    tags: dict[str, list[str]] = defaultdict(list)
    for doc in articles:
        pillar_articles[pillar_of[doc.slug]].append(doc)
        for tag in doc.tags:
            tags[tag].append(doc.slug)
    return Catalog(
        docs=by_slug,
        urls=urls,
        by_source={d.source_path: d.slug for d in by_slug.values()},
        unpublished=unpublished,
        pillars=tuple(pillar_slugs),
        articles=tuple(d.slug for d in articles),
        pages=tuple(sorted(d.slug for d in by_slug.values() if d.kind == "page")),
        people=people,
        person_articles=person_articles,
        pillar_articles={p: tuple(d.slug for d in sorted(pillar_articles.get(p, []), key=lambda d: (d.weight, d.title, d.slug)))
                         for p in pillar_slugs},
        pillar_of={slug: pillar_of[slug] for slug in by_slug if slug in pillar_of},
        tags={tag: tuple(slugs) for tag, slugs in sorted(tags.items())},
        aliases=aliases,
        files=(checked := _check_files(config, files, diags)),
        site_paths=_site_paths(config, urls, pillar_slugs, tags, aliases, checked, people, by_slug),
        unread=unread,
        translations=translations,
    )


def in_language(catalog: Catalog, language: str) -> Catalog:
    """Return the part of the catalog one language's pages list: its pillars, articles, pages and tags. Documents
    and addresses stay whole, so links across languages still resolve."""
    if catalog.language == language:
        return catalog
    docs = catalog.docs

    def mine(slugs):
        return tuple(slug for slug in slugs if docs[slug].language == language)

    tags = {tag: mine(slugs) for tag, slugs in catalog.tags.items()}
    return dataclasses.replace(
        catalog, pillars=mine(catalog.pillars), articles=mine(catalog.articles), pages=mine(catalog.pages),
        pillar_articles={pillar: slugs for pillar, slugs in catalog.pillar_articles.items()
                         if docs[pillar].language == language},
        tags={tag: slugs for tag, slugs in tags.items() if slugs}, language=language)


def _resolve_languages(config: SiteConfig, by_slug: dict[str, Document], diags: Diagnostics) -> None:
    """Check the language each document names against the site's; a pillar, page or person naming none is in the
    default language (an article naming none takes its pillar's, later). A document naming an unknown language is
    kept in the default one, so the rest of it is checked."""
    codes = [language.code for language in config.languages]
    for slug, doc in list(by_slug.items()):
        language = doc.language
        if language is not None and language not in codes:
            close = [code for code in codes if code.lower() == language.lower()]
            diags.error("language-unknown", doc.path, doc.line_of("language"),
                        f"language '{language}' is not one of the site's languages ({', '.join(codes)})",
                        hint=f"Did you mean '{close[0]}'?" if close else did_you_mean(language, codes) or
                        "Add it to 'languages' in site.yaml, or correct it")
            by_slug[slug] = doc = dataclasses.replace(doc, language=codes[0], complete=False)
        if doc.language is None and doc.kind != "article":
            by_slug[slug] = dataclasses.replace(doc, language=codes[0])


def _translations(config: SiteConfig, by_slug: Mapping[str, Document],
                  diags: Diagnostics) -> dict[str, dict[str, str]]:
    """Group documents by `translation_key`; two of one language with the same key are an error naming both."""
    groups: dict[str, dict[str, Document]] = defaultdict(dict)
    for doc in sorted(by_slug.values(), key=lambda d: d.path):
        if doc.translation_key is None:
            continue
        group = groups[doc.translation_key]
        if first := group.get(doc.language):
            diags.error("translation-duplicate", doc.path, doc.line_of("translation_key"),
                        f"translation_key '{doc.translation_key}' is already the {doc.language} translation in "
                        f"{first.path}:{first.line_of('translation_key')}",
                        hint="Each language holds one document of a key: change the key of one of them")
            continue
        group[doc.language] = doc
    order = {language.code: index for index, language in enumerate(config.languages)}
    found = {}
    for group in groups.values():
        if len(group) > 1:
            languages = {code: group[code].slug for code in sorted(group, key=order.__getitem__)}
            found.update({doc.slug: languages for doc in group.values()})
    return found


def _site_paths(config: SiteConfig, urls: Mapping[str, str], pillars: Sequence[str], tags: Mapping[str, list[str]],
                aliases: Mapping[str, str], files: frozenset[str], people: Sequence[str],
                docs: Mapping[str, Document]) -> frozenset[str]:
    """List every path the built site holds, for root-relative links to be checked against."""
    own = {"/robots.txt"} | ({"/people/"} if people else set()) | ({"/sitemap.xml"} if config.absolute_url else set())
    for language in config.languages:
        home = f"/{language.prefix}"
        own |= {home, f"{home}tags/", f"{home}404.html", f"{home}feed.xml"} | ({f"{home}search/"} if config.search
                                                                               else set())
        own |= {f"{home}tags/{tag}/" for tag, slugs in tags.items()
                if any(docs[slug].language == language.code for slug in slugs)}
    return frozenset(own | set(urls.values()) | set(aliases) | {f"{urls[pillar]}feed.xml" for pillar in pillars}
                     | {f"/{file}" for file in files})


def tag_label(config: SiteConfig, tag: str, language: str | None = None) -> str:
    """Return a tag's label: its name in the vocabulary (in `language` where given per language), else its slug as
    words ('night-time': 'Night time')."""
    if language is not None and (label := config.tag_labels.get(tag, {}).get(language)):
        return label
    return config.tags.get(tag) or tag.replace("-", " ").capitalize()


def is_published(doc: Document, config: SiteConfig) -> bool:
    """Tell whether a document is built: not a draft and not dated after the build, unless drafts are shown."""
    return config.drafts or (not doc.draft and doc.published <= config.build_date)


def _unique_slugs(docs: Sequence[Document], diags: Diagnostics) -> dict[str, Document]:
    """Keep the first document of each slug and report the others; a document with errors never takes a slug from
    one without (its slug may be a stand-in), and its clash is not reported."""
    by_slug: dict[str, Document] = {}
    for doc in sorted(docs, key=lambda d: not d.complete):  # stable: path order within each
        if doc.slug in by_slug and not doc.complete:
            continue
        if doc.slug in by_slug:
            first = by_slug[doc.slug]
            diags.error("slug-duplicate", doc.path, doc.line_of("slug"),
                        f"slug '{doc.slug}' is already used by {first.path}",
                        hint="Give one of them a different 'slug:' or file name")
        else:
            by_slug[doc.slug] = doc
    return by_slug


def _article_pillar(doc: Document, pillars: Sequence[str], diags: Diagnostics) -> str | None:
    """Return the article's pillar: the one it names, or else the one its folder is named after."""
    if doc.pillar is None:
        folder = PurePosixPath(doc.source_path).parent.name
        if folder in pillars:
            return folder
        diags.error("pillar-missing", doc.path, 1, "the article names no pillar",
                    hint=f"Add 'pillar: ...' with one of: {', '.join(pillars)}" if pillars else
                    "Create a pillar page (kind: pillar) first")
        return None
    if doc.pillar not in pillars:
        diags.error("pillar-unknown", doc.path, doc.line_of("pillar"), f"pillar '{doc.pillar}' does not exist",
                    hint=did_you_mean(doc.pillar, pillars) or f"Known pillars: {', '.join(pillars) or 'none'}")
        return None
    return doc.pillar


def _check_related(articles: Sequence[Document], by_slug: Mapping[str, Document], unpublished: set[str],
                   diags: Diagnostics, count: int) -> None:
    """Report pinned related slugs that name no article; a pinned draft is left out until it is published."""
    slugs = [d.slug for d in articles]
    for doc in articles:
        for index, slug in enumerate(doc.related):
            target = by_slug.get(slug)
            line = doc.key_lines.get(f"related[{index}]", doc.line_of("related"))
            if slug == doc.slug:
                diags.error("related-not-found", doc.path, line, "an article cannot be related to itself",
                            hint=f"Remove '{slug}' from 'related'")
            elif target is not None and target.kind != "article":
                diags.error("related-not-found", doc.path, line, f"related '{slug}' is a {target.kind}, not an article",
                            hint="Link to it in the text instead")
            elif target is None and slug not in unpublished:
                diags.error("related-not-found", doc.path, line, f"related article '{slug}' does not exist",
                            hint=did_you_mean(slug, [s for s in slugs if s != doc.slug]))
            elif index == count > 0:
                diags.warning("related-over-count", doc.path, line, f"only the first {count} of the "
                              f"{len(doc.related)} pinned related articles are shown (related.count is {count})",
                              hint="Pin fewer, or raise related.count in site.yaml")


def _check_people(config: SiteConfig, articles: Sequence[Document], people: Sequence[str],
                  by_slug: Mapping[str, Document], diags: Diagnostics) -> dict[str, tuple[str, ...]]:
    """Check that articles name listed people by id, and return each person's articles (written or reviewed),
    newest first. A site that lists nobody may name people in plain text: a reviewer so named gets a warning, once."""
    found: dict[str, list[str]] = {person: [] for person in people}
    named: set[str] = set()
    for doc in articles:
        for role, name in (("author", doc.author), ("reviewer", doc.reviewer)):
            if name is None and role == "author" and config.author in found:
                name = config.author  # site.yaml's author, an id; checked once, below
            if name is None:
                continue
            if name in found:
                if doc.slug not in found[name]:
                    found[name].append(doc.slug)
            elif people:
                diags.error("person-unknown", doc.path, doc.line_of(role), f"{role} '{name}' is not a listed person",
                            hint=did_you_mean(name, people) or
                            f"Write the id of a person in {config.content_dir}/people/ ({', '.join(people[:5])})")
            elif role == "reviewer" and name not in named:
                named.add(name)
                diags.warning("person-unlisted", doc.path, doc.line_of(role), f"reviewer '{name}' has no page, so "
                              "readers cannot see their qualifications",
                              hint=f"List them in {config.content_dir}/people/<id>.md with 'kind: person' and "
                              "'qualifications:', then write 'reviewer: <id>'")
    default = config.author
    if people and default not in found and default != DEFAULT_AUTHOR:
        diags.error("person-unknown", config.config_path, None, f"author '{default}' is not a listed person",
                    hint=did_you_mean(default, people) or
                    f"Write the id of a person in {config.content_dir}/people/")
    return {person: tuple(slugs) for person, slugs in found.items()}


def _check_urls(by_slug: dict[str, Document], urls: dict[str, str], diags: Diagnostics,
                people: bool = False, config: SiteConfig | None = None) -> dict[str, str]:
    """Report URLs that clash, ignoring case as some file systems do, and return the usable aliases; the people
    index, /people/, is taken when the site lists people, and each language's home below its prefix."""
    owners: dict[str, str] = {"/people/": "the list of people"} if people else {}
    for language in config.languages[1:] if config else ():
        owners[f"/{language.prefix}"] = f"the home page in {language.code}"
    for slug, url in sorted(urls.items(), key=lambda item: by_slug[item[0]].path):
        doc = by_slug[slug]
        if owner := owners.get(url.lower()) or _reserved(url) or _reserved_in_language(url, config):
            diags.error("url-duplicate", doc.path, doc.line_of("slug"),
                        f"the address {url} is already taken by {owner}", hint="Choose another slug")
            continue
        owners[url.lower()] = doc.path
    aliases: dict[str, str] = {}
    listed = {urls[d.slug].lower() for d in by_slug.values() if d.kind == "pillar" and d.slug in urls}
    for doc in sorted(by_slug.values(), key=lambda d: d.path):
        for index, alias in enumerate(doc.aliases):
            if owner := owners.get(alias.lower()) or _reserved(alias) or _list_page(alias, listed):
                diags.error("alias-duplicate", doc.path, doc.key_lines.get(f"aliases[{index}]", doc.line_of("aliases")),
                            f"alias {alias} is already the address of {owner}", hint="Remove the alias or change it")
                continue
            owners[alias.lower()] = doc.path
            aliases[alias] = doc.slug
    return aliases


def _check_files(config: SiteConfig, files: frozenset[str], diags: Diagnostics) -> frozenset[str]:
    """Leave out, and report, content files that would overwrite a file healthsite writes itself."""
    clashing = {name for name in files if _reserved("/" + name)}
    for name in sorted(clashing):
        diags.error("url-duplicate", f"{config.content_dir}/{name}", None,
                    f"the address /{name} is already taken by {_reserved('/' + name)}", hint="Move or rename the file")
    return files - clashing


def _list_page(path: str, pillar_urls: set[str]) -> str:
    """Name the pillar list page at a site path ('/circulation/page/2/'), or return ''."""
    head, _, number = path.lower().rstrip("/").rpartition("/page/")
    return f"page {number} of the list of {head}/" if number.isdigit() and head + "/" in pillar_urls else ""


LANGUAGE_PATHS = ("/tags/", "/404.html", "/feed.xml", "/search/")  # what each language has below its prefix


def _reserved_in_language(path: str, config: SiteConfig | None) -> str:
    """Name the page healthsite writes itself at a site path below a language's prefix ('/es/tags/'), or ''."""
    for language in config.languages[1:] if config else ():
        prefix = f"/{language.prefix}".lower()
        if path.lower().startswith(prefix):
            rest = "/" + path[len(prefix):].lower()
            if any(rest.rstrip("/") == own.rstrip("/") or (own.endswith("/") and rest.startswith(own))
                   for own in LANGUAGE_PATHS):
                return "the tag pages" if rest.startswith("/tags/") else "a page healthsite writes itself"
    return ""


def _reserved(path: str) -> str:
    """Name what healthsite writes at or below a site path itself ('' when nothing), ignoring case."""
    path = path.lower()
    for reserved in RESERVED_PATHS:
        if path.rstrip("/") == reserved.rstrip("/") or (reserved.endswith("/") and path.startswith(reserved)):
            return "the tag pages" if reserved == "/tags/" else "a page healthsite writes itself"
    return ""
