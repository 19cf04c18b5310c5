"""Machine-readable metadata of a brief page: schema.org NewsArticle and ClaimReview JSON-LD.

Owns the mapping of a brief, its entities and its rated fact-checks to
schema.org types (ClaimReview as Google's fact-check markup guidance asks). The Open
Graph and Twitter card tags are plain template work (templates/base.html and
brief.html). Must not render HTML or write files; the template serialises the
returned mapping with the `tojson_ld` filter, which makes it safe inside a
<script> element.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .config import Config
from .images import crops, variants
from .model import Agent, Brief, Entity
from .rendered import RenderedBrief
from .xmltext import rfc3339

SCHEMA_TYPES = {"people": "Person", "organizations": "Organization", "places": "Place"}
# Topics say what a brief is about; people, organizations and places are who
# and where it mentions.
ABOUT_TYPES = frozenset({"topics"})
WIKIDATA = "https://www.wikidata.org/wiki/"


def news_article(brief: Brief, entities: Sequence[Entity], config: Config, description: str = "",
                 authors: Sequence[Entity] = ()) -> dict[str, Any]:
    """The brief as a schema.org NewsArticle (dateModified: its `updated:`, else its newest correction).

    `description` is what the brief is about (its summary, or the key points or the body's start).
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": brief.title,
        "datePublished": rfc3339(brief.date),
        **({"dateModified": rfc3339(brief.modified[0])} if brief.modified else {}),
        "inLanguage": brief.language or config.language,
        "publisher": {"@type": "Organization", "name": config.title},
    }
    if config.base_url:
        url = config.base_url + quote(brief.url)
        data["url"] = url
        data["mainEntityOfPage"] = url
        if brief.image is not None:
            # Google asks for the photo in 16:9, 4:3 and 1:1; the largest width, uncut, comes first.
            large = variants(brief.image)[-1]
            shapes = [(large.fallback, large.width, large.height)]
            shapes += [(crop.name, crop.width, crop.height) for crop in crops(brief.image)]
            data["image"] = [{"@type": "ImageObject", "url": url + name, "width": width, "height": height,
                              **({"caption": brief.image.caption} if brief.image.caption else {})}
                             for name, width, height in shapes]
    if description or brief.summary:
        data["description"] = description or brief.summary
    source = brief.source
    if authors:  # the byline: who wrote the brief, each with their page here (and their own site)
        data["author"] = [{"@type": "Person", "name": author.name,
                           **({"url": config.base_url + quote(author.url)} if config.base_url else {}),
                           **({"sameAs": author.website} if author.website else {})} for author in authors]
    elif source and source.author:
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


def claim_reviews(brief: Brief, rendered: RenderedBrief, config: Config) -> list[dict[str, Any]]:
    """A schema.org ClaimReview for each rated fact-check of the brief (Google's fact-check markup).

    None without `base_url`: a ClaimReview must give its absolute `url`, and a
    relative one would make the markup invalid (the build says so in a note).
    """
    if not config.base_url:
        return []
    page = config.base_url + quote(brief.url)
    reviews = []
    for note in rendered.notes:
        annotation, rating = note.annotation, note.annotation.rating
        if rating is None:
            continue
        review_rating: dict[str, Any] = {"@type": "Rating", "alternateName": rating.name}
        if rating.value is not None:
            review_rating.update(ratingValue=rating.value, bestRating=rating.best, worstRating=rating.worst)
        claim: dict[str, Any] = {"@type": "Claim"}
        if brief.source and brief.source.url:
            claim["appearance"] = {"@type": "CreativeWork", "url": brief.source.url}
        if brief.source and (brief.source.author or brief.source.name):
            claim["author"] = {"@type": "Person" if brief.source.author else "Organization",
                               "name": brief.source.author or brief.source.name}
        reviews.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{page}#note-{note.number}",
            "claimReviewed": note.exact,
            "itemReviewed": claim,
            "author": _agent(annotation.by, config),
            "datePublished": (annotation.date or brief.date).date().isoformat(),
            "reviewRating": review_rating,
        })
    return reviews


def _agent(agent: Agent | None, config: Config) -> dict[str, Any]:
    """Who reviewed a claim: the annotation's `by`, else the site."""
    if agent is None:
        data: dict[str, Any] = {"@type": "Organization", "name": config.title}
        if config.base_url:
            data["url"] = config.base_url
        return data
    return {"@type": "Person", "name": agent.name, **({"url": agent.url} if agent.url else {})}
