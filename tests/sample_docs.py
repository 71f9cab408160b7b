"""Build valid Documents and Bodies in memory, for unit tests of the pure stages (catalog, relate)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from healthsite.catalog.index import build_catalog
from healthsite.model import Catalog
from healthsite.config import SiteConfig
from healthsite.diagnostics import Diagnostics
from healthsite.model import Body, Document, Link

CONFIG = SiteConfig(root=Path("."), config_path="site.yaml", build_date=date(2026, 11, 22))


def doc(slug: str, kind: str = "article", pillar: str | None = "back", tags: tuple[str, ...] = (),
        related: tuple[str, ...] = (), day: int = 1, **fields) -> Document:
    """Return a valid document; an article lives in its pillar's folder, a pillar in its own."""
    folder = {"pillar": slug, "page": ""}.get(kind, pillar or "misc")
    name = "index" if kind == "pillar" else slug
    source = f"{folder}/{name}.md".lstrip("/")
    made = Document(
        path=f"content/{source}", source_path=source, kind=kind, slug=slug,
        title=slug.replace("-", " ").title(), description="About it.",
        pillar=pillar if kind == "article" else None, tags=tags, related=related, aliases=(),
        published=date(2026, 1, day), updated=None, reviewed=None, reviewer=None, author=None, sources=(),
        draft=False, weight=0, body="", body_line=7, key_lines={})
    return replace(made, **fields)


def body(keywords: tuple[str, ...] = (), links: tuple[Link, ...] = ()) -> Body:
    return Body(html="", headings=(), ids=frozenset(), links=links, words=100, sentences=10, syllables=130,
                images_without_alt=(), has_help_block=True, keywords=keywords)


def catalog_of(*docs: Document, config: SiteConfig = CONFIG) -> tuple[Catalog, Diagnostics]:
    """Catalog the documents under two pillars, 'back' and 'legs'."""
    diags = Diagnostics()
    result = build_catalog(config, [doc("back", "pillar"), doc("legs", "pillar"), *docs], diags)
    return result, diags


def clean_catalog(*docs: Document) -> Catalog:
    """Catalog the documents and fail the test on any diagnostic."""
    result, diags = catalog_of(*docs)
    assert not diags.items, diags.format()
    return result
