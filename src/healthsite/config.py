"""Read `site.yaml` into a SiteConfig, reporting every unknown key and wrong value at once."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .content.yaml_lines import parse_mapping
from .diagnostics import LEVELS, Diagnostics, did_you_mean
from .strings import check_strings

# The bundled theme, templates/, static/ and strings/: in the installed package (a wheel ships it as healthsite/theme/),
# else beside src/ (a source checkout or an editable install).
THEME_DIR = Path(__file__).resolve().parent / "theme"
if not (THEME_DIR / "templates").is_dir():
    THEME_DIR = Path(__file__).resolve().parents[2]
_TAG_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


DEFAULT_AUTHOR = "The editorial team"


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    interval_months: int = 12
    """Months between clinical reviews; the page shows the next review date from it."""
    due_soon_days: int = 30
    """Warn this many days before a review falls due."""


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    count: int = 4
    """Most related articles shown under an article."""
    min_score: float = 0.8
    """Score below which a candidate is left out rather than shown as a weak match."""
    tag_weight: float = 1.0
    """Weight of shared tags, each counted by its rarity."""
    pillar_weight: float = 0.5
    """Bonus for sharing the same pillar."""
    text_weight: float = 2.0
    """Weight of shared keywords in title, description and body."""


@dataclass(frozen=True, slots=True)
class ReadabilityConfig:
    target_grade: float = 8.0
    """Flesch-Kincaid grade above which an article gets a readability warning."""


@dataclass(frozen=True, slots=True)
class ListsConfig:
    per_page: int = 24
    """Articles on each page of a tag's or a pillar's list; the rest go on pages 2, 3 and so on. 0: all on one."""


@dataclass(frozen=True, slots=True)
class HtmlConfig:
    extra_tags: tuple[str, ...] = ()
    """HTML elements allowed in Markdown beyond the safe default list."""
    extra_attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Attributes allowed per element beyond the default list, e.g. {td: [headers]}."""


@dataclass(frozen=True, slots=True)
class LinksConfig:
    external_paths: tuple[str, ...] = ()
    """Site paths another program serves on the same host, never checked: ["/subscribe", "/api/*"]."""


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    time_limit: float = 30.0
    """Seconds one body may take to render; some pathological Markdown would otherwise take hours."""
    heading_base: int | None = None
    """Level (1-6) the body's highest heading is shifted to, the others following it (imported content that starts
    at '###'); None leaves every heading at the level written."""


@dataclass(frozen=True, slots=True)
class Language:
    """One language of the site: its tag, and the title, description and address prefix of its pages."""

    code: str
    """A BCP 47 tag such as 'en-GB' or 'es'."""
    title: str
    description: str
    prefix: str
    """Where its pages sit below base_url: '' for the default language, else 'es/' (the code in lower case)."""
    name: str = ""
    """Its name in itself for the language switcher ('Español'); '' takes it from the built-in list."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    """Folder of site.yaml; relative paths are resolved from here."""
    config_path: str
    """site.yaml as written in diagnostics."""
    title: str = "Health site"
    description: str = ""
    base_url: str = "/"
    language: str = "en"
    contact: str = ""
    """Where readers report an error: a web address or an email address, linked from every page's footer."""
    author: str = DEFAULT_AUTHOR
    content_dir: str = "content"
    out_dir: str = "public"
    search: bool = True
    """Index the built site with Pagefind."""
    review: ReviewConfig = ReviewConfig()
    related: RelatedConfig = RelatedConfig()
    readability: ReadabilityConfig = ReadabilityConfig()
    lists: ListsConfig = ListsConfig()
    html: HtmlConfig = HtmlConfig()
    markdown: MarkdownConfig = MarkdownConfig()
    links: LinksConfig = LinksConfig()
    languages_set: tuple[Language, ...] = ()
    """`languages:` as written; the `languages` property gives the site's languages either way."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The tag vocabulary: slug -> label (in the default language). Empty means any tag is allowed."""
    tag_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Tag labels per language, where the vocabulary gives them: slug -> language -> label."""
    tag_aliases: Mapping[str, str] = field(default_factory=dict)
    """Other spellings writers use -> the vocabulary slug."""
    strings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The theme's text a site changes, per language: `{en-GB: {search_placeholder: "For example: sciatica"}}`."""
    checks: Mapping[str, str] = field(default_factory=dict)
    """Level per diagnostic code: error, warning or off."""
    allow: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Phrases a check lets pass, per code (`checks: {risky-claim: {allow: ["guaranteed issue"]}}`)."""
    drafts: bool = False
    """Publish drafts and future-dated articles (--drafts, serve)."""
    cache: bool = True
    """Reuse rendered Markdown bodies from .healthsite-cache/."""
    cache_write: bool = True
    """Store what this build computed in the cache; `check` only reads it, since it writes nothing."""
    lock_timeout: float = 600.0
    """Seconds a build waits for another build of the same output folder to finish (--lock-timeout)."""
    build_date: date = date(1970, 1, 1)
    """Today, or SOURCE_DATE_EPOCH, for drafts by date and review due dates."""

    @property
    def languages(self) -> tuple[Language, ...]:
        """Return the site's languages, the default first: `languages:`, else the one `language` names."""
        return self.languages_set or (Language(self.language, self.title, self.description, ""),)

    def language_of(self, code: str) -> Language:
        """Return the settings of one of the site's languages."""
        return next(language for language in self.languages if language.code == code)

    @property
    def base_path(self) -> str:
        """Return the path part of base_url, always ending with '/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def absolute_url(self) -> str | None:
        """Return base_url when it names a host, for canonical links, feeds and the sitemap."""
        return self.base_url if urlsplit(self.base_url).netloc else None

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def out_path(self) -> Path:
        return self.root / self.out_dir

    @property
    def cache_path(self) -> Path:
        return self.root / ".healthsite-cache"

    @property
    def theme_paths(self) -> tuple[Path, ...]:
        """Return the folders searched for templates and static files, the site's own first."""
        return tuple(dict.fromkeys([self.root, THEME_DIR]))


