"""The date a draft brief takes from its dateline ("WASHINGTON, Sept 13 (Reuters) -").

Pure functions of the text: no files, no site.
"""

from __future__ import annotations

import datetime as dt
import re

from ..wire import parse_wire

# "WASHINGTON (AP) — ", "LONDON, May 3 (Reuters) - ": where and by whom a story was filed.
DATELINE = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ][A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ.'’ -]*[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ.])(?:,\s*[^()\n—–-]{1,30}?)?\s*"
    r"(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s+"
)


MONTH_NUMBERS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")), 1) for name in names}
DATELINE_DATE = re.compile(r"\b(?:(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})|(?P<day_first>\d{1,2})\s+"
                           r"(?P<month_second>[A-Za-z]{3,9})\.?)(?:,?\s+(?P<year>\d{4}))?\b")


def suggest_date(text: str, today: dt.date) -> dt.date | None:
    """The day a wire story's dateline gives ('WASHINGTON, Sept 13 (Reuters) -'), if any.

    Without a year it is the latest such day up to `today`: agencies date
    copy by month and day.
    """
    wire = parse_wire(text)
    first = next(iter(wire.paragraphs), "")
    dateline = DATELINE.match(first)
    found = DATELINE_DATE.search(dateline.group(0)) if dateline else None
    if found is None:
        return None
    month = MONTH_NUMBERS.get((found.group("month") or found.group("month_second")).lower())
    day = int(found.group("day") or found.group("day_first"))
    if month is None:
        return None
    year = int(found.group("year")) if found.group("year") else today.year
    try:
        day_found = dt.date(year, month, day)
        if not found.group("year") and day_found > today:
            day_found = dt.date(year - 1, month, day)
    except ValueError:
        return None
    return day_found
