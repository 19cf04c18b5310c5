"""Seeded synthetic corpus of news briefs, written for briefgen, Hugo and Pelican.

One call of `generate()` makes N briefs of news-like prose (about 600 words
each, built from the word lists below: no external data) and writes the same
corpus three times under OUT:

    OUT/briefgen/   a briefgen site: briefgen.yaml, content/<slug>.md + <slug>.yaml,
                    content/entities.yaml (descriptions and aliases)
    OUT/hugo/       a Hugo site with its own minimal layouts (see HUGO_LAYOUTS)
    OUT/pelican/    a Pelican site: pelicanconf.py, content/briefs/<slug>.md,
                    two templates over the default theme (sitemap, article footer)
    OUT/corpus.json the parameters, a few statistics and a digest of every file

Shape: each brief names 8 entities drawn Zipf-like (without replacement) from
a pool of typed entities, so that the most frequent entity is named in about
a fifth of the briefs; every entity name occurs in the body at least once;
~1.5 annotations per brief quote a span that occurs exactly once in the
article; dates spread over six years; two or three tags.

The same seed gives byte-identical files (nothing iterates over a set of
strings, nothing reads the clock).

    python benchmarks/corpus.py --briefs 1000 --seed 1 --out benchmarks/corpora/1000
    python benchmarks/corpus.py --out benchmarks/corpora/1000 --check-only
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # briefgen from this checkout; the site writer beside the tests'
from briefgen.slugs import slugify  # noqa: E402

from sitegen import Annotation, RegistryEntry, SiteBrief, Source, site_files, yq  # noqa: E402

GENERATOR_VERSION = 2  # 2: slugs from briefgen.slugs ("Sørensen" is "sorensen", was "srensen")
ENTITY_TYPES = ("people", "organizations", "places", "topics")
# Share of the pool per type; the rest of the shape does not depend on it.
TYPE_SHARES = {"people": 0.40, "organizations": 0.25, "places": 0.20, "topics": 0.15}
ENTITIES_PER_BRIEF = 8
TARGET_TOP_SHARE = 0.20  # the most frequent entity is named in ~20% of briefs
PAGE_SIZE = 20  # list pages in the Hugo and Pelican sites; keep equal to briefgen's
FEED_ITEMS = 20  # entries per feed in the Hugo and Pelican sites
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
SITE_TITLE = "Synthetic Briefs"
BASE_URL = "https://briefs.example.org/"
ANNOTATION_COUNTS = (0, 1, 2, 3)
ANNOTATION_WEIGHTS = (0.15, 0.35, 0.35, 0.15)  # mean 1.5
ANNOTATION_KINDS = ("note", "context", "fact-check", "correction")
# Keys a sidecar may hold, from the content format; --check refuses others.
SIDECAR_KEYS = frozenset(
    {"title", "date", "summary", "key_points", "source", "entities", "annotations",
     "tags", "slug", "draft"}
)

# --------------------------------------------------------------------------
# Word lists

NOUNS = (
    "budget", "proposal", "agreement", "inquiry", "shortfall", "contract", "tariff",
    "pipeline", "reform", "report", "deal", "plan", "ruling", "strike", "audit",
    "ceasefire", "subsidy", "merger", "investigation", "framework", "bill", "vote",
    "deadline", "loan", "bond sale", "forecast", "programme", "network", "project",
    "review", "settlement", "moratorium", "licence", "tender", "consultation",
    "package", "accord", "referendum", "overhaul", "rollout", "waiver", "quota",
    "levy", "mandate", "timetable", "blueprint", "budget line", "pilot scheme",
    "recount", "appeal", "hearing", "rescue plan", "credit line", "price cap",
    "export ban", "spending round", "safety review", "trade pact", "wage offer",
)
PLURALS = (
    "officials", "lawmakers", "analysts", "residents", "investors", "regulators",
    "negotiators", "workers", "farmers", "economists", "diplomats", "prosecutors",
    "voters", "executives", "unions", "suppliers", "ministers", "auditors", "judges",
    "shareholders", "engineers", "teachers", "nurses", "landlords", "exporters",
    "importers", "carriers", "councillors", "campaigners", "lenders",
)
ADJECTIVES = (
    "regional", "federal", "long-delayed", "controversial", "preliminary", "revised",
    "annual", "sweeping", "modest", "fragile", "key", "cross-border", "emergency",
    "independent", "municipal", "temporary", "unexpected", "costly", "draft",
    "interim", "joint", "landmark", "narrow", "proposed", "disputed", "expanded",
    "multi-year", "second", "final", "national",
)
PREDICATES = (
    "premature", "unworkable", "overdue", "encouraging", "incomplete", "misleading",
    "a step forward", "too narrow", "under review", "unaffordable", "on track",
    "a serious setback", "largely symbolic", "legally sound", "in doubt",
)
# (base, past) pairs; the past form doubles as the participle.
VERBS = (
    ("approve", "approved"), ("delay", "delayed"), ("review", "reviewed"),
    ("reject", "rejected"), ("expand", "expanded"), ("suspend", "suspended"),
    ("finance", "financed"), ("challenge", "challenged"), ("extend", "extended"),
    ("revise", "revised"), ("block", "blocked"), ("support", "supported"),
    ("announce", "announced"), ("investigate", "investigated"),
    ("renegotiate", "renegotiated"), ("postpone", "postponed"), ("cut", "cut"),
    ("raise", "raised"), ("scrap", "scrapped"), ("endorse", "endorsed"),
    ("audit", "audited"), ("restore", "restored"), ("fund", "funded"),
    ("oppose", "opposed"), ("question", "questioned"), ("defend", "defended"),
)
ADVERBS = (
    "sharply", "quietly", "narrowly", "formally", "broadly", "repeatedly", "briefly",
    "publicly", "swiftly", "cautiously",
)
TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
    "late on Tuesday", "earlier this week", "last month", "over the weekend",
    "on Saturday", "this morning", "overnight",
)
FUTURES = (
    "next month", "by the end of the year", "within weeks", "before the summer",
    "in the coming months", "next year", "by the spring", "before the next election",
)
SOURCES = (
    "according to people familiar with the matter", "according to a statement",
    "documents seen by reporters show", "a spokesperson said",
    "two officials said", "according to draft minutes",
)
ORDINALS = ("First", "Second", "Separately", "Meanwhile", "Still", "In addition")
TAGS = (
    "politics", "economy", "energy", "health", "justice", "climate", "technology",
    "defence", "diplomacy", "labour", "housing", "transport", "education",
    "agriculture", "elections", "finance",
)
AGENCIES = (
    "Meridian Wire", "Harbor Press Agency", "Northline News", "Continental Dispatch",
    "Coastal Bulletin", "Ledger Newswire", "Summit Reports", "Atlas Wire Service",
)
ROLES = (
    "economist", "minister", "trade negotiator", "union leader", "prosecutor",
    "central bank governor", "opposition lawmaker", "chief executive", "mayor",
    "climate scientist", "party leader", "judge", "ambassador", "campaigner",
)

# Entity name parts. Names use letters and single spaces only, so every tool
# derives the same slug from them (a few accents, which all three transliterate).
FIRST_NAMES = (
    "Mara", "Jonas", "Aisha", "Tomas", "Lena", "Viktor", "Priya", "Daniel", "Sofia",
    "Kwame", "Elena", "Marcus", "Ines", "Oskar", "Hana", "Rafael", "Nadia", "Pieter",
    "Leila", "Anders", "Chiara", "Emeka", "Freya", "Goran", "Imani", "Jakob", "Keiko",
    "Luca", "Maya", "Nikolai", "Olga", "Paulo", "Rosa", "Samir", "Tessa", "Ulrich",
    "Vera", "Wen", "Yusuf", "Zara", "Agnes", "Bruno", "Carla", "Dmitri", "Esther",
    "Felix", "Greta", "Hugo", "Ilse", "Julian", "Katya", "Lars", "Mirela", "Noor",
    "Omar", "Petra", "Quentin", "Ruth", "Stefan", "Tariq", "Ursula", "Valentin",
    "Wanda", "Xavier", "Yara", "Zoltan", "Amara", "Bastian", "Celine", "Darius",
    "José", "Zoë", "Renée", "Jürgen", "Ángela", "Björn", "Noémie", "Çağla",
)
SURNAMES = (
    "Holt", "Varga", "Okafor", "Lindqvist", "Moreau", "Castellano", "Nakamura",
    "Brennan", "Haddad", "Kowalski", "Mensah", "Petrov", "Sandoval", "Achterberg",
    "Bianchi", "Dlamini", "Eriksen", "Fischer", "Gallagher", "Hoffmann", "Ivanova",
    "Jansen", "Kaplan", "Larsen", "Mbeki", "Novak", "Olsen", "Pereira", "Quinlan",
    "Rahman", "Schneider", "Takahashi", "Underwood", "Vasquez", "Wojcik", "Yilmaz",
    "Zimmer", "Abbott", "Barros", "Chen", "Dubois", "Esposito", "Ferreira", "Grant",
    "Horvat", "Ibsen", "Jovanovic", "Keller", "Lambert", "Marsh", "Nowak", "Ortega",
    "Park", "Rossi", "Sato", "Thorne", "Ueda", "Vidal", "Walsh", "Xu", "Young",
    "Zeller", "Adeyemi", "Bauer", "Costa", "Delgado", "Engel", "Falk", "Gruber",
    "Hale", "Ilic", "Jensen", "Kruger", "Lopez", "Meyer", "Nilsen", "Osei", "Popescu",
    "Reyes", "Strand", "Tanaka", "Uddin", "Vogel", "Weber", "Yamada", "Zhou",
    "Müller", "Núñez", "Sørensen", "Özdemir", "Lefèvre", "Šimek",
)
ORG_ROOTS = (
    "Northgate", "Aldren", "Corvane", "Brightwater", "Kestrel", "Halvorsen", "Meridal",
    "Ostrava", "Pinecrest", "Quarrow", "Redfern", "Silverline", "Thornbury", "Umbra",
    "Vantor", "Westmere", "Yellowfield", "Zenith", "Arcadian", "Bluestone", "Calder",
    "Dunmore", "Eastbrook", "Fairhaven", "Glenmoor", "Highmark", "Ironbridge",
    "Juniper", "Kingsway", "Lakeside", "Millbrook", "Newfield", "Oakridge", "Parkhurst",
    "Ravensworth", "Stonebridge", "Trident", "Unity", "Valiant", "Whitcombe",
    "Ashdown", "Beacon", "Crestview", "Deepwell", "Emberly", "Foxley", "Granite",
    "Harrowgate", "Islington", "Jadeport", "Keystone", "Longmere", "Moorland",
    "Nettleton", "Orchard", "Prospect", "Queensbury", "Rockwell", "Sunridge", "Tidewater",
)
ORG_SUFFIXES = (
    "Holdings", "Group", "Energy", "Bank", "Logistics", "Institute", "Foundation",
    "Council", "Authority", "Partners", "Systems", "Mining", "Airlines", "Telecom",
    "Pharmaceuticals", "Capital", "Shipping", "Motors", "Steel", "Insurance",
)
DOMAINS = (
    "Energy", "Water", "Pension", "Housing", "Tax", "Trade", "Grid", "Border",
    "Health", "Data", "Climate", "Labour", "Farm", "Rail", "Harbour", "Mining",
    "Fisheries", "Media", "Election", "Banking", "Defence", "Space", "Tourism",
    "Education", "Urban", "Coastal", "Digital", "Public", "Forestry", "Aviation",
)
TOPIC_HEADS = (
    "Reform", "Policy", "Security", "Rights", "Subsidies", "Regulation", "Transition",
    "Spending", "Oversight", "Strategy", "Investment", "Shortages", "Prices", "Privacy",
    "Standards", "Access", "Resilience", "Funding", "Safety", "Competition",
)
PLACE_HEADS = (
    "Val", "Kes", "Mor", "Bel", "Tar", "Lin", "Cor", "Ash", "Bren", "Dun", "Fal",
    "Gar", "Hal", "Ister", "Jor", "Kal", "Lom", "Mar", "Nor", "Ost", "Pel", "Quin",
    "Ros", "Sel", "Tor", "Ul", "Ver", "Wes", "Yar", "Zan", "Zür", "Bél",
)
PLACE_TAILS = (
    "mora", "burg", "ford", "haven", "vik", "dale", "mouth", "stad", "ania", "ova",
    "ton", "port", "field", "wick", "grad", "heim", "sund", "lia",
)
PLACE_FORMS = ("{}", "{}", "{}", "Port {}", "New {}", "{} Bay", "Upper {}", "{} Valley")
MINISTRY_FORM = "Ministry of {}"


# --------------------------------------------------------------------------
# Helpers


def fold(text: str) -> str:
    """Fold every run of white space to one space."""
    return " ".join(text.split())


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def markdown_to_text(markdown: str) -> str:
    """Plain text of the Markdown written here: link texts kept, markup dropped."""
    lines = []
    for line in markdown.splitlines():
        line = re.sub(r"^#+\s+", "", line)
        line = re.sub(r"^- ", "", line)
        line = _LINK.sub(r"\1", line)
        lines.append(line.replace("*", ""))
    return fold("\n".join(lines))


def count_occurrences(haystack: str, needle: str) -> int:
    """Count occurrences of needle in haystack, overlapping ones included."""
    count, start = 0, 0
    while True:
        found = haystack.find(needle, start)
        if found < 0:
            return count
        count += 1
        start = found + 1


def contains_words(text: str, name: str) -> bool:
    """Whether name occurs in text as whole words."""
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


# --------------------------------------------------------------------------
# Entities


@dataclass(frozen=True)
class Entity:
    """One entity of the pool; `rank` 0 is the most frequently named."""

    rank: int
    type: str
    name: str
    slug: str
    alias: str | None = None


def _people(rng: Random) -> list[str]:
    names = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES]
    rng.shuffle(names)
    return names


def _organizations(rng: Random) -> list[str]:
    names = [f"{root} {suffix}" for root in ORG_ROOTS for suffix in ORG_SUFFIXES]
    names += [MINISTRY_FORM.format(domain) for domain in DOMAINS]
    rng.shuffle(names)
    return names


def _places(rng: Random) -> list[str]:
    stems = [head + tail for head in PLACE_HEADS for tail in PLACE_TAILS]
    rng.shuffle(stems)
    # One form per stem, so that no place name contains another.
    return [rng.choice(PLACE_FORMS).format(stem) for stem in stems]


def _topics(rng: Random) -> list[str]:
    names = [f"{domain} {head}" for domain in DOMAINS for head in TOPIC_HEADS]
    rng.shuffle(names)
    return names


NAME_SOURCES: dict[str, Callable[[Random], list[str]]] = {
    "people": _people,
    "organizations": _organizations,
    "places": _places,
    "topics": _topics,
}


def _word_runs(name: str) -> list[str]:
    """Every run of whole words of name shorter than name itself."""
    words = name.split()
    return [
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if j - i < len(words)
    ]


def _acronym(name: str) -> str | None:
    words = [w for w in name.split() if w[0].isupper()]
    return "".join(w[0] for w in words) + "C" if len(words) >= 2 else None


def make_pool(rng: Random, size: int) -> list[Entity]:
    """Draw `size` uniquely named, uniquely slugged entities, ranked at random.

    No entity name is a run of whole words of another (so "longest match
    wins" never hides a name), and no slug equals a tag's.
    """
    quotas = {t: round(size * share) for t, share in TYPE_SHARES.items()}
    quotas["people"] += size - sum(quotas.values())
    taken_slugs = {slugify(tag) for tag in TAGS}
    taken_names: set[str] = set()
    runs_of_taken: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for etype in ENTITY_TYPES:
        accepted = 0
        for name in NAME_SOURCES[etype](rng):
            if accepted == quotas[etype]:
                break
            slug = slugify(name)
            runs = _word_runs(name)
            if (slug in taken_slugs or name in runs_of_taken
                    or any(run in taken_names for run in runs)):
                continue
            taken_slugs.add(slug)
            taken_names.add(name)
            runs_of_taken.update(runs)
            chosen.append((etype, name))
            accepted += 1
        if accepted < quotas[etype]:
            raise SystemExit(
                f"corpus: only {accepted} distinct {etype} names for a quota of "
                f"{quotas[etype]}; use a smaller --entities"
            )
    rng.shuffle(chosen)
    pool = []
    aliases_taken: set[str] = set()
    for rank, (etype, name) in enumerate(chosen):
        alias = None
        if etype == "organizations" and rng.random() < 0.3:
            candidate = _acronym(name)
            if candidate and candidate not in aliases_taken and candidate not in taken_names:
                alias = candidate
                aliases_taken.add(candidate)
        pool.append(Entity(rank, etype, name, slugify(name), alias))
    return pool


def zipf_exponent(pool_size: int, k: int, target: float) -> float:
    """Exponent s of weights 1/rank**s for which rank 1 is in ~target of k-draws."""
    lo, hi = 0.0, 3.0
    for _ in range(60):
        s = (lo + hi) / 2
        weights = [(r + 1) ** -s for r in range(pool_size)]
        p1 = weights[0] / sum(weights)
        # Drawing without replacement renormalises after each draw; this
        # approximation is within a point or two of the measured share.
        share = 1 - (1 - p1 * 1.05) ** k
        if share < target:
            lo = s
        else:
            hi = s
    return (lo + hi) / 2


class EntitySampler:
    """Draws distinct entities with Zipf-like weights."""

    def __init__(self, pool: list[Entity], exponent: float) -> None:
        self.pool = pool
        total = 0.0
        self.cumulative: list[float] = []
        for rank in range(len(pool)):
            total += (rank + 1) ** -exponent
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: Random, k: int) -> list[Entity]:
        """k distinct entities, most probable ranks most often."""
        picked: dict[int, Entity] = {}
        while len(picked) < k:
            index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
            index = min(index, len(self.pool) - 1)
            picked.setdefault(index, self.pool[index])
        return list(picked.values())


def describe(rng: Random, entity: Entity, places: list[Entity]) -> str:
    """A one-sentence description for the registry."""
    where = rng.choice(places).name if places else "the region"
    if entity.type == "people":
        return f"{rng.choice(ROLES).capitalize()} based in {where}."
    if entity.type == "organizations":
        return f"Headquartered in {where}; founded in {rng.randint(1890, 2015)}."
    if entity.type == "places":
        return f"A district of about {rng.randint(8, 900) * 1000:,} residents."
    return f"Coverage of {entity.name.lower()} and the disputes around it."


# --------------------------------------------------------------------------
# Prose


@dataclass
class Sentence:
    """One sentence: its Markdown, its plain text, and whether a quote may come from it."""

    markdown: str
    text: str
    quotable: bool = True
    names: tuple[str, ...] = ()


def _sentence(markdown: str, quotable: bool = True, names: tuple[str, ...] = ()) -> Sentence:
    return Sentence(markdown, markdown_to_text(markdown), quotable, names)


class Prose:
    """Sentence templates over the word lists, drawing from one Random."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def _slots(self) -> dict[str, str]:
        r = self.rng
        verb, past = r.choice(VERBS)
        verb2, past2 = r.choice(VERBS)
        return {
            "N": r.choice(NOUNS), "N2": r.choice(NOUNS), "NS": r.choice(PLURALS),
            "NS2": r.choice(PLURALS), "A": r.choice(ADJECTIVES), "A2": r.choice(ADJECTIVES),
            "P": r.choice(PREDICATES), "V": verb, "VD": past, "V2": verb2, "VD2": past2,
            "ADV": r.choice(ADVERBS), "T": r.choice(TIMES), "F": r.choice(FUTURES),
            "S": r.choice(SOURCES), "O": r.choice(ORDINALS), "X": str(r.randint(2, 95)),
            "M": f"{r.randint(11, 990)} million", "Y": str(r.randint(2009, 2018)),
        }

    GENERAL: ClassVar[tuple[str, ...]] = (
        "{NS_} {VD} the {A} {N} {T}, saying it would {V2} spending by {M}.",
        "The {N} is expected to {V} the {A} {N2} {F}, {S}.",
        "{NS_} have {VD} the {N} {ADV}, but the {N2} remains {P}.",
        "Under the {A} {N}, {NS} would {V} about {M} in new costs {F}.",
        "It was not immediately clear whether the {N} would {V} the {A} {N2}.",
        "The {N} follows {X} months of {A} talks over the {N2}.",
        "{NS_} said the {N} could {V} as much as {M} in {A} {N2} payments.",
        "Critics argue that the {N} does little to {V} the {A} {N2}.",
        "{O}, the {N} must be {VD} by {NS} before the {A} {N2} takes effect.",
        "Figures released {T} showed {NS} {VD} {X} percent more {N2} requests than a year earlier.",
        "The {A} {N} was first {VD} in {Y} and has been {VD2} twice since.",
        "{NS_} {ADV} {VD} the {N}, calling it {P}.",
        "A vote on the {N} is scheduled {F}, {S}.",
        "The {N} would be the biggest change since the {N2} was {VD2} in {Y}.",
        "{NS_} and {NS2} have {VD} the {A} {N} for {X} weeks.",
    )
    MENTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "people": (
            "{E} said {T} that the {N} would {V} the {A} {N2}.",
            "{E}, who has {VD} the {N} for months, declined to comment {T}.",
            "In a statement, {E} called the {A} {N} {P}.",
            "\"We will not {V} the {N},\" {E} told reporters {T}.",
            "{E} is expected to {V} the {N} {F}, {S}.",
        ),
        "organizations": (
            "A spokesperson for {E} said the {N} was {P}.",
            "{E} {VD} the {A} {N} {T}.",
            "Shares in {E} fell {X} percent after the {N} was {VD}.",
            "{E} is expected to {V} the {A} {N} {F}.",
            "Auditors at {E} {VD} the {N} {ADV}, {S}.",
        ),
        "places": (
            "In {E}, {NS} {VD} the {A} {N} {T}.",
            "The {N} would affect about {M} in spending in {E}.",
            "{NS_} in {E} said the {N} remained {P}.",
            "Protests in {E} {VD} the {N} {ADV} {T}.",
            "The {A} {N} was {VD} in {E} in {Y}.",
        ),
        "topics": (
            "The debate over {E} has {VD} the {A} {N}.",
            "Analysts said {E} would shape the {A} {N2} {F}.",
            "The {N} marks a shift in the approach to {E}, {S}.",
            "{E} is likely to remain central to the {N} {F}.",
            "{NS_} {VD} the {N} as a test of {E}.",
        ),
    }

    def fill(self, template: str, entity: str | None = None) -> str:
        """Fill one template; {E} is the entity name, {NS_} a capitalised plural."""
        slots = self._slots()
        slots["NS_"] = slots["NS"].capitalize()
        if entity is not None:
            slots["E"] = entity
        text = template.format(**slots)
        return text[0].upper() + text[1:]

    def general(self) -> Sentence:
        """A sentence naming no entity."""
        return _sentence(self.fill(self.rng.choice(self.GENERAL)))

    def mention(self, entity: Entity, name: str | None = None) -> Sentence:
        """A sentence naming the entity (by `name`, default its name)."""
        shown = name or entity.name
        template = self.rng.choice(self.MENTIONS[entity.type])
        return _sentence(self.fill(template, shown), names=(shown,))

    def emphasis(self) -> Sentence:
        """A sentence with one emphasised phrase; never quoted."""
        s = self._slots()
        return _sentence(f"{s['NS'].capitalize()} described the {s['N']} as *{s['P']}*.", False)

    def report_link(self, slug: str) -> Sentence:
        """A sentence with an external link; never quoted."""
        pages = self.rng.randint(12, 240)
        return _sentence(
            f"The [full report](https://example.org/reports/{slug}) runs to {pages} pages.", False
        )

    def brief_link(self, other_slug: str) -> Sentence:
        """A sentence with a root-relative link to another brief; never quoted."""
        return _sentence(
            f"The {self.rng.choice(NOUNS)} was first covered in "
            f"[an earlier brief](/briefs/{other_slug}/).",
            False,
        )


