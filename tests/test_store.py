"""The build store writes only what a build changed, and a save that fails leaves the last good one."""

from __future__ import annotations

import io
import pickle
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import store
from briefgen.build import Builder
from briefgen.cache import CACHE_DIR
from briefgen.entities import CoCounts, FilesById, ListedBy, SiteIndexes
from briefgen.memory import BodyNotes, PageIndex
from briefgen.model import EntityRef, FileRefs
from briefgen.ownership import OwnedLines
from briefgen.rendered import RenderedBrief
from briefgen.saved import saved_memory

from sitegen import generate_site


@dataclass(frozen=True)
class RenderedBlob:
    """A value the store keeps in a row of its own (as it keeps a brief's rendering)."""

    data: bytes


class _Peek(pickle.Unpickler):
    """Reads a row or record alone: the rows and records it refers to stay ids."""

    def find_class(self, module: str, name: str) -> object:
        if module == "briefgen.store" and name in ("_row", "_record"):
            return lambda row: row
        if module == "briefgen.store" and name == "_partly_read":
            return lambda kind, head, row, name: kind.__new__(kind)
        if module == "briefgen.store" and name == "_named":
            return lambda name: None
        return super().find_class(module, name)


def _kind(data: bytes) -> type:
    return type(_Peek(io.BytesIO(data)).load())


def ids(site: Path) -> dict[str, set[int]]:
    """The store's ids: records of the shards of the memory's per-brief dicts ("shards", which hold the
    briefs) and of the page index ("index"); rows of renderings ("rows"), of files' refs ("refs") and of
    briefs' texts ("texts": the fields a brief keeps apart) and of the co-mention counts and each entity's
    files ("counts") and of the output folder's list of owned files ("owned"), read only when a build needs
    them; and the records of the site's indexes ("indexes") and of the briefs' warnings and root links
    ("notes")."""
    with sqlite3.connect(site / CACHE_DIR / store.STORE_FILE) as connection:
        rows = {row: _kind(data) for row, data in connection.execute("SELECT id, data FROM rows")}
        records = {row: _kind(data) for row, data in connection.execute("SELECT id, data FROM records")}
    found = {"rows": {row for row, kind in rows.items() if kind is RenderedBrief},
             "refs": {row for row, kind in rows.items() if kind is FileRefs},
             "texts": {row for row, kind in rows.items() if kind is tuple},
             "counts": {row for row, kind in rows.items() if kind in (CoCounts, FilesById, ListedBy)},
             "owned": {row for row, kind in rows.items() if kind is OwnedLines},
             "shards": {row for row, kind in records.items() if kind is store.Shard},
             "index": {row for row, kind in records.items() if kind is PageIndex},
             "indexes": {row for row, kind in records.items() if kind is SiteIndexes},
             "notes": {row for row, kind in records.items() if kind is BodyNotes}}
    assert found["rows"] | found["refs"] | found["texts"] | found["counts"] | found["owned"] == rows.keys()
    assert found["shards"] | found["index"] | found["indexes"] | found["notes"] == records.keys()
    return found


def _every_id(found: dict[str, set[int]]) -> dict[str, set[int]]:
    """The ids `ids` found, by table: what the memory must name, no more, no less."""
    return {"rows": found["rows"] | found["refs"] | found["texts"] | found["counts"] | found["owned"],
            "records": found["shards"] | found["index"] | found["indexes"] | found["notes"]}


