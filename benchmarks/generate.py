"""Generate seeded synthetic healthsite sites with the shape of the bundled content, for benchmarks and scale tests.

    python benchmarks/generate.py /tmp/site10k --articles 10000 [--seed 1] [--search]

Six pillars (content/<pillar>/index.md, kind: pillar) and N articles of about 8 KB of Markdown each: headings,
lists, a "When to get help" admonition, 3-6 tags from the repository's tag vocabulary, 3-6 internal links to
other generated articles by relative .md path, and 2 sources. The same (articles, seed) gives the same bytes.
"""

from __future__ import annotations

import argparse
import random
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PILLARS = ("back-pain", "causes", "circulation", "cramps", "exercise", "lifestyle")
PILLAR_TITLES = {
    "back-pain": "Back pain: the main guide", "causes": "Causes of back pain",
    "circulation": "Circulation and the spine", "cramps": "Cramps and spasms",
    "exercise": "Exercise and rehab", "lifestyle": "Everyday life with back pain",
}
TOPICS = ("sciatica", "posture", "sleep", "stretching", "walking", "massage", "heat", "cold packs", "hydration",
          "magnesium", "discs", "nerves", "core strength", "breathing", "desk work", "standing", "cramps",
          "blood flow", "varicose veins", "diabetes", "inflammation", "diet", "acupuncture", "physiotherapy",
          "pain relief", "lifting", "driving", "pregnancy", "running", "swimming", "cycling", "yoga", "pilates",
          "stress", "weight", "smoking", "mattresses", "pillows", "shoes", "hamstrings", "hips", "calves",
          "feet", "spasms", "stiffness", "scans", "tests", "red flags", "recovery", "pacing")
QUALIFIERS = ("what helps", "what to expect", "when to worry", "myths and facts", "a plain guide",
              "first steps", "at home", "at work", "at night", "after 50", "for beginners", "and your back",
              "questions answered", "what the evidence says", "day by day", "simple habits")
SUBJECTS = ("Most people", "Your muscles", "A short walk", "Gentle stretching", "Good sleep", "Warm water",
            "A heat pack", "Your doctor", "A physiotherapist", "Slow breathing", "Regular breaks", "Many adults",
            "The lower back", "Tight hamstrings", "Poor circulation", "A steady routine", "Your nerves")
VERBS = ("often helps", "can ease", "may calm", "tends to loosen", "usually improves", "can support",
         "rarely harms", "sometimes eases", "gently warms", "helps protect", "can reduce")
OBJECTS = ("stiffness in the morning", "pain after sitting", "cramps at night", "tight muscles",
           "blood flow to the legs", "pressure on the discs", "the pull of a trapped nerve", "daily aches",
           "tension in the shoulders", "swelling in the ankles", "soreness after exercise", "a stiff neck")
TAILS = ("for a few hours", "over a few weeks", "in most cases", "if you keep at it", "when done slowly",
         "for many people", "without any special kit", "as part of a plan", "once the worst pain settles",
         "if you start small", "even on bad days")
PUBLISHERS = (("NHS", "https://www.nhs.uk/conditions/"), ("MedlinePlus", "https://medlineplus.gov/"),
              ("NICE", "https://www.nice.org.uk/guidance/"), ("Mayo Clinic", "https://www.mayoclinic.org/"),
              ("World Health Organization", "https://www.who.int/news-room/fact-sheets/"))
HELP_ITEMS = ("numbness around your bottom or genitals", "new problems peeing or controlling your bowels",
              "weakness or numbness in both legs", "back pain with a high temperature",
              "sudden, severe pain that feels tearing", "a leg that is hot, red and swollen",
              "chest pain or trouble breathing")


def _sentence(rng: random.Random, topic: str) -> str:
    """Return one plain-language sentence, sometimes naming the article's topic."""
    subject = rng.choice(SUBJECTS) if rng.random() < 0.7 else topic.capitalize()
    return f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def _paragraph(rng: random.Random, topic: str, sentences: int) -> str:
    return " ".join(_sentence(rng, topic) for _ in range(sentences))


def _link(source_pillar: str, target: tuple[str, str]) -> str:
    """Return the relative .md path from an article in source_pillar to the target (pillar, slug)."""
    pillar, slug = target
    return f"{slug}.md" if pillar == source_pillar else f"../{pillar}/{slug}.md"


def _article_body(rng: random.Random, pillar: str, topic: str, links: list[tuple[str, str, str]]) -> str:
    """Return an article body of about 8 KB: sections, lists, links, an admonition."""
    parts = [_paragraph(rng, topic, 4), ""]
    link_sections: dict[int, list] = {}
    for index, link in enumerate(links):
        link_sections.setdefault(index % 6, []).append(link)
    for section in range(6):
        heading = f"## {rng.choice(QUALIFIERS).capitalize()}: {rng.choice(TOPICS)}"
        parts += [heading, "", _paragraph(rng, topic, 6), ""]
        if section % 2 == 0:
            parts += [f"### {rng.choice(TOPICS).capitalize()} {rng.choice(QUALIFIERS)}", ""]
        parts += [f"- {_sentence(rng, topic)}" for _ in range(rng.randint(3, 5))] + [""]
        parts += [_paragraph(rng, topic, 5), ""]
        for target_pillar, slug, title in link_sections.get(section, []):
            parts += [f"To learn more, see [{title.lower()}]({_link(pillar, (target_pillar, slug))}).", ""]
        if section == 3:
            parts += [f"{step}. {_sentence(rng, topic)}" for step in range(1, 4)] + [""]
    items = rng.sample(HELP_ITEMS, 4)
    parts += ['!!! warning "When to get help"', "    Get urgent medical help if you have:", ""]
    parts += [f"    - {item}" for item in items] + [""]
    parts += ["    See a doctor soon if your pain lasts more than a few weeks or keeps getting worse.", ""]
    return "\n".join(parts)


