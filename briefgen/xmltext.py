"""Text that may go into an XML 1.0 document, and the dates feeds and sitemaps use.

Owns stripping the characters XML 1.0 forbids (content is hostile: a title
may carry a stray control character that would make a whole feed unreadable)
and formatting dates as RFC 3339 / W3C Datetime, and as people read them. Must not import other
briefgen modules beyond the model, and must not build documents: escaping is
left to ElementTree, which does it right.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

# XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
# Everything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot appear
# even escaped, so it is dropped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _NOT_XML_CHAR.sub("", text)


@lru_cache(maxsize=1 << 16)  # a brief's date shows on dozens of pages
def rfc3339(value: datetime) -> str:
    """'2018-07-19T00:00:00-04:00': the offset is always given, seconds always shown.

    An offset of whole minutes only: before standard time, zones kept local
    mean time (Paris was +00:09:21), which RFC 3339 and HTML cannot write,
    so such a moment is given in UTC.
    """
    offset = value.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")


def w3c_date(value: datetime, has_time: bool) -> str:
    """A sitemap date: the day alone when the brief gives no time, else the full date-time."""
    return value.date().isoformat() if not has_time else rfc3339(value)


def local_day(value: datetime | date) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_date(value: datetime | date, has_time: bool = False) -> str:
    """'19 July 2018' (and ', 14:30 UTC' when the time is known): locale-free, stable."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if has_time and isinstance(value, datetime):
        text += f", {value:%H:%M} {value.tzname() or ''}".rstrip()
    return text


def plain_number(value: float) -> str:
    """3.0 as '3', 2.5 as '2.5': a rating's numbers as a reader writes them."""
    return str(int(value)) if float(value).is_integer() else str(value)
