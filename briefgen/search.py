"""Search: a Pagefind index of the briefs, in shards, re-indexed only where pages changed.

Owns finding the Pagefind binary (the optional `search` extra installs it
from PyPI), talking to it as a service (Pagefind's own protocol, the one its
Python API speaks) and keeping the index in `pagefind/`. What is indexed is
the templates' business: `data-pagefind-body` marks a brief's article,
`data-pagefind-filter` its year, entity types and entities. Must not render
pages, and must not fail a build because Pagefind is missing: the build then
warns and the search page says the index is absent.

**Shards.** The briefs are split by date into shards (a year; a month, or a
day, when a year or a month holds more than `SHARD_LIMIT` briefs), each a
Pagefind bundle of its own in `pagefind/<shard>/`, which the search page
merges in the reader's browser with Pagefind's `mergeIndex`. A build indexes
again only the shards whose pages changed: `pagefind/shards.json` keeps each
shard's signature (a digest of its pages' paths and digests), so an edit to
one brief costs one shard, whatever size the site. Any page change is seen,
even one made by a build that ran with search off.

Pagefind's output is only partly deterministic: for the same pages its
fragments and word index are byte-identical, its filter and metadata files
(filter/, pagefind.*.pf_meta and pagefind-entry.json, which names it) are
not, a known Pagefind behaviour. tests/test_search.py checks exactly that;
whole-site comparisons leave pagefind/ out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from .errors import BriefgenError, BuildWarning
from .files import replace_file
from .model import OutputPath, Site

BUNDLE = "pagefind"  # the folder of the search index, below the site root
SHARD_LIST = "shards.json"  # in BUNDLE: the shards, newest first, and their signatures
SHARD_LIMIT = 600  # briefs a shard may hold before its period is split into smaller ones
PERIODS = (4, 7, 10)  # a shard's name: the start of its pages' ISO dates (a year, a month, a day)
PAGEFIND_ENV = "BRIEFGEN_PAGEFIND"  # a Pagefind binary to use; "off" turns search off
MISSING = ("search was skipped: Pagefind is not installed "
           "(pip install 'briefgen[search]', or set BRIEFGEN_PAGEFIND to a pagefind binary)")
TURNED_OFF = f"search was skipped: {PAGEFIND_ENV}=off"
BATCH = 64  # requests sent before their answers are read: Pagefind's answers must not fill the pipe


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
        return None, BuildWarning(TURNED_OFF, kind="search-skipped")
    executable = find_pagefind()
    return executable, None if executable else BuildWarning(MISSING, kind="search-skipped")


# -- shards --------------------------------------------------------------------------------------------


def plan_shards(dated_pages: Mapping[OutputPath, date]) -> dict[str, list[OutputPath]]:
    """Each indexed page's shard: its year, split into months, then days, where one holds too many pages.

    The name of a page's shard moves only when its period crosses
    `SHARD_LIMIT`, so a shard's members stay put as briefs are added.
    """
    shards: dict[str, list[OutputPath]] = {}

    def split(pages: list[OutputPath], level: int) -> None:
        groups: dict[str, list[OutputPath]] = {}
        for page in pages:
            groups.setdefault(dated_pages[page].isoformat()[:PERIODS[level]], []).append(page)
        for key, members in groups.items():
            if len(members) > SHARD_LIMIT and level < 2:
                split(members, level + 1)
            else:
                shards[key] = sorted(members)

    split(list(dated_pages), 0)
    return {key: shards[key] for key in sorted(shards, reverse=True)}


def _signature(pages: Iterable[OutputPath], digests: Mapping[OutputPath, bytes]) -> str:
    hasher = hashlib.sha256()
    for page in pages:
        hasher.update(f"{page}\0{digests.get(page, b'').hex()}\n".encode())
    return hasher.hexdigest()


def _indexed_signatures(bundle: Path) -> dict[str, str]:
    """The shards `pagefind/shards.json` says are indexed, and their signatures; none if it is absent or odd."""
    try:
        listed = json.loads((bundle / SHARD_LIST).read_text(encoding="utf-8"))
        return {str(entry["key"]): str(entry["signature"]) for entry in listed["shards"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class IndexedPages:
    """The pages search indexes: every published brief's page and its date.

    `dated()` lists them all. When the last build of the same memory indexed
    exactly these pages with these dates (`same_as_last`), a rebuild needs
    only the dates of the pages it wrote (`date_of`) and the pages of their
    shards (`in_period`): at 100,000 briefs, listing and signing every page
    took 0.65 s of each one-edit build with search on.
    """

    def __init__(self, site: Site, *, same_as_last: bool = False) -> None:
        self._site = site
        self.same_as_last = same_as_last

    def dated(self) -> dict[OutputPath, date]:
        return {brief.page: brief.date for brief in self._site.briefs}

    def date_of(self, page: OutputPath) -> date | None:
        """The date of the brief whose page `page` is; None for any other page."""
        parts = page.split("/")
        if len(parts) != 3 or parts[0] != "briefs" or parts[2] != "index.html":
            return None
        brief = self._site.by_slug.get(parts[1])
        return brief.date if brief is not None and brief.page == page else None

    def in_period(self, key: str) -> list[OutputPath]:
        """The pages of the shard named `key` (a year, a month or a day, as `plan_shards` names them), sorted."""
        year = int(key[:4])
        months = [(year, int(key[5:7]))] if len(key) > PERIODS[0] else [(year, month) for month in range(1, 13)]
        by_month = self._site.briefs_by_month
        return sorted(brief.page for month in months if month in by_month for brief in by_month[month]
                      if brief.date.isoformat().startswith(key))


def index_site(folder: Path, pages: IndexedPages, digests: Mapping[OutputPath, bytes],
               executable: str | None = None, *, written: Iterable[OutputPath] | None = None) -> BuildWarning | None:
    """Bring `folder/pagefind/` up to date with the pages in `folder`; a warning instead when Pagefind is missing.

    `pages`: the pages to index and their dates (see `IndexedPages`); `digests`: every
    page's digest, which tells which shards changed. Only those are indexed
    again, each into a new folder swapped in for the old. `written`: the
    files a rebuild wrote or deleted, when `pages` are as the last build
    indexed them: only their shards are signed again. A Pagefind that
    runs and fails is an error: the build stops, as with any other failure.
    """
    if executable is None:
        executable, skipped = _pagefind_or_warning()
        if executable is None:
            return skipped
    bundle = folder / BUNDLE
    indexed = _indexed_signatures(bundle)
    planned = _resigned(pages, written, indexed, digests) if pages.same_as_last and written is not None else None
    if planned is None:
        shards = plan_shards(pages.dated())
        signatures = {key: _signature(members, digests) for key, members in shards.items()}
    else:
        shards, signatures = planned
    stale = [key for key in signatures if indexed.get(key) != signatures[key] or not (bundle / key).is_dir()]
    if stale:
        _index_shards(executable, folder, {key: shards[key] if key in shards else pages.in_period(key)
                                           for key in stale})
    listed = [{"key": key, "signature": signatures[key]} for key in signatures]
    bundle.mkdir(exist_ok=True)
    replace_file(bundle / SHARD_LIST, (json.dumps({"shards": listed}, indent=1) + "\n").encode("utf-8"))
    for entry in sorted(bundle.iterdir()):  # shards gone, an older layout's files, leftovers of a killed build
        if entry.name != SHARD_LIST and entry.name not in signatures:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    return None


def _resigned(pages: IndexedPages, written: Iterable[OutputPath], indexed: dict[str, str],
              digests: Mapping[OutputPath, bytes]) -> tuple[dict[str, list[OutputPath]], dict[str, str]] | None:
    """The shards the last build indexed (`indexed`, newest first), with those holding a `written` page
    signed again; and those shards' pages. None when a written page has no shard among them (the
    shards.json read is not the last build's): every page is planned again."""
    if not indexed:
        return None
    touched: dict[str, list[OutputPath]] = {}
    for page in written:
        day = pages.date_of(page)
        if day is None:
            continue
        stamp = day.isoformat()
        key = next((stamp[:length] for length in reversed(PERIODS) if stamp[:length] in indexed), None)
        if key is None:
            return None
        if key not in touched:
            touched[key] = pages.in_period(key)
    signatures = dict(indexed)
    signatures.update((key, _signature(members, digests)) for key, members in touched.items())
    return touched, signatures


