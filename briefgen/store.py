"""The build store: what a build remembers for the next, in SQLite (`.briefgen-cache/store.sqlite`).

Owns writing the build's memory and manifest in one transaction (a killed
build leaves the last good state), and writing and reading only what
changed. Two kinds of objects get rows of their own:

- *rows*, read lazily: each brief's rendering, written when the brief was
  rendered again and read when a page needs it (`Stored.unpack`), so a
  one-edit build neither reads nor writes ten thousand rendered bodies; and
  each brief's text (see `PartlyStored`), read when the brief is rendered;
- *records*, read with the memory: the `Shard`s of the memory's large dicts
  (see `sharded`), so a build writes again only the shards whose items
  changed, the page index and the site's indexes. A `RecordWithRows` (a
  shard, the site's indexes) may name rows, and a shard may hold
  `PartlyStored` objects (the briefs, without their text, most of their
  other fields packed in one string of bytes until first used), which any
  other pickle of the memory names (by the id of their text's row) rather
  than holding a copy; other records hold neither. Beside each record, a column
  says which rows and records it names.

An object read from a row or record and saved unchanged keeps it (one
changed in place says so: `changed`); rows and records nothing refers to
any more are deleted in the same transaction. A first build hands each
rendering over as it is made (`put_rows`), in transactions of their own, so
that it never holds them all: rows pending until a save names them, and
deleted by the next save if none does (a build that failed or was killed).
Everything else of the memory, and the small manifest a no-op build reads,
is one row each. Must not decide what is stale; `saved.py` does.
"""

from __future__ import annotations

import dataclasses
import io
import operator
import os
import pickle
import secrets
import sqlite3
import zlib
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

STORE_FILE = "store.sqlite"
MEMORY = "memory"
MANIFEST = "manifest"
KEPT = "kept"  # the ids of rows and records the last save kept: the next deletes those it no longer needs

# Ids are runs that start at random (each save draws a start among 2**62, then counts up): a deleted
# row's id is not given to another, even in a store deleted and made again, so a memory still naming
# it (the dev server's, after `briefgen build` saved over it) finds it gone rather than finding
# another brief's rendering.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (name TEXT PRIMARY KEY, key TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, data BLOB NOT NULL, names BLOB NOT NULL DEFAULT x'');
CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY);
"""
# Errors that mean "no usable store": missing, half written by something else, another schema, not SQLite.
STORE_ERRORS = (sqlite3.Error, OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                ValueError, TypeError, IndexError, KeyError)


class StoreMissing(Exception):
    """A row the memory refers to is gone (another command saved over it): the build starts afresh."""


class Stored(tuple[str, int]):
    """A value kept in a row of the store, read and unpickled only when something needs it: a
    `(store, row)` tuple of its own type.

    A tuple's subtype, which pickle makes again in C: a memory names 400,000 rows at 100,000 briefs,
    and a Python call to make each took a tenth of every load. Only the store makes them."""

    __slots__ = ()

    @property
    def path(self) -> str:
        return self[0]

    @property
    def row(self) -> int:
        return self[1]

    def unpack(self, *, remember: bool = True) -> Any:
        """The value, read from its row. Remembered, so that saved again unchanged it keeps the row;
        `remember=False` for a value the memory goes on naming by its row, read only to be used."""
        try:
            found = _reader(self.path).execute("SELECT data FROM rows WHERE id = ?", (self.row,)).fetchone()
        except sqlite3.Error:
            found = None
        if found is None:
            raise StoreMissing(f"{self.path}: row {self.row}")
        value = pickle.loads(found[0])
        if remember:
            _remember(value, self.path, self.row)
        return value


def changed(value: Any) -> None:
    """`value`, read from the store or saved to it, was changed in place: the next save writes it again.

    A record that nothing replaced is kept as it was saved, unpickled or not; only a value
    changed without being replaced needs saying so."""
    _origins.pop(id(value), None)


def loaded(value: Any) -> Any:
    """`value` itself, or what it stands for when the saved memory kept it in a row (a `Stored`)."""
    return value.unpack() if isinstance(value, Stored) else value


# Values read from the store, by id, with where they came from (store, table, id): saved again
# unchanged, they keep their row.
_origins: dict[int, tuple[Any, str, str, int]] = {}
# What each record read or written refers to, by (store, record id): the ids of the rows and of the
# records its pickle names. A record saved again unchanged keeps them too.
_contents: dict[tuple[str, int], tuple[frozenset[int], frozenset[int]]] = {}
_NOTHING: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
# The `PartlyStored` objects each record read or written holds, with their names, by (store, record
# id): a save that keeps the record names them there (see _Pickler._partly).
_homes: dict[tuple[str, int], list[tuple[int, Any]]] = {}
_readers: dict[tuple[int, str], sqlite3.Connection] = {}


def _remember(value: Any, path: str, row: int, table: str = "rows") -> None:
    _origins[id(value)] = (value, path, table, row)


def _reader(path: str) -> sqlite3.Connection:
    """A connection for reading, one per process (forked page workers open their own)."""
    key = (os.getpid(), path)
    connection = _readers.get(key)
    if connection is None:
        connection = _readers[key] = sqlite3.connect(path, check_same_thread=False)
    return connection


def forget_readers() -> None:
    """Close this process's read connections and forget what was read (tests; a store deleted by hand)."""
    close_readers()
    _origins.clear()
    _contents.clear()
    _homes.clear()


