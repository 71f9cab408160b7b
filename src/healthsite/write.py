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


@dataclass(frozen=True, slots=True)
class Published:
    pages: int
    files: int


def publish(pages: Iterable[tuple[str, str]], assets: Assets, out: Path, diags: Diagnostics,
            finish: callable = None, strict: bool = False) -> Published | None:  # type: ignore[valid-type]
    """Stream pages and assets into a staging folder, run `finish` on it, then swap it in for `out`."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        _remove_stale(out)
        staging = out.parent / f"{out.name}.new-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            try:
                count = _write_all(pages, assets, staging)
            except (OSError, ValueError) as exc:
                diags.error("write-failed", out.name, None, f"the site could not be written: {exc}",
                            hint="Check the free disk space and that no two pages or aliases share an address")
                return None
            if finish is not None and not diags.failed(strict):
                finish(staging)
            if diags.failed(strict):
                return None
            files = sum(1 for p in staging.rglob("*") if p.is_file())
            _swap(staging, out)
            return Published(pages=count, files=files)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _write_all(pages: Iterable[tuple[str, str]], assets: Assets, staging: Path) -> int:
    """Write every page and asset into the staging folder and return the number of pages."""
    count = 0
    for path, text in pages:
        write_file(staging, path, text.encode("utf-8"))
        count += 1
    for path, source in assets.files.items():
        write_file(staging, path, source.read_bytes())
    return count


def write_file(root: Path, relative: str, data: bytes) -> None:
    """Write one file below `root`, refusing any path that would leave it."""
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise OSError(f"cannot write {relative}: {exc.strerror or exc}") from exc


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` by two renames on the same file system."""
    old = out.parent / f"{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def _remove_stale(out: Path) -> None:
    """Delete staging folders left by builds that were killed; we hold the lock, so none is running."""
    for folder in out.parent.glob(f"{out.name}.new-*"):
        shutil.rmtree(folder, ignore_errors=True)
    for folder in out.parent.glob(f"{out.name}.old-*"):
        if not out.exists():
            os.rename(folder, out)  # killed between the two renames of a swap: the old site is still whole
        else:
            shutil.rmtree(folder, ignore_errors=True)


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
