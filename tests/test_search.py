"""Search: Pagefind runs on the staged output; without it the build still succeeds and says so."""

from __future__ import annotations

import json
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

from briefgen import search
from briefgen.cache import bytes_digest
from briefgen.errors import BriefgenError
from briefgen.search import find_pagefind
from briefgen.write import OutputWriter

from sitekit import broken_links, build, parse_html, snapshot, write_site

BRIEF = {
    "content/a.md": "Ada Lovelace met Charles Babbage in London.\n",
    "content/a.yaml": """
        title: First brief
        date: 2023-03-01
        entities:
          people: [Ada Lovelace, Charles Babbage]
          places: [London]
        """,
}
needs_pagefind = pytest.mark.skipif(find_pagefind() is None,
                                    reason="Pagefind is not installed (pip install 'briefgen[search]') "
                                           "or BRIEFGEN_PAGEFIND=off")


def test_without_pagefind_the_build_succeeds_and_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFGEN_PAGEFIND", raising=False)
    monkeypatch.setattr(search, "find_pagefind", lambda: None)
    site = write_site(tmp_path / "site", BRIEF)
    report = build(site)
    assert [w.format_message() for w in report.warnings] == [
        "warning: search was skipped: Pagefind is not installed "
        "(pip install 'briefgen[search]', or set BRIEFGEN_PAGEFIND to a pagefind binary)"]
    out = site / "site"
    assert not (out / "pagefind").exists()
    assert (out / "search/index.html").is_file()
    assert broken_links(out) == []
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", "off")
    report = build(site)
    assert [w.message for w in report.warnings] == ["search was skipped: BRIEFGEN_PAGEFIND=off"]


def test_a_failing_pagefind_fails_the_build_and_keeps_the_old_site(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", "off")
    build(site)
    before = snapshot(site / "site")
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", str(broken))
    with pytest.raises(BriefgenError, match="Pagefind failed: Error: something broke"):
        build(site)
    assert snapshot(site / "site") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".site.")] == []


def test_a_step_may_add_files_but_not_change_pages(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path / "out")
    writer.write("index.html", b"<p>hi</p>")

    def add(folder: Path) -> str:
        (folder / "index").mkdir()
        (folder / "index/one.bin").write_bytes(b"1")
        return "done"

    assert writer.run_step(add, "indexer") == "done"
    assert writer.written["index/one.bin"] == "indexer"

    def overwrite(folder: Path) -> None:
        (folder / "index.html").write_bytes(b"<p>changed by the step</p>")

    with pytest.raises(BriefgenError, match=r"changed files it must only read: index\.html"):
        writer.run_step(overwrite, "rogue step")
    writer.abort()


def test_only_brief_articles_are_indexed_with_filters(example_out: Path) -> None:
    for page in example_out.rglob("*.html"):
        bodies = parse_html(page).find_all(attrs={"data-pagefind-body": True})
        expected = 1 if page.parent.parent.name == "briefs" else 0
        assert len(bodies) == expected, page
    soup = parse_html(example_out / "briefs/putin-washington-invite/index.html")
    article = soup.find(attrs={"data-pagefind-body": True})
    assert article.name == "article" and "brief" in article["class"]
    tagged = article.find_all(attrs={"data-pagefind-filter": True})
    filters = [(tag["data-pagefind-filter"], tag.get_text()) for tag in tagged]
    assert ("Year:2018", "19 July 2018") in filters
    assert ("Entity type", "People") in filters and ("Entity type", "Topics") in filters
    assert ("People", "John Bolton") in filters and ("Places", "Helsinki") in filters


def test_every_page_has_a_search_box_that_works_without_javascript(example_out: Path) -> None:
    for page in example_out.rglob("*.html"):
        form = parse_html(page).select_one("header form[role=search]")
        assert form is not None and form["method"] == "get", page
        target = (page.parent / form["action"]).resolve()
        assert target == (example_out / "search/index.html").resolve(), page
        field = form.find("input", attrs={"name": "q"})
        assert field["type"] == "search" and form.find("label", attrs={"for": field["id"]})
    search = parse_html(example_out / "search/index.html")
    assert search.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    fallback = search.find("noscript").get_text()
    assert "archive" in fallback and "entities" in fallback


