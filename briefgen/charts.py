"""Charts of entity pages and the entities index: the numbers, and where each mark goes.

Owns binning an entity's brief dates into periods (weeks, months or years,
by how long the entity has been in the news), the busiest periods, the
co-mention bars, the most-named entities of the last days with a sparkline
each, and the entity card (`card.json`). Coordinates are computed here, as
text in a fixed format (whole units, or two decimals), so the same briefs
draw the same bytes; the markup is the theme's (`templates/_charts.html`).
Pure functions over model values (a few memoised: the same months recur on
every timeline): must not do I/O, render templates or build HTML.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .model import Brief, Entity
from .xmltext import MONTHS

Key = tuple[str, str]
CARD_FILE = "card.json"  # beside each entity's page

# A span shorter than this is binned per ISO week; a span of more months than YEARLY_ABOVE_MONTHS per year.
WEEKLY_BELOW_DAYS = 91
YEARLY_ABOVE_MONTHS = 180
BUSIEST = 3  # how many periods the timeline labels with their counts
RECENT_DAYS = 30
RECENT_LIMIT = 10

# The timeline's drawing, in viewBox units: count labels above the bars, the bars, the axis labels below.
TIMELINE_WIDTH = 640
TIMELINE_TOP = 26
TIMELINE_PLOT = 140
TIMELINE_HEIGHT = TIMELINE_TOP + TIMELINE_PLOT + 26
TIMELINE_MAX_BAR = 48  # a bar is never wider than this, however few the periods
# The co-mention bars: per row a name, then a bar and its count.
RANKED_WIDTH = 400
RANKED_ROW = 40
RANKED_BAR = 330
# A sparkline: one bar per day.
SPARK_DAY = 3
SPARK_HEIGHT = 20


@dataclass(frozen=True)
class Period:
    """One bin of a timeline: when, how many briefs, and the archive month its bar links to."""

    key: str  # "2023-03" (a month), "2023-03-06" (the Monday of an ISO week) or "2023" (a year)
    label: str  # "March 2023", "Week of 6 March 2023", "2023"
    short: str  # for the axis: "Mar 2023", "6 Mar 2023", "2023"
    count: int
    archive: str | None  # "archive/2023/03/": the month of the period's first brief; None when it has none

    @property
    def title(self) -> str:
        return f"{self.label}: {briefs_text(self.count)}"

    @property
    def phrase(self) -> str:
        """The label as it reads inside a sentence: 'March 2023', 'the week of 6 March 2023'."""
        return f"the w{self.label[1:]}" if self.label.startswith("Week of") else self.label


@dataclass(frozen=True)
class Timeline:
    """An entity's briefs per period across its span, empty periods included."""

    unit: str  # "week", "month" or "year"
    periods: tuple[Period, ...]
    busiest: tuple[Period, ...]  # at most BUSIEST, most briefs first (ties: the earlier first)
    signature: str = ""  # a digest of the dates it was made from: equal digests, equal timelines

    @property
    def total(self) -> int:
        return sum(period.count for period in self.periods)


@dataclass(frozen=True)
class Bar:
    """One period's bar in viewBox units (text in a fixed format)."""

    period: Period
    x: str
    y: str
    width: str
    height: str
    middle: str  # where its count label is centred
    label_y: str
    busiest: bool


@dataclass(frozen=True)
class TimelineChart:
    """A timeline laid out: its bars, the baseline, the axis labels and what it says in words."""

    timeline: Timeline
    bars: tuple[Bar, ...]
    width: int
    height: int
    baseline: int
    summary: str  # the chart in one sentence, for its accessible name

    @property
    def first(self) -> Period:
        return self.timeline.periods[0]

    @property
    def last(self) -> Period:
        return self.timeline.periods[-1]


@dataclass(frozen=True)
class RankedBar:
    """One entity named with another, as a row of the co-mention chart."""

    entity: Entity
    count: int
    text_y: int
    bar_y: int
    width: str
    count_x: str
    count_y: int

    @property
    def title(self) -> str:
        # Its visible text (the name, the count) first, as it reads: the name of a link starts with what it shows.
        return f"{self.entity.name} {self.count} shared brief{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class RankedChart:
    """The entities most often named with one entity, as ranked horizontal bars."""

    bars: tuple[RankedBar, ...]
    width: int
    height: int
    bar_height: int


