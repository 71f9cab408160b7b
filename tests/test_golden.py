"""The full sample site's output matches the committed golden copy, byte for byte."""

from __future__ import annotations

import difflib
from pathlib import Path

from conftest import ROOT
from site_files import files_below

GOLDEN = ROOT / "tests" / "golden" / "full"
REGENERATE = "python tests/regenerate_golden.py"


def first_difference(name: str, expected: bytes, actual: bytes) -> str:
    """Show the first lines where two versions of a file differ."""
    diff = difflib.unified_diff(expected.decode(errors="replace").splitlines(),
                                actual.decode(errors="replace").splitlines(),
                                f"golden/{name}", f"built/{name}", lineterm="", n=2)
    return "\n".join(list(diff)[:40])


def test_full_site_writes_the_same_files_as_the_golden_copy(full_site: Path) -> None:
    built = sorted(files_below(full_site / "public"))
    golden = sorted(files_below(GOLDEN))
    assert built == golden, f"the set of files changed; if that is intended, run `{REGENERATE}` and review the diff"


def test_full_site_output_matches_the_golden_copy_byte_for_byte(full_site: Path) -> None:
    built = files_below(full_site / "public")
    golden = files_below(GOLDEN)
    changed = sorted(name for name in built.keys() & golden.keys() if built[name] != golden[name])
    assert not changed, (f"{len(changed)} files differ from tests/golden/full; if intended, run `{REGENERATE}` "
                         f"and review the diff.\n" + first_difference(changed[0], golden[changed[0]], built[changed[0]]))
