"""Shared Markdown kept once (issue 22): `--8<-- "name.md"` includes content/_snippets/name.md, indented as the line
that includes it; a problem inside a snippet is reported at the snippet's own line."""

from __future__ import annotations

from conftest import run_healthsite
from test_check import PILLAR, article

RED_FLAGS = "**Call 999 if you have back pain and:**\n\n- numbness around your bottom\n- you cannot pee\n"
INCLUDED = article(body='Keep moving.\n\n!!! warning "When to get help"\n    --8<-- "red-flags.md"\n\nThen rest.')


def site_with(make_site, snippets: dict[str, str], body_file: str = INCLUDED):
    return make_site({"content/guide/index.md": PILLAR, "content/guide/first-steps.md": body_file,
                      **{f"content/_snippets/{name}": text for name, text in snippets.items()}})


def test_a_snippet_is_included_indented_and_never_published_alone(make_site):
    root = site_with(make_site, {"red-flags.md": RED_FLAGS})
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    page = (root / "public/guide/first-steps/index.html").read_text(encoding="utf-8")
    assert ('<div class="admonition warning">\n<p class="admonition-title">When to get help</p>\n'
            "<p><strong>Call 999 if you have back pain and:</strong></p>\n<ul>\n<li>numbness around your bottom</li>\n"
            "<li>you cannot pee</li>\n</ul>\n</div>\n<p>Then rest.</p>") in page
    assert not (root / "public/_snippets").exists()
    assert "help-block-missing" not in result.err


def test_a_problem_in_a_snippet_is_reported_at_the_snippets_line_and_the_article_keeps_its_lines(make_site):
    snippet = RED_FLAGS + "- see [the guide](/guidee/)\n"
    body = INCLUDED.replace("Then rest.", "Then rest. See [more](/more/).")
    root = site_with(make_site, {"red-flags.md": snippet}, body)
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/_snippets/red-flags.md:5: error: link '/guidee/' points to no page or file of this site. Did you "
        "mean '/guide/'? [link-not-found]",
        "content/guide/first-steps.md:17: error: link '/more/' points to no page or file of this site. If another "
        "program serves it on this host, list it under links.external_paths in site.yaml [link-not-found]"]


def test_a_missing_snippet_is_an_error_at_the_include_line_with_the_closest_name(make_site):
    root = site_with(make_site, {"red-flag.md": RED_FLAGS})
    result = run_healthsite("check", cwd=root)
    assert result.code == 1
    assert ("content/guide/first-steps.md:15: error: there is no snippet content/_snippets/red-flags.md. Did you "
            "mean 'red-flag.md'? [snippet-not-found]") in result.out.splitlines()


def test_a_snippet_name_that_leaves_the_folder_is_refused(make_site):
    body = article(body='--8<-- "../guide/index.md"')
    result = run_healthsite("check", cwd=site_with(make_site, {}, body))
    assert ("content/guide/first-steps.md:12: error: '../guide/index.md' is not a snippet name. Name a file in "
            "content/_snippets/, such as \"red-flags.md\" [snippet-invalid]") in result.out.splitlines()


def test_snippets_that_include_each_other_are_a_loop_error_not_a_hang(make_site):
    root = site_with(make_site, {"red-flags.md": RED_FLAGS + '\n--8<-- "more.md"\n',
                                 "more.md": 'More.\n\n--8<-- "red-flags.md"\n'})
    result = run_healthsite("check", cwd=root)
    assert result.code == 1
    assert ("content/_snippets/more.md:3: error: snippet content/_snippets/red-flags.md includes itself through "
            "content/guide/first-steps.md -> content/_snippets/red-flags.md -> content/_snippets/more.md -> "
            "content/_snippets/red-flags.md. Remove one of the include lines [snippet-loop]") in result.out.splitlines()


def test_an_edited_snippet_renders_the_articles_that_include_it_again(make_site):
    root = site_with(make_site, {"red-flags.md": RED_FLAGS})
    assert run_healthsite("build", cwd=root).code == 0
    (root / "content/_snippets/red-flags.md").write_text(RED_FLAGS.replace("you cannot pee", "you cannot wee"),
                                                          encoding="utf-8")
    assert run_healthsite("build", cwd=root).code == 0
    assert "<li>you cannot wee</li>" in (root / "public/guide/first-steps/index.html").read_text(encoding="utf-8")
