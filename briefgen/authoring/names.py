"""The people, organizations and places a draft brief names, suggested for a person to review.

Heuristics, not an extractor: names the site knows (by name or alias,
`known.py`), plus capitalised names typed by the words around them
(`votes.py`): titles and roles for people ("President", "press
secretary"), prepositions for places ("in", "visit"), head words for
organizations ("Senate", "Bank of ..."). The only real names built in are
an atlas's: countries, regions and capitals (`world.py`), beside the
nationalities, languages and religions that are never suggested. Acronyms
and short forms become aliases of the long name (`aliases.py`). Pure
functions of the text: no files, no site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model import DEFAULT_ENTITY_TYPES
from ..slugs import slugify
from .aliases import introductions, roots, short_form_links
from .candidates import Candidate, score
from .known import KnownNames, Registry
from .lines import Line, Token, normal, prepare_lines
from .votes import Votes, head_word, is_role
from .words import (
    DETERMINERS,
    EVENT_WORDS,
    GENERIC_STARTERS,
    MONTHS,
    NAME_MONTHS,
    NOT_ACRONYMS,
    NOT_NAMES,
    ORDINALS,
    ORG_FOLLOWERS,
    ORG_STARTS,
    ORG_WORDS,
    PARTICLES,
    PARTISANS,
    PLACE_WORDS,
    POSSESSIVES_IN_NAMES,
    ROLES,
    SENTENCE_STARTERS,
    TITLE_PARTS,
    TITLE_WORDS,
    TITLES,
    WEEKDAYS,
)
from .world import NOT_ENTITIES, is_adjective_or_people, is_country_or_region


@dataclass(frozen=True)
class Suggestion:
    """One suggested entity: its type, its name, and other names the text gives it (its acronym, a short form)."""

    type: str
    name: str
    aliases: tuple[str, ...] = ()


def suggest(text: str, registry: Registry | None = None) -> list[Suggestion]:
    """Entities named in `text`, in order of first mention.

    `registry` maps a known name or alias → (type, canonical name); known
    names are found as whole words and suggested as the registry has them.
    Other names are capitalised phrases typed by their context; short forms
    of a person's name ("Putin", "Mr. McFaul") fold into the full name found
    elsewhere in the text, and acronyms and short forms of other names
    ("ASIO", "Kasumi") become aliases of the long name. Types: people,
    organizations, places, topics, plus any type the registry uses.
    """
    lines = prepare_lines(text)
    found = _Finder(lines, registry or {}).run()
    result = []
    seen_ids: set[str] = set()
    for kind, name, aliases in found:
        entity_id = slugify(name)
        # One id is one entity: the same slug twice (O’Rourke, O'Rourke) is one suggestion.
        if not entity_id or entity_id in seen_ids:
            continue
        seen_ids.add(entity_id)
        others = tuple(dict.fromkeys(alias for alias in aliases if slugify(alias) not in (entity_id, "")))
        result.append(Suggestion(kind, name, others))
    return result


def suggest_entities(text: str, registry: Registry | None = None) -> dict[str, list[str]]:
    """The names `suggest` finds, by type (people, organizations, places, topics, ...)."""
    result: dict[str, list[str]] = {kind: [] for kind in DEFAULT_ENTITY_TYPES}
    for found in suggest(text, registry):
        result.setdefault(found.type, []).append(found.name)
    return result


def _plural_possessive(tokens: list[Token], j: int) -> bool:
    """ "Bishops' Conference": a plural's apostrophe, written right after it."""
    return j + 1 < len(tokens) and tokens[j].text.endswith("s") and tokens[j + 1].text in ("'", "’") \
        and tokens[j + 1].start == tokens[j].end


