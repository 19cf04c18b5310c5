"""Incremental builds are byte for byte clean builds, whatever the sequence of edits.

A Hypothesis test applies random edits to a small site (add, delete, rename,
body, title, date, entities, aliases, the registry, a template, a static
file, a broken file later fixed, and the build's time moving past briefs'
dates), rebuilds incrementally after each one
and compares the output with a clean build of the same content.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from briefgen import build, cache, memory, pages, render, saved, store
from briefgen.authoring.entity_edits import merge_entities, rename_entity
from briefgen.build import Builder
from briefgen.cache import CACHE_DIR, StampTable
from briefgen.errors import BriefgenError, BuildWarning
from briefgen.memory import BuildMemory, Manifest, OutputsCheck
from briefgen.ownership import outputs_total, site_fingerprint, updated_total
from briefgen.slugs import slugify

from sitekit import ADA, assert_reaped, forks_counted, snapshot, write_site

PEOPLE = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Alan Turing", "Grace Hopper"]
PLACES = ["London", "Paris", "Geneva"]
TAGS = ["Science", "History", "science", "Computing"]
WORDS = ["analytical", "engine", "notes", "program", "letter", "lecture", "machine", "bernoulli"]
# A one-brief site naming one entity.
# An annotation's variants, as sidecar lines after its quote: who wrote it, when, and a verdict change its output.
ANNOTATIONS = {
    "plain": ["    note: A *note*.", "    kind: context"],
    "by": ["    note: A *note*.", "    kind: context", "    by: Ada", "    date: 2024-05-03"],
    "rated": ["    note: Checked.", "    kind: fact-check", "    by: {name: Desk, url: 'https://example.org/desk'}",
              "    date: 2024-05-04", "    rating: 'False'"],
    "scaled": ["    note: Checked.", "    kind: fact-check", "    rating: {value: 2, best: 5, worst: 1, name: Misleading}"],
}


def sidecar(title: str, day: int, people: list[str], places: list[str], tags: list[str],
            annotate: bool | str, draft: bool = False) -> str:
    lines = [f"title: {title!r}", f"date: 2024-03-{day:02d}"]
    if people or places:
        lines.append("entities:")
        if people:
            lines.append(f"  people: [{', '.join(people)}]")
        if places:
            lines.append(f"  places: [{', '.join(places)}]")
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    if annotate:
        lines += ["annotations:", "  - quote: the first sentence", *ANNOTATIONS["plain" if annotate is True else annotate]]
    if draft:
        lines.append("draft: true")
    return "\n".join(lines) + "\n"


def body(people: list[str], places: list[str], words: list[str], picture: bool = True) -> str:
    mentioned = " and ".join(people + places) or "Nobody"
    text = f"This is the first sentence. {mentioned} met about the {' '.join(words) or 'weather'}.\n\n"
    # A body may show the shared picture (when content/pic.jpg is there; else it is a dead image, warned): a
    # link from the site's root, which a brief without it does not have.
    if picture:
        text += "![A picture](pic.jpg \"The picture\")\n"
    # Links to other briefs' notes and headings: found or dead as those briefs come, go and change.
    if "letter" in words:
        text += "\nSee [the note](/briefs/brief-1/#note-1) and [the page](/briefs/brief-2/).\n"
    if "bernoulli" in words:
        text += "\n## Bernoulli\n\nSee [above](#bernoulli) and [there](/briefs/brief-3/#bernoulli).\n"
    return text


brief_content = st.fixed_dictionaries({
    "title": st.sampled_from(["Notes", "A letter", "The engine", "Lecture"]),
    "day": st.integers(1, 28),
    "people": st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True),
    "places": st.lists(st.sampled_from(PLACES), max_size=2, unique=True),
    "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    "words": st.lists(st.sampled_from(WORDS), max_size=4),
    "annotate": st.sampled_from([False, *ANNOTATIONS]),
    "picture": st.booleans(),
    "draft": st.booleans(),
})
slugs = st.sampled_from([f"brief-{i}" for i in range(8)])
edit = st.one_of(
    st.tuples(st.just("put"), slugs, brief_content),
    st.tuples(st.just("delete"), slugs),
    st.tuples(st.just("rename"), slugs, slugs),
    st.tuples(st.just("title"), slugs, st.sampled_from(["Edited", "Another title"])),
    # A day of March 2024, or a date that spreads the entities' timelines over months, years or decades.
    st.tuples(st.just("date"), slugs, st.one_of(st.integers(1, 28),
                                                st.sampled_from(["2024-02-29", "2023-12-31", "2023-06-30", "1998-05-04"]))),
    # A person is named in a brief, or no longer.
    st.tuples(st.just("mention"), slugs, st.sampled_from(PEOPLE)),
    st.tuples(st.just("touch"), slugs),
    # Updated, corrected, or in another language (a right-to-left one among them), or none of these again.
    st.tuples(st.just("revise"), slugs, st.sampled_from([None, 28]), st.booleans(),
              st.sampled_from([None, "ar", "ja", "en"])),
    st.tuples(st.just("registry"), st.sampled_from(PEOPLE), st.sampled_from(["", "Lovelace", "Babbage", "Hopper"]),
              st.sampled_from(["", "A mathematician.", "A pioneer."])),
    st.tuples(st.just("template"), st.booleans()),
    # Photos: the shared picture added, replaced or deleted; a brief's lead photo (the picture) given or taken away.
    st.tuples(st.just("picture"), st.sampled_from([None, (200, 40, 40), (40, 40, 200)])),
    st.tuples(st.just("lead"), slugs, st.booleans()),
    st.tuples(st.just("byline"), slugs, st.sampled_from([None, "Jo Marsh", "[Jo Marsh, Sam Okoro]"])),
    st.tuples(st.just("merge"), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)),
    st.tuples(st.just("rename-entity"), st.sampled_from(PEOPLE), st.sampled_from(["Ada King", "Charles Babbage", "Hopper"])),
    # A static file comes or goes; is a file or a folder of that name; or is robots.txt, the generated one's place.
    st.tuples(st.just("static"), st.sampled_from(["extra.txt", "robots.txt"]),
              st.sampled_from(["file", "folder", None])),
    st.tuples(st.just("break"), slugs),
    # The heading that links with "bernoulli" name (brief-3#bernoulli) comes or goes, the rest of its text as it was.
    st.tuples(st.just("heading"), st.just("brief-3")),
    # The build's time (SOURCE_DATE_EPOCH) moves: briefs dated after it are scheduled; the news window moves.
    st.tuples(st.just("clock"), st.integers(1, 31)),
)
# Every brief is dated in March 2024; the property tests start after all of them.
START = "2024-04-01T00:00:00"


def epoch(when: str) -> str:
    """SOURCE_DATE_EPOCH for an ISO date-time in UTC."""
    return str(int(datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()))


def write_brief(site: Path, slug: str, content: dict) -> None:
    write_site(site, {
        f"content/{slug}.md": body(content["people"], content["places"], content["words"],
                                   content.get("picture", True)),
        f"content/{slug}.yaml": sidecar(content["title"], content["day"], content["people"], content["places"],
                                        content["tags"], content["annotate"], content["draft"]),
    })


def apply_edit(site: Path, step: tuple) -> bool:
    """Change the site's files; True when the edit leaves the site broken on purpose."""
    kind = step[0]
    content = site / "content"
    if kind == "put":
        write_brief(site, step[1], step[2])
    elif kind == "delete":
        for suffix in (".md", ".yaml"):
            (content / f"{step[1]}{suffix}").unlink(missing_ok=True)
    elif kind == "rename":
        source, target = step[1], step[2]
        if (content / f"{source}.md").exists() and not (content / f"{target}.md").exists():
            for suffix in (".md", ".yaml"):
                os.replace(content / f"{source}{suffix}", content / f"{target}{suffix}")
    elif kind in ("title", "date", "touch"):
        path = content / f"{step[1]}.yaml"
        if path.exists():
            lines = path.read_text().splitlines()
            if kind == "title":
                lines[0] = f"title: {step[2]!r}"
            elif kind == "date":
                lines[1] = f"date: 2024-03-{step[2]:02d}" if isinstance(step[2], int) else f"date: {step[2]}"
            path.write_text("\n".join(lines) + "\n")
    elif kind == "mention":
        toggle_mention(content / f"{step[1]}.yaml", step[2])
    elif kind == "revise":
        path = content / f"{step[1]}.yaml"
        if path.exists():
            lines = [line for line in path.read_text().splitlines()
                     if not line.startswith(("updated:", "corrections:", "language:"))]
            if step[2]:
                lines.append(f"updated: 2024-03-{step[2]:02d}")
            if step[3]:
                lines.append("corrections: [{date: 2024-03-28, text: A name was misspelled.}]")
            if step[4]:
                lines.append(f"language: {step[4]}")
            path.write_text("\n".join(lines) + "\n")
    elif kind == "registry":
        name, alias, description = step[1], step[2], step[3]
        entry = [f"  - name: {name}"]
        if alias:
            entry.append(f"    aliases: [{alias}]")
        if description:
            entry.append(f"    description: {description}")
        (content / "entities.yaml").write_text("people:\n" + "\n".join(entry) + "\n")
    elif kind == "picture":
        picture = content / "pic.jpg"
        if step[1] is None:
            picture.unlink(missing_ok=True)
        else:
            Image.new("RGB", (900, 600), step[1]).save(picture, quality=85)
    elif kind == "lead":
        path = content / f"{step[1]}.yaml"
        if path.exists():
            lines = [line for line in path.read_text().splitlines() if not line.startswith("image:")]
            if step[2]:
                lines.append("image: {src: pic.jpg, alt: A picture}")  # an error while pic.jpg is missing
            path.write_text("\n".join(lines) + "\n")
    elif kind == "byline":
        path = content / f"{step[1]}.yaml"
        if path.exists():
            lines = [line for line in path.read_text().splitlines() if not line.startswith("author:")]
            if step[2]:
                lines.append(f"author: {step[2]}")
            path.write_text("\n".join(lines) + "\n")
    elif kind in ("merge", "rename-entity"):
        # What `briefgen entities merge/rename` does to the files; refused (no file changed) when it must be.
        try:
            if kind == "merge":
                merge_entities(site, f"people/{slugify(step[1])}", f"people/{slugify(step[2])}")
            else:
                rename_entity(site, f"people/{slugify(step[1])}", step[2])
        except BriefgenError:
            pass
    elif kind == "template":
        override = site / "templates/tag.html"
        if step[1]:
            override.parent.mkdir(exist_ok=True)
            override.write_text('{% extends "base.html" %}{% block main %}<h1>Tag {{ tag.name }}</h1>'
                                '{% for b in briefs %}<p>{{ b.title }}</p>{% endfor %}{% endblock %}\n')
        else:
            override.unlink(missing_ok=True)
    elif kind == "static":
        extra = site / "static" / step[1]
        if extra.is_dir():
            shutil.rmtree(extra)
        else:
            extra.unlink(missing_ok=True)
        if step[2] == "file":
            extra.parent.mkdir(exist_ok=True)
            extra.write_text("User-agent: *\nDisallow: /drafts/\n")
        elif step[2] == "folder" and step[1] != "robots.txt":
            (extra / "inside.txt").parent.mkdir(parents=True)
            (extra / "inside.txt").write_text("a file in a folder that was a file\n")
    elif kind == "clock":
        os.environ["SOURCE_DATE_EPOCH"] = epoch(f"2024-03-{step[1]:02d}T12:00:00" if step[1] <= 29 else START)
    elif kind == "heading":
        path = content / f"{step[1]}.md"
        if path.exists():
            text, section = path.read_text(), "\n## Bernoulli\n\nA section of its own.\n"
            path.write_text(text.replace(section, "") if section in text else text + section)
    elif kind == "break":
        path = content / f"{step[1]}.yaml"
        if path.exists():
            path.write_text(path.read_text() + "title: given twice\n")
            return True
    return False


