"""What rendering a brief's Markdown produced, for every output that shows the brief.

Owns the rendered records (`RenderedBrief`, `RenderedNote`, `BriefOutcome`)
and the plain-text summary made from them. It sits below the render stage
and the output formats (feeds, annotation JSON-LD), which all read these
records: none of them has to import another. Must not render or write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup

from .errors import BriefgenError, BuildWarning
from .htmlwalk import plain_text
from .markdown.annotations import NOTE_REF_CLASS
from .markdown.headings import PAGE_IDS
from .markdown.mentions import MentionContext
from .model import Annotation, Brief, Photo
from .xmltext import xml_text

SUMMARY_CHARS = 300


@dataclass(frozen=True)
class RenderedNote:
    """An annotation as its brief shows it: number, kind, note HTML."""

    number: int
    annotation: Annotation
    html: Markup
    exact: str  # the text the note marks, as the page has it (the sidecar's quote may differ in quotes, dashes...)


@dataclass(frozen=True)
class RenderedBrief:
    """A brief's Markdown rendered once per build, for every page that shows it."""

    body: Markup
    key_points: tuple[Markup, ...]
    notes: tuple[RenderedNote, ...]
    contexts: dict[tuple[str, str], MentionContext] = field(hash=False)
    ids: frozenset[str] = frozenset()  # the ids of the body and the notes, which links to the page may target
    photos: tuple[Photo, ...] = ()  # the images beside the article its body shows, published beside the page

    def page_ids(self) -> frozenset[str]:
        """Every id the brief's page has: the body's and the notes', the notes themselves, the page's own."""
        return self.ids | PAGE_IDS | {f"note-{note.number}" for note in self.notes}


class BriefOutcome(NamedTuple):
    """One brief's rendering with the quote errors and warnings it gave.

    A named tuple, as `memory.SourceRecord` is, for the same reason: one per brief in the memory."""

    rendered: RenderedBrief
    errors: tuple[BriefgenError, ...]
    warnings: tuple[BuildWarning, ...]
    root_links: tuple[str, ...] = ()  # the body's links from the site's root, checked once every page is known
    rated: bool = False  # a note rates a claim: the page has ClaimReview markup, when the site has base_url


def brief_summary(brief: Brief, rendered: RenderedBrief) -> str:
    """What a brief is about, as plain text: the sidecar's summary, else the key points, else the
    start of the body (for feeds, share cards and search engines)."""
    if brief.summary:
        text = brief.summary
    elif rendered.key_points:  # one for each of the brief's (which a first build does not keep in memory)
        text = " ".join(plain_text(point) for point in rendered.key_points)
    else:
        text = plain_text(rendered.body, skip_class=NOTE_REF_CLASS)  # note numbers are not words
    text = " ".join(xml_text(text).split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    return text
