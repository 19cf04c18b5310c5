"""Photos: checking a brief's lead photo, and publishing it in a few widths, metadata stripped.

Owns reading an image with Pillow (its format, size and orientation, a
decompression bomb refused), the widths a photo is published in (never
upscaled), encoding them as WebP with a JPEG fallback (PNG when the photo has
transparency) with every metadata block left out (EXIF, GPS among it, XMP,
IPTC, ICC: the pixels are converted to sRGB first), and keeping the encoded
files in the build cache by content digest and settings, so an unchanged
photo is never encoded again. Must not render pages or write the site.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import BriefgenError, shown
from .files import replace_file
from .markdown.pictures import image_key
from .model import Photo, Variant

WIDTHS = (480, 800, 1200, 1600)  # published widths, as far as the photo allows (never upscaled)
LARGE_ENOUGH = 1200  # Google's rich results ask for images at least this wide
MAX_PIXELS = 60_000_000  # beyond this a file is refused as a decompression bomb (a 60-megapixel photo is large)
READABLE = frozenset({"JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "MPO", "AVIF"})
SETTINGS = "webp-q80-m4+jpeg-q82-progressive+png-opt+crops-centre-1200/v2"  # part of every cached file's key
PHOTO_STEM = "photo"
CROP_RATIOS = ((16, 9), (4, 3), (1, 1))


def inspect_photo(path: Path) -> tuple[str, int, int, bool]:
    """Check that `path` is a photo briefgen publishes: its digest, upright width and height, and whether it
    has transparency. Errors say what is wrong."""
    if path.suffix.lower() == ".svg":
        raise BriefgenError("an SVG is not accepted as a photo (SVG can carry scripts)",
                            hint="export it as PNG or JPEG")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BriefgenError(f"cannot read the photo {shown(path)}: {exc.strerror or exc}",
                            hint="check the path, relative to the article's folder") from None
    with _opened(data, path) as image:
        upright = ImageOps.exif_transpose(image) if image.getexif().get(0x0112, 1) != 1 else image
        transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        return hashlib.sha256(data).hexdigest(), upright.width, upright.height, transparent


class _opened:
    """An image opened from bytes, its format checked and a decompression bomb refused (context manager)."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path = data, path

    def __enter__(self) -> Image.Image:
        # Pillow reads its limit from a module global: set for this open only, the caller's value put back.
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(self.data))
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BriefgenError(f"the photo {self.path.name} has too many pixels (over {MAX_PIXELS:,}): "
                                "refused as a possible decompression bomb",
                                hint="publish a smaller copy of it") from None
        except UnidentifiedImageError:
            raise BriefgenError(f"{self.path.name} is not an image file (its bytes are no image format briefgen "
                                "reads)", hint="use a JPEG, PNG or WebP file") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise BriefgenError(f"{self.path.name} is a damaged image ({exc})",
                                hint="open it in an image editor and save it again as JPEG, PNG or WebP") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous
        if image.format not in READABLE:
            raise BriefgenError(f"{self.path.name} is a {image.format} image, which briefgen does not publish",
                                hint="use a JPEG, PNG or WebP file")
        self.image = image
        return image

    def __exit__(self, *exc_info: object) -> None:
        image = getattr(self, "image", None)
        if image is not None:
            image.close()


def variants(photo: Photo, stem: str = PHOTO_STEM) -> list[Variant]:
    """The widths the photo is published in: the standard ones below its width, and its own width at most."""
    widths = [width for width in WIDTHS if width < photo.width] + [min(photo.width, WIDTHS[-1])]
    fallback = "png" if photo.transparent else "jpg"
    return [Variant(width, max(1, round(photo.height * width / photo.width)), f"{stem}-{width}.webp",
                    f"{stem}-{width}.{fallback}") for width in dict.fromkeys(widths)]


def body_photo_stem(photo: Photo) -> str:
    """The file names of an image in an article's text: by its content, so one photo shown twice is one set."""
    return f"img-{photo.digest[:12]}"


@dataclass(frozen=True)
class Crop:
    """The photo cut to one aspect ratio (for search engines, which ask for 16:9, 4:3 and 1:1), one width."""

    name: str  # file name beside the page
    box: tuple[int, int, int, int]  # left, top, right, bottom of the upright photo
    width: int
    height: int


