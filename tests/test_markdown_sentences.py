"""The one sentence splitter: abbreviations, initials, numbers, scripts without case, quotes."""

from __future__ import annotations

import pytest

from briefgen.markdown.sentences import is_abbreviation, sentence_ends


def sentences(text: str) -> list[str]:
    """`text` cut at each sentence end, each sentence as written (closing quotes included)."""
    starts = [0, *(end.next_start for end in sentence_ends(text))]
    stops = [*(end.end for end in sentence_ends(text)), len(text)]
    return [text[start:stop] for start, stop in zip(starts, stops, strict=True)]


@pytest.mark.parametrize("text,expected", [
    # Abbreviations, dotted abbreviations and initials do not end a sentence.
    ("Aides met Mr. Putin in the U.S. on Monday. Then it rained.",
     ["Aides met Mr. Putin in the U.S. on Monday.", "Then it rained."]),
    ("The U.S. Senate voted. Dr. Smith and J. P. Morgan agreed.",
     ["The U.S. Senate voted.", "Dr. Smith and J. P. Morgan agreed."]),
    ("Gen. Milley and Maj. Gen. Ryder spoke. It ended.", ["Gen. Milley and Maj. Gen. Ryder spoke.", "It ended."]),
    # "No." before a number is an abbreviation; "no." before a word ends its sentence.
    ("A spokesman at No. 10 said so. It ended.", ["A spokesman at No. 10 said so.", "It ended."]),
    ("He said no. Then he left.", ["He said no.", "Then he left."]),
    # A sentence may start with a digit, but not with a lowercase word.
    ("Prices rose. 10 banks failed.", ["Prices rose.", "10 banks failed."]),
    ("It cost 3 vs. the 4 expected. Fine.", ["It cost 3 vs. the 4 expected.", "Fine."]),
    ("See fig. three, e.g. below. Done.", ["See fig. three, e.g. below.", "Done."]),
    # Scripts without case, and Greek and Cyrillic capitals, start sentences.
    ("Putin welcomed it. Κυριάκος Μητσοτάκης later left.", ["Putin welcomed it.", "Κυριάκος Μητσοτάκης later left."]),
    ("Talks ended. Путин уехал.", ["Talks ended.", "Путин уехал."]),
    ("Putin spoke. 习近平 replied.", ["Putin spoke.", "习近平 replied."]),
    ("He left. قال ولي العهد إن الخطة جاهزة.", ["He left.", "قال ولي العهد إن الخطة جاهزة."]),
    # Quotes and brackets: closing ones stay with the sentence they end, opening ones start the next.
    ("He said no. «Putin lies», she said.", ["He said no.", "«Putin lies», she said."]),
    ("“We agree.” Talks went on (as planned.) Next.", ["“We agree.”", "Talks went on (as planned.)", "Next."]),
    ("Really? Yes! Well… Maybe.", ["Really?", "Yes!", "Well…", "Maybe."]),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_an_end_has_its_mark_its_end_and_the_next_start() -> None:
    text = "“It ended.”  Next one."
    [end] = sentence_ends(text)
    assert (text[end.mark], text[:end.end], text[end.next_start:]) == (".", "“It ended.”", "Next one.")


@pytest.mark.parametrize("word,next_char,expected", [
    ("Mr", "P", True), ("mr", "p", True), ("U.S", "S", True), ("J", "P", True), ("Maj", "G", True),
    ("No", "1", True), ("No", "T", False), ("no", "", False), ("j", "P", False), ("Putin", "T", False),
    ("Sept", "1", True), ("Univ", "o", True),
])
def test_is_abbreviation(word: str, next_char: str, expected: bool) -> None:
    assert is_abbreviation(word, next_char) is expected
