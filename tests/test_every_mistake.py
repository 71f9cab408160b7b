"""One build reports every mistake a writer can make, each at its own line, in one round (issue 20).

tests/sites/broken-every-mistake holds them, several to a file: a missing description, an impossible date, a
misspelt pillar and tag, links to missing articles (one written twice), to missing anchors, files, root-relative
paths and raw-HTML targets, a quoted address, a skipped heading level, a Windows-1252 character, broken YAML and a
published skeleton. Its whole report is tests/golden/broken-every-mistake.txt (`python tests/regenerate_golden.py`
writes it again); the build and `healthsite check` must print the same lines.
"""

from __future__ import annotations

from conftest import ROOT, run_healthsite
from site_files import files_below

GOLDEN = ROOT / "tests" / "golden" / "broken-every-mistake.txt"


def test_one_build_prints_every_mistake_at_its_line_and_keeps_the_old_site(copy_site) -> None:
    root = copy_site("broken-every-mistake")
    (root / "public").mkdir()
    (root / "public" / "index.html").write_text("the site as it was\n", encoding="utf-8")
    result = run_healthsite("build", cwd=root)
    assert (result.code, result.out) == (1, "")
    assert result.err == GOLDEN.read_text(encoding="utf-8")
    assert files_below(root / "public") == {"index.html": b"the site as it was\n"}


def test_check_prints_the_same_messages_as_the_build(copy_site) -> None:
    root = copy_site("broken-every-mistake")
    checked = run_healthsite("check", cwd=root)
    assert checked.code == 1
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    messages = [line for line in golden if ": error: " in line or ": warning: " in line]
    summary, lines = checked.out.split("\n\n", 1)  # check's summary per code comes first
    assert lines.splitlines() == messages
    assert summary.splitlines()[0] == ("error    link-not-found           7  content/legs/night-cramps.md:14, "
                                       "content/legs/night-cramps.md:15, content/legs/night-cramps.md:22, ...")
    assert len(messages) == len(golden) - 2  # then the counts and what waits for the file that could not be read
