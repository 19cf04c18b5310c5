"""The live-reload dev server: serve, watch, debounce, rebuild, notify browsers.

Owns HTTP serving of the output folder (what it answers is `pages.py`), the
debounce of changes reported by the watcher (`watch.py`), and the
Server-Sent Events that tell open pages to reload, refresh their stylesheets
or show a build error.

It is handed a ``rebuild`` callable and knows nothing else of the generator:
it must not import pipeline stages (load, render, build, ...). ``rebuild``
replaces the output folder atomically, so every request resolves ``out_dir``
afresh and nothing here keeps a handle on a directory.

Threads: one HTTP server thread (plus a daemon thread per request), one build
thread that runs every build, and watchdog's observer threads, whose callback
only records changed paths. All mutable state lives on a `DevServer` instance.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import html
import json
import os
import secrets
import shutil
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..errors import BriefgenError
from .pages import (
    Route,
    ascii_html,
    content_type_for,
    host_allowed,
    inject_before_body_end,
    is_css_only,
    is_loopback,
    livereload_js,
    normalize_base_path,
    overlay_html,
    resolve_url_path,
)
from .watch import Watcher

__all__ = [
    "DevServer",
    "RebuildResult",
    "Route",
    "inject_before_body_end",
    "normalize_base_path",
    "resolve_url_path",
    "serve_site",
]


@dataclass(frozen=True)
class RebuildResult:
    """What one build did, as the dev server needs to know it."""

    ok: bool
    # Formatted user errors, one per line ("path:line: message", indented hints).
    error_text: str = ""
    # Output files (posix, relative to out_dir) rewritten; None when unknown.
    changed_outputs: tuple[str, ...] | None = None


# rebuild(changed) gets the absolute source paths changed since the last build
# (empty for the first): files, and folders created, deleted or moved, which
# mean anything below them. It must not raise, and it replaces out_dir atomically.
Rebuild = Callable[[frozenset[Path]], RebuildResult]

# Reserved URLs, relative to the base path: the reload script and its event stream.
_SCRIPT_PATH = "__briefgen__/livereload.js"
_EVENTS_PATH = "__briefgen__/events"

DEBOUNCE_SECONDS = 0.05  # quiet time that ends a burst (an editor's save is a few events within 1-2 ms)
MAX_DEBOUNCE_SECONDS = 2.0  # a never-ending burst still builds this often
PORT_ATTEMPTS = 11  # the requested port and the next 10
SSE_KEEPALIVE_SECONDS = 15.0


# --- the server -----------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its `DevServer`."""

    daemon_threads = True  # open event streams must not keep the process alive
    allow_reuse_port = False  # a second server on the same port must fail, not share it
    request_queue_size = 128  # a page's dozens of requests at once, and many open tabs, never wait in line

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-answer: nothing to report
        self.dev.log(f"Error while answering a request:\n{traceback.format_exc()}")


