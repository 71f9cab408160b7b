"""The HTML allowlist every Markdown body passes through, so content never carries script."""

from __future__ import annotations

import nh3

from .config import HtmlConfig

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


def sanitize(html: str, settings: HtmlConfig) -> str:
    """Keep only allowlisted elements, attributes and URL schemes; drop script and its contents."""
    tags = {tag.lower() for tag in TAGS | set(settings.extra_tags)} - FORBIDDEN_TAGS
    attributes: dict[str, set[str]] = {"*": set(GLOBAL_ATTRIBUTES)}
    for tag, names in ATTRIBUTES.items():
        attributes[tag] = set(names)
    for tag, names in settings.extra_attributes.items():
        allowed = {n.lower() for n in names} - FORBIDDEN_ATTRIBUTES
        attributes.setdefault(tag.lower(), set()).update(n for n in allowed if not n.startswith("on"))
    return nh3.clean(html, tags=tags, attributes=attributes, url_schemes=set(URL_SCHEMES), link_rel=None,
                     strip_comments=True)