# --------------------------------------------------------------------------
# Briefs


@dataclass
class Brief:
    """One generated brief, format-neutral."""

    slug: str
    title: str
    date: dt.date
    summary: str
    source_name: str
    source_url: str
    entities: list[Entity]
    tags: list[str]
    markdown: str
    words: int
    annotations: list[Annotation] = field(default_factory=list)

    def entities_by_type(self) -> dict[str, list[str]]:
        """Entity names grouped by type, in the order they were drawn."""
        grouped: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
        for entity in self.entities:
            grouped[entity.type].append(entity.name)
        return grouped


def _paragraphs(rng: Random, sentences: list[Sentence]) -> list[list[Sentence]]:
    paragraphs: list[list[Sentence]] = []
    i = 0
    while i < len(sentences):
        size = rng.randint(3, 5)
        paragraphs.append(sentences[i:i + size])
        i += size
    return paragraphs


def _pick_quote(rng: Random, sentences: list[Sentence], article_text: str) -> str | None:
    """A span of a quotable sentence found exactly once in article_text, or None.

    A span never cuts through an entity name (it holds a name whole or not at
    all) and holds no double quote, so it survives any typography setting.
    """
    candidates = [s for s in sentences if s.quotable]
    for _ in range(40):
        sentence = rng.choice(candidates)
        words = sentence.text.split(" ")
        length = min(len(words), rng.randint(4, 9))
        start = rng.randint(0, len(words) - length)
        span = " ".join(words[start:start + length]).rstrip(",.;:")
        if '"' in span or len(span) < 12:
            continue
        offset = len(" ".join(words[:start])) + (1 if start else 0)
        end = offset + len(span)
        if any(_cuts(sentence.text.find(name), len(name), offset, end)
               for name in sentence.names):
            continue
        if count_occurrences(article_text, span) == 1:
            return span
    return None


