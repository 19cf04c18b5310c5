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

from selectolax.lexbor import LexborHTMLParser, LexborNode

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


def page_text(html: str, tag: str, attribute: str) -> PageText:
    """The text of a whole page in document order (what `document.documentElement.textContent`
    gives), where its body starts, and the text range of each `tag` element that has `attribute`.

    Parsed with Lexbor (through selectolax), an HTML parser that follows the WHATWG specification
    as browsers do: the text is the one an annotation client in a browser sees, template contents,
    RCDATA and implied elements included, at a fifth of the time of the standard library's parser.
    A browser runs scripts, so what a `<noscript>` holds is text to it, not elements.
    """
    tree = LexborHTMLParser(html)
    collected = _Collected(tag, attribute)
    if tree.root is not None:
        if "<noscript" in html.lower():
            collected.walk(tree.root)
        else:
            collected.traverse(tree.root)
    for found in collected.ranges.values():
        found.sort()
    return PageText("".join(collected.parts), collected.body_start or 0, collected.ranges)


class _Collected:
    """The text, body start and ranges that `page_text` gathers from a parsed page."""

    def __init__(self, tag: str, attribute: str) -> None:
        self.tag, self.attribute = tag, attribute
        self.parts: list[str] = []
        self.length = 0
        self.body_start: int | None = None
        self.ranges: dict[str, list[tuple[int, int]]] = {}

    def _add(self, data: str) -> None:
        self.parts.append(data)
        self.length += len(data)

    def traverse(self, root: LexborNode) -> None:
        """In document order, in Lexbor's own loop: a page without `<noscript>`."""
        for node in root.traverse(include_text=True):
            name = node.tag
            if name == "-text":
                self._add(node.text_content or "")
            elif name == self.tag:
                value = node.attributes.get(self.attribute)
                if value is not None:
                    end = self.length + len(node.text(deep=True, separator="", strip=False))
                    self.ranges.setdefault(value, []).append((self.length, end))
            elif name == "body" and self.body_start is None:
                self.body_start = self.length

    def walk(self, node: LexborNode) -> None:
        """In document order, element by element: a `<noscript>`'s content counts as its markup's text."""
        name = node.tag
        if name == "-text":
            self._add(node.text_content or "")
            return
        if name == "noscript":
            self._add("".join(child.html or "" for child in node.iter(include_text=True)))
            return
        if name == "body" and self.body_start is None:
            self.body_start = self.length
        start = self.length
        for child in node.iter(include_text=True):
            self.walk(child)
        value = node.attributes.get(self.attribute) if name == self.tag else None
        if value is not None:
            self.ranges.setdefault(value, []).append((start, self.length))
