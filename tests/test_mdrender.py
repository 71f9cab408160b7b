"""The pruned Markdown renderers give exactly the HTML and table of contents of the full renderer, and the fast
measures of a body's text (ids, words, sentences, keywords) count exactly what their patterns define.

The normal suite runs a few hundred generated bodies; set HEALTHSITE_FUZZ_EXAMPLES (e.g. 20000) for a longer run.
"""

from __future__ import annotations

import difflib
import inspect
import os
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import TocTreeprocessor
from markdown.preprocessors import NormalizeWhitespace

from healthsite.config import HtmlConfig
from healthsite.markdown import convert as rendering
from healthsite.markdown import pruned as mdrender
from healthsite.markdown import readability

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests" / "sites").rglob("*.md"))
EXAMPLES = int(os.environ.get("HEALTHSITE_FUZZ_EXAMPLES", "400"))

# Pieces of every syntax a processor reacts to, and the look-alikes that must not fool the triggers.
FRAGMENTS = [
    "\n", "\n\n", "\n\n\n", " ", "  ", "  \n", "\t", "\r", "\r\n", "    ", "word", "Two words.", "é", "#", "# ", "## ",
    "### Heading", "Heading\n===", "Heading\n---", "---", "***", "- - -", "_  _  _", "___", "* *", "## A &amp; B",
    "## Sit <b>up</b>", "## Walk   daily  ", "## Title [^1]", "> ", ">", ">> ", "- ", "* ", "+ ", "1. ", "1) ",
    "`", "``", "```", "```\ncode\n```", "~~~", "~~~python\nx = 1\n~~~", "*", "**", "_", "__", "**bold**", "_em_",
    "\\", "\\*", "\\[", "\\|", "[", "]", "(", ")", "!", "[a](b.md)", "[a](<b c>)", "![i](x.png)", "![alt][r]",
    "[r]", "[r][]", "[r]: https://example.org \"T\"", "<", "<b>", "</b>", "<http://example.org>",
    "<name@example.org>", "<div>", "</div>", "<div markdown=\"1\">", "<div class=\"admonition\" markdown=\"1\">",
    "<dl>", "<dd>", "<!-- c -->", "&", "&amp;", "&#169;", "&x", "|", "| a | b |", "|---|---|", "a | b\n--|--\n1 | 2",
    ":", ": ", "Term\n:   Definition", "!!!", "!!! note", "!!! warning \"When to get help\"\n    See a doctor.",
    "admonition", "[^", "[^1]", "[^1]: A note.", "*[", "*[HTML]: Hyper Text", "HTML", "{", "}", "{: .x }",
    "{#id}", "## Title {: #custom }", "## Title {id}", "{ data-toc-label }", "## T {data-toc-label='L'}",
    "[TOC]", "\n\n[TOC]\n\n", "[TOC", "]:", "[r]:", "[x]: <y>", "\\\\", "\x02", "\x03",
]
bodies = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30).map("".join)
proven_only = pytest.mark.skipif(not mdrender.proven(), reason=f"Python-Markdown {markdown.__version__} is not one "
                                 "mdrender was proven against: every body gets the stock renderer")


def rendered(md, body: str) -> tuple[str, list]:
    md.reset()
    return md.convert(body), md.toc_tokens


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_sample_renders_as_the_full_renderer_renders_it(path: Path) -> None:
    body = path.read_text(encoding="utf-8", errors="replace").split("\n---\n", 1)[-1]
    assert rendered(mdrender.renderer_for(body), body) == rendered(mdrender.full(), body)


