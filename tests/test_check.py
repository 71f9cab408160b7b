"""`healthsite check`: every health check with its exact message, levels, formats, the report, and the CI workflow."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import BUILD_EPOCH, ROOT, run_healthsite, touch_content

from healthsite.catalog.review import review_status
from healthsite.checks.health import risky_claims
from healthsite.config import ReviewConfig, SiteConfig
from healthsite.model import Document

BROKEN_CHECKS = """\
error    anchor-not-found         1  content/back/index.md:12
error    link-not-found           1  content/back/index.md:10
warning  risky-claim              2  content/back/stiff-back.md:20, content/back/stiff-back.md:22
warning  source-incomplete        2  content/back/stiff-back.md:10, content/back/stiff-back.md:12
warning  description-too-long     1  content/back/stiff-back.md:3
warning  help-block-missing       1  content/back/stiff-back.md:30
warning  image-no-alt             1  content/back/stiff-back.md:18
warning  orphan-article           1  content/back/orphan.md:2
warning  person-unlisted          1  content/back/stiff-back.md:8
warning  pillar-empty             1  content/sleep/index.md:3
warning  readability-grade        1  content/back/cramps.md:10
warning  review-due-soon          1  content/back/cramps.md:7
warning  review-overdue           1  content/back/stiff-back.md:7
warning  sources-missing          1  content/back/cramps.md:2
warning  title-duplicate          1  content/back/stiff-back.md:2
warning  unknown-tag              1  content/back/stiff-back.md:6

content/back/index.md:10: error: link 'stif-back.md' points to no article. Did you mean 'stiff-back.md'? [link-not-found]
content/back/index.md:12: error: link 'stiff-back.md#stretch-first' points to no heading in content/back/stiff-back.md. Its headings are #keep-moving [anchor-not-found]
content/back/cramps.md:2: warning: the article lists no sources. Add 'sources:' with the title, publisher and url of what you relied on [sources-missing]
content/back/cramps.md:7: warning: the review falls due on 2026-12-10, in 3 days. Book a clinical review before then [review-due-soon]
content/back/cramps.md:10: warning: reading grade 33.3 is above the target of 8. Use shorter sentences and everyday words [readability-grade]
content/back/orphan.md:2: warning: no other article or page links here from its text (lists, tags and related blocks do not count). Link to it from the text of its pillar page content/back/index.md or of a related article [orphan-article]
content/back/stiff-back.md:2: warning: the title 'A stiff back' is also used by content/back/cramps.md. Give each page its own title so readers and search results can tell them apart [title-duplicate]
content/back/stiff-back.md:3: warning: the description is 163 characters long, over 160. Shorten it to one sentence; search results cut it at about 160 characters [description-too-long]
content/back/stiff-back.md:6: warning: tag 'crampz' is not in the tag vocabulary, so it is left out. Did you mean 'cramps'? [unknown-tag]
content/back/stiff-back.md:7: warning: the review was due on 2026-06-01 (last reviewed 2025-06-01). Have a clinician review it, then update 'reviewed:' [review-overdue]
content/back/stiff-back.md:8: warning: reviewer 'Dr A. Reviewer' has no page, so readers cannot see their qualifications. List them in content/people/<id>.md with 'kind: person' and 'qualifications:', then write 'reviewer: <id>' [person-unlisted]
content/back/stiff-back.md:10: warning: source 1 ('Back pain') has no url. Add 'url:' so readers can check it [source-incomplete]
content/back/stiff-back.md:12: warning: source 2 ('Stiffness') has no publisher. Add 'publisher:' so readers can check it [source-incomplete]
content/back/stiff-back.md:18: warning: an image has no alt text. Describe the image in the brackets: ![what it shows](file.png) [image-no-alt]
content/back/stiff-back.md:20: warning: 'cure' is a risky claim in health writing. Say what the evidence shows instead, or put a claim you are reporting in quotation marks [risky-claim]
content/back/stiff-back.md:22: warning: '100%' is a risky claim in health writing. Say what the evidence shows instead, or put a claim you are reporting in quotation marks [risky-claim]
content/back/stiff-back.md:30: warning: the article has no "When to get help" block. End it with '!!! warning "When to get help"' and the signs that need a doctor [help-block-missing]
content/sleep/index.md:3: warning: pillar 'sleep' has no articles. Add articles with 'pillar: sleep', or remove the pillar page [pillar-empty]
"""

PILLAR = """---
kind: pillar
title: Guide
description: The guide.
date: 2026-01-01
---

Start with [first steps](first-steps.md).
"""


def article(extra: str = "", body: str = "Keep moving gently. Most back pain gets better.") -> str:
    """Return a clean article, with extra front matter and its own body if given."""
    return f"""---
