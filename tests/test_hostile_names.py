"""Slugs, aliases, file names and tags: none leaves the output folder, none overwrites another page."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_healthsite, write_site
from site_files import files_below

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
FIELDS = "title: Heat or cold?\ndescription: Which helps a sore back.\ndate: 2026-01-02\npillar: guide\n"


def article(extra: str = "", title: str = "Heat or cold?") -> str:
    return f"---\n{FIELDS.replace('Heat or cold?', title)}{extra}---\n\nHeat helps.\n"


def build(tmp_path: Path, files: dict[str, str], config: str = "") -> tuple[Path, int, list[str]]:
    """Build a site with a 'guide' pillar and these files; return its folder, exit code and error lines."""
    site_yaml = "title: T\nbase_url: /\nsearch: false\n" + config
    root = write_site(tmp_path / "site", {"site.yaml": site_yaml, "content/guide/index.md": PILLAR, **files})
    result = run_healthsite("build", cwd=root)
    assert "Traceback" not in result.err
    return root, result.code, [line for line in result.err.splitlines() if ": error: " in line]


def everything_below(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_nothing_is_written_outside_the_output_folder(tmp_path: Path) -> None:
    before = everything_below(tmp_path)
    root, code, _ = build(tmp_path, {"content/guide/heat.md": article(
        "aliases: ['/etc/passwd', '//evil.example/', '/old/heat/']\n")})
    assert code == 0
    written = everything_below(tmp_path) - before
    assert all(p.startswith("site/content") or p.startswith("site/public") or p in ("site", "site/site.yaml",
               "site/.healthsite-cache") or p.startswith("site/.healthsite-cache/")
               for p in written), sorted(written)
    for alias in ("etc/passwd", "evil.example", "old/heat"):
        page = (root / "public" / alias / "index.html").read_text(encoding="utf-8")
        assert 'content="0; url=/guide/heat/"' in page


@pytest.mark.parametrize("slug, shown, hint", [
    ("../evil", "'../evil'", "Use 'slug: evil'"),
    ("/etc/passwd", "'/etc/passwd'", "Use 'slug: etc-passwd'"),
    ("..\\\\..\\\\evil", "'..\\..\\evil'", "Use 'slug: evil'"),
    ("%2e%2e", "'%2e%2e'", "Use 'slug: 2e-2e'"),
    ("a\\0b", "'a\\x00b'", "Use 'slug: a-b'"),
    ("my page", "'my page'", "Use 'slug: my-page'"),
    ("café", "'café'", "Use 'slug: cafe'"),
    ("Heat", "'Heat'", "Use 'slug: heat'"),
    ("..", "'..'", "Use letters, digits and hyphens"),
], ids=["dot-dot", "absolute", "backslashes", "percent-encoded", "nul", "space", "unicode", "capital", "only-dots"])
def test_a_slug_that_is_not_a_plain_name_is_refused(tmp_path: Path, slug: str, shown: str, hint: str) -> None:
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article(f'slug: "{slug}"\n')})
    assert code == 1
    assert errors == [f"content/guide/heat.md:6: error: slug {shown} is not a lowercase-hyphenated name. {hint} "
                      "[slug-invalid]"]
    assert not (root / "public").exists()


LONG = "a" * 256


@pytest.mark.parametrize("field, error", [
    (f"slug: {LONG}", f"6: error: the slug '{'a' * 24}...' is 256 characters long, more than the 255 a file system "
                      "holds in one name. Shorten it: a few words make the best address [slug-invalid]"),
    (f"tags: [sleep, {LONG}]", f"6: error: the tag '{'a' * 24}...' is 256 characters long, more than the 255 a file "
                               "system holds in one name. Shorten it: a word or two make the best tag [tag-invalid]"),
    (f"aliases: [/old/{LONG}/]", f"6: error: the part of the alias '{'a' * 24}...' is 256 characters long, more than "
                                 "the 255 a file system holds in one name. Shorten that part of the old address "
                                 "[alias-invalid]"),
    (f"aliases: [{'/abc' * 300}/]", "6: error: the alias is 1201 characters long, more than the 1024 an address may "
                                    "have here. Shorten the old address [alias-invalid]"),
], ids=["slug", "tag", "alias-part", "alias"])
def test_a_name_too_long_for_a_file_system_is_refused_at_its_line(tmp_path: Path, field: str, error: str) -> None:
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article(field + "\n")})
    assert (code, errors) == (1, ["content/guide/heat.md:" + error])
    assert not (root / "public").exists()


@pytest.mark.parametrize("alias, shown", [
    ("../../evil/", "'../../evil/'"),
    ("/../../evil/", "'/../../evil/'"),
    ("/guide/../../evil/", "'/guide/../../evil/'"),
    ("/.../", "'/.../'"),
    ("/a\\\\..\\\\..\\\\b/", "'/a\\..\\..\\b/'"),
    ("C:\\\\Windows\\\\evil", "'C:\\Windows\\evil'"),
    ("/a\\0b/", "'/a\\x00b/'"),
    ("/%2e%2e/%2e%2e/evil/", "'/%2e%2e/%2e%2e/evil/'"),
    ("/", "'/'"),
    ("/old page/", "'/old page/'"),
    ("/café/", "'/café/'"),
    ("https://evil.example/", "'https://evil.example/'"),
], ids=["relative-dot-dot", "dot-dot", "dot-dot-inside", "dots", "backslashes", "windows", "nul", "percent-encoded",
        "root", "space", "unicode", "url"])
def test_an_alias_that_is_not_a_plain_site_path_is_refused(tmp_path: Path, alias: str, shown: str) -> None:
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article(f'aliases: ["{alias}"]\n')})
    assert code == 1
    assert errors == [f"content/guide/heat.md:6: error: alias {shown} is not a plain site path. Write it like "
                      "'/old-section/old-name/' using letters, digits, '-', '_' and '.' [alias-invalid]"]
    assert not (root / "public").exists()


def test_file_names_with_spaces_and_unicode_become_plain_slugs(tmp_path: Path) -> None:
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article(),
                                          "content/guide/Heat Or Cold.md": article(title="Spaces"),
                                          "content/guide/Café Crème.md": article(title="Accents")})
    assert (code, errors) == (0, [])
    assert "Spaces" in (root / "public/guide/heat-or-cold/index.html").read_text(encoding="utf-8")
    assert "Accents" in (root / "public/guide/cafe-creme/index.html").read_text(encoding="utf-8")


NO_HEAT = "content/guide/index.md:8: error: link 'heat.md' points to no article. "  # the pillar's link, in the same run


def test_a_file_name_with_no_latin_letters_asks_for_a_slug(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/日本.md": article()})
    assert code == 1
    assert errors == [NO_HEAT + "No article has a name like it: check the file name, or write the article first "
                      "[link-not-found]",
                      "content/guide/日本.md:1: error: cannot make a URL name from the file name '日本'. "
                      "Add 'slug: some-name' to the front matter [slug-invalid]"]


def test_file_names_that_differ_only_in_case_collide(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/Heat.md": article(), "content/guide/heat.md": article()})
    assert code == 1
    assert errors == ["content/guide/heat.md:1: error: slug 'heat' is already used by content/guide/Heat.md. "
                      "Give one of them a different 'slug:' or file name [slug-duplicate]"]


def test_file_names_that_differ_only_in_spaces_or_accents_collide(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/cafe creme.md": article(),
                                       "content/guide/café-crème.md": article()})
    assert code == 1
    assert errors == ["content/guide/café-crème.md:1: error: slug 'cafe-creme' is already used by "
                      "content/guide/cafe creme.md. Give one of them a different 'slug:' or file name [slug-duplicate]",
                      NO_HEAT + "Did you mean 'cafe creme.md'? [link-not-found]"]


def test_two_files_with_the_same_slug_name_the_first(tmp_path: Path) -> None:
    legs = PILLAR.replace("title: Guide", "title: Legs").replace("Read [heat](heat.md).", "Legs.")
    _, code, errors = build(tmp_path, {"content/guide/heat.md": article(),
                                       "content/legs/index.md": legs,
                                       "content/legs/warmth.md": article("slug: heat\n").replace("guide", "legs")})
    assert code == 1
    assert errors == ["content/legs/warmth.md:6: error: slug 'heat' is already used by content/guide/heat.md. "
                      "Give one of them a different 'slug:' or file name [slug-duplicate]"]


def test_a_page_cannot_take_a_pillars_slug(tmp_path: Path) -> None:
    page = "---\nkind: page\ntitle: About\ndescription: About us.\ndate: 2026-01-01\nslug: guide\n---\n\nUs.\n"
    _, code, errors = build(tmp_path, {"content/about.md": page})
    assert code == 1
    assert errors == ["content/guide/index.md:1: error: slug 'guide' is already used by content/about.md. "
                      "Give one of them a different 'slug:' or file name [slug-duplicate]"]


@pytest.mark.parametrize("slug, owner", [("tags", "the tag pages"), ("static", "a page healthsite writes itself"),
                                         ("pagefind", "a page healthsite writes itself"),
                                         ("search", "a page healthsite writes itself")])
def test_a_page_cannot_take_an_address_healthsite_writes(tmp_path: Path, slug: str, owner: str) -> None:
    page = f"---\nkind: page\ntitle: P\ndescription: P.\ndate: 2026-01-01\nslug: {slug}\n---\n\nP.\n"
    _, code, errors = build(tmp_path, {"content/page.md": page})
    assert code == 1
    assert errors == [NO_HEAT + "No article has a name like it: check the file name, or write the article first "
                      "[link-not-found]",
                      f"content/page.md:6: error: the address /{slug}/ is already taken by {owner}. "
                      "Choose another slug [url-duplicate]"]


@pytest.mark.parametrize("alias, owner", [
    ("/guide/", "content/guide/index.md"),
    ("/GUIDE/Heat/", "content/guide/heat.md"),
    ("/tags/heat/", "the tag pages"),
    ("/404.html/", "a page healthsite writes itself"),
    ("/feed.xml/", "a page healthsite writes itself"),
    ("/sitemap.xml/", "a page healthsite writes itself"),
    ("/static/style.css/", "a page healthsite writes itself"),
    ("/pagefind/pagefind.js/", "a page healthsite writes itself"),
], ids=["pillar", "case-differs", "tag-page", "404", "feed", "sitemap", "static", "search-index"])
def test_an_alias_cannot_take_an_existing_address(tmp_path: Path, alias: str, owner: str) -> None:
    _, code, errors = build(tmp_path, {"content/guide/heat.md": article(),
                                       "content/guide/cold.md": article(f'aliases: ["{alias}"]\n', "Cold")})
    assert code == 1
    assert errors == [f"content/guide/cold.md:6: error: alias {alias} is already the address of {owner}. "
                      "Remove the alias or change it [alias-duplicate]"]


def test_two_aliases_for_the_same_old_address_collide(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/heat.md": article("aliases: [/old/]\n"),
                                       "content/guide/cold.md": article("aliases: [/OLD/]\n", "Cold")})
    assert code == 1
    assert errors == ["content/guide/heat.md:6: error: alias /old/ is already the address of content/guide/cold.md. "
                      "Remove the alias or change it [alias-duplicate]"]


def test_tags_with_slashes_dots_case_and_accents_become_plain_tag_pages(tmp_path: Path) -> None:
    tags = "tags: ['back/pain', '../../etc', 'Café', 'HEAT', 'heat', 'Warm Baths']\n"
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article(tags)})
    assert (code, errors) == (0, [])
    assert sorted(p.name for p in (root / "public/tags").iterdir() if p.is_dir()) == [
        "back-pain", "cafe", "etc", "heat", "warm-baths"]
    assert not (root / "etc").exists() and not (tmp_path / "etc").exists()


def test_a_tag_with_no_latin_letters_is_an_error_with_a_way_out(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/heat.md": article("tags: [日本, '///']\n")})
    assert code == 1
    assert errors == [
        "content/guide/heat.md:6: error: tag '///' has no Latin letters or digits to make its address from. "
        "Map it to a tag under 'tag_aliases' in site.yaml, such as '///: some-tag' [tag-invalid]",
        "content/guide/heat.md:6: error: tag '日本' has no Latin letters or digits to make its address from. "
        "Map it to a tag under 'tag_aliases' in site.yaml, such as '日本: some-tag' [tag-invalid]"]


def test_a_unicode_tag_can_be_mapped_to_a_plain_tag_in_site_yaml(tmp_path: Path) -> None:
    root, code, errors = build(tmp_path, {"content/guide/heat.md": article("tags: [日本]\n")},
                               config="tag_aliases:\n  日本: japan\n")
    assert (code, errors) == (0, [])
    assert (root / "public/tags/japan/index.html").is_file()


def test_a_refused_name_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    root, code, _ = build(tmp_path, {"content/guide/heat.md": article()})
    assert code == 0
    before = files_below(root / "public")
    (root / "content/guide/heat.md").write_text(article("slug: ../../evil\naliases: [/../x/]\n"), encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert files_below(root / "public") == before


def test_a_file_name_with_a_terminal_escape_is_shown_not_obeyed(tmp_path: Path) -> None:
    _, code, errors = build(tmp_path, {"content/guide/heat.md": article(), "content/guide/\x1b[2J\x1b]0;pwned\x07.md": ""})
    assert code == 1
    assert errors == ["content/guide/\\x1b[2J\\x1b]0;pwned\\x07.md:1: error: the file does not start with front matter. "
                      "Begin the file with a '---' line, fields such as 'title: ...', and another '---' line "
                      "[front-matter-missing]"]
