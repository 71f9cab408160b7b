"""Checks that fit any publisher (issue 22): exemptions, allow-lists, levels per pillar and per article, readability
only where it means something, and a summary per code before the lines."""

from __future__ import annotations

import json

from conftest import run_healthsite
from test_check import PILLAR, article, document

from healthsite.checks.health import risky_claims


def no_help(text: str) -> str:
    """Drop the help block `article` ends with."""
    return text.split("\n!!! warning")[0] + "\n"


def checked(make_site, files: dict[str, str]) -> list[str]:
    """Check a site and return its diagnostic lines (the summary above them left out)."""
    result = run_healthsite("check", cwd=make_site({"content/guide/index.md": PILLAR, **files}))
    assert "Traceback" not in result.err
    return [line for line in result.out.splitlines() if ": error: " in line or ": warning: " in line]


def test_risky_words_in_link_text_and_a_site_allowed_phrase_pass_whole_words_only():
    body = "\n".join([
        "Read [Guaranteed Issue policies](https://example.org/gi) and <a href='/x/'>a miracle story</a>.",
        "A guaranteed issue policy pays; you pay 100% of the premiums.",
        "This belt is guaranteed to work, and a guaranteed issuer is not a guaranteed issue.",
        "![A cure-all jar](jar.png) is 100% natural.",
    ])
    found = list(risky_claims(document(body), allow=["Guaranteed  issue"]))
    assert found == [(12, "guaranteed"), (12, "guaranteed"), (13, "100%")]


def test_the_allow_list_is_read_from_site_yaml(make_site):
    site = {"site.yaml": "title: T\nsearch: false\nchecks:\n  risky-claim:\n    level: error\n"
                         "    allow: [guaranteed renewal]\n"}
    lines = checked(make_site, {**site, "content/guide/first-steps.md": article(
        body="Guaranteed renewal is a legal term. Heat is guaranteed to help.")})
    assert lines == ["content/guide/first-steps.md:12: error: 'guaranteed' is a risky claim in health writing. Say "
                     "what the evidence shows instead, or put a claim you are reporting in quotation marks "
                     "[risky-claim]"]


def test_an_allow_list_on_a_check_that_takes_none_is_a_config_error(make_site):
    root = make_site({"site.yaml": "title: T\nsearch: false\nchecks:\n  orphan-article:\n    allow: [x]\n",
                      "content/guide/index.md": PILLAR})
    result = run_healthsite("check", cwd=root)
    assert result.code == 1
    assert result.out.splitlines()[-1] == ("site.yaml:4: error: check 'orphan-article' takes no 'allow' list. Only "
                                          "risky-claim does; set its level instead [config-type]")


def test_an_article_and_its_pillar_set_check_levels_in_front_matter(make_site):
    glossary = PILLAR.replace("date: 2026-01-01\n", "date: 2026-01-01\nchecks: {help-block-missing: off}\n")
    lines = checked(make_site, {
        "content/guide/index.md": glossary.replace("first-steps.md", "first-steps.md) and [b](b.md"),
        "content/guide/first-steps.md": no_help(article(body="Keep moving.")),  # its pillar turns the check off
        "content/guide/b.md": no_help(article("checks:\n  help-block-missing: error\n", body="Move.")
                                      .replace("First", "B")),
        "content/legs/index.md": PILLAR.replace("Guide", "Legs").replace("first-steps.md", "c.md"),
        "content/legs/c.md": no_help(article(body="Rest.").replace("First", "C").replace("pillar: guide", "pillar: legs")),
    })
    assert lines == [
        "content/guide/b.md:14: error: the article has no \"When to get help\" block. End it with '!!! warning "
        "\"When to get help\"' and the signs that need a doctor [help-block-missing]",
        "content/legs/c.md:12: warning: the article has no \"When to get help\" block. End it with '!!! warning "
        "\"When to get help\"' and the signs that need a doctor [help-block-missing]"]


def test_a_bad_level_in_front_matter_names_its_line(make_site):
    lines = checked(make_site, {"content/guide/first-steps.md": article("checks: {orphan-article: loud}\n")})
    assert lines[0] == ("content/guide/first-steps.md:6: error: check 'orphan-article' has level 'loud'. Use error, "
                        "warning or off [field-type]")


def test_readability_is_graded_from_100_words_and_never_below_zero(make_site):
    hard = ("Physiological investigations demonstrate that intermittent involuntary contractions of paravertebral "
            "musculature frequently accompany degenerative intervertebral abnormalities. ")
    short = checked(make_site, {"content/guide/first-steps.md": no_help(article(body=hard * 6))})  # 90 words
    long = checked(make_site, {"content/guide/first-steps.md": no_help(article(body=hard * 7))})  # 105 words
    assert not [line for line in short if "readability-grade" in line]
    assert [line for line in long if "readability-grade" in line] == [
        "content/guide/first-steps.md:12: warning: reading grade 35.9 is above the target of 8. Use shorter "
        "sentences and everyday words [readability-grade]"]
    site = make_site({"content/guide/index.md": PILLAR, "content/guide/first-steps.md": article(body="Go. " * 120)})
    report = run_healthsite("check", "--report", "--format", "json", cwd=site)
    assert [row["grade"] for row in json.loads(report.out)["articles"]] == [0.0]


def test_a_site_not_in_english_gets_no_english_reading_grade(make_site):
    hard = "Las investigaciones fisiológicas demuestran contracciones involuntarias intermitentes. " * 12
    lines = checked(make_site, {"site.yaml": "title: T\nsearch: false\nlanguage: es\n",
                                "content/guide/first-steps.md": article(body=hard)})
    assert not [line for line in lines if "readability-grade" in line]


def test_check_prints_a_summary_per_code_before_the_lines_and_json_carries_it(make_site):
    root = make_site({"content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": no_help(article(body="A cure. A miracle. Detox now.\n\nCured."))})
    text = run_healthsite("check", cwd=root).out
    assert text.split("\n\n")[0] == (
        "warning  risky-claim            4  content/guide/first-steps.md:12, content/guide/first-steps.md:12, "
        "content/guide/first-steps.md:12, ...\n"
        "warning  help-block-missing     1  content/guide/first-steps.md:14")
    data = json.loads(run_healthsite("check", "--format", "json", cwd=root).out)
    assert data["summary"][0] == {"level": "warning", "code": "risky-claim", "count": 4,
                                  "first": ["content/guide/first-steps.md:12"] * 3}
    assert len(data["diagnostics"]) == 5
