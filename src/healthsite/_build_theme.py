"""setuptools build hook: ship the bundled theme, templates/, static/ and strings/ beside src/, in the wheel as
healthsite/theme/.

pyproject.toml names this file as the `build_py` command, and setuptools loads it by path while it builds;
healthsite never imports it. The theme stays at the top of the repository, where writers and tests use it, and
`config.THEME_DIR` looks in healthsite/theme/ first, then beside src/ (a checkout or an editable install).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parents[2]
THEME_FOLDERS = ("templates", "static", "strings")
THEME_PACKAGE = ("healthsite", "theme")


class BuildPyWithTheme(build_py):
    """Build the package as usual, with every file of the theme's folders as package data in healthsite/theme/."""

    def _get_data_files(self):
        """List the package data and the theme's files; an editable install reads the theme in place instead."""
        data_files = super()._get_data_files()
        if self.editable_mode:
            return data_files
        build_dir = os.path.join(self.build_lib, *THEME_PACKAGE)
        return [*data_files, (".".join(THEME_PACKAGE), str(ROOT), build_dir, theme_files())]


def theme_files() -> list[str]:
    """List the theme's files relative to the repository root; fail when a theme folder is missing."""
    missing = [name for name in THEME_FOLDERS if not (ROOT / name).is_dir()]
    if missing:  # a wheel without its theme would fail on the first page it renders, far from the cause
        raise FileNotFoundError(f"the bundled theme's {' and '.join(missing)} folder is missing from {ROOT}; "
                                "an sdist needs MANIFEST.in's 'graft templates', 'graft static' and 'graft strings'")
    return sorted(path.relative_to(ROOT).as_posix() for name in THEME_FOLDERS
                  for path in (ROOT / name).rglob("*") if path.is_file() and "__pycache__" not in path.parts)
