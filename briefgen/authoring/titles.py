"""The title suggested for a draft brief: its first key point or paragraph, cut where a headline
writer would cut it.

Pure functions of the text: no files, no site.
"""

from __future__ import annotations

import re

from ..markdown.sentences import sentence_ends
from ..wire import parse_wire
from .dates import DATELINE
from .lines import is_shouting, recase, word_cases

TITLE_LIMIT = 80


def suggest_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title from the first key point, else the first paragraph, shortened at a clause boundary."""
    wire = parse_wire(text)
    first = (wire.key_points or wire.paragraphs or ("Untitled",))[0]
    first = DATELINE.sub("", first, count=1)
    first = " ".join(first.split()).strip(" \"“”'‘’")
    if is_shouting(first):
        # "TRUMP TO MEET PUTIN" → "Trump to meet Putin", from how the rest of the text writes each word.
        others = [line for line in (*wire.key_points, *wire.paragraphs) if not is_shouting(line)]
        first = recase(first, word_cases(others))
        first = first[:1].upper() + first[1:]
    return shorten_title(first, limit) or "Untitled"


def shorten_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` cut to `limit` characters: at its first sentence end or a clause boundary if it can."""
    text = _end_cleanly(text)
    if len(text) <= limit:
        return text
    first = next((end for end in sentence_ends(text) if end.mark >= 20), None)
    if first and len(_end_cleanly(text[:first.end])) <= limit:
        return _end_cleanly(text[:first.end])
    # When-phrases and opening phrases are the first things a headline writer drops.
    text = _end_cleanly(WHEN_PHRASE.sub("", text))
    opening = OPENING_PHRASE.match(text)
    if opening and len(text) - opening.end() >= 30:
        text = text[opening.end():]
        text = text[:1].upper() + text[1:]
    if len(text) <= limit:
        return text
    # A boundary in the first half would leave too little to say what happened.
    boundaries = [m.start() for m in CLAUSE_BOUNDARY.finditer(text) if limit / 2 <= m.start() <= limit]
    if boundaries:
        return _end_cleanly(text[: boundaries[-1]])
    words = text[: limit].split(" ")
    if len(text) > limit and text[limit] != " ":
        words = words[:-1]  # the last word was cut in two
    # Do not end inside a name ("... Russian President Vladimir") nor on a word that needs another.
    while len(words) > 1 and _is_capitalised(words[-1]) and _is_capitalised(text[len(" ".join(words)):].split()[0]):
        words.pop()
    while len(words) > 1 and (words[-1].lower() in DANGLING or (words[-1][:1].isupper() and len(words) > 3
                              and words[-2].lower() in DANGLING)):
        words.pop()
    return _end_cleanly(" ".join(words)) + "…"


def _end_cleanly(text: str) -> str:
    text = text.strip().rstrip(",;:—–-").strip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _is_capitalised(word: str) -> bool:
    word = word.lstrip("\"“‘'([")
    return bool(word) and word[0].isupper()


WHEN_PHRASE = re.compile(
    r",?\s+(?:(?:early|late)\s+)?(?:on\s+|last\s+|this\s+|next\s+)?"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?\b"
)
OPENING_PHRASE = re.compile(
    r"^(?:In|On|Under|After|Amid|Despite|Following|As|While|With|Before|Since|During|Meanwhile|However|"
    r"Earlier|Later|Speaking|According)\b[^,]{0,160},\s+"
)
CLAUSE_BOUNDARY = re.compile(
    r"[,;:]\s|\s[—–]\s|\s-\s|\s(?=(?:after|amid|as|while|following|because|despite|but|which|when|where|"
    r"although|though|since|before|until|unless|whereas)\s)"
)
DANGLING = frozenset(
    "a an the and or but nor of to in on at for with by from into onto as that which who whom whose "
    "is are was were be been has have had will would can could should may might must do does did "
    "its his her their our your this these those than".split()
)
