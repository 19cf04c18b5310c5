"""Reading and rewriting finished HTML with a real parser, never with regular expressions.

Owns what later stages need from HTML that is already rendered: its text as
a reader sees it (for summaries), a whole page's text as a browser's DOM has
it (for annotation selectors), and its links moved to be read from another
place (for feeds). Must not import other briefgen modules: it knows
HTML, not briefs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import accumulate

URL_ATTRIBUTES = frozenset({"href", "src"})
# Elements that never have content or an end tag.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                           "source", "track", "wbr"})


class _TextCollector(HTMLParser):
    """Collects the text of a fragment, leaving out elements of a given class and what they hold."""

    def __init__(self, skip_class: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_class = skip_class
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the open elements being left out, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            return
        if self.skipping or (self.skip_class and self.skip_class in (dict(attrs).get("class") or "").split()):
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str, *, skip_class: str | None = None) -> str:
    """The text of an HTML fragment, entities decoded, whitespace runs made one space.

    Elements whose class list holds `skip_class` are left out whole (a note
    number in a sentence is not part of what the sentence says).
    """
    collector = _TextCollector(skip_class)
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


class _StartTagFinder(HTMLParser):
    """Where each start tag that carries a URL stands in the source, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[tuple[int, int], str, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name in URL_ATTRIBUTES for name, _ in attrs):
            self.tags.append((self.getpos(), tag, self.get_starttag_text() or "", attrs))

    handle_startendtag = handle_starttag


def rewrite_urls(html: str, rewrite: Callable[[str], str]) -> str:
    """`html` with every `href` and `src` value passed through `rewrite`.

    Only the start tags whose URL changes are written again; every other
    byte of the fragment stays as it was.
    """
    finder = _StartTagFinder()
    finder.feed(html)
    finder.close()
    line_starts = [0, *accumulate(len(line) for line in html.splitlines(keepends=True))]
    pieces: list[str] = []
    done = 0
    for (line, column), tag, source, attrs in finder.tags:
        moved = [(name, rewrite(value) if name in URL_ATTRIBUTES and value is not None else value)
                 for name, value in attrs]
        if moved == attrs:
            continue
        start = line_starts[line - 1] + column
        pieces += [html[done:start], _start_tag(tag, moved, closed=source.endswith("/>"))]
        done = start + len(source)
    pieces.append(html[done:])
    return "".join(pieces)


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> str:
    written = "".join(f" {name}" if value is None else f' {name}="{_attribute(value)}"' for name, value in attrs)
    return f"<{tag}{written}{' />' if closed else '>'}"


def _attribute(value: str) -> str:
    """An attribute value escaped as Python-Markdown's serializer does it."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass(frozen=True)
class PageText:
    """A whole page's text as a browser's DOM has it: `document`'s textContent, in document order.

    `body_start` is where `document.body`'s text begins in `text`; `ranges` holds, for each value
    of the attribute asked for, the text range of every element of the tag asked for carrying it,
    in document order.
    """

    text: str
    body_start: int
    ranges: dict[str, list[tuple[int, int]]]


# After these start tags the HTML parser drops one newline (it is part of the markup).
_LEADING_NEWLINE_DROPPED = frozenset({"pre", "listing", "textarea"})


class _PageTextCollector(HTMLParser):
    """Collects a page's text as the HTML parser builds the DOM, and where `tag`s with `attribute` are."""

    def __init__(self, tag: str, attribute: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.attribute = tag, attribute
        self.parts: list[str] = []
        self.length = 0
        self.body_start: int | None = None
        self.in_head_or_body = False  # white space before <head> is no node of the DOM
        self.drop_newline = False
        self.open: list[tuple[str, str | None, int]] = []  # (tag, attribute value, text offset at its start)
        self.ranges: dict[str, list[tuple[int, int]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "body"):
            self.in_head_or_body = True
            if tag == "body" and self.body_start is None:
                self.body_start = self.length
        self.drop_newline = tag in _LEADING_NEWLINE_DROPPED
        if tag not in VOID_ELEMENTS:
            value = dict(attrs).get(self.attribute) if tag == self.tag else None
            self.open.append((tag, value, self.length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.drop_newline = False

    def handle_endtag(self, tag: str) -> None:
        self.drop_newline = False
        if not any(open_tag == tag for open_tag, _, _ in self.open):
            return
        while self.open:
            open_tag, value, start = self.open.pop()
            if value is not None:
                self.ranges.setdefault(value, []).append((start, self.length))
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        if self.drop_newline and data.startswith("\n"):
            data = data[1:]
        self.drop_newline = False
        if not self.in_head_or_body and not data.strip():
            return
        self.in_head_or_body = True
        self.parts.append(data)
        self.length += len(data)


def page_text(html: str, tag: str, attribute: str) -> PageText:
    """The text of a whole page in document order (what `document.documentElement.textContent`
    gives), where its body starts, and the text range of each `tag` element that has `attribute`."""
    collector = _PageTextCollector(tag, attribute)
    collector.feed(html)
    collector.close()
    collector.handle_endtag("html")  # elements left open end with the document
    for ranges in collector.ranges.values():
        ranges.sort()
    body_start = collector.body_start if collector.body_start is not None else 0
    return PageText("".join(collector.parts), body_start, collector.ranges)
