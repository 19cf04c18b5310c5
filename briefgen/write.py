"""Write stage: the only writer of output files.

Owns putting pages and static files into a fresh folder beside the output,
refusing two writes to one path, and replacing the output folder only when
the whole build succeeded, so a failed build leaves the previous site as it
was. Must not render.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import stat
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .cache import CACHE_DIR, bytes_digest
from .config import Config, builtin_templates_dir
from .errors import BriefgenError, BuildWarning, cannot_read, cannot_write
from .lock import remove_later
from .model import Group, OutputPath
from .ownership import (
    OWNED_LIST,
    PENDING,
    OwnedLines,
    carry_over,
    outputs_total,
    owned_lines,
    owned_list,
    site_fingerprint,
    updated_total,
    write_list,
)
from .search import BUNDLE, IndexedPages, index_site, search_skipped
from .sitemap import ROBOTS

T = TypeVar("T")
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class OutputWriter:
    """Collects a build's files in a staging folder, then swaps it into place."""

    def __init__(self, out_dir: Path) -> None:
        # A symlinked output folder (site/ → /var/www/html) is replaced where it leads, not unlinked.
        self.out_dir = out_dir.resolve() if out_dir.is_symlink() else out_dir
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self.staging = make_folder_beside(self.out_dir, "building")
        except OSError as exc:
            raise cannot_write(self.out_dir.parent, exc, f"the new site is built beside {self.out_dir.name}/ "
                               "and swapped in, so its parent folder must be writable") from None
        self.written: dict[OutputPath, str] = {}
        self._claimed_folders: dict[OutputPath, str] = {}  # folders of claimed files: who claimed first
        self._folders: set[OutputPath] = set()  # made already: one mkdir per folder, not per file

    def write(self, path: OutputPath, data: bytes, origin: str = "briefgen") -> None:
        """Write one output file; a second write to the same path is an error naming both."""
        self._claim(path, origin)
        self.put(path, data)

    def put(self, path: OutputPath, data: bytes) -> None:
        """Write one output file without claiming it: for worker processes, whose caller claims it after.

        Safe in a forked worker (folders made elsewhere are simply made
        again). A path two workers both put is caught when the second claim
        fails, and the staged build is then thrown away.
        """
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(self.staging / folder, exist_ok=True)
            self._folders.add(folder)
        # os.open, not open(): a file object's buffering asks the file whether it is a terminal and
        # where it starts, two system calls per file that a site of 30,000 files feels.
        try:
            handle = os.open(os.path.join(self.staging, path), WRITE_FLAGS, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)
        except OSError as exc:
            raise _write_error(self.out_dir / path, exc, staged=True) from None

    def put_with_digest(self, path: OutputPath, data: bytes) -> bytes:
        """`put`, then the digest of what was put (for a worker that stores the pages it renders)."""
        self.put(path, data)
        return bytes_digest(data)

    def claim(self, path: OutputPath, origin: str) -> None:
        """Record a file a worker `put`; a second claim of one path is an error naming both."""
        self._claim(path, origin)

    def claimant(self, path: OutputPath) -> str | None:
        """Who writes `path`, a file inside it, or a file where one of its folders would be; None: nobody."""
        if path in self.written:
            return self.written[path]
        if path in self._claimed_folders:
            return f"{self._claimed_folders[path]} (a folder)"
        return next((self.written[folder] for folder in folders_of(path) if folder in self.written), None)

    def copy_tree(self, source: Path, prefix: OutputPath = "", *, skip: frozenset[OutputPath] = frozenset()) -> None:
        """Copy a folder's files as they are (names starting with '.' are left out)."""
        if not source.is_dir():
            return
        root = source.resolve()
        def unreadable(exc: OSError) -> None:  # os.walk would leave an unreadable folder out without a word
            raise cannot_read(exc.filename, exc)

        for folder, dirnames, filenames in os.walk(source, onerror=unreadable):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                file_path = Path(folder) / name
                if not os.path.exists(file_path):
                    raise BriefgenError("symlink leads nowhere (its target is missing, or it loops)", file_path,
                                        hint="remove the link or point it at a file in the folder")
                real = file_path.resolve()
                if root not in real.parents:
                    raise BriefgenError("symlink leads outside the folder and is not followed", file_path,
                                        hint="copy the file in instead of linking to it")
                relative = inside(prefix, file_path.relative_to(source).as_posix())
                if relative in skip:
                    continue
                self._claim(relative, str(file_path))
                target = self.staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file_path, target)

    def _claim(self, path: OutputPath, origin: str) -> None:
        """Record who writes `path`; a path claimed twice, or as a file and as a folder, is an error."""
        if path in self.written:
            raise clash_error(path, self.written[path], origin)
        if path in self._claimed_folders:
            raise clash_error(path, f"{self._claimed_folders[path]} (a folder)", origin)
        new_folders = []
        for folder in folders_of(path):
            if folder in self._claimed_folders:
                break  # it and every folder above it were checked when first claimed
            if folder in self.written:
                raise clash_error(folder, self.written[folder], f"{origin} (a folder)")
            new_folders.append(folder)
        for folder in new_folders:
            self._claimed_folders[folder] = origin
        self.written[path] = origin

    def run_step(self, step: Callable[[Path], T], origin: str) -> T:
        """Run `step` on the staged folder, once every page is written and before commit; claim what it adds.

        For tools that read the built pages and add files beside them (the
        search index). A step may only add files: one that changes a file
        already written is refused, like any second write to a path.
        """
        before = {path: self._stamp(path) for path in self.written}
        result = step(self.staging)
        for folder, dirnames, filenames in os.walk(self.staging):
            dirnames.sort()
            for name in sorted(filenames):
                relative = Path(folder, name).relative_to(self.staging).as_posix()
                if relative not in before:
                    self._claim(relative, origin)
        changed = sorted(path for path, stamp in before.items() if self._stamp(path) != stamp)
        if changed:
            raise BriefgenError(f"{origin} changed files it must only read: {', '.join(changed[:5])}")
        return result

    def _stamp(self, path: OutputPath) -> tuple[int, int] | None:
        try:
            stat = (self.staging / path).stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def commit(self) -> None:
        """Replace the output folder with the staged build."""
        old = None
        if self.out_dir.exists() or self.out_dir.is_symlink():
            old = make_folder_beside(self.out_dir, "old")
            os.rename(self.out_dir, old / "site")
        os.rename(self.staging, self.out_dir)
        if old is not None:
            remove_later(old)

    def abort(self) -> None:
        """Throw the staged files away; the output folder is untouched."""
        shutil.rmtree(self.staging, ignore_errors=True)


