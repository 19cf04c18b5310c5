"""The build: load → resolve → render → write, and the only place they meet.

`Builder.build` turns a site folder into its output folder and reports what
it did. The first build is clean and uses every core; later builds (the dev
server's, or the next command with `.briefgen-cache/`) redo only what the
edits reached and write only files whose bytes changed, and their output is
byte for byte a clean build's. Any user error, of every stage at once, is
raised as one `BriefgenError` with the previous output untouched.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from .cache import (MANIFEST_FILE, FileStamp, Packed, bytes_digest, cache_key, file_stamp, folder_digest,
                    load_state, save_state, unchanged)
from .config import Config, load_config
from .entities import SiteChange, SiteState
from .errors import BriefgenError, BuildWarning, ErrorCollector
from .load import duplicate_slugs, find_content, load_pair, load_registry
from .markdown.extension import BriefMarkdown
from .model import Brief, Entity, EntityRef, Site
from .parallel import parallel_map
from .render import (BriefOutcome, Group, RenderedBrief, builtin_templates_dir, make_environment,
                     page_groups, render_brief)
from .search import BUNDLE, index_site, search_skipped
from .sitemap import NO_BASE_URL_NOTE, ROBOTS
from .incremental import FEED_ENTRY_KINDS, PageWork, Produced
from .write import OutputWriter, check_output_folder, clash_error, find_clash, replace_in_place

Progress = Callable[[int, int], None]
THEME_ASSETS = PurePosixPath("assets")


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


def build_site(site_dir: Path, out_dir: Path | None = None, *, drafts: bool = False,
               base_url: str | None = None, progress: Progress | None = None, jobs: int | None = None,
               use_cache: bool = False) -> BuildReport:
    """Build the site in `site_dir` into `out_dir` (default: site_dir/site), once."""
    builder = Builder(site_dir, out_dir, drafts=drafts, base_url=base_url, jobs=jobs, use_cache=use_cache)
    return builder.build(progress)


@dataclass
class SourceRecord:
    """One brief's files as last loaded: their stamps, the brief and its refs."""

    article_stamp: FileStamp | None
    sidecar_stamp: FileStamp | None
    brief: Brief
    refs: tuple[EntityRef, ...]


@dataclass
class RegistryRecord:
    """`content/entities.yaml` as last loaded."""

    path: str
    stamp: FileStamp | None
    refs: tuple[EntityRef, ...]


@dataclass
class BuildMemory:
    """What a build learned that the next may reuse (saved in .briefgen-cache/)."""

    key: str
    state: SiteState
    sources: dict[tuple[str, str], SourceRecord] = field(default_factory=dict)
    registry: RegistryRecord | None = None
    templates_digest: str = ""
    static_digest: str = ""
    outcomes: dict[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]] = field(default_factory=dict)
    outputs: dict[PurePosixPath, str] = field(default_factory=dict)  # every generated file and its digest
    group_outputs: dict[Group, tuple[PurePosixPath, ...]] = field(default_factory=dict)
    page_members: dict[PurePosixPath, tuple[Any, ...]] = field(default_factory=dict)
    group_heads: dict[Group, Any] = field(default_factory=dict)
    static_outputs: frozenset[PurePosixPath] = frozenset()
    built_before: bool = False  # False: the next build is a clean one, into a fresh folder
    pages: int = 0  # .html files among the outputs

    @property
    def fresh(self) -> bool:
        return not self.built_before

    def output_paths(self) -> Iterator[str]:
        """Every file the last build wrote, relative to the output folder."""
        return map(str, itertools.chain(self.outputs, self.static_outputs))


@dataclass(frozen=True)
class Manifest:
    """The stamps of every source a build read, and its report (saved beside the memory)."""

    stamps: dict[tuple[str, str], tuple[FileStamp | None, FileStamp | None]]
    registry_path: str | None
    registry_stamp: FileStamp | None
    templates_digest: str
    static_digest: str
    report: BuildReport
    outputs: tuple[str, ...]  # every file the build wrote: all must still be there for nothing to do

    @classmethod
    def of(cls, memory: BuildMemory, report: BuildReport) -> "Manifest":
        return cls(
            stamps={key: (record.article_stamp, record.sidecar_stamp) for key, record in memory.sources.items()},
            registry_path=memory.registry.path if memory.registry else None,
            registry_stamp=memory.registry.stamp if memory.registry else None,
            templates_digest=memory.templates_digest, static_digest=memory.static_digest, report=report,
            outputs=tuple(memory.output_paths()))


