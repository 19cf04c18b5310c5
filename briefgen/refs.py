"""Entity refs as files write them: a sidecar's `entities:` and the registry, validated into `EntityRef`s.

Owns the shape of a ref (a name, or a mapping with `name`, `id`, `aliases`,
`description`, `wikidata`), its id (given, or made from the name), and the
registry file. Must not merge refs into entities (entities.py does) or read
briefs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from .config import Config
from .errors import BriefgenError, ErrorCollector, did_you_mean
from .model import EntityRef
from .photoref import read_photo
from .slugs import MAX_SLUG_LENGTH, slugify
from .yamlfile import YamlList, YamlMap, load_yaml_file

ENTITY_KEYS = ("name", "id", "aliases", "description", "wikidata", "redirect_from", "image", "url")
REGISTRY_ONLY = ("redirect_from", "image", "url")  # said of an entity in one place, not in every brief naming it
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")


def ref_id(name: str, given: str | None) -> str:
    """An entity's id: the `id:` its ref gives, else the slug of its name."""
    return given.strip() if given is not None else slugify(name)


def read_entity_refs(value: Any, parent: YamlMap | None, key: str, path: Path, config: Config,
                     errors: ErrorCollector, *, registry: bool = False) -> list[EntityRef]:
    """A mapping of entity type → list of refs (names or mappings) → EntityRefs.

    `redirect_from` is read in the registry only (`registry`): the old pages
    of one entity are said in one place.
    """
    if value is None:
        return []
    line = parent.line_of(key) if parent is not None else 1
    if not isinstance(value, YamlMap):
        errors.add(BriefgenError("entities must be a mapping of type to a list of names", path, line,
                                 f"types: {', '.join(config.type_names)}"))
        return []
    refs: list[EntityRef] = []
    for type_name, items in value.items():
        type_line = value.line_of(type_name)
        if type_name not in config.type_names:
            hint = (did_you_mean(str(type_name), config.type_names) or
                    f"valid types: {', '.join(config.type_names)}; "
                    "declare others under `entity_types:` in briefgen.yaml")
            errors.add(BriefgenError(f"unknown entity type '{type_name}'", path, type_line, hint))
            continue
        if items is None:
            continue
        if not isinstance(items, YamlList):
            errors.add(BriefgenError(f"'{type_name}' must be a list of names", path, type_line))
            continue
        for index, item in enumerate(items):
            ref = _entity_ref(type_name, item, items.line_of(index), path, errors)
            if ref is not None and isinstance(item, YamlMap) and any(key in item for key in REGISTRY_ONLY):
                ref = _registry_only(ref, item, registry, config, errors)
            if ref is not None:
                refs.append(ref)
    return refs


def _registry_only(ref: EntityRef, item: YamlMap, registry: bool, config: Config,
                   errors: ErrorCollector) -> EntityRef | None:
    """The keys only the registry gives: `redirect_from` and `image` (a portrait, a logo)."""
    if not registry:
        key = next(key for key in REGISTRY_ONLY if key in item)
        errors.add(BriefgenError(f"`{key}` of '{ref.name}' belongs in the entity registry", ref.path,
                                 item.line_of(key), "move it to content/entities.yaml"
                                 + (" (`briefgen entities merge` and `rename` write it there)"
                                    if key == "redirect_from" else "")))
        return None
    if item.get("image") is not None:
        def fail(message: str, line: int | None, hint: str | None = None) -> None:
            errors.add(BriefgenError(message, ref.path, line, hint))

        photo = read_photo(item["image"], item.line_of("image"), Path(ref.path), config.content_dir, fail)
        if photo is None:
            return None
        ref = replace(ref, image=photo)
    if item.get("url") is not None:
        website = str(item.raw.get("url", item["url"])).strip()
        if not website.startswith(("https://", "http://")) or isinstance(item["url"], (dict, list)):
            errors.add(BriefgenError(f"url '{website[:80]}' of '{ref.name}' is not an http or https URL", ref.path,
                                     item.line_of("url"), "write its whole address: https://example.org/about"))
            return None
        ref = replace(ref, website=website)
    return _with_redirects(ref, item, config, errors) if "redirect_from" in item else ref


def _with_redirects(ref: EntityRef, item: YamlMap, config: Config, errors: ErrorCollector) -> EntityRef | None:
    """`redirect_from: [TYPE/ID, ...]` (or `ID`, of the entity's own type): the pages it had before."""
    line = item.line_of("redirect_from")
    value = item["redirect_from"]
    written = value if isinstance(value, list) else [value]
    keys: list[tuple[str, str]] = []
    for old in written:
        text = str(old).strip().strip("/") if old is not None and not isinstance(old, (dict, list)) else ""
        type_name, _, entity_id = text.rpartition("/")
        type_name = type_name or ref.type
        if type_name not in config.type_names or not ID_PATTERN.match(entity_id):
            errors.add(BriefgenError(f"redirect_from '{text}' of '{ref.name}' is not an entity's address", ref.path,
                                     line, f"write TYPE/ID, as the old page's address has it, e.g. "
                                     f"'{ref.type}/{slugify(entity_id) or 'old-id'}'"))
            return None
        if (type_name, entity_id) != (ref.type, ref.id):
            keys.append((type_name, entity_id))
    return replace(ref, redirect_from=tuple(dict.fromkeys(keys)))


