"""Python-Markdown extension: entity mentions, annotation marks, safe links.

Owns what briefgen changes in a brief's Markdown: links from mentions of the
brief's entities to their pages, `<mark>`s anchoring annotations to quoted
spans, root links made relative, unsafe URLs and raw HTML dropped, headings
moved one level down (the page's title is its only h1). Works on the element
tree after inline processing, never on HTML text. Must not know about files
or templates: the caller sets the document's entities and annotations, then
reads `BriefMarkdown.outcome`.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import markdown
from markupsafe import escape
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

from .model import Annotation, Entity
from .slugs import slugify
from .textmap import BLOCK_BREAK, Segment, TextMap, normalise, strip_markup
from .wire import WireCopy

EXCLUDED_TAGS = frozenset({"a", "code", "pre", "kbd", "samp", "script", "style",
                           "h1", "h2", "h3", "h4", "h5", "h6"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "ftps", "news", "irc", "xmpp", "sms"})
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
# A sentence ends at . ! ? or … (and closing quotes or brackets) before white space and what may start
# one: a capital, a digit, or a letter of a script without case (Greek and Cyrillic capitals count too).
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[^\W_])")
# A period after these (or after an initial, "J.", or a dotted abbreviation, "U.S.") rarely ends a sentence.
ABBREVIATIONS = frozenset("""mr mrs ms dr prof sen rep gov gen lt col capt sgt st jr sr rev hon pres
    inc co corp ltd bros vs etc approx dept est fig jan feb mar apr aug sept sep oct nov dec""".split())
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")  # the word a period ends
MAX_SENTENCE = 320
_PLACEHOLDER = re.compile(f"{STX}[^{ETX}]*{ETX}")  # Python-Markdown's stashed HTML
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")  # Hebrew, Arabic, Syriac, Thaana...
DIRECTED_BLOCKS = frozenset({"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"})
STASHED_HTML = re.compile(re.escape(markdown.util.HTML_PLACEHOLDER).replace("%s", r"(\d+)"))
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_WHITE_SPACE = re.compile(r"\s+")
# Characters that can start Markdown inline syntax; text without them renders as itself.
MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&!#~|:]|^\s*(?:[-+=>]|\d+[.)])|  $")
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "footnotes"]
NOTE_REF_CLASS = "annotation-ref"  # the number after an annotated quote: <sup><a class=...>1</a></sup>


@dataclass(frozen=True)
class MentionContext:
    """The sentence around an entity's first mention: before, the mention, after."""

    before: str
    mention: str
    after: str


@dataclass(frozen=True)
class QuoteProblem:
    """An annotation whose quote could not be anchored, and why."""

    annotation: Annotation
    message: str
    hint: str | None


@dataclass
class Outcome:
    """What marking one document found: numbered notes, mentions, problems."""

    note_numbers: dict[int, int] = field(default_factory=dict)  # annotation index → number shown
    quoted: dict[int, str] = field(default_factory=dict)  # annotation index → the text it marks, as written there
    contexts: dict[tuple[str, str], MentionContext] = field(default_factory=dict)
    mentioned: set[tuple[str, str]] = field(default_factory=set)
    problems: list[QuoteProblem] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)  # links from the site's root (/briefs/x/), as written


@dataclass
class DocumentState:
    """Per-document input and output of the extension; cleared by `md.reset()`."""

    entities: Sequence[Entity] = ()
    annotations: Sequence[Annotation] = ()
    mention_mode: str = "first"
    root: str = ""
    link_index: bool = True
    id_prefix: str = ""  # put before every id (and #fragment) the document makes: a note's footnotes
    outcome: Outcome = field(default_factory=Outcome)


_TOKEN = re.compile(r"\w+|[^\w\s]")
_TOKEN_FORMS = {"’": "'", "‘": "'", "‐": "-", "‑": "-"}
_SPELLINGS = {"'": ("'", "’", "‘"), "-": ("-", "‐", "‑")}  # each form's spellings in a text


def _tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """(token, start, end, preceded by white space) for words and single symbols."""
    result = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        result.append((_TOKEN_FORMS.get(token, token), match.start(), match.end(),
                       match.start() > previous_end))
        previous_end = match.end()
    return result


