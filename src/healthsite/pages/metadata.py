"""Describe each page for machines: Open Graph and Twitter tags, feed links, and schema.org JSON-LD."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup

from ..config import SiteConfig
from ..model import Site, lastmod

# schema.org type of each page kind; articles are the health content a reader acts on.
PAGE_TYPES = {"article": "MedicalWebPage", "pillar": "CollectionPage", "tag": "CollectionPage",
              "tags": "CollectionPage", "list": "CollectionPage", "home": "WebSite", "person": "ProfilePage",
              "people": "CollectionPage"}


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class HeadMeta:
    """What partials/meta.html writes into <head>."""

    properties: tuple[tuple[str, str], ...]  # <meta property=...>: Open Graph
    names: tuple[tuple[str, str], ...]  # <meta name=...>: Twitter card
    feeds: tuple[FeedLink, ...]
    jsonld: Markup  # JSON safe to put inside <script>
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, address) of each language version, x-default last


def absolute(config: SiteConfig, url: str) -> str:
    """Return a site URL with the host when base_url names one, else as it is (resolved against the page)."""
    base = config.absolute_url
    if not base:
        return url
    if url[:1] == "/" and url[1:2] != "/" and "/." not in url and not _JOIN_CHANGES.intersection(url):
        return _origin(base) + url  # what urljoin gives for such a path, without its cost on every link of a page
    return urljoin(base, url)


_JOIN_CHANGES = frozenset("?#\t\r\n")  # urljoin drops an empty query or fragment and deletes these characters


@functools.lru_cache(maxsize=8)
def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def head_meta(site: Site, context: Mapping[str, Any]) -> HeadMeta:
    """Build the <head> metadata of one page from the context its template receives."""
    config, page, doc = site.config, context["page"], context.get("doc")
    url = absolute(config, page["url"])
    language = config.language_of(context.get("language") or config.language)
    title = language.title or config.title
    properties = [("og:type", "article" if page["kind"] == "article" else "website"),
                  ("og:title", page["title"]), ("og:description", page["description"]),
                  ("og:site_name", title), ("og:locale", language.code.replace("-", "_"))]
    if config.absolute_url:
        properties.insert(3, ("og:url", url))
    feeds = [FeedLink(title, config.base_path + language.prefix + "feed.xml")]
    pillar = site.catalog.pillar_of.get(doc.slug) if doc is not None else None
    if pillar is not None:  # an article's or a pillar's own; what a page shows of another document is in its summary
        feeds.append(FeedLink(f"{site.summaries[pillar].title} | {title}",
                              config.base_path + site.catalog.urls[pillar].lstrip("/") + "feed.xml"))
    if doc is not None and doc.kind == "article":
        properties += [("article:published_time", doc.published.isoformat()),
                       ("article:modified_time", lastmod(doc).isoformat()),
                       ("article:section", site.summaries[pillar].title)]
        properties += [("article:tag", tag.title) for tag in context.get("tags", ())]
    names = (("twitter:card", "summary"), ("twitter:title", page["title"]), ("twitter:description", page["description"]))
    graph = [_main_node(site, context, url), _breadcrumb_list(config, context, url)]
    return HeadMeta(tuple(properties), names, tuple(feeds), script_json({"@context": "https://schema.org", "@graph": graph}),
                    _alternates(config, context.get("translations") or ()))


def _alternates(config: SiteConfig, translations: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """Return a page's language versions as (hreflang, address), itself among them, and the default language's
    version again as x-default, for <link rel="alternate" hreflang>."""
    found = [(t.language, absolute(config, t.url)) for t in translations]
    default = next((href for code, href in found if code == config.language), None)
    return tuple(found + [("x-default", default)]) if len(found) > 1 and default else tuple(found if len(found) > 1
                                                                                           else ())


def script_json(data: Any) -> Markup:
    """Serialise data as JSON that cannot end its <script> element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def _main_node(site: Site, context: Mapping[str, Any], url: str) -> dict:
    """Describe the page itself: the website on home, a medical page for articles, a web page otherwise."""
    config, page, doc = site.config, context["page"], context.get("doc")
    language = context.get("language") or config.language
    if page["kind"] == "home":
        return {**_website(config), "description": page["description"] or config.description,
                "inLanguage": language, "publisher": _publisher(config)}
    node: dict[str, Any] = {"@type": PAGE_TYPES.get(page["kind"], "WebPage"), "@id": url, "url": url,
                            "name": page["title"], "description": page["description"], "inLanguage": language,
                            "isPartOf": _website(config), "breadcrumb": {"@id": url + "#breadcrumb"}}
    if doc is None:
        return node
    versions = {t.language: absolute(config, t.url) for t in context.get("translations") or () if not t.current}
    if config.language in versions:  # the default language's version is the work this page translates
        node["translationOfWork"] = {"@id": versions[config.language]}
    elif versions:
        node["workTranslation"] = [{"@id": href} for href in versions.values()]
    if doc.kind == "person":  # a profile: the person is its subject; it has no dates of its own
        node["mainEntity"] = _person(site, doc.slug)
        return node
    node.update(headline=doc.title, datePublished=doc.published.isoformat(), dateModified=lastmod(doc).isoformat())
    review = context["review"]  # the status the page shows, from review_status
    if review.reviewed:
        node["lastReviewed"] = review.reviewed.isoformat()
    if review.reviewer:
        node["reviewedBy"] = (_person(site, doc.reviewer) if review.reviewer_url else
                              {"@type": "Person", "name": review.reviewer})
    author = doc.author or config.author
    node["author"] = (_person(site, author) if context.get("author_url") else {"@type": "Person", "name": doc.author}
                      if doc.author else {"@type": "Organization", "name": context["author"]})
    node["publisher"] = _publisher(config)
    if doc.sources:
        node["citation"] = [_citation(source) for source in doc.sources]
    if doc.kind == "article":
        pillar = site.catalog.pillar_of[doc.slug]
        pillar_url = absolute(config, config.base_path + site.catalog.urls[pillar].lstrip("/"))
        pillar_title = site.summaries[pillar].title
        labels = [tag.title for tag in context.get("tags", ())] or [pillar_title]
        node["about"] = [{"@type": "Thing", "name": label} for label in labels]
        node["isPartOf"] = {"@type": "CollectionPage", "@id": pillar_url, "url": pillar_url, "name": pillar_title,
                            "isPartOf": _website(config)}
    return node