def _id_problem(type_name: str, name: str, entity_id: str, fix: str) -> tuple[str, str] | None:
    """What is wrong with the id a name gives (empty, too long for a file name): message and hint."""
    if not entity_id:
        return f"the name '{name}' gives an empty id", f"{fix} made of letters, digits and '-'"
    if len(entity_id) > MAX_SLUG_LENGTH:
        return (f"{type_name} entity '{name[:40]}…' gives an id too long to name its page",
                f"{fix} of at most {MAX_SLUG_LENGTH} letters, digits and '-'")
    return None


def _entity_ref(type_name: str, item: Any, line: int, path: Path, errors: ErrorCollector) -> EntityRef | None:
    def fail(message: str, at: int = line, hint: str | None = None) -> None:
        errors.add(BriefgenError(message, path, at, hint))

    if isinstance(item, YamlMap):
        for key in item:
            if key not in ENTITY_KEYS:
                fail(f"unknown key '{key}' in an entity", item.line_of(key), did_you_mean(key, ENTITY_KEYS))
        raw = dict(item.raw)
        name = raw.get("name", "").strip() if item.get("name") is not None else ""
        if not name:
            fail("an entity needs a `name:`")
            return None
        explicit = item.get("id")
        entity_id = ref_id(name, str(raw.get("id", "")) if explicit is not None else None)
        if explicit is not None and not ID_PATTERN.match(entity_id):
            fail(f"entity id '{entity_id}' is not a valid id", item.line_of("id"),
                 f"use lowercase letters, digits and '-', e.g. '{slugify(entity_id)}'")
            return None
        aliases_value = item.get("aliases") or []
        if not isinstance(aliases_value, (list, dict)):
            aliases_value = [raw.get("aliases", str(aliases_value))]  # one alias, as written
        if not isinstance(aliases_value, list) or any(isinstance(a, (dict, list)) or a is None for a in aliases_value):
            fail("'aliases' must be a list of names", item.line_of("aliases"))
            return None
        written = (str(a).strip() for a in aliases_value)
        aliases = tuple(dict.fromkeys(alias for alias in written if alias and alias != name))
        short = [alias for alias in aliases if len(alias) == 1]
        if short:
            # An alias is only for finding mentions, and one character is in every other word.
            fail(f"alias '{short[0]}' of '{name}' is one character: it would link every '{short[0]}' in the text",
                 item.line_of("aliases"), "remove it; an alias needs at least two characters")
            return None
        wikidata = raw.get("wikidata", "").strip() if item.get("wikidata") is not None else None
        if wikidata is not None and not WIKIDATA_PATTERN.match(wikidata):
            fail(f"wikidata '{wikidata}' is not a Wikidata id", item.line_of("wikidata"),
                 "write it as Q followed by digits, e.g. Q7747")
            return None
        description = item.get("description")
        if description is not None and isinstance(description, (dict, list)):
            fail("'description' must be text", item.line_of("description"))
            return None
        description_text = raw.get("description", "").strip() if description is not None else None
        problem = _id_problem(type_name, name, entity_id, "add an `id:`")
        if problem is not None:
            fail(problem[0], hint=problem[1])
            return None
        return EntityRef(type=type_name, id=entity_id, name=name, aliases=aliases,
                         description=description_text or None, wikidata=wikidata or None,
                         explicit_id=explicit is not None, path=str(path), line=line)
    if item is None or isinstance(item, (list, dict)):
        fail(f"a {type_name} entry must be a name or a mapping with `name:`")
        return None
    name = str(item).strip()
    entity_id = slugify(name)
    problem = _id_problem(type_name, name, entity_id, "write it as a mapping with `name:` and an `id:`")
    if problem is not None:
        fail(problem[0], hint=problem[1])
        return None
    return EntityRef(type=type_name, id=entity_id, name=name, path=str(path), line=line)


def load_registry(path: Path, config: Config, errors: ErrorCollector) -> list[EntityRef]:
    """`content/entities.yaml`: the same shape as a sidecar's `entities:` (optionally under `entities:`)."""
    try:
        data = load_yaml_file(path)
    except BriefgenError as exc:
        errors.add(exc)
        return []
    if data is None:
        return []
    if isinstance(data, YamlMap) and list(data) == ["entities"]:
        return read_entity_refs(data["entities"], data, "entities", path, config, errors, registry=True)
    return read_entity_refs(data, None, "", path, config, errors, registry=True)
