"""Headings in a brief's element tree: one level down, each with a stable anchor.

Owns heading levels (the page's title is its only h1, so a brief's `#` is an
h2) and heading ids made from their text as Hugo and MkDocs make them,
never one the page or briefgen's notes and marks already use. Must not know
about entities, annotations, links, files or templates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from ..slugs import slugify
from .textmap import without_placeholders

# Ids the brief page has around the body (templates/brief.html, base.html), and the shape of the ids
# briefgen gives notes and marks: a heading never takes one of them (footnotes' fn:1 holds a colon,
# which no slug has).
PAGE_IDS = frozenset({"main", "site-search-q", "brief-title", "entities-title", "key-points-title",
                      "notes-title", "related-title", "corrections-title"})
GIVEN_ID = re.compile(r"^(?:note|anno|ref)-\d+$")


def is_demotable_heading(element: etree.Element) -> bool:
    """h1 to h5: headings that move one level down (an h6 stays as it is)."""
    tag = element.tag
    return len(tag) == 2 and tag[0] == "h" and tag[1] in "12345"


def demote_heading(heading: etree.Element, taken: set[str] | None) -> None:
    """One level down; with `taken` (the ids given so far), an id unless it has one."""
    heading.tag = f"h{int(heading.tag[1]) + 1}"
    if taken is not None and "id" not in heading.attrib:
        heading.set("id", heading_id(heading, taken))


def heading_id(heading: etree.Element, taken: set[str]) -> str:
    """A heading's anchor, as Hugo and MkDocs make it: its text as a slug ('background', then 'background-1')."""
    base = slugify(without_placeholders("".join(heading.itertext()))) or "section"
    candidate, number = base, 0
    while candidate in taken or candidate in PAGE_IDS or GIVEN_ID.match(candidate):
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate
