"""The text of an ElementTree as one string, and marking ranges of it.

Owns the coordinate system the Markdown extension works in: the document's
text in reading order (what ``itertext`` yields), split into blocks, plus a
normalised copy for matching quotes (white space folded, smart quotes and
dashes made plain, placeholders dropped) that maps back to it. `wrap_range`
wraps any range of that text in new elements, across inline markup, without
changing the text itself, so offsets stay valid while elements are added.
Knows nothing of entities, annotations, files or templates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from markdown.util import ETX, STX

BLOCK_TAGS = frozenset({
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
    "dt", "dd", "figcaption", "div", "ul", "ol", "dl", "table", "thead", "tbody", "tr",
    "hr", "section", "article", "aside", "header", "footer", "figure", "caption",
})
# The sentinel stands between blocks in the normalised text: no quote contains it.
BLOCK_BREAK = "\u2029"
PLAIN_FORMS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2007": " ",
    "\u2026": "...",
}
SOFT_HYPHEN_AND_ZERO_WIDTH = frozenset({"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})
PLACEHOLDER = re.compile(f"{STX}[^{ETX}]*{ETX}")  # Python-Markdown's stashed HTML


@dataclass(frozen=True)
class Segment:
    """A run of text: where it starts in the document text, and its block."""

    start: int
    text: str
    block: etree.Element
    block_start: int
    excluded: bool  # inside a link, code or a heading


class TextMap:
    """Text coordinates of a tree, and a normalised view for matching.

    ``text`` is the document text; ``normal`` its normalised form with
    ``BLOCK_BREAK`` between blocks; ``normal_to_text[i]`` is the offset in
    ``text`` of normalised character i (and one past the end, at the end).
    """

    def __init__(self, root: etree.Element, exclude: Callable[[etree.Element], bool]) -> None:
        self.root = root
        self.segments: list[Segment] = []
        self._pieces: list[str] = []
        self._length = 0
        self._block_ends: dict[int, int] = {}
        self._collect(root, root, 0, exclude, False)
        self.text = "".join(self._pieces)
        self._normal: tuple[str, list[int]] | None = None

    @property
    def normal(self) -> str:
        return self._normalised()[0]

    @property
    def normal_to_text(self) -> list[int]:
        return self._normalised()[1]

    def _normalised(self) -> tuple[str, list[int]]:
        # Only annotations need the normalised text: made on first use.
        if self._normal is None:
            self._normal = normalise_with_map(self.text, self._block_breaks())
        return self._normal

    def _collect(self, element: etree.Element, block: etree.Element, block_start: int,
                 exclude: Callable[[etree.Element], bool], excluded: bool) -> None:
        tag: object = element.tag  # a comment's or processing instruction's tag is a function
        if not isinstance(tag, str):
            return
        excluded = excluded or exclude(element)
        if element is not self.root and element.tag in BLOCK_TAGS:
            block, block_start = element, self._length
        self._add(element.text, block, block_start, excluded)
        for child in element:
            self._collect(child, block, block_start, exclude, excluded)
            self._add(child.tail, block, block_start, excluded)

    def _add(self, text: str | None, block: etree.Element, block_start: int, excluded: bool) -> None:
        if text:
            self.segments.append(Segment(self._length, text, block, block_start, excluded))
            self._pieces.append(text)
            self._length += len(text)

    def block_end(self, block: etree.Element) -> int:
        """Where the text of `block` ends (its last segment's end)."""
        ends = self._block_ends
        if not ends:
            for segment in self.segments:
                ends[id(segment.block)] = segment.start + len(segment.text)
        return ends.get(id(block), self._length)

    def _block_breaks(self) -> set[int]:
        """Offsets in ``text`` where one block's text ends and another's starts."""
        breaks = set()
        for before, after in pairwise(self.segments):
            if before.block is not after.block:
                breaks.add(after.start)
        return breaks

    def block_at(self, start: int, end: int) -> tuple[etree.Element, int] | None:
        """The innermost block holding all of text[start:end], with its start offset."""
        first = self._segment_at(start)
        last = self._segment_at(max(start, end - 1))
        if first is None or last is None or first.block is not last.block:
            return None
        return first.block, first.block_start

    def _segment_at(self, offset: int) -> Segment | None:
        low, high = 0, len(self.segments) - 1
        while low <= high:
            middle = (low + high) // 2
            segment = self.segments[middle]
            if offset < segment.start:
                high = middle - 1
            elif offset >= segment.start + len(segment.text):
                low = middle + 1
            else:
                return segment
        return None

    def to_text_range(self, normal_start: int, normal_end: int) -> tuple[int, int]:
        """A range of ``normal`` → the range of ``text`` it came from."""
        start = self.normal_to_text[normal_start]
        end = self.normal_to_text[normal_end - 1] + 1 if normal_end > normal_start else start
        return start, end

    def wrap(self, start: int, end: int, make: Callable[[], etree.Element]) -> list[etree.Element]:
        """Wrap text[start:end] in elements made by `make`; returns them in order."""
        located = self.block_at(start, end)
        if located is None:
            return wrap_range(self.root, start, end, make)
        block, block_start = located
        return wrap_range(block, start - block_start, end - block_start, make)


# Runs of characters that normalising copies as they are; everything else is
# looked at one character (or one run of white space) at a time.
_ORDINARY = "[^\\s" + re.escape("".join(PLAIN_FORMS) + "".join(SOFT_HYPHEN_AND_ZERO_WIDTH)) + STX + "]+"
# Words joined by single spaces are copied in one piece: the common case.
_PLAIN_RUN = re.compile(f"{_ORDINARY}(?: {_ORDINARY})*")
_SPACE_RUN = re.compile(r"\s+")


def normalise_with_map(text: str, breaks: set[int] | frozenset[int] = frozenset()) -> tuple[str, list[int]]:
    """Fold white space, make quotes and dashes plain, drop placeholders.

    Returns the normalised text and, for each of its characters, the offset of
    the character of `text` it came from (plus one final entry: len(text)).
    A block break in `breaks` becomes one ``BLOCK_BREAK`` character.
    """
    out: list[str] = []
    origin: list[int] = []
    in_space = True  # leading white space is dropped
    cuts = sorted(b for b in breaks if 0 < b < len(text))
    bounds = [0, *cuts, len(text)]
    for piece_start, piece_end in pairwise(bounds):
        if piece_start in breaks and out:
            if out[-1] == " ":
                out.pop()
                origin.pop()
            if out and out[-1] != BLOCK_BREAK:
                out.append(BLOCK_BREAK)
                origin.append(piece_start)
            in_space = True
        in_space = _normalise_piece(text, piece_start, piece_end, in_space, out, origin)
    normal = "".join(out)
    if normal.endswith(" "):
        normal = normal[:-1]
        origin.pop()
    origin.append(len(text))
    return normal, origin


def _normalise_piece(text: str, index: int, piece_end: int, in_space: bool,
                     out: list[str], origin: list[int]) -> bool:
    """Normalise text[index:piece_end] onto `out` and `origin`; returns whether it ended in white space."""
    while index < piece_end:
        run = _PLAIN_RUN.match(text, index, piece_end)
        if run is not None:
            out.append(run.group())
            origin.extend(range(index, run.end()))
            index = run.end()
            in_space = False
            continue
        char = text[index]
        if char == STX:
            closing = text.find(ETX, index)
            index = piece_end if closing < 0 else min(closing + 1, piece_end)
            continue
        if char in SOFT_HYPHEN_AND_ZERO_WIDTH:
            index += 1
            continue
        space = _SPACE_RUN.match(text, index, piece_end)
        plain = " " if space is not None else PLAIN_FORMS[char]
        if plain.isspace():
            if not in_space:
                out.append(" ")
                origin.append(index)
                in_space = True
        else:
            out.append(plain)
            origin.extend([index] * len(plain))
            in_space = False
        index = space.end() if space is not None else index + 1
    return in_space


def without_placeholders(text: str) -> str:
    """`text` without Python-Markdown's placeholders for stashed HTML: the words a reader sees."""
    return PLACEHOLDER.sub("", text)


def normalise(text: str) -> str:
    """`text` folded as quotes are compared (see `normalise_with_map`)."""
    return normalise_with_map(text)[0]


MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`]+")


def strip_markup(text: str) -> str:
    """Markdown emphasis, code ticks and link syntax removed, keeping the words."""
    return MARKUP.sub(lambda match: match.group(1) or "", text)


def inner_length(element: etree.Element) -> int:
    return sum(len(piece) for piece in element.itertext())


def wrap_range(element: etree.Element, start: int, end: int,
               make: Callable[[], etree.Element]) -> list[etree.Element]:
    """Wrap [start, end) of `element`'s inner text in new elements.

    Children wholly inside the range move into the new element; a child the
    range only partly covers is wrapped inside, recursively. So a range that
    crosses `<em>` or `<a>` boundaries becomes as few wrappers as nesting
    allows, and the text is unchanged.
    """
    items: list[str | etree.Element] = [element.text or ""]
    for child in list(element):
        items.append(child)
        items.append(child.tail or "")
        child.tail = None
        element.remove(child)
    element.text = None
    wrapping = _Wrapping(start, end, make)
    position = 0
    for item in items:
        if isinstance(item, str):
            wrapping.add_text(item, position)
            position += len(item)
        else:
            position += wrapping.add_child(item, position)
    wrapping.flush()
    _fill(element, wrapping.result)
    return wrapping.created


class _Wrapping:
    """An element's new contents while [start, end) of its text is being wrapped, item by item."""

    def __init__(self, start: int, end: int, make: Callable[[], etree.Element]) -> None:
        self.start, self.end, self.make = start, end, make
        self.result: list[str | etree.Element] = []  # the element's new contents
        self.created: list[etree.Element] = []  # every wrapper made, in order
        self.run: list[str | etree.Element] = []  # what the next wrapper will hold

    def flush(self) -> None:
        """Close the wrapper being filled, if any."""
        if self.run:
            wrapper = self.make()
            _fill(wrapper, self.run)
            self.result.append(wrapper)
            self.created.append(wrapper)
            self.run = []

    def add_text(self, item: str, position: int) -> None:
        if not item:
            return
        low, high = max(self.start, position), min(self.end, position + len(item))
        if low >= high:
            self.flush()
            self.result.append(item)
            return
        before, inside, after = item[: low - position], item[low - position: high - position], item[high - position:]
        if before:
            self.flush()
            self.result.append(before)
        self.run.append(inside)
        if after:
            self.flush()
            self.result.append(after)

    def add_child(self, item: etree.Element, position: int) -> int:
        """Place a child that starts at `position`; returns the length of its text."""
        length = inner_length(item) if isinstance(item.tag, str) else 0
        low, high = max(self.start, position), min(self.end, position + length)
        if length:
            inside = self.start <= position and position + length <= self.end
        else:
            inside = self.start < position < self.end
        if inside:
            self.run.append(item)
        elif low < high:
            self.flush()
            self.created.extend(wrap_range(item, low - position, high - position, self.make))
            self.result.append(item)
        else:
            self.flush()
            self.result.append(item)
        return length


def _fill(element: etree.Element, items: list[str | etree.Element]) -> None:
    """Put strings and elements into `element` as text, children and tails."""
    last: etree.Element | None = None
    for item in items:
        if isinstance(item, str):
            if last is None:
                element.text = (element.text or "") + item
            else:
                last.tail = (last.tail or "") + item
        else:
            element.append(item)
            last = item
