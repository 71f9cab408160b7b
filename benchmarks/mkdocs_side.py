"""Build a generated healthsite corpus with MkDocs (`pip install mkdocs`), for a side-by-side run on the same machine.

The same Markdown files under `docs/` (pillar pages stay `<pillar>/index.md`, MkDocs' section index pages; YAML
front matter is read as page meta), a written home page, and MkDocs' defaults otherwise: the `mkdocs` theme,
directory URLs, relative `.md` links resolved and checked (warnings do not fail the build: no `--strict`), the
search index and sitemap. The navigation lists only the home and the six pillar pages ("navigation without every
page"): with MkDocs' default navigation, every page of the site in every page's menu, a build grows with the
square of the pages (over 480 s at 10,000 articles with MkDocs 1.6), too slow to compare. The other pages are
still built, outside the menu. MkDocs keeps no rendered pages between builds and the output is deleted before
each, so its every build is a cold one.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

from run import cold_builds, tool_line

HOME = "---\ntitle: Synthetic health site\n---\n\n# Synthetic health site\n\n{links}\n"
CONFIG = "site_name: Synthetic health site\nsite_url: https://example.org/\ntheme:\n  name: mkdocs\nnav:\n{nav}"


def mkdocs_site(source: Path, workdir: Path, articles: int) -> Path:
    """Mirror a generated site's content into a MkDocs project, linking files rather than copying them."""
    root = workdir / f"mkdocs-{articles}"
    if (root / ".ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    pillars = []
    for file in sorted((source / "content").rglob("*.md")):
        relative = file.relative_to(source / "content")
        if relative.name == "index.md":
            pillars.append(relative.as_posix())
        target = root / "docs" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(file, target)
    links = "\n".join(f"- [{Path(page).parent.name}]({page})" for page in pillars)
    (root / "docs" / "index.md").write_text(HOME.format(links=links), encoding="utf-8")
    nav = "".join(f"  - {page}\n" for page in ["index.md", *pillars])
    (root / "mkdocs.yml").write_text(CONFIG.format(nav=nav), encoding="utf-8")
    (root / ".ready").write_text("ok\n")
    return root


def mkdocs_build(source: Path, workdir: Path, articles: int, runs: int) -> str:
    """Build the corpus with MkDocs `runs` times from nothing and return the printed line."""
    try:
        version = metadata.version("mkdocs")
    except metadata.PackageNotFoundError:
        return "mkdocs: not installed (pip install mkdocs)"
    root = mkdocs_site(source, workdir, articles)
    times = cold_builds([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "site"], root, ("site",), runs)
    tag = ".".join(version.split(".")[:2])
    return tool_line("mkdocs", times, root / "site", articles, f"MkDocs {tag}, nav of home and pillar pages")