def _possessive_goes_on(tokens: list[Token], j: int) -> int | None:
    """Where a name goes on after a possessive that belongs to it ("People's Bank of China", "St. Peter's
    Basilica", "German Bishops' Conference"), or None: "Russia's Foreign Ministry" is two names."""
    after = j + 2 if _plural_possessive(tokens, j) else j + 1
    saint = j >= 1 and tokens[j - 1].lower in ("st", "saint")
    if not (saint or _plural_possessive(tokens, j) or tokens[j].lower in POSSESSIVES_IN_NAMES):
        return None
    ahead = tokens[after: after + 3]
    if not ahead or not ahead[0].capitalised or ahead[0].sentence_start:
        return None
    return after if any(head_word(t) for t in ahead if t.capitalised) else None


class _Finder:
    """Finds the names in prepared lines: known names, and capitalised runs typed by context."""

    def __init__(self, lines: list[Line], registry: Registry) -> None:
        self.lines = lines
        self.known = KnownNames(registry)
        # Words the text writes in lowercase somewhere: common words, whatever their case at a sentence start.
        self.lower_words = {t.text for line in lines for t in line.tokens if t.is_word and t.text.islower()}
        self.runs = [(index, run) for index, line in enumerate(lines) for run in self._runs(line.tokens)]
        # Names that form a run of their own somewhere, and those that do so inside a sentence.
        self.standalone = {normal(self._display(index, run)) for index, run in self.runs}
        self.mid_sentence = {normal(self._display(index, run)) for index, run in self.runs
                             if not lines[index].tokens[run[0]].sentence_start}
        self.candidates: dict[str, Candidate] = {}
        self.votes = Votes(lines, self.lower_words, self.standalone)

    def run(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(type, name, aliases) of every suggestion, in order of first mention."""
        for index, run in self.runs:
            self._analyse(index, *run)
        return self._decide(self.known.hits(self.lines), *self._introduced())

    def _introduced(self) -> tuple[dict[int, Candidate], dict[int, list[str]], set[int]]:
        """The acronyms the text introduces ("Long Name (ACR)"), as links from each acronym's candidate to
        the long name's, the acronyms by long name, and the candidates that are parts of a long name."""
        links: dict[int, Candidate] = {}
        spelled: dict[int, list[str]] = {}
        parts: set[int] = set()
        for intro in introductions(self.lines):
            tokens = self.lines[intro.line].tokens
            end = tokens[intro.end].end
            if intro.start is not None and not any(
                    (intro.line, tokens[intro.start].start, end) in c.spans for c in self.candidates.values()):
                self._add(intro.line, intro.start, intro.end, Counter({"organizations": 1}))
            ending = [(s, c) for c in self.candidates.values() for line, s, e in c.spans
                      if line == intro.line and e == end]
            if not ending:
                continue
            start, long = min(ending, key=lambda item: item[0])
            spelled.setdefault(id(long), []).append(intro.acronym)
            short = self.candidates.get(normal(intro.acronym))
            if short is not None and short is not long:
                links[id(short)] = long
            parts.update(id(c) for c in self.candidates.values() if c is not long and all(
                line == intro.line and start <= s and e <= end for line, s, e in c.spans))
        return links, spelled, parts

    # -- runs of capitalised words

    def _runs(self, tokens: list[Token]) -> list[tuple[int, int]]:
        """(first, last) token indexes of each run of capitalised words that may be a name."""
        runs = []
        i = 0
        while i < len(tokens):
            if not self._can_start(tokens, i):
                i += 1
                continue
            j = i
            while j + 1 < len(tokens) and not tokens[j].tail:
                run = tokens[i: j + 1]
                if tokens[j].possessive or _plural_possessive(tokens, j):
                    if (after := _possessive_goes_on(tokens, j)) is None:
                        break
                    j = after  # "People's Bank of China", "St. Peter's Basilica", "Bishops' Conference"
                elif self._can_continue(tokens[j + 1], run, tokens[j + 2] if j + 2 < len(tokens) else None):
                    j += 1
                elif (joined := self._joined(tokens, j, run)) is not None:
                    j = joined
                else:
                    break
            runs.append((i, j))
            i = j + 1
        return runs

    def _can_start(self, tokens: list[Token], i: int) -> bool:
        token = tokens[i]
        if token.stopword and token.capitalised and token.lower in ORDINALS and not token.sentence_start \
                and i + 1 < len(tokens) and tokens[i + 1].capitalised:
            return True  # "Second Thomas Shoal", "Fifth Avenue"
        if not token.capitalised or token.stopword or token.lower in NOT_NAMES or token.lower in WEEKDAYS:
            return False
        if "-" in token.text and all(len(part) <= 1 for part in token.text.split("-")):
            return False  # "D-N.Y.", a party and state
        if token.lower in MONTHS:
            # "Jan Hatzius", "April Ryan" — but not "Jan. 5" or "in May"
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            return not token.abbreviation and nxt is not None and self._can_continue(nxt, [token]) \
                and nxt.lower not in MONTHS
        return not self._not_an_acronym(token)

    def _not_an_acronym(self, token: Token) -> bool:
        """GDP, TV, PM: capitals that name nothing (CEO is a title and may stand in a run)."""
        return token.acronym and token.lower in NOT_ACRONYMS and token.lower not in TITLES

    def _can_continue(self, token: Token, run: list[Token], following: Token | None = None) -> bool:
        if token.sentence_start or not token.capitalised:
            return False
        if token.stopword:  # "Truong My Hoa": a capitalised little word inside a name, not "I"
            return len(token.text) > 1 and following is not None and following.capitalised \
                and not following.stopword and not following.sentence_start
        if token.lower in WEEKDAYS or (token.lower in MONTHS and (
                token.lower not in NAME_MONTHS or run[-1].lower in TITLES or run[-1].lower in MONTHS)):
            return False  # "Theresa May" goes on; "Thursday", "President May" do not
        return not self._not_an_acronym(token)

    def _joined(self, tokens: list[Token], j: int, run: list[Token]) -> int | None:
        """The new end of a run that goes on over a connector: "Bank of England", "van Gogh"."""
        word = tokens[j + 1].text
        rest = j + 2
        if word in ("of", "for") and rest < len(tokens) and tokens[rest].text == "the":
            rest += 1  # "Museum of the City of New York", "Court of Appeals for the District of Columbia"
        while word in PARTICLES and rest < len(tokens) and tokens[rest].text in PARTICLES:
            rest += 1  # "Ursula von der Leyen"
        if rest >= len(tokens) or not self._can_continue(tokens[rest], run):
            return None
        heads = {t.lower for t in run}
        if word == "&" or word in PARTICLES:
            return rest
        # "Bank of England", "Secretary of State" — but not "Sen. Lindsey Graham of South Carolina"
        if word == "of" and run[-1].lower in ORG_WORDS | PLACE_WORDS | TITLES | EVENT_WORDS:
            return rest
        if word == "for" and heads & ORG_WORDS:
            return rest
        if word == "and" and heads & ORG_WORDS and {"of", "for"} & {t.text for t in run[1:]} \
                and not is_country_or_region(normal(run[-1].text)):
            # "Ministry of Health and Welfare", "Centre for Volcanology and Geological Hazard Mitigation"
            end = rest
            while end + 1 < len(tokens) and end - rest < 2 and self._can_continue(tokens[end + 1], run):
                end += 1
            part = tokens[rest: end + 1]
            if not any(head_word(t) or t.lower in TITLES or t.possessive for t in part) \
                    and (end + 1 >= len(tokens) or not tokens[end + 1].capitalised):
                return end
        if word == "and" and len(run) <= 3 and not heads & ORG_WORDS:
            # "Securities and Exchange Commission": only when an organization's head word ends it.
            end = rest
            while end + 1 < len(tokens) and self._can_continue(tokens[end + 1], run) and not tokens[end].possessive:
                end += 1
            if tokens[end].lower in ORG_WORDS and not tokens[end].possessive:
                return end
        return None

    def _display(self, index: int, run: tuple[int, int]) -> str:
        line = self.lines[index]
        return " ".join(line.text[line.tokens[run[0]].start: line.tokens[run[1]].end].split())

    # -- what a run names

    def _analyse(self, index: int, first: int, last: int) -> None:
        tokens = self.lines[index].tokens
        if first == last and tokens[first].sentence_start and (head_word(tokens[first]) or tokens[first].lower
                                                               in GENERIC_STARTERS):
            return  # "Church leaders said", "Rights group X": a common noun that starts a sentence
        # A sentence's first word is capitalised anyway: drop it when it is a common word.
        if tokens[first].sentence_start and self._common(tokens[first]):
            if first == last:
                return
            if normal(self._display(index, (first, last))) not in self.mid_sentence | set(self.known.keys):
                first += 1
        for part_first, part_last, votes in self._split(index, first, last):
            self._add(index, part_first, part_last, votes)

    def _common(self, token: Token) -> bool:
        return token.stopword or token.lower in SENTENCE_STARTERS or token.lower in self.lower_words

    def _split(self, index: int, first: int, last: int) -> list[tuple[int, int, Counter[str]]]:
        """A run's parts: "Russian President Vladimir Putin" → "Russian" and the person after the title."""
        tokens = self.lines[index].tokens
        titles = [k for k in range(first, last + 1) if (tokens[k].lower in TITLES and tokens[k].capitalised)
                  or (k == first and tokens[k].sentence_start and is_role(tokens[k].lower))]  # "Economist Jane Doe"
        for k in reversed(titles):
            # The title goes on over "of State", "General", "Majority Leader" ...
            while k < last and (tokens[k + 1].lower in TITLE_PARTS or tokens[k + 1].lower in TITLES) \
                    and not head_word(tokens[k + 1]):
                k += 1
            person = range(k + 1, last + 1)
            if not tokens[k].capitalised:
                continue  # "High Commissioner for Refugees": no person after "for"
            if not 1 <= len(person) <= 4 or any(head_word(tokens[m]) or tokens[m].lower in TITLES
                                                 or (not tokens[m].capitalised and tokens[m].lower not in PARTICLES)
                                                 for m in person):
                continue  # no person after it: "Office of the ... High Commissioner for Refugees"
            parts: list[tuple[int, int, Counter[str]]] = []
            end = k if tokens[k].lower in TITLES else first - 1  # "Economist Jane Doe": nothing before
            while end >= first and (tokens[end].lower in TITLES or tokens[end].lower in TITLE_PARTS) \
                    and not head_word(tokens[end]):
                end -= 1
            if end >= first:
                corporate = tokens[k].lower in ORG_FOLLOWERS or tokens[k].lower in ("director", "founder")
                parts.append((first, end, Counter({"organizations": 1} if corporate else {})))
            parts.append((k + 1, last, Counter({"people": 3})))
            return parts
        split = self._standalone_prefix(index, first, last)
        role_before = first >= 2 and tokens[first - 1].lower in ("to", "of", "for", "at") \
            and tokens[first - 2].lower in ROLES
        if split is None and role_before and last - first >= 2:
            # "ambassador to Russia Michael McFaul": the role's person ends the run.
            split = last - 2 if tokens[last - 1].abbreviation or tokens[last - 1].lower in PARTICLES else last - 1
            split -= 1
        if split is None:
            return [(first, last, Counter())]
        return [(first, split, Counter()), (split + 1, last, Counter({"people": 2} if role_before else {}))]

    def _standalone_prefix(self, index: int, first: int, last: int) -> int | None:
        """Where to split a run that is two names side by side, one of them named on its own elsewhere.

        "Russia Michael McFaul" (Russia is), "the United States Donald Trump" (Donald Trump is).
        """
        tokens = self.lines[index].tokens
        if head_word(tokens[last]):
            return None  # "Goldman Sachs Group Inc", "Hong Kong Stock Exchange": one name that goes on
        known = self.standalone | set(self.known.keys)
        for end in range(last - 2, first - 1, -1):  # two words at least after the split: "Times" goes on
            if not tokens[end].capitalised or not tokens[end + 1].capitalised:
                continue
            head = normal(self._display(index, (first, end)))
            tail = normal(self._display(index, (end + 1, last)))
            if head in known or tail in known:
                return end
        return None

    def _add(self, index: int, first: int, last: int, votes: Counter[str]) -> None:
        tokens = self.lines[index].tokens
        while first <= last and (tokens[first].stopword or not tokens[first].capitalised) \
                and not (tokens[first].lower in ORDINALS and tokens[first].capitalised and first < last):
            first += 1  # but "First Quantum Minerals"
        while last >= first and (not tokens[last].capitalised or (last > first and tokens[last].lower in PARTISANS)):
            last -= 1  # "a New York Democrat"
        if first > last:
            return
        if first == last and last + 1 < len(tokens) and tokens[last + 1].kind == "number":
            return  # "Game 5", "Terminal 2"
        # "Kenyan Geoffrey Kiplagat Chebet": a nationality before a person's name is no part of it.
        after_the = first >= 1 and tokens[first - 1].lower in DETERMINERS  # "the Moroccan Red Crescent"
        while first < last - 1 and normal(tokens[first].text) in NOT_ENTITIES and not after_the and not any(
                head_word(t) for t in tokens[first + 1: last + 1]):
            first += 1
        words = tokens[first: last + 1]
        if sum(t.capitalised for t in words) > 6 or all(
                t.lower in TITLE_WORDS and not head_word(t) for t in words):
            return
        if len(words) == 1 and len(words[0].text.rstrip(".")) < 2:
            return
        display = self._display(index, (first, last))
        key = normal(display)
        if is_adjective_or_people(key) or any(t.lower in EVENT_WORDS for t in words):
            return  # "Chinese", "Sunni Muslims", "Swahili"; "World Cup", "Nobel Prize": no entity of these types
        candidate = self.candidates.get(key)
        if candidate is None:
            candidate = Candidate(display, tuple(key.split()), (index, tokens[first].start))
            candidate.head_type = "places" if is_country_or_region(key) else self._name_head(words)
            self.candidates[key] = candidate
        candidate.votes.update(votes + self.votes.around(index, first, last))
        candidate.spans.append((index, tokens[first].start, tokens[last].end))

    def _name_head(self, words: list[Token]) -> str | None:
        """The type a head word gives: "Bank" in "Bank of England", "Valley" in "Silicon Valley"."""
        lowers = [w.lower for w in words]
        connector = next((i for i, word in enumerate(lowers) if i and word in ("of", "for")), None)
        head = words[connector - 1] if connector else words[-1]  # "Bank of England", "Centre for Volcanology"
        if words[0].lower in ORG_STARTS and len(words) > 1:
            return "organizations"  # "Banque du Liban", "Real Madrid", "Olympique de Marseille"
        return head_word(head) or ("organizations" if any(w.lower in ORG_WORDS for w in words[1:]) else None)

    # -- deciding

    def _decide(self, registry_hits: list[tuple[int, int, int, str]], introduced: dict[int, Candidate],
                spelled: dict[int, list[str]], parts: set[int]) -> list[tuple[str, str, tuple[str, ...]]]:
        chosen: dict[tuple[str, str], tuple[tuple[int, int], list[str]]] = {}

        def choose(kind: str, name: str, where: tuple[int, int], aliases: Iterable[str] = ()) -> None:
            before, known = chosen.get((kind, name), (where, []))
            chosen[(kind, name)] = (min(before, where), known + [a for a in aliases if a not in known])

        candidates = [c for c in self.candidates.values() if id(c) not in parts]
        absorbed = self._absorb_short_forms(candidates)
        candidates = [c for c in candidates if id(c) not in absorbed]
        kinds = {id(c): known[0] if (known := self.known.entity(c)) else c.best_type() for c in candidates}
        links = short_form_links(candidates, kinds)
        links.update((key, long) for key, long in introduced.items() if id(long) not in parts)
        root_of = roots(links, candidates)
        groups: dict[int, list[Candidate]] = {}
        for candidate in candidates:
            groups.setdefault(id(root_of.get(id(candidate), candidate)), []).append(candidate)
        for candidate in candidates:
            group = groups.get(id(candidate))
            if group is not None:
                self._choose_group(candidate, group, kinds, spelled, choose)
        spans = [(candidate, span) for candidate in candidates for span in candidate.spans]
        for index, start, end, name in registry_hits:
            entity = self.known.registry[name]
            # Longest match wins: a known name inside a longer name of something else is no mention of it.
            inside = any(line == index and s <= start and end <= e and e - s > end - start
                         and self.known.entity(candidate) != entity for candidate, (line, s, e) in spans)
            if not inside:
                choose(*entity, where=(index, start))
        ordered = sorted(chosen.items(), key=lambda item: (item[1][0], item[0]))
        return [(kind, name, tuple(aliases)) for (kind, name), (_, aliases) in ordered]

    def _choose_group(self, root: Candidate, group: list[Candidate], kinds: dict[int, str | None],
                      spelled: dict[int, list[str]], choose: Callable[..., None]) -> None:
        """Suggest a name and the names linked to it (its acronyms, short forms) as one entity."""
        first = min(c.first for c in group)
        others = [c.display for c in group if c is not root] + spelled.get(id(root), [])
        known = next((entity for c in group if (entity := self.known.entity(c)) is not None), None)
        if known is not None:
            choose(*known, where=first, aliases=[a for a in others if not self.known.spells(a, known)])
            return
        kind = kinds[id(root)] or next((kinds[id(c)] for c in group if kinds[id(c)]), None)
        if kind is None and others:
            kind = "organizations"  # a name with an acronym of its own
        if kind is None or (not others and not root.head_type and len(root.words) == 1 and score(root) < 0.75):
            return  # one word with only a weak cue: "the White" of "the White house"
        if kind == "people" and len(root.words) == 1 and (surname := self.known.surname(root.words[0])):
            choose(*surname, where=first)
            return
        choose(kind, root.display, first, others)

    def _absorb_short_forms(self, candidates: list[Candidate]) -> set[int]:
        """Fold short forms ("Putin", "Mr. McFaul", "[Trump]", "Madrid") into the longer name they end.

        Returns the ids of the folded candidates. A short form that is surely
        something else ("in Washington" twice, against "George Washington") stays.
        """
        absorbed: set[int] = set()
        for short in candidates:
            if short.head_type or len(short.words) > 3:
                continue
            longer = [c for c in candidates if len(c.words) > len(short.words) and not c.head_type
                      and c.words[-len(short.words):] == short.words]
            if not longer and len(short.words) == 1:
                # "Ruiz" of "Elena Ruiz Carmona": a surname first of two, as Spanish names have them.
                longer = [c for c in candidates if len(c.words) >= 3 and short.words[0] in c.words[1:-1]
                          and not c.head_type and c.best_type() == "people"]
            if not longer:
                continue
            kind = short.best_type()
            # Sure of its own type: twice ("in Washington", "to Washington"), or once against a weak long name.
            sure = kind is not None and (short.votes[kind] >= 2 or (
                short.votes[kind] >= 1 and not any(c.votes["people"] >= 2 for c in longer)))
            if kind not in (None, "people") and sure:
                weak = [c for c in longer if score(c) < 1]
                if not weak:
                    continue
                # "Real Madrid" (no evidence of its own) is what "Madrid manager ..." says "Madrid" is.
                longer = weak
            elif kind is None and all(c.best_type() not in (None, "people") for c in longer):
                continue  # "Ellery" of "Port Ellery": the longer name is no person
            absorbed.add(id(short))
            for full in longer:
                full.votes.update(short.votes)
                if (kind in (None, "people") or not sure) and full.best_type() in (None, "people", "places"):
                    full.votes["people"] += 1  # full name first, surname after: how news names people
        return absorbed
