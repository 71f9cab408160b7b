"""The HTML allowlist every Markdown body passes through, and the check on files published from content/,
so content never carries script."""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ElementTree

import nh3

from ..config import HtmlConfig

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
})
# h1 is the page title's; a body's "# Heading" is turned into h2 before sanitising.
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
FORBIDDEN_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "svg", "math", "form",
    "input", "button", "textarea", "select", "link", "meta", "base", "portal", "noscript",
})
"""Elements never allowed, even when site.yaml lists them: they run script, load other documents or take input."""
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "formaction"})
"""Attributes never allowed, like every on* event handler, even when site.yaml lists them."""


# What HTML allows in a URL besides '%XX' escapes (the URL Standard's URL code points): ASCII letters and digits, a few
# marks, and every character beyond ASCII but controls, surrogates and noncharacters. The W3C validator accepts
# these; a space, '|', '"', '<', '\\', '^', a second '#' or a '%' starting no escape it reports as illegal.
_NOT_IN_URL = re.compile("%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9!$&'()*+,\\-./:;=?@_~%\u00a0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
                         "\U00010000-\U0010fffd]")
_AUTHORITY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*")  # 'https://example.org', '//cdn.example.org'


def valid_url(url: str) -> str:
    """Percent-encode what HTML forbids in a URL (a space, '|', a '%' that starts no escape, ...), leaving its host,
    its valid '%XX' escapes and its letters beyond ASCII as they are; drop the spaces around it, as browsers do."""
    url = url.strip(" \t\n\r\f")
    host = _AUTHORITY.match(url)
    start = host.end() if host else 0
    address, mark, fragment = url[start:].partition("#")
    fragment = fragment.replace("#", "%23")  # only the first '#' starts the fragment
    return url[:start] + _NOT_IN_URL.sub(_escaped, address) + mark + _NOT_IN_URL.sub(_escaped, fragment)


def _escaped(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogatepass"))


def sanitize(html: str, settings: HtmlConfig) -> str:
    """Keep only allowlisted elements, attributes and URL schemes; drop script and its contents."""
    extra_attributes = tuple(sorted((tag, tuple(names)) for tag, names in settings.extra_attributes.items()))
    return _cleaner(tuple(settings.extra_tags), extra_attributes).clean(html)


@functools.lru_cache(maxsize=8)
def _cleaner(extra_tags: tuple[str, ...], extra_attributes: tuple[tuple[str, tuple[str, ...]], ...]) -> nh3.Cleaner:
    """Make the sanitiser for a site's settings once (its allowlists are built on each call of nh3.clean)."""
    tags = {tag.lower() for tag in TAGS | set(extra_tags)} - FORBIDDEN_TAGS
    attributes: dict[str, set[str]] = {"*": set(GLOBAL_ATTRIBUTES)}
    for tag, names in ATTRIBUTES.items():
        attributes[tag] = set(names)
    for tag, names in extra_attributes:
        allowed = {n.lower() for n in names} - FORBIDDEN_ATTRIBUTES
        attributes.setdefault(tag.lower(), set()).update(n for n in allowed if not n.startswith("on"))
    return nh3.Cleaner(tags=tags, attributes=attributes, url_schemes=set(URL_SCHEMES), link_rel=None,
                       strip_comments=True)


CONTENT_FILE_TYPES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".ico", ".svg", ".pdf", ".txt", ".csv",
    ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".webm", ".ogv", ".vtt",
})
"""Files of the content folder published as they are: images, documents and media, never pages or code.
An SVG is published only when `svg_problem` finds nothing in it that could run."""
_SVG_FORBIDDEN = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"})
_URL_NOISE = re.compile(r"[\t\n\r]")
_SAFE_URL = re.compile(r"^(?:https?:|mailto:|tel:|data:image/|[^:/?#]*(?:[/?#]|$))", re.I)
_SCRIPT_CSS = re.compile(r"javascript:|vbscript:|expression\s*\(|@import|behavior\s*:|-moz-binding", re.I)


def svg_problem(data: bytes) -> str:
    """Say what in an SVG could run script when a reader opens it on its own, or ''."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", data, re.I):
        return "the SVG declares a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"the SVG is not well-formed XML ({exc})"
    for element in root.iter():
        tag = str(element.tag).rpartition("}")[2].lower()
        if tag in _SVG_FORBIDDEN:
            return f"the SVG contains a <{tag}> element"
        animates_link = element.get("attributeName", "").lower().endswith("href")
        pairs = list(element.attrib.items())
        if tag == "style":
            pairs.append(("style", element.text or ""))  # a <style> element is checked like a style attribute
        for attribute, value in pairs:
            local = attribute.rpartition("}")[2].lower()
            if local.startswith("on"):
                return f"the SVG has an event handler '{local}'"
            if local == "style" and _SCRIPT_CSS.search(value):
                return "the SVG has a style that can load script"
            if local in ("href", "src") or (animates_link and local in ("to", "from", "by", "values")):
                for url in _URL_NOISE.sub("", value).split(";"):
                    if not _SAFE_URL.match(url.strip()):
                        return f"the SVG links to '{url.strip()[:60]}'"
    return ""
