"""Fill a staging folder that may still hold an older copy of the site, touching only the files that differ.

The writer reuses the site replaced by the last build as its next staging folder. Files are never rewritten in
place, since an unchanged page may be a hard link shared with the published site: a new version goes to a temporary
file that replaces the old name. Whatever the build does not write again is removed before the swap.
"""

from __future__ import annotations

import os
import posixpath
import shutil
from collections.abc import Callable
from pathlib import Path


class StagingTree:
    """Write files below `root`, refusing paths that leave it, and remember which ones this build wrote."""

    def __init__(self, root: Path):
        self.root = str(root)
        self.existing: set[str] = set()  # files found in the folder before writing
        self.dirs: set[str] = {""}  # folders known to exist
        self.written: set[str] = set()
        self._scan()

    def _scan(self) -> None:
        """List what an older site left in the folder; drop symbolic links, which healthsite never writes."""
        folders = [""]
        while folders:
            folder = folders.pop()
            with os.scandir(os.path.join(self.root, folder)) as entries:
                for entry in entries:  # the entry's type comes with the listing: no call per file
                    name = f"{folder}/{entry.name}" if folder else entry.name
                    if entry.is_symlink():
                        os.unlink(entry.path)
                    elif entry.is_dir():
                        self.dirs.add(name)
                        folders.append(name)
                    else:
                        self.existing.add(name)

    def write(self, relative: str, data: bytes) -> None:
        """Write a file, leaving an identical one from an older site as it is."""
        self._place(relative, lambda path: os.path.getsize(path) == len(data) and _read(path) == data,
                    lambda target: _write(target, data))

    def link(self, relative: str, source: Path) -> None:
        """Put an unchanged file of the published site here as a hard link (a copy where links fail)."""
        self._place(relative, lambda path: same_file(path, source), lambda target: link_or_copy(source, target))

    def _place(self, relative: str, unchanged: Callable[[str], bool], put: Callable[[str], None]) -> None:
        """Put a file at `relative`; an older file is kept when unchanged, else replaced by a rename, never in place."""
        name, path = self._prepare(relative)
        try:
            if name not in self.existing:
                put(path)
            elif not unchanged(path):
                temp = f"{path}.tmp-{os.getpid()}"
                put(temp)
                os.replace(temp, path)
        except OSError as exc:
            raise OSError(f"cannot write {relative}: {exc.strerror or exc}") from exc

    def remove_others(self) -> None:
        """Delete the files and folders of the older site that this build did not write."""
        for name in self.existing - self.written:
            try:
                os.unlink(os.path.join(self.root, name))
            except OSError:
                pass
        needed = self.folders()
        for name in sorted(self.dirs - needed, key=lambda d: -d.count("/")):
            shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)
        self.dirs &= needed

    def folders(self) -> set[str]:
        """Return the folders that hold the files written, "" (the root) among them."""
        needed = {posixpath.dirname(name) for name in self.written}
        for name in list(needed):
            while name:
                name = posixpath.dirname(name)
                needed.add(name)
        return needed | {""}

    def _prepare(self, relative: str) -> tuple[str, str]:
        """Check the path stays below the root, make its folder, and record it as written."""
        name = posixpath.normpath(relative)
        if name.startswith(("/", "../")) or name in (".", "..", "") or "\0" in name:
            raise ValueError(f"refusing to write outside the output folder: {relative}")
        parent = posixpath.dirname(name)
        if parent not in self.dirs:
            self._make_folder(parent, relative)
        path = os.path.join(self.root, name)
        if name in self.dirs and not any(w.startswith(name + "/") for w in self.written):
            shutil.rmtree(path, ignore_errors=True)  # a folder of the older site where a file goes now
            self.dirs.discard(name)
        self.written.add(name)
        return name, path

    def _make_folder(self, parent: str, relative: str) -> None:
        """Create a folder and its parents, first removing older files that stand where a folder goes."""
        ancestors = []
        while parent and parent not in self.dirs:
            ancestors.append(parent)
            parent = posixpath.dirname(parent)
        for folder in reversed(ancestors):
            if folder in self.existing and folder not in self.written:
                os.unlink(os.path.join(self.root, folder))
                self.existing.discard(folder)
            try:
                os.mkdir(os.path.join(self.root, folder))
            except FileExistsError:
                if not os.path.isdir(os.path.join(self.root, folder)):
                    raise OSError(f"cannot write {relative}: '{folder}' is a file") from None
            except OSError as exc:
                raise OSError(f"cannot write {relative}: {exc.strerror or exc}") from exc
            self.dirs.add(folder)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def same_file(path: str, source: Path) -> bool:
    """Tell whether `path` is the file `source` is (a hard link to it), not a copy."""
    try:
        return os.path.samestat(os.stat(path), os.stat(source))
    except OSError:
        return False


def link_or_copy(source: Path, target: str | Path) -> None:
    """Hard-link `source` at `target`, or copy it where links cannot be made (another file system)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
