"""What a build remembers for the next: the records both the builder and page production read.

Owns the build's memory (`BuildMemory`: the loaded sources, the resolved
site state, rendered bodies with what they warned of and linked to
(`BodyNotes`), the page index and the digest of every file written), the
small `Manifest` a no-op build reads instead of it, the check
that every file written is still there (`OutputsCheck`), and the
`BuildReport`. Plain records: it sits below `build` and `pages` so neither
imports the other's state, and the warnings a build reports from it. Must
not load, render or write anything.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import pickle
import posixpath
import re
import signal
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeAlias, TypeVar
from urllib.parse import unquote, urlsplit

from .cache import FileStamp, Listing, StampTable, value_print
from .config import Config
from .errors import BuildWarning
from .model import Brief, Entity, FileRefs, Group, OutputPath
from .ownership import OwnedLines
from .schedule import Span, news_span, publication_span, scheduled_note
from .store import SavedInShards, Stored

if TYPE_CHECKING:  # not imported to run: a no-op build reads the manifest without loading what renders
    from .entities import SiteState
    from .markdown.mentions import MentionContext
    from .rendered import BriefOutcome, RenderedBrief

Answer = TypeVar("Answer")
Note = TypeVar("Note")
# A brief's rendering, with the brief it was rendered from and the prints of the entities it names.
Outcomes: TypeAlias = "dict[str, tuple[Brief, tuple[str, ...], BriefOutcome]]"
# A rendering's sentences naming each entity it links, by entity key (`RenderedBrief.contexts`).
Contexts: TypeAlias = "dict[tuple[str, str], MentionContext]"


class EntityPrints:
    """A digest of each entity's facts, made once per build: what a brief's rendering remembers of the
    entities it names, to be rendered again when one of them changes.

    One string per entity, shared by every brief that names it, where the memory held a copy of the
    entity per brief and shard it was saved in (128,000 entities at 100,000 briefs, for 2,000).
    """

    def __init__(self) -> None:
        self._made: dict[int, tuple[Entity, str]] = {}  # by the entity's id, with the entity: the id stays its

    def of(self, entities: Iterable[Entity]) -> tuple[str, ...]:
        return tuple(map(self._print, entities))

    def _print(self, entity: Entity) -> str:
        made = self._made.get(id(entity))
        if made is None:
            made = self._made[id(entity)] = (entity, value_print(entity))
        return made[1]


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    out_dir: Path
    pages: int
    files: int
    briefs: int
    entities: int
    seconds: float
    warnings: tuple[BuildWarning, ...]
    notes: tuple[str, ...] = ()  # what the build left out on purpose, and why
    files_written: int = 0  # written or deleted
    files_deleted: int = 0
    incremental: bool = False
    changed: tuple[str, ...] | None = None  # files a rebuild wrote or deleted; None after a clean build

    def summary(self) -> str:
        if self.incremental and not self.files_written:
            return (f"Nothing changed: {self.pages} pages from {self.briefs} briefs and {self.entities} entities "
                    f"are up to date ({self.seconds:.2f} s) → {self.out_dir}")
        what = f"Built {self.pages} pages ({self.files} files)"
        if self.incremental:
            what = f"Rewrote {self.files_written - self.files_deleted} of {self.files} files"
            if self.files_deleted:
                what += f" and deleted {self.files_deleted}"
        return (f"{what} from {self.briefs} briefs and {self.entities} entities in {self.seconds:.2f} s "
                f"→ {self.out_dir}")


class SourceRecord(NamedTuple):
    """One brief's files as last loaded: their stamps, the brief and its refs.

    A named tuple, not a dataclass: the memory holds one per brief, and unpickles every one on each
    rebuild. Without an instance dictionary it takes 100 bytes less, and pickle makes it again in
    half the time. Immutable: the memory saves its sources in shards, and keeps a shard whose records
    are the same objects (see store.sharded), which a change in place would escape.
    """

    article_stamp: FileStamp | None
    sidecar_stamp: FileStamp | None
    brief: Brief
    refs: FileRefs | Stored  # a row of the store when loaded from it (see SiteState.refs_by_file)
    # Other files the brief is made of (its photo), and their stamps: an edit to one reloads the brief.
    extra_stamps: tuple[tuple[str, FileStamp | None], ...] = ()


@dataclass
class RegistryRecord:
    """`content/entities.yaml` as last loaded."""

    path: str
    stamp: FileStamp | None
    refs: FileRefs | Stored
    extra_stamps: tuple[tuple[str, FileStamp | None], ...] = ()  # its entities' pictures: an edit reloads it


@dataclass(frozen=True)
class PageIndex:
    """Which pages each group produced last time, and what decided them.

    `outputs`: the paths of each group's files; `members`: a print of the
    briefs each page of a long list shows (`cache.value_print` of its
    `Page.members`: the index only compares them, and 158,000 pages' lists
    of slugs were a fifth of the memory at 100,000 briefs); `heads`: what
    every page of a group shows besides its own items (see `pages.group_head`); `lists`: a print of
    the whole list of briefs a home, tag or entity group pages through (see `render.plain_slugs`): while it is
    the same, so is every page's list, and a rebuild need not plan the pages no edit reached.
    """

    outputs: dict[Group, tuple[OutputPath, ...]] = field(default_factory=dict)
    members: dict[OutputPath, str] = field(default_factory=dict)
    heads: dict[Group, Any] = field(default_factory=dict)
    lists: dict[Group, bytes] = field(default_factory=dict)


# A link from the site's root in a brief's text (`/briefs/x/#y`), the output file it leads to, and its fragment.
RootLink: TypeAlias = tuple[str, OutputPath, str]


@dataclass(frozen=True)
class BodyNotes:
    """What loading and rendering each brief warned of, and the links from the site's root its text holds,
    by slug: only the briefs with either; and the ids of each brief page a link's fragment names.

    A build reports its warnings and checks those links from these rather than from every brief's outcome
    (two walks, 0.23 s together at 100,000 briefs, and a rendering read from the store for each link
    with a fragment); a rebuild refreshes the entries of the briefs it rendered again or dropped. Replaced, never
    changed in place: the store keeps the record of one a rebuild left as it was.
    """

    warnings: dict[str, tuple[BuildWarning, ...]] = field(default_factory=dict)
    links: dict[str, tuple[RootLink, ...]] = field(default_factory=dict)
    page_ids: dict[str, frozenset[str]] = field(default_factory=dict)  # of the briefs a link's fragment names

    def refreshed(self, previous: Outcomes, outcomes: Outcomes) -> BodyNotes:
        """The notes of `outcomes`, these being those of `previous`: only the entries that are not the
        same objects in both are looked at (after one edit, one), and the ids of the pages links name."""
        redone = list(itertools.compress(outcomes, map(operator.is_not, map(previous.get, outcomes),
                                                       outcomes.values())))
        gone = [slug for slug in itertools.chain(self.warnings, self.links) if slug not in outcomes]
        new_warnings: dict[str, tuple[BuildWarning, ...]] = {}
        new_links: dict[str, tuple[RootLink, ...]] = {}
        for slug in redone:
            brief, _, outcome = outcomes[slug]
            new_warnings[slug] = (*brief.warnings, *outcome.warnings)
            new_links[slug] = tuple((link, *_root_target(link)) for link in outcome.root_links)
        same_warnings = all(self.warnings.get(slug, ()) == found for slug, found in new_warnings.items())
        same_links = all(self.links.get(slug, ()) == found for slug, found in new_links.items())
        links = self.links if same_links and not gone else _updated(self.links, new_links, gone)
        # The briefs a fragment links to, as they are now: a brief that came back, or was rendered again,
        # has its page's ids read again, whether or not the link did change.
        named = sorted({linked for entries in links.values() for _, target, fragment in entries
                        if fragment and (linked := _brief_slug(target)) is not None and linked in outcomes})
        redone_set = set(redone)
        page_ids = {slug: _page_ids(outcomes, slug) if slug in redone_set or slug not in self.page_ids
                    else self.page_ids[slug] for slug in named}
        if same_warnings and links is self.links and page_ids == self.page_ids:
            return self  # a correction that warns of nothing new: the store keeps the record
        return BodyNotes(self.warnings if same_warnings and not gone
                         else _updated(self.warnings, new_warnings, gone), links, page_ids)

    def build_warnings(self, outcomes: Outcomes, outputs: Mapping[OutputPath, bytes],
                       static: Collection[OutputPath]) -> list[BuildWarning]:
        """What loading and rendering the briefs warned of, and a warning for each link from the site's root
        that leads to no file of the site, or to a brief's page without the id its fragment names.
        `outcomes`: those the notes are of (for each warning's file)."""
        warnings = list(itertools.chain.from_iterable(self.warnings.values()))
        for slug, links in self.links.items():
            for link, target, fragment in links:
                if target not in outputs and target not in static:
                    warnings.append(BuildWarning(f"link to {link} leads to no page or file of the site"
                                                 f"{_dead_link_advice(target)}",
                                                 Path(outcomes[slug][0].article_path), kind="dead-link"))
                elif fragment and fragment not in self.page_ids.get(_brief_slug(target) or "", (fragment,)):
                    warnings.append(BuildWarning(f"link to {link} leads to a page without #{fragment}",
                                                 Path(outcomes[slug][0].article_path), kind="dead-anchor"))
        return warnings


def _brief_slug(page: OutputPath) -> str | None:
    """The slug of the brief whose page is `page` (briefs/<slug>/index.html), if it is one."""
    parts = page.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "briefs" and parts[2] == "index.html" else None


def _page_ids(outcomes: Outcomes, slug: str) -> frozenset[str]:
    """Every id of the brief's page (its rendering is read from the store if the memory kept it there)."""
    return unpacked(outcomes[slug][2]).rendered.page_ids()


def _dead_link_advice(target: OutputPath) -> str:
    """What to check, for a link to a file that is not there."""
    suffix = posixpath.splitext(target)[1]
    if suffix in ("", ".html"):
        return ""
    if IMAGE_SUFFIX.fullmatch(suffix):
        return " (an image beside the article is published with it: check the file name)"
    return " (of the files beside an article, only images are published: put it in static/ and link it from the root)"


def _updated(notes: dict[str, tuple[Note, ...]], found: dict[str, tuple[Note, ...]],
             gone: Iterable[str]) -> dict[str, tuple[Note, ...]]:
    """A copy of `notes` with the entries `found` (an empty one dropped) and without those `gone`."""
    notes = dict(notes)
    for slug in gone:
        notes.pop(slug, None)
    for slug, entries in found.items():
        if entries:
            notes[slug] = entries
        else:
            notes.pop(slug, None)
    return notes


@dataclass
class BuildMemory(SavedInShards):
    """What a build learned that the next may reuse (saved in .briefgen-cache/)."""

    key: str
    state: SiteState
    sources: dict[tuple[str, str], SourceRecord] = field(default_factory=dict)
    registry: RegistryRecord | None = None
    listing: Listing | None = None  # the content folder's walk that found `sources`' files
    templates_digest: str = ""
    static_digest: str = ""
    outcomes: Outcomes = field(default_factory=dict)
    notes: BodyNotes = field(default_factory=BodyNotes)  # of the outcomes
    outputs: dict[OutputPath, bytes] = field(default_factory=dict)  # every generated file and its digest
    page_index: PageIndex = field(default_factory=PageIndex)
    static_outputs: frozenset[OutputPath] = frozenset()
    built_before: bool = False  # False: the next build is a clean one, into a fresh folder
    pages: int = 0  # .html files among the outputs
    site_fingerprint: str = ""  # of the site the output folder held after this build (see ownership.py)
    outputs_total: int = 0  # the generated files' share of the fingerprint
    # The output folder's list of owned files, after its fingerprint line: a row of the store, read when a
    # build writes the list (16 MB at 100,000 briefs, kept by a save while no file comes or goes).
    owned_lines: OwnedLines | Stored = field(default_factory=OwnedLines)
    # Build times over which the same briefs are due, and the news sitemap lists the same ones.
    due_span: Span = Span()
    news_span: Span = Span()
    scheduled: str | None = None  # the note on briefs scheduled for later (see schedule.scheduled_note)
    # The search index (pagefind/shards.json) is of this build's pages: the next signs again only the
    # shards of the pages it writes, when no brief came, went or moved in time (see search.IndexedPages).
    search_current: bool = False

    # Saved in shards: one item per brief or file, and most builds change one brief. The output digests
    # were 25 MB of the 41 MB core every save pickled and wrote again at 100,000 briefs.
    SHARDED: ClassVar[tuple[str, ...]] = ("sources", "outcomes", "outputs")

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.state.restore_briefs(map(attrgetter("brief"), self.sources.values()))

    @property
    def fresh(self) -> bool:
        return not self.built_before

    def retime(self, config: Config, *, moved: bool = True) -> None:
        """Learn, after a build at `config.now`, until when its briefs stay due and its news window the
        same, and what is scheduled for later.

        `moved`: whether a brief came, went, or changed its date or draft since the last build. When none
        did and both spans still hold, all three are as they were: a correction need not go through
        every brief's date (0.2 s at 100,000 briefs)."""
        if not moved and self.due_span.holds(config.now) and self.news_span.holds(config.now):
            return
        self.due_span = publication_span((record.brief for record in self.sources.values()), config)
        self.news_span = news_span(self.state.briefs.values(), config)
        self.scheduled = scheduled_note((record.brief for record in self.sources.values()), config)

    def output_paths(self) -> Iterator[OutputPath]:
        """Every file the last build wrote, relative to the output folder."""
        return itertools.chain(self.outputs, self.static_outputs)


@dataclass(frozen=True)
class Manifest:
    """The stamps of every source a build read, and its report (saved beside the memory).

    Packed for the no-op build, which reads it alone: the briefs' files as one
    `StampTable`, in the order of `source_paths`, and the outputs' paths as one string.
    """

    sources: StampTable  # every brief's article and sidecar, in the order of source_paths
    extra_stamps: tuple[tuple[str, FileStamp | None], ...]  # every brief's other files (photos)
    registry_path: str | None
    registry_stamp: FileStamp | None
    templates_digest: str
    static_digest: str
    report: BuildReport
    outputs: str  # every file the build wrote, NUL between paths: all must still be there for nothing to do
    site_fingerprint: str  # the output folder must still hold this site
    due_span: Span = Span()  # the build's time must be in both for nothing to do
    news_span: Span = Span()
    listing: Listing | None = None  # while it holds, the content folder has `sources`' files, no others

    @classmethod
    def of(cls, memory: BuildMemory, report: BuildReport, since: Restamped | None = None) -> Manifest:
        """The manifest of `memory`. `since`: the sources' stamps of the manifest it was saved with, and the
        only briefs reloaded since (none came or went): their stamps are put in that table instead of
        packing every brief's again."""
        sources = None
        if since is not None:
            stamped, reloaded = since
            restamped = {path: stamp for key in reloaded for path, stamp in
                         zip(key, (memory.sources[key].article_stamp, memory.sources[key].sidecar_stamp), strict=True)}
            if stamped.count == 2 * len(memory.sources):
                sources = stamped.restamped(restamped)
        if sources is None:
            keys = sorted(memory.sources)
            records = list(map(memory.sources.__getitem__, keys))
            sources = StampTable.of(source_paths(keys), list(itertools.chain.from_iterable(
                map(attrgetter("article_stamp", "sidecar_stamp"), records))))
        return cls(
            sources=sources,
            extra_stamps=tuple(stamp for record in memory.sources.values() for stamp in record.extra_stamps)
            + (memory.registry.extra_stamps if memory.registry else ()),
            registry_path=memory.registry.path if memory.registry else None,
            registry_stamp=memory.registry.stamp if memory.registry else None,
            templates_digest=memory.templates_digest, static_digest=memory.static_digest, report=report,
            outputs="\0".join(memory.output_paths()), site_fingerprint=memory.site_fingerprint,
            due_span=memory.due_span, news_span=memory.news_span, listing=memory.listing)


# The sources' stamps a build's memory was saved with, and the briefs the build reloaded since (Manifest.of).
Restamped: TypeAlias = "tuple[StampTable, Collection[tuple[str, str]]]"


def source_paths(keys: Iterable[tuple[str, str]]) -> list[str]:
    """The files of briefs (article, sidecar), flattened, as `Manifest.sources` stamps them (give `keys` sorted)."""
    return list(itertools.chain.from_iterable(keys))


def source_of(paths: Sequence[str], position: int) -> tuple[str, str]:
    """The brief (article, sidecar) whose file is at `position` of `paths`, made by `source_paths`."""
    article = position - position % 2
    return paths[article], paths[article + 1]


class RenderedView(Mapping[str, "RenderedBrief"]):
    """Each brief's rendering, read straight from the build's outcomes (no copy per build).

    A rendering the saved memory kept in the store is read on first use into `read`, a cache the
    builder keeps between builds (the dev server's), not into the outcomes: they stay as loaded, so
    the store keeps their shards without saving them again. The cache holds the last `READ_KEPT`
    read: a first build hands every rendering to the store, and reads each back for its page.
    `contexts`: the mention sentences of renderings in the store, kept in memory for the entity
    pages, which show those of every brief (see `Builder._render_streamed`): pickled, each brief's
    in one string of bytes, a third of the memory of their objects (1.1 KB a brief, not 3.3 KB)
    and read in 5 µs.
    """

    READ_KEPT: ClassVar[int] = 256

    def __init__(self, outcomes: Outcomes, read: dict[Stored, RenderedBrief] | None = None,
                 contexts: Mapping[str, bytes] | None = None) -> None:
        self._outcomes = outcomes
        self._read = {} if read is None else read
        self._contexts = contexts or {}

    def __getitem__(self, slug: str) -> RenderedBrief:
        rendered: RenderedBrief | Stored = self._outcomes[slug][2].rendered  # a row, when loaded from the store
        if not isinstance(rendered, Stored):
            return rendered
        found = self._read.get(rendered)
        if found is None:
            if len(self._read) >= self.READ_KEPT:
                del self._read[next(iter(self._read))]  # the oldest read
            found = self._read[rendered] = rendered.unpack(remember=False)  # the outcomes keep the row
        return found

    def contexts(self, slug: str) -> Contexts:
        """The sentences of a brief's rendering that name each entity it links."""
        kept = self._contexts.get(slug)
        return pickle.loads(kept) if kept is not None else self[slug].contexts

    def __iter__(self) -> Iterator[str]:
        return iter(self._outcomes)

    def __len__(self) -> int:
        return len(self._outcomes)


def unpacked(outcome: BriefOutcome) -> BriefOutcome:
    """The outcome with its rendered brief read from the store, if the saved memory kept it there."""
    rendered: RenderedBrief | Stored = outcome.rendered
    if isinstance(rendered, Stored):
        return outcome._replace(rendered=rendered.unpack())
    return outcome


IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|webp|gif|avif|tiff?|bmp)", re.IGNORECASE)