_SECTIONS = {"review": ReviewConfig, "related": RelatedConfig, "readability": ReadabilityConfig, "lists": ListsConfig,
             "html": HtmlConfig, "markdown": MarkdownConfig, "links": LinksConfig}
_WEIGHT = (0, "Scores and weights count from 0 up")
_LEAST = {  # setting -> (least value, hint): a value below it would be accepted and quietly do something odd
    "lists.per_page": (0, "Use 0 to list every article on one page"),
    "related.count": (0, "Use 0 to show no related articles"),
    "related.min_score": _WEIGHT, "related.tag_weight": _WEIGHT, "related.pillar_weight": _WEIGHT,
    "related.text_weight": _WEIGHT,
    "review.interval_months": (1, "Reviews fall due at least a month apart"),
    "review.due_soon_days": (0, "Use 0 to warn only once a review is due"),
    "readability.target_grade": (0, "Reading grades count from 0 up; 8 suits most health readers"),
    "markdown.time_limit": (1, "Give each body at least a second; 30 is the default"),
    "markdown.heading_base": (1, "Use 2 to make the body's highest heading a level-2 heading, or leave it out"),
}
_MOST = {"markdown.heading_base": 6}  # setting -> greatest value, reported with the hint of `_LEAST`
_OPTIONAL = {"markdown.heading_base": int}  # setting whose default None means "not set" -> the type of a value
_SCALARS = {"title": str, "description": str, "base_url": str, "language": str, "author": str,
            "content_dir": str, "out_dir": str, "search": bool, "contact": str}
_MAPPINGS = ("tags", "tag_aliases", "checks", "languages", "strings")


PAGES_ONLY = ("strings-missing",)
"""Errors in site.yaml that only the pages suffer from: the content is still loaded and checked, so one run reports
everything, and the build stops before rendering."""


def content_checkable(diags: Diagnostics) -> bool:
    """Tell whether the configuration just read is sound enough to load and check the content with."""
    return all(item.code in PAGES_ONLY for item in diags.errors)


