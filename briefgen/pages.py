"""Page production: which page groups an edit reached, rendering them, and the site-wide files.

Owns the decision of what a build must render again (a superset: files
whose bytes did not change are not rewritten), the per-group facts that
decide it (`group_head`: what every page of a long list shows), rendering
the groups (on every core when there are many) and the feeds and sitemaps
of the whole site. Functions over values: they take the last build's
`PageIndex` and return the new one with what was produced and what is
gone. Must not read sources, write files or touch the builder's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, count
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .annotations_ld import ANNOTATIONS_FILE, annotation_collection
from .cache import CACHE_DIR, bytes_digest, value_print
from .charts import CARD_FILE, entity_card, entity_timeline
from .config import Config
from .entities import SiteChange
from .feeds import ENTITY_FEED_NAME, SITE_ATOM, SITE_JSON, atom_feed, entity_feed_spec, json_feed, site_feed_spec
from .images import body_photo_stem, needs_encoding, photo_files
from .memory import PageIndex, RenderedView
from .model import Brief, Group, OutputPath, Site
from .parallel import parallel_iter
from .render import PageRenderer, page_groups, plain_slugs, plan_group
from .sitemap import NEWS_SITEMAP, ROBOTS, news_sitemap, robots_txt, sitemap_files, sitemap_urls

Progress = Callable[[int, int], None]
# path, bytes (None: unchanged), the print of the briefs it lists (`PageIndex.members`; "" for none)
Produced = list[tuple[OutputPath, bytes | None, str]]
Store = Callable[[OutputPath, bytes], bytes]  # writes a file where it was rendered, returns its digest
# Each brief's Atom entry by feed depth and kind, kept by the builder while the brief stays the same.
FeedEntries = dict[tuple[str, int, bool], bytes]
# A feed entry is made per depth of feed (feed.xml at the root, <type>/<id>/feed.xml) and per kind
# (whole body or summary): the keys of a brief's entries after its slug.
FEED_ENTRY_KINDS = tuple((depth, full) for depth in (1, 3) for full in (False, True))


@dataclass(frozen=True)
class PageInputs:
    """What every page of one build is rendered from."""

    site: Site
    config: Config
    rendered: RenderedView
    environment: Any  # the Jinja environment
    feed_entries: FeedEntries  # a memo the builder keeps between builds
    redo_all: bool = False  # the templates changed: every page is rendered again


@dataclass(frozen=True)
class DirtyGroups:
    """The page groups an edit may have changed, and the briefs whose feed entries it may have."""

    groups: set[Group]
    stale_entries: set[str]


@dataclass
class ProducedPages:
    """What page production made: files per group, the new page index, and the paths now gone."""

    files: dict[Group, Produced]  # the files rendered, by group; empty when they went to the store
    index: PageIndex
    deleted: set[OutputPath] = field(default_factory=set)
    paths_changed: bool = False  # a page was added or removed: the sitemaps list pages
    stored: dict[OutputPath, bytes] = field(default_factory=dict)  # what `store` wrote: each file's digest


def dirty_groups(change: SiteChange, rerendered: set[str], old_briefs: Sequence[Brief], site: Site,
                 config: Config, index: PageIndex, listed_by: Mapping[str, Collection[str]]) -> DirtyGroups:
    """The page groups an edit may have changed (a superset: unchanged bytes are not rewritten).

    `listed_by` names, for each brief, the briefs whose pages list it (as related).
    """
    changed = change.briefs | rerendered
    touched = changed | change.related
    stale = set(changed)  # briefs whose feed entry may read differently
    entity_keys = set(change.entities) | set(change.entity_objects)
    for slug in changed | change.removed_briefs:
        touched.update(listed_by.get(slug, ()))
    for key in change.entity_objects:
        named = {b.slug for b in site.briefs_by_entity.get(key, ())}
        touched |= named
        stale |= named
    for slug in changed:
        entity_keys.update(site.by_slug[slug].entities)
    for slug in change.tags:
        if slug in site.tags and index.heads.get(("tag", slug), (None,))[0] != site.tags[slug]:
            # A tag's spelling shows on its briefs' pages and in the feeds of their entities.
            for brief in site.briefs_by_tag[slug]:
                touched.add(brief.slug)
                stale.add(brief.slug)
                entity_keys.update(key for key in brief.entities if key in site.entities)
    dirty: set[Group] = {("brief", slug) for slug in touched if slug in site.by_slug}
    dirty |= _entity_groups(entity_keys | change.removed_entities, site, config, index)
    if changed or change.removed_briefs:
        # The entities index shows who was named most in the newest briefs' days.
        dirty |= {("home",), ("archive",), ("entities",)}
        months = {site.by_slug[slug].date for slug in changed} | {b.date for b in old_briefs}
        dirty.update(("archive-month", f"{when.year:04d}-{when.month:02d}") for when in months)
    for slug in change.tags:
        if slug in site.tags:
            dirty.add(("tag", slug))
        dirty.add(("tags",))
    return DirtyGroups(dirty, stale)


def _entity_groups(keys: set[tuple[str, str]], site: Site, config: Config, index: PageIndex) -> set[Group]:
    """The pages of these entities, and the index pages of their types when what those show changed."""
    dirty: set[Group] = set()
    types = set()
    for key in keys:
        group = ("entity", *key)
        if key in site.entities:
            dirty.add(group)
        old = index.heads.get(group)
        new = group_head(group, site, config) if key in site.entities else None
        if old is None or new is None or old[0] != new[0] or old[2] != new[2]:
            types.add(key[0])
    dirty.update(("type", name) for name in types if name in config.type_names)
    if types:
        dirty.add(("entities",))
    return dirty


def produce_pages(inputs: PageInputs, groups: list[Group], dirty: set[Group], changed_briefs: set[str],
                  index: PageIndex, written: Collection[OutputPath], *, jobs: int | None = None,
                  progress: Progress | None = None, store: Store | None = None) -> ProducedPages:
    """Render the dirty groups (on every core when there are many); drop groups that are gone.

    A page of a long list whose briefs did not change, and that is among the
    `written` files, is not rendered again. With `store`, each file is handed
    to it where it was rendered (in a worker process), which writes it and
    returns its digest; the result then names paths only. The new page index
    is `index` itself when nothing in it changed (a correction to a brief's
    text or title): the build store then keeps it without saving it again.

    Each group's result is folded in as it comes and then let go: holding
    them all until the last (paths, digests, a list per group), with the
    triples a clean build then kept per file, made the main process's share
    of a clean build's peak 31 MB larger at 100,000 briefs, and the save's
    peak 35 to 164 MB.
    """
    outputs, members, heads, lists = dict(index.outputs), dict(index.members), dict(index.heads), dict(index.lists)
    result = ProducedPages({}, PageIndex(outputs, members, heads, lists))
    live = set(groups)
    for group in [group for group in outputs if group not in live]:
        result.deleted.update(outputs.pop(group))
        heads.pop(group, None)
        lists.pop(group, None)
        result.paths_changed = True
    todo = [group for group in groups if group in dirty]
    render = partial(_render_group, inputs, PageRenderer(inputs.environment, inputs.config, inputs.site),
                     changed_briefs, index, written, store)
    # Rendering a page takes milliseconds, encoding a photo seconds: two photos to encode are worth the workers.
    photo_work = sum(1 for group in todo if _encodes_photos(group, inputs)) if len(todo) < 400 else 0
    min_items = 1 if photo_work >= 2 else 400
    for group, (items, stored, listed_print) in zip(todo, parallel_iter(render, todo, jobs=jobs, min_items=min_items,
                                                                        progress=progress), strict=True):
        if store is None:
            result.files[group] = items
        else:
            result.stored.update(stored)
        old_paths = set(outputs.get(group, ()))
        outputs[group] = tuple(path for path, _, _ in items)
        if old_paths != set(outputs[group]):
            result.paths_changed = True
        result.deleted.update(old_paths - set(outputs[group]))
        head = group_head(group, inputs.site, inputs.config)
        if head is not None:
            heads[group] = head
        else:
            heads.pop(group, None)
        if listed_print is not None:
            lists[group] = listed_print
        else:
            lists.pop(group, None)
        for path, _, listed in items:
            if listed:
                members[path] = listed
            else:
                members.pop(path, None)
    for path in result.deleted:
        members.pop(path, None)
    if outputs == index.outputs and members == index.members and heads == index.heads and lists == index.lists:
        result.index = index
    return result


def _render_group(inputs: PageInputs, renderer: PageRenderer, changed_briefs: set[str], index: PageIndex,
                  written: Collection[OutputPath], store: Store | None,
                  group: Group) -> tuple[Produced, list[tuple[OutputPath, bytes]], bytes | None]:
    """One group's files (those of a long list that are as they were: bytes None), stored if asked, and
    for a home, tag or entity group the print of its whole list (`PageIndex.lists`)."""
    site, config = inputs.site, inputs.config
    head = group_head(group, site, config)
    whole = inputs.redo_all or head is None or index.heads.get(group) != head
    slugs = plain_slugs(group, site)
    # Joined, not `value_print`ed: its repr of 100,000 slugs took 31 ms of every rebuild.
    listed_print = bytes_digest("\0".join(slugs).encode("utf-8", "surrogatepass")) if slugs is not None else None
    numbers = None  # the pages to plan, when the others are known to be as they were
    if not whole and slugs is not None and listed_print == index.lists.get(group) and group in index.outputs:
        # The same list, paged as before: a page is as it was unless it shows a changed brief or is missing
        # (or is an entity's first, whose timeline is its own). The group's paged files come first in its
        # outputs, then its other pages (an entity's redirects, always planned), then its extras.
        paged = index.outputs[group][:max(1, -(-len(slugs) // config.page_size))]
        numbers = {position // config.page_size + 1
                   for position in compress(count(), map(changed_briefs.__contains__, slugs))}
        numbers.update(number for number, path in enumerate(paged, 1) if path not in written)
        if group[0] == "entity":
            numbers.add(1)
    planned = {str(page.path): page for page in plan_group(group, site, config, inputs.rendered, numbers)}
    order: Collection[OutputPath] = planned  # the group's pages, in order
    if numbers is not None:
        kept = set(paged)
        order = [*paged, *(path for path in planned if path not in kept)]
    items: Produced = []
    for path in order:
        page = planned.get(path)
        if page is None:
            items.append((path, None, index.members.get(path, "")))  # its list, so the page, is as it was
            continue
        listed = value_print(page.members) if page.members else ""  # made here: on every core in a clean build
        if not whole and listed and index.members.get(path) == listed \
                and changed_briefs.isdisjoint(page.members) and path in written:
            items.append((path, None, listed))  # this page of a long list is as it was
        else:
            items.append((path, renderer.render(page), listed))
    pages = {path: data for path, data, _ in items if data is not None}
    items.extend((path, data, "") for path, data in group_extras(group, inputs, pages))
    if store is None:
        return items, [], listed_print
    stored = []
    for path, data, _ in items:
        assert data is not None, "a stored group renders every page"
        stored.append((path, store(path, data)))
    return [(path, None, page_members) for path, _, page_members in items], stored, listed_print


def site_files(inputs: PageInputs, outputs: Mapping[Group, tuple[OutputPath, ...]], *,
               sitemaps: bool) -> list[tuple[OutputPath, bytes]]:
    """The site's feeds and robots.txt; the sitemaps too when `sitemaps` (pages or dates changed)."""
    site, config = inputs.site, inputs.config
    spec = site_feed_spec(site, config)
    files: list[tuple[PurePosixPath, bytes]] = [(SITE_ATOM, atom_feed(spec, site, inputs.rendered, config,
                                                                      inputs.feed_entries)),
                                                (SITE_JSON, json_feed(spec, site, inputs.rendered, config))]
    if config.base_url and sitemaps:
        pages = [path for group in page_groups(site, config) for path in outputs.get(group, ())]
        files += sitemap_files(sitemap_urls(site, pages), config)  # of these, the .html pages
    if config.base_url:
        # The news sitemap shows the newest briefs' titles: small, and redone on any change.
        files.append((NEWS_SITEMAP, news_sitemap(site, config)))
    # A site's own static/robots.txt wins over the generated one.
    if not (config.static_dir / str(ROBOTS)).is_file():
        files.append((ROBOTS, robots_txt(config)))
    return [(str(path), data) for path, data in files]


