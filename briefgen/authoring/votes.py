"""What the words around a name, and its shape, say about its type: votes for people, organizations, places.

Heuristics over prepared lines: titles and roles before people ("press
secretary Sarah Sanders"), prepositions before places ("in Finland"), words
that follow organizations ("Kremlin spokesman"), appositives ("Mosul, the
city ..."). Pure functions of the text: no files, no site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from itertools import pairwise

from .lines import Line, Token, normal
from .words import (
    APPOSITIVE_ORGS,
    APPOSITIVE_PLACES,
    APPOSITIVE_STARTS,
    DEMONYM_ENDINGS,
    DETERMINERS,
    EVENT_WORDS,
    NOT_BEFORE_PEOPLE,
    ORG_CUES,
    ORG_FOLLOWERS,
    ORG_WORDS,
    OWNED_BY_ORGS,
    OWNED_BY_PLACES,
    PARTICLES,
    PLACE_CUES,
    PLACE_NOUNS,
    PLACE_STARTS,
    PLACE_WORDS,
    ROLE_ENDINGS,
    ROLES,
    SENTENCE_STARTERS,
    SPEECH_VERBS,
    STAKES,
    TITLES,
    WEAK_PLACE_CUES,
)
from .world import NOT_ENTITIES, is_country_or_region


def head_word(token: Token) -> str | None:
    """The type a name's head word gives it: "Senate", "Bank" (organizations); "Valley", "Island" (places)."""
    if token.lower in ORG_WORDS:
        return "organizations"
    if token.lower in PLACE_WORDS:
        return "places"
    return None


def is_role(word: str) -> bool:
    """A word for what a person does, lowercase: "economist", "striker", "hydrologist", "statistician"."""
    return word in ROLES or word.endswith(ROLE_ENDINGS)


def _camel_case(text: str) -> bool:
    """A capital inside a word after lowercase letters ("WestJet", "BioNTech"), not "McDonald" or "DeSantis"."""
    inner = text[:1].isupper() and any(a.islower() and b.isupper() for a, b in pairwise(text))  # not "iPhone"
    return inner and not text.startswith(("Mc", "Mac", "De", "Di", "Da", "La", "Le", "Van", "Von", "O'", "O’"))