@settings(max_examples=EXAMPLES, deadline=None, derandomize="HEALTHSITE_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_generated_markdown_renders_as_the_full_renderer_renders_it(body: str) -> None:
    assert rendered(mdrender.renderer_for(body), body) == rendered(mdrender.full(), body)


@proven_only
def test_a_body_is_rendered_without_the_processors_its_text_cannot_trigger() -> None:
    plain = mdrender.renderer_for("Rest, then walk a little more each day.\n\n## Sleep\n\nLie on your side.")
    assert "table" not in plain.parser.blockprocessors and "admonition" not in plain.parser.blockprocessors
    assert "link" not in plain.inlinePatterns and "em_strong" not in plain.inlinePatterns
    assert "reference" not in plain.parser.blockprocessors and "fenced_code_block" not in plain.preprocessors
    rich = mdrender.renderer_for("| a | b |\n\n!!! note\n    See [heat](heat.md) **now**.")
    for name in ("table", "admonition"):
        assert name in rich.parser.blockprocessors
    for name in ("link", "em_strong"):
        assert name in rich.inlinePatterns
    fenced = mdrender.renderer_for("```\ncode\n```\n\n[a]: b.md")
    assert "fenced_code_block" in fenced.preprocessors and "reference" in fenced.parser.blockprocessors


@proven_only
def test_raw_html_keeps_every_block_processor() -> None:
    md = mdrender.renderer_for("<div markdown=\"1\">Text</div>")
    assert [type(p) for p in md.parser.blockprocessors] == [type(p) for p in mdrender.full().parser.blockprocessors]
    assert "table" in md.parser.blockprocessors


def changed_lines(stock, copy) -> list[str]:
    """Return the lines of a copied method that differ from the installed Python-Markdown's, as a diff."""
    lines = difflib.unified_diff(inspect.getsource(stock).splitlines(), inspect.getsource(copy).splitlines(),
                                 lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and not line.startswith(("---", "+++"))]


@proven_only
def test_the_copied_methods_differ_from_the_installed_python_markdown_only_where_they_say() -> None:
    assert changed_lines(TocTreeprocessor.run, mdrender._PlainHeadingToc.run) == [
        "-    def run(self, doc: etree.Element) -> None:",
        "-        # Get a list of id attributes",
        "+    def run(self, doc: etree.Element) -> None:  "
        "# TocTreeprocessor.run of Python-Markdown 3.11.4, but for `_name`",
        "-                innerhtml = render_inner_html(remove_fnrefs(el), self.md)",
        "-                name = strip_tags(innerhtml)",
        "+                innerhtml, name = self._name(el)",
        "-                        data_toc_label = run_postprocessors(unescape(label), self.md)",
        "+                        data_toc_label = run_postprocessors(toc_unescape(label), self.md)",
        "-                        'id': unescape(el.attrib[\"id\"]),",
        "+                        'id': toc_unescape(el.attrib[\"id\"]),",
    ]
    assert changed_lines(NormalizeWhitespace.run, mdrender._NormalizeWhitespace.run) == [
        '-        source = source.replace(util.STX, "").replace(util.ETX, "")',
        '+        source = source.replace(markdown.util.STX, "").replace(markdown.util.ETX, "")',
        "-        source = re.sub(r'(?<=\\n) +\\n', '\\n', source)",
        '+        if " \\n" in source:  # what a line of spaces ends with',
        "+            source = _SPACES_LINE.sub('\\n', source)",
    ]


def test_a_python_markdown_release_not_proven_gets_the_stock_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "__version__", "9.9.9")
    assert mdrender.renderer_for("## Sleep\n\nLie on your side.") is mdrender.full()


@proven_only  # before 3.11.4, stock Python-Markdown left such a heading an empty id
def test_valueless_attributes_on_a_heading_give_it_a_slug_as_the_stock_renderer_does() -> None:
    body = "## Sleep {id}\n\n## Sleep { data-toc-label }\n"
    html, toc = rendered(mdrender.renderer_for(body), body)
    assert html == '<h2 id="sleep">Sleep</h2>\n<h2 id="sleep_1">Sleep</h2>'
    assert [(t["id"], t["name"]) for t in toc] == [("sleep", "Sleep"), ("sleep_1", "Sleep")]


def test_a_python_markdown_failure_is_a_diagnostic_for_the_body_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        def reset(self) -> None:
            pass

        def convert(self, body: str) -> str:
            raise TypeError("expected string or bytes-like object, got 'NoneType'")

    monkeypatch.setattr(mdrender, "renderer_for", lambda body: Failing())
    assert rendering._render("## Sleep {id}\n", 7, HtmlConfig(), 30.0) == (
        7, "Python-Markdown failed on this text (TypeError: expected string or bytes-like object, got 'NoneType')",
        "Simplify the markup, such as {...} attribute lists, until it renders, and tell the healthsite developers "
        "what did it")


def test_the_full_renderer_is_stock_python_markdown() -> None:
    md = mdrender.full()
    assert type(md.parser.blockprocessors) is markdown.util.Registry
    assert "is_block_level" not in vars(md)
    assert type(md.treeprocessors["toc"]) is TocTreeprocessor


