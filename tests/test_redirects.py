"""A brief whose slug changed keeps its old address: `aliases:` publish redirect pages, never in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build import Builder
from briefgen.errors import BriefgenError

from httpsite import serve
from sitekit import NONDETERMINISTIC, build, parse_html, snapshot, write_site


def moved_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", {
        "briefgen.yaml": "base_url: https://example.org/news/\n",
        "content/vote.md": "The council voted.\n",
        "content/vote.yaml": "title: The vote\ndate: 2024-03-01\nslug: council-vote\naliases: [vote, old-vote]\n",
        "content/other.md": "Text.\n",
        "content/other.yaml": "title: Other\ndate: 2024-03-02\n",
    })


def test_old_addresses_redirect_to_the_brief_and_stay_out_of_the_sitemap(tmp_path: Path) -> None:
    site = moved_site(tmp_path)
    build(site)
    out = site / "site"
    for alias in ("vote", "old-vote"):
        page = parse_html(out / f"briefs/{alias}/index.html")
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == "0; url=../council-vote/index.html"
        assert (out / f"briefs/{alias}" / refresh.split("url=")[1]).resolve() == (out / "briefs/council-vote/index.html").resolve()
        assert page.find("link", rel="canonical")["href"] == "https://example.org/news/briefs/council-vote/"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("a")["href"] == "../council-vote/index.html"
        assert not page.find(attrs={"data-pagefind-body": True})
    sitemap = (out / "sitemap.xml").read_text()
    assert "briefs/council-vote/" in sitemap and "briefs/vote/" not in sitemap and "old-vote" not in sitemap


def test_a_redirect_is_followed_in_a_real_http_server(tmp_path: Path) -> None:
    import urllib.request

    site = moved_site(tmp_path)
    build(site)
    with serve(site / "site", "/news/") as base:
        html = urllib.request.urlopen(base + "briefs/vote/").read().decode()
        assert 'url=../council-vote/index.html' in html
        target = urllib.request.urlopen(base + "briefs/vote/../council-vote/index.html").read().decode()
        assert "<h1" in target and "The vote" in target


@pytest.mark.parametrize("aliases", ["[other]", "[council-vote]"])
def test_an_alias_that_would_hide_a_page_is_an_error(tmp_path: Path, aliases: str) -> None:
    site = moved_site(tmp_path)
    (site / "content/vote.yaml").write_text(f"title: The vote\ndate: 2024-03-01\nslug: council-vote\naliases: {aliases}\n")
    with pytest.raises(BriefgenError, match="would hide a page"):
        build(site)


def test_adding_and_removing_aliases_rebuilds_as_a_clean_build_would(tmp_path: Path) -> None:
    site = moved_site(tmp_path)
    builder = Builder(site, site / "site", jobs=1)
    builder.build()
    for text in ("aliases: [older]\n", "", "aliases: [vote]\n"):
        (site / "content/vote.yaml").write_text(f"title: The vote\ndate: 2024-03-01\nslug: council-vote\n{text}")
        builder.build()
        clean = tmp_path / f"clean-{len(text)}"
        Builder(site, clean, use_cache=False, jobs=1).build()
        assert snapshot(site / "site", (*NONDETERMINISTIC, ".briefgen-files")) == \
            snapshot(clean, (*NONDETERMINISTIC, ".briefgen-files"))
    assert not (site / "site/briefs/older").exists()
