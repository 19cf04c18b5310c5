"""Save-to-reload latency of `briefgen serve`: from writing a file to the open page's `load` event.

For each corpus size, a copy of the corpus's briefgen site (so a benchmark run
beside this one is never disturbed) is served by a real `DevServer` whose
rebuild callable is `cli.make_rebuild`'s, exactly as `briefgen serve` wires
it. Headless Chromium opens one brief's page; then, --repeat times, that
brief's body gets a new paragraph on disk and the clock runs from the write
to the `load` event of the page the dev server made the browser reload. The
reloaded page must show the new paragraph, or the run fails: a fast reload
to stale content would be a lie.

Reported per size (median and p95 over the repeats):

    save→load      the whole wait: watch + debounce + rebuild + notify + reload
    rebuild        the rebuild callable alone (the builder's incremental build)
    save→build     the file write to the rebuild starting (watcher and 0.1 s debounce)
    build→load     the rebuild ending to the `load` event (event stream + page reload)

The clean first build (Pagefind included, as `briefgen serve` does it) is
reported once; at 10,000 briefs it takes a while.

    python benchmarks/reload_latency.py --sizes 1000,10000 --repeat 20
    python benchmarks/reload_latency.py --site path/to/site --repeat 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from briefgen.build import Builder  # noqa: E402
from briefgen.cli import make_rebuild, serve_watch_paths  # noqa: E402
from briefgen.dev.server import DevServer, RebuildResult  # noqa: E402

EDIT_MARKER = "Reload benchmark edit"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_BUILD_TIMEOUT = 3600.0
RELOAD_TIMEOUT = 120.0  # one edit's rebuild and reload, even at 10,000 briefs on a busy machine
SETTLE_SECONDS = 0.3  # between repeats, so each edit is its own burst for the debounce


class Skip(Exception):
    """The measurement cannot run here (no Playwright or no Chromium)."""


@dataclass
class Timings:
    """One site's figures, in seconds."""

    site: str
    briefs: int
    first_build: float
    save_to_load: list[float] = field(default_factory=list)
    rebuild: list[float] = field(default_factory=list)
    save_to_build: list[float] = field(default_factory=list)
    build_to_load: list[float] = field(default_factory=list)
    load_average: float | None = None


class TimedRebuild:
    """Wraps the rebuild callable: when each build started and ended (perf_counter seconds)."""

    def __init__(self, rebuild: Callable[[frozenset[Path]], RebuildResult]) -> None:
        self._rebuild = rebuild
        self._lock = threading.Lock()  # guards spans: the build thread appends, the benchmark reads
        self._spans: list[tuple[float, float, RebuildResult]] = []

    def __call__(self, changed: frozenset[Path]) -> RebuildResult:
        started = time.perf_counter()
        result = self._rebuild(changed)
        with self._lock:
            self._spans.append((started, time.perf_counter(), result))
        return result

    @property
    def spans(self) -> list[tuple[float, float, RebuildResult]]:
        with self._lock:
            return list(self._spans)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def copy_site(source: Path, into: Path) -> Path:
    """The site's sources (not its cache or output) copied into a private folder."""
    site = into / "site-src"
    site.mkdir(parents=True)
    for name in ("content", "templates", "static"):
        if (source / name).is_dir():
            shutil.copytree(source / name, site / name)
    if (source / "briefgen.yaml").is_file():
        shutil.copyfile(source / "briefgen.yaml", site / "briefgen.yaml")
    return site


def pick_article(site: Path, slug: str | None) -> Path:
    """The article to edit: the given slug's, else the first one in name order."""
    if slug:
        for suffix in (".md", ".txt"):
            candidate = site / "content" / f"{slug}{suffix}"
            if candidate.is_file():
                return candidate
    articles = sorted(p for p in (site / "content").iterdir() if p.suffix in (".md", ".txt"))
    if not articles:
        raise SystemExit(f"no articles in {site / 'content'}")
    return articles[0]


