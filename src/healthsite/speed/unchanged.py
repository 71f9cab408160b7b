"""Keep the last build's site when nothing it read or wrote has changed since, and tell its problems again.

A build that publishes its site notes what it read (the settings, the build date, healthsite's code and libraries,
and the size, times and inode of every content, snippet, template, static and strings file) and the size, time and
inode of every file and folder it left in the output folder. When the next build finds all of them as noted, it
would write the same bytes again: it replays the last build's problems and summary instead. Any change (a saved or
touched file, a new day, a file edited, added or removed in the output folder), another build holding the output's
lock, or folders a killed build left for the writer to tidy up, runs the build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..config import SiteConfig
from ..content.snippets import SNIPPETS
from ..diagnostics import Diagnostic
from ..output.write import left_behind, work_folder
from .store import PlainUnpickler, code_version

NOTE_FORMAT = 1
LIBRARIES = ("Jinja2", "MarkupSafe", "Markdown", "PyYAML", "nh3", "pagefind", "pagefind-bin", "cbor2",
             "python-frontmatter")  # the libraries whose release can change a page, the index or a diagnostic
THEME_FOLDERS = ("templates", "static", "strings")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a build that published its site tells the writer: its counts and its problems."""

    pages: int
    files: int
    articles: int
    pillars: int
    tags: int
    diagnostics: tuple[Diagnostic, ...]


class LastBuild:
    """The note one build of an output folder leaves for the next: what it read, what it wrote, what it told."""

    def __init__(self, config: SiteConfig, strict: bool, listing: Sequence[Path]):
        self.out, self.cache = config.out_path, config.cache_path
        self.work = work_folder(self.out, self.cache)
        self.file = self.work / "last-build"
        files = [config.root / Path(config.config_path).name, *listing,
                 *_files_below([config.content_path / SNIPPETS]),
                 *_files_below([folder / name for folder in config.theme_paths for name in THEME_FOLDERS])]
        self.stats = {file: _stat(file) for file in files}  # before the build: a file saved while it runs is news
        self.inputs = _inputs_digest(config, strict, self.stats)

    def outcome(self) -> Outcome | None:
        """Return the last build's outcome when what it read and wrote is as it left it; None means build."""
        try:
            with open(self.file, "rb") as handle:
                data = PlainUnpickler(handle).load()
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, IndexError):
            return None
        if not (isinstance(data, tuple) and len(data) == 6 and data[0] == NOTE_FORMAT and data[1] == self.inputs):
            return None
        _, _, output, files, folders, told = data
        try:
            outcome = Outcome(*told[:5], tuple(Diagnostic(*item) for item in told[5]))
        except (TypeError, ValueError, IndexError):
            return None
        with _idle(self.work / "lock") as idle:  # another build may be swapping its site in
            tidy = idle and not left_behind(self.out, self.cache)  # the build's writer tidies up
            current = _output_digest(self.out, files, folders) if tidy else None
        if current is None or current != output:
            return None
        return outcome

    def record(self, files: Sequence[str], folders: Sequence[str], outcome: Outcome) -> None:
        """Note this build's inputs, output and outcome; called while the build still holds the output's lock,
        after its site was swapped in. A note that cannot be written only costs the next build its shortcut."""
        told = (outcome.pages, outcome.files, outcome.articles, outcome.pillars, outcome.tags,
                tuple((d.level, d.code, d.path, d.line, d.message, d.hint) for d in outcome.diagnostics))
        output = _output_digest(self.out, files, folders)
        temp = self.file.with_suffix(f".{os.getpid()}.tmp")
        try:
            if output is None:
                raise OSError("a file of the site is gone")
            temp.write_bytes(pickle.dumps((NOTE_FORMAT, self.inputs, output, tuple(files), tuple(folders), told),
                                          protocol=5))
            os.replace(temp, self.file)
        except OSError:
            for file in (temp, self.file):
                with contextlib.suppress(OSError):
                    file.unlink()


def _inputs_digest(config: SiteConfig, strict: bool, stats: Mapping[Path, os.stat_result | None]) -> bytes:
    """Hash everything a build reads: the settings (the build date among them), healthsite's code, its libraries
    and the size, times and inode of each file it reads (its change time cannot be set back by hand)."""
    settings = repr((NOTE_FORMAT, config, strict, sys.version, code_version(), _libraries(),
                     os.environ.get("PAGEFIND_BINARY_PATH")))
    files = [f"{file}\0{stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns} {stat.st_ino}" if stat else
             f"{file}\0missing" for file, stat in stats.items()]
    return hashlib.sha256("\n".join([settings, *files]).encode("utf-8", "surrogateescape")).digest()


def _libraries() -> list[tuple[str, str | None]]:
    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return found


def _files_below(folders: Iterable[Path]) -> list[Path]:
    """List the files below some folders, hidden ones too (a build may read them), in a stable order."""
    found = []
    for folder in folders:
        for parent, dirs, names in os.walk(folder):
            dirs.sort()
            found += [Path(parent, name) for name in sorted(names)]
    return found


def _stat(file: Path) -> os.stat_result | None:
    try:
        return os.stat(file)
    except OSError:
        return None


def _output_digest(out: Path, files: Iterable[str], folders: Iterable[str]) -> bytes | None:
    """Hash the size, time and inode of the output's files and the time and inode of its folders (which change when
    a file is added, removed or renamed in them); None when one is missing."""
    root = str(out)
    lstat = os.lstat
    try:
        parts = [f"{s.st_size} {s.st_mtime_ns} {s.st_ino}" for s in (lstat(f"{root}/{name}") for name in files)]
        parts += [f"{s.st_mtime_ns} {s.st_ino}"
                  for s in (lstat(f"{root}/{name}" if name else root) for name in folders)]
    except (OSError, ValueError):
        return None
    return hashlib.sha256("\n".join(parts).encode()).digest()


@contextlib.contextmanager
def _idle(lock: Path) -> Iterator[bool]:
    """Hold the output's lock shared while looking at the output: yield False when a build holds it."""
    try:
        handle = open(lock, "rb")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