def clash_error(path: OutputPath, first: str, second: str, where: Path | None = None) -> BriefgenError:
    """Two sources of output want the same path (as a file, or one of them as a folder)."""
    if where is None and not second.startswith("briefgen"):
        where = Path(second.removesuffix(" (a folder)"))
    return BriefgenError(f"two things want to write {path}: {first} and {second}", where,
                         hint="rename the static file, or the brief, tag or entity it clashes with")


def find_clash(paths: Iterable[OutputPath], others: Iterable[OutputPath]) -> tuple[OutputPath, OutputPath] | None:
    """A path of `paths` that is one of `others`, a folder holding one, or inside one; with that other."""
    others = set(others)
    folders = {folder: other for other in sorted(others) for folder in folders_of(other)}
    for path in sorted(paths):
        if path in others:
            return path, path
        if path in folders:
            return path, folders[path]
        for folder in folders_of(path):
            if folder in others:
                return path, folder
    return None


def folders_of(path: OutputPath) -> Iterator[OutputPath]:
    """The folders an output path is in, innermost first: 'a/b/c.html' → 'a/b', 'a'."""
    while "/" in path:
        path = path.rpartition("/")[0]
        yield path


def inside(folder: OutputPath, path: str) -> OutputPath:
    """`path` (relative, '/'-separated) inside the output folder's `folder` ('' is its top)."""
    return f"{folder}/{path}" if folder else path


