"""What the dev server answers with: URL paths to files, content types, the reload script and the
error overlay put into served pages.

Pure functions of paths and bytes: no sockets, no threads, no state.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import re
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

# --- URL paths and files -----------------------------------------------------


def normalize_base_path(base_path: str) -> str:
    """``sub``, ``/sub`` or ``/sub/`` → ``/sub/``; empty → ``/``."""
    parts = [part for part in base_path.strip().split("/") if part]
    return "/" + "".join(part + "/" for part in parts)


class Route(NamedTuple):
    """How to answer a request for a URL path: a file, a redirect, or an error status."""

    status: int
    file: Path | None = None
    location: str | None = None


def resolve_url_path(url_path: str, *, out_dir: Path, base_path: str = "/") -> Route:
    """Map a raw (percent-encoded) URL path to a file inside ``out_dir``, safely.

    Refuses (403) ``..`` segments, encoded or not, and anything that resolves
    outside ``out_dir`` through a symlink. A folder without a trailing slash
    redirects to one; a folder with one serves its ``index.html``. Paths outside
    ``base_path`` are 404, except ``/``, which redirects to ``base_path``.
    """
    base = normalize_base_path(base_path)
    if not url_path.startswith(base):
        if url_path == base.rstrip("/"):
            return Route(HTTPStatus.MOVED_PERMANENTLY, location=base)
        if url_path == "/":
            return Route(HTTPStatus.FOUND, location=base)
        return Route(HTTPStatus.NOT_FOUND)
    decoded = unquote(url_path[len(base) :], errors="strict")
    segments = decoded.split("/")
    if "\x00" in decoded or ".." in segments or "\\" in decoded:
        return Route(HTTPStatus.FORBIDDEN)
    root = out_dir.resolve()
    target = root.joinpath(*(s for s in segments if s not in ("", ".")))
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return Route(HTTPStatus.NOT_FOUND)
    if not real.is_relative_to(root):
        return Route(HTTPStatus.FORBIDDEN)
    if real.is_dir():
        if not url_path.endswith("/"):
            # lstrip: never emit "//host/..." (a protocol-relative open redirect).
            return Route(HTTPStatus.MOVED_PERMANENTLY, location="/" + url_path.lstrip("/") + "/")
        real = real / "index.html"
        if not real.is_file():
            return Route(HTTPStatus.NOT_FOUND)
        # index.html itself may be a symlink pointing out of the folder.
        real = real.resolve()
        if not real.is_relative_to(root):
            return Route(HTTPStatus.FORBIDDEN)
    if not real.is_file():
        return Route(HTTPStatus.NOT_FOUND)
    return Route(HTTPStatus.OK, file=real)


# Fixed types for what a site holds, so answers do not depend on the machine's
# mime.types; anything else falls back to the mimetypes module.
_CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
_TEXT_TYPES = {
    "application/json",
    "application/xml",
    "image/svg+xml",
    "application/manifest+json",
    "application/javascript",
    "application/atom+xml",
    "application/rss+xml",
}


def content_type_for(path: Path) -> str:
    """The Content-Type header for a file, with ``charset=utf-8`` for text."""
    suffix = path.suffix.lower()
    kind = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject_before_body_end(page: bytes, snippet: bytes) -> bytes:
    """Insert ``snippet`` before the last ``</body>`` (any case), or append it."""
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + snippet
    at = ends[-1].start()
    return page[:at] + snippet + page[at:]


# --- the injected script and the error overlay ---------------------------------

_OVERLAY_CSS = (
    "#__briefgen_overlay{position:fixed;inset:0;z-index:2147483647;overflow:auto;"
    "box-sizing:border-box;margin:0;padding:2rem;background:rgba(24,24,27,.97);color:#f4f4f5;"
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left}"
    "#__briefgen_overlay .__briefgen_title{font-size:18px;font-weight:700;color:#f87171;margin:0 0 1rem}"
    "#__briefgen_overlay pre{margin:0;white-space:pre-wrap;font:inherit;color:inherit;background:none}"
    "#__briefgen_overlay .__briefgen_hint{margin-top:1.5rem;color:#a1a1aa}"
)
_OVERLAY_TITLE = "Build failed"
_OVERLAY_HINT = "Fix the file and save: this page updates by itself."

# Served at {base}__briefgen__/livereload.js. The overlay built here has the same
# structure as the one the server injects into pages served while a build is failing.
def livereload_js() -> bytes:
    """The reload script (briefgen/livereload.js) with the overlay's style and words filled in."""
    script = (resources.files("briefgen.dev") / "livereload.js").read_text(encoding="utf-8")
    return (
        script.replace("__CSS__", json.dumps(_OVERLAY_CSS))
        .replace("__TITLE__", json.dumps(_OVERLAY_TITLE))
        .replace("__HINT__", json.dumps(_OVERLAY_HINT))
        .encode("utf-8")
    )


def ascii_html(text: str) -> bytes:
    """Escaped text as ASCII with character references: safe in a page of any encoding."""
    return html.escape(text).encode("ascii", "xmlcharrefreplace")


def overlay_html(error_text: str) -> bytes:
    """The error overlay as HTML, for pages served while the last build failed."""
    return (
        b'<style id="__briefgen_style">' + _OVERLAY_CSS.encode("ascii") + b"</style>"
        b'<div id="__briefgen_overlay" role="alert">'
        b'<div class="__briefgen_title">' + ascii_html(_OVERLAY_TITLE) + b"</div>"
        b"<pre>" + ascii_html(error_text) + b"</pre>"
        b'<div class="__briefgen_hint">' + ascii_html(_OVERLAY_HINT) + b"</div></div>"
    )


# --- what a change needs ---------------------------------------------------------

def is_css_only(changed: frozenset[Path], changed_outputs: tuple[str, ...] | None) -> bool:
    """Whether stylesheets alone changed, so a CSS refresh can replace a full reload."""
    if changed_outputs is not None:
        if any(out.lower().endswith((".html", ".htm")) for out in changed_outputs):
            return False  # the pages themselves changed
        if changed_outputs and all(out.lower().endswith(".css") for out in changed_outputs):
            return True
    return bool(changed) and all(path.name.lower().endswith(".css") for path in changed)


def is_loopback(host: str) -> bool:
    """`localhost` (and names under it) or a loopback address."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(header: str | None, listen_host: str, allowed: frozenset[str]) -> bool:
    """Whether a request's `Host` header names this server, so a web page elsewhere cannot read the site.

    A page on another site reaches a local server through a name it controls
    that resolves to 127.0.0.1 (DNS rebinding): only names are a danger. So
    addresses are accepted, and of names only `localhost`, the name the
    server listens on, and those in `allowed` (`*`: any).
    """
    if header is None or "*" in allowed:
        return True
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return is_loopback(name) or name == listen_host.lower() or name in allowed
