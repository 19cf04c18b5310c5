"""Atom feeds of the site and of each entity, and the JSON Feed: valid, stable, linked."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from sitekit import broken_links, build, parse_html, write_site

A = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

SITE = {
    "content/old.md": "Ada Lovelace wrote to Charles Babbage from London.\n",
    "content/old.yaml": """
        title: Old letters
        date: 2024-03-01
        source: {name: Archive, author: Jane Roe}
        entities:
          people: [Ada Lovelace, Charles Babbage]
          places: [London]
        tags: [History]
        annotations:
          - quote: wrote to Charles Babbage
            note: The letters survive.
        """,
    "content/new.md": "Charles Babbage spoke in [London](/places/london/).\n\n- a list\n- of things\n",
    "content/new.yaml": """
        title: "A <new> brief & more"
        date: 2024-03-05T14:30:00
        summary: Babbage speaks.
        entities:
          people: [Charles Babbage]
          places: [London]
        """,
}


def atom_problems(path: Path) -> list[str]:
    """What RFC 4287 requires of a feed and its entries that this document lacks."""
    root = ET.parse(path).getroot()
    problems = []
    if root.tag != f"{A}feed":
        return [f"root is {root.tag}"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{A}{name}")) != 1:
            problems.append(f"feed needs exactly one {name}")
    feed_author = root.find(f"{A}author") is not None
    if not any(link.get("rel") == "self" for link in root.findall(f"{A}link")):
        problems.append("feed has no rel=self link")
    ids = []
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{A}{name}")) != 1:
                problems.append(f"entry needs exactly one {name}")
        ids.append(entry.findtext(f"{A}id"))
        if not feed_author and entry.find(f"{A}author") is None:
            problems.append("entry has no author and the feed none either")
        if entry.find(f"{A}content") is None and not any(
                link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{A}link")):
            problems.append("entry without content needs an alternate link")
        if len(entry.findall(f"{A}summary")) > 1:
            problems.append("entry has two summaries")
    if len(ids) != len(set(ids)):
        problems.append("entry ids repeat")
    return problems


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("feeds"), SITE)
    build(site)
    return site / "site"


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("feeds-hosted"), SITE)
    build(site, base_url="https://example.org/news/")
    return site / "site"


def test_example_feeds_parse_without_errors(example_out: Path) -> None:
    feeds = [example_out / "feed.xml", *sorted(example_out.glob("*/*/feed.xml"))]
    assert len(feeds) == 1 + 16
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10" and parsed.entries, path
        assert atom_problems(path) == [], path


def test_site_feed_is_newest_first_with_stable_ids(plain: Path) -> None:
    parsed = feedparser.parse((plain / "feed.xml").read_bytes())
    assert [e.title for e in parsed.entries] == ["A <new> brief & more", "Old letters"]
    assert [e.id for e in parsed.entries] == ["tag:briefgen.invalid,2024-03-05:briefs/new",
                                               "tag:briefgen.invalid,2024-03-01:briefs/old"]
    # updated is the newest entry's date, never the time of the build.
    assert parsed.feed.updated == "2024-03-05T14:30:00+00:00"
    assert parsed.entries[1].author == "Jane Roe"
    assert parsed.feed.author == "Briefs"


def test_ids_and_links_are_absolute_with_base_url(hosted: Path) -> None:
    parsed = feedparser.parse((hosted / "feed.xml").read_bytes())
    entry = parsed.entries[0]
    assert entry.id == entry.link == "https://example.org/news/briefs/new/"
    assert parsed.feed.id == "https://example.org/news/feed.xml"
    assert {link.rel: link.href for link in parsed.feed.links} == {
        "self": "https://example.org/news/feed.xml", "alternate": "https://example.org/news/"}
    entity = feedparser.parse((hosted / "people/charles-babbage/feed.xml").read_bytes())
    assert entity.feed.id == "https://example.org/news/people/charles-babbage/feed.xml"
    assert [e.id for e in entity.entries] == [e.id for e in parsed.entries]


@pytest.fixture(scope="module")
def whole_entity_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = dict(SITE)
    files["briefgen.yaml"] = "feed:\n  entity_full_content: true\n"
    site = write_site(tmp_path_factory.mktemp("feeds-whole"), files)
    build(site)
    return site / "site"


def test_entity_feeds_carry_summaries_unless_asked(plain: Path, whole_entity_feeds: Path) -> None:
    for entry in ET.parse(plain / "places/london/feed.xml").getroot().findall(f"{A}entry"):
        assert entry.find(f"{A}content") is None
        assert entry.findtext(f"{A}summary")
    # No summary in the sidecar: the start of the body stands in, as plain text.
    old = feedparser.parse((plain / "people/ada-lovelace/feed.xml").read_bytes()).entries[0]
    assert old.summary == "Ada Lovelace wrote to Charles Babbage from London."
    assert atom_problems(plain / "places/london/feed.xml") == []
    whole = ET.parse(whole_entity_feeds / "places/london/feed.xml").getroot().findall(f"{A}entry")
    assert all(entry.find(f"{A}content") is not None for entry in whole)
    # The site feed is whole either way.
    assert ET.parse(whole_entity_feeds / "feed.xml").getroot().find(f"{A}entry/{A}content") is not None


def test_full_content_has_xml_base_so_relative_links_resolve(plain: Path, whole_entity_feeds: Path) -> None:
    for feed in (plain / "feed.xml", whole_entity_feeds / "places/london/feed.xml"):
        root = ET.parse(feed).getroot()
        for entry in root.findall(f"{A}entry"):
            content = entry.find(f"{A}content")
            assert content is not None and content.get("type") == "html"
            assert content.get(XML_BASE) == entry.find(f"{A}link").get("href")
            base = urljoin(feed.as_uri(), content.get(XML_BASE))
            soup = parse_html_text(content.text or "")
            assert soup.find_all("a", href=True)
            for anchor in soup.find_all("a", href=True):
                target = urlsplit(urljoin(base, anchor["href"]))
                if target.scheme == "file":
                    assert Path(target.path).is_file(), (feed, anchor["href"])
            alternate = urljoin(feed.as_uri(), entry.find(f"{A}link").get("href"))
            assert Path(urlsplit(alternate).path).is_file()


def parse_html_text(html: str):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html5lib")


def test_entry_content_is_the_brief_body_with_key_points_and_notes(plain: Path) -> None:
    parsed = feedparser.parse((plain / "feed.xml").read_bytes())
    old = parsed.entries[1]
    html = old.content[0].value
    assert "wrote to" in html and "The letters survive." in html
    assert 'href="../../people/charles-babbage/index.html"' in html
    new = parsed.entries[0]
    assert new.summary == "Babbage speaks."
    assert "<li>a list</li>" in new.content[0].value


def test_entity_feeds_follow_one_entity(plain: Path) -> None:
    parsed = feedparser.parse((plain / "people/ada-lovelace/feed.xml").read_bytes())
    assert parsed.bozo == 0
    assert [e.title for e in parsed.entries] == ["Old letters"]
    assert parsed.feed.title == "Ada Lovelace · Briefs"
    assert parsed.entries[0].link == "../../briefs/old/index.html"


def test_pages_link_their_feeds(plain: Path) -> None:
    home = parse_html(plain / "index.html")
    alternates = {link["type"]: link["href"] for link in home.find_all("link", rel="alternate")}
    assert alternates == {"application/atom+xml": "feed.xml", "application/feed+json": "feed.json"}
    entity = parse_html(plain / "people/ada-lovelace/index.html")
    atom = [link["href"] for link in entity.find_all("link", rel="alternate", type="application/atom+xml")]
    assert atom == ["../../feed.xml", "../../people/ada-lovelace/feed.xml"]
    visible = entity.select_one("main a.feed-link")
    assert visible["href"] == "../../people/ada-lovelace/feed.xml" and "Atom feed" in visible.get_text()


def test_summary_only_and_entry_limit_follow_the_config(tmp_path: Path) -> None:
    files = dict(SITE)
    files["briefgen.yaml"] = "feed:\n  full_content: false\n  entries: 1\n"
    site = write_site(tmp_path / "site", files)
    build(site)
    root = ET.parse(site / "site/feed.xml").getroot()
    entries = root.findall(f"{A}entry")
    assert len(entries) == 1 and entries[0].find(f"{A}content") is None
    assert entries[0].findtext(f"{A}summary") == "Babbage speaks."
    assert atom_problems(site / "site/feed.xml") == []
    data = json.loads((site / "site/feed.json").read_text())
    assert len(data["items"]) == 1 and data["items"][0]["content_text"] == "Babbage speaks."
    old = ET.parse(site / "site/people/ada-lovelace/feed.xml").getroot().find(f"{A}entry")
    # No summary in the sidecar: the start of the body stands in.
    assert old.findtext(f"{A}summary").startswith("Ada Lovelace wrote to Charles Babbage")


def test_hostile_text_stays_well_formed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/x.md": "Eve said \x01 <b>hi</b> & ]]> bye \x0b.\n",
        "content/x.yaml": """
            title: "<script>&amp; \\x01 ]]> \\x1f title"
            date: 2024-01-01
            summary: "a \\x0c b < c"
            source: {author: "\\x02 <Eve> & co"}
            tags: ["a&b", "<t>"]
            entities:
              people: [{name: Eve, description: "\\x03 <d> & e"}]
            """,
    })
    build(site, base_url="https://example.org/")
    for path in (site / "site/feed.xml", site / "site/people/eve/feed.xml"):
        ET.parse(path)  # well-formed XML 1.0: control characters are gone, markup escaped
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "<script>&amp;  ]]>  title"
        entry = parsed.entries[0]
        assert "\x01" not in (entry.content[0].value if "content" in entry else entry.summary)
    assert feedparser.parse((site / "site/feed.xml").read_bytes()).entries[0].author.strip() == "<Eve> & co"
    data = json.loads((site / "site/feed.json").read_text())
    assert data["items"][0]["title"] == "<script>&amp;  ]]>  title"


def test_json_feed_matches_the_atom_feed(plain: Path, hosted: Path) -> None:
    for out in (plain, hosted):
        data = json.loads((out / "feed.json").read_text(encoding="utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        atom = feedparser.parse((out / "feed.xml").read_bytes())
        assert [item["id"] for item in data["items"]] == [e.id for e in atom.entries]
        assert [item["title"] for item in data["items"]] == [e.title for e in atom.entries]
        assert all("content_html" in item and item["date_published"] for item in data["items"])
    hosted_data = json.loads((hosted / "feed.json").read_text())
    assert hosted_data["feed_url"] == "https://example.org/news/feed.json"
    assert hosted_data["home_page_url"] == "https://example.org/news/"


def test_an_empty_site_still_has_a_valid_feed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"briefgen.yaml": "title: Nothing yet\n"})
    (site / "content").mkdir()
    build(site)
    assert atom_problems(site / "site/feed.xml") == []
    parsed = feedparser.parse((site / "site/feed.xml").read_bytes())
    assert parsed.bozo == 0 and parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00+00:00"


def test_old_dates_in_local_mean_time_are_valid_timestamps_and_archive_links(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "briefgen.yaml": "timezone: Europe/Paris\nbase_url: https://example.org/\n",
        "content/old.md": "Ada Lovelace wrote.\n",
        "content/old.yaml": "title: Old\ndate: 0800-12-25\n",
        "content/lmt.md": "Ada Lovelace wrote.\n",
        "content/lmt.yaml": "title: Paris before standard time\ndate: 1850-06-01T12:00:00\n",
    })
    build(site)
    out = site / "site"
    stamps = re.findall(r"<(?:published|updated)>([^<]+)<", (out / "feed.xml").read_text())
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", s) for s in stamps), stamps
    assert "1850-06-01T11:50:39+00:00" in stamps
    assert (out / "archive/0800/12/index.html").is_file()
    assert broken_links(out, base_path="/") == []


@pytest.mark.parametrize("base_url", [None, "https://example.org/news/"])
def test_json_feed_content_links_work_from_the_feed(tmp_path: Path, base_url: str | None) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "Ada Lovelace wrote [an essay](/briefs/b/) and a [note](#key).\n",
        "content/a.yaml": "title: A\ndate: 2024-01-02\nentities: {people: [Ada Lovelace]}\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-01\n",
    })
    build(site, base_url=base_url)
    out = site / "site"
    item = next(i for i in json.loads((out / "feed.json").read_text())["items"] if i["title"] == "A")
    soup = BeautifulSoup(item["content_html"], "html5lib")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert len(hrefs) == 3
    for href in hrefs:
        path = href[len(base_url):] if base_url else href
        assert not path.startswith(("../", "http")), href
        assert (out / urlsplit(path).path).is_file(), href
    assert any(href.endswith("briefs/a/index.html#key") for href in hrefs)
