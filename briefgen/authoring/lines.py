"""Wire copy prepared for the entity suggestions: lines of tokens, credits left out, shouted and
Title Case lines recased.

Pure functions of the text: no files, no site.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..markdown.sentences import OPENERS, is_abbreviation
from .dates import DATELINE
from .words import CREDIT, MONTHS, PARTICLES, PREFIXES, SENTENCE_STARTERS, STOPWORDS, WEEKDAYS


@dataclass
class Token:
    """A word, number or punctuation mark of one line."""

    text: str
    start: int
    end: int
    kind: str  # "word", "number" or "punct"
    possessive: bool = False
    tail: str = ""  # a lowercase hyphen tail: "backed" in "Putin-backed"
    abbreviation: bool = False  # ends with a period that does not end a sentence
    sentence_start: bool = False

    @property
    def lower(self) -> str:
        return self.text.lower().rstrip(".")

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def capitalised(self) -> bool:
        if not self.is_word:
            return False
        first = self.text[0]
        if first.isupper() or first.istitle():
            return True
        head, _, rest = self.text.partition("-")
        if rest and head.lower() in PARTICLES and rest[:1].isupper():
            return True  # "al-Assad"
        return len(self.text) > 2 and any(c.isupper() for c in self.text[1:3])  # "eBay", "iPhone"

    @property
    def acronym(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return self.is_word and 2 <= len(letters) <= 5 and all(c.isupper() for c in letters)

    @property
    def stopword(self) -> bool:
        return self.lower in STOPWORDS and not self.acronym  # "who", but not "WHO"


@dataclass(frozen=True)
class Line:
    text: str
    tokens: list[Token]
    dateline: int = 0  # where a dateline ("WASHINGTON (AP) —") ends, or 0


# Initials (U.S.), "H&M" and "AT&T", "OPEC+", letters with digits ("Jet2", "G20"), words (hyphens and apostrophes
# inside), numbers, and any other character alone.
WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[A-Z]{1,3}&[A-Z]{1,3}\b|[A-Z]{2,}\+|[^\W\d_]+\d+[^\W\d_]*\b|"
                  r"[^\W\d_]+(?:['’\-‐][^\W\d_]+)*|\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?\b|\S")
# Lowercase words after a hyphen that make a compound with a name ("Trump-era", "Hamas-run"), beside
# those in -ed ("US-led") and -ing: other short tails are part of the name ("Kang Dong-won", "Ka-yee").
COMPOUND_TAILS = frozenset("""era run made hit born bound free wide like style held area zone side type class size
only most plus wise ward less long high wing proof ready rich poor heavy scale level elect in out up based
backed""".split())


def prepare_lines(text: str) -> list[Line]:
    """The text's lines as tokens: credits left out, shouted and Title Case lines recased."""
    text = unicodedata.normalize("NFC", text)
    raw_lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line and not is_credit(line):
            raw_lines.append(line)
    vocabulary = word_cases([line for line in raw_lines if not is_shouting(line) and not is_headline(line)])
    lines = []
    for line in raw_lines:
        recased = recase(line, vocabulary)
        dateline = DATELINE.match(line) if not is_shouting(line) else None
        lines.append(Line(recased, tokenize(recased), dateline.end() if dateline else 0))
    return lines


def is_credit(line: str) -> bool:
    """A byline or credit ("By Jane Doe", "(Reporting by ...)"): who wrote the story, not who is in it."""
    words = line.split()
    if len(words) > 25:
        return False
    if re.match(r"^By\s+\S", line, re.IGNORECASE) and len(words) <= 12 and not line.endswith((".", "!", "?")):
        return True
    return bool(CREDIT.search(line))


