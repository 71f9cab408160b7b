"""Read content files through the documents cache, and start rendering each body read while the rest load."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import SiteConfig
from ..content.load import MAX_FILE_BYTES, read_document
from ..content.snippets import SNIPPETS
from ..diagnostics import Diagnostics
from ..model import Document
from .pool import BodyJobs
from .reads import digest, remember
from .store import PackCache, code_version, key_of


class DocumentReader:
    """A `content.load_documents` reader: reuse the Document and problems found last time for a file that is
    unchanged (the same size, times and inode, as the change time cannot be set back; else the same bytes), and
    hand every file read afresh to `jobs`."""

    def __init__(self, config: SiteConfig, diags: Diagnostics, jobs: BodyJobs):
        self.config, self.diags, self.jobs = config, diags, jobs
        self.cache = PackCache(config.cache_path, "documents", config.cache_write)
        self.settings = repr((code_version(), str(config.root), str(config.content_path), sorted(config.tags.items()),
                              sorted(config.tag_aliases.items()), _snippets_state(config)))  # what besides the
        # file shapes its Document
        self.stats: dict[Path, os.stat_result | None] = {}  # files looked at before the build read any (the note of
        # the last build): a file saved since then is read again by the next build, whose look sees the change

    def __call__(self, file: Path, folders: dict) -> Document | None:
        """Read one file, from the cache when it is unchanged."""
        config, diags = self.config, self.diags
        try:
            stat = self.stats.get(file) or file.stat()
        except OSError:
            return read_document(file, config, diags, folders=folders)
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        key = key_of(self.settings, str(file))
        found = self.cache.get(key)
        if found is None or found[0] != signature:
            data = None
            if stat.st_size <= MAX_FILE_BYTES:
                try:
                    data = file.read_bytes()
                except OSError:
                    pass
            if data is None:
                return read_document(file, config, diags, folders=folders)
            content = key_of(data)
            if found is None or found[1] != content:
                problems = Diagnostics()
                doc = read_document(file, config, problems, data, folders)
                found = (signature, content, doc, tuple(problems.items), digest(doc))
                if doc is not None:
                    self.jobs.start(doc)
            self.cache.put(key, (signature,) + found[1:])
        remember(found[2], found[4])  # pages hash the documents they read: this one is hashed already
        diags.replay(found[3])
        return found[2]

    def save(self) -> None:
        """Keep what this build read for the next one."""
        self.cache.save()


def _snippets_state(config: SiteConfig) -> str:
    """Digest every snippet's name and bytes: a changed snippet reads every Document again (they are few and small)."""
    folder = config.content_path / SNIPPETS
    try:
        files = sorted(folder.rglob("*.md")) if folder.is_dir() else []
        return key_of(*(f"{file.relative_to(folder).as_posix()}\0".encode() + file.read_bytes() for file in files))
    except OSError:
        return "unreadable"