def close_readers() -> None:
    """Close this process's read connections. The last connection to close folds the write-ahead
    log into the store and removes it: a process that ends without closing them (os._exit) leaves
    the log to grow from build to build, and every read slower."""
    for (pid, _), connection in list(_readers.items()):
        if pid == os.getpid():
            connection.close()
    _readers.clear()


# Pages of 64 KiB, not SQLite's 4 KiB: the memory's core and the manifest are blobs of tens of
# megabytes (hundreds at 100,000 briefs), written in a quarter of the time in fewer, larger pages.
PAGE_SIZE = 65536
# Pages freed by a save are reused by the next, so a store normally stays within its memory and one
# more copy of the core. A save that replaced most of it (a clean build; search turned on or off,
# which is another memory) leaves most pages free: they are given back to the file system then.
AUTO_VACUUM_INCREMENTAL = 2


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute(f"PRAGMA page_size={PAGE_SIZE}")  # these two take effect when the store is made
        connection.execute(f"PRAGMA auto_vacuum={AUTO_VACUUM_INCREMENTAL}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(_SCHEMA)
        yield connection


def load(folder: Path, name: str, key: str) -> Any | None:
    """The value saved under `name` for `key`, or None (no store, another key, or an unreadable one).

    Objects saved as rows come back as `Stored`; records come back whole."""
    path = folder / STORE_FILE
    if not path.is_file():
        return None
    try:
        reader = _reader(str(path))
        found = reader.execute("SELECT key, data FROM saved WHERE name = ?", (name,)).fetchone()
        if found is None or found[0] != key:
            return None
        return _Unpickler(io.BytesIO(found[1]), str(path), reader).load()
    except STORE_ERRORS:
        return None


def saved_key(folder: Path, name: str) -> str | None:
    """The key `name` was last saved for, or None (nothing saved, or no usable store)."""
    path = folder / STORE_FILE
    if not path.is_file():
        return None
    try:
        found = _reader(str(path)).execute("SELECT key FROM saved WHERE name = ?", (name,)).fetchone()
    except STORE_ERRORS:
        return None
    return found[0] if found else None


def save(folder: Path, key: str, values: dict[str, Any], *, rows: tuple[type, ...] = (),
         records: tuple[type, ...] = ()) -> None:
    """Save `values` by name for `key` in one transaction; objects of the `rows` and `records` types
    each in a row of their own (see the module's docstring). A value given as a function is made when
    its turn comes, once those before it are saved and let go (a manifest of the memory saved first).

    Raises OSError or sqlite3.Error when the store cannot be written.
    """
    path = folder / STORE_FILE
    with _connect(path) as connection:
        connection.execute("BEGIN IMMEDIATE")
        saving = _Saving(connection, str(path), rows, records)
        try:
            # Read before this save replaces it: the key the memory in the store was saved for.
            replaced = connection.execute("SELECT key FROM saved WHERE name = ?", (MEMORY,)).fetchone()
            for name, value in values.items():
                data = saving.dumps(value() if callable(value) else value)
                inserted = connection.execute(
                    "INSERT OR REPLACE INTO saved (name, key, data) VALUES (?, ?, zeroblob(?))", (name, key, len(data)))
                _write_blob(connection, "saved", inserted.lastrowid, data)
                del data
            _delete_unkept(connection, key, saving.kept, replaced_key=replaced[0] if replaced else None)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            for ident in saving.remembered:  # their rows are gone with the transaction
                _origins.pop(ident, None)
            for partly, before in saving.given_apart:
                if before is None:
                    del partly.__dict__[_APART]
                else:
                    partly.__dict__[_APART] = before
            raise
        (free,) = connection.execute("PRAGMA freelist_count").fetchone()
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        if free * 2 > pages:
            # A script, not execute(): the pragma frees one page per step, and a script steps to the end.
            connection.executescript("PRAGMA incremental_vacuum;")
    # Remember only what is still saved: a value replaced since (an edited brief's old rendering) is let go.
    for ident, (_, where, table, row) in list(_origins.items()):
        if where == str(path) and row not in saving.kept[table]:
            del _origins[ident]
    for where, row in list(_contents):
        if where == str(path) and row not in saving.kept["records"]:
            del _contents[(where, row)]
    for where, row in list(_homes):
        if where == str(path) and row not in saving.kept["records"]:
            del _homes[(where, row)]


def put_rows(folder: Path, pickled: Iterable[bytes]) -> list[Stored]:
    """Rows for values pickled already, written ahead of the save that will name them, in a
    transaction of their own: a build that renders every brief hands the renderings over as it goes
    instead of holding them all until its save (1.4 GB at 100,000 briefs).

    Noted as pending until then: the next save deletes those it does not keep (those of a build that
    failed or was killed). Raises OSError or sqlite3.Error when the store cannot be written.
    """
    path = folder / STORE_FILE
    with _connect(path) as connection:
        connection.execute("BEGIN IMMEDIATE")
        saving = _Saving(connection, str(path), (), ())
        try:
            rows = [saving.insert("rows", data) for data in pickled]
            connection.executemany("INSERT INTO pending (id) VALUES (?)", ((row,) for row in rows))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return [Stored((str(path), row)) for row in rows]


def replace_plain(folder: Path, name: str, key: str, value: Any) -> None:
    """Replace the value saved under `name` for `key` (nothing if it was saved for another): that row
    alone, in a transaction. For values that hold no rows or records (the manifest).

    Raises OSError or sqlite3.Error when the store cannot be written.
    """
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _connect(folder / STORE_FILE) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("UPDATE saved SET data = ? WHERE name = ? AND key = ?", (data, name, key))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def _delete_unkept(connection: sqlite3.Connection, key: str, kept: dict[str, set[int]], *,
                   replaced_key: str | None) -> None:
    """Delete the rows and records this save no longer refers to, and note the ids it kept.

    The ids the last save kept are all the tables hold (each save ends so): those not kept now are
    deleted by id, which reads 100,000 ids instead of scanning every row's pages. That is trusted
    only when the memory this save replaces (`replaced_key`) and the note are both for this save's
    `key`. After a save for another key (another version of briefgen, which may keep no note;
    search switched on or off), or without a note, the tables are cleaned by a scan, so no row is
    kept for ever.
    """
    # Rows written ahead of a save (see put_rows) that this one does not name: a failed or killed build's.
    pending = [(row,) for (row,) in connection.execute("SELECT id FROM pending") if row not in kept["rows"]]
    connection.executemany("DELETE FROM rows WHERE id = ?", pending)
    connection.execute("DELETE FROM pending")
    found = connection.execute("SELECT key, data FROM saved WHERE name = ?", (KEPT,)).fetchone()
    trusted = replaced_key == key and found is not None and found[0] == key
    before: dict[str, set[int]] | None = pickle.loads(found[1]) if trusted else None
    for table, ids in kept.items():
        if before is not None:
            connection.executemany(f"DELETE FROM {table} WHERE id = ?", ((row,) for row in before[table] - ids))
        else:
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept (id INTEGER PRIMARY KEY)")
            connection.execute("DELETE FROM kept")
            connection.executemany("INSERT INTO kept (id) VALUES (?)", ((row,) for row in ids))
            connection.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM kept)")
    connection.execute("INSERT OR REPLACE INTO saved (name, key, data) VALUES (?, ?, ?)",
                       (KEPT, key, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)))


