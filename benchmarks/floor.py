"""Where a cold build's CPU goes, in units of the Markdown floor: how far #15's "at most 2x" can go.

#15 asks for a cold build at 10,000 briefs in at most twice the CPU that
Python-Markdown alone needs for the same bodies with the same extensions (the
floor `run.py` prints). This probe splits one clean build, run in one process
(`--jobs 1`, so that every part of it is in one place to time), into the parts
no build of this site can skip, each in CPU seconds (user + system) and as a
multiple of the floor:

- every Markdown conversion the build makes (bodies, key points, notes), and of
  it briefgen's own tree processing (mentions linked, annotations marked, links
  checked, headings moved: what the content format asks of a brief's text);
- Jinja's rendering of every page from its context (the default theme, with
  what its templates call back: URLs, dates, charts);
- the Web Annotation JSON-LD and the Atom feeds, made beside the pages;
- writing the output files;
- and, outside the build, the same sources read and parsed by PyYAML's C
  loader alone, and the same output written by a bare loop (mkdir + write;
  the best of three passes, each after a `sync`): what reading and writing
  cost with nothing else around them.

The last line adds the floor, the templates, reading and the less of the two
writing figures: what a build of this design (Python-Markdown for the text,
Jinja for the pages) would take if all of briefgen's own work took no time.
What the kernel charges for writing the same files varies by a factor of
two to five from run to run on this machine; the other parts by a tenth.

    python benchmarks/floor.py                 # the 10,000-brief corpus (generated if missing)
    python benchmarks/floor.py --size 1000

Timings come from wrapping those functions in the build's own process (a few
tens of thousands of calls: well under a second of overhead in all), search
off. Compare the figures within one run: the machine's speed drifts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
WRITE_PASSES = 3

from inprocess import REPO, compile_checkout, with_bytecode  # noqa: E402


def cpu() -> float:
    """This process's CPU seconds, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------
# The probe: one clean build in this process, with its parts timed


def _timed(owner: Any, name: str, totals: dict[str, float], label: str) -> None:
    """Wrap owner.name so that the CPU spent in it (not counting a call nested in another) adds up under label."""
    original = getattr(owner, name)
    depth = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if depth[0]:
            return original(*args, **kwargs)
        depth[0] += 1
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - started
            depth[0] -= 1

    setattr(owner, name, wrapper)


def probe(site: Path, out: Path) -> dict[str, float]:
    """Build `site` clean into `out` in this process, one job; the CPU of each part, and of the whole build."""
    os.environ.setdefault("BRIEFGEN_PAGEFIND", "off")
    sys.path.insert(0, str(REPO))
    import jinja2

    from briefgen import build, pages, write
    from briefgen.markdown import extension

    totals: dict[str, float] = {}
    _timed(extension.BriefMarkdown, "convert", totals, "markdown")
    _timed(extension.BriefMarkdown, "convert_wire", totals, "markdown")
    _timed(extension.BriefTreeprocessor, "run", totals, "tree processing")
    _timed(jinja2.Template, "render", totals, "templates")
    _timed(write.OutputWriter, "put", totals, "writing files")
    # Wrapped where the pages call them (they import the names).
    _timed(pages, "annotation_collection", totals, "annotation JSON-LD")
    _timed(pages, "atom_feed", totals, "Atom feeds")
    builder = build.Builder(site, out, jobs=1, use_cache=False)
    started = cpu()
    report = builder.build()
    totals["whole build"] = cpu() - started
    totals["pages"] = report.pages
    totals["files"] = report.files
    totals["briefs"] = report.briefs
    totals.update({f"phase {name}": seconds for name, seconds in builder.timings.items()})
    return totals


# --------------------------------------------------------------------------
# Reading and writing alone


