"""Which files of the output folder briefgen wrote, and keeping every other file where it is.

Owns the list a build leaves inside the output folder (`.briefgen-files`):
the site's fingerprint on its first line, then every file (and wholly owned
folder) that briefgen wrote. A build deletes or replaces only what the list
names; anything else in the folder (`.git/`, a `CNAME`, a web server's own
files) is carried into a clean build's new folder and never touched by a
rebuild. The fingerprint tells whether the saved build state describes the
site that is really there: a rebuild marks the list `pending` before it
moves a file and writes the new fingerprint after the last, so a build
killed in between leaves a list that matches no state, and the next build
is a full one. Must not render or decide what the site holds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import BriefgenError
from .model import OutputPath

OWNED_LIST = ".briefgen-files"
OWNED_LIST_DRAFT = ".briefgen-files.new"  # the list while it is written
HEADER = "# briefgen: the files of this folder that briefgen wrote; it deletes or replaces only these\n"
PENDING = "pending"
# Folders made whole by a tool, listed as one entry ending in '/'.
# Without a list (a folder built by an older briefgen), names that are surely not briefgen's are kept.
LEGACY_KEPT = frozenset({"CNAME"})


@dataclass(frozen=True)
class Owned:
    """What the list in an output folder says: paths relative to the folder, '/'-separated, as text (a
    clean build looks up every file of the old folder: 250,000 at 100,000 briefs)."""

    fingerprint: str | None  # None: no list, or a build was stopped while changing the folder
    files: frozenset[str]
    folders: frozenset[str]  # owned whole (the search index)
    listed: bool = True  # False: the folder has no list (built before lists were kept)

    def owns(self, path: str) -> bool:
        if path in _LISTS or path in self.files:
            return True
        if any(path.startswith(f"{folder}/") for folder in self.folders):
            return True
        if not self.listed:
            parts = path.split("/")
            return not (parts[-1] in LEGACY_KEPT or any(part.startswith(".") for part in parts))
        return False


_LISTS = frozenset({OWNED_LIST, OWNED_LIST_DRAFT})


def outputs_total(outputs: Mapping[OutputPath, bytes]) -> int:
    """The generated files' share of the site's fingerprint: one hash per file (of its path and digest),
    summed, so a rebuild updates it for the files it wrote (`updated_total`) without hashing the site."""
    return sum(_file_term(path, digest) for path, digest in outputs.items()) % _TERMS


def updated_total(total: int, outputs: Mapping[OutputPath, bytes], removed: Iterable[OutputPath],
                  written: Mapping[OutputPath, bytes]) -> int:
    """`total` of `outputs` after the files `removed` are gone and `written` (path → digest) are written."""
    for path in {*removed, *written}:
        if path in outputs:
            total -= _file_term(path, outputs[path])
    for path, digest in written.items():
        total += _file_term(path, digest)
    return total % _TERMS


def site_fingerprint(total: int, static: Iterable[OutputPath]) -> str:
    """One digest of every generated file's path and digest (their `outputs_total`), and every static
    file's path."""
    digest = hashlib.blake2b(total.to_bytes(16, "big"), digest_size=16)
    for path in sorted(static):
        digest.update(f"{path}\0static\n".encode())
    return digest.hexdigest()


_TERMS = 1 << 128  # the sum is kept modulo this: a hash's size


def _file_term(path: str, digest: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode() + b"\0" + digest, digest_size=16).digest(), "big")


class OwnedLines(bytes):
    """The list's lines after its fingerprint (`owned_lines`): bytes of their own type, which the build
    store keeps in a row of its own, read only by a build that writes the list."""

    __slots__ = ()


def owned_lines(files: Iterable[OutputPath], folders: Iterable[OutputPath]) -> OwnedLines:
    """The list's lines after its fingerprint: deterministic, sorted. A rebuild that adds or removes no
    file keeps them (see `write.write_changes`): 250,000 paths take a second to sort and join."""
    lines = [f"{folder}/\n" for folder in sorted(set(folders))]
    lines += [f"{path}\n" for path in sorted(set(files))]
    return OwnedLines("".join(lines).encode("utf-8"))


def owned_list(fingerprint: str, lines: bytes) -> bytes:
    """The list's bytes: its header, the site's fingerprint, and the `owned_lines`."""
    return f"{HEADER}site {fingerprint}\n".encode() + lines


def read_fingerprint(out_dir: Path) -> str | None:
    """The fingerprint the folder's list names (reads its first lines only); None when there is none."""
    try:
        with open(out_dir / OWNED_LIST, encoding="utf-8") as handle:
            handle.readline()
            words = handle.readline().split()
    except (OSError, UnicodeDecodeError):
        return None
    if len(words) == 2 and words[0] == "site" and words[1] != PENDING:
        return words[1]
    return None


def read_owned(out_dir: Path) -> Owned:
    """What the output folder's list says briefgen owns there."""
    try:
        text = (out_dir / OWNED_LIST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Owned(None, frozenset(), frozenset(), listed=False)
    files, folders = set(), set()
    fingerprint = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("site "):
            fingerprint = line[5:].strip()
        elif line.endswith("/"):
            folders.add(str(PurePosixPath(line.rstrip("/"))))
        else:
            files.add(line)  # as owned_lines wrote it
    return Owned(None if fingerprint == PENDING else fingerprint, frozenset(files), frozenset(folders))


def write_list(out_dir: Path, data: bytes) -> None:
    """Replace the folder's list in one rename, so it is never seen half written."""
    temporary = out_dir / OWNED_LIST_DRAFT
    with open(temporary, "wb") as handle:
        handle.write(data)
    # Renames are ordered for every process that looks: a killed build is covered without an fsync
    # (which costs a rebuild in the dev server tens of milliseconds).
    os.replace(temporary, out_dir / OWNED_LIST)


def remove_draft(out_dir: Path) -> None:
    """Delete a list a killed build was writing (call with the build's lock held)."""
    target = out_dir.resolve() if out_dir.is_symlink() else out_dir
    try:
        (target / OWNED_LIST_DRAFT).unlink()
    except OSError:
        pass


def carry_over(old_dir: Path, staging: Path, claimant: Callable[[OutputPath], str | None]) -> int:
    """Bring every file of `old_dir` that briefgen did not write into the `staging` folder.

    Files are hard-linked where the file system allows (the same file, in no
    time), else copied; symlinks stay links. A file of the user's where the
    new build writes a file or a folder (`claimant` names who) is an error:
    nothing is replaced. Returns how many files were carried.
    """
    owned = read_owned(old_dir)
    carried = 0
    top = str(old_dir)
    for folder, dirnames, filenames in os.walk(top):
        # Relative paths as text, '/'-separated: os.walk gives `top`, then `top` + separator + the rest.
        here = folder[len(top) + 1:].replace(os.sep, "/")
        prefix = f"{here}/" if here else ""
        linked_folders = [d for d in dirnames if os.path.islink(os.path.join(folder, d))]
        for name in sorted(filenames) + sorted(linked_folders):
            relative = prefix + name
            if owned.owns(relative):
                continue
            other = claimant(relative)
            if other is not None:
                raise BriefgenError(f"two things want to write {relative}: {other} and a file that was in the "
                                    "output folder but that briefgen did not write", old_dir / relative,
                                    hint="move that file out of the output folder, or rename what clashes with it")
            _link_or_copy(Path(folder) / name, staging / relative)
            carried += 1
        dirnames[:] = sorted(d for d in dirnames if d not in linked_folders and prefix + d not in owned.folders)
    return carried


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