def remove_outdated(folder: Path) -> None:
    """Delete a store made with other pages than `PAGE_SIZE`, without incremental vacuum or without the
    names of what each record names (by an older version); the next save makes a new one. Call it with
    the build's lock held, before loading anything from the store."""
    path = folder / STORE_FILE
    if not path.is_file():
        return
    try:
        with closing(sqlite3.connect(path)) as connection:
            (page_size,) = connection.execute("PRAGMA page_size").fetchone()
            (auto_vacuum,) = connection.execute("PRAGMA auto_vacuum").fetchone()
            columns = {column[1] for column in connection.execute("PRAGMA table_info(records)")}
    except sqlite3.Error:
        return  # not a store: loading it fails, and the next save replaces it
    if page_size != PAGE_SIZE or auto_vacuum != AUTO_VACUUM_INCREMENTAL or (columns and "names" not in columns):
        clear(folder)


def clear(folder: Path) -> None:
    """Delete the store (and its write-ahead log)."""
    forget_readers()
    for suffix in ("", "-wal", "-shm"):
        try:
            (folder / (STORE_FILE + suffix)).unlink()
        except OSError:
            pass


BLOB_CHUNK = 1 << 20


def _write_blob(connection: sqlite3.Connection, table: str, row: int | None, data: memoryview) -> None:
    """Write `data` into the `data` column of a row just inserted with a zeroblob of its length, a chunk at
    a time: bound as a parameter, it is copied whole first (the memory's core is 41 MB at 100,000 briefs)."""
    assert row is not None, "a row just inserted has an id"
    with connection.blobopen(table, "data", row) as blob:
        for start in range(0, len(data), BLOB_CHUNK):
            blob.write(data[start:start + BLOB_CHUNK])


