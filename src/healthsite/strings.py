"""The theme's text in each language: its catalogs (strings/<tag>.yaml beside templates/), a site's `strings:` over
them, and `Strings`, the `t` a page's templates read.

A language's text is its primary subtag's catalog ('es' for 'es-MX'), then its own tag's where the theme has one,
then the site's `strings:` for that language, each over the one before. The English catalog names every string;
a language that leaves any of them out is an error, never English in silence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from markupsafe import Markup, escape

from .diagnostics import Diagnostics, did_you_mean

if TYPE_CHECKING:
    from .config import SiteConfig

REFERENCE = "en"
"""The catalog that names every string the theme shows."""
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
# The languages' names in English, for messages to a site's writers; a tag not here is named by itself.
ENGLISH_NAMES = {"ar": "Arabic", "cy": "Welsh", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
                 "ga": "Irish", "hi": "Hindi", "it": "Italian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
                 "ro": "Romanian", "ru": "Russian", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "zh": "Chinese"}


class Strings:
    """The theme's text in one language, as templates read it (`t`): `t.on_this_page` is a text as it is,
    `t("written_by", author=link)` one with its {placeholders} filled (each value escaped unless it is Markup, such
    as a link made in the template), `t.plural("article_count", n)` the `_one` or `_other` text for a count, and
    `t.date(day)` / `t.month(day)` a date in words."""

    def __init__(self, language: str, texts: Mapping[str, str]):
        # Each text an attribute, which templates read as fast as any; none hides a helper.
        self.__dict__.update((key, text) for key, text in texts.items() if not hasattr(Strings, key))
        self._language = language
        self._texts = dict(texts)

    def __getitem__(self, key: str) -> str:
        return self._texts[key]

    def __call__(self, key: str, /, **values: Any) -> Markup:
        """Return a text with its {placeholders} filled, as HTML: the text escaped, each value escaped unless it is
        Markup already."""
        return Markup(fill(str(escape(self._texts[key])), {name: escape(value) for name, value in values.items()},
                           key))

    def plural(self, key: str, count: int, /, **values: Any) -> Markup:
        """Return `key_one` for a count of 1, else `key_other`, filled with `count` and the other values."""
        return self(f"{key}_{'one' if count == 1 else 'other'}", count=count, **values)

    def text(self, key: str, /, **values: Any) -> str:
        """Return a text with its {placeholders} filled, as plain text: for titles and descriptions made in Python."""
        return fill(self._texts[key], {name: str(value) for name, value in values.items()}, key)

    def date(self, day: date) -> str:
        """Return a day in words: '7 December 2026', '7 de diciembre de 2026'."""
        return self.text("date_format", day=day.day, month=self._texts[MONTHS[day.month - 1]], year=day.year)

    def month(self, day: date) -> str:
        """Return a day's month in words: 'December 2026', 'diciembre de 2026'."""
        return self.text("month_format", month=self._texts[MONTHS[day.month - 1]], year=day.year)

    def __repr__(self) -> str:
        return f"<the theme's text in {self._language}>"


HELPERS = frozenset(name for name in vars(Strings) if not name.startswith("_"))
"""What `t` does besides holding texts: no string may take one of these names."""


def fill(text: str, values: Mapping[str, str], key: str = "") -> str:
    """Put each value in place of its {name} in a text; a name with no value is a mistake in the template."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"the text '{key}' needs a value for {{{name}}}: t('{key}', {name}=...)")
        return values[name]
    return _PLACEHOLDER.sub(value, text)


def placeholders(text: str) -> set[str]:
    """Return the names a text has {placeholders} for."""
    return set(_PLACEHOLDER.findall(text))


def read_catalogs(theme_dir: Path) -> dict[str, dict[str, str]]:
    """Read the theme's catalogs: language tag in lower case -> key -> text. The configuration's check and the pages
    both ask for them: each version of the files is parsed once."""
    folder = theme_dir / "strings"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return _parsed(tuple((file, stat.st_mtime_ns, stat.st_size) for file in files for stat in [file.stat()]))


@functools.lru_cache(maxsize=4)
def _parsed(files: tuple[tuple[Path, int, int], ...]) -> dict[str, dict[str, str]]:
    """Parse catalog files, given with their modification time and size (which key the cache)."""
    return {file.stem.lower(): {str(key): str(text) for key, text in (yaml.safe_load(file.read_text("utf-8")) or
                                                                     {}).items()} for file, _, _ in files}


def language_texts(code: str, catalogs: Mapping[str, Mapping[str, str]],
                   overrides: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Return one language's text: its primary subtag's catalog, its own tag's, then the site's `strings:`."""
    texts: dict[str, str] = {}
    for tag in dict.fromkeys((code.split("-")[0].lower(), code.lower())):
        texts.update(catalogs.get(tag, {}))
    texts.update(overrides.get(code, {}))
    return texts