class MentionMatcher:
    """Finds names in text: whole words, longest name first, case-sensitive.

    Names and text are compared token by token (words and single symbols),
    so straight and curly apostrophes match each other, as do hyphens, and
    any run of white space matches a space. One compiled pattern serves every
    document: only a dictionary is built per brief. A text is tokenised only
    where a name's first word occurs in it, found with `str.find`.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], tuple[bool, ...], str]]] = {}
        for name in set(names):
            tokens = _tokens(name)
            if not tokens:
                continue
            words = tuple(token for token, _, _, _ in tokens)
            spaced = tuple(space for _, _, _, space in tokens[1:])
            self.by_first.setdefault(words[0], []).append((words, spaced, name))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda item: (-len(item[2]), item[2]))
        # Every spelling of every first token: where a mention can start.
        self.probes = sorted({spelling for first in self.by_first for spelling in _SPELLINGS.get(first, (first,))})

    def __bool__(self) -> bool:
        return bool(self.by_first)

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of each mention in `text`, left to right, never overlapping.

        Where mentions overlap, the longest wins ('the Bank of Japan' with
        the names 'the Bank' and 'Bank of Japan' is Bank of Japan), then
        the one further left.
        """
        starts = set()
        for probe in self.probes:
            position = text.find(probe)
            while position != -1:
                starts.add(position)
                position = text.find(probe, position + 1)
        found = [match for start in sorted(starts) for match in self._matches_at(text, start)]
        if len(found) < 2:
            yield from found
            return
        chosen: list[tuple[int, int, str]] = []
        for match in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
            if all(match[1] <= other[0] or other[1] <= match[0] for other in chosen):
                chosen.append(match)
        yield from sorted(chosen)

    def _matches_at(self, text: str, start: int) -> Iterator[tuple[int, int, str]]:
        """Every name whose tokens are the text's from `start`, as whole words, longest first."""
        tokens = _TOKEN.finditer(text, start)
        first = next(tokens)
        candidates = self.by_first.get(_TOKEN_FORMS.get(first.group(), first.group()))
        if not candidates:
            return
        seen = [(first.end(), False)]  # (end, preceded by white space) of the tokens read so far
        forms = [first.group()]
        for words, spaced, name in candidates:
            while len(seen) < len(words):
                token = next(tokens, None)
                if token is None:
                    break
                seen.append((token.end(), token.start() > seen[-1][0]))
                forms.append(token.group())
            if len(seen) < len(words):
                continue
            if any(_TOKEN_FORMS.get(forms[k], forms[k]) != words[k] or seen[k][1] != spaced[k - 1]
                   for k in range(1, len(words))):
                continue
            end = seen[len(words) - 1][0]
            # Whole words: no letter or digit may touch either end.
            if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or \
                    (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                continue
            yield start, end, name


def safe_url(url: str) -> bool:
    """False for javascript:, vbscript:, data: and other schemes a page must not link.

    Character references are decoded first, as a browser decodes the
    attribute: Python-Markdown writes `&#106;avascript:` out as it is.
    """
    cleaned = CONTROL_AND_SPACE.sub("", html.unescape(url))
    match = SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def relative_root_link(url: str, root: str, link_index: bool) -> str:
    """'/people/x/' → root + 'people/x/index.html': the site works from any sub-path."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    path, hash_mark, fragment = url[1:].partition("#")
    path, question, query = path.partition("?")
    if link_index and (path == "" or path.endswith("/")):
        path += "index.html"
    return root + path + question + query + hash_mark + fragment


class OmitRawHtml(InlineProcessor):
    """Raw HTML in Markdown is left out (as Hugo does) unless the site trusts its writers."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]
        return "", m.start(0), m.end(0)


class BriefTreeprocessor(Treeprocessor):
    """Links mentions, marks annotations, fixes links and headings, in that order."""

    def __init__(self, md: markdown.Markdown, state_holder: "BriefExtension") -> None:
        super().__init__(md)
        self.holder = state_holder

    def run(self, root: etree.Element) -> None:
        state = self.holder.state
        self._decode_character_references(root)
        self._fix_links_and_headings(root, state)
        if state.entities:
            self._link_mentions(TextMap(root, lambda element: element.tag in EXCLUDED_TAGS), state)
        if state.annotations:
            self._mark_annotations(TextMap(root, lambda element: False), state)
        self._mark_right_to_left(root)

    def _mark_right_to_left(self, root: etree.Element) -> None:
        """Blocks with Hebrew or Arabic text get dir="auto": the browser sets each one's direction
        from its first strong letter, so a quote in Arabic reads and aligns right to left."""
        blocks = [element for element in root.iter() if element.tag in DIRECTED_BLOCKS]
        for block in blocks:
            if "dir" not in block.attrib and RIGHT_TO_LEFT.search("".join(block.itertext())):
                block.set("dir", "auto")

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

    def _fix_links_and_headings(self, root: etree.Element, state: DocumentState) -> None:
        # With an id prefix, the document's own ids and links to them get it; links to the page's ids do not.
        own_ids = {element.get("id") for element in root.iter() if "id" in element.attrib} if state.id_prefix else set()
        taken: set[str] = set()  # heading ids given so far
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in list(element.attrib):
                if attribute.lower().startswith("on") or attribute.lower() == "style":
                    del element.attrib[attribute]
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is None:
                    continue
                if not safe_url(url):
                    del element.attrib[attribute]
                else:
                    if url.startswith("/") and not url.startswith("//"):
                        state.outcome.root_links.append(url)
                    element.set(attribute, relative_root_link(url, state.root, state.link_index))
            if own_ids:
                if "id" in element.attrib:
                    element.set("id", state.id_prefix + element.get("id"))
                href = element.get("href", "")
                if href.startswith("#") and href[1:] in own_ids:
                    element.set("href", "#" + state.id_prefix + href[1:])
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1] in "12345":
                element.tag = f"h{int(element.tag[1]) + 1}"
                if not state.id_prefix and "id" not in element.attrib:
                    element.set("id", _heading_id(element, taken))

    def _link_mentions(self, text_map: TextMap, state: DocumentState) -> None:
        by_name: dict[str, Entity] = {}
        for entity in state.entities:
            for name in entity.names:
                by_name.setdefault(name, entity)
        matcher = MentionMatcher(list(by_name))
        if not matcher:
            return
        outcome = state.outcome
        to_link: list[tuple[int, int, Entity]] = []
        linked: set[tuple[str, str]] = set()
        boundaries: dict[int, list[tuple[int, int, int]]] = {}  # each block's sentence ends, found once
        for segment in text_map.segments:
            for match_start, match_end, name in matcher.find(segment.text):
                entity = by_name[name]
                start = segment.start + match_start
                end = segment.start + match_end
                first = entity.key not in outcome.mentioned
                outcome.mentioned.add(entity.key)
                if first or entity.key not in outcome.contexts:
                    context = sentence_around(text_map, segment, start, end, boundaries)
                    if context is not None and not segment.excluded:
                        outcome.contexts[entity.key] = context
                if segment.excluded or state.mention_mode == "none":
                    continue
                if state.mention_mode == "first" and entity.key in linked:
                    continue
                linked.add(entity.key)
                to_link.append((start, end, entity))
        for start, end, entity in to_link:
            href = f"{state.root}{entity.url}{'index.html' if state.link_index else ''}"
            text_map.wrap(start, end, lambda: _mention_link(href, entity))

    def _mark_annotations(self, text_map: TextMap, state: DocumentState) -> None:
        located: list[tuple[int, int, int]] = []  # (start, end, annotation index) in text offsets
        for index, annotation in enumerate(state.annotations):
            found = locate_quote(text_map, annotation)
            if isinstance(found, QuoteProblem):
                state.outcome.problems.append(found)
            else:
                located.append((*found, index))
        located.sort()
        marked: list[tuple[int, etree.Element]] = []
        for number, (start, end, index) in enumerate(located, 1):
            state.outcome.note_numbers[index] = number
            state.outcome.quoted[index] = _PLACEHOLDER.sub("", text_map.text[start:end])
            annotation = state.annotations[index]
            pieces = text_map.wrap(start, end, lambda: _annotation_mark(annotation, number))
            if pieces:
                pieces[0].set("id", f"anno-{number}")
                marked.append((number, pieces[-1]))
        # Numbers go in last: they add text, which would shift the offsets above.
        parents = {child: parent for parent in text_map.root.iter() for child in parent} if marked else {}
        for number, last_piece in marked:
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