def crops(photo: Photo) -> list[Crop]:
    """The lead photo's centred crops at 16:9, 4:3 and 1:1, at most 1200 px wide (never upscaled)."""
    suffix = "png" if photo.transparent else "jpg"
    found = []
    for across, down in CROP_RATIOS:
        width, height = photo.width, photo.height
        if width * down > height * across:  # wider than the ratio: cut the sides
            width = height * across // down
        else:
            height = width * down // across
        left, top = (photo.width - width) // 2, (photo.height - height) // 2
        out_width = min(width, LARGE_ENOUGH)
        found.append(Crop(f"{PHOTO_STEM}-{across}x{down}.{suffix}", (left, top, left + width, top + height),
                          out_width, max(1, out_width * down // across)))
    return found


def _wanted(photo: Photo, stem: str, with_crops: bool) -> list[tuple[str, tuple[int, int, int, int] | None, int, int]]:
    """Each file of the photo: its name, the part of the upright photo it shows (None: all), its size."""
    wanted: list[tuple[str, tuple[int, int, int, int] | None, int, int]]
    wanted = [(name, None, variant.width, variant.height) for variant in variants(photo, stem)
              for name in (variant.webp, variant.fallback)]
    if with_crops:
        wanted += [(crop.name, crop.box, crop.width, crop.height) for crop in crops(photo)]
    return wanted


def needs_encoding(photo: Photo, cache: Path | None, stem: str = PHOTO_STEM, *, with_crops: bool = False) -> bool:
    """Whether a file of the photo is not in the cache (publishing it would encode: seconds, not milliseconds)."""
    return cache is None or any(not _cache_path(cache, photo, name).is_file()
                                for name, *_ in _wanted(photo, stem, with_crops))


def photo_files(photo: Photo, folder: PurePosixPath, cache: Path | None, stem: str = PHOTO_STEM, *,
                with_crops: bool = False) -> list[tuple[PurePosixPath, bytes]]:
    """Every published file of the photo (paths in `folder`; its crops too when `with_crops`), from the
    cache where it holds them."""
    files: list[tuple[PurePosixPath, bytes]] = []
    wanted = _wanted(photo, stem, with_crops)
    pending = []
    for job in wanted:
        cached = _cached(cache, photo, job[0])
        if cached is None:
            pending.append(job)
        else:
            files.append((folder / job[0], cached))
    if pending:
        with _opened(Path(photo.path).read_bytes(), Path(photo.path)) as image:
            upright = _srgb(ImageOps.exif_transpose(image), photo.transparent)
            for name, box, width, height in pending:
                data = _encode(upright.crop(box) if box else upright, width, height, name)
                _store(cache, photo, name, data)
                files.append((folder / name, data))
    return sorted(files)


# A path in an article's text that may name an image beside it. Over-inclusive on purpose (a path in a
# code block counts too): these files are only watched and checked; the rendered body decides what is shown.
IMAGE_PATH = re.compile(r"[^\s()<>\"'\[\]`|]+\.(?:jpe?g|png|webp|gif|avif|tiff?|bmp|svg)(?![\w.])", re.IGNORECASE)
# The suffix alone, looked for first: IMAGE_PATH tries every word of a text, most of which name no image.
_IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|webp|gif|avif|tiff?|bmp|svg)(?![\w.])", re.IGNORECASE)


def article_images(text: str, article: Path, content_dir: Path) -> tuple[list[Photo], list[BriefgenError], list[str]]:
    """The images an article's text names by a path relative to it, inside the content folder: each one
    checked as a photo (`src` normalised), the errors of those that are not, and every such path (present
    or not) to watch."""
    photos: list[Photo] = []
    errors: list[BriefgenError] = []
    watched: list[str] = []
    if _IMAGE_SUFFIX.search(text) is None:
        return photos, errors, watched
    content = content_dir.resolve()
    seen: set[str] = set()
    for match in IMAGE_PATH.finditer(text):
        src = match.group(0)
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith(("/", "#", "\\")):
            continue
        key = image_key(src)
        if key in seen:
            continue
        seen.add(key)
        path = (article.parent / unquote(parts.path)).resolve()
        if content not in path.parents:
            continue
        watched.append(str(path))
        if not path.is_file():
            continue  # a dead image: the link check says so
        try:
            digest, width, height, transparent = inspect_photo(path)
        except BriefgenError as error:
            errors.append(BriefgenError(error.message, article, text.count("\n", 0, match.start()) + 1, error.hint))
            continue
        photos.append(Photo(src=key, path=str(path), alt="", digest=digest, width=width, height=height,
                            transparent=transparent))
    return photos, errors, watched


def _srgb(image: Image.Image, transparent: bool) -> Image.Image:
    """The pixels alone in sRGB (an embedded ICC profile applied, then dropped), RGB or RGBA."""
    profile = image.info.get("icc_profile")
    mode = "RGBA" if transparent else "RGB"
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image.convert(mode), source, ImageCms.createProfile("sRGB"),
                                                  outputMode=mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels as they are
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    return clean  # a new image: nothing of the file's metadata comes with it


def _encode(image: Image.Image, width: int, height: int, name: str) -> bytes:
    resized = image if image.size == (width, height) else image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if name.endswith(".webp"):
        resized.save(out, "WEBP", quality=80, method=4)
    elif name.endswith(".png"):
        resized.save(out, "PNG", optimize=True)
    else:
        resized.save(out, "JPEG", quality=82, progressive=True, optimize=True)
    return out.getvalue()


def _cache_path(cache: Path, photo: Photo, name: str) -> Path:
    key = hashlib.sha256(f"{photo.digest}\0{SETTINGS}\0{name}".encode()).hexdigest()
    return cache / key[:2] / f"{key}{Path(name).suffix}"


def _cached(cache: Path | None, photo: Photo, name: str) -> bytes | None:
    if cache is None:
        return None
    try:
        return _cache_path(cache, photo, name).read_bytes()
    except OSError:
        return None


def _store(cache: Path | None, photo: Photo, name: str, data: bytes) -> None:
    """Keep an encoded file for the next build; a cache that cannot be written only costs time."""
    if cache is None:
        return
    target = _cache_path(cache, photo, name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)
    except OSError:
        pass
