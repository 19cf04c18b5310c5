"""Precision and recall of `briefgen import`'s entity suggestions, per type, on labelled news stories.

    python benchmarks/suggestions.py              # the table (Markdown)
    python benchmarks/suggestions.py --mistakes   # and every wrong, repeated and missed suggestion
    python benchmarks/suggestions.py --by set     # tuning stories and held-out ones apart (or desk, region)

The stories and their labels are in tests/import_labelled/ (see its README);
the scoring is tests/suggestion_scores.py, which the tests share. Each story
is imported as into a new site (no registry). Deterministic: no timing, no
randomness; the same code gives the same figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # briefgen from this checkout; the scoring beside the tests

from suggestion_scores import evaluate, load_stories, table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true", help="list every wrong, repeated and missed suggestion")
    parser.add_argument("--by", choices=("desk", "region", "set"),
                        help="also the overall figures per desk, region or set (tuning, held-out)")
    parser.add_argument("--only", choices=("tuning", "held-out"), help="score one set of stories only")
    args = parser.parse_args(argv)
    stories = [story for story in load_stories() if args.only in (None, story.set)]
    scores = evaluate(stories)
    print(f"{len(stories)} stories, {sum(len(s.text.split()) for s in stories)} words\n")
    print("\n".join(table(scores)))
    if args.by:
        print(f"\n| {args.by} | stories | precision | recall | F1 |\n|---|---|---|---|---|")
        groups = sorted({getattr(story, args.by) for story in stories})
        for group in groups:
            chosen = [story for story in stories if getattr(story, args.by) == group]
            overall = evaluate(chosen).overall
            print(f"| {group} | {len(chosen)} | {overall.precision:.3f} | {overall.recall:.3f} | {overall.f1:.3f} |")
    if args.mistakes:
        print()
        for story, kind, what, name in scores.mistakes:
            print(f"{story}: {what} {kind}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
