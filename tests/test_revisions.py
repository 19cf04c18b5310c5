"""Updates, corrections and a language per brief: on the page, in JSON-LD, feeds and sitemaps; bad ones refused."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

from briefgen.errors import BriefgenError

from sitekit import build, parse_html, write_site

REVISED = {
    "briefgen.yaml": "base_url: https://example.org/news/\n",
    "content/a.md": "Ada Lovelace wrote the first program.\n",
    "content/a.yaml": """
        title: The first program
        date: 2024-03-01
        updated: 2024-03-05T10:30:00
        corrections:
          - date: 2024-03-02
            text: An earlier version misspelled Lovelace.
          - date: 2024-03-04
            text: The program's date was wrong.
        """,
    "content/ar.md": "قال الرئيس إن المحادثات جارية.\n",
    "content/ar.yaml": "title: المحادثات جارية\ndate: 2024-03-03\nlanguage: ar\nsummary: ملخص قصير\n",
    "content/ja.md": "東京で会議が開かれた。\n",
    "content/ja.yaml": "title: 東京で会議\ndate: 2024-03-04\nlanguage: ja\ncorrections: [{date: 2024-03-06, text: 日付を訂正}]\n",
}


def test_updates_and_corrections_show_everywhere(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", REVISED)
    build(site)
    out = site / "site"
    page = parse_html(out / "briefs/a/index.html")
    updated = page.select_one(".updated time")
    assert updated["datetime"].startswith("2024-03-05T10:30:00") and "5 March 2024" in updated.get_text()
    log = [item.get_text(" ", strip=True) for item in page.select(".corrections li")]
    assert log[0].endswith("The program's date was wrong.") and log[1].endswith("misspelled Lovelace.")
    assert page.find("meta", property="article:modified_time")["content"].startswith("2024-03-05T10:30:00")
    article = next(data for data in (json.loads(s.string) for s in page.find_all("script", type="application/ld+json"))
                   if data.get("@type") == "NewsArticle")
    assert article["dateModified"].startswith("2024-03-05T10:30:00") and article["datePublished"].startswith("2024-03-01")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    entries = {entry.title: entry for entry in feed.entries}
    assert entries["The first program"].updated.startswith("2024-03-05T10:30:00")
    assert entries["東京で会議"].updated.startswith("2024-03-06")  # no `updated:`: the newest correction
    assert feed.feed.updated.startswith("2024-03-06")
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/news/briefs/a/</loc><lastmod>2024-03-05T10:30:00" in sitemap.replace("\n", "").replace(" ", "")


def test_a_brief_in_another_language_says_so(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", REVISED)
    build(site)
    out = site / "site"
    arabic = parse_html(out / "briefs/ar/index.html")
    assert arabic.html["lang"] == "ar" and arabic.html["dir"] == "rtl"
    japanese = parse_html(out / "briefs/ja/index.html")
    assert japanese.html["lang"] == "ja" and not japanese.html.has_attr("dir")
    english = parse_html(out / "briefs/a/index.html")
    assert english.html["lang"] == "en" and not english.html.has_attr("dir")
    ld = next(json.loads(s.string) for s in arabic.find_all("script", type="application/ld+json"))
    assert ld["inLanguage"] == "ar"
    home = parse_html(out / "index.html")
    titles = {h.get_text(strip=True): h for h in home.select(".brief-item__title")}
    assert titles["المحادثات جارية"]["lang"] == "ar" and titles["المحادثات جارية"]["dir"] == "auto"
    assert not titles["The first program"].has_attr("lang")
    atom = ElementTree.parse(out / "feed.xml").getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    languages = {entry.findtext("{http://www.w3.org/2005/Atom}title"): entry.get(lang)
                 for entry in atom.iter("{http://www.w3.org/2005/Atom}entry")}
    assert atom.get(lang) == "en"
    assert languages == {"المحادثات جارية": "ar", "東京で会議": "ja", "The first program": None}
    assert json.loads((out / "feed.json").read_text())["items"][0]["language"] in ("ja", "ar")


@pytest.mark.parametrize(("sidecar", "line", "message"), [
    ("title: A\ndate: 2024-03-05\nupdated: 2024-03-01\n", 3, "'updated' (2024-03-01) is before the brief's date"),
    ("title: A\ndate: 2024-03-05\ncorrections:\n  - date: 2024-03-01\n    text: x\n", 4,
     "correction 1 is dated before the brief"),
    ("title: A\ndate: 2024-03-05\nupdated: 2024-03-06\ncorrections:\n  - date: 2024-03-08\n    text: x\n", 3,
     "'updated' is before the newest correction"),
    ("title: A\ndate: 2024-03-05\ncorrections:\n  - date: 2024-03-08\n    txt: x\n", 5,
     "unknown key 'txt' in correction 1"),
    ("title: A\ndate: 2024-03-05\ncorrections:\n  - date: 2024-03-08\n", 4, "missing required key 'text'"),
    ("title: A\ndate: 2024-03-05\ncorrections: fixed\n", 3, "'corrections' must be a list"),
    ("title: A\ndate: 2024-03-05\nlanguage: english_US\n", 3, "language 'english_US' is not a language tag"),
    ("title: A\ndate: 2024-03-05\nupdated: soon\n", 3, "'updated': "),
    ("title: A\ndate: 2024-03-05\nupdate: 2024-03-06\n", 3, "unknown key 'update'"),
])
def test_bad_revisions_are_located_errors(tmp_path: Path, sidecar: str, line: int, message: str) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n", "content/a.yaml": sidecar})
    with pytest.raises(BriefgenError) as caught:
        build(site)
    shown = caught.value.format_message()
    assert f"a.yaml:{line}: {message}" in shown, shown
    assert not (site / "site").exists()
