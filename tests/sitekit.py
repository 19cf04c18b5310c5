"""Helpers the tests share: make a site folder, build it, parse its HTML, follow its links."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from briefgen.build import BuildReport, build_site
from briefgen.config import load_config
from briefgen.dev.server import DevServer
from briefgen.entities import SiteState
from briefgen.errors import BriefgenError, ErrorCollector
from briefgen.load import load_pair
from briefgen.model import Brief, EntityRef
from briefgen.refs import load_registry
from briefgen.scan import find_content

REPO = Path(__file__).resolve().parent.parent
# The smallest site: one brief naming one person.
ADA = {"content/a.md": "Ada Lovelace wrote.\n",
       "content/a.yaml": "title: A\ndate: 2024-01-01\nentities: {people: [Ada Lovelace]}\n"}


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write a site folder from {relative path: text}; text is dedented."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def build(site: Path, out: Path | None = None, **options: object) -> BuildReport:
    return build_site(site, out, **options)  # type: ignore[arg-type]


def forks_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the pids of the children this process forks (`os.fork` patched to note them)."""
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return children


def assert_reaped(children: list[int]) -> None:
    """Each of these children was waited for: none is left behind."""
    for child in children:
        try:
            os.waitpid(child, os.WNOHANG)
        except ChildProcessError:
            continue
        raise AssertionError(f"child {child} was not waited for")


def parse_html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "html5lib")


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file below `folder`, by relative path (those under a `skip` prefix such as 'pagefind/' left out)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith(skip)}


# Pagefind's filter and metadata files differ between two runs on the same
# pages (a known Pagefind behaviour; its fragments and word index are stable):
# byte-for-byte comparisons of whole sites leave its folder out.
NONDETERMINISTIC = ("pagefind/",)


def broken_links(out: Path, base_path: str | None = None) -> list[str]:
    """Every internal link or fragment of the built site that leads nowhere.

    Links from the host's root are problems (the site must work under any
    sub-path), except on 404.html below `base_path`, the path of the site's
    base_url: a 404 page is served at any depth.
    """
    problems = []
    ids: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids:
            soup = parse_html(page)
            ids[page] = {str(tag["id"]) for tag in soup.find_all(id=True)}
        return ids[page]

    for page in sorted(out.rglob("*.html")):
        soup = parse_html(page)
        for tag in soup.find_all(["a", "link", "script", "img"]):
            target = tag.get("href") if tag.name in ("a", "link") else tag.get("src")
            if not target:
                continue
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            if target.startswith("/") and not (base_path and page == out / "404.html"
                                               and target.startswith(base_path)):
                problems.append(f"{page.relative_to(out)}: root-absolute link {target}")
                continue
            if target.startswith("/"):
                resolved = (out / unquote(parts.path)[len(base_path or ""):]).resolve()
            else:
                resolved = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                problems.append(f"{page.relative_to(out)}: {target} → missing")
                continue
            if out.resolve() not in resolved.parents and resolved != out.resolve():
                problems.append(f"{page.relative_to(out)}: {target} leaves the site")
            if parts.fragment and resolved.suffix == ".html" and unquote(parts.fragment) not in ids_of(resolved):
                problems.append(f"{page.relative_to(out)}: {target} → no #{parts.fragment}")
    return problems


def resolve(briefs: list[Brief], refs: list[EntityRef], registry_path: str | None = None, *,
            include_drafts: bool = False) -> tuple[SiteState, list[BriefgenError]]:
    """The resolved state of these briefs and refs (in file order), made as a clean build makes it."""
    state = SiteState(registry_path, include_drafts=include_drafts)
    by_file: dict[str, list[EntityRef]] = {}
    for ref in refs:
        by_file.setdefault(ref.path, []).append(ref)
    _, errors = state.apply(remove=(), add=briefs, refs={path: tuple(items) for path, items in by_file.items()})
    return state, errors


def load_folder(site: Path) -> tuple[list[Brief], list[EntityRef], list[str]]:
    """Every brief of a site folder (newest first), every entity ref, and the errors as printed."""
    config = load_config(site)
    errors = ErrorCollector()
    files = find_content(config, errors)
    briefs: list[Brief] = []
    refs: list[EntityRef] = []
    for pair in files.pairs:
        result, pair_errors = load_pair(pair, config)
        errors.extend(pair_errors)
        if result is not None:
            briefs.append(result[0])
            refs.extend(result[1])
    if files.registry is not None:
        refs.extend(load_registry(files.registry, config, errors))
    briefs.sort(key=lambda b: (-b.date.timestamp(), b.slug))
    return briefs, refs, [error.format_message() for error in errors.errors]


@contextmanager
def dev_servers() -> Iterator[Callable[..., DevServer]]:
    """Start DevServers (their first build done) with the given settings; all stopped at the end."""
    servers: list[DevServer] = []

    def start(**settings: object) -> DevServer:
        server = DevServer(**{"port": 0, "log": lambda _line: None, **settings})  # type: ignore[arg-type]
        servers.append(server)
        server.start()
        assert server.wait_for_build(1, timeout=10) is not None
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
