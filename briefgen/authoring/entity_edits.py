"""`briefgen entities merge` and `rename`: one entity's refs rewritten in every sidecar and the registry.

Owns finding an entity's refs in the files by their YAML nodes (so that
comments and layout outside the edited items stay as written), the edits a
merge or rename makes, and checking that each edited file reads back as
exactly the intended entities before anything is written. The old name
becomes an alias, so the articles' text still links; the old address goes
under `redirect_from` in the registry, so published URLs keep working. Must
not build the site.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..config import Config, load_config
from ..errors import BriefgenError, ErrorCollector, did_you_mean
from ..files import replace_file
from ..model import REGISTRY_STEM
from ..refs import ref_id
from ..scan import find_content
from ..slugs import slugify

Key = tuple[str, str]


@dataclass(frozen=True)
class WrittenRef:
    """One entity ref as a file writes it: its list item's node and what it says."""

    type: str
    id: str
    name: str
    aliases: tuple[str, ...]
    description: str | None
    wikidata: str | None
    redirect_from: tuple[str, ...]
    item: Node
    sequence: SequenceNode


@dataclass
class EntityFile:
    """A sidecar or the registry: its text, its entity lists and the edits to make to it."""

    path: Path
    text: str
    registry: bool
    entities: MappingNode | None  # the mapping of type → list (None: the file has no `entities:`)
    refs: list[WrittenRef]
    empty_entities: Node | None = None  # the key `entities:` when nothing comes after it
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, replacement) in characters
    said: list[str] = field(default_factory=list)  # what changed, in words

    def edited(self) -> str:
        text = self.text
        # From the end backwards, so earlier offsets stay true; edits at one place land in the order made.
        ordered = sorted(enumerate(self.edits), key=lambda item: (item[1][0], item[1][1], item[0]), reverse=True)
        for _, (start, end, replacement) in ordered:
            text = text[:start] + replacement + text[end:]
        return text


@dataclass(frozen=True)
class EditReport:
    """What a merge or rename changed (or would, with --dry-run): each file, in words."""

    summary: str
    files: dict[Path, list[str]]


def merge_entities(site_dir: Path, old: str, new: str, *, dry_run: bool = False) -> EditReport:
    """Merge entity `old` (TYPE/ID) into `new` (TYPE/ID), which must exist."""
    config = load_config(site_dir)
    files = _entity_files(config)
    old_key, new_key = _key(old, config), _key(new, config)
    if old_key == new_key:
        raise BriefgenError(f"'{old}' and '{new}' are one entity: nothing to merge")
    old_refs = _refs_of(old_key, files)
    new_refs = _refs_of(new_key, files)
    if not new_refs:
        raise BriefgenError(f"there is no entity '{new}' to merge into", hint=_known_hint(new_key, files)
                            + "; to give an entity a new name, use `briefgen entities rename`")
    target = _canonical(new_refs)
    new_item = _item_text(target.name, new_key[1])
    for file in files:
        old_here = [ref for ref in file.refs if (ref.type, ref.id) == old_key]
        if not old_here or file.registry:
            continue
        has_new = any((ref.type, ref.id) == new_key for ref in file.refs)
        keep = None if has_new or old_key[0] != new_key[0] else old_here[0]
        for ref in old_here:
            if ref is keep:
                _replace_item(file, ref, new_item)
            else:
                _delete_item(file, ref)
        if not has_new and keep is None:
            _append_item(file, new_key[0], new_item)
        file.said.append(f"{old_key[0]} '{old_here[0].name}' → {new_key[0]} '{target.name}'")
    registry = _registry(files, config)
    for ref in [ref for ref in registry.refs if (ref.type, ref.id) == old_key]:
        _delete_item(registry, ref)
    old_names = [name for ref in old_refs for name in (ref.name, *ref.aliases)]
    moved = ["/".join(old_key)] + [address for ref in old_refs for address in ref.redirect_from]
    _update_registry_entry(registry, new_key, target.name, old_names, moved,
                           description=next((ref.description for ref in old_refs if ref.description), None),
                           wikidata=next((ref.wikidata for ref in old_refs if ref.wikidata), None))
    return _finish(files, {old_key: new_key}, dry_run,
                   f"merged {'/'.join(old_key)} into {'/'.join(new_key)}")