def _cuts(at: int, length: int, start: int, end: int) -> bool:
    """Whether the span [start, end) holds part, but not all, of the name at `at`."""
    overlaps = at >= 0 and at < end and at + length > start
    return overlaps and not (start <= at and at + length <= end)


def _note(rng: Random, brief_entities: list[Entity]) -> str:
    entity = rng.choice(brief_entities)
    year = rng.randint(2009, 2018)
    options = (
        f"The figure comes from a {year} review; *{entity.name}* has disputed it.",
        f"Earlier coverage of {entity.name} put the number lower.",
        f"This refers to the {rng.choice(NOUNS)} agreed in {year}.",
        f"See the [original filing](https://example.org/filings/{year}/{entity.slug}) for the full text.",
        "Officials later corrected this statement.",
    )
    return rng.choice(options)


def make_brief(
    rng: Random, sampler: EntitySampler, taken_slugs: set[str],
    earlier_slugs: list[str], described: set[int],
) -> Brief:
    """Generate one brief; its slug is new to taken_slugs (and added to it)."""
    prose = Prose(rng)
    entities = sampler.draw(rng, ENTITIES_PER_BRIEF)
    entities_sorted = sorted(entities, key=lambda e: (ENTITY_TYPES.index(e.type), e.rank))
    actors = [e for e in entities if e.type in ("people", "organizations")] or entities
    places = [e for e in entities if e.type == "places"]
    topics = [e for e in entities if e.type == "topics"]
    subject = actors[0]
    _, past = rng.choice(VERBS)
    tail = ""
    if places and rng.random() < 0.5:
        tail = f" in {places[0].name}"
    elif topics and rng.random() < 0.5:
        tail = f" over {topics[0].name.lower()}"
    title = f"{subject.name} {past} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}{tail}"
    base = slugify(title)
    slug, n = base, 2
    while slug in taken_slugs:
        slug, n = f"{base}-{n}", n + 1
    taken_slugs.add(slug)
    summary = prose.fill("{E} {VD} the {A} {N} {T}, {S}.", subject.name)
    date = FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
    agency = rng.choice(AGENCIES)
    source_url = f"https://example.com/{slugify(agency)}/{date:%Y/%m}/{slug}"
    tags = sorted(rng.sample(TAGS, rng.randint(2, 3)))

    # The body: every entity named once, the three most probable twice (an
    # organisation with an alias sometimes by its alias), then filler prose.
    mentions = [prose.mention(e) for e in entities]
    for entity in sorted(entities, key=lambda e: e.rank)[:3]:
        use_alias = entity.alias and entity.rank in described and rng.random() < 0.5
        mentions.append(prose.mention(entity, entity.alias if use_alias else None))
    lead = mentions.pop(0)
    body: list[Sentence] = mentions
    target_words = rng.randint(540, 660)
    words = sum(len(s.text.split()) for s in body) + len(lead.text.split())
    while words < target_words:
        sentence = prose.general()
        body.append(sentence)
        words += len(sentence.text.split())
    if rng.random() < 0.3:
        body.append(prose.emphasis())
    if rng.random() < 0.3:
        body.append(prose.report_link(slug))
    if earlier_slugs and rng.random() < 0.2:
        body.append(prose.brief_link(rng.choice(earlier_slugs)))
    rng.shuffle(body)
    paragraphs = _paragraphs(rng, [lead, *body])

    blocks: list[str] = []
    all_sentences: list[Sentence] = []
    if rng.random() < 0.5:
        points = [prose.general() for _ in range(3)]
        for point in points:
            point.quotable = False
        blocks.append("\n".join(f"- {p.markdown}" for p in points))
        all_sentences += points
    heading_at = len(paragraphs) * 2 // 3 if rng.random() < 0.4 and len(paragraphs) > 3 else -1
    for i, paragraph in enumerate(paragraphs):
        if i == heading_at:
            blocks.append("## Background")
        blocks.append(" ".join(s.markdown for s in paragraph))
        all_sentences += paragraph
    markdown = "\n\n".join(blocks) + "\n"
    article_text = markdown_to_text(markdown)

    brief = Brief(
        slug=slug, title=title, date=date, summary=summary, source_name=agency,
        source_url=source_url, entities=entities_sorted, tags=tags, markdown=markdown,
        words=len(article_text.split()),
    )
    wanted = rng.choices(ANNOTATION_COUNTS, ANNOTATION_WEIGHTS)[0]
    quotes: list[str] = []
    for _ in range(wanted):
        quote = _pick_quote(rng, all_sentences, article_text)
        # Two annotations never share or overlap a quote.
        if quote and not any(quote in q or q in quote for q in quotes):
            quotes.append(quote)
            brief.annotations.append(
                Annotation(quote, _note(rng, entities), rng.choice(ANNOTATION_KINDS))
            )
    return brief


