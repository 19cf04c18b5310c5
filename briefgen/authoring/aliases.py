"""Names that are another name of an entity the text names in full: suggested as its aliases.

- Acronyms a text introduces ("the Australian Security Intelligence
  Organisation (ASIO)", "..., known as INPE", "..., as CERN is formally
  known") or uses after the long form
  ("Congressional Budget Office" ... "CBO"; "United States" ... "U.S.").
- Short forms of an organization's name ("Kasumi" for "Kasumi
  Semiconductor", "Evergrande" for "China Evergrande Group").
- Other names of a country ("Congo" for "Democratic Republic of Congo",
  "America" and "U.S." for "United States").

Pure functions of prepared lines and candidates: no files, no site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .candidates import Candidate, score
from .lines import Line, Token
from .world import COUNTRY_FORMS, is_country_or_region, same_country

# Words a long name may hold that its acronym may leave out: "Ministry of Economy, Trade and Industry" is METI.
MINOR = frozenset("of and the for on in at to a an de du des del della di da la le les los las el y e et und "
                  "van von der den & ,".split())
# How far back before "(ACR)" the long name may start, in tokens.
REACH = 14


@dataclass(frozen=True)
class Introduction:
    """An acronym a line introduces for the name before it: tokens `start`..`end` (None: the name that ends there)."""

    line: int
    start: int | None
    end: int
    acronym: str


def letters(acronym: str) -> str:
    return "".join(char for char in acronym.lower() if char.isalpha())


def is_acronym(token: Token) -> bool:
    """All capitals (digits and & allowed), 2 to 8 letters: "ASIO", "UNHCR", "H&M", "M23"."""
    found = letters(token.text)
    return token.is_word and 2 <= len(found) <= 8 and token.text.replace(".", "").replace("&", "").isalnum() \
        and all(char.isupper() for char in token.text if char.isalpha())


def initials(acronym: str, words: Sequence[str], *, strict: bool) -> bool:
    """Whether `acronym` is made of the words' initials: each word but the minor ones gives its first letter,
    and (unless `strict`) may give more letters of its own in order ("ASEAN": Association of SouthEast Asian
    Nations); minor words ("of", "and") give their first letter or nothing."""
    wanted = letters(acronym)
    words = [word.lower() for word in words]

    def match(at: int, index: int) -> bool:
        if index == len(words):
            return at == len(wanted)
        word = words[index]
        if word in MINOR:
            if match(at, index + 1):
                return True
            return at < len(wanted) and word[0] == wanted[at] and match(at + 1, index + 1)
        if at >= len(wanted) or word[0] != wanted[at]:
            return False
        if match(at + 1, index + 1):
            return True
        if strict:
            return False
        rest, taken = word[1:], at + 1
        for char in rest:  # more letters of this word, in order
            if taken < len(wanted) and char == wanted[taken]:
                taken += 1
                if match(taken, index + 1):
                    return True
        return False

    return bool(wanted) and bool(words) and match(0, 0)


def introductions(lines: Sequence[Line]) -> list[Introduction]:
    """Every acronym a line introduces: "Long Name (ACR)" and "Long Name, (also) known (locally) as ACR"."""
    found = []
    for index, line in enumerate(lines):
        tokens = line.tokens
        for k, token in enumerate(tokens):
            if token.text == "(" and k + 2 < len(tokens) and tokens[k + 2].text == ")" and k >= 1:
                acronym, end = tokens[k + 1], k - 1
            elif token.lower == "as" and k >= 2 and tokens[k - 1].text == "," and k + 3 < len(tokens) \
                    and tokens[k + 2].lower == "is" and "known" in [t.lower for t in tokens[k + 3: k + 5]]:
                acronym, end = tokens[k + 1], k - 2  # "The European Organization ..., as CERN is formally known"
            elif token.lower == "as" and k + 1 < len(tokens):
                at = k - 1  # "..., known as INPE", "..., known locally as BCRA"
                if at >= 0 and tokens[at].lower in ("locally", "also", "widely", "commonly"):
                    at -= 1
                if at < 2 or tokens[at].lower != "known" or tokens[at - 1].text != ",":
                    continue
                acronym, end = tokens[k + 1], at - 2
            else:
                continue
            if not tokens[end].capitalised or not (is_acronym(acronym) or _one_name(acronym)):
                continue
            found.append(Introduction(index, _long_start(tokens, end, acronym.text), end, acronym.text))
    return found


def _one_name(token: Token) -> bool:
    """A one-word name in brackets after a long name: "Ghana Cocoa Board (Cocobod)"."""
    return token.is_word and token.capitalised and not token.stopword and len(token.text) >= 3


def _long_start(tokens: Sequence[Token], end: int, acronym: str) -> int | None:
    """Where the name the acronym stands for starts: the shortest run of capitalised and minor words
    before it whose initials make the acronym (strictly if any does); None if none does."""
    starts = []
    k = end
    while k >= 0 and end - k < REACH and (tokens[k].capitalised or tokens[k].lower in MINOR):
        if tokens[k].capitalised:
            starts.append(k)
        k -= 1
    for strict in (True, False):
        for start in starts:
            words = [t.text for t in tokens[start: end + 1] if t.text != ","]
            if initials(acronym, words, strict=strict):
                return start
    return None


def _pre_head(candidate: Candidate) -> tuple[str, ...]:
    """The words of a name before its "of" ("Kasumi Semiconductor", "China Evergrande Group")."""
    words = candidate.words
    return words[: words.index("of")] if "of" in words[1:] else words


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    size = len(short)
    return size < len(long) and any(long[i: i + size] == short for i in range(len(long) - size + 1))


def short_form_links(candidates: Sequence[Candidate], kinds: dict[int, str | None]) -> dict[int, Candidate]:
    """Candidates that are another name of a longer one, by id → the longer one (its type decides).

    `kinds` is each candidate's type as decided so far. An acronym whose letters
    are the initials of one longer name; a short form of one organization's
    name; another name of a country.
    """
    links: dict[int, Candidate] = {}
    for short in candidates:
        longer = _longer_form(short, candidates, kinds)
        if longer is not None:
            links[id(short)] = longer
    return links


def _longer_form(short: Candidate, candidates: Sequence[Candidate], kinds: dict[int, str | None]) -> Candidate | None:
    key = short.key
    if len(short.words) == 1 and short.display.replace(".", "").isupper() and len(letters(short.display)) >= 2:
        # "CBO" after "Congressional Budget Office", "U.S." beside "United States".
        matches = [c for c in candidates if c is not short and len(c.words) >= 2
                   and initials(short.display, c.display.replace("-", " ").split(), strict=True)]
        if len(matches) == 1:
            return matches[0]
    if is_country_or_region(key):
        countries = [c for c in candidates if c is not short and len(c.words) > len(short.words)
                     and (same_country(key, c.key) or _country_form(c.words, short.words))]
        return countries[0] if len(countries) == 1 else None
    if kinds.get(id(short)) not in (None, "organizations") or len(short.words) > 3:
        return None
    # "Kasumi" is "Kasumi Semiconductor"; "Evergrande" is "China Evergrande Group"; "Senate" is "U.S. Senate";
    # "House" is "House of Representatives".
    owners = [c for c in candidates if c is not short and kinds.get(id(c)) == "organizations"
              and (c.head_type == "organizations" or score(c) >= 1)
              and (_inside(short.words, _pre_head(c)) or short.words == _pre_head(c) != c.words)
              and (c.words[-len(short.words):] != short.words or all(is_country_or_region(w) for w in
                                                                     c.words[:-len(short.words)]))]
    return owners[0] if len(owners) == 1 else None


def _country_form(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    """"Democratic Republic of Congo" is "Congo"; "Kingdom of Saudi Arabia" is "Saudi Arabia"."""
    if "of" not in long[1:]:
        return False
    at = long.index("of")
    rest = long[at + 1:]
    rest = rest[1:] if rest[:1] == ("the",) else rest
    return rest == short and all(word in COUNTRY_FORMS for word in long[:at])


def roots(links: dict[int, Candidate], candidates: Iterable[Candidate]) -> dict[int, Candidate]:
    """Each linked candidate's last link: the name it is finally an alias of (cycles broken at their start)."""
    found = {}
    for candidate in candidates:
        seen = {id(candidate)}
        root = links.get(id(candidate))
        while root is not None and id(root) in links and id(links[id(root)]) not in seen:
            seen.add(id(root))
            root = links[id(root)]
        if root is not None and root is not candidate:
            found[id(candidate)] = root
    return found