@dataclass(frozen=True)
class Sparkline:
    """Counts per day over the last days, as tiny bars."""

    counts: tuple[int, ...]
    bars: tuple[tuple[str, str, str, str], ...]  # x, y, width, height of each day with briefs
    width: int
    height: int
    summary: str


@dataclass(frozen=True)
class RecentEntity:
    """An entity of the most named of the last days: how often, and a sparkline."""

    entity: Entity
    count: int
    sparkline: Sparkline


@dataclass(frozen=True)
class RecentlyNamed:
    """The entities most named in the days up to the newest brief's date."""

    days: int
    first: date
    last: date
    entities: tuple[RecentEntity, ...]


def briefs_text(count: int) -> str:
    return "no briefs" if count == 0 else f"{count} brief" if count == 1 else f"{count} briefs"


def _units(hundredths: int) -> str:
    """Hundredths of a unit as text: '12', '3.50'. Fixed: the same number is always the same text."""
    whole, part = divmod(hundredths, 100)
    return str(whole) if part == 0 else f"{whole}.{part:02d}"


def _archive_month(day: date) -> str:
    return f"archive/{day.year:04d}/{day.month:02d}/"


# -- the timeline ---------------------------------------------------------------------------------


def timeline_unit(first: date, last: date) -> str:
    """'week' for a span under about three months, 'year' for one over fifteen years, else 'month'."""
    if (last - first).days < WEEKLY_BELOW_DAYS:
        return "week"
    if (last.year - first.year) * 12 + last.month - first.month + 1 > YEARLY_ABOVE_MONTHS:
        return "year"
    return "month"


# Periods are numbered so that consecutive periods have consecutive numbers: weeks from the Monday
# 1 January of year 1 (ordinal 1), months from January of year 0, years as themselves.
def _period_number(day: date, unit: str) -> int:
    if unit == "week":
        return (day.toordinal() - 1) // 7
    if unit == "month":
        return day.year * 12 + day.month - 1
    return day.year


