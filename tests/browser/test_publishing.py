"""In a real browser: the site from disk, search over HTTP, and axe-core's rules in both colour schemes."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from httpsite import serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (apt-get install chromium)")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
needs_axe = pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci --prefix tests/browser)")
PAGES = {"home": "index.html", "brief": "briefs/putin-washington-invite/index.html",
         "entity": "people/john-bolton/index.html", "search": "search/index.html?q=Bolton"}
BRIEF_TITLE = "White House says talks are underway for a Putin visit to Washington"


@pytest.fixture(scope="module")
def served(example_out: Path):
    with serve(example_out, "/sub/") as base:
        yield base


def has_search_index(out: Path) -> bool:
    return (out / "pagefind" / "shards.json").is_file()


def open_searchable(live_browser, out: Path, url: str):
    """A new page at `url` of the site built into `out`; the test is skipped when that site has no search index."""
    if not has_search_index(out):
        pytest.skip("the site has no search index: Pagefind is not installed (pip install 'briefgen[search]') "
                    "or BRIEFGEN_PAGEFIND=off")
    page = live_browser.new_page()
    page.goto(url)
    return page


def test_from_disk_home_to_brief_to_entity(live_browser, example_out: Path) -> None:
    page = live_browser.new_page()
    page.goto((example_out / "index.html").as_uri())
    page.click(f"main a:text-is('{BRIEF_TITLE}')")
    assert page.url.endswith("/briefs/putin-washington-invite/index.html")
    assert page.locator("h1").inner_text() == BRIEF_TITLE
    page.click(".brief-entities a:text-is('John Bolton')")
    assert page.url.endswith("/people/john-bolton/index.html")
    assert page.locator("h1").inner_text() == "John Bolton"
    page.click("main .brief-item a")
    assert page.locator("h1").inner_text() == BRIEF_TITLE
    page.click(".site-nav a:text-is('Topics')")
    assert page.url.endswith("/topics/index.html")
    page.close()


def test_search_from_disk_explains_that_it_needs_http(live_browser, example_out: Path) -> None:
    page = live_browser.new_page()
    page.goto((example_out / "index.html").as_uri())
    page.fill("#site-search-q", "Bolton")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/index.html?q=Bolton")
    assert "served over HTTP" in page.locator("#search-status").inner_text()
    assert page.locator("#search-q").input_value() == "Bolton"
    page.close()


def test_typing_a_name_in_the_search_box_finds_the_brief(live_browser, served: str, example_out: Path) -> None:
    page = open_searchable(live_browser, example_out, served + "tags/index.html")
    page.fill("#site-search-q", "Bolton")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/sub/search/index.html?q=Bolton")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=10_000)
    assert result.inner_text() == BRIEF_TITLE
    result.click()
    page.wait_for_url("**/sub/briefs/putin-washington-invite/index.html")
    assert page.locator("h1").inner_text() == BRIEF_TITLE
    page.close()


def test_search_filters_by_entity(live_browser, generated_out: Path) -> None:
    from playwright.sync_api import expect  # installed: live_browser skips the test otherwise

    # The generated site, not the one-brief example: a filter can only be seen to narrow among many briefs.
    # Every generated brief says "in dispatch <n> the panel", so the query finds them all.
    with_ada = {path.stem for path in (generated_out.parent / "content").glob("*/*.yaml")
                if "Ada Lovelace" in yaml.safe_load(path.read_text(encoding="utf-8"))["entities"]["people"]}
    assert 0 < len(with_ada) < 300
    with serve(generated_out, "/sub/") as base:
        page = open_searchable(live_browser, generated_out, base + "search/index.html?q=dispatch")
        message = page.locator(".pagefind-ui__message")
        expect(message).to_have_text("300 results for dispatch", timeout=10_000)
        for group in ("Year", "Entity type", "People", "Places"):  # the UI adds filter groups as they load
            page.locator(".pagefind-ui__filter-name", has_text=group).first.wait_for(timeout=10_000)
        page.locator(".pagefind-ui__filter-name", has_text="People").click()
        page.locator(".pagefind-ui__filter-label", has_text="Ada Lovelace").click()
        expect(message).to_have_text(f"{len(with_ada)} results for dispatch", timeout=10_000)
        # The count is shown before the results it counts are: wait for links, all of them filtered ones
        # (waiting, not asserting, since the unfiltered list may still be on the page a moment).
        page.wait_for_function(
            """allowed => {
                const links = [...document.querySelectorAll('.pagefind-ui__result-link')];
                return links.length > 0 && links.every(a => allowed.includes(new URL(a.href).pathname.split('/').at(-2)));
            }""", arg=sorted(with_ada), timeout=10_000)
        shown = {urlsplit(link.get_attribute("href")).path.split("/")[-2]
                 for link in page.locator(".pagefind-ui__result-link").all()}
        assert shown and shown <= with_ada, shown - with_ada
        page.close()


def _results(page, query: str) -> str:
    """The result message of Pagefind UI for `query`, once it has searched every shard."""
    page.fill("input.pagefind-ui__search-input", query)
    message = page.locator(".pagefind-ui__message")
    message.wait_for(timeout=10_000)
    page.wait_for_function("q => document.querySelector('.pagefind-ui__message').textContent.includes(q)",
                           arg=query, timeout=10_000)
    return message.inner_text()


def test_a_one_edit_build_updates_search(live_browser, tmp_path: Path) -> None:
    """A word added to one brief is found after an incremental build; a deleted brief is no longer found."""
    from sitegen import generate_site
    from sitekit import build

    site = generate_site(tmp_path / "site", briefs=40)
    build(site, use_cache=True)
    out = site / "site"
    if not has_search_index(out):
        pytest.skip("the site has no search index: Pagefind is not installed (pip install 'briefgen[search]') "
                    "or BRIEFGEN_PAGEFIND=off")
    articles = sorted((site / "content").glob("*/*.md"))
    edited, deleted = articles[0], articles[-1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe committee noted a quokka on the lawn.\n",
                      encoding="utf-8")
    deleted.unlink()
    deleted.with_suffix(".yaml").unlink()
    report = build(site, use_cache=True)
    assert report.incremental
    with serve(out, "/") as base:
        page = live_browser.new_page()
        page.goto(base + "search/index.html")
        assert _results(page, "quokka") == "1 result for quokka"
        link = page.locator(".pagefind-ui__result-link").first
        assert urlsplit(link.get_attribute("href")).path.endswith(f"/briefs/{edited.stem}/index.html")
        # Every generated brief says "in dispatch <n> the panel": 40 were indexed, one is gone.
        assert _results(page, "dispatch") == "39 results for dispatch"
        page.close()


def test_skip_link_is_first_visible_on_focus_and_moves_focus(live_browser, example_out: Path) -> None:
    page = live_browser.new_page()
    page.goto((example_out / "briefs/putin-washington-invite/index.html").as_uri())
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {text: el.textContent, left: box.left, outline: style.outlineStyle, width: style.outlineWidth};
    }""")
    assert focused["text"] == "Skip to content" and focused["left"] >= 0
    assert focused["outline"] != "none" and focused["width"] != "0px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


@needs_axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_serious_accessibility_violations(live_browser, served: str, example_out: Path,
                                             name: str, scheme: str) -> None:
    context = live_browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(served + PAGES[name])
    if name == "search" and has_search_index(example_out):
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()
