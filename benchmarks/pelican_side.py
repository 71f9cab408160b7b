"""Build a generated healthsite corpus with Pelican (`pip install pelican`), for a side-by-side run on the same machine.

Pelican reads YAML front matter only with a plugin, so each article is written once, converted, into the Pelican
project: Pelican's own Markdown metadata (Title, Date, Tags, Category: the pillar, Slug), a blank line, then the
same body. The pillar pages (`content/<pillar>/index.md`) become Pelican pages (`content/pages/<pillar>.md`:
Title, Slug, body). Links between articles stay the generated relative `.md` paths, which Pelican leaves as they
are (it resolves only `{filename}` links), as Hugo does. Otherwise Pelican's defaults: the `notmyidea` theme,
Python-Markdown with its default extensions, category, tag and archive pages, Atom feeds, no pagination. The content
cache is off (`CACHE_CONTENT`, `LOAD_CONTENT_CACHE`) and the output deleted before each build, so its every build
is a cold one.
"""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path

import yaml
from run import cold_builds, tool_line

CONFIG = """SITENAME = "Synthetic health site"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def pelican_site(source: Path, workdir: Path, articles: int) -> Path:
    """Write a generated site's content, converted to Pelican's metadata, into a Pelican project once."""
    root = workdir / f"pelican-{articles}"
    if (root / ".ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    for file in sorted((source / "content").rglob("*.md")):
        relative = file.relative_to(source / "content")
        pillar = relative.parent.name
        front, body = file.read_text(encoding="utf-8").removeprefix("---\n").split("\n---\n", 1)
        meta = yaml.safe_load(front)
        lines = [f"Title: {meta['title']}"]
        if relative.name == "index.md":
            target = root / "content" / "pages" / f"{pillar}.md"
            lines += [f"Slug: {pillar}"]
        else:
            target = root / "content" / relative
            lines += [f"Date: {meta['date'].isoformat()}", f"Tags: {', '.join(meta['tags'])}",
                      f"Category: {pillar}", f"Slug: {relative.stem}"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n\n" + body.lstrip("\n"), encoding="utf-8")
    (root / "pelicanconf.py").write_text(CONFIG, encoding="utf-8")
    (root / ".ready").write_text("ok\n")
    return root


def pelican_build(source: Path, workdir: Path, articles: int, runs: int) -> str:
    """Build the corpus with Pelican `runs` times from nothing and return the printed line."""
    try:
        version = metadata.version("pelican")
    except metadata.PackageNotFoundError:
        return "pelican: not installed (pip install pelican)"
    root = pelican_site(source, workdir, articles)
    times = cold_builds([sys.executable, "-m", "pelican", "content", "--settings", "pelicanconf.py", "--output", "output",
                         "--quiet"], root, ("output", "cache"), runs)
    tag = ".".join(version.split(".")[:2])
    return tool_line("pelican", times, root / "output", articles, f"Pelican {tag}")
