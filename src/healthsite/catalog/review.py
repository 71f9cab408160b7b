"""Where a document stands in its clinical review cycle: NHS-style "last reviewed, next review due"."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from ..config import SiteConfig
from ..model import Document


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """Where a document stands in its review cycle on the build date."""

    reviewed: date | None
    due: date | None
    state: str  # "awaiting", "current", "due-soon" or "overdue"


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_status(doc: Document, config: SiteConfig) -> ReviewStatus:
    """Return when the document was reviewed, when its next review falls due, and how that stands today."""
    if doc.reviewed is None:
        return ReviewStatus(None, None, "awaiting")
    due = add_months(doc.reviewed, config.review.interval_months)
    today = config.build_date
    if due < today:
        state = "overdue"
    elif (due - today).days <= config.review.due_soon_days:
        state = "due-soon"
    else:
        state = "current"
    return ReviewStatus(doc.reviewed, due, state)
