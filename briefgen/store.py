"""The build store: what a build remembers for the next, in SQLite (`.briefgen-cache/store.sqlite`).

Owns writing the build's memory and manifest in one transaction (a killed
build leaves the last good state), and reading back only what a build needs:
each brief's rendering is a row of its own, written when the brief was
rendered again and read when a page needs it (`Stored.unpack`), so a
one-edit build neither reads nor writes ten thousand rendered bodies.
Everything else of the memory, and the small manifest a no-op build reads,
is one row each. Must not decide what is stale; `saved.py` does.
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

STORE_FILE = "store.sqlite"
MEMORY = "memory"
MANIFEST = "manifest"

# A row's id is drawn at random (63 bits), never counted: a deleted row's id is not given to another,
# even in a store deleted and made again, so a memory still naming it (the dev server's, after
# `briefgen build` saved over it) finds it gone rather than finding another brief's rendering.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (name TEXT PRIMARY KEY, key TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS rendered (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""
# Errors that mean "no usable store": missing, half written by something else, another schema, not SQLite.
STORE_ERRORS = (sqlite3.Error, OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                ValueError, TypeError, IndexError)


class StoreMissing(Exception):
    """A row the memory refers to is gone (another command saved over it): the build starts afresh."""


class Stored:
    """A value kept in its own row of the store, read and unpickled only when something needs it.

    A rebuild after one edit needs a few briefs' rendered bodies, not ten
    thousand: they stay on disk until a page asks for one.
    """

    __slots__ = ("path", "row")

    def __init__(self, path: str, row: int) -> None:
        self.path = path
        self.row = row

    def __reduce__(self) -> tuple[Any, ...]:
        return Stored, (self.path, self.row)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stored) and (self.path, self.row) == (other.path, other.row)

    def __hash__(self) -> int:
        return hash((self.path, self.row))

    def unpack(self) -> Any:
        try:
            found = _reader(self.path).execute("SELECT data FROM rendered WHERE id = ?", (self.row,)).fetchone()
        except sqlite3.Error:
            found = None
        if found is None:
            raise StoreMissing(f"{self.path}: row {self.row}")
        value = pickle.loads(found[0])
        _origins[id(value)] = (value, self)
        return value


# Values unpacked from the store, by id, with the row they came from: saved again unchanged, they keep it.
_origins: dict[int, tuple[Any, Stored]] = {}
_readers: dict[tuple[int, str], sqlite3.Connection] = {}


def _reader(path: str) -> sqlite3.Connection:
    """A connection for reading rows, one per process (forked page workers open their own)."""
    key = (os.getpid(), path)
    connection = _readers.get(key)
    if connection is None:
        connection = _readers[key] = sqlite3.connect(path, check_same_thread=False)
    return connection


def forget_readers() -> None:
    """Close this process's read connections and forget unpacked values (tests; a store deleted by hand)."""
    for (pid, _), connection in list(_readers.items()):
        if pid == os.getpid():
            connection.close()
    _readers.clear()
    _origins.clear()


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(_SCHEMA)
        yield connection


def load(folder: Path, name: str, key: str) -> Any | None:
    """The value saved under `name` for `key`, or None (no store, another key, or an unreadable one).

    Values of the types saved as rows come back as `Stored`."""
    path = folder / STORE_FILE
    if not path.is_file():
        return None
    try:
        found = _reader(str(path)).execute("SELECT key, data FROM saved WHERE name = ?", (name,)).fetchone()
        if found is None or found[0] != key:
            return None
        return _Unpickler(io.BytesIO(found[1]), str(path)).load()
    except STORE_ERRORS:
        return None


def save(folder: Path, key: str, values: dict[str, Any], *, rows: tuple[type, ...]) -> None:
    """Save `values` by name for `key` in one transaction; objects of the `rows` types each in a row.

    A value unpacked from a row and saved unchanged keeps its row; rows no
    saved value refers to any more are deleted. Raises OSError or
    sqlite3.Error when the store cannot be written.
    """
    path = folder / STORE_FILE
    with _connect(path) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            kept: set[int] = set()
            for name, value in values.items():
                buffer = io.BytesIO()
                _Pickler(buffer, connection, str(path), rows, kept).dump(value)
                connection.execute("INSERT OR REPLACE INTO saved (name, key, data) VALUES (?, ?, ?)",
                                   (name, key, buffer.getvalue()))
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept (id INTEGER PRIMARY KEY)")
            connection.execute("DELETE FROM kept")
            connection.executemany("INSERT INTO kept (id) VALUES (?)", ((row,) for row in kept))
            connection.execute("DELETE FROM rendered WHERE id NOT IN (SELECT id FROM kept)")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    # Remember only what is still saved: a value replaced since (an edited brief's old rendering) is let go.
    for ident, (_, stored) in list(_origins.items()):
        if stored.path == str(path) and stored.row not in kept:
            del _origins[ident]


def clear(folder: Path) -> None:
    """Delete the store (and its write-ahead log)."""
    forget_readers()
    for suffix in ("", "-wal", "-shm"):
        try:
            (folder / (STORE_FILE + suffix)).unlink()
        except OSError:
            pass


class _Pickler(pickle.Pickler):
    """Pickles objects of the row types each into a row of their own, referred to by its id."""

    def __init__(self, file: Any, connection: sqlite3.Connection, path: str, rows: tuple[type, ...],
                 kept: set[int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.connection = connection
        self.path = path
        self.rows = rows
        self.kept = kept

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is Stored:
            if obj.path != self.path:
                obj = obj.unpack()  # from another store: copied into this one below
            else:
                self.kept.add(obj.row)
                return obj.row
        if type(obj) not in self.rows:
            return None
        origin = _origins.get(id(obj))
        if origin is not None and origin[0] is obj and origin[1].path == self.path:
            self.kept.add(origin[1].row)
            return origin[1].row
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            row = secrets.randbits(63)
            try:
                self.connection.execute("INSERT INTO rendered (id, data) VALUES (?, ?)", (row, data))
                break
            except sqlite3.IntegrityError:  # that id is taken: draw again
                continue
        self.kept.add(row)
        _origins[id(obj)] = (obj, Stored(self.path, row))
        return row


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, path: str) -> None:
        super().__init__(file)
        self.path = path

    def persistent_load(self, pid: Any) -> Stored:
        return Stored(self.path, int(pid))
