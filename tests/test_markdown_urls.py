"""What the Markdown stage makes of addresses, headings and stray characters: a quoted address is an error at its
line, addresses are percent-encoded where HTML forbids a character, `markdown.heading_base` moves imported headings,
and C1 control characters are a warning while the page shows what they stood for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, run_healthsite
from test_theme import vnu_errors

PILLAR = "---\nkind: pillar\ntitle: Back\ndescription: Backs.\ndate: 2026-01-01\n---\n\nRead {links}.\n"
STRETCHES = "---\ntitle: Stretches\ndescription: Gentle stretches.\ndate: 2026-01-02\npillar: back\n---\n\nStretch.\n"
QUOTED = """---
title: Quoted
description: Addresses written in quotes.
date: 2026-01-03
pillar: back
---

See [the NHS]("https://www.nhs.uk/") for more.

![A chart]('chart.png')

And [the NHS]("https://www.nhs.uk/") again, and [a title too]("stretches.md" "Stretches").

Also [by reference][nhs].

[nhs]: "https://www.nhs.uk/conditions/"
"""
LEAFLETS = """---
title: Leaflets
description: Leaflets to print.
date: 2026-01-04
pillar: back
---

## Print them

- [The sleep leaflet](<sleep leaflet.pdf>) and [from the root](</back/sleep leaflet.pdf>)
- ![A sleep chart](<sleep chart.png>)
- [Written escaped](sleep%20leaflet.pdf)
- [A search](<https://example.org/search?q=back pain|sleep&x={y}#top results#2>)
- [A percent](<https://example.org/100% cotton>)
- [Beyond ASCII](<https://example.org/straße>)
- <a href="sleep leaflet.pdf">raw link</a> and <img src="sleep chart.png" alt="Raw chart">
- <a href="https://example.org/a|b c">raw external</a>
"""
IMPORTED = """---
title: Imported
description: An article from a site whose pages start at level 3.
date: 2026-01-05
pillar: back
---

### What it is

Text.

#### How it starts

### What helps

### When it lasts

### Who to see
"""
PASTED = """---
title: Pasted
description: Text pasted from a Windows program.
date: 2026-01-06
pillar: back
---

It\x92s common.

Some call it \x93lumbago\x94 \x96 and \x93lumbago\x94 again.

Plain line.

A stray \x81 here, and \x85 \x9d.
"""


def site_with(make_site, config: str = MINIMAL_CONFIG, **articles: str) -> Path:
    """Write a site of one pillar linking to the stretches article and the articles given (name: text)."""
    links = ", ".join(f"[{name}]({name}.md)" for name in ["stretches", *articles])
    files = {"site.yaml": config, "content/back/index.md": PILLAR.format(links=links),
             "content/back/stretches.md": STRETCHES}
    site = make_site({**files, **{f"content/back/{name}.md": text for name, text in articles.items()}})
    for name in ("chart.png", "sleep chart.png"):
        (site / "content" / "back" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "content" / "back" / "sleep leaflet.pdf").write_bytes(b"%PDF-1.4\n")
    return site


def lines_with(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if line.endswith(f"[{code}]")]


def page_body(site: Path, slug: str) -> str:
    html = (site / "public" / "back" / slug / "index.html").read_text(encoding="utf-8")
    return html.split('<div class="body">', 1)[1].split("</div>", 1)[0]


def test_a_quoted_link_or_image_address_is_an_error_at_each_line_with_the_fix(make_site) -> None:
    site = site_with(make_site, quoted=QUOTED)
    result = run_healthsite("build", cwd=site)
    assert result.code == 1
    assert lines_with(result.err, "link-quoted") == [
        ('content/back/quoted.md:8: error: link address "https://www.nhs.uk/" has quotes around it. Remove the quotes '
         "around the address: (https://www.nhs.uk/) [link-quoted]"),
        ("content/back/quoted.md:10: error: image address 'chart.png' has quotes around it. Remove the quotes around "
         "the address: (chart.png) [link-quoted]"),
        ('content/back/quoted.md:12: error: link address "https://www.nhs.uk/" has quotes around it. Remove the quotes '
         "around the address: (https://www.nhs.uk/) [link-quoted]"),
        ('content/back/quoted.md:12: error: link address "stretches.md" has quotes around it. Remove the quotes '
         "around the address: (stretches.md) [link-quoted]"),
        ('content/back/quoted.md:16: error: link address "https://www.nhs.uk/conditions/" has quotes around it. '
         "Remove the quotes around the address: (https://www.nhs.uk/conditions/) [link-quoted]"),
    ]
    assert [line for line in result.err.splitlines() if ": error: " in line] == lines_with(result.err, "link-quoted")
    assert not (site / "public").exists()
    checked = run_healthsite("check", cwd=site)  # check and build agree on every message
    assert lines_with(checked.out, "link-quoted") == lines_with(result.err, "link-quoted")


def test_spaces_bars_and_stray_percents_in_addresses_are_percent_encoded_in_every_href_and_src(make_site) -> None:
    site = site_with(make_site, leaflets=LEAFLETS)
    result = run_healthsite("build", cwd=site)
    assert result.code == 0, result.err
    body = page_body(site, "leaflets")
    assert re.findall(r'(?:href|src)="([^"]*)"', body) == [
        "/back/sleep%20leaflet.pdf", "/back/sleep%20leaflet.pdf",
        "/back/sleep%20chart.png",
        "/back/sleep%20leaflet.pdf",
        "https://example.org/search?q=back%20pain%7Csleep&amp;x=%7By%7D#top%20results%232",
        "https://example.org/100%25%20cotton",
        "https://example.org/straße",
        "/back/sleep%20leaflet.pdf", "/back/sleep%20chart.png",
        "https://example.org/a%7Cb%20c",
    ]


def test_a_page_with_spaces_and_bars_in_its_addresses_passes_the_html_validator(make_site) -> None:
    site = site_with(make_site, leaflets=LEAFLETS)
    assert run_healthsite("build", cwd=site).code == 0
    assert vnu_errors(site / "public", [site / "public" / "back" / "leaflets" / "index.html"]) == []


def test_heading_base_moves_the_highest_body_heading_to_level_two_and_the_others_with_it(make_site) -> None:
    site = site_with(make_site, MINIMAL_CONFIG + "markdown:\n  heading_base: 2\n", imported=IMPORTED)
    result = run_healthsite("build", cwd=site)
    assert result.code == 0, result.err
    assert lines_with(result.err, "heading-skipped") == []
    assert re.findall(r"<h[1-6][^>]*>[^<]*</h[1-6]>", page_body(site, "imported")) == [
        '<h2 id="what-it-is">What it is</h2>', '<h3 id="how-it-starts">How it starts</h3>',
        '<h2 id="what-helps">What helps</h2>', '<h2 id="when-it-lasts">When it lasts</h2>',
        '<h2 id="who-to-see">Who to see</h2>']
    html = (site / "public" / "back" / "imported" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<li><a href="(#[^"]+)">', html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]) == [
        "#what-it-is", "#what-helps", "#when-it-lasts", "#who-to-see"]


def test_without_heading_base_headings_stay_at_the_level_written_and_the_skip_is_reported(make_site) -> None:
    site = site_with(make_site, imported=IMPORTED)
    result = run_healthsite("build", cwd=site)
    assert result.code == 0, result.err
    assert lines_with(result.err, "heading-skipped") == [
        ("content/back/imported.md:8: warning: the heading 'What it is' is at level 3 under one at level 1, so screen "
         "readers and the contents skip a level. Write it as '## What it is' [heading-skipped]")]
    assert '<h3 id="what-it-is">What it is</h3>' in page_body(site, "imported")
    assert '<nav class="toc"' not in (site / "public" / "back" / "imported" / "index.html").read_text(encoding="utf-8")


def test_a_heading_that_still_skips_under_heading_base_names_the_marks_to_write(make_site) -> None:
    skipping = IMPORTED.replace("#### How it starts", "##### How it starts")
    site = site_with(make_site, MINIMAL_CONFIG + "markdown:\n  heading_base: 2\n", imported=skipping)
    result = run_healthsite("check", cwd=site)
    assert lines_with(result.out, "heading-skipped") == [
        ("content/back/imported.md:12: warning: the heading 'How it starts' is at level 4 under one at level 2, so "
         "screen readers and the contents skip a level. Write it as '#### How it starts' [heading-skipped]")]


def test_a_heading_base_that_leaves_level_two_empty_says_to_lower_it(make_site) -> None:
    site = site_with(make_site, MINIMAL_CONFIG + "markdown:\n  heading_base: 3\n", imported=IMPORTED)
    result = run_healthsite("check", cwd=site)
    assert lines_with(result.out, "heading-skipped") == [
        ("content/back/imported.md:8: warning: the heading 'What it is' is at level 3 under one at level 1, so screen "
         "readers and the contents skip a level. Lower markdown.heading_base in site.yaml to 2, or leave it out "
         "[heading-skipped]")]


@pytest.mark.parametrize("value, message", [
    ("7", ("'markdown.heading_base' must be from 1 to 6, not 7. Use 2 to make the body's highest heading a level-2 "
           "heading, or leave it out")),
    ("0", ("'markdown.heading_base' must be from 1 to 6, not 0. Use 2 to make the body's highest heading a level-2 "
           "heading, or leave it out")),
    ("two", "'markdown.heading_base' must be a whole number."),
    ("2.0", "'markdown.heading_base' must be a whole number."),
])
def test_a_heading_base_outside_one_to_six_is_a_config_error(make_site, value: str, message: str) -> None:
    site = site_with(make_site, MINIMAL_CONFIG + f"markdown:\n  heading_base: {value}\n")
    result = run_healthsite("build", cwd=site)
    assert result.code == 1
    assert lines_with(result.err, "config-type") == [f"site.yaml:5: error: {message} [config-type]"]


def test_changing_heading_base_renders_the_cached_bodies_again(make_site) -> None:
    site = site_with(make_site, imported=IMPORTED)
    assert run_healthsite("build", cwd=site).code == 0
    assert '<h3 id="what-it-is">' in page_body(site, "imported")
    (site / "site.yaml").write_text(MINIMAL_CONFIG + "markdown:\n  heading_base: 2\n", encoding="utf-8")
    assert run_healthsite("build", cwd=site).code == 0
    assert '<h2 id="what-it-is">' in page_body(site, "imported")


def test_c1_control_characters_are_a_warning_a_line_and_the_page_shows_what_they_stood_for(make_site) -> None:
    site = site_with(make_site, pasted=PASTED)
    result = run_healthsite("build", cwd=site)
    assert result.code == 0, result.err
    assert lines_with(result.err, "control-character") == [
        ("content/back/pasted.md:8: warning: the line holds the invisible control character U+0092 where ’ was "
         "probably meant. Replace it with ’ or save the file as UTF-8 again [control-character]"),
        ("content/back/pasted.md:10: warning: the line holds the invisible control characters U+0093 where “ was "
         "probably meant, U+0094 where ” was probably meant and U+0096 where – was probably meant. Replace them with "
         "“, ” and – or save the file as UTF-8 again [control-character]"),
        ("content/back/pasted.md:14: warning: the line holds the invisible control characters U+0081, which stands for "
         "no character, U+0085 where … was probably meant and U+009D, which stands for no character. Delete U+0081 "
         "and U+009D, replace the others with …, or save the file as UTF-8 again [control-character]"),
    ]
    body = page_body(site, "pasted")
    assert "<p>It’s common.</p>" in body
    assert "<p>Some call it “lumbago” – and “lumbago” again.</p>" in body
    assert "<p>A stray  here, and … .</p>" in body
    page = (site / "public" / "back" / "pasted" / "index.html").read_text(encoding="utf-8")
    assert not re.search("[\x80-\x9f]", page)
    checked = run_healthsite("check", cwd=site)
    assert lines_with(checked.out, "control-character") == lines_with(result.err, "control-character")
