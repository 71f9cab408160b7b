"""Plain-text statistics of a Markdown body: words, sentences, reading grade, reading time."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

WORDS_PER_MINUTE = 200

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
_ADMONITION = re.compile(r'^\s*!!!\s*\w+(?:\s+"([^"]*)")?\s*$', re.M)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", re.M)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n(?=\s*\S)")
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
        return max(1, round(self.words / WORDS_PER_MINUTE))


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


@functools.lru_cache(maxsize=65536)  # a site reuses a few thousand words; this halves the cost of a body
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


def text_stats(markdown_source: str) -> TextStats:
    """Measure the prose of a Markdown body: every line, list item and heading ends a sentence."""
    return prose_stats(plain_text(markdown_source))


def prose_stats(text: str) -> TextStats:
    """Measure prose already stripped of markup by `plain_text`."""
    words = Counter(_WORD.findall(text))  # an article repeats its words: count each distinct one once
    pieces = [piece for piece in _SENTENCE_END.split(text) if _WORD.search(piece)]
    return TextStats(
        words=sum(words.values()),
        sentences=max(1, len(pieces)),
        syllables=sum(syllables(word) * count for word, count in words.items()),
    )