def _index_shards(executable: str, folder: Path, shards: dict[str, list[OutputPath]]) -> None:
    """Index each shard into `pagefind/<key>/`, with a Pagefind service per core working through them."""
    bundle = folder / BUNDLE
    bundle.mkdir(exist_ok=True)
    queue = list(shards)
    lock = threading.Lock()

    def work() -> None:
        with PagefindService(executable) as service:
            while True:
                with lock:
                    if not queue:
                        return
                    key = queue.pop(0)
                fresh = bundle / f".{key}.new"
                shutil.rmtree(fresh, ignore_errors=True)
                try:
                    service.index(folder, shards[key], fresh)
                except BaseException:
                    with lock:
                        queue.clear()  # the others stop after their shard in hand
                    raise
                _swap_in(fresh, bundle / key)

    workers = min(len(shards), os.cpu_count() or 1)
    if workers == 1:
        work()
        return
    with ThreadPoolExecutor(workers) as pool:
        for done in [pool.submit(work) for _ in range(workers)]:
            done.result()  # the first failure, as an error of the build


def _write_bundle(out: Path, files: object) -> None:
    """Write the files of Pagefind's `GetFiles` answer (paths inside the bundle, base64 contents) into `out`."""
    if not isinstance(files, list):
        raise _unreadable_answer()
    out.mkdir(parents=True)
    made = {out}
    for entry in files:
        try:
            name, content = PurePosixPath(entry["path"]), base64.b64decode(entry["content"], validate=True)
        except (TypeError, KeyError, ValueError):
            raise _unreadable_answer() from None
        if name.is_absolute() or not name.parts or any(part in ("", ".", "..") for part in name.parts):
            raise BriefgenError(f"search: Pagefind named a file outside its folder: {str(name)!r}",
                                hint=f"use the Pagefind of the search extra (pip install 'briefgen[search]') "
                                     f"or set {PAGEFIND_ENV}=off")
        target = out.joinpath(*name.parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)


