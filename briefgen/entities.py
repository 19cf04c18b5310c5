"""Resolve stage: entity refs → one registry; briefs ↔ entities, tags, related briefs.

Owns merging every ref of an id into one `Entity`, detecting one id used for
two different entities, and the indexes pages are made from. Pure functions
over model values: no Markdown, no I/O.
"""

from __future__ import annotations

import bisect
import heapq
import operator
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter
from typing import Any, ClassVar, TypeVar

from . import store
from .errors import BriefgenError, ErrorCollector, shown
from .model import AUTHORS, Brief, BriefLists, Entity, EntityRef, FileRefs, GivenRefs, Photo, Site, Tag
from .slugs import slugify
from .store import Stored, loaded

RELATED_LIMIT = 5
# For an entity in many briefs, how many briefs either side in time are candidates.
RELATED_WINDOW = 10
CO_MENTION_LIMIT = 10


def merge_entity(entity_id: str, ordered: Sequence[EntityRef], errors: ErrorCollector) -> Entity | None:
    """Every ref of one id (registry first, then file order) → one Entity, or None after errors.

    One id is one entity across the site: the same id under two types, or for
    two names that are neither the same name nor aliases of each other, is an
    error naming both places. (`EntityMerge`, given the refs one by one.)
    """
    merge = EntityMerge(entity_id)
    for ref in ordered:
        merge.add(ref)
    return merge.entity(errors)


class EntityMerge:
    """`merge_entity` of refs given one at a time, in its order, keeping only what the merge needs of
    them (not every ref): a first build merges every entity of the site, and gathering every ref first
    held every sidecar's refs at once (0.35 GB at 100,000 briefs)."""

    def __init__(self, entity_id: str) -> None:
        self.entity_id = entity_id
        self.canonical: EntityRef | None = None  # the first ref: its type and name are the entity's
        self.other_type: EntityRef | None = None  # the first ref of another type, if any: an error
        self.aliases: dict[str, None] = {}  # every ref's aliases, in order
        # Each later ref naming it otherwise than the first: an alias, or an error when no ref lists it.
        self.other_names: list[tuple[str, str, int | None]] = []  # name, path, line
        self.redirect_from: dict[tuple[str, str], None] = {}
        self.description: str | None = None  # these four: the first ref's that has one
        self.wikidata: str | None = None
        self.image: Photo | None = None
        self.website: str | None = None

    def add(self, ref: EntityRef) -> None:
        """The next ref of the id."""
        canonical = self.canonical
        if canonical is None:
            canonical = self.canonical = ref
        elif self.other_type is None and ref.type != canonical.type:
            self.other_type = ref
        if ref is not canonical and ref.name != canonical.name:
            self.other_names.append((ref.name, ref.path, ref.line))
        # Most refs say no more than a name: each test below is skipped in one step for them (a first
        # build folds 800,000 refs at 100,000 briefs).
        if ref.aliases:
            self.aliases.update(dict.fromkeys(ref.aliases))
        if ref.redirect_from:
            self.redirect_from.update(dict.fromkeys(ref.redirect_from))
        if ref.description and not self.description:
            self.description = ref.description
        if ref.wikidata and not self.wikidata:
            self.wikidata = ref.wikidata
        if ref.image and not self.image:
            self.image = ref.image
        if ref.website and not self.website:
            self.website = ref.website

    def entity(self, errors: ErrorCollector) -> Entity | None:
        """The merged entity of the refs given, or None after adding to `errors` (or when none was given)."""
        canonical, second = self.canonical, self.other_type
        if canonical is None:
            return None
        if second is not None:
            errors.add(BriefgenError(
                f"id '{self.entity_id}' is one of {canonical.type} ({shown(canonical.path)}:{canonical.line}) and "
                f"one of {second.type} ({shown(second.path)}:{second.line})",
                second.path, second.line,
                "one id is one entity: give one of them its own `id:`"))
            return None
        known = {canonical.name, *self.aliases}
        aliases = dict(self.aliases)
        conflict = False
        for name, path, line in self.other_names:
            if name in known or slugify(name) == slugify(canonical.name):
                aliases[name] = None
                continue
            errors.add(BriefgenError(
                f"id '{self.entity_id}' names two different entities: '{canonical.name}' "
                f"({shown(canonical.path)}:{canonical.line}) and '{name}' ({shown(path)}:{line})",
                path, line,
                f"give one of them another `id:`, or list '{name}' under the aliases of '{canonical.name}'"))
            conflict = True
        if conflict:
            return None
        return Entity(
            type=canonical.type, id=self.entity_id, name=canonical.name,
            aliases=tuple(alias for alias in aliases if alias != canonical.name),
            description=self.description, wikidata=self.wikidata, redirect_from=tuple(self.redirect_from),
            image=self.image, website=self.website,
        )


