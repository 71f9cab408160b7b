"""The theme speaks the page's language: every word it shows comes from its catalog (strings/<tag>.yaml) or the
site's `strings:`, and a language the theme cannot speak is an error naming what is missing.

The Spanish pages are those of tests/sites/multilingual with more put in, so that every kind of page and byline
shows: lists long enough for a pager, a reviewed and an overdue article, a draft with nothing related, a page, an
old address and a contact for the footer.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
import yaml
from browser_support import serve_folder
from conftest import ROOT, SITES, run_healthsite
from markupsafe import Markup

from healthsite.pages.templates import _Sandbox
from healthsite.strings import HELPERS, Strings, placeholders

CATALOGS = {tag: yaml.safe_load((ROOT / "strings" / f"{tag}.yaml").read_text(encoding="utf-8")) for tag in ("en", "es")}
ENGLISH, SPANISH = CATALOGS["en"], CATALOGS["es"]
MORE_SETTINGS = """
contact: editor@example.org
lists:
  per_page: 2
strings:
  en-GB:
    search_placeholder: "For example: sciatica"
  es:
    related_articles: Lea también
"""
MORE_CONTENT = {
    "content/about.md": "---\nkind: page\ntitle: About this sample\ndescription: Who writes it.\ndate: 2026-01-01\n"
                        "translation_key: about\n---\n\nA sample site for the tests.\n",
    "content/acerca-de.md": "---\nkind: page\ntitle: Acerca de esta muestra\ndescription: Quién la escribe.\n"
                            "date: 2026-01-01\nlanguage: es\ntranslation_key: about\n---\n\nUn sitio de muestra.\n",
    "content/espalda/borrador.md": "---\ntitle: Un borrador\ndescription: Todavía sin terminar.\ndate: 2026-11-30\n"
                                   "pillar: espalda\ndraft: true\n---\n\nQuedan unas notas sueltas sobre relojes.\n",
}
MORE_FRONT_MATTER = {  # file -> what goes after its `pillar:` line
    "content/espalda/ciatica.md": "updated: 2026-11-25\nreviewed: 2026-11-20\nreviewer: Dra. Ana Revisora\n"
                                  "aliases: [/es/ciatica-antigua/]\n",
    "content/espalda/dormir-con-dolor-de-espalda.md": "reviewed: 2025-10-01\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fuller multilingual site, drafts shown, and return its folder."""
    root = tmp_path_factory.mktemp("strings") / "multilingual"
    shutil.copytree(SITES / "multilingual", root)
    with (root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write(MORE_SETTINGS)
    for name, text in MORE_CONTENT.items():
        (root / name).write_text(text, encoding="utf-8")
    for name, added in MORE_FRONT_MATTER.items():
        text = (root / name).read_text(encoding="utf-8")
        line = re.search(r"^pillar: .*\n", text, flags=re.MULTILINE).end()
        (root / name).write_text(text[:line] + added + text[line:], encoding="utf-8")
    result = run_healthsite("build", "--no-cache", "--drafts", cwd=root)
    assert result.code == 0, result.err
    return root


def page(site: Path, path: str) -> str:
    return (site / "public" / path / "index.html").read_text(encoding="utf-8")


class ShownText(HTMLParser):
    """Collect what a reader sees or hears of a page: its text outside scripts and styles, its description, and the
    attributes that speak (aria-label, placeholder, alt, title) or that search.js shows (data-showing-*, ...)."""

    SPOKEN = ("aria-label", "placeholder", "alt", "title", "data-showing-one", "data-showing-other", "data-nothing")

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]
        if tag == "meta" and found.get("name") == "description":
            self.parts.append(found.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def english_words() -> dict[str, list[str]]:
    """Return, for each English text that Spanish says otherwise, its words between {placeholders} (the parts with
    a word of four letters or more, which no Spanish sentence holds by chance)."""
    found = {}
    for key, english in ENGLISH.items():
        if SPANISH[key] != english:
            parts = [part.strip(" .,:;“”'()") for part in re.split(r"\{\w+\}", english)]
            found[key] = [part for part in parts if re.search(r"[A-Za-z]{4}", part)]
    return {key: parts for key, parts in found.items() if parts}


# The catalogs

def test_english_and_spanish_name_the_same_strings_with_the_same_placeholders() -> None:
    assert list(SPANISH) == list(ENGLISH)  # the same keys, in the same order for the translator
    assert [key for key in ENGLISH if placeholders(ENGLISH[key]) != placeholders(SPANISH[key])] == []
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", key) for key in ENGLISH)
    assert all(isinstance(text, str) and text.strip() for catalog in CATALOGS.values() for text in catalog.values())
    assert not set(ENGLISH) & HELPERS  # t.plural, t.date, ... stay helpers


def test_dates_and_counts_are_written_in_the_language() -> None:
    english, spanish = Strings("en-GB", ENGLISH), Strings("es", SPANISH)
    day = date(2026, 12, 7)
    assert (english.date(day), english.month(day)) == ("7 December 2026", "December 2026")
    assert (spanish.date(day), spanish.month(day)) == ("7 de diciembre de 2026", "diciembre de 2026")
    assert [spanish.plural("article_count", n) for n in (1, 2)] == ["1 artículo", "2 artículos"]
    assert english.plural("tag_lede", 1, tag="Sleep") == "1 article tagged “Sleep”."


def test_t_escapes_what_it_fills_in_and_keeps_to_its_texts_in_the_sandbox() -> None:
    env = _Sandbox(autoescape=True, undefined=jinja2.StrictUndefined)
    t = Strings("en-GB", {**ENGLISH, "written_by": "Written by {author} & co"})

    def render(source: str, **values: object) -> str:
        return env.from_string(source).render(t=t, **values)

    filled = '{{ t("written_by", author=name) }}'
    assert render(filled, name="<b>Sam</b>") == "Written by &lt;b&gt;Sam&lt;/b&gt; &amp; co"
    assert render(filled, name=Markup("<b>Sam</b>")) == "Written by <b>Sam</b> &amp; co"
    assert render('{% set name %}<i>{{ who }}</i>{% endset %}{{ t("written_by", author=name) }}', who="<A>") == (
        "Written by <i>&lt;A&gt;</i> &amp; co")
    assert render("{{ t.home }} {{ t['topics'] }}") == "Home Topics"
    for reach in ("t._texts", "t.__dict__", "t.text.__globals__", "t.__class__.__init__"):
        with pytest.raises(jinja2.exceptions.SecurityError):
            render(f"{{{{ {reach}.keys() }}}}")
    with pytest.raises(ValueError, match=r"the text 'written_by' needs a value for \{author\}"):
        render('{{ t("written_by") }}')


# The pages

def test_no_english_string_of_the_catalog_shows_on_any_spanish_page(site: Path) -> None:
    spanish_pages = sorted((site / "public" / "es").rglob("*.html"))
    words = english_words()
    found = []
    for path in spanish_pages:
        text = ShownText(path.read_text(encoding="utf-8")).text
        found += [(path.relative_to(site / "public").as_posix(), key, part) for key, parts in words.items()
                  for part in parts if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text)]
    assert len(spanish_pages) >= 15 and len(words) >= 100
    assert found == []


