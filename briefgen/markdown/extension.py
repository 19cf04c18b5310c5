"""Python-Markdown extension: entity mentions, annotation marks, safe links.

Owns what briefgen changes in a brief's Markdown and in what order: links
from mentions of the brief's entities to their pages (`mentions.py`),
`<mark>`s anchoring annotations to quoted spans (`annotations.py`), root
links made relative and unsafe URLs dropped (`urls.py`), raw HTML left out,
headings moved one level down (`headings.py`), right-to-left blocks
(`direction.py`). Works on the element tree after inline processing, never
on HTML text. Must not know about files or templates: the caller sets the
document's entities and annotations, then reads `BriefMarkdown.outcome`.
"""

from __future__ import annotations

import html
import re
import urllib.parse
import xml.etree.ElementTree as etree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX
from markupsafe import escape

from ..model import Annotation, Entity, Variant
from ..wire import WireCopy
from .annotations import mark_annotations
from .direction import mark_right_to_left
from .headings import demote_heading, is_demotable_heading
from .mentions import MentionContext, link_mentions
from .pictures import publish_pictures
from .quotes import QuoteProblem
from .rawhtml import RawHtmlTreeprocessor, Removal
from .urls import clean_links

STASHED_HTML = re.compile(re.escape(markdown.util.HTML_PLACEHOLDER).replace("%s", r"(\d+)"))
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Characters that can start Markdown inline syntax; text without them renders as itself.
MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&!#~|:]|^\s*(?:[-+=>]|\d+[.)])|  $")
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "footnotes"]


@dataclass
class Outcome:
    """What marking one document found: numbered notes, mentions, problems."""

    note_numbers: dict[int, int] = field(default_factory=dict)  # annotation index → number shown
    quoted: dict[int, str] = field(default_factory=dict)  # annotation index → the text it marks, as written there
    contexts: dict[tuple[str, str], MentionContext] = field(default_factory=dict)
    mentioned: set[tuple[str, str]] = field(default_factory=set)
    problems: list[QuoteProblem] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)  # links from the site's root (/briefs/x/), as written
    raw_html_removed: list[Removal] = field(default_factory=list)  # what raw HTML held that was not published
    ids: set[str] = field(default_factory=set)  # every id the document has
    fragments: list[str] = field(default_factory=list)  # the targets of its links within the page (#x), in order
    relative_links: list[str] = field(default_factory=list)  # links and images relative to the page (photo.jpg)
    images_without_alt: list[str] = field(default_factory=list)  # the src of each image with no alt text
    pictures: list[str] = field(default_factory=list)  # the published images it shows (by `image_key`)


@dataclass
class DocumentState:
    """Per-document input and output of the extension; cleared by `md.reset()`."""

    entities: Sequence[Entity] = ()
    annotations: Sequence[Annotation] = ()
    mention_mode: str = "first"
    root: str = ""
    link_index: bool = True
    id_prefix: str = ""  # put before every id (and #fragment) the document makes: a note's footnotes
    pictures: Mapping[str, Sequence[Variant]] = field(default_factory=dict)  # images published in several widths
    outcome: Outcome = field(default_factory=Outcome)


class BriefTreeprocessor(Treeprocessor):
    """Fixes links and headings, links mentions, marks annotations and right-to-left blocks, in that order."""

    def __init__(self, md: markdown.Markdown, state_holder: BriefExtension) -> None:
        super().__init__(md)
        self.holder = state_holder

    def run(self, root: etree.Element) -> None:
        state = self.holder.state
        outcome = state.outcome
        self._decode_character_references(root)
        _fix_links_and_headings(root, state)
        if state.entities:
            mentioned, contexts = link_mentions(root, state.entities, state.mention_mode,
                                                lambda entity: _entity_href(entity, state))
            outcome.mentioned |= mentioned
            outcome.contexts.update(contexts)
        if state.annotations:
            marked = mark_annotations(root, state.annotations)
            outcome.problems.extend(marked.problems)
            outcome.note_numbers.update(marked.note_numbers)
            outcome.quoted.update(marked.quoted)
        mark_right_to_left(root)
        if state.pictures:
            outcome.pictures.extend(publish_pictures(root, state.pictures))
        for element in root.iter():
            if "id" in element.attrib:
                outcome.ids.add(element.get("id", ""))
            href = element.get("href", "")
            if href.startswith("#") and len(href) > 1:
                outcome.fragments.append(urllib.parse.unquote(href[1:]))
            if element.tag == "img" and not element.get("alt", "").strip():
                outcome.images_without_alt.append(element.get("src", ""))
            for url in (href, element.get("src", "")):
                if _relative_to_page(url, state.root):
                    outcome.relative_links.append(url)

    def _decode_character_references(self, root: etree.Element) -> None:
        """`&amp;`, `&nbsp;`, `&mdash;` as the characters they stand for, not stashed placeholders.

        Python-Markdown keeps character references aside until the end; in
        the tree they are placeholders, which names and quotes cannot match
        ('AT&amp;T' was 'AT' + placeholder + 'T'). The serializer escapes
        what needs it again, so this never makes markup.
        """
        stash = self.md.htmlStash.rawHtmlBlocks

        def decoded(match: re.Match[str]) -> str:
            index = int(match.group(1))
            raw = stash[index] if index < len(stash) else None
            if isinstance(raw, str) and CHARACTER_REFERENCE.fullmatch(raw):
                return html.unescape(raw)
            return match.group(0)

        for element in root.iter():
            if element.text and STX in element.text:
                element.text = STASHED_HTML.sub(decoded, element.text)
            if element.tail and STX in element.tail:
                element.tail = STASHED_HTML.sub(decoded, element.tail)