Key = tuple[str, str]
OrderKey = tuple[float, str]


def redirect_problems(site: Site, registry: Sequence[EntityRef]) -> list[BriefgenError]:
    """Old addresses (`redirect_from`) that would hide an entity's page, or that two entities claim."""
    claimed: dict[Key, Entity] = {}
    problems = []
    for entity in site.entities.values():
        for old in entity.redirect_from:
            ref = next((r for r in registry if (r.type, r.id) == entity.key and old in r.redirect_from), None)
            path, line = (ref.path, ref.line) if ref is not None else (None, None)
            address = "/".join(old)
            if old in site.entities:
                problems.append(BriefgenError(
                    f"'{address}' is the page of '{site.entities[old].name}', and also where '{entity.name}' "
                    "was before (redirect_from): the redirect would hide the page", path, line,
                    f"name '{entity.name}' where briefs name '{site.entities[old].name}' (add it as an alias), "
                    "or remove the redirect"))
            elif old in claimed:
                problems.append(BriefgenError(
                    f"'{address}' is where both '{claimed[old].name}' and '{entity.name}' were before "
                    "(redirect_from): one old page can send readers to one place", path, line,
                    "remove one of the two redirects"))
            else:
                claimed[old] = entity
    return problems


class CoCounts(defaultdict[Key, Counter[Key]]):
    """How often each entity is named with each other (`SiteState.co_counts`): kept in a row of its own,
    read when an edit first changes which entities a brief names. A correction to a brief's text
    leaves them as they are, and its build neither loads them (0.19 s at 100,000 briefs) nor saves them."""

    __slots__ = ()


class FilesById(defaultdict[str, set[str]]):
    """The files with refs of each entity id (`SiteState.files_by_id`): kept in a row of its own, read
    when an edit first changes a file's refs (0.09 s at 100,000 briefs)."""

    __slots__ = ()


class ListedBy(dict[str, tuple[str, ...]]):
    """The briefs whose pages list each brief as related (`SiteState.listed_by`): kept in a row of its
    own, read when an edit reaches a brief (a first build lets it go once resolved: 50 MB at 100,000
    briefs). A brief listed by none has no entry.

    Tuples, not sets: every edit reads the row, and 100,000 sets took 0.22 s to unpickle (their
    strings hashed again), tuples 0.06 s. A brief is listed by a few others, so adding and taking
    one out make a short sorted tuple again."""

    __slots__ = ()

    def add(self, slug: str, lister: str) -> None:
        """`lister`'s page lists `slug`."""
        listers = self.get(slug, ())
        if lister not in listers:
            self[slug] = tuple(sorted((*listers, lister)))  # in order: the same state however it was reached

    def discard(self, slug: str, lister: str) -> None:
        """`lister`'s page no longer lists `slug`."""
        listers = self.get(slug, ())
        if lister in listers:
            rest = tuple(other for other in listers if other != lister)
            if rest:
                self[slug] = rest
            else:
                del self[slug]


@dataclass
class SiteIndexes(store.RecordWithRows):
    """A `SiteState`'s indexes: the very dicts and lists the state holds, which the build store saves
    as a record of their own. Written again only when `SiteState.apply` says they changed
    (`store.changed`): a correction to a brief's text leaves them as they are, and its save does not
    pickle them again (two thirds of the memory's core: 0.8 s of each one-edit save at 100,000 briefs).
    """

    FIELDS: ClassVar[tuple[str, ...]] = (
        "refs_by_file", "files_by_id", "entities", "entity_types", "order", "holders", "co_counts",
        "co_mentions", "related", "listed_by", "tag_members", "month_members", "_keys")

    # Read when first needed: rows of their own (see CoCounts, FilesById, ListedBy), not fields of this record.
    LAZY: ClassVar[tuple[str, ...]] = ("files_by_id", "co_counts", "listed_by")

    refs_by_file: dict[str, FileRefs | Stored]
    files_by_id: FilesById | Stored
    entities: dict[Key, Entity]
    entity_types: dict[str, str]
    order: list[OrderKey]
    holders: dict[Key, list[OrderKey]]
    co_counts: CoCounts | Stored
    co_mentions: dict[Key, tuple[tuple[Entity, int], ...]]
    related: dict[str, tuple[str, ...]]
    listed_by: ListedBy | Stored
    tag_members: dict[str, list[OrderKey]]
    month_members: dict[tuple[int, int], list[OrderKey]]
    _keys: dict[Key, Key]


