"""File stamps: one file's (`unchanged`) and many files' packed (`StampTable`) say the same."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.build import Builder
from briefgen.cache import (
    RACY_NS,
    FileStamp,
    Listing,
    StampTable,
    file_stamp,
    folder_stamp,
    packed_stamp,
    unchanged,
)
from briefgen.memory import StampsCheck

from sitekit import ADA, assert_reaped, forks_counted, write_site

OLD_NS = 1_600_000_000 * 10**9  # a modification time long before any stamp is taken

# What may happen to a file after it was stamped.
EDITS = ("none", "touch", "same size, new bytes", "new size", "same size, time put back", "to nothing")


def _stamped(path: Path, content: bytes, racy: bool) -> FileStamp:
    """Write `content` and stamp it: trusted by time (modified long before), or racy (just now)."""
    path.write_bytes(content)
    if not racy:
        os.utime(path, ns=(OLD_NS, OLD_NS))
    stamp = file_stamp(path)
    assert stamp is not None
    return stamp


def _edit(path: Path, content: bytes, edit: str) -> None:
    before = path.stat().st_mtime_ns
    if edit == "touch":
        os.utime(path, ns=(before + 5 * RACY_NS, before + 5 * RACY_NS))
    elif edit == "same size, new bytes":
        path.write_bytes(bytes(255 - b for b in content) if content else b"")
    elif edit == "new size":
        path.write_bytes(content + b"!")
    elif edit == "same size, time put back":  # as an editor or a checkout may do
        path.write_bytes(bytes(255 - b for b in content) if content else b"")
        os.utime(path, ns=(before, before))
    elif edit == "to nothing":
        path.write_bytes(b"")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.binary(max_size=40), st.booleans(), st.sampled_from(EDITS)),
                      min_size=1, max_size=8))
def test_a_table_of_stamps_finds_what_one_stamp_at_a_time_finds(tmp_path: Path, files) -> None:
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    paths = [str(folder / f"f{n}.md") for n in range(len(files))]
    stamps = [_stamped(Path(path), content, racy) for path, (content, racy, _) in zip(paths, files, strict=True)]
    table = StampTable.of(paths, stamps)
    for path, (content, _, edit) in zip(paths, files, strict=True):
        _edit(Path(path), content, edit)
    expected = [n for n, (path, stamp) in enumerate(zip(paths, stamps, strict=True)) if not unchanged(path, stamp)]
    assert table.changed(paths) == expected


def test_a_table_of_stamps_knows_when_its_files_are_not_the_ones_stamped(tmp_path: Path) -> None:
    paths = [str(tmp_path / name) for name in ("a.md", "b.md", "c.md")]
    stamps = [_stamped(Path(path), b"text", racy=False) for path in paths]
    table = StampTable.of(paths, stamps)
    assert table.changed(paths) == []
    assert table.changed(paths[:2]) is None  # a file less
    assert table.changed([paths[1], paths[0], paths[2]]) is None  # another order
    Path(paths[1]).unlink()
    assert table.changed(paths) is None  # gone since the walk


def test_a_file_that_could_not_be_stamped_counts_as_changed(tmp_path: Path) -> None:
    paths = [str(tmp_path / "a.md"), str(tmp_path / "b.md")]
    stamps = [_stamped(Path(paths[0]), b"text", racy=False), None]
    Path(paths[1]).write_bytes(b"now readable")
    assert StampTable.of(paths, stamps).changed(paths) == [1]


def test_many_files_one_edited_far_apart(tmp_path: Path) -> None:
    """The blocks compared at once: an edit in the middle of the last block, and of the first, is found."""
    paths = [str(tmp_path / f"f{n}.md") for n in range(9000)]
    stamps = [_stamped(Path(path), b"text %d" % n, racy=False) for n, path in enumerate(paths)]
    table = StampTable.of(paths, stamps)
    for n in (3, 8999):
        Path(paths[n]).write_bytes(b"edited!")
    assert table.changed(paths) == [3, 8999]


def test_the_table_says_once_and_early_that_a_file_differs(tmp_path: Path) -> None:
    """`on_suspect` is called at the first file whose size or time differs (not after every file is
    stated), once however many differ, and never when none does (a racy file is only compared)."""
    paths = [str(tmp_path / f"f{n}.md") for n in range(9000)]
    stamps = [_stamped(Path(path), b"text %d" % n, racy=n == 5) for n, path in enumerate(paths)]
    table = StampTable.of(paths, stamps)
    told: list[int] = []
    stated: list[str] = []
    real_stat = os.stat

    def counted_stat(path: str) -> os.stat_result:
        stated.append(path)
        return real_stat(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", counted_stat)
        assert table.changed(paths, on_suspect=lambda: told.append(len(stated))) == []
        assert told == []
        for n in (3, 8999):
            Path(paths[n]).write_bytes(b"edited!")
        stated.clear()
        assert table.changed(paths, on_suspect=lambda: told.append(len(stated))) == [3, 8999]
    assert len(told) == 1 and told[0] < len(paths) // 2  # told in the first block, not at the end


@pytest.mark.parametrize("forked", [False, True], ids=["in process", "by a child"])
def test_the_stamps_check_answers_as_the_table_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    forked: bool) -> None:
    monkeypatch.setattr(StampsCheck, "FORK_FROM", 0 if forked else 10**9)
    children = forks_counted(monkeypatch)
    paths = [str(tmp_path / f"f{n}.md") for n in range(3)]
    table = StampTable.of(paths, [_stamped(Path(path), b"text", racy=False) for path in paths])
    check = StampsCheck(table, paths)
    assert not check.suspected() and check.changed() == []
    Path(paths[1]).write_bytes(b"edited")
    check = StampsCheck(table, paths)
    assert check.suspected() is forked  # in process, the answer comes whole: no hint before it
    assert check.changed() == [1]
    Path(paths[2]).unlink()
    check = StampsCheck(table, paths)
    assert check.changed() is None  # gone since the walk
    assert len(children) == (3 if forked else 0)
    assert_reaped(children)


def test_the_stamps_check_answers_in_process_when_its_child_dies(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StampsCheck, "FORK_FROM", 0)
    paths = [str(tmp_path / f"f{n}.md") for n in range(3)]
    table = StampTable.of(paths, [_stamped(Path(path), b"text", racy=False) for path in paths])
    Path(paths[0]).write_bytes(b"edited")
    parent, real_changed = os.getpid(), StampTable.changed

    def dying_child(self: StampTable, *args: object, on_suspect: object = None) -> list[int] | None:
        if os.getpid() != parent:
            if on_suspect is not None:
                on_suspect()  # type: ignore[operator]
            os._exit(1)  # killed after its hint, before its answer
        return real_changed(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(StampTable, "changed", dying_child)
    check = StampsCheck(table, paths)
    assert check.suspected()
    assert check.changed() == [0]


@pytest.mark.parametrize("put_time_back", [False, True])
def test_a_no_op_build_sees_an_edit_made_within_a_clock_tick(tmp_path: Path, put_time_back: bool) -> None:
    """An edit that keeps the size (and even the time) right after a build is found by its content."""
    site = write_site(tmp_path / "site", ADA)
    Builder(site, use_cache=True).build()
    article = site / "content/a.md"
    before = article.stat().st_mtime_ns
    article.write_text("Ada Lovelace WROTE.\n")
    if put_time_back:
        os.utime(article, ns=(before, before))
    report = Builder(site, use_cache=True).build()
    assert report.files_written > 0
    assert "WROTE" in (site / "site/briefs/a/index.html").read_text()
    touched = article.stat().st_mtime_ns + 5 * RACY_NS
    os.utime(article, ns=(touched, touched))
    assert Builder(site, use_cache=True).build().files_written == 0  # touched, not edited


def _listing_of(folders: list[Path], *, walked_later_by: int = 2 * RACY_NS) -> Listing:
    """The folders' stamps, as a walk that began `walked_later_by` ns after their last change took them."""
    return Listing(tuple(folder_stamp(str(folder)) for folder in folders), time.time_ns() + walked_later_by)