class DevServer:
    """A dev server for one output folder: HTTP, watcher, build loop and reload events.

    ``start()`` binds the port, starts watching and runs the first build in the
    background; ``stop()`` ends it all. Port 0 picks a free port (see ``port``).
    Usable as a context manager.
    """

    def __init__(
        self,
        *,
        out_dir: Path,
        rebuild: Rebuild,
        watch_paths: Sequence[Path] = (),
        host: str = "127.0.0.1",
        port: int = 8000,
        poll: bool = False,
        base_path: str = "/",
        log: Callable[[str], None] = print,
        debounce: float = DEBOUNCE_SECONDS,
        allowed_hosts: Iterable[str] = (),
        interim_dir: Path | None = None,
    ) -> None:
        self.out_dir = Path(out_dir).absolute()
        # The site as `briefgen build` last left it: served, saying so, until the first build ends.
        self.interim_dir = Path(interim_dir).absolute() if interim_dir is not None else None
        self.host = host
        # Names besides localhost and addresses that a request's Host header may give (see host_allowed).
        self.allowed_hosts = frozenset(name.lower().rstrip(".") for name in allowed_hosts)
        self.requested_port = port
        self.base_path = normalize_base_path(base_path)
        self._log = log
        # Serialises log lines: print() from two threads can interleave mid-line.
        self._log_lock = threading.Lock()
        self._rebuild = rebuild
        self._debounce = debounce
        self._watcher = Watcher(watch_paths, self._note_changes, poll=poll, exclude=self.out_dir, log=self.log)
        self._httpd: _HTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._build_thread: threading.Thread | None = None
        self._script = livereload_js()
        # Distinguishes this run's versions from those of an earlier server on
        # the same port, whose pages must reload when they reconnect.
        self._instance = secrets.token_hex(4)
        self._stopping = threading.Event()

        # Guards _pending (source paths changed since the last build started).
        # Notified on every change and on stop.
        self._changes = threading.Condition()
        self._pending: set[Path] = set()

        # Guards the build state below. Notified when a build ends and on stop.
        self._state = threading.Condition()
        self._building = True  # the first build is due as soon as we start
        self._epoch = 0  # number of finished builds; pages know the one they were served from
        self._result: RebuildResult | None = None  # of the last finished build
        self._full_reload_epoch = 0  # last build after which pages need a full reload

    def log(self, message: str) -> None:
        """Pass one message to the ``log`` callable, one thread at a time."""
        with self._log_lock:
            self._log(message)

    # -- lifecycle --

    def start(self) -> None:
        """Bind the port, start watching, serving and the first build; return at once."""
        httpd = self._httpd = self._bind()
        if self.port != self.requested_port and self.requested_port != 0:
            self.log(f"Port {self.requested_port} is in use; using port {self.port} instead.")
        self._watcher.start()
        self.log(f"Serving {self.url} (Ctrl-C to stop)")
        self._http_thread = self._start_thread("briefgen-http", lambda: httpd.serve_forever(poll_interval=0.1))
        self._build_thread = self._start_thread("briefgen-build", self._build_loop)

    @staticmethod
    def _start_thread(name: str, target: Callable[[], object]) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    def _bind(self) -> _HTTPServer:
        attempts = 1 if self.requested_port == 0 else PORT_ATTEMPTS
        for port in range(self.requested_port, min(self.requested_port + attempts, 65536)):
            try:
                return _HTTPServer((self.host, port), self)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    continue
                raise BriefgenError(
                    f"cannot serve on {self.host}:{port}: {error.strerror or error}",
                    hint="check --host and --port",
                ) from None
        last = min(self.requested_port + attempts, 65536) - 1
        raise BriefgenError(
            f"ports {self.requested_port} to {last} on {self.host} are all in use",
            hint="stop the other server, or choose another port with --port",
        )

    def stop(self) -> None:
        """Stop serving, watching and building; safe to call twice."""
        self._stopping.set()
        with self._changes:
            self._changes.notify_all()
        with self._state:
            self._state.notify_all()  # wakes waiting requests and event streams
        self._watcher.stop()
        if self._httpd is not None:
            if self._http_thread is not None and self._http_thread.is_alive():
                self._httpd.shutdown()
            self._httpd.server_close()
        if self._build_thread is not None:
            # A build in progress may finish for a while: it replaces out_dir atomically.
            self._build_thread.join(timeout=10)

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after ``start()``)."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The site's address, for people: loopback names for wildcard hosts."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.base_path}"

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def wait_for_build(self, min_builds: int = 1, timeout: float | None = None) -> RebuildResult | None:
        """Wait until at least ``min_builds`` builds have finished; the last result, or None on timeout."""
        with self._state:
            done = self._state.wait_for(
                lambda: self._epoch >= min_builds or self._stopping.is_set(), timeout=timeout
            )
            return self._result if done and self._epoch >= min_builds else None

    @property
    def builds(self) -> int:
        """How many builds have finished."""
        with self._state:
            return self._epoch

    # -- watching and building --

    def notify_changes(self, paths: Iterable[Path]) -> None:
        """Record changed source paths (absolute); a build follows after a quiet moment."""
        self._note_changes(list(paths))

    def _note_changes(self, paths: list[Path]) -> None:
        # Runs on watchdog's thread: record and wake the build loop, nothing more.
        if not paths:
            return
        with self._changes:
            self._pending.update(paths)
            self._changes.notify_all()

    def _build_loop(self) -> None:
        self._run_build(frozenset())
        while True:
            changed = self._wait_for_changes()
            if changed is None:
                return
            self._watcher.refresh()
            self._run_build(changed)

    def _wait_for_changes(self) -> frozenset[Path] | None:
        """Block until changes came in and then stopped for a moment; None on stop."""
        with self._changes:
            self._changes.wait_for(lambda: self._pending or self._stopping.is_set())
            deadline = time.monotonic() + MAX_DEBOUNCE_SECONDS
            # Every new change restarts the quiet period, so a burst (git checkout,
            # an editor's write-temp-and-rename) makes one build.
            while not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._changes.wait(timeout=min(self._debounce, remaining)):
                    break
            if self._stopping.is_set():
                return None
            changed = frozenset(self._pending)
            self._pending.clear()
            return changed

    def _run_build(self, changed: frozenset[Path]) -> None:
        with self._state:
            self._building = True
        if changed:
            self.log(f"Rebuilding: {self._describe(changed)}")
        started = time.monotonic()
        try:
            result = self._rebuild(changed)
        except Exception:  # the callable promises not to raise; stay up if it does
            details = traceback.format_exc()
            self.log(f"Internal error while building:\n{details}")
            result = RebuildResult(ok=False, error_text=f"internal error while building:\n{details}")
        seconds = time.monotonic() - started
        with self._state:
            previous_ok = self._result is None or self._result.ok
            self._epoch += 1
            css_only = self._epoch > 1 and previous_ok and result.ok and is_css_only(changed, result.changed_outputs)
            if not css_only:
                self._full_reload_epoch = self._epoch
            self._result = result
            self._building = False
            self._state.notify_all()
        if result.ok:
            self.log(f"Built in {seconds:.2f} s." + (" Refreshing stylesheets." if css_only else ""))
        else:
            self.log("Build failed (shown in the browser until fixed):\n" + result.error_text.rstrip())

    @staticmethod
    def _describe(changed: frozenset[Path]) -> str:
        shown = []
        for path in sorted(changed)[:3]:
            try:
                shown.append(str(path.relative_to(Path.cwd())))
            except ValueError:
                shown.append(str(path))
        more = len(changed) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more else "")

    # -- what requests see --

    def version(self, epoch: int) -> str:
        return f"{self._instance}-{epoch}"

    def parse_version(self, text: str | None) -> int | None:
        """The epoch of a version of this run, -1 for another run's, None when absent."""
        if text is None:
            return None
        instance, _, epoch = text.strip().rpartition("-")
        if instance != self._instance or not epoch.isdigit():
            return -1
        return int(epoch)

    def current_build(self) -> tuple[int, RebuildResult | None]:
        """Wait for a build in progress (so no half-built site is served); its epoch and result."""
        with self._state:
            self._state.wait_for(lambda: not self._building or self._stopping.is_set())
            return self._epoch, self._result

    def current_site(self) -> tuple[int, RebuildResult | None, Path]:
        """The folder to serve with its build's epoch and result.

        During the first build, the interim folder when there is one (at
        once: its pages say they may be out of date, and reload when the
        build ends); otherwise wait for the build in progress.
        """
        with self._state:
            if self._epoch == 0 and self._building and self.interim_dir is not None:
                return 0, None, self.interim_dir
        epoch, result = self.current_build()
        return epoch, result, self.out_dir

    def interim_notice(self) -> bytes:
        """Shown on pages of the interim folder: what the reader sees may not be current yet."""
        return (b'<div role="status" id="briefgen-interim" style="position:fixed;bottom:0;left:0;right:0;'
                b'z-index:2147483647;padding:.5rem 1rem;background:#fff8c5;color:#1b1b1b;'
                b'border-top:2px solid #9a6700;font:15px/1.4 system-ui,sans-serif">'
                b"Showing the site as last built while briefgen brings it up to date: this page reloads "
                b"when it is.</div>")

    def snippet(self, epoch: int, result: RebuildResult | None) -> bytes:
        """What is injected into served HTML: the error overlay if failing, and the reload script."""
        overlay = overlay_html(result.error_text) if result is not None and not result.ok else b""
        base = html.escape(self.base_path).encode("ascii", "xmlcharrefreplace")
        return overlay + (
            b'<script src="' + base + _SCRIPT_PATH.encode() + b'" data-events="' + base + _EVENTS_PATH.encode()
            + b'" data-version="' + self.version(epoch).encode() + b'"></script>'
        )

    def _has_news(self, known: int) -> bool:
        """Whether an event stream at epoch ``known`` must wake up. Hold _state."""
        return (self._result is not None and self._epoch != known) or self._stopping.is_set()

    def _next_event(self, since: int) -> tuple[str, str, dict[str, str]] | None:
        """(event, id, data) for a page at epoch ``since``, or None when it is current. Hold _state."""
        if self._result is None or self._epoch == since:
            return None
        version = self.version(self._epoch)
        if not self._result.ok:
            return "error", version, {"text": self._result.error_text}
        if self._full_reload_epoch > since:
            return "reload", version, {}
        return "css", version, {}

    def stream_events(self, since: int | None, write: Callable[[bytes], object]) -> None:
        """Write Server-Sent Events to one page until it goes away or the server stops."""
        write(b"retry: 1000\n\n")  # reconnect quickly after a restart
        with self._state:
            known = self._epoch if since is None else since
        while not self._stopping.is_set():
            with self._state:
                news = functools.partial(self._has_news, known)
                self._state.wait_for(news, timeout=SSE_KEEPALIVE_SECONDS)
                if self._stopping.is_set():
                    return
                event = self._next_event(known)
                known = self._epoch if event is not None else known
            if event is None:
                write(b": keep-alive\n\n")  # finds pages that went away
                continue
            name, version, data = event
            write(f"id: {version}\nevent: {name}\ndata: {json.dumps(data)}\n\n".encode())

    @property
    def script(self) -> bytes:
        return self._script


