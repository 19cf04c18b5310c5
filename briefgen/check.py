"""`briefgen check`: validate a site without writing anything, and warn about likely mistakes.

Owns the warnings that are not errors: entities with no description,
near-duplicate entity names, entities a brief lists but never names, briefs
with no entities, dates more than a year ahead. Errors are the build's own
(load, resolve, render bodies): drafts and scheduled briefs are checked too, so
a brief's errors show before the build that publishes it.
"""

from __future__ import annotations

import difflib
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .build import Builder
from .config import Config, load_config
from .errors import BriefgenError, BuildWarning
from .model import Brief, Entity, EntityRef, Site
from .schedule import scheduled_note
from .slugs import slugify
from .store import loaded
from .yamlfile import YamlMap, load_yaml_file

# Names this alike (difflib ratio) within one type are probably one entity spelt twice.
NEAR_DUPLICATE_RATIO = 0.88
# A brief dated further ahead than this is more likely a typo'd year than a plan.
FAR_FUTURE = timedelta(days=365)


@dataclass(frozen=True)
class CheckReport:
    """What `check` found in a site that has no errors."""

    briefs: int
    entities: int
    warnings: tuple[BuildWarning, ...]
    notes: tuple[str, ...] = ()  # what a build would leave out on purpose (briefs scheduled for later)

    def summary(self) -> str:
        count = len(self.warnings)
        return (f"Checked {self.briefs} briefs and {self.entities} entities: no errors, "
                f"{count} warning{'s' if count != 1 else ''}.")


def check_site(site_dir: Path, *, drafts: bool = True, future: bool = False) -> CheckReport:
    """Validate everything a build would, write nothing in the site; raise the build's errors.

    It is a whole build, into a scratch folder thrown away after: templates,
    static files and every page are checked exactly as `build` checks them,
    drafts and briefs scheduled for later included. `future` is the build's
    option: without it the report notes the briefs a build would leave out.
    """
    config = load_config(site_dir).with_overrides(future=future)
    with tempfile.TemporaryDirectory(prefix="briefgen-check-") as scratch:
        builder = Builder(site_dir, Path(scratch) / "site", drafts=drafts, use_cache=False, search=False,
                          future=True)
        warnings = builder.build().warnings
        assert builder.memory is not None, "a build that succeeded keeps its memory"
        site = builder.memory.state.snapshot()
        refs = [ref for record in builder.memory.sources.values() for ref in loaded(record.refs)]
        registry_refs = list(loaded(builder.memory.registry.refs)) if builder.memory.registry else []
        briefs = [record.brief for record in builder.memory.sources.values()]
    registry = _registry_name(site_dir)
    found = list(warnings)
    found.extend(entities_without_description(site, registry))
    found.extend(near_duplicate_entities(site))
    found.extend(briefs_without_entities(site))
    found.extend(tags_sharing_a_page(site))
    found.extend(names_merged_by_their_slug(registry_refs + refs))
    found.extend(names_missing_their_registry_id(refs, registry_refs))
    found.extend(dates_far_ahead(briefs, config))
    ordered = sorted(set(found), key=lambda w: (str(w.path or ""), w.line or 0, w.message))
    note = scheduled_note(briefs, config)
    return CheckReport(briefs=len(site.briefs), entities=len(site.entities), warnings=tuple(ordered),
                       notes=(note,) if note else ())


def dates_far_ahead(briefs: Iterable[Brief], config: Config) -> list[BuildWarning]:
    """Briefs dated more than `FAR_FUTURE` after the build's time: a typo'd year (2204) keeps one off the site."""
    warnings = []
    for brief in sorted(briefs, key=lambda b: b.sidecar_path):
        if brief.date - config.now > FAR_FUTURE:
            warnings.append(BuildWarning(
                f"date {brief.date.date().isoformat()} is more than a year ahead: the brief is scheduled "
                "until then (a typo in the year?)", Path(brief.sidecar_path), _line_of_date(Path(brief.sidecar_path)),
                "date-far-ahead"))
    return warnings


