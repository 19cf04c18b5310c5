"""In a real browser at a phone's and a desktop's width: the entity charts fit, read, link, and pass axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from viewports import open_at

from httpsite import serve
from sitekit import parse_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (apt-get install chromium)")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [390, 1280]


@pytest.fixture(scope="module")
def busiest(generated_out: Path) -> str:
    """The entity page (from the site's root) of the entity in most briefs."""
    pages = sorted(generated_out.glob("*/*/card.json"))
    counts = {page.parent: int(page.read_text().split('"briefs":')[1].split(",")[0]) for page in pages}
    return max(counts, key=lambda page: (counts[page], str(page))).relative_to(generated_out).as_posix() + "/index.html"


@pytest.fixture(scope="module")
def served(generated_out: Path):
    with serve(generated_out, "/") as base:
        yield base


@pytest.mark.parametrize("width", WIDTHS)
def test_the_charts_fit_the_screen_and_their_text_is_readable(live_browser, served: str, busiest: str,
                                                               width: int) -> None:
    context, page = open_at(live_browser, served + busiest, width)
    sizes = page.evaluate("""() => {
        const box = el => el.getBoundingClientRect();
        const timeline = document.querySelector('[data-chart="timeline"] svg');
        const ranked = document.querySelector('[data-chart="co-mentions"] svg');
        const name = ranked.querySelector('a text');
        return {overflow: document.documentElement.scrollWidth - window.innerWidth,
                timeline: [box(timeline).left, box(timeline).right, box(timeline).height],
                ranked: [box(ranked).left, box(ranked).right], name: box(name).height,
                bars: [...timeline.querySelectorAll('[data-month] rect')].map(r => box(r).width)};
    }""")
    assert sizes["overflow"] <= 0
    left, right, height = sizes["timeline"]
    assert left >= 0 and right <= width and height >= 60
    assert sizes["ranked"][0] >= 0 and sizes["ranked"][1] <= width
    assert sizes["name"] >= 11, "an entity's name in the co-mention chart is at least 11 px tall"
    assert min(sizes["bars"]) > 1
    context.close()


def test_chart_counts_equal_the_entity_s_briefs(live_browser, served: str, busiest: str,
                                                generated_out: Path) -> None:
    context, page = open_at(live_browser, served + busiest, 1280)
    total = page.evaluate("""() => [...document.querySelectorAll('[data-chart="timeline"] [data-month]')]
        .reduce((sum, bar) => sum + Number(bar.dataset.count), 0)""")
    named = page.locator(".entity header .meta").last.inner_text()
    assert named.startswith(f"Named in {total} brief")
    count = sum(len(parse_html(p).select(".brief-list .brief-item"))
                for p in [generated_out / busiest, *sorted((generated_out / busiest).parent.glob("page/*/index.html"))])
    assert total == count
    context.close()


def test_a_bar_leads_to_its_month_and_the_table_holds_the_same_links(live_browser, served: str, busiest: str) -> None:
    context, page = open_at(live_browser, served + busiest, 1280)
    bar = page.locator('[data-chart="timeline"] a[data-month]').first
    month, href = bar.get_attribute("data-month"), bar.get_attribute("href")
    page.locator("summary", has_text="Show as table").click()
    row = page.locator('[data-chart="timeline"] table a').first
    assert row.is_visible() and row.get_attribute("href") == href
    bar.locator("rect").click()
    page.wait_for_url(f"**/archive/{month[:4]}/**")
    assert page.locator("h1").inner_text()
    context.close()


def test_keyboard_reaches_the_table_not_every_bar_and_each_co_mention(live_browser, served: str,
                                                                      busiest: str) -> None:
    context, page = open_at(live_browser, served + busiest, 1280)
    page.locator(".feed-link").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.locator("[data-chart='co-mentions'] a").first.focus()
    focused = page.evaluate("""() => ({label: document.activeElement.getAttribute('aria-label'),
        ring: getComputedStyle(document.activeElement).outlineStyle})""")
    assert " shared brief" in focused["label"] and focused["ring"] != "none"
    context.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci --prefix tests/browser)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["entity", "entities"])
def test_no_accessibility_violations_with_the_charts(live_browser, served: str, busiest: str, which: str,
                                                     width: int, scheme: str) -> None:
    context, page = open_at(live_browser, served + (busiest if which == "entity" else "entities/index.html"),
                            width, scheme)
    assert page.locator("[data-chart]").count() >= 1
    if which == "entity":
        page.locator("summary").first.click()  # the table too
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in results["violations"]] == []
    context.close()