def _front_matter(values: dict) -> str:
    return "---\n" + yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def _plan(rng: random.Random, articles: int) -> list[tuple[str, str, str, str]]:
    """Return (pillar, slug, title, topic) for every article, in generation order."""
    plan = []
    for index in range(articles):
        topic, qualifier = rng.choice(TOPICS), rng.choice(QUALIFIERS)
        slug = f"{topic.replace(' ', '-')}-{qualifier.replace(' ', '-')}-{index + 1}"
        plan.append((PILLARS[index % len(PILLARS)], slug, f"{topic.capitalize()}: {qualifier} ({index + 1})", topic))
    return plan


def _write_article(content: Path, rng: random.Random, plan: list, index: int, tags: list[str]) -> None:
    pillar, slug, title, topic = plan[index]
    # The first link goes to the next article, so every article has at least one page linking to it.
    others = rng.sample(range(len(plan) - 1), min(rng.randint(3, 6), len(plan) - 1)) if len(plan) > 1 else []
    targets = dict.fromkeys([(index + 1) % len(plan)] + [other + (other >= index) for other in others])
    links = [plan[target][:3] for target in list(targets)[:len(others)] if target != index]
    # Tags lean towards a pillar's own range of the vocabulary, so related articles have something to find.
    start = PILLARS.index(pillar) * 4
    pool = tags[start:start + 9] + rng.sample(tags, 4)
    chosen = sorted(dict.fromkeys(rng.sample(pool, rng.randint(3, 6))))
    publisher, url = rng.sample(PUBLISHERS, 2)
    meta = {
        "title": title,
        "description": f"A plain-language guide to {topic} for people with back pain: {rng.choice(QUALIFIERS)}.",
        "date": date(rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)),
        "pillar": pillar,
        "tags": chosen,
        "sources": [
            {"title": f"{topic.capitalize()} guidance", "publisher": publisher[0], "url": f"{publisher[1]}{slug}"},
            {"title": f"{title} (background)", "publisher": url[0], "url": f"{url[1]}{topic.replace(' ', '-')}",
             "year": rng.randint(2015, 2025)},
        ],
    }
    text = _front_matter(meta) + _article_body(rng, pillar, topic, links)
    (content / pillar / f"{slug}.md").write_text(text, encoding="utf-8")


def _write_pillar(content: Path, rng: random.Random, pillar: str, weight: int) -> None:
    folder = content / pillar
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"kind": "pillar", "title": PILLAR_TITLES[pillar],
            "description": f"The main guide to {pillar.replace('-', ' ')}: what helps and when to get help.",
            "date": date(2022, 1, 1), "weight": weight,
            "sources": [{"title": "Back pain", "publisher": "NHS", "url": "https://www.nhs.uk/conditions/back-pain/"}]}
    body = "\n\n".join(["## What this guide covers", _paragraph(rng, pillar, 5), "## Where to start",
                        _paragraph(rng, pillar, 5)]) + "\n"
    (folder / "index.md").write_text(_front_matter(meta) + body, encoding="utf-8")


def _write_config(root: Path, search: bool) -> list[str]:
    """Write site.yaml with the repository's tag vocabulary and return the tag slugs."""
    repo = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    config = {"title": "Synthetic health site", "description": "A generated site for benchmarks.",
              "base_url": "https://example.org/", "language": "en-GB", "search": search,
              "tags": repo["tags"], "tag_aliases": repo.get("tag_aliases", {})}
    (root / "site.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return list(repo["tags"])


def generate_site(root: Path, articles: int, seed: int = 1, search: bool = False) -> None:
    """Write site.yaml and content/ for a synthetic site of `articles` articles under root."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tags = _write_config(root, search)
    content = root / "content"
    rng = random.Random(seed)
    for weight, pillar in enumerate(PILLARS, start=1):
        _write_pillar(content, rng, pillar, weight)
    plan = _plan(rng, articles)
    for index in range(articles):
        _write_article(content, rng, plan, index, tags)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and generate one site."""
    parser = argparse.ArgumentParser(description="Generate a synthetic healthsite site for benchmarks.")
    parser.add_argument("root", type=Path, help="folder to write site.yaml and content/ into")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--search", action="store_true", help="set 'search: true' (Pagefind) in site.yaml")
    args = parser.parse_args(argv)
    generate_site(args.root, args.articles, args.seed, search=args.search)
    print(f"wrote {args.articles} articles and {len(PILLARS)} pillars under {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