title: First steps
description: What to do first.
date: 2026-01-02
pillar: guide
{extra}sources:
  - title: Back pain
    publisher: NHS
    url: https://www.nhs.uk/conditions/back-pain/
---

{body}

!!! warning "When to get help"
    See a doctor if your legs feel numb.
"""


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_broken_site_reports_every_check_with_file_line_hint_and_code(copy_site):
    site = copy_site("broken-checks")
    result = run_healthsite("check", cwd=site)
    assert result.code == 1
    assert result.out == BROKEN_CHECKS
    assert result.err == ("Checked 3 articles: 2 errors (1 anchor-not-found, 1 link-not-found), 16 warnings "
                          "(2 risky-claim, 2 source-incomplete, 1 description-too-long, 1 help-block-missing, "
                          "1 image-no-alt, 1 orphan-article, 1 person-unlisted, 1 pillar-empty, 1 readability-grade, "
                          "1 review-due-soon, 1 review-overdue, 1 sources-missing, 1 title-duplicate, "
                          "1 unknown-tag).\n")


def test_check_writes_nothing_not_even_the_cache(copy_site):
    site = copy_site("broken-checks")
    before = files_under(site)
    run_healthsite("check", "--report", cwd=site)
    assert files_under(site) == before


def test_bundled_site_passes_check_strict(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    result = run_healthsite("check", "--strict", cwd=tmp_path)
    assert (result.code, result.out) == (0, "")
    assert result.err.startswith("Checked ") and result.err.endswith(" articles: 0 errors, 0 warnings.\n")


def test_missing_description_is_an_error_naming_the_line_to_add(make_site):
    site = make_site({"content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": article().replace("description: What to do first.\n", "")})
    result = run_healthsite("check", cwd=site)
    assert result.code == 1
    assert result.out == ("error    field-missing     1  content/guide/first-steps.md:1\n\n"
                          "content/guide/first-steps.md:1: error: 'description' is required. "
                          "Add a line such as 'description: ...' to the front matter [field-missing]\n")


def test_site_yaml_sets_the_level_of_each_check(make_site):
    site = make_site({
        "site.yaml": "title: T\nsearch: false\nchecks:\n  risky-claim: error\n  orphan-article: off\n",
        "content/guide/index.md": PILLAR.replace("Start with [first steps](first-steps.md).", "Soon."),
        "content/guide/first-steps.md": article(body="This stretch is guaranteed to help."),
    })
    result = run_healthsite("check", cwd=site)
    assert result.code == 1
    assert result.out == ("error    risky-claim     1  content/guide/first-steps.md:12\n\n"
                          "content/guide/first-steps.md:12: error: 'guaranteed' is a risky claim in health writing. "
                          "Say what the evidence shows instead, or put a claim you are reporting in quotation marks "
                          "[risky-claim]\n")


def test_warnings_pass_unless_strict(make_site):
    site = make_site({"content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": article(body="Try a gentle detox walk.")})
    relaxed = run_healthsite("check", cwd=site)
    strict = run_healthsite("check", "--strict", cwd=site)
    assert (relaxed.code, strict.code) == (0, 1)
    assert relaxed.out == strict.out != ""
    assert strict.err == "Checked 1 article: 0 errors, 1 warning (1 risky-claim) (--strict: warnings fail).\n"


def test_github_format_prints_workflow_annotations(copy_site):
    result = run_healthsite("check", "--format", "github", cwd=copy_site("broken-checks"))
    lines = result.out.splitlines()
    assert len(lines) == 18
    assert ("::error file=content/back/index.md,line=10,title=link-not-found::link 'stif-back.md' points to no "
            "article. Did you mean 'stiff-back.md'?") in lines
    assert ("::warning file=content/back/stiff-back.md,line=22,title=risky-claim::'100%25' is a risky claim in health "
            "writing. Say what the evidence shows instead, or put a claim you are reporting in quotation marks") in lines


def test_json_format_lists_each_diagnostic_as_an_object(copy_site):
    result = run_healthsite("check", "--format", "json", cwd=copy_site("broken-checks"))
    items = json.loads(result.out)["diagnostics"]
    assert result.err == ""
    assert len(items) == 18
    assert items[0] == {"level": "error", "code": "link-not-found", "path": "content/back/index.md", "line": 10,
                        "message": "link 'stif-back.md' points to no article", "hint": "Did you mean 'stiff-back.md'?"}
    assert items[2] == {"level": "warning", "code": "sources-missing", "path": "content/back/cramps.md", "line": 2,
                        "message": "the article lists no sources",
                        "hint": "Add 'sources:' with the title, publisher and url of what you relied on"}


def test_unknown_format_is_a_usage_error(copy_site):
    assert run_healthsite("check", "--format", "xml", cwd=copy_site("broken-checks")).code == 2


def test_build_reports_an_overdue_review_and_still_publishes(make_site):
    site = make_site({"content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": article("reviewed: 2025-01-15\n")})
    result = run_healthsite("build", cwd=site)
    assert result.code == 0
    assert ("content/guide/first-steps.md:6: warning: the review was due on 2026-01-15 (last reviewed 2025-01-15). "
            "Have a clinician review it, then update 'reviewed:' [review-overdue]") in result.err
    assert (site / "public" / "guide" / "first-steps" / "index.html").is_file()
    assert run_healthsite("build", "--strict", cwd=site).code == 1


def test_report_prints_a_row_per_article_and_per_pillar(make_site):
    site = make_site({
        "content/guide/index.md": PILLAR,
        "content/guide/first-steps.md": article("tags: [back-pain, sleep]\nreviewed: 2026-06-01\n"),
        "content/guide/second-steps.md": article("tags: [back-pain]\n").replace("First steps", "Second steps")
        .replace("Keep moving gently.", "See [first steps](first-steps.md)."),
    })
    result = run_healthsite("check", "--report", cwd=site)
    assert result.code == 0, result.out
    assert result.out == """\
