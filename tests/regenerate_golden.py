"""Rebuild tests/golden/full/ from tests/sites/full: run `python tests/regenerate_golden.py`, then review the diff."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ROOT, build_sample_site  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "full"


def regenerate() -> int:
    """Build the full sample site exactly as the golden test does and replace the golden copy with it."""
    with tempfile.TemporaryDirectory() as temp:
        built = build_sample_site("full", Path(temp)) / "public"
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(built, GOLDEN)
    files = sum(1 for path in GOLDEN.rglob("*") if path.is_file())
    print(f"Wrote {files} files to {GOLDEN.relative_to(ROOT)}/; review them with `git diff --stat tests/golden`.")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
