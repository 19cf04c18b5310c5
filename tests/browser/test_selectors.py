"""A real annotation client re-anchors every published annotation on its page.

Apache Annotator's DOM matchers (the W3C selector implementation from npm,
bundled for the page by esbuild) run in Chromium on each brief page built from
disk and match each annotation's TextQuoteSelector and TextPositionSelector
over `document.body` and over the whole document, as clients do. Each must
match exactly once, on the passage the page marks for that note.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from annotated_site import write_annotated_site
from sitekit import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(not (NODE_MODULES / "@apache-annotator" / "dom").is_dir() or not ESBUILD.is_file(),
                       reason="Apache Annotator is not installed (npm ci --prefix tests/browser)"),
]

# For each annotation: how often each selector matches in each scope, and whether the match is the mark's passage.
ANCHOR_ALL = """
async (annotations) => {
  const {createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher} = AnnotatorDom;
  const scopes = {body: document.body, document: document.documentElement};
  // Where a boundary point is in the body's text (a match may start at the end of the text before a mark).
  const offset = (node, nodeOffset) => {
    const before = document.createRange();
    before.setStart(document.body, 0);
    before.setEnd(node, nodeOffset);
    return before.toString().length;
  };
  const results = [];
  for (const [number, selectors] of annotations) {
    const marks = document.querySelectorAll(`mark.annotation[data-note="${number}"]`);
    const marked = document.createRange();
    marked.setStartBefore(marks[0]);
    marked.setEndAfter(marks[marks.length - 1]);
    for (const selector of selectors) {
      const matcher = selector.type === "TextQuoteSelector"
        ? createTextQuoteSelectorMatcher(selector) : createTextPositionSelectorMatcher(selector);
      for (const [scopeName, scope] of Object.entries(scopes)) {
        if (selector.type === "TextPositionSelector" && scopeName !== "body") continue;
        const matches = [];
        for await (const match of matcher(scope)) matches.push(match);
        const onMark = matches.length === 1 && matches[0].toString() === marked.toString()
          && offset(matches[0].startContainer, matches[0].startOffset) === offset(marked.startContainer, marked.startOffset)
          && offset(matches[0].endContainer, matches[0].endOffset) === offset(marked.endContainer, marked.endOffset);
        results.push({number, type: selector.type, scope: scopeName, matches: matches.length, onMark,
                      found: matches.map((m) => m.toString()), marked: marked.toString()});
      }
    }
  }
  return results;
}
"""


@pytest.fixture(scope="module")
def annotator_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("annotator")
    entry = NODE_MODULES.parent / ".annotator-entry.mjs"  # resolved from tests/browser/node_modules
    entry.write_text('export {createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher} '
                     'from "@apache-annotator/dom";\n', encoding="utf-8")
    bundle = folder / "annotator.js"
    try:
        subprocess.run([str(ESBUILD), str(entry), "--bundle", "--minify", "--format=iife",
                        "--global-name=AnnotatorDom",
                        # Playwright runs an init script inside a function: the global is set by hand.
                        "--footer:js=globalThis.AnnotatorDom = AnnotatorDom;", f"--outfile={bundle}", "--log-level=warning"],
                       check=True, timeout=120)
    finally:
        entry.unlink()
    return bundle


@pytest.fixture(scope="module")
def hand_made_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_annotated_site(tmp_path_factory.mktemp("annotated"))
    build(site, site / "site")
    return site / "site"


def anchor_site(browser: object, out: Path, bundle: Path) -> list[dict]:
    """Every selector of every annotation of the site, matched on its page."""
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_init_script(path=str(bundle))
    page = context.new_page()
    results = []
    for collection in sorted(out.glob("briefs/*/annotations.jsonld")):
        items = json.loads(collection.read_text(encoding="utf-8"))["first"]["items"]
        annotations = [(item["id"].rsplit("#note-", 1)[1], item["target"]["selector"]) for item in items]
        page.goto((collection.parent / "index.html").as_uri())
        for result in page.evaluate(ANCHOR_ALL, annotations):
            results.append({"brief": collection.parent.name, **result})
    context.close()
    return results


def misanchored(results: list[dict]) -> list[dict]:
    return [r for r in results if r["matches"] != 1 or not r["onMark"]]


def test_every_hand_made_annotation_anchors_once_on_its_mark(live_browser, hand_made_out: Path,
                                                             annotator_bundle: Path) -> None:
    results = anchor_site(live_browser, hand_made_out, annotator_bundle)
    assert {r["brief"] for r in results} == {"links", "overlaps", "repeats", "wire"}
    assert len({(r["brief"], r["number"]) for r in results}) == 21
    assert misanchored(results) == []


def test_every_generated_annotation_anchors_once_on_its_mark(live_browser, generated_out: Path,
                                                             annotator_bundle: Path) -> None:
    results = anchor_site(live_browser, generated_out, annotator_bundle)
    annotations = {(r["brief"], r["number"]) for r in results}
    assert len(annotations) > 200
    assert misanchored(results) == []


# Documents where an HTML parser that is not the browser's would see other text.
ODD_DOCUMENTS = [
    "<!doctype html><p>a<!-- a comment -->b</p>",
    "<pre>\nfirst line dropped</pre><textarea>\n<b>not a tag</b></textarea>",
    "<p>line\r\nbreaks\rand\nmore</p>",
    "<script>var x = '<mark data-note=1>';</script><mark data-note=2>q<mark data-note=3>r</mark></mark>",
    "<table><mark data-note=1>moved out of the table</mark><tr><td>cell</td></tr></table>",
    "text before<html><head><title>T &amp; U</title><style>p{}</style></head>  <body>b</body> after",
    "<template><mark data-note=9>not in the DOM's text</mark></template>y <noscript><p>x</p></noscript>",
    "<p>emoji 😀 and <mark data-note=4>e\u0301</mark> &notin; &amp;copy</p>",
]


@pytest.mark.parametrize("document", ODD_DOCUMENTS)
def test_page_text_is_the_text_the_browser_sees(live_page, document: str) -> None:
    from briefgen.htmlwalk import page_text

    live_page.set_content(document)
    seen = live_page.evaluate("""() => {
      const text = document.documentElement.textContent;
      const before = document.createRange();
      before.setStart(document.documentElement, 0);
      if (document.body) before.setEndBefore(document.body); else before.setEnd(document.documentElement, 0);
      const ranges = {};
      for (const mark of document.querySelectorAll("mark[data-note]")) {
        const upTo = document.createRange();
        upTo.setStart(document.documentElement, 0);
        upTo.setEndBefore(mark);
        const start = upTo.toString().length;
        (ranges[mark.dataset.note] ||= []).push([start, start + mark.textContent.length]);
      }
      return {text, bodyStart: before.toString().length, ranges};
    }""")
    ours = page_text(document, "mark", "data-note")
    # JavaScript counts UTF-16 code units; the page text counts code points: compare in the browser's units.
    units = lambda offset: len(ours.text[:offset].encode("utf-16-le")) // 2  # noqa: E731
    assert ours.text == seen["text"]
    assert units(ours.body_start) == seen["bodyStart"]
    assert {note: [[units(a), units(b)] for a, b in found] for note, found in ours.ranges.items()} == seen["ranges"]
