"""Incremental work gives the same bytes as starting afresh: warm builds, `serve`'s rebuilds, and progress output."""

from __future__ import annotations

import importlib
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUILD_EPOCH, run_healthsite, touch_content

import healthsite.speed.pages
import healthsite.speed.pool
import healthsite.speed.reads
import healthsite.speed.related
from healthsite.config import load_config
from healthsite.diagnostics import Diagnostics
from healthsite.model import Document
from healthsite.pipeline import Timings, build, load_site
from healthsite.progress import Progress
from healthsite.serve.live_site import LiveSite
from healthsite.speed.pages import SITE_FILES, PageMemo, file_signature
from healthsite.speed.store import PackCache, saved_in_background


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below `folder` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def bodies_rendered(verbose_output: str) -> tuple[int, int]:
    """Read how many bodies a build rendered afresh, and of how many, from its --verbose report."""
    found = re.search(r"^  markdown .*\((\d+) of (\d+) bodies rendered, the rest from the cache\)$", verbose_output,
                      re.M)
    return int(found.group(1)), int(found.group(2))


def replace_in(site: Path, name: str, old: str, new: str) -> None:
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_body(site: Path) -> set[Path]:
    replace_in(site, "content/back/night-pain.md", "Stiffness in the morning is common.",
               "Stiffness in the morning is very common.")
    return {site / "content/back/night-pain.md"}


def add_link(site: Path) -> set[Path]:
    replace_in(site, "content/legs/night-cramps.md", "may help too.", "may help too. So may [knee hugs](../about.md).")
    return {site / "content/legs/night-cramps.md"}


def rename_article(site: Path) -> set[Path]:
    old, new = site / "content/legs/calf-stretches.md", site / "content/legs/calf-and-ankle-stretches.md"
    old.rename(new)
    replace_in(site, "content/legs/index.md", "(calf-stretches.md)", "(calf-and-ankle-stretches.md)")
    return {old, new, site / "content/legs/index.md"}


def delete_article(site: Path) -> set[Path]:
    (site / "content/legs/next-year.md").unlink()
    return {site / "content/legs/next-year.md"}


def change_tags(site: Path) -> set[Path]:
    replace_in(site, "content/back/stretches.md", "tags: [back-pain, stretches]", "tags: [back-pain, sleep, cramps]")
    return {site / "content/back/stretches.md"}


def add_folder(site: Path) -> set[Path]:
    (site / "content/legs/more").mkdir()
    (site / "content/legs/more/ankles.md").write_text("---\ntitle: Stiff ankles\ndescription: Why ankles stiffen.\n"
                                                      "date: 2026-03-03\npillar: legs\ntags: [legs]\n---\n\n"
                                                      "Move them [gently](../index.md).\n", encoding="utf-8")
    return {site / "content/legs/more", site / "content/legs/more/ankles.md"}


def retitle_article(site: Path) -> set[Path]:
    replace_in(site, "content/back/stretches.md", "title: Gentle stretches for a stiff back",
               "title: Gentle stretches for a stiff lower back")  # its cards, breadcrumbs, feeds and meta data
    return {site / "content/back/stretches.md"}


def retitle_pillar(site: Path) -> set[Path]:
    replace_in(site, "content/legs/index.md", "title: Legs and cramps", "title: Legs, feet and cramps")
    return {site / "content/legs/index.md"}


def move_folder(site: Path) -> set[Path]:
    (site / "content/legs/more").rename(site / "content/legs/extra")  # a folder's files send no events of their own
    return {site / "content/legs/more", site / "content/legs/extra"}


# Each change, and how many bodies it must render afresh: the rest come from the cache.
CHANGES: list[tuple[Callable[[Path], set[Path]], int]] = [
    (edit_body, 1), (add_link, 1), (rename_article, 1), (delete_article, 0), (change_tags, 0), (add_folder, 1),
    (retitle_article, 0), (retitle_pillar, 0), (move_folder, 0)]


def cached_values(site: Path) -> dict:
    """Return the files of the cache folder but the output folders' lock, staging folder and spare site."""
    return {name: data for name, data in tree(site / ".healthsite-cache").items() if not name.startswith("output/")}


