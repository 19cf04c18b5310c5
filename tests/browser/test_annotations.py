"""On a narrow screen, where notes follow the text, a real browser shows a note on hover and keyboard focus.

(On a wide screen the notes sit beside the text instead: tests/browser/test_reading.py.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def brief_page(live_browser, example_out: Path):
    context = live_browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto((example_out / "briefs/putin-washington-invite/index.html").as_uri())
    yield page
    context.close()


def test_note_shows_on_hover(brief_page) -> None:
    tip = brief_page.locator("#annotation-tip")
    assert tip.is_hidden()
    brief_page.hover("mark[data-note='3']")
    assert tip.is_visible()
    assert "GRU" in tip.inner_text()
    brief_page.mouse.move(0, 0)
    assert tip.is_hidden()


def test_note_shows_on_keyboard_focus(brief_page) -> None:
    brief_page.mouse.move(0, 0)
    brief_page.locator("mark[data-note='1']").focus()
    tip = brief_page.locator("#annotation-tip")
    assert tip.is_visible() and "Helsinki on 16 July 2018" in tip.inner_text()
    brief_page.keyboard.press("Escape")
    assert tip.is_hidden()


def test_tab_reaches_the_marks(brief_page) -> None:
    brief_page.goto(brief_page.url)
    focused = []
    for _ in range(60):
        brief_page.keyboard.press("Tab")
        focused.append(brief_page.evaluate("document.activeElement.getAttribute('data-note')"))
    assert {"1", "2", "3", "4"} <= set(focused)


def test_notes_work_without_javascript(live_browser, example_out: Path) -> None:
    context = live_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((example_out / "briefs/putin-washington-invite/index.html").as_uri())
    page.click("a#ref-3")
    assert page.url.endswith("#note-3")
    assert page.locator("#note-3").is_visible()
    assert "GRU" in page.locator("#note-3").inner_text()
    context.close()
