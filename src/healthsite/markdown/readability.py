"""Plain-text statistics of a Markdown body: words, sentences, reading time, and how hard it is to read by the
formula made for its language (`measure`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import filterfalse
from typing import Literal

from .spanish import spanish_syllables

WORDS_PER_MINUTE = 200
MEASURED_WORDS = 100  # a shorter text has too few sentences for a readability score to mean anything
TARGET_GRADE = 8.0  # readability.target_grade's default

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_LINK = re.compile(r"(?:!\[|\[)([^\]]*)\]\([^)]*\)")  # '!?\[' alike, but the engine can skip to a '!' or '['
_HTML = re.compile(r"<[^>]+>")
_ADMONITION = re.compile(r'^\s*!!!\s*\w+(?:\s+"([^"]*)")?\s*$', re.M)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", re.M)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n(?=\s*\S)")
# A word (group 1) or a sentence end (''): the two never overlap, so one scan finds what both would
_WORD_OR_END = re.compile(f"({_WORD.pattern})|{_SENTENCE_END.pattern}")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


@dataclass(frozen=True, slots=True)
class TextStats:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Return the Flesch-Kincaid grade level, rounded to one decimal."""
        if not self.words:
            return 0.0
        value = 0.39 * self.words / max(self.sentences, 1) + 11.8 * self.syllables / self.words - 15.59
        return round(value, 1)

    @property
    def minutes(self) -> int:
        """Return the reading time in whole minutes, at least one."""
        return reading_minutes(self.words)


def reading_minutes(words: int) -> int:
    """Return the reading time of so many words in whole minutes, at least one."""
    return max(1, round(words / WORDS_PER_MINUTE))


