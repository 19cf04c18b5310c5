"""The build's memory on disk: what a command may reuse of the last one, and whether it still holds.

Owns reading and saving the memory (`.briefgen-cache/`, through `store.py`), checking it against
the sources and the output folder it describes, and taking over the memory
and files of another output folder of the same site (the dev server's start).
The rule it keeps: a saved memory is used only when the output folder still
holds exactly the site it describes, so no build ever says "nothing changed"
over a page that is not what was last saved. Must not render or decide what
a page looks like.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from . import store
from .cache import CACHE_DIR, Listing, prepare_cache_folder, static_fingerprint, templates_fingerprint, unchanged
from .config import Config
from .errors import BriefgenError, ErrorCollector
from .lock import build_locks, output_lock_path
from .memory import (
    BodyNotes,
    BuildMemory,
    BuildReport,
    Manifest,
    OutputsCheck,
    PageIndex,
    Restamped,
    StampsCheck,
    outputs_present,
    source_of,
    source_paths,
)
from .model import FileRefs
from .ownership import OwnedLines, read_fingerprint
from .scan import PairKey, find_content
from .write import link_outputs


@dataclass(frozen=True)
class SinceManifest:
    """What changed since the last build, as its manifest tells without loading its memory.

    `report`: the last build's report, when nothing did. `edited`: otherwise, the briefs whose
    article or sidecar changed, when nothing else did (no file came or went, no photo or registry
    changed), so the build need not scan and stamp every file again; None when it must.
    `outputs`: the check, under way, that the last build's files are all there, for `saved_memory`.
    `listing`: the content folder as walked now, when the manifest's stamps of it no longer held
    (though it has the same files): an edited build keeps it for the next. `manifest`: with `edited`,
    the manifest read, which the build's own can be made from. `stamps`: the check of the sources'
    stamps, still under way when a file was seen to differ (a build follows, which loads its memory
    meanwhile): `settled` waits for it and says which briefs were edited.
    """

    report: BuildReport | None = None
    edited: frozenset[PairKey] | None = None
    outputs: OutputsCheck | None = None
    listing: Listing | None = None
    manifest: Manifest | None = None
    stamps: StampsCheck | None = None

    def settled(self) -> SinceManifest:
        """This comparison with `edited` known: waits for the check of the stamps, if it is under way."""
        if self.stamps is None:
            return self
        changed = self.stamps.changed()
        if changed is None:  # a brief came or went: the build scans the content folder
            return replace(self, stamps=None, manifest=None)
        # None edited (a file touched, its bytes the same): the build finds nothing to do.
        return replace(self, stamps=None, edited=frozenset(source_of(self.stamps.paths, position)
                                                           for position in changed))


def since_manifest(site_dir: Path, out: Path, config: Config, key: str) -> SinceManifest:
    """Compare the sources with the last build's manifest (known without loading its memory)."""
    manifest = store.load(site_dir / CACHE_DIR, store.MANIFEST, key)
    if not isinstance(manifest, Manifest):
        return SinceManifest()
    # The outputs are checked on a second core while this one checks the sources. The memory saved
    # with this manifest (in the same transaction; the cache is locked) names the same outputs.
    outputs = OutputsCheck(out, manifest.outputs)
    try:
        since = _since(manifest, out, config, outputs)
    except BaseException:
        outputs.cancel()  # no content folder, an unreadable file, ^C: no child is left behind
        raise
    if since.report is not None and since.listing is not None:
        # Nothing changed, but the folders' stamps had (an editor's swap file came and went): the
        # next no-op need not list content/ again.
        try:
            store.replace_plain(site_dir / CACHE_DIR, store.MANIFEST, key, replace(manifest, listing=since.listing))
        except (OSError, sqlite3.Error):
            pass  # the next no-op lists the folder again: slower, not wrong
    return since


