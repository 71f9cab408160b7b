"""Summarise the checked site as tables: one row per article, one per pillar and one per listed person."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ..catalog.review import review_status
from ..markdown.readability import FORMULAS, reading_minutes
from ..model import Site
from .health import readability


@dataclass(frozen=True, slots=True)
class ArticleRow:
    path: str
    words: int
    grade: float | None  # the readability score on its formula's scale (a grade, or an ease); None: not measured
    formula: str | None  # "Flesch-Kincaid", "Szigriszt-Pazos"; None: a body too short, or a language without one
    minutes: int
    sources: int
    inbound: int
    outbound: int
    review: str


@dataclass(frozen=True, slots=True)
class PillarRow:
    path: str
    articles: int
    words: int
    tags: tuple[tuple[str, int], ...]  # tag, articles of the pillar carrying it; most used first


def article_rows(site: Site) -> list[ArticleRow]:
    """Measure every article: length, readability (by its language's formula) and reading time, sources, links in
    and out, review status."""
    rows = []
    order = {language.code: index for index, language in enumerate(site.config.languages)}  # by language, then path
    for slug in sorted(site.catalog.articles, key=lambda s: (order.get(site.catalog.docs[s].language, 0),
                                                             site.catalog.docs[s].path)):
        doc = site.catalog.docs[slug]
        body = site.bodies.get(slug)
        words = body.words if body else 0
        status = review_status(doc, site.config)
        review = "awaiting review" if status.state == "awaiting" else f"{status.state} (due {status.due.isoformat()})"
        measured = readability(site, slug, doc.language or site.config.language)
        rows.append(ArticleRow(
            path=doc.path, words=words, grade=measured.score if measured else None,
            formula=measured.formula if measured else None,
            minutes=reading_minutes(words), sources=len(doc.sources),
            inbound=len([s for s in site.backlinks.get(slug, ()) if s != slug]),
            outbound=len({link.target for link in body.links if link.target != slug}) if body else 0,
            review=review,
        ))
    return rows


def pillar_rows(site: Site) -> list[PillarRow]:
    """Count each pillar's articles and words, and how many of its articles carry each of its tags."""
    rows = []
    for pillar in site.catalog.pillars:
        articles = site.catalog.pillar_articles.get(pillar, ())
        counts = Counter(tag for slug in articles for tag in site.catalog.docs[slug].tags)
        for tag in site.catalog.docs[pillar].tags:
            counts.setdefault(tag, 0)
        words = sum(site.bodies[s].words for s in articles if s in site.bodies)
        tags = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        rows.append(PillarRow(site.catalog.docs[pillar].path, len(articles), words, tags))
    return rows


@dataclass(frozen=True, slots=True)
class PersonRow:
    path: str
    reviewed: tuple[str, ...]  # the articles they reviewed, by path
    overdue: tuple[str, ...]  # of those, the ones whose review is overdue: the next review round's list
    due_soon: tuple[str, ...]


def person_rows(site: Site) -> list[PersonRow]:
    """List per listed person the articles they reviewed, and which of those reviews are overdue or due soon."""
    rows = []
    for person in site.catalog.people:
        reviewed = [site.catalog.docs[s] for s in site.catalog.person_articles.get(person, ())
                    if site.catalog.docs[s].reviewer == person and site.catalog.docs[s].reviewed]
        states = {doc.path: review_status(doc, site.config).state for doc in reviewed}
        rows.append(PersonRow(site.catalog.docs[person].path, tuple(sorted(states)),
                              tuple(sorted(p for p, state in states.items() if state == "overdue")),
                              tuple(sorted(p for p, state in states.items() if state == "due-soon"))))
    return rows


@dataclass(frozen=True, slots=True)
class LanguageRow:
    language: str
    articles: int
    translated: int  # of those, the ones with a translation in another language
    untranslated: tuple[str, ...]  # the others, by path: the next translation round's list


def language_rows(site: Site) -> list[LanguageRow]:
    """Count each language's articles, and list those with no translation; none on a site in one language."""
    if len(site.config.languages) == 1:
        return []
    rows = []
    for language in site.config.languages:
        mine = [site.catalog.docs[s] for s in site.catalog.articles if site.catalog.docs[s].language == language.code]
        alone = sorted(doc.path for doc in mine if doc.slug not in site.catalog.translations)
        rows.append(LanguageRow(language.code, len(mine), len(mine) - len(alone), tuple(alone)))
    return rows


def report_data(site: Site) -> dict:
    """Return the tables as plain data, for `--format json`."""
    data = {"articles": [asdict(row) for row in article_rows(site)],
            "pillars": [{**asdict(row), "tags": dict(row.tags)} for row in pillar_rows(site)]}
    if site.catalog.people:
        data["people"] = [asdict(row) for row in person_rows(site)]
    if languages := language_rows(site):
        data["languages"] = [asdict(row) for row in languages]
    return data


def format_report(site: Site) -> str:
    """Render both tables as aligned plain text."""
    articles = article_rows(site)
    pillars = pillar_rows(site)
    language_of = {site.catalog.docs[s].path: site.catalog.docs[s].language for s in site.catalog.articles}
    groups = ([(None, articles)] if len(site.config.languages) == 1 else
              [(language.code, [r for r in articles if language_of[r.path] == language.code])
               for language in site.config.languages])
    article_table = "\n\n".join((f"In {language}:\n\n" if language else "") + _table(
        ("article", "words", _score_heading(rows), "min", "sources", "in", "out", "review"),
        [(r.path, r.words, "-" if r.grade is None else f"{r.grade:.1f}", r.minutes, r.sources, r.inbound, r.outbound,
          r.review) for r in rows],
    ) for language, rows in groups)
    pillar_table = _table(
        ("pillar", "articles", "words", "tag coverage (articles carrying each tag)"),
        [(r.path, r.articles, r.words, ", ".join(f"{tag} {count}/{r.articles}" for tag, count in r.tags) or "-")
         for r in pillars],
    )
    total = sum(r.words for r in articles)
    counts = ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in
                       ((len(articles), "article"), (len(pillars), "pillar"), (total, "word")))
    people = ""
    if site.catalog.people:
        people_table = _table(("person", "reviewed", "overdue", "due soon", "overdue reviews"),
                              [(r.path, len(r.reviewed), len(r.overdue), len(r.due_soon), ", ".join(r.overdue) or "-")
                               for r in person_rows(site)])
        people = f"People\n\n{people_table}\n\n"
    languages = ""
    if rows := language_rows(site):
        languages = "Languages\n\n" + _table(("language", "articles", "translated", "without a translation"),
                                              [(r.language, r.articles, r.translated, ", ".join(r.untranslated) or "-")
                                               for r in rows]) + "\n\n"
    return f"Articles\n\n{article_table}\n\nPillars\n\n{pillar_table}\n\n{people}{languages}{counts}."


def _score_heading(rows: Sequence[ArticleRow]) -> str:
    """Head the readability column by what its scores are: 'grade' (Flesch-Kincaid, lower is easier, and the
    heading when nothing is measured), 'ease' (Szigriszt-Pazos, higher is easier), or both."""
    scale_of = {formula.name: formula.scale for formula in FORMULAS.values()}
    scales = {scale_of[row.formula] for row in rows if row.formula}
    return "/".join(sorted(scales, reverse=True)) or "grade"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Align columns: text to the left, numbers (and '-', no number) to the right; the last column is left
    unpadded."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    numeric = [all(re.fullmatch(r"-?\d+(?:\.\d+)?|-", str(row[i])) for row in rows) for i in range(len(header))]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        parts = [cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        parts[-1] = row[-1]
        lines.append("  ".join(parts).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths[:-1] + [min(widths[-1], max(len(row[-1]), 40))]))
    return "\n".join(lines)
