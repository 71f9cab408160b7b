"""Each broken sample site gets its exact `path:line: level: message. hint [code]` text, exit 1, and old output kept."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import build_sample_site, run_healthsite
from site_files import files_below


@pytest.fixture(scope="session")
def previous_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the minimal site once: its public/ stands for a site published before the mistake was made."""
    return build_sample_site("minimal", tmp_path_factory.mktemp("previous")) / "public"


@pytest.fixture
def build_broken(copy_site, previous_public: Path):
    """Return a function that builds a broken sample site over a published public/ and proves it survived."""
    def build(name: str, *args: str):
        root = copy_site(name)
        shutil.copytree(previous_public, root / "public")
        before = files_below(root / "public")
        result = run_healthsite("build", *args, cwd=root)
        assert files_below(root / "public") == before, "a failed build changed the published site"
        assert not [p.name for p in root.iterdir() if p.name.startswith(("public.new-", "public.old-"))]
        return result
    return build


def failed(*lines: str, errors: int = 1, warnings: int = 0, waiting: str = "") -> str:
    """Return what a failed build prints on stderr: every problem, then the closing line, which counts the errors
    and warnings and each code among them (read from the lines' '[code]' ends), then what waits for `waiting`, a
    file left without a page by its errors."""
    def counted(level: str, total: int) -> str:
        codes = Counter(line.rsplit("[", 1)[1].rstrip("]") for line in lines if f": {level}: " in line)
        assert sum(codes.values()) == total, f"expected {total} {level}s among the lines"
        by_code = ", ".join(f"{n} {code}" for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0])))
        return f"{total} {level}{'s' * (total != 1)}" + (f" ({by_code})" if by_code else "")
    closing = f"Build failed: {counted('error', errors)}, {counted('warning', warnings)}; public/ was left as it was."
    after = ([f"{waiting} has no page while its errors stand, so links to it and the orphan-article and "
              "pillar-empty checks wait for the fix."] if waiting else [])
    return "\n".join([*lines, closing, *after]) + "\n"


def assert_fails_with(result, *lines: str, errors: int = 1, warnings: int = 0, waiting: str = "") -> None:
    assert (result.code, result.out) == (1, "")
    assert result.err == failed(*lines, errors=errors, warnings=warnings, waiting=waiting)


def test_bad_yaml_names_the_line_of_the_yaml_mistake(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-yaml"),
        "content/guide/first-steps.md:3: error: front matter is not valid YAML: mapping values are not allowed in "
        "this context. Check the indentation and quote values that contain ':' or '#' [yaml-syntax]",
        waiting="content/guide/first-steps.md")


def test_missing_title_is_an_error_asking_for_a_title_line(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-missing-title"),
        "content/guide/first-steps.md:1: error: 'title' is required. "
        "Add a line such as 'title: ...' to the front matter [field-missing]")


def test_impossible_date_names_the_date_line(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-bad-date"),
        "content/guide/first-steps.md:4: error: 'date' is not a real date: 2026-02-30. "
        "Check the month and day [field-date]")


def test_unknown_pillar_suggests_the_closest_pillar(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-unknown-pillar"),
        "content/guide/first-steps.md:5: error: pillar 'guides' does not exist. Did you mean 'guide'? [pillar-unknown]")


def test_duplicate_slug_names_both_files(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-duplicate-slug"),
        "content/guide/more-steps.md:3: error: slug 'first-steps' is already used by content/guide/first-steps.md. "
        "Give one of them a different 'slug:' or file name [slug-duplicate]", waiting="content/guide/more-steps.md")


def test_link_to_missing_article_names_file_line_and_suggestion(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-missing-link"),
        "content/guide/next-steps.md:13: error: link 'first-step.md' points to no article. "
        "Did you mean 'first-steps.md'? [link-not-found]")


def test_link_to_missing_anchor_names_the_target_file_and_closest_heading(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-missing-anchor"),
        "content/guide/next-steps.md:12: error: link 'first-steps.md#keep-movin' points to no heading in "
        "content/guide/first-steps.md. Did you mean '#keep-moving'? [anchor-not-found]")


