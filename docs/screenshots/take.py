"""Screenshots for the README: a brief and an entity page, at a phone's width and a desktop's.

Run from the repository: `python docs/screenshots/take.py` (needs Playwright and
Debian's chromium). The brief is the example site's; the entity page is the
busiest entity of the tests' generated site of 300 briefs, which has a timeline
worth showing. Each site is served over HTTP on loopback, as a static host would.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

os.environ.setdefault("BRIEFGEN_PAGEFIND", "off")  # screenshots need no search index

from playwright.sync_api import sync_playwright  # noqa: E402

from briefgen.build import build_site  # noqa: E402

from httpsite import serve  # noqa: E402
from sitegen import generate_site  # noqa: E402

HERE = Path(__file__).resolve().parent
WIDTHS = (390, 1280)


def example_site(root: Path) -> Path:
    for name in ("content", "briefgen.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    build_site(root, root / "site")
    return root / "site"


def busiest_entity(out: Path) -> str:
    cards = {card.parent: json.loads(card.read_text())["briefs"] for card in out.glob("*/*/card.json")}
    return max(cards, key=lambda page: (cards[page], str(page))).relative_to(out).as_posix() + "/index.html"


def shoot(browser, url: str, name: str, width: int, hover: str | None = None) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 1100 if width > 500 else 844},
                                  device_scale_factor=1)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    if hover:
        page.locator(hover).first.scroll_into_view_if_needed()
        page.hover(hover)
        page.locator("#entity-card").wait_for(state="visible")
    page.screenshot(path=str(HERE / f"{name}-{width}.png"))
    context.close()


def main() -> None:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        example = example_site(Path(scratch) / "example")
        generated = generate_site(Path(scratch) / "generated")
        build_site(generated, generated / "site")
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        with serve(example, "/") as base:
            for width in WIDTHS:
                shoot(browser, base + "briefs/putin-washington-invite/index.html#key-points-title", "brief", width,
                      hover="a.mention[data-entity='people/vladimir-putin']" if width > 500 else None)
        with serve(generated / "site", "/") as base:
            entity = busiest_entity(generated / "site")
            for width in WIDTHS:
                shoot(browser, base + entity, "entity", width)
        browser.close()
    print("wrote", ", ".join(f"{kind}-{width}.png" for kind in ("brief", "entity") for width in WIDTHS))


if __name__ == "__main__":
    main()