def _person(site: Site, slug: str) -> dict:
    """Describe a listed person (or team, as an Organization) with their page, role and credentials."""
    doc, config = site.catalog.docs[slug], site.config
    profile = doc.profile
    url = absolute(config, config.base_path + site.catalog.urls[slug].lstrip("/"))
    node: dict[str, Any] = {"@type": "Organization" if profile.team else "Person", "@id": url + "#person",
                            "name": doc.title, "url": url}
    if profile.role and not profile.team:
        node["jobTitle"] = profile.role
    credentials = [{"@type": "EducationalOccupationalCredential", "name": text, "credentialCategory": category}
                   for text, category in ((profile.qualifications, "qualification"),
                                          (profile.registration, "registration")) if text]
    if credentials:
        node["hasCredential"] = credentials
    if profile.links:
        node["sameAs"] = list(profile.links)
    return node


def _breadcrumb_list(config: SiteConfig, context: Mapping[str, Any], url: str) -> dict:
    """List the trail from home to this page; pages without a visible trail get home and themselves."""
    crumbs: Sequence[Any] = context.get("breadcrumbs") or ()
    trail = [(c.title, c.url) for c in crumbs]
    if not trail or trail[-1][1] != context["page"]["url"]:
        trail = [(context["t"].home, config.base_path)] + ([(context["page"]["title"], context["page"]["url"])]
                                               if context["page"]["url"] != config.base_path else [])
    items = [{"@type": "ListItem", "position": index, "name": title, "item": absolute(config, link)}
             for index, (title, link) in enumerate(trail, start=1)]
    return {"@type": "BreadcrumbList", "@id": url + "#breadcrumb", "itemListElement": items}


def _website(config: SiteConfig) -> dict:
    home = absolute(config, config.base_path)
    return {"@type": "WebSite", "@id": home + "#website", "url": home, "name": config.title}


def _publisher(config: SiteConfig) -> dict:
    return {"@type": "Organization", "name": config.title, "url": absolute(config, config.base_path)}


def _citation(source: Any) -> dict:
    """Describe one source as a cited work."""
    work: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.year:
        work["datePublished"] = str(source.year)
    return work