# Ids the brief page has around the body (templates/brief.html, base.html), and the shape of the ids
# briefgen gives notes and marks: a heading never takes one of them (footnotes' fn:1 holds a colon,
# which no slug has).
PAGE_IDS = frozenset({"main", "site-search-q", "brief-title", "entities-title", "key-points-title",
                      "notes-title", "related-title"})
GIVEN_ID = re.compile(r"^(?:note|anno|ref)-\d+$")


def _heading_id(heading: etree.Element, taken: set[str]) -> str:
    """A heading's anchor, as Hugo and MkDocs make it: its text as a slug ('background', then 'background-1')."""
    base = slugify(_PLACEHOLDER.sub("", "".join(heading.itertext()))) or "section"
    candidate, number = base, 0
    while candidate in taken or candidate in PAGE_IDS or GIVEN_ID.match(candidate):
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _mention_link(href: str, entity: Entity) -> etree.Element:
    return etree.Element("a", {"class": f"mention mention--{entity.type}", "href": href,
                               "data-entity": f"{entity.type}/{entity.id}"})


def _annotation_mark(annotation: Annotation, number: int) -> etree.Element:
    return etree.Element("mark", {
        "class": f"annotation annotation--{annotation.kind}",
        "data-note": str(number),
        "data-kind": annotation.kind,
        "tabindex": "0",
        "aria-describedby": f"note-{number}",
    })