def _root_target(link: str) -> tuple[OutputPath, str]:
    """The output file a root link (`/briefs/x/#y`) leads to, and its fragment.

    Every build checks every link (20,000 at 100,000 briefs): one with nothing to decode or
    normalize (no %, ?, //, /. or whitespace) is split as it is, the others parsed."""
    if _PLAIN_LINK.fullmatch(link):
        path, _, fragment = link[1:].partition("#")
        return (path + "index.html" if path == "" or path.endswith("/") else path), fragment
    return _parsed_root_target(link)


_PLAIN_LINK = re.compile(r"/(?![/.])(?:[^%?/\s]|/(?![/.]))*")


@functools.lru_cache(maxsize=1 << 12)
def _parsed_root_target(link: str) -> tuple[OutputPath, str]:
    """`_root_target` of any link, by the rules of `urlsplit` and `PurePosixPath`."""
    parts = urlsplit(link)
    path = parts.path[1:]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return str(PurePosixPath(unquote(path))), unquote(parts.fragment)  # 'a//b/./c' is 'a/b/c'


def outputs_present(out: Path, paths: Iterable[str]) -> bool:
    """Whether every file a build wrote (paths relative to `out`) is still there."""
    if os.access not in os.supports_dir_fd:
        base = str(out)
        return all(os.path.exists(os.path.join(base, path)) for path in paths)
    # Looked up from the folder's handle, in C, asking only whether each exists (no stat result to make):
    # 250,000 files in 0.6 s instead of 0.84 s with a stat each.
    try:
        folder = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        return all(map(functools.partial(os.access, mode=os.F_OK, dir_fd=folder), paths))
    finally:
        os.close(folder)


