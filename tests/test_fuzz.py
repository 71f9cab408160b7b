"""Property tests: whatever front matter, Markdown or bytes a file holds, the build either publishes a site with
nothing executable in it, or fails with diagnostics and publishes nothing; it never raises.

The normal suite runs a few examples per property; set HEALTHSITE_FUZZ_EXAMPLES (e.g. 2000) for a longer run.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hostile_output import unsafe_content
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from healthsite.config import load_config
from healthsite.content import yaml_lines as yamlsource
from healthsite.content.fields import slugify
from healthsite.diagnostics import Diagnostics
from healthsite.pipeline import build

EXAMPLES = int(os.environ.get("HEALTHSITE_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="HEALTHSITE_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:alert(1)",
           "&#106;avascript:", "</title>", "]]>", "{{ 7*7 }}", "{% raw %}", "' onmouseover='x", "&amp;", "<!--", "\\"]
MARKDOWN = ["\n", "\n\n", "# ", "## ", "> ", "- ", "1. ", "    ", "\t", "```", "`", "*", "_", "[", "]", "(", ")", "!", "<",
            ">", "&", "#", "|", ":", "\"", "'", "javascript:alert(1)", "data:text/html,x", "vbscript:x", "<script>",
            "</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=x>",
            "<iframe src=x>", "<p style=\"x:expression(alert(1))\">", "<details open ontoggle=alert(1)>", "<summary>",
            "[a](heat.md)", "[b](missing.md)", "[c](#nowhere)", "![i](x.png)", "![](javascript:x)", "[r][1]",
            "[1]: javascript:alert(1)", "{: onclick=\"alert(1)\" }", "!!! warning \"When to get help\"\n    ",
            "|a|b|\n|-|-|\n|1|2|", "<div markdown=\"1\">", "</div>", "*[HTML]: Hyper", "[^1]", "[^1]: note",
            "&#x6A;", "&lt;", "<!--", "-->", "<![CDATA[", "\u202e", "\x00", "\ufeff", "\r", "\u2028", "é", "日本"]

plain = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
texts = st.one_of(plain, st.sampled_from(HOSTILE),
                  st.lists(st.sampled_from(HOSTILE) | plain, min_size=1, max_size=5).map("".join))
scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.sampled_from(["2026-01-02", "2026-02-30", "yesterday", "2026-1-2"]), st.dates().map(str))
wrong = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=12)
tag_names = texts.filter(slugify)
source = st.fixed_dictionaries({"title": texts}, optional={"publisher": texts, "year": st.integers(1900, 2100),
                                                          "url": st.sampled_from(["https://example.org/a?b=c&d",
                                                                                  "https://x/\"><script>"])})
well_formed = st.fixed_dictionaries(
    {"title": texts, "description": texts, "date": st.just("2026-01-02"), "pillar": st.just("guide")},
    optional={"tags": st.lists(tag_names, max_size=4), "author": texts, "reviewer": texts,
              "reviewed": st.just("2026-01-03"), "sources": st.lists(source, max_size=3),
              "aliases": st.lists(st.sampled_from(["/old/", "/old/heat/", "/ok-1/", "/a.b/"]), max_size=3, unique=True),
              "slug": st.just("heat"), "draft": st.just(False), "weight": st.integers(), "kind": st.just("article"),
              "related": st.just([])})
mistakes = st.lists(st.tuples(
    st.sampled_from(["title", "description", "date", "pillar", "tags", "author", "reviewed", "sources", "aliases",
                     "slug", "draft", "weight", "kind", "related", "extra", "Title"]),
    wrong | texts | st.sampled_from(["2026-02-30", "../x", "/../x/", "/tags/x/", "/guide/", "javascript:x", "nowhere",
                                     "Heat", "tags", "page", "pillar", [{"title": 1}], {"a": "b"}])), max_size=2)
front_matter = st.builds(lambda data, changes: {**data, **dict(changes)}, well_formed, mistakes)
markdown = st.lists(st.sampled_from(MARKDOWN) | st.text(max_size=12), max_size=60).map("".join)


def dump(data: dict) -> str:
    """Write front matter as YAML, as a writer or an import script would."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def build_article(article: bytes) -> tuple[Diagnostics, Path, bool]:
    """Build a one-pillar site whose article file holds these bytes, in this process; return what happened."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "site.yaml").write_text("title: Fuzz\nbase_url: /\nsearch: false\n", encoding="utf-8")
        (root / "content/guide").mkdir(parents=True)
        (root / "content/guide/index.md").write_text(PILLAR, encoding="utf-8")
        (root / "content/guide/heat.md").write_bytes(article)
        diags = Diagnostics()
        config = load_config(root / "site.yaml", diags, cache=False, build_date=date(2026, 11, 22))
        diags.levels = config.checks
        result = build(config, diags)
        public = root / "public"
        assert_outcome(diags, result.published is not None, public)
        event("published" if result.published else "failed: " + " ".join(sorted({d.code for d in diags.errors})))
        return diags, public, result.published is not None


def assert_outcome(diags: Diagnostics, published: bool, public: Path) -> None:
    """Check the invariant: a published site runs nothing; a failed build says why and publishes nothing."""
    for item in diags.items:
        assert item.path and item.message and str(item).endswith(f"[{item.code}]")
        assert "Traceback" not in item.message
    if published:
        assert not diags.errors
        assert unsafe_content(public) == []
        assert_title_escaped(public)
    else:
        assert diags.errors, "a build that published nothing must say why"
        assert not public.exists()


class _H1(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text, self.tags_inside = False, [], []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.inside:
            self.tags_inside.append(tag)
        self.inside = self.inside or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "h1"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text.append(data)


def assert_title_escaped(public: Path) -> None:
    """Every page's <h1> holds only text: a title full of markup must arrive as characters, never as elements."""
    for page in public.rglob("index.html"):
        parser = _H1()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.tags_inside == [], f"{page}: markup inside <h1>: {parser.tags_inside}"


