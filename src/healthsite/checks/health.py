"""Check the related site for what health readers need: reachable, described, sourced, readable, reviewed pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ..catalog.review import review_status
from ..content.skeleton import PLACEHOLDER_URL, placeholder_lines, placeholder_text
from ..diagnostics import Diagnostics
from ..markdown.claims import ENGLISH, body_claims, claim_words, text_claims
from ..markdown.convert import MEANT_BY_C1, control_characters, help_title, skipped_headings
from ..markdown.readability import Readability, TextStats, formula_for, plain_text, prose_stats, rate
from ..model import Body, Document, Site

DESCRIPTION_MAX = 160


def check_site(site: Site, diags: Diagnostics) -> None:
    """Report every health-content problem in the site, each with its file, line, hint and code."""
    catalog = site.catalog
    _check_titles(site, diags)
    for slug, doc in catalog.docs.items():
        body = site.bodies.get(slug)
        language = doc.language or site.config.language  # the language its words are checked in
        _check_description(doc, diags)
        _check_claims(doc, body, site.config.allow.get("risky-claim", ()), language, diags)
        _check_sources(doc, diags)
        _check_heading_levels(doc, body, site.config.markdown.heading_base, diags)
        _check_control_characters(doc, body, diags)
        if not doc.draft:
            _check_placeholders(doc, body, diags)
        for line in body.images_without_alt if body else ():
            diags.warning("image-no-alt", doc.path, line, "an image has no alt text",
                          hint="Describe the image in the brackets: ![what it shows](file.png)")
        if doc.kind == "article":
            _check_article(site, doc, language, diags)
        if doc.profile is not None and doc.profile.photo:
            _check_photo(site, doc, diags)
    for pillar in catalog.pillars if not catalog.unread else ():  # an unread file may be its article
        if not catalog.pillar_articles.get(pillar):
            doc = catalog.docs[pillar]
            diags.warning("pillar-empty", doc.path, doc.line_of("title"), f"pillar '{pillar}' has no articles",
                          hint=f"Add articles with 'pillar: {pillar}', or remove the pillar page")


def readability(site: Site, slug: str, language: str) -> Readability | None:
    """Measure a document's body with the formula made for `language` (its BCP 47 tag) against the site's
    readability.target_grade; None when it is not measured: no formula for the language, or a body under
    MEASURED_WORDS words. English uses the counts the render stage made (and cached) with the body; other
    languages are counted here, from the source."""
    body = site.bodies.get(slug)
    formula = formula_for(language)
    if body is None or formula is None:
        return None
    if formula.count is prose_stats:
        stats = TextStats(body.words, body.sentences, body.syllables)
    else:
        stats = formula.count(plain_text(site.catalog.docs[slug].body))
    return rate(formula, stats, site.config.readability.target_grade)


def _check_article(site: Site, doc: Document, language: str, diags: Diagnostics) -> None:
    """Report problems only articles can have: no way in, no sources, no help block, hard reading (by the formula
    for `language`), stale review."""
    config = site.config
    if not site.catalog.unread and not [s for s in site.backlinks.get(doc.slug, ()) if s != doc.slug]:
        pillar = site.catalog.pillar_of[doc.slug]
        diags.warning("orphan-article", doc.path, doc.line_of("title"), "no other article or page links here from "
                      "its text (lists, tags and related blocks do not count)",
                      hint=f"Link to it from the text of its pillar page {site.catalog.docs[pillar].path} or of a "
                      "related article")
    if not doc.sources and doc.complete:  # an incomplete one may have lost its sources to an error
        diags.warning("sources-missing", doc.path, doc.line_of("title"), "the article lists no sources",
                      hint="Add 'sources:' with the title, publisher and url of what you relied on")
    body = site.bodies.get(doc.slug)
    if body is not None and not body.has_help_block:
        title = help_title(doc.language or config.language)
        diags.warning("help-block-missing", doc.path, _body_line(doc, last=True),
                      f"the article has no \"{title}\" block",
                      hint=f'End it with \'!!! warning "{title}"\' and the signs that need a doctor')
    measured = readability(site, doc.slug, language)
    if measured is not None and not measured.passes:
        diags.warning("readability-grade", doc.path, _body_line(doc), measured.problem,
                      hint="Use shorter sentences and everyday words")
    _check_review(site, doc, diags)
    reviewer = site.catalog.docs.get(doc.reviewer) if doc.reviewer in site.catalog.person_articles else None
    if reviewer is not None and doc.reviewed and not reviewer.profile.qualifications:
        diags.warning("reviewer-unqualified", doc.path, doc.line_of("reviewer"),
                      f"the reviewer {reviewer.title} has no qualifications listed, so readers cannot tell why their "
                      "review counts", hint=f"Add 'qualifications:' to {reviewer.path}, or have a clinician review it")


def _check_photo(site: Site, doc: Document, diags: Diagnostics) -> None:
    """Report a person's photo that is not a file of the content folder, or that has no alt text."""
    photo = doc.profile.photo
    if photo.lstrip("/") not in site.catalog.files:
        diags.error("link-not-found", doc.path, doc.line_of("photo"), f"photo '{photo}' is not a file in the content "
                    "folder", hint="Put the photo in the content folder and write its path from there, such as "
                    "'people/a-example.jpg'")
    if not doc.profile.photo_alt:
        diags.warning("image-no-alt", doc.path, doc.line_of("photo"), "the photo has no alt text",
                      hint="Add 'photo_alt:' describing the photo for readers who cannot see it")


