"""Front matter read through python-frontmatter: TOML between '+++' lines builds like YAML, with `file:line`."""

from __future__ import annotations

from pathlib import Path

import frontmatter
from conftest import run_healthsite, write_site
from site_files import failed_rebuild_errors

from healthsite.content import front_matter
from healthsite.diagnostics import Diagnostics

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
BODY = "\nHeat helps most people.\n\n## When to use cold\n\nAfter a knock, [read the guide](index.md).\n"
YAML_ARTICLE = f"""---
title: Heat or cold?
description: Which helps a sore back.
date: 2026-01-02
updated: 2026-02-03
reviewed: 2026-02-01
reviewer: Dr A. Example, GP
pillar: guide
tags: [heat, back-pain]
sources:
  - title: Back pain
    publisher: NHS
    url: https://www.nhs.uk/conditions/back-pain/
    year: 2024
  - title: Low back pain
    publisher: NICE
    url: https://www.nice.org.uk/guidance/ng59
---
{BODY}"""
TOML_ARTICLE = f"""+++
title = "Heat or cold?"
description = "Which helps a sore back."
date = 2026-01-02
updated = 2026-02-03
reviewed = 2026-02-01
reviewer = "Dr A. Example, GP"
pillar = "guide"
tags = ["heat", "back-pain"]

[[sources]]
title = "Back pain"
publisher = "NHS"
url = "https://www.nhs.uk/conditions/back-pain/"
year = 2024

[[sources]]
title = "Low back pain"
publisher = "NICE"
url = "https://www.nice.org.uk/guidance/ng59"
+++
{BODY}"""
FIELDS = 'title = "Heat or cold?"\ndescription = "Which helps a sore back."\n'


def built_article(root: Path, article: str) -> str:
    """Build a one-pillar site with this article (it must succeed) and return the article page."""
    write_site(root, {"content/guide/index.md": PILLAR, "content/guide/heat.md": article})
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    return (root / "public/guide/heat/index.html").read_text(encoding="utf-8")


def checked(tmp_path: Path, article: str) -> list[str]:
    """Check a one-pillar site with this article and return the error and warning lines."""
    root = write_site(tmp_path / "site", {"content/guide/index.md": PILLAR, "content/guide/heat.md": article})
    result = run_healthsite("check", cwd=root)
    assert "Traceback" not in result.err
    return [line for line in result.out.splitlines() if ": error: " in line or ": warning: " in line]


def broken_build(tmp_path: Path, article: str) -> list[str]:
    """Build a good site, replace its article with `article`; return the errors of the failed rebuild."""
    root = write_site(tmp_path / "site", {"content/guide/index.md": PILLAR, "content/guide/heat.md": YAML_ARTICLE})
    return failed_rebuild_errors(root, lambda: (root / "content/guide/heat.md").write_text(article, encoding="utf-8"))


def test_a_toml_article_builds_to_the_same_page_as_its_yaml_twin(tmp_path: Path) -> None:
    yaml_page = built_article(tmp_path / "yaml", YAML_ARTICLE)
    assert "Dr A. Example, GP" in yaml_page and "Low back pain" in yaml_page
    assert built_article(tmp_path / "toml", TOML_ARTICLE) == yaml_page


def test_toml_front_matter_with_a_byte_order_mark_and_crlf_builds_like_yaml(tmp_path: Path) -> None:
    toml_page = built_article(tmp_path / "toml", "\ufeff" + TOML_ARTICLE.replace("\n", "\r\n"))
    assert toml_page == built_article(tmp_path / "yaml", YAML_ARTICLE)


def test_invalid_toml_names_the_file_line_and_column(tmp_path: Path) -> None:
    article = f"+++\n{FIELDS}pillar = guide\n+++\n{BODY}"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:4: error: front matter is not valid TOML: invalid value (column 10). "
        "Write one field per line, such as title = \"Heat or cold?\", with text in quotes [toml-syntax]"]


def test_an_unterminated_toml_string_names_the_line_that_opened_it(tmp_path: Path) -> None:
    article = f'+++\n{FIELDS}reviewer = """Dr A.\nExample\n+++\n{BODY}'
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:4: error: front matter is not valid TOML: unterminated string. "
        "Write one field per line, such as title = \"Heat or cold?\", with text in quotes [toml-syntax]"]


def test_an_ill_typed_toml_field_names_its_line(tmp_path: Path) -> None:
    article = f'+++\n{FIELDS}date = "yesterday"\npillar = "guide"\n+++\n{BODY}'
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:4: error: 'date' must be a date written YYYY-MM-DD, not 'yesterday'. "
        "Write it like 'date: 2026-01-31' [field-date]"]