def toggle_mention(path: Path, name: str) -> None:
    """Name `name` among the brief's people, or take it out (the sidecar as `sidecar()` writes it)."""
    if not path.exists():
        return
    lines = path.read_text().splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("  people: [")), None)
    people = lines[at][len("  people: ["):-1].split(", ") if at is not None else []
    people = [p for p in people if p != name] if name in people else [*people, name]
    if at is not None:
        del lines[at]
    if "entities:" not in lines:
        lines.insert(2, "entities:")
    if people:
        lines.insert(lines.index("entities:") + 1, f"  people: [{', '.join(people)}]")
    elif not any(line.startswith("  places: [") for line in lines):
        lines.remove("entities:")
    path.write_text("\n".join(lines) + "\n")


def output_of_clean_build(site: Path, tmp: Path) -> dict[str, bytes]:
    return clean_build(site, tmp)[0]


def clean_build(site: Path, tmp: Path) -> tuple[dict[str, bytes], tuple[BuildWarning, ...]]:
    """The output of a clean build of `site`, and the warnings it reported."""
    out = tmp / "clean"
    shutil.rmtree(out, ignore_errors=True)
    report = Builder(site, out, use_cache=False, jobs=1, search=False).build()
    return snapshot(out), report.warnings


PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("BRIEFGEN_PROPERTY_EXAMPLES", "25")), deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Edits the generated ones rarely reach, run every time: brief-0 links to brief-3#bernoulli and stays as it
# is, while brief-3's heading goes and comes back, and brief-3 goes and comes back without it.
_LINKER = {"title": "Notes", "day": 3, "people": [], "places": [], "tags": [], "words": ["bernoulli"],
           "annotate": False, "draft": False, "picture": True}