@FUZZ
@given(data=front_matter, body=markdown)
def test_generated_front_matter_and_markdown_publish_safely_or_fail_with_diagnostics(data: dict, body: str) -> None:
    build_article(f"---\n{dump(data)}---\n\n{body}\n".encode("utf-8", "surrogatepass"))


@FUZZ
@given(title=texts, description=texts, author=texts, tags=st.lists(tag_names, max_size=3), body=markdown)
def test_hostile_text_in_valid_fields_lands_escaped(title: str, description: str, author: str, tags: list,
                                                    body: str) -> None:
    data = {"title": title, "description": description, "date": "2026-01-02", "pillar": "guide", "author": author,
            "tags": tags, "sources": [{"title": title, "publisher": description, "url": "https://example.org/"}]}
    build_article(f"---\n{dump(data)}---\n\n{body}\n".encode("utf-8", "surrogatepass"))


@FUZZ
@given(front=st.text(max_size=300), body=markdown)
def test_arbitrary_text_between_the_fences_never_raises(front: str, body: str) -> None:
    build_article(f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))


@FUZZ
@given(article=st.binary(max_size=600), prefix=st.sampled_from([b"", b"---\ntitle: T\n---\n", b"\xef\xbb\xbf---\n"]))
def test_random_bytes_never_raise(article: bytes, prefix: bytes) -> None:
    build_article(prefix + article)


@FUZZ
@given(body=markdown)
def test_markdown_in_a_valid_article_publishes_nothing_executable(body: str) -> None:
    fields = "title: Heat\ndescription: Heat or cold.\ndate: 2026-01-02\npillar: guide\n"
    diags, _, published = build_article(f"---\n{fields}---\n\n{body}\n".encode("utf-8", "surrogatepass"))
    assert published or {d.code for d in diags.errors} <= {"link-not-found", "anchor-not-found", "markdown-failed",
                                                           "file-encoding", "link-to-file-missing"}


YAML_LINES = ["a: 1\n", "a: 2\n", "b: &x [1, 2]\n", "c: *x\n", "<<: {d: 1}\n", "e: !!str 3\n", "f: !!int x\n",
              "g: !custom x\n", "? [1, 2]\n: v\n", "h: {i: [j, {k: l}]}\n", "yes: no\n", "n: ~\n", "m: 1.5\n",
              "t: 2026-01-02\n", "s: !!set {a, b}\n", "o: !!binary aGk=\n", "- item\n", "=: v\n", "  nested: 1\n",
              "p: [&y 1, *y]\n", "x: !!float 1\n", "z: !!null ''\n", "q: 0x1F\n", "r: .nan\n", "u: !!python/name:os.system\n",
              "v: !!seq {a: 1}\n", "w: !!map [1]\n", "1: one\n", "null: x\n", "k: {[1]: 2}\n", "l:\n- 1\n- [2, {3: 4}]\n",
              f"deep: {'[' * 60}{']' * 60}\n"]


def _pyyaml_outcome(text: str) -> object:
    """What the front-matter reader made of YAML before it built values itself: PyYAML's checks, then its constructor."""
    loader = yamlsource._Loader(text)
    try:
        node = loader.get_single_node()
        if node is None or not isinstance(node, yaml.MappingNode):
            return "{}" if node is None else "yaml-not-mapping"
        if yamlsource._has_alias(node):
            return "yaml-alias"
        if yamlsource._repeated_key(node):
            return "yaml-duplicate-key"
        data = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return "yaml-syntax"
    finally:
        loader.dispose()
    return repr(data) if all(isinstance(key, str) for key in data) else "yaml-not-mapping"


@FUZZ
@given(st.one_of(st.lists(st.sampled_from(YAML_LINES), min_size=1, max_size=6).map("".join),
                 st.dictionaries(st.text(max_size=8), wrong, max_size=5).map(yaml.safe_dump)))
def test_front_matter_values_are_what_pyyaml_would_construct(text: str) -> None:
    diags = Diagnostics()
    parsed = yamlsource.parse_mapping(text, "a.md", 2, diags, "front matter")
    outcome = repr(parsed.data) if parsed is not None else diags.items[0].code
    assert outcome == _pyyaml_outcome(text)
