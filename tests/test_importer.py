"""Tests for briefgen.authoring's import: wire copy → draft brief, titles and entity suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from briefgen.authoring.dates import suggest_date
from briefgen.authoring.importer import import_wire_files, known_entities
from briefgen.authoring.names import suggest_entities
from briefgen.authoring.titles import shorten_title, suggest_title
from briefgen.errors import BriefgenError
from briefgen.wire import parse_wire

SEED = Path(__file__).resolve().parent.parent / "seeds" / "putin-washington-invite.txt"
TODAY = dt.date(2018, 7, 20)
SEED_PEOPLE = {"Donald Trump", "Vladimir Putin", "Sarah Sanders", "John Bolton", "Michael McFaul", "Robert Mueller"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _all_names(found: dict[str, list[str]]) -> list[str]:
    return [name for names in found.values() for name in names]


# ---------------------------------------------------------------- the seed


def test_import_of_the_seed_makes_a_draft(site: Path) -> None:
    [(article, sidecar)] = import_wire_files(site, [SEED], today=TODAY)
    assert article == site / "content" / "putin-washington-invite.txt"
    assert sidecar == site / "content" / "putin-washington-invite.yaml"
    assert article.read_text(encoding="utf-8").rstrip("\n") == SEED.read_text(encoding="utf-8").rstrip("\n")
    data = _load(sidecar)
    assert data["draft"] is True
    assert data["date"] == TODAY
    assert data["key_points"] == list(parse_wire(SEED.read_text(encoding="utf-8")).key_points)
    assert len(data["key_points"]) == 3
    assert isinstance(data["title"], str) and 10 < len(data["title"]) <= 81
    assert "source" not in data
    entities = data["entities"]
    assert set(entities["people"]) >= SEED_PEOPLE
    assert {"White House", "Senate"} <= set(entities["organizations"])
    assert {"Washington", "Helsinki", "Finland", "Russia"} <= set(entities["places"])
    names = _all_names(entities)
    for short_or_junk in ("Trump", "Putin", "Mueller", "The", "On", "No", "Meanwhile", "She", "Thursday", "In"):
        assert short_or_junk not in names
    assert len(names) == len(set(names))


def test_seed_sidecar_asks_for_a_review_and_keeps_the_other_keys_commented(site: Path) -> None:
    [(_, sidecar)] = import_wire_files(site, [SEED], today=TODAY)
    text = sidecar.read_text(encoding="utf-8")
    before_entities = text.split("\nentities:")[0].splitlines()[-1]
    assert before_entities.startswith("#") and "review" in before_entities.lower()
    for key in ("summary", "annotations", "tags", "slug", "source"):
        assert f"# {key}:" in text


def test_import_writes_the_source(site: Path) -> None:
    [(_, sidecar)] = import_wire_files(site, [SEED], source_url="https://edition.cnn.com/x", source_name="CNN",
                                       today=TODAY)
    assert _load(sidecar)["source"] == {"name": "CNN", "url": "https://edition.cnn.com/x"}


def test_imported_draft_builds(site: Path) -> None:
    build = pytest.importorskip("briefgen.build")
    if not hasattr(build, "build_site"):
        pytest.skip("briefgen.build.build_site is not there yet")
    import_wire_files(site, [SEED], source_url="https://example.com/x", today=TODAY)
    report = build.build_site(site, drafts=True)
    assert report.briefs == 1
    assert (site / "site" / "briefs" / "putin-washington-invite" / "index.html").is_file()


# ---------------------------------------------------------------- errors


def test_non_utf8_names_the_file_and_line(site: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("- Point\nFirst line.\nZ\xfcrich is here.\n".encode("latin-1"))
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [bad])
    assert caught.value.path == bad
    assert caught.value.line == 3
    assert not list((site / "content").iterdir())


def test_binary_file_is_refused(site: Path, tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [binary])
    assert caught.value.path == binary
    assert "binary" in caught.value.message


def test_missing_and_empty_files_are_refused(site: Path, tmp_path: Path) -> None:
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [tmp_path / "nowhere.txt"])
    assert caught.value.path == tmp_path / "nowhere.txt"
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [empty])
    assert caught.value.path == empty


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "www.example.com"])
def test_bad_source_url_is_refused(site: Path, url: str) -> None:
    with pytest.raises(BriefgenError):
        import_wire_files(site, [SEED], source_url=url)
    assert not list((site / "content").iterdir())


def test_import_never_overwrites_without_force(site: Path) -> None:
    import_wire_files(site, [SEED], today=TODAY)
    sidecar = site / "content" / "putin-washington-invite.yaml"
    sidecar.write_text("title: Edited\ndate: 2018-07-20\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [SEED], today=TODAY)
    assert caught.value.path is not None and caught.value.path.name.startswith("putin-washington-invite.")
    assert "Edited" in sidecar.read_text(encoding="utf-8")
    import_wire_files(site, [SEED], today=TODAY, force=True)
    assert _load(sidecar)["draft"] is True


def test_a_wire_file_named_like_the_registry_never_replaces_it(site: Path, tmp_path: Path) -> None:
    registry = site / "content" / "entities.yaml"
    registry.write_text("people:\n  - {name: Ada Lovelace, description: A mathematician.}\n", encoding="utf-8")
    wire = tmp_path / "entities.txt"
    wire.write_text("Hello from the wire.\n", encoding="utf-8")
    for force in (False, True):
        with pytest.raises(BriefgenError, match="cannot be named 'entities'"):
            import_wire_files(site, [wire], today=TODAY, force=force)
    assert "Ada Lovelace" in registry.read_text(encoding="utf-8")
    assert sorted(p.name for p in (site / "content").iterdir()) == ["entities.yaml"]


def test_a_wire_file_already_in_content_gets_its_sidecar(site: Path) -> None:
    wire = site / "content" / "story.txt"
    wire.write_text("- A point.\nPresident Ana Lima spoke in Lisbon.\n", encoding="utf-8")
    [(article, sidecar)] = import_wire_files(site, [wire], today=TODAY)
    assert article == wire
    assert wire.read_text(encoding="utf-8") == "- A point.\nPresident Ana Lima spoke in Lisbon.\n"
    assert _load(sidecar)["entities"] == {"people": ["Ana Lima"], "places": ["Lisbon"]}


def test_one_bad_file_leaves_the_site_untouched(site: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(site, [SEED, bad, tmp_path / "missing.txt"])
    assert len(getattr(caught.value, "errors", [caught.value])) == 2
    assert not list((site / "content").iterdir())


def test_two_files_with_one_slug_are_refused(site: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "story.txt").write_text("Something happened.\n", encoding="utf-8")
    with pytest.raises(BriefgenError):
        import_wire_files(site, [tmp_path / "a" / "story.txt", tmp_path / "b" / "story.txt"])
    assert not list((site / "content").iterdir())


def test_import_needs_a_site(tmp_path: Path) -> None:
    with pytest.raises(BriefgenError) as caught:
        import_wire_files(tmp_path, [SEED])
    assert caught.value.path == tmp_path


# ---------------------------------------------------------------- titles


def test_title_from_the_first_key_point_is_short() -> None:
    title = suggest_title(SEED.read_text(encoding="utf-8"))
    assert len(title) <= 81
    assert title.startswith("The White House")
    assert not title.endswith((" to", " the", ",", " have"))


def test_title_from_the_first_paragraph_without_dateline_or_shouting() -> None:
    text = "TRUMP TO MEET PUTIN IN HELSINKI\nPresident Donald Trump will meet Vladimir Putin in Helsinki.\n"
    assert suggest_title(text) == "Trump to meet Putin in Helsinki"
    text = "WASHINGTON (AP) — The Senate passed the bill on Thursday.\n"
    assert suggest_title(text) == "The Senate passed the bill on Thursday"


def test_shorten_title_cuts_at_a_clause_boundary() -> None:
    text = ("Officials in the coastal province said on Monday that the storm, which had weakened overnight, "
            "would reach the capital by evening")
    short = shorten_title(text)
    assert len(short) <= 81
    assert short.startswith("Officials in the coastal province said")
    assert shorten_title("Short title.") == "Short title"


# ---------------------------------------------------------------- suggestions


def test_possessives_and_curly_apostrophes() -> None:
    text = ("Special counsel Robert Mueller’s team filed charges. Mueller's office declined to comment.\n"
            "Critics said Mueller’s report was thorough.")
    found = suggest_entities(text)
    assert found["people"] == ["Robert Mueller"]


def test_sentence_initial_words_are_not_names() -> None:
    text = ("The White House said on Thursday that talks were underway. On Friday, officials met in Geneva.\n"
            "No date was set. Meanwhile, the Senate voted. However, Critics were not convinced.\n"
            "She said the visit to Paris would go ahead.")
    found = suggest_entities(text)
    names = _all_names(found)
    for word in ("The", "On", "Friday", "No", "Meanwhile", "However", "Critics", "She", "Thursday"):
        assert word not in names and not any(n.startswith(word + " ") for n in names), word
    assert "White House" in found["organizations"] and "Senate" in found["organizations"]
    assert {"Geneva", "Paris"} <= set(found["places"])


def test_unicode_names() -> None:
    text = ("German Chancellor Angela Müller met President Volodymyr Zelenskyy in Kyiv.\n"
            "Novak Đoković, 36, beat Daniil Medvedev in Zürich. Đoković said he was tired.\n"
            "Beto O’Rourke, the former congressman, spoke in El Paso. O'Rourke's campaign ended.\n"
            "Müller later flew to São Paulo.")
    found = suggest_entities(text)
    assert {"Angela Müller", "Volodymyr Zelenskyy", "Novak Đoković", "Daniil Medvedev"} <= set(found["people"])
    assert sum(1 for name in found["people"] if "Rourke" in name) == 1
    assert any("Rourke" in name and name.startswith("Beto") for name in found["people"])
    assert {"Kyiv", "Zürich", "El Paso", "São Paulo"} <= set(found["places"])
    for short in ("Đoković", "Müller", "O'Rourke", "O’Rourke"):
        assert short not in found["people"]


def test_titles_roles_and_organizations() -> None:
    text = ("Secretary of State Mike Pompeo met Foreign Minister Sergei Lavrov at the United Nations.\n"
            "Kremlin spokesman Dmitry Peskov said Moscow was ready. Analysts at Goldman Sachs Group Inc. agreed.\n"
            "The Securities and Exchange Commission and the Bank of England declined to comment.\n"
            "Dr. Jane Okafor, a researcher at Oxford University, said the data were clear.")
    found = suggest_entities(text)
    assert {"Mike Pompeo", "Sergei Lavrov", "Dmitry Peskov", "Jane Okafor"} <= set(found["people"])
    assert {"United Nations", "Kremlin", "Securities and Exchange Commission", "Bank of England",
            "Oxford University"} <= set(found["organizations"])
    assert any(name.startswith("Goldman Sachs") for name in found["organizations"])


def test_all_caps_headline_and_dateline() -> None:
    text = ("PUTIN INVITED TO WASHINGTON\n"
            "MOSCOW (Reuters) - Russian President Vladimir Putin has been invited to Washington, the Kremlin said.")
    found = suggest_entities(text)
    assert found["people"] == ["Vladimir Putin"]
    assert {"Moscow", "Washington"} <= set(found["places"])
    names = _all_names(found)
    assert not any(name.isupper() and len(name) > 5 for name in names)
    assert not any("Invited" in name or "INVITED" in name for name in names)


def test_bylines_and_credits_are_not_entities() -> None:
    text = ("By Jane Reporter and John Writer\n"
            "President Emma Stone visited Lisbon on Monday.\n"
            "(Reporting by Ana Silva; Editing by Tom Brown)")
    found = suggest_entities(text)
    assert found["people"] == ["Emma Stone"]


def test_registry_names_and_aliases() -> None:
    registry = {
        "Vladimir Putin": ("people", "Vladimir Putin"),
        "Putin": ("people", "Vladimir Putin"),
        "EU": ("organizations", "European Union"),
        "European Union": ("organizations", "European Union"),
        "election interference": ("topics", "Election interference"),
        "Kremlin": ("places", "Kremlin"),
    }
    text = ("Putin said the EU was wrong about election interference. Putinism is not a name.\n"
            "The Kremlin said nothing. Officials in the EU disagreed.")
    found = suggest_entities(text, registry)
    assert found["people"] == ["Vladimir Putin"]
    assert found["organizations"] == ["European Union"]
    assert found["topics"] == ["Election interference"]
    assert found["places"] == ["Kremlin"]  # the site's type wins over the guess


def test_registry_does_not_match_inside_a_longer_name() -> None:
    registry = {"House": ("organizations", "House of Representatives"), "Trump": ("people", "Donald Trump")}
    found = suggest_entities("The White House said Ivanka Trump would travel to Ottawa.", registry)
    assert "House of Representatives" not in found["organizations"]
    assert "White House" in found["organizations"]
    assert "Donald Trump" not in found["people"]


def test_registry_full_name_takes_a_shorter_form_of_it() -> None:
    registry = {"Vladimir Vladimirovich Putin": ("people", "Vladimir Vladimirovich Putin")}
    found = suggest_entities("Russian President Vladimir Putin spoke in Moscow.", registry)
    assert found["people"] == ["Vladimir Vladimirovich Putin"]


def test_known_entities_from_registry_and_sidecars(site: Path) -> None:
    content = site / "content"
    (content / "entities.yaml").write_text(
        "people:\n"
        "  - name: Vladimir Putin\n"
        "    id: putin\n"
        "    aliases: [President Putin, Putin]\n"
        "places:\n"
        "  - Helsinki\n", encoding="utf-8")
    (content / "old.md").write_text("Text.\n", encoding="utf-8")
    (content / "old.yaml").write_text(
        "title: Old\ndate: 2018-01-01\nentities:\n  organizations: [White House]\n"
        "  people:\n    - {name: V. Putin, id: putin}\n", encoding="utf-8")
    (content / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    known = known_entities(site)
    assert known.names["Putin"] == ("people", "Vladimir Putin")
    assert known.names["V. Putin"] == ("people", "Vladimir Putin")
    assert known.names["White House"] == ("organizations", "White House")
    assert known.resolve("people", "Vladimir Putin") == ("people", {"name": "Vladimir Putin", "id": "putin"})
    assert known.resolve("people", "Helsinki") == ("places", "Helsinki")  # one id is one entity


def test_import_uses_the_sites_entities(site: Path, tmp_path: Path) -> None:
    (site / "content" / "entities.yaml").write_text(
        "people:\n  - name: Vladimir Putin\n    id: putin\n    aliases: [Putin]\n"
        "topics:\n  - name: Summits\n    aliases: [summit]\n", encoding="utf-8")
    wire = tmp_path / "summit.txt"
    wire.write_text("Putin arrived in Helsinki for the summit on Monday.\n", encoding="utf-8")
    [(_, sidecar)] = import_wire_files(site, [wire], today=TODAY)
    entities = _load(sidecar)["entities"]
    assert entities["people"] == [{"name": "Vladimir Putin", "id": "putin"}]
    assert entities["topics"] == ["Summits"]
    assert entities["places"] == ["Helsinki"]


@pytest.mark.parametrize("dateline,today,expected", [
    ("WASHINGTON, Sept 13 (Reuters) - The talks", dt.date(2024, 10, 1), dt.date(2024, 9, 13)),
    ("WASHINGTON, Sept 13 (Reuters) - The talks", dt.date(2024, 9, 1), dt.date(2023, 9, 13)),
    ("LONDON, 5 March 2023 (AP) — Ministers", dt.date(2024, 10, 1), dt.date(2023, 3, 5)),
    ("TOKYO, Nov. 14 (Reuters) -- The bank", dt.date(2024, 11, 14), dt.date(2024, 11, 14)),
    ("Ministers met on Monday in London.", dt.date(2024, 10, 1), None),
    ("PARIS, Feb 30 (AFP) - Nothing", dt.date(2024, 10, 1), None),
])
def test_the_dateline_gives_the_date(dateline: str, today: dt.date, expected: dt.date | None) -> None:
    assert suggest_date(f"- A point.\n{dateline} agreed on a plan.\n", today) == expected


def test_an_imported_draft_is_dated_by_its_dateline(site: Path, tmp_path: Path) -> None:
    wire = tmp_path / "talks.txt"
    wire.write_text("WASHINGTON, July 18 (Reuters) - The White House said talks were underway.\n", encoding="utf-8")
    _, sidecar = import_wire_files(site, [wire], today=TODAY)[0]
    assert _load(sidecar)["date"] == dt.date(2018, 7, 18)


def test_bullets_of_any_kind_are_key_points_and_any_script_a_dateline(site: Path, tmp_path: Path) -> None:
    wire = tmp_path / "talks.txt"
    wire.write_text("• The first point.\n* The second point.\n\n"
                    "МОСКВА, 5 марта (Reuters) - Президент России заявил о переговорах.\n• Not a point.\n",
                    encoding="utf-8")
    article, sidecar = import_wire_files(site, [wire], today=TODAY)[0]
    assert parse_wire(article.read_text(encoding="utf-8")).key_points == ("The first point.", "The second point.")
    assert article.read_text(encoding="utf-8").endswith("• Not a point.\n")
    assert _load(sidecar)["title"] == "The first point"
    assert suggest_title("МОСКВА, 5 марта (Reuters) - Президент России заявил о переговорах.\n") == \
        "Президент России заявил о переговорах"
