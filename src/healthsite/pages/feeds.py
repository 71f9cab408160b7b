"""Write the files machines read: robots.txt, sitemap.xml and Atom feeds for the site and each pillar."""

from __future__ import annotations

import itertools
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin

from ..catalog.index import in_language, tag_label
from ..model import Site, lastmod
from .metadata import absolute
from .views import further_list_pages, page_url

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"  # the sitemap's alternates: <xhtml:link rel="alternate" hreflang=...>
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_ENTRIES = 20
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


def escape(text: str) -> str:
    """Escape &, < and > for XML text and attribute values in double quotes (xml.sax.saxutils.escape, without
    importing urllib.request with it)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def site_files(site: Site) -> Iterator[tuple[str, str]]:
    """Yield robots.txt, the sitemap (when base_url names a host, as sitemaps need) and every Atom feed."""
    yield "robots.txt", robots(site)
    if site.config.absolute_url:
        yield "sitemap.xml", sitemap(site)
    for language in site.config.languages:  # each language's feed, the default's at the root
        yield f"{language.prefix}feed.xml", atom_feed(site, None, language.code)
    for pillar in site.catalog.pillars:
        yield site.catalog.urls[pillar].strip("/") + "/feed.xml", atom_feed(site, pillar)


def robots(site: Site) -> str:
    """Allow every crawler, and point to the sitemap when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if site.config.absolute_url:
        lines.append(f"Sitemap: {_url(site, '/sitemap.xml')}")
    return "\n".join(lines) + "\n"


def sitemap(site: Site) -> str:
    """List every page worth indexing with the day it last changed."""
    catalog, summaries = site.catalog, site.summaries  # not whole documents: an edit to a body changes no date
    newest = max((summary.lastmod for summary in summaries.values()), default=None)
    entries: list[tuple[str, date | None]] = [("/", newest)]
    entries += [(f"/{language.prefix}", newest) for language in site.config.languages[1:]]
    entries += [(catalog.urls[slug], summary.lastmod) for slug, summary in summaries.items()
                if summary.kind != "person"]
    for person in catalog.people:  # a person's page changes with the articles it lists
        entries.append((catalog.urls[person], max((summaries[s].lastmod for s in catalog.person_articles[person]),
                                                  default=None)))
    if catalog.people:
        entries.append(("/people/", newest))
    for language in site.config.languages:
        mine = in_language(catalog, language.code) if len(site.config.languages) > 1 else catalog
        entries.append((f"/{language.prefix}tags/", newest))
        for tag, slugs in mine.tags.items():
            entries.append((f"/{language.prefix}tags/{tag}/", max(summaries[s].lastmod for s in slugs)))
    for _, _, url, number, shown, _ in further_list_pages(catalog, site.config):  # dated by its newest
        entries.append((page_url(url, number), max(summaries[s].lastmod for s in shown)))
    alternates = _alternates(site)
    # Written as text, not built with ElementTree: the same bytes as _xml() gives, in a tenth of the time, which
    # counts on a large site where any edit rewrites the sitemap.
    base_path, host = site.config.base_path, site.config.absolute_url
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">' if alternates else f'<urlset xmlns="{SITEMAP}">']
    for path, day in entries:
        lines.append(f"  <url>\n    <loc>{escape(urljoin(host, base_path + path.lstrip('/')))}</loc>")
        if day is not None:
            lines.append(f"    <lastmod>{day.isoformat()}</lastmod>")
        for language, other in alternates.get(path, ()):
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{escape(language)}" '
                         f'href="{escape(urljoin(host, base_path + other.lstrip("/")))}"/>')
        lines.append("  </url>")
    return "\n".join(lines) + "\n</urlset>\n"


def _alternates(site: Site) -> dict[str, list[tuple[str, str]]]:
    """Return, for each site path with versions in other languages, every version (itself too) with its language,
    and the default language's as x-default: what the sitemap lists under each such page. Each language's home
    page has the others as its versions."""
    catalog, languages = site.catalog, site.config.languages
    if len(languages) == 1:
        return {}
    found: dict[str, list[tuple[str, str]]] = {}
    homes = [(language.code, f"/{language.prefix}") for language in languages]
    for _, path in homes:
        found[path] = [*homes, ("x-default", "/")]
    for slug, versions in catalog.translations.items():
        paths = [(code, catalog.urls[other]) for code, other in versions.items() if other in catalog.urls]
        default = next((path for code, path in paths if code == site.config.language), None)
        if len(paths) > 1:
            found[catalog.urls[slug]] = paths + ([("x-default", default)] if default else [])
    return found


def atom_feed(site: Site, pillar: str | None, language: str | None = None) -> str:
    """Write the Atom feed of the newest articles, of the whole site in one language or of one pillar."""
    config, catalog = site.config, site.catalog
    language = language or (site.summaries[pillar].language if pillar else None) or config.language
    settings = config.language_of(language)
    site_title = settings.title or config.title
    if pillar:
        slugs = [s for s in catalog.articles if catalog.pillar_of[s] == pillar][:FEED_ENTRIES]
    elif len(config.languages) == 1:
        slugs = list(catalog.articles[:FEED_ENTRIES])
    else:  # one language's newest, reading only as many summaries as it takes
        slugs = list(itertools.islice((s for s in catalog.articles if site.summaries[s].language == language),
                                      FEED_ENTRIES))
    page_path = f"/{settings.prefix}" if pillar is None else catalog.urls[pillar]
    title = site_title if pillar is None else f"{site.summaries[pillar].title} | {site_title}"
    subtitle = (settings.description or config.description) if pillar is None else site.summaries[pillar].description
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: language})
    days = [site.summaries[s].lastmod for s in slugs or site.summaries] or [date(1970, 1, 1)]
    _text(feed, "id", _id(site, page_path))
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    _text(feed, "updated", _timestamp(max(days)))
    _link(feed, "self", _url(site, page_path + "feed.xml"), "application/atom+xml")
    _link(feed, "alternate", _url(site, page_path), "text/html")
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = _clean(config.author)
    _text(feed, "generator", "healthsite")
    for slug in slugs:
        _entry(site, feed, slug)
    return _xml(feed)


def _entry(site: Site, feed: ET.Element, slug: str) -> None:
    """Add one article to a feed: its address, dates, summary, author and topics."""
    doc = site.catalog.docs[slug]
    entry = ET.SubElement(feed, "entry")
    _text(entry, "id", _id(site, site.catalog.urls[slug]))
    _text(entry, "title", doc.title)
    _link(entry, "alternate", _url(site, site.catalog.urls[slug]), "text/html")
    _text(entry, "published", _timestamp(doc.published))
    _text(entry, "updated", _timestamp(lastmod(doc)))
    _text(entry, "summary", doc.description)
    if doc.author:
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = _clean(doc.author)
    for tag in doc.tags:
        ET.SubElement(entry, "category", {"term": tag, "label": _clean(tag_label(site.config, tag, doc.language))})


def _url(site: Site, path: str) -> str:
    """Return the address of a site path: absolute when base_url names a host, else from the site root."""
    return absolute(site.config, site.config.base_path + path.lstrip("/"))


def _id(site: Site, path: str) -> str:
    """Return a permanent id: the page's address when known, else a name-based UUID."""
    if site.config.absolute_url:
        return _url(site, path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'healthsite:{site.config.title}:{path}')}"


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = _clean(text)


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> None:
    ET.SubElement(parent, "link", {"rel": rel, "href": href, "type": media_type})


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _xml(root: ET.Element) -> str:
    """Serialise indented, with an XML declaration; the root carries its namespace as a plain xmlns attribute."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
