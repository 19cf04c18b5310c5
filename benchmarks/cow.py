"""What the forked workers of a build copy of the memory they inherit: the objects on each one's copied pages.

A worker forked by `briefgen.parallel` starts sharing every memory page of
the main process. A page stops being shared when either process writes to it:
CPython writes an object's reference count whenever it is read, so a page
holding one object that either process reads is copied, with every object on
it. `benchmarks/memory.py` measures how much each worker holds alone; this
tells what is on those pages. Each worker, when it starts its last chunk of a
pool's work, reads its own page table (Linux's `/proc/self/pagemap`: whether
each page is mapped by this process alone) and prints, for the objects it
inherited (those the main process froze for the garbage collector before the
fork) and those it made, by type: how much memory they take and how much of it
lies on pages this worker holds alone.

    python benchmarks/cow.py benchmarks/corpora/10000/briefgen
    python benchmarks/cow.py <site> --pool _render_group --top 30   # the pages' workers only

Runs a clean build (search off unless BRIEFGEN_PAGEFIND is set), in this
process: the figures are the workers' own; the build's times are not to be
compared (the probe takes seconds, and stops the worker meanwhile). Only
forked workers report: a build of one job (`--jobs 1`, a one-core machine),
or a pool of too few items to fork (see `briefgen.parallel`), prints
nothing. The share of a type's memory on pages held alone is judged by the
page of each object's start: for a large dict, set or list, its header, not
its table. Linux only.
"""

from __future__ import annotations

import collections
import gc
import os
import struct
import sys
from pathlib import Path
from typing import Any

from inprocess import clean_build, leave, site_arguments, use_this_checkout

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
PRESENT, EXCLUSIVE = 1 << 63, 1 << 56  # bits of a pagemap entry (Linux's Documentation/admin-guide/mm/pagemap.rst)


def anonymous_pages() -> dict[int, bool]:
    """Every present page of this process's writable memory not backed by a file (its heap, the
    allocators' arenas): page number -> whether this process alone maps it."""
    pages: dict[int, bool] = {}
    with open("/proc/self/maps", encoding="ascii") as maps:
        regions = [line.split() for line in maps]
    with open("/proc/self/pagemap", "rb", buffering=0) as pagemap:
        for parts in regions:
            if not parts[1].startswith("rw") or (len(parts) > 5 and not parts[5].startswith("[heap")):
                continue
            low, high = (int(address, 16) // PAGE for address in parts[0].split("-"))
            data = os.pread(pagemap.fileno(), (high - low) * 8, low * 8)
            for offset, (entry,) in enumerate(struct.iter_unpack("Q", data)):
                if entry & PRESENT:
                    pages[low + offset] = bool(entry & EXCLUSIVE)
    return pages


def by_type(objects: list[Any], pages: dict[int, bool]) -> dict[str, list[int]]:
    """For each type: [bytes, bytes on pages held alone, count], over `objects` and the untracked
    objects they refer to directly (strings, numbers, tuples of them)."""
    seen: set[int] = set()
    table: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])

    def add(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        row = table[type(obj).__name__]
        size = sys.getsizeof(obj)
        row[0] += size
        row[1] += size if pages.get(id(obj) // PAGE, False) else 0
        row[2] += 1

    for obj in objects:
        add(obj)
        for referent in gc.get_referents(obj):
            if not gc.is_tracked(referent):
                add(referent)
    return table


def report(pool: str, top: int) -> None:
    """Print, from a worker, what of its memory it holds alone, and on those pages what it inherited."""
    made = gc.get_objects()  # the inherited objects are frozen: not among these
    pages = anonymous_pages()  # read before anything below writes to an inherited object
    made_ids = {id(obj) for obj in made}
    gc.unfreeze()
    inherited = [obj for obj in gc.get_objects() if id(obj) not in made_ids]
    alone = sum(pages.values())
    lines = [f"[worker {os.getpid()}, {pool}] anonymous memory {len(pages) * PAGE / 1e6:.0f} MB, "
             f"held alone {alone * PAGE / 1e6:.0f} MB"]
    for title, objects in (("inherited", inherited), ("made by the worker", made)):
        table = by_type(objects, pages)
        total = sum(row[0] for row in table.values())
        on_alone = sum(row[1] for row in table.values())
        lines.append(f"  {title}: {total / 1e6:.1f} MB in objects, {on_alone / 1e6:.1f} MB of it on pages held alone")
        for name, (size, alone_size, count) in sorted(table.items(), key=lambda item: -item[1][0])[:top]:
            lines.append(f"    {name:28s} {size / 1e6:8.2f} MB {count:9d} objects, "
                         f"{100 * alone_size / max(size, 1):5.1f}% on pages held alone")
    print("\n".join(lines), file=sys.stderr, flush=True)


# Set by `main` before the build: the build's process, the function `probed` stands in for, and the options.
_probe: dict[str, Any] = {}
_reported: set[int] = set()  # the pools (by their chunks) a worker reported on


def probed(number: int) -> list[Any]:
    """`briefgen.parallel._call_chunk`, reporting first when it is a worker's last chunk of a pool.
    (At module level: the pool sends it to its workers by name.)"""
    from briefgen import parallel

    work = parallel._work
    name = getattr(getattr(work, "func", work), "__name__", "?")
    last = number >= len(parallel._chunks) - _probe["jobs"]
    if os.getpid() != _probe["main_process"] and last and id(parallel._chunks) not in _reported \
            and _probe["pool"] in (None, name):
        _reported.add(id(parallel._chunks))
        report(name, _probe["top"])
        gc.freeze()  # as before the report: the collector leaves the inherited objects alone again
    chunk: list[Any] = _probe["call_chunk"](number)
    return chunk


def main(argv: list[str] | None = None) -> int:
    parser = site_arguments(__doc__.splitlines()[0])
    parser.add_argument("--pool", help="report only the pool whose work function has this name "
                                       "(_render_group: the pages; work: the bodies)")
    parser.add_argument("--top", type=int, default=20, help="types to list (default 20)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/pagemap").exists():
        print("cow.py reads /proc/self/pagemap: Linux only", file=sys.stderr)
        return 2
    use_this_checkout()
    from briefgen import parallel

    _probe.update(main_process=os.getpid(), call_chunk=parallel._call_chunk, pool=args.pool, top=args.top,
                  jobs=args.jobs or parallel.default_jobs())
    parallel._call_chunk = probed
    leave(clean_build(args.site, args.jobs))


if __name__ == "__main__":
    sys.exit(main())
