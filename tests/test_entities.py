"""The resolve stage: merging entities, conflicts, co-mentions, related briefs."""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import store
from briefgen.entities import EntityMerge, entity_weight, merge_entity
from briefgen.errors import BriefgenError, ErrorCollector, shown
from briefgen.model import Brief, Entity, EntityRef
from briefgen.slugs import slugify

from sitekit import resolve


def ref(name: str, type_: str = "people", id_: str | None = None, path: str = "a.yaml", **kw) -> EntityRef:
    from slugify import slugify

    return EntityRef(type=type_, id=id_ or slugify(name), name=name, explicit_id=id_ is not None,
                     path=path, line=1, **kw)


def related_briefs(briefs: list[Brief]) -> dict[str, tuple[Brief, ...]]:
    """Each brief's related briefs, as a clean build resolves them."""
    keys = dict.fromkeys(key for b in briefs for key in b.entities)
    state, errors = resolve(briefs, [ref(key[1], id_=key[1]) for key in keys])
    assert errors == []
    return state.snapshot().related


def brief(slug: str, day: int, *keys: str, draft: bool = False) -> Brief:
    return Brief(slug=slug, title=slug, date=datetime(2024, 1, day, tzinfo=UTC), has_time=False,
                 body="", body_format="markdown", article_path=f"{slug}.md", sidecar_path=f"{slug}.yaml",
                 entities=tuple(("people", k) for k in keys), draft=draft)


def test_registry_description_and_aliases_merge_with_sidecar_refs() -> None:
    state, errors = resolve([], [
        ref("Vladimir Putin", path="a.yaml"),
        ref("Vladimir Putin", path="entities.yaml", aliases=("Putin",), description="President of Russia."),
        ref("Putin", id_="vladimir-putin", path="b.yaml"),
    ], "entities.yaml")
    assert errors == []
    putin = state.entities[("people", "vladimir-putin")]
    assert putin.description == "President of Russia." and putin.aliases == ("Putin",)


def test_same_slug_spellings_are_one_entity() -> None:
    state, errors = resolve([], [ref("Zelenskyy"), ref("ZELENSKYY")])
    assert errors == [] and state.entities[("people", "zelenskyy")].aliases == ("ZELENSKYY",)


def test_one_id_for_two_entities_names_both() -> None:
    _, errors = resolve([], [ref("John Smith", id_="smith", path="a.yaml"),
                             ref("Jane Smith", id_="smith", path="b.yaml")])
    message = errors[0].format_message()
    assert "'John Smith' (a.yaml:1)" in message and "'Jane Smith' (b.yaml:1)" in message


def test_related_briefs_weigh_rare_entities_and_break_ties_by_recency() -> None:
    briefs = [  # newest first
        brief("e", 5, "common"),
        brief("d", 4, "common"),
        brief("c", 3, "rare", "common"),
        brief("b", 2, "rare"),
        brief("a", 1, "common", "other"),
    ]
    related = related_briefs(briefs)
    assert [b.slug for b in related["c"]][:3] == ["b", "e", "d"]
    assert [b.slug for b in related["d"]] == ["e", "c", "a"]
    assert "b" not in [x.slug for x in related["e"]]


def test_entity_weight_is_a_whole_number_idf() -> None:
    assert [entity_weight(n) for n in (1, 2, 3, 4, 1023, 1024, 10**9)] == [16, 15, 15, 14, 7, 6, 1]


