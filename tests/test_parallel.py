"""The process pool every stage uses: results in order, and workers that collect their own garbage."""

from __future__ import annotations

import gc

from briefgen.parallel import parallel_iter, parallel_map


def _collector(item: int) -> tuple[int, bool, bool]:
    return item, gc.isenabled(), gc.get_freeze_count() > 0


def test_results_come_in_the_items_order_from_forked_workers() -> None:
    items = list(range(500))
    assert parallel_map(lambda n: n * n, items, jobs=2) == [n * n for n in items]
    assert list(parallel_iter(lambda n: -n, items, jobs=2)) == [-n for n in items]


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
