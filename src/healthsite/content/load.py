"""Read every Markdown file under the content folder into validated Documents."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..config import SiteConfig
from ..diagnostics import Diagnostics
from ..markdown.convert import BodyJobs
from ..markdown.sanitize import CONTENT_FILE_TYPES, svg_problem
from ..model import Document
from ..speed.reads import digest, remember
from ..speed.store import PackCache, code_version, key_of
from .fields import FieldReader
from .yaml_lines import parse_mapping

MAX_FILE_BYTES = 20 * 1024 * 1024


def content_listing(config: SiteConfig, diags: Diagnostics | None = None) -> list[Path]:
    """List the files under the content folder in path order, hidden ones left out, for `load_documents` and
    `list_content_files` to share.

    One rule for every type: a symbolic link (to a file or a folder) is followed when its target is inside the
    content folder; a link that leads outside it, points nowhere or loops back is reported and left out, so no
    byte of an outside file is ever published.
    """
    content = config.content_path
    if not content.is_dir():
        return []
    found: list[Path] = []
    real = content.resolve()
    _list_folder(content, real, (real,), found, _Reporter(config, diags if diags is not None else Diagnostics()))
    found.sort()
    return found


@dataclass(frozen=True, slots=True)
class _Reporter:
    config: SiteConfig
    diags: Diagnostics

    def error(self, code: str, path: Path, is_file: bool, message: str, hint: str) -> None:
        self.diags.error(code, _shown(path, self.config), 1 if is_file else None, message, hint=hint)


def _list_folder(folder: Path, real: Path, open_folders: tuple[Path, ...], found: list[Path],
                 report: _Reporter) -> None:
    """Add the files below `folder` (whose real path is `real`; `open_folders` are the real paths of the folders
    being listed, itself included) to `found`."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError as exc:
        report.error("file-unreadable", folder, False, f"cannot list the folder: {exc.strerror}",
                     "Check the folder's permissions")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        if entry.is_symlink():
            target = _link_target(path, report, open_folders)
            if target is None:
                continue
            if target.is_dir():
                _list_folder(path, target, open_folders + (target,), found, report)
            elif target.is_file():
                found.append(path)
        elif entry.is_dir(follow_symlinks=False):
            if entry.name.endswith(".md"):
                found.append(path)  # reading it says it is a folder
            else:
                inner = real / entry.name
                _list_folder(path, inner, open_folders + (inner,), found, report)
        elif entry.is_file(follow_symlinks=False):  # not a pipe or device, which reading would block on
            found.append(path)


def _link_target(link: Path, report: _Reporter, open_folders: tuple[Path, ...]) -> Path | None:
    """Return the real path of a symbolic link's target inside the content folder, or report why it is left out."""
    root = open_folders[0]
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        report.error("content-link-broken", link, True, f"the link points to nothing ('{os.readlink(link)}' does "
                     "not exist), so it is left out", "Point the link at a file in the content folder, or remove it")
        return None
    except (OSError, RuntimeError):  # a chain of links that never ends
        report.error("content-link-broken", link, True, "the link is part of a loop of links, so it is left out",
                     "Point the link at a file in the content folder, or remove it")
        return None
    if not target.is_relative_to(root):
        is_file = not target.is_dir()
        report.error("content-file-unsafe", link, is_file,
                     f"the link leads outside the content folder, so the {'file' if is_file else 'folder'} it "
                     "points to is left out", "Copy it into the content folder instead of linking to it")
        return None
    if target in open_folders:
        report.error("content-link-broken", link, False, "the link points to a folder that holds it, which would "
                     "list the same files forever, so it is left out", "Remove the link")
        return None
    return target


def load_documents(config: SiteConfig, diags: Diagnostics, jobs: BodyJobs | None = None,
                   listing: list[Path] | None = None) -> list[Document]:
    """Read, split and validate every `*.md` file under the content folder (of `listing` when given), in path
    order; hand each file read from disk to `jobs`, which starts rendering its body while the rest load."""
    content = config.content_path
    if not content.is_dir():
        diags.error("content-missing", _shown(content, config), None, "the content folder does not exist",
                    hint="Create it, or pass --content with the folder that holds your Markdown files")
        return []
    docs = []
    cache = PackCache(config.cache_path, "documents", config.cache_write) if config.cache else None
    settings = _settings_key(config)
    folders: dict[Path, str | None] = {}
    files = [p for p in (content_listing(config, diags) if listing is None else listing) if p.name.endswith(".md")]
    for file in files:
        if cache is None:
            doc = read_document(file, config, diags, folders=folders)
            if doc is not None and jobs is not None:
                jobs.start(doc)
        else:
            doc = _cached_document(file, config, diags, cache, settings, jobs, folders)
        if doc is not None:
            docs.append(doc)
    if cache is not None:
        cache.save()
    return docs


def _settings_key(config: SiteConfig) -> str:
    """Describe everything besides a file's path and bytes that shapes its Document: the program and the tags."""
    return repr((code_version(), str(config.root), str(config.content_path), sorted(config.tags.items()),
                 sorted(config.tag_aliases.items())))


