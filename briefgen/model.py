"""The content model: frozen dataclasses, no I/O of their own (a brief read from the build store
reads its text from it when first used: see `Brief`).

Owns the typed shape of everything a template may read. Values are made by
`load` (briefs, refs), `entities` (the merged registry) and never mutated.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Generic, NamedTuple, TypeVar

from .errors import BuildWarning
from .store import PartlyStored, Stored, stored_apart

DEFAULT_ENTITY_TYPES: tuple[str, ...] = ("people", "organizations", "places", "topics", "authors")
AUTHORS = "authors"  # the built-in type of who wrote a brief (its byline), not of what it names
# The content folder's file names, as the content format defines them: an article's suffix says
# its format; its sidecar has the same stem; `entities.yaml` at the top is the registry.
ARTICLE_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text"}
SIDECAR_SUFFIXES = (".yaml", ".yml")
REGISTRY_STEM = "entities"


class Source(NamedTuple):
    """Where a brief's story comes from.

    A named tuple: every brief in the memory has one, and pages of lists show its name. Unpickled, a
    dataclass would bring an instance dictionary of its own (about 150 bytes a brief)."""

    name: str | None = None
    url: str | None = None
    author: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class EntityFacts:
    """What is said of an entity: by one file (an `EntityRef`), or by all of them (the site's `Entity`)."""

    type: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    wikidata: str | None = None
    # The (type, id) pages it was published under before a merge or rename: each a redirect here.
    redirect_from: tuple[tuple[str, str], ...] = ()
    image: Photo | None = None  # a portrait, a logo (the registry's), shown on its page
    website: str | None = None  # the registry's `url`: its own site (an author's page elsewhere)


@dataclass(frozen=True)
class EntityRef(EntityFacts):
    """An entity as one file names it (a sidecar or the registry), and where."""

    explicit_id: bool = False
    path: str = ""
    line: int | None = None


class FileRefs(tuple[EntityRef, ...]):
    """The entity refs one file holds, in file order.

    A tuple of its own type so the build store can keep it in a record of
    its own: a build that did not reload the file does not save its refs
    again (a million refs at 100,000 briefs).
    """

    __slots__ = ()


# A file's refs as the resolving stage is given them: in memory; or in a row of the build store (a first
# build's, handed over as loaded: read when merged, not kept); None when the file is gone.
GivenRefs = tuple[EntityRef, ...] | Stored | None


@dataclass(frozen=True)
class Entity(EntityFacts):
    """One entity of the site, merged from every ref with its id."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)

    @property
    def url(self) -> str:
        """Output path of the entity's page, relative to the site root."""
        return f"{self.type}/{self.id}/"

    @property
    def names(self) -> tuple[str, ...]:
        """Every text that mentions the entity in running text: its name, then its aliases.

        A one-character name is left out: matched as a word, `X` or `I` would
        link every pronoun, letter and (in Chinese) every word holding it.
        """
        return tuple(name for name in (self.name, *self.aliases) if len(name) > 1)


@dataclass(frozen=True)
class Agent:
    """Who wrote an annotation: a name, and a web page about them if given."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Rating:
    """A fact-check's verdict: a short name ('False'), and where it lies on a numeric scale if given."""

    name: str
    value: float | None = None
    best: float | None = None
    worst: float | None = None

    @property
    def tone(self) -> str:
        """'false', 'mixed', 'true' or 'other': the verdict's style (its words say it without colour)."""
        words = " ".join(self.name.lower().replace("-", " ").split())
        for tone, names in VERDICT_TONES.items():
            if words in names:
                return tone
        if self.value is not None and self.best is not None and self.worst is not None and self.best > self.worst:
            share = (self.value - self.worst) / (self.best - self.worst)
            return "false" if share < 1 / 3 else "true" if share > 2 / 3 else "mixed"
        return "other"


# Common fact-check verdicts, by the style they get; any other verdict is placed by its numeric scale.
VERDICT_TONES = {
    "false": frozenset({"false", "incorrect", "wrong", "fake", "pants on fire", "mostly false", "fabricated"}),
    "mixed": frozenset({"misleading", "mixed", "half true", "partly false", "partly true", "unproven",
                        "unsupported", "needs context", "missing context", "exaggerated", "disputed"}),
    "true": frozenset({"true", "accurate", "correct", "mostly true", "mostly accurate", "verified"}),
}


@dataclass(frozen=True)
class Annotation:
    """A note anchored to a quoted span (W3C TextQuoteSelector), who wrote it and when, and a verdict."""

    quote: str
    note: str
    kind: str = "note"
    prefix: str | None = None
    suffix: str | None = None
    line: int | None = None
    by: Agent | None = None
    date: datetime | None = None
    has_time: bool = False
    rating: Rating | None = None


@dataclass(frozen=True)
class Photo:
    """A brief's lead photo (or an entity's picture): the file, checked, and what is said of it."""

    src: str  # as the sidecar writes it, relative to its folder
    path: str  # the file
    alt: str
    digest: str  # of the file's bytes: a new photo under the same name is seen
    width: int  # upright (EXIF orientation applied)
    height: int
    transparent: bool = False
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Variant:
    """One published width of a photo, in both formats."""

    width: int
    height: int
    webp: str  # file name beside the page
    fallback: str  # .jpg, or .png for a photo with transparency


@dataclass(frozen=True)
class Correction:
    """One entry of a brief's correction log: when, and what was corrected."""

    date: datetime
    has_time: bool
    text: str


@stored_apart("body", "annotations", "source", "key_points", "summary", at_hand=("slug", "date"))
@dataclass(frozen=True)
class Brief(PartlyStored):
    """One brief: its article and its sidecar, validated.

    A brief the build store read keeps its text, annotations and source in a row of their own until
    first used: a build reads every brief, but renders only the few an edit reached. Of its other
    fields it has its slug and date (every build's lists and timelines read them) and the rest packed
    until one is used (the pages a correction renders again show a few hundred briefs of 100,000).
    """

    slug: str
    title: str
    date: datetime
    has_time: bool
    body: str
    body_format: str  # "markdown" or "text"
    article_path: str
    sidecar_path: str
    summary: str | None = None
    key_points: tuple[str, ...] = ()
    source: Source | None = None
    entities: tuple[tuple[str, str], ...] = ()  # (type, id), in sidecar order
    annotations: tuple[Annotation, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False
    warnings: tuple[BuildWarning, ...] = ()  # what loading it found odd but not wrong
    updated: datetime | None = None  # when it last changed in substance (the sidecar's `updated:`)
    updated_has_time: bool = False
    corrections: tuple[Correction, ...] = ()  # newest first
    language: str | None = None  # a BCP 47 tag, when it is not the site's
    image: Photo | None = None  # the lead photo
    body_photos: tuple[Photo, ...] = ()  # the images beside the article that its text names (by src)
    # Every other file the brief is made of or may show (photos, images its text names even if missing):
    # an edit to one (or one appearing) reloads the brief.
    files: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # slugs it was published under before: each gets a redirect page

    @property
    def url(self) -> str:
        return f"briefs/{self.slug}/"

    @property
    def page(self) -> str:
        """Output path of the brief's page, relative to the site root (an `OutputPath`)."""
        return f"{self.url}index.html"

    @property
    def modified(self) -> tuple[datetime, bool] | None:
        """When the brief last changed, and whether that has a time: `updated`, else its newest correction."""
        if self.updated is not None:
            return self.updated, self.updated_has_time
        if self.corrections:
            return self.corrections[0].date, self.corrections[0].has_time
        return None


@dataclass(frozen=True)
class Tag:
    """A tag and the slug its page lives under."""

    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Page:
    """One output file: where it goes and what renders it.

    `context` holds model values only, so a page is a pure function of it, the
    template and the config.
    """

    path: PurePosixPath
    template: str
    context: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    members: tuple[object, ...] = ()  # the briefs a page of a long list shows (their slugs)


# A group of pages: what one input of the model produces (('brief', slug), ('entity', type, id), the
# home pages...). Incremental builds redo whole groups, or the pages of a group whose briefs changed.
Group = tuple[str, ...]

# A file's place in the output folder, as text: relative, '/'-separated ('briefs/x/index.html'). The
# build's memory holds one per file (250,000 at 100,000 briefs): text is read and written many times
# faster than a PurePosixPath, which parses itself again on every load.
OutputPath = str


K = TypeVar("K", bound=Hashable)


class BriefLists(Mapping[K, tuple["Brief", ...]], Generic[K]):
    """Briefs by entity, tag or month, newest first: each list made when first read, and how many each
    has without making it (a one-edit build renders the pages of a few lists, and indexes that count
    all of them)."""

    def __init__(self, keys: Mapping[K, object], make: Callable[[K], tuple[Brief, ...]],
                 count: Callable[[K], int], slugs: Callable[[K], tuple[str, ...]] | None = None) -> None:
        self._keys, self._make, self._count, self._slugs = keys, make, count, slugs

    def __getitem__(self, key: K) -> tuple[Brief, ...]:
        if key not in self._keys:
            raise KeyError(key)
        return self._make(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys  # Mapping's would make the list

    def count(self, key: K) -> int:
        """len(self[key]), without making the list."""
        if key not in self._keys:
            raise KeyError(key)
        return self._count(key)

    def slugs(self, key: K) -> tuple[str, ...]:
        """The slugs of self[key], in order, without making the list when the lists know them."""
        if key not in self._keys:
            raise KeyError(key)
        return self._slugs(key) if self._slugs is not None else tuple(brief.slug for brief in self._make(key))

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _no_lists() -> BriefLists[tuple[int, int]]:
    return BriefLists({}, lambda key: (), lambda key: 0)


@dataclass(frozen=True)
class Site:
    """The resolved site: published briefs and everything derived from them.

    Made by `entities.SiteState.snapshot` after each change; read-only afterwards.
    """

    briefs: tuple[Brief, ...]  # newest first
    entities: dict[tuple[str, str], Entity] = field(hash=False)
    briefs_by_entity: BriefLists[tuple[str, str]] = field(hash=False)
    co_mentions: dict[tuple[str, str], tuple[tuple[Entity, int], ...]] = field(hash=False)
    related: BriefLists[str] = field(hash=False)  # by brief slug
    tags: dict[str, Tag] = field(hash=False)  # by tag slug
    briefs_by_tag: BriefLists[str] = field(hash=False)
    by_slug: dict[str, Brief] = field(hash=False, default_factory=dict)
    briefs_by_month: BriefLists[tuple[int, int]] = field(hash=False, default_factory=_no_lists)
    # The slugs of `briefs`, in order, when the snapshot knew them without reading each brief (see `slugs`).
    brief_slugs: tuple[str, ...] | None = field(hash=False, default=None)

    @property
    def slugs(self) -> tuple[str, ...]:
        """The slugs of `briefs`, in order. The snapshot has them from its sorted list: at 100,000 briefs,
        reading each brief's took 0.06 s of every rebuild (the pages list every brief's group)."""
        return self.brief_slugs if self.brief_slugs is not None else tuple(brief.slug for brief in self.briefs)

    def brief(self, slug: str) -> Brief:
        return self.by_slug[slug]

    def entities_of(self, brief: Brief) -> tuple[Entity, ...]:
        """What the brief names (its authors left out: they wrote it)."""
        return tuple(self.entities[key] for key in brief.entities if key in self.entities and key[0] != AUTHORS)

    def authors_of(self, brief: Brief) -> tuple[Entity, ...]:
        """Who wrote the brief (`author:`), in the sidecar's order."""
        return tuple(self.entities[key] for key in brief.entities if key in self.entities and key[0] == AUTHORS)

    def redirect_pages(self) -> set[PurePosixPath]:
        """The pages that only send readers on: briefs' old slugs, entities' old addresses."""
        pages = {PurePosixPath("briefs", alias, "index.html") for brief in self.briefs for alias in brief.aliases}
        pages.update(PurePosixPath(*old, "index.html") for entity in self.entities.values()
                     for old in entity.redirect_from)
        return pages

    def tags_of(self, brief: Brief) -> tuple[Tag, ...]:
        from .slugs import slugify  # local: the model otherwise needs nothing outside stdlib

        return tuple(self.tags[slug] for slug in dict.fromkeys(slugify(t) for t in brief.tags) if slug in self.tags)
