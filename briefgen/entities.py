"""Resolve stage: entity refs → one registry; briefs ↔ entities, tags, related briefs.

Owns merging every ref of an id into one `Entity`, detecting one id used for
two different entities, and the indexes pages are made from. Pure functions
over model values: no Markdown, no I/O.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

from slugify import slugify

from .errors import BriefgenError, ErrorCollector
from .model import Brief, Entity, EntityRef, Site, Tag

RELATED_LIMIT = 5
# For an entity in many briefs, how many briefs either side in time are candidates.
RELATED_WINDOW = 10
CO_MENTION_LIMIT = 10


def merge_entities(refs: Sequence[EntityRef], registry_path: str | None,
                   errors: ErrorCollector) -> dict[tuple[str, str], Entity]:
    """Merge every ref of each id into one Entity; the registry's word wins.

    One id is one entity across the site: the same id under two types, or for
    two names that are neither the same name nor aliases of each other, is an
    error naming both places.
    """
    by_id: dict[str, list[EntityRef]] = defaultdict(list)
    for ref in refs:
        by_id[ref.id].append(ref)
    entities: dict[tuple[str, str], Entity] = {}
    for entity_id in sorted(by_id):
        group = by_id[entity_id]
        types = list(dict.fromkeys(ref.type for ref in group))
        if len(types) > 1:
            first = next(r for r in group if r.type == types[0])
            second = next(r for r in group if r.type == types[1])
            errors.add(BriefgenError(
                f"id '{entity_id}' is one of {types[0]} ({first.path}:{first.line}) and one of "
                f"{types[1]} ({second.path}:{second.line})",
                second.path, second.line,
                "one id is one entity: give one of them its own `id:`"))
            continue
        # The registry speaks first; then sidecars in file order.
        ordered = sorted(group, key=lambda r: (r.path != registry_path,))
        canonical = ordered[0]
        aliases: list[str] = []
        for ref in ordered:
            aliases.extend(ref.aliases)
        known = {canonical.name, *aliases}
        conflict = False
        for ref in ordered[1:]:
            if ref.name in known or slugify(ref.name) == slugify(canonical.name):
                aliases.append(ref.name)
                continue
            errors.add(BriefgenError(
                f"id '{entity_id}' names two different entities: '{canonical.name}' "
                f"({canonical.path}:{canonical.line}) and '{ref.name}' ({ref.path}:{ref.line})",
                ref.path, ref.line,
                f"give one of them another `id:`, or list '{ref.name}' under the aliases of '{canonical.name}'"))
            conflict = True
        if conflict:
            continue
        entities[(canonical.type, entity_id)] = Entity(
            type=canonical.type, id=entity_id, name=canonical.name,
            aliases=tuple(a for a in dict.fromkeys(aliases) if a != canonical.name),
            description=next((r.description for r in ordered if r.description), None),
            wikidata=next((r.wikidata for r in ordered if r.wikidata), None),
        )
    return entities


def resolve_site(briefs: Sequence[Brief], refs: Sequence[EntityRef], registry_path: Path | None,
                 *, include_drafts: bool) -> tuple[Site, list[BriefgenError]]:
    """The model a build renders: published briefs, merged entities, every index."""
    errors = ErrorCollector()
    all_entities = merge_entities(refs, str(registry_path) if registry_path else None, errors)
    published = tuple(b for b in briefs if include_drafts or not b.draft)
    briefs_by_entity: dict[tuple[str, str], list[Brief]] = defaultdict(list)
    for brief in published:
        for key in brief.entities:
            if key in all_entities:
                briefs_by_entity[key].append(brief)
    # Only entities some published brief names get pages.
    entities = {key: all_entities[key] for key in sorted(briefs_by_entity)}
    tags, briefs_by_tag = _index_tags(published)
    site = Site(
        briefs=published,
        entities=entities,
        briefs_by_entity={key: tuple(value) for key, value in sorted(briefs_by_entity.items())},
        co_mentions=_co_mentions(published, entities),
        related=related_briefs(published),
        tags=tags,
        briefs_by_tag=briefs_by_tag,
    )
    return site, errors.errors


def _index_tags(briefs: Iterable[Brief]) -> tuple[dict[str, Tag], dict[str, tuple[Brief, ...]]]:
    tags: dict[str, Tag] = {}
    by_tag: dict[str, list[Brief]] = defaultdict(list)
    for brief in briefs:
        for name in brief.tags:
            slug = slugify(name)
            if not slug:
                continue
            tags.setdefault(slug, Tag(name=name, slug=slug))
            if not by_tag[slug] or by_tag[slug][-1] is not brief:
                by_tag[slug].append(brief)
    return ({slug: tags[slug] for slug in sorted(tags)},
            {slug: tuple(by_tag[slug]) for slug in sorted(by_tag)})


def _co_mentions(briefs: Sequence[Brief],
                 entities: dict[tuple[str, str], Entity]) -> dict[tuple[str, str], tuple[tuple[Entity, int], ...]]:
    """For each entity, the entities most often named in the same briefs, with counts."""
    counts: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for brief in briefs:
        keys = [key for key in brief.entities if key in entities]
        for key in keys:
            counter = counts[key]
            for other in keys:
                if other != key:
                    counter[other] += 1
    result = {}
    for key in entities:
        ranked = heapq.nsmallest(CO_MENTION_LIMIT, counts[key].items(),
                                 key=lambda item: (-item[1], entities[item[0]].name, item[0]))
        result[key] = tuple((entities[other], count) for other, count in ranked)
    return result


def entity_weight(brief_count: int) -> int:
    """How much sharing an entity named in `brief_count` briefs counts: an integer idf.

    16 - floor(log2(count)), at least 1: an entity in one brief weighs 16, in
    2-3 briefs 15, ... in 1,024-2,047 briefs 6. It is idf with the site size
    fixed at 2^16 briefs, in whole steps, so a brief added or removed changes
    the weight of its own entities only, and only when a count crosses a power
    of two: incremental builds stay exact and cheap.
    """
    return max(1, 16 - (brief_count.bit_length() - 1))


def brief_order_key(brief: Brief) -> tuple[float, str]:
    """Newest first, then by slug: the order of every brief list."""
    return (-brief.date.timestamp(), brief.slug)


def related_ranks(own: Sequence[tuple[str, str]], rank: int, holders: dict[tuple[str, str], list[int]],
                  limit: int = RELATED_LIMIT, window: int = RELATED_WINDOW) -> list[int]:
    """The ranks of the briefs most related to the brief of rank `rank`.

    Briefs are named by rank: their place in brief order (newest first), so
    a lower rank is more recent. Each of the brief's entities (`own`) adds
    its weight to the briefs it links this one to: all its briefs, or for an
    entity in more than 2×window+1 briefs only the `window` briefs either
    side of this one in time (news about a common name is related when it is
    close in time). `holders[key]` is the sorted ranks of an entity's briefs.
    Best first: most weight, then most recent.
    """
    scores: dict[int, int] = {}
    get = scores.get
    for key in dict.fromkeys(own):
        listed = holders.get(key)
        if not listed:
            continue
        weight = entity_weight(len(listed))
        if len(listed) > 2 * window + 1:
            at = bisect.bisect_left(listed, rank)
            listed = listed[max(0, at - window): at + window + 1]
        for other in listed:
            scores[other] = get(other, 0) + weight
    scores.pop(rank, None)
    # One integer per candidate sorts by (-score, rank) without a key function.
    best = heapq.nsmallest(limit, [(-score << 32) | other for other, score in scores.items()])
    return [value & 0xFFFFFFFF for value in best]


def related_briefs(briefs: Sequence[Brief], limit: int = RELATED_LIMIT) -> dict[str, tuple[Brief, ...]]:
    """For each brief, its related briefs (see `related_for`)."""
    order = sorted(briefs, key=brief_order_key)
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rank, brief in enumerate(order):
        for key in dict.fromkeys(brief.entities):
            holders[key].append(rank)
    return {brief.slug: tuple(order[r] for r in related_ranks(brief.entities, rank, holders, limit))
            for rank, brief in enumerate(order)}