def group_head(group: Group, site: Site, config: Config) -> Any:
    """What every page of a paginated group shows besides its own items (a change redoes them all);
    None for a group that is always redone whole."""
    kind = group[0]
    if kind == "home":
        return (len(site.briefs) + config.page_size - 1) // config.page_size
    if kind == "entity":
        key = (group[1], group[2])
        return (site.entities.get(key), site.co_mentions.get(key),
                site.briefs_by_entity.count(key) if key in site.briefs_by_entity else 0)
    if kind == "tag":
        return (site.tags.get(group[1]), site.briefs_by_tag.count(group[1]) if group[1] in site.briefs_by_tag else 0)
    return None


def _encodes_photos(group: Group, inputs: PageInputs) -> bool:
    """Whether producing the group's files will encode a photo the image cache does not hold."""
    site, cache = inputs.site, inputs.config.site_dir / CACHE_DIR / "images"
    if group[0] == "brief" and group[1] in site.by_slug:
        brief = site.by_slug[group[1]]
        return (brief.image is not None and needs_encoding(brief.image, cache, with_crops=True)) or any(
            needs_encoding(photo, cache, body_photo_stem(photo)) for photo in brief.body_photos)
    if group[0] == "entity":
        entity = site.entities.get((group[1], group[2]))
        return entity is not None and entity.image is not None and needs_encoding(entity.image, cache)
    return False


