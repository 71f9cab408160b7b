"""A site in two languages: each language a whole site, linked to the other for readers and for machines.

The site is tests/sites/multilingual: English (the default, at /) and Spanish (at /es/), a pillar in each, two
translated pairs of articles, an English-only and a Spanish-only article, tags labelled in both languages.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_support import load_every_search_result, serve_folder
from conftest import build_sample_site, run_healthsite
from site_files import broken_internal_links
from test_metadata import Head, expanded, term_problems
from test_theme import vnu_errors

HOST = "https://example.org/"
ENGLISH = {"back/sciatica", "back/sleeping-with-back-pain", "back/lifting"}
SPANISH = {"es/espalda/ciatica", "es/espalda/dormir-con-dolor-de-espalda", "es/espalda/calor-y-frio"}
PAIRS = {"back/sciatica": "es/espalda/ciatica", "back/sleeping-with-back-pain": "es/espalda/dormir-con-dolor-de-espalda",
         "back": "es/espalda"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_site("multilingual", tmp_path_factory.mktemp("multilingual"))


def page(site: Path, path: str) -> str:
    return (site / "public" / path / "index.html").read_text(encoding="utf-8")


def hrefs(text: str, within: str = "") -> list[str]:
    """Return the article links of a page, or of the part of it after the marker `within`."""
    part = text.split(within, 1)[1] if within else text
    return re.findall(r'href="/((?:es/)?(?:back|espalda)/[a-z-]+)/"', part)


def test_every_page_says_its_language_and_spanish_pages_live_under_es(site: Path) -> None:
    public = site / "public"
    pages = sorted(p.relative_to(public).as_posix() for p in public.rglob("*.html"))
    languages = {name: re.search(r'<html lang="([^"]+)">', (public / name).read_text(encoding="utf-8")).group(1)
                 for name in pages}
    assert {name for name, language in languages.items() if language == "es"} == {
        name for name in pages if name.startswith("es/")}
    assert set(languages.values()) == {"en-GB", "es"}
    assert {"es/index.html", "es/404.html", "es/search/index.html", "es/tags/index.html",
            "es/tags/back-pain/index.html", "es/espalda/index.html"} <= set(pages)


def test_translations_name_each_other_with_hreflang_and_x_default_both_ways(site: Path) -> None:
    for english, spanish in PAIRS.items():
        expected = [("en-GB", f"{HOST}{english}/"), ("es", f"{HOST}{spanish}/"), ("x-default", f"{HOST}{english}/")]
        for path in (english, spanish):
            found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page(site, path))
            assert found == expected, path
    for alone in ("back/lifting", "es/espalda/calor-y-frio"):
        assert 'hreflang="' not in page(site, alone).split("</head>")[0]
    assert re.findall(r'hreflang="([^"]+)" href="([^"]+)"', page(site, "es").split("</head>")[0]) == [
        ("en-GB", HOST), ("es", f"{HOST}es/"), ("x-default", HOST)]


def test_the_language_switcher_offers_the_translation_and_marks_the_page_itself(site: Path) -> None:
    switch = page(site, "back/sciatica").split('<nav class="language-switch"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="[^"]+">([^<]+)</a>', switch) == [
        ("/es/espalda/ciatica/", "es", "Español")]
    assert '<span aria-current="page" lang="en-GB">English</span>' in switch
    assert 'class="language-switch"' not in page(site, "back/lifting")  # nothing to switch to


def test_json_ld_gives_each_page_its_language_and_links_translations_with_real_terms(site: Path) -> None:
    def graph(path: str) -> dict:
        text = page(site, path)
        main = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text).group(1))["@graph"][0]
        problems = [p for node in expanded(Head(text), f"{HOST}{path}/") for p in term_problems(node, path)]
        assert problems == []
        return main

    english, spanish = graph("back/sciatica"), graph("es/espalda/ciatica")
    assert (english["inLanguage"], spanish["inLanguage"]) == ("en-GB", "es")
    assert english["workTranslation"] == [{"@id": f"{HOST}es/espalda/ciatica/"}]
    assert spanish["translationOfWork"] == {"@id": f"{HOST}back/sciatica/"}
    assert "workTranslation" not in graph("back/lifting") and graph("es")["inLanguage"] == "es"


def test_the_sitemap_lists_each_page_once_with_its_language_versions(site: Path) -> None:
    root = ET.parse(site / "public" / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = {url.find("s:loc", ns).text: [(link.get("hreflang"), link.get("href"))
                                            for link in url.findall("x:link", ns)] for url in root}
    for english, spanish in PAIRS.items():
        versions = [("en-GB", f"{HOST}{english}/"), ("es", f"{HOST}{spanish}/"), ("x-default", f"{HOST}{english}/")]
        assert entries[f"{HOST}{english}/"] == entries[f"{HOST}{spanish}/"] == versions
    assert entries[f"{HOST}back/lifting/"] == [] and entries[f"{HOST}es/espalda/calor-y-frio/"] == []
    assert {f"{HOST}es/", f"{HOST}es/tags/", f"{HOST}es/tags/back-pain/"} <= set(entries)


def test_feeds_hold_one_language_each(site: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"

    def feed(path: str) -> tuple[str, set[str]]:
        root = ET.parse(site / "public" / path).getroot()
        links = {entry.find(f"{atom}link").get("href").removeprefix(HOST).strip("/") for entry in root.iter(f"{atom}entry")}
        return root.get("{http://www.w3.org/XML/1998/namespace}lang"), links

    assert feed("feed.xml") == ("en-GB", ENGLISH)
    assert feed("es/feed.xml") == ("es", SPANISH)
    assert feed("es/espalda/feed.xml") == ("es", SPANISH)


def test_lists_tags_and_related_articles_never_mix_languages(site: Path) -> None:
    assert set(hrefs(page(site, "tags/back-pain"), "<main")) == ENGLISH
    spanish_tag = page(site, "es/tags/back-pain")
    assert set(hrefs(spanish_tag, "<main")) == SPANISH and "Dolor de espalda" in spanish_tag
    assert set(hrefs(page(site, "es/tags/sleep"), "<main")) == {"es/espalda/dormir-con-dolor-de-espalda"}
    assert "Sueño" in page(site, "es/tags")
    for path in ENGLISH | SPANISH:
        text = page(site, path)
        related = text.split('class="related', 1)[1] if 'class="related' in text else ""
        others = SPANISH if path in ENGLISH else ENGLISH
        assert not set(hrefs(related)) & (others | {PAIRS.get(path, "")}), path
    home, spanish_home = page(site, ""), page(site, "es")
    assert set(hrefs(home, "<main")) <= ENGLISH | {"back"} and set(hrefs(spanish_home, "<main")) <= SPANISH | {"es/espalda"}
    assert 'href="/es/search/"' in spanish_home and 'href="/es/"' in spanish_home  # its own search and home


def test_each_language_has_its_own_search_index_and_every_link_resolves(site: Path) -> None:
    entry = json.loads((site / "public" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert {language: info["page_count"] for language, info in entry["languages"].items()} == {"en-gb": 4, "es": 4}
    assert broken_internal_links(site / "public") == []


def test_every_page_of_both_languages_is_valid_html(site: Path) -> None:
    public = site / "public"
    assert vnu_errors(public, sorted(public.rglob("*.html"))) == []


def test_spanish_help_boxes_count_and_lead_the_contents(site: Path) -> None:
    text = page(site, "es/espalda/ciatica")
    assert 'id="get-help"' in text
    result = run_healthsite("check", cwd=site)
    assert "help-block-missing" not in result.out + result.err


@pytest.mark.parametrize(("change", "expected"), [
    (("content/espalda/calor-y-frio.md", "tags: [back-pain]", "tags: [back-pain]\ntranslation_key: sciatica"),
     "content/espalda/ciatica.md:7: error: translation_key 'sciatica' is already the es translation in "
     "content/espalda/calor-y-frio.md:6. Each language holds one document of a key: change the key of one of them "
     "[translation-duplicate]"),
    (("content/back/lifting.md", "pillar: back", "pillar: back\nlanguage: ES"),
     "content/back/lifting.md:6: error: language 'ES' is not one of the site's languages (en-GB, es). Did you mean "
     "'es'? [language-unknown]"),
])
def test_a_translation_key_used_twice_in_one_language_and_an_unknown_language_are_errors(
        copy_site, change: tuple[str, str, str], expected: str) -> None:
    root = copy_site("multilingual")
    name, old, new = change
    text = (root / name).read_text(encoding="utf-8")
    assert old in text
    (root / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_healthsite("check", cwd=root)
    assert result.code == 1
    assert [line for line in result.out.splitlines() if ": error: " in line] == [expected]


def test_new_starts_a_translation_with_its_language_key_and_help_title(copy_site) -> None:
    root = copy_site("multilingual")
    result = run_healthsite("new", "Levantar peso sin dañar la espalda", "--pillar", "espalda", "--language", "es",
                            "--translation-of", "content/back/lifting.md", "--tags", "back-pain", cwd=root)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == ("Add 'translation_key: lifting' to the front matter of "
                                           "content/back/lifting.md too, so the two are linked as translations")
    text = (root / "content" / "espalda" / "levantar-peso-sin-danar-la-espalda.md").read_text(encoding="utf-8")
    assert "\npillar: espalda\nlanguage: es\ntranslation_key: lifting\ntags: [back-pain]\n" in text
    assert '!!! warning "Cuándo pedir ayuda"' in text and "When to get help" not in text
    result = run_healthsite("new", "Santé", "--pillar", "back", "--language", "fr", cwd=root)
    assert (result.code, result.err.strip()) == (2, "healthsite new: language 'fr' is not one of the site's "
                                                    "languages. The site's languages: en-GB, es ('languages' in "
                                                    "site.yaml)")


def test_in_a_browser_the_switcher_opens_the_translation_and_spanish_search_finds_only_spanish(browser, site) -> None:
    with serve_folder(site / "public") as url:
        page = browser.new_page()
        page.goto(f"{url}/back/sciatica/")
        page.locator(".language-switch").get_by_role("link", name="Español").click()
        page.wait_for_url(f"{url}/es/espalda/ciatica/")
        assert page.locator("html").get_attribute("lang") == "es"
        page.goto(f"{url}/es/search/?q=ciática")
        page.locator("pagefind-results a.pf-result-link").first.wait_for(timeout=30_000)
        load_every_search_result(page)
        found = page.locator("pagefind-results a.pf-result-link").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))")
        page.goto(f"{url}/search/?q=sciatica")
        page.locator("pagefind-results a.pf-result-link").first.wait_for(timeout=30_000)
        load_every_search_result(page)
        english = page.locator("pagefind-results a.pf-result-link").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))")
        page.close()
    assert "/es/espalda/ciatica/" in found and all(href.startswith("/es/") for href in found)
    assert "/back/sciatica/" in english and not [href for href in english if href.startswith("/es/")]


def test_the_report_groups_articles_by_language_and_lists_those_without_a_translation(site: Path) -> None:
    result = run_healthsite("check", "--report", cwd=site)
    languages = result.out.split("\nLanguages\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split() for line in languages[2:]] == [["en-GB", "3", "2", "content/back/lifting.md"],
                                                       ["es", "3", "2", "content/espalda/calor-y-frio.md"]]
    english, spanish = result.out.split("\nIn en-GB:\n\n", 1)[1].split("\nIn es:\n\n", 1)
    assert english.split()[:3] == ["article", "words", "grade"] and spanish.split()[:3] == ["article", "words", "ease"]
    assert "content/espalda/" not in english and "content/back/" not in spanish.split("\nPillars\n")[0]
    data = json.loads(run_healthsite("check", "--report", "--format", "json", cwd=site).out)
    assert data["languages"] == [
        {"language": "en-GB", "articles": 3, "translated": 2, "untranslated": ["content/back/lifting.md"]},
        {"language": "es", "articles": 3, "translated": 2, "untranslated": ["content/espalda/calor-y-frio.md"]}]


def test_a_spanish_page_cannot_take_the_address_of_the_spanish_tag_pages(copy_site) -> None:
    root = copy_site("multilingual")
    page = root / "content" / "tags.md"
    page.write_text("---\nkind: page\ntitle: Etiquetas\ndescription: Todas.\ndate: 2026-10-01\nlanguage: es\n---\n\n"
                    "Texto.\n", encoding="utf-8")
    result = run_healthsite("check", cwd=root)
    assert "content/tags.md:1: error: the address /es/tags/ is already taken by the tag pages. Choose another slug " \
           "[url-duplicate]" in result.out.splitlines()
