"""Rebuild tests/golden/full/ from tests/sites/full, and the every-mistake report: run
`python tests/regenerate_golden.py`, then review the diff."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ROOT, build_sample_site, run_healthsite  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "full"
MISTAKES = ROOT / "tests" / "golden" / "broken-every-mistake.txt"


def regenerate() -> int:
    """Build the full sample site exactly as the golden test does and replace the golden copy with it; write what a
    build of the every-mistake site prints."""
    with tempfile.TemporaryDirectory() as temp:
        built = build_sample_site("full", Path(temp)) / "public"
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(built, GOLDEN)
        mistakes = Path(temp) / "mistakes"
        shutil.copytree(ROOT / "tests" / "sites" / "broken-every-mistake", mistakes)
        MISTAKES.write_text(run_healthsite("build", cwd=mistakes).err, encoding="utf-8")
    files = sum(1 for path in GOLDEN.rglob("*") if path.is_file())
    print(f"Wrote {files} files to {GOLDEN.relative_to(ROOT)}/ and {MISTAKES.relative_to(ROOT)}; review them with "
          "`git diff --stat tests/golden`.")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