def group_extras(group: Group, inputs: PageInputs, pages: Mapping[OutputPath, bytes]) -> list[tuple[OutputPath, bytes]]:
    """Files beside a group's pages (`pages`, just rendered): a brief's annotations, if it has any, whose
    selectors describe its page; an entity's feed (and its copies at the entity's old addresses)."""
    site, config, rendered = inputs.site, inputs.config, inputs.rendered
    if group[0] == "brief":
        brief = site.by_slug[group[1]]
        page = pages[brief.page].decode("utf-8")
        collection = annotation_collection(brief, rendered[brief.slug], config, page)
        files: list[tuple[PurePosixPath, bytes]] = \
            [] if collection is None else [(PurePosixPath(brief.url) / ANNOTATIONS_FILE, collection)]
        cache = config.site_dir / CACHE_DIR / "images"
        if brief.image is not None:
            files += photo_files(brief.image, PurePosixPath(brief.url), cache, with_crops=True)
        published: set[str] = set()
        for photo in rendered[brief.slug].photos:
            if photo.digest not in published:  # one photo under two names is published once
                published.add(photo.digest)
                files += photo_files(photo, PurePosixPath(brief.url), cache, body_photo_stem(photo))
        return [(str(path), data) for path, data in files]
    if group[0] == "entity":
        key = (group[1], group[2])
        entity = site.entities[key]
        spec = entity_feed_spec(entity, site.briefs_by_entity[key][:config.feed_entries], config)
        feed = atom_feed(spec, site, rendered, config, inputs.feed_entries)
        # A feed reader cannot follow a page's redirect: the old address keeps a copy of the feed (same id,
        # and its `self` link names the new address), so subscribers go on getting the entity's briefs.
        files = [(spec.path, feed)] + [(PurePosixPath(*old, ENTITY_FEED_NAME), feed) for old in entity.redirect_from]
        # The card's link follows the site's rule: absolute with base_url, else relative to the card.
        url = config.base_url + quote(entity.url) if config.base_url else "index.html"
        card = entity_card(entity, config.entity_type(entity.type).singular,
                           entity_timeline(site.briefs_by_entity[key]), url)
        files.append((PurePosixPath(entity.url) / CARD_FILE, card))
        if entity.image is not None:
            files += photo_files(entity.image, PurePosixPath(entity.url), config.site_dir / CACHE_DIR / "images")
        return [(str(path), data) for path, data in files]
    return []
