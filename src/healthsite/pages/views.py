"""Turn the related Site into the small, named contexts that templates receive."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from ..catalog.index import tag_label
from ..catalog.review import review_status
from ..config import contact_href
from ..markdown.readability import reading_minutes
from ..model import Body, Catalog, Document, Heading, Site, lastmod
from .assets import Assets

TOC_MIN_HEADINGS = 4
HELP_TITLE = "When to get help"
# The anchor markdown.convert.mark_help_block puts before the help box, and the h2 right before it when one
# introduces the box.
_HELP_ANCHOR = re.compile(r'(?:<h2 id="([^"]+)"[^>]*>(?:(?!</h2>).)*</h2>\s*)?<div class="help-anchor" id="([^"]+)">',
                          re.S)


@dataclass(frozen=True, slots=True)
class Crumb:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    description: str
    url: str
    minutes: int
    pillar: str


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page of a long list of articles stands: page 2 of 46 shows articles 25 to 48 of 1,100."""

    number: int
    count: int
    total: int
    first: int
    last: int
    prev: str | None
    next: str | None
    links: tuple[Crumb | None, ...]
    """Numbered links (the first, the last and the two either side of this one); None where numbers are skipped."""


@dataclass(frozen=True, slots=True)
class Review:
    reviewed: date | None
    reviewer: str | None  # the reviewer's name
    next_due: date | None
    overdue: bool
    reviewer_url: str | None = None  # their page, when the site lists them


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    base_path: str
    absolute_url: str | None
    nav: tuple[Crumb, ...]
    assets: dict[str, str]  # template name -> URL
    search: bool
    related: bool  # articles show a related-articles block (related.count is above 0)
    disclaimer_url: str | None
    about_url: str | None
    contact_url: str  # where readers report an error ('' when the site names none)
    people_url: str  # the list of people who write and review ('' when the site lists none)


