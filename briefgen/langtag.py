"""Language tags (BCP 47, RFC 5646): whether one is well formed, and which way its script reads.

Owns the grammar of a tag (language, extlang, script, region, variants,
extensions, private use, and the grandfathered tags), checked for shape only,
as the RFC's "well-formed" level asks: `en`, `pt-BR`, `zh-Hant-TW`,
`sr-Latn-RS`, `x-private`. Must not import other briefgen modules.
"""

from __future__ import annotations

import re

_LANGTAG = re.compile(r"""
    ^(?:
      (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
      (?:-(?P<script>[a-z]{4}))?
      (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
      (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
      (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*
      (?:-x(?:-[a-z0-9]{1,8})+)?
    |x(?:-[a-z0-9]{1,8})+
    )$""", re.VERBOSE)
# RFC 5646's grandfathered tags: well formed though they follow no rule above.
_GRANDFATHERED = frozenset({
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo", "i-navajo",
    "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de", "art-lojban", "cel-gaulish",
    "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang"})
# Scripts written right to left (ISO 15924), and languages whose usual script is one of them.
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr", "yezi"})
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku-arab", "pa-arab", "ps",
                           "sd", "syr", "ug", "ur", "yi", "prs", "pnb", "azb", "lrc", "mzn", "glk", "bal"})


def is_language_tag(tag: str) -> bool:
    """Whether `tag` is a well-formed BCP 47 language tag (case does not matter)."""
    lowered = tag.lower()
    if lowered in _GRANDFATHERED:
        return True
    match = _LANGTAG.match(lowered)
    if match is None:
        return False
    # No singleton (extension letter) twice, and no variant twice, as the RFC requires.
    subtags = lowered.split("-x-")[0].split("-")
    singletons = [part for part in subtags[1:] if len(part) == 1]
    variants = [part for part in subtags[1:] if len(part) >= 5 or (len(part) == 4 and part[0].isdigit())]
    return len(singletons) == len(set(singletons)) and len(variants) == len(set(variants))


def is_right_to_left(tag: str) -> bool:
    """Whether text in this language is written right to left (by its script subtag, else its language)."""
    parts = tag.lower().split("-")
    script = next((part for part in parts[1:4] if len(part) == 4 and part.isalpha()), None)
    if script is not None:
        return script in RTL_SCRIPTS
    return parts[0] in RTL_LANGUAGES
