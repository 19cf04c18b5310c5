"""Brief pages describe themselves: schema.org NewsArticle JSON-LD, Open Graph and Twitter card tags."""

from __future__ import annotations

import json
from pathlib import Path

from sitekit import build, parse_html, write_site

SITE = {
    "briefgen.yaml": "title: The <Gazette> & Co\n",
    "content/x.md": "Ada Lovelace met people at the Royal Society in London to discuss computing.\n",
    "content/x.yaml": """
        title: "Lovelace </script><script>alert(1)</script> & Babbage"
        date: 2024-03-01T10:00:00
        summary: A short summary.
        source: {name: Wire, url: "https://wire.example.org/a?b=1&c=2", author: Jane Roe}
        tags: [History]
        entities:
          people: [{name: Ada Lovelace, wikidata: Q7259}]
          organizations: [Royal Society]
          places: [London]
          topics: [Computing]
        """,
}


def json_ld(page: Path) -> list[dict]:
    soup = parse_html(page)
    return [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]


def meta(page: Path) -> dict[str, str]:
    soup = parse_html(page)
    return {tag.get("property") or tag.get("name"): tag["content"] for tag in soup.find_all("meta", content=True)}


def test_brief_page_has_news_article_json_ld(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site)
    (article,) = json_ld(site / "site/briefs/x/index.html")
    assert article["@context"] == "https://schema.org" and article["@type"] == "NewsArticle"
    assert article["headline"] == "Lovelace </script><script>alert(1)</script> & Babbage"
    assert article["datePublished"] == "2024-03-01T10:00:00+00:00"
    assert article["author"] == [{"@type": "Person", "name": "Jane Roe"}]
    assert article["publisher"] == {"@type": "Organization", "name": "The <Gazette> & Co"}
    assert article["isBasedOn"] == "https://wire.example.org/a?b=1&c=2"
    assert "url" not in article and "dateModified" not in article
    mentions = {m["name"]: m for m in article["mentions"]}
    assert mentions["Ada Lovelace"] == {"@type": "Person", "name": "Ada Lovelace",
                                        "sameAs": "https://www.wikidata.org/wiki/Q7259"}
    assert mentions["Royal Society"]["@type"] == "Organization"
    assert mentions["London"]["@type"] == "Place"
    assert article["about"] == [{"@type": "Thing", "name": "Computing"}]
    html = (site / "site/briefs/x/index.html").read_text()
    assert "<script>alert(1)" not in html  # `<` is escaped inside JSON-LD, so no tag can close it early
    scripts = parse_html(site / "site/briefs/x/index.html").find_all("script")
    assert [s.get("type") or s.get("src") for s in scripts] == ["application/ld+json", "../../assets/briefgen.js"]


def test_urls_are_given_when_base_url_is_set(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site, base_url="https://example.org/")
    (article,) = json_ld(site / "site/briefs/x/index.html")
    assert article["url"] == article["mainEntityOfPage"] == "https://example.org/briefs/x/"
    assert {m["name"]: m["url"] for m in article["mentions"]}["London"] == "https://example.org/places/london/"
    tags = meta(site / "site/briefs/x/index.html")
    assert tags["og:url"] == "https://example.org/briefs/x/"


def test_open_graph_and_twitter_tags(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site)
    tags = meta(site / "site/briefs/x/index.html")
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Lovelace </script><script>alert(1)</script> & Babbage"
    assert tags["og:description"] == tags["description"] == "A short summary."
    assert tags["og:site_name"] == "The <Gazette> & Co"
    assert tags["article:published_time"] == "2024-03-01T10:00:00+00:00"
    assert tags["article:tag"] == "History"
    assert tags["twitter:card"] == "summary"
    assert "og:url" not in tags
    home = meta(site / "site/index.html")
    assert home["og:type"] == "website" and home["og:title"] == "The <Gazette> & Co"


def test_example_json_ld_parses_on_every_page(example_out: Path) -> None:
    for page in example_out.rglob("*.html"):
        for data in json_ld(page):
            assert data["@context"] == "https://schema.org"
    (article,) = json_ld(example_out / "briefs/putin-washington-invite/index.html")
    people = [m for m in article["mentions"] if m["@type"] == "Person"]
    assert {"@type": "Person", "name": "Vladimir Putin", "description": "President of Russia.",
            "sameAs": "https://www.wikidata.org/wiki/Q7747"} in people
