"""The process pool every stage uses: results in order, and workers that collect their own garbage."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from briefgen.parallel import parallel_iter, parallel_map


def _collector(item: int) -> tuple[int, bool, bool]:
    return item, gc.isenabled(), gc.get_freeze_count() > 0


def test_results_come_in_the_items_order_from_forked_workers() -> None:
    items = list(range(500))
    assert parallel_map(lambda n: n * n, items, jobs=2) == [n * n for n in items]
    assert list(parallel_iter(lambda n: -n, items, jobs=2)) == [-n for n in items]


def test_results_are_reported_as_the_caller_takes_them() -> None:
    """parallel_iter's results are handed over one by one (a caller folds each in and lets it go), and
    `progress` hears of each as it is handed over, not when the last one came."""
    reported: list[tuple[int, int]] = []
    results = parallel_iter(lambda n: n + 1, list(range(300)), jobs=2, progress=lambda *done: reported.append(done))
    assert next(results) == 1
    assert reported == [(1, 300)]
    assert sum(results) == sum(range(2, 301))
    assert reported[-1] == (300, 300) and len(reported) == 300


def test_workers_collect_their_garbage_without_touching_what_they_inherited() -> None:
    """`briefgen build` pauses the collector; a worker runs it, over its own objects alone (those it
    inherited are frozen), and the parent gets its objects back for its collector afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        results = parallel_map(_collector, list(range(8)), jobs=2, min_items=1)
        assert not gc.isenabled()
    finally:
        if enabled:
            gc.enable()
    assert results == [(n, True, True) for n in range(8)]
    assert gc.get_freeze_count() == 0


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_work_in_this_process_alone_collects_its_garbage(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One job (a one-core machine, `--jobs 1`) or few items: the work runs here, and the cycles it leaves
    are collected even where the caller paused the collector, over what the work made alone; the
    collector is left as it was."""
    import weakref

    made: list[weakref.ref[_Cycle]] = []

    def work(item: int) -> tuple[int, bool, bool]:
        for _ in range(50):
            made.append(weakref.ref(_Cycle()))
        return _collector(item)

    enabled = gc.isenabled()
    gc.disable()
    try:
        results = list(parallel_iter(work, list(range(400)), jobs=1))
        assert not gc.isenabled() and gc.get_freeze_count() == 0
        assert results == [(n, True, True) for n in range(400)]
        left = sum(1 for ref in made if ref() is not None)
        assert left < len(made) // 10, left  # 20,000 cycles made: most collected as they came
    finally:
        if enabled:
            gc.enable()


def _fails_at(bad: int):  # type: ignore[no-untyped-def]
    def work(item: int) -> int:
        if item == bad:
            raise ValueError(f"item {item}")
        return item
    return work


def test_this_process_takes_a_share_and_a_failure_anywhere_is_raised() -> None:
    """With two jobs, one worker is forked and this process renders every other chunk itself: an error
    in either share reaches the caller, and the collector is left as it was."""
    import os

    import pytest

    pids = parallel_map(lambda item: os.getpid(), list(range(400)), jobs=2)
    assert os.getpid() in pids and len(set(pids)) == 2  # this process and one worker
    enabled = gc.isenabled()
    gc.disable()
    try:
        for bad in (0, 30, 399):  # in this process's first chunk (of 25 items), a worker's first and last
            with pytest.raises(ValueError, match=f"item {bad}"):
                parallel_map(_fails_at(bad), list(range(400)), jobs=2)
            assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        if enabled:
            gc.enable()


class _Unpicklable:
    """An item that cannot cross a pipe: pickling it fails, as reading it whole would cost (a brief whose
    text the build store keeps)."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __reduce__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("an item was pickled to reach a worker")


def test_workers_find_the_items_they_inherited_rather_than_receive_them() -> None:
    import os

    items = [_Unpicklable(n) for n in range(400)]
    results = parallel_map(lambda item: (item.number, os.getpid()), items, jobs=2)
    assert [number for number, _ in results] == list(range(400))
    assert len({pid for _, pid in results}) == 2


def test_a_worker_is_given_a_few_chunks_ahead_not_all() -> None:
    """While this process is slow to take the results, the worker works only a few chunks ahead of it:
    its results would otherwise wait in this process's memory (half a clean build's renderings)."""
    import os
    import tempfile
    import time

    from briefgen.parallel import CHUNKS_AHEAD

    parent = os.getpid()
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "done")

        def work(item: int) -> int:
            if os.getpid() != parent:
                with open(log, "a", encoding="utf-8") as done:
                    done.write(f"{item}\n")
            return item

        def worker_done() -> int:
            try:
                with open(log, encoding="utf-8") as done:
                    return len(done.read().split())
            except FileNotFoundError:
                return 0

        results = parallel_iter(work, list(range(400)), jobs=2)  # 16 chunks of 25: 8 the worker's
        assert [next(results) for _ in range(25)] == list(range(25))  # this process's first chunk
        deadline = time.monotonic() + 10
        while worker_done() < CHUNKS_AHEAD * 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # time enough for the worker to do more, were it given more
        assert worker_done() == CHUNKS_AHEAD * 25
        assert list(results) == list(range(25, 400))
        assert worker_done() == 8 * 25


def test_the_heap_s_free_pages_are_given_back_before_workers_are_forked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A free page the parent keeps is shared with each worker until either allocates in it: the pool
    gives them back first, and only when it forks."""
    import briefgen.parallel as parallel

    calls: list[int] = []
    monkeypatch.setattr(parallel, "release_free_heap", lambda: calls.append(len(calls)))
    assert parallel_map(lambda n: n, list(range(300)), jobs=2) == list(range(300))
    assert calls == [0]
    assert parallel_map(lambda n: n, list(range(300)), jobs=1) == list(range(300))
    assert calls == [0]


_FREED_IN_THE_MIDDLE = """
import sys
from briefgen.parallel import _malloc_trim, release_free_heap

def anonymous_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

if _malloc_trim() is None:
    print("no malloc_trim")
    sys.exit(0)
# 80 MB of blocks too large for Python's own allocator and too small for their own mapping: the C heap's.
blocks = [bytes(4000) + bytes([n % 256]) for n in range(20_000)]
kept = blocks[::200]  # one block in 200 stays: what is freed lies between kept blocks, not at the heap's top
del blocks
before = anonymous_kb()
release_free_heap()
print(before - anonymous_kb())
"""


def test_releasing_the_free_heap_gives_its_pages_back_to_the_system() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("glibc's malloc_trim: Linux")
    done = subprocess.run([sys.executable, "-c", _FREED_IN_THE_MIDDLE], capture_output=True, text=True, check=True)
    if done.stdout.strip() == "no malloc_trim":
        pytest.skip("this C library has no malloc_trim")
    # About 79 MB freed between the kept blocks: most of it goes back (freed, it stayed resident).
    assert int(done.stdout) > 50_000, done.stdout