@dataclass(frozen=True)
class StaticRefresh:
    """A rebuild's static files: every one to copy again (when static/ changed), and those gone."""

    files: dict[PurePosixPath, bytes]
    gone: set[PurePosixPath]


class Builder:
    """Builds a site, then rebuilds it after edits doing only what the edits need.

    Remembers the loaded briefs, the resolved site (`SiteState`), rendered
    bodies, which pages each group of pages produced and the digest of every
    file written. A rebuild loads only changed files, applies the change to
    the resolved site, re-renders the bodies and pages the change reached and
    writes only files whose bytes differ. The memory is saved in
    `.briefgen-cache/` when `use_cache` is on, for the next command.
    """

    def __init__(self, site_dir: Path, out_dir: Path | None = None, *, drafts: bool = False,
                 base_url: str | None = None, jobs: int | None = None, use_cache: bool = True,
                 search: bool = True) -> None:
        self.site_dir = site_dir
        self.out = out_dir if out_dir is not None else site_dir / "site"
        self.drafts = drafts
        self.base_url = base_url
        self.jobs = jobs
        self.use_cache = use_cache
        self.search = search
        self.memory: BuildMemory | None = None
        self.timings: dict[str, float] = {}  # seconds per stage of the last build
        self._source_index: dict[str, tuple[str, str]] | None = None  # a brief's files (absolute) → its key
        # True after a build failed: its edits never reached the memory, and the watcher will not
        # name them again, so the next build must look at every file.
        self._rescan = False
        self._environment: tuple[str, Any] | None = None  # (templates digest, Jinja environment)
        # Each brief's Atom entry, by feed depth and kind: kept while the brief, its tags and entities stay.
        self._feed_entries: dict[tuple[str, int, bool], bytes] = {}
        self._clock = 0.0

    def _lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._clock
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
        if self._rescan:
            changed = None
        self._rescan = True  # until this build succeeds
        config = load_config(self.site_dir).with_overrides(base_url=self.base_url, drafts=self.drafts)
        check_output_folder(self.out, self.site_dir)
        key = cache_key(config, str(self.out.resolve()))
        memory = self.memory if self.memory is not None and self.memory.key == key else None
        # A site's model is millions of objects: a full garbage collection walks them all and takes
        # longer than a whole rebuild. Nothing a build makes needs the cycle collector, so it is off
        # while the saved state is read and during builds, and what survives a build is frozen out of
        # the collector's sight afterwards.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if memory is None and self.use_cache and self.out.is_dir():
                unchanged_report = self._unchanged_since_manifest(config, key)
                if unchanged_report is not None:
                    return replace(unchanged_report, seconds=time.perf_counter() - started)
                memory = load_state(self.site_dir, key)
                if memory is not None and not outputs_present(self.out, memory.output_paths()):
                    memory = None  # files of the site were deleted by hand (or the folder emptied): start over
                self._lap("load cache")
            if memory is None or not self.out.is_dir():
                memory = BuildMemory(key=key, state=SiteState(None, include_drafts=config.drafts))
            self.memory = None  # until this build succeeds
            try:
                report, memory = self._build(memory, config, progress, changed)
            except BriefgenError:
                # A user error undid its change to the memory: the next build goes on from it.
                self.memory = memory if memory.built_before else None
                raise
        finally:
            if collecting:
                gc.enable()
        gc.freeze()
        self.memory = memory
        self._rescan = False
        if self.use_cache and report.files_written:
            save_state(self.site_dir, key, memory, packed=(RenderedBrief,))
            save_state(self.site_dir, key, Manifest.of(memory, report), MANIFEST_FILE)
            self._lap("save cache")
        return replace(report, seconds=time.perf_counter() - started)

    def _build(self, memory: BuildMemory, config: Config, progress: Progress | None,
               changed: Collection[Path] | None) -> tuple[BuildReport, BuildMemory]:
        errors = ErrorCollector()
        edited = self._edited_sources(memory, config, changed)
        if edited is not None:
            # Only known briefs were edited: the folder's files and pairs are as last time.
            pairs = {key: (Path(key[0]), Path(key[1])) for key in edited}
            registry_file = Path(memory.registry.path) if memory.registry else None
        else:
            files = find_content(config, errors)
            errors.raise_if_any()
            pairs = {(str(article), str(sidecar)): (article, sidecar) for article, sidecar in files.pairs}
            registry_file = files.registry
        self._lap("scan")
        registry_path = str(registry_file) if registry_file else None
        if not memory.fresh and registry_path != memory.state.registry_path:
            # The registry's file decides the merge order of every entity: start over.
            memory = BuildMemory(key=memory.key, state=SiteState(None, include_drafts=config.drafts))
        if memory.fresh:
            memory.state = SiteState(registry_path, include_drafts=config.drafts)
        first = memory.fresh

        gone = [key for key in memory.sources if key not in pairs] if edited is None else []
        to_load = [pair for key, pair in pairs.items()
                   if key not in memory.sources
                   or not unchanged(pair[0], memory.sources[key].article_stamp)
                   or not unchanged(pair[1], memory.sources[key].sidecar_stamp)]
        loaded = self._load_pairs(to_load, config, errors)
        self._lap("load")
        registry = memory.registry
        registry_changed = memory.fresh or (registry.path if registry else None) != registry_path or (
            registry is not None and not unchanged(Path(registry.path), registry.stamp))
        if registry_changed:
            registry = self._load_registry(registry_file, config, errors)
        templates_digest = templates_fingerprint(config)
        static_digest = static_fingerprint(config)
        templates_changed = memory.fresh or templates_digest != memory.templates_digest
        static_changed = memory.fresh or static_digest != memory.static_digest
        if not (gone or to_load or registry_changed or templates_changed or static_changed or errors.errors):
            return replace(self._report(memory, config, files_written=0, incremental=True), changed=()), memory

        removed = [memory.sources[key] for key in gone]
        removed += [memory.sources[key] for key in loaded if key in memory.sources]
        sources = dict(memory.sources)
        for key in gone:
            del sources[key]
        sources.update(loaded)
        if gone or any(key not in memory.sources or memory.sources[key].brief.slug != record.brief.slug
                       for key, record in loaded.items()):
            errors.extend(_duplicate_slugs(sources.values()))
        refs: dict[str, tuple[EntityRef, ...] | None] = {old.brief.sidecar_path: None for old in removed}
        refs.update({record.brief.sidecar_path: record.refs for record in loaded.values()})
        if registry_changed:
            if memory.registry is not None:
                refs[memory.registry.path] = None
            if registry is not None:
                refs[registry.path] = registry.refs
        state = memory.state
        old_briefs = [record.brief for record in removed]
        new_briefs = [record.brief for record in loaded.values()]
        change, resolve_errors = state.apply(remove=old_briefs, add=new_briefs, refs=refs)
        self._lap("resolve")
        errors.extend(resolve_errors)

        def undo() -> None:
            inverse: dict[str, tuple[EntityRef, ...] | None] = {path: None for path in refs}
            inverse.update({record.brief.sidecar_path: record.refs for record in removed})
            if registry_changed and memory.registry is not None:
                inverse[memory.registry.path] = memory.registry.refs
            state.apply(remove=new_briefs, add=old_briefs, refs=inverse)

        # A first build streams pages into a staging folder as they are rendered, so the
        # site never has to fit in memory; a rebuild holds its few pages until all rendered.
        staging = OutputWriter(self.out) if memory.fresh else None
        outputs: dict[PurePosixPath, str] = {}

        def store(path: PurePosixPath, data: bytes) -> str:
            # Runs in the worker that rendered the file: the bytes never cross to this process.
            assert staging is not None
            staging.put(path, data)
            return bytes_digest(data)

        try:
            errors.raise_if_any()
            site = state.snapshot()
            self._lap("snapshot")
            outcomes, rerendered = self._render_bodies(site, change, memory.outcomes, config, errors)
            errors.raise_if_any()
            self._lap("bodies")
            rendered = RenderedView(outcomes)
            if self._environment is None or self._environment[0] != templates_digest:
                # Compiled templates are kept while the templates stay the same.
                self._environment = (templates_digest, make_environment(config))
            work = PageWork(memory, site, config, rendered, redo_all=templates_changed,
                             environment=self._environment[1])
            groups = page_groups(site, config)
            dirty = set(groups) if templates_changed else work.dirty_groups(change, rerendered, old_briefs)
            if first:
                self._feed_entries = {}
            for slug in work.entry_stale | change.removed_briefs:
                for depth, full in FEED_ENTRY_KINDS:
                    self._feed_entries.pop((slug, depth, full), None)
            work.feed_entries = self._feed_entries
            changed_briefs = change.briefs | rerendered
            produced = work.produce(groups, dirty, changed_briefs, self.jobs, progress,
                                    store=store if staging is not None else None)
            if staging is not None:
                for group, path, digest in work.stored:
                    staging.claim(path, "/".join(group))
                    outputs[path] = digest
            self._lap("pages")
            dates_changed = ({(b.slug, b.date) for b in old_briefs if not b.draft or config.drafts}
                             != {(b.slug, b.date) for b in new_briefs if not b.draft or config.drafts})
            # A static change may hand robots.txt over to, or back from, the site's static/.
            site_files = work.site_files(changed_briefs or change.removed_briefs or dirty or static_changed,
                                         sitemaps=first or templates_changed or work.paths_changed or dates_changed)
            # Clashes between pages and static files are found before anything is written.
            static_refresh = None if staging is not None else \
                self._plan_static(work, produced, site_files, config, static_changed)
            self._lap("feeds and sitemaps")
        except BaseException as error:
            if staging is not None:
                staging.abort()
            if isinstance(error, BriefgenError) and not memory.fresh:
                undo()
            raise

        # Everything is rendered: from here on, only writing.
        warnings = _warnings(outcomes)
        if staging is not None:
            written, search_warning = self._write_clean(memory, staging, outputs, site_files, config,
                                                        bool(site.briefs))
        else:
            assert static_refresh is not None
            try:
                written, search_warning = self._write_changes(work, produced, site_files, static_refresh,
                                                              bool(site.briefs))
            except BriefgenError:
                undo()  # the output folder was put back as it was: so is the memory
                raise
        self._lap("write")
        if search_warning is not None:
            warnings.append(search_warning)
        warnings.extend(dead_root_links(outcomes, memory.outputs, memory.static_outputs))  # both now final
        memory.sources = sources
        if self._source_index is not None:
            if first:
                self._source_index = None
            else:
                for key in gone:
                    for path in key:
                        self._source_index.pop(os.path.abspath(path), None)
                for key in loaded:
                    self._index_source(key)
        memory.registry = registry
        memory.outcomes = outcomes
        memory.templates_digest = templates_digest
        memory.static_digest = static_digest
        work.commit()
        report = self._report(memory, config, files_written=written, warnings=warnings, incremental=not first)
        report = replace(report, files_deleted=work.files_deleted)
        return replace(report, changed=None if first else work.changed_paths), memory

    def _unchanged_since_manifest(self, config: Config, key: str) -> BuildReport | None:
        """The last build's report when no source changed since it (known without loading its state)."""
        manifest = load_state(self.site_dir, key, MANIFEST_FILE)
        if not isinstance(manifest, Manifest):
            return None
        errors = ErrorCollector()
        files = find_content(config, errors)
        if errors.errors or (str(files.registry) if files.registry else None) != manifest.registry_path:
            return None
        if manifest.registry_path and not unchanged(Path(manifest.registry_path), manifest.registry_stamp):
            return None
        pairs = {(str(a), str(s)): (a, s) for a, s in files.pairs}
        if pairs.keys() != manifest.stamps.keys():
            return None
        for pair_key, (article, sidecar) in pairs.items():
            article_stamp, sidecar_stamp = manifest.stamps[pair_key]
            if not unchanged(article, article_stamp) or not unchanged(sidecar, sidecar_stamp):
                return None
        if templates_fingerprint(config) != manifest.templates_digest or \
                static_fingerprint(config) != manifest.static_digest:
            return None
        if not outputs_present(self.out, manifest.outputs):
            return None
        return replace(manifest.report, files_written=0, incremental=True, changed=())

    # -- loading ------------------------------------------------------------------------------------

    def _index_source(self, key: tuple[str, str]) -> None:
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
                        changed: Collection[Path] | None) -> set[tuple[str, str]] | None:
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
        edited: set[tuple[str, str]] = set()
        for path in changed:
            path = Path(os.path.abspath(path))
            if path == registry and path.is_file():
                continue  # its stamp is checked on every build
            if content != path and content not in path.parents:
                continue  # templates/, static/, briefgen.yaml: checked on every build
            key = index.get(str(path))
            if key is None or not path.is_file():
                return None  # a new, deleted or ignored file, or a folder
            edited.add(key)
        return edited

    def _load_pairs(self, pairs: Sequence[tuple[Path, Path]], config: Config,
                    errors: ErrorCollector) -> dict[tuple[str, str], SourceRecord]:
        def load_record(pair: tuple[Path, Path]) -> tuple[SourceRecord | None, list[BriefgenError]]:
            # Stamped before reading: an edit made while the pair is read is seen by the next build.
            article_stamp, sidecar_stamp = file_stamp(pair[0]), file_stamp(pair[1])
            result, pair_errors = load_pair(pair, config)
            if result is None:
                return None, pair_errors
            brief, refs = result
            return SourceRecord(article_stamp, sidecar_stamp, brief, tuple(refs)), pair_errors

        records: dict[tuple[str, str], SourceRecord] = {}
        for pair, (record, pair_errors) in zip(pairs, parallel_map(load_record, pairs, jobs=self.jobs)):
            errors.extend(pair_errors)
            if record is not None:
                records[(str(pair[0]), str(pair[1]))] = record
        return records

    def _load_registry(self, path: Path | None, config: Config, errors: ErrorCollector) -> RegistryRecord | None:
        if path is None:
            return None
        return RegistryRecord(str(path), file_stamp(path), tuple(load_registry(path, config, errors)))

    def _render_bodies(self, site: Site, change: SiteChange,
                       previous: dict[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]], config: Config,
                       errors: ErrorCollector
                       ) -> tuple[dict[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]], set[str]]:
        """Every brief's rendering: reused when its brief and entities are as before, else redone."""
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
        todo = []
        for slug in sorted(candidates):
            brief = site.by_slug.get(slug)
            if brief is None:
                continue
            entities = site.entities_of(brief)
            kept = outcomes.get(slug)
            if kept is None or kept[0] != brief or kept[1] != entities:
                todo.append((brief, entities))
        converter = BriefMarkdown(unsafe_html=config.unsafe_html)
        results = parallel_map(lambda item: render_brief(item[0], item[1], converter, config), todo, jobs=self.jobs)
        rerendered = set()
        for (brief, entities), outcome in zip(todo, results):
            errors.extend(outcome.errors)
            kept = outcomes.get(brief.slug)
            if kept is None or unpacked(kept[2]) != outcome:
                rerendered.add(brief.slug)
            outcomes[brief.slug] = (brief, entities, outcome)
        return outcomes, rerendered

    # -- writing ------------------------------------------------------------------------------------

    def _write_clean(self, memory: BuildMemory, writer: OutputWriter, outputs: dict[PurePosixPath, str],
                     site_files: list[tuple[PurePosixPath, bytes]], config: Config,
                     has_briefs: bool) -> tuple[int, BuildWarning | None]:
        """A first build: the rest into the staging folder with the pages, then swapped in."""
        search_warning = None
        try:
            for path, data in site_files:
                writer.write(path, data)
                outputs[path] = bytes_digest(data)
            before_static = set(writer.written)
            _copy_static(writer, config)
            memory.static_outputs = frozenset(set(writer.written) - before_static)
            if self.search and has_briefs:
                # Pagefind reads the staged pages: after every page is written, before the swap.
                # Checked first: run_step looks at every staged file, for nothing when search is off.
                search_warning = search_skipped() or writer.run_step(index_site, "Pagefind (the search index)")
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        memory.outputs = outputs
        memory.pages = sum(1 for path in outputs if path.name.endswith(".html"))
        memory.built_before = True
        return len(writer.written), search_warning

    def _plan_static(self, work: "PageWork", produced: dict[Group, Produced],
                     site_files: list[tuple[PurePosixPath, bytes]], config: Config,
                     static_changed: bool) -> "StaticRefresh":
        """A rebuild's static files to copy again and those gone; a clash with a page is an error.

        Checked as a clean build would: a static file may not be a page, a
        folder of pages, or inside a generated file's path. A site's own
        static/robots.txt replaces the generated one.
        """
        memory = work.memory
        new_paths = {path for items in produced.values() for path, _, _ in items} | {path for path, _ in site_files}
        generated = (set(memory.outputs) - work.deleted) | new_paths
        if (config.static_dir / str(ROBOTS)).is_file():
            generated.discard(ROBOTS)
        if not static_changed:
            clash = find_clash(new_paths - set(memory.outputs), memory.static_outputs)
            if clash is not None:
                raise clash_error(clash[0], "briefgen", f"the static file {clash[1]}",
                                  where=config.static_dir / str(clash[1]))
            return StaticRefresh({}, set())
        writer = OutputWriter(self.out)
        try:
            for path in sorted(generated):
                writer.claim(path, "briefgen")
            _copy_static(writer, config)
            files = {path: (writer.staging / path).read_bytes() for path in writer.written if path not in generated}
        finally:
            writer.abort()
        return StaticRefresh(files, set(memory.static_outputs) - set(files))

    def _write_changes(self, work: "PageWork", produced: dict[Group, Produced],
                       site_files: list[tuple[PurePosixPath, bytes]], static: "StaticRefresh",
                       has_briefs: bool) -> tuple[int, BuildWarning | None]:
        """A rebuild: write the files whose bytes changed and delete the pages that are gone."""
        memory = work.memory
        writes: dict[PurePosixPath, bytes] = {}
        for items in produced.values():
            for path, data, _ in items:
                if data is not None:
                    writes[path] = data
        writes.update(site_files)
        changed = {path: data for path, data in writes.items()
                   if memory.outputs.get(path) != bytes_digest(data) or not (self.out / path).is_file()}
        deletes = work.deleted - set(writes)
        every_delete = deletes | (static.gone - set(writes))
        written = replace_in_place(self.out, {**changed, **static.files}, every_delete)
        work.files_deleted = len(every_delete)
        for path in static.files:
            memory.outputs.pop(path, None)  # robots.txt, now the site's own
        work.changed_paths = tuple(sorted(str(path) for path in set(changed) | deletes))
        for path in deletes:
            if memory.outputs.pop(path, None) is not None and path.name.endswith(".html"):
                memory.pages -= 1
        for path, data in changed.items():
            if path not in memory.outputs and path.name.endswith(".html"):
                memory.pages += 1
            memory.outputs[path] = bytes_digest(data)
        if static.files or static.gone:
            memory.static_outputs = frozenset(static.files)
        search_warning = None
        if self.search and has_briefs and any(path.suffix == ".html" for path in set(changed) | deletes):
            # Pagefind writes its whole index again; stale parts of the old one must not stay behind.
            shutil.rmtree(self.out / BUNDLE, ignore_errors=True)
            search_warning = index_site(self.out)
        return written, search_warning

    def _report(self, memory: BuildMemory, config: Config, *, files_written: int, incremental: bool,
                warnings: Sequence[BuildWarning] | None = None) -> BuildReport:
        state = memory.state
        return BuildReport(
            out_dir=self.out, pages=memory.pages,
            files=len(memory.outputs), briefs=len(state.briefs),
            entities=sum(1 for key in state.holders if key in state.entities), seconds=0.0,
            warnings=tuple(sorted(warnings if warnings is not None else _warnings(memory.outcomes) +
                                  dead_root_links(memory.outcomes, memory.outputs, memory.static_outputs),
                                  key=_warning_order)),
            notes=() if config.base_url else (NO_BASE_URL_NOTE,), files_written=files_written,
            incremental=incremental,
        )


