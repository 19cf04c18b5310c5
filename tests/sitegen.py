"""The one generator of synthetic briefgen sites: for the tests, and for the benchmark corpus.

A site is values first: `SiteBrief` and `RegistryEntry` records, which
`site_files()` turns into the files of a briefgen site (config, article and
sidecar per brief, `content/entities.yaml`). Two recipes make the records:

- `generate_site()`, here: a few hundred briefs for checks that need more than
  the example, varied the way real briefs are: Markdown and wire copy, dates
  with and without a time, sources, key points, tables, code, links between
  briefs, annotations of every kind, entities with and without Wikidata ids,
  and titles with characters that must be escaped (<, &, quotes).
- `benchmarks/corpus.py`: thousands of briefs of news-like prose, written
  again for Hugo and Pelican.

Deterministic (seeded random.Random): the same call writes the same files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Annotation", "RegistryEntry", "SiteBrief", "Source", "generate_site", "site_files", "yq"]


def yq(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Source:
    """Where a brief's story comes from: the sidecar's `source`."""

    name: str
    url: str
    author: str | None = None
    published: str | None = None  # ISO date


@dataclass(frozen=True)
class Annotation:
    """A note on a span of the article; `quote` must occur in it exactly once."""

    quote: str
    note: str
    kind: str


@dataclass
class SiteBrief:
    """One brief as files: `content/<stem><suffix>` and `content/<stem>.yaml`."""

    stem: str  # path below content/ without suffix; its last part is the slug
    article: str  # the article's text, Markdown or wire copy
    title: str
    date: str  # ISO date, or date and time
    entities: Mapping[str, Iterable[str]]  # entity type -> names; empty types are left out
    summary: str | None = None
    source: Source | None = None
    annotations: list[Annotation] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    suffix: str = ".md"  # ".txt" for wire copy


@dataclass(frozen=True)
class RegistryEntry:
    """One entity of `content/entities.yaml`."""

    type: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


def sidecar(brief: SiteBrief) -> str:
    """The YAML sidecar of a brief, per the briefgen content format."""
    lines = [f"title: {yq(brief.title)}", f"date: {brief.date}"]
    if brief.summary is not None:
        lines.append(f"summary: {yq(brief.summary)}")
    if brief.source is not None:
        lines += ["source:", f"  name: {yq(brief.source.name)}", f"  url: {yq(brief.source.url)}"]
        if brief.source.author is not None:
            lines.append(f"  author: {yq(brief.source.author)}")
        if brief.source.published is not None:
            lines.append(f"  published: {brief.source.published}")
    lines.append("entities:")
    for etype, names in brief.entities.items():
        if names:
            lines.append(f"  {etype}:")
            lines += [f"    - {yq(name)}" for name in names]
    if brief.annotations:
        lines.append("annotations:")
        for a in brief.annotations:
            lines += [f"  - quote: {yq(a.quote)}", f"    note: {yq(a.note)}", f"    kind: {a.kind}"]
    if brief.tags:
        lines.append("tags:")
        lines += [f"  - {yq(tag)}" for tag in brief.tags]
    return "\n".join(lines) + "\n"


def registry_yaml(entries: Iterable[RegistryEntry], header: str) -> str:
    """content/entities.yaml: the entries grouped by type, each group in the order given."""
    groups: dict[str, list[RegistryEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.type, []).append(entry)
    lines = [f"# {header}"]
    for etype, members in groups.items():
        lines.append(f"{etype}:")
        for e in members:
            lines.append(f"  - name: {yq(e.name)}")
            if e.aliases:
                lines.append(f"    aliases: [{', '.join(yq(a) for a in e.aliases)}]")
            lines.append(f"    description: {yq(e.description)}")
            if e.wikidata:
                lines.append(f"    wikidata: {e.wikidata}")
    return "\n".join(lines) + "\n"


def site_files(
    config: Mapping[str, str | int], briefs: Iterable[SiteBrief], registry: Iterable[RegistryEntry],
    registry_header: str,
) -> Iterator[tuple[str, str]]:
    """(path relative to the site folder, text) of every file of the site."""
    yield "briefgen.yaml", "".join(
        f"{key}: {yq(value) if isinstance(value, str) else value}\n" for key, value in config.items())
    for brief in briefs:
        yield f"content/{brief.stem}{brief.suffix}", brief.article
        yield f"content/{brief.stem}.yaml", sidecar(brief)
    yield "content/entities.yaml", registry_yaml(registry, registry_header)


# --------------------------------------------------------------------------
# The tests' site

PEOPLE = [
    ("Ada Lovelace", ["Lovelace"], "Q7259"), ("Charles Babbage", ["Babbage"], "Q46633"),
    ("Grace Hopper", ["Hopper"], "Q11591"), ("Alan Turing", ["Turing"], "Q7251"),
    ("Katherine Johnson", [], "Q242754"), ("Tim Berners-Lee", [], "Q80"),
    ("Hedy Lamarr", ["Lamarr"], None), ("Claude Shannon", ["Shannon"], "Q92760"),
    ("Barbara Liskov", ["Liskov"], None), ("Donald Knuth", ["Knuth"], "Q17457"),
    ("Margaret Hamilton", [], None), ("Edsger Dijkstra", ["Dijkstra"], "Q8556"),
    ("Zoë Ångström", [], None), ("Đorđe Petrović", [], None),
]
ORGANIZATIONS = [
    ("Analytical Society", [], None), ("Bletchley Park", [], "Q155489"),
    ("Royal Society", [], "Q123885"), ("AT&T Bell Labs", ["Bell Labs"], None),
    ("Standards & Trials Board", ["S&T Board"], None), ("CERN", [], "Q42944"),
]
PLACES = [
    ("London", [], "Q84"), ("Zürich", [], "Q72"), ("Geneva", [], "Q71"), ("Boston", [], "Q100"),
    ("Princeton", [], None), ("Manchester", [], "Q18125"), ("São Paulo", [], "Q174"),
]
TOPICS = [
    ("Computing history", [], None), ("Cryptography", [], "Q8789"), ("Programming languages", [], None),
    ("Space race", [], None), ("Open standards", [], None),
]
KINDS = ["note", "context", "fact-check", "correction", "question"]
TAGS = ["History", "Science", "Policy", "Q&A", "Long read", "Europe"]
WORDS = ("report said the committee would meet again after reviewing the figures and the outside "
         "experts asked for more time before any vote while officials declined to comment").split()


def _filler(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def generate_site(root: Path, briefs: int = 300, seed: int = 7) -> Path:
    """Write a site of `briefs` briefs into `root` and return it."""
    from sitekit import write_site  # here, not at the top: it needs pytest, which the benchmarks do without

    rng = random.Random(seed)
    config = {"title": "Generated <Briefs> & Co", "description": "A generated site for output checks.",
              "timezone": "Europe/Zurich", "page_size": 25}
    pools = {"people": PEOPLE, "organizations": ORGANIZATIONS, "places": PLACES, "topics": TOPICS}
    registry = [RegistryEntry(kind, name, f"{name}, as the briefs describe it & more.", tuple(aliases), qid)
                for kind, pool in pools.items() for name, aliases, qid in pool]

    slugs = [f"brief-{number:04d}" for number in range(briefs)]
    items = []
    for number, slug in enumerate(slugs):
        year = 2022 + number % 3
        month = 1 + (number * 7) % 12
        day = 1 + (number * 11) % 28
        chosen = {kind: rng.sample(pool, k=rng.randint(1, min(3, len(pool)))) for kind, pool in pools.items()}
        names = [name for members in chosen.values() for name, _, _ in members]
        marker = f"in dispatch {number} the panel"
        sentences = [f"{name} {_filler(rng, rng.randint(4, 9))}." for name in names]
        sentences.insert(1, f"Officials said {marker} would report {_filler(rng, 5)}.")
        wire = number % 5 == 0
        if wire:
            points = [f"- Point {k} about {names[k % len(names)]}" for k in range(3)]
            article = "\n".join(points + sentences) + "\n"
        else:
            paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
            extras = []
            if number % 4 == 1:
                extras.append("| Year | Count |\n|---|---|\n| 2021 | 3 |\n| 2022 | 5 < 6 & 7 |")
            if number % 6 == 2:
                extras.append("```\nprint('<not a tag>' & 1)\n```")
            if number % 3 == 0 and number > 0:
                extras.append(f"See also [the earlier brief](/briefs/{slugs[number - 1]}/) and "
                              f"[a source](https://example.org/{number}?a=1&b=2).")
            if number % 7 == 3:
                extras.append("> A quoted passage, with *emphasis* and `code`.\n\n1. first\n2. second")
            article = "\n\n".join(paragraphs + extras) + "\n"

        title = rng.choice([
            f"Panel {number} reports on {names[0]}",
            f"{names[-1]} & partners: update {number}",
            f"Why <{names[0]}> matters, part {number}",
            f"“{names[0]}” in {names[-1]} — brief {number}",
        ])
        date = f"{year}-{month:02d}-{day:02d}"
        source = None
        if number % 3 != 2:
            source_name = rng.choice(["Wire & Co", "The Daily <Post>", "Agency"])
            author = rng.choice(["Jane Roe", "J. O’Neil", "Ana & Bo"]) if number % 2 else None
            source = Source(source_name, f"https://news.example.org/{year}/{slug}?x=1&y=2", author, date)
        items.append(SiteBrief(
            stem=f"{year}/{slug}", article=article, title=title,
            date=f"{date}T{8 + number % 10:02d}:{number % 60:02d}:00" if number % 3 == 0 else date,
            summary=f"A one-line summary of brief {number} with <b> & friends." if number % 2 == 0 else None,
            source=source, tags=rng.sample(TAGS, k=rng.randint(0, 2)),
            entities={kind: [name for name, _, _ in members] for kind, members in chosen.items()},
            annotations=[Annotation(marker, f"Note {number}: checked against **two** sources & the <record>.",
                                    KINDS[number % len(KINDS)])],
            suffix=".txt" if wire else ".md",
        ))
    return write_site(root, dict(site_files(config, items, registry, "descriptions and ids, shared by every brief")))