# --------------------------------------------------------------------------
# Writers: the same briefs in three formats


def registry_entries(pool: list[Entity], described: set[int], rng: Random) -> list[RegistryEntry]:
    """content/entities.yaml's entries: descriptions (and aliases) of the described entities, by type and slug."""
    places = [e for e in pool if e.type == "places"]
    return [
        RegistryEntry(etype, e.name, describe(rng, e, places), (e.alias,) if e.alias else ())
        for etype in ENTITY_TYPES
        for e in sorted((e for e in pool if e.type == etype and e.rank in described), key=lambda e: e.slug)
    ]


def site_brief(brief: Brief) -> SiteBrief:
    """The brief as briefgen content: `content/<slug>.md` and its sidecar."""
    return SiteBrief(
        stem=brief.slug, article=brief.markdown, title=brief.title, date=brief.date.isoformat(),
        entities=brief.entities_by_type(), summary=brief.summary,
        source=Source(brief.source_name, brief.source_url), annotations=brief.annotations, tags=brief.tags,
    )


def hugo_page(brief: Brief) -> str:
    """A Hugo content file: YAML front matter (taxonomies per entity type), same body."""
    lines = [
        "---",
        f"title: {yq(brief.title)}",
        f"date: {brief.date.isoformat()}",
        f"summary: {yq(brief.summary)}",
        "source:",
        f"  name: {yq(brief.source_name)}",
        f"  url: {yq(brief.source_url)}",
    ]
    for etype, names in brief.entities_by_type().items():
        if names:
            lines.append(f"{etype}: [{', '.join(yq(n) for n in names)}]")
    lines.append(f"tags: [{', '.join(yq(t) for t in brief.tags)}]")
    if brief.annotations:
        lines.append("annotations:")
        for a in brief.annotations:
            lines += [f"  - quote: {yq(a.quote)}", f"    note: {yq(a.note)}", f"    kind: {a.kind}"]
    lines.append("---")
    return "\n".join(lines) + "\n" + brief.markdown


