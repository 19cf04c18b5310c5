"""Lead photos: published in a few widths as WebP and JPEG, metadata stripped, cached; bad ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from briefgen import images
from briefgen.build import Builder
from briefgen.errors import BriefgenError

from sitekit import NONDETERMINISTIC, build, parse_html, snapshot, write_site

GPS = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}


def photo(path: Path, size: tuple[int, int] = (2000, 1500), orientation: int = 1, gps: bool = True,
          color: tuple[int, int, int] = (200, 80, 40)) -> Path:
    """A JPEG with EXIF: an orientation and, unless asked not to, where it was taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = GPS
    image = Image.new("RGB", size, color)
    image.paste((10, 10, 10), (0, 0, size[0] // 4, size[1] // 4))  # a dark corner: orientation shows
    image.save(path, exif=exif.tobytes(), quality=90)
    return path


def site_with(tmp_path: Path, image_yaml: str, config: str = "base_url: https://example.org/news/\n") -> Path:
    site = write_site(tmp_path / "site", {
        "briefgen.yaml": config,
        "content/a.md": "Ada Lovelace wrote.\n",
        "content/a.yaml": f"title: A\ndate: 2024-01-01\n{image_yaml}",
    })
    return site


def test_a_lead_photo_is_published_in_widths_and_formats_with_its_caption(tmp_path: Path) -> None:
    site = site_with(tmp_path, "image:\n  src: photos/lead.jpg\n  alt: The council chamber\n"
                               "  caption: The vote, Tuesday\n  credit: Photo by the desk\n")
    photo(site / "content/photos/lead.jpg")
    report = build(site)
    out = site / "site/briefs/a"
    page = parse_html(out / "index.html")
    figure = page.select_one("article figure.lead-photo")
    img = figure.find("img")
    assert img["alt"] == "The council chamber" and (img["width"], img["height"]) == ("1600", "1200")
    assert img["src"] == "photo-1600.jpg" and not img.has_attr("loading")  # above the fold: loaded at once
    webp = figure.find("source", type="image/webp")
    for srcset, suffix in ((webp["srcset"], "webp"), (img["srcset"], "jpg")):
        listed = [item.split() for item in srcset.split(", ")]
        assert [w for _, w in listed] == ["480w", "800w", "1200w", "1600w"]
        for name, width in listed:
            assert name.endswith(suffix)
            with Image.open(out / name) as published:
                assert published.width == int(width[:-1]) and published.format == ("WEBP" if suffix == "webp" else "JPEG")
                assert published.height == round(1500 * published.width / 2000)
    assert figure.figcaption.get_text(" ", strip=True) == "The vote, Tuesday Photo by the desk"
    assert page.find("meta", property="og:image")["content"] == "https://example.org/news/briefs/a/photo-1600.jpg"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    article = json.loads(page.find("script", type="application/ld+json").string)
    assert article["image"][0]["url"] == "https://example.org/news/briefs/a/photo-1600.jpg"
    # Google's three shapes, each at least 1200 px wide where the photo allows, cut from the centre.
    shapes = {(entry["width"], entry["height"]) for entry in article["image"][1:]}
    assert shapes == {(1200, 675), (1200, 900), (1200, 1200)}
    for entry in article["image"]:
        with Image.open(out / entry["url"].rsplit("/", 1)[1]) as published:
            assert published.size == (entry["width"], entry["height"])
            assert entry["caption"] == "The vote, Tuesday"
    with Image.open(out / "photo-1x1.jpg") as square:
        # The centre 1500 × 1500 of 2000 × 1500: of the dark quarter (500 px across) 250 px stay, 200 px at 1200.
        pixels = square.convert("RGB")
        assert max(pixels.getpixel((190, 5))) < 60 and min(pixels.getpixel((210, 5))) > 35
    assert [w for w in report.warnings if w.kind == "photo-too-small"] == []


def test_every_metadata_block_is_stripped_and_orientation_applied(tmp_path: Path) -> None:
    site = site_with(tmp_path, "image: {src: lead.jpg, alt: A photo}\n")
    source = photo(site / "content/lead.jpg", size=(1800, 1200), orientation=6)  # stored sideways
    assert b"GPS" in source.read_bytes() or Image.open(source).getexif().get_ifd(0x8825)
    build(site)
    out = site / "site/briefs/a"
    files = sorted(p for p in out.glob("photo-*") if "x" not in p.stem)  # the widths; crops have their own shapes
    assert files
    for published in files:
        data = published.read_bytes()
        assert b"Exif" not in data and b"GPS" not in data and b"ICC_PROFILE" not in data and b"XMP" not in data
        with Image.open(published) as image:
            assert not image.getexif() and "icc_profile" not in image.info
            assert image.height > image.width  # turned upright: 1200 wide, 1800 high
            corner = image.convert("RGB").getpixel((image.width - 5, 5))
            assert max(corner) < 60, corner  # the dark corner, rotated to the top right


def test_a_small_photo_is_never_upscaled_and_the_build_says_it_is_small(tmp_path: Path) -> None:
    site = site_with(tmp_path, "image: {src: small.jpg, alt: Small}\n")
    photo(site / "content/small.jpg", size=(600, 400))
    report = build(site)
    assert sorted(p.name for p in (site / "site/briefs/a").glob("photo-*")) == \
        ["photo-16x9.jpg", "photo-1x1.jpg", "photo-480.jpg", "photo-480.webp", "photo-4x3.jpg", "photo-600.jpg",
         "photo-600.webp"]
    small = [w for w in report.warnings if w.kind == "photo-too-small"]
    assert len(small) == 1 and small[0].line == 3 and "600 px wide" in small[0].message


def test_an_unchanged_photo_is_never_encoded_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_with(tmp_path, "image: {src: lead.jpg, alt: A photo}\n")
    photo(site / "content/lead.jpg")
    encoded: list[str] = []
    real = images._encode
    monkeypatch.setattr(images, "_encode", lambda image, width, height, name: encoded.append(name)
                        or real(image, width, height, name))
    Builder(site, tmp_path / "one", use_cache=False, jobs=1).build()
    assert len(encoded) == 8 + 3  # four widths in two formats, three crops
    encoded.clear()
    Builder(site, tmp_path / "two", use_cache=False, jobs=1).build()  # another clean build: all from the cache
    assert encoded == []
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")  # and byte for byte the same


def test_replacing_adding_and_removing_a_photo_rebuilds_as_a_clean_build_would(tmp_path: Path) -> None:
    site = site_with(tmp_path, "image: {src: lead.jpg, alt: A photo}\n")
    photo(site / "content/lead.jpg")
    builder = Builder(site, site / "site", jobs=1)
    builder.build()

    def same_as_clean() -> None:
        clean = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
        Builder(site, clean, use_cache=False, jobs=1).build()
        assert snapshot(site / "site", (*NONDETERMINISTIC, ".briefgen-files")) == \
            snapshot(clean, (*NONDETERMINISTIC, ".briefgen-files"))

    photo(site / "content/lead.jpg", color=(20, 120, 200))  # the same name, another photo
    assert builder.build().files_written > 0
    same_as_clean()
    # And from the saved state, in a new process's builder, as the next command would.
    photo(site / "content/lead.jpg", size=(1000, 800), color=(90, 90, 90))
    Builder(site, site / "site", jobs=1).build()
    same_as_clean()
    (site / "content/a.yaml").write_text("title: A\ndate: 2024-01-01\n")
    Builder(site, site / "site", jobs=1).build()
    assert not list((site / "site/briefs/a").glob("photo-*"))
    same_as_clean()


@pytest.mark.parametrize(("image_yaml", "prepare", "message"), [
    ("image: {src: missing.jpg, alt: x}\n", None, "the photo 'missing.jpg' is not there"),
    ("image: {src: notes.jpg, alt: x}\n", "text", "notes.jpg is not an image file"),
    ("image: {src: logo.svg, alt: x}\n", "svg", "an SVG is not accepted as a photo"),
    ("image: {src: ../outside.jpg, alt: x}\n", "outside", "the photo '../outside.jpg' is outside the content folder"),
    ("image: {src: /etc/passwd, alt: x}\n", None, "must be a file path relative to the sidecar's folder"),
    ("image: {src: https://example.org/p.jpg, alt: x}\n", None, "must be a file path relative"),
    ("image: {src: lead.jpg, alt: ''}\n", "photo", "'image.alt' must not be empty"),
    ("image: {src: lead.jpg}\n", "photo", "the photo needs an `alt:` text"),
    ("image: {src: lead.jpg, alt: x, captoin: y}\n", "photo", "unknown key 'image.captoin'"),
    ("image: lead.jpg\n", "photo", "'image' must be a mapping with `src:` and `alt:`"),
    ("image: {src: huge.png, alt: x}\n", "bomb", "has too many pixels"),
])
def test_bad_photos_are_located_errors_and_the_old_site_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             image_yaml: str, prepare: str | None, message: str) -> None:
    site = site_with(tmp_path, "")
    build(site)
    before = snapshot(site / "site")
    content = site / "content"
    if prepare == "text":
        (content / "notes.jpg").write_text("not a photo at all\n")
    elif prepare == "svg":
        (content / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    elif prepare == "outside":
        photo(site / "outside.jpg")
    elif prepare == "photo":
        photo(content / "lead.jpg")
    elif prepare == "bomb":
        monkeypatch.setattr(images, "MAX_PIXELS", 1000)
        Image.new("L", (100, 100)).save(content / "huge.png")
    (content / "a.yaml").write_text(f"title: A\ndate: 2024-01-01\n{image_yaml}")
    with pytest.raises(BriefgenError) as caught:
        build(site)
    shown = caught.value.format_message()
    assert message in shown and "a.yaml:3" in shown, shown
    assert snapshot(site / "site") == before


def test_images_beside_an_article_are_published_as_pictures_with_widths_and_a_caption(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "Ada Lovelace wrote.\n\n![The council chamber](photos/chamber.jpg \"The vote, Tuesday\")\n\n"
                        "Inline ![a logo](./logo%20mark.png) and the chamber again: "
                        "![The chamber](photos/chamber.jpg).\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
    })
    photo(site / "content/photos/chamber.jpg", size=(1000, 750), orientation=6)  # turned: 750 × 1000 upright
    Image.new("RGBA", (300, 120), (0, 0, 255, 100)).save(site / "content/logo mark.png")
    report = build(site)
    assert [w for w in report.warnings if w.kind in ("dead-link", "image-without-alt")] == []
    out = site / "site/briefs/a"
    page = parse_html(out / "index.html")
    figure = page.select_one("article figure.body-photo")
    assert figure.figcaption.get_text() == "The vote, Tuesday"
    img = figure.find("img")
    assert (img["alt"], img["width"], img["height"], img["loading"]) == ("The council chamber", "750", "1000", "lazy")
    assert not img.has_attr("title")
    for srcset, suffix in ((figure.find("source", type="image/webp")["srcset"], "webp"), (img["srcset"], "jpg")):
        listed = [item.split() for item in srcset.split(", ")]
        assert [w for _, w in listed] == ["480w", "750w"]
        for name, width in listed:
            assert name.endswith(suffix) and name.startswith("img-")
            with Image.open(out / name) as published:
                assert published.width == int(width[:-1])
                assert not published.getexif() and "icc_profile" not in published.info  # GPS and all gone
    inline = next(p for p in page.select("article p") if "Inline" in p.get_text())
    pictures = inline.find_all("picture")
    assert len(pictures) == 2 and pictures[0].img["src"].endswith(".png")  # transparency kept
    assert pictures[1].img["src"] == img["src"]  # one photo shown twice is one set of files
    assert len(list(out.glob("img-*"))) == 2 * 2 + 2
    assert not (out / "photos").exists()


def test_replacing_or_deleting_an_image_beside_an_article_rebuilds_what_shows_it(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n\n![A chart](chart.jpg)\n",
                                          "content/a.yaml": "title: A\ndate: 2024-01-01\n"})

    def same_as_clean() -> None:
        Builder(site, tmp_path / "clean", use_cache=False, jobs=1).build()
        assert snapshot(tmp_path / "clean", NONDETERMINISTIC) == snapshot(site / "site", NONDETERMINISTIC)

    report = build(site)  # the image is not there yet
    assert [w.kind for w in report.warnings] == ["dead-link"]
    photo(site / "content/chart.jpg", size=(900, 600))
    Builder(site, site / "site", jobs=1).build()
    first = sorted(p.name for p in (site / "site/briefs/a").glob("img-*"))
    assert len(first) == 6  # 480, 800 and 900 px, WebP and JPEG
    same_as_clean()
    photo(site / "content/chart.jpg", size=(900, 600), color=(10, 200, 10))  # same name, other photo
    Builder(site, site / "site", jobs=1).build()
    second = sorted(p.name for p in (site / "site/briefs/a").glob("img-*"))
    assert len(second) == 6 and not set(first) & set(second)
    same_as_clean()
    (site / "content/chart.jpg").unlink()
    report = Builder(site, site / "site", jobs=1).build()
    assert not list((site / "site/briefs/a").glob("img-*"))
    assert [w.kind for w in report.warnings] == ["dead-link"]
    same_as_clean()


