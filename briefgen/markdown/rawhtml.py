"""Raw HTML in an article: kept when safe, as real elements of the document, with what was removed said.

Owns the allow-list (tables, figures, details, abbreviations, sub- and
superscripts, keyboard keys, highlights, headings with their ids, links and
images with http(s), mailto or relative URLs) and turning each raw HTML block
or inline tag Python-Markdown set aside into elements of the tree, cleaned by
nh3 (the maintained binding of Rust's ammonia sanitizer), before mentions are
linked and annotations marked: a name in a table cell links like one in a
paragraph. What the allow-list leaves out (scripts, styles, event handlers,
`javascript:` and `data:` URLs, frames, forms, embedded objects, SVG) is
removed, and each removal is reported. Must not know files or templates;
with `markdown: unsafe_html: true` it is not used at all (the writers are
trusted completely).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

import markdown
import nh3
from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE
from selectolax.lexbor import LexborHTMLParser, LexborNode

_TEXT_LEVEL = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
               "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
               "time", "u", "var", "wbr"}
_BLOCKS = {"address", "article", "aside", "blockquote", "caption", "col", "colgroup", "dd", "details", "div",
           "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
           "li", "ol", "p", "picture", "pre", "section", "source", "summary", "table", "tbody", "td", "tfoot",
           "th", "thead", "tr", "ul"}
ALLOWED_TAGS = frozenset(_TEXT_LEVEL | _BLOCKS)
# Every element may carry these; links, images and table cells a few more of their own.
GENERIC_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "align"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "abbr": set(), "time": {"datetime"}, "data": {"value"}, "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"}, "q": {"cite"}, "blockquote": {"cite"}, "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "srcset"})
# Removed with everything they hold, not only their tags (their content is code, not text).
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "svg", "math",
                                   "noscript", "textarea", "select", "canvas", "audio", "video"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
# Elements nested deeper lose their tags, not their text: the tree is walked recursively after (mentions,
# annotations, the serializer), and no article needs such depth.
MAX_DEPTH = 100
_UNSAFE_HINT = "briefgen publishes only safe HTML; set `markdown: unsafe_html: true` in briefgen.yaml to trust it all"


@dataclass(frozen=True)
class Removal:
    """Something raw HTML held that was not published, and the raw HTML it was in."""

    what: str  # "<script>", "the onclick attribute of <img>", "a javascript: URL in <a href>"
    source: str  # the raw HTML as written (a block, or one tag), to find its line in the article
    verb: str = "was"
    hint: str = _UNSAFE_HINT

    @property
    def message(self) -> str:
        return f"raw HTML: {self.what} {self.verb} removed"


def clean_html(html: str) -> str:
    """`html` with everything the allow-list does not name removed (nh3)."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(_DROPPED_WITH_CONTENT),
                     attributes={tag: {*GENERIC_ATTRIBUTES, *extra} for tag, extra in
                                 {**{tag: set() for tag in ALLOWED_TAGS}, **ALLOWED_ATTRIBUTES}.items()},
                     url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True)


def removals(html: str) -> list[Removal]:
    """What `clean_html` takes out of `html`, in document order, each thing once."""
    tree = LexborHTMLParser(html, is_fragment=True)
    found: list[str] = []
    if tree.root is not None:
        for node in tree.root.traverse():
            found.extend(_removed_from(node))
    return [Removal(what, html) for what in dict.fromkeys(found)]


def _removed_from(node: LexborNode) -> list[str]:
    tag = node.tag
    if not isinstance(tag, str) or tag.startswith(("-", "_")) or tag in ("html", "head", "body"):
        return []
    if tag not in ALLOWED_TAGS:
        return [f"<{tag}>"]
    allowed = GENERIC_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, set())
    found = []
    for name, value in node.attributes.items():
        if name == "markdown":
            continue  # Python-Markdown's own switch (for an extension briefgen does not use): no content lost
        if name not in allowed:
            found.append(f"the {name} attribute of <{tag}>")
        elif name in _URL_ATTRIBUTES and value:
            scheme = _SCHEME.match(value)
            if scheme and scheme.group(1).lower() not in URL_SCHEMES:
                found.append(f"a {scheme.group(1).lower()}: URL in <{tag} {name}>")
    return found


