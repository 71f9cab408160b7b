"""Scan built output for anything a browser could run: script, event handlers, script URLs, frames."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from conftest import ROOT

# Browsers drop tabs and newlines anywhere in a URL and control characters or spaces around it.
_URL_NOISE = re.compile(r"[\t\n\r]")
_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data|mhtml):", re.I)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
                             "cite", "codebase", "lowsrc", "dynsrc", "ping", "longdesc", "manifest", "icon"})
_FORBIDDEN_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
                                 "fencedframe", "import"})
_SCRIPT_CSS = re.compile(r"expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|@import", re.I)
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_ATOM = "{http://www.w3.org/2005/Atom}"
_HTML_ELEMENTS = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}


def is_script_url(value: str) -> bool:
    """Tell whether a URL, as a browser cleans it, would run script or carry a document inline."""
    cleaned = _URL_NOISE.sub("", value).strip("".join(chr(c) for c in range(0x21)))
    return bool(_SCRIPT_SCHEME.match(cleaned))


@lru_cache(maxsize=1)
def theme_inline_scripts() -> frozenset[str]:
    """Return the text of every inline <script> the bundled theme itself writes (without template code)."""
    found = set()
    for template in (ROOT / "templates").rglob("*.html"):
        for text in _INLINE_SCRIPT.findall(template.read_text(encoding="utf-8")):
            if "{{" not in text and "{%" not in text and text.strip():
                found.add(text.strip())
    return frozenset(found)


class _Scanner(HTMLParser):
    """Collect every executable thing in one HTML document."""

    def __init__(self, where: str):
        super().__init__(convert_charrefs=True)
        self.where = where
        self.problems: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"{self.where}: <{tag}> has an event handler {name}={value!r}")
            elif name in _URL_ATTRIBUTES and is_script_url(value):
                self.problems.append(f"{self.where}: <{tag} {name}> is a script or data URL: {value!r}")
            elif name == "srcset" and any(is_script_url(part) for part in value.split(",")):
                self.problems.append(f"{self.where}: <{tag} srcset> holds a script or data URL: {value!r}")
            elif name == "srcdoc":
                self.problems.append(f"{self.where}: <{tag}> has an inline document (srcdoc)")
            elif name == "style" and _SCRIPT_CSS.search(value):
                self.problems.append(f"{self.where}: <{tag}> has a style that can run script: {value!r}")
        if tag in _FORBIDDEN_ELEMENTS:
            self.problems.append(f"{self.where}: <{tag}> element")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = values.get("content", "").partition("url=")[2]
            if is_script_url(target) or target.startswith("//"):
                self.problems.append(f"{self.where}: <meta refresh> leads to {target!r}")
        elif tag == "link" and values.get("rel", "").lower() == "import":
            self.problems.append(f"{self.where}: <link rel=import>")
        elif tag == "script":
            self._script, self._script_text = values, []
        elif tag == "style":
            self._style = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        elif self._style and _SCRIPT_CSS.search(data):
            self.problems.append(f"{self.where}: a <style> element can run script: {data.strip()[:80]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            problem = _script_problem(self._script, "".join(self._script_text))
            if problem:
                self.problems.append(f"{self.where}: {problem}")
            self._script = None
        elif tag == "style":
            self._style = False


def _script_problem(attrs: dict[str, str | None], text: str) -> str:
    """Say what is wrong with a <script>, or '' when it is one of the theme's own."""
    kind = (attrs.get("type") or "").lower()
    if kind == "application/ld+json":
        if "<" in text:
            return f"JSON-LD with a raw '<' in it: {text[:80]!r}"
        try:
            json.loads(text)
        except ValueError:
            return f"JSON-LD that is not JSON: {text[:80]!r}"
        return ""
    src = attrs.get("src") or ""
    if src:
        same_site = not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^\\", src.strip())
        return "" if same_site and src.endswith(".js") and not text.strip() else f"a script from {src!r}"
    if text.strip() in theme_inline_scripts():
        return ""
    return f"an inline script: {text.strip()[:80]!r}"


def html_problems(text: str, where: str) -> list[str]:
    """Return every executable thing in an HTML document or fragment."""
    scanner = _Scanner(where)
    scanner.feed(text)
    scanner.close()
    if scanner._script is not None:
        scanner.problems.append(f"{where}: an unclosed <script>")
    return scanner.problems


def xml_problems(text: str, where: str) -> list[str]:
    """Return problems in a feed or sitemap: ill-formed XML, script URLs, unsafe HTML in HTML-typed text."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [f"{where}: not well-formed XML: {exc}"]
    problems = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] in ("href", "src", "uri") and is_script_url(value):
                problems.append(f"{where}: <{element.tag} {name}> is a script or data URL: {value!r}")
        if element.tag.rpartition("}")[2] in ("uri", "loc", "id") and is_script_url(element.text or ""):
            problems.append(f"{where}: <{element.tag}> is a script or data URL: {element.text!r}")
        is_html = element.tag in _HTML_ELEMENTS or (element.tag.startswith(_ATOM) and element.get("type") == "html")
        if is_html and element.text:
            problems.extend(html_problems(element.text, f"{where} <{element.tag}>"))
        if element.tag.startswith(_ATOM) and element.get("type") == "xhtml":
            problems.extend(html_problems(ElementTree.tostring(element, encoding="unicode"), where))
    return problems


def unsafe_content(public: Path) -> list[str]:
    """Scan every HTML and XML file below a built site and list whatever a browser or feed reader could run."""
    problems = []
    for path in sorted(public.rglob("*")):
        where = path.relative_to(public).as_posix()
        if path.suffix in (".html", ".htm", ".svg", ".xhtml"):
            problems.extend(html_problems(path.read_text(encoding="utf-8"), where))
        elif path.suffix in (".xml", ".atom", ".rss"):
            problems.extend(xml_problems(path.read_text(encoding="utf-8"), where))
    return problems