def test_spanish_pages_speak_spanish_everywhere_the_theme_speaks(site: Path) -> None:
    article = page(site, "es/espalda/ciatica")
    for shown in ('<a class="skip-link" href="#main">Saltar al contenido principal</a>',
                  'aria-label="Sitio"', 'placeholder="Buscar artículos"', '<button type="submit">Buscar</button>',
                  '<nav class="language-switch" aria-label="Idiomas">', 'aria-label="Secciones"',
                  '<summary>Temas<span class="visually-hidden">: 1 sección</span></summary>',
                  '<nav class="breadcrumbs wrap" aria-label="Ruta de navegación">',
                  '<li><a href="/es/">Inicio</a></li>',
                  ('<a href="#get-help">Busque ayuda ahora</a><span class="help-now-what">: cuándo consultar a un '
                   'médico</span>'),
                  '<p>Escrito por <span class="author">El equipo editorial</span></p>',
                  ('<p>Publicado el <time datetime="2026-10-12">12 de octubre de 2026</time><span class="sep"> · '
                   '</span>Actualizado el <time datetime="2026-11-25">25 de noviembre de 2026</time><span class="sep">'
                   ' · </span>1 min de lectura</p>'),
                  ('Revisado médicamente por Dra. Ana Revisora el <time datetime="2026-11-20">20 de noviembre de '
                   '2026</time>. Próxima revisión: <time datetime="2027-11">noviembre de 2027</time>.</p>'),
                  '<h2 id="sources-heading">Fuentes</h2>', '<h2 id="tags-heading">Temas</h2>',
                  '<strong>Este sitio ofrece información general, no consejo médico.</strong>',
                  '<a href="/es/acerca-de/">Acerca de este sitio</a>',
                  '<a href="mailto:editor@example.org">Informar de un error</a>',
                  '<a href="/es/tags/">Todos los temas</a>', '<a href="/es/search/">Buscar</a>'):
        assert shown in article, shown
    assert ('Revisado médicamente el <time datetime="2025-10-01">1 de octubre de 2025</time>. Próxima revisión: '
            '<time datetime="2026-10">octubre de 2026</time> (con retraso).') in page(site, "es/espalda/dormir-con-"
                                                                                    "dolor-de-espalda")
    draft = page(site, "es/espalda/borrador")
    assert '<p class="draft-notice"><strong>Borrador.</strong> Esta página no está publicada.' in draft
    assert ('<p>Todavía no hay artículos muy relacionados. Consulte <a href="/es/espalda/">Cuidado de la espalda</a>'
            '.</p>') in draft and "Pendiente de revisión clínica." in draft
    tag, further = page(site, "es/tags/back-pain"), page(site, "es/tags/back-pain/page/2")
    assert ('<p class="lede">3 artículos sobre «Dolor de espalda». <a href="/es/tags/">Ver todos los temas</a>.</p>'
            in tag)
    assert '<nav class="pager" aria-label="Páginas de esta lista">' in tag and "Página 1 de 2" in tag
    assert 'rel="next">Siguiente<span class="visually-hidden"> página</span>' in tag
    assert "<title>Artículos sobre dolor de espalda, página 2 de 2 | " in further
    assert ('<p class="lede">Artículo 3 de 3 sobre <a href="/es/tags/back-pain/">Dolor de espalda</a>.</p>' in further
            and 'content="Artículo 3 de 3 sobre «Dolor de espalda»."' in further)
    assert '<span aria-current="page">Página 2</span>' in further and '<p class="eyebrow">Tema</p>' in further
    search = page(site, "es/search")
    assert ('data-showing-one="Se muestra {count} resultado para «{term}»" data-showing-other="Se muestran {count} '
            'resultados para «{term}»"') in search and 'data-nothing="No hay resultados para «{term}»"' in search
    assert '<pagefind-input placeholder="¿Qué está buscando?">' in search
    assert "<h1>Página no encontrada</h1>" in (site / "public" / "es" / "404.html").read_text(encoding="utf-8")
    assert "Esta página se ha trasladado a" in page(site, "es/ciatica-antigua")


