"""`briefgen serve` end to end: a real DevServer and Builder, wired as `cli.run_serve` wires them.

The site is a copy of the repository's example plus one short brief. Edits are
saved on disk as an editor would save them, and the page open in Chromium (or
plain HTTP requests) must show what is on disk: reloaded after a content
edit, an overlay naming file and line while the build is broken, stylesheets
swapped without a reload after a CSS edit.

`window.__marker` tells a reload from a patch: it is set before an edit and is
gone after a real reload, while a CSS refresh keeps it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup

from briefgen.build import Builder
from briefgen.cli import make_rebuild, serve_watch_paths
from briefgen.dev.server import DevServer, RebuildResult

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SLUG = "putin-washington-invite"
TITLE = "White House says talks are underway for a Putin visit to Washington"
SECOND = "harbour-pier-opens"
# Generous: the machine running the tests may be busy with other builds.
BUILD_TIMEOUT = 60.0
PAGE_TIMEOUT_MS = 30_000
QUIET_SECONDS = 2.0  # long enough for a stray event to have made a build (debounce is 0.1 s)


class RecordingRebuild:
    """Wraps cli.make_rebuild's callable to record what each build was told had changed."""

    def __init__(self, rebuild: Callable[[frozenset[Path]], RebuildResult]) -> None:
        self._rebuild = rebuild
        self._lock = threading.Lock()  # guards calls: the build thread appends, the test reads
        self._calls: list[frozenset[Path]] = []

    def __call__(self, changed: frozenset[Path]) -> RebuildResult:
        with self._lock:
            self._calls.append(changed)
        return self._rebuild(changed)

    @property
    def calls(self) -> list[frozenset[Path]]:
        with self._lock:
            return list(self._calls)


class RealSite:
    """A site folder served by a real DevServer, and ways to save files in it."""

    def __init__(self, root: Path) -> None:
        self.root = root / "site-src"
        self.content = self.root / "content"
        shutil.copytree(REPO / "content", self.content)
        shutil.copyfile(REPO / "briefgen.yaml", self.root / "briefgen.yaml")
        (self.content / f"{SECOND}.md").write_text(
            "The harbour authority said on Monday that the new pier would open in spring.\n", encoding="utf-8")
        (self.content / f"{SECOND}.yaml").write_text(
            "title: Harbour pier to open in spring\ndate: 2018-07-20\n", encoding="utf-8")
        # Outside the site, as `briefgen serve` builds into a temporary folder.
        self.out = root / "serve-out" / "site"
        self.sidecar = self.content / f"{SLUG}.yaml"
        self.logs: list[str] = []
        self.rebuild = RecordingRebuild(make_rebuild(Builder(self.root, self.out, use_cache=False), quiet=True))
        self.server: DevServer | None = None

    def start(self) -> DevServer:
        server = self.server = DevServer(out_dir=self.out, rebuild=self.rebuild,
                                         watch_paths=serve_watch_paths(self.root), port=0, log=self.logs.append)
        server.start()
        result = server.wait_for_build(1, timeout=BUILD_TIMEOUT)
        assert result is not None and result.ok, f"first build: {result}\n" + "\n".join(self.logs)
        return server

    def url(self, path: str = "") -> str:
        assert self.server is not None
        return self.server.url + path

    def brief_url(self, slug: str = SLUG) -> str:
        return self.url(f"briefs/{slug}/index.html")

    def sidecar_text(self) -> str:
        return self.sidecar.read_text(encoding="utf-8")

    def save(self, path: Path, text: str) -> None:
        """Save in place, as most editors do."""
        path.write_text(text, encoding="utf-8")

    def save_atomically(self, path: Path, text: str) -> None:
        """Save as careful editors do: write a temporary file beside it, then rename it over the file."""
        handle, temporary = tempfile.mkstemp(dir=path.parent)  # "tmpXXXX": a name the watcher does not ignore
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)

    def wait_for_builds(self, count: int) -> RebuildResult:
        assert self.server is not None
        result = self.server.wait_for_build(count, timeout=BUILD_TIMEOUT)
        assert result is not None, f"build {count} did not happen\n" + "\n".join(self.logs)
        return result


