"""What incremental builds may skip: file stamps, and the state kept between runs.

Owns telling which input files changed (size and modification time first,
a content hash to confirm), fingerprints of whole folders (templates,
static), and saving and loading a builder's state under `.briefgen-cache/` in
the site folder (the build store, `store.py`), keyed by everything that would make it wrong to reuse: the
briefgen and Python versions, the configuration and the output folder.
Must not decide what a page looks like.
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from pathlib import Path

from . import __version__, store
from .config import Config, builtin_templates_dir
from .errors import cannot_read

CACHE_DIR = ".briefgen-cache"
# What versions before the build store (store.py) kept: removed when the cache is prepared or cleared.
LEGACY_FILES = ("state.pickle", "manifest.pickle")


# File systems keep modification times in ticks of a few milliseconds: a file
# written again within the same tick keeps its time. A stamp whose file was
# modified this close to when the stamp was taken is not trusted ("racy", as
# git calls it): its content is compared instead.
RACY_NS = 2_000_000_000


# A file as it was, packed in 40 bytes: its size, its modification time in ns, a hash of its bytes (16
# bytes), and when this was seen in ns. Bytes, not a tuple: the build's memory holds two per brief (at
# 100,000 briefs a tuple of three ints and a hex string took 260 bytes in five objects, these 73 in one,
# and load faster), and a table of them packs with slices (see `StampTable.of`).
FileStamp = bytes
_STAMP = struct.Struct("=qq16sq")  # native order, no padding: read as array("q") when packed
_DIGEST_BYTES = 16


def packed_stamp(size: int, mtime_ns: int, digest: bytes, taken_ns: int) -> FileStamp:
    """A stamp of these figures (`digest`: 16 bytes)."""
    return _STAMP.pack(size, mtime_ns, digest, taken_ns)


def stamp_digest(stamp: FileStamp) -> bytes:
    """The hash of the file's bytes a stamp holds."""
    return stamp[16:32]


def file_stamp(path: str | Path) -> FileStamp | None:
    """The stamp of a file, or None when it is gone or unreadable."""
    return read_stamped(path)[1]


def read_stamped(path: str | Path) -> tuple[bytes | None, FileStamp | None]:
    """A file's bytes and their stamp, from one read; (None, None) when it is gone or unreadable."""
    taken = time.time_ns()
    try:
        info = os.stat(path)
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None, None
    return data, packed_stamp(info.st_size, info.st_mtime_ns, bytes_digest(data), taken)


def unchanged(path: str | Path, old: FileStamp | None) -> bool:
    """True when `path` still has the content it had when `old` was taken.

    Size and modification time decide when they are the same and the stamp
    is not racy; otherwise the content hash does, so touching a file costs no
    rebuild and an edit in the same clock tick is still seen.
    """
    if old is None:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return False
    size, mtime_ns, digest, taken_ns = _STAMP.unpack(old)
    if mtime_ns < taken_ns - RACY_NS and info.st_size == size and info.st_mtime_ns == mtime_ns:
        return True  # trusted: not modified within a clock tick of being stamped
    current = file_stamp(path)
    return current is not None and stamp_digest(current) == digest


@dataclass(frozen=True)
class Listing:
    """The folders a walk of the content folder read, stamped just before it read them.

    A folder's modification time changes whenever a file in it is added, removed or renamed (not when
    one is edited in place: its own stamp tells that). So while every folder keeps the inode and times
    it had, and none was modified within a clock tick of its stamp ("racy", as for files), a walk would
    find the same files: a no-op build `stat`s these folders instead of reading 200,000 names.
    """

    folders: tuple[tuple[str, int, int, int], ...]  # each folder walked: path, inode, mtime and ctime in ns
    taken_ns: int  # when the walk began

    def holds(self) -> bool:
        """Whether a walk now would find what the walk that took these stamps found."""
        for path, inode, mtime_ns, ctime_ns in self.folders:
            if max(mtime_ns, ctime_ns) >= self.taken_ns - RACY_NS:
                return False
            try:
                info = os.stat(path)
            except OSError:
                return False
            if (info.st_ino, info.st_mtime_ns, info.st_ctime_ns) != (inode, mtime_ns, ctime_ns):
                return False
        return True


def folder_stamp(path: str) -> tuple[str, int, int, int]:
    """A folder's stamp for a `Listing`. Raises OSError."""
    info = os.stat(path)
    return path, info.st_ino, info.st_mtime_ns, info.st_ctime_ns