@dataclass
class _Saving:
    """One save in progress: its transaction, the types kept apart, and the ids it refers to."""

    connection: sqlite3.Connection
    path: str
    rows: tuple[type, ...]
    records: tuple[type, ...]
    kept: dict[str, set[int]] = field(default_factory=lambda: {"rows": set(), "records": set()})
    next_id: int | None = None
    remembered: list[int] = field(default_factory=list)  # the objects given a row: forgotten if it fails
    # The PartlyStored objects held by a record this save keeps or writes, by the id of their text's row
    # (their name): pickled anywhere else, they are named, not copied. And the whole objects given a
    # row for their fields kept apart.
    homes: dict[int, Any] = field(default_factory=dict)
    given_apart: list[tuple[PartlyStored, Stored | None]] = field(default_factory=list)  # and what they had

    def dumps(self, value: Any) -> memoryview:
        """`value` pickled, objects of the row and record types in it each saved apart.

        A view of the pickle, not a copy: the memory's core is a hundred megabytes at 100,000 briefs."""
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return buffer.getbuffer()

    def save_record(self, value: Any) -> int:
        """Pickle a record (rows and records in it saved apart) into a new row of its own."""
        row = self.new_id("records")
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, self, value, row)
        pickler.dump(value)
        rows, records = frozenset(pickler.named["rows"]), frozenset(pickler.named["records"])
        data = buffer.getbuffer()
        self.connection.execute("INSERT INTO records (id, data, names) VALUES (?, zeroblob(?), ?)",
                                (row, len(data), _packed_names(rows, records)))
        _write_blob(self.connection, "records", row, data)
        data.release()
        _contents[(self.path, row)] = (rows, records) if rows or records else _NOTHING
        if pickler.homes:
            _homes[(self.path, row)] = pickler.homes
        return row

    def keep(self, table: str, row: int) -> None:
        """Keep a row, or a record and all it refers to."""
        if row in self.kept[table]:
            return
        self.kept[table].add(row)
        if table == "records":
            rows, records = _contents.get((self.path, row), _NOTHING)
            self.kept["rows"].update(rows)
            for record in records:
                self.keep("records", record)
            for name, value in _homes.get((self.path, row), ()):
                self.homes.setdefault(name, value)

    def _draw(self) -> int:
        """The next id of this save's run: ids follow one another (appending is quicker than inserting at
        random places of a large table: 3.7 s against 6.0 s for 100,000 rows of 7 KB)."""
        if self.next_id is None:
            self.next_id = secrets.randbits(62)  # a run starting anywhere in 2**62: runs never meet
        row = self.next_id
        self.next_id += 1
        return row

    def new_id(self, table: str) -> int:
        """An id no row of `table` has, for a row inserted by this save once its data is made."""
        while True:
            row = self._draw()
            if self.connection.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row,)).fetchone() is None:
                return row
            self.next_id = None  # the run meets ids of an earlier save: draw another

    def insert(self, table: str, data: bytes) -> int:
        """Insert a row under the next id of this save's run."""
        while True:
            row = self._draw()
            try:
                self.connection.execute(f"INSERT INTO {table} (id, data) VALUES (?, ?)", (row, data))
            except sqlite3.IntegrityError:  # the run meets ids of an earlier save: draw another
                self.next_id = None
                continue
            return row