_LINKED = {**_LINKER, "title": "Lecture", "day": 4, "words": ["engine"], "picture": False}
LINKED_HEADING = example(initial=[("brief-0", _LINKER), ("brief-3", _LINKED)],
                         steps=[("heading", "brief-3"), ("heading", "brief-3"), ("delete", "brief-3"),
                                ("put", "brief-3", _LINKED), ("heading", "brief-3")])


@PROPERTY_SETTINGS
@LINKED_HEADING
@given(initial=st.lists(st.tuples(slugs, brief_content), min_size=1, max_size=5), steps=st.lists(edit, max_size=6))
def test_incremental_output_equals_a_clean_build(tmp_path_factory: pytest.TempPathFactory, initial, steps) -> None:
    """One builder kept between builds, as `briefgen serve` keeps it."""
    check_edits(tmp_path_factory.mktemp("incremental"), initial, steps, from_saved_state=False)


@PROPERTY_SETTINGS
@LINKED_HEADING
@given(initial=st.lists(st.tuples(slugs, brief_content), min_size=1, max_size=5), steps=st.lists(edit, max_size=6))
def test_incremental_output_from_the_saved_state_equals_a_clean_build(
        tmp_path_factory: pytest.TempPathFactory, initial, steps) -> None:
    """A new builder per build, reading what the last one saved, as `briefgen build` does."""
    check_edits(tmp_path_factory.mktemp("saved"), initial, steps, from_saved_state=True)


def check_edits(tmp: Path, initial, steps, *, from_saved_state: bool) -> None:  # type: ignore[no-untyped-def]
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch(START)
    try:
        _check_edits(tmp, initial, steps, from_saved_state=from_saved_state)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _check_edits(tmp: Path, initial, steps, *, from_saved_state: bool) -> None:  # type: ignore[no-untyped-def]
    site = tmp / "site-folder"
    (site / "content").mkdir(parents=True)
    # A base URL makes the build write sitemaps and absolute feed links: they must stay exact too. Two
    # briefs a page make entities' lists long: a page with the charts is redone when only they change.
    (site / "briefgen.yaml").write_text("base_url: https://example.org/news/\npage_size: 2\n")
    for slug, content in initial:
        write_brief(site, slug, content)
    out = tmp / "out"

    def builder_for_this_build() -> Builder:
        if from_saved_state:
            return Builder(site, out, jobs=1, search=False)
        return kept

    kept = Builder(site, out, use_cache=from_saved_state, jobs=1, search=False)
    kept.build()
    broken: list[str] = []
    for step in steps:
        if apply_edit(site, step):
            broken.append(step[1])
            with pytest.raises(BriefgenError):
                builder_for_this_build().build()
            # Fixing the file makes the next build succeed from where the last good one left off.
            path = site / "content" / f"{step[1]}.yaml"
            path.write_text(path.read_text().replace("title: given twice\n", ""))
        try:
            expected, warnings = clean_build(site, tmp)
        except BriefgenError:
            # Some edits break a site (a brief names an entity under an address a merge redirects):
            # then the rebuild fails too, and the next good build must still be exact.
            with pytest.raises(BriefgenError):
                builder_for_this_build().build()
            continue
        report = builder_for_this_build().build()
        assert snapshot(out) == expected
        assert report.warnings == warnings, "a rebuild reports the warnings a clean build reports"
        if from_saved_state:
            assert_the_manifest_describes_the_memory(site)


def assert_the_manifest_describes_the_memory(site: Path) -> None:
    """The stamps the manifest saved (restamped, after edits alone) are those of the memory saved with it."""
    folder = site / CACHE_DIR
    key = store.saved_key(folder, store.MEMORY)
    assert key is not None
    manifest, saved_memory = store.load(folder, store.MANIFEST, key), store.load(folder, store.MEMORY, key)
    assert isinstance(saved_memory, BuildMemory), "the saved memory cannot be loaded"
    assert manifest.sources == Manifest.of(saved_memory, manifest.report).sources