def retitled(text: str, title: str) -> str:
    assert f"title: {TITLE}\n" in text
    return text.replace(f"title: {TITLE}\n", f"title: {title}\n")


def stays(predicate: Callable[[], bool], seconds: float = QUIET_SECONDS) -> bool:
    """Whether predicate holds throughout the next `seconds` (polled)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not predicate():
            return False
        time.sleep(0.05)
    return predicate()


def text_is(selector: str, text: str) -> str:
    return f"() => document.querySelector({selector!r})?.textContent.trim() === {text!r}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[RealSite]:
    real = RealSite(tmp_path)
    yield real
    if real.server is not None:
        real.server.stop()


@pytest.fixture
def page(live_page: Page) -> Page:
    live_page.set_default_timeout(PAGE_TIMEOUT_MS)
    return live_page


# --- in the browser ------------------------------------------------------------


def test_title_edit_reloads_the_open_page(page: Page, site: RealSite) -> None:
    site.start()
    page.goto(site.brief_url())
    assert page.text_content("#brief-title") == TITLE
    page.evaluate("window.__marker = 'before'")

    site.save(site.sidecar, retitled(site.sidecar_text(), "Edited on disk, shown at once"))
    page.wait_for_function(text_is("#brief-title", "Edited on disk, shown at once"))
    assert page.evaluate("window.__marker") is None  # a real reload
    assert page.url == site.brief_url()
    assert page.title().startswith("Edited on disk, shown at once")


def test_broken_sidecar_shows_file_and_line_then_recovers(page: Page, site: RealSite) -> None:
    site.start()
    page.goto(site.brief_url())
    page.evaluate("window.__marker = 'before'")
    good = site.sidecar_text()
    line = good.splitlines().index(f"title: {TITLE}") + 1

    # An unquoted ': ' in a value: PyYAML stops on that very line.
    site.save(site.sidecar, retitled(good, "White House: talks underway"))
    overlay = page.wait_for_selector("#__briefgen_overlay", state="visible")
    assert overlay is not None and f"{SLUG}.yaml:{line}: invalid YAML" in overlay.inner_text()
    assert page.evaluate("window.__marker") == "before"  # the overlay came without a reload
    assert page.text_content("#brief-title") == TITLE  # the last good page stays under it

    # A page opened while the build is broken shows the error too.
    page.reload()
    assert f"{SLUG}.yaml:{line}:" in page.inner_text("#__briefgen_overlay")

    site.save(site.sidecar, retitled(good, "Fixed and shown"))
    page.wait_for_function(text_is("#brief-title", "Fixed and shown"))
    page.wait_for_selector("#__briefgen_overlay", state="detached")


# A site's own theme stylesheet, in either place a site may put it.
CSS_OVERRIDES = {
    "templates-static": "templates/static/briefgen.css",
    "static-assets": "static/assets/briefgen.css",
}


@pytest.mark.parametrize("where", sorted(CSS_OVERRIDES))
def test_css_edit_restyles_without_navigation(page: Page, site: RealSite, where: str) -> None:
    theme_css = (REPO / "templates" / "static" / "briefgen.css").read_text(encoding="utf-8")
    stylesheet = site.root / CSS_OVERRIDES[where]
    stylesheet.parent.mkdir(parents=True)
    stylesheet.write_text(theme_css + "\n#brief-title { color: rgb(200, 0, 0) }\n", encoding="utf-8")
    site.start()
    page.goto(site.brief_url())
    color = "getComputedStyle(document.getElementById('brief-title')).color"
    assert page.evaluate(color) == "rgb(200, 0, 0)"
    page.evaluate("window.__marker = 42")
    builds = site.server.builds  # type: ignore[union-attr]

    site.save(stylesheet, theme_css + "\n#brief-title { color: rgb(0, 0, 200) }\n")
    page.wait_for_function(f"() => {color} === 'rgb(0, 0, 200)'")
    assert page.evaluate("window.__marker") == 42  # restyled in place, not reloaded
    assert page.eval_on_selector_all('link[rel="stylesheet"]', "links => links.length") == 1
    assert site.wait_for_builds(builds + 1).ok


def test_deleted_brief_leaves_the_home_page(page: Page, site: RealSite) -> None:
    site.start()
    page.goto(site.url())
    link = f'a[href*="briefs/{SECOND}/"]'
    assert page.locator(link).count() >= 1
    page.evaluate("window.__marker = 'before'")

    (site.content / f"{SECOND}.md").unlink()
    (site.content / f"{SECOND}.yaml").unlink()
    page.wait_for_function(f"() => document.readyState === 'complete' && !document.querySelector({link!r})"
                           f" && !!document.querySelector('a[href*=\"briefs/{SLUG}/\"]')")
    assert page.evaluate("window.__marker") is None
    assert page.locator("#__briefgen_overlay").count() == 0
    response = page.goto(site.brief_url(SECOND))
    assert response is not None and response.status == 404


def test_atomic_save_is_one_rebuild(page: Page, site: RealSite) -> None:
    site.start()
    page.goto(site.brief_url())
    page.evaluate("window.__marker = 'before'")
    builds = site.server.builds  # type: ignore[union-attr]

    site.save_atomically(site.sidecar, retitled(site.sidecar_text(), "Saved by renaming a temporary file"))
    page.wait_for_function(text_is("#brief-title", "Saved by renaming a temporary file"))
    assert page.evaluate("window.__marker") is None
    assert site.wait_for_builds(builds + 1).ok
    assert stays(lambda: site.server.builds == builds + 1), site.rebuild.calls  # type: ignore[union-attr]
    assert site.sidecar.absolute() in site.rebuild.calls[-1]
    assert not list(site.content.glob("tmp*"))


def test_editor_swap_files_trigger_no_rebuild(site: RealSite) -> None:
    server = site.start()
    builds = server.builds
    swap = site.content / f".{SLUG}.yaml.swp"
    swap.write_bytes(b"b0VIM 9.0\0" * 100)
    with swap.open("ab") as out:  # vim keeps writing its swap file as you type
        out.write(b"more keystrokes")
    (site.content / f"{SLUG}.yaml~").write_text(site.sidecar_text(), encoding="utf-8")  # a backup copy
    assert stays(lambda: server.builds == builds), site.rebuild.calls
    swap.unlink()
    assert stays(lambda: server.builds == builds, 0.5), site.rebuild.calls

    # The watcher is alive: a real save after them builds once, and knows nothing of the swap file.
    site.save(site.sidecar, retitled(site.sidecar_text(), "After the swap file"))
    assert site.wait_for_builds(builds + 1).ok
    assert site.rebuild.calls[-1] == frozenset({site.sidecar.absolute()})


# --- plain HTTP ----------------------------------------------------------------


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=BUILD_TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def whole_page_problem(url: str, status: int, body: bytes) -> str | None:
    """Why a response is not a complete page of the site, or None."""
    if status != 200:
        return f"{url}: status {status}"
    text = body.decode("utf-8", errors="replace")
    if not text.rstrip().endswith("</html>"):
        return f"{url}: {len(body)} bytes, no </html> at the end"
    soup = BeautifulSoup(body, "html5lib")
    if soup.find("h1") is None or soup.find("footer") is None:
        return f"{url}: no <h1> or no <footer>"
    if soup.find("script", attrs={"data-events": True}) is None:
        return f"{url}: no reload script"
    return None


def test_parallel_requests_during_rebuilds_get_whole_pages(site: RealSite) -> None:
    paths = ["", "index.html", f"briefs/{SLUG}/index.html", f"briefs/{SECOND}/index.html",
             "people/vladimir-putin/index.html", "archive/index.html", "tags/index.html"]
    server = DevServer(out_dir=site.out, rebuild=site.rebuild, watch_paths=serve_watch_paths(site.root),
                       port=0, log=site.logs.append)
    site.server = server
    server.start()
    urls = [server.url + path for path in paths]
    problems: list[str] = []
    served = [0]
    lock = threading.Lock()  # guards problems and served
    done = threading.Event()

    def hammer(url: str) -> None:
        while not done.is_set():
            status, body = fetch(url)
            problem = whole_page_problem(url, status, body)
            with lock:
                served[0] += 1
                if problem:
                    problems.append(problem)

    # Requests start before the first build ends: they wait for it instead of seeing a half-built site.
    with ThreadPoolExecutor(max_workers=len(urls) * 2) as pool:
        for url in urls * 2:
            pool.submit(hammer, url)
        try:
            assert site.wait_for_builds(1).ok
            good = site.sidecar_text()
            for number in range(1, 6):
                builds = server.builds
                site.save(site.sidecar, retitled(good, f"Edit number {number}"))
                waited = builds + 1
                result = site.wait_for_builds(waited)
                if not result.ok and "sidecar is empty" in result.error_text:
                    # The build began between the save's truncation and its write: the threads above,
                    # in this process, can hold the save back longer than the debounce (an editor, in
                    # its own process, cannot). The write's own event brings the next build.
                    waited += 1
                    result = site.wait_for_builds(waited)
                assert result.ok, result.error_text
                # What is served right after a build is what it built, never the page before.
                status, body = fetch(site.brief_url())
                if status == 200 and f"Edit number {number}".encode() not in body:
                    # That build began before this save, on a late event of the save before it (held
                    # back past the debounce, as above): it built the edit before, which is what it
                    # served. This save's own events bring the next build, once.
                    waited += 1
                    assert site.wait_for_builds(waited).ok
                    status, body = fetch(site.brief_url())
                assert status == 200 and f"Edit number {number}".encode() in body
        finally:
            done.set()
    assert not problems, problems[:5]
    assert served[0] > 5 * len(urls), served[0]


def test_title_shows_in_lists_after_the_edit(site: RealSite) -> None:
    site.start()
    site.save(site.sidecar, retitled(site.sidecar_text(), "A title the lists show"))
    assert site.wait_for_builds(2).ok
    for path in ("index.html", "archive/2018/07/index.html", "people/vladimir-putin/index.html", "feed.xml"):
        status, body = fetch(site.url(path))
        assert status == 200
        assert b"A title the lists show" in body, path
        assert TITLE.encode() not in body, path


def test_saving_another_file_keeps_the_error_until_it_is_fixed(site: RealSite) -> None:
    """The watcher names only the file saved last; a brief broken earlier must still fail the build."""
    site.start()
    good = site.sidecar_text()
    site.save(site.sidecar, retitled(good, "White House: talks underway"))
    failed = site.wait_for_builds(2)
    assert not failed.ok and f"{SLUG}.yaml:" in failed.error_text

    site.save(site.content / f"{SECOND}.md", "The pier opens in May, the authority now says.\n")
    still = site.wait_for_builds(3)
    assert not still.ok, "a save elsewhere hid the broken sidecar"
    assert f"{SLUG}.yaml:" in still.error_text
    status, body = fetch(site.brief_url())
    assert status == 200 and b"__briefgen_overlay" in body

    site.save(site.sidecar, retitled(good, "Fixed at last"))
    assert site.wait_for_builds(4).ok
    assert b"Fixed at last" in fetch(site.brief_url())[1]
    assert b"opens in May" in fetch(site.brief_url(SECOND))[1]