class RawHtmlTreeprocessor(Treeprocessor):
    """Turns the raw HTML Python-Markdown set aside into clean elements of the tree.

    Runs after inline processing (the text inside raw HTML is not Markdown)
    and before briefgen's own tree processor, which then sees it like any
    other text. `report` is told each thing removed.
    """

    def __init__(self, md: markdown.Markdown, report: Callable[[Removal], None]) -> None:
        super().__init__(md)
        self.report = report

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        while True:  # the outermost element holding raw HTML first; what replaces it holds none
            parents = {child: parent for parent in root.iter() for child in parent}
            holder = next((element for element in root.iter()
                           if element is not root and _holds_placeholder(element)), None)
            if holder is None:
                return
            self._replace(parents[holder], holder, stash)

    def _replace(self, parent: etree.Element, element: etree.Element, stash: list[str | etree.Element]) -> None:
        """Serialize `element` with its raw HTML put back, clean it, parse it, and put the result in its place."""
        raw: list[str] = []

        def put_back(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(stash):
                return ""
            item = stash[index]
            text = item if isinstance(item, str) else etree.tostring(item, encoding="unicode", method="html")
            raw.append(text)
            return text

        tail, element.tail = element.tail, None
        # Without its end tag: a block inside (a <div> in a paragraph) closes the paragraph as a browser
        # would, and no stray end tag makes an empty <p> inside the formatting still open after it.
        html = to_html_string(element).removesuffix(f"</{element.tag}>")
        inside = element.tag in _KEPT_AROUND
        if inside:  # the cell or item stays; what it holds is cleaned and parsed (see _KEPT_AROUND)
            html = html[html.index(">") + 1:]  # after its start tag (a '>' in a value is written '&gt;')
        html = HTML_PLACEHOLDER_RE.sub(put_back, html).strip()
        # A block of raw HTML on its own is a paragraph holding one placeholder: the block replaces it.
        alone = element.tag == "p" and len(element) == 0 and element.text is not None and \
            HTML_PLACEHOLDER_RE.fullmatch(element.text.strip()) is not None
        if alone:
            html = html.removeprefix("<p>")
        for piece in raw:
            for removal in removals(piece):
                self.report(removal)
        replacement, flattened = _parse_fragment(clean_html(html))
        if flattened:
            self.report(Removal(f"the tags of elements nested more than {MAX_DEPTH} deep (their text is kept)",
                                raw[0] if raw else html, verb="were",
                                hint=f"nest HTML elements fewer than {MAX_DEPTH} deep"))
        if inside:
            element.text, element[:] = replacement.text, list(replacement)
            element.tail = tail
            return
        at = list(parent).index(element)
        parent.remove(element)
        nodes = list(replacement)
        if replacement.text:
            if at > 0:
                previous = parent[at - 1]
                previous.tail = (previous.tail or "") + replacement.text
            else:
                parent.text = (parent.text or "") + replacement.text
        for offset, node in enumerate(nodes):
            parent.insert(at + offset, node)
        if tail:
            if nodes:
                nodes[-1].tail = (nodes[-1].tail or "") + tail
            elif at > 0:
                parent[at - 1].tail = (parent[at - 1].tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail


# Elements an HTML parser drops outside their context (a <td> outside a table): when one holds raw HTML,
# it stays, and what it holds is cleaned and parsed alone.
_KEPT_AROUND = frozenset({"td", "th", "li", "dt", "dd", "caption"})


def _holds_placeholder(element: etree.Element) -> bool:
    """Whether the element's own text (or the text after one of its children) holds raw HTML set aside."""
    return any(HTML_PLACEHOLDER_RE.search(text) for text in (element.text, *(child.tail for child in element))
               if text)


def _parse_fragment(html: str) -> tuple[etree.Element, bool]:
    """HTML (already clean) as the children and text of a new `div` element, and whether elements
    nested more than `MAX_DEPTH` deep lost their tags (their text is kept)."""
    holder = etree.Element("div")
    tree = LexborHTMLParser(html, is_fragment=True)
    flattened = False
    if tree.root is not None:
        for child in tree.root.iter(include_text=True):
            flattened |= _append(holder, child, 1)
    return holder, flattened


def _append(parent: etree.Element, node: LexborNode, depth: int) -> bool:
    """Add `node` to `parent`; True if an element below it was too deep to keep (see MAX_DEPTH)."""
    tag = node.tag
    if tag == "-text" or (depth > MAX_DEPTH and isinstance(tag, str) and not tag.startswith(("-", "_"))):
        _append_text(parent, (node.text_content if tag == "-text" else node.text(deep=True)) or "")
        return tag != "-text"
    if not isinstance(tag, str) or tag.startswith(("-", "_")):
        return False
    attributes = {name: value or "" for name, value in node.attributes.items()}
    if tag == "img" and not attributes.get("src"):  # its URL was unsafe: what it shows is said in words
        _append_text(parent, attributes.get("alt", ""))
        return False
    element = etree.SubElement(parent, tag, attributes)
    flattened = False
    for child in node.iter(include_text=True):
        flattened |= _append(element, child, depth + 1)
    return flattened


def _append_text(parent: etree.Element, text: str) -> None:
    """Add text after the last child of `parent` (or as its text, if it has none)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
