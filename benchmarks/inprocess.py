"""A clean briefgen build run inside this process, for the probes that watch it from within.

`cow.py` and `heap_growth.py` patch briefgen before the build (a worker's
chunk, a phase's lap) and report after it: they share how the build is asked
for, run, and left, as `briefgen build` runs it (see `briefgen.cli.entry`).
`memory.py`, which watches a build from outside, shares the arguments; it and
`run.py` run their builds with bytecode (`compile_checkout`, `with_bytecode`).
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
from collections.abc import Mapping
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


def with_bytecode(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without PYTHONDONTWRITEBYTECODE: a build run with it as an installed briefgen runs (pip
    compiles a package's modules as it installs it). A shell that sets it would have every timed build
    compile each module it imports again: a tenth of a second of a one-edit build at 100,000 briefs."""
    return {name: value for name, value in environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def compile_checkout() -> None:
    """Compile this checkout's modules once, before anything is timed, as installing it would: a cold
    build then does not pay for compiling briefgen (the peers' packages were compiled by pip)."""
    compileall.compile_dir(REPO / "briefgen", quiet=1)