def test_warm_builds_write_the_same_bytes_as_cold_builds_after_every_kind_of_change(copy_site, tmp_path):
    site = copy_site("full")
    first = run_healthsite("build", "--verbose", "--out", str(tmp_path / "first"), cwd=site)
    assert first.code == 0, first.err
    assert bodies_rendered(first.out) == (8, 8)  # every published body
    for change, renders in CHANGES:
        change(site)
        warm = run_healthsite("build", "--verbose", "--out", str(tmp_path / "warm"), cwd=site)
        assert warm.code == 0, (change.__name__, warm.err)
        assert bodies_rendered(warm.out)[0] == renders, change.__name__  # only changed bodies were rendered
        cache = cached_values(site)
        cold = run_healthsite("build", "--no-cache", "--verbose", "--out", str(tmp_path / "cold"), cwd=site)
        assert cold.code == 0, (change.__name__, cold.err)
        assert cached_values(site) == cache  # --no-cache neither reads nor writes the cache
        assert bodies_rendered(cold.out)[0] == bodies_rendered(cold.out)[1]
        assert tree(tmp_path / "warm") == tree(tmp_path / "cold"), change.__name__


def test_a_warm_build_reads_bodies_from_the_cache_and_no_cache_renders_them_afresh(copy_site, tmp_path):
    site = copy_site("minimal")
    assert run_healthsite("build", cwd=site).code == 0
    packs = sorted((site / ".healthsite-cache").glob("*/*.pickle"))
    assert any(b"Keep moving gently" in pack.read_bytes() for pack in packs)
    for pack in packs:  # tamper with the cache (a text of the same length), so using it shows in the page
        pack.write_bytes(pack.read_bytes().replace(b"Keep moving gently", b"READ FROM A CACHE!"))
    page = "guide/first-steps/index.html"
    assert run_healthsite("build", "--out", "warm", cwd=site).code == 0
    assert "READ FROM A CACHE!" in (site / "warm" / page).read_text(encoding="utf-8")
    assert run_healthsite("build", "--no-cache", "--out", "cold", cwd=site).code == 0
    assert "Keep moving gently" in (site / "cold" / page).read_text(encoding="utf-8")


def test_two_cold_builds_of_a_changed_site_and_a_fresh_copy_agree(copy_site, tmp_path):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    for change, _ in CHANGES:
        change(site)
    assert run_healthsite("build", "--out", str(tmp_path / "warm"), cwd=site).code == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".healthsite-cache", "public"))
    assert run_healthsite("build", "--out", str(tmp_path / "from-scratch"), cwd=fresh).code == 0
    assert tree(tmp_path / "warm") == tree(tmp_path / "from-scratch")


# serve keeps its site in memory and rebuilds from what changed; a fresh load must serve the very same pages.

def served(live: LiveSite) -> dict[str, tuple[int, bytes]]:
    """Return every page and generated file the live site serves, without the reload script's version."""
    pages = {}
    for path in sorted(live.paths()):
        response = live.respond("/" + path)
        pages[path] = (response.status, re.sub(rb'var seen = "[^"]*"', b"", response.body))
    return pages


@pytest.fixture
def count_renders(monkeypatch) -> list[str]:
    """Count the Markdown bodies rendered from source (in this process, as `serve` renders small sites)."""
    rendered: list[str] = []
    original = healthsite.speed.pool.render_job

    def render_job(job):
        rendered.append(job[0][:40])
        return original(job)
    monkeypatch.setattr(healthsite.speed.pool, "render_job", render_job)
    return rendered