class RenderedView(Mapping[str, RenderedBrief]):
    """Each brief's rendering, read straight from the build's outcomes (no copy per build)."""

    def __init__(self, outcomes: dict[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]]) -> None:
        self._outcomes = outcomes

    def __getitem__(self, slug: str) -> RenderedBrief:
        brief, entities, outcome = self._outcomes[slug]
        if isinstance(outcome.rendered, Packed):  # as loaded from the cache: unpacked once, on first use
            outcome = unpacked(outcome)
            self._outcomes[slug] = (brief, entities, outcome)
        return outcome.rendered

    def __iter__(self) -> Iterator[str]:
        return iter(self._outcomes)

    def __len__(self) -> int:
        return len(self._outcomes)


def unpacked(outcome: BriefOutcome) -> BriefOutcome:
    """The outcome with its rendered brief unpickled, if the saved state kept it packed."""
    if isinstance(outcome.rendered, Packed):
        return replace(outcome, rendered=outcome.rendered.unpack())
    return outcome


def dead_root_links(outcomes: Mapping[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]],
                    outputs: Mapping[PurePosixPath, str], static: Collection[PurePosixPath]) -> list[BuildWarning]:
    """A warning for each link from the site's root (`/briefs/x/`) in a body that leads to no file of the site."""
    warnings = []
    for brief, _, outcome in outcomes.values():
        for link in outcome.root_links:
            path = urlsplit(link).path[1:]
            if path == "" or path.endswith("/"):
                path += "index.html"
            target = PurePosixPath(unquote(path))
            if target not in outputs and target not in static:
                warnings.append(BuildWarning(f"link to {link} leads to no page or file of the site",
                                             Path(brief.article_path)))
    return warnings


