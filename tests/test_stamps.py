"""File stamps: one file's (`unchanged`) and many files' packed (`StampTable`) say the same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.build import Builder
from briefgen.cache import RACY_NS, FileStamp, StampTable, file_stamp, unchanged

from sitekit import ADA, write_site

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