def test_serve_rebuilds_only_what_changed_and_serves_what_a_fresh_load_serves(copy_site, monkeypatch, count_renders):
    site = copy_site("full")
    monkeypatch.chdir(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    shutil.rmtree(site / ".healthsite-cache", ignore_errors=True)
    live = LiveSite(site / "site.yaml")
    live.update()
    assert len(count_renders) == 10 and not live.errors
    for change, renders in CHANGES:
        count_renders.clear()
        assert live.update(change(site))
        assert len(count_renders) == renders, change.__name__
        fresh = LiveSite(site / "site.yaml")
        fresh.update()
        assert not live.errors and served(live) == served(fresh), change.__name__


def test_serve_rerenders_pages_but_no_body_when_a_template_changes(copy_site, monkeypatch, count_renders):
    site = copy_site("minimal")
    monkeypatch.chdir(site)
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text('{% extends "base.html" %}{% block main %}One{% endblock %}\n')
    live = LiveSite(site / "site.yaml")
    live.update()
    count_renders.clear()
    (site / "templates/page.html").write_text('{% extends "base.html" %}{% block main %}Two{% endblock %}\n')
    assert live.update({site / "templates/page.html"})
    assert count_renders == []


def test_an_editors_temporary_file_changes_nothing(copy_site, monkeypatch):
    site = copy_site("minimal")
    monkeypatch.chdir(site)
    live = LiveSite(site / "site.yaml")
    live.update()
    version = live.tag
    (site / "content/guide/4913").write_text("")  # vim checks it may write in the folder, then deletes the file
    (site / "content/guide/4913").unlink()
    assert not live.update({site / "content/guide/4913"})
    assert live.tag == version


def test_serve_publishes_an_image_added_to_the_content_folder(copy_site, monkeypatch):
    site = copy_site("minimal")
    monkeypatch.chdir(site)
    live = LiveSite(site / "site.yaml")
    live.update()
    assert live.respond("/guide/spine.png").status == 404
    (site / "content/guide/spine.png").write_bytes(b"\x89PNG not really")
    assert live.update({site / "content/guide/spine.png"})
    assert (live.respond("/guide/spine.png").status, live.respond("/guide/spine.png").body) == (200, b"\x89PNG not really")


# Progress: long stages count their items; short ones and --quiet say nothing.

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_in_a_log_prints_a_line_per_thousand_items_and_the_total():
    log = io.StringIO()
    items = Progress.for_stream(log, quiet=False).track("Rendering Markdown", range(2500), 2500)
    assert list(items) == list(range(2500))
    assert log.getvalue() == ("Rendering Markdown: 1,000/2,500\nRendering Markdown: 2,000/2,500\n"
                              "Rendering Markdown: 2,500/2,500\n")


def test_progress_on_a_terminal_redraws_one_line_and_clears_it():
    terminal = Terminal()
    assert sum(Progress.for_stream(terminal, quiet=False).track("Writing pages", range(1500))) == sum(range(1500))
    assert terminal.getvalue().startswith("\rWriting pages: 1,000") and terminal.getvalue().endswith("\r\x1b[K")
    assert "\n" not in terminal.getvalue()


def test_progress_is_silent_for_short_stages_and_when_quiet():
    for stream, quiet, count in ((io.StringIO(), False, 999), (Terminal(), False, 999), (Terminal(), True, 5000)):
        assert len(list(Progress.for_stream(stream, quiet).track("Rendering Markdown", range(count), count))) == count
        assert stream.getvalue() == ""


def test_a_long_build_shows_progress_lines_then_the_summary_and_quiet_shows_nothing(make_site):
    files = {"content/guide/index.md": "---\nkind: pillar\ntitle: Guide\ndescription: All of it.\ndate: 2026-01-01\n"
                                       "---\n\nHi.\n"}
    for number in range(1000):
        files[f"content/guide/a{number}.md"] = (f"---\ntitle: Article {number}\ndescription: Number {number}.\n"
                                                f"date: 2026-01-01\n---\n\nShort text {number}.\n")
    site = make_site(files)
    result = run_healthsite("build", cwd=site)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:3] == ["Rendering Markdown: 1,000/1,001", "Rendering Markdown: 1,001/1,001", "Writing pages: 1,000"]
    assert re.fullmatch(r"Writing pages: 1,0\d\d", lines[3]) and len(lines) == 5
    assert re.fullmatch(rf"Built {lines[3][-5:].replace(',', '')} pages: 1000 articles, 1 pillar, .* s", lines[4])
    quiet = run_healthsite("build", "--quiet", cwd=site)  # writes 1,000 pages: long enough to show progress
    assert (quiet.code, quiet.out) == (0, "")


