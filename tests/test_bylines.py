"""Bylines: `author:` in a sidecar, the built-in type `authors`, author pages and feeds, JSON-LD and Atom."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from briefgen.errors import BriefgenError

from sitekit import build, parse_html, write_site

SITE = {
    "briefgen.yaml": "title: Desk\nbase_url: https://example.org/news/\n",
    "content/entities.yaml": "authors:\n  - name: Jo Marsh\n    description: Harbour reporter.\n"
                             "    url: https://example.com/jo\n",
    "content/one.md": "Ada Lovelace met Jo Marsh.\n",
    "content/one.yaml": "title: One\ndate: 2024-03-01\nauthor: [Jo Marsh, Sam Okoro]\n"
                        "entities: {people: [Ada Lovelace]}\n",
    "content/two.md": "Ada Lovelace again.\n",
    "content/two.yaml": "title: Two\ndate: 2024-03-02\nauthor: Jo Marsh\nentities: {people: [Ada Lovelace]}\n",
}


def test_a_byline_links_each_author_whose_page_lists_their_briefs_with_a_feed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site)
    out = site / "site"
    one = parse_html(out / "briefs/one/index.html")
    byline = one.select_one("article .byline")
    assert byline.get_text(" ", strip=True) == "By Jo Marsh and Sam Okoro"
    assert [a["href"] for a in byline.find_all("a", rel="author")] == \
        ["../../authors/jo-marsh/index.html", "../../authors/sam-okoro/index.html"]
    # A byline is not a mention: the body's "Jo Marsh" is not linked, and authors are no chips or co-mentions.
    body_links = [a.get_text() for a in one.select("article a") if "authors/" in a.get("href", "")]
    assert body_links == ["Jo Marsh", "Sam Okoro"]
    jo = parse_html(out / "authors/jo-marsh/index.html")
    assert [a.get_text() for a in jo.select(".brief-list .brief-item__title a")] == ["Two", "One"]
    assert "Wrote 2 briefs" in jo.get_text(" ", strip=True)
    assert jo.find("a", href="https://example.com/jo") is not None
    assert jo.select_one(".co-mentions") is None
    ada = parse_html(out / "people/ada-lovelace/index.html")
    assert "authors/" not in str(ada.select_one(".co-mentions") or "")
    feed = feedparser.parse((out / "authors/jo-marsh/feed.xml").read_bytes())
    assert feed.bozo == 0 and [entry.title for entry in feed.entries] == ["Two", "One"]


def test_authors_are_in_json_ld_and_in_atom_and_json_feed_entries(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site)
    out = site / "site"
    page = parse_html(out / "briefs/one/index.html")
    article = next(data for script in page.find_all("script", type="application/ld+json")
                   if (data := json.loads(script.string)).get("@type") == "NewsArticle")
    assert article["author"] == [
        {"@type": "Person", "name": "Jo Marsh", "url": "https://example.org/news/authors/jo-marsh/",
         "sameAs": "https://example.com/jo"},
        {"@type": "Person", "name": "Sam Okoro", "url": "https://example.org/news/authors/sam-okoro/"}]
    assert all(item["name"] not in ("Jo Marsh", "Sam Okoro") for item in article.get("mentions", []))
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    one = next(entry for entry in feed.entries if entry.title == "One")
    assert [(a.name, a.href) for a in one.authors] == [
        ("Jo Marsh", "https://example.org/news/authors/jo-marsh/"),
        ("Sam Okoro", "https://example.org/news/authors/sam-okoro/")]
    items = json.loads((out / "feed.json").read_text())["items"]
    assert next(item for item in items if item["title"] == "One")["authors"][0] == \
        {"name": "Jo Marsh", "url": "https://example.org/news/authors/jo-marsh/"}


@pytest.mark.parametrize(("sidecar", "registry", "message"), [
    ("author: '!!!'\n", "", "an author needs a name with letters or digits"),
    ("author: [Jo Marsh]\nauthr: x\n", "", "unknown key 'authr'"),
    ("author: Jo Marsh\n", "authors:\n  - {name: Jo Marsh, url: 'ftp://x'}\n", "is not an http or https URL"),
])
def test_bad_bylines_are_located_errors(tmp_path: Path, sidecar: str, registry: str, message: str) -> None:
    files = {"content/a.md": "Text.\n", "content/a.yaml": f"title: A\ndate: 2024-01-01\n{sidecar}"}
    if registry:
        files["content/entities.yaml"] = registry
    site = write_site(tmp_path / "site", files)
    with pytest.raises(BriefgenError) as caught:
        build(site)
    assert message in caught.value.format_message()
