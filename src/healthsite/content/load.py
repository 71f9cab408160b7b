"""Read every Markdown file under the content folder into validated Documents."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path, PurePosixPath

from ..config import SiteConfig
from ..diagnostics import Diagnostics
from ..model import Document
from .fields import FieldReader, slugify
from .files import content_listing, shown_path
from .front_matter import read_front_matter
from .snippets import SNIPPETS, expand

MAX_FILE_BYTES = 20 * 1024 * 1024


Reader = Callable[[Path, dict], "Document | None"]  # (file, `shown_path`'s memory) -> its Document


def load_documents(config: SiteConfig, diags: Diagnostics, listing: list[Path] | None = None,
                   read: Reader | None = None) -> list[Document]:
    """Read, split and validate every `*.md` file under the content folder (of `listing` when given), in path
    order, with `read` (by default `read_document`; the build's reader also keeps Documents in the cache)."""
    content = config.content_path
    if not content.is_dir():
        diags.error("content-missing", shown_path(content, config), None, "the content folder does not exist",
                    hint="Create it, or pass --content with the folder that holds your Markdown files")
        return []
    if read is None:
        def read(file: Path, folders: dict) -> Document | None:
            return read_document(file, config, diags, folders=folders)
    folders: dict[Path, str | None] = {}
    files = [p for p in (content_listing(config, diags) if listing is None else listing) if p.name.endswith(".md")]
    docs = [doc for doc in (read(file, folders) for file in files) if doc is not None]
    diags.origins.update((doc.path, doc.origins) for doc in docs if doc.origins)  # problems in snippets at their lines
    return docs


def unread_files(listing: list[Path], docs: list[Document], config: SiteConfig) -> dict[str, str]:
    """Map each Markdown file of `listing` that gave no Document to the slug its name gives it, so links to it wait
    for its fix."""
    markdown = [file for file in listing if file.name.endswith(".md")]
    if len(markdown) == len(docs):  # each file gave its Document
        return {}
    read = {doc.source_path for doc in docs}
    sources = (file.relative_to(config.content_path).as_posix() for file in markdown)
    return {source: slugify(file_slug(source)) for source in sources if source not in read}


def read_document(file: Path, config: SiteConfig, diags: Diagnostics, data: bytes | None = None,
                  folders: dict[Path, str | None] | None = None) -> Document | None:
    """Read one Markdown file (or its bytes, already read); report what is wrong and return None if unusable.
    `folders` is `shown_path`'s memory for a pass over many files."""
    path = shown_path(file, config, folders)
    text = _read_text(file, path, diags, data)
    if text is None:
        return None
    front = read_front_matter(text, path, diags)
    if front is None:
        return None
    source_path = file.relative_to(config.content_path).as_posix()
    snippets = config.content_path / SNIPPETS
    body, origins = expand(front.body, front.body_line, path, snippets, shown_path(snippets, config), diags,
                           read_snippet)
    doc = _document(FieldReader(front.data, front.lines, path, diags), config, path, source_path, body,
                    front.body_line)
    return dataclasses.replace(doc, origins=origins) if doc is not None and origins else doc


def read_snippet(file: Path) -> str:
    """Read a snippet as UTF-8 with '\\n' line ends; raise OSError or UnicodeDecodeError."""
    return file.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def file_slug(source_path: str) -> str:
    """Return the name a file gives its page unless its front matter says otherwise: its stem, or its folder's
    name for an index file ('back/index.md': 'back')."""
    path = PurePosixPath(source_path)
    return path.parent.name if path.stem in ("index", "_index") and path.parent.name else path.stem


def _document(fields: FieldReader, config: SiteConfig, path: str, source_path: str,
              body: str, body_line: int) -> Document | None:
    """Build a Document from checked fields; when one has an error, an incomplete one with stand-ins for what is
    missing (None when even its file name gives no slug)."""
    errors_before = len(fields.diags.errors)
    kind = fields.kind()
    fields.unknown_keys(kind)
    person = kind == "person"
    default_slug = file_slug(source_path)
    values = dict(
        kind=kind,
        slug=fields.slug(default_slug),
        title=fields.text("title", required=True),
        description=fields.text("description", required=not person),
        published=fields.date("date", required=not person),
        updated=fields.date("updated"),
        reviewed=fields.date("reviewed"),
        reviewer=fields.text("reviewer"),
        author=fields.text("author"),
        pillar=fields.text("pillar"),
        tags=fields.tags(config),
        related=tuple(fields.names("related")),
        aliases=fields.aliases(),
        sources=fields.sources(),
        draft=fields.boolean("draft"),
        weight=fields.integer("weight", 0),
        checks=fields.checks(),
        language=fields.text("language"),
        translation_key=fields.text("translation_key"),
        profile=fields.profile() if person else None,
    )
    if person:  # a person's page needs no date, and describes them by their role when it says nothing else
        values["published"] = values["published"] or date(1970, 1, 1)
        values["description"] = values["description"] or (values["profile"].role or values["title"])
    complete = len(fields.diags.errors) == errors_before
    if not complete:  # stand-ins, so the same build checks its pillar, links and text too; it fails, so none is shown
        stand_in = slugify(default_slug)
        if not stand_in:
            return None
        values = {**values, "slug": values["slug"] or stand_in, "title": values["title"] or stand_in,
                  "description": values["description"] or "", "published": values["published"] or config.build_date}
    return Document(path=path, source_path=source_path, body=body, body_line=body_line,
                    key_lines=fields.lines, complete=complete, **values)


def _read_text(file: Path, path: str, diags: Diagnostics, data: bytes | None = None) -> str | None:
    """Read a file as UTF-8 (a byte-order mark is allowed) with its line endings made '\\n'."""
    try:
        if data is None and file.stat().st_size > MAX_FILE_BYTES:
            diags.error("file-too-large", path, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB",
                        hint="Split it into several articles")
            return None
        data = file.read_bytes() if data is None else data
    except OSError as exc:
        diags.error("file-unreadable", path, None, f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.error("file-encoding", path, line, f"the file is not valid UTF-8 text (byte {exc.start + 1})",
                    hint="Save it as UTF-8 in your editor")
        return None
    if "\x00" in text:
        diags.error("file-encoding", path, text[: text.index("\x00")].count("\n") + 1,
                    "the file contains a NUL character, so it looks binary", hint="Save it as plain UTF-8 text")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
