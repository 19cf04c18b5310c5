"""The build: scan → load → resolve → bodies → pages → feeds → write → save, and the only place they meet.

`Builder.build` turns a site folder into its output folder and reports what
it did, one named phase after another. The first build is clean and uses
every core; later builds (the dev server's, or the next command with
`.briefgen-cache/`) redo only what the edits reached and write only files
whose bytes changed, and their output is byte for byte a clean build's. Any
user error, of every stage at once, is raised as one `BriefgenError` with the
previous output untouched. Must not parse command-line arguments or change
process-wide state (the garbage collector, signal handlers).

The stages that load, resolve and render (and Markdown, Jinja, Pillow) are
imported in the methods that use them: a build with nothing to do never
imports them, and starts in half the time (0.13-0.18 s instead of
0.26-0.36 s: at 100,000 briefs, a seventh of a no-op build).
"""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import (
    CACHE_DIR,
    Listing,
    StampTable,
    cache_key,
    file_stamp,
    prepare_cache_folder,
    read_stamped,
    static_fingerprint,
    templates_fingerprint,
    unchanged,
)
from .config import Config, load_config
from .errors import BriefgenError, BuildWarning, ErrorCollector
from .lock import LOCK_FILE, build_locks, output_lock_path, remove_leftovers
from .memory import (
    BuildMemory,
    BuildReport,
    EntityPrints,
    Outcomes,
    RegistryRecord,
    RenderedView,
    SourceRecord,
    unpacked,
    warning_order,
)
from .model import Brief, Entity, FileRefs, GivenRefs, Group, OutputPath, Site
from .ownership import remove_draft
from .parallel import parallel_iter, parallel_map
from .phases import Edits, RefsByFile, Rendering, Resolution, Scan
from .saved import has_memory, memory_of_built, save_memory, saved_memory, since_manifest
from .scan import PairKey, find_content
from .scratch import ScratchBytes
from .search import search_skipped
from .sitemap import NO_BASE_URL_NOTE
from .store import Stored, StoreMissing, kept_apart, loaded, pickled_apart, put_rows
from .write import (
    OutputWriter,
    Written,
    check_output_folder,
    plan_static,
    restore_interrupted_swap,
    write_changes,
    write_clean,
)

if TYPE_CHECKING:
    from .entities import SiteChange
    from .pages import FeedEntries, PageInputs, ProducedPages
    from .rendered import BriefOutcome, RenderedBrief

__all__ = ["BuildReport", "Builder", "build_site"]

Progress = Callable[[int, int], None]
# The outcomes, the briefs rendered again, and the mention sentences of renderings handed to the store
# (set aside on disk until the entity pages are made: see `Builder._render_streamed`).
RenderedBodies = tuple[Outcomes, set[str], Mapping[str, bytes]]


def build_site(site_dir: Path, out_dir: Path | None = None, *, drafts: bool = False,
               base_url: str | None = None, progress: Progress | None = None, jobs: int | None = None,
               use_cache: bool = False, future: bool = False) -> BuildReport:
    """Build the site in `site_dir` into `out_dir` (default: site_dir/site), once."""
    builder = Builder(site_dir, out_dir, drafts=drafts, base_url=base_url, jobs=jobs, use_cache=use_cache,
                      future=future)
    return builder.build(progress)


NO_CLAIM_REVIEW_NOTE = ("rated fact-checks carry no ClaimReview markup: Google needs its absolute URL; "
                        "set base_url in briefgen.yaml or pass --base-url")
DEFAULT_OUT = "site"  # the output folder, in the site's folder, when none is named
# A first build rendering this many bodies hands them to the store as they come, this many at a time,
# rather than holding them all until its save. (Fewer take little memory, and reading them back costs.)
STREAM_RENDERINGS_FROM = 2000
STREAM_BATCH = 1000


