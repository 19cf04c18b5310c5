"""A clean briefgen build run inside this process, for the probes that watch it from within.

`cow.py` and `heap_growth.py` patch briefgen before the build (a worker's
chunk, a phase's lap) and report after it: they share how the build is asked
for, run, and left, as `briefgen build` runs it (see `briefgen.cli.entry`).
`memory.py`, which watches a build from outside, shares the arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parent.parent


def site_arguments(description: str, *, clean: bool = True) -> argparse.ArgumentParser:
    """A parser that takes the site folder to build and `--jobs`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("site", type=Path, help="the site folder to build" + (" (clean)" if clean else ""))
    parser.add_argument("--jobs", type=int, help="passed to briefgen build")
    return parser


def use_this_checkout() -> None:
    """Import briefgen from the tree this file is in; search off unless BRIEFGEN_PAGEFIND is set."""
    os.environ.setdefault("BRIEFGEN_PAGEFIND", "off")
    sys.path.insert(0, str(REPO))


def clean_build(site: Path, jobs: int | None) -> int:
    """Build `site` clean in this process, as `briefgen build --clean -q` would; its exit code."""
    from briefgen.cli import main as briefgen_main

    command = ["build", str(site), "--clean", "-q"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    return briefgen_main(command, process_ends=True)


def leave(code: int) -> NoReturn:
    """End the process as `briefgen build` does: the store's readers closed, output flushed, no teardown."""
    from briefgen import store

    store.close_readers()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
