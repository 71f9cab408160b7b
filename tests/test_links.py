"""Writers link by source path; the builder rewrites links to URLs under any base_url and reports broken ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, run_healthsite
from site_files import broken_internal_links, links_in

PILLAR = "---\nkind: pillar\ntitle: Back\ndescription: Backs.\ndate: 2026-01-01\n---\n\nSee [stretches](stretches.md).\n"
STRETCHES = """---
title: Stretches
description: Gentle stretches.
date: 2026-01-02
pillar: back
---

## Knee hugs

Hug your knees.
"""
LINKS = """---
title: Links
description: Every kind of link.
date: 2026-01-03
pillar: back
---

## Here

- [same folder](stretches.md)
- [same folder with anchor](stretches.md#knee-hugs)
- [other folder](../legs/cramps.md)
- [a pillar](../legs/index.md)
- [a page](../about.md)
- [with a title](stretches.md "Stretches")
- [on this page](#here)
- [site path](/tags/)
- [external](https://www.nhs.uk/conditions/back-pain/)
- [email](mailto:editor@example.org)
- [reference style][ref]

[ref]: ../legs/cramps.md#what-helps

```markdown
[inside code, never checked](missing.md)
```
"""
FILES = {
    "content/back/index.md": PILLAR,
    "content/back/stretches.md": STRETCHES,
    "content/back/links.md": LINKS,
    "content/legs/index.md": "---\nkind: pillar\ntitle: Legs\ndescription: Legs.\ndate: 2026-01-01\n---\n\nLegs.\n",
    "content/legs/cramps.md": STRETCHES.replace("Stretches", "Cramps").replace("pillar: back", "pillar: legs")
                                       .replace("Knee hugs", "What helps"),
    "content/about.md": "---\nkind: page\ntitle: About\ndescription: Us.\ndate: 2026-01-01\n---\n\nUs.\n",
}


def body_links(root: Path, page: str = "back/links/index.html") -> list[str]:
    """Return the links inside the article body of a built page."""
    html = (root / "public" / page).read_text(encoding="utf-8")
    body = re.search(r'<h2 id="here">Here</h2>\s*<ul>.*?</ul>', html, re.S)
    assert body, html
    return [href for href in re.findall(r'href="([^"]*)"', body.group(0))]


def build(make_site, *args: str) -> Path:
    root = make_site(FILES)
    result = run_healthsite("build", *args, cwd=root)
    assert result.code == 0, result.err
    return root


EXPECTED = ["{base}back/stretches/", "{base}back/stretches/#knee-hugs", "{base}legs/cramps/", "{base}legs/",
            "{base}about/", "{base}back/stretches/", "#here", "{base}tags/",
            "https://www.nhs.uk/conditions/back-pain/", "mailto:editor@example.org", "{base}legs/cramps/#what-helps"]


@pytest.mark.parametrize(("base_url", "base_path"), [
    ("/", "/"), ("/docs/", "/docs/"), ("/docs", "/docs/"), ("https://example.org/sub/", "/sub/"),
])
def test_links_to_markdown_files_become_urls_under_the_base_path(make_site, base_url: str, base_path: str) -> None:
    root = build(make_site, "--base-url", base_url)
    assert body_links(root) == [href.format(base=base_path) for href in EXPECTED]


@pytest.mark.parametrize(("base_url", "base_path"), [("/", "/"), ("/docs/", "/docs/"),
                                                    ("https://example.org/sub/", "/sub/")])
def test_every_internal_link_resolves_under_the_base_path(make_site, base_url: str, base_path: str) -> None:
    root = build(make_site, "--base-url", base_url)
    public = root / "public"
    assert broken_internal_links(public, base_path) == []
    outside = [href for page in public.rglob("*.html") for href in links_in(page)
               if href.startswith("/") and not href.startswith(base_path)]
    assert outside == []


def test_a_sub_path_site_points_its_stylesheet_and_home_link_under_the_sub_path(make_site) -> None:
    root = build(make_site, "--base-url", "/docs/")
    links = links_in(root / "public" / "back" / "links" / "index.html")
    assert "/docs/" in links
    assert any(re.fullmatch(r"/docs/static/style\.[0-9a-f]+\.css", href) for href in links)


def test_a_host_base_url_gives_absolute_canonical_addresses(make_site) -> None:
    root = build(make_site, "--base-url", "https://example.org/sub/")
    html = (root / "public" / "back" / "links" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/sub/back/links/">' in html


def test_links_inside_code_blocks_are_left_as_written(make_site) -> None:
    html = (build(make_site) / "public" / "back" / "links" / "index.html").read_text(encoding="utf-8")
    assert "[inside code, never checked](missing.md)" in html


def test_site_records_which_articles_link_to_each_article(make_site) -> None:
    from healthsite.config import load_config
    from healthsite.diagnostics import Diagnostics
    from healthsite.pipeline import load_site

    root = make_site(FILES)
    diags = Diagnostics()
    site = load_site(load_config(root / "site.yaml", diags), diags)
    assert site is not None, diags.format()
    assert site.backlinks["stretches"] == ("back", "links")
    assert site.backlinks["cramps"] == ("links",)


def test_link_to_a_missing_heading_on_the_same_page_is_an_error(make_site) -> None:
    root = make_site({**FILES, "content/back/links.md": LINKS.replace("(#here)", "(#hear)")})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == ("content/back/links.md:16: error: link '#hear' points to no heading on "
                                          "this page. Did you mean '#here'? [anchor-not-found]")


def test_link_to_a_draft_says_it_is_unpublished(make_site) -> None:
    draft = STRETCHES.replace("pillar: back", "pillar: back\ndraft: true")
    root = make_site({**FILES, "content/back/stretches.md": draft})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert "content/back/index.md:8: error: link 'stretches.md' points to an article that is a draft or dated in " \
           "the future. Publish that article first, or remove the link [link-to-draft]" in result.err.splitlines()
    assert run_healthsite("build", "--drafts", cwd=root).code == 0


MISTAKES = """---
title: Mistakes
description: Links that lead nowhere.
date: 2026-01-04
pillar: back
---

## First

See [the cramps page](cramps.md) here.

And [the cramps page](cramps.md) again, on its own line.

- [a heading that is not there](stretches.md#knee-hug)
- [a heading nothing resembles](../legs/cramps.md#sleep)
- [here](#zzz)
"""


def test_each_broken_link_is_reported_at_its_own_line_with_the_likely_fix(make_site) -> None:
    site = make_site({**FILES, "content/back/mistakes.md": MISTAKES})
    result = run_healthsite("build", cwd=site)
    assert result.code == 1
    assert [line for line in result.err.splitlines() if ": error: " in line] == [
        "content/back/mistakes.md:10: error: link 'cramps.md' points to no article. Did you mean "
        "'../legs/cramps.md'? [link-not-found]",
        "content/back/mistakes.md:12: error: link 'cramps.md' points to no article. Did you mean "
        "'../legs/cramps.md'? [link-not-found]",
        "content/back/mistakes.md:14: error: link 'stretches.md#knee-hug' points to no heading in "
        "content/back/stretches.md. Did you mean '#knee-hugs'? [anchor-not-found]",
        "content/back/mistakes.md:15: error: link '../legs/cramps.md#sleep' points to no heading in "
        "content/legs/cramps.md. Its headings are #what-helps [anchor-not-found]",
        "content/back/mistakes.md:16: error: link '#zzz' points to no heading on this page. Its headings are "
        "#first [anchor-not-found]",
    ]
    checked = run_healthsite("check", cwd=site)  # check and build agree on every message
    assert [line for line in checked.out.splitlines() if ": error: " in line] == [
        line for line in result.err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("written, meant", [
    ("heat.md", "../lifestyle/heat-or-cold-for-back-pain.md"),  # a word of the name, in another folder
    ("../lifestyle/heat-or-cold.md", "../lifestyle/heat-or-cold-for-back-pain.md"),
    ("warmth-or-cold.md", "../lifestyle/heat-or-cold-for-back-pain.md"),  # by its title
    ("stretchs.md", "stretches.md"),  # a misspelling
])
def test_a_link_to_a_missing_article_suggests_the_closest_by_name_or_title(make_site, written, meant) -> None:
    warmth = STRETCHES.replace("title: Stretches", "title: Warmth or cold?").replace("pillar: back", "pillar: lifestyle")
    site = make_site({**FILES, "content/back/index.md": PILLAR.replace("stretches.md", written),
                      "content/lifestyle/index.md": FILES["content/legs/index.md"].replace("Legs", "Lifestyle"),
                      "content/lifestyle/heat-or-cold-for-back-pain.md": warmth})
    result = run_healthsite("check", cwd=site)
    assert f"content/back/index.md:8: error: link '{written}' points to no article. Did you mean '{meant}'? " \
           "[link-not-found]" in result.out.splitlines()


ROOT_RELATIVE = """---
title: Site paths
description: Links written from the site's root.
date: 2026-01-05
pillar: back
---

- [an article](/back/stretches/) and [without its slash](/back/stretches#knee-hugs)
- [a tag list](/tags/) and [the feed](/legs/feed.xml) and [the home page](/)
- [a shop on the same host](/shop/cart/) and [an API](/api/v1/items)
- [a missing page](/subscribe) and [a missing leaflet](/downloads/leaflet.pdf)
- ![a missing image](/back/strech.png)
"""


def test_root_relative_links_are_checked_against_the_site_and_its_external_paths(make_site) -> None:
    site = make_site({**FILES, "content/back/paths.md": ROOT_RELATIVE,
                      "site.yaml": MINIMAL_CONFIG + "links:\n  external_paths: [/shop/*, /api/*]\n"})
    (site / "content/back/stretch.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = run_healthsite("build", cwd=site)
    assert result.code == 1
    assert [line for line in result.err.splitlines() if ": error: " in line] == [
        "content/back/paths.md:11: error: link '/downloads/leaflet.pdf' points to no page or file of this site. If "
        "another program serves it on this host, list it under links.external_paths in site.yaml [link-not-found]",
        "content/back/paths.md:11: error: link '/subscribe' points to no page or file of this site. If another "
        "program serves it on this host, list it under links.external_paths in site.yaml [link-not-found]",
        "content/back/paths.md:12: error: link '/back/strech.png' points to no page or file of this site. Did you "
        "mean '/back/stretch.png'? [link-not-found]",
    ]
