"""Rebuild time after one edit, as `briefgen serve` does it: one builder kept in memory.

For each corpus size, a copy of the corpus's briefgen site is built once
(clean), then edited --repeat times in each of three ways, each edit followed
by one incremental build that is timed, then undone (and built again,
untimed) so the next edit starts from the same site:

    body      a paragraph appended to a brief's article
    title     the brief's title changed in its sidecar
    entity    a person added to the brief's entities (one already in the site)

Each edit touches a different brief, spread over the corpus. The build is
told which file changed, as the dev server's watcher tells it. Printed per
kind: median and p95 of the build's seconds, and the files it rewrote.

    python benchmarks/edit_rebuild.py --sizes 1000,10000 --repeat 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("BRIEFGEN_PAGEFIND", "off")

from briefgen.build import Builder  # noqa: E402

from reload_latency import copy_site, p95  # noqa: E402


def add_paragraph(article: Path, sidecar: Path) -> Path:
    article.write_text(article.read_text(encoding="utf-8") + "\nA paragraph added in an edit.\n", encoding="utf-8")
    return article


def change_title(article: Path, sidecar: Path) -> Path:
    text = sidecar.read_text(encoding="utf-8")
    quoted = 'title: "' in text
    sidecar.write_text(text.replace('title: "', 'title: "Revised, ', 1) if quoted else
                       text.replace("title: ", "title: Revised, ", 1), encoding="utf-8")
    return sidecar


def add_person(article: Path, sidecar: Path) -> Path:
    text = sidecar.read_text(encoding="utf-8")
    name = "Agnes Costa" if "Agnes Costa" not in text else "Aisha Sandoval"
    if "\n  people:\n" in text:
        text = text.replace("\n  people:\n", f'\n  people:\n    - "{name}"\n', 1)
    else:
        text = text.replace("\nentities:\n", f'\nentities:\n  people:\n    - "{name}"\n', 1)
    sidecar.write_text(text, encoding="utf-8")
    return sidecar


EDITS: dict[str, Callable[[Path, Path], Path]] = {"body": add_paragraph, "title": change_title, "entity": add_person}


def measure(site: Path, repeat: int) -> dict[str, tuple[list[float], list[int]]]:
    """Seconds and files written of each timed rebuild, by kind of edit."""
    out = site.parent / "out"
    builder = Builder(site, out, use_cache=False, search=False)
    started = time.perf_counter()
    builder.build()
    builder.index_sources()  # as the dev server does once its first build is done
    print(f"  first build {time.perf_counter() - started:.1f} s", flush=True)
    articles = sorted((site / "content").glob("*.md"))
    results: dict[str, tuple[list[float], list[int]]] = {kind: ([], []) for kind in EDITS}
    for round_number in range(repeat):
        for kind_number, (kind, edit) in enumerate(EDITS.items()):
            article = articles[(round_number * len(EDITS) + kind_number) * 7919 % len(articles)]
            sidecar = article.with_suffix(".yaml")
            saved = {path: path.read_bytes() for path in (article, sidecar)}
            edited = edit(article, sidecar)
            started = time.perf_counter()
            report = builder.build(changed=[edited])
            results[kind][0].append(time.perf_counter() - started)
            results[kind][1].append(report.files_written)
            for path, data in saved.items():
                path.write_bytes(data)
            builder.build(changed=[edited])
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in briefs (1000,10000)")
    parser.add_argument("--repeat", type=int, default=10, help="edits of each kind (10)")
    parser.add_argument("--corpora", type=Path, default=HERE / "corpora", help="folder of generated corpora")
    args = parser.parse_args(argv)
    rows = []
    for size in (int(part) for part in args.sizes.split(",")):
        source = args.corpora / str(size) / "briefgen"
        if not source.is_dir():
            print(f"no corpus at {source}: run benchmarks/run.py --sizes {size} first", file=sys.stderr)
            return 2
        print(f"{size:,} briefs ...", flush=True)
        with tempfile.TemporaryDirectory(prefix="briefgen-edit-") as scratch:
            site = copy_site(source, Path(scratch))
            for kind, (seconds, written) in measure(site, args.repeat).items():
                rows.append(f"| {size:,} | {kind} | {statistics.median(seconds) * 1000:.0f} / "
                            f"{p95(seconds) * 1000:.0f} ms | {statistics.median(written):.0f} | {len(seconds)} |")
            shutil.rmtree(Path(scratch) / "out", ignore_errors=True)
    print("\n| briefs | edit | rebuild median / p95 | files rewritten (median) | edits |")
    print("|---:|---|---|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