def plain_text(markdown_source: str) -> str:
    """Strip Markdown markup, code and HTML so only the prose a reader reads remains."""
    text = markdown_source
    if "```" in text or "~~~" in text:  # each pattern runs only where what it needs is present: it is the same text
        text = _FENCE.sub("", text)
    if "!!!" in text:
        text = _ADMONITION.sub(lambda m: (m.group(1) or "") + ".", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _HTML.sub(" ", text)
    text = _MARKUP.sub("", text)
    return text.replace("**", "").replace("__", "").replace("`", "")


_SYLLABLES: dict[str, int] = {}  # a site reuses a few thousand words: each is counted once
_SYLLABLES_KEPT = 65536


def syllables(word: str) -> int:
    """Count a word's syllables with the usual vowel-group heuristic."""
    word = word.lower().replace("’", "'").split("'")[0]
    if word.isdigit() or not word:
        return 1
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith("ed") and len(word) > 3 and word[-3] not in "td" and count > 1:
        count -= 1
    return max(1, count)


def _syllables_of(words: list[str]) -> int:
    """Return the syllables in a list of words, counting each word not seen before once."""
    new = set(words).difference(_SYLLABLES)
    if new:
        if len(_SYLLABLES) + len(new) > _SYLLABLES_KEPT:
            _SYLLABLES.clear()
            new = set(words)
        _SYLLABLES.update((word, syllables(word)) for word in new)
    return sum(map(_SYLLABLES.__getitem__, words))


_LETTERS_AND_DIGITS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # the ASCII characters `\s` (and str.split) take for space
# For `prose_stats`, one byte per byte of UTF-8 text. Words: what `_WORD` may match kept, the rest a space.
_WORD_BYTES = bytes(c if c in _LETTERS_AND_DIGITS or c in b"'.," else 32 for c in range(256))
# Sentences: a word character 'a', an end mark '.', a space ' ', a newline, anything else '#'.
_MARK_BYTES = bytes(ord("a") if c in _LETTERS_AND_DIGITS else ord(".") if c in b".!?" else c if c == 10
                    else 32 if c in _ASCII_SPACE else ord("#") for c in range(256))
_RARE = re.compile(r"[^\S\x00-\x7f]|[^\D\x00-\x7f]")  # a space or digit beyond ASCII: `\s` and `\d` take those


def prose_stats(text: str) -> TextStats:
    """Measure prose already stripped of markup by `plain_text`: its words are what `_WORD` finds, a sentence is a
    run of words between `_SENTENCE_END`s (every line, list item and heading ends one).

    Found with C string methods, twice as fast as the patterns: a word cannot hold a space or any character outside
    `_WORD_BYTES`, so the text splits into pieces that are a whole word when all letters (most are); the others,
    stripped of the '.' and ',' a word never starts or ends with, go to `_WORD`. Two words are in one sentence
    unless what lies between them holds a newline or a '.', '!' or '?' before a space: each such place becomes a
    newline, and the sentences are the runs of word characters those newlines leave.
    """
    if not text.isascii():
        if _RARE.search(text):
            return _prose_stats_by_pattern(text)
        text = text.replace("’", "'")  # the same word for `_WORD`, and for `syllables`
    data = text.encode()
    pieces = data.translate(_WORD_BYTES).decode("ascii").split()
    words = list(filter(str.isalpha, pieces))
    if len(words) < len(pieces):
        others = [piece.strip(".,") for piece in filterfalse(str.isalpha, pieces)]
        words += filter(str.isalpha, others)
        words += _WORD.findall(" ".join(filterfalse(str.isalpha, others)))
    marks = data.translate(_MARK_BYTES).replace(b". ", b"\n").translate(None, b" .#")  # only 'a' and newlines
    return TextStats(
        words=len(words),
        sentences=max(1, marks.count(b"a\n") + marks.endswith(b"a")),
        syllables=_syllables_of(words),
    )


def _prose_stats_by_pattern(text: str, word_or_end: re.Pattern[str] = _WORD_OR_END,
                            syllables_of: Callable[[list[str]], int] = _syllables_of) -> TextStats:
    """`prose_stats` by the patterns themselves, for text with spaces or digits beyond ASCII (or, given another
    language's word pattern and syllable count, that language's `prose_stats`)."""
    tokens = word_or_end.findall(text)
    words = list(filter(None, tokens))
    runs = bytes(map(bool, tokens)).split(b"\0")  # one byte per token, 1 for a word: runs of 1s are sentences
    return TextStats(
        words=len(words),
        sentences=max(1, len(runs) - runs.count(b"")),
        syllables=syllables_of(words),
    )


# A Spanish word is any run of letters (á, ñ, ü and the rest), where the English count knows only A to Z; the
# sentences end where they do in English.
_SPANISH_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*"
_SPANISH_WORD_OR_END = re.compile(f"({_SPANISH_WORD})|{_SENTENCE_END.pattern}")


def spanish_prose_stats(text: str) -> TextStats:
    """Measure Spanish prose already stripped of markup by `plain_text`: words of any letters, syllables by
    `spanish_syllables`, sentences as `prose_stats` finds them."""
    return _prose_stats_by_pattern(text, _SPANISH_WORD_OR_END, _spanish_syllables_of)


def _spanish_syllables_of(words: list[str]) -> int:
    return sum(map(spanish_syllables, words))


def szigriszt_pazos(stats: TextStats) -> float:
    """Return the Szigriszt-Pazos perspicuity, 206.835 - 62.3 * syllables / words - words / sentences, rounded to
    one decimal (Szigriszt Pazos, F. 1993, "Sistemas predictivos de legibilidad del mensaje escrito: fórmula de
    perspicuidad", doctoral thesis, Universidad Complutense de Madrid)."""
    if not stats.words:
        return 0.0
    return round(206.835 - 62.3 * stats.syllables / stats.words - stats.words / max(stats.sentences, 1), 1)


# The INFLESZ scale for the Szigriszt-Pazos score, validated on Spanish texts for patients: Barrio-Cantalejo I.M.
# et al. 2008, "Validación de la Escala INFLESZ para evaluar la legibilidad de los textos dirigidos a pacientes",
# Anales del Sistema Sanitario de Navarra 31(2):135-152. Each level from its lowest score.
INFLESZ_LEVELS = ((80.0, "muy fácil"), (65.0, "bastante fácil"), (55.0, "normal"), (40.0, "algo difícil"))
INFLESZ_NORMAL = 55.0  # the lowest score INFLESZ calls "normal", the least a text for the public should reach


def inflesz_level(score: float) -> str:
    """Name the INFLESZ level of a Szigriszt-Pazos score: 'muy difícil' below 40 up to 'muy fácil' from 80."""
    return next((name for lowest, name in INFLESZ_LEVELS if score >= lowest), "muy difícil")


@dataclass(frozen=True, slots=True)
class Readability:
    """How hard a text is to read, by the formula made for its language, held to a limit on that formula's scale."""

    formula: str  # "Flesch-Kincaid" (English) or "Szigriszt-Pazos" (Spanish)
    scale: Literal["grade", "ease"]  # a grade: school years, lower is easier; an ease: 0 to 100, higher is easier
    score: float  # one decimal; a grade never below 0, an ease within 0 to 100
    limit: float  # the hardest score that passes: the most for a grade, the least for an ease
    level: str = ""  # the score's name on the formula's published scale, where it has one ("algo difícil")
    levels: str = ""  # that scale's name ("INFLESZ")

    @property
    def passes(self) -> bool:
        """Tell whether the score is no harder than the limit."""
        return self.score <= self.limit if self.scale == "grade" else self.score >= self.limit

    @property
    def problem(self) -> str:
        """Say how the score misses the limit, naming the formula's measure (the readability-grade message)."""
        if self.scale == "grade":
            return f"reading grade {self.score:g} is above the target of {self.limit:g}"
        level = f", '{self.level}' on the {self.levels} scale" if self.level else ""
        return f"reading ease {self.score:g} ({self.formula}) is below {self.limit:g}{level}"


@dataclass(frozen=True, slots=True)
class Formula:
    """A readability formula and the way of counting words, sentences and syllables it is used with."""

    name: str
    scale: Literal["grade", "ease"]
    count: Callable[[str], TextStats]
    rate: Callable[[TextStats, float], Readability]  # counts and the target grade -> score


def _flesch_kincaid(stats: TextStats, target_grade: float) -> Readability:
    return Readability("Flesch-Kincaid", "grade", max(0.0, stats.grade), target_grade)


def _szigriszt_pazos(stats: TextStats, target_grade: float) -> Readability:
    score = min(100.0, max(0.0, szigriszt_pazos(stats)))
    return Readability("Szigriszt-Pazos", "ease", score, INFLESZ_NORMAL, inflesz_level(score), "INFLESZ")


FORMULAS = {
    "en": Formula("Flesch-Kincaid", "grade", prose_stats, _flesch_kincaid),
    "es": Formula("Szigriszt-Pazos", "ease", spanish_prose_stats, _szigriszt_pazos),
}
"""Primary language subtag -> its formula. A language not listed is not measured: no other language's formula
fits it (an English grade of Welsh or French text would be a number without meaning)."""


def formula_for(language: str) -> Formula | None:
    """Return the formula for a BCP 47 language tag ('en-GB', 'es-MX' and 'es' alike), None when it has none."""
    return FORMULAS.get(language.replace("_", "-").split("-", 1)[0].lower())


def measure(text: str, language: str, target_grade: float = TARGET_GRADE) -> Readability | None:
    """Score prose already stripped of markup by `plain_text` with the formula made for its language; None when
    that language has no formula or the text has fewer than MEASURED_WORDS words. `target_grade` is the limit of a
    grade (readability.target_grade); an ease is held to its own scale's limit."""
    formula = formula_for(language)
    return None if formula is None else rate(formula, formula.count(text), target_grade)


def rate(formula: Formula, stats: TextStats, target_grade: float = TARGET_GRADE) -> Readability | None:
    """Score counts made by `formula.count` (the render stage's, for English); None under MEASURED_WORDS words."""
    return None if stats.words < MEASURED_WORDS else formula.rate(stats, target_grade)