def _since(manifest: Manifest, out: Path, config: Config, outputs: OutputsCheck) -> SinceManifest:
    """`since_manifest`'s comparison, with the outputs' check under way."""
    nothing = SinceManifest(outputs=outputs)
    listing = None  # the content folder's stamps, when it had to be walked
    if manifest.listing is not None and manifest.listing.holds():
        paths = manifest.sources.files()  # no file came, went or was renamed: no walk needed
    else:
        errors = ErrorCollector()
        files = find_content(config, errors)
        if errors.errors or (str(files.registry) if files.registry else None) != manifest.registry_path:
            return nothing
        paths, listing = source_paths(sorted(files.keys)), files.listing
    if manifest.registry_path and not unchanged(Path(manifest.registry_path), manifest.registry_stamp):
        return nothing
    stamps = StampsCheck(manifest.sources, paths)
    try:
        if not all(unchanged(path, stamp) for path, stamp in manifest.extra_stamps):
            stamps.cancel()
            return nothing
        if stamps.suspected():  # a file differs: the memory is loaded while its check ends
            return SinceManifest(outputs=outputs, listing=listing, manifest=manifest, stamps=stamps)
        changed = stamps.changed()
    except BaseException:
        stamps.cancel()
        raise
    if changed is None:  # a brief came or went
        return nothing
    edited = frozenset(source_of(paths, position) for position in changed)
    if edited:
        return SinceManifest(edited=edited, outputs=outputs, listing=listing, manifest=manifest)
    if templates_fingerprint(config) != manifest.templates_digest or \
            static_fingerprint(config) != manifest.static_digest:
        return SinceManifest(edited=edited, outputs=outputs, listing=listing, manifest=manifest)
    if not (manifest.due_span.holds(config.now) and manifest.news_span.holds(config.now)):
        return SinceManifest(edited=edited, outputs=outputs, listing=listing, manifest=manifest)
    if manifest.site_fingerprint != read_fingerprint(out) or not outputs.present():
        return nothing
    return SinceManifest(report=replace(manifest.report, files_written=0, incremental=True, changed=()),
                         listing=listing)


def saved_memory(site_dir: Path, out: Path, key: str, outputs: OutputsCheck | None = None) -> BuildMemory | None:
    """The memory the last command saved, if every file it wrote is still in the output folder.

    `outputs`: the check of its files that `since_manifest` started, if it did."""
    memory = store.load(site_dir / CACHE_DIR, store.MEMORY, key)
    present = outputs.present() if outputs is not None else None  # waited for whatever is loaded
    if not isinstance(memory, BuildMemory) or memory.site_fingerprint != read_fingerprint(out) \
            or not (present if present is not None else outputs_present(out, memory.output_paths())):
        # No cache; or the output folder is not the site the memory describes (another build, one
        # stopped halfway, a memory that could not be saved); or files were deleted by hand.
        return None
    return memory


def save_memory(site_dir: Path, memory: BuildMemory, report: BuildReport, since: Restamped | None = None) -> bool:
    """Save the memory and its manifest for the next command; False if that failed. `since`: see
    `Manifest.of`.

    A memory that was not saved never misleads the next build: it names the
    site it describes, and the output folder then holds another.
    """
    # Here: a no-op build, which saves nothing, does not import what renders.
    from .entities import CoCounts, FilesById, ListedBy, SiteIndexes
    from .rendered import RenderedBrief

    try:
        store.save(prepare_cache_folder(site_dir), memory.key,
                   {store.MEMORY: memory, store.MANIFEST: functools.partial(Manifest.of, memory, report, since)},
                   rows=(RenderedBrief, FileRefs, CoCounts, FilesById, ListedBy, OwnedLines),
                   records=(PageIndex, BodyNotes, SiteIndexes, store.Shard))
    except (OSError, sqlite3.Error):
        return False
    return True


def has_memory(site_dir: Path, key: str) -> bool:
    """Whether the store holds a memory saved for `key` (reading its key alone)."""
    return store.saved_key(site_dir / CACHE_DIR, store.MEMORY) == key


def memory_of_built(site_dir: Path, built: Path, built_key: str, out: Path) -> BuildMemory | None:
    """Take over the memory of the output folder `built` and link its files into the new folder `out`.

    None, and nothing done, when `built` has no saved memory that describes
    it, or is being built. Hard links, so it costs no copy: every build
    replaces a file by a rename, never writes into one, so `built` never
    changes through them.
    """
    memory = store.load(site_dir / CACHE_DIR, store.MEMORY, built_key)
    if not isinstance(memory, BuildMemory) or not memory.built_before:
        return None
    try:
        with build_locks([output_lock_path(built)], wait=False):
            if memory.site_fingerprint != read_fingerprint(built):
                return None  # the memory describes another site than the one the folder holds now
            link_outputs(built, out, memory.output_paths())
    except (BriefgenError, OSError):
        return None
    return memory
