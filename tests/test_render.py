"""The render stage seen from the built pages: escaping, JSON-LD, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitekit import build, parse_html, write_site

HOSTILE = {
    "content/x.md": "Text about Eve <img src=x onerror=alert(1)>.\n",
    "content/x.yaml": """
        title: "<script>alert('title')</script>"
        date: 2024-01-01
        summary: "<b>bold</b> & <i>co</i>"
        source: {name: "<script>s</script>", url: "https://example.org/?a=1&b=<2>"}
        tags: ["<script>tag</script>"]
        entities:
          people:
            - {name: "Eve", description: "<script>alert('d')</script>"}
        annotations:
          - quote: Text about Eve
            note: "<script>alert('note')</script> [x](javascript:alert(1))"
            kind: context
        """,
}


def test_content_is_escaped_everywhere(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", HOSTILE)
    build(site)
    for page in (site / "site").rglob("*.html"):
        soup = parse_html(page)
        scripts = [s for s in soup.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
        assert scripts == [], page
        assert not soup.find_all(attrs={"onerror": True}), page
        assert not [a for a in soup.find_all("a", href=True) if a["href"].lower().startswith("javascript:")], page
    brief = parse_html(site / "site/briefs/x/index.html")
    assert brief.h1.get_text() == "<script>alert('title')</script>"


def test_annotations_json_ld_follows_the_web_annotation_model(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", HOSTILE)
    build(site, base_url="https://example.org/")
    data = json.loads((site / "site/briefs/x/annotations.jsonld").read_text())
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["total"] == 1
    item = data["first"]["items"][0]
    assert item["type"] == "Annotation" and item["motivation"] == "describing"
    assert item["target"]["source"] == "https://example.org/briefs/x/"
    quote, position = item["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "Text about Eve"
    assert quote["prefix"] and quote["suffix"].startswith("1")  # the page's text: the note number follows
    assert position["type"] == "TextPositionSelector" and position["end"] - position["start"] == len(quote["exact"])
    assert data["id"] == "https://example.org/briefs/x/annotations.jsonld" and data["last"] == data["first"]["id"]
    assert data["first"]["partOf"]["id"] == data["id"] and data["first"]["id"].startswith(data["id"] + "#")
    html_body = next(b for b in item["body"] if b["format"] == "text/html")
    assert "<script>" not in html_body["value"]


def test_entity_listed_but_never_named_is_a_warning(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "Ada wrote programs.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities:\n  people: [Ada, Charles Babbage]\n",
    })
    report = build(site)
    messages = [w.format_message() for w in report.warnings if w.path]  # not "search was skipped"
    assert len(messages) == 1 and "'Charles Babbage' is never named" in messages[0]
    assert messages[0].startswith(str(site / "content/a.yaml"))


def test_notes_list_links_both_ways(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", HOSTILE)
    build(site)
    soup = parse_html(site / "site/briefs/x/index.html")
    mark = soup.select_one("mark.annotation")
    note = soup.select_one("#note-1")
    assert mark["aria-describedby"] == "note-1" and mark["tabindex"] == "0"
    assert note.select_one("a.note__quote")["href"] == "#anno-1"
    assert note.select_one("a.note__back")["href"] == "#ref-1"
    assert soup.select_one("#ref-1")["href"] == "#note-1"
    assert "note--context" in note["class"]


def test_footnotes_in_the_body_and_in_notes_keep_their_own_ids(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "The budget grew.[^1] Ministers agreed.\n\n[^1]: Treasury figures.\n",
        "content/a.yaml": """
            title: A
            date: 2024-01-01
            annotations:
              - {quote: The budget grew., note: "Checked against the report.[^1]\\n\\n[^1]: Page 4."}
              - quote: Ministers agreed.
                note: "Two abstained.[^1] See [the first note](#note-1).\\n\\n[^1]: Per the minutes."
            """,
    })
    build(site)
    soup = parse_html(site / "site/briefs/a/index.html")
    ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(ids)
    for link in soup.select("a[href^='#']"):
        target = soup.find(id=link["href"][1:])
        assert target is not None, link
    assert len({a["href"] for a in soup.select("a.footnote-backref")}) == 3
    assert soup.find("a", string="the first note")["href"] == "#note-1", "a link to the page's own ids stays"
    notes = soup.select("a.footnote-ref")
    assert {soup.find(id=a["href"][1:]).get_text().strip().rstrip("↩").strip() for a in notes} == {
        "Treasury figures.", "Page 4.", "Per the minutes."}


def test_annotation_json_ld_quotes_the_page_text_not_the_sidecars_spelling(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "The plan is “fully funded — every penny”, she said.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nannotations:\n"
                          "  - {quote: '\"fully funded - every penny\"', note: Not quite.}\n",
    })
    build(site)
    data = json.loads((site / "site/briefs/a/annotations.jsonld").read_text())
    selector = data["first"]["items"][0]["target"]["selector"][0]
    assert selector["exact"] == "“fully funded — every penny”"
    page = parse_html(site / "site/briefs/a/index.html").get_text()
    assert selector["exact"] in page


def test_a_brief_without_summary_is_described_by_its_key_points_or_first_words(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "briefgen.yaml": "description: A site about many things.\n",
        "content/a.md": "- The council voted.\n- The barrier is funded.\n\nThe body.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "content/b.md": "The mayor *spoke* first. Then it rained.\n",
        "content/b.yaml": "title: B\ndate: 2024-01-02\n",
    })
    build(site)
    descriptions = {"a": "The council voted. The barrier is funded.", "b": "The mayor spoke first. Then it rained."}
    for slug, expected in descriptions.items():
        soup = parse_html(site / f"site/briefs/{slug}/index.html")
        assert soup.find("meta", attrs={"name": "description"})["content"] == expected
        assert soup.find("meta", property="og:description")["content"] == expected
        article = json.loads(soup.find("script", type="application/ld+json").string)
        assert article["description"] == expected


def test_a_one_character_name_is_never_linked_in_running_text(tmp_path: Path) -> None:
    """An entity may be named X (or Q), but matched as a word it would link every letter X and I."""
    site = write_site(tmp_path / "site", {
        "content/a.md": "I met X and Ada Lovelace. X is a letter.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities:\n  people: [Ada Lovelace, I]\n  organizations: [X]\n",
    })
    report = build(site)
    [paragraph] = [p for p in parse_html(site / "site/briefs/a/index.html").find_all("p") if "I met" in p.text]
    assert [a.text for a in paragraph.find_all("a")] == ["Ada Lovelace"]
    assert (site / "site/organizations/x/index.html").exists()
    assert sorted(w.message for w in report.warnings) == [
        "organizations entity 'X' has a one-character name, which is never linked in the text "
        "(give it an alias of two characters or more to link it)",
        "people entity 'I' has a one-character name, which is never linked in the text "
        "(give it an alias of two characters or more to link it)"]


def test_templates_compiled_by_one_command_are_reused_by_the_next(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    from briefgen.cache import CACHE_DIR

    site = write_site(tmp_path / "site", {
        "content/a.md": "Ada Lovelace wrote.\n", "content/a.yaml": "title: A\ndate: 2024-01-02\n",
        "templates/404.html": "{% extends 'base.html' %}{% block main %}<p>Not here (1).</p>{% endblock %}\n",
    })
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def compiling(self: jinja2.Environment, source: str, name: str | None = None, *args: object) -> object:
        compiled.append(name or "")
        return real(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", compiling)
    build(site, use_cache=True)
    assert "brief.html" in compiled and "404.html" in compiled
    assert list((site / CACHE_DIR / "templates").iterdir())
    compiled.clear()
    (site / "content/a.md").write_text("Ada Lovelace wrote again.\n")
    build(site, use_cache=True)  # a new command's build: its templates come compiled
    assert compiled == []
    (site / "templates/404.html").write_text(
        "{% extends 'base.html' %}{% block main %}<p>Not here (2).</p>{% endblock %}\n")
    build(site, use_cache=True)
    assert compiled == ["404.html"]  # the template edited, and it alone, is compiled again
    assert "Not here (2)." in (site / "site/404.html").read_text()
    # A cache that cannot be written: the build compiles them, and goes on.
    compiled.clear()
    other = tmp_path / "other"
    other.mkdir()
    (other / "templates").write_text("not a folder")
    (site / CACHE_DIR / "templates").rename(tmp_path / "moved")
    (other / "templates").rename(site / CACHE_DIR / "templates")
    (site / "content/a.md").write_text("Ada Lovelace wrote a third time.\n")
    build(site, use_cache=True)
    assert "brief.html" in compiled
    assert "a third time" in (site / "site/briefs/a/index.html").read_text()
