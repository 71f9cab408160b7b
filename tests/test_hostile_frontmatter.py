"""Broken or hostile front matter: one clear `file:line` error, exit code 1, the old site kept, nothing executed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import run_healthsite, write_site
from site_files import failed_rebuild_errors

from healthsite.content import yaml_lines as yamlsource
from healthsite.content.yaml_lines import parse_mapping
from healthsite.diagnostics import Diagnostics

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
FIELDS = "title: Heat or cold?\ndescription: Which helps a sore back.\ndate: 2026-01-02\npillar: guide\n"
GOOD = f"---\n{FIELDS}---\n\nHeat helps most people.\n"


def broken_build(tmp_path: Path, article: str) -> list[str]:
    """Build a good site, replace its article with `article`; return the errors of the failed rebuild."""
    root = write_site(tmp_path / "site", {"content/guide/index.md": PILLAR, "content/guide/heat.md": GOOD})
    return failed_rebuild_errors(root, lambda: (root / "content/guide/heat.md").write_text(article, encoding="utf-8"))


def test_invalid_yaml_names_the_line_and_the_problem(tmp_path: Path) -> None:
    article = "---\ntitle: Heat: or cold?\ndescription: D\ndate: 2026-01-02\npillar: guide\n---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: front matter is not valid YAML: mapping values are not allowed in this context. "
        "Check the indentation and quote values that contain ':' or '#' [yaml-syntax]"]


def test_an_unclosed_bracket_names_the_line_that_opened_it_not_where_yaml_gave_up(tmp_path: Path) -> None:
    article = "---\ntags: [heat, cold\ntitle: T\n---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: front matter is not valid YAML: did not find expected ',' or ']'. "
        "Check the indentation and quote values that contain ':' or '#' [yaml-syntax]"]


def test_an_unclosed_quote_names_the_line_that_opened_it(tmp_path: Path) -> None:
    article = '---\ntitle: T\ndescription: "Heat\ndate: 2026-01-02\npillar: guide\n---\n\nText.\n'
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:3: error: front matter is not valid YAML: found unexpected end of stream. "
        "Check the indentation and quote values that contain ':' or '#' [yaml-syntax]"]


def test_front_matter_that_is_a_list_is_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, "---\n- title\n- date\n---\n\nText.\n") == [
        "content/guide/heat.md:2: error: front matter must be a mapping of 'key: value' lines, not a list. "
        "Write one field per line, such as 'title: Heat or cold?' [yaml-not-mapping]"]


def test_front_matter_that_is_a_single_value_is_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, "---\nHeat or cold?\n---\n\nText.\n") == [
        "content/guide/heat.md:2: error: front matter must be a mapping of 'key: value' lines, not a single value. "
        "Write one field per line, such as 'title: Heat or cold?' [yaml-not-mapping]"]


def test_a_front_matter_key_that_is_not_text_is_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}2026: a year\n---\n\nText.\n") == [
        "content/guide/heat.md:2: error: front matter has a key that is not text. "
        "Keys are plain names such as 'title' or 'tags' [yaml-not-mapping]"]


def test_an_unterminated_fence_is_an_error_on_line_1(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}\nHeat helps most people.\n") == [
        "content/guide/heat.md:1: error: the front matter is never closed. "
        "Add a line with only '---' after the last front-matter field [front-matter-unclosed]"]


def test_a_field_written_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}title: Cold or heat?\n---\n\nText.\n") == [
        "content/guide/heat.md:6: error: front matter sets 'title' twice, first on line 2. "
        "Keep only one of them [yaml-duplicate-key]"]


def test_missing_required_fields_are_all_reported_at_once(tmp_path: Path) -> None:
    assert broken_build(tmp_path, "---\npillar: guide\n---\n\nText.\n") == [
        "content/guide/heat.md:1: error: 'date' is required. Add 'date: 2026-01-31' to the front matter [field-missing]",
        "content/guide/heat.md:1: error: 'description' is required. "
        "Add a line such as 'description: ...' to the front matter [field-missing]",
        "content/guide/heat.md:1: error: 'title' is required. "
        "Add a line such as 'title: ...' to the front matter [field-missing]"]


def test_a_title_of_only_spaces_counts_as_missing(tmp_path: Path) -> None:
    article = "---\n" + FIELDS.replace("title: Heat or cold?", "title: '   '") + "---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: 'title' is required. "
        "Add a line such as 'title: ...' to the front matter [field-missing]"]


@pytest.mark.parametrize("value, shown", [("42", "the number 42"), ("[Heat, cold]", "a list"),
                                          ("{text: Heat}", "a mapping"), ("true", "'true'")])
def test_a_title_that_is_not_text_is_an_error(tmp_path: Path, value: str, shown: str) -> None:
    article = f"---\n{FIELDS.replace('title: Heat or cold?', f'title: {value}')}---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        f"content/guide/heat.md:2: error: 'title' must be text, not {shown}. Put the value in quotes [field-type]"]


def test_a_title_with_an_invisible_control_character_is_an_error(tmp_path: Path) -> None:
    article = "---\n" + FIELDS.replace("title: Heat or cold?", 'title: "Heat\\x00or cold"') + "---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: 'title' contains an invisible control character: 'Heat\\x00or cold'. "
        "Remove escapes such as \\0 or \\x07 from the value [field-type]"]


def test_tags_written_as_one_string_suggest_the_list_form(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}tags: heat, back-pain\n---\n\nText.\n") == [
        "content/guide/heat.md:6: error: 'tags' must be a list, not 'heat, back-pain'. "
        "Write it like 'tags: [heat, back-pain]' [field-type]"]


def test_tags_written_as_a_mapping_are_an_error(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}tags:\n  heat: yes\n---\n\nText.\n") == [
        "content/guide/heat.md:6: error: 'tags' must be a list, not a mapping. Write it like 'tags: [a, b]' [field-type]"]


def test_a_tag_that_is_not_text_names_its_item(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}tags:\n  - heat\n  - [nested]\n---\n\nText.\n") == [
        "content/guide/heat.md:8: error: item 2 of 'tags' must be text, not a list. Put it in quotes, or remove "
        "it [field-type]"]


@pytest.mark.parametrize("value, shown", [("yesterday", "'yesterday'"), ("02/01/2026", "'02/01/2026'"),
                                          ("20260102", "the number 20260102"), ("2026-01-02T10:00", "'2026-01-02T10:00'"),
                                          ("[2026, 1, 2]", "a list")])
def test_a_date_that_is_not_a_date_is_an_error(tmp_path: Path, value: str, shown: str) -> None:
    article = f"---\n{FIELDS.replace('date: 2026-01-02', f'date: {value}')}---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        f"content/guide/heat.md:4: error: 'date' must be a date written YYYY-MM-DD, not {shown}. "
        "Write it like 'date: 2026-01-31' [field-date]"]


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29"])
def test_an_impossible_date_is_an_error(tmp_path: Path, value: str) -> None:
    article = f"---\n{FIELDS.replace('date: 2026-01-02', f'date: {value}')}---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        f"content/guide/heat.md:4: error: 'date' is not a real date: {value}. Check the month and day [field-date]"]


def test_an_impossible_review_date_names_its_own_line(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}reviewed: 2026-04-31\n---\n\nText.\n") == [
        "content/guide/heat.md:6: error: 'reviewed' is not a real date: 2026-04-31. Check the month and day [field-date]"]


def test_billion_laughs_aliases_are_refused_without_expanding_them(tmp_path: Path) -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefghi", "bcdefghij"):
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")  # 9**10 strings if expanded
    article = "---\n" + FIELDS + "\n".join(levels) + "\n---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: front matter uses a YAML alias (*name). "
        "Write the value out in full instead [yaml-alias]"]


def test_a_merge_key_alias_is_refused(tmp_path: Path) -> None:
    article = f"---\nbase: &base\n  pillar: guide\n{FIELDS.replace('pillar: guide', '<<: *base')}---\n\nText.\n"
    assert broken_build(tmp_path, article) == [
        "content/guide/heat.md:2: error: front matter uses a YAML alias (*name). "
        "Write the value out in full instead [yaml-alias]"]


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/name:os.system", "!!python/module:os"])
def test_python_yaml_tags_are_refused_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "ran"
    article = f"---\n{FIELDS}x: {tag} ['touch {marker}']\n---\n\nText.\n"
    errors = broken_build(tmp_path, article)
    assert errors == [
        f"content/guide/heat.md:6: error: front matter is not valid YAML: could not determine a constructor for the "
        f"tag 'tag:yaml.org,2002:{tag[2:]}'. Check the indentation and quote values that contain ':' or '#' [yaml-syntax]"]
    assert not marker.exists()


def test_a_custom_yaml_tag_is_refused(tmp_path: Path) -> None:
    assert broken_build(tmp_path, f"---\n{FIELDS}extra: !include secrets.yaml\n---\n\nText.\n") == [
        "content/guide/heat.md:6: error: front matter is not valid YAML: could not determine a constructor for the "
        "tag '!include'. Check the indentation and quote values that contain ':' or '#' [yaml-syntax]"]


def test_short_front_matter_nested_deeper_than_python_recurses_is_read() -> None:
    diags = Diagnostics()  # 600 levels: below PyYAML's own limit (6.0.4 refuses 1,000), above Python's recursion's
    parsed = parse_mapping("deep: " + "[" * 600 + "]" * 600, "a.md", 2, diags, "front matter")
    value, depth = parsed.data["deep"], 0
    while value:
        value, depth = value[0], depth + 1
    assert (depth, diags.items) == (599, [])


def test_nesting_pyyaml_refuses_itself_is_reported_as_too_deep(monkeypatch: pytest.MonkeyPatch) -> None:
    mark = yaml.Mark("<unicode string>", 1009, 1, 1003, None, None)

    def refuse(loader: object) -> None:  # what PyYAML 6.0.4's scanner raises about 1,000 levels deep
        raise yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)

    monkeypatch.setattr(yamlsource._Loader, "get_single_node", refuse)
    diags = Diagnostics()
    assert parse_mapping("title: x\ndeep: [[[]]]", "a.md", 2, diags, "front matter") is None
    assert [str(d) for d in diags.items] == [
        "a.md:3: error: front matter nests lists or mappings more than 50 levels deep. "
        "Write each field as a plain value or a short list [yaml-too-deep]"]


@pytest.mark.parametrize("nesting", ["[" * 30000 + "]" * 30000, "{a: " * 30000 + "1" + "}" * 30000,
                                     "\n" + "- " * 30000 + "x"],
                         ids=["flow-lists", "flow-mappings", "compact-lists"])
def test_yaml_nested_thousands_deep_is_an_error_not_a_crash(tmp_path: Path, nesting: str) -> None:
    line = 7 if nesting.startswith("\n") else 6
    assert broken_build(tmp_path, f"---\n{FIELDS}extra: {nesting}\n---\n\nText.\n") == [
        f"content/guide/heat.md:{line}: error: front matter nests lists or mappings more than 50 levels deep. "
        "Write each field as a plain value or a short list [yaml-too-deep]"]


def test_site_yaml_with_python_tags_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = write_site(tmp_path / "site", {
        "site.yaml": f"title: !!python/object/apply:os.system ['touch {marker}']\nbase_url: /\nsearch: false\n",
        "content/guide/index.md": PILLAR, "content/guide/heat.md": GOOD})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "site.yaml:1: error: site configuration is not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'. Check the indentation and quote values that contain "
        "':' or '#' [yaml-syntax]")
    assert not marker.exists() and not (root / "public").exists()


def test_site_yaml_billion_laughs_is_refused(tmp_path: Path) -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefghi", "bcdefghij"):
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    root = write_site(tmp_path / "site", {"site.yaml": "\n".join(levels) + "\ntitle: T\n",
                                          "content/guide/index.md": PILLAR})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == ("site.yaml:1: error: site configuration uses a YAML alias (*name). "
                                          "Write the value out in full instead [yaml-alias]")
