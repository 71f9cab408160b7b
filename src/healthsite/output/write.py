"""Write the site into a staging folder and swap it in only when the whole build succeeded.

Nothing is left beside the output folder: the lock, the staging folder and the spare copy of the site (the one
the last build replaced, reused as the next staging folder so that only what changed is written) live in the
cache folder. Only when the cache folder is on another file system, where a folder cannot be renamed into
place, does the staging folder sit beside the output, hidden, and it is removed before the build ends.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostics
from ..pages.assets import Assets
from .staging import StagingTree

LOCK_POLL = 0.1  # seconds between two tries of a lock another build holds


@dataclass(frozen=True, slots=True)
class Published:
    pages: int
    files: int


@dataclass(frozen=True, slots=True)
class Places:
    """Where a build of `out` keeps its lock, staging folders and spare copy of the site."""

    out: Path
    work: Path  # the lock, and the staging folders when `nearby` is false
    nearby: bool  # staging beside `out` (hidden, removed at the end), since `work` is on another file system

    @property
    def lock(self) -> Path:
        return self.work / "lock"

    @property
    def spare(self) -> Path | None:
        """Return where the replaced site waits to become the next staging folder; None keeps no spare."""
        return None if self.nearby else self.work / "spare"

    def folder(self, kind: str, pid: int) -> Path:
        """Return the staging ('new') or swapped-out ('old') folder of the build with process id `pid`."""
        return self.out.parent / f".{self.out.name}.{kind}-{pid}" if self.nearby else self.work / f"{kind}-{pid}"


def work_folder(out: Path, cache: Path) -> Path:
    """Return the folder under the cache folder that holds `out`'s lock, staging folders and spare site."""
    out = out.resolve()
    digest = hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return cache / "output" / f"{out.name}-{digest}"


