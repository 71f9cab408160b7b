"""The article `healthsite new` writes, and the placeholders in it that must never be published."""

from __future__ import annotations

SKELETON = """\
---
title: {title}
description: "TODO: one plain sentence, under 160 characters, on what this article helps the reader with."
date: {date}
pillar: {pillar}
tags: [{tags}]
draft: true
# When a clinician has checked it:
# reviewed: {date}
# reviewer: Dr A. Name, GP
sources:
  # Every source you relied on: the page lists them, numbered.
  - title: "TODO: the title of the page or paper"
    publisher: "TODO: who published it, e.g. NHS"
    url: https://example.org/replace-me
---

Start with two or three short sentences: who this page is for, and what it will help them understand or do.

## What is it?

Explain it in plain words. Short sentences, everyday terms; say what a medical word means the first time you use it.

## Why does it happen?

## What can help?

- One thing a reader can try today, and how long to give it.
- When to stop, and what to try next.

## What to expect

!!! warning "When to get help"
    Get urgent medical help (call your local emergency number, such as 999 in the UK or 911 in the US) if you have:

    - a warning sign that needs help today
    - another warning sign

    See a GP or physiotherapist if it is not getting better after a few weeks.
"""

PLACEHOLDER_URL = "https://example.org/replace-me"
PLACEHOLDER_LINES = frozenset({  # the skeleton's body lines that only say what to write, each in SKELETON
    "Start with two or three short sentences: who this page is for, and what it will help them understand or do.",
    "Explain it in plain words. Short sentences, everyday terms; say what a medical word means the first time you use "
    "it.",
    "- One thing a reader can try today, and how long to give it.",
    "- When to stop, and what to try next.",
    "- a warning sign that needs help today",
    "- another warning sign",
})


def placeholder_lines(body: str, body_line: int) -> list[tuple[int, str]]:
    """Return (file line, text) for each line of a body that is still one of the skeleton's PLACEHOLDER_LINES."""
    return [(body_line + index, text.strip()) for index, text in enumerate(body.split("\n"))
            if text.strip() in PLACEHOLDER_LINES]


def placeholder_text(value: str | None) -> bool:
    """Tell whether a front-matter value is still the skeleton's 'TODO: ...' text."""
    return bool(value) and value.startswith("TODO:")
