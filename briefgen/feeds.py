"""Feeds: Atom (RFC 4287) for the site and for every entity, JSON Feed 1.1 for the site.

Owns which briefs each feed carries, entry ids, and the feed documents as
(output path, bytes). Must not write files (build.py hands the bytes to the
writer) and must not read the clock: a feed's `updated` is the date of its
newest entry, so the same content always builds the same bytes.

Links follow the site's rule: absolute when `base_url` is set, else relative
to the feed's own location (a reader resolves them against the feed's URL).
Entry content is the brief's body as rendered once per build for its page;
its links are relative to the brief page, so `xml:base` on the content is the
brief's URL.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import escape

from .config import Config
from .htmlwalk import rewrite_urls
from .model import AUTHORS, Annotation, Brief, Entity, Site
from .rendered import RenderedBrief, brief_summary
from .xmltext import format_date, local_day, plain_number, rfc3339, xml_text

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SITE_ATOM = PurePosixPath("feed.xml")
SITE_JSON = PurePosixPath("feed.json")
ENTITY_FEED_NAME = "feed.xml"
# Without base_url an entry has no URL to be its id. A tag: URI (RFC 4151)
# built from the brief's date and slug is stable across builds and machines.
# `.invalid` (RFC 2606) says that no one owns this authority: it is not a
# claim on anyone's domain name.
TAG_AUTHORITY = "briefgen.invalid"
# An empty feed still needs `updated`; a fixed instant keeps it reproducible.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An annotation's number after its quote (markdown/annotations.py): not words of the article.


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it goes, what it is called, whose page it belongs to, its briefs."""

    path: PurePosixPath
    title: str
    subtitle: str
    page: str  # site-root-relative page the feed follows: '' or 'people/x/'
    briefs: Sequence[Brief]  # newest first, already cut to config.feed_entries
    full_content: bool  # whole bodies in entries, else summaries only


def site_feed_spec(site: Site, config: Config) -> FeedSpec:
    """The site's feed: its newest briefs, whole unless `feed.full_content` is off."""
    return FeedSpec(SITE_ATOM, config.title, config.description, "", site.briefs[:config.feed_entries],
                    config.feed_full_content)


def entity_feed_spec(entity: Entity, briefs: Sequence[Brief], config: Config) -> FeedSpec:
    """An entity's feed: summaries unless `feed.entity_full_content` is on."""
    singular = config.entity_type(entity.type).singular
    subtitle = entity.description or (f"Briefs by {entity.name} in {config.title}" if entity.type == AUTHORS else
                                      f"Briefs naming {entity.name} ({singular.lower()}) in {config.title}")
    return FeedSpec(PurePosixPath(entity.url) / ENTITY_FEED_NAME, f"{entity.name} · {config.title}",
                    subtitle, entity.url, briefs, config.entity_feed_full_content)


def entry_id(brief: Brief, config: Config) -> str:
    """The brief's absolute URL when base_url is set, else a tag: URI of its date and slug."""
    if config.base_url:
        return config.base_url + quote(brief.url)
    return f"tag:{TAG_AUTHORITY},{local_day(brief.date)}:briefs/{quote(brief.slug, safe='')}"


def feed_id(spec: FeedSpec, config: Config) -> str:
    """The feed's own absolute URL, else a tag: URI of its path (no date is known to be stable)."""
    if config.base_url:
        return config.base_url + quote(str(spec.path))
    return f"tag:{TAG_AUTHORITY},2000:{quote(str(spec.path), safe='/')}"


def link(target: str, spec: FeedSpec, config: Config) -> str:
    """A link from the feed to a site path: absolute with base_url, else relative to the feed's folder.

    Relative links name `index.html` explicitly, like every link of the site,
    so they also work from disk.
    """
    if config.base_url:
        return config.base_url + quote(target)
    relative = "../" * (len(spec.path.parts) - 1) + quote(target)
    return relative + "index.html" if target == "" or target.endswith("/") else relative


def feed_updated(briefs: Sequence[Brief]) -> datetime:
    """The newest entry's date (the clock is never read)."""
    return max((entry_updated(brief) for brief in briefs), default=EPOCH)


