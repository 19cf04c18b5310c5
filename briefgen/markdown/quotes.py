"""Fuzzy quote location: where an annotation's quote is in a brief's text, or why it is not.

Owns the W3C TextQuoteSelector rules briefgen follows (white space folded,
smart quotes and dashes matching their plain forms, Markdown markup in the
quote ignored, `prefix`/`suffix` picking one of several matches) and the
hints for a quote that is not found. Reads a `TextMap`; must not change the
element tree, and knows nothing of entities, files or templates.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from ..model import Annotation
from .textmap import BLOCK_BREAK, TextMap, normalise, strip_markup


@dataclass(frozen=True)
class QuoteProblem:
    """An annotation whose quote could not be anchored, and why."""

    annotation: Annotation
    message: str
    hint: str | None


def locate_quote(text_map: TextMap, annotation: Annotation) -> tuple[int, int] | QuoteProblem:
    """Where an annotation's quote is in the text (W3C TextQuoteSelector).

    White space is folded, smart quotes and dashes match their plain forms and
    Markdown markup in the quote is ignored; `prefix`/`suffix` pick one of
    several matches. Returns a text range, or the problem with a hint.
    """
    haystack = text_map.normal
    candidates = [normalise(annotation.quote)]
    stripped = normalise(strip_markup(annotation.quote))
    if stripped and stripped != candidates[0]:
        candidates.append(stripped)
    for needle in candidates:
        if not needle:
            continue
        starts = _find_all(haystack, needle)
        if not starts:
            continue
        if annotation.prefix is not None or annotation.suffix is not None:
            starts = _with_context(haystack, starts, len(needle), annotation)
            if not starts:
                return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is in the text, "
                                    "but not with the given prefix/suffix",
                                    "check `prefix:` and `suffix:` against the text around the quote")
        if len(starts) > 1:
            places = "; ".join(f"…{_short(_window(haystack, s, len(needle)), 60)}…" for s in starts[:5])
            return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is found {len(starts)} "
                                f"times in the text: {places}",
                                "add `prefix:` (text just before) or `suffix:` (text just after) to pick one")
        return text_map.to_text_range(starts[0], starts[0] + len(needle))
    closest = closest_passage(haystack, candidates[-1] or candidates[0])
    hint = f"the closest passage is \"{closest}\"" if closest else "copy the quote from the article text"
    return QuoteProblem(annotation, f"quote \"{_short(annotation.quote)}\" is not in the text", hint)


def _find_all(haystack: str, needle: str) -> list[int]:
    starts = []
    position = haystack.find(needle)
    while position >= 0:
        starts.append(position)
        position = haystack.find(needle, position + 1)
    return starts


def _with_context(haystack: str, starts: list[int], length: int, annotation: Annotation) -> list[int]:
    """The starts of the matches that have the annotation's `prefix` before them and `suffix` after."""
    prefix = normalise(strip_markup(annotation.prefix or ""))
    suffix = normalise(strip_markup(annotation.suffix or ""))
    return [start for start in starts if _fits(haystack, start, start + length, prefix, suffix)]


def _fits(haystack: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    before = haystack[:start].replace(BLOCK_BREAK, " ").rstrip()
    after = haystack[end:].replace(BLOCK_BREAK, " ").lstrip()
    return before.endswith(prefix.rstrip()) and after.startswith(suffix.lstrip())


def _window(haystack: str, start: int, length: int) -> str:
    return haystack[max(0, start - 20): start + length + 20].replace(BLOCK_BREAK, " ")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def closest_passage(haystack: str, needle: str) -> str | None:
    """The passage of the text most like `needle` (for a typo in a quote).

    Windows start at word starts and are scored roughly first; the best few
    are then trimmed to the word ends that fit the quote best.
    """
    if not needle or not haystack:
        return None
    text = haystack.replace(BLOCK_BREAK, "\n")
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S", text)][:20000]
    ends = [m.end() for m in re.finditer(r"\S(?!\S)", text)]
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    best_ratio, best = 0.0, None
    for start in _rough_starts(matcher, text, starts, len(needle)):
        for end in ends[bisect.bisect_right(ends, start):]:
            if end - start < len(needle) * 0.6:
                continue
            if end - start > len(needle) * 1.4:
                break
            if "\n" in text[start:end]:
                break
            matcher.set_seq1(text[start:end])
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best_ratio, best = ratio, text[start:end]
    if best is None or best_ratio < 0.6:
        return None
    return _short(best, 120)


def _rough_starts(matcher: difflib.SequenceMatcher[str], text: str, starts: list[int], width: int) -> list[int]:
    """The ten word starts whose window of `width` characters is most like the needle (set as seq2)."""
    rough: list[tuple[float, int]] = []
    for start in starts:
        matcher.set_seq1(text[start: start + width])
        if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
            continue
        rough.append((matcher.ratio(), start))
    rough.sort(key=lambda item: (-item[0], item[1]))
    return [start for _, start in rough[:10]]