def _fix_links_and_headings(root: etree.Element, state: DocumentState) -> None:
    """Safe links, ids kept apart by `state.id_prefix`, headings one level down with anchors."""
    # With an id prefix, the document's own ids and links to them get it; links to the page's ids do not.
    own_ids = {element.get("id") for element in root.iter() if "id" in element.attrib} if state.id_prefix else set()
    # Heading ids given so far (none are given in a note); ids the raw HTML brought are taken from the start.
    taken: set[str] | None = None if state.id_prefix else {
        element.get("id", "") for element in root.iter() if "id" in element.attrib}
    for element in root.iter():
        tag: object = element.tag  # a comment's or processing instruction's tag is a function
        if not isinstance(tag, str):
            continue
        state.outcome.root_links.extend(clean_links(element, state.root, state.link_index))
        if own_ids:
            _prefix_own_ids(element, state.id_prefix, own_ids)
        if is_demotable_heading(element):
            demote_heading(element, taken)


def _relative_to_page(url: str, root: str) -> bool:
    """A link or image path relative to the page (`photo.jpg`, `../other/`), not one briefgen made from the root."""
    parts = urllib.parse.urlsplit(url)
    return bool(parts.path) and not parts.scheme and not parts.netloc and not url.startswith(("/", "#")) \
        and not (root and url.startswith(root))


def _prefix_own_ids(element: etree.Element, prefix: str, own_ids: set[str | None]) -> None:
    if "id" in element.attrib:
        element.set("id", prefix + element.get("id", ""))
    href = element.get("href", "")
    if href.startswith("#") and href[1:] in own_ids:
        element.set("href", "#" + prefix + href[1:])


def _entity_href(entity: Entity, state: DocumentState) -> str:
    return f"{state.root}{entity.url}{'index.html' if state.link_index else ''}"


class BriefExtension(Extension):
    """Registers the tree processor and raw-HTML handling; holds per-document state."""

    def __init__(self, *, unsafe_html: bool = False, **kwargs: object) -> None:
        self.unsafe_html = unsafe_html
        self.state = DocumentState()
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        if not self.unsafe_html:
            # After 'unescape' (priority 0), before briefgen's own: raw HTML becomes clean elements.
            removed = RawHtmlTreeprocessor(md, lambda removal: self.state.outcome.raw_html_removed.append(removal))
            md.treeprocessors.register(removed, "briefgen-raw-html", -1)
        # After 'unescape' (priority 0): the text is final apart from stashed HTML.
        md.treeprocessors.register(BriefTreeprocessor(md, self), "briefgen", -5)

    def reset(self) -> None:
        self.state = DocumentState()


class BriefMarkdown:
    """One reusable Markdown converter for a build's briefs and notes."""

    def __init__(self, *, unsafe_html: bool = False, link_index: bool = True) -> None:
        self.extension = BriefExtension(unsafe_html=unsafe_html)
        self.link_index = link_index
        self.md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, self.extension], output_format="html")

    def convert(self, text: str, *, root: str, entities: Sequence[Entity] = (),
                annotations: Sequence[Annotation] = (), mention_mode: str = "first",
                id_prefix: str = "", pictures: Mapping[str, Sequence[Variant]] | None = None) -> tuple[str, Outcome]:
        """Markdown → HTML, with mentions linked and annotations marked.

        `id_prefix` keeps the ids of a document shown inside another (a
        note's footnotes, fn:1) apart from that one's; `pictures` are the
        widths its images are published in, by path.
        """
        self.md.reset()
        self.extension.state = DocumentState(entities=entities, annotations=annotations, mention_mode=mention_mode,
                                             root=root, link_index=self.link_index, id_prefix=id_prefix,
                                             pictures=pictures or {})
        html = self.md.convert(text)
        return html, self.extension.state.outcome

    def convert_wire(self, wire: WireCopy, *, root: str, entities: Sequence[Entity] = (),
                     annotations: Sequence[Annotation] = (), mention_mode: str = "first") -> tuple[str, Outcome]:
        """Wire copy → HTML: each line a paragraph, nothing read as markup."""
        self.md.reset()
        state = DocumentState(entities=entities, annotations=annotations, mention_mode=mention_mode,
                              root=root, link_index=self.link_index)
        self.extension.state = state
        root_element = etree.Element("div")
        for paragraph in wire.paragraphs:
            etree.SubElement(root_element, "p").text = _strip_placeholders(paragraph)
        BriefTreeprocessor(self.md, self.extension).run(root_element)
        for child in root_element:
            child.tail = "\n"
        html = self.md.serializer(root_element)
        # Drop the wrapping <div> the serializer needs.
        html = html[len("<div>"): -len("</div>")]
        return html.strip() + "\n" if html.strip() else "", state.outcome

    def inline(self, text: str, *, root: str) -> str:
        """One line of Markdown (a key point, a note) → HTML without the <p>."""
        if not MARKDOWN_SYNTAX.search(text):
            return str(escape(text.strip()))
        html, _ = self.convert(text, root=root, mention_mode="none")
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return html


def _strip_placeholders(text: str) -> str:
    return text.replace(STX, "").replace(ETX, "")