def test_bad_site_yaml_key_suggests_the_setting_meant_and_stops_before_the_content(build_broken) -> None:
    result = build_broken("broken-site-yaml")
    assert (result.code, result.out) == (1, "")
    assert result.err == failed(
        "site.yaml:4: error: unknown setting 'relatd'. Did you mean 'related'? [config-unknown-key]"
    ) + "site.yaml has errors, so the content was not checked: fix them and run again.\n"


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("related:\n  count", "-1", "'related.count' must be 0 or more, not -1. Use 0 to show no related articles"),
    ("related:\n  text_weight", "-0.5", "'related.text_weight' must be 0 or more, not -0.5. "
                                       "Scores and weights count from 0 up"),
    ("review:\n  interval_months", "0", "'review.interval_months' must be 1 or more, not 0. "
                                        "Reviews fall due at least a month apart"),
    ("review:\n  due_soon_days", "-7", "'review.due_soon_days' must be 0 or more, not -7. "
                                      "Use 0 to warn only once a review is due"),
    ("readability:\n  target_grade", "-1", "'readability.target_grade' must be 0 or more, not -1.0. "
                                          "Reading grades count from 0 up; 8 suits most health readers"),
    ("markdown:\n  time_limit", "0", "'markdown.time_limit' must be 1 or more, not 0.0. "
                                    "Give each body at least a second; 30 is the default"),
])
def test_a_number_setting_out_of_its_range_is_an_error_with_the_least_value(make_site, setting, value,
                                                                             message) -> None:
    root = make_site({"site.yaml": f"title: T\nbase_url: /\nsearch: false\n{setting}: {value}\n"})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == f"site.yaml:5: error: {message} [config-type]"


def test_template_mistake_names_the_template_line_and_keeps_the_old_site(build_broken) -> None:
    assert_fails_with(
        build_broken("broken-template"),
        "templates/article.html:4: error: template error: 'healthsite.model.Document object' has no attribute "
        "'subtitle'. Check the variable names the template uses against the template context "
        "in docs/theme.md [template-undefined]")

UNKNOWN_FIELD = ("content/guide/first-steps.md:6: warning: unknown field 'reviewd'. "
                 "Did you mean 'reviewed'? [unknown-field]")
UNKNOWN_TAG = ("content/guide/first-steps.md:6: warning: tag 'excercise' is not in the tag vocabulary, so it is left "
               "out. Did you mean 'exercise'? [unknown-tag]")


def test_unknown_field_fails_a_strict_build_with_a_suggestion(build_broken) -> None:
    assert_fails_with(build_broken("broken-unknown-field", "--strict"), UNKNOWN_FIELD, errors=0, warnings=1)


def test_unknown_tag_fails_a_strict_build_with_a_suggestion(build_broken) -> None:
    assert_fails_with(build_broken("broken-unknown-tag", "--strict"), UNKNOWN_TAG, errors=0, warnings=1)


@pytest.mark.parametrize(("name", "warning"), [("broken-unknown-field", UNKNOWN_FIELD),
                                                ("broken-unknown-tag", UNKNOWN_TAG)])
def test_warnings_are_printed_but_do_not_stop_a_normal_build(copy_site, name: str, warning: str) -> None:
    result = run_healthsite("build", cwd=copy_site(name))
    assert result.code == 0
    assert result.err == warning + "\n"
    assert ", 1 warning in " in result.out


def test_a_check_set_to_error_in_site_yaml_fails_the_build(copy_site) -> None:
    root = copy_site("broken-unknown-tag")
    with (root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("checks:\n  unknown-tag: error\n")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err == failed(UNKNOWN_TAG.replace(": warning: ", ": error: "))


def test_every_problem_in_every_file_is_reported_at_once_in_path_and_line_order(make_site) -> None:
    pillar = "---\nkind: pillar\ntitle: Guide\ndescription: All of it.\ndate: 2026-01-01\n---\n\nHello.\n"
    root = make_site({
        "content/guide/index.md": pillar,
        "content/guide/b.md": "---\ntitle: B\ndescription: Bee.\ndate: 2026-13-01\npillar: guide\n---\n",
        "content/guide/a.md": "---\ntitle: [A]\ndescription: Ay.\ndate: 2026-01-01\n---\n",
    })
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err == failed(
        "content/guide/a.md:2: error: 'title' must be text, not a list. Put the value in quotes [field-type]",
        "content/guide/b.md:4: error: 'date' is not a real date: 2026-13-01. Check the month and day [field-date]",
        *[f"content/guide/{name}.md:{line}: warning: {warning}" for name, last in (("a", 6), ("b", 7))
          for line, warning in (
              (2, "no other article or page links here from its text (lists, tags and related blocks do not count). "
                  "Link to it from the text of its pillar page content/guide/index.md or of a related article "
                  "[orphan-article]"),
              (last, "the article has no \"When to get help\" block. End it with '!!! warning \"When to get help\"' "
                     "and the signs that need a doctor [help-block-missing]"))],
        errors=2, warnings=4)


def test_content_problems_never_print_a_traceback(make_site) -> None:
    root = make_site({"content/guide/index.md": "---\nkind: pillar\ntitle: [unclosed\n---\n",
                      "content/guide/x.md": "no front matter at all\n"})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.startswith("content/guide/index.md:3: error: front matter is not valid YAML")  # where "[" opened
    assert "content/guide/x.md:1: error: the file does not start with front matter." in result.err