class _Pickler(pickle.Pickler):
    """Pickles a value, objects of the row and record types each into a row of their own.

    `reducer_override`, not `persistent_id`: it is not called for the str, int, tuple... that make up
    most of a memory, so saving costs no Python call per object.
    """

    def __init__(self, file: Any, saving: _Saving, record: Any = None, row: int | None = None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.saving = saving
        self.path = saving.path
        self.record = record  # the record being pickled into its own row: not a reference to itself
        self.row = row  # that record's id
        self.named: dict[str, set[int]] = {"rows": set(), "records": set()}  # the rows and records it names
        self.homes: list[tuple[int, Any]] = []  # the PartlyStored objects the record holds, by name

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Stored:
            if obj.path == self.path:
                self.saving.keep("rows", obj[1])
                self.named["rows"].add(obj[1])
                return NotImplemented  # a tuple's subtype: made again in C
            obj = obj.unpack()  # from another store: copied into this one below
            kind = type(obj)
        if obj is self.record:
            return NotImplemented
        if kind in self.saving.rows:
            return Stored, ((self.path, self._row_of(obj, "rows")),)
        if kind in self.saving.records:
            return _record, (self._row_of(obj, "records"),)
        if isinstance(obj, PartlyStored) and kind.STORED_APART:
            return self._partly(obj)
        return NotImplemented

    def _partly(self, obj: PartlyStored) -> tuple[Any, ...]:
        """A PartlyStored object: named, when a record this save keeps or writes holds it; else held here,
        its fields kept apart in a row (the one they were read from, if read from this store).

        Its name is the id of that row: an int, stable from save to save, that no other object has."""
        apart = obj.__dict__.get(_APART)
        if isinstance(apart, Stored) and apart.path == self.path:
            apart_row = apart.row
            home = self.saving.homes.get(apart_row)
            if home is obj:
                return _named, (apart_row,)
        else:
            home = None
            apart_row = self.saving.insert("rows", pickled_apart(obj))
            # Named by this row from now on, and saved again (in another shard), it keeps it.
            obj.__dict__[_APART] = Stored((self.path, apart_row))
            self.saving.given_apart.append((obj, apart))
        self.saving.keep("rows", apart_row)
        self.named["rows"].add(apart_row)
        head = _head(obj)
        if self.row is None or home is not None:  # the memory's core, or another object of that name
            return _partly_read, (type(obj), head, apart_row, False)
        self.saving.homes[apart_row] = obj
        self.homes.append((apart_row, obj))
        return _partly_read, (type(obj), head, apart_row, True)

    def _row_of(self, obj: Any, table: str) -> int:
        """The id of `obj`'s row: the one it was read from, else a new one."""
        origin = _origins.get(id(obj))
        if origin is not None and origin[0] is obj and origin[1] == self.path and origin[2] == table:
            row = origin[3]
        elif table == "rows" or not isinstance(obj, RecordWithRows):
            # A row is read alone, when needed, and other records hold no rows or records: pickled by
            # itself, in C (100,000 briefs of a clean build in 1.3 s less than with the store's pickler).
            row = self.saving.insert(table, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
            _remember(obj, self.path, row, table)
            self.saving.remembered.append(id(obj))
        else:  # a shard names the rows in it (renderings, texts) and holds its briefs; so may others
            row = self.saving.save_record(obj)
            _remember(obj, self.path, row, table)
            self.saving.remembered.append(id(obj))
        self.saving.keep(table, row)
        self.named[table].add(row)
        return row


_APART = "_stored_apart"  # where a PartlyStored object read from the store keeps the row of its other fields
_PACKED = "_packed"  # and where it keeps its packed fields, pickled, until one is used


class PartlyStored:
    """A type some of whose fields (see `stored_apart`) the store saves in a row of their own, read the
    first time one of them is used, and most others kept pickled in memory until one of them is used.

    For objects the memory holds by the hundred thousand, of which a build uses a few fields of each
    and all fields of a few (a brief: its slug; its dates, title and entities for the few pages a
    correction renders again; its text only to render it again). An object read from the store has
    the fields `at_hand` and its packed fields as one string of bytes (unpickled when one is first
    used); its first use of a field stored apart reads them all. The shard that holds it holds
    those; any other pickle of the memory that refers to it names it, so that it is read once and is
    one object. Pickled by anything but the store, it is whole.
    """

    STORED_APART: ClassVar[tuple[str, ...]] = ()
    PACKED: ClassVar[tuple[str, ...]] = ()  # the fields kept packed (see stored_apart)

    def _read_apart(self) -> None:
        self.__dict__.update(self._fields_apart())

    def _fields_apart(self, *, remember: bool = True) -> dict[str, Any]:
        """The fields kept apart, by name, read from their row (`remember`: see `Stored.unpack`)."""
        return dict(zip(type(self).STORED_APART, self.__dict__[_APART].unpack(remember=remember), strict=True))

    def _unpack(self) -> None:
        """Unpickle the packed fields into the object (once: they stay)."""
        fields = self.__dict__
        packed = fields.get(_PACKED)
        if packed is not None:
            fields.update(_unpacked(type(self), packed))
            fields.pop(_PACKED, None)

    def __getstate__(self) -> dict[str, Any]:
        self._unpack()
        if _APART in self.__dict__ and type(self).STORED_APART[0] not in self.__dict__:
            self._read_apart()
        return {name: value for name, value in self.__dict__.items() if name != _APART}


def _unpacked(kind: type[PartlyStored], packed: bytes) -> Iterator[tuple[str, Any]]:
    """The packed fields, by name, from their pickle."""
    return zip(kind.PACKED, pickle.loads(packed), strict=True)


def _head(obj: PartlyStored) -> dict[str, Any]:
    """What a shard holds of `obj`: its fields at hand, and the others (but those stored apart) packed in
    one string of bytes: the one it was read with, if they were never unpacked."""
    kind, fields = type(obj), obj.__dict__
    elsewhere = (*kind.STORED_APART, *kind.PACKED, _APART, _PACKED)
    head = {name: value for name, value in fields.items() if name not in elsewhere}
    if kind.PACKED:
        packed = fields.get(_PACKED)
        head[_PACKED] = packed if packed is not None else pickle.dumps(
            tuple(fields[name] for name in kind.PACKED), protocol=pickle.HIGHEST_PROTOCOL)
    return head


P = TypeVar("P", bound=PartlyStored)


def pickled_apart(obj: PartlyStored) -> bytes:
    """The fields `obj` keeps apart, pickled as a save would (for `put_rows`, then `kept_apart`)."""
    return pickle.dumps(tuple(getattr(obj, name) for name in type(obj).STORED_APART),
                        protocol=pickle.HIGHEST_PROTOCOL)


def kept_apart(obj: PartlyStored, row: Stored, drop: Iterable[str]) -> None:
    """`row` (from `put_rows`) holds `obj`'s fields kept apart, as `pickled_apart` made them: saves name it
    rather than write them again, and the fields in `drop`, which no longer take memory here, are read
    from it with the others when next used. An object read from a store keeps the row it has (and
    `row` is left to the next save to delete)."""
    if _APART in obj.__dict__:
        return
    obj.__dict__[_APART] = row
    for name in drop:
        del obj.__dict__[name]


def whole(obj: P) -> P:
    """`obj` with every field in memory: `obj` itself, or, when some of its fields are in the store and
    not read (or still packed), a copy holding them, read from their row (or unpickled) without
    changing `obj` (which goes on naming the row and keeping its packed bytes). For an object used
    whole once, as a worker renders a brief: reading the fields into `obj` would keep them in that
    process, and in a forked worker copy the object's page."""
    fields, kind = obj.__dict__, type(obj)
    apart = _APART in fields and not all(name in fields for name in kind.STORED_APART)
    packed = fields.get(_PACKED)
    if not apart and packed is None:
        return obj
    copy = object.__new__(kind)
    copy.__dict__.update((name, value) for name, value in fields.items() if name not in (_APART, _PACKED))
    if packed is not None:
        copy.__dict__.update(_unpacked(kind, packed))
    if apart:
        copy.__dict__.update(obj._fields_apart(remember=False))
    return copy


def stored_apart(*names: str, at_hand: tuple[str, ...] = ()) -> Callable[[type[P]], type[P]]:
    """Class decorator, above `@dataclass`: the store saves the fields `names` in a row of their own, and
    an object read from it has the fields `at_hand` as they are and every other field packed (see
    PartlyStored)."""
    def mark(kind: type[P]) -> type[P]:
        kind.STORED_APART = names
        kind.PACKED = tuple(field.name for field in dataclasses.fields(kind)  # type: ignore[arg-type]
                            if field.name not in names and field.name not in at_hand)
        for name in names:
            setattr(kind, name, _FieldElsewhere(name, kind.__dict__.get(name, _NO_DEFAULT), _APART, "_read_apart"))
        for name in kind.PACKED:
            setattr(kind, name, _FieldElsewhere(name, kind.__dict__.get(name, _NO_DEFAULT), _PACKED, "_unpack"))
        return kind
    return mark


_NO_DEFAULT = object()


class _FieldElsewhere:
    """A field an object read from the store may not hold yet: stored apart (in a row) or packed. An
    object that has it (made whole, or read) finds it in its own `__dict__` first; one without it gets
    it here, by the method that puts it there with the others kept alike."""

    def __init__(self, name: str, default: Any, marker: str, fetch: str) -> None:
        self.name, self.default = name, default
        self.marker = marker  # in an object's `__dict__` while the field is elsewhere
        self.fetch = fetch  # the name of the PartlyStored method that brings it in

    def __get__(self, obj: PartlyStored | None, owner: type | None = None) -> Any:
        if obj is None:  # the class's default, as @dataclass left it
            if self.default is _NO_DEFAULT:
                raise AttributeError(self.name)
            return self.default
        if self.marker not in obj.__dict__:
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r}")
        getattr(obj, self.fetch)()
        return obj.__dict__[self.name]


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SHARDS = 64


class RecordWithRows:
    """A type of record that may name rows and other records, and hold `PartlyStored` objects: pickled
    by the store's pickler, which notes what it names (other records are pickled whole, in C)."""

    __slots__ = ()


class Shard(dict[Any, Any], RecordWithRows):
    """One part of a large dict of the memory, saved as a record of its own (see `sharded`)."""

    __slots__ = ()


def sharded(items: Mapping[K, V], previous: tuple[Shard, ...] = ()) -> tuple[Shard, ...]:
    """`items` split into `SHARDS` parts by a hash of each key that every process computes alike.

    A part holding the very objects of the `previous` split's part (as loaded from the store) is that
    part, which the store keeps without saving it again: after one edit, one part of 64 is saved.
    """
    if len(previous) == SHARDS and len(items) == sum(map(len, previous)):
        same_keys = _split_like(items, previous)
        if same_keys is not None:
            return same_keys
    parts: list[dict[Any, Any]] = [{} for _ in range(SHARDS)]
    for key, value in items.items():
        parts[_shard_number(key)][key] = value
    if len(previous) != SHARDS:
        return tuple(map(Shard, parts))
    return tuple(old if len(old) == len(part) and all(part.get(key, part) is value for key, value in old.items())
                 else Shard(part) for old, part in zip(previous, parts, strict=True))


def _split_like(items: Mapping[Any, Any], previous: tuple[Shard, ...]) -> tuple[Shard, ...] | None:
    """`sharded(items, previous)` when `items` has the keys `previous` holds (after edits, no brief came
    or went), found without hashing every key again: at 100,000 briefs, 0.02 s instead of 0.3-0.6 s of
    every save. None when a key of `previous` is not in `items` (the counts being equal, one came too)."""
    parts = []
    for old in previous:
        if all(map(operator.is_, map(items.get, old), old.values())):
            parts.append(old)
            continue
        try:
            parts.append(Shard({key: items[key] for key in old}))
        except KeyError:
            return None
    return tuple(parts)


class SavedInShards:
    """Saves the dicts named in `SHARDED` as shards (see `sharded`).

    For dicts of one item per brief, file or page, whose values are replaced, never changed in
    place: a shard holding the same objects is not saved again. After loading, each is one dict
    again.
    """

    SHARDED: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, Any]:
        # The shards are kept on the object: the next save compares with them.
        saved: dict[str, tuple[Shard, ...]] = self.__dict__.setdefault("_saved_shards", {})
        # The shards first: the objects they hold are named by the rest (see PartlyStored).
        state: dict[str, Any] = {}
        for name in self.SHARDED:
            state[name] = saved[name] = sharded(self.__dict__[name], saved.get(name, ()))
        state.update((name, value) for name, value in self.__dict__.items()
                     if name != "_saved_shards" and name not in state)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        shards = {name: state[name] for name in self.SHARDED}
        self.__dict__.update(state)
        self.__dict__.update({name: merged(parts) for name, parts in shards.items()}, _saved_shards=shards)


