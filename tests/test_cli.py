"""The command line: exit codes 0, 1 and 2, one summary line, and every build option."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from conftest import ROOT, run_healthsite

SUMMARY = re.compile(r"Built (\d+) pages?: (\d+) articles?, (\d+) pillars?, (\d+) tags?, (\d+) warnings? in \d+\.\d\d s\n")
DRAFT = """---
title: Still a draft
description: Not finished yet.
date: 2026-01-05
pillar: guide
draft: true
---

Unfinished.
"""


def test_a_good_build_exits_0_and_prints_one_summary_line(copy_site) -> None:
    result = run_healthsite("build", cwd=copy_site("minimal"))
    assert (result.code, result.err) == (0, "")
    match = SUMMARY.fullmatch(result.out)
    assert match, result.out
    assert match.groups()[1:] == ("1", "1", "0", "0")
    assert result.out.startswith("Built ") and " 1 article, 1 pillar, 0 tags, 0 warnings in " in result.out


def test_build_is_the_default_command(copy_site) -> None:
    root = copy_site("minimal")
    assert run_healthsite(cwd=root).code == 0
    assert run_healthsite("--quiet", cwd=root).code == 0
    assert (root / "public" / "guide" / "first-steps" / "index.html").is_file()


def test_build_py_runs_the_same_build(copy_site) -> None:
    import subprocess

    root = copy_site("minimal")
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--quiet"], cwd=root, capture_output=True,
                          text=True, timeout=600)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (root / "public" / "index.html").is_file()


def test_content_errors_exit_1(copy_site) -> None:
    result = run_healthsite("build", cwd=copy_site("broken-bad-date"))
    assert result.code == 1
    assert result.err.endswith("Build failed: 1 error (1 field-date), 0 warnings; public/ was left as it was.\n")


def test_an_unknown_option_exits_2_with_usage_and_writes_nothing(copy_site) -> None:
    root = copy_site("minimal")
    result = run_healthsite("build", "--bogus", cwd=root)
    assert result.code == 2
    assert "usage: healthsite" in result.err and "unrecognized arguments: --bogus" in result.err
    assert not (root / "public").exists()


def test_an_option_without_its_value_exits_2(copy_site) -> None:
    result = run_healthsite("build", "--out", cwd=copy_site("minimal"))
    assert result.code == 2
    assert "argument --out: expected one argument" in result.err


def test_an_unknown_command_exits_2(copy_site) -> None:
    result = run_healthsite("publish", cwd=copy_site("minimal"))
    assert result.code == 2
    assert "invalid choice: 'publish'" in result.err


def test_strict_turns_warnings_into_a_failure(copy_site) -> None:
    root = copy_site("broken-unknown-field")
    assert run_healthsite("build", cwd=root).code == 0
    strict = run_healthsite("build", "--strict", cwd=root)
    assert strict.code == 1
    assert strict.err.endswith("Build failed: 0 errors, 1 warning (1 unknown-field); public/ was left as it was.\n")


def test_drafts_are_built_only_with_drafts(copy_site) -> None:
    root = copy_site("minimal")
    (root / "content" / "guide" / "still-a-draft.md").write_text(DRAFT, encoding="utf-8")
    draft_page = root / "public" / "guide" / "still-a-draft" / "index.html"
    assert run_healthsite("build", cwd=root).code == 0
    assert not draft_page.exists()
    with_drafts = run_healthsite("build", "--drafts", cwd=root)
    assert with_drafts.code == 0
    assert draft_page.is_file()
    assert " 2 articles, " in with_drafts.out


def test_out_writes_the_site_into_another_folder(copy_site) -> None:
    root = copy_site("minimal")
    assert run_healthsite("build", "--out", "site-output", cwd=root).code == 0
    assert (root / "site-output" / "guide" / "first-steps" / "index.html").is_file()
    assert not (root / "public").exists()


def test_content_reads_markdown_from_another_folder(copy_site) -> None:
    root = copy_site("minimal")
    (root / "content").rename(root / "articles")
    assert run_healthsite("build", cwd=root).code == 1
    assert run_healthsite("build", "--content", "articles", cwd=root).code == 0
    assert (root / "public" / "guide" / "first-steps" / "index.html").is_file()


def test_a_missing_content_folder_is_reported_not_a_traceback(copy_site) -> None:
    result = run_healthsite("build", "--content", "nowhere", cwd=copy_site("minimal"))
    assert result.code == 1
    assert result.err.startswith("nowhere: error: the content folder does not exist. Create it, or pass --content "
                                 "with the folder that holds your Markdown files [content-missing]\n")


def test_base_url_puts_every_link_under_the_sub_path(copy_site) -> None:
    root = copy_site("minimal")
    assert run_healthsite("build", "--base-url", "/docs/", cwd=root).code == 0
    html = (root / "public" / "guide" / "index.html").read_text(encoding="utf-8")
    assert 'href="/docs/guide/first-steps/"' in html
    assert not re.search(r'(?:href|src)="/(?!docs/)', html)


def test_a_base_url_that_is_no_address_is_an_error(copy_site) -> None:
    result = run_healthsite("build", "--base-url", "ftp://example.org", cwd=copy_site("minimal"))
    assert result.code == 1
    assert result.err.startswith("site.yaml: error: base_url 'ftp://example.org' is not a site address.")


def test_config_reads_settings_from_another_file(copy_site) -> None:
    root = copy_site("minimal")
    (root / "staging.yaml").write_text("title: Staging copy\nbase_url: /staging/\nsearch: false\n", encoding="utf-8")
    assert run_healthsite("build", "--config", "staging.yaml", cwd=root).code == 0
    html = (root / "public" / "index.html").read_text(encoding="utf-8")
    assert "Staging copy" in html and 'href="/staging/guide/"' in html


def test_config_naming_a_missing_file_is_an_error(copy_site) -> None:
    result = run_healthsite("build", "--config", "missing.yaml", cwd=copy_site("minimal"))
    assert result.code == 1
    assert result.err.startswith("missing.yaml: error: the configuration file does not exist. "
                                 "Pass --config with the path of your site.yaml [config-missing]\n")


def test_quiet_prints_nothing_on_success_but_still_prints_problems(copy_site) -> None:
    ok = run_healthsite("build", "--quiet", cwd=copy_site("minimal"))
    assert (ok.code, ok.out, ok.err) == (0, "", "")
    warned = run_healthsite("build", "--quiet", cwd=copy_site("broken-unknown-field"))
    assert (warned.code, warned.out) == (0, "")
    assert "warning: unknown field 'reviewd'" in warned.err


def test_a_site_path_in_any_folder_works(copy_site, tmp_path: Path) -> None:
    root = copy_site("minimal")
    result = run_healthsite("build", "--config", str(root / "site.yaml"), cwd=tmp_path)
    assert result.code == 0, result.err
    assert (root / "public" / "index.html").is_file()
