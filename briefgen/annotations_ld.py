"""W3C Web Annotation JSON-LD for each brief (`briefs/<slug>/annotations.jsonld`).

Owns the mapping of a brief's anchored annotations to the Web Annotation data
model, so other tools can read them. Must not write files.
"""

from __future__ import annotations

import json
from typing import Any

from .config import Config
from .model import Brief
from .rendered import RenderedBrief

MOTIVATIONS = {"note": "commenting", "context": "describing", "fact-check": "assessing",
               "correction": "editing", "question": "questioning", "link": "linking"}


def annotation_collection(brief: Brief, rendered: RenderedBrief, config: Config) -> bytes:
    """The brief's annotations as a W3C AnnotationCollection with one page."""
    base = f"{config.base_url}{brief.url}" if config.base_url else ""
    page_url = base or "./"
    items: list[dict[str, Any]] = []
    for note in rendered.notes:
        # The page's own text: a client anchors it character for character (the sidecar's quote
        # may have straight quotes or a hyphen where the page has curly ones or a dash).
        selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": note.exact}
        if note.annotation.prefix is not None:
            selector["prefix"] = note.annotation.prefix
        if note.annotation.suffix is not None:
            selector["suffix"] = note.annotation.suffix
        items.append({
            "id": f"{base}annotations.jsonld#note-{note.number}",
            "type": "Annotation",
            "motivation": MOTIVATIONS.get(note.annotation.kind, "commenting"),
            "body": [
                {"type": "TextualBody", "value": note.annotation.note, "format": "text/markdown",
                 "purpose": MOTIVATIONS.get(note.annotation.kind, "commenting")},
                {"type": "TextualBody", "value": str(note.html).strip(), "format": "text/html"},
            ],
            "target": {"source": page_url, "selector": selector},
        })
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{base}annotations.jsonld",
        "type": "AnnotationCollection",
        "label": f"Annotations on “{brief.title}”",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
