"""Python-Markdown renderers, one per set of syntax a body can use: the same HTML as the full renderer, sooner.

Python-Markdown tries every inline pattern on every run of text and asks every block processor about every block,
whether or not the body contains the character that pattern or block needs. Most articles use a few kinds of
syntax, so a body is rendered by a copy of the full renderer without the processors that cannot match it: a
processor is left out only when the text its expression must find (a '[' for links, a '|' for tables) is nowhere
in the body. Bodies with raw HTML keep every block processor, since `markdown="1"` blocks change what a block's
neighbours are. Each renderer is then settled, as it never changes again: its registries are listed once
(Python-Markdown sorts and copies a registry each time it loops over one), its block-level test remembers its
answers, the block processors that search every block with an expression first look for a text the expression
cannot match without (a '#' for a heading), the inline processor hands back a run of text that holds none of the
texts its patterns need (a '[' for a link) without trying each pattern on it, the table of contents reads the
name of a heading of plain text from its text, and whitespace is normalised without a search for lines of spaces
in a body that has none.
tests/test_mdrender.py proves the output equal to the stock renderer's on every sample and on generated Markdown.

Every renderer, the full one too, makes two changes of healthsite's own to Python-Markdown (`_adjusted`): a link
or image whose address is in quotes keeps it, quotes and all, as its href (the link stage reports it at its line),
and headings move by the levels that `markdown.heading_base` asks of the body (`heading_shift`).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree

import markdown
import markdown.util
from markdown.extensions.toc import (TocTreeprocessor, escape_cdata, nest_toc_tokens, remove_fnrefs,
                                     render_inner_html, run_postprocessors, strip_tags, unique)
from markdown.extensions.toc import unescape as toc_unescape
from markdown.inlinepatterns import ImageInlineProcessor, LinkInlineProcessor, dequote
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, Treeprocessor

# The Python-Markdown releases whose processors this module's copies and trigger texts were proven against by
# tests/test_mdrender.py. With any other release every body gets the stock renderer: slower, never different
# (3.11.4 changed the table of contents' handling of `{id}` from the earlier 3.11 release this module copied).
PROVEN_VERSIONS = frozenset({"3.11.4"})
EXTENSIONS = ("extra", "toc", "admonition", "sane_lists")
EXTENSION_CONFIGS = {"toc": {"toc_depth": "2-3"}}

# Registry -> processor name -> texts of which the body must contain one for the processor to ever match.
_INLINE = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "link": ("[",), "image_link": ("![",),
    # A reference link only ever turns into a link when a '[name]: url' line defines the name.
    "reference": ("]:",), "image_reference": ("]:",), "short_reference": ("]:",), "short_image_ref": ("]:",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
    "linebreak": ("  \n", "\t", "\r"),  # two spaces before a line end, also once tabs are expanded
}
_BLOCK = {
    "admonition": ("!!!", "admonition"), "table": ("|",), "deflist": (":",), "defindent": (":",), "quote": (">",),
    "footnote": ("[^",), "abbr": ("*[",), "reference": ("]:",),
    "markdown_block": ("<",),  # it takes only the raw HTML elements the HTML block preprocessor stashed
}
_PRE = {"fenced_code_block": ("```", "~~~"),
        "html_block": ("<", "&")}  # without either, Python's HTML parser hands the whole text back as it is
_TREE = {"footnote": ("[^",), "footnote-duplicate": ("[^",), "attr_list": ("{",), "abbr": ("*[",),
         "unescape": ("\\",)}  # it restores what the escape pattern hid
TOC_MARKER = "[TOC]"  # without it in the body, the table of contents skips its search for the marker
_TEXTS = tuple(sorted({text for table in (_INLINE, _BLOCK, _TREE, _PRE) for needs in table.values() for text in needs}
                      | {"<", TOC_MARKER}))  # each looked for once per body


@functools.cache
def full() -> markdown.Markdown:
    """Return this process's stock Python-Markdown renderer with healthsite's extensions (and its two changes, see
    `_adjusted`), made once and reset between bodies: what every renderer of this module must match."""
    return _stock()


def _stock() -> markdown.Markdown:
    return _adjusted(markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS,
                                       output_format="html"))


def _adjusted(md: markdown.Markdown) -> markdown.Markdown:
    """Make a quoted link or image address the href, and register the heading shift before the table of contents
    reads the headings' levels (its priority is 5)."""
    for name, keeping in (("link", _LinkKeepingQuotes), ("image_link", _ImageKeepingQuotes)):
        if name in md.inlinePatterns and type(md.inlinePatterns[name]) is keeping.__bases__[0]:
            md.inlinePatterns[name].__class__ = keeping
    md.treeprocessors.register(_HeadingShift(md), "heading_shift", 6)
    md.heading_shift = 0  # type: ignore[attr-defined]  # set for each body before it is converted
    return md


