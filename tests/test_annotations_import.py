"""`briefgen annotations import`: W3C and Hypothesis exports into the sidecars, and back out the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.authoring.annotations_import import import_annotations

from annotated_site import write_annotated_site
from sitekit import REPO, build, snapshot, write_site


def _strip_annotations(sidecar: Path) -> None:
    """The sidecar without its `annotations:` block (the rest as it was)."""
    kept, skipping = [], False
    for line in sidecar.read_text(encoding="utf-8").splitlines():
        if line.startswith("annotations:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    sidecar.write_text("\n".join(kept) + "\n", encoding="utf-8")


def _marks(page: bytes) -> list[tuple[str, str, int]]:
    """Each marked passage of the body: its note, its text, and where it starts in the body's text."""
    body = BeautifulSoup(page, "html5lib").select_one(".brief__body")
    found, offset = [], 0
    for node in body.descendants:
        if getattr(node, "name", None) == "mark" and "annotation" in node.get("class", []):
            found.append((node.get("data-note", ""), node.get_text(), offset))
        elif isinstance(node, str):
            offset += len(node)
    return found


def test_published_annotations_import_back_to_the_same_site(tmp_path: Path) -> None:
    site = write_annotated_site(tmp_path)
    build(site, site / "site", base_url="https://example.org/news/")
    before = snapshot(site / "site/briefs")
    exports = sorted((site / "site/briefs").glob("*/annotations.jsonld"))
    assert len(exports) >= 3
    sidecars = {p: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (site / "content").glob("*.yaml")}
    for sidecar, data in sidecars.items():
        if data and data.get("annotations"):
            _strip_annotations(sidecar)
    report = import_annotations(site, exports)
    assert report.failed == [] and report.skipped == []
    build(site, site / "site", base_url="https://example.org/news/")
    after = snapshot(site / "site/briefs")
    # The annotations as W3C clients see them are the same; so is every marked passage. (What a page
    # does not publish cannot come back: Markdown inside a quote, a verdict's numeric scale.)
    assert {p: data for p, data in after.items() if p.endswith(".jsonld")} == \
        {p: data for p, data in before.items() if p.endswith(".jsonld")}
    for page in (p for p in before if p.endswith("index.html")):
        assert _marks(after[page]) == _marks(before[page]), page
    # Imported again: nothing to add, no file touched.
    contents = {p: p.read_bytes() for p in sidecars}
    again = import_annotations(site, exports)
    assert again.added == {} and len(again.skipped) == sum(len(v) for v in report.added.values())
    assert {p: p.read_bytes() for p in sidecars} == contents


HYPOTHESIS = {
    "total": 3,
    "rows": [
        {"id": "h1", "created": "2024-05-03T09:12:44.123456+00:00", "user": "acct:fact_desk@hypothes.is",
         "uri": "https://example.org/news/briefs/a/", "text": "The **budget** was cut twice.", "tags": ["budget"],
         "user_info": {"display_name": "Fact Desk"},
         "target": [{"source": "https://example.org/news/briefs/a/", "selector": [
             {"type": "RangeSelector", "startContainer": "/main[1]/article[1]/div[1]/p[1]", "startOffset": 0,
              "endContainer": "/main[1]/article[1]/div[1]/p[1]", "endOffset": 10},
             {"type": "TextPositionSelector", "start": 1200, "end": 1215},
             {"type": "TextQuoteSelector", "exact": "the budget", "prefix": "Second, the mayor cut ",
              "suffix": " again, and left"}]}]},
        {"id": "h2", "created": "2024-05-04T10:00:00+00:00", "user": "acct:reader@hypothes.is",
         "uri": "http://localhost:8000/briefs/a/index.html", "text": "Which council?",
         "target": [{"source": "http://localhost:8000/briefs/a/index.html",
                     "selector": [{"type": "TextQuoteSelector", "exact": "The council met",
                                   "prefix": "", "suffix": " on Tuesday"}]}]},
        {"id": "h3", "created": "2024-05-04T10:00:00+00:00", "user": "acct:reader@hypothes.is",
         "uri": "https://elsewhere.example/story", "text": "Not ours.",
         "target": [{"source": "https://elsewhere.example/story",
                     "selector": [{"type": "TextQuoteSelector", "exact": "whatever"}]}]},
    ],
}
SIDECAR = """# The budget story, filed by the desk.
title: A
date: 2024-05-01   # the day of the vote
tags: [budget]
"""


