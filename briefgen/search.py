"""Search: a Pagefind index of the briefs, made in the staged output before it is swapped in.

Owns finding the Pagefind binary (the optional `search` extra installs it
from PyPI) and running it over a folder. What is indexed is the templates'
business: `data-pagefind-body` marks a brief's article, `data-pagefind-filter`
its year, entity types and entities. Must not render pages or write files of
its own, and must not fail a build because Pagefind is missing: the build
then warns and the search page says the index is absent.

Pagefind's output is only partly deterministic: for the same pages its
fragments and word index are byte-identical, its filter and metadata files
(pagefind/filter/, pagefind.*.pf_meta and pagefind-entry.json, which names
it) are not, a known Pagefind behaviour. tests/test_search.py checks exactly
that; whole-site comparisons leave pagefind/ out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import BriefgenError, BuildWarning

BUNDLE = "pagefind"  # the folder Pagefind writes below the site root
PAGEFIND_ENV = "BRIEFGEN_PAGEFIND"  # a Pagefind binary to use; "off" turns search off
MISSING = ("search was skipped: Pagefind is not installed "
           "(pip install 'briefgen[search]', or set BRIEFGEN_PAGEFIND to a pagefind binary)")
TURNED_OFF = f"search was skipped: {PAGEFIND_ENV}=off"


def find_pagefind() -> str | None:
    """The Pagefind binary: $BRIEFGEN_PAGEFIND, the one the `pagefind` Python package ships, or one on PATH."""
    chosen = os.environ.get(PAGEFIND_ENV)
    if chosen:
        return None if chosen.lower() == "off" else chosen
    try:
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is not None and Path(executable).is_file():
            return str(executable)
    except (ImportError, FileNotFoundError, OSError):
        pass
    return shutil.which("pagefind")


def search_skipped() -> BuildWarning | None:
    """Why search will not be built (turned off, or Pagefind missing); None when it will."""
    return _pagefind_or_warning()[1]


def _pagefind_or_warning() -> tuple[str | None, BuildWarning | None]:
    if os.environ.get(PAGEFIND_ENV, "").lower() == "off":
        return None, BuildWarning(TURNED_OFF)
    executable = find_pagefind()
    return executable, None if executable else BuildWarning(MISSING)


def index_site(folder: Path, executable: str | None = None) -> BuildWarning | None:
    """Index the HTML pages in `folder` into `folder/pagefind/`; a warning instead when Pagefind is missing.

    A Pagefind that runs and fails is an error: the build stops and the
    previous output stays, as with any other failure.
    """
    if executable is None:
        executable, skipped = _pagefind_or_warning()
        if executable is None:
            return skipped
    command = [executable, "--site", str(folder), "--output-subdir", BUNDLE,
               # Result links end in index.html, like every link of the site, so they work on any host.
               "--keep-index-url", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise BriefgenError(f"search: could not run Pagefind ({executable}): {exc.strerror or exc}",
                            hint=f"reinstall it (pip install 'briefgen[search]') or set {PAGEFIND_ENV}=off") from None
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip()).splitlines()
        detail = output[-1] if output else f"exit status {result.returncode}"
        raise BriefgenError(f"search: Pagefind failed: {detail}",
                            hint=f"run it by hand to see more: {executable} --site <output folder>")
    return None