def entry_updated(brief: Brief) -> datetime:
    """When the brief last changed: its `updated:` or newest correction, else its date."""
    return brief.modified[0] if brief.modified else brief.date


def entry_html(rendered: RenderedBrief) -> str:
    """The brief as a feed reader shows it: key points, body, then the annotation notes."""
    parts: list[str] = []
    if rendered.key_points:
        items = "".join(f"<li>{point}</li>" for point in rendered.key_points)
        parts.append(f'<ul class="key-points">{items}</ul>')
    parts.append(str(rendered.body).strip())
    if rendered.notes:
        notes = "".join(
            f'<li id="note-{note.number}" value="{note.number}"><p><strong>'
            f'{escape(note.annotation.kind.replace("-", " ").capitalize())}</strong> on “'
            f'{escape(note.annotation.quote)}”</p>{str(note.html).strip()}{_note_byline(note.annotation)}</li>'
            for note in rendered.notes)
        parts.append(f"<h2>Annotations</h2><ol>{notes}</ol>")
    return xml_text("\n".join(parts))


def _note_byline(annotation: Annotation) -> str:
    """A note's verdict, and who wrote it when, as the brief's page shows them (HTML; empty if none)."""
    html = ""
    rating = annotation.rating
    if rating is not None:
        scale = ""
        if rating.value is not None and rating.worst is not None and rating.best is not None:
            scale = (f" ({plain_number(rating.value)} on a scale from {plain_number(rating.worst)}"
                     f" to {plain_number(rating.best)})")
        html += f"<p>Verdict: <strong>{escape(rating.name)}</strong>{escape(scale)}</p>"
    by, when = annotation.by, annotation.date
    if by or when:
        who = ""
        if by is not None:
            name = escape(by.name)
            who = f' by <a href="{escape(by.url)}">{name}</a>' if by.url else f" by {name}"
        dated = f", {escape(format_date(when, annotation.has_time))}" if when else ""
        html += f"<p><em>{escape(annotation.kind.replace('-', ' ').capitalize())}{who}{dated}</em></p>"
    return html



def atom_feed(spec: FeedSpec, site: Site, rendered: Mapping[str, RenderedBrief], config: Config,
              entries: dict[tuple[str, int, bool], bytes] | None = None) -> bytes:
    """An Atom 1.0 document for `spec`.

    `entries` caches each brief's serialised entry by feed depth and kind: a
    brief is an entry of the site feed and of every one of its entities'
    feeds, and entries of feeds in folders of one depth are the same bytes.
    """
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    _text(feed, "title", spec.title)
    if spec.subtitle:
        _text(feed, "subtitle", spec.subtitle)
    _text(feed, "id", feed_id(spec, config))
    self_href = config.base_url + quote(str(spec.path)) if config.base_url else spec.path.name
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_href})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": link(spec.page, spec, config)})
    _text(feed, "updated", rfc3339(feed_updated(spec.briefs)))
    author = ET.SubElement(feed, "author")
    _text(author, "name", config.title)
    _text(feed, "generator", "briefgen")
    ET.indent(feed, space="  ")
    head: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    depth = len(spec.path.parts)
    cache = entries if entries is not None else {}
    parts = []
    for brief in spec.briefs:
        key = (brief.slug, depth, spec.full_content)
        if key not in cache:
            entry = _atom_entry(brief, spec, site, rendered[brief.slug], config)
            ET.indent(entry, space="  ", level=1)
            entry.tail = None
            cache[key] = ET.tostring(entry, encoding="utf-8", xml_declaration=False)
        parts.append(cache[key])
    body = head[: head.rindex(b"</feed>")].rstrip(b"\n") if parts else head[: head.rindex(b"</feed>")]
    if parts:
        body += b"\n  " + b"\n  ".join(parts) + b"\n"
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"</feed>\n"


