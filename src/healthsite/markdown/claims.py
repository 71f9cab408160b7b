"""Find words that promise too much in health writing, in the article's language: "cure", "miracle", "guaranteed",
"detox", "100%" in English; "cura", "milagro", "garantizado", "100 % natural" in Spanish."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClaimWords:
    """One language's risky words, and what is not the writer's own claim in that language."""

    pattern: re.Pattern[str]
    stems: tuple[str, ...]  # every risky word holds one of these, lower-cased: text without them holds none
    not_claims: re.Pattern[str]  # quotations, code and links, blanked before the words are looked for


# Quoted speech, code, links (their text names another page, as "Guaranteed Issue" names a policy) and quotes are
# not the writer's own claims.
_NOT_CLAIMS = re.compile(r'"[^"]*"|“[^”]*”|`[^`]*`|!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])|<a\b[^>]*>.*?</a>|<[^>]*>'
                         r'|^\s*>.*$|^\s*\[[^\]]+\]:.*$', re.IGNORECASE)

ENGLISH = ClaimWords(
    re.compile(r"\b(?:cur(?:e[sd]?|ing)|miracle|miracles|miraculous|guarantee[sd]?|detox\w*)\b"
               r"|\b100\s?%(?=\s*(?:safe|effective|natural|proven|guaranteed|success\w*|cure[sd]?|results?"
               r"|relief|recovery|pain[- ]free)\b)",  # "100% effective", not "100% of the premiums"
               re.IGNORECASE),
    # The _NOT_CLAIMS blanking cannot create these runs; checking for them once per body keeps a large site fast.
    ("cur", "mirac", "guarantee", "detox", "100"),
    _NOT_CLAIMS,
)

# Whole words in any case; where a word has a written accent, the spelling without it matches too (writers and
# keyboards drop accents: "curacion", "garantia"). Forms of curar, milagro and garantizar, and phrases that
# promise safety or a final answer.
SPANISH = ClaimWords(
    re.compile(r"\b(?:cur(?:a|as|an|e|en|ar|arse|arlo|arla|ando|[oó]|aron|ar[aá]|ar[aá]n|ar[ií]a|ar[ií]an"
               r"|ad[oa]s?|aci[oó]n|aciones|ativ[oa]s?)"
               r"|milagros?|milagros[oa]s?|milagrosamente"
               r"|garantiz(?:a|an|amos|ar|ad[oa]s?)|garant[ií]as?"
               r"|detox\w*|depurativ[oa]s?|desintoxicantes?"
               r"|sin\s+riesgos?|sin\s+efectos\s+secundarios|soluci[oó]n\s+definitiva|remedio\s+definitivo)\b"
               r"|(?:\b100\s?%|\bcien\s+por\s+(?:cien|ciento)\b)(?=\s*(?:natural(?:es)?|efectiv[oa]s?|eficaz(?:es)?"
               r"|segur[oa]s?|probad[oa]s?|comprobad[oa]s?|garantizad[oa]s?|[eé]xito|resultados?|alivio"
               r"|recuperaci[oó]n|curaci[oó]n|sin\s+dolor)\b)",  # "100 % natural", not "el 100 % de los casos"
               re.IGNORECASE),
    ("cur", "milagr", "garant", "detox", "depurativ", "desintox", "riesgo", "secundarios", "definitiv", "100", "cien"),
    re.compile(r"«[^»]*»|" + _NOT_CLAIMS.pattern, re.IGNORECASE),  # «comillas latinas» quote too
)

CLAIM_WORDS: Mapping[str, ClaimWords] = {"en": ENGLISH, "es": SPANISH}
"""Primary language subtag -> its risky words. A language not listed has no list, and nothing is checked in it:
another language's list would miss its claims and could flag its ordinary words."""

_FENCE = re.compile(r"^\s*(```|~~~)")


def claim_words(language: str) -> ClaimWords | None:
    """Return the risky words of a BCP 47 language tag ('en-GB', 'es-MX' and 'es' alike), None when it has none."""
    return CLAIM_WORDS.get(language.replace("_", "-").split("-", 1)[0].lower())


def text_claims(text: str, allow: Sequence[str] = (), words: ClaimWords = ENGLISH) -> Iterator[str]:
    """Yield each of `words`' risky words in a line of text, outside quotations, code, links and the phrases a site
    allows (`checks: {risky-claim: {allow: [...]}}`, whole words, any case)."""
    text = words.not_claims.sub(" ", text)
    if allow:
        text = allowed_phrases(tuple(allow)).sub(" ", text)
    for match in words.pattern.finditer(text):
        yield match.group(0)


@functools.lru_cache(maxsize=16)
def allowed_phrases(allow: tuple[str, ...]) -> re.Pattern[str]:
    """Match any of the allowed phrases as whole words, any case, any spacing."""
    phrases = (r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in allow)
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


def body_claims(body: str, body_line: int, words: ClaimWords = ENGLISH) -> list[tuple[int, str]]:
    """Return (file line, word) for each of `words`' risky words in a Markdown body, fenced code left out."""
    found: list[tuple[int, str]] = []
    if not _maybe_risky(body, words):
        return found
    in_fence = False
    for index, text in enumerate(body.split("\n")):
        if _FENCE.match(text):
            in_fence = not in_fence
            continue
        if not in_fence and _maybe_risky(text, words):
            found.extend((body_line + index, word) for word in text_claims(text, (), words))
    return found


def _maybe_risky(text: str, words: ClaimWords) -> bool:
    """Tell whether text holds a risky word's stem; plain substring tests are many times faster than a regex."""
    lowered = text.lower()
    return any(stem in lowered for stem in words.stems)
