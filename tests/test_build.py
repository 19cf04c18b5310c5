"""The whole pipeline on the example site and on small sites made in tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from briefgen.build import Builder
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.errors import BriefgenError
from briefgen.write import OutputWriter, write_clean

from sitekit import NONDETERMINISTIC, REPO, broken_links, build, parse_html, snapshot, write_site

EXPECTED = REPO / "tests" / "expected"

BRIEF = {
    "content/first.md": """
        Ada Lovelace met Charles Babbage in London.
        """,
    "content/first.yaml": """
        title: First brief
        date: 2024-03-01
        entities:
          people: [Ada Lovelace, Charles Babbage]
          places: [London]
        tags: [History]
        """,
}


def test_example_site_has_every_kind_of_page(example_out: Path) -> None:
    for page in ("index.html", "404.html", "briefs/putin-washington-invite/index.html",
                 "briefs/putin-washington-invite/annotations.jsonld",
                 "people/index.html", "people/vladimir-putin/index.html", "organizations/index.html",
                 "places/index.html", "topics/index.html", "entities/index.html", "archive/index.html",
                 "tags/index.html", "tags/diplomacy/index.html", "assets/briefgen.css"):
        assert (example_out / page).is_file(), page


def test_every_internal_link_and_fragment_resolves(example_out: Path) -> None:
    assert broken_links(example_out) == []


def test_every_page_has_one_h1_and_landmarks(example_out: Path) -> None:
    for page in example_out.rglob("*.html"):
        soup = parse_html(page)
        assert len(soup.find_all("h1")) == 1, page
        assert soup.find("main") and soup.find("header") and soup.find("nav"), page
        assert soup.html.get("lang") == "en"


def test_brief_page_shows_what_the_sidecar_says(example_out: Path) -> None:
    soup = parse_html(example_out / "briefs/putin-washington-invite/index.html")
    assert soup.h1.get_text() == "White House says talks are underway for a Putin visit to Washington"
    assert soup.find("time")["datetime"].startswith("2018-07-19")
    assert "CNBC" in soup.find(class_="meta").get_text()
    points = [li.get_text() for li in soup.select(".key-points li")]
    assert len(points) == 3 and points[0].startswith("The White House on Thursday")
    body = soup.select_one(".brief__body").get_text()
    assert not any(point in body for point in points), "key points are not repeated in the body"
    kinds = {mark["data-kind"] for mark in soup.select("mark.annotation")}
    assert len(kinds) >= 3
    chips = [a.get_text() for a in soup.select(".brief-entities a")]
    assert "Sarah Sanders" in chips and "Helsinki" in chips


def test_entity_page_lists_its_briefs_with_the_sentence(example_out: Path) -> None:
    soup = parse_html(example_out / "people/john-bolton/index.html")
    assert soup.h1.get_text() == "John Bolton"
    assert "national security adviser" in soup.get_text()
    item = soup.select_one(".brief-list .brief-item")
    assert item.a["href"] == "../../briefs/putin-washington-invite/index.html"
    assert item.select_one("mark.mention-hit").get_text() == "John Bolton"
    assert "asked national security adviser" in item.select_one(".mention-context").get_text()
    co = [a.get_text(" ", strip=True) for a in soup.select(".co-mentions a")]
    assert co and all(text.endswith("1") for text in co)


def test_type_index_counts_briefs(example_out: Path) -> None:
    soup = parse_html(example_out / "people/index.html")
    rows = {li.a.get_text(): li.select_one(".count").get_text() for li in soup.select(".entity-index li")}
    assert rows["Vladimir Putin"] == "1" and len(rows) == 6


def test_golden_output(example_out: Path) -> None:
    """The example site's output is byte-for-byte what tests/expected holds.

    After an intended change: BRIEFGEN_UPDATE_GOLDEN=1 pytest tests/test_build.py
    """
    built = snapshot(example_out, skip=NONDETERMINISTIC)
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        import shutil

        shutil.rmtree(EXPECTED, ignore_errors=True)
        skipped = shutil.ignore_patterns(*(p.rstrip("/") for p in NONDETERMINISTIC))
        shutil.copytree(example_out, EXPECTED, ignore=skipped)
    expected = snapshot(EXPECTED)
    assert sorted(built) == sorted(expected)
    changed = [name for name in built if built[name] != expected[name]]
    assert changed == [], "output differs from tests/expected (see the docstring to update it)"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    build(site, tmp_path / "a")
    build(site, tmp_path / "b")
    assert snapshot(tmp_path / "a", skip=NONDETERMINISTIC) == snapshot(tmp_path / "b", skip=NONDETERMINISTIC)


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    build(site)
    before = snapshot(site / "site")
    (site / "content/first.yaml").write_text("title: First brief\ndate: 2024-02-30\n", encoding="utf-8")
    with pytest.raises(BriefgenError):
        build(site)
    assert snapshot(site / "site") == before
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".site.")]
    assert leftovers == []


def test_a_template_edited_between_builds_of_one_builder_is_used(tmp_path: Path) -> None:
    """The dev server's builder keeps its Jinja environment while the templates stay the same, and Jinja
    does not look at the files again (`auto_reload` off): an edited template must still be read."""
    override = '{% extends "base.html" %}{% block main %}<h1>Tag WORD {{ tag.name }}</h1>{% endblock %}\n'
    site = write_site(tmp_path / "site", {**BRIEF, "templates/tag.html": override.replace("WORD", "first")})
    builder = Builder(site, use_cache=False)
    builder.build()
    page = site / "site/tags/history/index.html"
    assert "Tag first History" in page.read_text(encoding="utf-8")
    (site / "templates/tag.html").write_text(override.replace("WORD", "second"), encoding="utf-8")
    builder.build()
    assert "Tag second History" in page.read_text(encoding="utf-8")


def test_two_page_groups_stored_at_one_path_are_an_error_naming_both(tmp_path: Path) -> None:
    """A clean build's workers write each page where they render it, and the digests kept are by path, so
    one of two groups writing one path would vanish from them: the claims, made from each group's paths,
    still name both, and nothing is swapped in."""
    site = write_site(tmp_path / "site", BRIEF)
    writer = OutputWriter(site / "site")
    writer.put("briefs/first/index.html", b"<p>first</p>")
    outputs = {("brief", "first"): ("briefs/first/index.html",), ("tag", "first"): ("briefs/first/index.html",)}
    with pytest.raises(BriefgenError, match=r"two things want to write briefs/first/index\.html: brief/first and "
                                            r"tag/first"):
        write_clean(writer, outputs, {"briefs/first/index.html": bytes(16)}, [], load_config(site), search=None)
    assert not (site / "site").exists()
    assert not writer.staging.exists()


def test_the_scan_lets_its_paths_go_before_the_bodies_and_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once loaded, the briefs name their files with their own strings: the scan's copy of every path
    (45 MB at 100,000 briefs) is not held through the bodies and pages, which make the build's peak."""
    site = write_site(tmp_path / "site", BRIEF)
    pairs_seen: list[int] = []
    real = Builder._render

    def spied(self: Builder, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        frame = sys._getframe(1)  # Builder._build, which holds the scan
        pairs_seen.append(len(frame.f_locals["scan"].pairs))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Builder, "_render", spied)
    builder = Builder(site)
    builder.build()
    assert (site / "site/briefs/first/index.html").is_file()
    assert pairs_seen == [0]