@pytest.mark.parametrize("from_saved_state", [False, True])
def test_a_scheduled_brief_appears_once_the_build_time_passes_its_date(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_saved_state: bool) -> None:
    """Nothing but time changes, and the build still notices: incremental stays equal to clean."""
    site = write_site(tmp_path / "site", {
        "briefgen.yaml": "base_url: https://example.org/news/\n",
        "content/a.md": "Ada Lovelace wrote.\n",
        "content/a.yaml": "title: A\ndate: 2024-03-01\nentities: {people: [Ada Lovelace]}\ntags: [Science]\n",
        "content/b.md": "Ada Lovelace again.\n",
        "content/b.yaml": "title: B\ndate: 2024-03-05T12:00:00\nentities: {people: [Ada Lovelace]}\ntags: [Science]\n",
    })
    out = tmp_path / "out"
    kept = Builder(site, out, use_cache=from_saved_state, jobs=1, search=False)
    for when, published in (("2024-03-02T00:00:00", False), ("2024-03-05T11:59:59", False),
                            ("2024-03-05T12:00:00", True), ("2024-03-09T00:00:00", True),
                            ("2024-03-03T00:00:00", False)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(when))
        builder = Builder(site, out, jobs=1, search=False) if from_saved_state else kept
        report = builder.build()
        assert (out / "briefs/b/index.html").exists() == published, when
        assert any("scheduled for later" in note for note in report.notes) != published
        assert snapshot(out) == output_of_clean_build(site, tmp_path), when


def test_rebuild_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", ADA)
    builder = Builder(site, use_cache=False, search=False)
    builder.build()
    stamps = {p: p.stat().st_mtime_ns for p in (site / "site").rglob("*") if p.is_file()}
    report = builder.build()
    assert report.files_written == 0 and report.changed == ()
    assert stamps == {p: p.stat().st_mtime_ns for p in (site / "site").rglob("*") if p.is_file()}


def test_one_body_edit_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    files = {}
    for index in range(30):
        files[f"content/b{index:02d}.md"] = f"Ada Lovelace wrote letter {index}.\n"
        files[f"content/b{index:02d}.yaml"] = (f"title: Brief {index}\ndate: 2024-01-{index % 28 + 1:02d}\n"
                                              "entities: {people: [Ada Lovelace]}\n")
    site = write_site(tmp_path / "site", files)
    builder = Builder(site, use_cache=False, search=False)
    builder.build()
    (site / "content/b07.md").write_text("Ada Lovelace wrote a different letter.\n")
    report = builder.build()
    assert report.changed is not None
    assert "briefs/b07/index.html" in report.changed
    assert not any(path.startswith("briefs/b08/") for path in report.changed)
    assert len(report.changed) < 10, report.changed


