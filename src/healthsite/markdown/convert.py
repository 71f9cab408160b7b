"""Render one Markdown body: convert it, sanitise the HTML and measure its prose.

A rendered body (`Rendered`) depends on its own text and the renderer's settings only; links between documents
are resolved afterwards (links.py). It is plain data, so a pool's worker can render it (speed/pool.py).
"""

from __future__ import annotations

import html
import re
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import markdown

from ..config import HtmlConfig, SiteConfig
from ..content.skeleton import placeholder_lines
from ..model import Document
from . import pruned
from .claims import body_claims
from .readability import plain_text, prose_stats
from .sanitize import sanitize

MAX_NESTING = 60

_FENCE = re.compile(r"^\s*(```|~~~)")
# A link's or image's target: inline (in <...>, in quotes, which Python-Markdown keeps as its href for the link
# stage to report, or bare), a reference definition's, or a raw-HTML href or src.
_LINK_TARGET = re.compile(r"\]\(\s*(?:<([^<>\n]+)>|(\"[^\"]+\"|'[^']+')(?=\s*[\"')])|<?([^)\s>]+)>?)"
                          r"(?:\s+[\"'][^)]*)?\)"
                          r"|^\s*\[[^\]]+\]:\s*(?:<([^<>\n]+)>|(\S+?))(?:\s|$)"
                          r"|(?:href|src)=[\"']([^\"']+)")
_OUTLINE = re.compile(r"\n(?:[^\S\n]*(?:```|~~~)|(#{1,6})[ \t]([^\n]*))")  # a line that opens or closes a fence
# (as str.lstrip sees it) or is an ATX heading
_C1 = re.compile(r"[\x80-\x9f]")
_IMAGE_NO_ALT = re.compile(r"!\[\s*\]\(|<img\b(?![^>]*\balt=[\"'][^\"']+)[^>]*>", re.I)
_DEEP_NESTING = re.compile(r"^(?:[ \t]*>){%d}|^[ \t]{%d}" % (MAX_NESTING, MAX_NESTING * 4), re.M)
_ID = re.compile(r'\bid="([^"]+)"')
_ID_ANYWHERE = re.compile(r'id="([^"]+)"')  # a plain text to look for: many times faster than the \b before it
_WORD_CHAR = re.compile(r"\w")
_H1 = re.compile(r"<(/?)h1\b")
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_NOT_IN_WORDS = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz'-" else 32 for c in range(256))  # -> space
HELP_TITLES = {"en": "When to get help", "es": "Cuándo pedir ayuda"}  # the help box's title in each language
"""What a "When to get help" box is titled in each language (by its primary tag): checks ask for one, "Get help now"
leads to it, and "On this page" lists it first. A language not here writes the English title."""
HELP_BOX = re.compile(r'<div class="admonition\b[^"]*">\s*<p class="admonition-title">\s*(?:'
                      + "|".join(re.escape(title.lower()) for title in HELP_TITLES.values()) + r')\s*</p>', re.I)


def help_title(language: str) -> str:
    """Return the help box's title in a language (by its primary tag), English where HELP_TITLES has none."""
    return HELP_TITLES.get(language.split("-")[0].lower(), HELP_TITLES["en"])


HELP_ID = "get-help"
"""The id of the anchor before a body's "When to get help" box (see `mark_help_block`): "Get help now" leads there."""


def _cp1252(code: int) -> str | None:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D stand for nothing in cp1252
        return None


MEANT_BY_C1 = {code: _cp1252(code) for code in range(0x80, 0xA0)}
"""C1 control character -> the Windows-1252 character it stands for when cp1252 text was read as Latin-1 (None
where that byte means nothing): str.translate's table."""