def _cached_document(file: Path, config: SiteConfig, diags: Diagnostics, cache: PackCache,
                     settings: str, jobs: BodyJobs | None, folders: dict[Path, str | None]) -> Document | None:
    """Read one file, reusing the Document and problems found last time when the file is unchanged: the same
    size, times and inode (the change time cannot be set back), else the same bytes."""
    try:
        stat = file.stat()
    except OSError:
        return read_document(file, config, diags, folders=folders)
    signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    key = key_of(settings, str(file))
    found = cache.get(key)
    if found is None or found[0] != signature:
        data = None
        if stat.st_size <= MAX_FILE_BYTES:
            try:
                data = file.read_bytes()
            except OSError:
                pass
        if data is None:
            return read_document(file, config, diags, folders=folders)
        content = key_of(data)
        if found is None or found[1] != content:
            problems = Diagnostics()
            doc = read_document(file, config, problems, data, folders)
            found = (signature, content, doc, tuple(problems.items), digest(doc))
            if doc is not None and jobs is not None:
                jobs.start(doc)
        cache.put(key, (signature,) + found[1:])
    remember(found[2], found[4])  # pages hash the documents they read: this one is hashed already
    for item in found[3]:
        (diags.error if item.level == "error" else diags.warning)(item.code, item.path, item.line, item.message,
                                                                  item.hint)
    return found[2]


def list_content_files(config: SiteConfig, diags: Diagnostics | None = None,
                       listing: list[Path] | None = None) -> frozenset[str]:
    """List the content folder's other files (images, PDFs) that articles may link to, leaving out (and reporting
    to `diags`) any that could run script in a reader's browser: pages, code, scripted SVG."""
    content = config.content_path
    if not content.is_dir():
        return frozenset()
    files = set()
    report = diags if diags is not None else Diagnostics()
    for file in content_listing(config, report) if listing is None else listing:
        if file.suffix == ".md":  # first: most files are articles
            continue
        name = file.relative_to(content).as_posix()
        if file.suffix.lower() not in CONTENT_FILE_TYPES:
            report.warning("content-file-skipped", _shown(file, config), None,
                           f"files of type '{file.suffix or file.name}' are not published from the content folder",
                           hint="Publish images, PDFs, text, audio and video beside articles; write pages in Markdown")
        elif file.suffix.lower() == ".svg" and (problem := _svg_file_problem(file)):
            report.error("content-file-unsafe", _shown(file, config), None, f"{problem}, so it is left out",
                         hint="Export a plain SVG without scripts, event handlers or script links, or convert it to PNG")
        else:
            files.add(name)
    return frozenset(files)


def _svg_file_problem(file: Path) -> str:
    """Return what in an SVG file could run script, or ''."""
    try:
        return svg_problem(file.read_bytes())
    except OSError as exc:
        return f"the SVG cannot be read ({exc.strerror})"


def read_document(file: Path, config: SiteConfig, diags: Diagnostics, data: bytes | None = None,
                  folders: dict[Path, str | None] | None = None) -> Document | None:
    """Read one Markdown file (or its bytes, already read); report what is wrong and return None if unusable.
    `folders` is `_shown`'s memory for a pass over many files."""
    path = _shown(file, config, folders)
    text = _read_text(file, path, diags, data)
    if text is None:
        return None
    split = _split_front_matter(text, path, diags)
    if split is None:
        return None
    yaml_text, body, body_line = split
    parsed = parse_mapping(yaml_text, path, 2, diags, "front matter")
    if parsed is None:
        return None
    source_path = file.relative_to(config.content_path).as_posix()
    return _document(FieldReader(parsed.data, parsed.lines, path, diags), config, path, source_path, body, body_line)


def _document(fields: FieldReader, config: SiteConfig, path: str, source_path: str,
              body: str, body_line: int) -> Document | None:
    """Build a Document from checked fields, or None when a required one is unusable."""
    errors_before = len(fields.diags.errors)
    fields.unknown_keys()
    kind = fields.kind()
    stem = PurePosixPath(source_path)
    default_slug = stem.parent.name if stem.stem in ("index", "_index") and stem.parent.name else stem.stem
    values = dict(
        kind=kind,
        slug=fields.slug(default_slug),
        title=fields.text("title", required=True),
        description=fields.text("description", required=True),
        published=fields.date("date", required=True),
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
    )
    if len(fields.diags.errors) > errors_before:
        return None
    return Document(path=path, source_path=source_path, body=body, body_line=body_line,
                    key_lines=fields.lines, **values)


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


def _split_front_matter(text: str, path: str, diags: Diagnostics) -> tuple[str, str, int] | None:
    """Split '---' fenced YAML from the body; return (yaml, body, first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        diags.error("front-matter-missing", path, 1, "the file does not start with front matter",
                    hint="Begin the file with a '---' line, fields such as 'title: ...', and another '---' line")
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    diags.error("front-matter-unclosed", path, 1, "the front matter is never closed",
                hint="Add a line with only '---' after the last front-matter field")
    return None


def _shown(path: Path, config: SiteConfig, folders: dict[Path, str | None] | None = None) -> str:
    """Return a path relative to the site folder, as writers see it in their editor (a linked folder by the
    link's name); `folders` remembers each folder's answer for one pass over the content folder (finding a
    folder's real path takes a call per part)."""
    if path.is_relative_to(config.root) and ".." not in (relative := path.relative_to(config.root)).parts:
        return relative.as_posix()
    folder = folders.get(path.parent, False) if folders is not None else False
    if folder is False:
        try:
            relative = path.parent.resolve().relative_to(config.root).as_posix()  # a symlink by its own name
            folder = "" if relative == "." else relative + "/"
        except ValueError:
            folder = None
        if folders is not None:
            folders[path.parent] = folder
    return path.as_posix() if folder is None else folder + path.name
