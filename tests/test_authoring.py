"""Tests for briefgen.authoring: `init_site` and `new_brief`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from briefgen import load
from briefgen.authoring.scaffold import (
    EXAMPLE_SLUG,
    check_date,
    init_site,
    new_brief,
    yaml_scalar,
)
from briefgen.errors import BriefgenError

SIDECAR_KEYS = set(load.SIDECAR_KEYS)  # every key the loader knows, so a new one is scaffolded too
TODAY = dt.date(2024, 5, 17)


def _build_site():
    """briefgen.build.build_site when the build pipeline exists, else skip."""
    build = pytest.importorskip("briefgen.build")
    if not hasattr(build, "build_site"):
        pytest.skip("briefgen.build.build_site is not there yet")
    return build.build_site


def _uncomment(text: str) -> str:
    """The sidecar with every commented-out key put back ('## ' lines stay comments)."""
    return re.sub(r"^(\s*)# ", r"\1", text, flags=re.MULTILINE)


def _fold(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- init


def test_init_writes_a_site_into_a_new_folder(tmp_path: Path) -> None:
    target = tmp_path / "news"
    written = init_site(target)
    assert sorted(p.relative_to(target).as_posix() for p in written) == sorted([
        "briefgen.yaml", "README.md", "content/entities.yaml",
        f"content/{EXAMPLE_SLUG}.md", f"content/{EXAMPLE_SLUG}.yaml",
    ])
    assert all(p.is_file() for p in written)
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "briefgen serve" in readme and 'briefgen new "' in readme


def test_init_config_shows_every_option_with_a_comment(tmp_path: Path) -> None:
    init_site(tmp_path)
    text = (tmp_path / "briefgen.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert set(config) >= {"title", "base_url", "language", "timezone", "page_size", "entity_types", "mentions",
                           "markdown"}
    assert config["mentions"] in ("first", "all", "none")
    assert config["markdown"] == {"unsafe_html": False}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^\s*[a-z_]+:", line) and line.strip() not in ("markdown:", "feed:"):
            assert lines[index - 1].lstrip().startswith("#"), f"no comment above {line!r}"


def test_init_example_brief_follows_the_content_format(tmp_path: Path) -> None:
    init_site(tmp_path)
    content = tmp_path / "content"
    sidecar = yaml.safe_load((content / f"{EXAMPLE_SLUG}.yaml").read_text(encoding="utf-8"))
    article = (content / f"{EXAMPLE_SLUG}.md").read_text(encoding="utf-8")
    assert set(sidecar) >= {"title", "date", "summary", "source", "key_points", "entities", "tags", "annotations"}
    assert sidecar["source"]["url"].startswith("https://")
    assert set(sidecar["entities"]) == {"people", "organizations", "places", "topics"}
    assert all(sidecar["entities"][kind] for kind in sidecar["entities"])
    # Markup aside, each quote is in the text exactly once.
    plain = _fold(re.sub(r"[*_`#]", "", article))
    assert len(sidecar["annotations"]) == 2
    for annotation in sidecar["annotations"]:
        assert plain.count(_fold(annotation["quote"])) == 1, annotation["quote"]
        assert annotation["note"]
    registry = yaml.safe_load((content / "entities.yaml").read_text(encoding="utf-8"))
    described = [e for refs in registry.values() for e in refs if isinstance(e, dict) and e.get("description")]
    assert len(described) >= 2
    assert any(e.get("aliases") for refs in registry.values() for e in refs)
    aliases = {e["name"]: e.get("aliases", []) for refs in registry.values() for e in refs}
    for kind, names in sidecar["entities"].items():
        for name in names:
            assert any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", plain) for n in [name, *aliases.get(name, [])]), \
                f"{kind} '{name}' is never named in the article"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        init_site(tmp_path)
    assert caught.value.path == tmp_path
    assert "--force" in (caught.value.hint or "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_ignores_hidden_files_such_as_git(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert init_site(tmp_path)
    assert (tmp_path / "briefgen.yaml").is_file()


def test_init_force_writes_into_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "briefgen.yaml").write_text("title: old\n", encoding="utf-8")
    written = init_site(tmp_path, force=True)
    assert tmp_path / "briefgen.yaml" in written
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "title: old" not in (tmp_path / "briefgen.yaml").read_text(encoding="utf-8")


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "site.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        init_site(target)
    assert caught.value.path == target


def test_a_new_site_builds(tmp_path: Path) -> None:
    build_site = _build_site()
    init_site(tmp_path)
    report = build_site(tmp_path)
    assert report.briefs == 1
    assert (tmp_path / "site" / "briefs" / EXAMPLE_SLUG / "index.html").is_file()
    assert not [w for w in report.warnings if EXAMPLE_SLUG in str(w.path)], report.warnings


def test_a_new_site_checks_without_warnings(tmp_path: Path) -> None:
    check = pytest.importorskip("briefgen.check")
    init_site(tmp_path)
    report = check.check_site(tmp_path)
    assert report.briefs == 1
    assert not report.warnings, [w.format_message() for w in report.warnings]


# ---------------------------------------------------------------- new


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


def test_new_writes_article_and_sidecar(site: Path) -> None:
    article, sidecar = new_brief(site, "Council approves budget", today=TODAY)
    assert article == site / "content" / "council-approves-budget.md"
    assert sidecar == site / "content" / "council-approves-budget.yaml"
    assert article.read_text(encoding="utf-8").strip()
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8")) == {"title": "Council approves budget",
                                                                    "date": TODAY}


def test_a_long_title_gives_a_slug_cut_at_a_word(site: Path) -> None:
    title = "Parliament " + "debates the budget again and " * 200
    article, sidecar = new_brief(site, title, today=TODAY)
    stem = article.name.removesuffix(".md")
    assert 60 < len(stem) <= 80 and ("parliament-" + "debates-the-budget-again-and-" * 200).startswith(stem + "-")
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8"))["title"] == title.strip()


def test_new_refuses_the_registry_name(site: Path) -> None:
    with pytest.raises(BriefgenError, match="cannot be named 'entities'"):
        new_brief(site, "Entities", today=TODAY, force=True)
    assert not list((site / "content").iterdir())


def test_new_with_date_and_source(site: Path) -> None:
    _, sidecar = new_brief(site, "Storm hits coast", date="2018-07-19", source_url="https://example.com/a?b=1#c")
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8")) == {
        "title": "Storm hits coast", "date": dt.date(2018, 7, 19), "source": {"url": "https://example.com/a?b=1#c"}}


def test_new_accepts_a_date_time(site: Path) -> None:
    _, sidecar = new_brief(site, "Late vote", date="2018-07-19T22:15:00+02:00")
    loaded = yaml.safe_load(sidecar.read_text(encoding="utf-8"))["date"]
    assert loaded == dt.datetime(2018, 7, 19, 22, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.mark.parametrize("title", [
    'Trump: "no deal" with #Putin',
    "It's 50% off — Zürich's “best” offer",
    "Đoković wins, O’Rourke loses",
    "yes", "null", "2024-01-01", "- a dash first", "[brackets] and {braces}", "'single quotes'",
    "@handle & *star* | pipe > more", "a # b", "Emoji 🎉 and 日本語",
])
def test_titles_round_trip(site: Path, title: str) -> None:
    _, sidecar = new_brief(site, title, today=TODAY)
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8"))["title"] == title


def test_title_slug_and_white_space(site: Path) -> None:
    article, sidecar = new_brief(site, "  Zürich\tÜberblick \n", today=TODAY)
    assert article.name == "zurich-uberblick.md"
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8"))["title"] == "Zürich Überblick"


def test_every_optional_key_is_there_commented_out_and_explained(site: Path) -> None:
    _, sidecar = new_brief(site, "A brief", today=TODAY)
    text = sidecar.read_text(encoding="utf-8")
    for key in SIDECAR_KEYS - {"title", "date"}:
        match = re.search(rf"^# {key}:.*#\s*\S", text, re.MULTILINE) or \
            re.search(rf"^# {key}: \S.*$", text, re.MULTILINE)
        assert match, f"'{key}' is not there, commented out with an explanation"
    for nested in ("name", "url", "author", "published", "people", "organizations", "places", "topics",
                   "quote", "note", "kind", "prefix", "suffix"):
        assert re.search(rf"^#\s+(- )?{nested}:", text, re.MULTILINE), nested
    # Uncommented, the skeleton is a valid sidecar with every key.
    data = yaml.safe_load(_uncomment(text))
    assert set(data) == SIDECAR_KEYS
    assert set(data["source"]) == {"name", "url", "author", "published"}
    assert set(data["entities"]) == {"people", "organizations", "places", "topics"}
    assert set(data["annotations"][0]) == {"quote", "note", "kind", "prefix", "suffix"}


def test_uncommented_skeleton_with_a_source_url_is_valid_too(site: Path) -> None:
    _, sidecar = new_brief(site, "A brief", source_url="http://example.org/x", today=TODAY)
    data = yaml.safe_load(_uncomment(sidecar.read_text(encoding="utf-8")))
    assert data["source"]["url"] == "http://example.org/x"
    assert set(data["source"]) == {"name", "url", "author", "published"}


def test_new_never_overwrites_without_force(site: Path) -> None:
    article, sidecar = new_brief(site, "Same title", today=TODAY)
    article.write_text("my work\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        new_brief(site, "Same title", today=TODAY)
    assert caught.value.path in (article, sidecar)
    assert "--force" in (caught.value.hint or "")
    assert article.read_text(encoding="utf-8") == "my work\n"
    new_brief(site, "Same title", today=TODAY, force=True)
    assert article.read_text(encoding="utf-8") != "my work\n"


def test_new_refuses_a_file_that_would_pair_with_it(site: Path) -> None:
    wire = site / "content" / "same-title.txt"
    wire.write_text("Wire copy.\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        new_brief(site, "Same title", today=TODAY, force=True)
    assert caught.value.path == wire
    assert not (site / "content" / "same-title.yaml").exists()


def test_new_refuses_a_slug_another_brief_has(site: Path) -> None:
    folder = site / "content" / "2023"
    folder.mkdir()
    (folder / "old.md").write_text("Text.\n", encoding="utf-8")
    (folder / "old.yaml").write_text("title: Old\ndate: 2023-01-01\nslug: budget-vote\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        new_brief(site, "Budget vote", today=TODAY)
    assert caught.value.path == folder / "old.yaml"


@pytest.mark.parametrize("date", ["2023-02-30", "tomorrow", "19.07.2018", "2018-7-19", "2018-07-19T25:00"])
def test_new_rejects_bad_dates(site: Path, date: str) -> None:
    with pytest.raises(BriefgenError) as caught:
        new_brief(site, "A brief", date=date)
    assert date in caught.value.message
    assert not list((site / "content").iterdir())


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "example.com/news", "https://",
                                 "http://exa mple.com/"])
def test_new_rejects_source_urls_that_are_not_http(site: Path, url: str) -> None:
    with pytest.raises(BriefgenError) as caught:
        new_brief(site, "A brief", source_url=url)
    assert "http" in caught.value.message
    assert not list((site / "content").iterdir())


def test_new_rejects_an_empty_title(site: Path) -> None:
    for title in ("", "   ", "!!!"):
        with pytest.raises(BriefgenError):
            new_brief(site, title)


def test_new_needs_a_site(tmp_path: Path) -> None:
    with pytest.raises(BriefgenError) as caught:
        new_brief(tmp_path, "A brief")
    assert caught.value.path == tmp_path
    assert "init" in (caught.value.hint or "")
    (tmp_path / "briefgen.yaml").write_text("title: x\n", encoding="utf-8")
    article, _ = new_brief(tmp_path, "A brief")  # content/ is made on first write
    assert article.parent == tmp_path / "content"


def test_check_date_values() -> None:
    assert check_date("2024-02-29") == dt.date(2024, 2, 29)
    assert check_date(" 2024-02-29 10:00 ") == dt.datetime(2024, 2, 29, 10, 0)


def test_yaml_scalar_stays_on_one_line() -> None:
    for value in ["plain", "a: b", "line\nbreak", "tab\there", "\u2028odd", " lead", "trail "]:
        text = yaml_scalar(value)
        assert "\n" not in text
        assert yaml.safe_load(f"k: {text}")["k"] == value


def test_new_briefs_build_with_the_example_site(tmp_path: Path) -> None:
    build_site = _build_site()
    init_site(tmp_path)
    new_brief(tmp_path, 'Trump: "no deal" — Zürich', date="2024-03-01", source_url="https://example.com/x")
    report = build_site(tmp_path)
    assert report.briefs == 2