STOPWORDS = frozenset(
    "about above after again also always another back because been before being below between both cannot could "
    "does doing down during each even every from further have having here into itself just know like make many "
    "more most much must need only other over same should some such than that their them then there these they "
    "this those through under until very want what when where which while will with would your yours youre "
    "dont often help helps people things thing feel feels might usually"
    .split())


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the cache keeps for a body: everything that does not depend on other documents."""

    html: str
    headings: list[tuple[int, str, str]]
    ids: list[str]
    hrefs: list[tuple[str, int]]  # written href, line
    words: int
    sentences: int
    syllables: int
    images_without_alt: list[int]
    keywords: list[str]
    claims: list[tuple[int, str]]  # line, risky word
    skipped_headings: list[tuple[int, str, int, int, int]]  # line, title, level, level above, shift: see
    # `skipped_headings`
    control_characters: list[tuple[int, str]]  # line, the C1 characters on it (see `control_characters`)
    placeholders: list[tuple[int, str]]  # line, a skeleton line left in (content.skeleton.PLACEHOLDER_LINES)


Job = tuple[str, int, HtmlConfig, float, int | None]  # body, first line, settings, time limit, heading base


def job_for(doc: Document, config: SiteConfig) -> Job:
    """Return what rendering a document's body needs, as plain data (all but the time limit change the HTML, so the
    body cache must be keyed by them)."""
    return (doc.body, doc.body_line, config.html, config.markdown.time_limit, config.markdown.heading_base)


def render_job(job: Job) -> Rendered | tuple[int, str, str]:
    """Render one body; return (file line, message, hint) instead when the Markdown cannot be rendered."""
    return _render(*job)


def _render(body: str, body_line: int, settings: HtmlConfig, time_limit: float,
            heading_base: int | None = None) -> Rendered | tuple[int, str, str]:
    """Render, sanitise and measure one body, or say why it cannot be rendered."""
    control = control_characters(body, body_line)
    skipped, placeholders = skipped_headings(body, body_line, heading_base), placeholder_lines(body, body_line)
    if control:  # reported by the health checks (as the rest above); on the page, what the writer meant
        body = body.translate(MEANT_BY_C1)
    deep = _DEEP_NESTING.search(body)
    if deep:
        return (body_line + body.count("\n", 0, deep.start()),
                f"the Markdown nests quotes or lists more than {MAX_NESTING} levels deep", "Simplify the nesting of quotes and lists")
    md = pruned.renderer_for(body)
    md.reset()
    md.heading_shift = heading_shift(body, heading_base)  # type: ignore[attr-defined]
    try:
        raw = _convert_within(md, body, time_limit)
    except RecursionError:
        return body_line, "the Markdown is nested too deeply to render", "Simplify the nesting of quotes and lists"
    except _TooSlow:
        pruned.forget()  # the interrupted renderer may hold half-built state
        return (body_line, f"the Markdown took longer than the time limit of {time_limit:g} s to render",
                "Look for long runs of unclosed brackets or markup, or raise markdown.time_limit in site.yaml")
    except Exception as exc:  # noqa: BLE001 - a Python-Markdown bug some text triggers is that text's diagnostic
        pruned.forget()
        return (body_line, f"Python-Markdown failed on this text ({type(exc).__name__}: {exc})",
                "Simplify the markup, such as {...} attribute lists, until it renders, and tell the healthsite "
                "developers what did it")
    safe = mark_help_block(sanitize(_H1.sub(r"<\1h2", raw), settings))
    prose = plain_text(body)
    stats = prose_stats(prose)
    headings = _flatten(md.toc_tokens)  # type: ignore[attr-defined]
    return Rendered(
        html=safe,
        headings=headings,
        ids=_ids(safe),
        hrefs=_source_hrefs(body, body_line),
        words=stats.words, sentences=stats.sentences, syllables=stats.syllables,
        images_without_alt=_images_without_alt(body, body_line),
        keywords=_keywords(prose),
        claims=body_claims(body, body_line),
        skipped_headings=skipped, control_characters=control, placeholders=placeholders,
    )


class _TooSlow(Exception):
    """Raised inside the renderer when a body runs past its time limit."""


def _convert_within(md: markdown.Markdown, body: str, seconds: float) -> str:
    """Convert a body, giving up after `seconds` where a timer signal can interrupt (the main thread)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return md.convert(body)

    def expire(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return md.convert(body)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def source_headings(body: str) -> Iterator[tuple[int, int, str]]:
    """Yield each '#' heading of a body outside fenced code: its index among the body's lines, its number of '#'
    and its text."""
    if "#" not in body:
        return
    text = "\n" + body  # each line after a newline: a search from one newline to the next skips the other lines
    fenced, index, counted = False, 0, 0
    for line in _OUTLINE.finditer(text):
        index += text.count("\n", counted, line.start())
        counted = line.start()
        if line.group(1) is None:
            fenced = not fenced
        elif not fenced:
            yield index, len(line.group(1)), line.group(2).strip().rstrip("#").strip()


def skipped_headings(body: str, body_line: int, heading_base: int | None) -> list[tuple[int, str, int, int, int]]:
    """Return (file line, title, level, level of the heading above, shift) for each body heading that skips a level,
    at the levels they are rendered at, moved by `shift` levels (markdown.heading_base): the page title is the one
    level-1 heading, so the body's outline starts at level 2 (a level-1 heading in the body becomes level 2) and
    goes down one level at a time."""
    shift = heading_shift(body, heading_base)
    skipped, above = [], 1
    for index, marks, title in source_headings(body):
        level = max(pruned.shifted_level(marks, shift), 2)
        if level > above + 1:
            skipped.append((body_line + index, title, level, above, shift))
        above = level
    return skipped


def heading_shift(body: str, heading_base: int | None) -> int:
    """Return the levels every heading of a body moves by so that its highest '#' heading is at `heading_base`
    (markdown.heading_base); 0 when that is not set or the body has no such heading."""
    if heading_base is None:
        return 0
    levels = [marks for _, marks, _ in source_headings(body)]
    return heading_base - min(levels) if levels else 0


def control_characters(body: str, body_line: int) -> list[tuple[int, str]]:
    """Return (file line, characters) for each line of a body holding C1 control characters (see `MEANT_BY_C1`),
    the characters each once, in order."""
    if not _C1.search(body):
        return []
    return [(body_line + index, "".join(dict.fromkeys(found))) for index, text in enumerate(body.split("\n"))
            if (found := _C1.findall(text))]


def mark_help_block(html_text: str) -> str:
    """Put a stable anchor, `<div class="help-anchor" id="get-help"></div>`, right before the first "When to get help"
    box, so that a page can link to the box whether or not a heading introduces it (a number is added to the id when
    the body already uses it). The box itself is left as written, for the site's own styles and templates."""
    box = HELP_BOX.search(html_text) if "admonition-title" in html_text else None
    if box is None:
        return html_text
    taken, id_, number = set(_ID.findall(html_text)), HELP_ID, 1
    while id_ in taken:
        number += 1
        id_ = f"{HELP_ID}-{number}"
    return f'{html_text[:box.start()]}<div class="help-anchor" id="{id_}"></div>{html_text[box.start():]}'


def _flatten(tokens: list[dict]) -> list[tuple[int, str, str]]:
    result = []
    for token in tokens:
        result.append((token["level"], token["id"], html.unescape(re.sub(r"<[^>]+>", "", token["name"]))))
        result.extend(_flatten(token["children"]))
    return result


def _images_without_alt(body: str, body_line: int) -> list[int]:
    """Return the file lines of images written without alternative text."""
    if "![" not in body and "<" not in body:  # what either form of image needs
        return []
    return [body_line + i for i, line in enumerate(body.split("\n")) if _IMAGE_NO_ALT.search(line)]


def _ids(html_text: str) -> list[str]:
    """Return the sorted distinct values of the id attributes `_ID` finds."""
    found = []
    for match in _ID_ANYWHERE.finditer(html_text):
        start = match.start()
        if start and _WORD_CHAR.match(html_text, start - 1):  # as in 'xid="': only `_ID` knows where its next match is
            return sorted(set(_ID.findall(html_text)))
        found.append(match.group(1))
    return sorted(set(found))


def _source_hrefs(body: str, body_line: int) -> list[tuple[str, int]]:
    """Find every link target written in the source with its file line, skipping fenced code."""
    found: list[tuple[str, int]] = []
    fences = "```" in body or "~~~" in body
    in_fence = False
    for index, line in enumerate(body.split("\n")):
        if fences and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and ("](" in line or "]:" in line or "href=" in line or "src=" in line):  # what each needs
            for match in _LINK_TARGET.finditer(line):
                found.append((next(g for g in match.groups() if g), body_line + index))
    return found


def _keywords(prose: str, count: int = 12) -> list[str]:
    """Return the most frequent content words of a body's prose (see `plain_text`), ties broken alphabetically."""
    lowered = prose.lower()
    if lowered.isascii():  # `_WORD`'s matches, found by C string methods: each run of [a-z'-] from its first letter
        tokens = Counter(lowered.encode().translate(_NOT_IN_WORDS).decode().split())
    else:
        tokens = Counter(_WORD.findall(lowered))
    words: dict[str, int] = {}
    for word, times in tokens.items():  # each distinct word stripped once
        if word[0] in "'-":
            word = word.lstrip("'-")
        if len(word) > 3 and word not in STOPWORDS:
            if word[-1] in "'-":
                word = word.rstrip("'-")  # it starts with a letter
            words[word] = words.get(word, 0) + times
    return [word for _, word in sorted([(-times, word) for word, times in words.items()])[:count]]