def _check_placeholders(doc: Document, body: Body | None, diags: Diagnostics) -> None:
    """Report what `healthsite new` wrote for the writer to replace, still there in an article that is published (the
    body's lines were found when it was rendered, and cached with it)."""
    found = [(doc.line_of("description"), doc.description)] if placeholder_text(doc.description) else []
    for source in doc.sources:
        line = source.line or doc.line_of("sources")
        found += [(line, text) for text in (source.title, source.publisher, source.url)
                  if placeholder_text(text) or text == PLACEHOLDER_URL]
    found += body.placeholders if body else placeholder_lines(doc.body, doc.body_line)
    for line, text in found:
        shown = text if len(text) <= 50 else text[:47] + "..."
        diags.error("skeleton-placeholder", doc.path, line, f"the article is published with the placeholder '{shown}' "
                    "that healthsite new wrote", hint="Replace it with your own words, or keep 'draft: true' until then")


def _check_heading_levels(doc: Document, body: Body | None, heading_base: int | None, diags: Diagnostics) -> None:
    """Report body headings that skip a level, at the levels they are rendered at (see
    `markdown.convert.skipped_headings`, which the render stage ran and cached with the body)."""
    skipped = body.skipped_headings if body else skipped_headings(doc.body, doc.body_line, heading_base)
    for line, title, level, above, shift in skipped:
        wanted = above + 1  # no heading can be rendered above heading_base: only the setting can give that level
        diags.warning("heading-skipped", doc.path, line, f"the heading '{title}' is at level {level} under one at "
                      f"level {above}, so screen readers and the contents skip a level",
                      hint=f"Lower markdown.heading_base in site.yaml to {wanted}, or leave it out"
                      if heading_base is not None and wanted < heading_base else
                      f"Write it as '{'#' * (wanted - shift)} {title}'")


def _check_control_characters(doc: Document, body: Body | None, diags: Diagnostics) -> None:
    """Report C1 control characters in the body, one warning a line: Windows-1252 text read as Latin-1, whose
    quotes and dashes became invisible characters (the page shows what they most likely stood for). The render
    stage found them (and cached them with the body)."""
    for line, found in body.control_characters if body else control_characters(doc.body, doc.body_line):
        meant = [MEANT_BY_C1[ord(character)] for character in found]
        named = [f"U+{ord(character):04X} where {stood} was probably meant" if stood else
                 f"U+{ord(character):04X}, which stands for no character" for character, stood in zip(found, meant)]
        diags.warning("control-character", doc.path, line, f"the line holds the invisible control "
                      f"character{'s' if len(found) > 1 else ''} {_listed(named)}", hint=_replacing(found, meant))


def _replacing(found: str, meant: list[str | None]) -> str:
    """Say how to replace control characters by what they stood for (`meant`; None: nothing, so delete it)."""
    them = "it" if len(found) == 1 else "them"
    replace = [stood for stood in meant if stood]
    drop = [f"U+{ord(character):04X}" for character, stood in zip(found, meant) if not stood]
    if not drop:
        fix = f"Replace {them} with {_listed(replace)}"
    elif not replace:
        fix = f"Delete {them}"
    else:
        fix = f"Delete {_listed(drop)}, replace the others with {_listed(replace)},"
    return fix + " or save the file as UTF-8 again"