def _line_of_date(sidecar: Path) -> int | None:
    try:
        data = load_yaml_file(sidecar)
    except BriefgenError:
        return None
    return data.line_of("date") if isinstance(data, YamlMap) else None


def _registry_name(site_dir: Path) -> Path:
    for name in ("entities.yaml", "entities.yml"):
        if (site_dir / "content" / name).is_file():
            return site_dir / "content" / name
    return site_dir / "content" / "entities.yaml"


def entities_without_description(site: Site, registry: Path) -> list[BuildWarning]:
    return [BuildWarning(f"{entity.type} entity '{entity.name}' has no description "
                         f"(add one in {registry.name})", registry, kind="missing-description")
            for entity in site.entities.values() if not entity.description]


def near_duplicate_entities(site: Site) -> list[BuildWarning]:
    """Pairs of entities of one type whose names differ by a typo or two."""
    by_type: dict[str, list[Entity]] = defaultdict(list)
    for entity in site.entities.values():
        by_type[entity.type].append(entity)
    warnings = []
    for entity_type, entities in sorted(by_type.items()):
        entities.sort(key=lambda e: e.name)
        for first, second in near_duplicate_pairs([entity.name for entity in entities]):
            one, other = entities[first], entities[second]
            if one.name.casefold() == other.name.casefold():
                continue  # one name, two ids: only an explicit id: makes that, on purpose
            briefs = site.briefs_by_entity[other.key]
            where = Path(briefs[0].sidecar_path) if briefs else None
            warnings.append(BuildWarning(
                f"{entity_type} '{one.name}' and '{other.name}' look like one entity spelt twice "
                f"(ids '{one.id}' and '{other.id}')", where, kind="near-duplicate-entity"))
    return warnings


