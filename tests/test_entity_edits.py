"""`briefgen entities merge` and `rename`: the files they rewrite, the redirects a build then publishes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen.authoring.entity_edits import merge_entities, rename_entity
from briefgen.errors import BriefgenError

from sitekit import NONDETERMINISTIC, broken_links, build, parse_html, snapshot, write_site

REGISTRY = """\
# The desk's registry: keep this comment.
people:
  - name: Ada Lovelace
    description: Mathematician.  # and this one
    aliases:
      - Countess of Lovelace
  - Alan Turing
organizations:
  - name: Siemens
    description: A German industrial company.
  - name: Siemens AG
    aliases: [Siemens Aktiengesellschaft]
"""
SITE = {
    "briefgen.yaml": "title: Desk\nbase_url: https://example.org/news/\n",
    "content/entities.yaml": REGISTRY,
    "content/one.md": "Ada Lovelace met Siemens AG in London.\n",
    "content/one.yaml": """\
        title: One  # the first
        date: 2024-03-01
        entities:
          people:
            - Ada Lovelace
          organizations:
            - Siemens AG
          places: [London]
        tags: [engines]
        """,
    "content/two.md": "Siemens and Siemens AG, with Alan Turing.\n",
    "content/two.yaml": """\
        title: Two
        date: 2024-03-02
        entities:
          people: [Alan Turing]
          organizations:
            - name: Siemens AG
              description: The listed company.
            - Siemens
        """,
}


def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", SITE)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_merge_rewrites_every_sidecar_and_records_the_old_name_and_address(tmp_path: Path) -> None:
    root = site(tmp_path)
    report = merge_entities(root, "organizations/siemens-ag", "organizations/siemens")
    assert set(report.files) == {root / "content/entities.yaml", root / "content/one.yaml", root / "content/two.yaml"}
    one = (root / "content/one.yaml").read_text()
    assert "title: One  # the first" in one  # comments and layout outside the edited item stay
    assert load(root / "content/one.yaml")["entities"]["organizations"] == ["Siemens"]
    # two.yaml named both: the old one goes, the other stays as written
    assert load(root / "content/two.yaml")["entities"]["organizations"] == ["Siemens"]
    registry_text = (root / "content/entities.yaml").read_text()
    assert "# The desk's registry: keep this comment." in registry_text and "# and this one" in registry_text
    registry = load(root / "content/entities.yaml")
    assert [entry["name"] for entry in registry["organizations"]] == ["Siemens"]
    siemens = registry["organizations"][0]
    assert siemens["aliases"] == ["Siemens AG", "Siemens Aktiengesellschaft"]
    assert siemens["redirect_from"] == ["organizations/siemens-ag"]
    assert siemens["description"] == "A German industrial company."  # its own description wins


def test_a_merge_and_its_redirects_build_into_a_site_where_no_old_address_dies(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    before = snapshot(root / "site")
    assert "organizations/siemens-ag/index.html" in before
    merge_entities(root, "organizations/siemens-ag", "organizations/siemens")
    build(root)
    out = root / "site"
    page = parse_html(out / "organizations/siemens-ag/index.html")
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == \
        "0; url=../../organizations/siemens/index.html"
    assert page.find("link", rel="canonical")["href"] == "https://example.org/news/organizations/siemens/"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("a")["href"] == "../../organizations/siemens/index.html"
    # The old feed address serves the entity's feed: subscribers keep getting its briefs.
    assert (out / "organizations/siemens-ag/feed.xml").read_bytes() == (out / "organizations/siemens/feed.xml").read_bytes()
    assert "organizations/siemens-ag/" not in (out / "sitemap.xml").read_text()
    # The article's "Siemens AG" still links, now to Siemens.
    one = parse_html(out / "briefs/one/index.html")
    assert "Siemens AG" in [a.get_text() for a in one.select('a[href$="organizations/siemens/index.html"]')]
    assert broken_links(out, "/news/") == []
    # The incremental build above equals a clean one.
    incremental = snapshot(out, NONDETERMINISTIC)
    build(root, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "clean", NONDETERMINISTIC) == incremental


def test_rename_changes_the_name_everywhere_and_the_old_page_redirects(tmp_path: Path) -> None:
    root = site(tmp_path)
    rename_entity(root, "people/ada-lovelace", "Augusta Ada King")
    registry = load(root / "content/entities.yaml")
    ada = registry["people"][0]
    assert ada["name"] == "Augusta Ada King"
    assert ada["aliases"] == ["Countess of Lovelace", "Ada Lovelace"]
    assert ada["redirect_from"] == ["people/ada-lovelace"]
    assert load(root / "content/one.yaml")["entities"]["people"] == ["Augusta Ada King"]
    build(root)
    out = root / "site"
    assert (out / "people/augusta-ada-king/index.html").is_file()
    assert "moved" in parse_html(out / "people/ada-lovelace/index.html").get_text()
    assert broken_links(out, "/news/") == []


def test_a_flow_list_and_a_mapping_with_an_id_are_rewritten_in_their_own_style(tmp_path: Path) -> None:
    root = site(tmp_path)
    rename_entity(root, "people/alan-turing", "Alan M. Turing")
    two = (root / "content/two.yaml").read_text()
    assert "  people: [Alan M. Turing]\n" in two
    registry = load(root / "content/entities.yaml")
    assert registry["people"][1] == {"name": "Alan M. Turing", "aliases": ["Alan Turing"],
                                     "redirect_from": ["people/alan-turing"]}
    (root / "content/three.yaml").write_text("title: Three\ndate: 2024-03-03\nentities:\n  people:\n"
                                             "    - name: Alan M. Turing\n      id: turing  # pinned\n")
    (root / "content/three.md").write_text("Turing.\n")
    rename_entity(root, "people/turing", "A. M. Turing")
    assert load(root / "content/three.yaml")["entities"]["people"] == [{"name": "A. M. Turing"}]


def test_a_merge_across_types_moves_the_ref_to_the_other_list(tmp_path: Path) -> None:
    root = site(tmp_path)
    merge_entities(root, "places/london", "organizations/siemens")
    one = load(root / "content/one.yaml")["entities"]
    assert one["places"] == [] or one.get("places") in (None, [])
    assert one["organizations"] == ["Siemens AG", "Siemens"]
    assert load(root / "content/entities.yaml")["organizations"][0]["redirect_from"] == ["places/london"]
    build(root)
    assert (root / "site/places/london/index.html").is_file()


def test_a_registry_is_made_when_the_site_has_none(tmp_path: Path) -> None:
    files = {key: value for key, value in SITE.items() if key != "content/entities.yaml"}
    root = write_site(tmp_path / "site", files)
    merge_entities(root, "organizations/siemens-ag", "organizations/siemens")
    assert load(root / "content/entities.yaml") == {"organizations": [
        {"name": "Siemens", "aliases": ["Siemens AG"], "redirect_from": ["organizations/siemens-ag"],
         "description": "The listed company."}]}


def test_dry_run_says_what_would_change_and_writes_nothing(tmp_path: Path) -> None:
    root = site(tmp_path)
    before = snapshot(root)
    result = subprocess.run([sys.executable, "-m", "briefgen", "entities", "merge", "organizations/siemens-ag",
                             "organizations/siemens", "--site", str(root), "--dry-run"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "one.yaml: organizations 'Siemens AG' → organizations 'Siemens'" in result.stdout
    assert "dry run: nothing written" in result.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize(("command", "message"), [
    (["merge", "organizations/siemens-ag", "organizations/siemens-plc"], "no entity 'organizations/siemens-plc'"),
    (["merge", "people/nobody", "organizations/siemens"], "no entity 'people/nobody'"),
    (["rename", "organizations/siemens-ag", "Siemens"], "'organizations/siemens' already exists"),
    (["merge", "persons/ada-lovelace", "people/alan-turing"], "not an entity"),
    (["merge", "people/alan-turing", "people/alan-turing"], "one entity"),
])
def test_refusals_say_why_and_change_no_file(tmp_path: Path, command: list[str], message: str) -> None:
    root = site(tmp_path)
    before = snapshot(root)
    result = subprocess.run([sys.executable, "-m", "briefgen", "entities", *command, "--site", str(root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_a_sidecar_that_cannot_be_edited_safely_is_refused_whole(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/one.yaml").write_text("title: One\ndate: 2024-03-01\n"
                                          "entities: {people: [Ada Lovelace], organizations: [Siemens AG]}\n")
    write_site(root, {"content/three.md": "London.\n",
                      "content/three.yaml": "title: Three\ndate: 2024-03-03\nentities: {places: [London]}\n"})
    before = snapshot(root)
    with pytest.raises(BriefgenError, match="cannot edit this file safely") as caught:
        merge_entities(root, "people/ada-lovelace", "places/london")  # a new list in a one-line mapping
    assert caught.value.path == root / "content/one.yaml"
    assert snapshot(root) == before


def test_a_redirect_that_would_hide_a_page_is_an_error(tmp_path: Path) -> None:
    root = site(tmp_path)
    merge_entities(root, "organizations/siemens-ag", "organizations/siemens")
    # A new brief names the merged entity again, under its old address.
    write_site(root, {"content/three.md": "Siemens AG.\n",
                      "content/three.yaml": "title: Three\ndate: 2024-03-03\n"
                                            "entities: {organizations: [{name: Siemens AG, id: siemens-ag}]}\n"})
    with pytest.raises(BriefgenError, match="redirect would hide the page") as caught:
        build(root)
    assert caught.value.path == root / "content/entities.yaml"


def test_redirect_from_is_read_in_the_registry_only(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/two.yaml").write_text("title: Two\ndate: 2024-03-02\nentities:\n  people:\n"
                                          "    - {name: Alan Turing, redirect_from: [people/turing]}\n")
    with pytest.raises(BriefgenError, match="belongs in the entity registry"):
        build(root)


def test_a_sidecar_that_is_not_valid_yaml_is_named_and_nothing_changes(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "content/two.yaml").write_text("title: Two\ndate: 2024-03-02\nentities: [unclosed\n")
    before = snapshot(root)
    with pytest.raises(BriefgenError, match="not valid YAML") as caught:
        merge_entities(root, "organizations/siemens-ag", "organizations/siemens")
    assert caught.value.path == root / "content/two.yaml"
    assert snapshot(root) == before