def make_folder_beside(path: Path, purpose: str) -> Path:
    """A new, uniquely named folder next to `path`, with the permissions the umask gives.

    Not `tempfile.mkdtemp`: its folders are private (0700), and the staged
    folder becomes the site, which a web server running as another user
    must be able to read.
    """
    while True:
        folder = path.parent / f".{path.name}.{purpose}-{secrets.token_hex(4)}"
        try:
            os.mkdir(folder, 0o777)
            return folder
        except FileExistsError:
            continue


def restore_interrupted_swap(out_dir: Path) -> None:
    """Put back an output folder that a killed build had moved aside but not yet replaced.

    `commit` renames the old folder aside, then the new one into place: a
    build killed between the two leaves no output folder, and the old site
    (with the user's own files) beside it. Call with the build's lock held,
    before the work folders of killed builds are removed.
    """
    target = out_dir.resolve() if out_dir.is_symlink() else out_dir
    if target.exists() or not target.parent.is_dir():
        return
    for aside in sorted(target.parent.glob(f".{target.name}.old-*")):
        if (aside / "site").is_dir():
            os.rename(aside / "site", target)
            return


def check_output_folder(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy the site or unrelated files."""
    out = out_dir.resolve()
    site = site_dir.resolve()
    if out == site or out in site.parents:
        raise BriefgenError(f"the output folder {out_dir} contains the site itself", out_dir,
                            hint="choose an output folder such as site/ inside the site")
    for protected in ("content", "templates", "static", CACHE_DIR):
        folder = site / protected
        if out == folder or folder in out.parents:
            raise BriefgenError(f"the output folder {out_dir} is inside {protected}/", out_dir,
                                hint="choose an output folder such as site/")
    if out.is_file():
        raise BriefgenError(f"the output path {out_dir} is a file", out_dir, hint="choose a folder")
    if out.is_dir() and any(out.iterdir()) and not built_by_briefgen(out):
        raise BriefgenError(f"the output folder {out_dir} has files that briefgen did not build", out_dir,
                            hint="build into an empty folder (later, files added beside briefgen's are kept), "
                                 "or choose another")


def built_by_briefgen(out: Path) -> bool:
    """Whether briefgen built this folder: it holds the list of what briefgen wrote (or, from before
    lists were kept, a home page beside the theme's stylesheet)."""
    return (out / OWNED_LIST).is_file() or (
        (out / "index.html").is_file() and (out / THEME_ASSETS / "briefgen.css").is_file())


def link_outputs(built: Path, out_dir: Path, paths: Iterable[str]) -> None:
    """Hard-link into the new folder `out_dir` the files briefgen wrote into `built`: `paths`, the list
    of owned files and the search index. Raises OSError (another file system, say); `out_dir` is then
    removed again.

    Safe because briefgen never writes into a file of an output folder: it
    writes a new one and renames it over the old (see `replace_in_place`),
    which leaves the other folder's link to the old one as it was.
    """
    out_dir.mkdir(parents=True)
    try:
        made: set[Path] = {out_dir}
        bundle = built / BUNDLE
        index_files = (str(Path(folder, name).relative_to(built)) for folder, _, names in os.walk(bundle)
                       for name in names) if bundle.is_dir() else ()
        for path in itertools.chain(paths, [str(OWNED_LIST)], index_files):
            target = out_dir / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.link(built / path, target)
    except OSError:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise


def replace_in_place(out_dir: Path, files: dict[OutputPath, bytes], deletes: set[OutputPath], *,
                     lists: tuple[bytes, bytes] | None = None,
                     owned: Callable[[OutputPath], bool] = lambda path: True) -> int:
    """Write changed files into an existing output folder and delete pages that are gone: all or nothing.

    For incremental builds, which change a handful of files. Every new file
    is first written into a work folder beside the output (a full disk fails
    here, with the site untouched). Then old files are moved aside and new
    ones moved in, each a rename, so a reader (the dev server, a browser)
    never sees half a file; if a move fails, every move made is undone.
    Folders left empty by deleted pages are removed. Returns how many files
    were written or deleted.

    `lists`: the folder's list of owned files while files move (it says
    `pending`) and after. A file in the way that is not `owned` is the
    user's: an error, and nothing moves.
    """
    out_dir = out_dir.resolve()
    for path in sorted(files):
        foreign = _foreign_file_at(out_dir, path, owned)
        if foreign is not None:
            raise BriefgenError(f"{foreign.relative_to(out_dir)} is in the output folder but briefgen did not "
                                f"write it, and the build writes {path} there now", foreign,
                                hint="move that file out of the output folder, or rename what clashes with it")
    swap = _Swap(out_dir)
    try:
        staged = swap.stage(files)
        if lists is not None:
            swap.replace_list(lists[0])
        # Deletes first: a file that becomes a folder of the same name (or the reverse) makes room.
        for path in sorted(deletes):
            swap.remove(path)
        for path in sorted(files):
            swap.place(path, staged[path])
        if lists is not None:
            write_list(out_dir, lists[1])
    except OSError as exc:
        swap.roll_back()
        raise _write_error(swap.target, exc) from None
    shutil.rmtree(swap.work, ignore_errors=True)  # a rebuild's few old files: quicker than starting `rm`
    for path in sorted(deletes, reverse=True):
        folder = (out_dir / path).parent
        while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return len(files) + len(deletes)


class _Swap:
    """The moves of one rebuild in the output folder, each noted with how to take it back."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.work = make_folder_beside(out_dir, "update")
        self.aside = self.work / "old"
        self.undo: list[Callable[[], None]] = []  # in the order the steps were done
        self.target = out_dir  # the file being written or moved: named when something fails
        self._kept = 0

    def stage(self, files: dict[OutputPath, bytes]) -> dict[OutputPath, Path]:
        """Write every new file into the work folder (a full disk fails here, the site untouched)."""
        staged: dict[OutputPath, Path] = {}
        for number, path in enumerate(sorted(files)):
            self.target = self.out_dir / path
            staged[path] = self.work / f"new-{number}"
            handle = os.open(staged[path], os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            with os.fdopen(handle, "wb") as out:
                out.write(files[path])
        os.mkdir(self.aside)
        return staged

    def replace_list(self, data: bytes) -> None:
        before = (self.out_dir / OWNED_LIST).read_bytes() if (self.out_dir / OWNED_LIST).is_file() else None
        write_list(self.out_dir, data)
        self.undo.append(lambda: write_list(self.out_dir, before) if before is not None else None)

    def set_aside(self, old: Path) -> None:
        backup = self.aside / str(self._kept)
        self._kept += 1
        os.rename(old, backup)
        self.undo.append(lambda: os.rename(backup, old))

    def remove(self, path: OutputPath) -> None:
        self.target = self.out_dir / path
        if self.target.is_file() or self.target.is_symlink():
            self.set_aside(self.target)

    def place(self, path: OutputPath, staged: Path) -> None:
        self.target = target = self.out_dir / path
        for folder in reversed(target.relative_to(self.out_dir).parents[:-1]):
            _make_folder(self.out_dir / folder, self.undo)
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()  # a folder emptied by the deletes, where a file goes now
            self.undo.append(target.mkdir)
        elif target.exists() or target.is_symlink():
            self.set_aside(target)
        os.rename(staged, target)
        self.undo.append(target.unlink)

    def roll_back(self) -> None:
        """Take back every step, newest first, and drop the work folder."""
        for step in reversed(self.undo):
            try:
                step()
            except OSError:
                pass
        shutil.rmtree(self.work, ignore_errors=True)


def _foreign_file_at(out_dir: Path, path: OutputPath, owned: Callable[[OutputPath], bool]) -> Path | None:
    """A file not `owned` at `path`, or below it when it is a folder: what a write there would destroy."""
    target = out_dir / path
    try:
        mode = os.lstat(target).st_mode  # one system call per written file: a rebuild may write thousands
    except (FileNotFoundError, NotADirectoryError):  # nothing there, or a file where a folder goes
        return None
    if not stat.S_ISDIR(mode):
        return None if owned(path) else target
    for folder, _, names in os.walk(target):
        for name in names:
            if not owned(Path(folder, name).relative_to(out_dir).as_posix()):
                return Path(folder, name)
    return None


def _make_folder(folder: Path, undo: list[Callable[[], None]]) -> None:
    """Make one folder of the output unless it is there, noting how to take it back."""
    if folder.is_dir():
        return
    folder.mkdir()
    undo.append(folder.rmdir)


def _write_error(target: Path, exc: OSError, *, staged: bool = False) -> BriefgenError:
    if staged:  # a clean build, writing beside the output folder: the site is untouched
        return BriefgenError(f"cannot write the new site: {exc.strerror or exc}", target,
                             hint="check the disk's free space and the folder's permissions; the site was not changed")
    return BriefgenError(f"cannot update the output folder: {exc.strerror or exc}", target,
                         hint="check the folder's permissions and free space, then build with --clean")


# -- the write phase of a build -----------------------------------------------------------------------

THEME_ASSETS = "assets"


@dataclass(frozen=True)
class StaticRefresh:
    """A rebuild's static files: every one to copy again (when static/ changed), and those gone."""

    files: dict[OutputPath, bytes]
    gone: set[OutputPath]


@dataclass(frozen=True)
class Written:
    """What the write phase did."""

    files: int  # written or deleted
    deleted: int
    changed: tuple[str, ...]  # a rebuild's written and deleted paths
    search_warning: BuildWarning | None
    digests: dict[OutputPath, bytes]  # every generated file written (or kept, in a rebuild) and its digest
    static: frozenset[OutputPath] | None  # the static files, when they were copied again
    fingerprint: str  # of the site now in the output folder (see ownership.py)
    outputs_total: int  # the generated files' share of it
    owned_lines: OwnedLines  # the list of owned files after its fingerprint


def copy_static(writer: OutputWriter, config: Config) -> None:
    """The theme's assets (a site's own static/assets/ files win), then the site's static/."""
    user_assets = frozenset(
        inside(THEME_ASSETS, path.relative_to(config.static_dir / "assets").as_posix())
        for path in (config.static_dir / "assets").rglob("*") if path.is_file()
    ) if (config.static_dir / "assets").is_dir() else frozenset()
    site_theme_static = config.templates_dir / "static"
    theme_skip = user_assets
    if site_theme_static.is_dir():
        writer.copy_tree(site_theme_static, THEME_ASSETS, skip=user_assets)
        theme_skip = user_assets | frozenset(
            inside(THEME_ASSETS, p.relative_to(site_theme_static).as_posix())
            for p in site_theme_static.rglob("*") if p.is_file())
    writer.copy_tree(builtin_templates_dir() / "static", THEME_ASSETS, skip=theme_skip)
    writer.copy_tree(config.static_dir)


def write_clean(writer: OutputWriter, outputs: Mapping[Group, Iterable[OutputPath]], stored: dict[OutputPath, bytes],
                site_files: list[tuple[OutputPath, bytes]], config: Config, *,
                search: IndexedPages | None) -> Written:
    """A first build: claim the pages workers `stored` (path: digest; of `outputs`, each group's
    paths), write the rest beside them, then swap in. `stored` becomes the build's digests.

    `search`: the pages to index, and their dates (see search.py), before
    the swap; None leaves search out. Files of
    the old output folder that briefgen did not write are carried into the
    new one (see `ownership.carry_over`).
    """
    search_warning = None
    digests = stored  # adopted, not copied: 250,000 paths at 100,000 briefs
    try:
        for group, paths in outputs.items():
            origin = "/".join(group)  # one text for all of the group's files
            for path in paths:
                if path in stored:
                    writer.claim(path, origin)
        for path, data in site_files:
            writer.write(path, data)
            digests[path] = bytes_digest(data)
        before_static = set(writer.written)
        copy_static(writer, config)
        static = frozenset(set(writer.written) - before_static)
        if search is not None:
            # Checked first: run_step looks at every staged file, for nothing when search is off.
            search_warning = search_skipped() or writer.run_step(
                lambda folder: index_site(folder, search, digests), "Pagefind (the search index)")
        total = outputs_total(digests)
        fingerprint = site_fingerprint(total, static)
        lines = owned_lines([*digests, *static], [BUNDLE])
        writer.write(OWNED_LIST, owned_list(fingerprint, lines))
        if writer.out_dir.is_dir():
            carry_over(writer.out_dir, writer.staging, writer.claimant)
        writer.commit()
    except OSError as exc:
        writer.abort()
        raise _write_error(writer.out_dir / (exc.filename or ""), exc, staged=True) from None
    except BaseException:
        writer.abort()
        raise
    return Written(len(writer.written), 0, (), search_warning, digests, static, fingerprint, total, lines)


def plan_static(out_dir: Path, outputs: Mapping[OutputPath, bytes], static_outputs: frozenset[OutputPath],
                new_paths: set[OutputPath], deleted: set[OutputPath], config: Config, *,
                static_changed: bool) -> StaticRefresh:
    """A rebuild's static files to copy again and those gone; a clash with a page is an error.

    Checked as a clean build would: a static file may not be a page, a
    folder of pages, or inside a generated file's path (`outputs` less
    `deleted`, and the `new_paths`). A site's own static/robots.txt replaces
    the generated one.
    """
    if not static_changed:
        clash = find_clash([path for path in new_paths if path not in outputs], static_outputs)
        if clash is not None:
            raise clash_error(clash[0], "briefgen", f"the static file {clash[1]}", where=config.static_dir / clash[1])
        return StaticRefresh({}, set())
    generated = (outputs.keys() - deleted) | new_paths
    if (config.static_dir / str(ROBOTS)).is_file():
        generated.discard(str(ROBOTS))
    writer = OutputWriter(out_dir)
    try:
        for path in sorted(generated):
            writer.claim(path, "briefgen")
        copy_static(writer, config)
        copied = {path: (writer.staging / path).read_bytes() for path in writer.written if path not in generated}
    finally:
        writer.abort()
    return StaticRefresh(copied, set(static_outputs) - set(copied))


def write_changes(out_dir: Path, outputs: Mapping[OutputPath, bytes], static_outputs: frozenset[OutputPath],
                  writes: dict[OutputPath, bytes], deleted: set[OutputPath], static: StaticRefresh, *,
                  search: IndexedPages | None, total: int, lines: OwnedLines) -> Written:
    """A rebuild: write the files whose bytes differ from `outputs`' digests, delete those gone.

    `total` and `lines`: the `outputs_total` and `owned_lines` of the last build. `search`: the pages
    to index; the shards whose pages changed are indexed again (see search.py). The
    folder's list of owned files says `pending` while files move (see ownership.py).
    """
    digests = {path: bytes_digest(data) for path, data in writes.items()}
    changed = {path: data for path, data in writes.items()
               if outputs.get(path) != digests[path] or not (out_dir / path).is_file()}
    deletes = deleted - set(writes)
    every_delete = deletes | (static.gone - set(writes))
    new_static = frozenset(static.files) if static.files or static.gone else static_outputs
    total = updated_total(total, outputs, every_delete | static.files.keys(), digests)
    fingerprint = site_fingerprint(total, new_static)
    new_outputs: Mapping[OutputPath, bytes]
    if not every_delete and not static.files and not static.gone and lines and all(map(outputs.__contains__, digests)):
        # The same files as before, some with new bytes: the list keeps its lines, and the outputs
        # their paths (read through, not copied: 250,000 of them at 100,000 briefs).
        new_outputs = ChainMap(digests, outputs)  # type: ignore[arg-type]  # read only
        lists = (owned_list(PENDING, lines), owned_list(fingerprint, lines))
    else:
        new_outputs = {path: digest for path, digest in outputs.items() if path not in every_delete
                       and path not in static.files}
        new_outputs.update(digests)
        pending = owned_lines([*outputs, *static_outputs, *new_outputs, *new_static], [BUNDLE])
        lines = owned_lines([*new_outputs, *new_static], [BUNDLE])
        lists = (owned_list(PENDING, pending), owned_list(fingerprint, lines))
    written = replace_in_place(out_dir, {**changed, **static.files}, every_delete, lists=lists,
                               owned=lambda path: path in outputs or path in static_outputs)
    search_warning = None
    if search is not None:
        search_warning = index_site(out_dir, search, new_outputs, written=changed.keys() | deletes)
    return Written(written, len(every_delete), tuple(sorted(set(changed) | deletes)),
                   search_warning, digests, frozenset(static.files) if static.files or static.gone else None,
                   fingerprint, total, lines)
