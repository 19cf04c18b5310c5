"""Machine-readable metadata of a brief page: schema.org NewsArticle JSON-LD.

Owns the mapping of a brief and its entities to schema.org types. The Open
Graph and Twitter card tags are plain template work (templates/base.html and
brief.html). Must not render HTML or write files; the template serialises the
returned mapping with the `tojson_ld` filter, which makes it safe inside a
<script> element.
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote

from .config import Config
from .model import Brief, Entity
from .xmltext import rfc3339

SCHEMA_TYPES = {"people": "Person", "organizations": "Organization", "places": "Place"}
# Topics say what a brief is about; people, organizations and places are who
# and where it mentions.
ABOUT_TYPES = frozenset({"topics"})
WIKIDATA = "https://www.wikidata.org/wiki/"


def news_article(brief: Brief, entities: Sequence[Entity], config: Config, description: str = "") -> dict[str, Any]:
    """The brief as a schema.org NewsArticle (dateModified is left out: briefs carry no such date).

    `description` is what the brief is about (its summary, or the key points or the body's start).
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": brief.title,
        "datePublished": rfc3339(brief.date),
        "inLanguage": config.language,
        "publisher": {"@type": "Organization", "name": config.title},
    }
    if config.base_url:
        url = config.base_url + quote(brief.url)
        data["url"] = url
        data["mainEntityOfPage"] = url
    if description or brief.summary:
        data["description"] = description or brief.summary
    source = brief.source
    if source and source.author:
        data["author"] = [{"@type": "Person", "name": source.author}]
    elif source and source.name:
        data["author"] = [{"@type": "Organization", "name": source.name}]
    if source and source.url:
        data["isBasedOn"] = source.url
    if brief.tags:
        data["keywords"] = list(brief.tags)
    about = [thing(e, config) for e in entities if e.type in ABOUT_TYPES]
    mentions = [thing(e, config) for e in entities if e.type not in ABOUT_TYPES]
    if about:
        data["about"] = about
    if mentions:
        data["mentions"] = mentions
    return data


def thing(entity: Entity, config: Config) -> dict[str, Any]:
    """An entity as a schema.org Person, Organization, Place or Thing."""
    data: dict[str, Any] = {"@type": SCHEMA_TYPES.get(entity.type, "Thing"), "name": entity.name}
    if entity.description:
        data["description"] = entity.description
    if entity.wikidata:
        data["sameAs"] = WIKIDATA + entity.wikidata
    if config.base_url:
        data["url"] = config.base_url + quote(entity.url)
    return data