def rename_entity(site_dir: Path, old: str, new_name: str, *, dry_run: bool = False) -> EditReport:
    """Give entity `old` (TYPE/ID) the name `new_name`, and the id that name makes."""
    config = load_config(site_dir)
    files = _entity_files(config)
    old_key = _key(old, config)
    new_name = new_name.strip()
    new_key = (old_key[0], slugify(new_name))
    if not new_key[1]:
        raise BriefgenError(f"the name '{new_name}' gives an empty id", hint="use a name with letters or digits")
    old_refs = _refs_of(old_key, files)
    if new_key != old_key and _refs_of(new_key, files, required=False):
        raise BriefgenError(f"'{'/'.join(new_key)}' already exists: renaming '{old}' to '{new_name}' would make "
                            "two entities one", hint=f"to make them one, run `briefgen entities merge {old} "
                            f"{'/'.join(new_key)}`")
    current = _canonical(old_refs).name
    if new_name == current:
        raise BriefgenError(f"'{old}' is already named '{new_name}': nothing to rename")
    for file in files:
        for ref in file.refs:
            if (ref.type, ref.id) != old_key:
                continue
            if isinstance(ref.item, MappingNode):
                _set_name(file, ref, new_name, drop_id=new_key != old_key)
            else:
                _replace_item(file, ref, _item_text(new_name, new_key[1]))
            if not file.registry:
                file.said.append(f"{old_key[0]} '{ref.name}' → '{new_name}'")
    old_names = [name for ref in old_refs for name in (ref.name, *ref.aliases)]
    moved = ["/".join(old_key)] if new_key != old_key else []
    _update_registry_entry(_registry(files, config), new_key, new_name, old_names, moved, written_as=old_key)
    return _finish(files, {old_key: new_key}, dry_run, f"renamed {old} to '{new_name}' ({'/'.join(new_key)})")


# -- reading ---------------------------------------------------------------------------------------


def _key(text: str, config: Config) -> Key:
    type_name, _, entity_id = text.strip().strip("/").partition("/")
    if type_name not in config.type_names or not entity_id or "/" in entity_id:
        hint = did_you_mean(type_name, config.type_names) or f"types: {', '.join(config.type_names)}"
        raise BriefgenError(f"'{text}' is not an entity: write TYPE/ID, as its page's address has it "
                            "(people/vladimir-putin)", hint=hint)
    return type_name, entity_id


def _entity_files(config: Config) -> list[EntityFile]:
    errors = ErrorCollector()
    found = find_content(config, errors)
    errors.raise_if_any()
    files = [_read(Path(sidecar), registry=False) for _, sidecar in sorted(found.pairs, key=lambda pair: pair[1])]
    if found.registry is not None:
        files.insert(0, _read(found.registry, registry=True))
    return files


def _read(path: Path, *, registry: bool) -> EntityFile:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefgenError(f"cannot read this file: {exc}", path, hint="fix it, then run the command again") \
            from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BriefgenError("this file is not valid YAML", path, mark.line + 1 if mark else None,
                            "fix it (`briefgen check` says how), then run the command again") from None
    entities = None
    if isinstance(root, MappingNode):
        value = _value(root, "entities")
        if isinstance(value, MappingNode):
            entities = value
        elif registry and value is None:
            entities = root
    empty = _key_node(root, "entities") if isinstance(root, MappingNode) and _is_empty(_value(root, "entities")) \
        else None
    file = EntityFile(path, text, registry, entities, [], empty)
    if entities is not None:
        for key_node, items in entities.value:
            if isinstance(items, SequenceNode):
                file.refs.extend(ref for item in items.value if (ref := _ref(key_node.value, item, items)))
    return file


