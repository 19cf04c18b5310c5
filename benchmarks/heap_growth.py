"""What the main process of a build keeps, phase by phase: Python's heap growth by the line that allocated it.

`benchmarks/memory.py` says how much memory each process of a build takes,
and `benchmarks/cow.py` what a forked worker copies of it. This says what the
main process itself holds on to: it runs a clean build in this process with
`tracemalloc` on, snapshots the traced heap at the end of each phase of the
build (the phases of `--timings`), and prints for each phase the memory traced
at its end and the peak within it, then, for the phases asked (`--phases`),
the lines whose allocations grew most over it (with `--frames` above 1, the
stack that made them, briefgen's frames only).

    python benchmarks/heap_growth.py benchmarks/corpora/10000/briefgen
    python benchmarks/heap_growth.py <site> --phases pages,write --top 25 --frames 8

Search is off unless BRIEFGEN_PAGEFIND is set. Tracing makes the build two to
four times slower, its forked workers too (they inherit it): its times are not
to be compared. Only Python's allocations are traced (not the C libraries'),
and only in the main process; a forked worker's are its own.
"""

from __future__ import annotations

import itertools
import os
import sys
import tracemalloc
from typing import Any

from inprocess import clean_build, leave, site_arguments, use_this_checkout

MB = 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = site_arguments(__doc__.splitlines()[0])
    parser.add_argument("--phases", default="pages", help="phases whose growth to list, comma-separated (pages)")
    parser.add_argument("--top", type=int, default=15, help="lines to list per phase (15)")
    parser.add_argument("--frames", type=int, default=1, help="frames kept per allocation (1: its line alone)")
    args = parser.parse_args(argv)
    use_this_checkout()
    from briefgen import build

    main_process = os.getpid()
    ends: list[tuple[str, tracemalloc.Snapshot]] = []
    lap = build.Builder._lap

    def lap_and_snapshot(builder: Any, phase: str) -> None:
        lap(builder, phase)
        if os.getpid() != main_process:
            return
        current, peak = tracemalloc.get_traced_memory()
        print(f"{phase:20s} traced at its end {current / MB:8.1f} MB, peak within it {peak / MB:8.1f} MB",
              file=sys.stderr)
        ends.append((phase, tracemalloc.take_snapshot()))
        tracemalloc.reset_peak()

    build.Builder._lap = lap_and_snapshot  # type: ignore[method-assign,assignment]
    tracemalloc.start(args.frames)
    code = clean_build(args.site, args.jobs)
    tracemalloc.stop()
    wanted = {name.strip() for name in args.phases.split(",")}
    grouping = "traceback" if args.frames > 1 else "lineno"
    for (_, before), (phase, after) in itertools.pairwise(ends):
        if phase not in wanted:
            continue
        print(f"\n{phase}: what grew most over it, by {'stack' if args.frames > 1 else 'line'}")
        for stat in after.compare_to(before, grouping)[:args.top]:
            *callers, made = stat.traceback  # oldest frame first: the allocation is the last
            print(f"  {stat.size_diff / MB:+8.2f} MB {stat.count_diff:+9d} blocks  {made.filename}:{made.lineno}")
            for caller in reversed(callers):
                if "briefgen" in caller.filename:
                    print(f"{'':34s}from {caller.filename}:{caller.lineno}")
    leave(code)


if __name__ == "__main__":
    sys.exit(main())
