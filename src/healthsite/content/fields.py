"""Validate a file's front matter field by field, with the line of each problem."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from ..config import SiteConfig
from ..diagnostics import LEVELS, Diagnostics, did_you_mean
from ..model import Profile, Source

KNOWN_KEYS = ("kind", "title", "description", "date", "updated", "slug", "pillar", "tags", "author",
              "reviewed", "reviewer", "sources", "related", "draft", "aliases", "weight", "checks", "language",
              "translation_key")
PERSON_KEYS = ("role", "qualifications", "registration", "photo", "photo_alt", "links", "team")  # kind: person only
KINDS = ("article", "pillar", "page", "person")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALIAS_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
NAME_MAX = 255  # bytes in one file or folder name on common file systems: a slug, tag or alias part is one
PATH_MAX = 1024  # characters in an alias, well within what file systems and browsers hold in a path
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@functools.lru_cache(maxsize=4096)  # tags repeat across thousands of files
def slugify(text: str) -> str:
    """Turn any text into a lowercase-hyphenated ASCII name ('Back Pain/Legs' -> 'back-pain-legs')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def normalise_tag(raw: str, config: SiteConfig) -> str:
    """Turn a tag as written into the site's tag: an alias as written or slugified maps to its tag, anything else is
    slugified ('Backache' -> 'back-pain' when aliased, 'Night Time' -> 'night-time'); '' when nothing is left."""
    return config.tag_aliases.get(raw) or config.tag_aliases.get(slugify(raw)) or slugify(raw)


def _too_long(what: str, name: str) -> str:
    return (f"the {what} '{name[:24]}...' is {len(name)} characters long, more than the {NAME_MAX} a file system "
            "holds in one name")