class Builder:
    """Builds a site, then rebuilds it after edits doing only what the edits need.

    Remembers the loaded briefs, the resolved site (`SiteState`), rendered
    bodies, which pages each group of pages produced and the digest of every
    file written (`BuildMemory`). A rebuild loads only changed files, applies
    the change to the resolved site, re-renders the bodies and pages the
    change reached and writes only files whose bytes differ. The memory is
    saved in `.briefgen-cache/` when `use_cache` is on, for the next command.
    """

    def __init__(self, site_dir: Path, out_dir: Path | None = None, *, drafts: bool = False,
                 base_url: str | None = None, jobs: int | None = None, use_cache: bool = True,
                 search: bool = True, future: bool = False) -> None:
        # Read by its absolute path: every spelling of the site (`.`, `../site`, `/home/me/site`) shares one
        # build cache, whose key and remembered files name it. Messages show paths relative to the working
        # folder (errors.shown); the output folder keeps the spelling it was given, for the report.
        self.site_dir = Path(os.path.abspath(site_dir))
        self.out = out_dir if out_dir is not None else site_dir / DEFAULT_OUT
        self.drafts = drafts
        self.future = future
        self.base_url = base_url
        self.jobs = jobs
        self.use_cache = use_cache
        self.search = search
        self.memory: BuildMemory | None = None
        self.timings: dict[str, float] = {}  # seconds per phase of the last build
        self._source_index: dict[str, PairKey] | None = None  # a brief's files (absolute) → its key
        # True after a build failed: its edits never reached the memory, and the watcher will not
        # name them again, so the next build must look at every file.
        self._rescan = False
        self._environment: tuple[str, Any] | None = None  # (templates digest, Jinja environment)
        # Each brief's Atom entry, by feed depth and kind: kept while the brief, its tags and entities stay.
        self._feed_entries: FeedEntries = {}
        self._renderings_read: dict[Stored, RenderedBrief] = {}  # renderings read from the store (RenderedView)
        # The sources' stamps in the manifest this build's memory was saved with, and the briefs the build
        # reloaded since: its own manifest's are those restamped (see Manifest.of). None when not known.
        self._stamps_read: StampTable | None = None
        self._reloaded: frozenset[PairKey] | None = None
        self._clock = 0.0
        self.wait_for_lock = True  # False: another build of this output (or cache) running is an error
        self.on_lock_wait: Callable[[Path, str], None] | None = None  # told once when a build must wait

    def start_from(self, built: Path) -> bool:
        """Begin where `briefgen build` left `built`, another output folder of this site; False if it cannot.

        For the dev server: its first build, into an empty folder, would
        render every page. Instead the files `built` holds are linked into
        this builder's output folder and its saved memory is taken over, so
        the first build redoes only what changed since. Hard links, so it
        costs no copy: every build replaces a file by a rename, never writes
        into one, and `built` never changes through them. Nothing is done when
        `built` has no saved memory that describes it, or is being built
        (see saved.py).
        """
        memory = memory_of_built(self.site_dir, built, self._key_for(built), self.out)
        if memory is None:
            return False
        memory.key = self._key_for(self.out)
        self.memory = memory
        return True

    def can_start_from(self, built: Path) -> bool:
        """Whether the store holds a memory of `built` this builder may start from (cheap: nothing is read
        but its key). `start_from` may still refuse it, having checked the folder against it."""
        return built.is_dir() and has_memory(self.site_dir, self._key_for(built))

    def _key_for(self, out: Path) -> str:
        """The key of a memory of this site built with this builder's options into `out`."""
        config = load_config(self.site_dir).with_overrides(base_url=self.base_url, drafts=self.drafts,
                                                           future=self.future)
        return cache_key(config, str(out.resolve()), search_skipped() is None)

    def _lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._clock
        self._clock = now

    def build(self, progress: Progress | None = None, changed: Collection[Path] | None = None) -> BuildReport:
        """Build: incrementally when this builder (or the cache) remembers the last build, else clean.

        `changed` (from a file watcher) names the files edited since the last
        build; when they are all known briefs, the content folder is not
        scanned again. Anything else (a new or deleted file, a folder) means
        a full scan, so a missed or odd event costs time, never correctness;
        so does the first build after a failed one.
        """
        started = self._clock = time.perf_counter()
        self.timings = {}
        locks = [output_lock_path(self.out.resolve() if self.out.is_symlink() else self.out)]
        cache_lock = [self.site_dir / CACHE_DIR / LOCK_FILE] if self.use_cache else []
        with build_locks(locks, cache_lock, wait=self.wait_for_lock, on_wait=self.on_lock_wait):
            restore_interrupted_swap(self.out)
            remove_leftovers(self.out)
            remove_draft(self.out)
            if self.use_cache:
                try:
                    prepare_cache_folder(self.site_dir)
                except OSError:
                    pass  # a cache that cannot be written: the next build is a full one (see _save)
            return self._build_locked(progress, changed, started)

    def _build_locked(self, progress: Progress | None, changed: Collection[Path] | None,
                      started: float) -> BuildReport:
        if self._rescan:
            changed = None
        self._rescan = True  # until this build succeeds
        config = load_config(self.site_dir).with_overrides(base_url=self.base_url, drafts=self.drafts,
                                                           future=self.future)
        check_output_folder(self.out, self.site_dir)
        # Whether Pagefind runs is part of the key: turned back on, search starts afresh. (`self.search`
        # is not: the dev server turns it off after its first build, and keeps its memory.)
        key = cache_key(config, str(self.out.resolve()), search_skipped() is None)
        memory = self.memory if self.memory is not None and self.memory.key == key else None
        edited = None  # the briefs the manifest says were edited, when nothing else changed
        listing = None  # and the content folder's stamps, if it was walked to say so
        self._stamps_read = self._reloaded = None
        if memory is None and self.use_cache and self.out.is_dir():
            since = since_manifest(self.site_dir, self.out, config, key)
            if since.report is not None:
                return replace(since.report, out_dir=self.out, seconds=time.perf_counter() - started)
            self._lap("check manifest")
            try:
                memory = saved_memory(self.site_dir, self.out, key, since.outputs)
            except BaseException:
                if since.stamps is not None:
                    since.stamps.cancel()  # no child is left behind
                raise
            since = since.settled()
            edited = since.edited if changed is None and memory is not None else None
            listing = since.listing
            if edited is not None and since.manifest is not None:
                self._stamps_read = since.manifest.sources
            self._lap("load cache")
        if memory is not None and not memory.due_span.holds(config.now):
            memory = None  # time alone made a scheduled brief due (or, going back, one not yet due)
        if memory is None or not self.out.is_dir():
            memory = _fresh_memory(key, config)
        memory.state.until = config.publish_until
        self.memory = None  # until this build succeeds
        try:
            try:
                report, memory = self._build(memory, config, progress, changed, edited, listing)
            except StoreMissing:
                # Another command saved over rows this memory refers to: build afresh, as with no cache.
                memory = _fresh_memory(key, config)
                memory.state.until = config.publish_until
                report, memory = self._build(memory, config, progress, None)
        except BriefgenError:
            # A user error undid its change to the memory: the next build goes on from it.
            self.memory = memory if memory.built_before else None
            raise
        self.memory = memory
        self._rescan = False
        if not self._save(memory, report):
            report = replace(report, warnings=(*report.warnings, BuildWarning(
                "the build cache could not be saved (a full disk, or a folder that cannot be written): "
                "the next build will be a full one", self.site_dir / CACHE_DIR, kind="cache-not-saved")))
        return replace(report, seconds=time.perf_counter() - started)

    def _build(self, memory: BuildMemory, config: Config, progress: Progress | None,
               changed: Collection[Path] | None,
               edited: Collection[PairKey] | None = None,
               listing: Listing | None = None) -> tuple[BuildReport, BuildMemory]:
        """The phases of one build, from the sources to the written site and the new memory.

        `edited`: the briefs known to be the only ones edited (from the manifest), else None; `listing`:
        the content folder's stamps, if the manifest's check walked it."""
        errors = ErrorCollector()
        scan = self._scan(memory, config, changed, errors, edited, listing)
        memory = self._memory_for(scan, memory, config)
        edits = self._load(memory, config, scan, errors)
        if edits.none and not errors.errors:
            return replace(self._report(memory, config, files_written=0, incremental=True), changed=()), memory
        resolution = self._resolve(memory, scan, edits, errors)
        # Loaded, the briefs name their files with their own paths: the scan's copy of every path (two
        # strings a brief, 45 MB at 100,000 briefs) is let go before the bodies and pages are made.
        scan = replace(scan, pairs={})
        first = memory.fresh
        # A first build streams pages into a staging folder as they are rendered, so the
        # site never has to fit in memory; a rebuild holds its few pages until all rendered.
        staging = OutputWriter(self.out) if first else None
        with _aborted_on_failure(staging):
            try:
                errors.raise_if_any()
                rendering = self._render(memory, config, edits, resolution, errors, staging, progress)
            except BriefgenError:
                if not first:
                    resolution.undo(memory.state)
                raise
        # Everything is rendered: from here on, only writing.
        try:
            written = self._write(memory, config, rendering, resolution, staging)
        except BriefgenError:
            if not first:
                resolution.undo(memory.state)  # the output folder was put back as it was: so is the memory
            raise
        self._lap("write")
        self._remember(memory, scan, edits, resolution, rendering, written, first)
        memory.retime(config, moved=first or resolution.times_moved())
        warnings = memory.notes.build_warnings(memory.outcomes, memory.outputs, memory.static_outputs)
        if written.search_warning is not None:
            warnings.append(written.search_warning)
        report = self._report(memory, config, files_written=written.files, warnings=warnings, incremental=not first)
        return replace(report, files_deleted=written.deleted, changed=None if first else written.changed), memory

    # -- scan and load ------------------------------------------------------------------------------

    def _scan(self, memory: BuildMemory, config: Config, changed: Collection[Path] | None,
              errors: ErrorCollector, edited: Collection[PairKey] | None = None,
              listing: Listing | None = None) -> Scan:
        """The briefs' files: only the edited ones when the watcher named known briefs (or the
        manifest did), else all."""
        if edited is None or memory.fresh or not set(edited) <= memory.sources.keys():
            edited, listing = self._edited_sources(memory, config, changed), None
        if edited is not None:
            # Only known briefs were edited: the folder's files and pairs are as last time.
            scan = Scan(dict.fromkeys(sorted(edited)), Path(memory.registry.path) if memory.registry else None,
                        complete=False, listing=listing)
        else:
            files = find_content(config, errors)
            errors.raise_if_any()
            scan = Scan(dict.fromkeys(files.keys), files.registry, complete=True, listing=files.listing)
        self._lap("scan")
        return scan

    @staticmethod
    def _memory_for(scan: Scan, memory: BuildMemory, config: Config) -> BuildMemory:
        """The memory to build on: a fresh one when the registry's file moved (it orders every merge)."""
        from .entities import SiteState
        if not memory.fresh and scan.registry_path != memory.state.registry_path:
            memory = _fresh_memory(memory.key, config)
        if memory.fresh:
            memory.state = SiteState(scan.registry_path, include_drafts=config.drafts, until=config.publish_until)
        return memory

    def _load(self, memory: BuildMemory, config: Config, scan: Scan, errors: ErrorCollector) -> Edits:
        """Load the briefs whose files changed, the registry if it did; fingerprint templates and static."""
        gone = [key for key in memory.sources if key not in scan.pairs] if scan.complete else []
        to_load = [(Path(key[0]), Path(key[1])) for key in scan.pairs
                   if key not in memory.sources
                   or not unchanged(key[0], memory.sources[key].article_stamp)
                   or not unchanged(key[1], memory.sources[key].sidecar_stamp)
                   or not all(unchanged(path, stamp) for path, stamp in memory.sources[key].extra_stamps)]
        loaded = self._load_pairs(to_load, memory, config, errors)
        registry = memory.registry
        registry_changed = memory.fresh or (registry.path if registry else None) != scan.registry_path or (
            registry is not None and not (unchanged(registry.path, registry.stamp) and all(
                unchanged(path, stamp) for path, stamp in registry.extra_stamps)))
        if registry_changed:
            registry = self._load_registry(scan.registry_file, config, errors)
        templates_digest = templates_fingerprint(config)
        static_digest = static_fingerprint(config)
        self._lap("load")
        return Edits(gone, loaded, registry, registry_changed, templates_digest, static_digest,
                     templates_changed=memory.fresh or templates_digest != memory.templates_digest,
                     static_changed=memory.fresh or static_digest != memory.static_digest,
                     news_changed=not memory.news_span.holds(config.now))

    def _resolve(self, memory: BuildMemory, scan: Scan, edits: Edits, errors: ErrorCollector) -> Resolution:
        """Apply the edits to the resolved site (entities, indexes); say what changed and how to undo it."""
        from .load import duplicate_slugs
        removed = [memory.sources[key] for key in edits.gone]
        removed += [memory.sources[key] for key in edits.loaded if key in memory.sources]
        sources = dict(memory.sources)
        for key in edits.gone:
            del sources[key]
        sources.update(edits.loaded)
        if edits.gone or any(key not in memory.sources or memory.sources[key].brief.slug != record.brief.slug
                             for key, record in edits.loaded.items()):
            errors.extend(duplicate_slugs(record.brief for record in sources.values()))
        refs: RefsByFile = {old.brief.sidecar_path: None for old in removed}
        refs.update({record.brief.sidecar_path: _refs_to_resolve(record, memory.fresh)
                     for record in edits.loaded.values()})
        inverse: RefsByFile = {path: None for path in refs}
        inverse.update({record.brief.sidecar_path: loaded(record.refs) for record in removed})
        if edits.registry_changed:
            if memory.registry is not None:
                refs[memory.registry.path] = None
                inverse[memory.registry.path] = loaded(memory.registry.refs)
            if edits.registry is not None:
                refs[edits.registry.path] = loaded(edits.registry.refs)
                inverse.setdefault(edits.registry.path, None)
        old_briefs = [record.brief for record in removed]
        new_briefs = [record.brief for record in edits.loaded.values()]
        change, resolve_errors = memory.state.apply(remove=old_briefs, add=new_briefs, refs=refs)
        self._resolved_to_store(memory, edits.loaded.values())
        for key, record in edits.loaded.items():  # one object for the refs of a file, whose row the store keeps
            sources[key] = edits.loaded[key] = record._replace(refs=memory.state.file_refs(record.brief.sidecar_path))
        errors.extend(resolve_errors)
        self._lap("resolve")
        return Resolution(change, sources, old_briefs, new_briefs, inverse)

    def _resolved_to_store(self, memory: BuildMemory, records: Collection[SourceRecord]) -> None:
        """A first build of many hands to the store, once the site is resolved, what nothing reads again
        until an edit reaches it: each sidecar's entity refs still in memory (those handed over as
        loaded were resolved from their rows, which the state keeps) and the indexes kept in rows of
        their own, the co-mention counts, each entity's files and the briefs listing each brief
        (`SiteIndexes.LAZY`)."""
        handed = self._handed_to_store(memory, len(records))
        if handed is None:
            return
        for record in records:
            path = record.brief.sidecar_path
            refs = memory.state.refs_by_file.get(path)
            if isinstance(refs, FileRefs):
                handed.add(pickle.dumps(refs, pickle.HIGHEST_PROTOCOL), functools.partial(memory.state.refs_kept, path))
        for name, table in memory.state.lazy_tables():
            handed.add(pickle.dumps(table, pickle.HIGHEST_PROTOCOL), functools.partial(memory.state.lazy_kept, name))
        handed.hand_over()

    def _index_source(self, key: PairKey) -> None:
        assert self._source_index is not None
        for path in key:
            self._source_index[os.path.abspath(path)] = key

    def index_sources(self) -> None:
        """Map every known brief file to its brief now, so the first edit after a build need not.

        For the dev server, which calls it once the first build is done.
        """
        if self._source_index is None and self.memory is not None:
            self._source_index = {}
            for key in self.memory.sources:
                self._index_source(key)

    def _edited_sources(self, memory: BuildMemory, config: Config,
                        changed: Collection[Path] | None) -> set[PairKey] | None:
        """The known briefs that `changed` names, or None when the content folder must be scanned."""
        if changed is None or memory.fresh:
            return None
        if self._source_index is None:
            self._source_index = {}
            for key in memory.sources:
                self._index_source(key)
        index = self._source_index
        content = Path(os.path.abspath(config.content_dir))
        registry = Path(os.path.abspath(memory.registry.path)) if memory.registry else None
        edited: set[PairKey] = set()
        for path in changed:
            path = Path(os.path.abspath(path))
            if path == registry and path.is_file():
                continue  # its stamp is checked on every build
            if content != path and content not in path.parents:
                continue  # templates/, static/, briefgen.yaml: checked on every build
            found = index.get(str(path))
            if found is None or not path.is_file():
                return None  # a new, deleted or ignored file, or a folder
            edited.add(found)
        return edited

    def _handed_to_store(self, memory: BuildMemory, count: int) -> _HandedToStore | None:
        """Where a first build of `count` briefs hands what it makes to the store as it goes, or None
        (a rebuild, a small site, no store)."""
        if memory.fresh and self.use_cache and count >= STREAM_RENDERINGS_FROM:
            return _HandedToStore(self.site_dir / CACHE_DIR)
        return None

    def _load_pairs(self, pairs: Sequence[tuple[Path, Path]], memory: BuildMemory, config: Config,
                    errors: ErrorCollector) -> dict[PairKey, SourceRecord]:
        """Load these briefs' files. A first build of many hands each text to the store as it comes: the
        brief names its row and lets the text, annotations and key points go (`RENDERING_ONLY`), so the
        build never holds every article (0.5 GB at 100,000 briefs). Its source and summary stay in
        memory: pages show them. So do its entity refs (3.5 KB a brief), read back to resolve the site
        (see `_resolved_to_store`): held from here, they would be let go between the briefs' heads,
        and leave the main process's memory full of holes that the page workers copy."""
        records: dict[PairKey, SourceRecord] = {}
        texts = self._handed_to_store(memory, len(pairs))
        results = parallel_iter(lambda pair: _load_record(pair, config), pairs, jobs=self.jobs)
        for pair, (record, pair_errors) in zip(pairs, results, strict=True):
            errors.extend(pair_errors)
            if record is None:
                continue
            # Keyed by the brief's own strings (the same paths): a shard of the memory then holds
            # each path once, not twice (200,000 strings of 100 characters at 100,000 briefs).
            key = (record.brief.article_path, record.brief.sidecar_path)
            assert key == (str(pair[0]), str(pair[1])), "a brief's paths are its pair's"
            shared = memory.state.with_shared_values(record.brief)
            if shared is not record.brief:
                record = record._replace(brief=shared)
            before = memory.sources.get(key)
            if before is not None and before.brief == record.brief:
                # Read again, the same (a file touched, a photo still missing): the memory keeps the brief
                # object it had. A new one would be saved under a new name while records the store keeps
                # (a rendering's, unchanged) still name the old, and the memory could not be loaded again.
                record = record._replace(brief=before.brief)
            records[key] = record
            if texts is not None:
                texts.add(pickled_apart(record.brief), functools.partial(_text_kept, record.brief))
                texts.add(pickle.dumps(record.refs, pickle.HIGHEST_PROTOCOL),
                          functools.partial(_refs_kept, records, key))
        if texts is not None:
            texts.hand_over()
        return records

    def _load_registry(self, path: Path | None, config: Config, errors: ErrorCollector) -> RegistryRecord | None:
        if path is None:
            return None
        stamp = file_stamp(path)  # before reading: an edit made meanwhile is seen by the next build
        from .refs import load_registry

        refs = FileRefs(load_registry(path, config, errors))
        pictures = tuple(dict.fromkeys(ref.image.path for ref in refs if ref.image))
        return RegistryRecord(str(path), stamp, refs,
                              tuple((picture, file_stamp(Path(picture))) for picture in pictures))

    # -- bodies, pages, feeds -------------------------------------------------------------------------

    def _render(self, memory: BuildMemory, config: Config, edits: Edits, resolution: Resolution,
                errors: ErrorCollector, staging: OutputWriter | None, progress: Progress | None) -> Rendering:
        """Render every file the edits reached (all of them in a first build), writing nothing yet."""
        from .entities import redirect_problems
        from .pages import PageInputs, site_files
        site = memory.state.snapshot()
        errors.extend(redirect_problems(site, loaded(edits.registry.refs) if edits.registry else ()))
        self._lap("snapshot")
        outcomes, rerendered, contexts = self._render_bodies(site, resolution.change, memory.outcomes, config, errors,
                                                             fresh=memory.fresh)
        errors.raise_if_any()
        self._lap("bodies")
        inputs = PageInputs(site, config, RenderedView(outcomes, self._renderings_read, contexts),
                            self._jinja(config, edits.templates_digest),
                            self._feed_entries, redo_all=edits.templates_changed)
        try:
            pages, dirty = self._pages(memory, inputs, resolution, rerendered, staging, progress)
        finally:
            if isinstance(contexts, ScratchBytes):
                contexts.close()
        self._lap("pages")
        changed_briefs = resolution.change.briefs | rerendered | resolution.change.removed_briefs
        files: list[tuple[OutputPath, bytes]] = []
        if changed_briefs or dirty or edits.static_changed or edits.news_changed or memory.fresh:
            # A static change may hand robots.txt over to, or back from, the site's static/.
            # The sitemaps list pages with the date of the newest brief each shows: redone when pages
            # come or go, a brief's date moves, or a tag or entity gains or loses a brief.
            sitemaps = memory.fresh or edits.templates_changed or pages.paths_changed \
                or resolution.dates_changed(config) or resolution.memberships_changed()
            files = site_files(inputs, pages.index.outputs, sitemaps=sitemaps)
        # Clashes between pages and static files are found before anything is written.
        static = None
        if staging is None:
            new_paths = {path for items in pages.files.values() for path, _, _ in items} | {p for p, _ in files}
            static = plan_static(self.out, memory.outputs, memory.static_outputs, new_paths, pages.deleted,
                                 config, static_changed=edits.static_changed)
        self._lap("feeds and sitemaps")
        return Rendering(site, outcomes, pages, files, static)

    def _jinja(self, config: Config, templates_digest: str) -> Any:
        """The Jinja environment: compiled templates are kept while the templates stay the same."""
        from .render import make_environment
        if self._environment is None or self._environment[0] != templates_digest:
            self._environment = (templates_digest, make_environment(config))
        return self._environment[1]

    def _pages(self, memory: BuildMemory, inputs: PageInputs, resolution: Resolution, rerendered: set[str],
               staging: OutputWriter | None, progress: Progress | None) -> tuple[ProducedPages, set[Group]]:
        """Render the page groups the edits reached; a first build streams them into `staging`."""
        from .pages import FEED_ENTRY_KINDS, dirty_groups, produce_pages
        from .render import page_groups
        change = resolution.change
        groups = page_groups(inputs.site, inputs.config)
        if inputs.redo_all:
            dirty, stale = set(groups), set(change.briefs | rerendered)
        else:
            found = dirty_groups(change, rerendered, resolution.old_briefs, inputs.site, inputs.config,
                                 memory.page_index, memory.state.listed_by)
            dirty, stale = found.groups, found.stale_entries
        if memory.fresh or inputs.redo_all:
            self._feed_entries.clear()
        for slug in stale | change.removed_briefs:
            for depth, full in FEED_ENTRY_KINDS:
                self._feed_entries.pop((slug, depth, full), None)
        pages = produce_pages(inputs, groups, dirty, change.briefs | rerendered, memory.page_index,
                              memory.outputs, jobs=self.jobs, progress=progress,
                              store=staging.put_with_digest if staging is not None else None)
        return pages, dirty

    def _render_bodies(self, site: Site, change: SiteChange, previous: Outcomes, config: Config,
                       errors: ErrorCollector, *, fresh: bool) -> RenderedBodies:
        """Every brief's rendering: reused when its brief and entities are as before, else redone.

        With the outcomes, the briefs rendered again, and the mention sentences of renderings handed to
        the store as they came (a first build's; see `_render_streamed`), by slug."""
        from .markdown.extension import BriefMarkdown
        from .render import render_brief
        # Copied (a failed build must leave the memory as it was), then the gone briefs dropped:
        # after an edit, the only briefs without an outcome are among the changed ones.
        outcomes = dict(previous)
        for slug in change.removed_briefs | (outcomes.keys() - site.by_slug.keys()
                                             if len(outcomes) != len(site.by_slug) else set()):
            outcomes.pop(slug, None)
        candidates = set(change.briefs)
        if len(outcomes) != len(site.by_slug):
            candidates |= site.by_slug.keys() - outcomes.keys()
        for key in change.entity_objects:
            candidates.update(b.slug for b in site.briefs_by_entity.get(key, ()))
        prints = EntityPrints()
        todo = []
        for slug in sorted(candidates):
            brief = site.by_slug.get(slug)
            if brief is None:
                continue
            entities = site.entities_of(brief)
            named = prints.of(entities)
            kept = outcomes.get(slug)
            if kept is None or kept[0] != brief or kept[1] != named:
                todo.append((brief, entities, named))
        converter = BriefMarkdown(unsafe_html=config.unsafe_html)
        if fresh and self.use_cache and len(todo) >= STREAM_RENDERINGS_FROM:
            return self._render_streamed(todo, outcomes, converter, config, errors)
        results = parallel_map(lambda item: render_brief(item[0], item[1], converter, config), todo, jobs=self.jobs)
        rerendered = set()
        for (brief, _, named), outcome in zip(todo, results, strict=True):
            errors.extend(outcome.errors)
            kept = outcomes.get(brief.slug)
            if kept is None or unpacked(kept[2]) != outcome:
                rerendered.add(brief.slug)
            outcomes[brief.slug] = (brief, named, outcome)
        return outcomes, rerendered, {}

    def _render_streamed(self, todo: Sequence[tuple[Brief, Sequence[Entity], tuple[str, ...]]], outcomes: Outcomes,
                         converter: Any, config: Config, errors: ErrorCollector) -> RenderedBodies:
        """Render the bodies of a first build, handing each rendering to the store as it comes: the
        outcomes name rows, and the sentences naming each entity, which the entity pages show, are set
        aside on disk until the pages are made (`ScratchBytes`: 1.1 KB a brief, 110 MB at 100,000
        briefs, and as much again in a page worker that read them from memory). A store that cannot be
        written keeps the renderings in memory instead."""
        from markupsafe import Markup

        from .render import render_brief
        from .rendered import RenderedBrief
        hollow = RenderedBrief(Markup(""), (), (), {})  # in the outcome until its row is known

        def work(item: tuple[Brief, Sequence[Entity], tuple[str, ...]]) -> tuple[BriefOutcome, bytes, bytes]:
            outcome = render_brief(item[0], item[1], converter, config)
            # Pickled here, in the worker: the parent hands the bytes on without making the objects. The
            # sentences stay pickled too, a third of their size as objects (RenderedView.contexts).
            return (outcome._replace(rendered=hollow),
                    pickle.dumps(outcome.rendered.contexts, pickle.HIGHEST_PROTOCOL),
                    pickle.dumps(outcome.rendered, pickle.HIGHEST_PROTOCOL))

        contexts = ScratchBytes(self.site_dir / CACHE_DIR)
        renderings = _HandedToStore(self.site_dir / CACHE_DIR)

        def kept(brief: Brief, named: tuple[str, ...], outcome: BriefOutcome, data: bytes, row: Stored | None) -> None:
            # In the outcomes, a row stands for the rendering; without a store, the rendering itself.
            rendering: Any = row if row is not None else pickle.loads(data)
            outcomes[brief.slug] = (brief, named, outcome._replace(rendered=rendering))

        for (brief, _, named), (outcome, named_in, data) in zip(
                todo, parallel_iter(work, todo, jobs=self.jobs), strict=True):
            errors.extend(outcome.errors)
            contexts.put(brief.slug, named_in)
            renderings.add(data, functools.partial(kept, brief, named, outcome, data))
        renderings.hand_over()
        return outcomes, {brief.slug for brief, _, _ in todo}, contexts

    # -- write, remember, save ----------------------------------------------------------------------

    def _write(self, memory: BuildMemory, config: Config, rendering: Rendering, resolution: Resolution,
               staging: OutputWriter | None) -> Written:
        from .search import IndexedPages
        search = None
        if self.search and rendering.site.briefs:
            # The last build indexed these very pages with these dates: only the shards of pages written
            # are signed again. (A failed build leaves the memory saying otherwise, as does one without search.)
            same = memory.search_current and not memory.fresh and not resolution.dates_changed(config)
            search = IndexedPages(rendering.site, same_as_last=same)
        memory.search_current = False
        if staging is not None:
            pages = rendering.pages
            return write_clean(staging, pages.index.outputs, pages.stored, rendering.site_files, config, search=search)
        assert rendering.static is not None, "a rebuild plans its static files"
        writes = {path: data for items in rendering.pages.files.values() for path, data, _ in items
                  if data is not None}
        writes.update(rendering.site_files)
        return write_changes(self.out, memory.outputs, memory.static_outputs, writes, rendering.pages.deleted,
                             rendering.static, search=search, total=memory.outputs_total,
                             lines=loaded(memory.owned_lines))

    def _remember(self, memory: BuildMemory, scan: Scan, edits: Edits, resolution: Resolution,
                  rendering: Rendering, written: Written, first: bool) -> None:
        """Fold what this build did into the memory, now that the output folder shows it."""
        if first:
            memory.outputs = written.digests
            memory.pages = sum(1 for path in memory.outputs if path.endswith(".html"))
            memory.built_before = True
        else:
            _remember_changes(memory, rendering.pages.deleted, written)
        if written.static is not None:
            memory.static_outputs = written.static
        memory.sources = resolution.sources
        # The sources' files are those of the last build when the scan did not look for others.
        self._reloaded = None if first or scan.complete else frozenset(edits.loaded)
        if scan.listing is not None:
            memory.listing = scan.listing
        self._remember_sources(scan, edits, first)
        memory.registry = edits.registry
        memory.notes = memory.notes.refreshed(memory.outcomes, rendering.outcomes)
        memory.outcomes = rendering.outcomes
        memory.templates_digest = edits.templates_digest
        memory.static_digest = edits.static_digest
        memory.page_index = rendering.pages.index
        memory.site_fingerprint = written.fingerprint
        memory.outputs_total = written.outputs_total
        memory.owned_lines = written.owned_lines
        memory.search_current = self.search and bool(rendering.site.briefs) and written.search_warning is None

    def _remember_sources(self, scan: Scan, edits: Edits, first: bool) -> None:
        """Keep the dev server's map of brief files up to date (or drop it after a clean build)."""
        if self._source_index is None:
            return
        if first:
            self._source_index = None
            return
        for key in edits.gone:
            for path in key:
                self._source_index.pop(os.path.abspath(path), None)
        for key in edits.loaded:
            self._index_source(key)

    def _save(self, memory: BuildMemory, report: BuildReport) -> bool:
        """Save the memory for the next command when this build changed the site; False if that failed."""
        if not (self.use_cache and report.files_written):
            return True
        since = (self._stamps_read, self._reloaded) \
            if self._stamps_read is not None and self._reloaded is not None else None
        saved = save_memory(self.site_dir, memory, report, since)
        self._lap("save cache")
        return saved

    def _report(self, memory: BuildMemory, config: Config, *, files_written: int, incremental: bool,
                warnings: Sequence[BuildWarning] | None = None) -> BuildReport:
        state = memory.state
        if warnings is None:
            warnings = memory.notes.build_warnings(memory.outcomes, memory.outputs, memory.static_outputs)
        return BuildReport(
            out_dir=self.out, pages=memory.pages,
            files=len(memory.outputs), briefs=len(state.briefs),
            entities=sum(1 for key in state.holders if key in state.entities), seconds=0.0,
            warnings=tuple(sorted(warnings, key=warning_order)),
            notes=_notes(memory, config), files_written=files_written,
            incremental=incremental,
        )


