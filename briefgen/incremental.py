"""Incremental rendering: which page groups an edit reached, and producing them.

Owns the decision of what a rebuild must render again (a superset: files
whose bytes did not change are not rewritten), the per-group facts that
decide it (`group_head`: what every page of a long list shows) and rendering
the groups, on every core when there are many. Must not read sources or
write files itself: the builder hands it the resolved site and takes its
output (or, for a first build, a function that stores each file).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .annotations_ld import annotation_collection
from .config import Config
from .entities import SiteChange
from .feeds import SITE_ATOM, SITE_JSON, atom_feed, entity_feed_spec, json_feed, site_feed_spec
from .model import Brief, Site
from .parallel import parallel_map
from .render import Group, PageRenderer, RenderedBrief, page_groups, plan_group
from .sitemap import NEWS_SITEMAP, ROBOTS, news_sitemap, robots_txt, sitemap_files, sitemap_urls

if TYPE_CHECKING:
    from .build import BuildMemory

Progress = Callable[[int, int], None]
Produced = list[tuple[PurePosixPath, bytes | None, tuple[Any, ...]]]  # path, bytes (None: unchanged), members
# A feed entry is made per depth of feed (feed.xml at the root, <type>/<id>/feed.xml) and per kind
# (whole body or summary): the keys of a brief's entries after its slug.
FEED_ENTRY_KINDS = tuple((depth, full) for depth in (1, 3) for full in (False, True))


class PageWork:
    """The pages of one build: which groups an edit reached, rendering them, and what changed."""

    def __init__(self, memory: "BuildMemory", site: Site, config: Config, rendered: dict[str, RenderedBrief], *,
                 redo_all: bool, environment: Any) -> None:
        self.memory = memory
        self.environment = environment
        self.redo_all = redo_all  # templates changed: every page is rendered again
        self.site = site
        self.config = config
        self.rendered = rendered
        self.group_outputs = dict(memory.group_outputs)
        self.page_members = dict(memory.page_members)
        self.group_heads = dict(memory.group_heads)
        self.deleted: set[PurePosixPath] = set()
        self.changed_paths: tuple[str, ...] = ()  # what a rebuild wrote or deleted
        self.files_deleted = 0
        self.feed_entries: dict[tuple[str, int, bool], bytes] = {}  # a brief's Atom entry, shared by its feeds
        self.paths_changed = False  # a page was added or removed: the sitemaps list pages
        self.touched_briefs: set[str] = set()  # briefs whose page an edit reached
        self.entry_stale: set[str] = set()  # and those whose feed entry it may have changed
        self.stored: list[tuple[Group, PurePosixPath, str]] = []  # files `produce` had stored: digests

    def dirty_groups(self, change: SiteChange, rerendered: set[str], old_briefs: Sequence[Brief]) -> set[Group]:
        """The page groups an edit may have changed (a superset: unchanged bytes are not rewritten)."""
        site = self.site
        state = self.memory.state
        changed = change.briefs | rerendered
        dirty: set[Group] = set()
        touched_briefs = changed | change.related
        self.entry_stale = set(changed)  # briefs whose feed entry may read differently
        for slug in changed | change.removed_briefs:
            touched_briefs |= state.listed_by.get(slug, set())
        for key in change.entity_objects:
            touched_briefs.update(b.slug for b in site.briefs_by_entity.get(key, ()))
            self.entry_stale.update(b.slug for b in site.briefs_by_entity.get(key, ()))
        entity_keys = set(change.entities) | set(change.entity_objects)
        for slug in changed:
            entity_keys.update(site.by_slug[slug].entities)
        for slug in change.tags:
            if slug in site.tags and self.group_heads.get(("tag", slug), (None,))[0] != site.tags[slug]:
                # A tag's spelling shows on its briefs' pages and in the feeds of their entities.
                for brief in site.briefs_by_tag[slug]:
                    touched_briefs.add(brief.slug)
                    self.entry_stale.add(brief.slug)
                    entity_keys.update(key for key in brief.entities if key in site.entities)
        dirty.update(("brief", slug) for slug in touched_briefs if slug in site.by_slug)
        self.touched_briefs = touched_briefs
        types = set()
        for key in entity_keys | change.removed_entities:
            group = ("entity", *key)
            if key in site.entities:
                dirty.add(group)
            old = self.group_heads.get(group)
            new = group_head(group, site, self.config) if key in site.entities else None
            if old is None or new is None or old[0] != new[0] or old[2] != new[2]:
                types.add(key[0])
        dirty.update(("type", name) for name in types if name in self.config.type_names)
        if types:
            dirty.add(("entities",))
        if changed or change.removed_briefs:
            dirty.update({("home",), ("archive",)})
            months = {site.by_slug[slug].date for slug in changed} | {b.date for b in old_briefs}
            dirty.update(("archive-month", f"{when.year:04d}-{when.month:02d}") for when in months)
        for slug in change.tags:
            if slug in site.tags:
                dirty.add(("tag", slug))
            dirty.add(("tags",))
        return dirty

    def produce(self, groups: list[Group], dirty: set[Group], changed_briefs: set[str], jobs: int | None,
                progress: Progress | None, store: Callable[[PurePosixPath, bytes], str] | None = None
                ) -> dict[Group, Produced]:
        """Render the dirty groups (on every core when there are many); drop groups that are gone.

        With `store`, each file is handed to it where it was rendered (in a
        worker process), which writes it and returns its digest; the result
        then names paths only, and `stored` lists (group, path, digest).
        """
        live = set(groups)
        for group in list(self.group_outputs):
            if group not in live:
                self.deleted.update(self.group_outputs.pop(group))
                self.group_heads.pop(group, None)
                self.paths_changed = True
        todo = [group for group in groups if group in dirty]
        renderer = PageRenderer(self.environment, self.config, self.site)

        def render(group: Group) -> tuple[Produced, list[tuple[PurePosixPath, str]]]:
            items = self._produce_group(group, renderer, changed_briefs)
            if store is None:
                return items, []
            stored = []
            for path, data, _ in items:
                assert data is not None, "a stored group renders every page"
                stored.append((path, store(path, data)))
            return [(path, None, members) for path, _, members in items], stored

        results = parallel_map(render, todo, jobs=jobs, min_items=400, progress=progress)
        produced: dict[Group, Produced] = {}
        for group, (items, stored) in zip(todo, results):
            produced[group] = items
            self.stored.extend((group, path, digest) for path, digest in stored)
            old_paths = set(self.group_outputs.get(group, ()))
            self.group_outputs[group] = tuple(path for path, _, _ in items)
            if old_paths != set(self.group_outputs[group]):
                self.paths_changed = True
            self.deleted.update(old_paths - set(self.group_outputs[group]))
            self.group_heads[group] = group_head(group, self.site, self.config)
            for path, _, members in items:
                if members:
                    self.page_members[path] = members
                else:
                    self.page_members.pop(path, None)
        for path in self.deleted:
            self.page_members.pop(path, None)
        return produced

    def _produce_group(self, group: Group, renderer: PageRenderer, changed_briefs: set[str]) -> Produced:
        whole = self.redo_all or self.group_heads.get(group) != group_head(group, self.site, self.config)
        items: Produced = []
        for page in plan_group(group, self.site, self.config, self.rendered):
            if not whole and page.members and self.page_members.get(page.path) == page.members \
                    and changed_briefs.isdisjoint(page.members) and page.path in self.memory.outputs:
                items.append((page.path, None, page.members))  # this page of a long list is as it was
            else:
                items.append((page.path, renderer.render(page), page.members))
        items.extend((path, data, ())
                     for path, data in group_extras(group, self.site, self.config, self.rendered, self.feed_entries))
        return items

    def site_files(self, anything_changed: object, *, sitemaps: bool) -> list[tuple[PurePosixPath, bytes]]:
        """The site's feeds and robots.txt when anything changed; the sitemaps when pages or dates did."""
        if not anything_changed and not self.memory.fresh:
            return []
        site, config = self.site, self.config
        spec = site_feed_spec(site, config)
        files = [(SITE_ATOM, atom_feed(spec, site, self.rendered, config, self.feed_entries)),
                 (SITE_JSON, json_feed(spec, site, self.rendered, config))]
        if config.base_url and sitemaps:
            pages = [path for group in page_groups(site, config) for path in self.group_outputs.get(group, ())
                     if path.suffix == ".html"]
            files += sitemap_files(sitemap_urls(site, pages), config)
        if config.base_url:
            # The news sitemap shows the newest briefs' titles: small, and redone on any change.
            files.append((NEWS_SITEMAP, news_sitemap(site, config)))
        # A site's own static/robots.txt wins over the generated one.
        if not (config.static_dir / str(ROBOTS)).is_file():
            files.append((ROBOTS, robots_txt(config)))
        return files

    def commit(self) -> None:
        self.memory.group_outputs = self.group_outputs
        self.memory.page_members = self.page_members
        self.memory.group_heads = self.group_heads