@dataclass
class SiteChange:
    """What one update of the site state changed; the pages to redo follow from it."""

    briefs: set[str] = field(default_factory=set)  # slugs of published briefs added or changed
    removed_briefs: set[str] = field(default_factory=set)
    entities: set[Key] = field(default_factory=set)  # entity pages to redo
    removed_entities: set[Key] = field(default_factory=set)
    related: set[str] = field(default_factory=set)  # briefs whose related list changed
    entity_objects: set[Key] = field(default_factory=set)  # entities whose name, aliases, ... changed
    tags: set[str] = field(default_factory=set)  # tag pages to redo


class SiteState:
    """The resolved site, kept up to date brief by brief for incremental builds.

    Holds the merged entities, each entity's briefs, co-mention counts,
    related briefs and tags. `apply` replaces briefs and entity refs and says
    what changed. The state is a function of the briefs and refs it holds, so
    applying the inverse change restores it exactly (how a failed incremental
    build is undone), and a clean build is one `apply` of everything.
    """

    def __init__(self, registry_path: str | None, *, include_drafts: bool,
                 until: datetime | None = None) -> None:
        self.registry_path = registry_path
        self.include_drafts = include_drafts
        # Briefs dated after this are scheduled, not published (None: all are). The builder moves it
        # to each build's time, and starts afresh when that makes a brief due or not due.
        self.until = until
        # A file's refs; a `Stored` row when the saved memory kept them in the build store, read when
        # first needed (most builds need the edited files' refs alone: 100,000 files' refs took 1.2 s
        # to load).
        self.refs_by_file: dict[str, FileRefs | Stored] = {}
        self.entities: dict[Key, Entity] = {}  # merged, whether a brief names them or not
        self.entity_types: dict[str, str] = {}  # id → the type it was merged as
        self.briefs: dict[str, Brief] = {}  # published, by slug
        self.order: list[OrderKey] = []  # every published brief, newest first
        self.holders: dict[Key, list[OrderKey]] = defaultdict(list)  # an entity's briefs, newest first
        self.co_mentions: dict[Key, tuple[tuple[Entity, int], ...]] = {}
        # A brief's related briefs, by slug: pickled as slugs the saved memory already holds (as briefs, a
        # reference each to resolve: 500,000 at 100,000 briefs, 0.4 s of every save).
        self.related: dict[str, tuple[str, ...]] = {}
        self.tag_members: dict[str, list[OrderKey]] = defaultdict(list)
        self.month_members: dict[tuple[int, int], list[OrderKey]] = defaultdict(list)  # (year, month) → briefs
        self._snapshot_cache: dict[str, Any] = {}  # tuples of the last snapshot still true
        self._applied = 0  # changes applied so far: a snapshot's lists are made while it is the same
        # One tuple per entity key for the indexes to share (each brief brings its own): the saved
        # memory then holds each key once, and co-mention counts load in a third of the time.
        self._keys: dict[Key, Key] = {}
        # The indexes above, as the record the store saves them in (the same dicts and lists), with three
        # read only through it (see `files_by_id`, `co_counts`, `listed_by`).
        self._indexes = SiteIndexes(**{name: getattr(self, name) for name in SiteIndexes.FIELDS
                                       if name not in SiteIndexes.LAZY},
                                    files_by_id=FilesById(set), co_counts=CoCounts(Counter),
                                    listed_by=ListedBy())

    @property
    def files_by_id(self) -> FilesById:
        """Entity id → the files with refs of it (their refs are in refs_by_file: one copy of each ref)."""
        files: FilesById = self._read_lazy("files_by_id")
        return files

    @property
    def co_counts(self) -> CoCounts:
        """Entity → how often each other entity is named with it (bylines are not mentions)."""
        counts: CoCounts = self._read_lazy("co_counts")
        return counts

    @property
    def listed_by(self) -> ListedBy:
        """Slug → the briefs whose pages list it as related."""
        listed: ListedBy = self._read_lazy("listed_by")
        return listed

    def _read_lazy(self, name: str) -> Any:
        """One of the indexes kept in a row of their own (`SiteIndexes.LAZY`), read on first use."""
        value = getattr(self._indexes, name)
        if isinstance(value, Stored):
            value = value.unpack()
            setattr(self._indexes, name, value)
        return value

    def with_shared_values(self, brief: Brief) -> Brief:
        """`brief`, naming its entities with the key tuples the state's indexes hold, and its tags and its
        source's name and author with one string per value (interned): a copy if it did not.

        Each brief loaded brings its own copies of values a site has a few hundred of. Shared, each shard
        of the saved memory holds each once, not once per brief: at 100,000 briefs, 800,000 key tuples
        and twice as many strings fewer to load and keep; and a first build holds each tag and source
        name once (they were 0.3 KB of each brief's 1.8 KB in memory)."""
        keys = tuple(self._keys.setdefault(key, key) for key in brief.entities)
        tags = tuple(map(sys.intern, brief.tags))
        source = brief.source
        if source is not None:
            name = sys.intern(source.name) if source.name is not None else None
            author = sys.intern(source.author) if source.author is not None else None
            if name is not source.name or author is not source.author:
                source = source._replace(name=name, author=author)
        if source is brief.source and all(map(operator.is_, keys, brief.entities)) \
                and all(map(operator.is_, tags, brief.tags)):
            return brief
        return replace(brief, entities=keys, tags=tags, source=source)

    def file_refs(self, path: str) -> FileRefs | Stored:
        """The entity refs a file (a sidecar, the registry) holds now, as kept (see `refs_by_file`)."""
        return self.refs_by_file.get(path) or FileRefs()

    def refs_kept(self, path: str, row: Stored | None) -> None:
        """The refs of the file at `path` are in this row of the store (None: they stay in memory), read
        again when next needed, as after loading a saved memory."""
        if row is not None:
            self.refs_by_file[path] = row

    def lazy_tables(self) -> list[tuple[str, Any]]:
        """The indexes kept in rows of their own (`SiteIndexes.LAZY`) that are in memory now, by name."""
        return [(name, value) for name in SiteIndexes.LAZY
                if not isinstance(value := getattr(self._indexes, name), Stored)]

    def lazy_kept(self, name: str, row: Stored | None) -> None:
        """The index `name` is in this row of the store (None: it stays in memory), read again when next
        needed, as after loading a saved memory."""
        if row is not None:
            setattr(self._indexes, name, row)

    def _refs_of(self, path: str) -> FileRefs:
        """A file's refs, read from the build store the first time they are needed."""
        refs: FileRefs = loaded(self.refs_by_file[path])
        self.refs_by_file[path] = refs  # read once: kept (the store remembers which row it came from)
        return refs

    def __getstate__(self) -> dict[str, Any]:
        """What is saved: everything but the snapshot's tuples, which the next snapshot makes again
        in C from the lists (cheaper than pickling them).

        The indexes are saved as one record (`SiteIndexes`), not in shards (see store.SavedInShards):
        its dicts and lists share their keys (one string per slug), which makes the snapshot's lookups
        identity checks. Sharded, each shard has its own copies: tried at 100,000 briefs, loading took
        0.9 s longer and the snapshot 0.25 s, for no measurable saving.
        """
        state = self.__dict__.copy()
        state["_snapshot_cache"] = {}
        # Not the briefs: the memory holds them with their files, and gives them back (restore_briefs).
        # Named here, each cost the save and the load a call (100,000 at 100,000 briefs).
        del state["briefs"]
        for name in SiteIndexes.FIELDS:  # saved in their record (see SiteIndexes)
            if name not in SiteIndexes.LAZY:
                assert state.pop(name) is getattr(self._indexes, name), f"SiteState.{name} was replaced"
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.update((name, getattr(self._indexes, name)) for name in SiteIndexes.FIELDS
                             if name not in SiteIndexes.LAZY)
        self.briefs = {}  # until restore_briefs

    def restore_briefs(self, briefs: Iterable[Brief]) -> None:
        """Hold the published briefs among `briefs` (every brief of the sources, as loaded with this
        state): those `apply` put in, which `order` lists. Raises KeyError when one is missing (a store
        that cannot be used)."""
        listed = list(briefs)
        by_slug = dict(zip(map(operator.attrgetter("slug"), listed), listed, strict=True))
        slugs = list(map(itemgetter(1), self.order))
        self.briefs = dict(zip(slugs, map(by_slug.__getitem__, slugs), strict=True))  # in C: 100,000 briefs

    def _file_order(self, path: str) -> tuple[bool, str]:
        # The registry speaks first; then sidecars in path order.
        return (path != self.registry_path, path)

    def apply(self, *, remove: Iterable[Brief], add: Iterable[Brief],
              refs: dict[str, GivenRefs]) -> tuple[SiteChange, list[BriefgenError]]:
        """Take briefs out, put briefs in, replace the refs of files; update every index.

        `remove` holds briefs as they were put in (a draft or scheduled brief
        that never was is ignored); `refs` maps a file to its new refs, None when it is gone.
        """
        change = SiteChange()
        errors = ErrorCollector()
        self._applied += 1
        remove, add = list(remove), list(add)
        # Briefs put back as they were listed, refs as they were (a correction): no count changes.
        leaves = self._leaves_indexes(remove, add, refs)
        if not leaves:
            store.changed(self._indexes)  # the next save writes the indexes again
        # `is` first: `==` reads the text of a brief read from the store (see model.Brief).
        removed = [b for b in remove if (held := self.briefs.get(b.slug)) is b or held == b]
        added = [b for b in add if (self.include_drafts or not b.draft)
                 and (self.until is None or b.date <= self.until)]
        changed_entities = self._replace_refs(refs, errors)
        change.entities |= changed_entities
        change.entity_objects |= changed_entities

        counts_before: dict[Key, int] = {}
        for brief in (*removed, *added):
            for key in brief.entities:
                counts_before.setdefault(key, len(self.holders.get(key, ())))
        # Many briefs at once (a first build): every related list is computed afresh, and the sorted
        # lists are sorted once at the end instead of kept sorted one insertion at a time.
        bulk = (len(removed) + len(added)) * 4 > len(self.briefs)
        affected: set[str] = set()  # briefs whose related list must be recomputed
        for brief in removed:
            if not bulk:
                affected |= self._neighbours(brief)
            self._take_out(brief, change, count=not leaves)
        for brief in added:
            self._put_in(brief, change, place=list.append if bulk else bisect.insort, count=not leaves)
        if bulk:
            self._sort_lists(added)
            affected = set(self.briefs)
        for brief in added if not bulk else ():
            affected |= self._neighbours(brief)
        for key, before in counts_before.items():
            after = len(self.holders.get(key, ()))
            if _related_mode(before) != _related_mode(after):
                # The entity's weight or candidate window changed for all its briefs.
                affected.update(slug for _, slug in self.holders.get(key, ()))
        for slug in change.briefs | change.removed_briefs:
            affected.update(self.listed_by.get(slug, ()))
        affected &= self.briefs.keys()
        self._update_related(affected, change)

        touched = set(counts_before) | changed_entities
        if not leaves:  # else every count, entity and list of co-mentions is as it was
            self._update_co_mentions(touched, changed_entities, change)
            for name in SiteIndexes.LAZY:
                lazy = getattr(self._indexes, name)
                if not isinstance(lazy, Stored):
                    store.changed(lazy)  # read, and perhaps changed in place
        for key in touched:
            if key in self.entities and self.holders.get(key):
                change.entities.add(key)
            else:
                change.removed_entities.add(key)
                change.entities.discard(key)
        return change, errors.errors

    def _leaves_indexes(self, remove: list[Brief], add: list[Brief],
                        refs: dict[str, GivenRefs]) -> bool:
        """Whether `apply` of this change leaves every index as it is: the briefs put in are those taken
        out with other text (the same slugs, dates, drafts, entities and tags), and each file's refs are
        as before. The common edit, a correction: its save need not write the indexes again."""
        if len(remove) != len(add) or sorted(map(_index_facts, remove)) != sorted(map(_index_facts, add)):
            return False
        for path, given in refs.items():
            if path not in self.refs_by_file:
                if _read_once(given):
                    return False
            elif self._refs_of(path) != _read_once(given):
                return False
        return True

    def _replace_refs(self, refs: dict[str, GivenRefs], errors: ErrorCollector) -> set[Key]:
        """Replace the refs of the given files; re-merge every id whose refs changed. Returns changed keys.

        An id whose refs in a file are as before is not merged again: a body or title edit merges
        nothing, however many briefs name the file's entities.
        """
        touched: set[str] = set()
        # A state holding no refs yet (a first build) is given every file's: each file is read once, in
        # file order, and its refs merged as they come; those given as rows are let go at once.
        first = not self.refs_by_file
        merges: dict[str, EntityMerge] = {}
        for path in sorted(refs, key=self._file_order) if first else refs:
            given = refs[path]
            new_refs = _read_once(given)
            kept = self.refs_by_file.pop(path, None)
            old_refs = loaded(kept) if kept is not None else ()
            old_by_id, new_by_id = _refs_by_id(old_refs), _refs_by_id(new_refs)
            for entity_id in old_by_id.keys() - new_by_id.keys():
                self.files_by_id[entity_id].discard(path)
            for entity_id in new_by_id.keys() - old_by_id.keys():
                self.files_by_id[entity_id].add(path)
            touched.update(entity_id for entity_id in old_by_id.keys() | new_by_id.keys()
                           if old_by_id.get(entity_id) != new_by_id.get(entity_id))
            if new_refs:
                # Refs as before stay as kept (the same object, or row of the store): a body edit
                # saves no refs.
                self.refs_by_file[path] = kept if kept is not None and old_refs == new_refs \
                    else given if isinstance(given, (FileRefs, Stored)) else FileRefs(new_refs)
            if first:  # every id it names is touched
                for ref in new_refs:
                    merge = merges.get(ref.id)
                    if merge is None:
                        merge = merges[ref.id] = EntityMerge(ref.id)
                    merge.add(ref)
        changed: set[Key] = set()
        files_of = {entity_id: self.files_by_id.get(entity_id) or set() for entity_id in touched}
        if not first:
            # Every touched id's refs merged in file order, in one pass over their files (going through
            # each id's files for it alone read a file once per id it names).
            merges = {entity_id: EntityMerge(entity_id) for entity_id in touched}
            for path in sorted(set().union(*files_of.values()), key=self._file_order):
                for ref in self._refs_of(path):
                    merge = merges.get(ref.id)
                    if merge is not None:
                        merge.add(ref)
        for entity_id in sorted(touched):
            old_type = self.entity_types.pop(entity_id, None)
            old = self.entities.pop((old_type, entity_id), None) if old_type else None
            files = files_of[entity_id]
            merged = merges[entity_id].entity(errors)
            if not files:
                self.files_by_id.pop(entity_id, None)
            if merged is not None:
                self.entities[merged.key] = merged
                self.entity_types[entity_id] = merged.type
            if old is not None and (merged is None or old != merged):
                changed.add(old.key)
            if merged is not None and old != merged:
                changed.add(merged.key)
        return changed

    def _neighbours(self, brief: Brief) -> set[str]:
        """Briefs whose related list may hold `brief`, or shift when it comes or goes, and itself."""
        near = {brief.slug}
        order_key = brief_order_key(brief)
        for key in dict.fromkeys(brief.entities):
            listed = self.holders.get(key, [])
            if len(listed) <= 2 * RELATED_WINDOW + 2:
                near.update(slug for _, slug in listed)
                continue
            at = bisect.bisect_left(listed, order_key)
            near.update(slug for _, slug in listed[max(0, at - RELATED_WINDOW - 1): at + RELATED_WINDOW + 2])
        return near

    def _take_out(self, brief: Brief, change: SiteChange, *, count: bool = True) -> None:
        """Remove a brief from every index (`_put_in` undone); `count`: its co-mentions too (not when it is
        put back naming the same entities)."""
        self._forget(brief)
        order_key = brief_order_key(brief)
        del self.briefs[brief.slug]
        _remove_sorted(self.order, order_key)
        change.removed_briefs.add(brief.slug)
        change.briefs.discard(brief.slug)
        for index, key in self._memberships(brief):
            _remove_sorted(index[key], order_key)
            if not index[key]:
                del index[key]
        if count:
            self._count_co_mentions(brief, -1)
        change.tags.update(_tag_slugs(brief))
        for listed in self.related.pop(brief.slug, ()):
            self.listed_by.discard(listed, brief.slug)

    def _put_in(self, brief: Brief, change: SiteChange,
                place: Callable[[list[OrderKey], OrderKey], None] = bisect.insort, *, count: bool = True) -> None:
        """Add a brief to every index; `place` puts its order key in a list (in order, or appended);
        `count`: its co-mentions too."""
        self._forget(brief)
        order_key = brief_order_key(brief)
        self.briefs[brief.slug] = brief
        place(self.order, order_key)
        change.removed_briefs.discard(brief.slug)
        change.briefs.add(brief.slug)
        for index, key in self._memberships(brief):
            place(index[key], order_key)
        if count:
            self._count_co_mentions(brief, 1)
        change.tags.update(_tag_slugs(brief))

    def _memberships(self, brief: Brief) -> Iterator[tuple[dict[Any, list[OrderKey]], Any]]:
        """Each sorted list of briefs that holds `brief`, as (index, key): its entities', tags' and month's."""
        for key in dict.fromkeys(brief.entities):
            yield self.holders, self._keys.setdefault(key, key)
        for slug in _tag_slugs(brief):
            yield self.tag_members, slug
        yield self.month_members, _month(brief)

    def _count_co_mentions(self, brief: Brief, step: int) -> None:
        """Count the brief's entities as named together once more (`step` 1) or once less (-1)."""
        keys = [self._keys.setdefault(key, key) for key in dict.fromkeys(brief.entities)
                if key[0] != AUTHORS]  # bylines are not mentions
        if len(keys) < 2:
            return
        for place, key in enumerate(keys):
            others = keys[:place] + keys[place + 1:]
            counter = self.co_counts[key]
            if step > 0:
                counter.update(others)  # counted in C: a first build counts each brief's pairs
            else:
                counter.subtract(others)
                for other in others:
                    if counter[other] <= 0:
                        del counter[other]

    def _sort_lists(self, added: Sequence[Brief]) -> None:
        """Sort the lists that `added` were appended to (order keys are unique: as if inserted in order)."""
        self.order.sort()
        for key in {key for brief in added for key in brief.entities}:
            self.holders[key].sort()
        for slug in {slug for brief in added for slug in _tag_slugs(brief)}:
            self.tag_members[slug].sort()
        for month in {_month(brief) for brief in added}:
            self.month_members[month].sort()

    def _update_related(self, slugs: set[str], change: SiteChange) -> None:
        if not slugs:
            return
        if len(slugs) * 8 > len(self.order):
            # Many briefs (a first build): ranks make it integer arithmetic.
            rank = {slug: index for index, (_, slug) in enumerate(self.order)}
            rank_lists: dict[Key, list[int]] = {}
            found: dict[str, list[str]] = {}
            for slug in slugs:
                brief = self.briefs[slug]
                for key in brief.entities:
                    if key not in rank_lists:
                        rank_lists[key] = [rank[s] for _, s in self.holders.get(key, ())]
                found[slug] = [self.order[r][1] for r in related_places(brief.entities, rank[slug], rank_lists)]
        else:
            # A few briefs (an edit): order keys, without ranking the whole site.
            found = {slug: [key[1] for key in related_places(self.briefs[slug].entities,
                                                             brief_order_key(self.briefs[slug]), self.holders)]
                     for slug in slugs}
        for slug in sorted(slugs):
            new = tuple(found[slug])
            old = self.related.get(slug, ())
            if new != old:  # a brief that changed in a list that did not: `listed_by` names its pages
                for other in old:
                    self.listed_by.discard(other, slug)
                for other in new:
                    self.listed_by.add(other, slug)
                if new:
                    self.related[slug] = new
                else:
                    self.related.pop(slug, None)  # no entry for none, as in a first build
                change.related.add(slug)

    def _update_co_mentions(self, keys: set[Key], changed_entities: set[Key], change: SiteChange) -> None:
        todo = set(keys)
        for key in changed_entities:
            todo.update(self.co_counts.get(key, ()))
        for key in todo:
            counter = self.co_counts.get(key)
            if not counter:
                self.co_counts.pop(key, None)
                if self.co_mentions.pop(key, None):
                    change.entities.add(key)
                continue
            present = [(other, count) for other, count in counter.items() if other in self.entities]
            if len(present) > CO_MENTION_LIMIT:
                # Only counts as high as the limit-th highest can make the list: rank those alone.
                floor = heapq.nlargest(CO_MENTION_LIMIT, [count for _, count in present])[-1]
                present = [item for item in present if item[1] >= floor]
            ranked = heapq.nsmallest(CO_MENTION_LIMIT, present,
                                     key=lambda item: (-item[1], self.entities[item[0]].name, item[0]))
            value = tuple((self.entities[other], count) for other, count in ranked)
            if self.co_mentions.get(key) != value:
                self.co_mentions[key] = value
                change.entities.add(key)

    def snapshot(self) -> Site:
        """The current state as the immutable model pages are rendered from.

        The tuples of long lists are kept between snapshots and made again
        only for what the last `apply` touched.
        """
        cache = self._snapshot_cache
        if "briefs" not in cache:
            cache["briefs"] = self._briefs_of(self.order), tuple(map(itemgetter(1), self.order))
        briefs, slugs = cache["briefs"]
        entities = {key: self.entities[key] for key in sorted(self.holders) if key in self.entities}
        by_slug = dict(self.briefs)
        tag_cache = cache.setdefault("tags", {})
        tags: dict[str, Tag] = {}
        for slug in sorted(self.tag_members):
            if slug not in tag_cache:
                newest = self.briefs[self.tag_members[slug][0][1]]
                # A tag is shown as the newest brief spells it.
                tag_cache[slug] = Tag(name=next(t for t in newest.tags if slugify(t) == slug), slug=slug)
            tags[slug] = tag_cache[slug]
        return Site(
            briefs=briefs,
            entities=entities,
            briefs_by_entity=self._lists(entities, self.holders, cache.setdefault("by_entity", {})),
            co_mentions={key: self.co_mentions.get(key, ()) for key in entities},
            related=self._related(by_slug),  # a brief with no related briefs has no entry
            tags=tags,
            briefs_by_tag=self._lists(tags, self.tag_members, cache.setdefault("tag_lists", {})),
            by_slug=by_slug,
            briefs_by_month=self._lists(dict.fromkeys(sorted(self.month_members, reverse=True)),
                                        self.month_members, cache.setdefault("months", {})),
            brief_slugs=slugs,
        )

    def _lists(self, keys: Mapping[K, object], members: Mapping[K, list[OrderKey]],
               made: dict[K, tuple[Brief, ...]]) -> BriefLists[K]:
        """A snapshot's briefs by entity, tag or month: each list made when first read and kept in the
        snapshot cache (`made`). Making them all took 0.5 s at 100,000 briefs (1,000,000 places), for a
        one-edit build that renders the pages of a few. Read after the state changed, a list would be
        the new state's: that is an error."""
        applied = self._applied

        def same_state() -> None:
            if self._applied != applied:
                raise RuntimeError("a site snapshot was read after the site state changed")

        def make(key: K) -> tuple[Brief, ...]:
            same_state()
            found = made.get(key)
            if found is None:
                found = made[key] = self._briefs_of(members[key])
            return found

        def count(key: K) -> int:
            same_state()
            return len(members[key])

        def slugs(key: K) -> tuple[str, ...]:
            same_state()
            return tuple(map(itemgetter(1), members[key]))

        return BriefLists(keys, make, count, slugs)

    def _related(self, briefs: dict[str, Brief]) -> BriefLists[str]:
        """A snapshot's related briefs (`briefs`: its briefs by slug), each brief's made when first read."""
        related = dict(self.related)
        return BriefLists(related, lambda slug: tuple(map(briefs.__getitem__, related[slug])),
                          lambda slug: len(related[slug]))

    def _briefs_of(self, listed: list[OrderKey]) -> tuple[Brief, ...]:
        """The briefs of a sorted list, in its order. map and itemgetter keep the loop in C: the list of
        every brief is made at each snapshot after a change (100,000 places at 100,000 briefs)."""
        return tuple(map(self.briefs.__getitem__, map(itemgetter(1), listed)))

    def _forget(self, brief: Brief) -> None:
        """Drop the snapshot's tuples that list `brief` (it is coming or going)."""
        cache = self._snapshot_cache
        cache.pop("briefs", None)
        by_entity = cache.get("by_entity", {})
        for key in brief.entities:
            by_entity.pop(key, None)
        tags, tag_lists = cache.get("tags", {}), cache.get("tag_lists", {})
        for slug in _tag_slugs(brief):
            tags.pop(slug, None)
            tag_lists.pop(slug, None)
        cache.get("months", {}).pop(_month(brief), None)