def test_common_entities_give_candidates_near_in_time() -> None:
    briefs = [brief(f"b{day:03d}", 1, "everyone") for day in range(200)]
    briefs = [replace(b, date=b.date.replace(day=1 + i // 10, hour=i % 10))
              for i, b in enumerate(briefs)]
    briefs.sort(key=lambda b: (-b.date.timestamp(), b.slug))
    related = related_briefs(briefs)
    middle = briefs[100]
    # Only the 10 either side are candidates; all tie, so the 5 most recent of them win.
    assert [b.slug for b in related[middle.slug]] == [b.slug for b in briefs[90:95]]


def test_drafts_and_registry_only_entities_get_no_pages() -> None:
    briefs = [brief("a", 1, "ada"), brief("b", 2, "bob", draft=True)]
    refs = [ref("Ada"), ref("Bob"), ref("Carol", path="entities.yaml")]
    state, errors = resolve(briefs, refs, include_drafts=False)
    assert errors == [] and list(state.snapshot().entities) == [("people", "ada")]
    state, _ = resolve(briefs, refs, include_drafts=True)
    assert sorted(state.snapshot().entities) == [("people", "ada"), ("people", "bob")]


def test_an_apply_not_said_to_change_the_indexes_leaves_them_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store keeps the indexes' record unless `apply` says they changed (`store.changed`): every
    apply that does not say so must leave them equal, and a change to where a brief is listed says so."""
    said: list[object] = []
    monkeypatch.setattr(store, "changed", said.append)
    rng = random.Random(7)
    names = ["ada", "bob", "cy", "dee", "eve"]
    briefs = [replace(brief(f"b{n}", 1 + n % 27, *rng.sample(names, rng.randint(0, 3)), draft=n % 9 == 0),
                      tags=tuple(rng.sample(["x", "y", "z"], rng.randint(0, 2))))
              for n in range(40)]
    refs = {f"{b.slug}.yaml": tuple(ref(key[1], id_=key[1], path=f"{b.slug}.yaml") for key in b.entities)
            for b in briefs}
    state, errors = resolve(briefs, [r for file_refs in refs.values() for r in file_refs])
    assert errors == []
    current = {b.slug: b for b in briefs}
    kept = changed = 0
    moved = dict.fromkeys(["date", "zone", "entities", "tags", "draft", "refs"], 0)  # edits said to change them
    for _ in range(300):
        old = current[rng.choice(sorted(current))]
        kind = rng.choice(["text", "text", "title", "date", "zone", "entities", "tags", "draft", "refs"])
        new = _edited(old, kind, rng, names)
        path = f"{old.slug}.yaml"
        new_refs = tuple(ref(key[1], id_=key[1], path=path) for key in new.entities)
        if kind in ("text", "title"):
            new_refs = refs[path]
        elif kind == "refs" and new_refs:
            new_refs = (replace(new_refs[0], description=f"Someone {rng.random()}."), *new_refs[1:])
        refs[path] = new_refs
        before = copy.deepcopy(state._indexes)
        said.clear()
        _, errors = state.apply(remove=[old], add=[new], refs={path: new_refs})
        assert errors == []
        current[new.slug] = new
        if said:
            changed += 1
        else:
            kept += 1
            assert state._indexes == before, kind
        if kind in ("text", "title"):
            assert not said  # a correction to a brief's text leaves every index as it was
        else:
            moved[kind] += bool(said)
    assert kept and changed and all(moved.values()), moved


def _edited(old: Brief, kind: str, rng: random.Random, names: list[str]) -> Brief:
    """`old` with one kind of edit."""
    if kind in ("text", "refs"):
        return replace(old, body=old.body + " more")
    if kind == "title":
        return replace(old, title=old.title + "!")
    if kind == "date":
        return replace(old, date=old.date + timedelta(days=rng.choice([-1, 1])))
    if kind == "zone":  # the same instant an hour west: on the 1st at 00:00 UTC, the month before
        return replace(old, date=old.date.astimezone(timezone(timedelta(hours=-1))))
    if kind == "entities":
        return replace(old, entities=tuple(("people", k) for k in rng.sample(names, 2)))
    if kind == "tags":
        return replace(old, tags=(*old.tags, "w"))
    assert kind == "draft"
    return replace(old, draft=not old.draft)


def _merge_all_at_once(entity_id: str, ordered: list[EntityRef], errors: ErrorCollector) -> Entity | None:
    """The merge as written before `EntityMerge` (every ref of the id in hand at once): the reference
    the fold must equal, result and errors alike."""
    types = list(dict.fromkeys(r.type for r in ordered))
    if len(types) > 1:
        first = next(r for r in ordered if r.type == types[0])
        second = next(r for r in ordered if r.type == types[1])
        errors.add(BriefgenError(
            f"id '{entity_id}' is one of {types[0]} ({shown(first.path)}:{first.line}) and one of "
            f"{types[1]} ({shown(second.path)}:{second.line})", second.path, second.line,
            "one id is one entity: give one of them its own `id:`"))
        return None
    canonical = ordered[0]
    aliases: list[str] = [alias for r in ordered for alias in r.aliases]
    known = {canonical.name, *aliases}
    conflict = False
    for r in ordered[1:]:
        if r.name in known or slugify(r.name) == slugify(canonical.name):
            aliases.append(r.name)
            continue
        errors.add(BriefgenError(
            f"id '{entity_id}' names two different entities: '{canonical.name}' "
            f"({shown(canonical.path)}:{canonical.line}) and '{r.name}' ({shown(r.path)}:{r.line})", r.path, r.line,
            f"give one of them another `id:`, or list '{r.name}' under the aliases of '{canonical.name}'"))
        conflict = True
    if conflict:
        return None
    return Entity(type=canonical.type, id=entity_id, name=canonical.name,
                  aliases=tuple(a for a in dict.fromkeys(aliases) if a != canonical.name),
                  description=next((r.description for r in ordered if r.description), None),
                  wikidata=next((r.wikidata for r in ordered if r.wikidata), None),
                  redirect_from=tuple(dict.fromkeys(key for r in ordered for key in r.redirect_from)),
                  image=next((r.image for r in ordered if r.image), None),
                  website=next((r.website for r in ordered if r.website), None))


_NAMES = ["Ann Lee", "ann lee", "Ann-Lee", "A. Lee", "Bo Chen", "Chen Bo"]
_some = st.sampled_from


@st.composite
def _refs_of_one_id(draw: st.DrawFn) -> list[EntityRef]:
    refs = []
    for _ in range(draw(st.integers(1, 7))):
        refs.append(EntityRef(
            type=draw(_some(["people", "people", "people", "organizations"])), id="ann-lee",
            name=draw(_some(_NAMES)), aliases=tuple(draw(st.lists(_some(_NAMES), max_size=2))),
            description=draw(_some([None, "", "A judge.", "A writer."])),
            wikidata=draw(_some([None, "Q1", "Q2"])), website=draw(_some([None, "https://a.example/"])),
            redirect_from=tuple(draw(st.lists(_some([("people", "a-lee"), ("people", "lee")]), max_size=2))),
            path=f"content/{draw(_some('abc'))}.yaml", line=draw(st.integers(1, 40)), explicit_id=True))
    return refs


@settings(max_examples=300, deadline=None)
@given(_refs_of_one_id())
def test_merging_refs_one_by_one_equals_merging_them_all_at_once(refs: list[EntityRef]) -> None:
    """`EntityMerge` keeps only what the merge needs of each ref it is given, in order: the entity and
    the errors (their order, places and advice) are those of the merge that held every ref."""
    expected, found = ErrorCollector(), ErrorCollector()
    merge = EntityMerge("ann-lee")
    for given_ref in refs:
        merge.add(given_ref)
    assert merge.entity(found) == _merge_all_at_once("ann-lee", refs, expected)
    assert [(str(e), e.path, e.line, e.hint) for e in found.errors] == \
        [(str(e), e.path, e.line, e.hint) for e in expected.errors]
    assert merge_entity("ann-lee", refs, ErrorCollector()) == merge.entity(ErrorCollector())