def group_head(group: Group, site: Site, config: Config) -> Any:
    """What every page of a paginated group shows besides its own items (a change redoes them all)."""
    kind = group[0]
    if kind == "home":
        return (len(site.briefs) + config.page_size - 1) // config.page_size
    if kind == "entity":
        key = (group[1], group[2])
        return (site.entities.get(key), site.co_mentions.get(key), len(site.briefs_by_entity.get(key, ())))
    if kind == "tag":
        return (site.tags.get(group[1]), len(site.briefs_by_tag.get(group[1], ())))
    return object()  # never equal: the group is always redone whole


def group_extras(group: Group, site: Site, config: Config, rendered: dict[str, RenderedBrief],
                 feed_entries: dict[tuple[str, int, bool], bytes]) -> list[tuple[PurePosixPath, bytes]]:
    """Files beside a group's pages: a brief's annotations, an entity's feed."""
    if group[0] == "brief":
        brief = site.by_slug[group[1]]
        return [(PurePosixPath(brief.url) / "annotations.jsonld", annotation_collection(brief, rendered[brief.slug], config))]
    if group[0] == "entity":
        key = (group[1], group[2])
        spec = entity_feed_spec(site.entities[key], site.briefs_by_entity[key][:config.feed_entries], config)
        return [(spec.path, atom_feed(spec, site, rendered, config, feed_entries))]
    return []