RESTAMPED_AT_MOST = 64  # files a table is restamped for (each one found by a scan of its paths)
_BLOCK = 4096  # files stated and compared at once when looking for the ones whose size or time differ
_SIZE_TIME = 16  # bytes of a file's size and time in a table's `sizes_times`: two int64


@dataclass(frozen=True)
class StampTable:
    """Many files' stamps, packed: a check that nothing changed is one `stat` per file and one comparison.

    What a no-op build reads instead of a stamp object per file (at 100,000
    briefs, 200,000 of them took 0.2 s to load and 0.8 s to compare one by
    one). The files' sizes and times are one array; a file whose size or
    time differs, or whose stamp is racy, has its content hashed, as
    `unchanged` does.
    """

    paths: str  # the stamped files, in order, NUL between them
    count: int
    sizes_times: bytes  # array('q'): each file's size and modification time in ns; size -1: no stamp
    digests: bytes  # each file's content hash, _DIGEST_BYTES bytes
    racy: tuple[int, ...]  # the files whose stamp was taken too close to their modification to trust

    @classmethod
    def of(cls, paths: Sequence[str], stamps: Sequence[FileStamp | None]) -> StampTable:
        missing = packed_stamp(-1, 0, bytes(_DIGEST_BYTES), 0)  # size -1 never matches a file's
        packed = memoryview(b"".join(missing if stamp is None else stamp for stamp in stamps)).cast("q")
        fields = _STAMP.size // 8  # size, time, the digest's two halves, when taken
        sizes, mtimes, taken = (array("q", packed[field::fields].tobytes()) for field in (0, 1, 4))
        racy = tuple(position for position, (size, mtime_ns, taken_ns) in enumerate(zip(sizes, mtimes, taken,
                                                                                         strict=True))
                     if mtime_ns >= taken_ns - RACY_NS and size >= 0)
        sizes_times = array("q", bytes(_SIZE_TIME * len(paths)))
        digests = array("q", bytes(_DIGEST_BYTES * len(paths)))
        sizes_times[0::2], sizes_times[1::2] = sizes, mtimes
        digests[0::2], digests[1::2] = (array("q", packed[field::fields].tobytes()) for field in (2, 3))
        return cls("\0".join(paths), len(paths), sizes_times.tobytes(), digests.tobytes(), racy)

    def restamped(self, stamps: Mapping[str, FileStamp | None]) -> StampTable | None:
        """This table with a few of its files stamped anew (by path); None when one of them is not in it,
        or there are more than `RESTAMPED_AT_MOST` (then `of` is quicker).

        What a build that reloaded a few briefs saves, instead of packing 200,000 stamps again."""
        if not stamps:
            return self
        if len(stamps) > RESTAMPED_AT_MOST:
            return None
        whole = "\0" + self.paths + "\0"
        positions = {}
        for path, stamp in stamps.items():
            found = whole.find("\0" + path + "\0")
            if found < 0 or "\0" in path:
                return None
            positions[whole.count("\0", 0, found)] = stamp
        order = sorted(positions)
        fresh = StampTable.of([""] * len(order), [positions[position] for position in order])
        sizes_times, digests, done = bytearray(self.sizes_times), [], 0
        racy = set(self.racy) - positions.keys()
        width = _SIZE_TIME
        for index, position in enumerate(order):
            sizes_times[position * width: (position + 1) * width] = fresh.sizes_times[index * width:
                                                                                      (index + 1) * width]
            digests += [self.digests[done * _DIGEST_BYTES: position * _DIGEST_BYTES],
                        fresh.digests[index * _DIGEST_BYTES: (index + 1) * _DIGEST_BYTES]]
            done = position + 1
            if index in fresh.racy:
                racy.add(position)
        digests.append(self.digests[done * _DIGEST_BYTES:])
        return replace(self, sizes_times=bytes(sizes_times), digests=b"".join(digests), racy=tuple(sorted(racy)))

    def files(self) -> list[str]:
        """The stamped files, in order."""
        return self.paths.split("\0") if self.count else []

    def changed(self, paths: Sequence[str] | None = None, *,
                on_suspect: Callable[[], None] | None = None) -> list[int] | None:
        """The positions of the files among `paths` (None: the stamped files) whose content changed; None
        when `paths` are not the files stamped, in the same order, or one of them cannot be read.

        `on_suspect` is called once, as soon as one file's size or time differs (see memory.StampsCheck)."""
        if paths is None:
            paths = self.files()
        elif len(paths) != self.count or "\0".join(paths) != self.paths:
            return None
        suspects = set(self.racy)
        width = _SIZE_TIME
        try:
            for start in range(0, self.count, _BLOCK):
                # In C, keeping no stat result: 200,000 files in 0.65 s instead of 0.76 s.
                end = min(self.count, start + _BLOCK)
                current = array("q", chain.from_iterable(map(attrgetter("st_size", "st_mtime_ns"),
                                                             map(os.stat, paths[start:end])))).tobytes()
                stamped = self.sizes_times[start * width: end * width]
                if current != stamped:
                    suspects.update(start + at // width for at in range(0, len(current), width)
                                    if current[at: at + width] != stamped[at: at + width])
                    if on_suspect is not None:
                        on_suspect()
                        on_suspect = None
        except OSError:
            return None
        changed = []
        for position in sorted(suspects):
            stamped_digest = self.digests[position * _DIGEST_BYTES: (position + 1) * _DIGEST_BYTES]
            now = file_stamp(paths[position])
            if now is None or stamp_digest(now) != stamped_digest:
                changed.append(position)
        return changed