def shifted_level(level: int, shift: int) -> int:
    """Return the level a heading written at `level` is rendered at, moved by `shift` but kept within 1 to 6."""
    return min(max(level + shift, 1), 6)


class _HeadingShift(Treeprocessor):
    """Move every heading by the renderer's `heading_shift` levels (markdown.heading_base)."""

    def run(self, root: etree.Element) -> None:
        shift = self.md.heading_shift  # type: ignore[attr-defined]
        if shift:
            for element in root.iter():
                if element.tag in _HEADING_TAGS:
                    element.tag = f"h{shifted_level(int(element.tag[1]), shift)}"


_HEADING_TAGS = frozenset(f"h{level}" for level in range(1, 7))
_QUOTED_ADDRESS = re.compile(r"""\(\s*("[^"]*"|'[^']*')\s*(?:("[^"]*"|'[^']*')\s*)?\)""")


def _get_link_keeping_quotes(self: LinkInlineProcessor, data: str, index: int) -> tuple[str, str | None, int, bool]:
    """LinkInlineProcessor.getLink, but an address written in quotes, which it takes for a title after an empty
    address, is the href, quotes and all."""
    href, title, end, handled = LinkInlineProcessor.getLink(self, data, index)
    quoted = _QUOTED_ADDRESS.fullmatch(data, index, end) if handled and not href and title is not None else None
    if quoted:
        href, title = self.unescape(quoted.group(1)).strip(), quoted.group(2)
        title = self.RE_TITLE_CLEAN.sub(" ", dequote(self.unescape(title.strip()))) if title else None
    return href, title, end, handled


class _LinkKeepingQuotes(LinkInlineProcessor):
    getLink = _get_link_keeping_quotes


class _ImageKeepingQuotes(ImageInlineProcessor):
    getLink = _get_link_keeping_quotes


def proven() -> bool:
    """Tell whether the installed Python-Markdown is one this module's renderers were proven against."""
    return markdown.__version__ in PROVEN_VERSIONS


def renderer_for(body: str) -> markdown.Markdown:
    """Return this process's renderer for `body`: the full one without the processors that cannot match it."""
    if not proven():
        return full()
    if "\x02" in body or "\x03" in body:  # Python-Markdown deletes these first, which can join a trigger's text
        return _renderer(())
    return _renderer_for_texts(frozenset([text for text in _TEXTS if text in body]), body.endswith("  "))


@functools.lru_cache(maxsize=256)
def _renderer_for_texts(present: frozenset[str], ends_in_spaces: bool) -> markdown.Markdown:
    """Return the renderer for a body that holds, of the texts processors need, those `present`."""
    left_out = [("inline", name) for name, needs in _INLINE.items()
                if present.isdisjoint(needs) and not (name == "linebreak" and ends_in_spaces)]
    left_out += [("pre", name) for name, needs in _PRE.items() if present.isdisjoint(needs)]
    if "<" not in present:
        left_out += [("block", name) for name, needs in _BLOCK.items() if present.isdisjoint(needs)]
        left_out += [("tree", name) for name, needs in _TREE.items() if present.isdisjoint(needs)]
    if TOC_MARKER not in present:
        left_out.append(("toc", "marker"))
    return _renderer(tuple(left_out))


def forget() -> None:
    """Drop every renderer, for example after one was interrupted part-way through a body."""
    _renderer_for_texts.cache_clear()
    _renderer.cache_clear()
    full.cache_clear()