def _value(mapping: MappingNode, key: str) -> Node | None:
    return next((value for key_node, value in mapping.value if getattr(key_node, "value", None) == key), None)


def _key_node(mapping: MappingNode, key: str) -> Node | None:
    return next((key_node for key_node, _ in mapping.value if getattr(key_node, "value", None) == key), None)


def _is_empty(node: Node | None) -> bool:
    """A key with nothing after it (`people:`), which YAML reads as null."""
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _scalar(node: Node | None) -> str | None:
    return str(node.value).strip() if isinstance(node, ScalarNode) and node.value.strip() else None


def _scalars(node: Node | None) -> tuple[str, ...]:
    if isinstance(node, SequenceNode):
        return tuple(text for item in node.value if (text := _scalar(item)))
    text = _scalar(node)
    return (text,) if text else ()


def _ref(type_name: str, item: Node, sequence: SequenceNode) -> WrittenRef | None:
    """A list item as the build reads it: a name, or a mapping with `name` and an optional `id`."""
    if isinstance(item, ScalarNode):
        name = _scalar(item)
        return WrittenRef(type_name, ref_id(name, None), name, (), None, None, (), item, sequence) if name else None
    if not isinstance(item, MappingNode):
        return None
    name = _scalar(_value(item, "name"))
    if not name:
        return None
    return WrittenRef(type_name, ref_id(name, _scalar(_value(item, "id"))), name,
                      _scalars(_value(item, "aliases")), _scalar(_value(item, "description")),
                      _scalar(_value(item, "wikidata")), _scalars(_value(item, "redirect_from")), item, sequence)


def _refs_of(key: Key, files: Sequence[EntityFile], *, required: bool = True) -> list[WrittenRef]:
    """Every ref of `key`, the registry's first (as the build orders them)."""
    refs = [ref for file in files for ref in file.refs if (ref.type, ref.id) == key]
    if not refs and required:
        raise BriefgenError(f"there is no entity '{'/'.join(key)}' in the sidecars or the registry",
                            hint=_known_hint(key, files))
    return refs


def _known_hint(key: Key, files: Sequence[EntityFile]) -> str:
    known = {f"{ref.type}/{ref.id}" for file in files for ref in file.refs}
    return did_you_mean("/".join(key), known) or "an entity is named TYPE/ID, as its page's address has it"


def _canonical(refs: Sequence[WrittenRef]) -> WrittenRef:
    """The ref whose name the site shows: the registry's, else the first sidecar's."""
    return refs[0]


def _registry(files: list[EntityFile], config: Config) -> EntityFile:
    """The registry to record aliases and redirects in; an empty one at content/entities.yaml if none."""
    if files and files[0].registry:
        return files[0]
    path = config.content_dir / f"{REGISTRY_STEM}.yaml"
    registry = EntityFile(path, "", True, None, [])
    files.insert(0, registry)
    return registry


# -- editing ---------------------------------------------------------------------------------------


def _flow(value: Any) -> str:
    """A value as YAML that fits on one line, in a list item or after a key."""
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1_000_000, sort_keys=False)
    return dumped.strip()[1:-1]