def measure_site(source: Path, repeat: int, slug: str | None = None,
                 log: Callable[[str], None] = print) -> Timings:
    """Serve a copy of `source`, open one brief in Chromium, edit it `repeat` times; the timings."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise Skip("Playwright is not installed (pip install -e '.[test]')") from None
    executable = chromium_path()
    if executable is None:
        raise Skip("no Chromium on PATH (install Debian's 'chromium' package)")

    with tempfile.TemporaryDirectory(prefix="briefgen-reload-bench-") as scratch:
        site = copy_site(source, Path(scratch))
        article = pick_article(site, slug)
        briefs = sum(1 for p in (site / "content").iterdir() if p.suffix in (".md", ".txt"))
        rebuild = TimedRebuild(make_rebuild(Builder(site, Path(scratch) / "out" / "site", use_cache=False),
                                            quiet=True))
        server_log: list[str] = []
        server = DevServer(out_dir=Path(scratch) / "out" / "site", rebuild=rebuild,
                           watch_paths=serve_watch_paths(site), port=0, log=server_log.append)
        log(f"  {briefs:,} briefs: first build (clean, with the search index) ...")
        server.start()
        try:
            first = server.wait_for_build(1, timeout=FIRST_BUILD_TIMEOUT)
            if first is None or not first.ok:
                raise SystemExit("first build failed:\n" + "\n".join(server_log))
            started, ended, _ = rebuild.spans[0]
            timings = Timings(site=str(source), briefs=briefs, first_build=ended - started)
            log(f"  first build {timings.first_build:.1f} s; editing {article.name} {repeat} times ...")
            page_url = server.url + f"briefs/{article.stem}/index.html"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                                     headless=True)
                try:
                    page = browser.new_page()
                    page.goto(page_url, wait_until="load")
                    original = article.read_text(encoding="utf-8")
                    for number in range(1, repeat + 1):
                        try:
                            _one_edit(page, server, rebuild, article, original, number, timings)
                        except Exception as error:  # Playwright's timeout: say what the server did
                            raise SystemExit(f"edit {number}: {str(error).splitlines()[0]}\nserver log:\n"
                                             + "\n".join(server_log[-20:])) from None
                finally:
                    browser.close()
            timings.load_average = os.getloadavg()[0]
            return timings
        finally:
            server.stop()


def _one_edit(page: object, server: DevServer, rebuild: TimedRebuild, article: Path, original: str,
              number: int, timings: Timings) -> None:
    marker = f"{EDIT_MARKER} {number}"
    builds = server.builds
    time.sleep(SETTLE_SECONDS)
    with page.expect_navigation(wait_until="load", timeout=RELOAD_TIMEOUT * 1000):  # type: ignore[attr-defined]
        saved = time.perf_counter()
        article.write_text(original + f"\n{marker}: the figures were revised after publication.\n",
                           encoding="utf-8")
    loaded = time.perf_counter()
    if marker not in page.content():  # type: ignore[attr-defined]
        raise SystemExit(f"edit {number}: the reloaded page does not show the edit")
    spans = rebuild.spans[builds:]
    if len(spans) != 1 or not spans[0][2].ok:
        raise SystemExit(f"edit {number}: expected one successful rebuild, got {[s[2] for s in spans]}")
    build_started, build_ended, _ = spans[0]
    timings.save_to_load.append(loaded - saved)
    timings.rebuild.append(build_ended - build_started)
    timings.save_to_build.append(build_started - saved)
    timings.build_to_load.append(loaded - build_ended)


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile, nearest rank: a value that was actually measured."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


COLUMNS = (("save→load", "save_to_load"), ("rebuild", "rebuild"), ("save→build", "save_to_build"),
           ("build→load", "build_to_load"))


def table(results: Sequence[Timings]) -> list[str]:
    """One row per site: first build, then median / p95 of each figure, in seconds."""
    headers = ["briefs", "first build", *(f"{name} median / p95" for name, _ in COLUMNS), "runs", "load avg"]
    rows = []
    for result in results:
        cells = [f"{result.briefs:,}", f"{result.first_build:.1f}"]
        for _, attribute in COLUMNS:
            samples = getattr(result, attribute)
            cells.append(f"{statistics.median(samples):.3f} / {p95(samples):.3f}" if samples else "n/a")
        cells += [str(len(result.save_to_load)), f"{result.load_average:.1f}" if result.load_average else "n/a"]
        rows.append(cells)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Measure briefgen serve's save-to-reload latency in Chromium.")
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes in briefs (1000)")
    parser.add_argument("--site", type=Path, help="measure this site folder instead of generated corpora")
    parser.add_argument("--slug", help="the brief to edit (default: the corpus's edit_slug, else the first)")
    parser.add_argument("--repeat", type=int, default=20, help="edits per site (20)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument("--corpora", type=Path, default=BENCH / "corpora",
                        help="folder of generated corpora (benchmarks/corpora)")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    targets: list[tuple[Path, str | None]] = []
    if args.site is not None:
        targets.append((args.site, args.slug))
    else:
        import run  # benchmarks/run.py: the corpora and their generator

        for size in args.size_list:
            folder, manifest = run.ensure_corpus(args.corpora, size, args.seed)
            targets.append((folder / "briefgen", args.slug or str(manifest.get("edit_slug") or "") or None))
    results = []
    try:
        for site, slug in targets:
            results.append(measure_site(site, args.repeat, slug, log=progress))
    except Skip as reason:
        print(f"skipped: {reason}", file=sys.stderr)
        return 3
    print("\n".join(table(results)), flush=True)
    print("seconds; save→load runs from writing the article to the reloaded page's load event.")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
