"""The entities a site knows, for suggestions: found in a text by name or alias, and matched to found names.

Pure functions of a registry (name or alias → type and canonical name) and
prepared lines: no files, no site.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from .candidates import Candidate
from .lines import Line, normal

# A site's known entities by spelling (names and aliases): name → (type, canonical name).
Registry = Mapping[str, tuple[str, str]]


class KnownNames:
    """A site's known entities by spelling, folded as `lines.normal` folds names."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.keys: dict[str, str] = {}  # folded spelling → the registry's spelling
        for name in registry:
            self.keys.setdefault(normal(name), name)

    def hits(self, lines: Sequence[Line]) -> list[tuple[int, int, int, str]]:
        """(line, start, end, registry name) of every whole-word mention of a known name, longest first."""
        if not self.registry:
            return []
        pattern = _names_pattern(list(self.registry))
        hits = []
        for index, line in enumerate(lines):
            for match in pattern.finditer(line.text):
                name = self.keys.get(normal(match.group(0)))
                if name is not None:
                    hits.append((index, match.start(), match.end(), name))
        return hits

    def entity(self, candidate: Candidate) -> tuple[str, str] | None:
        """The known entity a found name is: by name or alias, or a shorter form of one of its names."""
        name = self.keys.get(normal(candidate.display))
        if name is not None:
            return self.registry[name]
        words = candidate.words
        if len(words) < 2:
            return None
        for key, name in self.keys.items():
            known = key.split()
            # "Vladimir Putin" is "Vladimir Vladimirovich Putin"; "Ivanka Trump" is not "Donald Trump".
            if len(known) > len(words) and known[0] == words[0] and known[-1] == words[-1] \
                    and set(words) <= set(known):
                return self.registry[name]
        return None

    def surname(self, word: str) -> tuple[str, str] | None:
        """The one known person whose name ends with `word`, if exactly one does."""
        matches = {self.registry[name] for key, name in self.keys.items()
                   if len(key.split()) >= 2 and key.split()[-1] == word and self.registry[name][0] == "people"}
        return matches.pop() if len(matches) == 1 else None

    def spells(self, text: str, entity: tuple[str, str]) -> bool:
        """Whether `text` is already a known name or alias of `entity`."""
        name = self.keys.get(normal(text))
        return name is not None and self.registry[name] == entity


def _names_pattern(names: Sequence[str]) -> re.Pattern[str]:
    """Whole-word matches of any name, longest first; apostrophes, hyphens and spaces loosely."""
    alternatives = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        pieces = []
        for char in unicodedata.normalize("NFC", name.strip()):
            if char in "'’‘":
                pieces.append("['’‘]")
            elif char in "-‐‑":
                pieces.append("[-‐‑]")
            elif char.isspace():
                pieces.append(r"\s+")
            else:
                pieces.append(re.escape(char))
        alternatives.append("".join(pieces))
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")