def test_a_toml_date_time_is_reported_like_a_yaml_one(tmp_path: Path) -> None:
    toml = checked(tmp_path / "toml", f'+++\n{FIELDS}date = 2026-01-02T09:30:00\npillar = "guide"\n+++\n{BODY}')
    yaml = checked(tmp_path / "yaml", "---\ntitle: Heat or cold?\ndescription: Which helps a sore back.\n"
                                      f"date: 2026-01-02T09:30:00\npillar: guide\n---\n{BODY}")
    assert toml == yaml == [
        "content/guide/heat.md:4: error: 'date' must be a date written YYYY-MM-DD, not '2026-01-02T09:30:00'. "
        "Write it like 'date: 2026-01-31' [field-date]", no_help_block(12)]


def no_help_block(line: int) -> str:
    """The warning every test article here gets in the same run as its front-matter errors: its body has no help."""
    return (f"content/guide/heat.md:{line}: warning: the article has no \"When to get help\" block. End it with "
            "'!!! warning \"When to get help\"' and the signs that need a doctor [help-block-missing]")


def test_unknown_toml_fields_list_items_and_sources_name_their_lines(tmp_path: Path) -> None:
    article = (f'+++\n{FIELDS}date = 2026-01-02\npillar = "guide"\nsubtitle = "Warm"\ntags = [\n  "heat",\n  3,\n]\n\n'
               f'[[sources]]\ntitle = "Back pain"\nurl = "ftp://nhs.uk"\n+++\n{BODY}')
    assert checked(tmp_path, article) == [
        "content/guide/heat.md:9: error: item 2 of 'tags' must be text, not the number 3. Put it in quotes, or "
        "remove it [field-type]",
        "content/guide/heat.md:12: error: source 1 has a url that is not a web address: 'ftp://nhs.uk'. "
        "Use a full address starting with https:// [source-invalid]",
        "content/guide/heat.md:6: warning: unknown field 'subtitle'. Did you mean 'title'? [unknown-field]",
        no_help_block(21)]


def test_unclosed_toml_front_matter_asks_for_a_closing_plus_line(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"+++\n{FIELDS}\nHeat helps.\n") == [
        "content/guide/heat.md:1: error: the front matter is never closed. "
        "Add a line with only '+++' after the last front-matter field [front-matter-unclosed]"]


def test_toml_keys_tables_and_list_items_get_their_lines() -> None:
    text = ('+++\ntitle = "T"\n"quoted" = """two\nlines"""\nextra.note = 1\ntags = ["a", # ]\n  "b"]\n'
            '[[sources]]\ntitle = "S"\n[more]\nkey = 2\n[[sources]]\n+++\nBody\n')
    front = front_matter.read_front_matter(text, "a.md", Diagnostics())
    assert front is not None and (front.body, front.body_line) == ("Body\n", 14)
    assert front.lines == {"title": 2, "quoted": 3, "extra": 5, "extra.note": 5, "tags": 6, "tags[0]": 6,
                           "tags[1]": 7, "sources": 8, "sources[0]": 8, "sources[0].title": 9, "more": 10,
                           "more.key": 11, "sources[1]": 12}


def test_yaml_front_matter_may_close_with_dots_but_not_open_with_them() -> None:
    diags = Diagnostics()
    front = front_matter.read_front_matter("---\ntitle: T\n...\n\nBody\n", "a.md", diags)
    assert front is not None and (front.data, front.lines, front.body, front.body_line) == (
        {"title": "T"}, {"title": 2}, "\nBody\n", 4)
    assert front_matter.read_front_matter("...\ntitle: T\n...\n", "a.md", diags) is None
    assert [item.code for item in diags.items] == ["front-matter-missing"]


def test_the_handlers_work_as_python_frontmatter_handlers() -> None:
    handlers = front_matter.HANDLERS
    assert isinstance(frontmatter.detect_format("---\na: 1\n---\n", handlers), front_matter.YAMLFrontMatter)
    assert isinstance(frontmatter.detect_format("+++\na = 1\n+++\n", handlers), front_matter.TOMLFrontMatter)
    assert frontmatter.detect_format("title: T\n", handlers) is None
    post = frontmatter.loads('+++\ntitle = "T"\ndate = 2026-01-02\n+++\nBody', handler=front_matter.TOMLFrontMatter())
    assert (post["title"], str(post["date"]), post.content) == ("T", "2026-01-02", "Body")