def bare_io(content: Path, built: Path) -> dict[str, float]:
    """CPU to read every article and sidecar of `content` (PyYAML's C loader), and to write `built`'s
    files again into a fresh folder (the least of `WRITE_PASSES`: what the kernel charges for writes
    varies from one pass to the next by a factor of five on this machine, with its disk's state)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted(path for path in content.rglob("*") if path.is_file())
    started = cpu()
    for path in files:
        if path.suffix in (".yaml", ".yml"):
            yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        elif path.suffix in (".md", ".markdown", ".txt"):
            path.read_text(encoding="utf-8")
    read = cpu() - started
    outputs = [(os.path.relpath(os.path.join(folder, name), built), Path(folder, name).read_bytes())
               for folder, _, names in os.walk(built) for name in names]
    written = min(_write_all(outputs, built.parent) for _ in range(WRITE_PASSES))
    return {"bare read": read, "bare write": written, "bare files": len(outputs)}


def _write_all(outputs: list[tuple[str, bytes]], beside: Path) -> float:
    """CPU to write `outputs` into a fresh folder in `beside`: one mkdir per folder, one open and write per file."""
    target = Path(tempfile.mkdtemp(prefix="floor-write-", dir=beside))
    os.sync()  # what earlier writes left for the disk is not charged to this pass
    try:
        made: set[str] = set()
        started = cpu()
        for relative, data in outputs:
            folder = os.path.dirname(relative)
            if folder not in made:
                os.makedirs(os.path.join(target, folder), exist_ok=True)
                made.add(folder)
            handle = os.open(os.path.join(target, relative), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            try:
                os.write(handle, data)
            finally:
                os.close(handle)
        return cpu() - started
    finally:
        shutil.rmtree(target, ignore_errors=True)


# --------------------------------------------------------------------------
# The report


ROWS: tuple[tuple[str, str], ...] = (
    ("markdown", "every Markdown conversion (bodies, key points, notes)"),
    ("tree processing", "  of it, briefgen's tree processing (mentions, annotation marks, links)"),
    ("templates", "Jinja rendering every page"),
    ("annotation JSON-LD", "Web Annotation JSON-LD"),
    ("Atom feeds", "Atom feeds"),
    ("writing files", "writing the output files"),
)


def report(size: int, floor: float, figures: dict[str, float]) -> list[str]:
    """The table: each part's CPU seconds and its multiple of the floor, and the least this design can take."""
    def row(label: str, seconds: float) -> str:
        return f"{label:<74} {seconds:8.2f}  {seconds / floor:5.2f}x"

    whole = figures["whole build"]
    named = sum(figures.get(key, 0.0) for key, _ in ROWS if key != "tree processing")
    lines = [f"{size:,} briefs: {int(figures['pages']):,} pages, {int(figures['files']):,} files; "
             "one clean build in one process (--jobs 1), search off",
             f"{'':<74} {'CPU, s':>8}  {'floor':>6}",
             row("floor: Python-Markdown alone, same bodies and extensions (run.py's)", floor)]
    lines += [row(label, figures.get(key, 0.0)) for key, label in ROWS]
    lines.append(row("everything else (loading, resolving, planning, sitemaps, the store...)", whole - named))
    lines.append(row("the whole build", whole))
    lines.append("")
    lines.append(row("outside the build: reading the sources (text, YAML by the C loader)", figures["bare read"]))
    written = f"outside the build: writing its {int(figures['bare files']):,} files bare, best of {WRITE_PASSES}"
    lines.append(row(written, figures["bare write"]))
    # The floor, the templates, reading and writing (the build's own or bare, whichever took less): what
    # remains if all of briefgen's own work took no time.
    writing = min(figures["bare write"], figures.get("writing files", figures["bare write"]))
    least = floor + figures.get("templates", 0.0) + figures["bare read"] + writing
    lines.append(row("least: the floor, the templates, reading, and the less of the two writings", least))
    stages = ", ".join(f"{name[6:]} {seconds:.2f}" for name, seconds in figures.items() if name.startswith("phase "))
    lines.append(f"the build's phases (wall, s): {stages}")
    return lines


def run_probe(site: Path) -> dict[str, float]:
    """`probe` in a fresh process (bytecode on, as an installed briefgen runs); its figures."""
    with tempfile.TemporaryDirectory(prefix="floor-") as scratch:
        out = Path(scratch) / "site"
        done = subprocess.run([sys.executable, __file__, "--probe", str(site), str(out)], cwd=REPO,
                              env=with_bytecode(os.environ), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the probe's build failed:\n{done.stderr[-2000:]}")
        parts: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return {**parts, **bare_io(site / "content", out)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="briefs in the corpus (10000)")
    parser.add_argument("--corpora", type=Path, default=HERE / "corpora", help="folder of generated corpora")
    parser.add_argument("--probe", nargs=2, type=Path, metavar=("SITE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(*args.probe)))
        return 0
    import run

    compile_checkout()
    folder, _ = run.ensure_corpus(args.corpora, args.size, 1)
    floor = run.markdown_floor(folder)
    if floor is None:
        raise SystemExit("Python-Markdown's floor could not be measured (is markdown installed?)")
    figures = run_probe(folder / "briefgen")
    for line in report(args.size, floor, figures):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