warning  orphan-article     1  content/guide/second-steps.md:2

content/guide/second-steps.md:2: warning: no other article or page links here from its text (lists, tags and related blocks do not count). Link to it from the text of its pillar page content/guide/index.md or of a related article [orphan-article]

Articles

article                        words  grade  min  sources  in  out  review
-----------------------------  -----  -----  ---  -------  --  ---  ------------------------
content/guide/first-steps.md      20      -    1        1   2    0  current (due 2027-06-01)
content/guide/second-steps.md     20      -    1        1   0    1  awaiting review

Pillars

pillar                  articles  words  tag coverage (articles carrying each tag)
----------------------  --------  -----  -----------------------------------------
content/guide/index.md         2     40  back-pain 2/2, sleep 1/2

2 articles, 1 pillar, 40 words.
"""


def test_report_as_json_holds_diagnostics_articles_and_pillars(copy_site):
    data = json.loads(run_healthsite("check", "--report", "--format", "json", cwd=copy_site("broken-checks")).out)
    assert len(data["diagnostics"]) == 18
    rows = {row["path"]: row for row in data["articles"]}
    assert rows["content/back/stiff-back.md"]["review"] == "overdue (due 2026-06-01)"
    assert rows["content/back/cramps.md"]["review"] == "due-soon (due 2026-12-10)"
    assert data["pillars"][1] == {"path": "content/sleep/index.md", "articles": 0, "words": 0, "tags": {}}


def test_readme_lists_every_check_code_with_its_level():
    section = Path(ROOT / "docs" / "checks.md").read_text(encoding="utf-8").split("## Health checks", 1)[1].split("\n## ", 1)[0]
    codes = set(re.findall(r"\[([a-z-]+)\]$", BROKEN_CHECKS, re.M)) | {"field-missing"}
    for code in codes:
        assert re.search(rf"`{code}`\s*\|\s*(error|warning)", section), code


def document(body: str, title: str = "A title", description: str = "A description.") -> Document:
    return Document(path="content/a.md", source_path="a.md", kind="article", slug="a", title=title,
                    description=description, pillar=None, tags=(), related=(), aliases=(),
                    published=date(2026, 1, 1), updated=None, reviewed=None, reviewer=None, author=None,
                    sources=(), draft=False, weight=0, body=body, body_line=10,
                    key_lines={"title": 2, "description": 3})


def test_risky_words_outside_quotes_code_and_links_are_found_with_their_line():
    body = "\n".join([
        'Heat will not cure it. Some sites promise a "miracle cure" or “100% relief”.',
        "Use `detox` as a search term, or [this page](https://example.org/cure).",
        "> They called it a miracle.",
        "```",
        "guaranteed",
        "```",
        "Results are not Guaranteed. It is not 100 % effective. Detoxing does not help, for 100% of people.",
        "It is secure and curious and procured.",
    ])
    found = list(risky_claims(document(body, title="A miracle stretch", description="Cures cramps")))
    assert found == [(2, "miracle"), (3, "Cures"), (10, "cure"), (16, "Guaranteed"), (16, "100 %"), (16, "Detoxing")]


@pytest.mark.parametrize(("reviewed", "state", "due"), [
    (None, "awaiting", None),
    (date(2025, 11, 21), "overdue", date(2026, 11, 21)),
    (date(2025, 11, 22), "due-soon", date(2026, 11, 22)),
    (date(2025, 12, 22), "due-soon", date(2026, 12, 22)),
    (date(2025, 12, 23), "current", date(2026, 12, 23)),
    (date(2024, 2, 29), "overdue", date(2025, 2, 28)),
])
def test_review_falls_due_after_the_interval_and_is_due_soon_within_the_window(reviewed, state, due):
    doc = dataclasses.replace(document("Text."), reviewed=reviewed)
    config = SiteConfig(root=ROOT, config_path="site.yaml", build_date=date(2026, 11, 22),
                        review=ReviewConfig(interval_months=12, due_soon_days=30))
    status = review_status(doc, config)
    assert (status.state, status.due) == (state, due)


WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflow_is_valid_against_the_github_workflow_schema():
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(WORKFLOW)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_checks_strictly_then_builds_and_deploys_only_on_push():
    workflow = load_workflow()
    assert {"push", "pull_request"} <= set(workflow["on"])
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    steps = {step.get("uses", step.get("run", "")).split("@")[0]: step for step in build["steps"]}
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert runs.index("healthsite check --strict --format github") < next(
        i for i, run in enumerate(runs) if run.startswith("healthsite build"))
    assert steps["actions/cache"]["with"]["path"] == ".healthsite-cache"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "public"
    assert steps["actions/upload-pages-artifact"]["if"] == "github.event_name != 'pull_request'"
    assert deploy["needs"] == "build" and deploy["if"].startswith("github.event_name != 'pull_request'")
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_workflow_commands_run_on_the_bundled_site(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    runs = [step["run"] for step in load_workflow()["jobs"]["build"]["steps"] if step.get("run", "").startswith("healthsite")]
    bin_dir = Path(sys.executable).parent
    for run in runs:
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "BASE_URL": "https://example.org/site",
               "SOURCE_DATE_EPOCH": BUILD_EPOCH, "HOME": str(tmp_path)}
        done = subprocess.run(["bash", "-c", run], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, run + "\n" + done.stdout + done.stderr
    assert "Sitemap: https://example.org/site/sitemap.xml" in (tmp_path / "public" / "robots.txt").read_text()


SKIPPING = """---
title: Imported page
description: An article pasted from a site whose pages start at level 3.
date: 2026-01-02
pillar: back
---

