"""Index the built site for search with Pagefind, whose binary ships in the pagefind[bin] package."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

from ..diagnostics import Diagnostics
from ..processes import die_with_parent


def index_search(folder: Path, diags: Diagnostics) -> None:
    """Index the pages in `folder`; a failure is a warning, as the site itself is whole."""
    try:
        result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
                                capture_output=True, text=True, timeout=600,
                                preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {exc}",
                      hint="Install pagefind[bin], or set 'search: false'")
        return
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["unknown error"]
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {detail[0]}",
                      hint="Install pagefind[bin], or set 'search: false'")