@pytest.mark.parametrize("clean", [True, False])
def test_static_file_clashing_with_a_page_is_an_error_naming_both(tmp_path: Path, clean: bool) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    builder = Builder(site, use_cache=False)  # remembers the first build: the second is incremental
    builder.build()
    before = snapshot(site / "site")
    (site / "static/briefs/first").mkdir(parents=True)
    (site / "static/briefs/first/index.html").write_text("<p>mine</p>", encoding="utf-8")
    with pytest.raises(BriefgenError) as raised:
        build(site) if clean else builder.build()
    message = str(raised.value)
    assert "briefs/first/index.html" in message
    assert "rename the static file" in message
    assert snapshot(site / "site") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".site.")] == []


def test_drafts_are_left_out_unless_asked(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {**BRIEF, "content/second.md": "Draft text about London.\n",
                                          "content/second.yaml": "title: Second\ndate: 2024-03-02\ndraft: true\n"})
    build(site)
    assert not (site / "site/briefs/second").exists()
    build(site, drafts=True)
    assert (site / "site/briefs/second/index.html").is_file()


def test_home_is_paginated_newest_first(tmp_path: Path) -> None:
    files = {"briefgen.yaml": "page_size: 2\n"}
    for day in range(1, 6):
        files[f"content/b{day}.md"] = f"Text {day}.\n"
        files[f"content/b{day}.yaml"] = f"title: Brief {day}\ndate: 2024-01-0{day}\n"
    site = write_site(tmp_path / "site", files)
    build(site)
    first = parse_html(site / "site/index.html")
    assert [a.get_text() for a in first.select(".brief-item__title a")] == ["Brief 5", "Brief 4"]
    third = parse_html(site / "site/page/3/index.html")
    assert [a.get_text() for a in third.select(".brief-item__title a")] == ["Brief 1"]
    assert third.select_one("a[rel=prev]")["href"] == "../../page/2/index.html"
    assert broken_links(site / "site") == []


def test_archive_groups_by_month_and_tags_get_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        **BRIEF, "content/later.md": "Babbage again.\n",
        "content/later.yaml": "title: Later\ndate: 2024-04-10T09:30:00\ntags: [history, Science]\n"})
    build(site)
    archive = parse_html(site / "site/archive/index.html")
    assert [li.get_text(" ", strip=True) for li in archive.select(".archive-months li")] == ["April 2024 1",
                                                                                            "March 2024 1"]
    march = parse_html(site / "site/archive/2024/03/index.html")
    assert march.h1.get_text(" ", strip=True) == "March 2024 1"
    assert [a.get_text() for a in march.select(".archive-list a")] == ["First brief"]
    assert archive.select_one(".archive-months a")["href"] == "../archive/2024/04/index.html"
    tag = parse_html(site / "site/tags/history/index.html")
    assert len(tag.select(".brief-item")) == 2