def build_date_today() -> date:
    """Return the build date: SOURCE_DATE_EPOCH when set, for reproducible builds, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return datetime.now(tz=timezone.utc).date()


def load_config(config_file: Path, diags: Diagnostics, **overrides: Any) -> SiteConfig:
    """Read site.yaml (if present), check every key, and apply command-line overrides."""
    root = config_file.parent.resolve()
    shown = _shown_path(config_file)
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if config_file.is_file():
        try:
            text = config_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            diags.error("config-unreadable", shown, None, f"cannot read the site configuration: {exc}")
            text = ""
        parsed = parse_mapping(text, shown, 1, diags, "site configuration")
        if parsed is not None:
            values, lines = _check_values(parsed.data, parsed.lines, shown, diags), parsed.lines
    elif overrides.pop("config_required", False):
        diags.error("config-missing", shown, None, "the configuration file does not exist",
                    hint="Pass --config with the path of your site.yaml")
    overrides.pop("config_required", None)
    values.update({key: value for key, value in overrides.items() if value is not None})
    values.setdefault("build_date", build_date_today())
    if "base_url" in values:
        values["base_url"] = _normalise_base_url(values["base_url"], shown, diags)
    if values.get("languages_set"):
        values["language"] = values["languages_set"][0].code
        values["languages_set"] = tuple(dataclasses.replace(language, title=language.title or values.get("title", ""),
                                                            description=language.description or
                                                            values.get("description", ""))
                                        for language in values["languages_set"])
    default = values.get("language", "en")
    for slug, labels in values.get("tag_labels", {}).items():  # the vocabulary's label is the default language's
        values["tags"][slug] = labels.get(default) or next(iter(labels.values()))
    values["strings"] = check_strings(values.get("strings"), _language_lines(values, lines), lines, shown, diags,
                                      THEME_DIR)
    return SiteConfig(root=root, config_path=shown, **values)


def _language_lines(values: dict[str, Any], lines: dict[str, int]) -> list[tuple[str, int | None]]:
    """Return each of the site's language tags with the line of site.yaml that names it."""
    if not values.get("languages_set"):
        return [(values.get("language", "en"), lines.get("language"))]
    return [(language.code, lines.get(f"languages.{language.code}", lines.get(f"languages[{index}]",
                                                                                  lines.get("languages"))))
            for index, language in enumerate(values["languages_set"])]


def _check_languages(value: Any, data: dict[str, Any], lines: dict[str, int], path: str,
                     diags: Diagnostics) -> tuple[Language, ...]:
    """Read `languages:`, a list of language tags or a mapping of tags to their title, description and prefix, the
    default language first; every language but the default gets a prefix (its tag in lower case, unless set)."""
    line = lines.get("languages")
    if isinstance(value, list):
        value = {code: {} for code in value}
    if not isinstance(value, dict) or not value:
        diags.error("config-type", path, line, "'languages' must list the site's language tags, the default first",
                    hint="Write it like 'languages: [en-GB, es]'")
        return ()
    found: list[Language] = []
    prefixes: set[str] = set()
    for index, (code, settings) in enumerate(value.items()):
        where = lines.get(f"languages.{code}", line)
        settings = settings or {}
        if not isinstance(code, str) or not _LANGUAGE.match(code):
            diags.error("config-type", path, where, f"'languages' holds {code!r}, which is not a language tag",
                        hint="Use a tag such as 'en', 'en-GB' or 'es'")
            continue
        unknown = [key for key in settings if key not in ("title", "description", "prefix", "name")] \
            if isinstance(settings, dict) else ["?"]
        if unknown or not all(isinstance(v, str) for v in settings.values()):
            diags.error("config-type", path, where, f"'languages.{code}' may set title, description, prefix and "
                        "name, as text", hint=did_you_mean(str(unknown[0]), ("title", "description", "prefix", "name"))
                        if unknown
                        else "Write it like 'es: {title: Mi sitio, prefix: es}'")
            continue
        prefix = "" if index == 0 else settings.get("prefix", code.lower()).strip("/")
        if index and (not _TAG_SLUG.match(prefix.replace("/", "-")) or prefix in prefixes):
            diags.error("config-type", path, where, f"'languages.{code}' has the prefix '{prefix}', which is not a "
                        "folder name of its own", hint="Use lowercase letters, digits and hyphens, one per language")
            continue
        prefixes.add(prefix)
        found.append(Language(code, settings.get("title", ""), settings.get("description", ""),
                              f"{prefix}/" if prefix else "", settings.get("name", "")))
    if "language" in data and found and data["language"] != found[0].code:
        diags.error("config-type", path, lines.get("language"), f"'language' is {data['language']!r} but the first "
                    f"of 'languages' is {found[0].code!r}", hint="Remove 'language': the first of 'languages' is the "
                    "default")
    return tuple(found)