def folder_digest(folders: Iterable[Path], *, skip: str | None = None) -> str:
    """One hash of every file below the folders (but a top-level `skip` folder): relative paths and contents.

    A folder counts by its place in `folders`, not its path: the same theme installed elsewhere (another
    virtual environment) renders the same pages."""
    digest = hashlib.blake2b(digest_size=16)
    for place, folder in enumerate(folders):
        digest.update(f"{place}\0".encode())
        if not folder.is_dir():
            continue
        left_out = folder / skip if skip else None
        for path in sorted(p for p in folder.rglob("*") if p.is_file()
                           and (left_out is None or left_out not in p.parents)):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            try:
                data = path.read_bytes()
            except OSError as exc:  # a template or static file the build could not copy or render either
                raise cannot_read(path, exc) from None
            digest.update(hashlib.blake2b(data, digest_size=16).digest())
    return digest.hexdigest()


def bytes_digest(data: bytes) -> bytes:
    """A hash of `data`: 16 bytes (as bytes, not hex: the memory keeps one per output file, 250,000 at
    100,000 briefs, and a hex string takes 32 bytes more)."""
    return hashlib.blake2b(data, digest_size=_DIGEST_BYTES).digest()


def value_print(value: object) -> str:
    """A digest of a value made of dataclasses, tuples, strings and numbers, by its `repr` (every field):
    equal values, equal prints. What the memory keeps of a value it needs only to compare."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def cache_key(*parts: object) -> str:
    """A key for the saved state: briefgen's code, Python, and whatever else the caller names."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (__version__, code_fingerprint(), sys.version, *parts):
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of briefgen's own modules, subpackages included: state saved by other code (even of
    the same version) is not reused."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes() + b"\0")
    return digest.hexdigest()


def prepare_cache_folder(site_dir: Path) -> Path:
    """`.briefgen-cache/`, made if need be with a `.gitignore` that keeps it out of git; the files of
    older versions are removed (call it with the build's lock held). Raises OSError."""
    folder = site_dir / CACHE_DIR
    folder.mkdir(exist_ok=True)
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# briefgen's build cache: safe to delete\n*\n")
    _remove_legacy_files(folder)
    store.remove_outdated(folder)
    return folder


def clear_state(site_dir: Path) -> None:
    """Forget every build: the store, and the pickled state older versions kept."""
    folder = site_dir / CACHE_DIR
    store.clear(folder)
    try:
        _remove_legacy_files(folder)
    except OSError:
        pass


def _remove_legacy_files(folder: Path) -> None:
    """What versions before the build store kept, or left half saved. Raises OSError."""
    for leftover in [*folder.glob(".state-*"), *(folder / name for name in LEGACY_FILES)]:
        leftover.unlink(missing_ok=True)


def templates_fingerprint(config: Config) -> str:
    """A digest of every template a build may read: the site's and the built-in theme's.

    Their static/ folders are assets, copied rather than rendered: an edited
    stylesheet is a static change, not a reason to render every page again.
    """
    return folder_digest([config.templates_dir, builtin_templates_dir()], skip="static")


def static_fingerprint(config: Config) -> str:
    """A digest of every folder `write.copy_static` copies from: a theme's static/ files are static files too."""
    return folder_digest([config.static_dir, config.templates_dir / "static", builtin_templates_dir() / "static"])
