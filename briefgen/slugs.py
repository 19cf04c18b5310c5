"""Slugs: the one way briefgen turns a name, title or tag into a URL part.

python-slugify transliterates (`Zoë Müller` → `zoe-muller`); a site names the
same entities and tags thousands of times, so results are remembered: a few
thousand of them, for names given again. A file's stem is slugged once per
build, and is not remembered.
"""

from __future__ import annotations

from functools import lru_cache

from slugify import slugify as python_slugify

# A slug names a folder of the site: file systems allow 255 bytes a name. Longer ones are refused
# where they are given (an error asks for a shorter name or an id), never cut short silently,
# which could make two names one. The authoring tools shorten a title's slug at a word break, and
# so does a brief whose file name makes a slug too long (a warning asks for `slug:`).
MAX_SLUG_LENGTH = 200
TITLE_SLUG_LENGTH = 80


# Entries, each about 350 bytes: a bound on what each process of a build keeps. With every file's stem
# in it too, the main process of a clean build of 100,000 briefs kept 65,536 entries (about 23 MB),
# and the page workers copied them as they looked tags up.
SLUGS_REMEMBERED = 1 << 13


@lru_cache(maxsize=SLUGS_REMEMBERED)
def slugify(text: str) -> str:
    """The lowercase, hyphenated ASCII form of `text` ('' when nothing is left)."""
    return python_slugify(text)


def stem_slug(stem: str) -> tuple[str, bool]:
    """A brief's default slug, from its file's stem, and whether it had to be shortened.

    A legal file name (255 bytes) can transliterate to far more than a file name
    holds (80 Chinese characters make 479): past `MAX_SLUG_LENGTH` the slug is
    cut at a hyphen to `TITLE_SLUG_LENGTH` characters, as a new brief's title is.
    """
    slug = python_slugify(stem)  # not remembered: each stem comes once a build
    if len(slug) <= MAX_SLUG_LENGTH:
        return slug, False
    return title_slug(stem), True


def title_slug(title: str) -> str:
    """A new brief's slug from its title: at most `TITLE_SLUG_LENGTH` characters, cut at a hyphen."""
    return python_slugify(title, max_length=TITLE_SLUG_LENGTH, word_boundary=True)
