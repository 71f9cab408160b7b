"""The plain data passed between pipeline stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: the configuration imports this module's neighbours
    from .config import SiteConfig

Kind = Literal["article", "pillar", "page", "person"]


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    publisher: str | None
    url: str | None
    year: int | None
    line: int | None


@dataclass(frozen=True, slots=True)
class Profile:
    """What a person's (or a team's) file says of them besides the name (`title`) and bio (the body)."""

    role: str | None  # "Physiotherapist", "Editorial team"
    qualifications: str | None  # "BSc Physiotherapy, MCSP", shown as written
    registration: str | None  # "HCPC PH123456", shown as written
    photo: str | None  # a content file, as written
    photo_alt: str | None
    links: tuple[str, ...]  # web addresses about them (a register entry, a profile)
    team: bool  # an organisation or team rather than one person


@dataclass(frozen=True, slots=True)
class Document:
    """One Markdown file, validated."""

    path: str  # "content/circulation/back-cramps.md", as shown to the writer
    source_path: str  # "circulation/back-cramps.md", relative to the content folder
    kind: Kind
    slug: str
    title: str
    description: str
    pillar: str | None
    tags: tuple[str, ...]
    related: tuple[str, ...]
    aliases: tuple[str, ...]
    published: date
    updated: date | None
    reviewed: date | None
    reviewer: str | None
    author: str | None
    sources: tuple[Source, ...]
    draft: bool
    weight: int
    body: str
    body_line: int  # file line of the body's first line
    key_lines: Mapping[str, int]
    checks: Mapping[str, str] = field(default_factory=dict)  # check code -> level for this file (a pillar's: and its
    # articles'), over site.yaml's
    profile: Profile | None = None  # a person's file only
    complete: bool = True  # False when a field had an error: stand-ins fill it so its links and text are checked in
    # the same build, and a build holding it fails, so it is never published
    origins: tuple[tuple[int, str, int], ...] = ()  # where the body's lines were written, when it includes
    # snippets (diagnostics.Origin; content/snippets.py)
    language: str | None = None  # as written in front matter; in the catalog, the language it is in: its own, else
    # its pillar's, else the site's default
    translation_key: str | None = None  # shared by an article's translations (as Hugo's translationKey)

    def line_of(self, key: str) -> int:
        """Return the line of a front-matter key, or of the opening fence."""
        return self.key_lines.get(key, 1)


def lastmod(doc: Document) -> date:
    """Return the last day the document changed: reviewed, updated or published, whichever is latest."""
    return max(d for d in (doc.published, doc.updated, doc.reviewed) if d is not None)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a page shows of a document it lists or names (a card, a breadcrumb, a sitemap entry). Pages read these
    instead of whole documents, so an edit to an article's text renders the pages listing it again only when its
    summary changes, not on every change to its body."""

    kind: Kind
    title: str
    description: str
    minutes: int  # reading time
    lastmod: date  # the last day it changed: reviewed, updated or published
    language: str | None = None  # the language it is written in


@dataclass(frozen=True, slots=True)
class Link:
    """An internal link found in a body: which article it points to and where it was written."""

    target: str  # target document's slug
    anchor: str
    line: int
    href: str = ""  # as the writer wrote it, for messages


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Body:
    """A document's rendered Markdown with what later stages need to know about it."""

    html: str  # sanitised; internal links already point to URLs
    headings: tuple[Heading, ...]
    ids: frozenset[str]
    links: tuple[Link, ...]
    words: int
    sentences: int
    syllables: int
    images_without_alt: tuple[int, ...]  # lines
    has_help_block: bool
    keywords: tuple[str, ...]
    claims: tuple[tuple[int, str], ...] = ()  # (line, word) of each risky claim, found by claims.py
    skipped_headings: tuple[tuple[int, str, int, int, int], ...] = ()  # (line, title, level, level above, shift)
    # of each heading that skips a level (markdown.convert.skipped_headings)
    control_characters: tuple[tuple[int, str], ...] = ()  # (line, characters) of each line with C1 control characters
    placeholders: tuple[tuple[int, str], ...] = ()  # (line, text) of each line `healthsite new` wrote to be replaced


@dataclass(frozen=True, slots=True)
class Catalog:
    """What is published and where, known before any Markdown is rendered: relations are slug -> slugs."""

    docs: Mapping[str, Document]  # slug -> published document, in path order
    urls: Mapping[str, str]  # slug -> site path such as "/circulation/back-cramps/"
    by_source: Mapping[str, str]  # source path -> slug, published documents only
    unpublished: Mapping[str, Document]  # source path -> draft or future document, for link messages
    pillars: tuple[str, ...]  # ordered by weight, then title
    articles: tuple[str, ...]  # newest first, ties by slug
    pages: tuple[str, ...]
    pillar_articles: Mapping[str, tuple[str, ...]]  # pillar -> its articles by weight, then title
    pillar_of: Mapping[str, str]  # article -> its pillar, and pillar -> itself; the one answer to "which pillar?"
    tags: Mapping[str, tuple[str, ...]]  # tag -> articles, newest first
    aliases: Mapping[str, str]  # old site path -> slug
    files: frozenset[str] = frozenset()  # other content files (images, PDFs), copied to the same path
    site_paths: frozenset[str] = frozenset()  # every path the site will hold ("/back/", "/tags/sleep/", "/x.pdf")
    people: tuple[str, ...] = ()  # people and teams (kind: person), by weight then name; their pages are /people/<id>/
    person_articles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # person -> the articles they wrote
    # or reviewed, newest first
    unread: Mapping[str, str] = field(default_factory=dict)  # source path -> slug, of Markdown files whose errors
    # left no page to link to: links to them wait for the fix instead of being reported too
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # document -> its translations,
    # language -> slug (itself included), for documents that have any
    language: str | None = None  # the language this catalog holds only, or None: every language (Catalog.only)


@dataclass(frozen=True, slots=True)
class Site:
    """Everything pages are made from: the catalog, the rendered bodies and how documents relate."""

    config: SiteConfig
    catalog: Catalog
    bodies: Mapping[str, Body]
    related: Mapping[str, tuple[str, ...]]  # article -> related articles, pinned first
    backlinks: Mapping[str, tuple[str, ...]]  # document -> documents linking to it
    pillar_neighbours: Mapping[str, tuple[str, ...]]  # pillar -> articles of other pillars sharing its tags
    summaries: Mapping[str, Summary]  # document -> what lists and links show of it, in the catalog's order
    overdue_reviews: Mapping[str, date]  # document -> when its review fell due, for those overdue on the build date