class Votes:
    """Votes for the type of a name at a place in the text."""

    def __init__(self, lines: Sequence[Line], lower_words: Collection[str], standalone: Collection[str]) -> None:
        self.lines = lines
        self.lower_words = lower_words  # words the text writes in lowercase somewhere
        self.standalone = standalone  # names that form a run of their own somewhere

    def around(self, index: int, first: int, last: int) -> Counter[str]:
        """Votes from the words around a name and from its shape."""
        tokens = self.lines[index].tokens
        if first == 0 and tokens[last].end <= self.lines[index].dateline:
            return Counter({"places": 3})  # where the story was filed: "MOSCOW (Reuters) -"
        words = tokens[first: last + 1]
        plain = not any(head_word(w) for w in words)  # no head word: may be a person
        return (self._votes_before(tokens, first, last, plain) + self._votes_after(tokens, first, last, plain)
                + self._votes_by_shape(tokens, first, last, plain))

    def _votes_before(self, tokens: list[Token], first: int, last: int, plain: bool) -> Counter[str]:
        """What the words before say: "in Finland", "press secretary Sarah Sanders", "shares in Rolls-Royce"."""
        votes: Counter[str] = Counter()
        cue, weight, at = self._cue_before(tokens, first, last)
        noun = tokens[at - 1].lower if at >= 1 else None  # "the city of", "miners such as"
        if cue == "as" and noun == "such" and at >= 2:
            cue, noun = tokens[at - 2].lower, None
        elif cue in ("including", "like") and noun is not None:
            cue, noun = noun, None  # "banks including Standard Chartered", "airports like Orly"
        if cue in ("in", "of") and first >= 2 and tokens[first - 2].lower in STAKES:
            votes["organizations"] += 1.5
        elif cue in ORG_CUES and plain:
            votes["organizations"] += 2 * weight  # "chipmaker Kasumi", "tour operators TUI and Jet2"
        elif cue in PLACE_NOUNS or (cue == "of" and noun in PLACE_NOUNS):
            votes["places"] += 2 * weight  # "the states of Para and Mato Grosso", "cities such as Kano"
        elif cue in PLACE_CUES and not (cue == "in" and noun in EVENT_WORDS):  # not "the Nobel Prize in Physics"
            votes["places"] += weight
        elif cue == "at":
            # "analysts at Morgan Stanley" work for an organization; "at Camp Nou" is a place.
            works = first >= 2 and (tokens[first - 2].lower in ROLES or tokens[first - 2].lower.rstrip("s") in ROLES)
            votes["organizations" if works else "places"] += weight if works else weight / 2
        elif cue == "on":
            votes["places"] += weight / 2  # "on Capitol Hill"
        elif cue == "according":
            votes["people"] += 1
        before = tokens[first - 1] if first >= 1 else None
        if before is not None and before.is_word and not before.capitalised and plain:
            if before.lower in ROLES and before.lower not in ORG_CUES and last - first < 4:
                votes["people"] += 2
            elif before.lower == "by" and last > first:
                votes["people"] += 1  # "indicted by Robert Mueller"
        return votes

    def _votes_after(self, tokens: list[Token], first: int, last: int, plain: bool) -> Counter[str]:
        """What the words after say: "Sarah Sanders tweeted", "Kremlin spokesman", "Washington, DC"."""
        votes: Counter[str] = Counter()
        words = tokens[first: last + 1]
        size = len(words)
        before = tokens[first - 1] if first >= 1 else None
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        follower = tokens[last + 2] if last + 2 < len(tokens) else None
        if words[-1].tail == "based":
            votes["places"] += 1  # "Washington-based"
        if after is None:
            return votes
        if words[-1].possessive and after.is_word:
            if after.lower in OWNED_BY_PLACES:
                votes["places"] += 1  # "Ukraine's president"
            elif after.lower in OWNED_BY_ORGS:
                votes["organizations"] += 1  # "Apple's shares"
        if after.text == "," and follower is not None and follower.acronym \
                and len(follower.text.replace(".", "")) == 2:
            votes["places"] += 2  # "Washington, DC"
        elif after.is_word and after.lower in SPEECH_VERBS and plain and 2 <= size <= 3 \
                and self._subject_or_object(tokens, first, last):
            votes["people"] += 1
        elif after.text == "," and size <= 4 and not (before is not None
                                                      and before.lower in PLACE_CUES | WEAK_PLACE_CUES) \
                and not (before is not None and before.lower in ("and", "or")):
            kind, score = self._appositive(tokens, last + 2)  # "Beto O'Rourke, the former congressman"
            if kind != "people" or plain:
                votes[kind] += score
        elif (place := self._follower(tokens, last)) is not None and place.lower in PLACE_NOUNS:
            votes["places"] += 2  # "the Konkan region", "the Zaatari and Azraq camps"
        elif after.is_word and after.lower in ORG_FOLLOWERS and not after.capitalised \
                and not words[-1].lower.endswith(DEMONYM_ENDINGS) \
                and not (size == 1 and words[0].acronym and len(words[0].lower) == 2):
            votes["organizations"] += 2  # "Goldman Sachs economist", but not "Russian officials", "US officials"
        return votes

    def _team_or_brand(self, words: list[Token]) -> bool:
        """A place's name and a plural ("Dallas Mavericks", "Las Vegas Sands"); a name ending in a country's
        ("Garuda Indonesia", "Air Canada"); a nationality and a name ("Saudi Aramco"): an organization."""
        last = normal(words[-1].text)
        prefix = normal(" ".join(w.text for w in words[:-1]))
        place = prefix in self.standalone or is_country_or_region(prefix) \
            or (len(words) == 3 and words[0].lower in PLACE_STARTS)
        if place and last.endswith("s") and len(last) >= 4 and not last.endswith("ss"):
            return True
        if is_country_or_region(last) and not is_country_or_region(normal(" ".join(w.text for w in words))) \
                and words[0].lower not in PLACE_STARTS:
            return True
        return len(words) == 2 and prefix in NOT_ENTITIES and not is_country_or_region(prefix) \
            and words[0].lower not in PLACE_STARTS  # "Saudi Aramco", not "Eastern Cape"

    @staticmethod
    def _follower(tokens: list[Token], last: int) -> Token | None:
        """The word after a name, past the others of a list ("Zaatari and Azraq camps"), if lowercase."""
        k = last + 1
        while k + 1 < len(tokens) and tokens[k].lower in (",", "and", "or") and tokens[k + 1].capitalised:
            k += 1
            while k < len(tokens) and tokens[k].capitalised:
                k += 1
        return tokens[k] if k < len(tokens) and tokens[k].is_word and tokens[k].text.islower() else None

    def _votes_by_shape(self, tokens: list[Token], first: int, last: int, plain: bool) -> Counter[str]:
        """What the name itself says: an acronym, "North ...", or two or three words like a person's name."""
        votes: Counter[str] = Counter()
        words = tokens[first: last + 1]
        size = len(words)
        owned = first >= 1 and tokens[first - 1].lower in ("its", "their", "his", "her", "our")  # "its SLIM probe"
        if size == 1 and words[0].acronym and not words[0].tail and len(words[0].text.replace(".", "")) >= 3 \
                and words[0].lower not in TITLES and not owned:
            votes["organizations"] += 0.75  # "NATO", "the CDC reported", "NBA championship"
        if size == 1 and _camel_case(words[0].text):
            votes["organizations"] += 1  # "BioNTech", "WestJet": brands, not people
        if plain and 2 <= size <= 3 and self._team_or_brand(words):
            votes["organizations"] += 2
        elif plain and 2 <= size <= 3 and words[0].lower in PLACE_STARTS:
            votes["places"] += 1.5  # "North Korea", "San Francisco"
        elif plain and 2 <= size <= 4 and self.looks_like_person(words) \
                and self._subject_or_object(tokens, first, last):
            votes["people"] += 0.4  # most unmarked two- or three-word names in news are people's
        return votes

    def _subject_or_object(self, tokens: list[Token], first: int, last: int) -> bool:
        """Placed as a person's name would be: not after "the" or "24th", not a sentence's opening phrase."""
        before = tokens[first - 1] if first >= 1 else None
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        if before is not None and (before.lower in DETERMINERS or before.lower in NOT_BEFORE_PEOPLE
                                   or before.kind == "number"):
            return False
        if tokens[first].sentence_start:
            return after is not None and after.is_word and not after.capitalised
        return True

    def _cue_before(self, tokens: list[Token], first: int, last: int) -> tuple[str | None, float, int]:
        """The word that cues a name's type, through "the" and lists ("in Washington and Moscow"), how much
        it counts, and where it is."""
        k = first - 1
        weight = 1.0
        short_acronym = first == last and tokens[first].acronym and len(tokens[first].lower) <= 2
        # Through a comma only inside a list: "In Helsinki, Trump agreed" is no list; "Washington, DC" neither.
        in_list = (last + 1 >= len(tokens) or tokens[last + 1].text in (",", "and", "or", ".", ";", ")")) \
            and not short_acronym
        for _ in range(4):
            if k >= 0 and tokens[k].lower == "the":
                k -= 1
                weight /= 2
            joiner = tokens[k].lower if k >= 1 else None
            if joiner in ("and", "or") or (joiner == "," and in_list):
                m = k - 1
                while m >= 0 and tokens[m].capitalised and not tokens[m].sentence_start:
                    m -= 1
                if m == k - 1 or (m >= 0 and tokens[m].lower == "," and not in_list):
                    break
                k = m
                weight *= 0.75
                in_list = True
                continue
            break
        return (tokens[k].lower if k >= 0 and tokens[k].is_word else None), weight, k

    def _appositive(self, tokens: list[Token], start: int) -> tuple[str, float]:
        """The type what follows "Name, ..." says: "a spokesman", "45,", "a group", "the capital"."""
        if start >= len(tokens):
            return "people", 0
        first = tokens[start]
        if first.kind == "number" and start + 1 < len(tokens) and tokens[start + 1].text in ",)":
            return "people", 2  # an age
        if first.lower == "who":
            return "people", 1.5
        if first.capitalised or (first.lower not in APPOSITIVE_STARTS and first.lower not in ROLES):
            return "people", 0  # "Americans, including ..." says nothing
        for k in range(start, min(start + 6, len(tokens))):
            token = tokens[k]
            if not token.is_word:
                break
            if token.capitalised:
                continue
            if token.lower in ROLES:
                return "people", 2
            if token.lower in APPOSITIVE_ORGS:
                return "organizations", 2
            if token.lower in APPOSITIVE_PLACES:
                return "places", 2
        return "people", 0

    def looks_like_person(self, words: list[Token]) -> bool:
        """Name-shaped words: no acronyms, no words seen in lowercase, no nationality first."""
        if words[0].lower.endswith(("ian", "ese", "ish")) and words[0].lower not in self.standalone:
            return False
        return all(not w.acronym and w.lower not in self.lower_words and w.lower not in SENTENCE_STARTERS
                   for w in words if w.lower not in PARTICLES)