def _index_facts(brief: Brief) -> tuple[Any, ...]:
    """What the indexes hold of a brief: where it is listed, and whether at all. The date with its
    offset: the same instant can fall in another month."""
    return (brief.slug, brief.date.isoformat(), brief.draft, brief.entities, brief.tags)


def _read_once(given: GivenRefs) -> tuple[EntityRef, ...]:
    """Refs given to `SiteState.apply`, read from their row, if they are in one, without the store
    remembering them (which would keep them in memory)."""
    if isinstance(given, Stored):
        refs: FileRefs = given.unpack(remember=False)
        return refs
    return given or ()


def _refs_by_id(refs: Iterable[EntityRef]) -> dict[str, list[EntityRef]]:
    """A file's refs grouped by the id they name, in file order."""
    grouped: dict[str, list[EntityRef]] = defaultdict(list)
    for ref in refs:
        grouped[ref.id].append(ref)
    return grouped


def _related_mode(count: int) -> tuple[int, bool]:
    """What a brief count means for related briefs: the weight, and windowed or not."""
    return (entity_weight(max(count, 1)) if count else 0, count > 2 * RELATED_WINDOW + 1)


def _tag_slugs(brief: Brief) -> list[str]:
    return [slug for slug in dict.fromkeys(slugify(t) for t in brief.tags) if slug]


