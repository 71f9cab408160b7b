"""Python-Markdown renderers, one per set of syntax a body can use: the same HTML as the full renderer, sooner.

Python-Markdown tries every inline pattern on every run of text and asks every block processor about every block,
whether or not the body contains the character that pattern or block needs. Most articles use a few kinds of
syntax, so a body is rendered by a copy of the full renderer without the processors that cannot match it: a
processor is left out only when the text its expression must find (a '[' for links, a '|' for tables) is nowhere
in the body. Bodies with raw HTML keep every block processor, since `markdown="1"` blocks change what a block's
neighbours are. tests/test_mdrender.py proves the output equal to the full renderer's on every sample and on
generated Markdown.
"""

from __future__ import annotations

import functools

import markdown

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
    "footnote": ("[^",), "abbr": ("*[",),
}
_TREE = {"footnote": ("[^",), "footnote-duplicate": ("[^",), "attr_list": ("{",), "abbr": ("*[",),
         "unescape": ("\\",)}  # it restores what the escape pattern hid
TOC_MARKER = "[TOC]"  # without it in the body, the table of contents skips its search for the marker


def full() -> markdown.Markdown:
    """Return this process's renderer with every processor, made once and reset between bodies."""
    return _renderer(())


def renderer_for(body: str) -> markdown.Markdown:
    """Return this process's renderer for `body`: the full one without the processors that cannot match it."""
    if "\x02" in body or "\x03" in body:  # Python-Markdown deletes these first, which can join a trigger's text
        return full()
    ends_in_spaces = body.endswith("  ")
    left_out = [("inline", name) for name, needs in _INLINE.items()
                if not any(text in body for text in needs) and not (name == "linebreak" and ends_in_spaces)]
    if "<" not in body:
        left_out += [("block", name) for name, needs in _BLOCK.items() if not any(text in body for text in needs)]
        left_out += [("tree", name) for name, needs in _TREE.items() if not any(text in body for text in needs)]
    if TOC_MARKER not in body:
        left_out.append(("toc", "marker"))
    return _renderer(tuple(left_out))


def forget() -> None:
    """Drop every renderer, for example after one was interrupted part-way through a body."""
    _renderer.cache_clear()


@functools.lru_cache(maxsize=256)  # a site uses a few dozen kinds of syntax mix
def _renderer(left_out: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    md = markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS, output_format="html")
    registries = {"inline": md.inlinePatterns, "block": md.parser.blockprocessors, "tree": md.treeprocessors}
    for kind, name in left_out:
        if kind == "toc":
            md.treeprocessors["toc"].marker = ""  # what TocTreeprocessor does with `marker: ''`
        elif name in registries[kind]:
            registries[kind].deregister(name)
    return md