def _atom_entry(brief: Brief, spec: FeedSpec, site: Site, rendered: RenderedBrief, config: Config) -> ET.Element:
    entry = ET.Element("entry", {XML_LANG: brief.language} if brief.language else {})
    _text(entry, "title", brief.title)
    href = link(brief.url, spec, config)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": href})
    _text(entry, "id", entry_id(brief, config))
    _text(entry, "published", rfc3339(brief.date))
    _text(entry, "updated", rfc3339(entry_updated(brief)))
    for writer in site.authors_of(brief):  # the byline, each with their page here
        author = ET.SubElement(entry, "author")
        _text(author, "name", writer.name)
        # Atom's uri is an IRI: the author's page here when the site's address is known, else their own site.
        uri = link(writer.url, spec, config) if config.base_url else writer.website
        if uri:
            _text(author, "uri", uri)
    if not site.authors_of(brief) and brief.source and brief.source.author:
        author = ET.SubElement(entry, "author")
        _text(author, "name", brief.source.author)
    for tag in site.tags_of(brief):
        ET.SubElement(entry, "category", {"term": xml_text(tag.name)})
    for entity in site.entities_of(brief):
        ET.SubElement(entry, "category", {"term": f"{entity.type}/{entity.id}", "label": xml_text(entity.name),
                                          "scheme": link(f"{entity.type}/", spec, config)})
    if brief.summary or not spec.full_content:
        summary = _text(entry, "summary", brief_summary(brief, rendered))
        summary.set("type", "text")
    if spec.full_content:
        content = _text(entry, "content", entry_html(rendered))
        content.set("type", "html")
        # The body's links are relative to the brief's page.
        content.set(XML_BASE, href)
    return entry


def links_from_feed(html: str, page: str, spec: FeedSpec, config: Config) -> str:
    """`html` written for the page at site path `page`, with its relative links made to work from the feed."""

    up = "../" * (len(spec.path.parts) - 1)
    home = config.base_url or up

    def moved(target: str) -> str:
        if not target or urlsplit(target).scheme or target.startswith("/"):
            return target
        if target.startswith("#"):
            target = "index.html" + target
        return home + posixpath.normpath(posixpath.join(page, target))  # as written: already URL-quoted

    return rewrite_urls(html, moved)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def json_feed(spec: FeedSpec, site: Site, rendered: Mapping[str, RenderedBrief], config: Config) -> bytes:
    """A JSON Feed 1.1 document for `spec` (the site feed; entities have Atom only)."""
    document: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": xml_text(spec.title)}
    if config.base_url:
        document["home_page_url"] = link(spec.page, spec, config)
        document["feed_url"] = config.base_url + quote(str(spec.path.with_name(SITE_JSON.name)))
    if spec.subtitle:
        document["description"] = xml_text(spec.subtitle)
    document["language"] = config.language
    document["authors"] = [{"name": xml_text(config.title)}]
    items = []
    for brief in spec.briefs:
        item: dict[str, Any] = {"id": entry_id(brief, config), "url": link(brief.url, spec, config),
                                "title": xml_text(brief.title)}
        if spec.full_content:
            # JSON Feed has no xml:base: the body's links, relative to the brief's page, are made
            # relative to the feed's folder (absolute with base_url).
            item["content_html"] = links_from_feed(entry_html(rendered[brief.slug]), brief.url, spec, config)
            if brief.summary:
                item["summary"] = brief_summary(brief, rendered[brief.slug])
        else:
            item["content_text"] = brief_summary(brief, rendered[brief.slug])
        item["date_published"] = rfc3339(brief.date)
        if brief.modified:
            item["date_modified"] = rfc3339(brief.modified[0])
        if brief.language:
            item["language"] = brief.language
        writers = site.authors_of(brief)
        if writers:
            item["authors"] = [{"name": xml_text(writer.name), "url": link(writer.url, spec, config)}
                               for writer in writers]
        elif brief.source and brief.source.author:
            item["authors"] = [{"name": xml_text(brief.source.author)}]
        if brief.source and brief.source.url:
            item["external_url"] = brief.source.url
        tags = [xml_text(tag.name) for tag in site.tags_of(brief)]
        if tags:
            item["tags"] = tags
        items.append(item)
    document["items"] = items
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