def test_packs_put_off_by_a_build_are_saved_by_a_forked_process_and_all_on_disk_when_it_ends(tmp_path):
    with saved_in_background() as start_saving:
        early = PackCache(tmp_path, "early")
        early.put(b"\x01one", ("a", 1))
        early.save()
        assert not (tmp_path / "early").exists()  # put off
        start_saving()
        late = PackCache(tmp_path, "late")  # saved after the forked process started: at the block's end
        late.put(b"\x02two", ["b"])
        late.save()
        assert not (tmp_path / "late").exists()
    assert PackCache(tmp_path, "early").get(b"\x01one") == ("a", 1)
    assert PackCache(tmp_path, "late").get(b"\x02two") == ["b"]


def test_packs_put_off_by_a_build_that_stopped_early_are_saved_too(tmp_path):
    with pytest.raises(KeyboardInterrupt), saved_in_background():
        pack = PackCache(tmp_path, "kind")
        pack.put(b"\x03three", "c")
        pack.save()
        raise KeyboardInterrupt
    assert PackCache(tmp_path, "kind").get(b"\x03three") == "c"
    pack = PackCache(tmp_path, "kind")
    pack.put(b"\x04four", "d")
    pack.save()  # outside a build's block: saved at once
    assert PackCache(tmp_path, "kind").get(b"\x04four") == "d"


def pages_rendered(verbose_output: str) -> tuple[int, int]:
    """Read how many HTML pages a build rendered, and of how many, from its --verbose report."""
    found = re.search(r"^  render and write .*\((\d+) of (\d+) HTML pages rendered, the rest linked\)$",
                      verbose_output, re.M)
    return int(found.group(1)), int(found.group(2))


def test_after_an_edit_the_page_memo_holds_the_signature_of_every_file_it_kept_or_wrote(copy_site):
    site = copy_site("full")
    first = run_healthsite("build", "--verbose", cwd=site)
    assert first.code == 0, first.err
    rendered, planned = pages_rendered(first.out)
    assert rendered == planned > 10
    edit_body(site)
    edited = run_healthsite("build", "--verbose", cwd=site)
    assert pages_rendered(edited.out) == (1, planned)  # the pages listing it read its summary, which is the same
    memo = PageMemo.load(site / ".healthsite-cache", site / "public")
    pages = [path for path in memo.entries if path != SITE_FILES]
    assert len(pages) > planned
    for path in pages:  # kept entries were carried over unread: they must still describe the files on disk
        assert memo.entries[path][2] == file_signature(site / "public" / path), path
    touch_content(site)
    again = run_healthsite("build", "--verbose", cwd=site)
    assert pages_rendered(again.out) == (0, planned)


def test_a_later_build_date_renders_again_only_the_pages_whose_review_fell_overdue(copy_site, tmp_path):
    site = copy_site("full")
    replace_in(site, "content/back/stretches.md", "reviewed: 2026-04-20", "reviewed: 2025-12-01")  # due 2026-12-01
    first = run_healthsite("build", "--verbose", cwd=site, env={"SOURCE_DATE_EPOCH": "1795305600"})  # 2026-11-22
    assert first.code == 0, first.err
    _, planned = pages_rendered(first.out)
    next_day = run_healthsite("build", "--verbose", cwd=site, env={"SOURCE_DATE_EPOCH": "1795392000"})
    assert pages_rendered(next_day.out) == (0, planned)
    overdue = {"SOURCE_DATE_EPOCH": "1796169600"}  # 2026-12-02
    due = run_healthsite("build", "--verbose", cwd=site, env=overdue)
    assert pages_rendered(due.out) == (1, planned)
    assert "Next review due <time datetime=\"2026-12\">December 2026</time> (overdue)." in (
        site / "public/back/stretches/index.html").read_text(encoding="utf-8")
    fresh = run_healthsite("build", "--no-cache", "--out", str(tmp_path / "fresh"), cwd=site, env=overdue)
    assert fresh.code == 0, fresh.err
    assert tree(site / "public") == tree(tmp_path / "fresh")