def is_shouting(line: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", line)
    return len(words) >= 2 and sum(w.isupper() for w in words) >= 0.8 * len(words)


def is_headline(line: str) -> bool:
    """Title Case without a full stop: capitals there say nothing about names."""
    words = re.findall(r"[^\W\d_]+", line)
    if len(words) < 4 or line.rstrip("\"”’'").endswith((".", "!", "?")):
        return False
    capitalised = [w for w in words if w[0].isupper()]
    capitalised_function_words = [w for w in capitalised if w.lower() in STOPWORDS]
    return bool(capitalised_function_words) and len(capitalised) >= 0.8 * len(words)


def word_cases(lines: Sequence[str]) -> tuple[set[str], dict[str, str]]:
    """Words the lines write in lowercase, and the form of words capitalised mid-sentence."""
    lower: set[str] = set()
    cased: dict[str, str] = {}
    for line in lines:
        for token in tokenize(line):
            if not token.is_word:
                continue
            if token.text.islower():
                lower.add(token.text)
            elif not token.sentence_start:
                cased.setdefault(token.text.lower(), token.text)
    return lower, cased


def recase(line: str, vocabulary: tuple[set[str], dict[str, str]]) -> str:
    """A shouted or Title Case line in the case its words have elsewhere; a shouted dateline title-cased."""
    shouting = is_shouting(line)
    if not shouting and not is_headline(line):
        match = DATELINE.match(line)
        place = re.match(r"[A-Z][A-Z.'’ -]*[A-Z]", line) if match else None
        if place and len(place.group(0)) >= 3:
            # "WASHINGTON (AP) —"; "RIO DE JANEIRO" is "Rio de Janeiro", as the text writes it
            titled = " ".join(word.lower() if word.lower() in PARTICLES and at else word
                              for at, word in enumerate(place.group(0).title().split(" ")))
            return titled + line[place.end():]
        return line
    lower_vocab, cased = vocabulary
    # With nothing else to go by (a text all in capitals), every word but the common ones may be a name.
    alone = not lower_vocab and not cased

    def fix(match: re.Match[str]) -> str:
        stem, possessive = split_possessive(match.group(0))
        low = stem.lower()
        if low in cased and low not in STOPWORDS:
            new = cased[low]  # as the rest of the text writes it: "Putin", "NATO"
        elif low in MONTHS or low in WEEKDAYS:
            new = low.capitalize()
        elif low in lower_vocab or low in STOPWORDS or low in SENTENCE_STARTERS or (shouting and not alone):
            new = low  # a shouted word the text never capitalises is no name it can vouch for
        else:
            new = stem.title() if shouting else stem
        return new + possessive.lower()

    return re.sub(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", fix, line)


def split_possessive(word: str) -> tuple[str, str]:
    for ending in ("'s", "’s", "'S", "’S"):
        if word.endswith(ending) and len(word) > 2:
            return word[:-2], word[-2:]
    return word, ""


def tokenize(line: str) -> list[Token]:
    """Words (possessive and lowercase hyphen tails split off), numbers and punctuation."""
    tokens: list[Token] = []
    sentence_start = True
    taken = 0  # end of the last token, which may have taken an abbreviation's period
    for match in WORD.finditer(line):
        if match.start() < taken:
            continue
        text = match.group(0)
        start, end = match.span()
        if text[0].isdigit():
            tokens.append(Token(text, start, end, "number"))
            sentence_start = False
        elif not text[0].isalpha():
            tokens.append(Token(text, start, end, "punct"))
            if text in ".!?:;•":
                sentence_start = True
            elif text not in OPENERS:  # an opening quote keeps a sentence start for the word after it
                sentence_start = False
        else:
            token = word_token(text, start, line)
            token.sentence_start = sentence_start
            tokens.append(token)
            end = max(end, token.end)
            sentence_start = False
        taken = end
    return tokens


def word_token(text: str, start: int, line: str) -> Token:
    if "." in text:  # U.S., D.C.
        return Token(text, start, start + len(text), "word", abbreviation=True)
    stem, possessive = split_possessive(text)
    tail = ""
    parts = re.split(r"[-‐]", stem)
    if len(parts) > 1 and parts[0].lower() in PREFIXES and parts[1][:1].isupper():
        start += len(parts[0]) + 1  # "anti-Trump" → "Trump"
        stem = stem[len(parts[0]) + 1:]
        parts = parts[1:]
    if len(parts) > 1 and parts[0][:1].isupper():
        kept = 0
        while kept < len(parts) and parts[kept][:1].isupper():
            kept += 1
        if kept < len(parts) and not _name_syllable(parts[kept:], parts[kept - 1]):
            # "Putin-backed", "US-led", "Washington-based"
            tail = "-".join(parts[kept:]).lower()
            stem = "-".join(parts[:kept])
    token = Token(stem, start, start + len(stem), "word", possessive=bool(possessive), tail=tail)
    if not possessive and not tail and line[token.end:token.end + 1] == "." and (
            is_abbreviation(stem, line[token.end + 1:].lstrip().lstrip(OPENERS)[:1])):
        token.abbreviation = True  # "Mr.", "John F. Kennedy": the period ends no sentence
        token.text += "."
        token.end += 1
    return token


def _name_syllable(tail: list[str], head: str) -> bool:
    """A lowercase hyphen tail that goes on a given name ("Dong-won", "Wai-ling"), not a compound ("US-led")."""
    word = tail[0]
    return (len(tail) == 1 and len(head) <= 5 and 2 <= len(word) <= 5 and word.islower()
            and word not in COMPOUND_TAILS and not word.endswith(("ed", "ing", "ly")))


def normal(text: str) -> str:
    """What two spellings of one name share: apostrophes, dots and case folded."""
    text = text.replace("’", "'").replace("‘", "'").replace("‐", "-")
    text = re.sub(r"(?<=\w)\.", "", text)
    return " ".join(text.casefold().split())
