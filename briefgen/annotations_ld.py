"""W3C Web Annotation JSON-LD for each brief (`briefs/<slug>/annotations.jsonld`).

Owns the mapping of a brief's anchored annotations to the Web Annotation data
model, so other tools can read them: a collection with one page, and for each
annotation selectors that describe the published page as a browser's DOM has
it (its text in document order, note numbers and the notes list included), so
that a client matching over the whole page finds the marked passage and only
it. Must not write files.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .config import Config
from .htmlwalk import PageText, page_text
from .model import Brief
from .rendered import RenderedBrief, RenderedNote
from .xmltext import rfc3339

MOTIVATIONS = {"note": "commenting", "context": "describing", "fact-check": "assessing",
               "correction": "editing", "question": "questioning", "link": "linking"}
ANNOTATIONS_FILE = "annotations.jsonld"
# Characters of prefix and suffix a quote selector has at least (Hypothesis gives 32): a few words,
# doubled until the quote with its context is found once in the page.
CONTEXT_CHARS = 32
_DIGITS = re.compile(r"\d")
MARK_TAG, MARK_ATTRIBUTE = "mark", "data-note"  # the marks markdown/annotations.py makes


def annotation_collection(brief: Brief, rendered: RenderedBrief, config: Config, page_html: str) -> bytes | None:
    """The brief's annotations as a W3C AnnotationCollection with one page, or None when it has none.

    `page_html` is the brief's published page: the selectors describe its text.
    """
    if not rendered.notes:
        return None
    base = f"{config.base_url}{brief.url}" if config.base_url else ""
    collection_id = f"{base}{ANNOTATIONS_FILE}"
    page_id = f"{collection_id}#page-1"
    text = page_text(page_html, MARK_TAG, MARK_ATTRIBUTE)
    digitless = _DIGITS.sub("", text.text)  # once per page, not per note: see _unique_context
    items = [_annotation(note, collection_id, base or "./", text, digitless) for note in rendered.notes]
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{brief.title}”",
        "total": len(items),
        # partOf as an object, as the W3C test suite's page assertions require (an IRI alone fails them).
        "first": {"id": page_id, "type": "AnnotationPage", "partOf": {"id": collection_id, "total": len(items)},
                  "startIndex": 0, "items": items},
        "last": page_id,
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _annotation(note: RenderedNote, collection_id: str, page_url: str, text: PageText,
                digitless: str) -> dict[str, Any]:
    annotation = note.annotation
    motivation = MOTIVATIONS.get(annotation.kind, "commenting")
    item: dict[str, Any] = {
        "id": f"{collection_id}#note-{note.number}",
        "type": "Annotation",
        "motivation": motivation,
    }
    if annotation.by is not None:
        item["creator"] = {"name": annotation.by.name, **({"homepage": annotation.by.url} if annotation.by.url else {})}
    if annotation.date is not None:
        item["created"] = rfc3339(annotation.date)
    body = [{"type": "TextualBody", "value": annotation.note, "format": "text/markdown", "purpose": motivation},
            {"type": "TextualBody", "value": str(note.html).strip(), "format": "text/html"}]
    if annotation.rating is not None:
        body.append({"type": "TextualBody", "value": annotation.rating.name, "purpose": "assessing"})
    item["body"] = body
    item["target"] = {"source": page_url, "selector": page_selectors(text, note, digitless)}
    return item


def page_selectors(text: PageText, note: RenderedNote, digitless: str) -> list[dict[str, Any]]:
    """A TextQuoteSelector whose quote with its prefix and suffix is found once in the page (body or
    whole document), and a TextPositionSelector in the body's text (in code points, as the model says).

    `digitless` is the page's text with every digit left out (see _unique_context)."""
    ranges = text.ranges.get(str(note.number))
    if not ranges:  # not marked on the page (cannot happen for a rendered note): the quote alone
        return [{"type": "TextQuoteSelector", "exact": note.exact}]
    start, end = ranges[0][0], max(range_end for _, range_end in ranges)
    exact = text.text[start:end]
    prefix, suffix = _unique_context(text, digitless, start, end)
    return [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
            {"type": "TextPositionSelector", "start": start - text.body_start, "end": end - text.body_start}]


def _unique_context(text: PageText, digitless_page: str, start: int, end: int) -> tuple[str, str]:
    """The shortest prefix and suffix (CONTEXT_CHARS, doubled) that make text[start:end] found once.

    Found once in the page, and also with every digit left out: the page shows each note's number
    after its passage, which the article does not have, so `briefgen annotations import` (which takes
    any digit as optional) must tell a repeat apart without them.
    """
    page, width = text.text, CONTEXT_CHARS
    while True:
        # The prefix stays within the body: a client matching over document.body must find it too.
        prefix_start = max(text.body_start, start - width)
        prefix, suffix = page[prefix_start:start], page[end:end + width]
        quoted = prefix + page[start:end] + suffix
        if (_found_once(page, quoted) and _found_once(digitless_page, _DIGITS.sub("", quoted))) or \
                (prefix_start == text.body_start and end + width >= len(page)):
            return prefix, suffix
        width *= 2


def _found_once(page: str, pattern: str) -> bool:
    """Whether `pattern` occurs in `page` once (overlapping occurrences count, as clients find them)."""
    first = page.find(pattern)
    return first >= 0 and page.find(pattern, first + 1) < 0
