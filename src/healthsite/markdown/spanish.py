"""Count the syllables of Spanish words, for the Spanish readability formula (readability.py)."""

from __future__ import annotations

import functools
import re
from itertools import pairwise

_STRONG = frozenset("aeoáéó")  # open vowels: two side by side are two syllables (le-er, a-é-re-o)
_STRESSED_WEAK = frozenset("íú")  # a written accent on i or u parts it from an open vowel (dí-a, re-ú-ne)
_VOWEL_GROUP = re.compile(r"[aeiouáéíóúü]+")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")  # que, quien, guerra, guía: the u is not said (güe, güi are)
_Y_AS_VOWEL = re.compile(r"y(?![aeiouáéíóúü])")  # hoy, muy, rey, the word "y"; before a vowel (ya, ayuda) a consonant


@functools.lru_cache(maxsize=65536)  # a site reuses a few thousand words: each is counted once
def spanish_syllables(word: str) -> int:
    """Count a Spanish word's syllables by the spelling rules of the Real Academia Española.

    Each group of vowels is one syllable (a diphthong such as ia, ue, io, iu or ui, or a triphthong such as uey),
    split where two open vowels meet (a, e, o, with or without an accent: le-er, po-e-ta) and where an accented í or
    ú meets an open vowel (dí-a, pa-ís, re-ú-ne: a hiatus); u is silent in que, qui, gue and gui, y is a vowel at the
    end of a word or before a consonant, and h does not join vowels (a-ho-ra). So ciática is 3 (ciá-ti-ca), día 2,
    músculo 3 and buey 1. A number counts as one syllable, as in the English count.
    """
    word = word.lower()
    if not word or word.isdigit():
        return 1
    word = _Y_AS_VOWEL.sub("i", _SILENT_U.sub("", word))
    count = 0
    for group in _VOWEL_GROUP.findall(word):
        count += 1 + sum(1 for before, after in pairwise(group) if _hiatus(before, after))
    return max(1, count)


def _hiatus(before: str, after: str) -> bool:
    """Tell whether two vowels side by side belong to two syllables."""
    if before in _STRONG:
        return after in _STRONG or after in _STRESSED_WEAK
    if before in _STRESSED_WEAK:
        return after in _STRONG
    return before == after and before in "iu"  # chi-i-ta, du-un-vi-ro
