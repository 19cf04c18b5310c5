"""How good `briefgen import`'s entity suggestions are: precision and recall against labelled stories.

The stories are in `tests/import_labelled/` (see its README): `NN-name.txt`,
wire copy, and `NN-name.yaml`, the people, organizations and places a careful
editor would list. Shared by the test that keeps the figures above a floor and
by `benchmarks/suggestions.py`, which prints them.

A suggestion is right when its type is the label's and one of its names (its
name or an alias) is one of the label's (name or alias), compared with case,
apostrophes, dots and a leading "the" left out. Each label is found once: a
second suggestion of the same entity ("ASIO" beside "Australian Security
Intelligence Organisation") is a wrong one, as it would make a second entity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LABELLED = Path(__file__).resolve().parent / "import_labelled"
TYPES = ("people", "organizations", "places")

# One suggestion: (type, name, aliases).
Suggestion = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Story:
    name: str
    text: str
    labels: dict[str, list[tuple[str, ...]]]  # type → each entity's names (its name first, then aliases)
    desk: str = ""
    region: str = ""
    set: str = "tuning"  # "held-out": written after the heuristics were tuned, to measure them honestly


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.right / (self.right + self.missed) if self.right + self.missed else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.missed += other.missed


@dataclass
class Scores:
    by_type: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in TYPES})
    # What went wrong, story by story: (story, type, "wrong" or "missed", name).
    mistakes: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        total = Tally()
        for tally in self.by_type.values():
            total.add(tally)
        return total


def load_stories(folder: Path = LABELLED) -> list[Story]:
    stories = []
    for text_path in sorted(folder.glob("*.txt")):
        data = yaml.safe_load(text_path.with_suffix(".yaml").read_text(encoding="utf-8")) or {}
        labels = {kind: [_names(entry) for entry in data.get(kind) or []] for kind in TYPES}
        stories.append(Story(text_path.stem, text_path.read_text(encoding="utf-8"), labels,
                             str(data.get("desk", "")), str(data.get("region", "")), str(data.get("set", "tuning"))))
    return stories


def _names(entry: Any) -> tuple[str, ...]:
    if isinstance(entry, str):
        return (entry,)
    return (str(entry["name"]), *(str(alias) for alias in entry.get("aliases") or []))


def key(name: str) -> str:
    """What two spellings of one name share: case, apostrophes, dots, spacing and a leading 'the' left out."""
    text = unicodedata.normalize("NFC", name).replace("’", "'").replace("‘", "'")
    text = re.sub(r"(?<=\w)\.", "", text).casefold()
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def import_suggestions(text: str) -> list[Suggestion]:
    """What `briefgen import` suggests for a text in a new site (no registry): (type, name, aliases)."""
    from briefgen.authoring import names

    if hasattr(names, "suggest"):  # the suggestions with their aliases
        return [(found.type, found.name, found.aliases) for found in names.suggest(text)]
    return [_suggestion(kind, entry) for kind, entries in names.suggest_entities(text).items() for entry in entries]


def _suggestion(kind: str, entry: Any) -> Suggestion:
    if isinstance(entry, str):
        return (kind, entry, ())
    if isinstance(entry, Mapping):
        return (kind, str(entry["name"]), tuple(entry.get("aliases") or ()))
    return (kind, str(entry.name), tuple(getattr(entry, "aliases", ()) or ()))


def score_story(story: Story, suggestions: Iterable[Suggestion]) -> tuple[dict[str, Tally], list[tuple[str, str, str]]]:
    """Each type's tally for one story, and its mistakes: (type, "wrong" or "missed", name)."""
    tallies = {kind: Tally() for kind in TYPES}
    mistakes: list[tuple[str, str, str]] = []
    found = {kind: [False] * len(story.labels[kind]) for kind in TYPES}
    for kind, name, aliases in suggestions:
        if kind not in TYPES:
            continue
        keys = {key(name), *(key(alias) for alias in aliases)}
        match = next((i for i, names in enumerate(story.labels[kind]) if keys & {key(n) for n in names}), None)
        if match is not None and not found[kind][match]:
            found[kind][match] = True
            tallies[kind].right += 1
        else:
            tallies[kind].wrong += 1
            mistakes.append((kind, "wrong" if match is None else "again", name))
    for kind in TYPES:
        for names, hit in zip(story.labels[kind], found[kind], strict=True):
            if not hit:
                tallies[kind].missed += 1
                mistakes.append((kind, "missed", names[0]))
    return tallies, mistakes


def evaluate(stories: Sequence[Story] | None = None,
             suggest: Callable[[str], list[Suggestion]] = import_suggestions) -> Scores:
    scores = Scores()
    for story in stories if stories is not None else load_stories():
        tallies, mistakes = score_story(story, suggest(story.text))
        for kind, tally in tallies.items():
            scores.by_type[kind].add(tally)
        scores.mistakes.extend((story.name, kind, what, name) for kind, what, name in mistakes)
    return scores


def table(scores: Scores) -> list[str]:
    """The figures as a Markdown table: per type and overall."""
    lines = ["| type | labelled | suggested | right | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
    for name, tally in (*scores.by_type.items(), ("overall", scores.overall)):
        lines.append(f"| {name} | {tally.right + tally.missed} | {tally.right + tally.wrong} | {tally.right} | "
                     f"{tally.precision:.3f} | {tally.recall:.3f} | {tally.f1:.3f} |")
    return lines
