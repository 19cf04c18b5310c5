"""Spreading independent work over the machine's cores, in forked processes.

Owns the one process pool pattern every stage uses: apply a function to
items in this process and forked workers and return the results in the
items' order, so a parallel build's output is byte for byte a
single-process build's. Workers are forked, so they start with the
parent's memory (the loaded site and the items) instead of receiving it
pickled; only the results cross the process boundary.
What they inherit is frozen for the garbage collector, which each worker runs
over its own objects alone: the inherited pages stay shared (`gc.freeze`).
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNKS_AHEAD = 4  # how many chunks each worker is given ahead of their turn to be taken (see parallel_iter)

# The work function of the pool being started, and the chunks of items it works on. Set only while
# `parallel_iter` runs, so forked workers find them (a chunk is named by its number: its items are not
# pickled to cross the pipe); cleared right after (no state survives).
_work: Callable[[Any], Any] | None = None
_chunks: Sequence[Sequence[Any]] = ()


def default_jobs() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parallel_map(function: Callable[[Item], Result], items: Sequence[Item], *, jobs: int | None = None,
                 min_items: int = 200, progress: Callable[[int, int], None] | None = None) -> list[Result]:
    """`[function(item) for item in items]`, spread over `jobs` processes: this one and `jobs - 1`
    forked workers (see `parallel_iter`). `progress(done, total)` is called as results arrive."""
    return list(parallel_iter(function, items, jobs=jobs, min_items=min_items, progress=progress))


def parallel_iter(function: Callable[[Item], Result], items: Sequence[Item], *, jobs: int | None = None,
                  min_items: int = 200, progress: Callable[[int, int], None] | None = None) -> Iterator[Result]:
    """`function(item)` for each item, in the items' order, as the results come, from `jobs` processes:
    this one and `jobs - 1` forked workers (see `_spread`). For results the caller hands on or folds
    into its own (a clean build's renderings, to the store; its pages' paths and digests) rather
    than holds all at once. `progress(done, total)` is called as results arrive."""
    return _reporting(_spread(function, items, jobs=jobs, min_items=min_items), len(items), progress)


def _spread(function: Callable[[Item], Result], items: Sequence[Item], *, jobs: int | None,
            min_items: int) -> Iterator[Result]:
    """`parallel_iter`'s work, unreported.

    This process takes its share of the items rather than wait: a worker copies the memory pages of
    whatever inherited objects it touches (CPython writes a reference count into each object it
    reads), so each worker fewer is one copy fewer of what the work reads (every brief, for the bodies
    and the pages of a clean build). Small inputs, one job, or a platform without fork run in this
    process alone: starting workers costs more than it saves there. While the results come, this
    process runs the garbage collector over what it made since the work began, as the workers do (see
    `_collecting_what_is_made`), whether it works alone or not, whatever the caller does between them.
    """
    jobs = default_jobs() if jobs is None else jobs
    total = len(items)
    if jobs <= 1 or total < min_items or "fork" not in multiprocessing.get_all_start_methods():
        with _collecting_what_is_made():
            yield from map(function, items)
        return
    size = max(1, min(64, total // (jobs * 8)))
    # Chunks dealt in turn, one to this process and `jobs - 1` to the workers, so each gets its share of
    # every kind of item (items come grouped by kind, and kinds differ in cost).
    chunks = [items[start:start + size] for start in range(0, total, size)]
    theirs = iter([number for number in range(len(chunks)) if number % jobs])
    # Frozen before the workers are forked, which then leave the inherited objects' pages shared.
    with _collecting_what_is_made(), _pool(function, chunks, jobs - 1) as pool:
        # The workers' chunks are handed out a few ahead of their turn, not all at once: a worker faster
        # than this process (which also hands each result on) would otherwise fill this process's memory
        # with results waiting for their turn (at 100,000 briefs, half the renderings).
        arriving: deque[Any] = deque(pool.apply_async(_call_chunk, (number,))
                                     for number in itertools.islice(theirs, CHUNKS_AHEAD * (jobs - 1)))
        for number, chunk in enumerate(chunks):
            if number % jobs:
                results = arriving.popleft().get()
                arriving.extend(pool.apply_async(_call_chunk, (more,)) for more in itertools.islice(theirs, 1))
                yield from results
            else:
                yield from map(function, chunk)


@contextmanager
def _collecting_what_is_made() -> Iterator[None]:
    """Run the garbage collector while the work runs, over the objects made meanwhile: what was there
    before is frozen for it, in this process and in the workers forked meanwhile, which collect their
    own garbage over their own objects alone and so leave the inherited objects' pages shared.
    `briefgen build` pauses the collector, and the pages leave cycles (Jinja's contexts): on one core,
    the pages of a clean build of 100,000 briefs kept 3.6 GB of them."""
    collecting = gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if not collecting:
            gc.disable()
        gc.unfreeze()


def _reporting(results: Iterable[Result], total: int, progress: Callable[[int, int], None] | None) -> Iterator[Result]:
    """`results` as they come, telling `progress` how many of `total` came so far."""
    for done, result in enumerate(results, 1):
        if progress is not None:
            progress(done, total)
        yield result


@contextmanager
def _pool(function: Callable[[Any], Any], chunks: Sequence[Sequence[Any]], workers: int) -> Iterator[Any]:
    """A pool of forked workers running `function` over the items of `chunks`, named by number.

    The items are inherited, not sent: pickling them cost the parent time, and read whatever an item
    leaves in the build store (a brief's text) back into the parent's memory."""
    global _work, _chunks
    _work, _chunks = function, chunks
    release_free_heap()
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            yield pool
    finally:
        _work, _chunks = None, ()


def release_free_heap() -> None:
    """Give the C heap's free pages back to the system, where its allocator can (glibc's `malloc_trim`).

    Called before forking: a free page the parent kept is shared with each worker, and the first
    allocation either makes in it copies it, for the rest of the worker's life. Loading, resolving
    and rendering let go of texts, renderings and pickles that leave such pages between the objects
    kept (22 MB of 108 after the bodies of 10,000 briefs, given back in 4 ms). At 100,000 briefs a
    clean build's peak, all processes together, went from 1,187 to 1,118 MB (the bodies' from 1,009
    to 886 MB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: a no-op build forks nothing, and need not import it
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def _quiet_worker() -> None:
    """A worker leaves signals to its parent: Ctrl-C (sent to the whole process group) and the
    parent's own SIGTERM handler would otherwise print a traceback from every worker. It collects its
    garbage, even where the parent paused the collector (`briefgen build`): what it inherited is
    frozen, and the cycles its work leaves would otherwise stay for its life."""
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _call(item: Any) -> Any:
    assert _work is not None, "parallel_map's worker started without its function"
    return _work(item)


def _call_chunk(number: int) -> list[Any]:
    return list(map(_call, _chunks[number]))
