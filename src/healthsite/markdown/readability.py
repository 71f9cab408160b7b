"""Plain-text statistics of a Markdown body: words, sentences, reading grade, reading time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import filterfalse

WORDS_PER_MINUTE = 200

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


def _prose_stats_by_pattern(text: str) -> TextStats:
    """`prose_stats` by the patterns themselves, for text with spaces or digits beyond ASCII."""
    tokens = _WORD_OR_END.findall(text)
    words = list(filter(None, tokens))
    runs = bytes(map(bool, tokens)).split(b"\0")  # one byte per token, 1 for a word: runs of 1s are sentences
    return TextStats(
        words=len(words),
        sentences=max(1, len(runs) - runs.count(b"")),
        syllables=_syllables_of(words),
    )
