"""Markdown, raw HTML and every front-matter and site.yaml value: safe HTML is kept, nothing that runs survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build_sample_site, run_healthsite
from hostile_output import html_problems, unsafe_content

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nThe guide.\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build tests/sites/hostile-html once and return its output folder."""
    return build_sample_site("hostile-html", tmp_path_factory.mktemp("hostile")) / "public"


def section(public: Path, page: str, name: str) -> str:
    """Return the HTML written between the 'START name' and 'END name' paragraphs of a page."""
    text = (public / page / "index.html").read_text(encoding="utf-8")
    match = re.search(rf"<p>START {name}</p>(.*?)<p>\s*END {name}</p>", text, re.S)
    assert match, f"no section {name} in {page}"
    return match.group(1)


class _Text(HTMLParser):
    """Collect the visible text of chosen elements and the attributes of chosen tags."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.attrs: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "img", "br", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for tag in set(self.stack):
            self.text.setdefault(tag, []).append(data)


def parsed(public: Path, page: str) -> _Text:
    parser = _Text()
    parser.feed((public / page).read_text(encoding="utf-8"))
    return parser


def test_no_output_file_contains_anything_a_browser_would_run(hostile: Path) -> None:
    assert unsafe_content(hostile) == []
    assert len(list(hostile.rglob("*.html"))) >= 10


def test_script_elements_are_dropped_with_their_text(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "script")
    assert "<script" not in html.lower() and "alert" not in html and "evil.example" not in html
    assert html_problems(html, "script") == []


def test_frames_objects_embeds_and_applets_are_dropped(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "frames")
    assert not re.search(r"<(iframe|object|embed|applet|frame|frameset)\b", html)
    assert "evil.example" not in html and "srcdoc" not in html


def test_svg_and_math_are_dropped_with_their_handlers_and_links(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "svg")
    assert not re.search(r"<(svg|math|circle|mi|script)\b", html)
    assert "onload" not in html and "javascript" not in html and "alert" not in html


def test_event_handler_attributes_are_dropped_and_their_elements_kept(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "handlers")
    assert '<img src="/guide/ok.png" alt="A harmless picture">' in html
    assert "<p>click me</p>" in html
    assert '<a href="https://example.org/">focus me</a>' in html
    assert '<details open=""><summary>Open</summary>Text</details>' in html
    assert not re.search(r"\son\w+=", html) and "alert" not in html


def test_styles_that_could_run_script_are_dropped(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "styles")
    assert "<p>expression</p>" in html and "<div>style url</div>" in html
    assert "style=" not in html and "<style" not in html and "expression(" not in html and "javascript" not in html


def test_javascript_vbscript_and_data_urls_are_dropped_from_links_and_images(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "urls")
    for text in ("js link", "vb link", "data link", "html link", "reference link"):
        assert f"<a>{text}</a>" in html
    for alt in ("js image", "data image", "vb image"):
        assert f'<img alt="{alt}">' in html
    assert not re.search(r"javascript|vbscript|data:|<form|<button|<base|<meta|<link", html, re.I)


def test_script_urls_hidden_by_entities_tabs_or_case_are_dropped(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "entities")
    names = ("hex entity", "decimal entity", "tab entity", "named tab", "leading control", "mixed case",
             "colon entity", "padded", "markdown entity", "markdown hex")
    assert re.findall(r"<a>([^<]+)</a>", html) == list(names)
    assert "href" not in html
    assert '<img src="/guide/ok.png" alt="&quot; onerror=&quot;alert(\'alt\')">' in html  # the quote stays inside alt


def test_html_inside_code_is_shown_as_text(hostile: Path) -> None:
    html = section(hostile, "guide/attacks", "code")
    assert "<code>&lt;script&gt;alert('inline code')&lt;/script&gt;</code>" in html
    assert "&lt;script&gt;alert('code block')&lt;/script&gt;" in html


def test_an_unclosed_raw_html_block_swallows_the_rest_but_nothing_runs(hostile: Path) -> None:
    html = (hostile / "guide/unclosed/index.html").read_text(encoding="utf-8")
    assert "<p>START unclosed</p>" in html and "<body onload" not in html
    assert html_problems(html, "unclosed") == []


def test_tables_images_with_alt_details_admonitions_and_links_are_kept(hostile: Path) -> None:
    html = section(hostile, "guide/safe-html", "safe")
    assert "<table>\n<thead>\n<tr>\n<th>Remedy</th>" in html and "<td>Heat</td>" in html
    assert '<caption>Plain HTML table</caption>' in html and '<th scope="col">Head</th>' in html
    assert '<td colspan="1">Cell</td>' in html
    assert '<img alt="A diagram of the spine" src="/guide/spine.png">' in html
    assert '<img src="/guide/legs.png" alt="Both legs, side view" width="200" height="100">' in html
    assert "<details><summary>More detail</summary>Hidden until opened.</details>" in html
    assert '<div class="admonition note">\n<p class="admonition-title">Good to know</p>' in html
    assert '<abbr title="Deep vein thrombosis">DVT</abbr>, <kbd>Ctrl</kbd>, <mark>marked</mark>' in html
    assert "H<sub>2</sub>O and x<sup>2</sup>" in html
    for link in ('<a href="https://www.nhs.uk/">NHS</a>', '<a href="mailto:editor@example.org">email us</a>',
                 '<a href="tel:+441234567890">call</a>', '<a href="/guide/fields/">the fields</a>',
                 '<a href="#more-detail">a heading</a>'):
        assert link in html


def test_every_front_matter_field_lands_as_plain_text(hostile: Path) -> None:
    page = parsed(hostile, "guide/fields/index.html")
    assert "".join(page.text["h1"]) == "<script>alert('title')</script>"
    assert ("meta", {"name": "description", "content": "\"><img src=x onerror=alert('description')>"}) in page.attrs
    body = "".join(page.text["main"])
    for shown in ("\"><img src=x onerror=alert('description')>", "<svg/onload=alert('author')>",
                  "</title><script>alert('reviewer')</script>", "<iframe src=javascript:alert('source title')>",
                  "\" onmouseover=\"alert('publisher')", "<img src=x onerror=alert('tag label')>"):
        assert shown in body
    assert ("a", {"href": "https://example.org/?q=\"><script>alert('source url')</script>"}) in page.attrs


def test_site_yaml_values_and_pillar_titles_land_as_plain_text(hostile: Path) -> None:
    page = parsed(hostile, "index.html")
    assert "".join(page.text["title"]) == "<script>alert('site title')</script>"
    assert "<script>alert('site title')</script>" in "".join(page.text["header"])
    assert "Guide <b onmouseover=alert('pillar title')>bold</b>" in "".join(page.text["nav"])
    assert "\"><img src=x onerror=alert('site description')>" in "".join(page.text["main"])


def test_a_source_url_that_is_a_script_is_refused(make_site) -> None:
    root = make_site({
        "content/guide/index.md": PILLAR,
        "content/guide/a.md": "---\ntitle: A\ndescription: A.\ndate: 2026-01-02\npillar: guide\nsources:\n"
                              "  - title: Evil\n    url: javascript:alert(1)\n---\n\nText.\n",
    })
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "content/guide/a.md:7: error: source 1 has a url that is not a web address: 'javascript:alert(1)'. "
        "Use a full address starting with https:// [source-invalid]")
    assert not (root / "public").exists()


@pytest.mark.parametrize("base_url", ["javascript:alert(1)", "data:text/html,x", "/\" onload=\"alert(1)/"])
def test_a_base_url_that_is_not_a_site_address_is_refused(make_site, base_url: str) -> None:
    root = make_site({"site.yaml": f"title: T\nsearch: false\nbase_url: '{base_url}'\n",
                      "content/guide/index.md": PILLAR})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"site.yaml: error: base_url '{base_url}' is not a site address. Use a path such as '/' or '/my-site/', "
        "or a URL such as 'https://example.org/' [config-base-url]")


def test_a_language_that_is_not_a_language_tag_is_refused(make_site) -> None:
    root = make_site({"site.yaml": "title: T\nbase_url: /\nsearch: false\nlanguage: 'en\" onload=\"alert(1)'\n",
                      "content/guide/index.md": PILLAR})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "site.yaml:4: error: 'language' is not a language tag: 'en\" onload=\"alert(1)'. "
        "Use a tag such as 'en' or 'en-GB' [config-type]")


def test_site_yaml_can_allow_more_html_but_never_script_frames_styles_or_handlers(make_site) -> None:
    body = ('<video src="/clip.mp4" controls onplay="alert(1)" style="x:expression(1)"></video>\n\n'
            '<script>alert(1)</script>\n\n<iframe src="https://evil.example/"></iframe>\n\n'
            '<base href="https://evil.example/">\n\n<p onclick="alert(1)" title="kept">para</p>\n')
    root = make_site({
        "site.yaml": "title: T\nbase_url: /\nsearch: false\nhtml:\n  extra_tags: [video, script, SCRIPT, iframe, base]\n"
                     "  extra_attributes: {video: [src, controls, onplay, style, ONPLAY], p: [onclick, STYLE]}\n",
        "content/guide/index.md": PILLAR + "\n" + body,
    })
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    html = (root / "public/guide/index.html").read_text(encoding="utf-8")
    assert '<video src="/clip.mp4" controls=""></video>' in html
    assert '<p title="kept">para</p>' in html
    assert not re.search(r"<script>alert|<iframe|<base|onplay|onclick|expression", html)
    assert unsafe_content(root / "public") == []


def test_a_site_yaml_value_with_an_invisible_control_character_is_refused(make_site) -> None:
    root = make_site({"site.yaml": 'title: "Back\\x1b[2J care"\nbase_url: /\nsearch: false\n',
                      "content/guide/index.md": PILLAR})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "site.yaml:1: error: 'title' contains an invisible control character. "
        "Remove escapes such as \\0 or \\x07 from the value [config-type]")