class Views:
    """Build template contexts for one site; URL and card lookups are shared between pages."""

    def __init__(self, site: Site, assets: Assets):
        self.site = site
        self.catalog = site.catalog
        config = site.config
        self.base = config.base_path
        pages = self.catalog.docs
        self.site_view = SiteView(
            title=config.title, description=config.description, language=config.language,
            base_path=self.base, absolute_url=config.absolute_url,
            nav=tuple(Crumb(pages[p].title, self.url(p)) for p in self.catalog.pillars),
            assets={name: self.base + out for name, out in assets.names.items()},
            search=config.search,
            related=config.related.count > 0,
            disclaimer_url=self.url("editorial-policy") if "editorial-policy" in pages else None,
            about_url=self.url("about") if "about" in pages else None,
            contact_url=contact_href(config.contact) if config.contact else "",
            people_url=self.path("/people/") if self.catalog.people else "",
        )

    def url(self, slug: str) -> str:
        """Return the site-relative URL of a published document."""
        return self.base + self.catalog.urls[slug].lstrip("/")

    def path(self, site_path: str) -> str:
        return self.base + site_path.lstrip("/")

    def pillar(self, slug: str) -> Crumb | None:
        """Return the pillar an article or pillar belongs to, as its title and URL; pages belong to none."""
        pillar = self.catalog.pillar_of.get(slug)
        return None if pillar is None else Crumb(self.site.summaries[pillar].title, self.url(pillar))

    def card(self, slug: str) -> Card:
        """Return a document's card, made from summaries: the pages that list a document read no more of it."""
        summary = self.site.summaries[slug]
        pillar = self.pillar(slug) if summary.kind == "article" else None
        return Card(summary.title, summary.description, self.url(slug), summary.minutes, pillar.title if pillar else "")

    def cards(self, slugs: Sequence[str]) -> list[Card]:
        return [self.card(s) for s in slugs if s in self.site.summaries]

    def paged(self, slugs: Sequence[str], url: str, number: int) -> tuple[list[Card], Pager]:
        """Return the cards of page `number` of a list whose first page is at `url`, and where that page stands."""
        per_page = self.site.config.lists.per_page
        count, start = page_count(len(slugs), per_page), (number - 1) * per_page
        cards = self.cards(page_of(slugs, number, per_page))
        links = tuple(None if n is None else Crumb(str(n), page_url(url, n)) for n in page_numbers(number, count))
        pager = Pager(number, count, len(slugs), start + 1, start + len(cards),
                      page_url(url, number - 1) if number > 1 else None,
                      page_url(url, number + 1) if number < count else None, links)
        return cards, pager

    def review(self, doc: Document) -> Review:
        """Return the review status: when it was reviewed, by whom, when the next review falls due and whether it is
        overdue, all decided by review_status."""
        status = review_status(doc, self.site.config)
        reviewer = self.person(doc.reviewer) if status.reviewed and doc.reviewer else None
        # Whether it is overdue depends on the build date, which pages read only through Site.overdue_reviews (made by
        # review_status too), so that a build on a later day renders again only the pages whose review fell due.
        return Review(status.reviewed, reviewer.title if reviewer else None, status.due,
                      doc.slug in self.site.overdue_reviews, reviewer.url or None if reviewer else None)

    def person(self, name: str) -> Crumb:
        """Return a person named by id as their name and page; a name in plain text has no page (url '')."""
        if name in self.catalog.person_articles:
            return Crumb(self.site.summaries[name].title, self.url(name))
        return Crumb(name, "")

    def breadcrumbs(self, slug: str) -> list[Crumb]:
        doc = self.catalog.docs[slug]
        crumbs = [Crumb("Home", self.base)]
        if doc.kind == "article":
            crumbs.append(self.pillar(slug))
        crumbs.append(Crumb(doc.title, self.url(slug)))
        return crumbs

    def document(self, slug: str) -> dict:
        """Return the context of an article, pillar or page."""
        doc = self.catalog.docs[slug]
        body = self.site.bodies.get(slug)
        headings = [h for h in body.headings if h.level == 2] if body else []
        help_id, toc = contents(body, headings)
        context = dict(
            page=self._page(doc.kind, doc.title, doc.description, self.url(slug), draft=doc.draft),
            doc=doc,
            body=Markup(body.html if body else ""),
            toc=toc,
            help=help_id,
            minutes=reading_minutes(body.words if body else 0),
            words=body.words if body else 0,
            modified=lastmod(doc),
            review=self.review(doc),
            author=(author := self.person(doc.author or self.site.config.author)).title,
            author_url=author.url,
            tags=[Crumb(tag_label(self.site.config, t), self.path(f"/tags/{t}/")) for t in doc.tags],
            pillar=self.pillar(slug),
            breadcrumbs=self.breadcrumbs(slug),
            related=self.cards(self.site.related.get(slug, ())),
            backlinks=self.cards([s for s in self.site.backlinks.get(slug, ()) if self.site.summaries[s].kind == "article"]),
        )
        if doc.kind == "pillar":
            articles = self.catalog.pillar_articles.get(slug, ())
            context["articles"], context["pager"] = self.paged(articles, self.url(slug), 1)
            context["neighbours"] = self.cards(self.site.pillar_neighbours.get(slug, ()))
            # A pillar whose text already links every one of its articles lists them once: its text, not the cards
            # too (a list longer than a page keeps its cards and pager).
            linked = {link.target for link in body.links} if body else set()
            context["articles_in_body"] = (bool(articles) and context["pager"].count == 1
                                           and linked.issuperset(articles))
        if doc.kind == "person":
            articles = self.catalog.person_articles.get(slug, ())
            context["articles"], context["pager"] = self.paged(articles, self.url(slug), 1)
            context["breadcrumbs"] = [Crumb("Home", self.base), Crumb("People", self.path("/people/")),
                                      Crumb(doc.title, self.url(slug))]
        return context

    def people(self) -> dict:
        """Return the context of the list of people: each with their role, and how many articles they wrote or
        reviewed."""
        url = self.path("/people/")
        people = [(self.card(p), len(self.catalog.person_articles.get(p, ()))) for p in self.catalog.people]
        return dict(page=self._page("people", "Who writes and reviews our articles",
                                    f"The people and teams behind {self.site.config.title}.", url),
                    people=people, breadcrumbs=[Crumb("Home", self.base), Crumb("People", url)])

    def person_list(self, slug: str, number: int) -> dict:
        """Return the context of page `number` (2 or more) of the articles a person wrote or reviewed."""
        title, url = self.site.summaries[slug].title, self.url(slug)
        articles, pager = self.paged(self.catalog.person_articles.get(slug, ()), url, number)
        return self._list("person", title, Crumb(title, url), articles, pager,
                          [Crumb("Home", self.base), Crumb("People", self.path("/people/")), Crumb(title, url)])

    def pillar_cards(self) -> list[tuple[Card, int]]:
        """Return every pillar's card with its number of articles."""
        return [(self.card(p), len(self.catalog.pillar_articles.get(p, ()))) for p in self.catalog.pillars]

    def home(self) -> dict:
        return dict(page=self._page("home", self.site.config.title, self.site.config.description, self.base),
                    pillars=self.pillar_cards(), latest=self.cards(self.catalog.articles[:6]),
                    breadcrumbs=[Crumb("Home", self.base)])

    def tag(self, tag: str, number: int = 1) -> dict:
        """Return the context of a tag's page, or of page `number` of its list."""
        label = tag_label(self.site.config, tag)
        url = self.path(f"/tags/{tag}/")
        articles, pager = self.paged(self.catalog.tags[tag], url, number)
        crumbs = [Crumb("Home", self.base), Crumb("Topics", self.path("/tags/")), Crumb(label, url)]
        if number > 1:
            return self._list("tag", f"Articles about {label.lower()}", Crumb(label, url), articles, pager, crumbs)
        return dict(page=self._page("tag", f"Articles about {label.lower()}",
                                    f"Every article on this site tagged '{label}'.", url),
                    tag=label, articles=articles, pager=pager, breadcrumbs=crumbs)

    def pillar_list(self, slug: str, number: int) -> dict:
        """Return the context of page `number` (2 or more) of a pillar's articles; page 1 is the pillar's own."""
        title, url = self.site.summaries[slug].title, self.url(slug)
        articles, pager = self.paged(self.catalog.pillar_articles.get(slug, ()), url, number)
        return self._list("pillar", title, Crumb(title, url), articles, pager,
                          [Crumb("Home", self.base), Crumb(title, url)])

    def _list(self, of: str, title: str, start: Crumb, articles: list[Card], pager: Pager,
              crumbs: list[Crumb]) -> dict:
        """Return the context of a further page of a tag's or a pillar's list (list.html)."""
        url = page_url(start.url, pager.number)
        where = {"tag": f"tagged '{start.title}'", "person": f"by {start.title}"}.get(of, f"in {start.title}")
        shown = f"Article {pager.first}" if pager.first == pager.last else f"Articles {pager.first} to {pager.last}"
        page = self._page("list", f"{title}, page {pager.number} of {pager.count}",
                          f"{shown} of {pager.total} {where}.", url)
        return dict(page=page, list_of=of, start=start, articles=articles, pager=pager,
                    pillar=start if of == "pillar" else None, breadcrumbs=[*crumbs, Crumb(f"Page {pager.number}", url)])

    def tags(self) -> dict:
        url = self.path("/tags/")
        config = self.site.config
        tags = [(Crumb(tag_label(config, t), self.path(f"/tags/{t}/")), len(s)) for t, s in self.catalog.tags.items()]
        return dict(page=self._page("tags", "All topics", "Browse every article on this site by topic.", url),
                    tags=sorted(tags, key=lambda item: item[0].title.lower()),
                    breadcrumbs=[Crumb("Home", self.base), Crumb("Topics", url)])

    def search(self) -> dict:
        """Return the context of the search page, whose results come from Pagefind in the browser."""
        url = self.path("/search/")
        return dict(page=self._page("search", "Search", f"Search every article on {self.site.config.title}.", url),
                    pagefind=self.path("/pagefind/"), breadcrumbs=[Crumb("Home", self.base), Crumb("Search", url)])

    def not_found(self) -> dict:
        return dict(page=self._page("404", "Page not found", "We could not find that page.", self.path("/404.html")),
                    pillars=self.pillar_cards(), breadcrumbs=[])

    def redirect(self, slug: str) -> dict:
        summary = self.site.summaries[slug]
        return dict(page=self._page("redirect", summary.title, summary.description, self.url(slug)),
                    target=self.url(slug))

    def _page(self, kind: str, title: str, description: str, url: str, draft: bool = False) -> dict:
        canonical = self.site.config.absolute_url
        if canonical:
            canonical = canonical.rstrip("/") + "/" + url[len(self.base):]
        return dict(kind=kind, title=title, description=description, url=url, canonical=canonical, draft=draft)


