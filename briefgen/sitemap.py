"""Sitemaps (sitemaps.org 0.9), the Google News sitemap, and robots.txt.

Owns which pages crawlers are told about, their `lastmod`, how a large
sitemap is split, and the robots.txt that points at it. Produces
(output path, bytes) and must not write files; must not read the clock (the
config carries the build's time).

The sitemap protocol requires absolute URLs, so without `base_url` no sitemap
is made (the build says so) and robots.txt has no Sitemap line. Crawlers read
robots.txt only at a host's root: a site under a sub-path should merge its
lines into the host's own file.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import quote

from .config import Config
from .model import Brief, OutputPath, Site
from .xmltext import w3c_date, xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP = PurePosixPath("sitemap.xml")
NEWS_SITEMAP = PurePosixPath("news-sitemap.xml")
ROBOTS = PurePosixPath("robots.txt")
# Pages not worth a crawler's visit: the not-found page and the search page (empty without JavaScript).
NOT_LISTED = frozenset({PurePosixPath("404.html"), PurePosixPath("search/index.html")})
# The protocol's limit per file (its other limit, 50 MB, is far off: a URL
# entry here is about 150 bytes). Past it, sitemap.xml becomes an index of
# sitemap-1.xml, sitemap-2.xml ...
MAX_URLS = 50_000
# Google News takes articles of the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(days=2)
NEWS_MAX_URLS = 1000
NO_BASE_URL_NOTE = ("sitemap.xml and news-sitemap.xml were not written: the sitemap protocol needs absolute "
                    "URLs; set base_url in briefgen.yaml or pass --base-url")


@dataclass(frozen=True)
class SitemapUrl:
    """One page of the site: its path below the site root ('' or 'people/x/') and when it last changed."""

    path: str
    lastmod: str | None


def sitemap_urls(site: Site, page_paths: Iterable[OutputPath]) -> list[SitemapUrl]:
    """Every HTML page but those NOT_LISTED, in the order given, with the date of the newest brief it shows.

    A page's lastmod is that of the nearest known folder above it: a brief's
    own date, an entity's or a tag's newest brief, else the site's newest brief.
    """
    known: dict[str, str] = {}
    if site.briefs:
        known[""] = w3c_date(site.briefs[0].date, site.briefs[0].has_time)
    for key, briefs in site.briefs_by_entity.items():
        if briefs and key in site.entities:
            known[site.entities[key].url] = w3c_date(briefs[0].date, briefs[0].has_time)
    for slug, briefs in site.briefs_by_tag.items():
        if briefs and slug in site.tags:
            known[site.tags[slug].url] = w3c_date(briefs[0].date, briefs[0].has_time)
    for brief in site.briefs:
        known[brief.url] = w3c_date(*(brief.modified or (brief.date, brief.has_time)))
    # Paths as text: an entity edit lists 16,000 pages again at 10,000 briefs, and each PurePosixPath
    # operation (.parent, .name, .suffix) makes or parses a path.
    left_out = {*map(str, NOT_LISTED), *map(str, site.redirect_pages())}
    urls = []
    for text in page_paths:
        if not text.endswith(".html") or text in left_out:
            continue
        if text == "index.html" or text.endswith("/index.html"):
            folder = text[:-len("index.html")]  # "" or "people/x/"
        else:
            folder = text
        urls.append(SitemapUrl(folder, known.get(folder) or _nearest(folder, known)))
    return urls


def _nearest(folder: str, known: dict[str, str]) -> str | None:
    parts = folder.rstrip("/").split("/") if folder else []
    for cut in range(len(parts), -1, -1):
        candidate = "/".join(parts[:cut]) + "/" if cut else ""
        if candidate in known:
            return known[candidate]
    return None


def sitemap_files(urls: Sequence[SitemapUrl], config: Config,
                  max_urls: int = MAX_URLS) -> list[tuple[PurePosixPath, bytes]]:
    """sitemap.xml, or a sitemap index and sitemap-N.xml files when there are more than `max_urls` URLs."""
    if len(urls) <= max_urls:
        return [(SITEMAP, _urlset(urls, config))]
    chunks = [urls[start:start + max_urls] for start in range(0, len(urls), max_urls)]
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    files: list[tuple[PurePosixPath, bytes]] = [(SITEMAP, b"")]
    for number, chunk in enumerate(chunks, 1):
        path = PurePosixPath(f"sitemap-{number}.xml")
        entry = ET.SubElement(index, "sitemap")
        _text(entry, "loc", absolute(str(path), config))
        dates = [url.lastmod for url in chunk if url.lastmod]
        if dates:
            # W3C dates of one site's time zone sort as text (a bare day before that day's times).
            _text(entry, "lastmod", max(dates))
        files.append((path, _urlset(chunk, config)))
    files[0] = (SITEMAP, _document(index))
    return files


def _urlset(urls: Sequence[SitemapUrl], config: Config) -> bytes:
    """A sitemap of `urls`, written as text: ElementTree took a third of a second for 16,000 URLs, and an
    entity edit redoes the sitemaps. The same bytes as `_document` of the same elements."""
    if not urls:
        return _document(ET.Element("urlset", {"xmlns": SITEMAP_NS}))
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">']
    for url in urls:
        lines.append(f"  <url>\n    <loc>{_escaped(absolute(url.path, config))}</loc>")
        if url.lastmod:
            lines.append(f"    <lastmod>{_escaped(url.lastmod)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _escaped(text: str) -> str:
    """Element text as ElementTree writes it."""
    return xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def news_sitemap(site: Site, config: Config) -> bytes:
    """The briefs of the two days up to the build's time, for Google News.

    The window is measured back from the build's time (`config.now`, which is
    SOURCE_DATE_EPOCH when set, so a build can be reproduced), not from the
    newest brief: one brief dated years ahead by a typo must not empty it.
    """
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for brief in news_briefs(site, config.now):
        entry = ET.SubElement(urlset, "url")
        _text(entry, "loc", absolute(brief.url, config))
        news = ET.SubElement(entry, "news:news")
        publication = ET.SubElement(news, "news:publication")
        _text(publication, "news:name", config.title)
        _text(publication, "news:language", news_language(config.language))
        _text(news, "news:publication_date", w3c_date(brief.date, brief.has_time))
        _text(news, "news:title", brief.title)
    return _document(urlset)


def news_briefs(site: Site, now: datetime) -> list[Brief]:
    """Briefs dated within NEWS_WINDOW before `now` (or after it), newest first, at most NEWS_MAX_URLS."""
    since = now - NEWS_WINDOW
    # Briefs are newest first: the window is a prefix of the list.
    return list(itertools.islice(itertools.takewhile(lambda b: b.date >= since, site.briefs), NEWS_MAX_URLS))


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code; Chinese alone keeps its script ('zh-cn', 'zh-tw')."""
    code = language.strip().lower().replace("_", "-")
    if code in ("zh-cn", "zh-tw"):
        return code
    if code.startswith("zh-hant"):
        return "zh-tw"
    if code.startswith("zh"):
        return "zh-cn"
    return code.split("-")[0] or "en"


def robots_txt(config: Config) -> bytes:
    """Allow everything; name the sitemaps when there are any (they need base_url)."""
    lines = ["# robots.txt made by briefgen", "User-agent: *", "Allow: /", ""]
    if config.base_url:
        lines += [f"Sitemap: {absolute(str(SITEMAP), config)}", f"Sitemap: {absolute(str(NEWS_SITEMAP), config)}"]
    else:
        lines.append("# No Sitemap line: sitemaps need base_url (briefgen.yaml or --base-url).")
    return ("\n".join(lines) + "\n").encode("utf-8")


def absolute(path: str, config: Config) -> str:
    """The page's absolute URL: pretty (a folder's URL, not its index.html), like canonical links."""
    return config.base_url + quote(path)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def _document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text + b"\n"