def places(out: Path, cache: Path) -> Places:
    """Find the folder for `out`'s lock and staging under the cache folder, and whether a folder made there can
    be renamed to `out` (the same file system)."""
    out = out.resolve()
    work = work_folder(out, cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    probe = work / f"probe-{os.getpid()}"
    beside = out.parent / f".{out.name}.probe-{os.getpid()}"
    with contextlib.suppress(FileExistsError):
        probe.mkdir()
    try:
        os.rename(probe, beside)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        probe.rmdir()
        return Places(out, work, nearby=True)
    beside.rmdir()
    return Places(out, work, nearby=False)


def publish(pages: Iterable[tuple[str, str | Path]], assets: Assets, out: Path, cache: Path, diags: Diagnostics,
            finish: Callable[[StagingTree], None] | None = None, strict: bool = False,
            lock_timeout: float = 600.0, swapped: Callable[[StagingTree, Published], None] | None = None,
            ) -> Published | None:
    """Stream pages and assets into a staging folder, let `finish` add files to it, then swap it in for `out` and
    tell `swapped`, while no other build can write `out`.

    A page is its text, or the path of an unchanged file of the last build to link in its place. The staging
    folder is the site the last build replaced, when there is one, so only what changed is written.
    """
    try:
        where = places(out, cache)
    except OSError as exc:
        diags.error("write-failed", out.name, None, f"the site could not be written: {exc}",
                    hint=f"Check that {out.parent} and {cache} can be written to")
        return None
    with _lock(where.lock, lock_timeout) as holder:
        if holder is not None:
            diags.error("output-locked", out.name, None,
                        f"another build (process {holder}) was still writing this site after {lock_timeout:g} s, "
                        "so this build gave up", hint="Let it finish or stop it, or pass --lock-timeout with more seconds")
            return None
        _remove_stale(where)
        staging = _staging(where)
        try:
            return _fill_and_swap(pages, assets, staging, where, diags, finish, strict, swapped)
        finally:
            _retire(staging, where)


def _fill_and_swap(pages: Iterable[tuple[str, str | Path]], assets: Assets, staging: Path, where: Places,
                   diags: Diagnostics, finish: Callable[[StagingTree], None] | None, strict: bool,
                   swapped: Callable[[StagingTree, Published], None] | None) -> Published | None:
    try:
        tree = StagingTree(staging)
        count = _write_all(pages, assets, tree)
        if finish is not None and not diags.failed(strict):
            finish(tree)  # before the older site's other files go: it may keep some of them (the search index)
        tree.remove_others()
    except (OSError, ValueError) as exc:
        diags.error("write-failed", where.out.name, None, f"the site could not be written: {exc}",
                    hint="Check the free disk space and that no two pages or aliases share an address")
        return None
    if diags.failed(strict):
        return None
    published = Published(pages=count, files=len(tree.written))
    _swap(staging, where)
    if swapped is not None:
        swapped(tree, published)
    return published


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


def _staging(where: Places) -> Path:
    """Return an empty staging folder, or the spare older site when there is one."""
    staging = where.folder("new", os.getpid())
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        if where.spare is not None:
            os.rename(where.spare, staging)
            return staging
    staging.mkdir()
    return staging


def _retire(folder: Path, where: Places) -> None:
    """Keep a folder that is no longer published as the spare, or delete it (there is one already, or none is
    kept)."""
    if not folder.exists():
        return
    with contextlib.suppress(OSError):
        if where.spare is not None:
            os.rename(folder, where.spare)
            return
    shutil.rmtree(folder, ignore_errors=True)


def _swap(staging: Path, where: Places) -> None:
    """Replace `out` with `staging` by two renames on the same file system; the old site becomes the spare."""
    out, old = where.out, where.folder("old", os.getpid())
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    _retire(old, where)


def _remove_stale(where: Places) -> None:
    """Tidy up after builds that were killed, and after older healthsite releases that staged beside the output;
    we hold the lock, so none is running."""
    out = where.out
    for folder in _left_by_builds(where, "new"):
        _retire(folder, where)
    for folder in _left_by_builds(where, "old"):
        if not out.exists():
            os.rename(folder, out)  # killed between the two renames of a swap: the old site is still whole
        else:
            _retire(folder, where)
    for probe in _left_by_builds(where, "probe"):
        if not _running(int(probe.name.rpartition("-")[2])):  # a build that has not reached the lock yet makes one
            shutil.rmtree(probe, ignore_errors=True)
    for leftover in _left_by_older_releases(out):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.exists() or leftover.is_symlink():
            leftover.unlink()


def left_behind(out: Path, cache: Path) -> bool:
    """Tell whether killed builds or older releases left folders for the next build of `out` to tidy up."""
    out = out.resolve()
    where = Places(out, work_folder(out, cache), nearby=False)
    try:
        return (any(_left_by_builds(where, kind) for kind in ("new", "old", "probe"))
                or any(os.path.lexists(leftover) for leftover in _left_by_older_releases(out)))
    except OSError:
        return True


def _left_by_older_releases(out: Path) -> tuple[Path, Path]:
    """Return where older healthsite releases kept the spare site and the lock: beside the output."""
    return out.parent / f".{out.name}.spare", out.parent / f".{out.name}.lock"


def _running(pid: int) -> bool:
    """Tell whether a process with this id is alive (and not ours to remove things from)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


def _left_by_builds(where: Places, kind: str) -> list[Path]:
    """Return the `<kind>-<pid>` folders of earlier builds, wherever they staged, never a writer's own
    `public.old-backup`."""
    out = where.out
    found = []
    for folder, prefix in ((where.work, f"{kind}-"), (out.parent, f".{out.name}.{kind}-"),
                           (out.parent, f"{out.name}.{kind}-")):  # the last: where earlier builds staged
        found += [f for f in folder.iterdir()
                  if f.name.startswith(prefix) and f.name[len(prefix):].isdigit() and f.is_dir() and not f.is_symlink()]
    return sorted(found)


@contextlib.contextmanager
def _lock(path: Path, timeout: float) -> Iterator[int | None]:
    """Let one build at a time write the site: yield None once this one holds the lock, or the process id of the
    build that held it for all of `timeout` seconds. A waiting build says once whom it waits for."""
    with open(path, "a+b") as handle:
        holder = _acquire(handle, timeout)
        if holder is not None:
            yield holder
            return
        handle.truncate(0)
        handle.write(str(os.getpid()).encode())
        handle.flush()
        global _held
        _held = handle.fileno()
        try:
            yield None
        finally:
            _held = None
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


_held: int | None = None  # the lock's file descriptor while this process holds it


def _close_in_child() -> None:
    """Close the lock in a forked helper, so that only the build itself holds it: a helper that outlived a
    killed build would otherwise keep every later build waiting."""
    global _held
    if _held is not None:
        with contextlib.suppress(OSError):
            os.close(_held)
        _held = None


os.register_at_fork(after_in_child=_close_in_child)


def _acquire(handle, timeout: float) -> int | None:
    """Take the lock, waiting at most `timeout` seconds; return None when taken, else the holder's process id."""
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return None
        except BlockingIOError:
            pass
        handle.seek(0)
        text = handle.read(32).decode("ascii", "replace").strip()
        holder = int(text) if text.isdigit() else 0
        if not told:
            print(f"waiting for the build with pid {holder or 'unknown'} to finish writing the site "
                  f"(giving up after {timeout:g} s; --lock-timeout changes this)", file=sys.stderr, flush=True)
            told = True
        if time.monotonic() >= deadline:
            return holder
        time.sleep(min(LOCK_POLL, max(0.0, deadline - time.monotonic())))