@pytest.mark.parametrize(("prepare", "message"), [
    ("text", "chart.jpg is not an image file"),
    ("svg", "an SVG is not accepted as a photo"),
])
def test_a_bad_image_beside_an_article_is_an_error_on_its_line(tmp_path: Path, prepare: str, message: str) -> None:
    name = "chart.jpg" if prepare == "text" else "chart.svg"
    site = write_site(tmp_path / "site", {"content/a.md": f"Text.\n\nMore.\n\n![A chart]({name})\n",
                                          "content/a.yaml": "title: A\ndate: 2024-01-01\n"})
    if prepare == "text":
        (site / "content/chart.jpg").write_text("a note, not a photo\n")
    else:
        (site / "content/chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    with pytest.raises(BriefgenError) as caught:
        build(site)
    assert message in caught.value.format_message() and "a.md:5" in caught.value.format_message()


def test_an_entity_picture_from_the_registry_is_shown_on_its_page(tmp_path: Path) -> None:
    site = site_with(tmp_path, "entities: {people: [Ada Lovelace]}\n")
    (site / "content/entities.yaml").write_text(
        "people:\n  - name: Ada Lovelace\n    image: {src: portraits/ada.jpg, alt: Ada Lovelace in 1840,"
        " credit: Alfred Chalon}\n")
    photo(site / "content/portraits/ada.jpg", size=(600, 800))
    build(site)
    out = site / "site/people/ada-lovelace"
    page = parse_html(out / "index.html")
    figure = page.select_one("article.entity figure.entity-photo")
    img = figure.find("img")
    assert (img["alt"], img["width"], img["height"]) == ("Ada Lovelace in 1840", "600", "800")
    assert figure.figcaption.get_text(strip=True) == "Alfred Chalon"
    for name in [item.split()[0] for item in img["srcset"].split(", ")]:
        with Image.open(out / name) as published:
            assert not published.getexif()
    assert page.find("meta", property="og:image")["content"] == \
        "https://example.org/news/people/ada-lovelace/photo-600.jpg"
    # A new picture under the same name: the page and its files follow, as a clean build has them.
    photo(site / "content/portraits/ada.jpg", size=(500, 500), color=(0, 90, 0))
    Builder(site, site / "site", jobs=1).build()
    Builder(site, tmp_path / "clean", use_cache=False, jobs=1).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(tmp_path / "clean", NONDETERMINISTIC)
    assert parse_html(out / "index.html").select_one("figure.entity-photo img")["width"] == "500"


@pytest.mark.parametrize(("where", "message", "at"), [
    ("sidecar", "`image` of 'Ada Lovelace' belongs in the entity registry", "a.yaml:4"),
    ("registry", "the photo 'portraits/none.jpg' is not there", "entities.yaml:2"),
])
def test_a_bad_entity_picture_is_a_located_error(tmp_path: Path, where: str, message: str, at: str) -> None:
    image = "image: {src: portraits/none.jpg, alt: Ada}"
    if where == "sidecar":
        site = site_with(tmp_path, f"entities:\n  people: [{{name: Ada Lovelace, {image[:-1]}}}}}]\n")
    else:
        site = site_with(tmp_path, "entities: {people: [Ada Lovelace]}\n")
        (site / "content/entities.yaml").write_text(f"people:\n  - {{name: Ada Lovelace, {image}}}\n")
    with pytest.raises(BriefgenError) as caught:
        build(site)
    shown = caught.value.format_message()
    assert message in shown and at in shown, shown


def test_checking_photos_leaves_pillows_own_limit_as_it_was(tmp_path: Path) -> None:
    site = site_with(tmp_path, "image: {src: lead.jpg, alt: A photo}\n")
    photo(site / "content/lead.jpg", size=(800, 600))
    before = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = 123_456_789  # what an application embedding briefgen chose
        build(site)
        assert Image.MAX_IMAGE_PIXELS == 123_456_789
    finally:
        Image.MAX_IMAGE_PIXELS = before


def test_without_a_lead_photo_the_first_image_in_the_text_makes_the_share_card(tmp_path: Path) -> None:
    site = site_with(tmp_path, "")
    (site / "content/a.md").write_text("Ada Lovelace wrote.\n\n![A chart](chart.jpg)\n\n![Another](other.jpg)\n")
    photo(site / "content/chart.jpg", size=(1300, 700))
    photo(site / "content/other.jpg", size=(900, 900), color=(0, 0, 120))
    build(site)
    page = parse_html(site / "site/briefs/a/index.html")
    shared = page.find("meta", property="og:image")["content"]
    assert shared.startswith("https://example.org/news/briefs/a/img-") and shared.endswith("-1300.jpg")
    assert (site / "site/briefs/a" / shared.rsplit("/", 1)[1]).is_file()
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert page.find("meta", property="og:image:alt") is None  # its alt text is the page's, not the file's
