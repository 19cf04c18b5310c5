"""The load stage: pairing, sidecar validation, dates, key points, slugs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from briefgen.config import load_config
from briefgen.errors import BriefgenError, ErrorCollector
from briefgen.load import parse_date, split_key_points
from briefgen.scan import find_content

from sitekit import build, load_folder, write_site


def load(site: Path):
    briefs, refs, errors = load_folder(site)
    return SimpleNamespace(briefs=briefs, refs=refs), errors


def test_briefs_at_any_depth_newest_first_and_ignored_names(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "content/2024/march/a.md": "A.\n", "content/2024/march/a.yaml": "title: A\ndate: 2024-03-01\n",
        "content/b.markdown": "B.\n", "content/b.yml": "title: B\ndate: 2024-03-02T10:00:00+01:00\n",
        "content/_drafts/c.md": "C.\n", "content/.hidden.md": "x\n", "content/_notes.yaml": "x: 1\n",
    })
    loaded, errors = load(site)
    assert errors == []
    assert [b.slug for b in loaded.briefs] == ["b", "a"]
    assert loaded.briefs[0].has_time and not loaded.briefs[1].has_time


def test_dates_take_the_site_time_zone(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"briefgen.yaml": "timezone: Europe/Berlin\n"})
    config = load_config(site)
    when, has_time = parse_date("2024-07-01T12:00:00", config)
    assert has_time and when.utcoffset() == timedelta(hours=2)
    when, _ = parse_date("2024-07-01T12:00:00Z", config)
    assert when.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("2023-02-30", config)
    with pytest.raises(ValueError):
        parse_date("yesterday", config)


def test_markdown_key_points_from_a_leading_bullet_list() -> None:
    points, body = split_key_points("- One\n- Two *strong*\n  wrapped\n\nThe story.\n", "markdown")
    assert points == ["One", "Two *strong* wrapped"] and body == "The story.\n"
    points, body = split_key_points("Intro.\n\n- not key\n", "markdown")
    assert points == [] and body.startswith("Intro.")
    points, _ = split_key_points("- a list\nthat runs into a paragraph\n", "markdown")
    assert points == []


def test_sidecar_key_points_win_and_the_body_list_stays(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "content/a.md": "- in body\n\nText.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nkey_points: [From sidecar]\n",
    })
    loaded, _ = load(site)
    assert loaded.briefs[0].key_points == ("From sidecar",)
    assert loaded.briefs[0].body.startswith("- in body")


def test_wire_copy_key_points(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "content/a.txt": "- First point\n- Second point\nThe first paragraph.\n- not a key point\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
    })
    loaded, _ = load(site)
    brief = loaded.briefs[0]
    assert brief.key_points == ("First point", "Second point")
    assert brief.body.startswith("The first paragraph.") and "- not a key point" in brief.body


def test_slugs_from_file_names_and_sidecars(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "content/008 Budget brief.md": "x\n", "content/008 Budget brief.yaml": "title: A\ndate: 2024-01-01\n",
        "content/Zürich Überblick.md": "x\n", "content/Zürich Überblick.yaml": "title: B\ndate: 2024-01-02\n",
        "content/c.md": "x\n", "content/c.yaml": "title: C\ndate: 2024-01-03\nslug: my-own\n",
    })
    loaded, errors = load(site)
    assert errors == []
    assert sorted(b.slug for b in loaded.briefs) == ["008-budget-brief", "my-own", "zurich-uberblick"]


def test_file_stems_are_slugged_without_filling_the_slug_cache(tmp_path: Path) -> None:
    """Each stem comes once a build: remembered, 100,000 of them filled the cache of every process."""
    from briefgen.slugs import slugify

    files = {}
    for number in range(40):
        files[f"content/Brief number {number}.md"] = "x\n"
        files[f"content/Brief number {number}.yaml"] = f"title: B{number}\ndate: 2024-01-01\ntags: [Shared tag]\n"
    site = write_site(tmp_path, files)
    slugify.cache_clear()
    loaded, errors = load(site)
    assert errors == [] and len(loaded.briefs) == 40
    assert "brief-number-7" in {b.slug for b in loaded.briefs}
    assert slugify.cache_info().currsize < 5  # the tag, spelled once; no stem


def test_entity_refs_by_name_and_mapping(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "content/a.md": "x\n",
        "content/a.yaml": """
            title: A
            date: 2024-01-01
            entities:
              people:
                - Đoković
                - {name: Vladimir Putin, id: putin, aliases: [Putin], wikidata: Q7747}
            """,
    })
    loaded, errors = load(site)
    assert errors == []
    assert [(r.id, r.explicit_id) for r in loaded.refs] == [("dokovic", False), ("putin", True)]
    assert loaded.briefs[0].entities == (("people", "dokovic"), ("people", "putin"))


@pytest.mark.parametrize("sidecar,message", [
    ("title: A\ndate: 2024-01-01\ntags: History\n", "a.yaml:3: 'tags' must be a list"),
    ("title: A\ndate: 2024-01-01\nslug: Not A Slug\n", "a.yaml:3: slug 'Not A Slug' is not a valid slug"),
    ("title: A\ndate: 2024-01-01\nentities:\n  people:\n    - {name: X, wikidata: 42}\n", "wikidata '42' is not"),
    ("title: A\ndate: 2024-01-01\nannotations:\n  - exact: x\n    note: y\n", "unknown key 'exact' in annotation 1"),
    ("title: A\ndate: 2024-01-01\nannotations:\n  - quote: x\n", "a.yaml:4: missing required key 'note'"),
    ("- just\n- a list\n", "a.yaml:1: sidecar must be a mapping"),
    ("", "a.yaml:1: sidecar is empty"),
    ("title: [a, b]\ndate: 2024-01-01\n", "a.yaml:1: 'title' must be text"),
    ("title: A\ndate: 2024-01-01\nsource: {url: 'ftp://x.org/a'}\n", "source.url must be an http or https URL"),
])
def test_sidecar_errors_name_file_and_line(tmp_path: Path, sidecar: str, message: str) -> None:
    site = write_site(tmp_path, {"content/a.md": "x\n", "content/a.yaml": sidecar})
    _, errors = load(site)
    assert any(message in error for error in errors), errors


def test_scalar_titles_keep_their_text(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"content/a.md": "x\n", "content/a.yaml": "title: 2024\ndate: 2024-01-01\n"})
    loaded, errors = load(site)
    assert errors == [] and loaded.briefs[0].title == "2024"


def test_list_items_keep_their_text(tmp_path: Path) -> None:
    # YAML 1.1 would read these as 1.1, True, 1000, 31 and False: the pages would say so.
    site = write_site(tmp_path, {"content/a.md": "x\n", "content/a.yaml": """
        title: A
        date: 2024-01-01
        tags: [1.10, on, 1_000]
        key_points: [1.10, yes]
        entities:
          organizations: [Yes, 0x1F, {name: Acme, aliases: [1984, "no"]}, {name: Zed, aliases: 2001}]
          places: [NO]
        """})
    loaded, errors = load(site)
    assert errors == []
    brief = loaded.briefs[0]
    assert brief.tags == ("1.10", "on", "1_000")
    assert brief.key_points == ("1.10", "yes")
    assert [(r.name, r.aliases) for r in loaded.refs] == [
        ("Yes", ()), ("0x1F", ()), ("Acme", ("1984", "no")), ("Zed", ("2001",)), ("NO", ())]


def test_no_content_folder(tmp_path: Path) -> None:
    with pytest.raises(BriefgenError, match="no content/ folder"):
        find_content(load_config(tmp_path), ErrorCollector())


def test_the_scan_pairs_files_folder_by_folder_and_names_every_problem(tmp_path: Path) -> None:
    """Pairs come folder by folder as paths order them (`a/` before `a-b/`, though '-' sorts before '/'),
    stems sorted; odd files are named in the errors, whatever order the folder lists them in."""
    content = tmp_path / "content"
    files = ["a-b/x.md", "a-b/x.yaml", "a/z.md", "a/z.yaml", "a/y.txt", "a/y.yml", "b.md", "b.yaml",
             "a/Sub/q.MD", "a/Sub/q.YAML", "lone.md", "only.yaml", "two.md", "two.txt", "two.yaml",
             "_drafts/d.md", "_drafts/d.yaml", ".hidden.md", "entities.yml", "entities.yaml", "entities.md",
             "notes.json"]
    for name in files:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    errors = ErrorCollector()
    found = find_content(load_config(tmp_path), errors)
    root = str(content)
    assert found.keys == (
        (f"{root}/b.md", f"{root}/b.yaml"),
        (f"{root}/a/y.txt", f"{root}/a/y.yml"), (f"{root}/a/z.md", f"{root}/a/z.yaml"),
        (f"{root}/a/Sub/q.MD", f"{root}/a/Sub/q.YAML"),
        (f"{root}/a-b/x.md", f"{root}/a-b/x.yaml"))
    assert found.pairs[0] == (content / "b.md", content / "b.yaml")
    assert found.registry == content / "entities.yaml"
    messages = sorted((str(error.path.relative_to(content)), error.message) for error in errors.errors)
    assert messages == [
        ("entities.md", "an article at the top of content/ cannot be named 'entities': "
                        "entities.yaml there is the entity registry"),
        ("entities.yml", "two entity registries: entities.yaml and entities.yml"),
        ("lone.md", f"article has no sidecar: expected {root}/lone.yaml"),
        ("only.yaml", f"sidecar has no article: expected {root}/only.md"),
        ("two.md", f"two articles share one sidecar: {root}/two.md and {root}/two.txt"),
    ]


def test_text_in_another_unicode_form_still_matches(tmp_path: Path) -> None:
    import unicodedata

    from briefgen.build import Builder

    article = unicodedata.normalize("NFD", "Zoë Müller visited Köln yesterday.\n")
    sidecar = unicodedata.normalize("NFC", """title: Visit
