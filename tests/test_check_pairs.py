"""The near-duplicate search of `check` finds exactly the pairs a comparison of every pair finds."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.check import NEAR_DUPLICATE_RATIO, near_duplicate_pairs


def every_pair(names: list[str]) -> list[tuple[int, int]]:
    """The plain quadratic scan the indexed search replaces."""
    found = []
    for first, one in enumerate(names):
        for second in range(first + 1, len(names)):
            other = names[second]
            if abs(len(other) - len(one)) > 3:
                continue
            ratio = difflib.SequenceMatcher(None, other.casefold(), one.casefold(), autojunk=False).ratio()
            if ratio >= NEAR_DUPLICATE_RATIO:
                found.append((first, second))
    return found


LETTERS = st.sampled_from(list("abcdeéß ABCDE-'İ"))
NAME = st.text(LETTERS, min_size=1, max_size=24)


@st.composite
def names_with_typos(draw: st.DrawFn) -> list[str]:
    names = draw(st.lists(NAME, min_size=1, max_size=5))
    for _ in range(draw(st.integers(0, 8))):
        spelling = list(draw(st.sampled_from(names)))
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(spelling)))
            kind = draw(st.sampled_from(["insert", "delete", "replace"]))
            if kind == "insert":
                spelling.insert(at, draw(LETTERS))
            elif at < len(spelling):
                if kind == "delete":
                    del spelling[at]
                else:
                    spelling[at] = draw(LETTERS)
        names.append("".join(spelling))
    return sorted(names)


@settings(max_examples=300, deadline=None)
@given(names_with_typos())
def test_indexed_search_finds_what_every_pair_finds(names: list[str]) -> None:
    assert near_duplicate_pairs(names) == every_pair(names)


def test_typical_typos_are_found() -> None:
    names = sorted(["Vladimir Putin", "Vladmir Putin", "Angela Merkel", "Angela Merkle", "Emmanuel Macron"])
    found = {(names[a], names[b]) for a, b in near_duplicate_pairs(names)}
    assert found == {("Vladimir Putin", "Vladmir Putin"), ("Angela Merkel", "Angela Merkle")}