def _period_start(number: int, unit: str) -> date:
    if unit == "week":
        return date.fromordinal(number * 7 + 1)
    if unit == "month":
        return date(number // 12, number % 12 + 1, 1)
    return date(number, 1, 1)


@lru_cache(maxsize=1 << 14)  # the same months recur on every entity's timeline
def _period_text(start: date, unit: str) -> tuple[str, str, str]:
    """A period's key, label and short label."""
    month = MONTHS[start.month - 1]
    if unit == "week":
        return start.isoformat(), f"Week of {start.day} {month} {start.year}", f"{start.day} {month[:3]} {start.year}"
    if unit == "month":
        return f"{start.year:04d}-{start.month:02d}", f"{month} {start.year}", f"{month[:3]} {start.year}"
    return (f"{start.year:04d}",) * 3


@lru_cache(maxsize=1 << 14)
def _empty_period(start: date, unit: str) -> Period:
    return Period(*_period_text(start, unit), 0, None)


def _period(start: date, unit: str, count: int, first_day: date | None) -> Period:
    if not count or first_day is None:
        return _empty_period(start, unit)
    return Period(*_period_text(start, unit), count, _archive_month(first_day))


def bin_dates(dates: Iterable[date]) -> Timeline:
    """Brief dates → counts per period from the first brief's period to the last's, empty ones as 0.

    A period's bar links to the archive month of its first brief: the
    month itself, the month a week's first brief fell in, or a year's first
    month with a brief (that archive page exists whenever the period has a
    brief). The busiest periods are those with most briefs, the earlier first.
    """
    days = sorted(dates)
    if not days:
        return Timeline("month", (), ())
    unit = timeline_unit(days[0], days[-1])
    numbers = [_period_number(day, unit) for day in days]
    counts = Counter(numbers)
    first_days = {number: day for number, day in zip(reversed(numbers), reversed(days), strict=True)}
    periods = [_period(_period_start(number, unit), unit, counts.get(number, 0), first_days.get(number))
               for number in range(numbers[0], numbers[-1] + 1)]
    ranked = sorted((index for index, period in enumerate(periods) if period.count),
                    key=lambda index: (-periods[index].count, index))
    digest = hashlib.blake2b(array("q", [day.toordinal() for day in days]).tobytes(), digest_size=12).hexdigest()
    return Timeline(unit, tuple(periods), tuple(periods[index] for index in ranked[:BUSIEST]), digest)


def entity_timeline(briefs: Sequence[Brief]) -> Timeline:
    """The timeline of an entity's briefs, by each brief's own (local) date.

    Drawn for the entity's first page and again for its card: the last few are kept by the list they
    were drawn from (the same tuple is the same briefs; kept here, its id is not reused). An entity in
    a fifth of 100,000 briefs took 0.08 s each time."""
    found = _timelines.get(id(briefs))
    if found is not None and found[0] is briefs:
        return found[1]
    timeline = bin_dates(brief.date.date() for brief in briefs)
    if isinstance(briefs, tuple):
        _timelines[id(briefs)] = (briefs, timeline)
        while len(_timelines) > _TIMELINES_KEPT:
            del _timelines[next(iter(_timelines))]
    return timeline


_TIMELINES_KEPT = 8
_timelines: dict[int, tuple[Sequence[Brief], Timeline]] = {}


def timeline_chart(timeline: Timeline) -> TimelineChart:
    """The timeline laid out in a TIMELINE_WIDTH × TIMELINE_HEIGHT viewBox, bars as tall as their counts."""
    periods = timeline.periods
    count = len(periods)
    most = max((period.count for period in periods), default=0) or 1
    busiest = {period.key for period in timeline.busiest}
    bottom = (TIMELINE_TOP + TIMELINE_PLOT) * 100
    bars = []
    for index, period in enumerate(periods):
        x, width, middle = _slot(index, count)
        if period.count:
            height = max(100, period.count * TIMELINE_PLOT * 100 // most)  # at least one unit tall
            bars.append(Bar(period, x, _units(bottom - height), width, _units(height), middle,
                            _units(bottom - height - 600), period.key in busiest))
        else:  # no height: the baseline shows it
            bars.append(_empty_bar(period, x, width, middle))
    return TimelineChart(timeline, tuple(bars), TIMELINE_WIDTH, TIMELINE_HEIGHT, TIMELINE_TOP + TIMELINE_PLOT,
                         _timeline_summary(timeline))


@lru_cache(maxsize=1 << 14)  # every timeline of as many periods places them alike
def _slot(index: int, count: int) -> tuple[str, str, str]:
    """Where the bar of period `index` of `count` goes: x, width and middle, in a bar's share of the width."""
    left, right = index * TIMELINE_WIDTH * 100 // count, (index + 1) * TIMELINE_WIDTH * 100 // count
    width = max(1, min((right - left) * 4 // 5, TIMELINE_MAX_BAR * 100))
    x = left + (right - left - width) // 2
    return _units(x), _units(width), _units(x + width // 2)


@lru_cache(maxsize=1 << 14)
def _empty_bar(period: Period, x: str, width: str, middle: str) -> Bar:
    bottom = _units((TIMELINE_TOP + TIMELINE_PLOT) * 100)
    return Bar(period, x, bottom, width, "0", middle, bottom, False)


def _timeline_summary(timeline: Timeline) -> str:
    """'Briefs per month from March 2023 to June 2024, 12 in all; most in March 2023 (5), ...'."""
    periods = timeline.periods
    if not periods:
        return "No briefs"
    first, last = periods[0].phrase, periods[-1].phrase
    span = f"in {first}" if len(periods) == 1 else f"from {first} to {last}"
    text = f"Briefs per {timeline.unit} {span}, {timeline.total} in all"
    if len(periods) > 1:
        text += "; most in " + ", ".join(f"{p.phrase} ({p.count})" for p in timeline.busiest)
    return text


def entity_card(entity: Entity, type_name: str, timeline: Timeline, url: str) -> bytes:
    """An entity's card (`card.json` beside its page): who it is, how often named, and its timeline.

    Keys sorted, no spaces to vary: the same entity gives the same bytes.
    """
    card = {
        "type": type_name,
        "name": entity.name,
        "description": entity.description,
        "briefs": timeline.total,
        "url": url,
        "timeline": [{"period": period.key, "count": period.count} for period in timeline.periods],
    }
    return (json.dumps(card, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


# -- co-mentions ----------------------------------------------------------------------------------


def ranked_chart(co_mentions: Sequence[tuple[Entity, int]]) -> RankedChart | None:
    """Co-mentions (most shared briefs first, as the site ranks them) as bars as long as their counts."""
    if not co_mentions:
        return None
    most = max(count for _, count in co_mentions)
    bar_height = 12
    bars = []
    for row, (entity, count) in enumerate(co_mentions):
        width = max(100, count * RANKED_BAR * 100 // most)
        top = row * RANKED_ROW
        bars.append(RankedBar(entity, count, top + 15, top + 21, _units(width), _units(width + 600),
                              top + 21 + bar_height - 1))
    return RankedChart(tuple(bars), RANKED_WIDTH, len(bars) * RANKED_ROW, bar_height)


# -- the most named of the last days ------------------------------------------------------------------


def sparkline(counts: Sequence[int], first: date) -> Sparkline:
    """One bar per day (a day without briefs has none), as tall as its count against the busiest day."""
    most = max(counts, default=0) or 1
    bars = []
    for index, count in enumerate(counts):
        if count:
            height = max(100, count * SPARK_HEIGHT * 100 // most)
            bars.append((_units(index * SPARK_DAY * 100), _units(SPARK_HEIGHT * 100 - height),
                         _units((SPARK_DAY - 1) * 100), _units(height)))
    last = first + timedelta(days=len(counts) - 1)
    busiest = max(range(len(counts)), key=lambda index: (counts[index], -index)) if counts else 0
    summary = f"{briefs_text(sum(counts)).capitalize()} from {_day(first)} to {_day(last)}"
    if counts and counts[busiest]:
        summary += f", most on {_day(first + timedelta(days=busiest))} ({counts[busiest]})"
    return Sparkline(tuple(counts), tuple(bars), len(counts) * SPARK_DAY, SPARK_HEIGHT, summary)


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def recently_named(briefs: Sequence[Brief], entities: Mapping[Key, Entity], *, days: int = RECENT_DAYS,
                   limit: int = RECENT_LIMIT) -> RecentlyNamed | None:
    """The entities named in most briefs of the `days` days up to the newest brief's date.

    `briefs` newest first. Days are each brief's own (local) date; ties go
    to the name, then the id. None when there are no briefs.
    """
    if not briefs:
        return None
    # Briefs are in time order; their local dates may be out of that order by a day at most.
    near = briefs[0].date.timestamp() - (days + 2) * 86400
    dated = [(brief, brief.date.date()) for brief in briefs[:_count_after(briefs, near)]]
    last = max(day for _, day in dated)
    first = last - timedelta(days=days - 1)
    per_day: dict[Key, list[int]] = {}
    for brief, day in dated:
        if day < first:
            continue
        for key in dict.fromkeys(brief.entities):
            if key in entities:
                per_day.setdefault(key, [0] * days)[(day - first).days] += 1
    totals = sorted(((sum(counts), key) for key, counts in per_day.items()),
                    key=lambda item: (-item[0], entities[item[1]].name, item[1]))
    return RecentlyNamed(days, first, last, tuple(RecentEntity(entities[key], total, sparkline(per_day[key], first))
                                            for total, key in totals[:limit]))


def _count_after(briefs: Sequence[Brief], timestamp: float) -> int:
    """How many of `briefs` (newest first) are at or after `timestamp`."""
    low, high = 0, len(briefs)
    while low < high:
        middle = (low + high) // 2
        if briefs[middle].date.timestamp() >= timestamp:
            low = middle + 1
        else:
            high = middle
    return low
