"""List the content folder: the Markdown files to load and the other files (images, PDFs) to publish."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig
from ..diagnostics import Diagnostics
from ..markdown.sanitize import CONTENT_FILE_TYPES, svg_problem
from .snippets import SNIPPETS


def content_listing(config: SiteConfig, diags: Diagnostics | None = None) -> list[Path]:
    """List the files under the content folder in path order, hidden ones left out, for `load_documents` and
    `list_content_files` to share.

    One rule for every type: a symbolic link (to a file or a folder) is followed when its target is inside the
    content folder; a link that leads outside it, points nowhere or loops back is reported and left out, so no
    byte of an outside file is ever published.
    """
    content = config.content_path
    if not content.is_dir():
        return []
    found: list[Path] = []
    real = content.resolve()
    _list_folder(content, real, (real,), found, _Reporter(config, diags if diags is not None else Diagnostics()))
    snippets = f"{content / SNIPPETS}{os.sep}"  # included into articles, never published on their own
    return sorted((path for path in found if not str(path).startswith(snippets)), key=_parts)


def _parts(path: Path) -> tuple[str, ...]:
    """Order paths folder by folder, as Path's own ordering does, at a fraction of its cost."""
    return path.parts


@dataclass(frozen=True, slots=True)
class _Reporter:
    config: SiteConfig
    diags: Diagnostics

    def error(self, code: str, path: Path, is_file: bool, message: str, hint: str) -> None:
        self.diags.error(code, shown_path(path, self.config), 1 if is_file else None, message, hint=hint)


def _list_folder(folder: Path, real: Path, open_folders: tuple[Path, ...], found: list[Path],
                 report: _Reporter) -> None:
    """Add the files below `folder` (whose real path is `real`; `open_folders` are the real paths of the folders
    being listed, itself included) to `found`."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError as exc:
        report.error("file-unreadable", folder, False, f"cannot list the folder: {exc.strerror}",
                     "Check the folder's permissions")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        if entry.is_symlink():
            target = _link_target(path, report, open_folders)
            if target is None:
                continue
            if target.is_dir():
                _list_folder(path, target, open_folders + (target,), found, report)
            elif target.is_file():
                found.append(path)
        elif entry.is_dir(follow_symlinks=False):
            if entry.name.endswith(".md"):
                found.append(path)  # reading it says it is a folder
            else:
                inner = real / entry.name
                _list_folder(path, inner, open_folders + (inner,), found, report)
        elif entry.is_file(follow_symlinks=False):  # not a pipe or device, which reading would block on
            found.append(path)


def _link_target(link: Path, report: _Reporter, open_folders: tuple[Path, ...]) -> Path | None:
    """Return the real path of a symbolic link's target inside the content folder, or report why it is left out."""
    root = open_folders[0]
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        report.error("content-link-broken", link, True, f"the link points to nothing ('{os.readlink(link)}' does "
                     "not exist), so it is left out", "Point the link at a file in the content folder, or remove it")
        return None
    except (OSError, RuntimeError):  # a chain of links that never ends
        report.error("content-link-broken", link, True, "the link is part of a loop of links, so it is left out",
                     "Point the link at a file in the content folder, or remove it")
        return None
    if not target.is_relative_to(root):
        is_file = not target.is_dir()
        report.error("content-file-unsafe", link, is_file,
                     f"the link leads outside the content folder, so the {'file' if is_file else 'folder'} it "
                     "points to is left out", "Copy it into the content folder instead of linking to it")
        return None
    if target in open_folders:
        report.error("content-link-broken", link, False, "the link points to a folder that holds it, which would "
                     "list the same files forever, so it is left out", "Remove the link")
        return None
    return target


def list_content_files(config: SiteConfig, diags: Diagnostics | None = None,
                       listing: list[Path] | None = None) -> frozenset[str]:
    """List the content folder's other files (images, PDFs) that articles may link to, leaving out (and reporting
    to `diags`) any that could run script in a reader's browser: pages, code, scripted SVG."""
    content = config.content_path
    if not content.is_dir():
        return frozenset()
    files = set()
    report = diags if diags is not None else Diagnostics()
    for file in content_listing(config, report) if listing is None else listing:
        if file.suffix == ".md":  # first: most files are articles
            continue
        name = file.relative_to(content).as_posix()
        if file.suffix.lower() not in CONTENT_FILE_TYPES:
            report.warning("content-file-skipped", shown_path(file, config), None,
                           f"files of type '{file.suffix or file.name}' are not published from the content folder",
                           hint="Publish images, PDFs, text, audio and video beside articles; write pages in Markdown")
        elif file.suffix.lower() == ".svg" and (problem := _svg_file_problem(file)):
            report.error("content-file-unsafe", shown_path(file, config), None, f"{problem}, so it is left out",
                         hint="Export a plain SVG without scripts, event handlers or script links, or convert it to PNG")
        else:
            files.add(name)
    return frozenset(files)


def _svg_file_problem(file: Path) -> str:
    """Return what in an SVG file could run script, or ''."""
    try:
        return svg_problem(file.read_bytes())
    except OSError as exc:
        return f"the SVG cannot be read ({exc.strerror})"


def shown_path(path: Path, config: SiteConfig, folders: dict[Path, str | None] | None = None) -> str:
    """Return a path relative to the site folder, as writers see it in their editor (a linked folder by the
    link's name); `folders` remembers each folder's answer for one pass over the content folder (finding a
    folder's real path takes a call per part)."""
    if path.is_relative_to(config.root) and ".." not in (relative := path.relative_to(config.root)).parts:
        return relative.as_posix()
    folder = folders.get(path.parent, False) if folders is not None else False
    if folder is False:
        try:
            relative = path.parent.resolve().relative_to(config.root).as_posix()  # a symlink by its own name
            folder = "" if relative == "." else relative + "/"
        except ValueError:
            folder = None
        if folders is not None:
            folders[path.parent] = folder
    return path.as_posix() if folder is None else folder + path.name
