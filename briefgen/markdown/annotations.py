"""Annotation marks: a `<mark>` around each annotated quote, and its note's number after it.

Owns the marks' markup (classes, ids `anno-N` and `ref-N`, the link to
`#note-N`) and numbering notes in reading order. Where a quote is comes from
`quotes.py`; must not link mentions or change URLs or headings, and knows
nothing of files or templates.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

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
    marks: list[tuple[int, list[etree.Element]]] = []  # each note's number and the marks of its quote
    for number, (start, end, index) in enumerate(located, 1):
        marked.note_numbers[index] = number
        marked.quoted[index] = without_placeholders(text_map.text[start:end])
        annotation = annotations[index]
        pieces = text_map.wrap(start, end, partial(_annotation_mark, annotation, number))
        if pieces:
            pieces[0].set("id", f"anno-{number}")
            marks.append((number, pieces))
    parents = {child: parent for parent in root.iter() for child in parent} if marks else {}
    for number, pieces in marks:
        _make_focusable(number, pieces, parents)
    # Numbers go in last: they add text, which would shift the offsets above.
    _add_note_numbers([(number, pieces[-1]) for number, pieces in marks], parents)
    return marked


def _annotation_mark(annotation: Annotation, number: int) -> etree.Element:
    return etree.Element("mark", {
        "class": f"annotation annotation--{annotation.kind}",
        "data-note": str(number),
        "data-kind": annotation.kind,
    })


def _make_focusable(number: int, pieces: list[etree.Element], parents: dict[etree.Element, etree.Element]) -> None:
    """One focus stop per annotation, described by its note: the first mark of the quote outside any link.

    A quote split around a link (or partly inside a mention) is still one annotation to a keyboard or a
    screen reader; and nothing focusable may sit inside a link. A quote wholly inside links has no
    focusable mark: its note's number, after the link, is the way to the note.
    """
    for piece in pieces:
        if _outermost_link(piece, parents) is None:
            piece.set("tabindex", "0")
            piece.set("aria-describedby", f"note-{number}")
            return


def _add_note_numbers(last_pieces: list[tuple[int, etree.Element]],
                      parents: dict[etree.Element, etree.Element]) -> None:
    """After each quote's last mark, its note's number linking to the note.

    The number follows the mark (its text is the quote's, as a client selecting it sees it); where
    the quote ends inside a link or mention, it follows the link: a link never holds another.
    """
    for number, last_piece in last_pieces:
        ref = etree.Element("a", {"class": NOTE_REF_CLASS, "href": f"#note-{number}",
                                  "id": f"ref-{number}", "aria-label": f"note {number}"})
        ref.text = str(number)
        sup = etree.Element("sup")
        sup.append(ref)
        before = _outermost_link(last_piece, parents) or last_piece
        parent = parents[before]
        parent.insert(list(parent).index(before) + 1, sup)
        parents[sup] = parent
        sup.tail, before.tail = before.tail, None


def _outermost_link(element: etree.Element, parents: dict[etree.Element, etree.Element]) -> etree.Element | None:
    """The outermost <a> holding `element`, if any."""
    link = None
    while element in parents:
        element = parents[element]
        if element.tag == "a":
            link = element
    return link