def contents(body: Body | None, headings: list[Heading]) -> tuple[str, list[Heading]]:
    """Return the id of a body's "When to get help" box ('' when it has none) and its table of contents: its
    sections when there are enough of them, the help box first, in place of the heading that introduces it."""
    found = _HELP_ANCHOR.search(body.html) if body is not None and body.has_help_block else None
    toc = headings if len(headings) >= TOC_MIN_HEADINGS else []
    if found is None:
        return "", toc
    introduced_by, help_id = found.groups()
    if toc:
        toc = [Heading(2, help_id, HELP_TITLE), *[h for h in toc if h.id != introduced_by]]
    return help_id, toc


def page_count(total: int, per_page: int) -> int:
    """Return how many pages a list of `total` articles takes, `per_page` a page (0: all on one)."""
    return max(1, -(-total // per_page)) if per_page else 1


def page_of(slugs: Sequence[str], number: int, per_page: int) -> Sequence[str]:
    """Return the part of a list on page `number`, `per_page` a page (0: all on one)."""
    return slugs[(number - 1) * per_page:number * per_page] if per_page else slugs


def further_list_pages(catalog: Catalog, per_page: int) -> Iterator[tuple[str, str, str, int, Sequence[str]]]:
    """Yield page 2 and on of every tag's, pillar's and person's list: ('tag', 'pillar' or 'person', its key, the
    site path of the list's first page, the page number, the articles on that page)."""
    lists = [("tag", tag, f"/tags/{tag}/", slugs) for tag, slugs in catalog.tags.items()]
    lists += [("pillar", pillar, catalog.urls[pillar], catalog.pillar_articles.get(pillar, ()))
              for pillar in catalog.pillars]
    lists += [("person", person, catalog.urls[person], catalog.person_articles.get(person, ()))
              for person in catalog.people]
    for kind, key, path, slugs in lists:
        for number in range(2, page_count(len(slugs), per_page) + 1):
            yield kind, key, path, number, page_of(slugs, number, per_page)


def page_url(url: str, number: int) -> str:
    """Return the URL of page `number` of the list at `url` ('/tags/sleep/' -> '/tags/sleep/page/2/')."""
    return url if number == 1 else f"{url}page/{number}/"


def page_numbers(number: int, count: int) -> list[int | None]:
    """Return the page numbers a pager links to: the first, the last, and two either side of `number`, with None
    where numbers are left out (a single left-out number is shown instead: '1 2 3', not '1 … 3')."""
    shown = sorted(n for n in {1, count, *range(number - 2, number + 3)} if 1 <= n <= count)
    numbers: list[int | None] = []
    for previous, n in zip([0, *shown], shown):
        if n - previous == 2:
            numbers.append(n - 1)
        elif n - previous > 2:
            numbers.append(None)
        numbers.append(n)
    return numbers