class _RequestHandler(BaseHTTPRequestHandler):
    """Answers one request: the event stream, the reload script, or a file of the site."""

    server: _HTTPServer
    server_version = "briefgen-dev"
    sys_version = ""
    timeout = 60  # idle connections (browsers pre-connect) must not hold a thread forever

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the build messages

    def _answer(self, send_body: bool) -> None:
        dev = self.server.dev
        if not host_allowed(self.headers.get("Host"), dev.host, dev.allowed_hosts):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                       b"421 Misdirected Request: this host name is not allowed "
                       b"(briefgen serve --allow-host NAME allows it)\n", send_body)
            return
        url = urlsplit(self.path)
        if url.path == dev.base_path + _EVENTS_PATH:
            self._send_events(url.query, send_body)
            return
        if url.path == dev.base_path + _SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", dev.script, send_body)
            return
        epoch, result, root = dev.current_site()
        try:
            route = resolve_url_path(url.path, out_dir=root, base_path=dev.base_path)
        except UnicodeDecodeError:
            route = Route(HTTPStatus.NOT_FOUND)
        if route.location is not None:
            location = route.location + (f"?{url.query}" if url.query else "")
            self._send(route.status, "text/plain; charset=utf-8", b"", send_body, location=location)
            return
        if route.status == HTTPStatus.FORBIDDEN:
            self._send(route.status, "text/plain; charset=utf-8", b"403 Forbidden\n", send_body)
            return
        if route.file is None or not self._send_file(route.status, route.file, epoch, result, send_body,
                                                     interim=root != dev.out_dir):
            self._send_not_found(url.path, epoch, result, send_body, root)

    def _send_file(
        self, status: int, file: Path, epoch: int, result: RebuildResult | None, send_body: bool,
        *, interim: bool = False,
    ) -> bool:
        """Send a file (injecting into HTML); False if it vanished meanwhile."""
        dev = self.server.dev
        content_type = content_type_for(file)
        try:
            with open(file, "rb") as stream:
                if content_type.startswith("text/html"):
                    snippet = (dev.interim_notice() if interim else b"") + dev.snippet(epoch, result)
                    body = inject_before_body_end(stream.read(), snippet)
                    self._send(status, content_type, body, send_body)
                    return True
                size = os.fstat(stream.fileno()).st_size
                self._send_headers(status, content_type, size)
                if send_body:
                    shutil.copyfileobj(stream, self.wfile)
                return True
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return False

    def _send_not_found(self, url_path: str, epoch: int, result: RebuildResult | None, send_body: bool,
                        root: Path | None = None) -> None:
        dev = self.server.dev
        root = root or dev.out_dir
        page = resolve_url_path(dev.base_path + "404.html", out_dir=root, base_path=dev.base_path)
        if page.file is not None and self._send_file(HTTPStatus.NOT_FOUND, page.file, epoch, result, send_body,
                                                     interim=root != dev.out_dir):
            return
        # Still an HTML page with the script, so it reloads once the file exists.
        where = ascii_html(url_path)
        home = ascii_html(dev.base_path)
        body = (
            b'<!doctype html><html><head><meta charset="utf-8"><title>404 Not Found</title></head><body>'
            b"<h1>404 Not Found</h1><p>Nothing in the output folder for <code>" + where + b"</code>.</p>"
            b'<p>The site is at <a href="' + home + b'">' + home + b"</a>.</p></body></html>"
        )
        body = inject_before_body_end(body, dev.snippet(epoch, result))
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, send_body)

    def _send_events(self, query: str, send_body: bool) -> None:
        dev = self.server.dev
        # On a reconnection EventSource sends the id of the last event it saw.
        since = self.headers.get("Last-Event-ID") or parse_qs(query).get("since", [None])[0]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            with contextlib.suppress(OSError):  # the page went away
                dev.stream_events(dev.parse_version(since), self.wfile.write)

    def _send_headers(self, status: int, content_type: str, length: int, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()

    def _send(
        self, status: int, content_type: str, body: bytes, send_body: bool, location: str | None = None
    ) -> None:
        self._send_headers(status, content_type, len(body), location)
        if send_body:
            self.wfile.write(body)


def serve_site(
    *,
    out_dir: Path,
    rebuild: Rebuild,
    watch_paths: Sequence[Path],
    host: str = "127.0.0.1",
    port: int = 8000,
    poll: bool = False,
    open_browser: bool = False,
    base_path: str = "/",
    log: Callable[[str], None] = print,
    allowed_hosts: Iterable[str] = (),
    interim_dir: Path | None = None,
) -> None:
    """Build once, serve out_dir over HTTP, watch, rebuild, notify browsers; blocks until Ctrl-C.

    With `interim_dir`, its pages are served (saying so) while the first build runs.
    Raises `BriefgenError` when no port can be bound.
    """
    server = DevServer(
        out_dir=out_dir,
        rebuild=rebuild,
        watch_paths=watch_paths,
        host=host,
        port=port,
        poll=poll,
        base_path=base_path,
        log=log,
        allowed_hosts=allowed_hosts,
        interim_dir=interim_dir,
    )
    if not is_loopback(host):
        log(f"Warning: serving on {host} shows the site to other machines on your network.")
    interrupted = False
    try:
        server.start()
        # Short waits, so Ctrl-C is handled promptly on every platform.
        while interim_dir is None and server.wait_for_build(1, timeout=0.5) is None and not server.stopped:
            pass
        if open_browser:
            webbrowser.open(server.url)
        while not server.stopped:
            time.sleep(0.5)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        _stop_ignoring_interrupts(server, "Stopping." if interrupted else None)


def _stop_ignoring_interrupts(server: DevServer, message: str | None) -> None:
    """Stop the server; a second Ctrl-C meanwhile must not end in a traceback."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
    try:
        if message:
            server.log(message)
        server.stop()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
