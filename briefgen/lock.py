"""One build at a time per output folder and per build cache.

Owns the lock files (`.<output>.lock` beside the output folder, `build.lock`
in `.briefgen-cache/`) and removing what builds left beside the output
folder: work folders of killed builds, and replaced sites (by a detached
`rm`, which no build waits for). A lock is an advisory `flock` held for the whole build:
the system lets go of it when its process dies, so a lock left by a killed
build is simply taken over; the file also names the holder's pid, for the
message a waiting build prints. Must not build anything.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .errors import BriefgenError, cannot_write

if sys.platform != "win32":
    import fcntl

# The folders a build makes beside the output folder while it works (see write.make_folder_beside).
WORK_FOLDERS = ("building", "update", "old")
POLL_SECONDS = 0.1
LOCK_FILE = "build.lock"  # in the build cache


def output_lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


@contextmanager
def build_locks(paths: list[Path], optional: list[Path] = (), *, wait: bool = True,  # type: ignore[assignment]
                on_wait: Callable[[Path, str], None] | None = None) -> Iterator[None]:
    """Hold the lock files at `paths` and `optional` (in sorted order, so two builds never wait on each other).

    With `wait`, a lock another process holds is waited for (`on_wait` is
    told once, with the holder's pid); without it, that is an error. An
    `optional` lock whose file cannot be made (a read-only cache) is skipped.
    """
    with ExitStack() as stack:
        for path in sorted(set(paths) | set(optional)):
            stack.enter_context(_locked(path, wait=wait, on_wait=on_wait, optional=path in optional))
        yield


@contextmanager
def _locked(path: Path, *, wait: bool, on_wait: Callable[[Path, str], None] | None,
            optional: bool) -> Iterator[None]:
    if sys.platform == "win32":  # no flock there: builds are not locked
        yield
        return
    told = False
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            if optional:
                yield
                return
            raise cannot_write(path.parent, exc, _lock_purpose(path)) from None
        taken, waited = _take(handle, path, wait=wait, on_wait=None if told else on_wait)
        if taken:
            break
        told = told or waited
        os.close(handle)  # the holder removed the file as it let go: lock the one there now
    try:
        _say_holder(handle)
        yield
    finally:
        # Removed before it is let go, so no build ever locks a file that is no longer the lock.
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(handle)


def _lock_purpose(path: Path) -> str:
    """Why briefgen writes in the lock's folder, for the hint of an error."""
    if path.name.startswith(".") and path.name.endswith(".lock"):  # beside the output folder
        return (f"the new site is built beside {path.name[1:-len('.lock')]}/ and swapped in, "
                "and a lock file there keeps two builds apart")
    return "the build cache holds the lock that keeps two builds apart"


def _take(handle: int, path: Path, *, wait: bool,
          on_wait: Callable[[Path, str], None] | None) -> tuple[bool, bool]:
    """Lock the open file: (False when it was removed meanwhile, so the caller opens the new one;
    whether `on_wait` was told)."""
    waited = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise BriefgenError(f"cannot lock {path}: {exc.strerror or exc}", path) from None
        holder = _holder(handle)
        if not wait:
            os.close(handle)
            raise BriefgenError(f"another build is running here ({holder})", path,
                                hint="wait for it to finish, or run again without --no-wait")
        if on_wait is not None and not waited:
            on_wait(path, holder)
            waited = True
        time.sleep(POLL_SECONDS)
    try:
        return os.fstat(handle).st_ino == os.stat(path).st_ino, waited
    except OSError:
        return False, waited


def _say_holder(handle: int) -> None:
    """Write this process's pid into the lock file, for a waiting build's message (a full disk: no pid)."""
    try:
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass


def _holder(handle: int) -> str:
    try:
        text = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdigit() else "a process that did not say its pid"


def remove_leftovers(out_dir: Path) -> None:
    """Delete the work folders that killed builds left beside the output folder (call with the lock held)."""
    target = out_dir.resolve() if out_dir.is_symlink() else out_dir
    if not target.parent.is_dir():
        return
    prefixes = tuple(f".{target.name}.{purpose}-" for purpose in WORK_FOLDERS)
    replaced = f".{target.name}.old-"
    for entry in os.scandir(target.parent):
        if entry.name.startswith(prefixes) and entry.is_dir(follow_symlinks=False):
            if entry.name.startswith(replaced):
                # A whole replaced site, most often still being deleted by the `rm` the clean build that
                # replaced it started: the build must not wait for it (16 s for 250,000 files).
                remove_later(Path(entry.path))
            else:
                shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name.startswith(replaced) and entry.name.endswith(REMOVING) \
                and not os.path.lexists(entry.path[:-len(REMOVING)]):
            remove_later(Path(entry.path[:-len(REMOVING)]))  # its `rm` stopped between the folder and it


REMOVING = ".removing"  # beside a replaced site being deleted: the file its `rm` holds locked


def remove_later(folder: Path) -> None:
    """Delete a replaced output folder without making the build wait for it.

    The new site is already in place; deleting tens of thousands of old
    files takes seconds that nobody needs to wait for, so a detached `rm`
    does it (elsewhere than POSIX, it is done here and now). The `rm` holds
    a lock on a file beside the folder (`REMOVING`) for its life, deleting
    it last: a build that finds the folder while it works leaves it to it,
    where each build used to start one more `rm` over the same files.
    """
    rm = shutil.which("rm")
    if os.name == "posix" and rm:
        marker = folder.with_name(folder.name + REMOVING)
        held: int | None = None
        try:
            held = os.open(marker, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            assert held is not None
            os.close(held)
            return  # an `rm` started by an earlier build is deleting it
        except OSError:  # a folder it cannot write in, a file system without locks: one `rm` more is no harm
            if held is not None:
                os.close(held)
            held = None
        try:
            subprocess.Popen([rm, "-rf", "--", str(folder), *([str(marker)] if held is not None else [])],
                             start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, pass_fds=(held,) if held is not None else ())
            return
        except OSError:
            pass
        finally:
            if held is not None:
                os.close(held)  # the `rm` holds its own copy, and the lock with it
    shutil.rmtree(folder, ignore_errors=True)
