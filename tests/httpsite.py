"""Serve a built site with the standard library's http.server under a sub-path, as a static host would."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class SubPathHandler(SimpleHTTPRequestHandler):
    """Files of one folder at PREFIX; everything else is 404, so a link that escapes the sub-path fails."""

    prefix = "/sub/"

    def send_head(self):  # type: ignore[no-untyped-def]
        path = urlsplit(self.path).path
        if not path.startswith(self.prefix):
            self.send_error(HTTPStatus.NOT_FOUND, "outside the site's sub-path")
            return None
        self.path = "/" + self.path[len(self.prefix):]
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@contextlib.contextmanager
def serve(folder: Path, prefix: str = "/sub/") -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:PORT{prefix} while the block runs; yields that URL."""
    handler = type("Handler", (SubPathHandler,), {"prefix": prefix})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
