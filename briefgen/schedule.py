"""Scheduled briefs: which briefs the build's time publishes, and for how long that answer holds.

Owns the rule (a brief dated after the build's time is scheduled: left out,
as a draft is, unless `future` is on), the build's note about scheduled
briefs, and the spans of build times over which the time-dependent output
(the published briefs; the news sitemap's window) stays the same, which tell
an incremental build that time alone made its memory stale. Pure functions
over model values: must not read the clock (the config carries the build's time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import Config
from .model import Brief
from .sitemap import NEWS_WINDOW

# Datetimes count in microseconds: a news window that holds at `d + NEWS_WINDOW` no longer does one tick later.
TICK = timedelta(microseconds=1)


def is_scheduled(brief: Brief, config: Config) -> bool:
    """Dated after the build's time, and `future` is off."""
    until = config.publish_until
    return until is not None and brief.date > until


def is_published(brief: Brief, config: Config) -> bool:
    """On the site: not a draft (unless drafts are on), not scheduled."""
    return (config.drafts or not brief.draft) and not is_scheduled(brief, config)


def scheduled_note(briefs: Iterable[Brief], config: Config) -> str | None:
    """'2 briefs are scheduled for later; the next on 3 May 2027', or None when none is."""
    until = config.publish_until  # once, not per brief: every build asks this of every brief
    if until is None:
        return None
    waiting = sorted((b for b in briefs if b.date > until and (config.drafts or not b.draft)), key=lambda b: b.date)
    if not waiting:
        return None
    first = waiting[0]
    when = f"{first.date.day} {first.date:%B %Y}" + (f", {first.date:%H:%M}" if first.has_time else "")
    count = "1 brief is" if len(waiting) == 1 else f"{len(waiting)} briefs are"
    return f"{count} scheduled for later; the next on {when} (--future publishes them now)"


@dataclass(frozen=True)
class Span:
    """Build times `start <= now < end` over which some time-dependent output stays the same (None: no bound)."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, now: datetime) -> bool:
        return (self.start is None or self.start <= now) and (self.end is None or now < self.end)


def _span(changes: Iterable[datetime], now: datetime) -> Span:
    """The span around `now` between the instants at which the output changes."""
    before = after = None
    for instant in changes:
        if instant <= now:
            before = instant if before is None or instant > before else before
        elif after is None or instant < after:
            after = instant
    return Span(before, after)


def publication_span(briefs: Iterable[Brief], config: Config) -> Span:
    """While the build's time stays in it, the same briefs are due (each turns due at its date)."""
    if config.future:
        return Span()
    return _span((b.date for b in briefs if config.drafts or not b.draft), config.now)


def news_span(published: Iterable[Brief], config: Config) -> Span:
    """While the build's time stays in it, the news sitemap lists the same briefs (each leaves its window)."""
    return _span((b.date + NEWS_WINDOW + TICK for b in published), config.now)
