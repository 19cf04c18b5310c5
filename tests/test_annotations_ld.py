"""The annotation JSON-LD is a valid W3C Web Annotation model: the W3C test suite's MUST assertions.

The assertions and their definitions are the suite's own JSON Schemas, vendored
in tests/w3c-annotation/ (see its README), checked with the `jsonschema` package.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from annotated_site import write_annotated_site
from sitekit import build

jsonschema = pytest.importorskip("jsonschema", reason="the test extra's jsonschema is not installed")
referencing = pytest.importorskip("referencing")

SUITE = Path(__file__).resolve().parent / "w3c-annotation"
MUSTS = {"collection": "collections/collectionMusts.test", "page": "collections/pages/pageMusts.test",
         "annotation": "annotations/annotationMusts.test"}


@cache
def validators(kind: str) -> tuple[tuple[str, str, object], ...]:
    """(assertion, expected result, validator) for each MUST assertion of one kind of object."""
    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"], referencing.Resource.from_contents(
            schema, default_specification=referencing.jsonschema.DRAFT4)))
    registry = referencing.Registry().with_resources(resources)
    result = []
    for name in json.loads((SUITE / MUSTS[kind]).read_text(encoding="utf-8"))["assertions"]:
        schema = json.loads((SUITE / name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft4Validator(schema, registry=registry,
                                               format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
        result.append((name, schema.get("expectedResult", "valid"), validator))
    return tuple(result)


def failed_musts(kind: str, value: object) -> list[str]:
    return [name for name, expected, validator in validators(kind)
            if validator.is_valid(value) != (expected == "valid")]  # type: ignore[attr-defined]


def check_collection(path: Path) -> int:
    """Every MUST of the collection, its page and each annotation; returns how many annotations."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert failed_musts("collection", data) == [], path
    assert failed_musts("page", data) == [], path
    assert failed_musts("page", {"@context": data["@context"], **data["first"]}) == [], path
    items = data["first"]["items"]
    assert items and data["total"] == len(items)
    for item in items:
        assert failed_musts("annotation", {"@context": data["@context"], **item}) == [], (path, item["id"])
    return len(items)


def absolute(iri: str) -> bool:
    return bool(urlsplit(iri).scheme and urlsplit(iri).netloc)


def test_collections_of_hand_made_briefs_meet_every_must(tmp_path: Path) -> None:
    site = write_annotated_site(tmp_path)
    build(site, site / "site", base_url="https://example.org/news/")
    collections = sorted((site / "site").glob("briefs/*/annotations.jsonld"))
    assert [path.parent.name for path in collections] == ["links", "overlaps", "repeats", "wire"]
    assert sum(check_collection(path) for path in collections) == 21
    data = json.loads(collections[0].read_text(encoding="utf-8"))
    page = data["first"]
    # Ids are IRIs (the suite's format "uri"): checked here too, as jsonschema checks it only with extras.
    assert all(absolute(iri) for iri in (data["id"], page["id"], page["partOf"]["id"], data["last"],
                                         *(item["id"] for item in page["items"])))
    assert data["last"] == page["id"] and page["partOf"] == {"id": data["id"], "total": data["total"]}


def test_generated_collections_meet_every_must(generated_out: Path) -> None:
    collections = sorted(generated_out.glob("briefs/*/annotations.jsonld"))
    assert sum(check_collection(path) for path in collections) > 200


def test_brief_without_annotations_publishes_no_collection_and_no_link(tmp_path: Path) -> None:
    site = write_annotated_site(tmp_path)
    build(site, site / "site")
    assert not (site / "site/briefs/plain/annotations.jsonld").exists()
    assert "annotations.jsonld" not in (site / "site/briefs/plain/index.html").read_text(encoding="utf-8")
    assert 'href="annotations.jsonld"' in (site / "site/briefs/links/index.html").read_text(encoding="utf-8")