def _check_tag_labels(value: dict, lines: dict[str, int], path: str,
                      diags: Diagnostics) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Read a tag vocabulary whose labels may be given per language (`back-pain: {en-GB: Back pain, es: Dolor de
    espalda}`); return the labels in the first language named and all of them."""
    tags: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for slug, label in value.items():
        line = lines.get(f"tags.{slug}", lines.get("tags"))
        if not _TAG_SLUG.match(str(slug)):
            diags.error("config-type", path, line, f"tag '{slug}' in 'tags' is not a lowercase-hyphenated name")
        elif isinstance(label, str):
            tags[str(slug)] = label
        elif isinstance(label, dict) and label and all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in label.items()):
            labels[str(slug)] = dict(label)
            tags[str(slug)] = next(iter(label.values()))
        else:
            diags.error("config-type", path, line, f"tag '{slug}' must have a label, or a label per language",
                        hint="Write it like 'back-pain: Back pain' or 'back-pain: {en-GB: Back pain, es: Dolor de "
                        "espalda}'")
    return tags, labels


def _check_values(data: dict[str, Any], lines: dict[str, int], path: str, diags: Diagnostics) -> dict[str, Any]:
    """Keep the valid keys of site.yaml and report the rest."""
    known = set(_SCALARS) | set(_SECTIONS) | set(_MAPPINGS)
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key)
        if key not in known:
            diags.error("config-unknown-key", path, line, f"unknown setting '{key}'",
                        hint=did_you_mean(key, known) or "See docs/configuration.md")
        elif key in _SCALARS:
            if not _is_type(value, _SCALARS[key]):
                diags.error("config-type", path, line, f"'{key}' must be {_type_name(_SCALARS[key])}")
            elif _text_ok(key, value, line, path, diags):
                values[key] = value
        elif key in _SECTIONS:
            section = _check_section(key, value, lines, path, diags)
            if section is not None:
                values[key] = section
        elif key == "checks":
            values["checks"], values["allow"] = _check_checks(value, lines, path, diags)
        elif key == "languages":
            values["languages_set"] = _check_languages(value, data, lines, path, diags)
        elif key == "strings":
            values["strings"] = value  # checked once the site's languages are known (`check_strings`)
        elif key == "tags" and isinstance(value, dict) and any(isinstance(label, dict) for label in value.values()):
            values["tags"], values["tag_labels"] = _check_tag_labels(value, lines, path, diags)
        else:
            mapping = _check_mapping(key, value, line, path, diags)
            if mapping is not None:
                values[key] = mapping
    return values


ALLOWING = ("risky-claim",)  # the checks that take an allow-list of phrases


def _check_checks(value: Any, lines: dict[str, int], path: str,
                  diags: Diagnostics) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Read `checks:`: per code a level (`off`, `warning`, `error`), or a mapping with `level` and `allow`, a list of
    phrases the check lets pass."""
    levels: dict[str, str] = {}
    allow: dict[str, tuple[str, ...]] = {}
    if not isinstance(value, dict):
        diags.error("config-type", path, lines.get("checks"), "'checks' must be a mapping of check codes to levels",
                    hint="Write it like 'checks: {orphan-article: off}'")
        return levels, allow
    for code, setting in value.items():
        line = lines.get(f"checks.{code}", lines.get("checks"))
        if isinstance(setting, dict):
            unknown = [key for key in setting if key not in ("level", "allow")]
            phrases = setting.get("allow", [])
            if unknown:
                diags.error("config-unknown-key", path, line, f"unknown setting 'checks.{code}.{unknown[0]}'",
                            hint=did_you_mean(str(unknown[0]), ("level", "allow")) or "Use 'level' and 'allow'")
            if "allow" in setting and code not in ALLOWING:
                diags.error("config-type", path, line, f"check '{code}' takes no 'allow' list",
                            hint=f"Only {', '.join(ALLOWING)} does; set its level instead")
            elif not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                diags.error("config-type", path, line, f"'checks.{code}.allow' must be a list of phrases",
                            hint='Write it like \'allow: ["guaranteed issue"]\'')
            elif phrases:
                allow[str(code)] = tuple(" ".join(p.split()) for p in phrases)
            setting = setting.get("level")
            if setting is None:
                continue
        setting = "off" if setting is False else setting  # YAML 1.1 reads a bare `off` as false
        if setting not in LEVELS:
            diags.error("config-type", path, line, f"check '{code}' has level '{setting}'",
                        hint="Use error, warning or off")
        else:
            levels[str(code)] = setting
    return levels, allow