@functools.lru_cache(maxsize=256)  # a site uses a few dozen kinds of syntax mix
def _renderer(left_out: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    """Make a stock renderer without the processors named, and settle it: it never changes again."""
    md = _stock()
    registries = {"inline": md.inlinePatterns, "block": md.parser.blockprocessors, "tree": md.treeprocessors,
                  "pre": md.preprocessors}
    md.treeprocessors["toc"].__class__ = _PlainHeadingToc
    if type(md.preprocessors["normalize_whitespace"]) is NormalizeWhitespace:
        md.preprocessors["normalize_whitespace"].__class__ = _NormalizeWhitespace
    for kind, name in left_out:
        if kind == "toc":
            md.treeprocessors["toc"].marker = ""  # what TocTreeprocessor does with `marker: ''`
            md.treeprocessors["toc"].__class__ = _TocWithoutMarker
        elif name in registries[kind]:
            registries[kind].deregister(name)
    for registry in (md.preprocessors, md.parser.blockprocessors, md.treeprocessors, md.inlinePatterns,
                     md.postprocessors):
        registry.__class__ = _SettledRegistry  # in place: processors keep references to their registries
    md.is_block_level = _block_level_test(md)  # type: ignore[method-assign]
    _guard_block_tests(md.parser.blockprocessors)
    inline = md.treeprocessors["inline"]
    if type(inline) is InlineProcessor and all(name in _INLINE_TEXT_NEEDS for name in md.inlinePatterns._data):
        inline.__class__ = _SkimmingInlineProcessor
        inline.needs = tuple({text for name in md.inlinePatterns._data for text in _INLINE_TEXT_NEEDS[name]})
    return md


class _SettledRegistry(markdown.util.Registry):
    """A registry listed once (Python-Markdown lists it again for every block of every body)."""

    def __iter__(self):
        try:
            return iter(self._listed)
        except AttributeError:
            self._listed = list(super().__iter__())
            return iter(self._listed)

    def register(self, *args, **kwargs) -> None:
        self.__dict__.pop("_listed", None)
        super().register(*args, **kwargs)

    def deregister(self, *args, **kwargs) -> None:
        self.__dict__.pop("_listed", None)
        super().deregister(*args, **kwargs)


# Inline pattern -> texts of which a run of text must contain one for the pattern's expression to match in it.
_INLINE_TEXT_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",), "link": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_reference": ("[",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",),
    "em_strong": ("*", "_"),
}


class _SkimmingInlineProcessor(InlineProcessor):
    """The inline processor, handing a run of text that holds none of the texts its patterns need straight back
    instead of trying each pattern on it (most runs of an article's text are plain words)."""

    needs: tuple[str, ...] = ()

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        for need in self.needs:
            if need in data:
                return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)
        return data


