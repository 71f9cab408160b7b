"""`healthsite init`: write a new site a publisher can start from, into a new or empty folder.

The site's files are plain files in `site/` beside this module, copied as they are but for two placeholders:
`{today}` (the build date, so the sample article is published at once) and `{release}` (the healthsite release
the GitHub workflow installs).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from importlib import metadata
from pathlib import Path

from ..config import build_date_today

EXIT_OK, EXIT_USAGE = 0, 2
SITE = Path(__file__).parent / "site"
NEXT_STEPS = """
Next:
  cd {folder}
  healthsite serve            # look at the site on http://127.0.0.1:8000/ while you write
  healthsite check --strict   # before you publish: every problem, with its file and line
  healthsite build            # write the site to public/
To publish on GitHub Pages, set HEALTHSITE in .github/workflows/site.yml to the healthsite release you use."""


def init_site(args: argparse.Namespace) -> int:
    """Write the starter site into args.folder, list what was written and the next commands; refuse a full folder."""
    folder = Path(args.folder)
    try:
        problem = _unusable(folder)
        if problem:
            print(f"healthsite init: {problem}", file=sys.stderr)
            return EXIT_USAGE
        written = write_site(folder, {"today": build_date_today().isoformat(), "release": _release()})
    except OSError as exc:
        print(f"healthsite init: cannot write {folder}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created a new site in {folder}:")
    for name in written:
        print(f"  {name}")
    print(NEXT_STEPS.format(folder=shlex.quote(str(folder))))
    return EXIT_OK


def _unusable(folder: Path) -> str | None:
    """Say why a new site cannot go into `folder`, or return None when the folder is new or empty."""
    if folder.is_dir():
        if next(folder.iterdir(), None) is not None:
            return f"{folder} is not empty; init writes a new site only into a new or empty folder"
        return None
    if folder.exists() or folder.is_symlink():
        return f"{folder} is a file, not a folder; init writes a new site only into a new or empty folder"
    return None


def write_site(folder: Path, values: dict[str, str]) -> list[str]:
    """Copy the starter site into `folder`, filling in its placeholders; return the paths written, site.yaml first."""
    names = sorted((path.relative_to(SITE) for path in SITE.rglob("*") if path.is_file()),
                   key=lambda name: (name.as_posix() != "site.yaml", name.as_posix().startswith("."), name))
    written = []
    for name in names:
        source = SITE / name
        text = source.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        with open(folder / name, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
        written.append(name.as_posix())
    return written


def _release() -> str:
    """Name the git tag of the installed healthsite release, for the workflow to pin."""
    try:
        return f"v{metadata.version('healthsite')}"
    except metadata.PackageNotFoundError:  # run from a source folder that was never installed
        return "main"