def pelican_page(brief: Brief) -> str:
    """A Pelican Markdown file: every entity and tag a Pelican tag; types kept as metadata."""
    grouped = brief.entities_by_type()
    all_tags = [e.name for e in brief.entities] + brief.tags
    lines = [
        f"Title: {brief.title}",
        f"Date: {brief.date.isoformat()}",
        f"Slug: {brief.slug}",
        f"Summary: {brief.summary}",
        f"Tags: {', '.join(all_tags)}",
        f"Source: {brief.source_name}",
        f"Source_url: {brief.source_url}",
    ]
    for etype in ENTITY_TYPES:
        if grouped[etype]:
            lines.append(f"{etype.capitalize()}: {', '.join(grouped[etype])}")
    return "\n".join(lines) + "\n\n" + brief.markdown


def hugo_term_page(entity: Entity, description: str) -> str:
    """content/<type>/<slug>/_index.md: a term page's title and description."""
    return f"---\ntitle: {yq(entity.name)}\n---\n{description}\n"


HUGO_CONFIG = """\
# Generated by benchmarks/corpus.py. Mirrors briefgen's pages; see benchmarks/README.md.
baseURL = "{base_url}"
title = "{title}"
relativeURLs = true
removePathAccents = true   # term slugs transliterated like briefgen's ids
disableAliases = true      # no redirect pages for aliases
disableKinds = ["section"] # briefgen has no /briefs/ list
enableRobotsTXT = false

[pagination]
  pagerSize = {page_size}
  disableAliases = true   # no /page/1/ redirect pages

[taxonomies]
  person = "people"
  organization = "organizations"
  place = "places"
  topic = "topics"
  tag = "tags"

[outputs]
  home = ["html", "rss"]
  page = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[services.rss]
  limit = {feed_items}

[markup.goldmark.extensions.typographer]
  disable = true

[related]
  includeNewer = true
  threshold = 20
  toLower = false
  [[related.indices]]
    name = "people"
    weight = 100
  [[related.indices]]
    name = "organizations"
    weight = 100
  [[related.indices]]
    name = "places"
    weight = 80
  [[related.indices]]
    name = "topics"
    weight = 80
"""