def test_site_templates_override_the_theme_file_by_file(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        **BRIEF, "templates/404.html": "<!DOCTYPE html><title>Lost</title><h1>Custom {{ site.title }}</h1>\n",
        "static/robots.txt": "User-agent: *\n"})
    build(site)
    assert "Custom Briefs" in (site / "site/404.html").read_text()
    assert (site / "site/robots.txt").read_text() == "User-agent: *\n"
    assert (site / "site/index.html").is_file()


def test_base_url_gives_canonical_links_but_pages_stay_relative(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    build(site, base_url="https://example.org/news")
    soup = parse_html(site / "site/briefs/first/index.html")
    assert soup.find("link", rel="canonical")["href"] == "https://example.org/news/briefs/first/"
    assert broken_links(site / "site", base_path="/news/") == []


def test_cli_build_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    assert main(["build", str(site), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Built" in out and "1 briefs" in out and "3 entities" in out


def test_cli_refuses_to_replace_a_folder_it_did_not_build(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious/thesis.txt").write_text("years of work")
    assert main(["build", str(site), "--out", str(tmp_path / "precious")]) == 1
    assert (tmp_path / "precious/thesis.txt").read_text() == "years of work"
    assert "did not build" in capsys.readouterr().err
    assert main(["build", str(site), "--out", str(site)]) == 1


def test_a_parallel_build_is_byte_identical_to_a_single_process_one(tmp_path: Path) -> None:
    from briefgen.build import Builder

    from sitegen import generate_site

    site = generate_site(tmp_path / "generated")
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    Builder(site, single, jobs=1, use_cache=False, search=False).build()
    report = Builder(site, parallel, jobs=2, use_cache=False, search=False).build()
    assert report.pages > 400, "enough pages for the work to be spread over processes"
    assert snapshot(single) == snapshot(parallel)


def test_the_site_is_readable_by_a_web_server_of_another_user(tmp_path: Path) -> None:
    import stat

    site = write_site(tmp_path / "site", BRIEF)
    out = tmp_path / "out"
    old_mask = os.umask(0o022)
    try:
        Builder(site, out, search=False).build()
        (site / "content/first.md").write_text("Ada Lovelace met Charles Babbage in London again.\n")
        report = Builder(site, out, search=False).build()  # an incremental build rewrites the page
        assert report.incremental and report.files_written
    finally:
        os.umask(old_mask)
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o755 if path.is_dir() else 0o644
        assert mode == wanted, f"{path.relative_to(tmp_path)} is {mode:o}, not {wanted:o}"


def test_a_symlinked_output_folder_is_built_where_it_leads(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    (tmp_path / "www").mkdir()
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "www", target_is_directory=True)
    Builder(site, link, use_cache=False, search=False).build()
    assert link.is_symlink(), "the link is kept"
    assert (tmp_path / "www/briefs/first/index.html").is_file()
    Builder(site, link, use_cache=False, search=False).build()  # and replaced again
    assert link.is_symlink() and (link / "index.html").is_file()


def test_the_build_cache_is_no_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    assert main(["build", str(site), "--out", str(site / ".briefgen-cache")]) == 1
    assert "is inside .briefgen-cache/" in capsys.readouterr().err


def test_the_404_page_links_from_the_host_root_so_it_works_at_any_depth_and_host(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BRIEF)
    assert main(["build", str(site), "--base-url", "https://example.org/news/"]) == 0
    soup = parse_html(site / "site/404.html")
    links = [element.get("href") or element.get("src") for element in soup.find_all(["a", "link", "script"])
             if element.get("href") or element.get("src")]
    internal = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert internal and all(link.startswith("/news/") for link in internal), internal
    assert soup.find("link", rel="canonical") is None or soup.find("link", rel="canonical")["href"].startswith("https://")


def test_a_link_to_no_page_of_the_site_is_a_warning(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "See [the other brief](/briefs/b/), [a typo](/briefs/bb/), [people](/people/) "
                        "and [the feed](/feed.xml#top).\n",
        "content/a.yaml": "title: A\ndate: 2024-01-02\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-01\n",
    })
    report = Builder(site, search=False).build()
    dead = [w.message for w in report.warnings if "leads to no page" in w.message]
    assert dead == ["link to /briefs/bb/ leads to no page or file of the site"]
    (site / "content/a.md").write_text("Only [the typo](/briefs/bb/) and [again](/nope.html).\n")
    report = Builder(site, search=False).build()  # incremental, from the saved state
    assert report.incremental
    assert sorted(w.message for w in report.warnings if "leads to no page" in w.message) == [
        "link to /briefs/bb/ leads to no page or file of the site",
        "link to /nope.html leads to no page or file of the site"]
