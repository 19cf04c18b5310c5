"""SiteState kept up to date edit by edit equals a site resolved from scratch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen import entities
from briefgen.entities import SiteState
from briefgen.model import Brief, EntityRef

from sitekit import resolve

NAMES = [f"Person {i}" for i in range(12)]
START = datetime(2024, 1, 1, tzinfo=UTC)


def make_brief(
    slug: str, day: int, people: list[int], tags: list[str], draft: bool
) -> tuple[Brief, tuple[EntityRef, ...]]:
    refs = tuple(EntityRef("people", f"p{i}", NAMES[i], path=f"{slug}.yaml", line=1) for i in people)
    brief = Brief(slug=slug, title=slug.upper(), date=START + timedelta(hours=day), has_time=True, body="",
                  body_format="markdown", article_path=f"{slug}.md", sidecar_path=f"{slug}.yaml",
                  entities=tuple(dict.fromkeys(("people", f"p{i}") for i in people)), tags=tuple(tags), draft=draft)
    return brief, refs


brief_specs = st.tuples(
    st.sampled_from([f"b{i}" for i in range(30)]),
    st.integers(0, 40),
    st.lists(st.integers(0, 11), max_size=5),
    st.lists(st.sampled_from(["Alpha", "alpha", "Beta", "Gamma"]), max_size=2),
    st.booleans(),
)
edits = st.lists(st.tuples(st.sampled_from(["put", "delete"]), brief_specs), min_size=1, max_size=25)


@pytest.fixture(params=[10, 1], ids=["window-10", "window-1"])
def window(request, monkeypatch):
    """The default window, and a window of 1 so that small sites exercise the windowed mode."""
    monkeypatch.setattr(entities, "RELATED_WINDOW", request.param)
    return request.param


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(initial=st.lists(brief_specs, max_size=25), steps=edits)
def test_incremental_state_matches_a_clean_resolve(window, initial, steps) -> None:
    current: dict[str, tuple[Brief, tuple[EntityRef, ...]]] = {}
    for slug, day, people, tags, draft in initial:
        current[slug] = make_brief(slug, day, people, tags, draft)
    state = SiteState(None, include_drafts=False)
    state.apply(remove=(), add=[b for b, _ in current.values()],
                refs={f"{slug}.yaml": refs for slug, (_, refs) in current.items()})
    for action, (slug, day, people, tags, draft) in steps:
        old = current.pop(slug, None)
        new = make_brief(slug, day, people, tags, draft) if action == "put" else None
        if new is not None:
            current[slug] = new
        state.apply(remove=[old[0]] if old else [], add=[new[0]] if new else [],
                    refs={f"{slug}.yaml": new[1] if new else None})
        clean, _ = resolve([b for b, _ in current.values()],
                           [r for slug in sorted(current) for r in current[slug][1]])
        site = state.snapshot()
        assert site == clean.snapshot()
        # Each brief's listers are the briefs whose related lists hold it: once each, and none left empty.
        listers: dict[str, set[str]] = {}
        for lister, related in state.related.items():
            for slug in related:
                listers.setdefault(slug, set()).add(lister)
        assert {slug: set(found) for slug, found in state.listed_by.items()} == listers
        assert all(len(set(found)) == len(found) for found in state.listed_by.values())
        # The slugs the pages list come from the sorted lists, not the briefs: they must say the same.
        assert site.slugs == tuple(brief.slug for brief in site.briefs)
        for lists in (site.briefs_by_entity, site.briefs_by_tag, site.briefs_by_month):
            for key in lists:
                assert lists.slugs(key) == tuple(brief.slug for brief in lists[key])


def test_change_names_what_an_edit_touched() -> None:
    a, a_refs = make_brief("a", 1, [0, 1], ["Alpha"], False)
    b, b_refs = make_brief("b", 2, [1, 2], [], False)
    state = SiteState(None, include_drafts=False)
    state.apply(remove=(), add=[a, b], refs={"a.yaml": a_refs, "b.yaml": b_refs})
    edited, edited_refs = make_brief("a", 1, [0, 1, 3], ["Alpha"], False)
    change, errors = state.apply(remove=[a], add=[edited], refs={"a.yaml": edited_refs})
    assert errors == []
    assert change.briefs == {"a"} and not change.removed_briefs
    assert ("people", "p3") in change.entities and ("people", "p2") not in change.entities
    assert change.tags == {"alpha"}


def test_a_snapshot_makes_each_list_when_read_and_is_not_read_after_a_change() -> None:
    """The lists of briefs by entity, tag and month are made when first read (a one-edit build reads a
    few); a snapshot read after the state changed would show the new state's, so it refuses."""
    a, a_refs = make_brief("a", 1, [0, 1], ["Alpha"], False)
    b, b_refs = make_brief("b", 2, [1, 2], ["Alpha"], False)
    state = SiteState(None, include_drafts=False)
    state.apply(remove=(), add=[a, b], refs={"a.yaml": a_refs, "b.yaml": b_refs})
    site = state.snapshot()
    assert not state._snapshot_cache["by_entity"]  # nothing made yet
    assert site.briefs_by_entity[("people", "p1")] == (b, a) and site.briefs_by_tag["alpha"] == (b, a)
    assert list(state._snapshot_cache["by_entity"]) == [("people", "p1")]
    assert ("people", "p9") not in site.briefs_by_entity and len(site.briefs_by_entity) == 3
    assert list(site.briefs_by_month) == [(2024, 1)] and site.briefs_by_month[(2024, 1)] == (b, a)
    state.apply(remove=[b], add=[], refs={"b.yaml": None})
    with pytest.raises(RuntimeError):
        site.briefs_by_entity[("people", "p1")]
    assert state.snapshot().briefs_by_entity[("people", "p1")] == (a,)
