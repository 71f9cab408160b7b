"""Render every body (convert.py does one) and resolve the links between articles."""

from __future__ import annotations

import difflib
import fnmatch
import html
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, unquote

from ..config import SiteConfig
from ..diagnostics import Diagnostics, did_you_mean
from ..model import Body, Catalog, Document, Heading, Link
from ..progress import no_progress
from .convert import HELP_BOX, Rendered, job_for, render_job
from .sanitize import valid_url

_HREF = re.compile(r'(<(?:a|img)\b[^>]*?\b(?:href|src)=")([^"]*)(")')
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LIST_PAGE = re.compile(r"(/.*/)page/[1-9][0-9]*/?")


Track = Callable[..., Iterable]  # (label, items, total) -> the same items, counted
MakeBodies = Callable[[Sequence[Document], SiteConfig, Catalog, Diagnostics, Track], dict[str, Body]]


def render_bodies(config: SiteConfig, catalog: Catalog, diags: Diagnostics, make: MakeBodies | None = None,
                  track: Track = no_progress) -> dict[str, Body]:
    """Render every published body, resolve its links, and check every link's anchor; `make` renders and
    resolves them (by default `bodies_of`, one after another; the build's maker reuses the caches and a pool)."""
    docs = list(catalog.docs.values())
    bodies = (make or bodies_of)(docs, config, catalog, diags, track)
    check_anchors(catalog, bodies, diags)
    return bodies


def bodies_of(docs: Sequence[Document], config: SiteConfig, catalog: Catalog, diags: Diagnostics,
              track: Track = no_progress) -> dict[str, Body]:
    """Render and resolve each document's body in turn; report a body that cannot be rendered."""
    bodies = {}
    for doc in track("Rendering Markdown", docs, len(docs)):
        outcome = render_job(job_for(doc, config))
        if isinstance(outcome, tuple):
            diags.error("markdown-failed", doc.path, *outcome)
        else:
            bodies[doc.slug] = resolve_links(doc, outcome, config, catalog, diags)
    return bodies


def link_targets(config: SiteConfig, catalog: Catalog) -> tuple:
    """Return everything `resolve_links` checks a link against besides the body itself, as plain sorted values:
    a resolved body can be reused while these are equal."""
    return (config.base_path, tuple(sorted(catalog.urls.items())), tuple(sorted(catalog.by_source.items())),
            tuple(sorted(catalog.unpublished)), tuple(sorted(catalog.files)), tuple(sorted(catalog.site_paths)),
            tuple(sorted(catalog.unread.items())), config.links)


def resolve_links(doc: Document, rendered: Rendered, config: SiteConfig, catalog: Catalog, diags: Diagnostics) -> Body:
    """Point links to other Markdown files at their pages' URLs and report those that lead nowhere."""
    lines: dict[str, list[int]] = {}  # href -> the lines it is written on, in order: each occurrence has its own
    for href, line in rendered.hrefs:
        lines.setdefault(html.unescape(href), []).append(line)
    links: list[Link] = []
    ids = frozenset(rendered.ids)
    headings = [id_ for _, id_, _ in rendered.headings]

    def rewrite(match: re.Match[str]) -> str:
        href = html.unescape(match.group(2))
        written = lines.get(href)
        line = (written.pop(0) if len(written) > 1 else written[0]) if written else doc.body_line
        href = href.strip(" \t\n\r\f")  # as browsers read it
        if len(href) > 1 and href[0] == href[-1] and href[0] in "\"'":  # the renderer keeps a quoted address
            kind = "image" if match.group(1).startswith("<img") else "link"
            diags.error("link-quoted", doc.path, line, f"{kind} address {href} has quotes around it",
                        hint=f"Remove the quotes around the address: ({href[1:-1].strip()})")
            href = href[1:-1].strip()
        new = _rewrite_href(href, line, doc, config, catalog, (ids, headings), links, diags)
        return match.group(1) + html.escape(valid_url(new), quote=True) + match.group(3)  # every href and src

    body_html = _HREF.sub(rewrite, rendered.html)
    return Body(
        html=body_html,
        headings=tuple(Heading(level, id_, title) for level, id_, title in rendered.headings),
        ids=ids, links=tuple(links),
        words=rendered.words, sentences=rendered.sentences, syllables=rendered.syllables,
        images_without_alt=tuple(rendered.images_without_alt),
        has_help_block=bool(HELP_BOX.search(rendered.html)),
        keywords=tuple(rendered.keywords),
        claims=tuple((line, word) for line, word in rendered.claims),
        skipped_headings=tuple(map(tuple, rendered.skipped_headings)),
        control_characters=tuple(map(tuple, rendered.control_characters)),
        placeholders=tuple(map(tuple, rendered.placeholders)),
    )


