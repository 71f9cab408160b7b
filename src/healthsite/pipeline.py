"""The build, stage by stage: config -> load -> catalog -> markdown -> relate -> render -> check -> write."""

from __future__ import annotations

import functools
import gc
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .catalog.index import build_catalog
from .checks.health import check_site
from .config import SiteConfig
from .content.load import content_listing, list_content_files, load_documents
from .diagnostics import Diagnostics
from .markdown.convert import BodyJobs
from .markdown.links import Track, render_bodies
from .output.write import Published, publish
from .pages.assets import collect_assets
from .progress import no_progress
from .relate.related import Site, relate
from .speed.pages import PageMemo, PageRenderer
from .speed.processes import die_with_parent
from .speed.store import PackCache, saved_in_background


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
    site: Site | None
    published: Published | None


def load_site(config: SiteConfig, diags: Diagnostics, timings: Timings | None = None,
              rendered: Callable[[], None] = lambda: None) -> Site | None:
    """Read, catalog, render and relate every document in memory; None when loading or cataloguing failed.
    `rendered` is called once every body is rendered, before relating them."""
    timings = timings or Timings()
    with BodyJobs(config) as jobs:  # bodies start rendering, in a pool when many, as their files are read
        with timings.stage("load"):
            listing = content_listing(config, diags)
            docs = load_documents(config, diags, jobs, listing)
            files = list_content_files(config, diags, listing)
        if diags.errors:
            return None
        with timings.stage("catalog"):
            catalog = build_catalog(config, docs, diags, files)
        if diags.errors:
            return None
        with timings.stage("markdown"):
            bodies = render_bodies(config, catalog, diags, track=timings.track, jobs=jobs)
        timings.notes["markdown"] = f"{jobs.rendered} of {len(bodies)} bodies rendered, the rest from the cache"
    rendered()
    # Broken links leave the other bodies whole: relate anyway, so `check` reports every problem at once.
    with timings.stage("relate"):
        return relate(config, catalog, bodies, PackCache(config.cache_path, "related", config.cache_write) if config.cache else None)


def build(config: SiteConfig, diags: Diagnostics, strict: bool = False, timings: Timings | None = None) -> BuildResult:
    """Build the whole site into a staging folder and swap it in only if nothing failed."""
    timings = timings or Timings()
    with saved_in_background() as start_saving:  # the caches are written by a forked process while this one
        site = load_site(config, diags, timings, rendered=start_saving)  # relates, checks and writes the site
        return _check_and_write(config, diags, site, strict, timings)


def _check_and_write(config: SiteConfig, diags: Diagnostics, site: Site | None, strict: bool,
                     timings: Timings) -> BuildResult:
    if site is None or diags.errors:
        return BuildResult(site, None)
    with timings.stage("check"), _kept_out_of_collections():
        check_site(site, diags)
    if diags.errors:
        return BuildResult(site, None)
    with timings.stage("render and write"), _kept_out_of_collections():
        assets = collect_assets(config, site.catalog.files)
        memo = PageMemo.load(config.cache_path, config.out_path) if config.cache else None
        renderer = PageRenderer(site, assets, config.out_path, memo)  # unchanged pages are linked, not rendered
        pages = timings.track("Writing pages", renderer.pages(diags))
        finish = (lambda folder: index_search(folder, diags)) if config.search else None
        published = publish(pages, assets, config.out_path, config.cache_path, diags, finish=finish, strict=strict,
                            lock_timeout=config.lock_timeout)
        if published is not None and memo is not None:
            memo.save(config.out_path, renderer.keys, renderer.inputs, renderer.changed, renderer.kept)
        timings.notes["render and write"] = f"{renderer.rendered} of {renderer.planned} HTML pages rendered, the rest linked"
    return BuildResult(site, published)


@contextmanager
def _kept_out_of_collections():
    """Spare the objects made so far (the loaded site) from garbage collections, which would only walk them again;
    a forked helper then shares them without copying."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def index_search(folder: Path, diags: Diagnostics) -> None:
    """Index the built pages with Pagefind, whose binary ships in the pagefind[bin] package."""
    try:
        result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
                                capture_output=True, text=True, timeout=600,
                                preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {exc}",
                      hint="Install pagefind[bin], or set 'search: false'")
        return
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["unknown error"]
        diags.warning("search-index", "site.yaml", None, f"the search index was not built: {detail[0]}",
                      hint="Install pagefind[bin], or set 'search: false'")
