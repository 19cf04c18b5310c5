"""Images in an article's text, published in several widths: `<img>` becomes `<picture>`.

Owns the markup of a photo in the body: WebP with a JPEG (or PNG) fallback,
`srcset` and `sizes`, `width` and `height` from the file (so nothing moves
while it loads), lazy loading, and a `<figure>` with the title as its caption
when the image stands alone in its paragraph. Is handed the published widths
by source path; must not know files or Pillow.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree
from collections.abc import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from ..model import Variant

SIZES = "(min-width: 48rem) 46rem, 100vw"  # the column the body is set in, else the whole width


def image_key(src: str) -> str:
    """One spelling of an image path relative to the article (`./a%20b.jpg` and `a b.jpg` are one)."""
    return posixpath.normpath(unquote(urlsplit(src).path))


def publish_pictures(root: etree.Element, published: Mapping[str, Sequence[Variant]]) -> list[str]:
    """Each `<img>` whose path is in `published` (by `image_key`) as a `<picture>`; the keys shown, in order."""
    parents = {child: parent for parent in root.iter() for child in parent}
    shown: list[str] = []
    for image in [element for element in root.iter("img")]:
        key = image_key(image.get("src", ""))
        widths = published.get(key)
        if not widths or image not in parents:
            continue
        shown.append(key)
        parent = parents[image]
        picture = etree.Element("picture")
        etree.SubElement(picture, "source", {"type": "image/webp", "srcset": _srcset(widths, webp=True),
                                             "sizes": SIZES})
        largest = widths[-1]
        title = image.attrib.pop("title", None)
        for name, value in (("src", largest.fallback), ("srcset", _srcset(widths, webp=False)), ("sizes", SIZES),
                            ("width", str(largest.width)), ("height", str(largest.height)), ("loading", "lazy"),
                            ("decoding", "async")):
            image.set(name, value)
        at = list(parent).index(image)
        picture.tail, image.tail = image.tail, None
        parent.remove(image)
        picture.append(image)
        parent.insert(at, picture)
        if title and parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip() \
                and not (picture.tail or "").strip():
            parent.tag = "figure"
            parent.set("class", "body-photo")
            etree.SubElement(parent, "figcaption").text = title
        elif title:
            image.set("title", title)
    return shown


def _srcset(widths: Sequence[Variant], *, webp: bool) -> str:
    return ", ".join(f"{variant.webp if webp else variant.fallback} {variant.width}w" for variant in widths)