HUGO_LAYOUTS: dict[str, str] = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav>{{ range $plural, $_ := site.Taxonomies }}<a href="{{ printf "/%s/" $plural | relURL }}">{{ $plural }}</a> {{ end }}<a href="{{ "/entities/" | relURL }}">entities</a> <a href="{{ "/archive/" | relURL }}">archive</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_partials/brief-item.html": """\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 January 2006" }}</time><p>{{ .Summary }}</p></li>
""",
    "_partials/pager.html": """\
{{ with .Paginator }}<nav class="pager">{{ with .Prev }}<a href="{{ .URL }}">newer</a>{{ end }} page {{ .PageNumber }} of {{ .TotalPages }} {{ with .Next }}<a href="{{ .URL }}">older</a>{{ end }}</nav>{{ end }}
""",
    "home.html": """\
{{ define "main" }}
{{ $briefs := where site.RegularPages "Section" "briefs" }}
<ul>{{ range (.Paginate $briefs).Pages }}{{ partial "brief-item.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}
{{ end }}
""",
    "page.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.source }} · <a href="{{ .url }}">{{ .name }}</a>{{ end }}</p>
{{ with .Params.summary }}<p class="dek">{{ . }}</p>{{ end }}
{{ .Content }}
{{ with .Params.annotations }}<aside><h2>Notes</h2><ol>{{ range . }}<li class="{{ .kind }}"><q>{{ .quote }}</q> {{ .note | markdownify }}</li>{{ end }}</ol></aside>{{ end }}
</article>
<section class="entities">
{{ range $plural := slice "people" "organizations" "places" "topics" "tags" }}
{{ with $.GetTerms $plural }}<h2>{{ $plural }}</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
</section>
{{ with site.RegularPages.Related . | first 5 }}<section class="related"><h2>Related</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Paginator.Pages }}{{ partial "brief-item.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}
{{ end }}
""",
    "archive.html": """\
{{ define "main" }}
<h1>Archive</h1>
{{ range (where site.RegularPages "Section" "briefs").GroupByDate "January 2006" }}
<h2>{{ .Key }}</h2><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
""",
    "entities.html": """\
{{ define "main" }}
<h1>Entities</h1>
{{ range $plural := slice "people" "organizations" "places" "topics" }}
{{ with index site.Taxonomies $plural }}<h2>{{ $plural }}</h2><ul>{{ range .Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
{{ end }}
{{ end }}
""",
}

HUGO_EXTRA_PAGES = {
    "archive.md": '---\ntitle: "Archive"\nlayout: archive\nurl: /archive/\n---\n',
    "entities.md": '---\ntitle: "Entities"\nlayout: entities\nurl: /entities/\n---\n',
}

PELICAN_CONFIG = """\
\"\"\"Pelican settings for the synthetic briefs (generated by benchmarks/corpus.py).

Mapping: every entity (of any type) and every brief tag is a Pelican tag, so
each gets a paginated page and an Atom feed under tag/<slug>/; the entity
types are kept as article metadata (People, Organizations, ...) that the
default theme does not show. tags/ lists every tag (briefgen's /entities/),
archive/ is the archive. Categories and authors are switched off: briefgen
has neither.
\"\"\"

import os

HERE = os.path.dirname(os.path.abspath(__file__))

SITENAME = "{title}"
SITEURL = "{site_url}"
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
ARTICLE_PATHS = ["briefs"]
PAGE_PATHS = []
STATIC_PATHS = []
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "briefs"
DEFAULT_DATE_FORMAT = "%d %B %Y"

ARTICLE_URL = "briefs/{{slug}}/"
ARTICLE_SAVE_AS = "briefs/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DISPLAY_CATEGORIES_ON_MENU = False
DIRECT_TEMPLATES = ["index", "tags", "archives", "sitemap"]
SITEMAP_SAVE_AS = "sitemap.xml"
THEME_TEMPLATES_OVERRIDES = [os.path.join(HERE, "templates")]  # not resolved by Pelican

DEFAULT_PAGINATION = {page_size}
PAGINATED_TEMPLATES = {{"index": None, "tag": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = {feed_items}
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tag/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# What a user after speed would switch on: re-read only changed files.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""

PELICAN_SITEMAP = """\
<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{{ FEED_DOMAIN }}/</loc></url>
{% for article in articles %}<url><loc>{{ FEED_DOMAIN }}/{{ article.url }}</loc><lastmod>{{ article.date.strftime('%Y-%m-%d') }}</lastmod></url>
{% endfor %}{% for tag, _ in tags %}<url><loc>{{ FEED_DOMAIN }}/{{ tag.url }}</loc></url>
{% endfor %}</urlset>
"""


# The default theme links every article to its category; briefs have none.
PELICAN_ARTICLE_INFOS = """\
<footer class="post-info">
        <abbr class="published" title="{{ article.date.isoformat() }}">Published: {{ article.locale_date }}</abbr>
        {% include 'taglist.html' %}
</footer>
"""


class TreeWriter:
    """Writes files under a root and keeps a digest of what it wrote, in order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, bytes] = {}

    def write(self, relative: str, text: str) -> None:
        """Write text (UTF-8, LF) at root/relative."""
        data = text.encode("utf-8")
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files[relative] = data

    def digest(self) -> str:
        """SHA-256 over every written path and its bytes, in path order."""
        h = hashlib.sha256()
        for relative in sorted(self.files):
            h.update(relative.encode() + b"\0" + self.files[relative] + b"\0")
        return h.hexdigest()


