"""A small site of hand-made briefs where annotations are hard to anchor on the published page.

Quotes that repeat (in the body, the title, the notes list), overlap each other,
start or end inside mentions and links, cross emphasis, and sit next to other
notes' numbers and to digits; a wire-copy brief; a brief without annotations.
The browser test anchors every annotation with a real selector implementation,
and the HTML checker reads every page.
"""

from __future__ import annotations

from pathlib import Path

from sitekit import write_site

FILES = {
    "briefgen.yaml": "title: Annotated\ntimezone: UTC\n",
    "content/entities.yaml": """\
        people:
          - name: Ada Lovelace
            aliases: [Lovelace]
          - name: Charles Babbage
        places:
          - name: London
        """,
    "content/repeats.md": """\
        The vote was close. Nobody expected the vote to be close, but the vote passed.

        Budget vote day. Prices rose again.

        Prices rose again.
        """,
    "content/repeats.yaml": """\
        title: Budget vote
        date: 2024-03-01
        key_points: [The vote was close]
        annotations:
          - {quote: the vote, suffix: " passed", note: The final tally was 51 to 49.}
          - {quote: the vote, prefix: "Nobody expected ", note: the vote}
          - {quote: The vote was close, note: "Close, as the key point says."}
          - {quote: Budget vote, note: Also the title.}
          - {quote: Prices rose again., prefix: "Budget vote day. ", note: In March.}
          - {quote: Prices rose again., prefix: "again.", note: "The same words, a paragraph on."}
        """,
    "content/overlaps.md": """\
        The committee approved the budget after a long debate on Tuesday, in 2019 and 2020 budgets alike.
        """,
    "content/overlaps.yaml": """\
        title: Overlapping notes
        date: 2024-03-02
        annotations:
          - {quote: approved the budget after a long debate, note: Outer.}
          - {quote: the budget, kind: context, note: Inner.}
          - {quote: a long debate on Tuesday, kind: fact-check, note: Crosses the outer one., rating: Misleading,
             by: Desk, date: "2024-05-03T10:30:00+02:00"}
          - {quote: "2019", note: A year next to a number.}
          - {quote: and 2020, kind: correction, note: Another year.}
          - {quote: The committee approved the budget after a long debate on Tuesday, note: Around all of them.}
        """,
    "content/links.md": """\
        Then she said Ada Lovelace today would read [the report](https://example.org/r) carefully,
        calling it *very* important for Charles Babbage and for London.

        Lovelace wrote notes. Lovelace wrote notes.
        """,
    "content/links.yaml": """\
        title: Quotes across links
        date: 2024-03-03
        source: {name: Agency, url: "https://example.org/story"}
        entities:
          people: [Ada Lovelace, Charles Babbage]
          places: [London]
        annotations:
          - {quote: said Ada, note: Ends inside a mention.}
          - {quote: Lovelace today, kind: context, note: Starts inside a mention.}
          - {quote: read the report carefully, note: Crosses a link.}
          - quote: "*very* important for Charles"
            kind: fact-check
            note: Crosses emphasis and a mention.
            by: {name: "Eve <script>alert(1)</script>", url: "https://example.org/eve?a=1&b=<2>"}
            date: 2024-05-03
            rating: {value: 1, best: 5, worst: 1, name: "False <img src=x onerror=alert(1)>"}
          - {quote: London, note: Wholly inside a mention.}
          - {quote: Lovelace wrote notes., prefix: "notes. ", note: The second time.}
        """,
    "content/wire.txt": """\
        - Wire copy with notes
        LONDON (Agency) - Ministers met in London on Monday. Ministers met again on Tuesday.
        Ministers met in London on Monday.
        """,
    "content/wire.yaml": """\
        title: Wire copy
        date: 2024-03-04
        entities:
          places: [London]
        annotations:
          - {quote: Ministers met in London on Monday., prefix: "(Agency) - ", note: The first line.}
          - {quote: Ministers met in London on Monday., prefix: "Tuesday. ", note: The repeat.}
          - {quote: Ministers met again, note: Once.}
        """,
    "content/plain.md": "Nothing is annotated here.\n",
    "content/plain.yaml": "title: Plain\ndate: 2024-03-05\n",
}


def write_annotated_site(root: Path) -> Path:
    """Write the hand-made site into `root` and return it."""
    return write_site(root, FILES)