def test_the_cache_carries_a_build_to_the_next_command(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n"})
    Builder(site, search=False).build()
    assert (site / ".briefgen-cache/store.sqlite").is_file()
    report = Builder(site, search=False).build()
    assert report.incremental and report.files_written == 0
    (site / "content/a.yaml").write_text("title: B\ndate: 2024-01-01\n")
    report = Builder(site, search=False).build()
    assert report.incremental and "briefs/a/index.html" in (report.changed or ())
    assert "<h1" in (site / "site/briefs/a/index.html").read_text()


def test_a_file_broken_earlier_still_fails_when_another_is_named(tmp_path: Path) -> None:
    """The dev server names only the file saved last: a brief broken before must still be seen."""
    site = write_site(tmp_path / "site", {
        "content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\n",
    })
    builder = Builder(site, use_cache=False, search=False)
    builder.build()
    (site / "content/a.yaml").write_text("title: A\ndate: 2024-02-30\n")
    with pytest.raises(BriefgenError):
        builder.build(changed=[site / "content/a.yaml"])
    (site / "content/b.yaml").write_text("title: B2\ndate: 2024-01-02\n")
    with pytest.raises(BriefgenError, match="not a real date"):
        builder.build(changed=[site / "content/b.yaml"])
    (site / "content/a.yaml").write_text("title: A\ndate: 2024-01-30\n")
    report = builder.build(changed=[site / "content/a.yaml"])
    assert "briefs/b/index.html" in (report.changed or ())
    assert "B2" in (site / "site/briefs/b/index.html").read_text()


def test_state_saved_by_other_code_is_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same version number, other modules (an upgrade, a checkout): the saved state may not fit them."""
    import briefgen.cache

    site = write_site(tmp_path / "site", {"content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n"})
    Builder(site, search=False).build()
    assert Builder(site, search=False).build().incremental
    monkeypatch.setattr(briefgen.cache, "code_fingerprint", lambda: "other code")
    report = Builder(site, search=False).build()
    assert not report.incremental and report.files_written > 0


STATIC_SEQUENCES = [
    # robots.txt: the site's own replaces the generated one, and the generated one comes back.
    [("static", "robots.txt", "file"), ("static", "robots.txt", None)],
    # A static file becomes a folder of that name, and a file again.
    [("static", "extra.txt", "file"), ("static", "extra.txt", "folder"), ("title", "brief-0", "Edited"),
     ("static", "extra.txt", "file")],
]


@pytest.mark.parametrize("steps", STATIC_SEQUENCES)
@pytest.mark.parametrize("from_saved_state", [False, True])
def test_static_changes_match_a_clean_build(tmp_path: Path, steps: list[tuple], from_saved_state: bool) -> None:
    initial = [("brief-0", {"title": "First", "day": 1, "people": ["Ada Lovelace"], "places": [], "tags": ["x"],
                            "words": [], "annotate": False, "draft": False})]
    check_edits(tmp_path, initial, steps, from_saved_state=from_saved_state)


def ada_brief(day: int) -> dict:
    return {"title": f"Day {day}", "day": day, "people": ["Ada Lovelace"], "places": [], "tags": [], "words": [],
            "annotate": False, "draft": False}


CHART_SEQUENCES = [
    # The oldest of Ada's four briefs (two a page) moves back: her first page lists the same briefs,
    # but its timeline goes from weeks to months, to years, and back.
    [("date", "brief-0", "2023-06-30"), ("date", "brief-0", "1998-05-04"), ("date", "brief-0", 1)],
    # Within March: a bar moves from one week to another.
    [("date", "brief-0", 18)],
    # Her oldest brief names Charles Babbage too, then no longer names her.
    [("mention", "brief-0", "Charles Babbage"), ("mention", "brief-0", "Ada Lovelace")],
]


@pytest.mark.parametrize("steps", CHART_SEQUENCES)
@pytest.mark.parametrize("from_saved_state", [False, True])
def test_chart_changes_match_a_clean_build(tmp_path: Path, steps: list[tuple], from_saved_state: bool) -> None:
    initial = [(f"brief-{i}", ada_brief(day)) for i, day in enumerate((1, 2, 3, 4))]
    check_edits(tmp_path, initial, steps, from_saved_state=from_saved_state)


@pytest.mark.parametrize("static_path", ["briefs", "people", "feed.xml/inside.txt", "404.html/inside.txt",
                                         "briefs/a/index.html"])
def test_a_static_file_in_the_way_of_pages_is_an_error_clean_or_incremental(tmp_path: Path, static_path: str) -> None:
    site = write_site(tmp_path / "site", ADA)
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    before = snapshot(out)
    write_site(site, {f"static/{static_path}": "in the way\n"})
    for use_cache in (True, False):  # the next command from the saved state, then a clean build
        with pytest.raises(BriefgenError, match="two things want to write"):
            Builder(site, out, use_cache=use_cache, search=False).build()
        assert snapshot(out) == before
    assert not [p for p in out.rglob(".*") if p.name != ".briefgen-files"], "no temporary file is left in the site"


@pytest.mark.parametrize("kept", [True, False], ids=["serve", "command line"])
@pytest.mark.parametrize("failing", ["write", "move"])
def test_a_rebuild_that_fails_while_writing_leaves_the_site_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, kept: bool) -> None:
    import briefgen.write

    site = write_site(tmp_path / "site", {
        **{f"content/b{i}.md": f"Ada Lovelace wrote {i}.\n" for i in range(4)},
        **{f"content/b{i}.yaml": f"title: B{i}\ndate: 2024-01-0{i + 1}\nentities: {{people: [Ada Lovelace]}}\n"
           for i in range(4)},
    })
    out = tmp_path / "out"
    first = Builder(site, out, search=False)
    first.build()

    def builder() -> Builder:
        return first if kept else Builder(site, out, search=False)

    before = snapshot(out)
    for i in range(4):  # every page that lists Ada's briefs changes, and each brief's own
        path = site / f"content/b{i}.yaml"
        path.write_text(path.read_text().replace(f"title: B{i}", f"title: Renamed {i}"))
    calls = {"count": 0}
    real = briefgen.write.os.rename if failing == "move" else briefgen.write.os.open

    def fail_after_three(*args, **kwargs):  # type: ignore[no-untyped-def]
        if failing == "write" and not Path(args[0]).name.startswith("new-"):
            return real(*args, **kwargs)  # only the update's own files, not the clean-up's
        calls["count"] += 1
        if calls["count"] == 4:  # once: what is done up to then must be put back
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(briefgen.write.os, "rename" if failing == "move" else "open", fail_after_three)
    with pytest.raises(BriefgenError, match="cannot update the output folder"):
        builder().build()
    monkeypatch.undo()
    assert calls["count"] >= 4, "the failure came in the middle of the update"
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"], "no work folder is left"
    builder().build()
    assert snapshot(out) == output_of_clean_build(site, tmp_path / "clean-build")


@pytest.mark.parametrize("forked", [False, True], ids=["checked in process", "checked by a child"])
@pytest.mark.parametrize("edited", [False, True], ids=["nothing else changed", "a brief edited too"])
@pytest.mark.parametrize("deleted", ["*", "briefs", "assets/briefgen.css"])
def test_files_deleted_from_the_site_by_hand_are_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             deleted: str, edited: bool, forked: bool) -> None:
    monkeypatch.setattr(OutputsCheck, "FORK_FROM", 0 if forked else 10**9)
    site = write_site(tmp_path / "site", ADA)
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    if edited:
        (site / "content/a.md").write_text("Ada Lovelace wrote again.\n")
        Builder(site, out, search=False).build()
    whole = snapshot(out)
    for path in out.glob(deleted):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if edited:
        (site / "content/a.md").write_text("Ada Lovelace wrote once more.\n")
        whole = output_of_clean_build(site, tmp_path / "clean-build")
    report = Builder(site, out, search=False).build()
    assert report.files_written and snapshot(out) == whole


def test_the_summary_counts_rewritten_and_deleted_files_apart(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {**ADA,
                                          "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\n"})
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    for name in ("a.md", "a.yaml"):
        (site / "content" / name).unlink()
    report = Builder(site, out, search=False).build()
    rewritten = report.files_written - report.files_deleted
    assert report.files_deleted > 0 and 0 < rewritten <= report.files
    assert f"Rewrote {rewritten} of {report.files} files and deleted {report.files_deleted} " in report.summary()


_paths = st.sampled_from([f"briefs/b{number}/index.html" for number in range(12)] + ["index.html", "feed.xml"])
_digests = st.sampled_from([b"d0", b"d1", b"d2"])


@settings(max_examples=200, deadline=None)
@given(before=st.dictionaries(_paths, _digests), removed=st.sets(_paths), written=st.dictionaries(_paths, _digests))
def test_the_fingerprint_a_rebuild_updates_equals_the_one_a_clean_build_computes(
        before: dict[str, str], removed: set[str], written: dict[str, str]) -> None:
    """A rebuild updates the site's fingerprint for the files it wrote and removed, without hashing every
    file again: it must come out as a clean build's, from the files alone."""
    after = {path: digest for path, digest in before.items() if path not in removed} | written
    total = updated_total(outputs_total(before), before, removed, written)
    assert total == outputs_total(after)
    assert site_fingerprint(total, ["robots.txt"]) == site_fingerprint(outputs_total(after), ["robots.txt"])
    if before != after:
        assert outputs_total(before) != outputs_total(after)


def test_the_outputs_check_answers_in_process_when_its_child_cannot(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.html").write_text("a")
    paths = ["a.html", "b.html"]
    monkeypatch.setattr(OutputsCheck, "FORK_FROM", 0)
    assert not OutputsCheck(tmp_path, paths).present()  # answered by a child
    assert OutputsCheck(tmp_path, paths[:1]).present()
    assert not OutputsCheck(tmp_path, "\0".join(paths)).present()  # as the manifest keeps them
    assert OutputsCheck(tmp_path, "a.html").present() and OutputsCheck(tmp_path, "").present()
    parent, real_check = os.getpid(), memory.outputs_present

    def dying_child(out: Path, checked: list[str]) -> bool:
        if os.getpid() != parent:
            os._exit(1)  # killed before it answers
        return real_check(out, checked)

    monkeypatch.setattr(memory, "outputs_present", dying_child)
    assert not OutputsCheck(tmp_path, paths).present()
    assert OutputsCheck(tmp_path, paths[:1]).present()

    def no_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    assert not OutputsCheck(tmp_path, paths).present()


@pytest.mark.parametrize("edit", ["text", "title", "date"])
def test_a_rebuild_plans_only_the_list_pages_an_edit_reached(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      edit: str) -> None:
    """While a home, tag or entity list is the same, a rebuild plans only its pages that show a changed brief
    (a text edit: none; a title: the pages showing it); a brief moved in time changes the lists, whose
    pages are then compared one by one. The site always equals a clean build's."""
    from sitegen import generate_site

    site = generate_site(tmp_path / "site", briefs=120)
    config = site / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("page_size: 25", "page_size: 5"), encoding="utf-8")
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    planned: dict[str, int] = {}
    entity_pages: dict[tuple[str, ...], int] = {}
    real_plan = render.plan_group

    def plan_group(group: tuple[str, ...], *args: object) -> list[object]:
        pages = real_plan(group, *args)  # type: ignore[arg-type]
        planned[group[0]] = planned.get(group[0], 0) + len(pages)
        if group[0] == "entity":
            entity_pages[group] = len(pages)
        return pages  # type: ignore[return-value]

    monkeypatch.setattr(pages, "plan_group", plan_group)
    sidecar = sorted((site / "content").rglob("*.yaml"))[40]
    article = sidecar.with_suffix(".md")
    if edit == "text":
        article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    else:
        text = sidecar.read_text(encoding="utf-8")
        before, after = ("title: ", "title: Revised ") if edit == "title" else ("date: 20", "date: 19")
        assert before in text
        sidecar.write_text(text.replace(before, after, 1), encoding="utf-8")
    assert Builder(site, out, search=False).build().incremental
    home_pages = 120 // 5
    if edit == "title":
        assert 1 <= planned["home"] <= 2  # the home page showing it (not all 24)
        # Of each entity it names, its first page (its timeline) and the one showing it.
        assert entity_pages and max(entity_pages.values()) <= 2, entity_pages
    elif edit == "text":
        assert planned.get("home", 0) <= 2
    else:
        assert planned["home"] == home_pages  # the list changed: every page is compared
    assert snapshot(out) == output_of_clean_build(site, tmp_path / "clean-build")


def test_a_forked_answer_hints_answers_and_yields_when_asked() -> None:
    """The child's hint comes before its answer; a yielding child runs at the lowest priority (the
    outputs check: the build's own work comes first), the parent's priority stays as it was."""
    own = os.nice(0)

    def ask(hint: Callable[[], None]) -> int:
        hint()
        return os.nice(0)  # the child's priority

    check = memory.ForkedAnswer(ask, fork=True, yielding=True)
    assert check.hinted() and check.answer() == min(19, own + 19)
    assert memory.ForkedAnswer(ask, fork=True).answer() == own
    assert not memory.ForkedAnswer(ask, fork=False).hinted()  # in process: no hint before the answer
    assert memory.ForkedAnswer(ask, fork=False).answer() == own == os.nice(0)


def test_a_build_that_fails_during_the_no_op_check_leaves_no_child(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OutputsCheck, "FORK_FROM", 0)
    site = write_site(tmp_path / "site", ADA)
    Builder(site, search=False).build()
    children = forks_counted(monkeypatch)
    shutil.rmtree(site / "content")
    with pytest.raises(BriefgenError, match="there is no content/ folder here"):
        Builder(site, search=False).build()
    assert len(children) == 1
    assert_reaped(children)


@pytest.mark.parametrize("change", ["edited", "touched", "deleted", "added", "template"])
def test_a_rebuild_that_loads_its_memory_while_a_child_checks_the_stamps_equals_a_clean_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """A child stats the sources and says as soon as one differs; the build loads its memory meanwhile,
    then learns which briefs were edited (none, for a file touched; a brief gone or come: a scan)."""
    monkeypatch.setattr(memory.StampsCheck, "FORK_FROM", 0)
    monkeypatch.setattr(OutputsCheck, "FORK_FROM", 0)
    hints: list[bool] = []
    real_suspected = memory.StampsCheck.suspected

    def suspected(self: memory.StampsCheck) -> bool:
        hints.append(real_suspected(self))
        return hints[-1]

    monkeypatch.setattr(memory.StampsCheck, "suspected", suspected)
    site = write_site(tmp_path / "site", LISTED)
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    content = site / "content"
    later = time.time_ns() + 5 * cache.RACY_NS
    if change == "edited":
        with (content / "2024/c.md").open("a") as file:
            file.write("\nCharles Babbage answered.\n")
    elif change == "touched":
        os.utime(content / "b.md", ns=(later, later))
    elif change == "deleted":
        (content / "b.md").unlink()
        (content / "b.yaml").unlink()
    elif change == "added":
        (content / "d.md").write_text("Ada Lovelace wrote at last.\n")
        (content / "d.yaml").write_text("title: D\ndate: 2024-01-04\n")
    else:
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/404.html").write_text("<!doctype html><title>Lost</title><p>Not here.\n")
    hints.clear()
    children = forks_counted(monkeypatch)
    report = Builder(site, out, search=False).build()
    assert snapshot(out) == output_of_clean_build(site, tmp_path / "clean-build")
    if change in ("edited", "touched"):
        assert hints == [True] and report.incremental  # the memory was loaded while the child went on
    if change == "touched":
        assert report.files_written == 0
    elif change == "edited":
        assert "briefs/c/index.html" in (report.changed or ())
    elif change == "template":
        assert hints == [False] and report.files_written
    assert children
    assert_reaped(children)


TRUSTED_AFTER_NS = 200_000_000  # the racy window in the tests below: a folder changed 0.2 s before a walk is trusted


def _settle() -> None:
    time.sleep(TRUSTED_AFTER_NS / 1e9 * 1.5)


def _no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, walking the content folder fails the test."""
    def refused(*args: object) -> None:
        raise AssertionError("the content folder was walked")
    monkeypatch.setattr(saved, "find_content", refused)
    monkeypatch.setattr(build, "find_content", refused)


LISTED = {"content/a.md": "Ada Lovelace wrote.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n",
          "content/b.md": "Ada Lovelace wrote again.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\n",
          "content/2024/c.md": "Ada Lovelace wrote once more.\n", "content/2024/c.yaml": "title: C\ndate: 2024-01-03\n"}


def _built_long_after_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The LISTED site, built once its folders' times are old enough to trust; its folder and output."""
    monkeypatch.setattr(cache, "RACY_NS", TRUSTED_AFTER_NS)
    site = write_site(tmp_path / "site", LISTED)
    out = tmp_path / "out"
    _settle()
    Builder(site, out, search=False).build()
    return site, out


def test_a_no_op_or_an_edit_in_place_does_not_walk_the_content_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = _built_long_after_written(tmp_path, monkeypatch)
    _settle()
    with monkeypatch.context() as walks:
        _no_walk(walks)
        assert Builder(site, out, search=False).build().files_written == 0
        with (site / "content/2024/c.md").open("a") as file:
            file.write("\nCharles Babbage answered.\n")
        report = Builder(site, out, search=False).build()
    assert "briefs/c/index.html" in (report.changed or ())
    assert snapshot(out) == output_of_clean_build(site, tmp_path / "clean-build")


def _change_listing(content: Path, change: str) -> None:
    inner = content / "2024"
    before = inner.stat()
    if change in ("brief added", "brief added, time put back"):
        (inner / "d.md").write_text("Charles Babbage wrote.\n")
        (inner / "d.yaml").write_text("title: D\ndate: 2024-01-04\n")
        if change == "brief added, time put back":  # as `rsync -t` or `tar` do
            os.utime(inner, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "brief removed":
        (inner / "c.md").unlink()
        (inner / "c.yaml").unlink()
    elif change == "brief renamed":
        (content / "b.md").rename(content / "e.md")
        (content / "b.yaml").rename(content / "e.yaml")
    elif change == "brief in a new folder":
        (content / "2025").mkdir()
        (content / "2025/f.md").write_text("Charles Babbage wrote.\n")
        (content / "2025/f.yaml").write_text("title: F\ndate: 2024-01-05\n")
    elif change == "registry added":
        (content / "entities.yaml").write_text("people:\n  - name: Ada Lovelace\n    aliases: [Lovelace]\n")
    elif change == "hidden file added":  # an editor's swap file: the folder is walked, nothing else changes
        (content / ".a.md.swp").write_text("swap")


@pytest.mark.parametrize("change", ["brief added", "brief added, time put back", "brief removed", "brief renamed",
                                    "brief in a new folder", "registry added", "hidden file added"])
def test_files_that_come_go_or_move_after_a_trusted_walk_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   change: str) -> None:
    site, out = _built_long_after_written(tmp_path, monkeypatch)
    _settle()
    _change_listing(site / "content", change)
    report = Builder(site, out, search=False).build()
    assert bool(report.files_written) == (change != "hidden file added")
    assert snapshot(out) == output_of_clean_build(site, tmp_path / "clean-build")


# What loads, resolves and renders briefs: a build with nothing to do must not spend time importing it.
RENDERING_MODULES = ("briefgen.load", "briefgen.entities", "briefgen.render", "briefgen.rendered", "briefgen.pages",
                     "briefgen.markdown.extension", "markdown", "jinja2", "PIL")


def test_a_no_op_build_imports_nothing_that_renders(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", ADA)
    imported = ("import sys; from briefgen.cli import main; code = main(sys.argv[1:]); "
                f"print(sorted(set(sys.modules) & set({RENDERING_MODULES!r}))); sys.exit(code)")
    command = [sys.executable, "-c", imported, "build", str(site), "--out", str(tmp_path / "out")]
    environment = {**os.environ, "BRIEFGEN_PAGEFIND": "off"}
    first = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    assert "briefgen.render" in first.stdout  # the first build renders, so the check below can fail
    again = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    assert "Nothing changed" in again.stdout and again.stdout.rstrip().endswith("[]"), again.stdout


def test_a_no_op_that_had_to_list_the_content_folder_spares_the_next_one(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = _built_long_after_written(tmp_path, monkeypatch)
    (site / "content/.a.md.swp").write_text("swap")  # came and went: the folder's times moved
    (site / "content/.a.md.swp").unlink()
    _settle()
    assert Builder(site, out, search=False).build().files_written == 0  # lists content/ again
    with monkeypatch.context() as walks:
        _no_walk(walks)
        assert Builder(site, out, search=False).build().files_written == 0


def test_one_edit_restamps_the_manifest_it_was_loaded_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = _built_long_after_written(tmp_path, monkeypatch)
    restamped: list[StampTable | None] = []
    real = StampTable.restamped

    def spied(table: StampTable, stamps: dict) -> StampTable | None:
        restamped.append(real(table, stamps))
        return restamped[-1]

    monkeypatch.setattr(StampTable, "restamped", spied)
    with (site / "content/2024/c.md").open("a") as file:
        file.write("\nCharles Babbage answered.\n")
    Builder(site, out, search=False).build()
    assert len(restamped) == 1 and restamped[0] is not None
    assert_the_manifest_describes_the_memory(site)
    (site / "content/d.md").write_text("Charles Babbage wrote.\n")  # a brief came: every stamp is packed again
    (site / "content/d.yaml").write_text("title: D\ndate: 2024-01-04\n")
    Builder(site, out, search=False).build()
    assert len(restamped) == 1
    assert_the_manifest_describes_the_memory(site)


def test_a_brief_read_again_unchanged_leaves_a_memory_the_next_command_can_load(tmp_path: Path) -> None:
    # A link to a photo that is not there makes every build read the brief again (its stamp is missing).
    site = write_site(tmp_path / "site", {
        "content/a.md": "Ada Lovelace wrote.\n\n![The letter](letter.jpg)\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "content/b.md": "Charles Babbage wrote.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\n"})
    out = tmp_path / "out"
    Builder(site, out, search=False).build()
    for index, day in enumerate((3, 4, 5)):
        (site / f"content/c{index}.md").write_text("Ada Lovelace wrote again.\n")
        (site / f"content/c{index}.yaml").write_text(f"title: C{index}\ndate: 2024-01-0{day}\n")
        report = Builder(site, out, search=False).build()
        assert report.incremental, f"build {index + 2} could not load the memory the one before saved"
        assert_the_manifest_describes_the_memory(site)


def test_every_spelling_of_the_site_shares_one_build_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`briefgen build /abs/site`, `briefgen build site` from its parent and `briefgen build` inside it
    are one site: only the first renders, and messages still name files from where the command runs."""
    from briefgen.cli import main
    site = write_site(tmp_path / "site", {**ADA, "content/a.md": ADA["content/a.md"] + "\n[Gone](/nowhere/)\n"})
    monkeypatch.setenv("BRIEFGEN_PAGEFIND", "off")
    assert main(["build", str(site)]) == 0
    first = capsys.readouterr()
    assert "Built" in first.out and f"{site / 'content' / 'a.md'}: warning: link to /nowhere/" in first.err
    monkeypatch.chdir(tmp_path)
    assert main(["build", "site"]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    monkeypatch.chdir(site)
    assert main(["build"]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    (site / "content/a.md").write_text(ADA["content/a.md"] + "\n[Gone](/still-nowhere/)\n", encoding="utf-8")
    assert main(["build", "."]) == 0
    edited = capsys.readouterr()
    assert "Rewrote" in edited.out and edited.out.rstrip().endswith("→ site")
    assert "content/a.md: warning: link to /still-nowhere/ leads to no page" in edited.err
    assert snapshot(site / "site") == output_of_clean_build(site, tmp_path / "clean")


def test_the_theme_counts_by_its_files_not_where_it_is_installed(tmp_path: Path) -> None:
    """The same templates in two places fingerprint alike (a new virtual environment renders nothing again);
    a changed file, or a file moved from the site's templates to the theme's place, does not."""
    for place in ("one", "two"):
        shutil.copytree(cache.builtin_templates_dir(), tmp_path / place / "theme")
        (tmp_path / place / "site").mkdir()
    one, two = ([tmp_path / place / "site", tmp_path / place / "theme"] for place in ("one", "two"))
    assert cache.folder_digest(one) == cache.folder_digest(two)
    (tmp_path / "two" / "theme" / "base.html").write_text("{% block main %}{% endblock %}", encoding="utf-8")
    assert cache.folder_digest(one) != cache.folder_digest(two)
    assert cache.folder_digest(one[::-1]) != cache.folder_digest(one)


def test_paths_are_shown_relative_to_the_working_folder_when_inside_it(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.errors import BriefgenError as Error
    from briefgen.errors import shown
    inside, outside = tmp_path / "site" / "content" / "a.md", tmp_path.parent / "elsewhere" / "b.md"
    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path / "site")
    assert shown(inside) == os.path.join("content", "a.md")
    assert shown(outside) == str(outside)  # not inside: as it is
    assert shown("content/a.md") == "content/a.md"  # relative already
    assert shown(f"{tmp_path / 'site'}-other/a.md") == f"{tmp_path / 'site'}-other/a.md"  # a prefix, not a folder
    assert Error("bad", inside, 3).format_message() == f"{os.path.join('content', 'a.md')}:3: bad"
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working folder deleted under the command: paths are shown whole
    assert shown(inside) == str(inside)


def test_a_rebuild_reports_the_warnings_of_briefs_it_did_not_render_again(tmp_path: Path) -> None:
    """A rebuild reports each brief's warnings and checks each root link from what it noted of the briefs
    (`BodyNotes`), refreshing only the briefs it rendered again: a link from a brief left as it was goes
    dead when the page it leads to loses its heading, then goes. Each rebuild reports what a clean one
    does; a correction that warns of nothing new keeps the notes as they were."""
    def brief(title: str, text: str) -> dict[str, str]:
        return {"md": text, "yaml": f"title: {title}\ndate: 2024-01-02\n"}

    briefs = {"a": brief("A", "A picture: ![gone](gone.jpg)\n"),
              "b": brief("B", "See [the section](/briefs/c/#section).\n"),
              "c": brief("C", "## Section\n\nText.\n"),
              "d": brief("D", "Plain text.\n")}
    site = write_site(tmp_path / "site", {f"content/{slug}.{kind}": text
                                          for slug, parts in briefs.items() for kind, text in parts.items()})
    builder = Builder(site, use_cache=False, search=False)

    def kinds(warnings: tuple[BuildWarning, ...]) -> list[tuple[str, str | None]]:
        return sorted((Path(str(warning.path)).name, warning.kind) for warning in warnings)

    def rebuilt() -> list[tuple[str, str | None]]:
        report = builder.build()
        assert report.incremental
        assert report.warnings == clean_build(site, tmp_path / "clean")[1], "as a clean build reports"
        return kinds(report.warnings)

    first = builder.build()
    image_warning = kinds(first.warnings)
    assert [name for name, _ in image_warning] == ["a.md"]
    notes = builder.memory.notes
    (site / "content/d.md").write_text("Other plain text.\n")
    assert rebuilt() == image_warning
    assert builder.memory.notes is notes, "a correction that warns of nothing new keeps the notes"
    (site / "content/c.md").write_text("No section now.\n")
    assert sorted(rebuilt()) == sorted([*image_warning, ("b.md", "dead-anchor")])
    for suffix in (".md", ".yaml"):
        (site / f"content/c{suffix}").unlink()
    assert sorted(rebuilt()) == sorted([*image_warning, ("b.md", "dead-link")])
    (site / "content/a.md").write_text("No picture.\n")
    assert rebuilt() == [("b.md", "dead-link")]
    # The page comes back without the section, then with it: the link's fragment is checked against it.
    (site / "content/c.md").write_text("Back, without the section.\n")
    (site / "content/c.yaml").write_text("title: C\ndate: 2024-01-03\n")
    assert rebuilt() == [("b.md", "dead-anchor")]
    (site / "content/c.md").write_text("## Section\n\nBack.\n")
    assert rebuilt() == []
