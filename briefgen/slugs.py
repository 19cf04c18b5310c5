"""Slugs: the one way briefgen turns a name, title or tag into a URL part.

python-slugify transliterates (`Zoë Müller` → `zoe-muller`); a site names the
same entities and tags thousands of times, so results are remembered.
"""

from __future__ import annotations

from functools import lru_cache

from slugify import slugify as python_slugify


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """The lowercase, hyphenated ASCII form of `text` ('' when nothing is left)."""
    return python_slugify(text)
