"""A stand-in generator for the live-reload browser tests."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from briefgen.dev.server import RebuildResult


class BrowserSite:
    """A stand-in generator for the browser tests: `pages` written into out_dir, replaced atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "src" / "content"
        self.content.mkdir(parents=True)
        self.out = root / "site"
        # Guards pages and error: the test changes them while the build thread reads them.
        self._lock = threading.Lock()
        self.pages: dict[str, str] = {}
        self.error: str | None = None
        self._builds = 0

    def update(self, *, pages: dict[str, str] | None = None, error: str | None = None) -> None:
        with self._lock:
            if pages is not None:
                self.pages = dict(pages)
            self.error = error

    def rebuild(self, changed: frozenset[Path]) -> RebuildResult:
        with self._lock:
            pages, error = dict(self.pages), self.error
            self._builds += 1
            number = self._builds
        if error is not None:
            return RebuildResult(ok=False, error_text=error)
        staging = self.root / f"site.tmp-{number}"
        staging.mkdir()
        for name, text in pages.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        old = self.root / f"site.old-{number}"
        if self.out.exists():
            self.out.rename(old)
        staging.rename(self.out)
        if old.exists():
            shutil.rmtree(old)
        return RebuildResult(ok=True)

    def save(self, name: str, text: str = "edited") -> None:
        """Save a source file, as an editor would, to make the watcher rebuild."""
        (self.content / name).write_text(text, encoding="utf-8")