def test_a_build_with_the_inputs_of_the_last_one_takes_every_page_key_from_the_memo(copy_site, monkeypatch):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    before = tree(site / "public")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)

    def key_made(self, deps):
        raise AssertionError("a page key was made again")

    monkeypatch.setattr(healthsite.speed.pages.PageRenderer, "_key", key_made)
    monkeypatch.chdir(site)  # the configuration as the command line loads it
    diags = Diagnostics()
    assert build(load_config(Path("site.yaml"), diags), diags).published is not None, diags.format()
    assert tree(site / "public") == before
    edit_body(site)  # one input changed: every page's key is made again, to find the pages that read it
    with pytest.raises(AssertionError, match="a page key was made again"):
        build(load_config(Path("site.yaml"), diags), diags)


@pytest.mark.parametrize("library, renders", [("jinja2", "0 of 8 bodies, 19 of 19 HTML pages"),
                                               ("nh3", "8 of 8 bodies, 0 of 19 HTML pages")])  # the same bodies
def test_another_release_of_the_template_engine_or_sanitiser_renders_again_what_it_shapes(copy_site, monkeypatch,
                                                                                          library, renders):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0
    touch_content(site)  # the last build's note names each library's installed release, which this cannot change
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    monkeypatch.chdir(site)
    monkeypatch.setattr(importlib.import_module(library), "__version__", "0.0.test")
    diags, timings = Diagnostics(), Timings()
    assert build(load_config(Path("site.yaml"), diags), diags, timings=timings).published is not None
    bodies, pages = (timings.notes[stage].split(" rendered")[0] for stage in ("markdown", "render and write"))
    assert f"{bodies}, {pages}" == renders


def test_the_first_warm_build_after_a_cold_one_takes_related_articles_from_the_cache(copy_site, monkeypatch):
    site = copy_site("full")
    assert run_healthsite("build", cwd=site).code == 0  # cold: related articles ranked and kept in the cache
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)

    def ranked_again(*args):
        raise AssertionError("related articles were ranked again although nothing changed")

    monkeypatch.setattr(healthsite.speed.related, "ranked_in_two_processes", ranked_again)
    diags = Diagnostics()
    loaded = load_site(load_config(site / "site.yaml", diags), diags)  # its bodies come from the cache this time
    assert loaded is not None and not diags.errors
    assert any(loaded.related.values())


def test_a_site_with_files_beside_its_articles_renders_no_page_again_when_nothing_changed(copy_site):
    site = copy_site("full")
    for name in ("back/leaflet.pdf", "back/map.png", "legs/calf.png", "notes.txt"):
        (site / "content" / name).write_bytes(b"%PDF-1.4\n" if name.endswith(".pdf") else b"\x89PNG\r\n\x1a\n")
    first = run_healthsite("build", "--verbose", cwd=site)
    assert first.code == 0, first.err
    touch_content(site)
    again = run_healthsite("build", "--verbose", cwd=site)  # in a new process: sets of names hash alike there too
    assert pages_rendered(again.out) == (0, pages_rendered(first.out)[1])


def test_an_edit_hashes_no_document_afresh_not_even_those_given_their_pillars_language(copy_site, monkeypatch):
    site = copy_site("full")  # its articles name no language: the catalog gives each its pillar's
    assert run_healthsite("build", cwd=site).code == 0
    edit_body(site)  # an input changed: each page's key is checked against the hashes of what it read
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    monkeypatch.chdir(site)
    hashed, plain = [], healthsite.speed.reads._plain

    def noted(value):
        hashed.append(value.path if isinstance(value, Document) else type(value).__name__)
        return plain(value)

    monkeypatch.setattr(healthsite.speed.reads, "_plain", noted)
    diags = Diagnostics()
    assert build(load_config(Path("site.yaml"), diags), diags).published is not None, diags.format()
    # the edited file is hashed as it is read; the others' hashes come from the cache, also where the catalog gave
    # them a language; the summaries, equal as a whole to the last build's, take their hashes from the page memo
    assert [name for name in hashed if name.endswith(".md")] == ["content/back/night-pain.md"]
    assert "Summary" not in hashed and "Body" in hashed
