"""A generated site of a few hundred briefs, for checks that need more than the example.

Deterministic (a seeded random.Random): the same call writes the same files.
The content is varied the way real briefs are: Markdown and wire copy, dates
with and without a time, sources, key points, tables, code, links between
briefs, annotations of every kind, entities with and without Wikidata ids,
and titles with characters that must be escaped (<, &, quotes).
"""

from __future__ import annotations

import random
from pathlib import Path

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


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filler(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def generate_site(root: Path, briefs: int = 300, seed: int = 7) -> Path:
    """Write a site of `briefs` briefs into `root` and return it."""
    rng = random.Random(seed)
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    (root / "briefgen.yaml").write_text(
        'title: "Generated <Briefs> & Co"\ndescription: A generated site for output checks.\n'
        "timezone: Europe/Zurich\npage_size: 25\n", encoding="utf-8")
    registry = ["# descriptions and ids, shared by every brief"]
    pools = {"people": PEOPLE, "organizations": ORGANIZATIONS, "places": PLACES, "topics": TOPICS}
    for kind, pool in pools.items():
        registry.append(f"{kind}:")
        for name, aliases, qid in pool:
            registry.append(f"  - name: {_yaml_str(name)}")
            if aliases:
                registry.append(f"    aliases: [{', '.join(_yaml_str(a) for a in aliases)}]")
            registry.append(f"    description: {_yaml_str(f'{name}, as the briefs describe it & more.')}")
            if qid:
                registry.append(f"    wikidata: {qid}")
    (content / "entities.yaml").write_text("\n".join(registry) + "\n", encoding="utf-8")

    slugs = [f"brief-{number:04d}" for number in range(briefs)]
    for number, slug in enumerate(slugs):
        year = 2022 + number % 3
        month = 1 + (number * 7) % 12
        day = 1 + (number * 11) % 28
        chosen = {kind: rng.sample(pool, k=rng.randint(1, min(3, len(pool)))) for kind, pool in pools.items()}
        names = [name for members in chosen.values() for name, _, _ in members]
        folder = content / str(year)
        folder.mkdir(exist_ok=True)
        marker = f"in dispatch {number} the panel"
        sentences = [f"{name} {_filler(rng, rng.randint(4, 9))}." for name in names]
        sentences.insert(1, f"Officials said {marker} would report {_filler(rng, 5)}.")
        wire = number % 5 == 0
        if wire:
            points = [f"- Point {k} about {names[k % len(names)]}" for k in range(3)]
            article = "\n".join(points + sentences) + "\n"
            (folder / f"{slug}.txt").write_text(article, encoding="utf-8")
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
            (folder / f"{slug}.md").write_text(article, encoding="utf-8")

        title = rng.choice([
            f"Panel {number} reports on {names[0]}",
            f"{names[-1]} & partners: update {number}",
            f"Why <{names[0]}> matters, part {number}",
            f"“{names[0]}” in {names[-1]} — brief {number}",
        ])
        lines = [f"title: {_yaml_str(title)}"]
        if number % 3 == 0:
            lines.append(f"date: {year}-{month:02d}-{day:02d}T{8 + number % 10:02d}:{number % 60:02d}:00")
        else:
            lines.append(f"date: {year}-{month:02d}-{day:02d}")
        if number % 2 == 0:
            lines.append(f"summary: {_yaml_str(f'A one-line summary of brief {number} with <b> & friends.')}")
        if number % 3 != 2:
            lines.append("source:")
            lines.append(f"  name: {_yaml_str(rng.choice(['Wire & Co', 'The Daily <Post>', 'Agency']))}")
            lines.append(f"  url: https://news.example.org/{year}/{slug}?x=1&y=2")
            if number % 2:
                lines.append(f"  author: {_yaml_str(rng.choice(['Jane Roe', 'J. O’Neil', 'Ana & Bo']))}")
            lines.append(f"  published: {year}-{month:02d}-{day:02d}")
        lines.append(f"tags: [{', '.join(_yaml_str(t) for t in rng.sample(TAGS, k=rng.randint(0, 2)))}]")
        lines.append("entities:")
        for kind, members in chosen.items():
            lines.append(f"  {kind}: [{', '.join(_yaml_str(name) for name, _, _ in members)}]")
        lines.append("annotations:")
        lines.append(f"  - quote: {_yaml_str(marker)}")
        lines.append(f"    kind: {KINDS[number % len(KINDS)]}")
        lines.append(f"    note: {_yaml_str(f'Note {number}: checked against **two** sources & the <record>.')}")
        (folder / f"{slug}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