def test_a_one_edit_build_writes_one_brief_and_one_rendering(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", briefs=25)
    Builder(site, jobs=1).build()
    first = ids(site)
    assert len(first["rows"]) == 25 and len(first["texts"]) == 25
    assert len(first["refs"]) == 26  # each sidecar's and the registry's
    assert len(first["counts"]) == 3  # co-mention counts, each entity's files, the briefs listing each
    article = sorted((site / "content").rglob("*.md"))[3]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = Builder(site, jobs=1).build()
    assert report.incremental
    second = ids(site)
    # The edited brief's record and rendering are new; the old ones are gone; every other is kept.
    assert len(second["rows"] - first["rows"]) == 1 and len(first["rows"] - second["rows"]) == 1
    assert len(second["texts"] - first["texts"]) == 1 and len(first["texts"] - second["texts"]) == 1
    assert second["refs"] == first["refs"]  # a body edit saves no refs
    # Of the memory's shards, those holding the brief, its renderings, files and related lists are saved
    # again; the page index is as it was (a body edit changes no list of pages), and is kept.
    assert len(first["shards"]) == 3 * store.SHARDS  # sources, outcomes, output digests
    assert 0 < len(second["shards"] - first["shards"]) == len(first["shards"] - second["shards"]) < store.SHARDS
    # The list of owned files is the same (no file came or went): its row is kept, not written again.
    assert len(first["owned"]) == 1 and second["owned"] == first["owned"]
    assert len(second["index"]) == 1 and second["index"] == first["index"]
    # So are the site's indexes: the brief is listed where it was.
    assert len(second["indexes"]) == 1 and second["indexes"] == first["indexes"]
    assert second["counts"] == first["counts"]
    # And the briefs' warnings and links: the edit warns of nothing new.
    assert len(second["notes"]) == 1 and second["notes"] == first["notes"]
    Builder(site, jobs=1).build()  # nothing changed: nothing saved
    assert ids(site) == second
    # A brief that names another entity, or moves in time, changes the indexes: they are saved again.
    for sidecar, before, after in ((3, "  people:\n", "  people:\n    - Ada Atlantis\n"),
                                   (5, "date: 20", "date: 19")):
        path = sorted((site / "content").rglob("*.yaml"))[sidecar]
        text = path.read_text(encoding="utf-8")
        assert before in text
        path.write_text(text.replace(before, after, 1), encoding="utf-8")
        assert Builder(site, jobs=1).build().incremental
        third = ids(site)
        assert len(third["indexes"]) == 1 and third["indexes"] != second["indexes"]
        assert len(third["counts"]) == 3 and third["counts"] != second["counts"]
        second = third


def test_a_body_edit_reads_the_refs_of_the_edited_file_and_the_registry_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitekit import NONDETERMINISTIC, snapshot

    """Files' refs are rows, read when needed: a body edit needs the edited sidecar's (to compare them)
    and the registry's (its redirects are checked), not the other 24 files', nor the co-mention counts
    and each entity's files. An entity edit reads those of the files that name the entity, to merge
    it again, and the counts."""
    site = generate_site(tmp_path / "site", briefs=25)
    Builder(site, jobs=1).build()
    read: set[int] = set()  # the rows of refs read
    counts_read: list[type] = []  # the co-mention counts and entities' files, when read
    real = store.Stored.unpack

    def counted(self: store.Stored, *, remember: bool = True) -> object:
        value = real(self, remember=remember)
        if isinstance(value, FileRefs):
            read.add(self.row)
        if isinstance(value, (CoCounts, FilesById)):
            counts_read.append(type(value))
        return value

    monkeypatch.setattr(store.Stored, "unpack", counted)
    articles = sorted((site / "content").rglob("*.md"))
    articles[3].write_text(articles[3].read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    store.forget_readers()
    assert Builder(site, jobs=1).build().incremental
    assert len(read) == 2 and counts_read == []  # a correction counts nothing again
    read.clear()
    sidecar = articles[5].with_suffix(".yaml")
    text = sidecar.read_text(encoding="utf-8")
    person = text.split("  people:\n    - ", 1)[1].split("\n", 1)[0]  # "Donald Knuth", quoted
    sidecar.write_text(text.replace(person, person[:-1] + ' Jr"', 1), encoding="utf-8")
    store.forget_readers()
    assert Builder(site, jobs=1).build().incremental
    # The person no longer named here is merged again from the files that still name them.
    assert 2 < len(read) < 25 and sorted(map(str, counts_read)) == sorted(map(str, [CoCounts, FilesById]))
    clean = tmp_path / "clean"
    Builder(site, clean, jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean, NONDETERMINISTIC)


def test_a_save_that_fails_midway_leaves_the_last_good_store(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    site = generate_site(tmp_path / "site", briefs=12)
    Builder(site, jobs=1).build()
    before = ids(site)
    for article in sorted((site / "content").rglob("*.md"))[:4]:
        article.write_text(article.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    calls = 0
    real = store._Pickler._row_of

    def fail_on_the_third(self: store._Pickler, obj: object, table: str) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        return real(self, obj, table)

    monkeypatch.setattr(store._Pickler, "_row_of", fail_on_the_third)
    report = Builder(site, jobs=1).build()
    assert any(warning.kind == "cache-not-saved" for warning in report.warnings)
    assert ids(site) == before  # rolled back: no row of the failed save is left
    monkeypatch.undo()
    store.forget_readers()
    # The saved memory describes the site before the edits; the folder holds the edited one: a full build.
    report = Builder(site, jobs=1).build()
    assert not report.incremental


def test_a_rebuild_after_edits_scans_the_content_folder_once(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-op check names the edited briefs; the build loads them without scanning again, and its
    output is a clean build's. A file that comes or goes still makes it scan."""
    from briefgen import build as build_module
    from briefgen import saved

    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=30)
    Builder(site, jobs=1).build()
    scans: list[str] = []

    def counted(module: object) -> object:
        real = module.find_content  # type: ignore[attr-defined]

        def find_content(*args: object, **kwargs: object) -> object:
            scans.append(getattr(module, "__name__", "?"))
            return real(*args, **kwargs)
        return find_content

    monkeypatch.setattr(saved, "find_content", counted(saved))
    monkeypatch.setattr(build_module, "find_content", counted(build_module))
    articles = sorted((site / "content").rglob("*.md"))
    articles[2].write_text(articles[2].read_text(encoding="utf-8") + "\nA sentence about zebrafish.\n",
                           encoding="utf-8")
    sidecar = articles[5].with_suffix(".yaml")
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("title: \"", "title: \"Updated: ", 1),
                       encoding="utf-8")
    report = Builder(site, jobs=1).build()
    assert report.incremental and report.files_written
    assert scans == ["briefgen.saved"]
    clean = tmp_path / "clean"
    Builder(site, clean, jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean, NONDETERMINISTIC)

    scans.clear()
    articles[7].unlink()
    articles[7].with_suffix(".yaml").unlink()
    Builder(site, jobs=1).build()
    assert scans == ["briefgen.saved", "briefgen.build"]
    clean2 = tmp_path / "clean2"
    Builder(site, clean2, jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean2, NONDETERMINISTIC)


def test_a_store_of_an_older_layout_is_replaced_by_the_next_build(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", briefs=5)
    folder = site / CACHE_DIR
    folder.mkdir()
    with sqlite3.connect(folder / store.STORE_FILE) as connection:  # as versions before 64 KiB pages made it
        connection.execute("PRAGMA page_size=4096")
        connection.execute("CREATE TABLE saved (name TEXT PRIMARY KEY, key TEXT NOT NULL, data BLOB NOT NULL)")
    store.forget_readers()
    Builder(site, jobs=1).build()
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (store.PAGE_SIZE,)
    assert len(ids(site)["rows"]) == 5


def test_a_save_that_replaces_most_of_the_store_gives_the_space_back(tmp_path: Path) -> None:
    """Search turned on, then off: two memories of one site, each a clean build after the other. The
    pages the replaced memory held are returned to the file system, not kept as free pages."""
    folder = tmp_path / "cache"
    folder.mkdir()
    big = [RenderedBlob(bytes([number]) * 200_000) for number in range(40)]
    store.save(folder, "one", {store.MEMORY: big}, rows=(RenderedBlob,))
    store.forget_readers()
    grown = (folder / store.STORE_FILE).stat().st_size
    store.save(folder, "two", {store.MEMORY: [RenderedBlob(b"small")]}, rows=(RenderedBlob,))
    store.close_readers()
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert connection.execute("PRAGMA auto_vacuum").fetchone() == (store.AUTO_VACUUM_INCREMENTAL,)
        assert connection.execute("PRAGMA freelist_count").fetchone() == (0,)
    assert (folder / store.STORE_FILE).stat().st_size < grown / 4
    loaded = store.load(folder, store.MEMORY, "two")
    assert [row.unpack().data for row in loaded] == [b"small"]


class _Noted:
    """A value that notes when it is pickled."""

    def __init__(self, order: list[str], size: int) -> None:
        self.order, self.data = order, bytes(range(256)) * (size // 256)

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        self.order.append("pickled")
        return bytes, (self.data,)


def test_a_save_writes_values_larger_than_its_chunks_and_makes_a_value_given_as_a_function_in_turn(
        tmp_path: Path) -> None:
    """Values are written into their rows a chunk at a time (bound whole, SQLite copied each first: the
    memory's core, 41 MB at 100,000 briefs), and read back whole. A value given as a function is made
    once those before it are saved: the manifest, made of the memory, is not held while it is pickled."""
    folder = tmp_path / "cache"
    folder.mkdir()
    order: list[str] = []
    size = 2 * store.BLOB_CHUNK + 4096
    store.save(folder, "one", {store.MEMORY: _Noted(order, size),
                               store.MANIFEST: lambda: (order.append("made"), [RenderedBlob(b"x" * size)])[1]},
               rows=(RenderedBlob,), records=(store.Shard,))
    assert order == ["pickled", "made"]
    store.forget_readers()
    assert store.load(folder, store.MEMORY, "one") == bytes(range(256)) * (size // 256)
    (row,) = store.load(folder, store.MANIFEST, "one")
    assert row.unpack().data == b"x" * size
    shard = store.Shard({number: bytes([number % 256]) * 5000 for number in range(600)})  # a record of 3 MB
    store.save(folder, "two", {store.MEMORY: shard}, records=(store.Shard,))
    store.forget_readers()
    assert store.load(folder, store.MEMORY, "two") == shard


def test_the_command_leaves_no_write_ahead_log_behind(tmp_path: Path) -> None:
    """`briefgen build` ends its process at once (os._exit), but closes the store first: the log is folded
    into the store, not left to grow from build to build."""
    import os
    import subprocess
    import sys

    site = generate_site(tmp_path / "site", briefs=8)
    env = {**os.environ, "BRIEFGEN_PAGEFIND": "off"}
    for edit in range(2):
        article = sorted((site / "content").rglob("*.md"))[edit]
        article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "briefgen", "build", str(site), "-q"], env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        log = site / CACHE_DIR / (store.STORE_FILE + "-wal")
        assert not log.exists() or log.stat().st_size == 0
    assert (site / "site" / "index.html").is_file()


_keys = st.one_of(st.text(max_size=12), st.tuples(st.text(max_size=8), st.text(max_size=8)))


@settings(max_examples=150, deadline=None)
@given(before=st.dictionaries(_keys, st.integers(), max_size=300), changed=st.sets(_keys, max_size=20),
       removed=st.sets(_keys, max_size=20))
def test_a_dict_saved_in_shards_saves_again_only_the_shards_whose_items_changed(
        before: dict[object, int], changed: set[object], removed: set[object]) -> None:
    """`sharded` splits by a hash every process computes alike; a shard holding the very objects it held
    is the shard itself (kept by the store); any shard with an item added, replaced or removed is new."""
    first = store.sharded(before)
    assert len(first) == store.SHARDS and store.merged(first) == before
    after = {key: value for key, value in before.items() if key not in removed}
    after.update({key: object() for key in changed})  # new objects: changed, whatever they equal
    second = store.sharded(after, first)
    assert store.merged(second) == after
    touched = {store._shard_number(key) for key in changed} | \
        {store._shard_number(key) for key in removed if key in before}
    for number, (old, new) in enumerate(zip(first, second, strict=True)):
        assert (new is old) == (number not in touched)



@settings(max_examples=150, deadline=None)
@given(before=st.dictionaries(_keys, st.integers(), min_size=1, max_size=300), data=st.data())
def test_a_dict_with_the_same_keys_is_split_as_if_split_afresh(before: dict[object, int],
                                                               data: st.DataObject) -> None:
    """After edits that replace items (no key comes or goes), the split made from the previous one's keys
    is the split made afresh, and keeps the very shards whose objects are all the same."""
    first = store.sharded(before)
    changed = data.draw(st.sets(st.sampled_from(sorted(before, key=repr)), max_size=20))
    after = {key: object() if key in changed else value for key, value in before.items()}
    second = store.sharded(after, first)
    afresh = store.sharded(after)
    assert [dict(part) for part in second] == [dict(part) for part in afresh]
    touched = {store._shard_number(key) for key in changed}
    for number, (old, new) in enumerate(zip(first, second, strict=True)):
        assert (new is old) == (number not in touched)
    # The same number of items with a key swapped for another: split afresh, not from the old keys.
    gone = next(iter(before))
    swapped = {("swapped", "in") if key == gone else key: value for key, value in before.items()}
    assert [dict(part) for part in store.sharded(swapped, first)] == [dict(p) for p in store.sharded(swapped)]

class _Anything(dict[object, object]):
    """Stands for any class of briefgen's while a pickle is read for the ids it names."""

    def __new__(cls, *args: object, **kwargs: object) -> _Anything:
        return dict.__new__(cls)

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


def _named(site: Path) -> dict[str, set[int]]:
    """Every row and record id the saved memory refers to, through the records it names."""
    named: dict[str, set[int]] = {"rows": set(), "records": set()}
    with sqlite3.connect(site / CACHE_DIR / store.STORE_FILE) as connection:
        records = dict(connection.execute("SELECT id, data FROM records"))
        todo = [connection.execute("SELECT data FROM saved WHERE name = ?", (store.MEMORY,)).fetchone()[0]]

    class StoredNoted(tuple[str, int]):
        def __new__(cls, pair: tuple[str, int]) -> StoredNoted:
            named["rows"].add(pair[1])
            return tuple.__new__(cls, pair)

    class Naming(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            if module == "briefgen.store" and name == "_partly_read":
                return lambda kind, head, row, name: named["rows"].add(row)
            if module == "briefgen.store" and name == "_named":
                return lambda name: None
            if module == "briefgen.store" and name == "Stored":  # a row, made again in C: (store, id)
                return StoredNoted
            if module == "briefgen.store" and name == "_record":
                def note(row: int) -> int:
                    if row not in named["records"] and row in records:
                        todo.append(records[row])
                    named["records"].add(row)
                    return row
                return note
            if module.startswith("briefgen"):
                return _Anything  # the memory's own classes: only the ids it names are wanted
            return super().find_class(module, name)

    while todo:
        Naming(io.BytesIO(todo.pop())).load()
    return named


def test_the_store_holds_exactly_what_the_memory_names_after_edits_of_every_kind(tmp_path: Path) -> None:
    """Rows and records no longer named are deleted by id (the ids the last save kept), and those a kept
    shard names are kept with it: after body, entity, removal and addition edits, nothing is missing
    and nothing is left over. Each build's output equals a clean build's."""
    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=30)
    Builder(site, jobs=1).build()
    articles = sorted((site / "content").rglob("*.md"))

    def body(article: Path) -> None:
        article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")

    def entity(article: Path) -> None:
        sidecar = article.with_suffix(".yaml")
        text = sidecar.read_text(encoding="utf-8")
        person = text.split("  people:\n    - ", 1)[1].split("\n", 1)[0]
        sidecar.write_text(text.replace(person, person[:-1] + ' Jr"', 1), encoding="utf-8")

    def remove(article: Path) -> None:
        article.unlink()
        article.with_suffix(".yaml").unlink()

    def add(article: Path) -> None:
        copy = article.with_name("copy-" + article.name)
        copy.write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
        sidecar = article.with_suffix(".yaml").read_text(encoding="utf-8")
        copy.with_suffix(".yaml").write_text(sidecar.replace('title: "', 'title: "Copy: ', 1), encoding="utf-8")

    for number, (edit, article) in enumerate([(body, articles[3]), (entity, articles[5]), (remove, articles[7]),
                                              (add, articles[9]), (body, articles[11])]):
        edit(article)
        store.forget_readers()  # as a new command: the memory is read from the store
        assert Builder(site, jobs=1).build().incremental
        found = ids(site)
        assert _named(site) == _every_id(found)
        clean = tmp_path / f"clean{number}"
        Builder(site, clean, jobs=1, use_cache=False).build()
        assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean, NONDETERMINISTIC)


def test_a_save_that_failed_does_not_mislead_the_next_save_of_the_same_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server keeps its builder: after a save that failed (rolled back), the objects it had given
    rows must not be taken for saved, or the next save names rows that do not exist."""
    site = generate_site(tmp_path / "site", briefs=12)
    builder = Builder(site, jobs=1, use_cache=True)
    builder.build()
    articles = sorted((site / "content").rglob("*.md"))
    articles[2].write_text(articles[2].read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    real = store._Saving.save_record
    failing = True
    saved = 0

    def save_record(self: store._Saving, value: object) -> int:
        nonlocal saved
        row = real(self, value)
        saved += 1
        if failing and saved == 2:  # the shards of the edited brief (its text) and of its rendering are saved
            raise OSError(28, "No space left on device")
        return row

    monkeypatch.setattr(store._Saving, "save_record", save_record)
    report = builder.build()
    assert any(warning.kind == "cache-not-saved" for warning in report.warnings)
    failing = False
    articles[4].write_text(articles[4].read_text(encoding="utf-8") + "\nEdited too.\n", encoding="utf-8")
    assert not any(warning.kind == "cache-not-saved" for warning in builder.build().warnings)
    found = ids(site)
    assert _named(site) == _every_id(found)
    store.forget_readers()
    assert Builder(site, jobs=1).build().incremental  # the saved memory reads back whole


def test_a_body_edit_changes_one_shard_of_the_sources_and_of_the_renderings_and_few_of_the_digests(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", briefs=40)
    builder = Builder(site, jobs=1, use_cache=True)
    builder.build()
    assert builder.memory is not None
    before = dict(builder.memory.__dict__["_saved_shards"])
    before_digests = dict(builder.memory.outputs)
    article = sorted((site / "content").rglob("*.md"))[6]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert builder.build().incremental
    after = builder.memory.__dict__["_saved_shards"]
    for name in ("sources", "outcomes"):
        assert sum(new is not old for new, old in zip(after[name], before[name], strict=True)) == 1, name
    # Of the output digests, only shards holding a file whose bytes changed: its page, and the lists
    # showing the brief's text (its feeds), not every page rendered again with the same bytes.
    changed = {path for path in builder.memory.outputs if builder.memory.outputs[path] is not before_digests.get(path)}
    assert changed and all(builder.memory.outputs[path] != before_digests[path] for path in changed)
    assert sum(new is not old for new, old in zip(after["outputs"], before["outputs"], strict=True)) \
        == len({store._shard_number(path) for path in changed})


def test_rows_left_by_a_save_for_another_key_are_deleted(tmp_path: Path) -> None:
    """A save deletes by id the rows the last save kept and it does not; after a save for another key
    (another version of briefgen, search switched), or over a memory of another key, it scans, so no
    row is left behind for ever."""
    folder = tmp_path / "cache"
    folder.mkdir()
    store.save(folder, "one", {store.MEMORY: [RenderedBlob(b"a"), RenderedBlob(b"b")]}, rows=(RenderedBlob,))
    with sqlite3.connect(folder / store.STORE_FILE) as connection:  # as a version that kept no note would
        connection.execute("INSERT INTO rows (id, data) VALUES (7, ?)", (pickle.dumps(RenderedBlob(b"stray")),))
    store.forget_readers()
    kept = store.load(folder, store.MEMORY, "one")
    store.save(folder, "one", {store.MEMORY: kept[:1]}, rows=(RenderedBlob,))
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        left = {row for (row,) in connection.execute("SELECT id FROM rows")}
    assert left == {kept[0].row, 7}  # the dropped row is deleted by id; the stray one is not known
    store.save(folder, "two", {store.MEMORY: [RenderedBlob(b"c")]}, rows=(RenderedBlob,))
    store.forget_readers()
    (only,) = store.load(folder, store.MEMORY, "two")
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        assert {row for (row,) in connection.execute("SELECT id FROM rows")} == {only.row}
    assert only.unpack() == RenderedBlob(b"c")
    # An older version saves its memory (and a row) without touching the note: the next save for
    # "two" replaces a memory of another key, so it scans.
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        connection.execute("UPDATE saved SET key = 'older' WHERE name = ?", (store.MEMORY,))
        connection.execute("INSERT INTO rows (id, data) VALUES (9, ?)", (pickle.dumps(RenderedBlob(b"older")),))
    store.forget_readers()
    store.save(folder, "two", {store.MEMORY: [RenderedBlob(b"d")]}, rows=(RenderedBlob,))
    store.forget_readers()
    (last,) = store.load(folder, store.MEMORY, "two")
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        assert {row for (row,) in connection.execute("SELECT id FROM rows")} == {last.row}


@store.stored_apart("text", "notes")
@dataclass(frozen=True)
class Article(store.PartlyStored):
    """An object some of whose fields the store keeps apart (as it keeps a brief's text)."""

    name: str
    text: str
    notes: tuple[str, ...] = ()  # a default: an object read without it must not show the default


def _saved_ids(folder: Path) -> dict[str, set[int]]:
    with sqlite3.connect(folder / store.STORE_FILE) as connection:
        return {table: {row for (row,) in connection.execute(f"SELECT id FROM {table}")}
                for table in ("rows", "records")}


def _memory(*articles: Article) -> dict[str, object]:
    """A memory that holds articles in a shard, and names them again elsewhere (as a build's memory
    holds its briefs in the shards of its sources, and names them in its site state)."""
    return {"held": store.Shard({article.name: article for article in articles}), "named": list(articles)}


def test_fields_stored_apart_are_read_on_first_use_and_kept_while_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    articles = [Article("a", "alpha " * 100, ("one", "two")), Article("b", "beta")]
    store.save(folder, "k", {store.MEMORY: _memory(*articles)}, records=(store.Shard,))
    first = _saved_ids(folder)
    assert len(first["records"]) == 1 and len(first["rows"]) == 2  # the shard; each article's text
    store.forget_readers()
    loaded = store.load(folder, store.MEMORY, "k")
    held, named = loaded["held"], loaded["named"]
    assert named[0] is held["a"] and named[1] is held["b"]  # one object, named where not held
    assert all("text" not in article.__dict__ and "notes" not in article.__dict__ for article in named)
    assert named[1].notes == ()  # read from its row, not the class's default
    assert "text" in named[1].__dict__ and "text" not in named[0].__dict__  # read together, one article
    assert named == articles  # equality reads them
    whole = pickle.loads(pickle.dumps(store.load(folder, store.MEMORY, "k")["named"][0]))
    assert whole == articles[0] and "_stored_apart" not in whole.__dict__
    # Saved again unchanged, read or not, the shard and the texts are kept.
    store.save(folder, "k", {store.MEMORY: loaded}, records=(store.Shard,))
    assert _saved_ids(folder) == first
    # An article replaced: a new shard; the other article keeps the row of its text, the old text goes.
    again = store.load(folder, store.MEMORY, "k")["named"]
    store.save(folder, "k", {store.MEMORY: _memory(again[0], Article("b", "beta, edited"))}, records=(store.Shard,))
    third = _saved_ids(folder)
    assert third["records"].isdisjoint(first["records"]) and len(third["records"]) == 1
    assert len(third["rows"] & first["rows"]) == 1 and len(third["rows"]) == 2
    store.forget_readers()
    assert store.load(folder, store.MEMORY, "k")["named"] == [articles[0], Article("b", "beta, edited")]


def test_a_copy_made_whole_leaves_the_object_naming_its_row(tmp_path: Path) -> None:
    """`store.whole` reads the fields kept apart into a copy: the object read from the store stays
    without them (a worker rendering a brief keeps nothing of its text); a whole object is itself."""
    folder = tmp_path / "cache"
    folder.mkdir()
    articles = [Article("a", "alpha", ("one note",)), Article("b", "beta")]
    assert store.whole(articles[0]) is articles[0]
    store.save(folder, "k", {store.MEMORY: _memory(*articles)}, records=(store.Shard,))
    store.forget_readers()
    hollow = store.load(folder, store.MEMORY, "k")["named"][0]
    copy = store.whole(hollow)
    assert copy is not hollow and copy.text == "alpha" and copy.notes == ("one note",)
    assert "_stored_apart" not in copy.__dict__ and copy == articles[0]
    assert not {"text", "notes"} & hollow.__dict__.keys()  # as read: the row still holds them
    assert hollow.text == "alpha"  # read into it when asked for


@store.stored_apart("text", at_hand=("name",))
@dataclass(frozen=True)
class Story(store.PartlyStored):
    """An object with a field at hand, one stored apart and two packed (as a brief has)."""

    name: str
    text: str
    tags: tuple[str, ...] = ()  # a default: an object read without it must not show the default
    year: int = 0


def test_packed_fields_are_unpickled_on_first_use_and_saved_again_as_read(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Read from the store, an object has its fields at hand; the others but those stored apart are one
    string of bytes until one of them is used. Saved again in a new shard (another object of it changed),
    an object never unpacked is not pickled again; made whole or pickled by anything else, it is whole."""
    assert Story.PACKED == ("tags", "year")
    folder = tmp_path / "cache"
    folder.mkdir()
    stories = [Story("a", "alpha", ("x", "y"), 2024), Story("b", "beta")]
    store.save(folder, "k", {store.MEMORY: _memory(*stories)}, records=(store.Shard,))
    store.forget_readers()
    loaded = store.load(folder, store.MEMORY, "k")
    first, second = loaded["named"]
    assert first is loaded["held"]["a"]
    assert first.__dict__.keys() == {"name", "_packed", "_stored_apart"}
    assert first.name == "a" and "tags" not in first.__dict__  # at hand: nothing unpacked
    assert second.year == 0  # unpacked, not the class's default
    assert second.__dict__.keys() == {"name", "tags", "year", "_stored_apart"}
    copy = store.whole(first)
    assert copy == stories[0] and "_packed" not in copy.__dict__ and "_packed" in first.__dict__
    assert pickle.loads(pickle.dumps(first)) == stories[0]
    assert "_packed" not in first.__dict__ and first == stories[0]  # pickled whole: unpacked into it
    # Another one, never unpacked, saved again beside a changed one: its packed bytes as they were read.
    store.forget_readers()
    again = store.load(folder, store.MEMORY, "k")["named"]
    packed = again[0].__dict__["_packed"]
    pickled: list[object] = []
    real_dumps = pickle.dumps

    def noted(value: object, *args: object, **kwargs: object) -> bytes:
        pickled.append(value)
        return real_dumps(value, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.pickle, "dumps", noted)
    store.save(folder, "k", {store.MEMORY: _memory(again[0], Story("b", "beta, edited", ("z",)))},
               records=(store.Shard,))
    monkeypatch.undo()
    assert (("x", "y"), 2024) not in pickled and (("z",), 0) in pickled
    store.forget_readers()
    last = store.load(folder, store.MEMORY, "k")["named"]
    assert last[0].__dict__["_packed"] == packed
    assert last == [stories[0], Story("b", "beta, edited", ("z",))]


def test_an_object_made_whole_keeps_the_row_of_its_text_across_saves(tmp_path: Path) -> None:
    """A brief loaded from its files is saved with its shard; saved again in a new shard (another brief of
    it changed), it keeps the row of its text, in the same process (the dev server) as after reading."""
    folder = tmp_path / "cache"
    folder.mkdir()
    kept, other = Article("a", "alpha"), Article("b", "beta")
    store.save(folder, "k", {store.MEMORY: _memory(kept, other)}, records=(store.Shard,))
    first = _saved_ids(folder)["rows"]
    store.save(folder, "k", {store.MEMORY: _memory(kept, Article("b", "beta, edited"))}, records=(store.Shard,))
    assert len(_saved_ids(folder)["rows"] & first) == 1


def test_a_one_edit_build_reads_the_text_of_the_briefs_its_pages_show_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A brief read from the store reads its text, annotations and source when first used: a body
    edit reads those of the briefs on the pages and feeds it renders again (its entities' feeds show
    20 each), not of every brief."""
    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=300)
    config = site / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("page_size: 25", "page_size: 5"), encoding="utf-8")
    assert "page_size: 5" in config.read_text(encoding="utf-8")
    Builder(site, jobs=1).build()
    read = _reads_apart(monkeypatch)
    unpacked = _unpacks(monkeypatch)
    article = sorted((site / "content").rglob("*.md"))[10]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    store.forget_readers()
    assert Builder(site, jobs=1).build().incremental
    assert 0 < len(read) < 200, len(read)
    # The other fields of the briefs its pages and feeds show, and of those whose related lists it ranks
    # again: not every brief (here 200, each of this site's 32 entities being in a sixth of its briefs).
    assert 0 < len(unpacked) < 250, len(unpacked)
    # Read from the store, each brief is one object: its source's, the site's and its rendering's.
    store.forget_readers()
    builder = Builder(site, jobs=1)
    memory = saved_memory(site, site / "site", builder._key_for(site / "site"))
    assert memory is not None and len(memory.sources) == 300
    for record in memory.sources.values():
        brief = record.brief
        assert memory.state.briefs[brief.slug] is brief and memory.outcomes[brief.slug][0] is brief
    clean = tmp_path / "clean"
    Builder(site, clean, jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean, NONDETERMINISTIC)


def test_objects_read_from_another_store_are_held_once_and_named_elsewhere(tmp_path: Path) -> None:
    """Saved into another store (a site's cache copied elsewhere), an object read from the first is given
    a row of the second for its text, held by its shard and named everywhere else, as one of its own."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    store.save(first, "k", {store.MEMORY: _memory(Article("a", "alpha"), Article("b", "beta"))},
               records=(store.Shard,))
    read = store.load(first, store.MEMORY, "k")
    store.save(second, "k", {store.MEMORY: read}, records=(store.Shard,))
    assert len(_saved_ids(second)["rows"]) == 2
    store.forget_readers()
    again = store.load(second, store.MEMORY, "k")
    assert again["named"][0] is again["held"]["a"] and again["named"] == [Article("a", "alpha"), Article("b", "beta")]


def test_the_saved_memory_holds_each_entity_key_once_per_shard_and_prints_of_what_it_compares(tmp_path: Path) -> None:
    """Renderings remember a print of each entity they name (a string per entity, shared), not a copy
    of it; briefs name their entities with shared key tuples, and their tags and sources' names and
    authors with one string per value: built or loaded, a shard holds each once."""
    site = generate_site(tmp_path / "site", briefs=120)
    first = Builder(site, jobs=1)
    first.build()
    assert first.memory is not None
    values: dict[str, int] = {}
    for record in first.memory.sources.values():
        source = record.brief.source
        for value in (*record.brief.tags, *((source.name, source.author) if source is not None else ())):
            if value is not None:
                assert values.setdefault(value, id(value)) == id(value), value
    assert len(values) < 40  # the same few tags and sources, named by most of the 120 briefs
    store.forget_readers()
    builder = Builder(site, jobs=1)
    memory = saved_memory(site, site / "site", builder._key_for(site / "site"))
    assert memory is not None
    prints: set[str] = set()
    for slug, (_, named, _) in memory.outcomes.items():
        assert named and all(isinstance(text, str) for text in named), slug
        prints.update(named)
    assert len(prints) < sum(len(named) for _, named, _ in memory.outcomes.values())  # entities shared by briefs
    # The page index keeps a print of each long list page's briefs, not the list of their slugs.
    assert memory.page_index.members and all(isinstance(listed, str) for listed in memory.page_index.members.values())
    # What the save pickled: the built briefs, each shard's values shared.
    for shard in first.memory._saved_shards["sources"]:
        keys: dict[tuple[str, str], int] = {}
        tags: dict[str, int] = {}
        for record in shard.values():
            for key in record.brief.entities:
                assert keys.setdefault(key, id(key)) == id(key), key
            for tag in record.brief.tags:
                assert tags.setdefault(tag, id(tag)) == id(tag), tag
    # Read back, a brief has its slug and date; the rest stays packed until used (see the test above).
    for record in memory.sources.values():
        assert {"slug", "date", "_packed"} <= record.brief.__dict__.keys(), record.brief.slug
        assert "entities" not in record.brief.__dict__ and "tags" not in record.brief.__dict__


def test_the_loaded_state_holds_the_published_briefs_of_the_loaded_sources(tmp_path: Path) -> None:
    """The saved state does not name its briefs: loaded, it takes the published ones from the sources,
    the same objects, and no draft or scheduled brief."""
    site = generate_site(tmp_path / "site", briefs=30)
    sidecars = sorted((site / "content").rglob("*.yaml"))
    sidecars[0].write_text(sidecars[0].read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    text = sidecars[1].read_text(encoding="utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("date:"))
    sidecars[1].write_text(text.replace(date_line, "date: 2204-01-01"), encoding="utf-8")
    kept = Builder(site, jobs=1)
    kept.build()
    assert kept.memory is not None
    store.forget_readers()
    memory = saved_memory(site, site / "site", Builder(site, jobs=1)._key_for(site / "site"))
    assert memory is not None
    assert list(memory.state.briefs) != [] and sorted(memory.state.briefs) == sorted(kept.memory.state.briefs)
    assert len(memory.sources) == len(memory.state.briefs) + 2  # the draft and the scheduled brief
    by_slug = {record.brief.slug: record.brief for record in memory.sources.values()}
    assert all(brief is by_slug[slug] for slug, brief in memory.state.briefs.items())


def test_a_store_whose_records_do_not_say_what_they_name_is_made_again(tmp_path: Path) -> None:
    """Stores of older versions kept no names beside their records: loading one would lose track of the
    rows its records name, so it is deleted, and the next build is a clean one."""
    folder = tmp_path / CACHE_DIR
    folder.mkdir()
    with closing(sqlite3.connect(folder / store.STORE_FILE)) as connection:
        connection.execute(f"PRAGMA page_size={store.PAGE_SIZE}")
        connection.execute(f"PRAGMA auto_vacuum={store.AUTO_VACUUM_INCREMENTAL}")
        connection.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        connection.commit()
    store.remove_outdated(folder)
    assert not (folder / store.STORE_FILE).exists()
    store.save(folder, "key", {"value": [1, 2]})  # a store of this version is kept
    store.remove_outdated(folder)
    assert store.load(folder, "value", "key") == [1, 2]


def _reads_apart(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the slug of every brief whose fields kept apart are read back into it, in the list returned."""
    read: list[str] = []
    real = store.PartlyStored._read_apart

    def noted(self: store.PartlyStored) -> None:
        read.append(getattr(self, "slug", "?"))
        real(self)

    monkeypatch.setattr(store.PartlyStored, "_read_apart", noted)
    return read


def _unpacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the slug of every brief whose packed fields are unpickled into it, in the list returned."""
    unpacked: list[str] = []
    real = store.PartlyStored._unpack

    def noted(self: store.PartlyStored) -> None:
        if "_packed" in self.__dict__:
            unpacked.append(self.__dict__.get("slug", "?"))
        real(self)

    monkeypatch.setattr(store.PartlyStored, "_unpack", noted)
    return unpacked


def _streaming(monkeypatch: pytest.MonkeyPatch, batch: int = 7) -> list[int]:
    """Make every first build hand its renderings to the store, `batch` at a time; the sizes of the
    batches handed over are noted in the list returned."""
    import briefgen.build

    handed: list[int] = []
    put_rows = store.put_rows

    def noted(folder: Path, pickled: list[bytes]) -> list[store.Stored]:
        handed.append(len(pickled))
        return put_rows(folder, pickled)

    monkeypatch.setattr(briefgen.build, "STREAM_RENDERINGS_FROM", 1)
    monkeypatch.setattr(briefgen.build, "STREAM_BATCH", batch)
    monkeypatch.setattr(briefgen.build, "put_rows", noted)
    return handed


def _pending(site: Path) -> int:
    with closing(sqlite3.connect(site / CACHE_DIR / store.STORE_FILE)) as connection:
        return connection.execute("SELECT count(*) FROM pending").fetchone()[0]


def test_a_first_build_hands_its_renderings_to_the_store_as_it_renders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The briefs' texts of a first build are saved in batches as they are loaded, then their renderings
    as they come, and the memory names their rows: the site is the one a build holding them makes, the
    store holds exactly what the memory names, and the builds after edits equal clean builds. No
    article's text is read back into the memory: the bodies are rendered from copies, and the text
    is read again only when asked for."""
    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=30)
    handed = _streaming(monkeypatch)
    read_back = _reads_apart(monkeypatch)
    from briefgen.scratch import ScratchBytes
    set_aside: list[str] = []  # the briefs whose mention sentences wait on disk for the entity pages
    put = ScratchBytes.put
    monkeypatch.setattr(ScratchBytes, "put", lambda self, key, data: (set_aside.append(key), put(self, key, data))[1])
    builder = Builder(site, jobs=1)
    builder.build()
    assert len(set(set_aside)) == len(set_aside) == 30
    # Each brief's text and refs as it is loaded; the three indexes kept in rows of their own, once
    # resolved; each brief's rendering.
    first = [7, 7, 7, 7, 7, 7, 7, 7, 4, 3, 7, 7, 7, 7, 2]
    assert handed == first
    assert read_back == []
    # The refs read back to resolve are not held for a save that names their rows anyway: the store
    # remembers one file's refs, the registry's, which the save wrote.
    assert [origin[0] for origin in store._origins.values() if isinstance(origin[0], FileRefs)] \
        == [builder.memory.registry.refs]
    assert builder.memory is not None
    assert all(isinstance(record.refs, store.Stored) for record in builder.memory.sources.values())
    held_refs = {path for path, refs in builder.memory.state.refs_by_file.items() if not isinstance(refs, store.Stored)}
    assert builder.memory.registry is not None and held_refs == {builder.memory.registry.path}  # entities.yaml's
    assert builder.memory.state.lazy_tables() == []  # the co-mention counts, each entity's files: rows
    assert all(isinstance(outcome.rendered, store.Stored) for _, _, outcome in builder.memory.outcomes.values())
    held = tmp_path / "held"
    holding = Builder(site, held, jobs=1, use_cache=False)
    holding.build()  # no store: renderings and texts held until the pages
    assert holding.memory is not None
    for slug, (brief, _, _) in list(builder.memory.outcomes.items())[:3]:
        assert not {"body", "annotations", "key_points"} & brief.__dict__.keys() and "source" in brief.__dict__
        whole = holding.memory.outcomes[slug][0]
        assert "body" in whole.__dict__ and brief.body == whole.body and brief == whole
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(held, NONDETERMINISTIC)
    found = ids(site)
    assert len(found["rows"]) == 30 and _pending(site) == 0
    assert _named(site) == _every_id(found)
    articles = sorted((site / "content").rglob("*.md"))
    for number, article in enumerate(articles[3:6]):
        article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        if number == 1:
            store.forget_readers()  # as a new command, then as the dev server's builder
            builder = Builder(site, jobs=1)
        assert builder.build().incremental
        clean = tmp_path / f"clean{number}"
        Builder(site, clean, jobs=1, use_cache=False).build()
        assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(clean, NONDETERMINISTIC)
    # A sidecar names one place more: its refs, in the store since the first build, are read and replaced.
    sidecar = articles[7].with_suffix(".yaml")
    text = sidecar.read_text(encoding="utf-8")
    places = text.index("  places:\n")
    sidecar.write_text(text[:places] + text[places:].replace("    - ", "    - \"Zanzibar\"\n    - ", 1),
                       encoding="utf-8")
    assert builder.build().incremental
    Builder(site, tmp_path / "clean-refs", jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(tmp_path / "clean-refs", NONDETERMINISTIC)
    assert handed == first  # a rebuild renders a few bodies, and holds them until its save


def test_a_first_build_merges_the_entities_of_one_sidecar_s_refs_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refs a first build handed to the store as it loaded them are read back to merge the entities
    one sidecar at a time, and let go: never all in memory at once (0.35 GB at 100,000 briefs). The
    site is the one a build holding them all makes."""
    import gc

    from briefgen.entities import EntityMerge

    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=30)
    sidecars = str(site / "content")  # refs of this site's files alone (earlier tests' may be alive)
    _streaming(monkeypatch)
    held: list[int] = []  # at the first ref of each file merged: how many sidecars' refs are in memory
    merging: list[str] = []
    add = EntityMerge.add

    def counted(self: EntityMerge, ref: EntityRef) -> None:
        if not merging or merging[-1] != ref.path:
            merging.append(ref.path)
            held.append(sum(1 for value in gc.get_objects() if type(value) is FileRefs and value
                            and value[0].path.startswith(sidecars) and Path(value[0].path).name != "entities.yaml"))
        add(self, ref)

    monkeypatch.setattr(EntityMerge, "add", counted)
    Builder(site, jobs=1).build()
    assert len(set(merging)) == 31 and max(held) <= 2  # the file merged, and the last one indexed
    Builder(site, tmp_path / "held", jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(tmp_path / "held", NONDETERMINISTIC)


def test_the_renderings_of_a_first_build_that_failed_are_deleted_by_the_next_save(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote that is not in its article fails the build after the bodies are rendered and handed to
    the store with the texts and refs: they stay pending, and the next build's save deletes those its
    memory does not name."""
    from briefgen.errors import BriefgenError

    site = generate_site(tmp_path / "site", briefs=30)
    handed = _streaming(monkeypatch)
    sidecar = next(path for path in sorted((site / "content").rglob("*.yaml"))
                   if "  - quote: " in path.read_text(encoding="utf-8"))
    good = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(good.replace("  - quote: \"", "  - quote: \"Nowhere in the article ", 1), encoding="utf-8")
    with pytest.raises(BriefgenError):
        Builder(site, jobs=1).build()
    assert sum(handed) == 93 and _pending(site) == 93  # texts, refs, the three lazy indexes and renderings
    sidecar.write_text(good, encoding="utf-8")
    store.forget_readers()
    Builder(site, jobs=1).build()
    found = ids(site)
    assert len(found["rows"]) == 30 and _pending(site) == 0
    assert _named(site) == _every_id(found)


def test_a_first_build_keeps_its_renderings_when_the_store_cannot_take_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that cannot be written costs memory, not the build: the renderings are held as before."""
    import briefgen.build

    from sitekit import NONDETERMINISTIC, snapshot

    site = generate_site(tmp_path / "site", briefs=12)
    _streaming(monkeypatch)

    tried: list[int] = []

    def full(folder: Path, pickled: list[bytes]) -> list[store.Stored]:
        tried.append(len(pickled))
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(briefgen.build, "put_rows", full)
    builder = Builder(site, jobs=1)
    builder.build()
    assert builder.memory is not None
    assert all(isinstance(outcome.rendered, RenderedBrief) for _, _, outcome in builder.memory.outcomes.values())
    assert all("body" in brief.__dict__ for brief, _, _ in builder.memory.outcomes.values())
    assert tried == [7, 7, 7]  # the first batch of texts, of refs and of renderings: none tried again
    held = tmp_path / "held"
    Builder(site, held, jobs=1, use_cache=False).build()
    assert snapshot(site / "site", NONDETERMINISTIC) == snapshot(held, NONDETERMINISTIC)


def test_the_view_of_stored_renderings_holds_the_last_few_it_read(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from markupsafe import Markup

    from briefgen.markdown.mentions import MentionContext
    from briefgen.memory import RenderedView
    from briefgen.rendered import BriefOutcome

    folder = tmp_path / CACHE_DIR
    folder.mkdir()
    made = [RenderedBrief(Markup(f"<p>{n}</p>"), (), (), {("people", "p"): MentionContext("", str(n), "")})
            for n in range(5)]
    rows = store.put_rows(folder, [pickle.dumps(rendered) for rendered in made])
    outcomes = {f"b{n}": (None, (), BriefOutcome(row, (), ())) for n, row in enumerate(rows)}
    monkeypatch.setattr(RenderedView, "READ_KEPT", 2)
    read: dict[store.Stored, RenderedBrief] = {}
    kept = {("people", "p"): MentionContext("", "kept in memory", "")}
    side = {"b4": pickle.dumps(kept)}
    view = RenderedView(outcomes, read, side)  # type: ignore[arg-type]
    assert [view[f"b{n}"] for n in range(4)] == made[:4]
    assert list(read) == rows[2:4]  # the two read last
    assert view.contexts("b1") == made[1].contexts
    assert view.contexts("b4") == kept and rows[4] not in read  # from memory: not read
    assert view["b4"] == made[4]
