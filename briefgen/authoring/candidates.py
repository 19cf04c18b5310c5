"""A name the entity suggestions found in a text, with the votes for its type and where it stands.

Plain records shared by the finder (`names.py`) and the alias linking
(`aliases.py`). No logic beyond reading the votes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ORDER = ("people", "organizations", "places")  # ties go to the first


@dataclass
class Candidate:
    """One name found by heuristics, with the votes for its type."""

    display: str
    words: tuple[str, ...]  # normalized words
    first: tuple[int, int]  # (line, offset) of the first mention
    votes: Counter[str] = field(default_factory=Counter)
    head_type: str | None = None  # from a head word ("Senate", "Valley"): near certain
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (line, start, end)

    def best_type(self) -> str | None:
        if self.head_type:
            return self.head_type
        ranked = sorted(((score, -ORDER.index(kind), kind) for kind, score in self.votes.items() if score > 0),
                        reverse=True)
        return ranked[0][2] if ranked else None

    @property
    def key(self) -> str:
        return " ".join(self.words)


def score(candidate: Candidate) -> float:
    kind = candidate.best_type()
    return candidate.votes[kind] if kind else 0.0