class ForkedAnswer(Generic[Answer]):
    """A question a forked child answers while this process goes on (`ask(hint)`, run in the child).

    The child may `hint()` once, before it answers (that the answer is likely to be "go on": see
    `StampsCheck`), then sends its answer, pickled, and leaves without running anything of the
    parent's. Asked in process instead when forking is not safe (other threads, no `fork`) or not
    worth it (`fork=False`), and when the child fails to answer. `yielding`: the child runs at the
    lowest priority, on a core nothing else needs (see `OutputsCheck`).
    """

    def __init__(self, ask: Callable[[Callable[[], None]], Answer], *, fork: bool, yielding: bool = False) -> None:
        self._ask: Callable[[Callable[[], None]], Answer] | None = ask
        self._answer: tuple[Answer] | None = None
        self._child: tuple[int, int] | None = None  # pid, read end of its pipe
        self._hinted = False
        if not fork or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: answer, and leave without running anything of the parent's
            try:
                os.close(read)
                if yielding:
                    os.nice(19)

                def hint() -> None:
                    os.write(write, _HINT)

                answer = ask(hint)
                data = memoryview(_ANSWER + pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(write, data):]
            finally:
                os._exit(0)
        os.close(write)
        self._child = (pid, read)

    def hinted(self) -> bool:
        """Whether the child hinted (waits for its first word): False when it answered first, or
        there is no child."""
        if self._child is not None and not self._hinted:
            first = os.read(self._child[1], 1)
            self._hinted = first == _HINT
            if not self._hinted:
                self._take(first)
        return self._hinted

    def answer(self) -> Answer:
        """The answer (waits for the child; asks in process if it failed)."""
        if self._answer is None and self._child is not None and self.hinted():  # else hinted() took it
            self._take(os.read(self._child[1], 1))
        if self._answer is None:
            assert self._ask is not None, "asked until answered"
            self._answer = (self._ask(lambda: None),)
        self._ask = None  # what it asks about (250,000 paths at 100,000 briefs) is not kept for the build
        return self._answer[0]

    def _take(self, first: bytes) -> None:
        """Read the child's answer, which starts with `first`, and wait for it to end."""
        assert self._child is not None
        pid, read = self._child
        self._child = None
        try:
            chunks = [first]
            while chunk := os.read(read, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(read)
            os.waitpid(pid, 0)
        data = b"".join(chunks)
        if data.startswith(_ANSWER):
            try:
                self._answer = (pickle.loads(data[len(_ANSWER):]),)
            except (pickle.UnpicklingError, EOFError, ValueError):
                pass  # cut short: asked in process

    def cancel(self) -> None:
        """Stop the child, if any, without its answer (the build failed before it needed one)."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


_HINT, _ANSWER = b"!", b"="


class OutputsCheck:
    """`outputs_present`, answered by a forked child while the build goes on with its sources.

    The no-op check asks after every source and every output: 450,000 system
    calls at 100,000 briefs, 0.6-0.7 s each half on this machine, bound by
    the kernel. The outputs' half runs on a second core (see `ForkedAnswer`),
    when the site is large enough for a fork to be worth it. `paths` may be one
    string, NUL between paths (as the manifest keeps them): then it is split
    where it is checked, not before.

    Its child yields to the build's own work: when the sources' check hints that a build follows (see
    `StampsCheck`), the build loads its memory on one core and the sources' check ends on the other;
    this check takes what they leave. On two cores, three processes at one priority made the load
    0.3 s slower, and a one-edit build at 100,000 briefs no quicker; yielding, 0.15 s quicker.
    """

    FORK_FROM = 20_000  # outputs from which a child is worth forking (a fork costs a few milliseconds)

    def __init__(self, out: Path, paths: Sequence[str] | str) -> None:
        count = (paths.count("\0") + 1 if paths else 0) if isinstance(paths, str) else len(paths)
        self._check = ForkedAnswer(lambda hint: outputs_present(out, _listed(paths)), fork=count >= self.FORK_FROM,
                                   yielding=True)

    def present(self) -> bool:
        """Whether every output is still there (waits for the child; checks in process if it failed)."""
        return self._check.answer()

    def cancel(self) -> None:
        """Stop the child, if any, without its answer."""
        self._check.cancel()


class StampsCheck:
    """`StampTable.changed(paths)`, answered by a forked child that says as soon as one file's size or
    time differs (`suspected`): a build is then likely to follow, and loads its memory (1.6 s at 100,000
    briefs) while the child stats the other files (0.5-0.7 s), rather than after. A build with nothing
    changed has no hint, and waits for the answer as before, with nothing else running."""

    FORK_FROM = 20_000  # files from which a child is worth forking

    def __init__(self, table: StampTable, paths: Sequence[str]) -> None:
        self.paths = paths
        self._check = ForkedAnswer(lambda hint: table.changed(paths, on_suspect=hint),
                                   fork=len(paths) >= self.FORK_FROM)

    def suspected(self) -> bool:
        """Whether a file's size or time differs, known before the answer (waits for one or the other)."""
        return self._check.hinted()

    def changed(self) -> list[int] | None:
        """`StampTable.changed`'s answer: the positions of the files whose content changed, or None."""
        return self._check.answer()

    def cancel(self) -> None:
        """Stop the child, if any, without its answer."""
        self._check.cancel()


def _listed(paths: Sequence[str] | str) -> Sequence[str]:
    """`paths`, split if they are one string with NUL between them."""
    if isinstance(paths, str):
        return paths.split("\0") if paths else []
    return paths


def warning_order(warning: BuildWarning) -> tuple[str, int, str]:
    return (str(warning.path or ""), warning.line or 0, warning.message)