@needs_pagefind
def test_pagefind_indexes_the_staged_output(example_out: Path) -> None:
    bundle = example_out / "pagefind"
    listed = json.loads((bundle / "shards.json").read_text())
    keys = [shard["key"] for shard in listed["shards"]]
    assert keys == ["2018"]  # the example's briefs are all of 2018
    assert (bundle / "2018/pagefind-ui.js").is_file() and (bundle / "2018/pagefind-entry.json").is_file()
    assert list((bundle / "2018/fragment").iterdir())
    assert sorted(p.name for p in bundle.iterdir()) == ["2018", "shards.json"]


@needs_pagefind
def test_search_index_is_deterministic_where_pagefind_allows(tmp_path: Path, generated_out: Path) -> None:
    """Two builds of 300 briefs: every file outside pagefind/ and Pagefind's pages and word index are identical.

    Pagefind's filter and metadata files (filter/, pagefind.*.pf_meta,
    pagefind-entry.json, which names the meta file) are not byte-identical from
    one run to the next; the search they give is the same.
    """
    site = generated_out.parent
    build(site, tmp_path / "again")
    first, second = snapshot(generated_out), snapshot(tmp_path / "again")
    differing = sorted(name for name in set(first) | set(second) if first.get(name) != second.get(name))
    allowed = ("/filter/", "/pagefind-entry.json")
    assert [name for name in differing
            if not (name.startswith("pagefind/") and (any(part in name for part in allowed)
                                                       or name.endswith(".pf_meta")))] == []
    keys = [shard["key"] for shard in json.loads((generated_out / "pagefind/shards.json").read_text())["shards"]]
    assert len(keys) > 1
    for key in keys:
        for part in ("fragment", "index"):
            assert snapshot(generated_out / "pagefind" / key / part) == snapshot(tmp_path / "again/pagefind" / key / part)


STUB_PAGEFIND = """#!{python}
# A Pagefind service that answers as Pagefind 1.5.2 can when a build closes it
# at once: WriteFiles acknowledged with the file still half written.
import base64, json, os, sys
FILES = {files!r}
pending = b""
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    pending += chunk
    while b"," in pending:
        raw, pending = pending.split(b",", 1)
        message = json.loads(base64.b64decode(raw))
        kind = message["payload"]["type"]
        if kind == "NewIndex":
            answer = {{"type": "NewIndex", "index_id": 0}}
        elif kind == "AddFile":
            answer = {{"type": "IndexedFile", "page_word_count": 1, "page_url": "/", "page_meta": {{}}}}
        elif kind == "WriteFiles":
            out = message["payload"]["output_path"]
            os.makedirs(out, exist_ok=True)
            for name, content in FILES.items():
                with open(os.path.join(out, name), "wb") as half:
                    half.write(content[: len(content) // 2].encode())
            answer = {{"type": "WriteFiles", "output_path": out}}
        elif kind == "GetFiles":
            answer = {{"type": "GetFiles", "files": [
                {{"path": name, "content": base64.b64encode(content.encode()).decode()}}
                for name, content in FILES.items()]}}
        else:
            answer = {{"type": kind}}
        reply = json.dumps({{"message_id": message["message_id"], "payload": answer}}).encode()
        sys.stdout.buffer.write(base64.b64encode(reply) + b",")
        sys.stdout.buffer.flush()
"""


def _stub_pagefind(tmp_path: Path, files: dict[str, str]) -> str:
    stub = tmp_path / "pagefind-stub"
    stub.write_text(STUB_PAGEFIND.format(python=sys.executable, files=files))
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return str(stub)


