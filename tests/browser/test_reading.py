"""In a real browser at a phone's and a desktop's width: notes in the margin, entity cards on mentions.

A brief with notes crowded in one paragraph (so notes must be pushed down) and
notes far apart (so they must sit level with their passages) is built once and
served over HTTP, as a static host would: the cards read each entity's card.json.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from viewports import open_at

from httpsite import serve
from sitekit import build, write_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (apt-get install chromium)")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BRIEF = "briefs/crowded/index.html"

FILLER = ("The committee met again on Tuesday and heard from officials of the ministry, who described the "
          "state of the programme in some detail and answered questions from members for most of the afternoon. ")
LONG_NOTE = "A longer note, so that the next one has to give way. " * 5


def _site_files() -> dict[str, str]:
    body = "\n\n".join([
        "Ada Lovelace met Charles Babbage in London. The first claim was made. The second claim was made. "
        "The third claim was made.",
        FILLER * 4,
        FILLER * 3 + "Later, the fourth claim was made in Paris.",
        FILLER * 5 + "Much later, the fifth claim was made.",
        FILLER * 2,
    ]) + "\n"
    sidecar = {
        "title": "Crowded notes", "date": "2024-03-05",
        "entities": {"people": ["Ada Lovelace", "Charles Babbage"], "places": ["London", "Paris"]},
        "annotations": [
            {"quote": "The first claim was made.", "note": LONG_NOTE, "kind": "context"},
            {"quote": "The second claim was made.", "note": LONG_NOTE, "kind": "fact-check"},
            {"quote": "The third claim was made.", "note": "A short note.", "kind": "note"},
            {"quote": "the fourth claim was made in Paris", "note": "Level with its passage.", "kind": "context"},
            {"quote": "the fifth claim was made", "note": "Also level.", "kind": "note"},
        ],
    }
    files = {"content/crowded.md": body, "content/crowded.yaml": json.dumps(sidecar),
             "content/entities.yaml": json.dumps({"people": [
                 {"name": "Ada Lovelace", "description": "Mathematician; wrote the first program."}]})}
    for number in range(1, 4):  # more briefs naming Ada, over several months, for the card's count and timeline
        files[f"content/more-{number}.md"] = f"Ada Lovelace wrote letter {number}.\n"
        files[f"content/more-{number}.yaml"] = json.dumps({"title": f"Letter {number}", "date": f"2024-0{number}-10",
                                                            "entities": {"people": ["Ada Lovelace"]}})
    return files


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = write_site(tmp_path_factory.mktemp("reading"), _site_files())
    report = build(site, site / "site")
    assert not report.warnings, report.warnings
    with serve(site / "site", "/") as base:
        yield base


GEOMETRY = """() => {
    const box = el => el.getBoundingClientRect();
    const body = box(document.querySelector('.brief__body'));
    return [...document.querySelectorAll('.notes__list > .note')].map(note => {
        const mark = document.getElementById('anno-' + note.id.slice(5));
        const b = box(note);
        return {id: note.id, top: b.top + scrollY, bottom: b.bottom + scrollY, left: b.left, right: b.right,
                visible: getComputedStyle(note).visibility === 'visible',
                mark: box(mark).top + scrollY, bodyRight: body.right, bodyBottom: body.bottom + scrollY};
    });
}"""


def test_wide_screen_notes_sit_beside_their_passages_without_overlap(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280)
    notes = page.evaluate(GEOMETRY)
    assert [note["id"] for note in notes] == [f"note-{n}" for n in range(1, 6)]
    for note in notes:
        assert note["visible"]
        assert note["left"] >= note["bodyRight"] + 16, "a note is in the margin, right of the text"
        assert note["right"] <= 1280
        assert note["top"] >= note["mark"] - 1, "a note never starts above its passage"
    for above, below in itertools.pairwise(notes):
        assert below["top"] >= above["bottom"], f"{below['id']} overlaps {above['id']}"
    first, second, third, fourth, fifth = notes
    assert abs(first["top"] - first["mark"]) <= 1
    # The second and third passages are on the first note's lines: they are pushed down, only as far as needed.
    assert second["top"] > second["mark"] + 10 and 0 <= second["top"] - first["bottom"] <= 16
    assert 0 <= third["top"] - second["bottom"] <= 16
    # Passages far apart: each note level with its own.
    assert abs(fourth["top"] - fourth["mark"]) <= 1 and abs(fifth["top"] - fifth["mark"]) <= 1
    context.close()


def test_narrow_screen_notes_follow_the_text(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 390)
    notes = page.evaluate(GEOMETRY)
    assert all(note["visible"] and note["top"] > note["bodyBottom"] for note in notes)
    assert all(note["right"] <= 390 for note in notes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_without_javascript_the_notes_are_endnotes_at_any_width(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280, java_script_enabled=False)
    notes = page.evaluate(GEOMETRY)
    assert all(note["visible"] and note["top"] > note["bodyBottom"] for note in notes)
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_does_not_shift_while_it_loads(live_browser, served: str, width: int) -> None:
    context = live_browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.add_init_script("""window.__shifts = [];
        new PerformanceObserver(list => { for (const entry of list.getEntries()) window.__shifts.push(entry.value); })
            .observe({type: 'layout-shift', buffered: true});""")
    page.goto(served + BRIEF)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shifts") == []
    context.close()


def test_printed_notes_follow_the_text_numbered_and_no_card_prints(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280)
    page.hover("a.mention[data-entity='people/ada-lovelace']")
    page.locator("#entity-card").wait_for(state="visible")
    page.emulate_media(media="print")
    notes = page.evaluate(GEOMETRY)
    assert all(note["visible"] and note["top"] > note["bodyBottom"] for note in notes)
    assert page.evaluate("getComputedStyle(document.querySelector('.notes__list')).listStyleType") == "decimal"
    assert page.locator("#entity-card").is_hidden() and page.locator(".site-search").is_hidden()
    context.close()


def test_a_passage_and_its_note_light_up_together(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280)
    page.hover("mark[data-note='4']")
    assert "note--active" in page.locator("#note-4").get_attribute("class")
    page.hover("#note-5")
    assert "annotation--active" in page.locator("mark[data-note='5']").first.get_attribute("class")
    assert "note--active" not in page.locator("#note-4").get_attribute("class")
    page.locator("mark[data-note='1']").focus()
    assert "note--active" in page.locator("#note-1").get_attribute("class")
    assert page.locator("#annotation-tip:visible").count() == 0, "no tooltip: the note is beside the text"
    context.close()


def test_keyboard_path_is_one_stop_per_annotation_in_the_text(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280)
    stops = page.evaluate("""() => [...document.querySelectorAll('.brief__body mark[tabindex]')]
        .map(mark => mark.dataset.note)""")
    assert stops == ["1", "2", "3", "4", "5"]
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_mention_s_card_shows_on_keyboard_focus_and_hides_on_escape(live_browser, served: str,
                                                                       width: int) -> None:
    context, page = open_at(live_browser, served + BRIEF, width)
    link = page.locator("a.mention[data-entity='people/ada-lovelace']").first
    page.locator("h1").click()
    for _ in range(40):  # Tab from the title to the mention, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.entity") == "people/ada-lovelace":
            break
    card = page.locator("#entity-card")
    card.wait_for(state="visible")
    assert card.get_attribute("role") == "tooltip" and link.get_attribute("aria-describedby") == "entity-card"
    text = card.inner_text()
    assert "Person" in text or "PERSON" in text
    assert "Ada Lovelace" in text and "Mathematician" in text and "Named in 4 briefs" in text
    assert page.locator("#entity-card svg rect").count() == 3  # three weeks with briefs (two in the week of 4 March)
    link_box, card_box = link.bounding_box(), card.bounding_box()
    assert card_box["y"] >= link_box["y"] + link_box["height"] or card_box["y"] + card_box["height"] <= link_box["y"]
    assert card_box["x"] >= 0 and card_box["x"] + card_box["width"] <= width
    page.keyboard.press("Escape")
    assert card.is_hidden() and link.get_attribute("aria-describedby") is None
    context.close()


def test_a_card_shows_on_mouse_hover_and_hides_when_the_mouse_leaves(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 1280)
    page.hover("a.mention[data-entity='places/london']")
    card = page.locator("#entity-card")
    card.wait_for(state="visible")
    assert "London" in card.inner_text() and "Named in 1 brief" in card.inner_text()
    page.mouse.move(5, 5)
    card.wait_for(state="hidden")
    context.close()


def test_a_tap_on_a_phone_follows_the_link_without_a_card(live_browser, served: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, 390, has_touch=True, is_mobile=True)
    page.locator("a.mention[data-entity='places/paris']").tap()
    page.wait_for_url("**/places/paris/**")
    assert page.locator("h1").inner_text() == "Paris"
    context.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci --prefix tests/browser)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_no_accessibility_violations_with_margin_notes_and_a_card(live_browser, served: str, width: int,
                                                                  scheme: str) -> None:
    context, page = open_at(live_browser, served + BRIEF, width, scheme)
    page.hover("a.mention[data-entity='people/ada-lovelace']")
    page.locator("#entity-card").wait_for(state="visible")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in results["violations"]] == []
    context.close()
