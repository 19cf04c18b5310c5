"""A photo as a file names it: `image: {src, alt, caption, credit}`, read and checked.

Owns the rules a brief's lead photo and an entity's picture share: `src` a
file inside the content folder, relative to the file that names it; `alt`
required and not empty; the file a photo briefgen publishes. Must not encode
images (images.py does) or read anything else of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import BriefgenError, BuildWarning, did_you_mean
from .images import LARGE_ENOUGH, inspect_photo
from .model import Photo
from .yamlfile import YamlMap

IMAGE_KEYS = ("src", "alt", "caption", "credit")
Fail = Callable[[str, "int | None", "str | None"], None]


def read_photo(value: Any, line: int | None, path: Path, content_dir: Path, fail: Fail,
               warnings: list[BuildWarning] | None = None) -> Photo | None:
    """`image:` of the file at `path` → its Photo, or None after `fail`ing with what is wrong.

    With `warnings`, a photo narrower than search engines ask for is one.
    """
    if not isinstance(value, YamlMap):
        fail("'image' must be a mapping with `src:` and `alt:`", line,
             "write `image: {src: photo.jpg, alt: What the photo shows}`")
        return None
    for key in value:
        if key not in IMAGE_KEYS:
            fail(f"unknown key 'image.{key}'", value.line_of(key), did_you_mean(key, IMAGE_KEYS))
    texts = {key: _text(value, key) for key in IMAGE_KEYS}
    src, alt = texts["src"], texts["alt"]
    if not src:
        fail("the photo needs a `src:`, the file's path", line, "write `src: photo.jpg`")
    if not alt:
        fail("the photo needs an `alt:` text" if "alt" not in value or value["alt"] is None
             else "'image.alt' must not be empty", value.line_of("alt") if "alt" in value else line,
             "describe what the photo shows, for readers who cannot see it")
    if not src or not alt:
        return None
    src_line = value.line_of("src")
    file = _photo_path(src, src_line, path, content_dir, fail)
    if file is None:
        return None
    try:
        digest, width, height, transparent = inspect_photo(file)
    except BriefgenError as error:
        fail(error.message, src_line, error.hint)
        return None
    if warnings is not None and width < LARGE_ENOUGH:
        warnings.append(BuildWarning(f"the photo {src} is {width} px wide: search engines ask for lead photos at "
                                     f"least {LARGE_ENOUGH} px wide", path, src_line, "photo-too-small"))
    return Photo(src=src, path=str(file), alt=alt, digest=digest, width=width, height=height,
                 transparent=transparent, caption=texts["caption"] or None, credit=texts["credit"] or None)


def _text(value: YamlMap, key: str) -> str | None:
    item = value.get(key)
    if item is None or isinstance(item, (dict, list)):
        return None
    return str(value.raw.get(key, item)).strip()


def _photo_path(src: str, line: int | None, path: Path, content_dir: Path, fail: Fail) -> Path | None:
    if urlsplit(src).scheme or src.startswith(("/", "\\")) or Path(src).is_absolute():
        fail(f"the photo '{src}' must be a file path relative to the {_named_by(path)}'s folder", line,
             "put the photo in the content folder, beside the article, and name it: photo.jpg")
        return None
    file = (path.parent / src).resolve()
    if content_dir.resolve() not in file.parents:
        fail(f"the photo '{src}' is outside the content folder", line,
             "put the photo in the content folder, beside the article")
        return None
    if not file.is_file():
        fail(f"the photo '{src}' is not there ({file.name} is missing)", line,
             f"check the file name, relative to the {_named_by(path)}'s folder")
        return None
    return file


def _named_by(path: Path) -> str:
    return "registry" if path.stem == "entities" else "sidecar"