def _listed(items: list[str]) -> str:
    """Join items as a sentence does: 'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _body_line(doc: Document, last: bool = False) -> int:
    """Return the file line of the body's first (or last) line with text."""
    lines = [i for i, text in enumerate(doc.body.split("\n")) if text.strip()]
    return doc.body_line + (lines[-1] if last else lines[0]) if lines else doc.body_line


def _check_review(site: Site, doc: Document, diags: Diagnostics) -> None:
    """Report a review that is overdue or falls due soon, with its date."""
    status = review_status(doc, site.config)
    line = doc.line_of("reviewed")
    if status.state == "overdue":
        diags.warning("review-overdue", doc.path, line,
                      f"the review was due on {status.due.isoformat()} (last reviewed {status.reviewed.isoformat()})",
                      hint="Have a clinician review it, then update 'reviewed:'")
    elif status.state == "due-soon":
        days = (status.due - site.config.build_date).days
        diags.warning("review-due-soon", doc.path, line,
                      f"the review falls due on {status.due.isoformat()}, in {days} days",
                      hint="Book a clinical review before then")


def _check_titles(site: Site, diags: Diagnostics) -> None:
    """Report titles used by more than one page, ignoring case."""
    first: dict[str, Document] = {}
    for doc in sorted(site.catalog.docs.values(), key=lambda d: d.path):
        key = " ".join(doc.title.lower().split())
        if key in first:
            diags.warning("title-duplicate", doc.path, doc.line_of("title"),
                          f"the title '{doc.title}' is also used by {first[key].path}",
                          hint="Give each page its own title so readers and search results can tell them apart")
        else:
            first[key] = doc


def _check_description(doc: Document, diags: Diagnostics) -> None:
    """Report a description that search results would cut short."""
    length = len(doc.description)
    if length > DESCRIPTION_MAX:
        diags.warning("description-too-long", doc.path, doc.line_of("description"),
                      f"the description is {length} characters long, over {DESCRIPTION_MAX}",
                      hint="Shorten it to one sentence; search results cut it at about 160 characters")


def _check_sources(doc: Document, diags: Diagnostics) -> None:
    """Report sources a reader could not find again."""
    for index, source in enumerate(doc.sources, start=1):
        missing = [name for name, value in (("url", source.url), ("publisher", source.publisher)) if not value]
        if missing:
            diags.warning("source-incomplete", doc.path, source.line or doc.line_of("sources"),
                          f"source {index} ('{source.title}') has no {' or '.join(missing)}",
                          hint="Add " + " and ".join(f"'{name}:'" for name in missing) + " so readers can check it")


def _check_claims(doc: Document, body: Body | None, allow: Sequence[str], language: str, diags: Diagnostics) -> None:
    """Report words that promise too much in `language`, outside quotation marks, code, links and the phrases the
    site allows; an English body's were found when it was rendered (and cached with it)."""
    for line, word in risky_claims(doc, body.claims if body else None, allow, language):
        diags.warning("risky-claim", doc.path, line, f"'{word}' is a risky claim in health writing",
                      hint="Say what the evidence shows instead, or put a claim you are reporting in quotation marks")


def risky_claims(doc: Document, in_body: Iterable[tuple[int, str]] | None = None, allow: Sequence[str] = (),
                 language: str = "en") -> Iterator[tuple[int, str]]:
    """Yield (line, word) for each of `language`'s risky words (claims.CLAIM_WORDS; none for a language without a
    list) in the title, the description and the body, leaving out the phrases in `allow`. `in_body`: the body's
    English ones, when known already (the render stage finds them); another language's are found here."""
    words = claim_words(language)
    if words is None:
        return
    for key in ("title", "description"):
        for word in text_claims(getattr(doc, key), allow, words):
            yield doc.line_of(key), word
    found = in_body if in_body is not None and words is ENGLISH else body_claims(doc.body, doc.body_line, words)
    if not allow:
        yield from found
        return
    lines = doc.body.split("\n")
    for line in sorted({line for line, _ in found}):  # only lines with a risky word are read again
        for word in text_claims(lines[line - doc.body_line], allow, words):
            yield line, word