def _month(brief: Brief) -> tuple[int, int]:
    """(year, month) of a brief's date: its page in the archive."""
    return brief.date.year, brief.date.month


def _remove_sorted(items: list[OrderKey], value: OrderKey) -> None:
    index = bisect.bisect_left(items, value)
    if index < len(items) and items[index] == value:
        del items[index]


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


Place = TypeVar("Place", int, OrderKey)
K = TypeVar("K", bound=Hashable)


def related_places(own: Sequence[tuple[str, str]], place: Place, holders: dict[tuple[str, str], list[Place]],
                   limit: int = RELATED_LIMIT) -> list[Place]:
    """The places of the briefs most related to the brief at `place`, best first.

    A brief's place is its position in brief order (newest first): a rank,
    or its order key; either sorts the same, so both give the same briefs.
    Each of the brief's entities (`own`) adds its weight to the briefs it
    links this one to: all its briefs, or for an entity in more than
    2×window+1 briefs only the `window` briefs either side of this one in
    time (news about a common name is related when it is close in time).
    `holders[key]` is the sorted places of an entity's briefs. Best is most
    weight, then most recent.
    """
    window = RELATED_WINDOW
    scores: dict[Place, int] = {}
    get = scores.get
    for key in dict.fromkeys(own):
        listed = holders.get(key)
        if not listed:
            continue
        weight = entity_weight(len(listed))
        if len(listed) > 2 * window + 1:
            at = bisect.bisect_left(listed, place)
            listed = listed[max(0, at - window): at + window + 1]
        for other in listed:
            scores[other] = get(other, 0) + weight
    scores.pop(place, None)
    best = heapq.nsmallest(limit, [(-score, other) for other, score in scores.items()])
    return [other for _, other in best]
