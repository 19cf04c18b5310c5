"""Suggestions for a draft brief: a title, and the people, organizations and places it names.

Heuristics for a person to review, not an extractor: names the site knows
(by name or alias), plus capitalised names typed by the words around them —
titles and roles for people ("President", "press secretary"), prepositions
for places ("in", "visit"), head words for organizations ("Senate", "Bank
of ..."). No list of real names is built in. Pure functions of the text:
no files, no site.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .model import DEFAULT_ENTITY_TYPES
from .slugs import slugify
from .wire import parse_wire

TITLE_LIMIT = 80
# A site's known entities by spelling (names and aliases): name → (type, canonical name).
Registry = Mapping[str, tuple[str, str]]


# ---------------------------------------------------------------- date

MONTH_NUMBERS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")), 1) for name in names}
DATELINE_DATE = re.compile(r"\b(?:(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})|(?P<day_first>\d{1,2})\s+"
                           r"(?P<month_second>[A-Za-z]{3,9})\.?)(?:,?\s+(?P<year>\d{4}))?\b")


def suggest_date(text: str, today: dt.date) -> dt.date | None:
    """The day a wire story's dateline gives ('WASHINGTON, Sept 13 (Reuters) -'), if any.

    Without a year it is the latest such day up to `today`: agencies date
    copy by month and day.
    """
    wire = parse_wire(text)
    first = next(iter(wire.paragraphs), "")
    dateline = DATELINE.match(first)
    found = DATELINE_DATE.search(dateline.group(0)) if dateline else None
    if found is None:
        return None
    month = MONTH_NUMBERS.get((found.group("month") or found.group("month_second")).lower())
    day = int(found.group("day") or found.group("day_first"))
    if month is None:
        return None
    year = int(found.group("year")) if found.group("year") else today.year
    try:
        day_found = dt.date(year, month, day)
        if not found.group("year") and day_found > today:
            day_found = dt.date(year - 1, month, day)
    except ValueError:
        return None
    return day_found


# ---------------------------------------------------------------- title


def suggest_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title from the first key point, else the first paragraph, shortened at a clause boundary."""
    wire = parse_wire(text)
    first = (wire.key_points or wire.paragraphs or ("Untitled",))[0]
    first = DATELINE.sub("", first, count=1)
    first = " ".join(first.split()).strip(" \"“”'‘’")
    if _is_shouting(first):
        # "TRUMP TO MEET PUTIN" → "Trump to meet Putin", from how the rest of the text writes each word.
        others = [line for line in (*wire.key_points, *wire.paragraphs) if not _is_shouting(line)]
        first = _recased(first, _vocabulary(others))
        first = first[:1].upper() + first[1:]
    return shorten_title(first, limit) or "Untitled"


