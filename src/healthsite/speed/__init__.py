"""The speed layer: caches, the Markdown pool and helper processes, behind one seam that only the pipeline wires.

Every stage is a plain function that takes an optional maker (`read`, `make`, `rank`) for its slow step; `Speed`
hands the pipeline makers that give the same results faster. `--no-cache` passes none, and runs the stages alone.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..config import SiteConfig
from ..diagnostics import Diagnostics
from ..model import Catalog, Document, Site
from ..output.staging import StagingTree
from ..output.write import Published
from ..pages.assets import Assets
from .bodies import packed_bodies
from .documents import DocumentReader
from .pages import PageMemo, PageRenderer
from .pool import BodyJobs
from .reads import remember_derived
from .related import remembered_ranking
from .search import SearchShards
from .store import PackCache, saved_in_background
from .unchanged import LastBuild, Outcome

YOUNG_OBJECTS = 50_000  # new objects between two collections of the youngest (Python's default: 700): a build makes
# millions that live to its end, and each collection of the older ones walks them all again (0.2 s of a warm build
# at 10,000 articles)


class Speed:
    """The caches, pool and helpers of one build; made by `speed_for`."""

    def __init__(self, config: SiteConfig, diags: Diagnostics, start_saving):
        self.config = config
        self.jobs = BodyJobs(config)  # bodies start rendering, in a pool when many, as their files are read
        self.read = DocumentReader(config, diags, self.jobs)
        self.make = packed_bodies(self.jobs)
        self.rank = remembered_ranking(PackCache(config.cache_path, "related", config.cache_write))
        self.search = SearchShards(config.cache_path, config.out_path)  # each search shard's last index
        self._start_saving = start_saving
        self._renderer: PageRenderer | None = None
        self._memo: PageMemo | None = None
        self._last: LastBuild | None = None

    def loaded(self) -> None:
        """Keep the Documents read for the next build."""
        self.read.save()

    def cataloged(self, docs: Sequence[Document], catalog: Catalog) -> None:
        """Note the hash of each document the catalog made from a loaded one (an article given its pillar's
        language), so that pages hash it from the loaded one's instead of all over again."""
        loaded = {doc.source_path: doc for doc in docs}
        for doc in catalog.docs.values():
            source = loaded.get(doc.source_path)
            if source is not None and source is not doc:
                remember_derived(doc, source)

    def rendered(self, bodies: int) -> str:
        """Stop the pool and save the caches so far in a forked process while the build goes on; describe the
        Markdown stage's work."""
        self.jobs.close()
        self._start_saving()
        return f"{self.jobs.rendered} of {bodies} bodies rendered, the rest from the cache"

    def unchanged(self, strict: bool, listing: Sequence[Path]) -> Outcome | None:
        """Return the last build's outcome when nothing it read (the content folder's files in `listing`) or wrote
        has changed since; None means build, and note what this build reads for the next one."""
        self._last = LastBuild(self.config, strict, listing)
        self.read.stats = self._last.stats  # each content file looked at once
        return self._last.outcome()

    def swapped(self, site: Site, diags: Diagnostics) -> Callable[[StagingTree, Published], None]:
        """Return what the writer calls once the site is in place: it notes the site and what the build told."""
        catalog = site.catalog

        def note(tree: StagingTree, published: Published) -> None:
            self._last.record(tuple(tree.written), tuple(tree.folders()), Outcome(
                published.pages, published.files, len(catalog.articles), len(catalog.pillars), len(catalog.tags),
                tuple(diags.items)))
        return note

    def pages(self, site: Site, assets: Assets, diags: Diagnostics) -> Iterator[tuple[str, str | Path]]:
        """Yield every page: unchanged ones as the path of last build's file to link, the rest rendered (on a large
        site partly by a forked helper)."""
        self._memo = PageMemo.load(self.config.cache_path, self.config.out_path)
        self._renderer = PageRenderer(site, assets, self.config.out_path, self._memo)
        return self._renderer.pages(diags)

    def published(self) -> str:
        """Remember what this build wrote, for the next one to link; describe the pages stage's work."""
        renderer = self._renderer
        self._memo.save(self.config.out_path, renderer.keys, renderer.inputs, renderer.changed, renderer.kept,
                        renderer.hashes)
        return f"{renderer.rendered} of {renderer.planned} HTML pages rendered, the rest linked"

    def close(self) -> None:
        self.jobs.close()


@contextlib.contextmanager
def speed_for(config: SiteConfig, diags: Diagnostics) -> Iterator[Speed | None]:
    """Give the build its speed layer, or None with `--no-cache`; the caches are saved by the block's end."""
    if not config.cache:
        yield None
        return
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
    try:
        with saved_in_background() as start_saving:
            speed = Speed(config, diags, start_saving)
            try:
                yield speed
            finally:
                speed.close()
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def kept_out_of_collections(speed: Speed | None) -> Iterator[None]:
    """Spare the objects made so far (the loaded site) from garbage collections, which would only walk them again;
    a forked helper then shares them without copying."""
    if speed is None:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

