"""sitemap.xml, the Google News sitemap and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.config import Config
from briefgen.sitemap import MAX_URLS, SitemapUrl, _document, _text, absolute, sitemap_files

from sitekit import build, write_site

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "https://example.org/news/"


def brief(slug: str, date: str, title: str = "T") -> dict[str, str]:
    return {f"content/{slug}.md": "Ada Lovelace in London.\n",
            f"content/{slug}.yaml": f"title: \"{title}\"\ndate: {date}\nentities:\n  people: [Ada Lovelace]\n"
                                    "  places: [London]\ntags: [History]\n"}


SITE = {**brief("newest", "2024-03-10T09:00:00", "Newest <one> & only"), **brief("day-before", "2024-03-09"),
        **brief("two-days", "2024-03-08T09:00:00"), **brief("older", "2024-03-08T08:59:00"),
        **brief("old", "2023-01-01")}


def locs(path: Path) -> list[str]:
    return [loc.text or "" for loc in ET.parse(path).getroot().iter(f"{SM}loc")]


def test_without_base_url_there_is_no_sitemap_but_a_note_and_robots_txt(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    site = write_site(tmp_path / "site", SITE)
    report = build(site)
    out = site / "site"
    assert not (out / "sitemap.xml").exists() and not (out / "news-sitemap.xml").exists()
    assert any("sitemap" in note and "base_url" in note for note in report.notes)
    robots = (out / "robots.txt").read_text()
    assert "User-agent: *" in robots and "\nSitemap:" not in robots
    assert main(["build", str(site)]) == 0
    assert "note: sitemap.xml and news-sitemap.xml were not written" in capsys.readouterr().out


def test_sitemap_lists_every_page_with_absolute_urls(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site, base_url=BASE)
    out = site / "site"
    urls = locs(out / "sitemap.xml")
    assert urls[0] == BASE and len(urls) == len(set(urls))
    pages = {str(p.relative_to(out)) for p in out.rglob("index.html")} - {"search/index.html"}
    assert len(urls) == len(pages)
    for url in urls:
        assert url.startswith(BASE)
        assert (out / url[len(BASE):] / "index.html").is_file(), url
    assert BASE + "search/" not in urls and not any(u.endswith("404.html") for u in urls)
    root = ET.parse(out / "sitemap.xml").getroot()
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.iter(f"{SM}url")}
    assert lastmod[BASE + "briefs/old/"] == "2023-01-01"
    assert lastmod[BASE + "briefs/newest/"] == "2024-03-10T09:00:00+00:00"
    assert lastmod[BASE + "people/ada-lovelace/"] == "2024-03-10T09:00:00+00:00"
    robots = (out / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots and f"Sitemap: {BASE}news-sitemap.xml" in robots


def test_canonical_links_are_absolute_but_pages_relative(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    build(site, base_url=BASE)
    html = (site / "site/briefs/newest/index.html").read_text()
    assert f'<link rel="canonical" href="{BASE}briefs/newest/">' in html
    assert 'href="../../people/ada-lovelace/index.html"' in html


def epoch(when: str) -> str:
    """SOURCE_DATE_EPOCH for an ISO date-time in UTC."""
    return str(int(datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()))


def test_news_sitemap_holds_two_days_before_the_build_time(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2024-03-10T09:00:00"))
    site = write_site(tmp_path / "site", SITE)
    build(site, base_url=BASE)
    root = ET.parse(site / "site/news-sitemap.xml").getroot()
    urls = root.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [BASE + "briefs/newest/", BASE + "briefs/day-before/",
                                                      BASE + "briefs/two-days/"]
    first = urls[0].find(f"{NEWS}news")
    assert first.findtext(f"{NEWS}publication/{NEWS}name") == "Briefs"
    assert first.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert first.findtext(f"{NEWS}title") == "Newest <one> & only"
    assert first.findtext(f"{NEWS}publication_date") == "2024-03-10T09:00:00+00:00"
    assert urls[1].find(f"{NEWS}news").findtext(f"{NEWS}publication_date") == "2024-03-09"


def test_a_brief_dated_years_ahead_neither_empties_the_news_sitemap_nor_leads(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A typo'd year (2204) once moved the news window to 2204 and topped the home page and the feed."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2024-03-11T00:00:00"))
    site = write_site(tmp_path / "site", {**SITE, **brief("typo", "2204-03-10", "Typo")})
    report = build(site, base_url=BASE)
    out = site / "site"
    news = [u.findtext(f"{SM}loc") for u in ET.parse(out / "news-sitemap.xml").getroot().findall(f"{SM}url")]
    assert news == [BASE + "briefs/newest/", BASE + "briefs/day-before/"]
    assert not (out / "briefs/typo").exists() and "Typo" not in (out / "index.html").read_text()
    assert "<updated>2204" not in (out / "feed.xml").read_text()
    assert BASE + "briefs/typo/" not in locs(out / "sitemap.xml")
    assert any("1 brief is scheduled for later; the next on 10 March 2204" in note for note in report.notes)


def test_the_news_window_moves_with_the_build_time_in_an_incremental_build(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = write_site(tmp_path / "site", SITE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2024-03-10T09:00:00"))
    build(site, base_url=BASE, use_cache=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2024-03-10T12:00:00"))  # two-days leaves the window
    report = build(site, base_url=BASE, use_cache=True)
    assert report.incremental and report.changed == ("news-sitemap.xml",)
    news = [u.findtext(f"{SM}loc") for u in ET.parse(site / "site/news-sitemap.xml").getroot().findall(f"{SM}url")]
    assert news == [BASE + "briefs/newest/", BASE + "briefs/day-before/"]


def test_big_sites_get_a_sitemap_index() -> None:
    config = Config(site_dir=Path("."), base_url=BASE)
    urls = [SitemapUrl(f"briefs/b{n}/", f"2024-01-{n + 1:02d}") for n in range(5)]
    files = dict(sitemap_files(urls, config, max_urls=2))
    assert sorted(map(str, files)) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files[PurePosixPath("sitemap.xml")])
    assert index.tag == f"{SM}sitemapindex"
    assert [s.findtext(f"{SM}loc") for s in index] == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    assert [s.findtext(f"{SM}lastmod") for s in index] == ["2024-01-02", "2024-01-04", "2024-01-05"]
    listed = [loc.text for n in (1, 2, 3) for loc in
              ET.fromstring(files[PurePosixPath(f"sitemap-{n}.xml")]).iter(f"{SM}loc")]
    assert listed == [f"{BASE}briefs/b{n}/" for n in range(5)]
    assert MAX_URLS == 50_000
    single = dict(sitemap_files(urls, config))
    assert list(map(str, single)) == ["sitemap.xml"]


def test_a_sites_own_robots_txt_wins(tmp_path: Path) -> None:
    files = dict(SITE)
    files["static/robots.txt"] = "User-agent: *\nDisallow: /drafts/\n"
    site = write_site(tmp_path / "site", files)
    build(site, base_url=BASE)
    assert (site / "site/robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"




@pytest.mark.parametrize("base_url,problem", [
    ("https://ex.org/news?x=1", "has a query or fragment"),
    ("https://ex.org/news/#top", "has a query or fragment"),
    ("https://ex.org/a b/", "contains white space"),
    ("https://u:p@ex.org/", "contains a user name or password"),
    ("https://ex.org:99999/", "has an invalid port"),
    ("ftp://ex.org/", "must be an absolute http or https URL"),
])
def test_a_base_url_every_address_can_start_with(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 base_url: str, problem: str) -> None:
    site = write_site(tmp_path / "site", brief("a", "2024-01-01"))
    (site / "briefgen.yaml").write_text(f'base_url: "{base_url}"\n')
    assert main(["build", str(site)]) == 1
    assert f"briefgen.yaml:1: base_url '{base_url}' {problem}" in capsys.readouterr().err
    (site / "briefgen.yaml").unlink()
    assert main(["build", str(site), "--base-url", base_url]) == 1
    assert problem in capsys.readouterr().err
    assert main(["build", str(site), "--base-url", "https://ex.org:8443/news"]) == 0


def _sitemap_by_elementtree(urls: list[SitemapUrl], config: Config) -> bytes:
    """The sitemap as ElementTree writes it: the reference for the text `_urlset` writes."""
    urlset = ET.Element("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for url in urls:
        entry = ET.SubElement(urlset, "url")
        _text(entry, "loc", absolute(url.path, config))
        if url.lastmod:
            _text(entry, "lastmod", url.lastmod)
    return _document(urlset)


@settings(max_examples=150, deadline=None)
@given(urls=st.lists(st.builds(SitemapUrl, st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                               st.none() | st.sampled_from(["2024-01-02", "2024-01-02T10:00:00+01:00"]))),
       base=st.sampled_from([BASE, "https://example.org/a&b<c>/", "https://ex.org/\u00e9t\u00e9/"]))
def test_the_sitemap_written_as_text_is_what_elementtree_writes(urls: list[SitemapUrl], base: str) -> None:
    """The sitemap is written as text for speed; byte for byte what ElementTree wrote, escapes, characters
    XML forbids and an empty set included."""
    config = Config(site_dir=Path("."), base_url=base)
    assert dict(sitemap_files(urls, config))[PurePosixPath("sitemap.xml")] == _sitemap_by_elementtree(urls, config)
