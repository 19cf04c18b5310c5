"""The built site works under a sub-path of a real HTTP server: every link, followed over HTTP, resolves."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from httpsite import serve


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def crawl(start: str) -> tuple[dict[str, bytes], list[str]]:
    """Follow every link, stylesheet, script, image and form from `start`; return the pages and the problems."""
    prefix = start.rsplit("/", 1)[0] + "/"
    pages: dict[str, bytes] = {}
    ids: dict[str, set[str]] = {}
    problems: list[str] = []
    fragments: list[tuple[str, str, str]] = []
    queue, seen = [start], {start}
    while queue:
        url = queue.pop()
        status, kind, body = fetch(url)
        if status != 200:
            problems.append(f"{url}: HTTP {status}")
            continue
        if kind != "text/html":
            continue
        pages[url] = body
        soup = BeautifulSoup(body, "html.parser")  # the pages are valid HTML (checked by vnu); this parser is quicker
        ids[url] = {str(tag["id"]) for tag in soup.find_all(id=True)}
        for tag in soup.find_all(["a", "link", "script", "img", "form"]):
            target = tag.get("href") or tag.get("src") or tag.get("action")
            if not target:
                continue
            absolute = urljoin(url, target)
            if urlsplit(absolute).netloc != urlsplit(start).netloc:
                continue
            if not absolute.startswith(prefix):
                problems.append(f"{url}: {target} leaves the sub-path")
                continue
            page, fragment = urldefrag(absolute)
            if fragment:
                fragments.append((url, page, fragment))
            if page not in seen:
                seen.add(page)
                queue.append(page)
    for origin, page, fragment in fragments:
        if page in ids and fragment not in ids[page]:
            problems.append(f"{origin}: #{fragment} is not on {page}")
    return pages, problems


@pytest.mark.parametrize("which", ["example", "generated"])
def test_every_link_resolves_over_http_under_a_sub_path(which: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(f"{which}_out")
    with serve(out, "/sub/") as base:
        pages, problems = crawl(base + "index.html")
        assert problems == []
        built = {p.relative_to(out).as_posix() for p in out.rglob("*.html")
                 if p.name != "404.html" and "pagefind" not in p.parts}
        reached = {url[len(base):] for url in pages}
        assert built - reached == set(), "pages no link leads to"


def test_feeds_over_http_point_at_real_pages(example_out: Path) -> None:
    with serve(example_out, "/sub/") as base:
        for feed_url in (base + "feed.xml", base + "people/john-bolton/feed.xml"):
            status, kind, body = fetch(feed_url)
            assert status == 200
            parsed = feedparser.parse(body, response_headers={"content-type": kind, "content-location": feed_url})
            assert parsed.bozo == 0
            for entry in parsed.entries:
                assert fetch(urljoin(feed_url, entry.link))[0] == 200
                if "content" not in entry:
                    continue  # an entity's feed: summaries, which hold no links
                content = entry.content[0]
                soup = BeautifulSoup(content.value, "html5lib")
                for anchor in soup.find_all("a", href=True):
                    target = urljoin(urljoin(feed_url, content.base), anchor["href"])
                    if target.startswith(base):
                        assert fetch(urldefrag(target)[0])[0] == 200, (feed_url, anchor["href"])
        assert fetch(base + "search/index.html?q=Bolton")[0] == 200
        assert fetch(base.replace("/sub/", "/") + "index.html")[0] == 404  # the server really is at /sub/
