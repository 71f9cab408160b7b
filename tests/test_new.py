"""`healthsite new`: a draft article with valid front matter and the sections every article needs."""

from __future__ import annotations

import re

from conftest import run_healthsite

WRITTEN = "content/back/why-does-my-back-ache-after-sitting.md"


def test_new_writes_a_draft_with_todays_date_the_tags_and_the_article_skeleton(copy_site):
    site = copy_site("full")
    result = run_healthsite("new", "Why does my back ache after sitting?", "--pillar", "back",
                            "--tags", "backache,Exercise", cwd=site)
    assert (result.code, result.err) == (0, "")
    assert result.out == (f"Wrote {WRITTEN} (a draft: `healthsite serve` shows it; set 'draft: false' to publish it)\n")
    text = (site / WRITTEN).read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Why does my back ache after sitting?"\n')
    assert "\ndate: 2026-12-07\npillar: back\ntags: [back-pain, exercise]\ndraft: true\n" in text  # aliases resolved
    assert "\nsources:\n" in text and "\n!!! warning \"When to get help\"\n" in text


def test_the_new_article_builds_is_shown_with_drafts_and_left_out_without(copy_site):
    site = copy_site("full")
    assert run_healthsite("new", "Sitting and your back", "--pillar", "back", "--tags", "back-pain", cwd=site).code == 0
    with_drafts = run_healthsite("build", "--drafts", cwd=site)
    assert with_drafts.code == 0, with_drafts.err
    page = (site / "public/back/sitting-and-your-back/index.html").read_text(encoding="utf-8")
    assert "<h1>Sitting and your back</h1>" in page and "When to get help" in page
    assert run_healthsite("build", cwd=site).code == 0
    assert not (site / "public/back/sitting-and-your-back").exists()


def test_the_new_article_passes_the_help_and_sources_checks(copy_site):
    site = copy_site("full")
    assert run_healthsite("new", "Sitting and your back", "--pillar", "back", cwd=site).code == 0
    result = run_healthsite("check", "--drafts", cwd=site)
    mine = [line for line in result.out.splitlines() if "sitting-and-your-back.md" in line]
    assert not [line for line in mine if "[help-block-missing]" in line or "[sources-missing]" in line], mine
    assert not [line for line in mine if ": error: " in line], mine


def test_new_refuses_to_overwrite_an_existing_article(copy_site):
    site = copy_site("full")
    before = (site / "content/back/stretches.md").read_bytes()
    result = run_healthsite("new", "Stretches", "--pillar", "back", cwd=site)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("healthsite new: content/back/stretches.md already exists; healthsite new never overwrites "
                          "or duplicates an article. Choose another title, or pass --slug\n")
    assert (site / "content/back/stretches.md").read_bytes() == before


def test_new_refuses_a_name_another_pillar_already_uses(copy_site):
    site = copy_site("full")
    result = run_healthsite("new", "Stretches", "--pillar", "legs", cwd=site)
    assert result.code == 2
    assert result.err.startswith("healthsite new: content/back/stretches.md already has the name 'stretches';")
    assert not (site / "content/legs/stretches.md").exists()


def test_a_misspelt_pillar_gets_the_closest_one_and_nothing_is_written(copy_site):
    site = copy_site("full")
    result = run_healthsite("new", "Calf pain", "--pillar", "lgs", cwd=site)
    assert (result.code, result.out) == (2, "")
    assert result.err == "healthsite new: pillar 'lgs' does not exist. Did you mean 'legs'?\n"
    assert not list(site.rglob("calf-pain.md"))


def test_a_misspelt_tag_gets_the_closest_one(copy_site):
    result = run_healthsite("new", "Calf pain", "--pillar", "legs", "--tags", "cramps,sleeep", cwd=copy_site("full"))
    assert (result.code, result.out) == (2, "")
    assert result.err == ("healthsite new: tag 'sleeep' is not in the tag vocabulary in site.yaml. "
                          "Did you mean 'sleep'?\n")


def test_a_site_without_a_tag_vocabulary_takes_any_tag(copy_site):
    site = copy_site("minimal")
    result = run_healthsite("new", "Sitting", "--pillar", "guide", "--tags", "posture,Sitting Down", cwd=site)
    assert result.code == 0, result.err
    assert "\ntags: [posture, sitting-down]\n" in (site / "content/guide/sitting.md").read_text(encoding="utf-8")


def test_a_title_with_quotes_and_colons_stays_valid_front_matter(copy_site):
    site = copy_site("minimal")
    title = 'Sciatica: "a trapped nerve"?'
    assert run_healthsite("new", title, "--pillar", "guide", cwd=site).code == 0
    assert run_healthsite("build", "--drafts", cwd=site).code == 0
    page = (site / "public/guide/sciatica-a-trapped-nerve/index.html").read_text(encoding="utf-8")
    assert re.search(r"<h1>Sciatica: &(#34|quot);a trapped nerve&(#34|quot);\?</h1>", page)


def test_the_skeleton_cannot_be_published_with_its_placeholders(copy_site):
    site = copy_site("full")
    assert run_healthsite("new", "Sitting and your back", "--pillar", "back", cwd=site).code == 0
    path = site / "content/back/sitting-and-your-back.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    result = run_healthsite("build", cwd=site)
    assert result.code == 1
    hint = ". Replace it with your own words, or keep 'draft: true' until then [skeleton-placeholder]"
    assert [line for line in result.err.splitlines() if "[skeleton-placeholder]" in line] == [
        f"content/back/sitting-and-your-back.md:{line}: error: the article is published with the placeholder "
        f"'{text}' that healthsite new wrote{hint}" for line, text in [
            (3, "TODO: one plain sentence, under 160 characters,..."),
            (13, "TODO: the title of the page or paper"), (13, "TODO: who published it, e.g. NHS"),
            (13, "https://example.org/replace-me"),
            (18, "Start with two or three short sentences: who th..."),
            (22, "Explain it in plain words. Short sentences, eve..."),
            (28, "- One thing a reader can try today, and how lon..."), (29, "- When to stop, and what to try next."),
            (36, "- a warning sign that needs help today"), (37, "- another warning sign")]]
    assert not (site / "public/back/sitting-and-your-back").exists()
