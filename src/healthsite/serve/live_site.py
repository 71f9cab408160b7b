"""The site `serve` keeps in memory: rebuilt from only what changed, its pages rendered when a browser asks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from ..catalog.index import build_catalog
from ..config import SiteConfig, load_config
from ..content.files import content_listing, list_content_files
from ..content.load import read_document, unread_files
from ..content.snippets import SNIPPETS
from ..diagnostics import Diagnostic, Diagnostics
from ..markdown.links import Track, render_bodies
from ..model import Body, Catalog, Document
from ..pages.assets import Assets, collect_assets
from ..relate.related import RelatedIndex, Site, backlinks, overdue_reviews, pillar_neighbours, summaries
from ..speed.bodies import BodyMemo, remembered_bodies
from .pages import Pages, Response

FileState = tuple[Document | None, tuple[Diagnostic, ...]]


class LiveSite:
    """Hold the last good site and the latest problems; `update` re-reads changed files and reuses everything else."""

    def __init__(self, config_file: Path, content_dir: str | None = None):
        self.config_file, self.content_dir = config_file, content_dir
        self.config: SiteConfig | None = None
        self.files: dict[Path, FileState] = {}
        self.content_files: frozenset[str] = frozenset()  # other files in content/ (images), as the build lists them
        self.listing_problems: tuple[Diagnostic, ...] = ()  # links in content/ that lead outside it or nowhere
        self.order: list[Path] = []  # self.files' keys in load order
        self.memo = BodyMemo()
        self.site: Site | None = None  # the last good site, served while the content has errors
        self.errors: tuple[Diagnostic, ...] = ()
        self.warnings: tuple[Diagnostic, ...] = ()
        self.assets: Assets | None = None
        self.pages: Pages | None = None
        self.related_inputs: tuple = ()  # what related articles, backlinks and pillar neighbours came from
        self.related_site: Site | None = None
        self.related_terms: dict = {}  # each article's related-article terms, kept while its inputs are unchanged
        self.version = 0
        self.token = str(time.time_ns())  # tells a browser that a restarted server is a new site
        self.lock = threading.RLock()
        self.changed = threading.Condition()
        self.closed = False
        self.loaded = threading.Event()  # set once the first update has finished: requests wait for it

    @property
    def tag(self) -> str:
        """Return the version browsers compare to know they must reload."""
        return f"{self.token}-{self.version}"

    def update(self, changed: Iterable[Path] | None = None, track: Track | None = None) -> bool:
        """Bring the site up to date with the changed files (None: everything), then tell every browser.

        Templates alone only drop the rendered pages; static files also renew the fingerprinted names; content
        re-reads the changed files and relates the site again from bodies kept in memory; site.yaml redoes it all.
        Return False when nothing the site is made from had changed (an editor's temporary file).
        """
        with self.lock:
            kinds = self._classify(changed)
            if "config" in kinds:
                self.read_config()
            content, files = self.config is not None and ("config" in kinds or "content" in kinds), self.content_files
            if content and not self._read_content(None if "config" in kinds else kinds["content"]):
                content = "config" in kinds
            if not (content or kinds.keys() & {"config", "templates", "static"}):
                return False
            if self.config is not None:
                if kinds.keys() & {"config", "static"} or self.assets is None or self.content_files != files:
                    self.assets = collect_assets(self.config, self.content_files)
                if content:
                    self._rebuild(track)
            self.version += 1
            self.pages = Pages(self.site, self.assets, self.errors, self.tag) if self.site or self.errors else None
        self.loaded.set()
        with self.changed:
            self.changed.notify_all()
        return True

    def wait_for_change(self, seen: str, timeout: float) -> str:
        """Block until the version differs from `seen`, the server stops, or `timeout` seconds pass."""
        with self.changed:
            self.changed.wait_for(lambda: self.tag != seen or self.closed, timeout)
        return self.tag

    def close(self) -> None:
        """Wake every waiting browser connection so the server can stop."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def respond(self, path: str) -> Response:
        """Answer a request for a URL path, rendering the page if this version has not yet."""
        self.loaded.wait()
        with self.lock:
            if self.pages is None:
                return Response(500, "text/plain; charset=utf-8", b"The site could not be loaded; see the terminal.\n")
            return self.pages.respond(path)

    def paths(self) -> list[str]:
        """List the pages and other generated files the site serves now."""
        self.loaded.wait()
        with self.lock:
            return self.pages.paths() if self.pages else []

    def _classify(self, changed: Iterable[Path] | None) -> dict[str, set[Path]]:
        """Sort changed paths into config, content, templates and static."""
        if changed is None or self.config is None:
            return {"config": set()}
        kinds: dict[str, set[Path]] = {}
        config_file = self.config_file.resolve()
        for path in changed:
            path = path.resolve()
            if path == config_file:
                kind = "config"
            elif path.is_relative_to(self.config.content_path):
                kind = "content"
            elif any(path.is_relative_to(p / "templates") for p in self.config.theme_paths):
                kind = "templates"
            elif any(path.is_relative_to(p / "static") for p in self.config.theme_paths):
                kind = "static"
            else:
                continue
            kinds.setdefault(kind, set()).add(path)
        return kinds

    def read_config(self) -> None:
        """Read site.yaml again: serve shows drafts and serves the site from the root of the address."""
        diags = Diagnostics()
        config = load_config(self.config_file, diags, config_required=self.config_file.name != "site.yaml",
                             content_dir=self.content_dir, base_url="/", drafts=True)
        if diags.errors:
            self.config = None
            self.errors = tuple(diags.sorted())
            return
        self.config = config
        self.files.clear()

    def _read_content(self, changed: set[Path] | None) -> bool:
        """Re-read changed Markdown files (a changed folder: list them all again); tell whether anything changed."""
        content = self.config.content_path
        files = self.content_files
        if changed and any(path.is_relative_to(content / SNIPPETS) for path in changed):
            changed = set(self.files)  # a snippet may be in any article: read them all again
        if changed is None or any(path.suffix != ".md" for path in changed):
            self.content_files = list_content_files(self.config)  # images and PDFs, published as they are
        if changed is None or not content.is_dir() or self._folder_changed(changed):
            listed = set(self._markdown_files())
            changed = (listed ^ set(self.files)) | (changed or set()) if self.files else listed
        read = [path for path in changed if path.suffix == ".md" and not _hidden(path, content)]
        for path in read:
            if path.is_file():
                self.files[path] = self._read(path)
            else:
                self.files.pop(path, None)
        if len(self.order) != len(self.files) or any(path not in self.files for path in read):
            self.order = sorted(self.files)
        return bool(read) or self.content_files != files or not content.is_dir()

    def _markdown_files(self) -> list[Path]:
        """List the Markdown files the build would read, and keep the problems of links found on the way."""
        found = Diagnostics()
        listing = content_listing(self.config, found)
        self.listing_problems = tuple(found.items)
        return [path for path in listing if path.suffix == ".md"]

    def _folder_changed(self, changed: set[Path]) -> bool:
        """Tell whether a folder appeared, moved or went: its files then send no events of their own."""
        others = [path for path in changed if path.suffix != ".md"]
        if not others:
            return False
        folders = {folder for path in self.files for folder in path.parents}
        return any(path.is_dir() or path in folders for path in others)

    def _read(self, path: Path) -> FileState:
        diags = Diagnostics(levels=self.config.checks)
        return read_document(path, self.config, diags), tuple(diags.items)

    def _rebuild(self, track: Track | None = None) -> None:
        """Catalog, render and relate the documents; keep the last good site when any stage finds errors."""
        config = self.config
        diags = Diagnostics(levels=config.checks)
        if not config.content_path.is_dir():
            diags.error("content-missing", config.content_dir, None, "the content folder does not exist")
        diags.items.extend(self.listing_problems)
        for path in self.order:
            diags.items.extend(self.files[path][1])
        docs = [doc for doc in (self.files[path][0] for path in self.order) if doc is not None]
        diags.origins.update((doc.path, doc.origins) for doc in docs if doc.origins)
        # Every stage runs, errors or not, so the browser lists every problem at once, as a build would.
        catalog = build_catalog(config, docs, diags, self.content_files, unread_files(self.order, docs, config))
        extra = {"track": track} if track else {}
        bodies = render_bodies(config, catalog, diags, remembered_bodies(self.memo), **extra)
        site = self._relate(config, catalog, bodies)
        self.errors = tuple(diags.sorted()) if diags.errors else ()
        self.warnings = tuple(d for d in diags.sorted() if d.level == "warning")
        if not diags.errors:
            self.site = site

    def _relate(self, config: SiteConfig, catalog: Catalog, bodies: dict[str, Body]) -> Site:
        """Relate the site, reusing related articles, backlinks and pillar neighbours whose inputs are unchanged."""
        docs = catalog.docs
        inputs = ((config.related, catalog.articles, tuple(
                      (docs[s].title, docs[s].tags, docs[s].related, catalog.urls[s],
                       bodies[s].keywords if s in bodies else ()) for s in catalog.articles)),
                  tuple((slug, body.links) for slug, body in bodies.items()),
                  (catalog.pillars, catalog.pillar_articles, catalog.tags, tuple(docs[p].tags for p in catalog.pillars)))
        last, same = self.related_site, [new == old for new, old in zip(inputs, self.related_inputs)] or [False] * 3
        # Each part reused is exact for its unchanged inputs; new related articles are ranked when a page asks.
        related = (last.related if last and same[0]
                   else RelatedIndex(catalog, bodies, config.related, self.related_terms))
        site = Site(config=config, catalog=catalog, bodies=bodies, related=related,
                    backlinks=last.backlinks if last and same[1] else backlinks(bodies),
                    pillar_neighbours=last.pillar_neighbours if last and same[2] else pillar_neighbours(catalog),
                    summaries=summaries(catalog, bodies), overdue_reviews=overdue_reviews(config, catalog))
        self.related_inputs, self.related_site = inputs, site
        return site




def _hidden(path: Path, content: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(content).parts)
