"""`briefgen check`: validate a site without writing anything, and warn about likely mistakes.

Owns the warnings that are not errors: entities with no description,
near-duplicate entity names, entities a brief lists but never names, briefs
with no entities. Errors are the build's own (load, resolve, render bodies).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .build import Builder
from .errors import BuildWarning
from .model import Entity, Site

# Names this alike (difflib ratio) within one type are probably one entity spelt twice.
NEAR_DUPLICATE_RATIO = 0.88


@dataclass(frozen=True)
class CheckReport:
    """What `check` found in a site that has no errors."""

    briefs: int
    entities: int
    warnings: tuple[BuildWarning, ...]

    def summary(self) -> str:
        count = len(self.warnings)
        return (f"Checked {self.briefs} briefs and {self.entities} entities: no errors, "
                f"{count} warning{'s' if count != 1 else ''}.")


def check_site(site_dir: Path, *, drafts: bool = True) -> CheckReport:
    """Validate everything a build would, write nothing; raise the build's errors."""
    site, _, warnings = Builder(site_dir, drafts=drafts, use_cache=False).prepare()
    registry = _registry_name(site_dir)
    found = list(warnings)
    found.extend(entities_without_description(site, registry))
    found.extend(near_duplicate_entities(site))
    found.extend(briefs_without_entities(site))
    ordered = sorted(set(found), key=lambda w: (str(w.path or ""), w.line or 0, w.message))
    return CheckReport(briefs=len(site.briefs), entities=len(site.entities), warnings=tuple(ordered))


def _registry_name(site_dir: Path) -> Path:
    for name in ("entities.yaml", "entities.yml"):
        if (site_dir / "content" / name).is_file():
            return site_dir / "content" / name
    return site_dir / "content" / "entities.yaml"


def entities_without_description(site: Site, registry: Path) -> list[BuildWarning]:
    return [BuildWarning(f"{entity.type} entity '{entity.name}' has no description "
                         f"(add one in {registry.name})", registry)
            for entity in site.entities.values() if not entity.description]


def near_duplicate_entities(site: Site) -> list[BuildWarning]:
    """Pairs of entities of one type whose names differ by a typo or two."""
    by_type: dict[str, list[Entity]] = defaultdict(list)
    for entity in site.entities.values():
        by_type[entity.type].append(entity)
    warnings = []
    for entity_type, entities in sorted(by_type.items()):
        entities.sort(key=lambda e: e.name)
        matcher = difflib.SequenceMatcher(autojunk=False)
        for index, first in enumerate(entities):
            matcher.set_seq2(first.name.casefold())
            for second in entities[index + 1:]:
                if abs(len(second.name) - len(first.name)) > 3:
                    continue
                matcher.set_seq1(second.name.casefold())
                if (matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                        and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                        and matcher.ratio() >= NEAR_DUPLICATE_RATIO):
                    briefs = site.briefs_by_entity[second.key]
                    where = Path(briefs[0].sidecar_path) if briefs else None
                    warnings.append(BuildWarning(
                        f"{entity_type} '{first.name}' and '{second.name}' look like one entity spelt twice "
                        f"(ids '{first.id}' and '{second.id}')", where))
    return warnings


def briefs_without_entities(site: Site) -> list[BuildWarning]:
    return [BuildWarning("brief names no entities (add `entities:` to link its people, places, ...)",
                         Path(brief.sidecar_path)) for brief in site.briefs if not brief.entities]