@pytest.mark.parametrize("change", ["none", "file added", "file removed", "file renamed", "folder added",
                                    "file added, time put back", "folder replaced", "folder removed",
                                    "file edited in place"])
def test_a_listing_holds_until_a_folder_gains_loses_or_renames_a_file(tmp_path: Path, change: str) -> None:
    content, inner = tmp_path / "content", tmp_path / "content" / "2024"
    inner.mkdir(parents=True)
    (content / "a.md").write_text("A.\n")
    (inner / "b.md").write_text("B.\n")
    listing = _listing_of([content, inner])
    before = inner.stat()
    if change == "file added":
        (inner / "c.md").write_text("C.\n")
    elif change == "file removed":
        (inner / "b.md").unlink()
    elif change == "file renamed":
        (inner / "b.md").rename(inner / "c.md")
    elif change == "folder added":
        (content / "2025").mkdir()
    elif change == "file added, time put back":  # as `rsync -t` or `tar` do: the change time still moves
        (inner / "c.md").write_text("C.\n")
        os.utime(inner, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "folder replaced":
        (inner / "b.md").unlink()
        inner.rmdir()
        inner.mkdir()
        (inner / "b.md").write_text("B.\n")
        os.utime(inner, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "folder removed":
        (inner / "b.md").unlink()
        inner.rmdir()
    elif change == "file edited in place":  # the file's own stamp tells this, not the listing
        with (inner / "b.md").open("a") as file:
            file.write("More.\n")
    assert listing.holds() == (change in ("none", "file edited in place"))


def test_a_listing_taken_within_a_clock_tick_of_a_change_is_not_trusted(tmp_path: Path) -> None:
    # A file added in the same tick as the stamp leaves the folder's times as they were: not trusted.
    assert not _listing_of([tmp_path], walked_later_by=0).holds()
    assert not _listing_of([tmp_path], walked_later_by=RACY_NS // 2).holds()
    assert _listing_of([tmp_path]).holds()


_STAMPS = st.one_of(st.none(), st.builds(packed_stamp, st.integers(0, 10**6), st.integers(0, 2 * 10**9),
                                         st.binary(min_size=16, max_size=16), st.integers(0, 2 * 10**9)))


@settings(max_examples=100, deadline=None)
@given(stamps=st.lists(_STAMPS, min_size=1, max_size=40), new=st.data())
def test_a_table_restamped_equals_one_packed_with_the_new_stamps(stamps, new) -> None:  # type: ignore[no-untyped-def]
    # Stamps taken around their files' times (some racy, some not) or missing.
    paths = [f"/site/content/{index:03d}.md" for index in range(len(stamps))]
    positions = new.draw(st.sets(st.integers(0, len(stamps) - 1), max_size=6))
    replacements = {paths[position]: new.draw(_STAMPS) for position in positions}
    expected = [replacements.get(path, stamp) for path, stamp in zip(paths, stamps, strict=True)]
    assert StampTable.of(paths, stamps).restamped(replacements) == StampTable.of(paths, expected)


def test_a_table_is_not_restamped_for_a_file_it_does_not_hold() -> None:
    table = StampTable.of(["/a.md", "/b.md"], [packed_stamp(1, 2, bytes(16), 3 * RACY_NS), None])
    assert table.restamped({"/c.md": None}) is None
    assert table.restamped({"/a": None}) is None  # a prefix of a path is not that path
    assert table.restamped({}) is table