class _NormalizeWhitespace(NormalizeWhitespace):
    """NormalizeWhitespace of Python-Markdown 3.11.4, without its search for lines of spaces in a text with none."""

    def run(self, lines: list[str]) -> list[str]:
        source = '\n'.join(lines)
        source = source.replace(markdown.util.STX, "").replace(markdown.util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:  # what a line of spaces ends with
            source = _SPACES_LINE.sub('\n', source)
        return source.split('\n')


_SPACES_LINE = re.compile(r'(?<=\n) +\n')


class _PlainHeadingToc(TocTreeprocessor):
    """The table of contents, reading the name of a heading of plain text (no markup, entity or placeholder in it)
    straight from its text instead of serialising it and running every postprocessor over the result."""

    def run(self, doc: etree.Element) -> None:  # TocTreeprocessor.run of Python-Markdown 3.11.4, but for `_name`
        used_ids = set()
        for el in doc.iter():
            if "id" in el.attrib:
                used_ids.add(el.attrib["id"])
        id_counters: dict[str, int] = {}

        toc_tokens = []
        for el in doc.iter():
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                self.set_level(el)
                innerhtml, name = self._name(el)

                # Do not override pre-existing ids
                if not el.attrib.get("id"):
                    # The `attr_list` extension writes bare attributes with a
                    # value of None. A valueless id is no id at all, so a slug
                    # is generated for it like for any other id-less heading.
                    el.attrib["id"] = unique(self.slugify(html.unescape(name), self.sep), used_ids, id_counters)

                data_toc_label = ''
                if 'data-toc-label' in el.attrib:
                    # Remove the data-toc-label attribute as it is no longer needed
                    label = el.attrib.pop('data-toc-label')
                    # The `attr_list` extension writes bare attributes with a value of
                    # None. A valueless label is treated like a missing one.
                    if label is not None:
                        data_toc_label = run_postprocessors(toc_unescape(label), self.md)
                        # Overwrite name with sanitized value of `data-toc-label`.
                        name = escape_cdata(strip_tags(data_toc_label))

                if int(el.tag[-1]) >= self.toc_top and int(el.tag[-1]) <= self.toc_bottom:
                    toc_tokens.append({
                        'level': int(el.tag[-1]),
                        'id': toc_unescape(el.attrib["id"]),
                        'name': name,
                        'html': innerhtml,
                        'data-toc-label': data_toc_label
                    })

                if self.use_anchors:
                    self.add_anchor(el, el.attrib["id"])
                if self.use_permalinks not in [False, None]:
                    self.add_permalink(el, el.attrib["id"])

        toc_tokens = nest_toc_tokens(toc_tokens)
        div = self.build_toc_div(toc_tokens)
        if self.marker:
            self.replace_marker(doc, div)

        # serialize and attach to markdown instance.
        toc = self.md.serializer(div)
        for pp in self.md.postprocessors:
            toc = pp.run(toc)
        self.md.toc_tokens = toc_tokens
        self.md.toc = toc

    def _name(self, el: etree.Element) -> tuple[str, str]:
        """Return a heading's inner HTML and its name with tags stripped, as TocTreeprocessor.run finds them."""
        text = el.text or ""
        if len(el) == 0 and _NOT_PLAIN.isdisjoint(text):
            # Serialised, the text is itself (escape_cdata changes only &, < and >); no postprocessor finds
            # anything to replace in it; strip_tags then only collapses its whitespace.
            innerhtml = text.strip()
            return innerhtml, " ".join(innerhtml.split())
        innerhtml = render_inner_html(remove_fnrefs(el), self.md)
        return innerhtml, strip_tags(innerhtml)


_NOT_PLAIN = frozenset("&<>\x02\x03")  # markup, entities, and the placeholders of stashes and footnotes


class _TocWithoutMarker(_PlainHeadingToc):
    """The table of contents of a body without a [TOC] marker: its HTML would be placed nowhere, so it is not
    built (healthsite reads `toc_tokens`, never `md.toc`)."""

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return etree.Element("div")


def _block_level_test(md: markdown.Markdown):
    """Return `md.is_block_level`, remembering its answer per tag: it is asked for every element, several times."""
    answers: dict = {}
    ask = md.is_block_level

    def is_block_level(tag) -> bool:
        try:
            return answers[tag]
        except KeyError:
            answer = answers[tag] = ask(tag)
            return answer
        except TypeError:  # not hashable: never a tag name
            return ask(tag)

    return is_block_level


# Block processor -> the text a block must contain for the processor's expression to match it.
_BLOCK_TEST_NEEDS = {"hashheader": "#", "deflist": ": "}  # ':' then 1-3 spaces


def _guard_block_tests(processors: markdown.util.Registry) -> None:
    """Ask a block processor's expression about a block only when the block holds the text the expression needs:
    Python-Markdown searches every block with each of them, and most blocks are paragraphs that hold none."""
    for name, need in _BLOCK_TEST_NEEDS.items():
        if name in processors:
            processors[name].test = _guarded(processors[name].test, need)
    if "setextheader" in processors:  # its expression takes the first line, then needs '=' or '-' to open the next
        setext_test = processors["setextheader"].test

        def setext_guarded(parent: etree.Element, block: str) -> bool:
            newline = block.find("\n")
            return newline >= 0 and block[newline + 1:newline + 2] in ("=", "-") and setext_test(parent, block)

        processors["setextheader"].test = setext_guarded
    if "admonition" in processors:
        admonition = processors["admonition"]
        expression, parse_content = admonition.RE, admonition.parse_content

        def admonition_test(parent: etree.Element, block: str) -> bool:  # AdmonitionProcessor.test, '!!!' first
            if "!!!" in block and expression.search(block):
                return True
            return parse_content(parent, block)[0] is not None

        admonition.test = admonition_test


def _guarded(test, need: str):
    return lambda parent, block: need in block and test(parent, block)