def shorten_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` cut to `limit` characters: at its first sentence end or a clause boundary if it can."""
    text = _end_cleanly(text)
    if len(text) <= limit:
        return text
    sentence = re.match(r"(.{20,}?[.!?])\s+[\"“]?[^\W\d_]", text)
    if sentence and len(_end_cleanly(sentence.group(1))) <= limit:
        return _end_cleanly(sentence.group(1))
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
    while len(words) > 1 and (words[-1].lower() in DANGLING or words[-1][:1].isupper() and len(words) > 3
                              and words[-2].lower() in DANGLING):
        words.pop()
    return _end_cleanly(" ".join(words)) + "…"


def _end_cleanly(text: str) -> str:
    text = text.strip().rstrip(",;:—–-").strip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _is_capitalised(word: str) -> bool:
    word = word.lstrip("\"“‘'([")
    return bool(word) and word[0].isupper()


# "WASHINGTON (AP) — ", "LONDON, May 3 (Reuters) - ": where and by whom a story was filed.
DATELINE = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ][A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ.'’ -]*[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ.])(?:,\s*[^()\n—–-]{1,30}?)?\s*"
    r"(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s+"
)
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


# ---------------------------------------------------------------- entity suggestions


def suggest_entities(text: str, registry: Registry | None = None) -> dict[str, list[str]]:
    """Entities named in `text`: by type, names in order of first mention.

    `registry` maps a known name or alias → (type, canonical name); known
    names are found as whole words. Other names are capitalised phrases typed
    by their context; short forms ("Putin", "Mr. McFaul") fold into the full
    name found elsewhere in the text. Types: people, organizations, places,
    topics, plus any type the registry uses.
    """
    registry = registry or {}
    lines = _prepare_lines(text)
    found = _Finder(lines, registry).run()
    result: dict[str, list[str]] = {kind: [] for kind in DEFAULT_ENTITY_TYPES}
    seen_ids: set[str] = set()
    for kind, name in found:
        entity_id = slugify(name)
        # One id is one entity: the same slug twice (O’Rourke, O'Rourke) is one suggestion.
        if not entity_id or entity_id in seen_ids:
            continue
        seen_ids.add(entity_id)
        result.setdefault(kind, []).append(name)
    return result


# Word lists: kinds of words, never names of entities.

STOPWORDS = frozenset("""
a an the and or but nor so yet for of in on at to from by with without about after before during since
until till while as if when whenever where wherever why how what who whom whose which that this these
those there here it its he she they we you i his her hers their theirs our ours your yours my mine him
them us me no not yes all any some each every both either neither many much more most few fewer less
least several such other others another one two three four five six seven eight nine ten first second
third last next also even just only still then than now however meanwhile moreover furthermore
nevertheless nonetheless although though because despite instead later earlier today yesterday
tomorrow tonight already again once twice perhaps maybe indeed finally overall according under over
into onto upon within across against among amid amidst between beyond through throughout toward towards
via per like unlike near outside inside above below behind beside besides off out up down do does did
done is are was were be been being has have had having will would shall should can could might must
let lets whether unless whereas thus hence therefore otherwise elsewhere everyone everything everybody
nobody none nothing someone something somebody anyone anything anybody whoever whatever whichever
ago soon yet too very really quite rather almost nearly around along amongst beneath
why okay ok oh well please thanks thank dear hello hi
""".split())

# Words that start sentences but seldom names: dropped when they come first in a sentence.
SENTENCE_STARTERS = frozenset("""
officials critics protesters experts analysts lawmakers authorities residents investigators
prosecutors officers witnesses sources reports people many most some several senior top former
local federal national regional government police troops soldiers voters supporters opponents
democrats republicans conservatives liberals observers economists scientists researchers doctors
students workers teachers parents children families leaders members citizens users customers
earlier later asked speaking writing meanwhile separately additionally still yet instead rather
overall elsewhere despite following during after before under amid while asked told said says
breaking update updated exclusive analysis opinion editorial watch read listen photo video
according speaking both neither either each every all any another other such whether
""".split())

MONTHS = frozenset("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec""".split())
WEEKDAYS = frozenset("""monday tuesday wednesday thursday friday saturday sunday
mon tue tues wed thu thur thurs fri sat sun""".split())
# Months that are also given names or surnames: they may end a name ("Theresa May").
NAME_MONTHS = frozenset({"may", "june", "april", "august"})
NOT_NAMES = frozenset("i internet web covid coronavirus".split())

# Titles before a name: "President Donald Trump", "Sen. Ted Cruz", "Dr Who".
TITLES = frozenset("""
president presidents vice premier chancellor minister ministers secretary secretary-general senator sen
rep representative congressman congresswoman gov governor mayor judge justice king queen prince
princess pope emperor empress sheikh sheik emir sultan ayatollah general gen lt lieutenant col colonel
maj major capt captain sgt sergeant admiral adm commander cmdr ambassador envoy chairman chairwoman
chairperson chair chief ceo cfo coo cto director commissioner attorney speaker leader dr mr mrs ms mx
miss sir dame lord lady rev reverend father rabbi imam cardinal archbishop bishop professor prof coach
officer detective inspector sheriff deputy dean agent councillor councilor councilman councilwoman
assemblyman assemblywoman delegate baron baroness duke duchess earl count countess crown president-elect
spokesman spokeswoman spokesperson manager superintendent marshal mufti patriarch chancellor-elect
""".split())
# Words that make a title longer without being a name: "Senate Majority Leader", "Secretary of State".
TITLE_PARTS = frozenset("""
former acting interim deputy vice assistant associate executive senior junior chief first second
majority minority foreign defense defence interior home finance state staff treasury justice health
commerce labor labour energy education transportation transport agriculture environment trade affairs
security intelligence economy culture sports sport housing veterans homeland general prime supreme
national opposition party house senate armed forces joint of the and for
""".split())
TITLE_WORDS = TITLES | TITLE_PARTS
# Lowercase roles just before a name: "press secretary Sarah Sanders", "special counsel Robert Mueller".
ROLES = frozenset("""
president vice-president premier chancellor minister secretary senator lawmaker legislator congressman
congresswoman representative governor mayor judge justice king queen prince princess pope ambassador
envoy diplomat adviser advisor aide counsel attorney lawyer prosecutor spokesman spokeswoman
spokesperson chairman chairwoman chair chief ceo founder co-founder executive director commissioner
speaker leader candidate nominee challenger incumbent rival official officer detective sheriff
inspector agent investigator analyst economist strategist pollster professor researcher scientist
historian expert author writer novelist poet journalist reporter correspondent columnist editor
publisher anchor host presenter actor actress singer rapper musician artist producer filmmaker coach
manager player striker midfielder defender goalkeeper forward quarterback pitcher champion star
billionaire businessman businesswoman entrepreneur investor tycoon activist campaigner dissident
blogger deputy general colonel commander admiral captain sergeant lieutenant soldier doctor surgeon
physician nurse teacher student victim suspect defendant plaintiff witness son daughter wife husband
mother father brother sister widow partner colleague predecessor successor friend boss owner
""".split())
# Roles that follow an organization: "Kremlin spokesman", "Tesla chief executive", "White House officials".
ORG_FOLLOWERS = frozenset("""
spokesman spokeswoman spokesperson ceo cfo chief chairman chairwoman founder co-founder executives
shareholders employees staffers board official officials economist economists analysts group coach manager
striker midfielder defender goalkeeper captain players fans
""".split())
# What an appositive calls a name: "the Muslim Brotherhood, a group ...", "Mosul, the city ...".
APPOSITIVE_ORGS = frozenset("""
group company firm organization organisation party movement agency network militia charity union
bank startup broadcaster newspaper airline carrier retailer maker manufacturer conglomerate outlet
channel club team band insurer lender regulator watchdog
""".split())
APPOSITIVE_PLACES = frozenset("""
city town village capital region province state country island district neighborhood neighbourhood
suburb port county territory republic kingdom
""".split())
SPEECH_VERBS = frozenset("""
said says told tweeted wrote added asked argued insisted warned noted explained stated testified
replied responded claimed acknowledged admitted agreed disagreed denied recalled urged conceded
confirmed declared posted insists argues warns notes explains claims denies urges recalls adds asks
""".split())
PLACE_CUES = frozenset("""
in from to into near across outside throughout toward towards via within around visit visits visited
visiting northern southern eastern western central northeastern northwestern southeastern southwestern
""".split())
# Head words of organization names: "White House", "Bank of England", "Democratic Party".
ORG_WORDS = frozenset("""
inc inc. corp corp. corporation co co. ltd ltd. llc plc ag gmbh group holdings party council senate
house congress parliament assembly ministry department agency committee commission bank university
college institute institution school academy foundation association society union court office
bureau service services police army navy guard forces force company airlines airways motors
pharmaceuticals technologies systems partners capital fund reserve authority board church club
cabinet administration federation organization organisation alliance coalition movement front league
network times post journal news press herald tribune gazette television radio broadcasting studios
records hospital clinic museum tribunal secretariat directorate command corps brigade regiment
embassy consulate exchange center centre centers centres laboratory laboratories labs trust
commonwealth conference caucus nations
""".split())
# Head words of place names: "Silicon Valley", "Gulf of Mexico", "United Kingdom".
PLACE_WORDS = frozenset("""
city county province island islands river lake mountain mountains valley bay sea ocean peninsula
strait gulf street avenue road square park airport bridge beach coast district region republic
kingdom emirates states territory territories desert canyon port harbor harbour heights hills
plaza village town township borough oblast prefecture canton isle isles straits channel basin
""".split())
# Words that start place names rather than people's: "New York", "North Korea", "San Francisco".
PLACE_STARTS = frozenset("""
new north south east west northern southern eastern western upper lower central great greater saint
st san santa los las el la le port fort mount lake cape united
""".split())
# Lowercase particles inside names: "Ludwig van Beethoven", "Bashar al-Assad", "Charles de Gaulle".
PARTICLES = frozenset("van von der den de del della di da du dos das le la bin ibn al el ben abu y".split())
# Hyphenated prefixes that are not part of the name: "anti-Trump", "pro-Kremlin".
PREFIXES = frozenset("anti pro ex non post pre mid neo pan trans un".split())
# A capitalised word with one of these endings is more likely a nationality than a name.
DEMONYM_ENDINGS = ("ian", "ean", "ese", "ish", "ch", "an", "ic", "i")
# Common abbreviations whose period does not end a sentence.
ABBREVIATIONS = frozenset("""mr mrs ms mx dr prof sen rep gov gen lt col maj capt sgt adm cmdr rev fr st mt ft
jr sr inc corp ltd co no vs etc dept univ""".split())
# All-capital words that are not acronyms of entities.
NOT_ACRONYMS = frozenset("""ceo cfo coo cto gdp tv am pm ok id dna ai it iq ps pr hq rip vip ad bc ce bce et est
edt gmt utc pst pdt cst cdt bst cet mp mps ii iii iv vi vii viii ix xi xii usd eur gbp ap afp upi pdf""".split())
# Words after a possessive that say what owns them: "Russia's president", "Apple's shares".
OWNED_BY_PLACES = frozenset("""
president prime premier chancellor king queen government capital parliament army military economy
border borders foreign defence defense interior central ambassador embassy population citizens
largest biggest second-largest coast cities regions provinces states national ruling constitution
""".split())
OWNED_BY_ORGS = frozenset("""
ceo chief chairman chairwoman founder shares stock board shareholders employees profit profits revenue
revenues sales spokesman spokeswoman spokesperson headquarters subsidiary products app platform
""".split())
# How an appositive that says what a name is begins: "Beto O'Rourke, the former congressman".
APPOSITIVE_STARTS = frozenset("a an the former then his her their its".split())
# Words after which a name is not a person's: "his 24th Grand Slam", "the Grand Canyon".
DETERMINERS = frozenset("the a an his her its their our my your this that these those whose".split())
NOT_BEFORE_PEOPLE = frozenset("at in inside near outside across throughout into".split())
WEAK_PLACE_CUES = frozenset({"at", "on"})
# Words before "in" or "of" that make what follows a company: "shares in Rolls-Royce".
STAKES = frozenset("shares stake stakes stock investment investors investor holding holdings".split())
CREDIT = re.compile(r"^\(?\s*(?:(?:additional\s+)?reporting|writing|editing|compiled|photos?)\s+by\b|"
                    r"contributed to this report", re.IGNORECASE)


@dataclass
class _Token:
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
class _Line:
    text: str
    tokens: list[_Token]
    dateline: int = 0  # where a dateline ("WASHINGTON (AP) —") ends, or 0


ORDER = ("people", "organizations", "places")  # ties go to the first


@dataclass
class _Candidate:
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


WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’\-‐][^\W\d_]+)*|\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?\b|\S")
OPENERS = "\"“‘'([«"


def _prepare_lines(text: str) -> list[_Line]:
    """The text's lines as tokens: credits left out, shouted and Title Case lines recased."""
    text = unicodedata.normalize("NFC", text)
    raw_lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line and not _is_credit(line):
            raw_lines.append(line)
    vocabulary = _vocabulary([line for line in raw_lines if not _is_shouting(line) and not _is_headline(line)])
    lines = []
    for line in raw_lines:
        recased = _recased(line, vocabulary)
        dateline = DATELINE.match(line) if not _is_shouting(line) else None
        lines.append(_Line(recased, _tokenize(recased), dateline.end() if dateline else 0))
    return lines


def _is_credit(line: str) -> bool:
    """A byline or credit ("By Jane Doe", "(Reporting by ...)"): who wrote the story, not who is in it."""
    words = line.split()
    if len(words) > 25:
        return False
    if re.match(r"^By\s+\S", line, re.IGNORECASE) and len(words) <= 12 and not line.endswith((".", "!", "?")):
        return True
    return bool(CREDIT.search(line))


def _is_shouting(line: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", line)
    return len(words) >= 2 and sum(w.isupper() for w in words) >= 0.8 * len(words)


def _is_headline(line: str) -> bool:
    """Title Case without a full stop: capitals there say nothing about names."""
    words = re.findall(r"[^\W\d_]+", line)
    if len(words) < 4 or line.rstrip("\"”’'").endswith((".", "!", "?")):
        return False
    capitalised = [w for w in words if w[0].isupper()]
    capitalised_function_words = [w for w in capitalised if w.lower() in STOPWORDS]
    return bool(capitalised_function_words) and len(capitalised) >= 0.8 * len(words)


def _vocabulary(lines: Sequence[str]) -> tuple[set[str], dict[str, str]]:
    """Words the lines write in lowercase, and the form of words capitalised mid-sentence."""
    lower: set[str] = set()
    cased: dict[str, str] = {}
    for line in lines:
        for token in _tokenize(line):
            if not token.is_word:
                continue
            if token.text.islower():
                lower.add(token.text)
            elif not token.sentence_start:
                cased.setdefault(token.text.lower(), token.text)
    return lower, cased


def _recased(line: str, vocabulary: tuple[set[str], dict[str, str]]) -> str:
    """A shouted or Title Case line in the case its words have elsewhere; a shouted dateline title-cased."""
    shouting = _is_shouting(line)
    if not shouting and not _is_headline(line):
        match = DATELINE.match(line)
        place = re.match(r"[A-Z][A-Z.'’ -]*[A-Z]", line) if match else None
        if place and len(place.group(0)) >= 3:
            return place.group(0).title() + line[place.end():]  # "WASHINGTON (AP) —"
        return line
    lower_vocab, cased = vocabulary
    # With nothing else to go by (a text all in capitals), every word but the common ones may be a name.
    alone = not lower_vocab and not cased

    def fix(match: re.Match[str]) -> str:
        stem, possessive = _split_possessive(match.group(0))
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


def _split_possessive(word: str) -> tuple[str, str]:
    for ending in ("'s", "’s", "'S", "’S"):
        if word.endswith(ending) and len(word) > 2:
            return word[:-2], word[-2:]
    return word, ""


def _tokenize(line: str) -> list[_Token]:
    """Words (possessive and lowercase hyphen tails split off), numbers and punctuation."""
    tokens: list[_Token] = []
    sentence_start = True
    taken = 0  # end of the last token, which may have taken an abbreviation's period
    for match in WORD.finditer(line):
        if match.start() < taken:
            continue
        text = match.group(0)
        start, end = match.span()
        if text[0].isdigit():
            tokens.append(_Token(text, start, end, "number"))
            sentence_start = False
        elif not text[0].isalpha():
            tokens.append(_Token(text, start, end, "punct"))
            if text in ".!?:;•":
                sentence_start = True
            elif text not in OPENERS:  # an opening quote keeps a sentence start for the word after it
                sentence_start = False
        else:
            token = _word_token(text, start, line)
            token.sentence_start = sentence_start
            tokens.append(token)
            end = max(end, token.end)
            sentence_start = False
        taken = end
    return tokens


def _word_token(text: str, start: int, line: str) -> _Token:
    if "." in text:  # U.S., D.C.
        return _Token(text, start, start + len(text), "word", abbreviation=True)
    stem, possessive = _split_possessive(text)
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
        if kept < len(parts):  # "Putin-backed", "US-led", "Washington-based"
            tail = "-".join(parts[kept:]).lower()
            stem = "-".join(parts[:kept])
    token = _Token(stem, start, start + len(stem), "word", possessive=bool(possessive), tail=tail)
    if not possessive and not tail and line[token.end:token.end + 1] == "." and (
            token.lower in ABBREVIATIONS or (len(stem) == 1 and stem.isupper())):
        token.abbreviation = True  # "Mr.", "John F. Kennedy": the period ends no sentence
        token.text += "."
        token.end += 1
    return token


def _normal(text: str) -> str:
    """What two spellings of one name share: apostrophes, dots and case folded."""
    text = text.replace("’", "'").replace("‘", "'").replace("‐", "-")
    text = re.sub(r"(?<=\w)\.", "", text)
    return " ".join(text.casefold().split())


def _score(candidate: _Candidate) -> float:
    kind = candidate.best_type()
    return candidate.votes[kind] if kind else 0.0


class _Finder:
    """Finds the names in prepared lines: known names, and capitalised runs typed by context."""

    def __init__(self, lines: list[_Line], registry: Registry) -> None:
        self.lines = lines
        self.registry = registry
        self.registry_keys: dict[str, str] = {}
        for name in registry:
            self.registry_keys.setdefault(_normal(name), name)
        # Words the text writes in lowercase somewhere: common words, whatever their case at a sentence start.
        self.lower_words = {t.text for line in lines for t in line.tokens if t.is_word and t.text.islower()}
        self.runs = [(index, run) for index, line in enumerate(lines) for run in self._runs(line.tokens)]
        # Names that form a run of their own somewhere, and those that do so inside a sentence.
        self.standalone = {_normal(self._display(index, run)) for index, run in self.runs}
        self.mid_sentence = {_normal(self._display(index, run)) for index, run in self.runs
                             if not lines[index].tokens[run[0]].sentence_start}
        self.candidates: dict[str, _Candidate] = {}

    def run(self) -> list[tuple[str, str]]:
        """(type, name) of every suggestion, in order of first mention."""
        for index, run in self.runs:
            self._analyse(index, *run)
        return self._decide(self._registry_hits())

    # -- runs of capitalised words

    def _runs(self, tokens: list[_Token]) -> list[tuple[int, int]]:
        """(first, last) token indexes of each run of capitalised words that may be a name."""
        runs = []
        i = 0
        while i < len(tokens):
            if not self._can_start(tokens, i):
                i += 1
                continue
            j = i
            while j + 1 < len(tokens) and not tokens[j].possessive and not tokens[j].tail:
                run = tokens[i: j + 1]
                if self._can_continue(tokens[j + 1], run):
                    j += 1
                elif (joined := self._joined(tokens, j, run)) is not None:
                    j = joined
                else:
                    break
            runs.append((i, j))
            i = j + 1
        return runs

    def _can_start(self, tokens: list[_Token], i: int) -> bool:
        token = tokens[i]
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

    def _not_an_acronym(self, token: _Token) -> bool:
        """GDP, TV, PM: capitals that name nothing (CEO is a title and may stand in a run)."""
        return token.acronym and token.lower in NOT_ACRONYMS and token.lower not in TITLES

    def _can_continue(self, token: _Token, run: list[_Token]) -> bool:
        if token.sentence_start or not token.capitalised or token.stopword:
            return False
        if token.lower in WEEKDAYS or token.lower in MONTHS and (
                token.lower not in NAME_MONTHS or run[-1].lower in TITLES or run[-1].lower in MONTHS):
            return False  # "Theresa May" goes on; "Thursday", "President May" do not
        return not self._not_an_acronym(token)

    def _joined(self, tokens: list[_Token], j: int, run: list[_Token]) -> int | None:
        """The new end of a run that goes on over a connector: "Bank of England", "van Gogh"."""
        word = tokens[j + 1].text
        rest = j + 2
        if word == "of" and rest < len(tokens) and tokens[rest].text == "the":
            rest += 1  # "Museum of the City of New York"
        while word in PARTICLES and rest < len(tokens) and tokens[rest].text in PARTICLES:
            rest += 1  # "Ursula von der Leyen"
        if rest >= len(tokens) or not self._can_continue(tokens[rest], run):
            return None
        heads = {t.lower for t in run}
        if word == "&" or word in PARTICLES:
            return rest
        # "Bank of England", "Secretary of State" — but not "Sen. Lindsey Graham of South Carolina"
        if word == "of" and run[-1].lower in ORG_WORDS | PLACE_WORDS | TITLES:
            return rest
        if word == "for" and heads & ORG_WORDS:
            return rest
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
        # A sentence's first word is capitalised anyway: drop it when it is a common word.
        if tokens[first].sentence_start and self._common(tokens[first]):
            if first == last:
                return
            if _normal(self._display(index, (first, last))) not in self.mid_sentence | set(self.registry_keys):
                first += 1
        for part_first, part_last, votes in self._split(index, first, last):
            self._add(index, part_first, part_last, votes)

    def _common(self, token: _Token) -> bool:
        return token.stopword or token.lower in SENTENCE_STARTERS or token.lower in self.lower_words

    def _split(self, index: int, first: int, last: int) -> list[tuple[int, int, Counter[str]]]:
        """A run's parts: "Russian President Vladimir Putin" → "Russian" and the person after the title."""
        tokens = self.lines[index].tokens
        titles = [k for k in range(first, last + 1) if tokens[k].lower in TITLES and tokens[k].capitalised]
        for k in reversed(titles):
            # The title goes on over "of State", "General", "Majority Leader" ...
            while k < last and (tokens[k + 1].lower in TITLE_PARTS or tokens[k + 1].lower in TITLES) \
                    and not self._head_word(tokens[k + 1]):
                k += 1
            person = range(k + 1, last + 1)
            if not 1 <= len(person) <= 4 or any(self._head_word(tokens[m]) or tokens[m].lower in TITLES
                                                 for m in person):
                continue
            parts: list[tuple[int, int, Counter[str]]] = []
            end = k
            while end >= first and (tokens[end].lower in TITLES or tokens[end].lower in TITLE_PARTS) \
                    and not self._head_word(tokens[end]):
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
        if self._head_word(tokens[last]):
            return None  # "Goldman Sachs Group Inc", "Hong Kong Stock Exchange": one name that goes on
        known = self.standalone | set(self.registry_keys)
        for end in range(last - 2, first - 1, -1):  # two words at least after the split: "Times" goes on
            if not tokens[end].capitalised or not tokens[end + 1].capitalised:
                continue
            head = _normal(self._display(index, (first, end)))
            tail = _normal(self._display(index, (end + 1, last)))
            if head in known or tail in known:
                return end
        return None

    def _head_word(self, token: _Token) -> str | None:
        if token.lower in ORG_WORDS:
            return "organizations"
        if token.lower in PLACE_WORDS:
            return "places"
        return None

    def _add(self, index: int, first: int, last: int, votes: Counter[str]) -> None:
        tokens = self.lines[index].tokens
        while first <= last and (tokens[first].stopword or not tokens[first].capitalised):
            first += 1
        while last >= first and not tokens[last].capitalised:
            last -= 1
        if first > last:
            return
        words = tokens[first: last + 1]
        if len(words) > 6 or all(t.lower in TITLE_WORDS and not self._head_word(t) for t in words):
            return
        if len(words) == 1 and len(words[0].text.rstrip(".")) < 2:
            return
        display = self._display(index, (first, last))
        key = _normal(display)
        candidate = self.candidates.get(key)
        if candidate is None:
            candidate = _Candidate(display, tuple(key.split()), (index, tokens[first].start))
            candidate.head_type = self._name_head(words)
            self.candidates[key] = candidate
        candidate.votes.update(votes + self._context_votes(index, first, last))
        candidate.spans.append((index, tokens[first].start, tokens[last].end))

    def _name_head(self, words: list[_Token]) -> str | None:
        """The type a head word gives: "Bank" in "Bank of England", "Valley" in "Silicon Valley"."""
        lowers = [w.lower for w in words]
        head = words[lowers.index("of") - 1] if "of" in lowers[1:] else words[-1]
        return self._head_word(head) or ("organizations" if any(w.lower in ORG_WORDS for w in words[1:]) else None)

    def _context_votes(self, index: int, first: int, last: int) -> Counter[str]:
        """Votes from the words around a name and from its shape."""
        tokens = self.lines[index].tokens
        if first == 0 and tokens[last].end <= self.lines[index].dateline:
            return Counter({"places": 3})  # where the story was filed: "MOSCOW (Reuters) -"
        words = tokens[first: last + 1]
        plain = not any(self._head_word(w) for w in words)  # no head word: may be a person
        return (self._votes_before(tokens, first, last, plain) + self._votes_after(tokens, first, last, plain)
                + self._votes_by_shape(tokens, first, last, plain))

    def _votes_before(self, tokens: list[_Token], first: int, last: int, plain: bool) -> Counter[str]:
        """What the words before say: "in Finland", "press secretary Sarah Sanders", "shares in Rolls-Royce"."""
        votes: Counter[str] = Counter()
        cue, weight = self._cue_before(tokens, first, last)
        if cue in ("in", "of") and first >= 2 and tokens[first - 2].lower in STAKES:
            votes["organizations"] += 1.5
        elif cue in PLACE_CUES:
            votes["places"] += weight
        elif cue == "at":
            # "analysts at Morgan Stanley" work for an organization; "at Camp Nou" is a place.
            works = first >= 2 and (tokens[first - 2].lower in ROLES or tokens[first - 2].lower.rstrip("s") in ROLES)
            votes["organizations" if works else "places"] += weight / 2
        elif cue == "on":
            votes["places"] += weight / 2  # "on Capitol Hill"
        elif cue == "according":
            votes["people"] += 1
        before = tokens[first - 1] if first >= 1 else None
        if before is not None and before.is_word and not before.capitalised and plain:
            if before.lower in ROLES and last - first < 4:
                votes["people"] += 2
            elif before.lower == "by" and last > first:
                votes["people"] += 1  # "indicted by Robert Mueller"
        return votes

    def _votes_after(self, tokens: list[_Token], first: int, last: int, plain: bool) -> Counter[str]:
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
                                                      and before.lower in PLACE_CUES | WEAK_PLACE_CUES):
            kind, score = self._appositive(tokens, last + 2)  # "Beto O'Rourke, the former congressman"
            if kind != "people" or plain:
                votes[kind] += score
        elif after.is_word and after.lower in ORG_FOLLOWERS and not after.capitalised \
                and not words[-1].lower.endswith(DEMONYM_ENDINGS) \
                and not (size == 1 and words[0].acronym and len(words[0].lower) == 2):
            votes["organizations"] += 2  # "Goldman Sachs economist", but not "Russian officials", "US officials"
        return votes

    def _votes_by_shape(self, tokens: list[_Token], first: int, last: int, plain: bool) -> Counter[str]:
        """What the name itself says: an acronym, "North ...", or two or three words like a person's name."""
        votes: Counter[str] = Counter()
        words = tokens[first: last + 1]
        size = len(words)
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        if size == 1 and words[0].acronym and not words[0].tail and len(words[0].text.replace(".", "")) >= 3 \
                and words[0].lower not in TITLES:
            modifies = after is not None and after.is_word and after.text.islower() \
                and after.lower not in SPEECH_VERBS and not after.lower.endswith("ed")
            if not modifies:
                votes["organizations"] += 0.75  # "NATO", "the CDC reported", but not "NATO allies"
        if plain and 2 <= size <= 3 and words[0].lower in PLACE_STARTS:
            votes["places"] += 1.5  # "North Korea", "San Francisco"
        elif plain and 2 <= size <= 4 and self._looks_like_person(words) \
                and self._subject_or_object(tokens, first, last):
            votes["people"] += 0.4  # most unmarked two- or three-word names in news are people's
        return votes

    def _subject_or_object(self, tokens: list[_Token], first: int, last: int) -> bool:
        """Placed as a person's name would be: not after "the" or "24th", not a sentence's opening phrase."""
        before = tokens[first - 1] if first >= 1 else None
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        if before is not None and (before.lower in DETERMINERS or before.lower in NOT_BEFORE_PEOPLE
                                   or before.kind == "number"):
            return False
        if tokens[first].sentence_start:
            return after is not None and after.is_word and not after.capitalised
        return True

    def _cue_before(self, tokens: list[_Token], first: int, last: int) -> tuple[str | None, float]:
        """The word that cues a name's type, through "the" and lists: "in Washington and Moscow"."""
        k = first - 1
        weight = 1.0
        short_acronym = first == last and tokens[first].acronym and len(tokens[first].lower) <= 2
        # Through a comma only inside a list: "In Helsinki, Trump agreed" is no list; "Washington, DC" neither.
        in_list = (last + 1 >= len(tokens) or tokens[last + 1].lower in (",", "and", "or", ".", ";", ")")) \
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
                if m == k - 1 or (m >= 0 and tokens[m].lower == ","):
                    break
                k = m
                weight *= 0.75
                in_list = True
                continue
            break
        return (tokens[k].lower if k >= 0 and tokens[k].is_word else None), weight

    def _appositive(self, tokens: list[_Token], start: int) -> tuple[str, float]:
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

    def _looks_like_person(self, words: list[_Token]) -> bool:
        """Name-shaped words: no acronyms, no words seen in lowercase, no nationality first."""
        if words[0].lower.endswith(("ian", "ese", "ish")) and words[0].lower not in self.standalone:
            return False
        return all(not w.acronym and w.lower not in self.lower_words and w.lower not in SENTENCE_STARTERS
                   for w in words if w.lower not in PARTICLES)

    # -- names the site knows

    def _registry_hits(self) -> list[tuple[int, int, int, str]]:
        """(line, start, end, registry name) of every whole-word mention of a known name, longest first."""
        if not self.registry:
            return []
        pattern = _names_pattern(list(self.registry))
        hits = []
        for index, line in enumerate(self.lines):
            for match in pattern.finditer(line.text):
                name = self.registry_keys.get(_normal(match.group(0)))
                if name is not None:
                    hits.append((index, match.start(), match.end(), name))
        return hits

    def _known(self, candidate: _Candidate) -> tuple[str, str] | None:
        """The known entity a found name is: by name or alias, or a shorter form of one of its names."""
        name = self.registry_keys.get(_normal(candidate.display))
        if name is not None:
            return self.registry[name]
        words = candidate.words
        if len(words) < 2:
            return None
        for key, name in self.registry_keys.items():
            known = key.split()
            # "Vladimir Putin" is "Vladimir Vladimirovich Putin"; "Ivanka Trump" is not "Donald Trump".
            if len(known) > len(words) and known[0] == words[0] and known[-1] == words[-1] \
                    and set(words) <= set(known):
                return self.registry[name]
        return None

    def _known_surname(self, word: str) -> tuple[str, str] | None:
        """The one known person whose name ends with `word`, if exactly one does."""
        matches = {self.registry[name] for key, name in self.registry_keys.items()
                   if len(key.split()) >= 2 and key.split()[-1] == word and self.registry[name][0] == "people"}
        return matches.pop() if len(matches) == 1 else None

    # -- deciding

    def _decide(self, registry_hits: list[tuple[int, int, int, str]]) -> list[tuple[str, str]]:
        chosen: dict[tuple[str, str], tuple[int, int]] = {}

        def choose(kind: str, name: str, where: tuple[int, int]) -> None:
            if (kind, name) not in chosen or where < chosen[(kind, name)]:
                chosen[(kind, name)] = where

        candidates = list(self.candidates.values())
        absorbed = self._absorb_short_forms(candidates)
        for candidate in candidates:
            if id(candidate) in absorbed:
                continue
            known = self._known(candidate)
            kind = known[0] if known else candidate.best_type()
            if kind is None:
                continue
            if known is None and not candidate.head_type and len(candidate.words) == 1 and _score(candidate) < 0.75:
                continue  # one word with only a weak cue: "the White" of "the White house"
            if known is None and kind == "people" and len(candidate.words) == 1:
                known = self._known_surname(candidate.words[0])
            if known is not None:
                choose(*known, where=candidate.first)
            else:
                choose(kind, candidate.display, candidate.first)
        spans = [(candidate, span) for candidate in candidates for span in candidate.spans]
        for index, start, end, name in registry_hits:
            entity = self.registry[name]
            # Longest match wins: a known name inside a longer name of something else is no mention of it.
            inside = any(line == index and s <= start and end <= e and e - s > end - start
                         and self._known(candidate) != entity for candidate, (line, s, e) in spans)
            if not inside:
                choose(*entity, where=(index, start))
        return [key for key, _ in sorted(chosen.items(), key=lambda item: (item[1], item[0]))]

    def _absorb_short_forms(self, candidates: list[_Candidate]) -> set[int]:
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
            if not longer:
                continue
            kind = short.best_type()
            sure = kind is not None and short.votes[kind] >= 1
            if kind not in (None, "people") and sure:
                weak = [c for c in longer if _score(c) < 1]
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