@settings(max_examples=EXAMPLES, deadline=None, derandomize="HEALTHSITE_FUZZ_EXAMPLES" not in os.environ)
@given(st.lists(st.sampled_from(['id="a"', 'id="b c"', "xid=\"d\"", 'data-id="e"', "_id=\"f\"", 'éid="g"', '"',
                                 " ", "id=", "<h2 ", ">", "\n"]), max_size=12).map("".join))
def test_ids_are_those_the_word_boundary_pattern_finds(html_text: str) -> None:
    assert rendering._ids(html_text) == sorted(set(rendering._ID.findall(html_text)))


PROSE = st.lists(st.sampled_from(["word", "Two words.", "don't", "rock'n'roll", "it’s", "3.5", "1,000", "3.", "a1",
                                  "well-being", "-lead", "'quote'", "ends--", "...", "?!", "!", " ", "  ", "\n", "\n\n",
                                  "\n \n", "\t", "é", "İstanbul", "K", "STRETCH", "ache", "Dr.Smith", "e.g.",
                                  # what the fast measures take apart: marks, spaces and digits beyond ASCII
                                  ".)", "(", ",", ".,", "'", "’", "—", "“", "x.y", "\r", "\x0b", "\x1c", "#", "7",
                                  "\xa0", "\u2009", "\u0663", "\u2028"]),
                 max_size=30).map("".join)


@settings(max_examples=EXAMPLES, deadline=None, derandomize="HEALTHSITE_FUZZ_EXAMPLES" not in os.environ)
@given(PROSE)
def test_prose_stats_count_what_the_word_and_sentence_patterns_find(prose: str) -> None:
    words = readability._WORD.findall(prose)
    sentences = [piece for piece in readability._SENTENCE_END.split(prose) if readability._WORD.search(piece)]
    assert readability.prose_stats(prose) == readability.TextStats(
        words=len(words), sentences=max(1, len(sentences)), syllables=sum(map(readability.syllables, words)))


@settings(max_examples=EXAMPLES, deadline=None, derandomize="HEALTHSITE_FUZZ_EXAMPLES" not in os.environ)
@given(PROSE)
def test_keywords_are_the_words_pattern_finds_less_stopwords(prose: str) -> None:
    counts: dict[str, int] = {}
    for word in rendering._WORD.findall(prose.lower()):
        if word not in rendering.STOPWORDS:
            counts[word.rstrip("'-")] = counts.get(word.rstrip("'-"), 0) + 1
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    assert rendering._keywords(prose, count=5) == ranked[:5]


def test_syllables_are_remembered_and_forgotten_in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readability, "_SYLLABLES", {})
    monkeypatch.setattr(readability, "_SYLLABLES_KEPT", 3)
    assert readability.prose_stats("Stretch gently. Walk daily.").syllables == 6
    assert set(readability._SYLLABLES) == {"Stretch", "gently", "Walk", "daily"}
    assert readability.prose_stats("Rest now.").syllables == 2
    assert set(readability._SYLLABLES) == {"Rest", "now"}


def test_keywords_are_the_most_frequent_content_words_ties_alphabetical() -> None:
    prose = ("Stretching eases stiffness. Stretch-based routines' stretching helps; walking walking walking. "
             "Stiffness, stiffness' and zebra zebra. Ache ache.")
    assert rendering._keywords(prose, count=5) == ["stiffness", "walking", "ache", "stretching", "zebra"]


def test_headings_are_found_outside_fences_however_the_fence_is_indented() -> None:
    body = ("## One\n  ```\n## not a heading\n```\n\u00a0~~~\n### nor this\n~~~\n####### seven\n#no space\n"
            "#### Three ####\n\t~~~\n# unclosed fence\n")
    assert list(rendering.source_headings(body)) == [(0, 2, "One"), (9, 4, "Three")]
    assert list(rendering.source_headings("No heading at all.\n```\n")) == []
    assert rendering.skipped_headings(body, 7, None) == [(16, "Three", 4, 2, 0)]  # at its line in the file
    assert rendering.skipped_headings(body, 7, 3) == [(7, "One", 3, 1, 1), (16, "Three", 5, 3, 1)]