### What it is

Text.

```markdown
# not a heading: inside code
```

## Then level two

#### Jumps two levels

## Back to two
"""


def test_a_heading_that_skips_a_level_is_a_warning_at_its_line_with_the_fix(make_site):
    site = make_site({"content/back/index.md": "---\nkind: pillar\ntitle: Back\ndescription: Backs.\n"
                                               "date: 2026-01-01\n---\n\nRead [it](imported.md).\n",
                      "content/back/imported.md": SKIPPING})
    result = run_healthsite("check", cwd=site)
    assert [line for line in result.out.splitlines() if "[heading-skipped]" in line] == [
        "content/back/imported.md:8: warning: the heading 'What it is' is at level 3 under one at level 1, so screen "
        "readers and the contents skip a level. Write it as '## What it is' [heading-skipped]",
        "content/back/imported.md:18: warning: the heading 'Jumps two levels' is at level 4 under one at level 2, so "
        "screen readers and the contents skip a level. Write it as '### Jumps two levels' [heading-skipped]"]


def test_the_body_problems_found_when_rendering_come_again_from_the_cache_and_without_it(make_site):
    # the render stage finds skipped headings, control characters and skeleton lines and caches them with the body
    site = make_site({"content/back/index.md": "---\nkind: pillar\ntitle: Back\ndescription: Backs.\n"
                                               "date: 2026-01-01\n---\n\nRead [it](imported.md).\n",
                      "content/back/imported.md": SKIPPING + "\nIt\x92s pasted.\n"})
    runs = [run_healthsite("build", "--verbose", cwd=site)]
    touch_content(site)
    runs.append(run_healthsite("build", "--verbose", cwd=site))
    runs.append(run_healthsite("build", "--no-cache", "--out", "fresh", cwd=site))
    assert [run.code for run in runs] == [0, 0, 0]
    assert "(0 of 2 bodies rendered, the rest from the cache)" in runs[1].out
    found = [[line for line in run.err.splitlines() if "[heading-skipped]" in line or "[control-character]" in line]
             for run in runs]
    assert found[0] == found[1] == found[2] and [line.split(": warning")[0] for line in found[0]] == [
        "content/back/imported.md:8", "content/back/imported.md:18", "content/back/imported.md:22"]
    new = run_healthsite("new", "Fresh draft", "--pillar", "back", cwd=site)
    assert new.code == 0, new.err
    draft = site / "content" / "back" / "fresh-draft.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    failed = [run_healthsite("build", cwd=site) for _ in range(2)]  # the second takes the draft's body from the cache
    placeholders = [[line for line in run.err.splitlines() if "[skeleton-placeholder]" in line] for run in failed]
    assert [run.code for run in failed] == [1, 1] and placeholders[0] == placeholders[1]
    assert len([line for line in placeholders[0] if "fresh-draft.md" in line]) >= 3
