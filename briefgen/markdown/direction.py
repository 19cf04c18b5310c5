"""Right-to-left text in a brief's element tree.

Owns which blocks get `dir="auto"`: those holding Hebrew, Arabic or another
right-to-left script, so that the browser sets each one's direction from its
first strong letter. Must not change any text, and knows nothing of
entities, annotations, links, files or templates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")  # Hebrew, Arabic, Syriac, Thaana...
DIRECTED_BLOCKS = frozenset({"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"})


def mark_right_to_left(root: etree.Element) -> None:
    """Blocks with Hebrew or Arabic text get dir="auto": a quote in Arabic reads and aligns right to left."""
    blocks = [element for element in root.iter() if element.tag in DIRECTED_BLOCKS]
    for block in blocks:
        if "dir" not in block.attrib and RIGHT_TO_LEFT.search("".join(block.itertext())):
            block.set("dir", "auto")