def _unreadable_answer() -> BriefgenError:
    return BriefgenError("search: Pagefind answered something briefgen cannot read",
                        hint=f"use the Pagefind of the search extra (pip install 'briefgen[search]') "
                             f"or set {PAGEFIND_ENV}=off")


def _swap_in(fresh: Path, target: Path) -> None:
    """Put the folder `fresh` where `target` is; the old one goes."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(fresh, target)


# -- Pagefind's service protocol -----------------------------------------------------------------------


class PagefindService:
    """One `pagefind --service` process: base64 JSON messages, each ended by a comma, over its stdin and stdout.

    The protocol of Pagefind's Python and Node APIs. Spoken directly (the
    Python package's client waits 0.1 s between answers: 100 s for 1,000
    pages), with requests sent in batches so that neither pipe fills up.

    The bundle's files are asked for (`GetFiles`) and written by briefgen,
    not by Pagefind (`WriteFiles`): Pagefind up to 1.5.2 acknowledges
    `WriteFiles` while its writes may still be in flight, and a service
    closed right after ships truncated files (Pagefind's issue #1272).
    """

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._next_id = 0
        self._pending = bytearray()  # answers read but not yet taken
        self._scanned = 0  # how much of _pending holds no answer's end: a long answer is not scanned again
        try:
            self._process = subprocess.Popen([executable, "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise BriefgenError(f"search: could not run Pagefind ({executable}): {exc.strerror or exc}",
                                hint=f"reinstall it (pip install 'briefgen[search]') or set {PAGEFIND_ENV}=off"
                                ) from None

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout, self._process.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def index(self, folder: Path, pages: list[OutputPath], out: Path) -> None:
        """Index `pages` (paths below `folder`) into a new bundle in `out`."""
        created = self._call({"type": "NewIndex", "config": {"keep_index_url": True}})
        index_id = created["index_id"]
        for start in range(0, len(pages), BATCH):
            batch = pages[start: start + BATCH]
            for page in batch:
                contents = (folder / page).read_text(encoding="utf-8")
                self._send({"type": "AddFile", "index_id": index_id, "url": f"/{page}",
                            "file_path": None, "file_contents": contents})
            self._flush()
            for _ in batch:
                self._receive()
        files = self._call({"type": "GetFiles", "index_id": index_id}).get("files")
        self._call({"type": "DeleteIndex", "index_id": index_id})
        _write_bundle(out, files)

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._send(payload)
        self._flush()
        return self._receive()

    def _send(self, payload: dict[str, Any]) -> None:
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload}).encode("utf-8")
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(base64.b64encode(message) + b",")
        except OSError:
            self._failed()

    def _flush(self) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.flush()
        except OSError:
            self._failed()

    def _receive(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        end = self._pending.find(b",", self._scanned)
        while end < 0:
            self._scanned = len(self._pending)
            chunk = os.read(self._process.stdout.fileno(), 1 << 20)
            if not chunk:
                self._failed()
            self._pending += chunk
            end = self._pending.find(b",", self._scanned)
        answer, self._pending = bytes(self._pending[:end]), self._pending[end + 1:]
        self._scanned = 0
        try:
            payload: dict[str, Any] = json.loads(base64.b64decode(answer))["payload"]
        except (ValueError, KeyError, TypeError):
            raise _unreadable_answer() from None
        if payload.get("type") == "Error":
            raise BriefgenError(f"search: Pagefind failed: {payload.get('message', 'an error')}",
                                hint=f"run it by hand to see more: {self.executable} --site <output folder>")
        return payload

    def _failed(self) -> NoReturn:
        """Pagefind stopped: an error with the last line it printed."""
        stderr = self._process.stderr.read().decode("utf-8", "replace") if self._process.stderr else ""
        status = self._process.wait()
        lines = stderr.strip().splitlines()
        detail = lines[-1] if lines else f"exit status {status}"
        raise BriefgenError(f"search: Pagefind failed: {detail}",
                            hint=f"run it by hand to see more: {self.executable} --site <output folder>")
