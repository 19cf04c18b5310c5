"""Live reload in a real browser: a page served by DevServer follows the site as it is rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from briefgen.dev.server import DevServer

from livesite import BrowserSite  # tests/browser/livesite.py

if TYPE_CHECKING:
    from playwright.sync_api import Page

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>brief</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1 id="title">{title}</h1></body></html>
"""
RED = "h1 { color: rgb(255, 0, 0) }"
BLUE = "h1 { color: rgb(0, 0, 255) }"


def site_pages(title: str, css: str = RED) -> dict[str, str]:
    return {"index.html": PAGE.format(title=title), "style.css": css}


def title_is(text: str) -> str:
    return f"() => document.getElementById('title')?.textContent === {text!r}"


def open_site(
    page: Page, site: BrowserSite, start_server: Callable[..., DevServer], title: str, css: str = RED
) -> DevServer:
    """Serve a one-page site whose heading is `title` and open it in `page`; returns the server."""
    site.update(pages=site_pages(title, css))
    server = start_server()
    page.goto(server.url)
    return server


def test_page_reloads_when_content_changes(
    live_page: Page, browser_site: BrowserSite, start_server: Callable[..., DevServer]
) -> None:
    server = open_site(live_page, browser_site, start_server, "first")
    assert live_page.text_content("#title") == "first"
    live_page.evaluate("window.__marker = 'before'")

    browser_site.update(pages=site_pages("second"))
    browser_site.save("brief.md")
    live_page.wait_for_function(title_is("second"))
    assert live_page.evaluate("window.__marker") is None  # a real reload, not a patch
    assert live_page.url == server.url


def test_failed_build_shows_overlay_until_fixed(
    live_page: Page, browser_site: BrowserSite, start_server: Callable[..., DevServer]
) -> None:
    open_site(live_page, browser_site, start_server, "good")

    error = (
        "content/brief.yaml:3: unknown key 'titel' <img src=x onerror=\"window.__pwned=1\">\n"
        "    hint: did you mean 'title'?"
    )
    browser_site.update(error=error)
    browser_site.save("brief.yaml", "titel: x")
    overlay = live_page.wait_for_selector("#__briefgen_overlay", state="visible")
    assert "content/brief.yaml:3: unknown key 'titel'" in overlay.inner_text()
    assert "hint: did you mean 'title'?" in overlay.inner_text()
    assert live_page.query_selector("#__briefgen_overlay img") is None  # shown as text, never as markup
    assert live_page.evaluate("window.__pwned") is None

    # A page loaded while the build is broken shows the error too.
    live_page.reload()
    assert "unknown key 'titel'" in live_page.inner_text("#__briefgen_overlay")
    assert live_page.query_selector("#__briefgen_overlay img") is None

    browser_site.update(pages=site_pages("fixed"), error=None)
    browser_site.save("brief.yaml", "title: x")
    live_page.wait_for_function(title_is("fixed"))
    live_page.wait_for_selector("#__briefgen_overlay", state="detached")


def test_css_change_restyles_without_reload(
    live_page: Page, browser_site: BrowserSite, start_server: Callable[..., DevServer]
) -> None:
    open_site(live_page, browser_site, start_server, "styled", RED)
    color = "() => getComputedStyle(document.getElementById('title')).color"
    assert live_page.evaluate(color) == "rgb(255, 0, 0)"
    live_page.evaluate("window.__marker = 42")

    browser_site.update(pages=site_pages("styled", BLUE))
    browser_site.save("style.css", BLUE)
    live_page.wait_for_function(f"({color})() === 'rgb(0, 0, 255)'")
    assert live_page.evaluate("window.__marker") == 42  # the page was not reloaded
    assert live_page.eval_on_selector_all('link[rel="stylesheet"]', "links => links.length") == 1


def test_live_reload_under_a_sub_path(
    live_page: Page, browser_site: BrowserSite, start_server: Callable[..., DevServer]
) -> None:
    browser_site.update(pages=site_pages("first"))
    server = start_server(base_path="/sub/")
    live_page.goto(server.url.removesuffix("sub/"))  # the root redirects to the sub-path
    assert live_page.url == server.url
    assert live_page.text_content("#title") == "first"

    browser_site.update(pages=site_pages("second"))
    browser_site.save("brief.md")
    live_page.wait_for_function(title_is("second"))


def set_visibility(page: Page, state: str) -> None:
    """Make the page believe it was hidden or shown, as switching tabs does."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_hidden_tab_catches_up_when_shown(
    live_page: Page, browser_site: BrowserSite, start_server: Callable[..., DevServer]
) -> None:
    server = open_site(live_page, browser_site, start_server, "first")
    set_visibility(live_page, "hidden")  # gives its connection back

    browser_site.update(pages=site_pages("second"))
    browser_site.save("brief.md")
    assert server.wait_for_build(2, timeout=10) is not None
    live_page.wait_for_timeout(300)
    assert live_page.text_content("#title") == "first"  # hidden tabs are left alone

    set_visibility(live_page, "visible")
    live_page.wait_for_function(title_is("second"))
