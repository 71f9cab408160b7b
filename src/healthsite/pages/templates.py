"""Render every page of the site through the Jinja2 templates, reporting template errors by file and line."""

from __future__ import annotations

import functools
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import jinja2.sandbox
import markupsafe
from markupsafe import _escape_inner  # markupsafe 3's C escaping of a str, behind escape()

from ..diagnostics import Diagnostics
from ..model import Site
from .assets import Assets
from .feeds import site_files
from .metadata import head_meta
from .views import Views, further_list_pages, page_url

Page = tuple[str, str]  # output path ("circulation/index.html"), text


def template_environment(site: Site, extra_globals: dict | None = None) -> jinja2.Environment:
    """Make the Jinja2 environment: the site's templates before the theme's, autoescaped, strict and sandboxed."""
    folders = [str(p / "templates") for p in site.config.theme_paths if (p / "templates").is_dir()]
    # The sandbox keeps a template to its context: no reaching through __class__ or __globals__ into Python.
    env = _Sandbox(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build's templates never change under it; serve makes a new environment when they do
    )
    env.globals.update(extra_globals or {})
    return env


def _escape(value) -> markupsafe.Markup:
    """markupsafe.escape, making the Markup of a plain string without the Python frame of Markup.__new__ (the same
    string: for a str, Markup.__new__ only calls str.__new__); a page's template escapes about 160 values."""
    if type(value) is str:
        return _new_str(markupsafe.Markup, _escape_inner(value))
    return markupsafe.escape(value)


_new_str = str.__new__


class _Template(jinja2.Template):
    """A compiled template whose output escaping is `_escape`."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        namespace["escape"] = _escape  # what the compiled code calls for each {{ value }}
        return super()._from_namespace(environment, namespace, globals)


_METHODS = (types.MethodType, types.BuiltinMethodType)


class _Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja2's sandbox, remembering its verdict per (type, attribute name): the verdict depends on nothing else,
    and a site of 10,000 pages asks it millions of times."""

    template_class = _Template

    def __init__(self, **options):
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj, attribute: str):
        """Jinja2's sandboxed `obj.attribute`, answered at once for an attribute already found safe whose value is
        not a method (the sandbox wraps a string's format methods)."""
        if self._safe.get((type(obj), attribute)):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if type(value) not in _METHODS:
                    return value
        return super().getattr(obj, attribute)


def render_pages(site: Site, assets: Assets, diags: Diagnostics, extra_globals: dict | None = None) -> Iterator[Page]:
    """Yield every page of the site, then its feeds, sitemap and robots.txt; a failing template's page is left out."""
    env = template_environment(site, extra_globals)
    views = Views(site, assets)
    for out, template, context in plan_pages(site, views):
        text = render_page(env, views, template, context, diags)
        if text is not None:
            yield out, text
    yield from site_files(site)


def plan_pages(site: Site, views: Views) -> Iterator[tuple[str, str, Callable[[], dict]]]:
    """List every HTML page without rendering it: output path, template name and context maker."""
    catalog = site.catalog
    for language in site.config.languages:  # each language's own home, lists and search; the default's at the root
        code, home = language.code, language.prefix
        yield f"{home}index.html", "home.html", functools.partial(views.home, code)
        yield f"{home}404.html", "404.html", functools.partial(views.not_found, code)
        yield f"{home}tags/index.html", "tags.html", functools.partial(views.tags, code)
        if site.config.search:
            yield f"{home}search/index.html", "search.html", functools.partial(views.search, code)
        for tag in views.catalogs[code].tags:
            yield f"{home}tags/{tag}/index.html", "tag.html", functools.partial(views.tag, tag, 1, code)
    if catalog.people:
        yield "people/index.html", "people.html", views.people
    for slug, doc in catalog.docs.items():
        yield catalog.urls[slug].strip("/") + "/index.html", f"{doc.kind}.html", lambda slug=slug: views.document(slug)
    for kind, key, url, number, _, code in further_list_pages(catalog, site.config):
        context = (functools.partial(views.tag, key, number, code) if kind == "tag" else
                   functools.partial({"person": views.person_list}.get(kind, views.pillar_list), key, number))
        yield page_url(url, number).strip("/") + "/index.html", "list.html", context
    for alias, slug in sorted(catalog.aliases.items()):
        yield alias.strip("/") + "/index.html", "redirect.html", lambda slug=slug: views.redirect(slug)


def render_page(env: jinja2.Environment, views: Views, template: str, context: Callable[[], dict],
                diags: Diagnostics) -> str | None:
    """Render one planned page, or report its template's mistake and return None."""
    values = {"site": views.site_view, "t": views.t, **context()}
    values["meta"] = head_meta(views.site, values)
    return _render(env, template, values, diags, views.site.config.root)


def _render(env: jinja2.Environment, name: str, context: dict, diags: Diagnostics, root: Path) -> str | None:
    """Render one template; turn any template mistake into a diagnostic naming its file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        path = _template_path(exc.filename or exc.name or name, root)
        diags.error("template-syntax", path, exc.lineno, f"template error: {exc.message}",
                    hint="Check the matching {% ... %} and {{ ... }} tags")
    except jinja2.TemplateNotFound as exc:
        path, line = _template_frame(exc, root)  # the template that includes or extends the missing one
        diags.error("template-missing", path or "templates", line, f"template '{exc.name}' does not exist",
                    hint="Add it to templates/ or remove the reference")
    except Exception as exc:  # noqa: BLE001 - any error inside a template is the template's, not a crash
        path, line = _template_frame(exc, root)
        code = "template-undefined" if isinstance(exc, jinja2.UndefinedError) else "template-error"
        diags.error(code, path or f"templates/{name}", line, f"template error: {exc}",
                    hint="Check the variable names the template uses against the template context in docs/theme.md")
    return None


def _template_frame(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """Find the innermost template file and line in the traceback Jinja2 rewrote for us."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (_template_path(frame.filename, root), frame.lineno)
    return found


def _template_path(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return filename