def sentence_around(text_map: TextMap, segment: Segment, start: int, end: int,
                    boundaries: dict[int, list[tuple[int, int, int]]] | None = None) -> MentionContext:
    """The sentence of the block holding text[start:end], split around that range.

    `boundaries` keeps each block's sentence ends (by the block's start) for
    the next mention in the same block.
    """
    block_start = segment.block_start
    block_text = text_map.text[block_start: text_map.block_end(segment.block)]
    local_start, local_end = start - block_start, end - block_start
    if boundaries is None:
        boundaries = {}
    if block_start not in boundaries:
        boundaries[block_start] = sentence_ends(block_text)
    ends = boundaries[block_start]
    # The last sentence that ends before the mention, and the first that ends after it.
    index = bisect.bisect_right(ends, local_start, key=lambda item: item[2])
    sentence_start = ends[index - 1][2] if index else 0
    following = next((stop for period, stop, _ in ends[index:] if period >= local_end), None)
    sentence_end = following if following is not None else len(block_text)
    before = _clean(block_text[sentence_start:local_start])
    after = _clean(block_text[local_end:sentence_end])
    mention = _clean(block_text[local_start:local_end])
    if len(before) > MAX_SENTENCE // 2:
        before = "…" + before[-(MAX_SENTENCE // 2):].split(" ", 1)[-1]
    if len(after) > MAX_SENTENCE // 2:
        after = after[: MAX_SENTENCE // 2].rsplit(" ", 1)[0] + "…"
    if before and not before.endswith(" ") and block_text[local_start - 1: local_start].isspace():
        before += " "
    if after and block_text[local_end: local_end + 1].isspace():
        after = " " + after.lstrip()
    return MentionContext(before=before, mention=mention, after=after)


def sentence_ends(text: str) -> list[tuple[int, int, int]]:
    """Each end of a sentence in a block: its punctuation mark, where the sentence ends, where the next starts."""
    return [(match.start(), match.start() + len(match.group(0).rstrip()), match.end())
            for match in SENTENCE_END.finditer(text) if _ends_sentence(text, match)]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """False before a lowercase letter, and when a period closes an abbreviation or an initial."""
    following = text[match.end(): match.end() + 2].lstrip("\"'“‘«([")[:1]
    if following.islower():
        return False
    period = match.start()
    if text[period] != ".":
        return True
    before = _WORD_BEFORE.search(text[max(0, period - 40): period + 1])
    if before is None:
        return True
    word = before.group(1)
    if "." in word.strip("."):  # U.S., J.P., e.g.
        return False
    if word.lower() == "no" and following.isdigit():  # No. 10
        return False
    return not (len(word) == 1 and word.isalpha() and word.isupper()) and word.lower() not in ABBREVIATIONS


def _clean(text: str) -> str:
    text = _PLACEHOLDER.sub("", text)
    return _WHITE_SPACE.sub(" ", text).strip(" ") if text.strip() else ""


def locate_quote(text_map: TextMap, annotation: Annotation) -> tuple[int, int] | QuoteProblem:
    """Where an annotation's quote is in the text (W3C TextQuoteSelector).

    White space is folded, smart quotes and dashes match their plain forms and
    Markdown markup in the quote is ignored; `prefix`/`suffix` pick one of
    several matches. Returns a text range, or the problem with a hint.
    """
    haystack = text_map.normal
    candidates = [normalise(annotation.quote)]
    stripped = normalise(strip_markup(annotation.quote))
    if stripped and stripped != candidates[0]:
        candidates.append(stripped)
    for needle in candidates:
        if not needle:
            continue
        starts = _find_all(haystack, needle)
        if not starts:
            continue
        if annotation.prefix is not None or annotation.suffix is not None:
            prefix = normalise(strip_markup(annotation.prefix or ""))
            suffix = normalise(strip_markup(annotation.suffix or ""))
            starts = [s for s in starts if _fits(haystack, s, s + len(needle), prefix, suffix)]
            if not starts:
                return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is in the text, "
                                    "but not with the given prefix/suffix",
                                    "check `prefix:` and `suffix:` against the text around the quote")
        if len(starts) > 1:
            places = "; ".join(f"…{_short(_window(haystack, s, len(needle)), 60)}…" for s in starts[:5])
            return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is found {len(starts)} "
                                f"times in the text: {places}",
                                "add `prefix:` (text just before) or `suffix:` (text just after) to pick one")
        return text_map.to_text_range(starts[0], starts[0] + len(needle))
    closest = closest_passage(haystack, candidates[-1] or candidates[0])
    hint = f"the closest passage is \"{closest}\"" if closest else "copy the quote from the article text"
    return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is not in the text", hint)


def _find_all(haystack: str, needle: str) -> list[int]:
    starts = []
    position = haystack.find(needle)
    while position >= 0:
        starts.append(position)
        position = haystack.find(needle, position + 1)
    return starts


def _fits(haystack: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    before = haystack[:start].replace(BLOCK_BREAK, " ").rstrip()
    after = haystack[end:].replace(BLOCK_BREAK, " ").lstrip()
    return before.endswith(prefix.rstrip()) and after.startswith(suffix.lstrip())


def _window(haystack: str, start: int, length: int) -> str:
    return haystack[max(0, start - 20): start + length + 20].replace(BLOCK_BREAK, " ")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def closest_passage(haystack: str, needle: str) -> str | None:
    """The passage of the text most like `needle` (for a typo in a quote).

    Windows start at word starts and are scored roughly first; the best few
    are then trimmed to the word ends that fit the quote best.
    """
    if not needle or not haystack:
        return None
    text = haystack.replace(BLOCK_BREAK, "\n")
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S", text)][:20000]
    ends = [m.end() for m in re.finditer(r"\S(?!\S)", text)]
    width = len(needle)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    rough: list[tuple[float, int]] = []
    for start in starts:
        matcher.set_seq1(text[start: start + width])
        if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
            continue
        rough.append((matcher.ratio(), start))
    rough.sort(key=lambda item: (-item[0], item[1]))
    best_ratio, best = 0.0, None
    for _, start in rough[:10]:
        for end in ends[bisect.bisect_right(ends, start):]:
            if end - start < width * 0.6:
                continue
            if end - start > width * 1.4:
                break
            if "\n" in text[start:end]:
                break
            matcher.set_seq1(text[start:end])
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best_ratio, best = ratio, text[start:end]
    if best is None or best_ratio < 0.6:
        return None
    return _short(best, 120)


class BriefExtension(Extension):
    """Registers the tree processor and raw-HTML handling; holds per-document state."""

    def __init__(self, *, unsafe_html: bool = False, **kwargs: object) -> None:
        self.unsafe_html = unsafe_html
        self.state = DocumentState()
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.registerExtension(self)
        if not self.unsafe_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.register(OmitRawHtml(markdown.inlinepatterns.HTML_RE, md), "html", 90)
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
                id_prefix: str = "") -> tuple[str, Outcome]:
        """Markdown → HTML, with mentions linked and annotations marked.

        `id_prefix` keeps the ids of a document shown inside another (a
        note's footnotes, fn:1) apart from that one's.
        """
        self.md.reset()
        self.extension.state = DocumentState(entities=entities, annotations=annotations, mention_mode=mention_mode,
                                             root=root, link_index=self.link_index, id_prefix=id_prefix)
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