def _item_text(name: str, entity_id: str) -> str:
    """A ref of `name`, with its id when the name does not make it."""
    return _flow(name) if slugify(name) == entity_id else _flow({"name": name, "id": entity_id})


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just after the line break ending the line that holds `index` (or the text's end)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _last_index(node: Node) -> int:
    """Where the node's last written character ends (block nodes' own end marks run on to the next token)."""
    if isinstance(node, ScalarNode):
        return int(node.end_mark.index)
    if getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    return max((_last_index(child) for child in children), default=int(node.start_mark.index))


def _unsafe(file: EntityFile, node: Node, why: str) -> BriefgenError:
    return BriefgenError(f"cannot edit this file safely: {why}", file.path, node.start_mark.line + 1,
                         "write the list one item per line (`  - Name`), or edit this file by hand")


def _replace_item(file: EntityFile, ref: WrittenRef, text: str) -> None:
    """Put `text` where the ref's item is (the whole item: a name, or a mapping)."""
    item = ref.item
    if isinstance(item, MappingNode) and not item.flow_style:
        # A block mapping item spans lines: the new one-line item replaces them, from its `- `.
        start = int(item.start_mark.index)
        file.edits.append((start, _line_end(file.text, _last_index(item) - 1), text + "\n"))
    else:
        file.edits.append((int(item.start_mark.index), _last_index(item), text))


def _delete_item(file: EntityFile, ref: WrittenRef) -> None:
    """Take the ref's item out of its list."""
    if ref.sequence.flow_style:
        kept = [file.text[int(i.start_mark.index):_last_index(i)] for i in ref.sequence.value if i is not ref.item]
        file.edits.append((int(ref.sequence.start_mark.index), _last_index(ref.sequence), f"[{', '.join(kept)}]"))
        return
    start = _line_start(file.text, int(ref.item.start_mark.index))
    if file.text[start:int(ref.item.start_mark.index)].strip() not in ("-", ""):
        raise _unsafe(file, ref.item, "the item shares its line with other YAML")
    file.edits.append((start, _line_end(file.text, _last_index(ref.item) - 1), ""))


def _append_item(file: EntityFile, type_name: str, text: str) -> None:
    """Add `text` at the end of the file's list of `type_name` (made if absent)."""
    sequence = _value(file.entities, type_name) if file.entities is not None else None
    if isinstance(sequence, SequenceNode) and sequence.value:
        if sequence.flow_style:
            items = [file.text[int(i.start_mark.index):_last_index(i)] for i in sequence.value]
            file.edits.append((int(sequence.start_mark.index), _last_index(sequence),
                               f"[{', '.join([*items, text])}]"))
            return
        first = sequence.value[0]
        dash = _line_start(file.text, int(first.start_mark.index))
        indent = file.text[dash:int(first.start_mark.index)].index("-")
        at = _line_end(file.text, _last_index(sequence) - 1)
        _insert(file, at, f"{' ' * indent}- {text}\n")
        return
    if file.entities is not None and sequence is not None and not _is_empty(sequence):
        raise _unsafe(file, sequence, f"`{type_name}:` is not a list written one item per line")
    _add_key(file, type_name, [f"- {text}"])


def _insert(file: EntityFile, at: int, block: str) -> None:
    """Insert whole lines at `at`, the start of a line (or the end of a text without a final line break)."""
    file.edits.append((at, at, block if at == 0 or file.text[:at].endswith("\n") else "\n" + block))


def _add_key(file: EntityFile, type_name: str, lines: list[str]) -> None:
    """Give the file's entities the key `type_name` with `lines` below it (`entities:` made if absent)."""
    mapping = file.entities
    if mapping is None:
        if file.empty_entities is not None:  # `entities:` with nothing after it
            at = _line_end(file.text, int(file.empty_entities.start_mark.index))
            _insert(file, at, f"  {type_name}:\n" + "".join(f"    {line}\n" for line in lines))
            return
        top = "" if file.registry else "  "
        block = ("" if file.registry else "entities:\n") + f"{top}{type_name}:\n"
        _insert(file, len(file.text), block + "".join(f"{top}  {line}\n" for line in lines))
        return
    if mapping.flow_style:
        raise _unsafe(file, mapping, "its entities are written on one line ({...})")
    key_node = _key_node(mapping, type_name)
    indent = int(mapping.value[0][0].start_mark.column) if mapping.value else 2
    body = "".join(f"{' ' * (indent + 2)}{line}\n" for line in lines)
    if key_node is not None:  # `people:` with nothing after it: the list goes below
        _insert(file, _line_end(file.text, int(key_node.start_mark.index)), body)
        return
    _insert(file, _line_end(file.text, _last_index(mapping) - 1), f"{' ' * indent}{type_name}:\n{body}")


def _set_name(file: EntityFile, ref: WrittenRef, name: str, *, drop_id: bool) -> None:
    """A mapping ref's `name:` → `name`, and its `id:` gone when the new name makes the id."""
    item = ref.item
    assert isinstance(item, MappingNode)
    if item.flow_style:
        values = {k.value: file.text[int(v.start_mark.index):_last_index(v)] for k, v in item.value}
        values["name"] = _flow(name)
        if drop_id:
            values.pop("id", None)
        file.edits.append((int(item.start_mark.index), _last_index(item),
                           "{" + ", ".join(f"{key}: {value}" for key, value in values.items()) + "}"))
        return
    for key_node, value in item.value:
        if key_node.value == "name":
            file.edits.append((int(value.start_mark.index), _last_index(value), _flow(name)))
        elif key_node.value == "id" and drop_id:
            start = _line_start(file.text, int(key_node.start_mark.index))
            if file.text[start:int(key_node.start_mark.index)].strip():
                raise _unsafe(file, key_node, "`id:` shares its line with other YAML (put `name:` first)")
            file.edits.append((start, _line_end(file.text, _last_index(value) - 1), ""))


def _update_registry_entry(registry: EntityFile, key: Key, name: str, old_names: Sequence[str],
                           moved: Sequence[str], *, written_as: Key | None = None, description: str | None = None,
                           wikidata: str | None = None) -> None:
    """Record in the registry what the entity was called and where its page was, so both still work.

    `written_as`: the key the registry's entry has now, if a rename changes it.
    """
    ref = next((ref for ref in registry.refs if (ref.type, ref.id) == (written_as or key)), None)
    had_aliases = ref.aliases if ref else ()
    aliases = [n for n in dict.fromkeys(old_names) if n != name and len(n) > 1 and n not in had_aliases]
    redirects = [m for m in dict.fromkeys(moved) if m not in (ref.redirect_from if ref else ())]
    added: dict[str, Any] = {}
    if aliases:
        added["aliases"] = aliases
    if redirects:
        added["redirect_from"] = redirects
    if description and not (ref and ref.description):
        added["description"] = description
    if wikidata and not (ref and ref.wikidata):
        added["wikidata"] = wikidata
    if not added:
        return
    said = [f"{what} + {', '.join(values)}" if isinstance(values, list) else f"{what} from the merged entity"
            for what, values in added.items()]
    registry.said.append(f"{key[0]} '{name}': {'; '.join(said)}")
    entry: dict[str, Any] = {"name": name} if slugify(name) == key[1] else {"name": name, "id": key[1]}
    if ref is None:
        _append_item(registry, key[0], _flow({**entry, **added}))
    elif isinstance(ref.item, ScalarNode) or getattr(ref.item, "flow_style", False):
        written = yaml.safe_load(registry.text[int(ref.item.start_mark.index):_last_index(ref.item)])
        whole = {**entry, **written} if isinstance(written, dict) else dict(entry)
        whole["name"] = name  # a rename has changed it
        for what, values in added.items():
            whole[what] = [*_as_list(whole.get(what)), *values] if isinstance(values, list) else values
        if slugify(name) == key[1]:
            whole.pop("id", None)
        start, end = int(ref.item.start_mark.index), _last_index(ref.item)
        # The whole item is written anew: an edit made inside it before (the rename's) is part of it.
        registry.edits = [edit for edit in registry.edits if not (start <= edit[0] and edit[1] <= end)]
        _replace_item(registry, ref, _flow(whole))
    else:
        assert isinstance(ref.item, MappingNode)
        _add_to_block_mapping(registry, ref.item, added)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _add_to_block_mapping(file: EntityFile, item: MappingNode, added: dict[str, Any]) -> None:
    """New keys (or more items of list keys) of a registry entry written one key per line."""
    indent = item.value[0][0].start_mark.column
    new_lines = []
    for what, values in added.items():
        present = _value(item, what)
        if present is None:
            new_lines.append(f"{' ' * indent}{what}: {_flow(values)}\n")
        elif isinstance(present, SequenceNode) and not present.flow_style and present.value:
            first = present.value[0]
            dash = _line_start(file.text, int(first.start_mark.index))
            dash_indent = file.text[dash:int(first.start_mark.index)].index("-")
            _insert(file, _line_end(file.text, _last_index(present) - 1),
                    "".join(f"{' ' * dash_indent}- {_flow(value)}\n" for value in values))
        else:
            written = yaml.safe_load(file.text[int(present.start_mark.index):_last_index(present)] or "null")
            file.edits.append((int(present.start_mark.index), _last_index(present),
                               _flow([*_as_list(written), *values])))
    if new_lines:
        _insert(file, _line_end(file.text, _last_index(item) - 1), "".join(new_lines))


# -- checking and writing ----------------------------------------------------------------------------


def _finish(files: Sequence[EntityFile], moves: dict[Key, Key], dry_run: bool, summary: str) -> EditReport:
    """Check every edited file reads back as intended, then write them all (unless `dry_run`)."""
    changed = [file for file in files if file.edits]
    texts = {}
    for file in changed:
        texts[file.path] = text = file.edited()
        _check_edit(file, text, moves)
    if not dry_run:
        for file in changed:
            mode = file.path.stat().st_mode & 0o7777 if file.path.exists() else None
            try:
                replace_file(file.path, texts[file.path].encode("utf-8"), mode=mode)
            except OSError as exc:
                raise BriefgenError(f"cannot write this file: {exc.strerror or exc}", file.path,
                                    hint="make it writable, then run the command again (files listed before "
                                    "it were written)") from None
    return EditReport(summary, {file.path: file.said for file in changed})


def _check_edit(file: EntityFile, text: str, moves: dict[Key, Key]) -> None:
    """The edited file must read as the old one with only the moved entities changed."""
    def problem(why: str) -> BriefgenError:
        return BriefgenError(f"cannot edit this file safely: {why}", file.path,
                             hint="edit its entities by hand (or write them one per line), then run the command "
                             "again; no file was changed")

    try:
        before, after = yaml.safe_load(file.text), yaml.safe_load(text)
    except yaml.YAMLError:
        raise problem("the edited file would not be valid YAML") from None
    if not file.registry and isinstance(before, dict) and _without_entities(before) != _without_entities(after):
        raise problem("keys other than `entities:` would change")
    old_keys = {moves.get(key, key) for key in _data_keys(before, file.registry)}
    new_keys = _data_keys(after, file.registry)
    extra = new_keys - old_keys
    if old_keys - new_keys or (extra and not (file.registry and extra <= set(moves.values()))):
        raise problem("its entities would not read back as intended")


def _without_entities(data: Any) -> Any:
    return {key: value for key, value in data.items() if key != "entities"} if isinstance(data, dict) else data


def _data_keys(data: Any, registry: bool) -> set[Key]:
    """The (type, id) of every entity ref of a file's loaded data."""
    if isinstance(data, dict) and (not registry or list(data) == ["entities"]):
        data = data.get("entities")
    keys: set[Key] = set()
    for type_name, items in (data or {}).items() if isinstance(data, dict) else ():
        for item in items or ():
            if isinstance(item, dict) and item.get("name"):
                given = item.get("id")
                keys.add((type_name, ref_id(str(item["name"]).strip(), None if given is None else str(given))))
            elif item is not None and not isinstance(item, (dict, list)):
                keys.add((type_name, ref_id(str(item).strip(), None)))
    return keys


def iter_said(report: EditReport) -> Iterator[str]:
    """The report as lines for a person: each file and what changed in it."""
    for path, said in report.files.items():
        for line in said or ["edited"]:
            yield f"{path}: {line}"