def _text_ok(key: str, value: Any, line: int | None, path: str, diags: Diagnostics) -> bool:
    """Refuse invisible control characters in text settings, and a language that is no language tag."""
    if isinstance(value, str) and _CONTROL.search(value):
        diags.error("config-type", path, line, f"'{key}' contains an invisible control character",
                    hint="Remove escapes such as \\0 or \\x07 from the value")
        return False
    if key == "contact" and not contact_href(value):
        diags.error("config-type", path, line, f"'contact' is neither a web address nor an email address: {value!r}",
                    hint="Use a page such as 'https://example.org/contact/' or an address such as 'editor@example.org'")
        return False
    if key == "language" and not _LANGUAGE.match(value):
        diags.error("config-type", path, line, f"'language' is not a language tag: {value!r}",
                    hint="Use a tag such as 'en' or 'en-GB'")
        return False
    return True


def contact_href(contact: str) -> str:
    """Return the link for the `contact` setting: a web address as it is, an email address as mailto:; '' when it is
    neither."""
    contact = contact.strip()
    parts = urlsplit(contact)
    if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"[\s\"'<>]", contact):
        return contact
    if re.fullmatch(r"(?:mailto:)?[^@\s\"'<>:/]+@[^@\s\"'<>:/]+\.[^@\s\"'<>:/]+", contact):
        return contact if contact.startswith("mailto:") else f"mailto:{contact}"
    return ""


def _check_section(key: str, value: Any, lines: dict[str, int], path: str, diags: Diagnostics) -> Any:
    """Build one nested settings section such as `review:`."""
    cls = _SECTIONS[key]
    if not isinstance(value, dict):
        diags.error("config-type", path, lines.get(key), f"'{key}' must be a mapping of settings")
        return None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, item in value.items():
        line = lines.get(f"{key}.{name}", lines.get(key))
        if name not in fields:
            diags.error("config-unknown-key", path, line, f"unknown setting '{key}.{name}'",
                        hint=did_you_mean(str(name), fields))
            continue
        default = fields[name].default
        expected = _OPTIONAL.get(f"{key}.{name}") or (type(default) if default is not dataclasses.MISSING else dict)
        converted = _convert(item, expected)
        least, hint = _LEAST.get(f"{key}.{name}", (None, None))
        most = _MOST.get(f"{key}.{name}")
        if converted is None:
            diags.error("config-type", path, line, f"'{key}.{name}' must be {_type_name(expected)}")
        elif least is not None and (converted < least or (most is not None and converted > most)):
            bounds = f"from {least} to {most}" if most is not None else f"{least} or more"
            diags.error("config-type", path, line, f"'{key}.{name}' must be {bounds}, not {converted}", hint=hint)
        else:
            kwargs[name] = converted
    return cls(**kwargs)


def _convert(value: Any, expected: type) -> Any:
    """Return `value` as the expected type, or None when it cannot be."""
    if expected is float and _is_type(value, int):
        return float(value)
    if expected is tuple and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if expected is dict and isinstance(value, dict):
        if all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()):
            return {str(k): tuple(v) for k, v in value.items()}
        return None
    return value if _is_type(value, expected) else None


def _check_mapping(key: str, value: Any, line: int | None, path: str, diags: Diagnostics) -> dict | None:
    """Check `tags` or `tag_aliases`: a flat mapping of names to text."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        diags.error("config-type", path, line, f"'{key}' must be a mapping of names to text")
        return None
    result = {str(k): v for k, v in value.items()}
    bad = [slug for slug in (result if key == "tags" else result.values()) if not _TAG_SLUG.match(slug)]
    for slug in bad:
        diags.error("config-type", path, line, f"tag '{slug}' in '{key}' is not a lowercase-hyphenated name")
    return result


def _normalise_base_url(url: str, path: str, diags: Diagnostics) -> str:
    """Require a root path ("/", "/docs/") or an http(s) URL, and end it with '/'."""
    parts = urlsplit(url)
    if (parts.scheme in ("http", "https") and parts.netloc) or (not parts.scheme and url.startswith("/")):
        if not re.search(r"[\s\"'<>\\]", url) and not parts.query and not parts.fragment:
            return url if url.endswith("/") else url + "/"
    diags.error("config-base-url", path, None, f"base_url '{url}' is not a site address",
                hint="Use a path such as '/' or '/my-site/', or a URL such as 'https://example.org/'")
    return "/"


def _is_type(value: Any, expected: type) -> bool:
    if expected in (int, float):
        return isinstance(value, expected) and not isinstance(value, bool)
    return isinstance(value, expected)


def _type_name(expected: type) -> str:
    return {str: "text", bool: "true or false", int: "a whole number", float: "a number",
            tuple: "a list of names", dict: "a mapping"}.get(expected, expected.__name__)


def _shown_path(path: Path) -> str:
    """Return the path as the writer would type it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
