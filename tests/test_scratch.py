"""The build's scratch file: bytes set aside on disk by key, read back here and in forked workers."""

from __future__ import annotations

import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from briefgen import scratch
from briefgen.scratch import ScratchBytes


def test_values_come_back_as_they_were_put(tmp_path: Path) -> None:
    kept = ScratchBytes(tmp_path)
    values = {f"brief-{n}": os.urandom(n * 37) for n in range(50)}
    for key, data in values.items():
        kept.put(key, data)
    kept.put("brief-3", b"again")  # a key put again reads as its last value
    values["brief-3"] = b"again"
    assert dict(kept) == values and len(kept) == 50 and "brief-7" in kept and "other" not in kept
    assert kept.get("other") is None
    assert os.listdir(tmp_path) == []  # an unnamed file: nothing to clean up, however the build ends
    kept.close()
    with pytest.raises(KeyError):
        kept["brief-1"]


def _read_in_child(kept: ScratchBytes, key: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(kept[key])


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers are forked")
def test_a_forked_worker_reads_what_was_put_before_it_started(tmp_path: Path) -> None:
    kept = ScratchBytes(tmp_path)
    kept.put("a", b"first")
    kept.put("b", b"second" * 1000)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_read_in_child, args=(kept, "b", queue))
    child.start()
    assert queue.get(timeout=30) == b"second" * 1000
    child.join(30)
    assert kept["a"] == b"first"  # the child's read moved nothing of this process's
    kept.close()


def test_a_folder_that_cannot_hold_the_file_costs_memory_not_the_build(tmp_path: Path) -> None:
    kept = ScratchBytes(tmp_path / "missing")
    kept.put("a", b"held")
    assert kept["a"] == b"held" and list(kept) == ["a"]


def test_a_system_without_positioned_writes_holds_the_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(scratch.os, "pwrite")
    kept = ScratchBytes(tmp_path)
    kept.put("a", b"held")
    assert kept["a"] == b"held" and os.listdir(tmp_path) == []


def test_a_full_disk_keeps_what_was_written_and_holds_the_rest(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    kept = ScratchBytes(tmp_path)
    kept.put("a", b"on disk")
    calls = 0
    real = os.pwrite

    def full(fd: int, data: bytes, offset: int) -> int:
        nonlocal calls
        calls += 1
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scratch.os, "pwrite", full)
    kept.put("b", b"in memory")
    kept.put("c", b"in memory too")
    assert calls == 1  # not tried again
    monkeypatch.setattr(scratch.os, "pwrite", real)
    assert (kept["a"], kept["b"], kept["c"]) == (b"on disk", b"in memory", b"in memory too")


def test_a_write_cut_short_is_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.pwrite
    monkeypatch.setattr(scratch.os, "pwrite", lambda fd, data, offset: real(fd, bytes(data[:3]), offset))
    kept = ScratchBytes(tmp_path)
    kept.put("a", b"written three bytes at a time")
    kept.put("b", b"and after it")
    assert (kept["a"], kept["b"]) == (b"written three bytes at a time", b"and after it")