def test_who_when_and_verdict_are_shown_exported_and_inert(tmp_path: Path) -> None:
    from sitekit import parse_html

    site = write_annotated_site(tmp_path)
    build(site, site / "site", base_url="https://example.org/news/")
    page = parse_html(site / "site/briefs/links/index.html")
    note = page.select_one("#note-4")
    assert note.select_one(".note__byline").get_text() == \
        "Fact check by Eve <script>alert(1)</script>, 3 May 2024"
    assert note.select_one(".note__byline a")["href"] == "https://example.org/eve?a=1&b=%3C2%3E"
    verdict = note.select_one(".verdict")
    assert "verdict--false" in verdict["class"]
    assert verdict.get_text() == "Verdict: False <img src=x onerror=alert(1)> (1 on a scale from 1 to 5)"
    assert not page.find_all(attrs={"onerror": True}) and not page.select("main script")
    reviews = json.loads(page.find_all("script", type="application/ld+json")[1].string)
    assert [r["@type"] for r in reviews] == ["ClaimReview"]
    review = reviews[0]
    assert review["claimReviewed"] == "very important for Charles"
    assert review["url"] == "https://example.org/news/briefs/links/#note-4"
    assert review["author"] == {"@type": "Person", "name": "Eve <script>alert(1)</script>",
                                "url": "https://example.org/eve?a=1&b=%3C2%3E"}
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "False <img src=x onerror=alert(1)>",
                                      "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.org/story"
    assert review["datePublished"] == "2024-05-03"
    item = json.loads((site / "site/briefs/links/annotations.jsonld").read_text())["first"]["items"][3]
    assert item["creator"]["name"] == "Eve <script>alert(1)</script>" and item["created"].startswith("2024-05-03T")
    overlaps = parse_html(site / "site/briefs/overlaps/index.html")
    assert "verdict--mixed" in overlaps.select_one(".verdict")["class"]
    assert overlaps.select_one(".note__byline").get_text().startswith("Fact check by Desk, 3 May 2024")
    # Notes without a rating publish no ClaimReview.
    assert len(overlaps.find_all("script", type="application/ld+json")) == 2
    assert len(parse_html(site / "site/briefs/repeats/index.html").find_all("script", type="application/ld+json")) == 1


def test_without_base_url_no_claim_review_is_published_and_the_build_says_why(tmp_path: Path) -> None:
    from sitekit import parse_html

    site = write_annotated_site(tmp_path)
    report = build(site, site / "site")
    page = parse_html(site / "site/briefs/links/index.html")
    kinds = [json.loads(script.string) for script in page.find_all("script", type="application/ld+json")]
    assert [data.get("@type") for data in kinds if isinstance(data, dict)] == ["NewsArticle"]
    assert not [data for data in kinds if isinstance(data, list)]  # the ClaimReview list is left out
    assert any("ClaimReview" in note and "base_url" in note for note in report.notes)
    assert page.select_one("#note-4 .verdict") is not None  # the verdict itself is still shown


def test_the_note_on_claim_review_follows_the_rated_notes_across_cached_builds(tmp_path: Path) -> None:
    """Each build says why ClaimReview is left out while a published note rates a claim: also a build
    that reads the briefs from the cache, whose annotations it does not read."""
    from briefgen import store
    from briefgen.build import Builder

    site = write_annotated_site(tmp_path)

    def says_why() -> bool:
        store.forget_readers()  # a new command each time
        report = Builder(site, jobs=1).build()
        return any("ClaimReview" in note for note in report.notes)

    assert says_why()
    rated = [path for path in (site / "content").rglob("*.yaml") if "rating:" in path.read_text(encoding="utf-8")]
    assert rated
    article = next(path for path in (site / "content").rglob("*.md") if path.with_suffix(".yaml") not in rated)
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert says_why()  # an edit elsewhere: the rated notes are still published
    overlaps, links = site / "content/overlaps.yaml", site / "content/links.yaml"
    assert set(rated) == {overlaps, links}
    overlaps.write_text(overlaps.read_text(encoding="utf-8").replace(", rating: Misleading", ""), encoding="utf-8")
    assert says_why()  # one rated note is left
    links.write_text("\n".join(line for line in links.read_text(encoding="utf-8").splitlines()
                               if "rating:" not in line) + "\n", encoding="utf-8")
    assert not says_why()


def test_feed_entries_show_each_note_with_its_verdict_author_and_date(tmp_path: Path) -> None:
    import feedparser
    from bs4 import BeautifulSoup

    site = write_annotated_site(tmp_path)
    build(site, site / "site", base_url="https://example.org/news/")
    feed = feedparser.parse((site / "site/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.link.endswith("/briefs/links/"))
    content = BeautifulSoup(entry.content[0].value, "html5lib")
    note = content.find(id="note-4")
    text = note.get_text(" ", strip=True)
    assert "Verdict: False <img src=x onerror=alert(1)> (1 on a scale from 1 to 5)" in text
    assert "Fact check by Eve <script>alert(1)</script> , 3 May 2024" in text
    assert note.find("a", string="Eve <script>alert(1)</script>")["href"] == "https://example.org/eve?a=1&b=%3C2%3E"
    assert not content.find_all("script") and not content.find_all(attrs={"onerror": True})
