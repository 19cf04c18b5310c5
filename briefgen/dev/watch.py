"""Watching a site's sources for the dev server: which files changed, and which changes count.

Owns watchdog: native events (inotify and the like), or polling where they
are missing or run out; folders watched recursively, files and not-yet-made
folders through their parents; editors' swap, backup and lock files and
dotfiles left out. Reports changed paths to a callback, from watchdog's
threads. Knows nothing of HTTP, builds or browsers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

POLL_INTERVAL_SECONDS = 0.5


# --- which files count --------------------------------------------------------

_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swx",
    ".swo",
    ".swn",
    ".bck",
    ".bak",
    ".tmp",
    ".kate-swp",
    ".crswap",
    "___jb_tmp___",
    "___jb_old___",
)


def is_editor_temp_file(name: str) -> bool:
    """True for the swap, backup and lock files editors write while saving, and dotfiles.

    Files starting with ``_`` are *not* ignored: the build skips them as pages,
    but a template partial like ``_header.html`` still matters.
    """
    return (
        name.startswith(".")  # dotfiles, .#emacs-locks, .file.swp, .goutputstream-*
        or name.endswith(_TEMP_SUFFIXES)
        or name == "4913"  # vim checks it may write to the folder with this file
        or (name.startswith("#") and name.endswith("#"))  # emacs auto-save
    )


# --- watching -----------------------------------------------------------------

# What may change a build. Leaves out opened/closed-without-write events, which
# the build's own reads of templates and content would cause in an endless loop.
_EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    FileAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


class _EventHandler(FileSystemEventHandler):
    """Turns watchdog events under one root into changed source paths for a `_Watcher`."""

    def __init__(self, watcher: Watcher, root: Path, targets: frozenset[Path] | None) -> None:
        self._watcher = watcher
        self._root = root
        # None: everything under root counts (a recursive watch of a folder).
        # Otherwise only these children of root count (a file, or a folder that
        # may not exist yet, watched through its parent).
        self._targets = targets

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == "modified" and event.is_directory:
            return  # a folder's listing changed: the file's own event says which
        raw = [event.src_path]
        if event.event_type == "moved" and event.dest_path:
            raw.append(event.dest_path)  # a move changes both its source and its destination
        paths = [Path(os.fsdecode(p)) for p in raw if p]
        changed = [path for path in paths if self._counts(path)]
        if changed:
            gone = event.event_type in ("deleted", "moved")
            self._watcher.report(changed, folders_gone=paths if gone and event.is_directory else [])

    def _counts(self, path: Path) -> bool:
        if self._targets is not None:
            if not any(path == t or path.is_relative_to(t) for t in self._targets):
                return False
        elif not (path == self._root or path.is_relative_to(self._root)):
            return False
        if self._watcher.exclude is not None and path.is_relative_to(self._watcher.exclude):
            return False
        relative = path.relative_to(self._root).parts if path.is_relative_to(self._root) else (path.name,)
        # A dot folder (.git, .cache) hides everything in it, whatever the file is called.
        return not any(part.startswith(".") for part in relative[:-1]) and not (
            relative and is_editor_temp_file(relative[-1])
        )


class Watcher:
    """Watches source files and folders with watchdog and reports which paths changed.

    An existing folder is watched recursively. A file, or a folder that does not
    exist yet, is watched through its parent, non-recursively, filtered to that
    one name; a folder created (or deleted and re-created, as ``git checkout``
    does) gets its recursive watch back on the next `refresh`.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        on_change: Callable[[list[Path]], None],
        *,
        poll: bool,
        exclude: Path | None,
        log: Callable[[str], None],
    ) -> None:
        self._paths = [Path(p).absolute() for p in paths]
        self._on_change = on_change
        self._poll = poll
        self._log = log
        self.exclude = exclude
        self._observer = self._new_observer(poll)
        # Recursive watches of folders. Touched only by start() and then by the
        # build thread (refresh), so it needs no lock.
        self._folder_watches: dict[Path, ObservedWatch] = {}
        # Guards _stale: folders whose watch died because they were deleted or
        # moved. The observer thread adds, the build thread takes. Never held
        # while calling the observer: watchdog holds its own lock while it calls
        # us, and the two locks taken in opposite orders would deadlock.
        self._lock = threading.Lock()
        self._stale: set[Path] = set()

    @staticmethod
    def _new_observer(poll: bool) -> BaseObserver:
        if poll:
            return PollingObserver(timeout=POLL_INTERVAL_SECONDS)
        return Observer(timeout=0.25)  # bounds how long stop() waits for the emitter threads

    def start(self) -> None:
        try:
            self._schedule_all()
            self._observer.start()
        except OSError as error:
            if self._poll:
                raise
            # Typically the inotify watch limit: polling is slower but works everywhere.
            self._log(f"Cannot watch files natively ({error.strerror or error}); polling instead.")
            self._observer.unschedule_all()
            self._observer = self._new_observer(poll=True)
            self._poll = True
            self._folder_watches.clear()
            self._schedule_all()
            self._observer.start()

    def _schedule_all(self) -> None:
        by_parent: dict[Path, set[Path]] = {}
        for path in self._paths:
            # Every path is also watched through its parent, so creating, deleting
            # or replacing the path itself is seen even when it is a folder.
            by_parent.setdefault(path.parent, set()).add(path)
        for parent, targets in sorted(by_parent.items()):
            if parent.is_dir():
                handler = _EventHandler(self, parent, frozenset(targets))
                self._observer.schedule(handler, str(parent), recursive=False, event_filter=_EVENT_FILTER)
        self._schedule_folders(raise_errors=True)

    def refresh(self) -> None:
        """(Re)watch folders that were created, or deleted and re-created, since the last call."""
        self._schedule_folders(raise_errors=False)

    def _schedule_folders(self, raise_errors: bool) -> None:
        with self._lock:
            stale, self._stale = self._stale, set()
        for path in self._paths:
            watch = self._folder_watches.get(path)
            if watch is not None and path in stale:
                # Its emitter stopped (or follows the moved folder): start afresh.
                self._observer.unschedule(watch)
                del self._folder_watches[path]
                watch = None
            if watch is None and path.is_dir():
                handler = _EventHandler(self, path, None)
                try:
                    self._folder_watches[path] = self._observer.schedule(
                        handler, str(path), recursive=True, event_filter=_EVENT_FILTER
                    )
                except OSError as error:
                    if raise_errors:
                        raise
                    self._log(f"Cannot watch {path}: {error.strerror or error}")

    def report(self, changed: list[Path], folders_gone: list[Path]) -> None:
        """Called on the observer thread: note gone folders, pass changes on."""
        gone = [path for path in folders_gone if path in self._paths]
        if gone:
            with self._lock:
                self._stale.update(gone)
        self._on_change(changed)

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)
