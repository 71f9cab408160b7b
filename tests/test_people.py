"""Who wrote it, who checked it (issue 24): people pages, bylines that link to them, JSON-LD Person nodes, unknown
ids, and the report's per-person table, on tests/sites/people (two example people and a team)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import SITES, run_healthsite
from test_check import PILLAR, article
from test_metadata import Head, expanded, term_problems


@pytest.fixture(scope="module")
def people_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("people") / "site"
    shutil.copytree(SITES / "people", root)
    result = run_healthsite("build", cwd=root)
    assert result.code == 0, result.err
    return root


def page(root, path: str) -> str:
    return (root / "public" / path / "index.html").read_text(encoding="utf-8")


def test_each_person_has_a_page_with_role_credentials_bio_and_articles_newest_first(people_site):
    html = page(people_site, "people/a-example")
    assert "<h1>Dr A. Example</h1>" in html and '<p class="lede">General practitioner (example)</p>' in html
    assert "<dt>Qualifications</dt><dd>MBBS, MRCGP</dd>" in html
    assert "<dt>Registration</dt><dd>GMC 0000000 (an example number)</dd>" in html
    assert "a made-up GP used to show how healthsite presents a clinical reviewer" in html
    assert ('<img class="person-photo" src="/people/a-example.png" alt="A grey square standing in for a photo" '
            'width="160" height="160">') in html
    assert (people_site / "public/people/a-example.png").is_file()
    # wrote "Sitting well" (April), reviewed "Gentle stretches" (February): newest first, one a page here
    assert re.findall(r'<h3 class="card-title"><a href="([^"]+)"', html) == ["/back/sitting/"]
    assert re.findall(r'<h2 class="card-title"><a href="([^"]+)"', page(people_site, "people/a-example/page/2")) == [
        "/back/stretches/"]


def test_the_people_index_lists_everyone_with_their_role_and_count(people_site):
    html = page(people_site, "people")
    assert '<li><a href="/people/">Who writes and reviews</a></li>' in page(people_site, "back/sitting")  # every footer
    cards = re.findall(r'<h2 class="card-title"><a href="([^"]+)">([^<]+)</a></h2>\s*<p class="card-description">'
                       r"([^<]+)</p>\s*<p class=\"card-meta\"><span>(\d+) article", html)
    assert cards == [("/people/a-example/", "Dr A. Example", "General practitioner (example)", "2"),
                     ("/people/b-example/", "B. Example", "Health writer (example)", "2"),
                     ("/people/sample-team/", "The sample editorial team", "Editorial team", "1")]


def test_bylines_link_to_the_writer_and_the_reviewer_and_back(people_site):
    html = page(people_site, "back/stretches")
    assert '<p>Written by <span class="author"><a href="/people/b-example/">B. Example</a></span></p>' in html
    assert ('Medically reviewed by <a href="/people/a-example/">Dr A. Example</a> on '
            '<time datetime="2026-06-01">1 June 2026</time>.') in html
    unreviewed = page(people_site, "back/sitting")
    assert '<p class="review review-pending">Awaiting clinical review.</p>' in unreviewed
    assert '<a href="/people/sample-team/">' in page(people_site, "back/night-pain")  # site.yaml's author, an id
    assert 'href="/back/night-pain/"' in page(people_site, "people/b-example")  # reviewed it: linked both ways


def test_json_ld_names_people_by_their_pages_with_credentials_in_schema_org_terms(people_site):
    article_nodes = expanded(Head(page(people_site, "back/stretches")), "https://example.org/back/stretches/")
    profile_nodes = expanded(Head(page(people_site, "people/a-example")), "https://example.org/people/a-example/")
    problems = [p for node in article_nodes + profile_nodes for p in term_problems(node, "people")]
    assert problems == []
    graph = json.loads(Head(page(people_site, "back/stretches")).scripts[0])["@graph"][0]
    assert graph["author"] == {"@type": "Person", "@id": "https://example.org/people/b-example/#person",
                               "name": "B. Example", "url": "https://example.org/people/b-example/",
                               "jobTitle": "Health writer (example)"}
    assert graph["reviewedBy"]["hasCredential"] == [
        {"@type": "EducationalOccupationalCredential", "name": "MBBS, MRCGP", "credentialCategory": "qualification"},
        {"@type": "EducationalOccupationalCredential", "name": "GMC 0000000 (an example number)",
         "credentialCategory": "registration"}]
    profile = json.loads(Head(page(people_site, "people/sample-team")).scripts[0])["@graph"][0]
    assert (profile["@type"], profile["mainEntity"]["@type"]) == ("ProfilePage", "Organization")


def test_check_warns_of_an_unqualified_reviewer_and_reports_reviews_per_person(people_site):
    result = run_healthsite("check", "--report", cwd=people_site)
    assert ("content/back/night-pain.md:5: warning: the reviewer B. Example has no qualifications listed, so readers "
            "cannot tell why their review counts. Add 'qualifications:' to content/people/b-example.md, or have a "
            "clinician review it [reviewer-unqualified]") in result.out.splitlines()
    assert result.out.split("People\n\n")[1].split("\n\n")[0] == """\
person                         reviewed  overdue  due soon  overdue reviews
-----------------------------  --------  -------  --------  --------------------------
content/people/a-example.md           1        0         0  -
content/people/b-example.md           1        1         0  content/back/night-pain.md
content/people/sample-team.md         0        0         0  -"""


def test_an_unknown_person_id_is_an_error_with_the_closest_id(people_site, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(people_site / "content", root / "content")
    shutil.copy(people_site / "site.yaml", root / "site.yaml")
    path = root / "content/back/sitting.md"
    path.write_text(path.read_text(encoding="utf-8").replace("author: a-example", "author: a-exampel"), "utf-8")
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == ("content/back/sitting.md:5: error: author 'a-exampel' is not a listed "
                                          "person. Did you mean 'a-example'? [person-unknown]")


def test_a_site_that_lists_nobody_may_name_people_in_plain_text_with_a_warning_once(make_site):
    root = make_site({"content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": article("reviewed: 2026-11-01\nreviewer: Dr Ann Other, GP\n")})
    result = run_healthsite("build", cwd=root)
    assert result.code == 0
    assert ("content/guide/first-steps.md:7: warning: reviewer 'Dr Ann Other, GP' has no page, so readers cannot see "
            "their qualifications. List them in content/people/<id>.md with 'kind: person' and 'qualifications:', "
            "then write 'reviewer: <id>' [person-unlisted]") in result.err.splitlines()
    assert "Medically reviewed by Dr Ann Other, GP on" in (root / "public/guide/first-steps/index.html").read_text("utf-8")


def test_a_photo_that_is_not_there_is_an_error_and_one_without_alt_text_a_warning(people_site, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(people_site / "content", root / "content")
    shutil.copy(people_site / "site.yaml", root / "site.yaml")
    path = root / "content/people/a-example.md"
    text = path.read_text(encoding="utf-8").replace("a-example.png", "a-exampel.png")
    path.write_text(text.replace("photo_alt: A grey square standing in for a photo\n", ""), encoding="utf-8")
    lines = run_healthsite("check", cwd=root).out.splitlines()
    assert ("content/people/a-example.md:9: error: photo 'people/a-exampel.png' is not a file in the content folder. "
            "Put the photo in the content folder and write its path from there, such as 'people/a-example.jpg' "
            "[link-not-found]") in lines
    assert ("content/people/a-example.md:9: warning: the photo has no alt text. Add 'photo_alt:' describing the photo "
            "for readers who cannot see it [image-no-alt]") in lines
