"""Plain wire copy, as agencies file it: key-point bullets, then a paragraph a line.

Owns the reading of a `.txt` article (and of raw `seeds/`) into key points and
paragraphs. Nothing in wire copy is markup: callers must escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

BULLET = "- "


@dataclass(frozen=True)
class WireCopy:
    """Wire copy split into its leading key points and its paragraphs."""

    key_points: tuple[str, ...]
    paragraphs: tuple[str, ...]


def parse_wire(text: str) -> WireCopy:
    """Split wire copy: lines starting with '- ' before the first paragraph are key points.

    Every other non-empty line is one paragraph; white space at either end of a
    line is dropped. A '- ' line after the first paragraph is a paragraph too.
    """
    key_points: list[str] = []
    paragraphs: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        if not paragraphs and line.startswith(BULLET):
            point = line[len(BULLET):].strip()
            if point:
                key_points.append(point)
            continue
        paragraphs.append(line)
    return WireCopy(tuple(key_points), tuple(paragraphs))
