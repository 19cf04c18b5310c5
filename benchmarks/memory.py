"""Memory of one briefgen build, every process of it: how the figures of #15's sessions are measured.

Runs `python -m briefgen build <site> --timings` (by default `--clean`, search
off unless BRIEFGEN_PAGEFIND is set) and samples, every --interval seconds,
each process of the build (the main one and its forked workers) from Linux's
`/proc/<pid>/smaps_rollup`: the proportional set size (PSS: a page shared by
two processes counts half in each, so the processes' PSS add up to what they
take together) and the private memory (pages no other process maps: what a
worker copied or made). Prints the build's own output, the peak of all
processes together with each process's share at that moment, and the peak
within each phase of the build (phases placed on the samples' time line from
the build's `--timings`, which start after Python's start-up: within a few
tenths of a second).

    python benchmarks/memory.py benchmarks/corpora/100000/briefgen
    python benchmarks/memory.py <site> --jobs 1
    python benchmarks/memory.py <site> --incremental --interval 0.05   # a rebuild, as it is

Linux only (it reads /proc). Sampling costs little, but a build measured while
other work runs beside it is slower: its times are not to be compared.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from inprocess import compile_checkout, site_arguments, with_bytecode

HERE = Path(__file__).resolve().parent


@dataclass
class Sample:
    """One moment: seconds since the build started, and (PSS, private) in MB per process id."""

    at: float
    processes: dict[int, tuple[float, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(pss for pss, _ in self.processes.values())


def process_tree(root: int) -> list[int]:
    """`root` and every process below it (its workers, their children)."""
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    waiting.extend(int(child) for child in children.read().split())
        except OSError:
            continue  # it ended meanwhile
    return found


def memory_of(pid: int) -> tuple[float, float] | None:
    """(PSS, private) in MB of a process, or None if it ended."""
    fields: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                    fields[parts[0][:-1]] = int(parts[1])
    except OSError:
        return None
    if "Pss" not in fields:
        return None
    return fields["Pss"] / 1024, (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024


def sample_build(command: list[str], interval: float, env: dict[str, str]) -> tuple[list[Sample], str, int, int]:
    """Run the build, sampling its processes until it ends: the samples, its output, its exit status and
    its process id."""
    start = time.monotonic()
    # Run from this checkout: `python -m` imports the working folder's packages first, so a build started
    # from another checkout's folder would measure that one's briefgen, whatever PYTHONPATH says.
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                             cwd=HERE.parent)
    samples: list[Sample] = []
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(build.stdout or ()), daemon=True)
    reader.start()
    while build.poll() is None:
        sample = Sample(time.monotonic() - start)
        for pid in process_tree(build.pid):
            measured = memory_of(pid)
            if measured is not None:
                sample.processes[pid] = measured
        if sample.processes:
            samples.append(sample)
        time.sleep(interval)
    reader.join()
    return samples, "".join(output), build.returncode, build.pid


TIMING = re.compile(r"([a-z][a-z ]*?) (\d+\.\d+)s")


def phases_of(output: str) -> list[tuple[str, float]]:
    """The build's phases and their seconds, from the line `--timings` prints."""
    for line in output.splitlines():
        found = TIMING.findall(line)
        if len(found) >= 3:
            return [(name.strip(), float(seconds)) for name, seconds in found]
    return []


def report(samples: list[Sample], output: str, main: int) -> str:
    """The peak of all processes and each one's share (`main`: the build's own process), then by phase."""
    if not samples:
        return "no samples: the build ended before the first one (try a smaller --interval)"
    peak = max(samples, key=lambda sample: sample.total)
    lines = [f"peak of all processes: {peak.total:.0f} MB at {peak.at:.1f} s of {samples[-1].at:.1f} s"]
    for pid, (pss, private) in sorted(peak.processes.items()):
        role = "main" if pid == main else "worker"
        lines.append(f"  {role:6s} pid {pid:>7}: PSS {pss:7.0f} MB, private {private:7.0f} MB")
    phases = phases_of(output)
    if phases:
        lines.append("by phase (peak of all processes within it; the main process's PSS at its end):")
        start_up = max(0.0, samples[-1].at - sum(seconds for _, seconds in phases))
        begin = start_up
        for name, seconds in phases:
            end = begin + seconds
            within = [sample for sample in samples if begin <= sample.at <= end] or \
                [min(samples, key=lambda sample: abs(sample.at - end))]
            last = within[-1].processes.get(main, (0.0, 0.0))[0]
            lines.append(f"  {name:20s} {seconds:8.2f} s  peak {max(s.total for s in within):7.0f} MB"
                         f"  main {last:7.0f} MB")
            begin = end
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = site_arguments(__doc__.splitlines()[0], clean=False)
    parser.add_argument("--incremental", action="store_true", help="build as it is (default: --clean)")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between samples (default 0.3)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists():
        print("memory.py reads /proc/<pid>/smaps_rollup: Linux only", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "briefgen", "build", str(args.site.resolve()), "-q", "--timings"]
    if not args.incremental:
        command.append("--clean")
    if args.jobs is not None:
        command += ["--jobs", str(args.jobs)]
    compile_checkout()
    env = with_bytecode(os.environ)
    env.setdefault("BRIEFGEN_PAGEFIND", "off")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH", "")]))
    samples, output, status, pid = sample_build(command, args.interval, env)
    print(output.rstrip())
    print(report(samples, output, pid))
    return status


if __name__ == "__main__":
    sys.exit(main())