def outputs_present(out: Path, paths: Iterable[str]) -> bool:
    """Whether every file a build wrote (paths relative to `out`) is still there."""
    base = str(out)
    return all(os.path.isfile(os.path.join(base, path)) for path in paths)


def templates_fingerprint(config: Config) -> str:
    """A digest of every template a build may read: the site's and the built-in theme's.

    Their static/ folders are assets, copied rather than rendered: an edited
    stylesheet is a static change, not a reason to render every page again.
    """
    return folder_digest([config.templates_dir, builtin_templates_dir()], skip="static")


def static_fingerprint(config: Config) -> str:
    """A digest of every folder `_copy_static` copies from: a theme's static/ files are static files too."""
    return folder_digest([config.static_dir, config.templates_dir / "static", builtin_templates_dir() / "static"])


def _duplicate_slugs(records: Iterable[SourceRecord]) -> list[BriefgenError]:
    return duplicate_slugs(record.brief for record in records)


def _warnings(outcomes: dict[str, tuple[Brief, tuple[Entity, ...], BriefOutcome]]) -> list[BuildWarning]:
    return [warning for _, _, outcome in outcomes.values() for warning in outcome.warnings]


def _warning_order(warning: BuildWarning) -> tuple[str, int, str]:
    return (str(warning.path or ""), warning.line or 0, warning.message)


def _copy_static(writer: OutputWriter, config: Config) -> None:
    """The theme's assets (a site's own static/assets/ files win), then the site's static/."""
    user_assets = frozenset(
        THEME_ASSETS / PurePosixPath(path.relative_to(config.static_dir / "assets").as_posix())
        for path in (config.static_dir / "assets").rglob("*") if path.is_file()
    ) if (config.static_dir / "assets").is_dir() else frozenset()
    site_theme_static = config.templates_dir / "static"
    theme_skip = user_assets
    if site_theme_static.is_dir():
        writer.copy_tree(site_theme_static, THEME_ASSETS, skip=user_assets)
        theme_skip = user_assets | frozenset(
            THEME_ASSETS / PurePosixPath(p.relative_to(site_theme_static).as_posix())
            for p in site_theme_static.rglob("*") if p.is_file())
    writer.copy_tree(builtin_templates_dir() / "static", THEME_ASSETS, skip=theme_skip)
    writer.copy_tree(config.static_dir)
