"""The build, stage by stage: config -> load -> catalog -> markdown -> relate -> check -> pages -> output."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .catalog.index import build_catalog
from .checks.health import check_site
from .config import SiteConfig
from .content.files import content_listing, list_content_files
from .content.load import load_documents, unread_files
from .diagnostics import Diagnostics
from .markdown.links import Track, render_bodies
from .model import Site
from .output.search import index_search
from .output.staging import StagingTree
from .output.write import Published, publish
from .pages.assets import collect_assets
from .pages.templates import render_pages
from .progress import no_progress
from .relate.related import relate
from .speed import Speed, kept_out_of_collections, speed_for


@dataclass(slots=True)
class Timings:
    stages: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # stage -> what it did, for --verbose
    track: Track = no_progress  # counts the items of long stages as they go (Progress.track), for the writer to watch

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Site | None  # None when nothing had changed since the last build, whose site stands
    published: Published | None
    counts: tuple[int, int, int] = (0, 0, 0)  # the site's articles, pillars and tags


def load_site(config: SiteConfig, diags: Diagnostics, timings: Timings | None = None) -> Site:
    """Read, catalog, render and relate every document in memory, as `check` does. Every stage runs on what the
    one before it could make of the content, errors or not, so one run reports every problem it can know."""
    with speed_for(config, diags) as speed:
        return _load(config, diags, timings or Timings(), speed)


def build(config: SiteConfig, diags: Diagnostics, strict: bool = False, timings: Timings | None = None) -> BuildResult:
    """Build the whole site into a staging folder and swap it in only if nothing failed; when nothing has changed
    since the last build, keep its site and tell its problems again."""
    timings = timings or Timings()
    with speed_for(config, diags) as speed:  # None with --no-cache: the stages alone
        with timings.stage("load"):
            listing = content_listing(config, diags)
        if speed and not diags.errors:  # the configuration's errors fail every build
            with timings.stage("unchanged"):
                kept = speed.unchanged(strict, listing)
            if kept is not None:
                diags.repeat(kept.diagnostics)
                timings.notes["unchanged"] = "nothing changed since the last build: its site stands"
                return BuildResult(None, Published(kept.pages, kept.files), (kept.articles, kept.pillars, kept.tags))
            timings.notes["unchanged"] = "something changed since the last build, or there was none"
        site = _load(config, diags, timings, speed, listing)
        with timings.stage("check"), kept_out_of_collections(speed):
            check_site(site, diags)
        if diags.errors:
            return BuildResult(site, None)
        with timings.stage("render and write"), kept_out_of_collections(speed):
            published = _write(config, diags, site, strict, timings, speed)
        catalog = site.catalog
        return BuildResult(site, published, (len(catalog.articles), len(catalog.pillars), len(catalog.tags)))


def _load(config: SiteConfig, diags: Diagnostics, timings: Timings, speed: Speed | None,
          listing: list[Path] | None = None) -> Site:
    with timings.stage("load"):
        listing = content_listing(config, diags) if listing is None else listing
        docs = load_documents(config, diags, listing, read=speed.read if speed else None)
        files = list_content_files(config, diags, listing)
        if speed:
            speed.loaded()
    with timings.stage("catalog"), kept_out_of_collections(speed):
        catalog = build_catalog(config, docs, diags, files, unread_files(listing, docs, config))
        if speed:
            speed.cataloged(docs, catalog)
    with timings.stage("markdown"), kept_out_of_collections(speed):
        bodies = render_bodies(config, catalog, diags, speed.make if speed else None, timings.track)
    timings.notes["markdown"] = (speed.rendered(len(bodies)) if speed else
                                 f"{len(bodies)} of {len(bodies)} bodies rendered, the rest from the cache")
    with timings.stage("relate"), kept_out_of_collections(speed):
        return relate(config, catalog, bodies, speed.rank if speed else None)


def _write(config: SiteConfig, diags: Diagnostics, site: Site, strict: bool, timings: Timings,
           speed: Speed | None) -> Published | None:
    """Render every page and publish the site, indexed for search."""
    assets = collect_assets(config, site.catalog.files)
    written = [0]
    pages = speed.pages(site, assets, diags) if speed else _counted(render_pages(site, assets, diags), written)
    html: list[str] = []  # the HTML pages written, which the search step indexes
    if config.search:
        pages = _noted(pages, html)
    finish = functools.partial(_index, html=html, diags=diags, timings=timings, speed=speed) if config.search else None
    published = publish(timings.track("Writing pages", pages), assets, config.out_path, config.cache_path, diags,
                        finish=finish, strict=strict, lock_timeout=config.lock_timeout,
                        swapped=speed.swapped(site, diags) if speed else None)
    if published is not None:
        timings.notes["render and write"] = (speed.published() if speed else
                                             f"{written[0]} of {written[0]} HTML pages rendered, the rest linked")
    return published


def _index(tree: StagingTree, html: list[str], diags: Diagnostics, timings: Timings, speed: Speed | None) -> None:
    """Index the staged site for search, reusing the shards whose pages are unchanged."""
    with timings.stage("search"):
        index = index_search(tree, html, diags, speed.search if speed else None)
    if index is not None:
        timings.notes["search"] = f"{index.indexed} of {index.shards} shards indexed, the rest from the cache"


def _noted(pages: Iterator, html: list[str]) -> Iterator:
    """Yield `pages`, noting the path of each HTML page in `html`."""
    for page in pages:
        if page[0].endswith(".html"):
            html.append(page[0])
        yield page


def _counted(pages: Iterator, count: list[int]) -> Iterator:
    """Yield `pages`, counting the HTML pages in count[0]."""
    for page in pages:
        count[0] += page[0].endswith(".html")
        yield page