def _rewrite_href(href: str, line: int, doc: Document, config: SiteConfig, catalog: Catalog,
                  anchors: tuple[frozenset[str], list[str]], links: list[Link], diags: Diagnostics) -> str:
    """Return the URL a written href should have, recording internal links and reporting broken ones."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", href):
        return href
    path, _, anchor = href.partition("#")
    if not path:
        if anchor and anchor not in anchors[0]:
            diags.error("anchor-not-found", doc.path, line, f"link '{href}' points to no heading on this page",
                        hint=anchor_hint(anchor, *anchors))
        return href
    if path.startswith("/"):
        if not _site_path_exists(path, config, catalog):
            diags.error("link-not-found", doc.path, line, f"link '{href}' points to no page or file of this site",
                        hint=did_you_mean(unquote(path), catalog.site_paths) or "If another program serves it on "
                        "this host, list it under links.external_paths in site.yaml")
        return config.base_path + href.lstrip("/")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source_path), unquote(path)))
    if not path.endswith(".md"):
        if target in catalog.files:
            return config.base_path + quote(target) + (f"#{anchor}" if anchor else "")
        diags.error("link-not-found", doc.path, line, f"link '{href}' points to no file in the content folder",
                    hint=did_you_mean(path, _relative_to(doc, catalog.files)) or
                    "Link to another article by its .md file, or put the file in the content folder")
        return href
    slug = catalog.by_source.get(target)
    if slug is None:
        _report_missing(href, target, doc, line, catalog, diags)
        return href
    links.append(Link(target=slug, anchor=anchor, line=line, href=href))
    return config.base_path + catalog.urls[slug].lstrip("/") + (f"#{anchor}" if anchor else "")


def _site_path_exists(path: str, config: SiteConfig, catalog: Catalog) -> bool:
    """Tell whether a root-relative path ('/back/', '/leaflet.pdf') names something the site holds or another
    program serves (links.external_paths); the theme's /static/ and Pagefind's /pagefind/ files count as held."""
    path = unquote(path.split("?", 1)[0])
    if path.endswith("/index.html"):
        path = path[:-len("index.html")]
    if path.startswith(("/static/", "/pagefind/")) or any(fnmatch.fnmatchcase(path, pattern) or
                                                           fnmatch.fnmatchcase(path.rstrip("/"), pattern.rstrip("/"))
                                                           for pattern in config.links.external_paths):
        return True
    listed = _LIST_PAGE.fullmatch(path)  # page 2 and on of a tag's or pillar's list
    path = listed.group(1) if listed else path
    return (path in catalog.site_paths or (not path.endswith("/") and path + "/" in catalog.site_paths)
            or _unread_page(path, catalog))


def _unread_page(path: str, catalog: Catalog) -> bool:
    """Tell whether a site path may be the page of a Markdown file that could not be read (its name ends the path):
    the link is checked once that file is fixed."""
    name = path.rstrip("/").rpartition("/")[2]
    return bool(name) and name in catalog.unread.values()


def _relative_to(doc: Document, sources: Iterable[str]) -> list[str]:
    """Write content paths as links from `doc` would, for suggestions."""
    here = posixpath.dirname(doc.source_path) or "."
    return [posixpath.relpath(source, here) for source in sources]


def _report_missing(href: str, target: str, doc: Document, line: int, catalog: Catalog, diags: Diagnostics) -> None:
    """Explain a link to a Markdown file that is not published, suggesting the closest existing one."""
    if target in catalog.unread:  # its own errors are reported; whether the link is right waits for their fix
        return
    if target in catalog.unpublished:
        diags.error("link-to-draft", doc.path, line, f"link '{href}' points to an article that is a draft or dated "
                    "in the future", hint="Publish that article first, or remove the link")
        return
    here = posixpath.dirname(doc.source_path) or "."
    closest = _closest_article(target, catalog)
    hint = (f"Did you mean '{posixpath.relpath(closest, here)}'?" if closest else
            did_you_mean(posixpath.relpath(target, here), _relative_to(doc, catalog.by_source)) or
            "No article has a name like it: check the file name, or write the article first")
    diags.error("link-not-found", doc.path, line, f"link '{href}' points to no article", hint=hint)


def _closest_article(target: str, catalog: Catalog) -> str | None:
    """Find the published file a link to the missing `target` most likely meant, by its file name or title, in any
    folder: a close spelling first, else the shortest name holding every word of the one written."""
    names: dict[str, str] = {}  # file name or title, as words joined by '-' -> source path
    for source, slug in sorted(catalog.by_source.items()):
        stem = posixpath.splitext(posixpath.basename(source))[0]
        folder = posixpath.basename(posixpath.dirname(source))
        names.setdefault(folder if stem in ("index", "_index") and folder else stem, source)
        names.setdefault(_NOT_WORD.sub("-", catalog.docs[slug].title.lower()).strip("-"), source)
    wanted = _NOT_WORD.sub("-", posixpath.splitext(posixpath.basename(target))[0].lower()).strip("-")
    close = difflib.get_close_matches(wanted, sorted(names), n=1, cutoff=0.75)
    if close:
        return names[close[0]]
    words = set(wanted.split("-")) - {""}
    holding = sorted((len(name), name) for name in names if words and words <= set(name.split("-")))
    return names[holding[0][1]] if holding else None


def check_anchors(catalog: Catalog, bodies: Mapping[str, Body], diags: Diagnostics) -> None:
    """Report links whose '#anchor' names no heading in the target article."""
    for slug, body in bodies.items():
        for link in body.links:
            target = bodies.get(link.target)
            if link.anchor and target is not None and link.anchor not in target.ids:
                diags.error("anchor-not-found", catalog.docs[slug].path, link.line,
                            f"link '{link.href}' points to no heading in {catalog.docs[link.target].path}",
                            hint=anchor_hint(link.anchor, target.ids, [h.id for h in target.headings]))


def anchor_hint(anchor: str, ids: Iterable[str], headings: Sequence[str]) -> str:
    """Suggest the closest id to a missing '#anchor', else list the target's headings (the first eight)."""
    close = did_you_mean(f"#{anchor}", [f"#{i}" for i in ids])
    if close or not headings:
        return close or "The page has no headings to link to: link to the page itself"
    listed = ", ".join(f"#{h}" for h in headings[:8]) + (", ..." if len(headings) > 8 else "")
    return f"Its headings are {listed}"
