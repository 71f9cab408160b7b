"""Answer one browser request in `serve`: a page rendered on demand, a static file, or the list of errors."""

from __future__ import annotations

import html
import mimetypes
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Site
from ..pages.assets import Assets
from ..pages.feeds import site_files
from ..pages.templates import plan_pages, render_page, template_environment
from ..pages.views import Views

EVENTS_PATH = "/__healthsite/events"
VERSION_PATH = "/__healthsite/version"
SEARCH_BUNDLE = "pagefind/"  # served from the last build's output: serve indexes nothing itself
SEARCH_PAGE = "search/index.html"
HTML = "text/html; charset=utf-8"
# Only `serve` adds this: it reloads the page when the version it was rendered at is no longer the site's.
RELOAD_SCRIPT = """<script>/* healthsite serve: reload on save; never part of a built site */
(function () {{ var seen = "{tag}"; var events = new EventSource("{events}");
  events.onmessage = function (e) {{ if (e.data !== seen) {{ events.close(); location.reload(); }} }}; }})();
</script>
"""
DRAFT_BANNER = ('<p class="healthsite-draft" role="note" style="margin:0;padding:.5rem 1rem;background:#7a2e00;'
                'color:#fff;font:bold 1rem/1.4 system-ui,sans-serif;text-align:center">Draft: this page is not '
                'published. Only <code>healthsite serve</code> shows it.</p>\n')
_BODY = re.compile(r"<body\b[^>]*>", re.I)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


class Pages:
    """Serve one version of the site: pages render on first request and are kept until the next change."""

    def __init__(self, site: Site | None, assets: Assets | None, errors: Sequence[Diagnostic], tag: str):
        self.site, self.assets, self.errors, self.tag = site, assets, tuple(errors), tag
        self.cache: dict[str, Response] = {}
        self.views: Views | None = None
        self.plan: dict = {}
        self.drafts: set[str] = set()
        self.env = None

    def respond(self, url_path: str) -> Response:
        """Answer a GET for `url_path`, from the cache when this version already rendered it."""
        out = output_path(url_path)
        if out is None:
            return Response(404, "text/plain; charset=utf-8", b"Not found\n")
        if out not in self.cache:
            self.cache[out] = self._respond(out, url_path)
        return self.cache[out]

    def paths(self) -> list[str]:
        """List every file this version serves besides static files: pages, feeds, robots.txt."""
        if self.site is None:
            return []
        return list(self._plan()) + [name for name, _ in site_files(self.site)]

    def _respond(self, out: str, url_path: str) -> Response:
        asset = self.assets.files.get(out) if self.assets else None
        if asset is not None:
            try:
                return Response(200, _content_type(out), asset.read_bytes())
            except OSError:
                return Response(404, "text/plain; charset=utf-8", b"Not found\n")
        if self.errors or self.site is None:
            return self.error_page(self.errors)
        if out.startswith(SEARCH_BUNDLE):
            return built_search_file(self.site.config.out_path, out)
        plan = self._plan()
        if out in plan:
            return self._page(out, 200)
        for name, text in site_files(self.site):
            if name == out:
                return Response(200, _content_type(out), text.encode("utf-8"))
        if f"{out}/index.html" in plan:
            return Response(301, HTML, b"", location=urlsplit(url_path).path + "/")
        return self._page("404.html", 404) if "404.html" in plan else Response(404, HTML, b"Not found\n")

    def _plan(self) -> dict:
        if self.views is None:
            self.views = Views(self.site, self.assets)
            self.env = template_environment(self.site)
            self.plan = {out: (template, context) for out, template, context in plan_pages(self.site, self.views)}
            catalog, today = self.site.catalog, self.site.config.build_date
            self.drafts = {catalog.urls[slug].strip("/") + "/index.html" for slug, doc in catalog.docs.items()
                           if doc.draft or doc.published > today}  # drafts and articles dated in the future
        return self.plan

    def _page(self, out: str, status: int) -> Response:
        """Render one page; a template mistake shows the error page instead."""
        diags = Diagnostics()
        template, context = self.plan[out]
        text = render_page(self.env, self.views, template, context, diags)
        if text is None:
            return self.error_page(diags.sorted())
        if out == SEARCH_PAGE:
            text = _with_search_notice(text, self.site.config.out_path)
        return Response(status, HTML, self.inject(text, draft=out in self.drafts).encode("utf-8"))

    def inject(self, text: str, draft: bool = False) -> str:
        """Add the reload script before </body>, and the draft banner after <body>."""
        if draft:
            match = _BODY.search(text)
            at = match.end() if match else 0
            text = text[:at] + "\n" + DRAFT_BANNER + text[at:]
        script = RELOAD_SCRIPT.format(tag=self.tag, events=EVENTS_PATH)
        at = text.lower().rfind("</body>")
        return text + script if at < 0 else text[:at] + script + text[at:]

    def error_page(self, errors: Sequence[Diagnostic]) -> Response:
        """List every error with its file and line, in place of the page, until the writer fixes them."""
        count = f"{len(errors)} error{'' if len(errors) == 1 else 's'}"
        items = "\n".join(f"<li>{html.escape(str(d))}</li>" for d in errors)  # as the terminal and the build say it
        kept = "The last good version of the site is kept" if self.site else "Nothing can be shown"
        page = (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>healthsite: {count}</title>\n<style>{_ERROR_CSS}</style>\n</head>\n<body>\n<main>\n"
                f"<h1>The site has {count}</h1>\n<p>{kept} until you fix {'it' if len(errors) == 1 else 'them'}; "
                f"save the file and this page reloads by itself.</p>\n<ol>\n{items}\n</ol>\n</main>\n"
                "</body>\n</html>\n")
        return Response(500, HTML, self.inject(page).encode("utf-8"))


_ERROR_CSS = ("body{font:1rem/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#1a1a1a}"
              "main{max-width:60rem;margin:2rem auto;padding:0 1rem}h1{color:#a00000}"
              "li{margin:.75rem 0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}")


def built_search_file(out: Path, name: str) -> Response:
    """Answer for a file of the last build's search index: serve searches the index `healthsite build` wrote."""
    try:
        return Response(200, _content_type(name), (out / name).read_bytes())
    except OSError:
        return Response(404, "text/plain; charset=utf-8", b"Not found: build the site once to search it here\n")


def _with_search_notice(text: str, out: Path) -> str:
    """Say above the search box which index the search page uses under serve: the last build's, or none yet."""
    bundle = out / SEARCH_BUNDLE
    try:
        if not (bundle / "pagefind-entry.json").is_file():
            raise FileNotFoundError(bundle)
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime(bundle.stat().st_mtime))  # made by each build
        note = (f"Search uses the index of the last build ({html.escape(built)}): pages saved since then are "
                "found after the next <code>healthsite build</code>.")
    except OSError:
        note = "Search needs an index: run <code>healthsite build</code> once, and serve searches what it built."
    marker = '<div class="search-page"'  # its attributes follow
    return text.replace(marker, f'<p class="notice healthsite-search-notice" role="note">{note}</p>\n{marker}', 1)


def output_path(url_path: str) -> str | None:
    """Map a URL path to the file a build would write ('/a/' -> 'a/index.html'), refusing '..'."""
    path = unquote(urlsplit(url_path).path)
    if "\x00" in path or "\\" in path or ".." in path.split("/"):
        return None
    relative = path.lstrip("/")
    return relative + "index.html" if relative == "" or relative.endswith("/") else relative


def _content_type(out: str) -> str:
    kind = mimetypes.guess_type(out)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("xml", "javascript")) else kind
