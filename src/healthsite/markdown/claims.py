"""Find words that promise too much in health writing ("cure", "miracle", "guaranteed", "detox", "100%")."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

RISKY_WORDS = re.compile(r"\b(?:cur(?:e[sd]?|ing)|miracle|miracles|miraculous|guarantee[sd]?|detox\w*)\b"
                         r"|\b100\s?%(?=\s*(?:safe|effective|natural|proven|guaranteed|success\w*|cure[sd]?|results?"
                         r"|relief|recovery|pain[- ]free)\b)",  # "100% effective", not "100% of the premiums"
                         re.IGNORECASE)
# Every risky word contains one of these runs, which the _NOT_CLAIMS blanking cannot create: text without
# them has no risky claim, and checking that once per body keeps a large site's check fast.
RISKY_STEMS = ("cur", "mirac", "guarantee", "detox", "100")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Quoted speech, code, links (their text names another page, as "Guaranteed Issue" names a policy) and quotes are
# not the writer's own claims.
_NOT_CLAIMS = re.compile(r'"[^"]*"|“[^”]*”|`[^`]*`|!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])|<a\b[^>]*>.*?</a>|<[^>]*>'
                         r'|^\s*>.*$|^\s*\[[^\]]+\]:.*$', re.IGNORECASE)


def text_claims(text: str, allow: Sequence[str] = ()) -> Iterator[str]:
    """Yield each risky word of a line of text, outside quotations, code, links and the phrases a site allows
    (`checks: {risky-claim: {allow: [...]}}`, whole words, any case)."""
    text = _NOT_CLAIMS.sub(" ", text)
    if allow:
        text = allowed_phrases(tuple(allow)).sub(" ", text)
    for match in RISKY_WORDS.finditer(text):
        yield match.group(0)


@functools.lru_cache(maxsize=16)
def allowed_phrases(allow: tuple[str, ...]) -> re.Pattern[str]:
    """Match any of the allowed phrases as whole words, any case, any spacing."""
    words = (r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in allow)
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def body_claims(body: str, body_line: int) -> list[tuple[int, str]]:
    """Return (file line, word) for each risky word of a Markdown body, fenced code left out."""
    found: list[tuple[int, str]] = []
    if not _maybe_risky(body):
        return found
    in_fence = False
    for index, text in enumerate(body.split("\n")):
        if _FENCE.match(text):
            in_fence = not in_fence
            continue
        if not in_fence and _maybe_risky(text):
            found.extend((body_line + index, word) for word in text_claims(text))
    return found


def _maybe_risky(text: str) -> bool:
    """Tell whether text holds a risky word's stem; plain substring tests are many times faster than a regex."""
    lowered = text.lower()
    return any(stem in lowered for stem in RISKY_STEMS)
