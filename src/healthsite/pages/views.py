"""Turn the related Site into the small, named contexts that templates receive."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from ..catalog.index import in_language, tag_label
from ..catalog.review import review_status
from ..config import DEFAULT_AUTHOR, THEME_DIR, SiteConfig, contact_href
from ..markdown.convert import help_title
from ..markdown.readability import reading_minutes
from ..model import Body, Catalog, Document, Heading, Site, lastmod
from ..strings import Strings, site_strings
from .assets import Assets

TOC_MIN_HEADINGS = 4
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
class Translation:
    """One language a page is written in, for the language switcher and the alternates machines read."""

    language: str  # its tag, 'es'
    name: str  # the language's name in itself, 'Español'
    url: str
    current: bool  # the page itself


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    base_path: str  # the home of this language's pages: base_url's path, then the language's prefix
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
    """Build template contexts for one site; URL and card lookups are shared between pages. Each language's pages
    get that language's SiteView and text (`t`), and list only that language's documents (`in_language`)."""

    def __init__(self, site: Site, assets: Assets):
        self.site = site
        self.catalog = site.catalog
        config = site.config
        self.base = config.base_path
        self.default = config.language
        self.catalogs = {language.code: in_language(site.catalog, language.code) for language in config.languages} \
            if len(config.languages) > 1 else {self.default: site.catalog}
        self.site_views = {code: self._site_view(code, assets) for code in self.catalogs}
        self.site_view = self.site_views[self.default]
        self.strings = site_strings(config, THEME_DIR)
        self.t = self.strings[self.default]

    def _site_view(self, code: str, assets: Assets) -> SiteView:
        """Return what every page in one language shows of the site: its title, sections and links."""
        config, catalog = self.site.config, self.catalogs[code]
        language = config.language_of(code)
        pages = catalog.docs

        def own(slug: str) -> str | None:  # a page such as the about page, in this language or its translation
            found = self.catalog.translations.get(slug, {}).get(code, slug)
            return self.url(found) if found in pages else None

        return SiteView(
            title=language.title or config.title, description=language.description or config.description,
            language=code, base_path=self.base + language.prefix, absolute_url=config.absolute_url,
            nav=tuple(Crumb(pages[p].title, self.url(p)) for p in catalog.pillars),
            assets={name: self.base + out for name, out in assets.names.items()},
            search=config.search,
            related=config.related.count > 0,
            disclaimer_url=own("editorial-policy"),
            about_url=own("about"),
            contact_url=contact_href(config.contact) if config.contact else "",
            people_url=self.path("/people/") if self.catalog.people else "",
        )

    def home_url(self, language: str | None = None) -> str:
        """Return the address of a language's home page (the default language's: base_url's path)."""
        return self.site_views[language or self.default].base_path

    def translations(self, slug: str) -> list[Translation]:
        """Return the languages a document is written in, itself among them; none when it has no translation."""
        found = self.catalog.translations.get(slug, {})
        return [Translation(code, language_name(self.site.config, code), self.url(other), other == slug)
                for code, other in found.items() if other in self.catalog.urls]

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

    def writer(self, doc: Document, language: str | None) -> Crumb:
        """Return who wrote a document: its author, else the site's; the default author in the page's language."""
        name = doc.author or self.site.config.author
        if name == DEFAULT_AUTHOR and name not in self.catalog.person_articles:
            return Crumb(self.text(language).editorial_team, "")
        return self.person(name)

    def breadcrumbs(self, slug: str) -> list[Crumb]:
        doc = self.catalog.docs[slug]
        crumbs = [Crumb(self.text(doc.language).home, self.home_url(doc.language))]
        if doc.kind == "article":
            crumbs.append(self.pillar(slug))
        crumbs.append(Crumb(doc.title, self.url(slug)))
        return crumbs

    def document(self, slug: str) -> dict:
        """Return the context of an article, pillar or page."""
        doc = self.catalog.docs[slug]
        language = doc.language or self.default
        body = self.site.bodies.get(slug)
        headings = [h for h in body.headings if h.level == 2] if body else []
        help_id, toc = contents(body, headings, help_title(language))
        context = dict(
            page=self._page(doc.kind, doc.title, doc.description, self.url(slug), draft=doc.draft),
            **self._language(language),
            translations=self.translations(slug),
            doc=doc,
            body=Markup(body.html if body else ""),
            toc=toc,
            help=help_id,
            minutes=reading_minutes(body.words if body else 0),
            words=body.words if body else 0,
            modified=lastmod(doc),
            review=self.review(doc),
            author=(author := self.writer(doc, language)).title,
            author_url=author.url,
            tags=[Crumb(tag_label(self.site.config, t, language), f"{self.home_url(language)}tags/{t}/")
                  for t in doc.tags],
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
            t = self.text(language)
            context["breadcrumbs"] = [Crumb(t.home, self.home_url()), Crumb(t.people, self.path("/people/")),
                                      Crumb(doc.title, self.url(slug))]
        return context

    def people(self) -> dict:
        """Return the context of the list of people: each with their role, and how many articles they wrote or
        reviewed."""
        url = self.path("/people/")
        people = [(self.card(p), len(self.catalog.person_articles.get(p, ()))) for p in self.catalog.people]
        t = self.t
        return dict(page=self._page("people", t.people_title, t.text("people_description", site=self.site_view.title),
                                    url),
                    people=people, breadcrumbs=[Crumb(t.home, self.home_url()), Crumb(t.people, url)])

    def person_list(self, slug: str, number: int) -> dict:
        """Return the context of page `number` (2 or more) of the articles a person wrote or reviewed."""
        title, url = self.site.summaries[slug].title, self.url(slug)
        articles, pager = self.paged(self.catalog.person_articles.get(slug, ()), url, number)
        t = self.t
        crumbs = [Crumb(t.home, self.home_url()), Crumb(t.people, self.path("/people/")), Crumb(title, url)]
        return self._list("person", title, Crumb(title, url), articles, pager, crumbs, t)

    def pillar_cards(self, language: str | None = None) -> list[tuple[Card, int]]:
        """Return every pillar's card (of one language) with its number of articles."""
        catalog = self.catalogs[language or self.default]
        return [(self.card(p), len(catalog.pillar_articles.get(p, ()))) for p in catalog.pillars]

    def home(self, language: str | None = None) -> dict:
        site, home = self.site_views[language or self.default], self.home_url(language)
        return dict(page=self._page("home", site.title, site.description, home), **self._language(language),
                    pillars=self.pillar_cards(language),
                    latest=self.cards(self.catalogs[language or self.default].articles[:6]),
                    translations=self._homes(language), breadcrumbs=[Crumb(self.text(language).home, home)])

    def tag(self, tag: str, number: int = 1, language: str | None = None) -> dict:
        """Return the context of a tag's page, or of page `number` of its list, in one language."""
        label, t = tag_label(self.site.config, tag, language), self.text(language)
        home = self.home_url(language)
        url = f"{home}tags/{tag}/"
        articles, pager = self.paged(self.catalogs[language or self.default].tags[tag], url, number)
        crumbs = [Crumb(t.home, home), Crumb(t.topics, f"{home}tags/"), Crumb(label, url)]
        title = t.text("tag_title", tag=label.lower())
        if number > 1:
            return {**self._list("tag", title, Crumb(label, url), articles, pager, crumbs, t),
                    **self._language(language)}
        return dict(page=self._page("tag", title, t.text("tag_description", tag=label), url),
                    **self._language(language), tag=label, articles=articles, pager=pager, breadcrumbs=crumbs)

    def pillar_list(self, slug: str, number: int) -> dict:
        """Return the context of page `number` (2 or more) of a pillar's articles; page 1 is the pillar's own."""
        title, url = self.site.summaries[slug].title, self.url(slug)
        language = self.site.summaries[slug].language
        articles, pager = self.paged(self.catalog.pillar_articles.get(slug, ()), url, number)
        return {**self._list("pillar", title, Crumb(title, url), articles, pager,
                             [Crumb(self.text(language).home, self.home_url(language)), Crumb(title, url)],
                             self.text(language)), **self._language(language)}

    def _language(self, language: str | None) -> dict:
        """Return what a page in `language` adds to its context: the language, the site as that language shows it
        and its text, `t` (nothing for a one-language site, whose pages all get the one SiteView and `t`)."""
        if len(self.site_views) == 1:
            return {}
        code = language or self.default
        return {"language": code, "site": self.site_views[code], "t": self.strings[code]}

    def text(self, language: str | None) -> Strings:
        """Return the theme's text in one of the site's languages (the default's for None)."""
        return self.strings[language or self.default]

    def _homes(self, language: str | None) -> list[Translation]:
        """Return every language's home page, for the home page's language switcher."""
        if len(self.site_views) == 1:
            return []
        return [Translation(code, language_name(self.site.config, code), view.base_path,
                            code == (language or self.default)) for code, view in self.site_views.items()]

    def _list(self, of: str, title: str, start: Crumb, articles: list[Card], pager: Pager,
              crumbs: list[Crumb], t: Strings) -> dict:
        """Return the context of a further page of a tag's or a pillar's list (list.html)."""
        url = page_url(start.url, pager.number)
        shown = t.text("list_range_one" if pager.first == pager.last else "list_range_other", first=pager.first,
                       last=pager.last)
        description = t.text(f"list_{of}_description", range=shown, total=pager.total, **{of: start.title})
        page = self._page("list", t.text("list_title", title=title, number=pager.number, count=pager.count),
                          description, url)
        return dict(page=page, list_of=of, start=start, articles=articles, pager=pager,
                    pillar=start if of == "pillar" else None,
                    breadcrumbs=[*crumbs, Crumb(t.text("page_number", number=pager.number), url)])

    def tags(self, language: str | None = None) -> dict:
        home = self.home_url(language)
        url = f"{home}tags/"
        config = self.site.config
        tags = [(Crumb(tag_label(config, t, language), f"{url}{t}/"), len(s))
                for t, s in self.catalogs[language or self.default].tags.items()]
        t = self.text(language)
        return dict(page=self._page("tags", t.all_topics, t.all_topics_description, url),
                    **self._language(language), tags=sorted(tags, key=lambda item: item[0].title.lower()),
                    breadcrumbs=[Crumb(t.home, home), Crumb(t.topics, url)])

    def search(self, language: str | None = None) -> dict:
        """Return the context of the search page, whose results come from Pagefind in the browser (which searches
        the index of the page's language); `topics` are the tags' labels, words its spelling-tolerant retry knows."""
        home = self.home_url(language)
        url = f"{home}search/"
        tags = self.catalogs[language or self.default].tags
        topics = sorted(tag_label(self.site.config, tag, language) for tag in tags)
        t, site = self.text(language), self.site_views[language or self.default]
        return dict(page=self._page("search", t.search, t.text("search_description", site=site.title), url),
                    **self._language(language), pagefind=self.path("/pagefind/"), topics=topics,
                    breadcrumbs=[Crumb(t.home, home), Crumb(t.search, url)])

    def not_found(self, language: str | None = None) -> dict:
        t = self.text(language)
        return dict(page=self._page("404", t.not_found_title, t.not_found_description,
                                    f"{self.home_url(language)}404.html"),
                    **self._language(language), pillars=self.pillar_cards(language), breadcrumbs=[])

    def redirect(self, slug: str) -> dict:
        summary = self.site.summaries[slug]
        return dict(page=self._page("redirect", summary.title, summary.description, self.url(slug)),
                    **self._language(summary.language), target=self.url(slug))

    def _page(self, kind: str, title: str, description: str, url: str, draft: bool = False) -> dict:
        canonical = self.site.config.absolute_url
        if canonical:
            canonical = canonical.rstrip("/") + "/" + url[len(self.base):]
        return dict(kind=kind, title=title, description=description, url=url, canonical=canonical, draft=draft)


# Each language's name in itself, for the language switcher; `languages.<tag>.name` in site.yaml names others.
LANGUAGE_NAMES = {"ar": "العربية", "cy": "Cymraeg", "de": "Deutsch", "en": "English", "es": "Español", "fr": "Français",
                  "ga": "Gaeilge", "hi": "हिन्दी", "it": "Italiano", "nl": "Nederlands", "pl": "Polski",
                  "pt": "Português", "ro": "Română", "ru": "Русский", "tr": "Türkçe", "uk": "Українська",
                  "ur": "اردو", "zh": "中文"}


def language_name(config: SiteConfig, code: str) -> str:
    """Return a language's name in itself: as site.yaml names it, else from LANGUAGE_NAMES, else its tag."""
    return config.language_of(code).name or LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


def contents(body: Body | None, headings: list[Heading], title: str) -> tuple[str, list[Heading]]:
    """Return the id of a body's "When to get help" box ('' when it has none) and its table of contents: its
    sections when there are enough of them, the help box first (named `title`, in the page's language), in place of
    the heading that introduces it."""
    found = _HELP_ANCHOR.search(body.html) if body is not None and body.has_help_block else None
    toc = headings if len(headings) >= TOC_MIN_HEADINGS else []
    if found is None:
        return "", toc
    introduced_by, help_id = found.groups()
    if toc:
        toc = [Heading(2, help_id, title), *[h for h in toc if h.id != introduced_by]]
    return help_id, toc


def page_count(total: int, per_page: int) -> int:
    """Return how many pages a list of `total` articles takes, `per_page` a page (0: all on one)."""
    return max(1, -(-total // per_page)) if per_page else 1


def page_of(slugs: Sequence[str], number: int, per_page: int) -> Sequence[str]:
    """Return the part of a list on page `number`, `per_page` a page (0: all on one)."""
    return slugs[(number - 1) * per_page:number * per_page] if per_page else slugs


def further_list_pages(catalog: Catalog, config: SiteConfig
                       ) -> Iterator[tuple[str, str, str, int, Sequence[str], str]]:
    """Yield page 2 and on of every tag's, pillar's and person's list: ('tag', 'pillar' or 'person', its key, the
    site path of the list's first page, the page number, the articles on that page, the list's language)."""
    lists = []
    for language in config.languages:
        mine = in_language(catalog, language.code) if len(config.languages) > 1 else catalog
        lists += [("tag", tag, f"/{language.prefix}tags/{tag}/", slugs, language.code)
                  for tag, slugs in mine.tags.items()]
        lists += [("pillar", pillar, catalog.urls[pillar], catalog.pillar_articles.get(pillar, ()), language.code)
                  for pillar in mine.pillars]
    lists += [("person", person, catalog.urls[person], catalog.person_articles.get(person, ()), config.language)
              for person in catalog.people]
    per_page = config.lists.per_page
    for kind, key, path, slugs, code in lists:
        for number in range(2, page_count(len(slugs), per_page) + 1):
            yield kind, key, path, number, page_of(slugs, number, per_page), code


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