def test_strings_in_site_yaml_change_the_theme_text_of_their_language_only(site: Path) -> None:
    english, spanish = page(site, "back/sciatica"), page(site, "es/espalda/ciatica")
    assert 'placeholder="For example: sciatica"' in english and "For example" not in spanish
    assert '<h2 id="related-heading">Lea también</h2>' in spanish and "Artículos relacionados" not in spanish
    assert '<h2 id="related-heading">Related articles</h2>' in english
    assert 'placeholder="For example: sciatica"' in page(site, "tags")  # every page of the language


def test_a_regional_language_speaks_its_primary_language(make_site) -> None:
    root = make_site({"site.yaml": "title: T\nbase_url: /\nsearch: false\nlanguages: [en-US, es-MX]\n",
                      "content/guia/index.md": "---\nkind: pillar\ntitle: Guía\ndescription: Una guía.\n"
                                               "date: 2026-01-01\nlanguage: es-MX\n---\n\nEmpiece aquí.\n"})
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    home = (root / "public" / "es-mx" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es-MX">' in home and "Saltar al contenido principal" in home
    assert "Skip to main content" in (root / "public" / "index.html").read_text(encoding="utf-8")


def test_in_a_browser_a_spanish_search_that_is_retried_says_so_in_spanish(browser, site: Path) -> None:
    with serve_folder(site / "public") as url:
        tab = browser.new_page()
        tab.goto(f"{url}/es/search/?q=epsalda")
        summary = tab.locator("pagefind-summary .pf-summary")
        tab.wait_for_function("() => /Se muestra/.test(document.querySelector('pagefind-summary .pf-summary')"
                              "?.textContent || '')", polling=100, timeout=30_000)
        shown = summary.inner_text().strip()
        tab.close()
    assert re.fullmatch(r"Se muestran [2-9] resultados para «espalda»", shown), shown


# The diagnostics

def check_errors(make_site, config: str, files: dict[str, str] | None = None) -> list[str]:
    """Return the error lines `healthsite check` prints for a site with this site.yaml (and these files)."""
    result = run_healthsite("check", cwd=make_site({"site.yaml": config, **(files or {})}))
    assert result.code == 1
    return [line for line in result.out.splitlines() if ": error: " in line]


def test_a_language_the_theme_has_no_text_for_names_every_missing_string(make_site) -> None:
    given = "".join(f"    {key}: {json.dumps(text, ensure_ascii=False)}\n" for key, text in ENGLISH.items()
                    if key not in ("home", "on_this_page", "related_articles"))
    errors = check_errors(make_site, f"title: T\nlanguages: [en-GB, cy]\nstrings:\n  cy:\n{given}")
    assert errors == [("content: error: the content folder does not exist. Create it, or pass --content with the "
                       "folder that holds your Markdown files [content-missing]"),  # the content is checked as well
                      ("site.yaml:4: error: the theme has no Welsh (cy) text for 3 strings: home, on_this_page, "
                       "related_articles. Add them under 'strings: {cy: {...}}' in site.yaml; the theme's "
                       "strings/en.yaml has each one in English [strings-missing]")]
    [error] = check_errors(make_site, "title: T\nlanguages:\n  en-GB: {}\n  cy: {title: Iechyd}\n",
                           {"content/iechyd/index.md": "---\nkind: pillar\ntitle: Iechyd\ndescription: D.\n"
                                                       "date: 2026-01-01\n---\n\nCroeso.\n"})
    assert error.startswith(f"site.yaml:4: error: the theme has no Welsh (cy) text for {len(ENGLISH)} strings: "
                            "skip_to_content, site_search, search_label, ")
    assert error.endswith(", moved_to. Add them under 'strings: {cy: {...}}' in site.yaml; the theme's "
                          "strings/en.yaml has each one in English [strings-missing]")


def test_strings_for_an_unknown_language_or_key_or_placeholder_are_errors_with_a_suggestion(make_site) -> None:
    errors = check_errors(make_site, "title: T\nlanguages: [en-GB, es]\nstrings:\n  en-GB:\n"
                                     "    search_placholder: For example\n    minutes_read: '{mins} min'\n"
                                     "    home: 5\n  es-ES:\n    home: Portada\n  fr:\n    home: Accueil\n")
    assert errors == [
        ("site.yaml:5: error: unknown string 'search_placholder' in 'strings.en-GB'. Did you mean "
         "'search_placeholder'? [config-unknown-key]"),
        ("site.yaml:6: error: 'strings.en-GB.minutes_read' uses {mins}, which the theme does not fill in. It may use "
         "{minutes} [config-type]"),
        ("site.yaml:7: error: 'strings.en-GB.home' must be text, without invisible control characters. Write it like "
         "'home: \"Home\"' [config-type]"),
        ("site.yaml:8: error: 'strings' gives text for 'es-ES', which is not one of the site's languages (en-GB, es). "
         "Did you mean 'es'? [config-unknown-key]"),
        ("site.yaml:10: error: 'strings' gives text for 'fr', which is not one of the site's languages (en-GB, es). "
         "Add it to 'languages', or remove its texts [config-unknown-key]"),
    ]