def test_a_hypothesis_export_is_appended_keeping_comments(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "The council met on Tuesday. First, the mayor cut the budget. Second, the mayor cut "
                        "the budget again, and left.\n",
        "content/a.yaml": SIDECAR,
    })
    export = tmp_path / "hypothesis.json"
    export.write_text(json.dumps(HYPOTHESIS), encoding="utf-8")
    dry = import_annotations(site, [export], dry_run=True)
    assert (site / "content/a.yaml").read_text(encoding="utf-8") == SIDECAR  # a dry run writes nothing
    assert [len(v) for v in dry.added.values()] == [2]
    report = import_annotations(site, [export])
    assert len(report.failed) == 1 and "no brief of the site is at https://elsewhere.example/story" in report.failed[0]
    text = (site / "content/a.yaml").read_text(encoding="utf-8")
    assert text.startswith(SIDECAR)  # comments and layout kept; the annotations come after
    data = yaml.safe_load(text)
    first, second = data["annotations"]
    assert first["quote"] == "the budget" and first["note"] == "The **budget** was cut twice."
    # The quote is there twice: just enough of Hypothesis's context to pick the second is kept.
    assert first["prefix"].endswith("cut") and first["by"] == "Fact Desk" and first["date"] == "2024-05-03T09:12:44+00:00"
    assert second == {"quote": "The council met", "note": "Which council?", "by": "reader",
                      "date": "2024-05-04T10:00:00+00:00"}
    built = build(site)
    marks = _marks((site / "site/briefs/a/index.html").read_bytes())
    assert [text for _, text, _ in marks] == ["The council met", "the budget"] and not built.warnings
    page = BeautifulSoup((site / "site/briefs/a/index.html").read_bytes(), "html5lib")
    # The second "the budget" of the paragraph is the one marked, as Hypothesis's context says.
    second = page.select(".brief__body mark.annotation")[1]
    assert str(second.sup.next_sibling if second.sup else second.next_sibling.next_sibling).startswith(" again")


def test_bad_exports_are_reported_by_file_and_annotation(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text here.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n"})
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    missing_quote = tmp_path / "quote.json"
    missing_quote.write_text(json.dumps({"type": "Annotation", "id": "urn:x:1", "body": {"type": "TextualBody", "value": "N"},
                                         "target": {"source": "https://h.example/briefs/a/",
                                                    "selector": {"type": "TextQuoteSelector", "exact": "Absent words"}}}))
    report = import_annotations(site, [broken, missing_quote])
    assert report.added == {}
    assert "broken.json: not a JSON file" in report.failed[0]
    assert "quote.json: annotation 1 (urn:x:1): quote \"Absent words\" is not in the text" in report.failed[1]
    run = subprocess.run([sys.executable, "-m", "briefgen", "annotations", "import", str(broken), "--site", str(site)],
                         cwd=REPO, capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "Traceback" not in run.stderr and "not a JSON file" in run.stderr


WORDS = ["the vote", "prices rose", "the council", "again", "on Tuesday", "Ada Lovelace", "in 2019", "budget"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sentences=st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=5), min_size=2, max_size=6),
       pick=st.data(), spaces=st.sampled_from([" ", "  ", "\n"]))
def test_any_occurrence_of_a_repeated_quote_comes_back_to_the_same_place(tmp_path: Path, sentences, pick,
                                                                          spaces: str) -> None:
    """Whatever occurrence of a repeated phrase a client annotated, the import marks that one again."""
    body = "\n\n".join(spaces.join(words).capitalize() + "." for words in sentences) + "\n"
    flat = " ".join(body.split())
    phrase = pick.draw(st.sampled_from(sorted({w for words in sentences for w in words})))
    count = flat.lower().count(phrase.lower())
    occurrence = pick.draw(st.integers(0, max(0, count - 1)))
    site = tmp_path / f"site-{abs(hash((body, phrase, occurrence))) % 10**8}"
    # The occurrence as a sidecar says it: its quote as written there, and the text before it.
    starts = [i for i in range(len(flat)) if flat.lower().startswith(phrase.lower(), i)]
    start = starts[occurrence]
    quote = flat[start: start + len(phrase)]
    before = flat[:start].rstrip()
    annotation = f"  - quote: {json.dumps(quote)}\n    note: Picked.\n"
    if before and len(starts) > 1:
        annotation += f"    prefix: {json.dumps(before[-40:])}\n"
    write_site(site, {"briefgen.yaml": "base_url: https://example.org/\n", "content/a.md": body,
                      "content/a.yaml": f"title: A\ndate: 2024-01-01\nannotations:\n{annotation}"})
    try:
        build(site, site / "site")
    except Exception:  # the sidecar's own prefix did not single it out (a repeat inside the context): not ours
        return
    marked = _marks((site / "site/briefs/a/index.html").read_bytes())
    export = site / "export.jsonld"
    export.write_bytes((site / "site/briefs/a/annotations.jsonld").read_bytes())
    (site / "content/a.yaml").write_text("title: A\ndate: 2024-01-01\n", encoding="utf-8")
    report = import_annotations(site, [export])
    assert report.failed == []
    build(site, site / "site")
    assert _marks((site / "site/briefs/a/index.html").read_bytes()) == marked


def test_a_sidecar_that_cannot_be_written_is_an_error_and_stays_as_it_was(tmp_path: Path, monkeypatch) -> None:
    import os

    from briefgen.errors import BriefgenError

    site = write_site(tmp_path / "site", {
        "content/a.md": "The council met on Tuesday.\n", "content/a.yaml": SIDECAR,
    })
    export = tmp_path / "hypothesis.json"
    export.write_text(json.dumps({"rows": [HYPOTHESIS["rows"][1]]}), encoding="utf-8")

    def full_disk(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    try:
        import_annotations(site, [export])
    except BriefgenError as error:
        assert "cannot write the sidecar: No space left on device" in error.format_message()
    else:
        raise AssertionError("a failed write must be an error")
    assert (site / "content/a.yaml").read_text(encoding="utf-8") == SIDECAR
    assert sorted(p.name for p in (site / "content").iterdir()) == ["a.md", "a.yaml"]  # no temporary file left