def near_duplicate_pairs(names: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of names at most 3 characters apart in length whose case-folded
    forms have a difflib ratio of at least `NEAR_DUPLICATE_RATIO`.

    Not every pair is compared: that is quadratic, hours for 100,000 names.
    A ratio of r means the two names share a common subsequence covering r
    of their letters, so they are at most d = (1 - r) * (len + len')
    insertions and deletions apart. Cut a name into d + 1 pieces and each
    edit breaks at most one: some piece appears unbroken in the other name,
    shifted by at most d. So each name is indexed by its pieces, and each
    name looks up its substrings near each piece's place; only names that
    meet that way are compared.
    """
    folded = [name.casefold() for name in names]
    # Case-folding may lengthen a name ('ß' → 'ss'): widen the length window by as much.
    stretch = max((len(f) - len(n) for f, n in zip(folded, names, strict=True)), default=0)
    stretch = max(stretch, max((len(n) - len(f) for f, n in zip(folded, names, strict=True)), default=0))
    window = 3 + 2 * stretch
    slack = 1 - NEAR_DUPLICATE_RATIO + 1e-9  # over, never under: a spare candidate costs one comparison
    index: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    by_length: dict[int, list[tuple[int, int]]] = {}  # length → its pieces' (start, end)
    for number, name in enumerate(folded):
        length = len(name)
        if length not in by_length:
            # Enough pieces for the longest name it is compared with; a very short name may get
            # empty pieces, which every name contains: it is then compared with every name near its length.
            count = int(slack * (2 * length + window)) + 1
            by_length[length] = [(piece * length // count, (piece + 1) * length // count) for piece in range(count)]
        for piece, (start, end) in enumerate(by_length[length]):
            index[(length, piece, name[start:end])].append(number)
    candidates: set[tuple[int, int]] = set()
    for number, name in enumerate(folded):
        length = len(name)
        # Each pair is found from its longer (or equally long) name, looking up the shorter's pieces.
        for other_length in range(max(0, length - window), length + 1):
            pieces = by_length.get(other_length)
            if pieces is None:
                continue
            edits = int(slack * (length + other_length))
            if length - other_length > edits:
                continue
            for piece, (start, end) in enumerate(pieces):
                size = end - start
                for at in range(max(0, start - edits), min(length - size, start + edits) + 1):
                    for other in index.get((other_length, piece, name[at:at + size]), ()):
                        if other != number:
                            candidates.add((min(number, other), max(number, other)))
    pairs = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    for first, second in sorted(candidates):
        if abs(len(names[second]) - len(names[first])) > 3:
            continue
        matcher.set_seq2(folded[first])
        matcher.set_seq1(folded[second])
        if (matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.ratio() >= NEAR_DUPLICATE_RATIO):
            pairs.append((first, second))
    return pairs


def briefs_without_entities(site: Site) -> list[BuildWarning]:
    return [BuildWarning("brief names no entities (add `entities:` to link its people, places, ...)",
                         Path(brief.sidecar_path), kind="brief-without-entities")
            for brief in site.briefs if not brief.entities]


def tags_sharing_a_page(site: Site) -> list[BuildWarning]:
    """Tags written differently (beyond case and spacing) that give one slug, so share one page."""
    spellings: dict[str, dict[str, Brief]] = defaultdict(dict)
    for brief in sorted(site.briefs, key=lambda b: b.sidecar_path):
        for tag in brief.tags:
            spellings[slugify(tag)].setdefault(" ".join(tag.casefold().split()), brief)
    warnings = []
    for slug, found in sorted(spellings.items()):
        if len(found) > 1:
            names = " and ".join(f"'{name}'" for name in sorted(found))
            first = found[sorted(found)[-1]]
            warnings.append(BuildWarning(f"tags {names} share one page, tags/{slug}/ "
                                         "(rename one if they are different subjects)", Path(first.sidecar_path),
                                         kind="tags-share-a-page"))
    return warnings


def _folded(name: str) -> str:
    """A name with case, accents, spacing and punctuation left out: "O'Brien" and "OBrien" are one."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed.casefold() if char.isalnum())


def names_merged_by_their_slug(refs: Sequence[EntityRef]) -> list[BuildWarning]:
    """Names that differ (beyond case, accents and punctuation) but give the same id, so are one entity.

    Transliteration makes different names one slug: 李强 and 李蔷 are both li-qiang.
    """
    by_id: dict[tuple[str, str], dict[str, EntityRef]] = defaultdict(dict)
    for ref in refs:
        if not ref.explicit_id:
            by_id[(ref.type, ref.id)].setdefault(_folded(ref.name), ref)
    warnings = []
    for (type_name, entity_id), spellings in sorted(by_id.items()):
        if len(spellings) > 1:
            names = sorted(spellings.values(), key=lambda ref: (ref.path, ref.line or 0))
            listed = " and ".join(f"'{ref.name}'" for ref in names)
            warnings.append(BuildWarning(
                f"{type_name} {listed} all give the id '{entity_id}', so they are one entity "
                "(if they are different, give one of them an `id:`)", Path(names[-1].path), names[-1].line,
                "names-share-an-id"))
    return warnings


def names_missing_their_registry_id(refs: Sequence[EntityRef], registry_refs: Sequence[EntityRef]
                                    ) -> list[BuildWarning]:
    """A brief naming an entity by a name the registry gives its own `id:`, without that id.

    By the content format the name then makes an entity of its own (its slug),
    not the registry's: almost always a slip.
    """
    registered: dict[tuple[str, str], EntityRef] = {}
    for ref in registry_refs:
        if ref.explicit_id:
            for name in (ref.name, *ref.aliases):
                registered.setdefault((ref.type, name), ref)
    warnings = []
    for ref in refs:
        entry = registered.get((ref.type, ref.name))
        if entry is not None and not ref.explicit_id and ref.id != entry.id:
            warnings.append(BuildWarning(
                f"{ref.type} '{ref.name}' makes its own entity '{ref.id}', but the registry gives "
                f"'{ref.name}' the id '{entry.id}' (write {{name: {ref.name}, id: {entry.id}}} to mean that one)",
                Path(ref.path), ref.line, "registry-id-not-used"))
    return warnings