# --------------------------------------------------------------------------
# Generation


@dataclass
class CorpusStats:
    """What corpus.json records about a generated corpus."""

    briefs: int
    seed: int
    entity_pool: int
    entities_used: int
    zipf_exponent: float
    top_entity_share: float
    words_mean: float
    annotations: int
    edit_slug: str
    digest: str = ""


def generate(briefs: int, seed: int, out: Path, entity_pool: int = 2000) -> CorpusStats:
    """Generate the corpus and write all three formats under out (replacing them)."""
    rng = Random(seed)
    pool = make_pool(rng, entity_pool)
    exponent = zipf_exponent(len(pool), ENTITIES_PER_BRIEF, TARGET_TOP_SHARE)
    sampler = EntitySampler(pool, exponent)
    # Descriptions for the 200 most probable entities and ~15% of the rest.
    described = {e.rank for e in pool if e.rank < 200 or rng.random() < 0.15}

    taken_slugs: set[str] = set()
    slugs: list[str] = []
    items: list[Brief] = []
    for _ in range(briefs):
        brief = make_brief(rng, sampler, taken_slugs, slugs, described)
        items.append(brief)
        slugs.append(brief.slug)

    counts: dict[int, int] = {}
    for brief in items:
        for entity in brief.entities:
            counts[entity.rank] = counts.get(entity.rank, 0) + 1
    used_described = {rank for rank in described if rank in counts}

    for name in ("briefgen", "hugo", "pelican"):
        shutil.rmtree(out / name, ignore_errors=True)
    writer = TreeWriter(out)
    write_briefgen(writer, items, pool, used_described, Random(seed + 1))
    write_hugo(writer, items, pool, used_described, Random(seed + 1))
    write_pelican(writer, items)

    stats = CorpusStats(
        briefs=briefs, seed=seed, entity_pool=len(pool), entities_used=len(counts),
        zipf_exponent=round(exponent, 4),
        top_entity_share=round(max(counts.values()) / briefs, 4) if briefs else 0.0,
        words_mean=round(sum(b.words for b in items) / briefs, 1) if briefs else 0.0,
        annotations=sum(len(b.annotations) for b in items),
        edit_slug=items[briefs // 2].slug if briefs else "",
    )
    stats.digest = writer.digest()
    manifest = {"generator": GENERATOR_VERSION, **stats.__dict__}
    (out / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return stats


def write_briefgen(
    writer: TreeWriter, items: list[Brief], pool: list[Entity], described: set[int], rng: Random
) -> None:
    """The briefgen site: config, article + sidecar per brief, entity registry."""
    files = site_files({"title": SITE_TITLE, "base_url": BASE_URL}, (site_brief(b) for b in items),
                       registry_entries(pool, described, rng), "Descriptions and aliases of some entities (generated).")
    for relative, text in files:
        writer.write(f"briefgen/{relative}", text)


def write_hugo(
    writer: TreeWriter, items: list[Brief], pool: list[Entity], described: set[int], rng: Random
) -> None:
    """The Hugo site: config, layouts, briefs, term pages carrying descriptions."""
    writer.write(
        "hugo/hugo.toml",
        HUGO_CONFIG.format(base_url=BASE_URL, title=SITE_TITLE, page_size=PAGE_SIZE,
                           feed_items=FEED_ITEMS),
    )
    for name, text in HUGO_LAYOUTS.items():
        writer.write(f"hugo/layouts/{name}", text)
    for name, text in HUGO_EXTRA_PAGES.items():
        writer.write(f"hugo/content/{name}", text)
    for brief in items:
        writer.write(f"hugo/content/briefs/{brief.slug}.md", hugo_page(brief))
    # Same descriptions as entities.yaml: same Random, same order of calls.
    places = [e for e in pool if e.type == "places"]
    for etype in ENTITY_TYPES:
        members = [e for e in pool if e.type == etype and e.rank in described]
        for e in sorted(members, key=lambda e: e.slug):
            writer.write(f"hugo/content/{etype}/{e.slug}/_index.md",
                         hugo_term_page(e, describe(rng, e, places)))


def write_pelican(writer: TreeWriter, items: list[Brief]) -> None:
    """The Pelican site: settings, two templates over the default theme, the briefs."""
    writer.write(
        "pelican/pelicanconf.py",
        PELICAN_CONFIG.format(title=SITE_TITLE, site_url=BASE_URL.rstrip("/"),
                              page_size=PAGE_SIZE, feed_items=FEED_ITEMS),
    )
    writer.write("pelican/templates/sitemap.html", PELICAN_SITEMAP)
    writer.write("pelican/templates/article_infos.html", PELICAN_ARTICLE_INFOS)
    for brief in items:
        writer.write(f"pelican/content/briefs/{brief.slug}.md", pelican_page(brief))


# --------------------------------------------------------------------------
# Self-check


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check(out: Path) -> list[str]:
    """Check a generated corpus; return the problems found (empty when sound).

    Every sidecar parses as YAML with only format keys, has a real date and an
    http(s) source url; every entity name occurs in its article as whole
    words; every annotation quote occurs exactly once in its article (white
    space folded, Markdown markup ignored); the Hugo and Pelican copies hold
    the same briefs with the same bodies.
    """
    import yaml

    loader = _yaml_loader()
    problems: list[str] = []
    content = out / "briefgen" / "content"
    articles = sorted(p for p in content.glob("*.md"))
    sidecars = sorted(p for p in content.glob("*.yaml") if p.name != "entities.yaml")
    if {p.stem for p in articles} != {p.stem for p in sidecars}:
        problems.append("articles and sidecars do not pair up")
    registry = yaml.load((content / "entities.yaml").read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(registry, dict) or set(registry) - set(ENTITY_TYPES):
        problems.append("entities.yaml: not a mapping of entity types")
    config = yaml.load((out / "briefgen" / "briefgen.yaml").read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(config, dict) or not config.get("title"):
        problems.append("briefgen.yaml: no title")

    for article in articles:
        sidecar_path = article.with_suffix(".yaml")
        if not sidecar_path.exists():
            continue
        markdown = article.read_text(encoding="utf-8")
        text = markdown_to_text(markdown)
        data = yaml.load(sidecar_path.read_text(encoding="utf-8"), Loader=loader)
        where = sidecar_path.name
        if not isinstance(data, dict):
            problems.append(f"{where}: not a mapping")
            continue
        for key in sorted(set(data) - SIDECAR_KEYS):
            problems.append(f"{where}: unknown key {key!r}")
        if not isinstance(data.get("title"), str) or not data["title"]:
            problems.append(f"{where}: no title")
        if not isinstance(data.get("date"), dt.date):
            problems.append(f"{where}: date is not a date")
        url = (data.get("source") or {}).get("url", "")
        if not url.startswith(("http://", "https://")):
            problems.append(f"{where}: source url {url!r}")
        for etype, names in (data.get("entities") or {}).items():
            if etype not in ENTITY_TYPES:
                problems.append(f"{where}: entity type {etype!r}")
            for name in names:
                if not contains_words(text, name):
                    problems.append(f"{where}: entity {name!r} not in the article")
        for annotation in data.get("annotations") or []:
            quote = fold(annotation["quote"])
            found = count_occurrences(text, quote)
            if found != 1:
                problems.append(f"{where}: quote {quote!r} found {found} times")
            if not annotation.get("note"):
                problems.append(f"{where}: annotation without a note")

        hugo = out / "hugo" / "content" / "briefs" / article.name
        pelican = out / "pelican" / "content" / "briefs" / article.name
        if not hugo.exists() or not hugo.read_text(encoding="utf-8").endswith("---\n" + markdown):
            problems.append(f"{article.name}: Hugo copy missing or different")
        if not pelican.exists() or not pelican.read_text(encoding="utf-8").endswith("\n\n" + markdown):
            problems.append(f"{article.name}: Pelican copy missing or different")
    for folder in (out / "hugo" / "content" / "briefs", out / "pelican" / "content" / "briefs"):
        if len(list(folder.glob("*.md"))) != len(articles):
            problems.append(f"{folder.parent.parent.name}: brief count differs from briefgen's")
    return problems


# --------------------------------------------------------------------------
# CLI


def main(argv: Iterable[str] | None = None) -> int:
    """Generate (and optionally check) a corpus; exit 1 when the check finds problems."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=1000, help="number of briefs (1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--entities", type=int, default=2000, help="entity pool size (2000)")
    parser.add_argument("--out", type=Path, required=True, help="corpus folder to (re)write")
    parser.add_argument("--check", action="store_true", help="check the corpus after writing it")
    parser.add_argument("--check-only", action="store_true", help="check an existing corpus only")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if not args.check_only:
        started = time.perf_counter()
        stats = generate(args.briefs, args.seed, args.out, args.entities)
        elapsed = time.perf_counter() - started
        print(
            f"{stats.briefs} briefs (seed {stats.seed}) in {elapsed:.1f} s -> {args.out}\n"
            f"  entities: pool {stats.entity_pool}, used {stats.entities_used}, "
            f"top entity in {stats.top_entity_share:.1%} of briefs (zipf s={stats.zipf_exponent})\n"
            f"  words per brief: {stats.words_mean}, annotations: {stats.annotations}\n"
            f"  digest {stats.digest[:16]}"
        )
    if args.check or args.check_only:
        started = time.perf_counter()
        problems = check(args.out)
        for problem in problems[:50]:
            print(f"check: {problem}", file=sys.stderr)
        verdict = "ok" if not problems else f"{len(problems)} problems"
        print(f"check: {verdict} ({time.perf_counter() - started:.1f} s)")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
