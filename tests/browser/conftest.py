"""Fixtures for browser tests: Debian's Chromium driven by Playwright, and a DevServer on a fake site.

Tests using them skip, saying why, when Playwright or a Chromium binary is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from livesite import BrowserSite  # tests/browser/livesite.py
from sitekit import dev_servers

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# Module scope, like the other browser tests' own fixtures: Playwright's sync API
# allows one instance at a time in a thread, so none may outlive its module.
@pytest.fixture(scope="module")
def live_browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    executable = _chromium_path()
    if executable is None:
        pytest.skip("no Chromium found on PATH (install Debian's 'chromium' package)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_page(live_browser: object) -> Iterator[object]:
    context = live_browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def browser_site(tmp_path: Path) -> BrowserSite:
    return BrowserSite(tmp_path)


@pytest.fixture
def start_server(browser_site: BrowserSite) -> Iterator[object]:
    with dev_servers() as start:
        yield lambda base_path="/": start(out_dir=browser_site.out, rebuild=browser_site.rebuild,
                                          watch_paths=[browser_site.content], base_path=base_path)