class _HandedToStore:
    """Values a first build hands to the store as it goes (`put_rows`), `STREAM_BATCH` at a time, so that
    it never holds them all: each value's `then` is told its row once written, or None when the store
    cannot be written (the value stays in memory then, and the store is not tried again)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.batch: list[tuple[bytes, Callable[[Stored | None], None]]] = []
        self.writable = True

    def add(self, data: bytes, then: Callable[[Stored | None], None]) -> None:
        """Hand over `data`, a value pickled as the store keeps it."""
        self.batch.append((data, then))
        if len(self.batch) >= STREAM_BATCH:
            self.hand_over()

    def hand_over(self) -> None:
        """Write what is waiting."""
        rows: Sequence[Stored | None] = [None] * len(self.batch)
        if self.batch and self.writable:
            try:
                rows = put_rows(self.folder, [data for data, _ in self.batch])
            except (OSError, sqlite3.Error):
                self.writable = False
        for (_, then), row in zip(self.batch, rows, strict=True):
            then(row)
        self.batch.clear()


# A brief's fields that only rendering its body reads (from a copy: see `store.whole`), which a first
# build lets go once they are in the store: its text, annotations and key points (about 5 KB of the
# 7 a brief of the benchmark corpus takes).
RENDERING_ONLY = ("body", "annotations", "key_points")


def _text_kept(brief: Brief, row: Stored | None) -> None:
    if row is not None:
        kept_apart(brief, row, drop=RENDERING_ONLY)


def _refs_kept(records: dict[PairKey, SourceRecord], key: PairKey, row: Stored | None) -> None:
    if row is not None:
        records[key] = records[key]._replace(refs=row)


def _refs_to_resolve(record: SourceRecord, fresh: bool) -> GivenRefs:
    """A loaded file's refs, as resolving is given them. A first build's, handed to the store as loaded,
    as their row: resolving reads each file's when it merges its entities, and keeps the row, not the
    refs (every sidecar's at once took 0.35 GB at 100,000 briefs)."""
    if fresh and isinstance(record.refs, Stored):
        return record.refs
    refs: FileRefs = loaded(record.refs)
    return refs


def _fresh_memory(key: str, config: Config) -> BuildMemory:
    """A memory of nothing built: the build it is given to is a clean one."""
    from .entities import SiteState

    return BuildMemory(key=key, state=SiteState(None, include_drafts=config.drafts))


@contextmanager
def _aborted_on_failure(staging: OutputWriter | None) -> Iterator[None]:
    """Remove a first build's staging folder when rendering fails, for any reason."""
    try:
        yield
    except BaseException:
        if staging is not None:
            staging.abort()
        raise


def _remember_changes(memory: BuildMemory, deleted: set[OutputPath], written: Written) -> None:
    """A rebuild's written and deleted files, in the digests of the output folder and its page count."""
    for path in written.static or ():
        memory.outputs.pop(path, None)  # robots.txt, now the site's own
    for path in deleted - written.digests.keys():
        if memory.outputs.pop(path, None) is not None and path.endswith(".html"):
            memory.pages -= 1
    for path, digest in written.digests.items():
        before = memory.outputs.get(path)
        if before is None and path.endswith(".html"):
            memory.pages += 1
        if digest != before:  # an unchanged file keeps its digest's object, and the shard holding it its row
            memory.outputs[path] = digest


def _load_record(pair: tuple[Path, Path], config: Config) -> tuple[SourceRecord | None, list[BriefgenError]]:
    from .load import load_pair

    # Each file read once, for its stamp and its content: the brief is what the stamps describe.
    (article_bytes, article_stamp), (sidecar_bytes, sidecar_stamp) = read_stamped(pair[0]), read_stamped(pair[1])
    result, pair_errors = load_pair(pair, config, (article_bytes, sidecar_bytes))
    if result is None:
        return None, pair_errors
    brief, refs = result
    extras = tuple((path, file_stamp(Path(path))) for path in brief.files)
    return SourceRecord(article_stamp, sidecar_stamp, brief, FileRefs(refs), extras), pair_errors


def _notes(memory: BuildMemory, config: Config) -> tuple[str, ...]:
    """What the build left out on purpose: sitemaps without base_url, briefs scheduled for later."""
    notes = [] if config.base_url else [NO_BASE_URL_NOTE]
    # From the renderings, not the briefs' annotations: a brief read from the store reads those when used.
    if not config.base_url and any(outcome.rated for _, _, outcome in memory.outcomes.values()):
        notes.append(NO_CLAIM_REVIEW_NOTE)
    return (*notes, memory.scheduled) if memory.scheduled else tuple(notes)