def merged(shards: Iterable[Shard]) -> dict[Any, Any]:
    """The dict that `sharded` split."""
    whole: dict[Any, Any] = {}
    for shard in shards:
        whole.update(shard)
    return whole


def _shard_number(key: Any) -> int:
    text = key if isinstance(key, str) else "\0".join(map(str, key))
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % SHARDS


# While `_Unpickler` runs: its store and the records it has read, each read by its own query when first
# named (the records' bytes are not all held at once: 136 MB at 100,000 briefs).
_loading: _Unpickler | None = None


def _record(row: int) -> Any:
    assert _loading is not None, "a stored record is unpickled only by store.load"
    return _loading.record(row)


def _partly_read(kind: type[PartlyStored], head: dict[str, Any], apart_row: int, held: bool) -> PartlyStored:
    assert _loading is not None, "a stored record is unpickled only by store.load"
    value = object.__new__(kind)
    value.__dict__.update(head)
    value.__dict__[_APART] = Stored((_loading.path, apart_row))
    if held:
        _loading.home(apart_row, value)
    return value


def _named(name: int) -> Any:
    assert _loading is not None, "a stored record is unpickled only by store.load"
    return _loading.homes[name]  # a KeyError is a store that cannot be used (see STORE_ERRORS)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, path: str, connection: sqlite3.Connection) -> None:
        super().__init__(file)
        self.path = path
        self.connection = connection
        self.loaded: dict[int, Any] = {}  # one object per record, however many places name it
        self.homes: dict[int, Any] = {}  # the PartlyStored objects read, by name
        self.holding: list[list[tuple[int, Any]]] = []  # for each record being read, those it holds

    def load(self) -> Any:
        global _loading
        _loading = self
        try:
            return super().load()
        finally:
            _loading = None

    def home(self, name: int, value: Any) -> None:
        """The record being read holds this PartlyStored object."""
        self.homes[name] = value
        if self.holding:
            self.holding[-1].append((name, value))

    def record(self, row: int) -> Any:
        if row in self.loaded:
            return self.loaded[row]
        found = self.connection.execute("SELECT data, names FROM records WHERE id = ?", (row,)).fetchone()
        if found is None:
            raise KeyError(f"record {row}")  # a store that cannot be used (see STORE_ERRORS)
        holds: list[tuple[int, Any]] = []
        self.holding.append(holds)
        try:
            value = self.loaded[row] = pickle.loads(found[0])
        finally:
            self.holding.pop()
        _remember(value, self.path, row, "records")
        names = _unpacked_names(found[1])
        if names is not _NOTHING:
            _contents[(self.path, row)] = names
        else:
            _contents.pop((self.path, row), None)
        if holds:
            _homes[(self.path, row)] = holds
        else:
            _homes.pop((self.path, row), None)
        return value


def _packed_names(rows: frozenset[int], records: frozenset[int]) -> bytes:
    """What a record names (the ids of rows and of records), as saved beside it: read with it, they
    need no call per row while it is unpickled."""
    if not rows and not records:
        return b""
    return len(rows).to_bytes(8, "little") + array("q", sorted(rows)).tobytes() + array("q", sorted(records)).tobytes()


def _unpacked_names(packed: bytes) -> tuple[frozenset[int], frozenset[int]]:
    if not packed:
        return _NOTHING
    ids = array("q")
    ids.frombytes(packed[8:])
    count = int.from_bytes(packed[:8], "little")
    return frozenset(ids[:count]), frozenset(ids[count:])