def test_the_bundle_is_written_whole_whatever_pagefind_leaves_on_disk(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind 1.5.2 acknowledges WriteFiles before its writes are done (its issue #1272): briefgen writes the files."""
    files = {"pagefind.js": "x" * 5000, "fragment/en_1.pf_fragment": "fragment", "pagefind-entry.json": "{}"}
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", _stub_pagefind(tmp_path, files))
    site = write_site(tmp_path / "site", BRIEF)
    build(site)
    shard = site / "site/pagefind/2023"
    assert {path.relative_to(shard).as_posix(): path.read_text() for path in shard.rglob("*") if path.is_file()} \
        == files


def test_a_pagefind_file_outside_its_folder_fails_the_build(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", "off")
    site = write_site(tmp_path / "site", BRIEF)
    build(site)
    before = snapshot(site / "site")
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", _stub_pagefind(tmp_path, {"../../escaped.js": "x"}))
    with pytest.raises(BriefgenError, match=r"Pagefind named a file outside its folder: '\.\./\.\./escaped\.js'"):
        build(site)
    assert snapshot(site / "site") == before
    assert not list(tmp_path.rglob("escaped.js"))


def _dated(*dates: str) -> dict[str, date]:
    return {f"briefs/b{n}/index.html": date.fromisoformat(day) for n, day in enumerate(dates)}


def test_shards_are_years_split_into_months_and_days_only_when_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_LIMIT", 3)
    pages = _dated("2021-05-01", "2023-01-02", "2023-01-02", "2023-01-02", "2023-01-03", "2023-02-01",
                   "2024-07-01", "2024-07-02", "2024-08-01")
    shards = search.plan_shards(pages)
    assert list(shards) == ["2024", "2023-02", "2023-01-03", "2023-01-02", "2021"]  # newest first
    assert sorted(page for members in shards.values() for page in members) == sorted(pages)
    assert len(shards["2023-01-02"]) == 3 and len(shards["2024"]) == 3
    # A day is never split further, however many briefs it holds.
    assert list(search.plan_shards(_dated(*["2023-01-02"] * 5))) == ["2023-01-02"]


def _sited(tmp_path: Path, dates: list[str]) -> Path:
    files = {}
    for n, day in enumerate(dates):
        files[f"content/b{n}.md"] = f"Ada Lovelace wrote note number {n}.\n"
        files[f"content/b{n}.yaml"] = f"title: Brief {n}\ndate: {day}\nentities: {{people: [Ada Lovelace]}}\n"
    return write_site(tmp_path / "site", files)


@needs_pagefind
def test_an_edit_indexes_only_the_shard_of_the_changed_brief(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    site = _sited(tmp_path, ["2021-03-01", "2022-03-01", "2023-03-01"])
    indexed: list[list[str]] = []
    real_index = search.PagefindService.index

    def counting(self: search.PagefindService, folder: Path, pages: list[str], out: Path) -> None:
        indexed.append(list(pages))
        real_index(self, folder, pages, out)

    monkeypatch.setattr(search.PagefindService, "index", counting)
    build(site, use_cache=True)
    assert len(indexed) == 3
    indexed.clear()
    build(site, use_cache=True)  # nothing changed: nothing indexed
    assert indexed == []
    (site / "content/b1.md").write_text("Ada Lovelace wrote a zeugma today.\n")
    build(site, use_cache=True)
    assert indexed == [["briefs/b1/index.html"]]
    indexed.clear()
    (site / "content/b2.md").unlink()
    (site / "content/b2.yaml").unlink()
    build(site, use_cache=True)
    bundle = site / "site/pagefind"
    assert sorted(p.name for p in bundle.iterdir()) == ["2021", "2022", "shards.json"]
    # The shard that lost its only brief goes; the others are indexed again only if their pages changed
    # (they did: their related briefs and next links no longer name the deleted one).
    assert sorted(indexed) == [["briefs/b0/index.html"], ["briefs/b1/index.html"]]
    indexed.clear()
    # Search off, an edit, then on again: a full build, which indexes every shard afresh.
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", "off")
    (site / "content/b0.md").write_text("Ada Lovelace wrote of quaternions.\n")
    build(site, use_cache=True)
    monkeypatch.delenv("BRIEFGEN_PAGEFIND")
    build(site, use_cache=True)
    assert sorted(indexed) == [["briefs/b0/index.html"], ["briefs/b1/index.html"]]


@needs_pagefind
def test_an_index_of_the_old_single_bundle_layout_is_replaced(tmp_path: Path) -> None:
    site = _sited(tmp_path, ["2021-03-01"])
    build(site, use_cache=True)
    bundle = site / "site/pagefind"
    (bundle / "pagefind-entry.json").write_text("{}")  # as briefgen 0.1 laid the index out
    (bundle / "fragment").mkdir()
    (bundle / "shards.json").unlink()
    (site / "content/b0.md").write_text("Ada Lovelace wrote again.\n")
    build(site, use_cache=True)
    assert sorted(p.name for p in bundle.iterdir()) == ["2021", "shards.json"]


def test_a_rebuild_signs_only_the_shards_of_pages_it_wrote_and_lists_what_a_whole_plan_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pagefind itself stands aside: this is about which shards are planned, signed and indexed.
    monkeypatch.setattr(search, "SHARD_LIMIT", 2)
    monkeypatch.setattr(search, "_pagefind_or_warning", lambda: ("pagefind", None))
    indexed: list[str] = []

    def index_shards(executable: str, folder: Path, shards: dict[str, list[str]]) -> None:
        for key, pages in shards.items():
            assert pages == sorted(pages) and pages
            indexed.append(key)
            (folder / search.BUNDLE / key).mkdir(parents=True, exist_ok=True)
            (folder / search.BUNDLE / key / "pages.txt").write_text("\n".join(pages))

    monkeypatch.setattr(search, "_index_shards", index_shards)
    whole_plans: list[int] = []
    real_plan = search.plan_shards
    monkeypatch.setattr(search, "plan_shards", lambda dated: whole_plans.append(1) or real_plan(dated))
    site = _sited(tmp_path, ["2021-03-01", "2023-01-02", "2023-01-02", "2023-01-02", "2023-02-05", "2024-07-01"])
    out = site / "site"

    def rebuilt(*, whole: bool) -> None:
        whole_plans.clear()
        indexed.clear()
        build(site, use_cache=True)  # each build a new process's: the memory comes from the store
        assert bool(whole_plans) == whole
        # What the shards list says is what planning every page again says, with the pages' digests now.
        dated = {str(page.relative_to(out)): date.fromisoformat(
                     (site / "content" / (page.parent.name + ".yaml")).read_text().split("date: ")[1][:10])
                 for page in out.glob("briefs/*/index.html")}
        shards = real_plan(dated)
        digests = {page: bytes_digest((out / page).read_bytes()) for page in dated}
        listed = json.loads((out / "pagefind/shards.json").read_text())["shards"]
        assert listed == [{"key": key, "signature": search._signature(pages, digests)}
                          for key, pages in shards.items()]
        assert sorted(p.name for p in (out / "pagefind").iterdir()) == sorted([*shards, "shards.json"])
        for key, pages in shards.items():
            if key in indexed:
                assert (out / "pagefind" / key / "pages.txt").read_text().split("\n") == pages

    rebuilt(whole=True)
    assert sorted(indexed) == ["2021", "2023-01-02", "2023-02", "2024"]
    (site / "content/b2.md").write_text("Ada Lovelace wrote a zeugma today.\n")  # a day's shard
    rebuilt(whole=False)
    assert "2023-01-02" in indexed and "2021" not in indexed
    (site / "content/b5.md").write_text("Ada Lovelace wrote of engines.\n")  # a year's
    rebuilt(whole=False)
    assert "2024" in indexed
    (site / "content/b0.yaml").write_text("title: Brief 0\ndate: 2023-02-07\nentities: {people: [Ada Lovelace]}\n")
    rebuilt(whole=True)  # a brief moved in time: its shard, and maybe the split, changed
    assert "2021" not in json.loads((out / "pagefind/shards.json").read_text())["shards"]
    (site / "content/b6.md").write_text("Ada Lovelace wrote once more.\n")
    (site / "content/b6.yaml").write_text("title: Brief 6\ndate: 2021-03-01\nentities: {people: [Ada Lovelace]}\n")
    rebuilt(whole=True)  # a brief came
    (site / "content/b3.md").unlink()
    (site / "content/b3.yaml").unlink()
    rebuilt(whole=True)  # and one went
    (site / "content/b1.md").write_text("Ada Lovelace, again.\n")
    rebuilt(whole=False)
    # A build that signed nothing (search off) leaves the next to plan every page again.
    monkeypatch.setattr(search, "_pagefind_or_warning", lambda: (None, search.BuildWarning("off")))
    (site / "content/b4.md").write_text("Ada Lovelace, with search off.\n")
    build(site, use_cache=True)
    monkeypatch.setattr(search, "_pagefind_or_warning", lambda: ("pagefind", None))
    (site / "content/b1.md").write_text("Ada Lovelace, search on again.\n")
    rebuilt(whole=True)
    assert "2023-02" in indexed  # the page edited while search was off is indexed
    # shards.json gone or unreadable: every page is planned again.
    (out / "pagefind/shards.json").write_text("{}")
    (site / "content/b1.md").write_text("Ada Lovelace, and the list was lost.\n")
    rebuilt(whole=True)
