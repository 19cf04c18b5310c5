"""Where sentences end in plain text: briefgen's one sentence splitter and its one abbreviation list.

Owns the rule for when a period (or ! ? …) ends a sentence: not after an
abbreviation, an initial or a dotted abbreviation ("Mr.", "J.", "U.S."),
not before a lowercase word, and "No." only ends a sentence when no number
follows. Works on strings alone: must not know about Markdown, element trees,
entities or files, so that any part of briefgen (the Markdown extension, the
authoring tools) can split text the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# What may open a sentence before its first letter or digit: quotes and brackets.
OPENERS = "\"'“‘«(["
# A sentence ends at . ! ? or … (and closing quotes or brackets) before white space and what may start
# one: a capital, a digit, or a letter of a script without case (Greek and Cyrillic capitals count too).
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[^\W_])")
# A period after these (or after an initial, "J.", or a dotted abbreviation, "U.S.") rarely ends a sentence.
ABBREVIATIONS = frozenset("""mr mrs ms mx dr prof sen rep gov gen lt col maj capt sgt adm cmdr st jr sr rev fr
    hon pres mt ft inc co corp ltd bros vs etc approx dept univ est fig jan feb mar apr aug sept sep oct nov dec
    """.split())
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")  # the word a period ends
_LONGEST_WORD = 40  # how far back from a period its word is looked for


class SentenceEnd(NamedTuple):
    """One end of a sentence, as offsets into the text."""

    mark: int  # the . ! ? or … that ends it
    end: int  # where the sentence ends: after the mark and any closing quotes or brackets
    next_start: int  # where the next sentence starts, after the white space


def sentence_ends(text: str) -> list[SentenceEnd]:
    """Each end of a sentence in `text`, in order (none at the very end of the text)."""
    return [SentenceEnd(match.start(), match.start() + len(match.group(0).rstrip()), match.end())
            for match in SENTENCE_END.finditer(text) if _ends_sentence(text, match)]


def is_abbreviation(word: str, next_char: str = "") -> bool:
    """Whether a period right after `word` closes an abbreviation rather than a sentence.

    `word` is what the period follows, without that period ("Mr", "J",
    "U.S"); `next_char` is the first letter or digit after the period and
    the white space and opening quotes that follow it ("" if unknown): "No."
    is an abbreviation only before a number ("No. 10").
    """
    if "." in word.strip("."):  # U.S., J.P., e.g.
        return True
    if word.lower() == "no":
        return next_char.isdigit()
    return (len(word) == 1 and word.isalpha() and word.isupper()) or word.lower() in ABBREVIATIONS


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """False before a lowercase letter, and when a period closes an abbreviation or an initial."""
    # The pattern's look-ahead allows at most one opening quote or bracket before a letter or digit.
    following = text[match.end(): match.end() + 2].lstrip(OPENERS)[:1]
    if following.islower():
        return False
    period = match.start()
    if text[period] != ".":
        return True
    before = _WORD_BEFORE.search(text[max(0, period - _LONGEST_WORD): period + 1])
    return before is None or not is_abbreviation(before.group(1), following)
