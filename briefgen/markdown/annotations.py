"""Annotation marks: a `<mark>` around each annotated quote, and its note's number after it.

Owns the marks' markup (classes, ids `anno-N` and `ref-N`, the link to
`#note-N`) and numbering notes in reading order. Where a quote is comes from
`quotes.py`; must not link mentions or change URLs or headings, and knows
nothing of files or templates.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Sequence

from ..model import Annotation
from .quotes import QuoteProblem, locate_quote
from .textmap import TextMap, without_placeholders

NOTE_REF_CLASS = "annotation-ref"  # the number after an annotated quote: <sup><a class=...>1</a></sup>


@dataclass
class Marked:
    """What marking a document's annotations found."""

    note_numbers: dict[int, int] = field(default_factory=dict)  # annotation index → number shown
    quoted: dict[int, str] = field(default_factory=dict)  # annotation index → the text it marks, as written there
    problems: list[QuoteProblem] = field(default_factory=list)


def mark_annotations(root: etree.Element, annotations: Sequence[Annotation]) -> Marked:
    """Mark each annotation's quote in the tree and number the notes in reading order."""
    text_map = TextMap(root, lambda element: False)
    marked = Marked()
    located: list[tuple[int, int, int]] = []  # (start, end, annotation index) in text offsets
    for index, annotation in enumerate(annotations):
        found = locate_quote(text_map, annotation)
        if isinstance(found, QuoteProblem):
            marked.problems.append(found)
        else:
            located.append((*found, index))
    located.sort()
    last_pieces: list[tuple[int, etree.Element]] = []
    for number, (start, end, index) in enumerate(located, 1):
        marked.note_numbers[index] = number
        marked.quoted[index] = without_placeholders(text_map.text[start:end])
        annotation = annotations[index]
        pieces = text_map.wrap(start, end, lambda: _annotation_mark(annotation, number))
        if pieces:
            pieces[0].set("id", f"anno-{number}")
            last_pieces.append((number, pieces[-1]))
    # Numbers go in last: they add text, which would shift the offsets above.
    _add_note_numbers(root, last_pieces)
    return marked


def _annotation_mark(annotation: Annotation, number: int) -> etree.Element:
    return etree.Element("mark", {
        "class": f"annotation annotation--{annotation.kind}",
        "data-note": str(number),
        "data-kind": annotation.kind,
        "tabindex": "0",
        "aria-describedby": f"note-{number}",
    })


def _add_note_numbers(root: etree.Element, last_pieces: list[tuple[int, etree.Element]]) -> None:
    """After each quote's last mark, its note's number linking to the note."""
    parents = {child: parent for parent in root.iter() for child in parent} if last_pieces else {}
    for number, last_piece in last_pieces:
        ref = etree.Element("a", {"class": NOTE_REF_CLASS, "href": f"#note-{number}",
                                  "id": f"ref-{number}", "aria-label": f"note {number}"})
        ref.text = str(number)
        sup = etree.Element("sup")
        sup.append(ref)
        link = _outermost_link(last_piece, parents)
        if link is None:
            last_piece.append(sup)
        else:
            # A quote ending inside a link or mention: the number's own link goes after it, never in it.
            parent = parents[link]
            parent.insert(list(parent).index(link) + 1, sup)
            sup.tail, link.tail = link.tail, None


def _outermost_link(element: etree.Element, parents: dict[etree.Element, etree.Element]) -> etree.Element | None:
    """The outermost <a> holding `element`, if any."""
    link = None
    while element in parents:
        element = parents[element]
        if element.tag == "a":
            link = element
    return link
