"""Resolve stage: entity refs → one registry; briefs ↔ entities, tags, related briefs.

Owns merging every ref of an id into one `Entity`, detecting one id used for
two different entities, and the indexes pages are made from. Pure functions
over model values: no Markdown, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

from slugify import slugify

from .errors import BriefgenError, ErrorCollector
from .model import Brief, Entity, EntityRef, Site, Tag

RELATED_LIMIT = 5
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
        ranked = sorted(counts[key].items(), key=lambda item: (-item[1], entities[item[0]].name, item[0]))
        result[key] = tuple((entities[other], count) for other, count in ranked[:CO_MENTION_LIMIT])
    return result


def related_briefs(briefs: Sequence[Brief], limit: int = RELATED_LIMIT) -> dict[str, tuple[Brief, ...]]:
    """For each brief, the briefs sharing most entities, rarer entities weighing more (idf).

    Ties go to the more recent brief, then to the slug. `briefs` is newest first.
    """
    total = len(briefs)
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, brief in enumerate(briefs):
        for key in dict.fromkeys(brief.entities):
            holders[key].append(index)
    weight = {key: math.log((total + 1) / len(indexes)) for key, indexes in holders.items()}
    related: dict[str, tuple[Brief, ...]] = {}
    for index, brief in enumerate(briefs):
        scores: dict[int, float] = defaultdict(float)
        for key in dict.fromkeys(brief.entities):
            w = weight[key]
            for other in holders[key]:
                scores[other] += w
        scores.pop(index, None)
        # briefs is newest first, so the lower index is the more recent one.
        best = sorted(scores.items(), key=lambda item: (-round(item[1], 9), item[0]))[:limit]
        related[brief.slug] = tuple(briefs[i] for i, _ in best)
    return related
