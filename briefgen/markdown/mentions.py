"""Entity mentions: finding names in a brief's text, linking them, and the sentence around each.

Owns how a name matches text (whole words, longest first, apostrophes and
hyphens in any spelling), which mentions become links (`mention_mode`), and
the sentence quoted on an entity's page. Works on the element tree through
`TextMap`; must not touch annotations, URLs or headings, and knows nothing
of files or templates.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from ..model import Entity
from .sentences import SentenceEnd, sentence_ends
from .textmap import Segment, TextMap, without_placeholders

# Mentions are never linked inside these (a link cannot hold a link; code and headings stay as written).
EXCLUDED_TAGS = frozenset({"a", "code", "pre", "kbd", "samp", "script", "style",
                           "h1", "h2", "h3", "h4", "h5", "h6"})
MAX_SENTENCE = 320
_WHITE_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_TOKEN_FORMS = {"’": "'", "‘": "'", "‐": "-", "‑": "-"}
_SPELLINGS = {"'": ("'", "’", "‘"), "-": ("-", "‐", "‑")}  # each form's spellings in a text

EntityKey = tuple[str, str]


@dataclass(frozen=True)
class MentionContext:
    """The sentence around an entity's first mention: before, the mention, after."""

    before: str
    mention: str
    after: str


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


def link_mentions(root: etree.Element, entities: Sequence[Entity], mention_mode: str,
                  href: Callable[[Entity], str]) -> tuple[set[EntityKey], dict[EntityKey, MentionContext]]:
    """Link the mentions of `entities` in the tree as `mention_mode` says ("first", "all" or "none").

    Returns the entities mentioned anywhere, and for each the sentence around
    its first mention outside links, code and headings.
    """
    by_name: dict[str, Entity] = {}
    for entity in entities:
        for name in entity.names:
            by_name.setdefault(name, entity)
    matcher = MentionMatcher(list(by_name))
    mentioned: set[EntityKey] = set()
    contexts: dict[EntityKey, MentionContext] = {}
    if not matcher:
        return mentioned, contexts
    text_map = TextMap(root, lambda element: element.tag in EXCLUDED_TAGS)
    to_link: list[tuple[int, int, Entity]] = []
    linked: set[EntityKey] = set()
    boundaries: dict[int, list[SentenceEnd]] = {}  # each block's sentence ends, found once
    for segment in text_map.segments:
        for match_start, match_end, name in matcher.find(segment.text):
            entity = by_name[name]
            start = segment.start + match_start
            end = segment.start + match_end
            first = entity.key not in mentioned
            mentioned.add(entity.key)
            if (first or entity.key not in contexts) and not segment.excluded:
                contexts[entity.key] = sentence_around(text_map, segment, start, end, boundaries)
            if segment.excluded or mention_mode == "none":
                continue
            if mention_mode == "first" and entity.key in linked:
                continue
            linked.add(entity.key)
            to_link.append((start, end, entity))
    for start, end, entity in to_link:
        text_map.wrap(start, end, partial(_mention_link, href(entity), entity))
    return mentioned, contexts


def _mention_link(href: str, entity: Entity) -> etree.Element:
    return etree.Element("a", {"class": f"mention mention--{entity.type}", "href": href,
                               "data-entity": f"{entity.type}/{entity.id}"})


def sentence_around(text_map: TextMap, segment: Segment, start: int, end: int,
                    boundaries: dict[int, list[SentenceEnd]] | None = None) -> MentionContext:
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
    index = bisect.bisect_right(ends, local_start, key=lambda item: item.next_start)
    sentence_start = ends[index - 1].next_start if index else 0
    following = next((item.end for item in ends[index:] if item.mark >= local_end), None)
    sentence_end = following if following is not None else len(block_text)
    return _context(block_text, sentence_start, local_start, local_end, sentence_end)


def _context(block_text: str, sentence_start: int, start: int, end: int, sentence_end: int) -> MentionContext:
    """The sentence block_text[sentence_start:sentence_end] around the mention at [start, end), shortened."""
    before = _clean(block_text[sentence_start:start])
    after = _clean(block_text[end:sentence_end])
    mention = _clean(block_text[start:end])
    if len(before) > MAX_SENTENCE // 2:
        before = "…" + before[-(MAX_SENTENCE // 2):].split(" ", 1)[-1]
    if len(after) > MAX_SENTENCE // 2:
        after = after[: MAX_SENTENCE // 2].rsplit(" ", 1)[0] + "…"
    if before and not before.endswith(" ") and block_text[start - 1: start].isspace():
        before += " "
    if after and block_text[end: end + 1].isspace():
        after = " " + after.lstrip()
    return MentionContext(before=before, mention=mention, after=after)


def _clean(text: str) -> str:
    text = without_placeholders(text)
    return _WHITE_SPACE.sub(" ", text).strip(" ") if text.strip() else ""