date: 2024-01-01
entities: {people: [Zoë Müller], places: [Köln]}
annotations: [{quote: visited Köln, note: A city.}]
""")
    assert article != unicodedata.normalize("NFC", article)
    site = write_site(tmp_path / "site", {"content/a.md": article, "content/a.yaml": sidecar})
    report = Builder(site, tmp_path / "out", use_cache=False, search=False).build()
    assert report.warnings == ()
    page = (tmp_path / "out/briefs/a/index.html").read_text()
    assert 'href="../../places/koln/index.html"' in page and "people/zoe-muller/" in page


def test_a_legal_file_name_whose_slug_is_too_long_is_cut_at_a_hyphen_with_a_warning(tmp_path: Path) -> None:
    """80 Chinese characters are a legal name (240 bytes) but transliterate to 479 characters."""
    stem = "中华人民共和国" * 11 + "中华人"
    site = write_site(tmp_path / "site", {f"content/{stem}.md": "Text.\n",
                                          f"content/{stem}.yaml": "title: A\ndate: 2024-01-01\n"})
    report = build(site)
    slug = next((site / "site/briefs").iterdir()).name
    assert len(slug) <= 80 and slug.startswith("zhong-hua-ren-min-gong-he-guo-") and not slug.endswith("-")
    [warning] = [w for w in report.warnings if "slug" in w.message]
    assert warning.path == site / f"content/{stem}.yaml" and "set `slug:` in the sidecar" in warning.message


def test_an_explicit_slug_too_long_for_a_file_name_is_an_error_on_its_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n",
                                          "content/a.yaml": f"title: A\ndate: 2024-01-01\nslug: {'a' * 201}\n"})
    _, errors = load(site)
    [error] = errors
    assert error.startswith(f"{site / 'content/a.yaml'}:3: slug 'aaaa") and "is too long" in error


@pytest.mark.parametrize("text", ["", "  \n\t\n", "\n\n"])
def test_an_article_with_no_text_is_a_warning_naming_it(tmp_path: Path, text: str) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n",
                                          "content/b.txt": "", "content/b.yaml": "title: B\ndate: 2024-01-02\n"})
    (site / "content/b.txt").write_text(text)
    report = build(site)
    assert [(w.path, w.message.split(":")[0]) for w in report.warnings] == [
        (site / "content/b.txt", "the article has no text (it is empty or only white space)")]


def test_a_one_character_alias_is_an_error_on_its_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "I met Ada.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities:\n  people:\n    - name: Ada Lovelace\n"
                          "      aliases: [Ada, I]\n",
        "content/entities.yaml": "places:\n  - {name: Beijing, aliases: 京}\n",
    })
    _, errors = load(site)
    assert errors == [
        f"{site / 'content/a.yaml'}:6: alias 'I' of 'Ada Lovelace' is one character: it would link every 'I' "
        "in the text\n    hint: remove it; an alias needs at least two characters",
        f"{site / 'content/entities.yaml'}:2: alias '京' of 'Beijing' is one character: it would link every '京' "
        "in the text\n    hint: remove it; an alias needs at least two characters"]
