"""Write the site into a staging folder and swap it in only when the whole build succeeded."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .assets import Assets
from .diagnostics import Diagnostics
from .outtree import StagingTree


@dataclass(frozen=True, slots=True)
class Published:
    pages: int
    files: int


def publish(pages: Iterable[tuple[str, str | Path]], assets: Assets, out: Path, diags: Diagnostics,
            finish: callable = None, strict: bool = False) -> Published | None:  # type: ignore[valid-type]
    """Stream pages and assets into a staging folder, run `finish` on it, then swap it in for `out`.

    A page is its text, or the path of an unchanged file of the last build to link in its place. The staging
    folder is the site the last build replaced, when there is one, so only what changed is written.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        _remove_stale(out)
        staging = _staging(out)
        try:
            try:
                tree = StagingTree(staging)
                count = _write_all(pages, assets, tree)
                tree.remove_others()
            except (OSError, ValueError) as exc:
                diags.error("write-failed", out.name, None, f"the site could not be written: {exc}",
                            hint="Check the free disk space and that no two pages or aliases share an address")
                return None
            if finish is not None and not diags.failed(strict):
                finish(staging)
            if diags.failed(strict):
                return None
            files = len(tree.written) if finish is None else sum(len(f) for _, _, f in os.walk(staging))
            _swap(staging, out)
            return Published(pages=count, files=files)
        finally:
            _retire(staging, out)


def _write_all(pages: Iterable[tuple[str, str | Path]], assets: Assets, tree: StagingTree) -> int:
    """Write every page and asset into the staging folder and return the number of pages."""
    count = 0
    for path, text in pages:
        if isinstance(text, Path):
            tree.link(path, text)
        else:
            tree.write(path, text.encode("utf-8"))
        count += 1
    for path, source in assets.files.items():
        tree.write(path, source.read_bytes())
    return count


def _spare(out: Path) -> Path:
    """Return where the site replaced by the last build waits to become the next staging folder."""
    return out.parent / f".{out.name}.spare"


def _staging(out: Path) -> Path:
    """Return an empty staging folder, or the spare older site when there is one."""
    staging = out.parent / f"{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        os.rename(_spare(out), staging)
    except OSError:
        staging.mkdir()
    return staging


def _retire(folder: Path, out: Path) -> None:
    """Keep a folder that is no longer published as the spare, or delete it when there is one already."""
    if not folder.exists():
        return
    try:
        os.rename(folder, _spare(out))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` by two renames on the same file system; the old site becomes the spare."""
    old = out.parent / f"{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    _retire(old, out)


def _remove_stale(out: Path) -> None:
    """Tidy up after builds that were killed; we hold the lock, so none is running."""
    for folder in _left_by_builds(out, "new"):
        _retire(folder, out)
    for folder in _left_by_builds(out, "old"):
        if not out.exists():
            os.rename(folder, out)  # killed between the two renames of a swap: the old site is still whole
        else:
            _retire(folder, out)


def _left_by_builds(out: Path, kind: str) -> list[Path]:
    """Return the `<out>.<kind>-<pid>` folders of earlier builds, never a writer's own `public.old-backup`."""
    prefix = f"{out.name}.{kind}-"
    return sorted(f for f in out.parent.iterdir()
                  if f.name.startswith(prefix) and f.name[len(prefix):].isdigit() and f.is_dir())


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Let one build at a time write next to `out`; a second waits for the first to finish."""
    lock_file = out.parent / f".{out.name}.lock"
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
