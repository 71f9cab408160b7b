"""`healthsite new`: start an article as a draft, with valid front matter and the sections every article needs."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path, PurePosixPath

from .config import SiteConfig, build_date_today, load_config
from .content.fields import NAME_MAX, normalise_tag, slugify
from .content.files import content_listing
from .content.load import read_document
from .content.skeleton import SKELETON
from .diagnostics import Diagnostics, did_you_mean
from .markdown.convert import help_title

EXIT_OK, EXIT_USAGE = 0, 2
_PILLAR_KIND = re.compile(r"^kind:\s*['\"]?pillar['\"]?\s*$", re.M)

def new_article(args: argparse.Namespace) -> int:
    """Write content/<pillar>/<slug>.md from the skeleton; refuse to overwrite, and say what to fix on a mistake."""
    diags = Diagnostics()
    config = load_config(Path(args.config), diags, config_required=args.config != "site.yaml",
                         content_dir=args.content)
    if diags.errors:
        print(diags.format(), file=sys.stderr)
        return EXIT_USAGE
    try:
        target, text = plan_article(config, args.title, args.pillar, args.tags, args.slug)
        text, keyless = translated(config, text, args.language, args.translation_of)
    except ValueError as exc:
        print(f"healthsite new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        print(f"healthsite new: {_shown(target, config)} already exists; healthsite new never overwrites or "
              "duplicates an article. Choose another title, or pass --slug", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote {_shown(target, config)} (a draft: `healthsite serve` shows it; set 'draft: false' to publish it)")
    if keyless:
        print(f"Add '{keyless}' to the front matter of {args.translation_of} too, so the two are linked as "
              "translations")
    return EXIT_OK


def translated(config: SiteConfig, text: str, language: str | None, original: str | None) -> tuple[str, str]:
    """Set the new article's `language` and the `translation_key` of the article it translates; return its text and
    the line the original still needs ('' when it has its key already). Raise ValueError when a name is wrong."""
    if language is None and original is None:
        return text, ""
    codes = [known.code for known in config.languages]
    if language is not None and language not in codes:
        hint = did_you_mean(language, codes) or f"The site's languages: {', '.join(codes)} ('languages' in site.yaml)"
        raise ValueError(f"language '{language}' is not one of the site's languages. {hint}")
    lines = [f"language: {language}"] if language else []
    keyless = ""
    if original is not None:
        diags = Diagnostics()
        file = Path(original).resolve()
        inside = file.is_relative_to(config.content_path.resolve())
        doc = read_document(file, config, diags) if inside and file.is_file() else None
        if doc is None or diags.errors:
            raise ValueError(f"--translation-of {original} is not an article that can be read. Give the path of its "
                             "Markdown file, such as content/back/sciatica.md")
        key = doc.translation_key or doc.slug
        keyless = "" if doc.translation_key else f"translation_key: {key}"
        lines.append(f"translation_key: {key}")
    text = text.replace("\ntags: [", "\n" + "".join(line + "\n" for line in lines) + "tags: [", 1)
    if language:
        text = text.replace('!!! warning "When to get help"', f'!!! warning "{help_title(language)}"')
    return text, keyless


def plan_article(config: SiteConfig, title: str, pillar: str, tags: str, slug: str | None = None) -> tuple[Path, str]:
    """Return the new article's file and text; raise ValueError with a suggestion when a name is wrong."""
    title = " ".join(title.split())
    if not title:
        raise ValueError("the title is empty. Write it in quotes: healthsite new \"Why does my back ache?\"")
    slug = slug if slug is not None else slugify(title)
    if slug != slugify(slug) or not slug:
        raise ValueError(f"'{slug}' is not a lowercase-hyphenated name. Try --slug {slugify(slug) or 'my-article'}")
    folders = pillar_folders(config)
    if pillar not in folders:
        hint = did_you_mean(pillar, folders) or f"Known pillars: {', '.join(sorted(folders)) or 'none yet'}"
        raise ValueError(f"pillar '{pillar}' does not exist. {hint}")
    taken = next((p for p in content_listing(config) if p.name == f"{slug}.md"), None)
    target = folders[pillar] / f"{slug}.md"
    if taken is not None:
        what = "already exists" if taken.resolve() == target.resolve() else f"already has the name '{slug}'"
        raise ValueError(f"{_shown(taken, config)} {what}; healthsite new never overwrites or duplicates an article. "
                         "Choose another title, or pass --slug")
    front = dict(title=json.dumps(title, ensure_ascii=False), date=build_date_today().isoformat(), pillar=pillar,
                 tags=", ".join(check_tags(config, tags)))
    return target, SKELETON.format(**front)


def check_tags(config: SiteConfig, written: str) -> list[str]:
    """Normalise comma-separated tags as the build does; raise ValueError naming the closest known tag."""
    tags: list[str] = []
    for raw in (t.strip() for t in written.split(",")):
        if not raw:
            continue
        tag = normalise_tag(raw, config)
        if not tag:
            raise ValueError(f"tag '{raw}' has no Latin letters or digits to make its address from. Map it to a tag "
                             f"under 'tag_aliases' in {config.config_path}")
        if len(tag) > NAME_MAX:
            raise ValueError(f"tag '{raw[:24]}...' is longer than the {NAME_MAX} characters a file system holds in one "
                             "name. Shorten it: a word or two make the best tag")
        if config.tags and tag not in config.tags:
            hint = did_you_mean(tag, list(config.tags) + list(config.tag_aliases))
            raise ValueError(f"tag '{raw}' is not in the tag vocabulary in {config.config_path}. "
                             + (hint or "Add it to 'tags' in site.yaml, or use a listed tag"))
        tags.append(tag)
    return list(dict.fromkeys(tags))


def pillar_folders(config: SiteConfig) -> dict[str, Path]:
    """Find every pillar page and the folder its articles live in, reading only files that say 'kind: pillar'."""
    folders: dict[str, Path] = {}
    content = config.content_path
    for file in content_listing(config):
        if file.suffix != ".md" or not _PILLAR_KIND.search(_front_matter(file)):
            continue
        doc = read_document(file, config, Diagnostics())
        if doc is not None and doc.kind == "pillar":
            source = PurePosixPath(doc.source_path)
            own_folder = source.stem in ("index", "_index") and source.parent.name
            folders.setdefault(doc.slug, file.parent if own_folder else content / doc.slug)
    return folders


def _front_matter(file: Path) -> str:
    """Return the text up to the closing '---' (or the first few kilobytes), enough to spot 'kind: pillar'."""
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            head = handle.read(8192)
    except OSError:
        return ""
    end = head.find("\n---", 3)
    return head[: end if end > 0 else len(head)]


def _shown(path: Path, config: SiteConfig) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