def site_strings(config: SiteConfig, theme_dir: Path) -> dict[str, Strings]:
    """Return `t` for each of a site's languages: the theme's catalogs with the site's `strings:` over them."""
    catalogs = read_catalogs(theme_dir)
    return {language.code: Strings(language.code, language_texts(language.code, catalogs, config.strings))
            for language in config.languages}


def english_name(code: str) -> str:
    """Name a language for a message: 'Welsh (cy)', or the tag alone when ENGLISH_NAMES does not know it."""
    name = ENGLISH_NAMES.get(code.split("-")[0].lower())
    return f"{name} ({code})" if name else f"'{code}'"


def check_strings(value: Any, languages: Iterable[tuple[str, int | None]], lines: Mapping[str, int], path: str,
                  diags: Diagnostics, theme_dir: Path) -> dict[str, dict[str, str]]:
    """Read `strings:` (language -> key -> text) against the site's languages and the theme's keys; report each
    language that would still lack text, naming the keys."""
    catalogs = read_catalogs(theme_dir)
    reference = catalogs.get(REFERENCE, {})
    languages = dict(languages)  # tag -> the line that names it
    overrides = _check_overrides(value, languages, reference, lines, path, diags) if value is not None else {}
    for code, line in languages.items():
        texts = language_texts(code, catalogs, overrides)
        missing = [key for key in reference if key not in texts]
        if missing:
            count = f"{len(missing)} string{'s' if len(missing) != 1 else ''}"
            diags.error("strings-missing", path, lines.get(f"strings.{code}", line),
                        f"the theme has no {english_name(code)} text for {count}: {', '.join(missing)}",
                        hint=f"Add them under 'strings: {{{code}: {{...}}}}' in {Path(path).name}; the theme's "
                        "strings/en.yaml has each one in English")
    return overrides


def _check_overrides(value: Any, languages: Mapping[str, int | None], reference: Mapping[str, str],
                     lines: Mapping[str, int], path: str, diags: Diagnostics) -> dict[str, dict[str, str]]:
    """Keep the texts of `strings:` that name one of the site's languages, a key of the theme and fit it."""
    if not isinstance(value, dict) or not all(isinstance(texts, dict) for texts in value.values()):
        diags.error("config-type", path, lines.get("strings"), "'strings' must map each language to its texts",
                    hint="Write it like 'strings: {en-GB: {search_placeholder: \"For example: sciatica\"}}'")
        return {}
    found: dict[str, dict[str, str]] = {}
    for code, texts in value.items():
        where = lines.get(f"strings.{code}", lines.get("strings"))
        if code not in languages:
            diags.error("config-unknown-key", path, where, f"'strings' gives text for '{code}', which is not one of "
                        f"the site's languages ({', '.join(languages)})",
                        hint=_closest_language(str(code), languages) or "Add it to 'languages', or remove its texts")
            continue
        found[code] = {}
        for key, text in texts.items():
            line = lines.get(f"strings.{code}.{key}", where)
            if key not in reference:
                diags.error("config-unknown-key", path, line, f"unknown string '{key}' in 'strings.{code}'",
                            hint=did_you_mean(str(key), reference) or "The theme's strings/en.yaml lists every one")
            elif not isinstance(text, str) or _CONTROL.search(text):
                diags.error("config-type", path, line, f"'strings.{code}.{key}' must be text, without invisible "
                            "control characters", hint=f"Write it like '{key}: \"{reference[key]}\"'")
            elif unknown := sorted(placeholders(text) - placeholders(reference[key])):
                known = " ".join(f"{{{name}}}" for name in sorted(placeholders(reference[key])))
                diags.error("config-type", path, line, f"'strings.{code}.{key}' uses {{{unknown[0]}}}, which the "
                            "theme does not fill in", hint=f"It may use {known}" if known else "It takes no {...}")
            else:
                found[code][key] = text
    return found


def _closest_language(code: str, languages: Iterable[str]) -> str:
    """Suggest the site's language a misspelt tag means: the same tag in other case, the same language in another
    region ('es-ES' for 'es'), else the closest spelling."""
    for same in (lambda tag: tag.lower() == code.lower(),
                 lambda tag: tag.split("-")[0].lower() == code.split("-")[0].lower()):
        found = [tag for tag in languages if same(tag)]
        if found:
            return f"Did you mean '{found[0]}'?"
    return did_you_mean(code, languages)
