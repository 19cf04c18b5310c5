"""Tests of briefgen.dev (the dev server): a real DevServer on port 0, driven over HTTP, with a fake rebuild."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import briefgen
from briefgen.dev.server import (
    PORT_ATTEMPTS,
    DevServer,
    RebuildResult,
    inject_before_body_end,
    normalize_base_path,
    resolve_url_path,
)
from briefgen.dev.watch import is_editor_temp_file
from briefgen.errors import BriefgenError

from sitekit import dev_servers

INDEX = b"<!doctype html><html><head><title>t</title></head><body><h1>v1</h1></body></html>"


class FakeSite:
    """A stand-in generator: writes `pages` into out_dir, replacing the folder atomically.

    Set `error` to make builds fail, `gate` to hold builds until it is set.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.src = root / "src"
        self.content = self.src / "content"
        self.content.mkdir(parents=True)
        self.out = root / "site"
        # Guards everything below: tests change it while the build thread reads it.
        self._lock = threading.Lock()
        self.pages: dict[str, bytes] = {"index.html": INDEX}
        self.symlinks: dict[str, str] = {}  # output path -> link target
        self.error: str | None = None
        self.raise_error = False
        self.gate: threading.Event | None = None
        self.changed_outputs: tuple[str, ...] | None = None
        self.calls: list[frozenset[Path]] = []

    def set(self, **values: object) -> None:
        with self._lock:
            for name, value in values.items():
                setattr(self, name, value)

    def rebuild(self, changed: frozenset[Path]) -> RebuildResult:
        with self._lock:
            self.calls.append(changed)
            number = len(self.calls)
            pages, symlinks = dict(self.pages), dict(self.symlinks)
            error, raise_error, gate = self.error, self.raise_error, self.gate
            changed_outputs = self.changed_outputs
        if gate is not None:
            gate.wait(timeout=10)
        if raise_error:
            raise RuntimeError("boom in the build")
        if error is not None:
            return RebuildResult(ok=False, error_text=error)
        staging = self.root / f"site.tmp-{number}"
        for name, data in pages.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staging.mkdir(exist_ok=True)
        for name, target in symlinks.items():
            (staging / name).symlink_to(target)
        old = self.root / f"site.old-{number}"
        if self.out.exists():
            self.out.rename(old)
        staging.rename(self.out)
        if old.exists():
            for path in sorted(old.rglob("*"), reverse=True):
                path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()
            old.rmdir()
        return RebuildResult(ok=True, changed_outputs=changed_outputs)

    @property
    def builds(self) -> int:
        with self._lock:
            return len(self.calls)

    def last_call(self) -> frozenset[Path]:
        with self._lock:
            return self.calls[-1]


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.01)