class FieldReader:
    """Read typed values out of one file's front matter, reporting each problem once."""

    def __init__(self, data: dict[str, Any], lines: dict[str, int], path: str, diags: Diagnostics):
        self.data, self.lines, self.path, self.diags = data, lines, path, diags

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def fail(self, key: str, message: str, hint: str = "", code: str = "field-type") -> None:
        self.diags.error(code, self.path, self.line(key), message, hint)

    def unknown_keys(self, kind: str = "article") -> None:
        """Warn about keys healthsite does not know (a person's own keys only in a person's file), suggesting the
        likely intended one."""
        known = KNOWN_KEYS + PERSON_KEYS if kind == "person" else KNOWN_KEYS
        for key in self.data:
            if key in PERSON_KEYS and kind != "person":
                self.diags.warning("unknown-field", self.path, self.line(key), f"'{key}' is a field of a person's "
                                   "file, so it is left out here", "Put it in the file under content/people/ with "
                                   "'kind: person'")
            elif key not in known:
                hint = did_you_mean(key, known) or "Remove it, or see docs/writing.md for the fields"
                self.diags.warning("unknown-field", self.path, self.line(key), f"unknown field '{key}'", hint)

    def profile(self) -> Profile:
        """Read a person's own fields."""
        links = []
        for index, link in enumerate(self.names("links")):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and parts.netloc:
                links.append(link)
            else:
                self.diags.error("field-type", self.path, self.lines.get(f"links[{index}]", self.line("links")),
                                 f"link {_describe(link)} is not a web address",
                                 "Use a full address starting with https://")
        return Profile(role=self.text("role"), qualifications=self.text("qualifications"),
                       registration=self.text("registration"), photo=self.text("photo"),
                       photo_alt=self.text("photo_alt"), links=tuple(links), team=self.boolean("team"))

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, f"'{key}' is required", f"Add a line such as '{key}: ...' to the front matter",
                          code="field-missing")
            return None
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, not {_describe(value)}", "Put the value in quotes")
            return None
        if _CONTROL.search(value):
            self.fail(key, f"'{key}' contains an invisible control character: {_describe(value)}",
                      "Remove escapes such as \\0 or \\x07 from the value")
            return None
        return " ".join(value.split())

    def date(self, key: str, required: bool = False) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"'{key}' is required", f"Add '{key}: 2026-01-31' to the front matter",
                          code="field-missing")
            return None
        if isinstance(value, date) and not isinstance(value, datetime):  # written with an explicit !!timestamp
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.fail(key, f"'{key}' is not a real date: {value.strip()}", "Check the month and day",
                          code="field-date")
                return None
        self.fail(key, f"'{key}' must be a date written YYYY-MM-DD, not {_describe(value)}",
                  f"Write it like '{key}: 2026-01-31'", code="field-date")
        return None

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, not {_describe(value)}")
            return False
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"'{key}' must be a whole number, not {_describe(value)}")
            return default
        return value

    def names(self, key: str) -> list[str]:
        """Read a list of plain names; a single name is a mistake worth a clear hint."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            example = f"{key}: [{value}]" if isinstance(value, str) and len(value) < 60 else f"{key}: [a, b]"
            self.fail(key, f"'{key}' must be a list, not {_describe(value)}", f"Write it like '{example}'")
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                good.append(item.strip())
            else:
                self.diags.error("field-type", self.path, self.lines.get(f"{key}[{index}]", self.line(key)),
                                 f"item {index + 1} of '{key}' must be text, not {_describe(item)}",
                                 "Put it in quotes, or remove it")
        return good

    def kind(self) -> str:
        value = self.data.get("kind", "article")
        if value not in KINDS:
            self.fail("kind", f"'kind' must be one of {', '.join(KINDS)}, not {_describe(value)}",
                      did_you_mean(str(value), KINDS))
            return "article"
        return value

    def slug(self, default: str) -> str | None:
        value = self.data.get("slug")
        if value is None:
            slug = slugify(default)
            if not slug:
                self.fail("slug", f"cannot make a URL name from the file name '{default}'",
                          "Add 'slug: some-name' to the front matter", code="slug-invalid")
            return slug or None
        if not isinstance(value, str) or not SLUG.match(value):
            suggestion = slugify(str(value))
            self.fail("slug", f"slug {_describe(value)} is not a lowercase-hyphenated name",
                      f"Use 'slug: {suggestion}'" if suggestion else "Use letters, digits and hyphens",
                      code="slug-invalid")
            return None
        if len(value) > NAME_MAX:
            self.fail("slug", _too_long("slug", value), "Shorten it: a few words make the best address",
                      code="slug-invalid")
            return None
        return value

    def tags(self, config: SiteConfig) -> tuple[str, ...]:
        """Read tags, normalise them and map aliases; a tag outside the vocabulary is a warning and is left out, so
        a typo never publishes a tag page of its own."""
        result: list[str] = []
        for index, raw in enumerate(self.names("tags")):
            tag = normalise_tag(raw, config)
            line = self.lines.get(f"tags[{index}]", self.line("tags"))
            if not tag:
                self.diags.error("tag-invalid", self.path, line,
                                 f"tag {_describe(raw)} has no Latin letters or digits to make its address from",
                                 f"Map it to a tag under 'tag_aliases' in site.yaml, such as '{raw}: some-tag'")
            elif len(tag) > NAME_MAX:
                self.diags.error("tag-invalid", self.path, line, _too_long("tag", tag),
                                 "Shorten it: a word or two make the best tag")
            elif config.tags and tag not in config.tags:
                choices = list(config.tags) + list(config.tag_aliases)
                hint = did_you_mean(tag, choices) or "Add it to 'tags' in site.yaml, or use a listed tag"
                self.diags.warning("unknown-tag", self.path, line,
                                   f"tag '{raw}' is not in the tag vocabulary, so it is left out", hint)
            else:
                result.append(tag)
        return tuple(dict.fromkeys(result))

    def checks(self) -> dict[str, str]:
        """Read this file's own check levels (`checks: {help-block-missing: off}`); on a pillar page they hold for
        its articles too."""
        value = self.data.get("checks")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail("checks", f"'checks' must be a mapping of check codes to levels, not {_describe(value)}",
                      "Write it like 'checks: {help-block-missing: off}'")
            return {}
        levels = {}
        for code, level in value.items():
            level = "off" if level is False else level  # YAML 1.1 reads a bare `off` as false
            if level not in LEVELS:
                self.diags.error("field-type", self.path, self.lines.get(f"checks.{code}", self.line("checks")),
                                 f"check '{code}' has level {_describe(level)}", "Use error, warning or off")
            else:
                levels[str(code)] = level
        return levels

    def aliases(self) -> tuple[str, ...]:
        """Read old URLs; each must be a plain site path that cannot leave the output folder."""
        good = []
        for index, alias in enumerate(self.names("aliases")):
            segments = alias.strip("/").split("/")
            if alias.startswith("/") and all(_ALIAS_SEGMENT.match(s) and s.strip(".") for s in segments):
                line = self.lines.get(f"aliases[{index}]", self.line("aliases"))
                if long := next((s for s in segments if len(s) > NAME_MAX), None):
                    self.diags.error("alias-invalid", self.path, line, _too_long("part of the alias", long),
                                     "Shorten that part of the old address")
                elif len(alias) > PATH_MAX:
                    self.diags.error("alias-invalid", self.path, line, f"the alias is {len(alias)} characters long, "
                                     f"more than the {PATH_MAX} an address may have here", "Shorten the old address")
                else:
                    good.append("/" + "/".join(segments) + "/")
            else:
                self.diags.error("alias-invalid", self.path, self.lines.get(f"aliases[{index}]", self.line("aliases")),
                                 f"alias {_describe(alias)} is not a plain site path",
                                 "Write it like '/old-section/old-name/' using letters, digits, '-', '_' and '.'")
        return tuple(good)

    def sources(self) -> tuple[Source, ...]:
        value = self.data.get("sources")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail("sources", f"'sources' must be a list, not {_describe(value)}",
                      "Write each source as '- title: ...' with publisher and url below it")
            return ()
        return tuple(s for index, item in enumerate(value) if (s := self._source(index, item)) is not None)

    def _source(self, index: int, item: Any) -> Source | None:
        line = self.lines.get(f"sources[{index}]", self.line("sources"))
        where = f"source {index + 1}"
        if not isinstance(item, dict):
            self.diags.error("source-invalid", self.path, line, f"{where} must have 'title', 'publisher' and 'url'",
                             "Write it as '- title: ...' with 'publisher:' and 'url:' lines below")
            return None
        unknown = [k for k in item if k not in ("title", "publisher", "url", "year")]
        for key in unknown:
            self.diags.warning("unknown-field", self.path, line, f"{where} has an unknown field '{key}'",
                               did_you_mean(str(key), ("title", "publisher", "url", "year")))
        title, publisher, url, year = (item.get(k) for k in ("title", "publisher", "url", "year"))
        problems = [k for k, v in (("title", title), ("publisher", publisher), ("url", url))
                    if v is not None and not isinstance(v, str)]
        if not isinstance(title, str) or not title.strip() or problems:
            self.diags.error("source-invalid", self.path, line, f"{where} needs a text 'title'"
                             + (f"; {', '.join(problems)} must be text" if problems else ""))
            return None
        if url is not None and (urlsplit(url.strip()).scheme not in ("http", "https") or not urlsplit(url).netloc):
            self.diags.error("source-invalid", self.path, line, f"{where} has a url that is not a web address: '{url}'",
                             "Use a full address starting with https://")
            return None
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            self.diags.error("source-invalid", self.path, line, f"{where} has a year that is not a number")
            year = None
        return Source(" ".join(title.split()), publisher and " ".join(publisher.split()) or None,
                      url and url.strip() or None, year, line)


def _describe(value: Any) -> str:
    """Name a wrong value the way a writer would recognise it."""
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value))
    return f"'{text[:60]}'" + ("..." if len(text) > 60 else "")