def stays(predicate: Callable[[], object], seconds: float = 0.6) -> bool:
    """True if predicate holds for the whole time (to check that nothing happens)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not predicate():
            return False
        time.sleep(0.02)
    return True


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(server: DevServer, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request, path sent exactly as given (no normalisation, no redirects followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


class EventStream:
    """A Server-Sent Events client that reads one event at a time."""

    def __init__(self, server: DevServer, path: str, headers: dict[str, str] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        self.conn.request("GET", path, headers=headers or {})
        # Kept: the connection lets go of its socket once the response begins.
        self.sock = self.conn.sock
        assert self.sock is not None
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next_event(self, timeout: float = 10.0) -> dict[str, str]:
        """The next event with a name (skipping retry and keep-alive blocks)."""
        self.sock.settimeout(timeout)
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline()
            if not line:
                raise AssertionError("event stream closed")
            line = line.rstrip(b"\r\n")
            if not line:
                if "event" in fields:
                    return fields
                fields = {}
            elif not line.startswith(b":"):
                name, _, value = line.decode().partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        self.response.close()
        self.sock.close()


def page_version(response: Response) -> str:
    match = re.search(r'data-version="([^"]+)"', response.text)
    assert match, "no reload script in the page"
    return match.group(1)


def events_for(server: DevServer, page: str = "") -> EventStream:
    """An event stream as the reload script in `page` opens it."""
    response = fetch(server, server.base_path + page)
    return EventStream(server, f"{server.base_path}__briefgen__/events?since={page_version(response)}")


@pytest.fixture
def site(tmp_path: Path) -> FakeSite:
    return FakeSite(tmp_path)


@pytest.fixture
def logs() -> list[str]:
    return []


@pytest.fixture
def make_server(site: FakeSite, logs: list[str]) -> Iterator[Callable[..., DevServer]]:
    with dev_servers() as start:
        yield lambda **options: start(**{"out_dir": site.out, "rebuild": site.rebuild,
                                         "watch_paths": [site.content], "log": logs.append, **options})


@pytest.fixture
def server(make_server: Callable[..., DevServer]) -> DevServer:
    return make_server()


def touch(path: Path, text: str = "changed") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --- pure helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [".post.md.swp", "post.md.swx", "post.md~", "post.md.bck", "post.md___jb_tmp___",
     "post.md___jb_old___", "4913", ".#post.md", ".hidden", "#post.md#", "post.md.tmp"],
)
def test_editor_temp_files_are_recognised(name: str) -> None:
    assert is_editor_temp_file(name)


@pytest.mark.parametrize("name", ["post.md", "_header.html", "style.css", "briefgen.yaml", "4914", "a~b.md"])
def test_real_files_are_not_temp_files(name: str) -> None:
    assert not is_editor_temp_file(name)


def test_inject_before_last_body_end_any_case() -> None:
    page = b"<body><!-- </body> --><p>x</p></BODY >\n</html>"
    assert inject_before_body_end(page, b"<S>") == b"<body><!-- </body> --><p>x</p><S></BODY >\n</html>"
    assert inject_before_body_end(b"<p>no body end</p>", b"<S>") == b"<p>no body end</p><S>"


@pytest.mark.parametrize(
    ("given", "expected"), [("/", "/"), ("", "/"), ("sub", "/sub/"), ("/sub", "/sub/"), ("/a/b/", "/a/b/")]
)
def test_normalize_base_path(given: str, expected: str) -> None:
    assert normalize_base_path(given) == expected


def test_resolve_url_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "briefs" / "x").mkdir(parents=True)
    (out / "briefs" / "x" / "index.html").write_text("x")
    (out / "empty").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    assert resolve_url_path("/briefs/x/", out_dir=out).file == (out / "briefs/x/index.html").resolve()
    assert resolve_url_path("/briefs/x", out_dir=out) == (301, None, "/briefs/x/")
    assert resolve_url_path("//evil.example/briefs", out_dir=out).status == 404
    assert resolve_url_path("/empty/", out_dir=out).status == 404
    assert resolve_url_path("/../secret.txt", out_dir=out).status == 403
    assert resolve_url_path("/%2e%2E/secret.txt", out_dir=out).status == 403
    assert resolve_url_path("/", out_dir=out, base_path="/sub/") == (302, None, "/sub/")
    assert resolve_url_path("/sub", out_dir=out, base_path="/sub/") == (301, None, "/sub/")
    assert resolve_url_path("/briefs/x/", out_dir=out, base_path="/sub/").status == 404
    assert resolve_url_path("/sub/briefs/x/", out_dir=out, base_path="/sub/").status == 200


# --- serving --------------------------------------------------------------------


def test_script_is_injected_into_served_html_only(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    page = b"<html><body><!-- </body> -->\n<p>hi</p></BODY></html>"
    site.set(pages={"index.html": page, "bare.html": b"<p>bare</p>", "style.css": b"body{}</body>"})
    server = make_server()

    served = fetch(server, "/")
    assert served.status == 200
    assert served.headers["content-type"] == "text/html; charset=utf-8"
    before, _script, after = re.split(rb"(<script src=\"/__briefgen__/livereload.js\"[^>]*></script>)", served.body)
    assert before == b"<html><body><!-- </body> -->\n<p>hi</p>"
    assert after == b"</BODY></html>"
    assert (site.out / "index.html").read_bytes() == page  # the built file is untouched

    assert fetch(server, "/bare.html").body.startswith(b"<p>bare</p><script ")
    assert fetch(server, "/style.css").body == b"body{}</body>"

    head = fetch(server, "/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.headers["content-length"]) == len(served.body)

    script_response = fetch(server, "/__briefgen__/livereload.js")
    assert script_response.status == 200
    assert script_response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in script_response.body


def test_content_types_and_no_store(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    site.set(pages={"index.html": INDEX, "style.css": b"", "feed.xml": b"<feed/>", "app.js": b"",
                    "logo.png": b"\x89PNG", "data.json": b"{}", "blob.unknownext": b"x"})
    server = make_server()
    expected = {
        "/": "text/html; charset=utf-8",
        "/style.css": "text/css; charset=utf-8",
        "/feed.xml": "application/xml; charset=utf-8",
        "/app.js": "text/javascript; charset=utf-8",
        "/logo.png": "image/png",
        "/data.json": "application/json; charset=utf-8",
        "/blob.unknownext": "application/octet-stream",
    }
    for path, content_type in expected.items():
        response = fetch(server, path)
        assert (response.status, response.headers["content-type"]) == (200, content_type), path
        assert response.headers["cache-control"] == "no-store"
    assert fetch(server, "/missing").headers["cache-control"] == "no-store"


def test_folders_redirect_and_serve_index(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    site.set(pages={"index.html": INDEX, "briefs/x/index.html": b"<body>brief x</body>", "img/a.png": b"x"})
    server = make_server()
    redirect = fetch(server, "/briefs/x?utm=1")
    assert redirect.status == 301
    assert redirect.headers["location"] == "/briefs/x/?utm=1"
    assert b"brief x" in fetch(server, "/briefs/x/").body
    assert fetch(server, "/img/").status == 404  # a folder without index.html
    assert fetch(server, "//evil.example").status == 404  # never an off-site redirect


def test_not_found_serves_404_html(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    server = make_server()
    builtin = fetch(server, "/nope/")
    assert builtin.status == 404
    assert b"404 Not Found" in builtin.body and b"livereload.js" in builtin.body

    site.set(pages={"index.html": INDEX, "404.html": b"<body>custom missing page</body>"})
    server.notify_changes([site.content / "x.md"])
    server.wait_for_build(2, timeout=10)
    custom = fetch(server, "/nope/")
    assert custom.status == 404
    assert custom.headers["content-type"] == "text/html; charset=utf-8"
    assert custom.body.startswith(b"<body>custom missing page<script ")


def test_path_traversal_is_refused(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    (site.root / "secret.txt").write_text("TOPSECRET")
    site.set(symlinks={"out.txt": str(site.root / "secret.txt"), "up": "..", "alias.html": "index.html"})
    server = make_server()
    attacks = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/x/..%2F..%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsite/../secret.txt",
        "/..%5csecret.txt",
        "/out.txt",
        "/up/secret.txt",
        "/up/",
    ]
    for path in attacks:
        response = fetch(server, path)
        assert response.status in (403, 404), path
        assert b"TOPSECRET" not in response.body, path
    assert fetch(server, "/alias.html").status == 200  # a symlink inside the output is fine


def test_requests_during_a_build_wait_for_its_result(site: FakeSite, server: DevServer) -> None:
    gate = threading.Event()
    site.set(gate=gate, pages={"index.html": b"<body>v2</body>"})
    touch(site.content / "post.md")
    wait_until(lambda: site.builds == 2, message="the second build to start")

    answers: list[Response] = []
    request = threading.Thread(target=lambda: answers.append(fetch(server, "/")))
    request.start()
    assert stays(lambda: request.is_alive(), 0.3), "the request did not wait for the build"
    gate.set()
    request.join(timeout=10)
    assert answers and answers[0].status == 200
    assert b"v2" in answers[0].body


# --- watching -------------------------------------------------------------------


def test_a_burst_of_writes_is_one_rebuild(site: FakeSite, server: DevServer) -> None:
    paths = [site.content / f"brief-{n:02}.md" for n in range(20)]
    for path in paths:
        touch(path)
    wait_until(lambda: site.builds >= 2, message="a rebuild")
    assert stays(lambda: site.builds == 2), f"{site.builds - 1} rebuilds for one burst"
    assert set(paths) <= site.last_call()


def test_editor_temp_files_trigger_nothing(site: FakeSite, server: DevServer) -> None:
    post = site.content / "post.md"
    for name in [".post.md.swp", ".post.md.swx", "post.md~", "post.md.bck", "4913", ".#post.md",
                 "post.md___jb_tmp___", "post.md___jb_old___", ".hidden.md"]:
        touch(site.content / name)
        (site.content / name).unlink()
    touch(site.content / ".git" / "objects" / "ab")
    assert stays(lambda: site.builds == 1), "a temp file triggered a rebuild"

    # An editor's atomic save: write a temp file, rename it over the real one.
    touch(site.content / "post.md.tmp", "new text")
    os.replace(site.content / "post.md.tmp", post)
    wait_until(lambda: site.builds == 2, message="the rebuild after the atomic save")
    assert site.last_call() == frozenset({post})

    # Vim's save: probe with 4913, back up with ~, write, drop the backup.
    touch(site.content / "4913")
    (site.content / "4913").unlink()
    os.rename(post, site.content / "post.md~")
    touch(post, "newer text")
    (site.content / "post.md~").unlink()
    wait_until(lambda: site.builds == 3, message="the rebuild after vim's save")
    assert site.last_call() == frozenset({post})


def test_a_moved_file_changes_source_and_destination(site: FakeSite, server: DevServer) -> None:
    touch(site.content / "a.md")
    wait_until(lambda: site.builds == 2)
    os.rename(site.content / "a.md", site.content / "b.md")
    wait_until(lambda: site.builds == 3)
    assert {site.content / "a.md", site.content / "b.md"} <= site.last_call()


def test_watches_files_and_folders_created_later(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    config = site.src / "briefgen.yaml"
    config.write_text("title: x\n")
    templates = site.src / "templates"
    server = make_server(watch_paths=[site.content, config, templates, site.src / "static"])

    touch(site.src / "README.md")  # next to the config file, but not watched
    assert stays(lambda: site.builds == 1)

    config.write_text("title: y\n")
    wait_until(lambda: site.builds == 2, message="a rebuild for the config file")
    assert site.last_call() == frozenset({config})

    templates.mkdir()
    wait_until(lambda: site.builds == 3, message="a rebuild for the new folder")
    touch(templates / "_header.html")
    wait_until(lambda: site.builds == 4, message="a rebuild for a file in the new folder")
    assert templates / "_header.html" in site.last_call()
    assert server.wait_for_build(4, timeout=10) is not None


def test_a_folder_deleted_and_recreated_is_still_watched(site: FakeSite, server: DevServer) -> None:
    touch(site.content / "a.md")
    wait_until(lambda: site.builds == 2)
    (site.content / "a.md").unlink()
    site.content.rmdir()
    wait_until(lambda: site.builds == 3, message="a rebuild for the deleted folder")
    site.content.mkdir()
    wait_until(lambda: site.builds == 4, message="a rebuild for the re-created folder")
    touch(site.content / "b.md")
    wait_until(lambda: site.builds == 5, message="a rebuild for a file in the re-created folder")
    assert site.content / "b.md" in site.last_call()


def test_polling_observer(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    make_server(poll=True)
    time.sleep(0.1)  # let the first poll take its snapshot
    touch(site.content / "polled.md")
    wait_until(lambda: site.builds == 2, message="a rebuild seen by polling")
    assert site.content / "polled.md" in site.last_call()


# --- telling browsers -----------------------------------------------------------


def test_failed_build_shows_error_then_fix_reloads(site: FakeSite, server: DevServer) -> None:
    stream = events_for(server)
    error = "content/a.yaml:3: unknown key 'titel' <b>\n    hint: did you mean 'title'?"
    site.set(error=error)
    touch(site.content / "a.md")
    event = stream.next_event()
    assert event["event"] == "error"
    assert json.loads(event["data"]) == {"text": error}

    page = fetch(server, "/")  # the server stays up, showing the last good site and the error
    assert page.status == 200
    assert b'id="__briefgen_overlay"' in page.body
    assert b"content/a.yaml:3: unknown key &#x27;titel&#x27; &lt;b&gt;" in page.body
    assert b"<b>" not in page.body
    assert b'id="__briefgen_overlay"' in fetch(server, "/missing/").body

    site.set(error=None)
    touch(site.content / "a.md", "fixed")
    assert stream.next_event()["event"] == "reload"
    assert b"__briefgen_overlay" not in fetch(server, "/").body
    stream.close()


def test_a_raising_rebuild_is_a_failed_build(site: FakeSite, server: DevServer) -> None:
    stream = events_for(server)
    site.set(raise_error=True)
    server.notify_changes([site.content / "a.md"])
    event = stream.next_event()
    assert event["event"] == "error"
    assert "boom in the build" in json.loads(event["data"])["text"]
    assert fetch(server, "/").status == 200
    stream.close()


def test_initial_build_failure_shows_overlay(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    site.set(error="content/a.md:1: broken")
    server = make_server()
    page = fetch(server, "/")
    assert page.status == 404
    assert b"content/a.md:1: broken" in page.body


def test_css_only_change_refreshes_stylesheets(site: FakeSite, server: DevServer) -> None:
    stream = events_for(server)
    touch(site.content / "style.css", "body { color: red }")
    event = stream.next_event()
    assert event["event"] == "css"
    assert event["id"]
    touch(site.content / "a.md")
    assert stream.next_event()["event"] == "reload"

    # Outputs known to be only CSS refresh stylesheets too, whatever the sources.
    site.set(changed_outputs=("assets/site.css",))
    touch(site.content / "theme.txt")
    assert stream.next_event()["event"] == "css"
    stream.close()


def test_css_change_after_a_failure_reloads(site: FakeSite, server: DevServer) -> None:
    stream = events_for(server)
    site.set(error="content/a.md:1: broken")
    touch(site.content / "a.md")
    assert stream.next_event()["event"] == "error"
    site.set(error=None)
    touch(site.content / "style.css")
    assert stream.next_event()["event"] == "reload"  # the overlay must go
    stream.close()


def test_event_stream_catches_up_and_survives_restarts(site: FakeSite, server: DevServer) -> None:
    version = page_version(fetch(server, "/"))
    current = EventStream(server, f"/__briefgen__/events?since={version}")
    with pytest.raises(TimeoutError):
        current.next_event(timeout=0.3)  # nothing new
    current.close()

    # A page of an earlier server on this port reloads when it reconnects.
    stale = EventStream(server, "/__briefgen__/events", headers={"Last-Event-ID": "0000-7"})
    assert stale.next_event()["event"] == "reload"
    stale.close()

    # A page that missed a build while disconnected hears of it at once.
    touch(site.content / "a.md")
    wait_until(lambda: server.builds == 2)
    missed = EventStream(server, f"/__briefgen__/events?since={version}")
    assert missed.next_event()["event"] == "reload"
    missed.close()


def test_stop_ends_open_event_streams(make_server: Callable[..., DevServer]) -> None:
    server = make_server()
    streams = [events_for(server) for _ in range(3)]
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=30)  # a hang guard, not a measure of speed
    assert not stopper.is_alive(), "stop() does not wait for open event streams to end by themselves"
    for stream in streams:
        stream.sock.settimeout(10)
        assert stream.sock.recv(65536, socket.MSG_PEEK) == b"" or _drained(stream), "the stream was closed"
        stream.close()


def _drained(stream: EventStream) -> bool:
    """Read what is left of a stream; True when it ends (the server closed it)."""
    while True:
        chunk = stream.sock.recv(65536)
        if not chunk:
            return True


# --- who may ask: Host headers, many clients at once ------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST.",
                                  "app.localhost", "192.168.1.20:8000", "news.example.org"])
def test_names_that_are_this_machine_or_allowed_are_served(make_server: Callable[..., DevServer], host: str) -> None:
    server = make_server(allowed_hosts=["news.example.org"])
    assert fetch(server, "/", headers={"Host": host}).status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io"])
def test_other_host_names_are_refused_against_dns_rebinding(make_server: Callable[..., DevServer], host: str) -> None:
    server = make_server()
    answer = fetch(server, "/", headers={"Host": host})
    assert answer.status == 421 and b"v1" not in answer.body and b"--allow-host" in answer.body
    assert fetch(server, "/__briefgen__/livereload.js", headers={"Host": host}).status == 421


def test_any_host_when_allowed_with_a_star(make_server: Callable[..., DevServer]) -> None:
    server = make_server(allowed_hosts=["*"])
    assert fetch(server, "/", headers={"Host": "anything.example"}).status == 200


def test_sixty_four_requests_at_once_beside_a_hundred_event_streams(server: DevServer) -> None:
    streams = [events_for(server) for _ in range(100)]
    results: list[int] = []
    lock = threading.Lock()
    ready = threading.Barrier(64)

    def get() -> None:
        ready.wait(timeout=20)
        status = fetch(server, "/").status
        with lock:
            results.append(status)

    threads = [threading.Thread(target=get) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for stream in streams:
        stream.close()
    assert results == [200] * 64


# --- sub-path, ports, Ctrl-C ----------------------------------------------------


def test_serving_under_a_sub_path(site: FakeSite, make_server: Callable[..., DevServer]) -> None:
    site.set(pages={"index.html": INDEX, "briefs/x/index.html": b"<body>x</body>"})
    server = make_server(base_path="/sub/")
    assert server.url.endswith("/sub/")
    root = fetch(server, "/")
    assert (root.status, root.headers["location"]) == (302, "/sub/")
    bare = fetch(server, "/sub")
    assert (bare.status, bare.headers["location"]) == (301, "/sub/")
    page = fetch(server, "/sub/")
    assert page.status == 200
    assert b'src="/sub/__briefgen__/livereload.js"' in page.body
    assert b'data-events="/sub/__briefgen__/events"' in page.body
    assert fetch(server, "/sub/briefs/x").headers["location"] == "/sub/briefs/x/"
    assert fetch(server, "/sub/briefs/x/").status == 200
    assert fetch(server, "/index.html").status == 404
    assert fetch(server, "/sub/__briefgen__/livereload.js").status == 200

    stream = events_for(server)
    touch(site.content / "a.md")
    assert stream.next_event()["event"] == "reload"
    stream.close()


def test_port_in_use_falls_back_to_the_next(make_server: Callable[..., DevServer], logs: list[str]) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        server = make_server(port=taken)
        assert taken < server.port <= taken + PORT_ATTEMPTS - 1
        assert fetch(server, "/").status == 200
    assert any(f"Port {taken} is in use" in line and str(server.port) in line for line in logs)


def _occupy_consecutive_ports(count: int) -> list[socket.socket]:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        sockets: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
                sock.listen()
            return sockets
        except OSError:
            for sock in sockets:
                sock.close()
    pytest.skip("could not find free consecutive ports")


def test_all_ports_in_use_is_a_clear_error(site: FakeSite) -> None:
    sockets = _occupy_consecutive_ports(PORT_ATTEMPTS)
    try:
        first = sockets[0].getsockname()[1]
        server = DevServer(out_dir=site.out, rebuild=site.rebuild, port=first, log=lambda _: None)
        with pytest.raises(BriefgenError) as caught:
            server.start()
        assert f"ports {first} to {first + PORT_ATTEMPTS - 1}" in caught.value.format_message()
        assert "--port" in caught.value.format_message()
        server.stop()
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("port", ["-1", "0", "65536", "99999", "http"])
def test_a_port_that_cannot_be_is_refused_before_anything_starts(port: str, capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    from briefgen.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["serve", str(tmp_path), "--port", port])
    assert caught.value.code == 2
    assert "argument --port" in capsys.readouterr().err


SERVE_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from briefgen.dev.server import RebuildResult, serve_site

    out = Path(sys.argv[1])

    def rebuild(changed):
        out.mkdir(exist_ok=True)
        (out / "index.html").write_text("<body>hello</body>")
        return RebuildResult(ok=True)

    serve_site(out_dir=out, rebuild=rebuild, watch_paths=[out.parent / "content"], port=0,
               log=lambda line: print(line, flush=True))
    print("returned", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_exits_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(briefgen.__file__).resolve().parents[1]))
    child = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(tmp_path / "site")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert child.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("Built") for line in lines):
            line = child.stdout.readline()
            assert line, f"server exited early: {lines} {child.stderr.read() if child.stderr else ''}"
            lines.append(line)
        url = next(line.split()[1] for line in lines if line.startswith("Serving"))
        host_port = url.split("/")[2]
        conn = http.client.HTTPConnection(host_port, timeout=10)
        conn.request("GET", "/")
        assert b"hello" in conn.getresponse().read()
        conn.close()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopping." in out and "returned" in out
