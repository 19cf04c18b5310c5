"""Strict YAML reading for sidecars, the registry and briefgen.yaml.

Owns turning a YAML file into plain Python values that remember the line of
every key and item, so later stages can point at the line a person must fix.
Stricter than PyYAML's safe loader where a silent guess would lose content:
a key given twice is an error, timestamps stay text (dates are validated by
whoever reads them), and expanding aliases is bounded ("billion laughs").
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import BriefgenError, cannot_read

# A sidecar has dozens of nodes; a registry may have tens of thousands. An alias
# bomb expands to billions: stop long before memory or time runs out.
MAX_NODES = 500_000
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
# libyaml's composer is many times faster and keeps the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers its own line, each key's line and raw scalar text."""

    line: int
    key_lines: dict[str, int]
    raw: dict[str, str]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list):  # type: ignore[type-arg]
    """A sequence that remembers its own line and each item's line."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def line_of(value: Any, default: int | None = None) -> int | None:
    """The line a mapping or sequence starts on, if known."""
    return getattr(value, "line", default)


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text of a file (in Unicode's NFC form), or an error saying where the bad byte is."""
    if b"\x00" in data:
        raise BriefgenError(
            "this is a binary file, not text",
            path,
            data[: data.index(b"\x00")].count(b"\n") + 1,
            hint="briefgen reads UTF-8 text; remove the file or rename it",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        raise BriefgenError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at column {exc.start - line_start + 1}",
            path,
            line,
            hint="save the file as UTF-8",
        ) from None
    # Control characters other than tab and line breaks have no place in a page (HTML and XML forbid them).
    text = CONTROL_CHARACTERS.sub("", text.removeprefix("\ufeff"))
    # One Unicode form for every file (NFC, the web's): an article saved on macOS may spell "ö" as
    # "o" and a combining mark, its sidecar as one character; names and quotes must still match.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def read_text(path: Path) -> str:
    """Read a text file as UTF-8, with a located error for anything else."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from None
    return decode_text(data, path)


def parse_yaml(text: str, path: Path) -> Any:
    """Parse one YAML document into plain values with line information.

    An empty document is None. Errors carry the 1-based line PyYAML reports.
    """
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, path, text) from None
    except yaml.YAMLError as exc:
        raise BriefgenError(f"invalid YAML: {exc}", path) from None
    if node is None:
        return None
    return _Converter(path).convert(node)


def load_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file (see `parse_yaml`)."""
    return parse_yaml(read_text(path), path)


def _syntax_error(exc: yaml.MarkedYAMLError, path: Path, text: str) -> BriefgenError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or exc.context or "invalid YAML"
    hint = "check the indentation and quoting on this line and the one before"
    if "\t" in problem or (line is not None and "\t" in _line_text(text, line)):
        hint = "YAML indentation must use spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted"
    return BriefgenError(f"invalid YAML: {problem}", path, line, hint=hint)


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


class _Converter:
    """Node graph → Python values, counting nodes to bound alias expansion."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.nodes_seen = 0
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: Node) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            raise BriefgenError(
                "YAML expands to too many values (an alias bomb?)",
                self.path,
                node.start_mark.line + 1,
                hint="do not nest aliases (*name) this deeply",
            )
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            result = YamlList(self._item(item) for item in node.value)
            result.line = node.start_mark.line + 1
            result.item_lines = [item.start_mark.line + 1 for item in node.value]
            return result
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _item(self, node: Node) -> Any:
        """A list item; a plain number or yes/no there is kept as written.

        Every list briefgen reads is a list of text (tags, key points, names,
        aliases): `tags: [1.10, on]` means "1.10" and "on", not YAML 1.1's
        1.1 and True.
        """
        value = self.convert(node)
        if isinstance(node, ScalarNode) and isinstance(value, (bool, int, float)):
            return CONTROL_CHARACTERS.sub("", node.value)
        return value

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return CONTROL_CHARACTERS.sub("", node.value)  # YAML escapes such as "\u0007" make them too
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise BriefgenError(
                f"invalid value {node.value!r}: {exc}", self.path, node.start_mark.line + 1
            ) from None

    def _mapping(self, node: MappingNode) -> YamlMap:
        result = YamlMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        result.raw = {}
        for key_node, value_node in self._flatten_merges(node):
            key = self.convert(key_node)
            if isinstance(key, (list, dict)):
                raise BriefgenError(
                    "a mapping key must be a plain value", self.path, key_node.start_mark.line + 1
                )
            key_text = key_node.value if isinstance(key_node, ScalarNode) else str(key)
            line = key_node.start_mark.line + 1
            if key_text in result.key_lines:
                raise BriefgenError(
                    f"key '{key_text}' is given twice (first on line {result.key_lines[key_text]})",
                    self.path,
                    line,
                    hint="keep one of them; YAML would silently drop the first",
                )
            result.key_lines[key_text] = line
            if isinstance(value_node, ScalarNode):
                result.raw[key_text] = CONTROL_CHARACTERS.sub("", value_node.value)
            result[key_text] = self.convert(value_node)
        return result

    def _flatten_merges(self, node: MappingNode) -> list[tuple[Node, Node]]:
        """Pairs of a mapping, with `<<: *anchor` merge keys expanded (explicit keys win)."""
        pairs: list[tuple[Node, Node]] = []
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        raise BriefgenError(
                            "'<<' must merge a mapping", self.path, key_node.start_mark.line + 1
                        )
                    self.nodes_seen += len(source.value)
                    merged.extend(self._flatten_merges(source))
            else:
                pairs.append((key_node, value_node))
        explicit = {k.value for k, _ in pairs if isinstance(k, ScalarNode)}
        seen: set[str] = set()
        kept_merges = []
        for key_node, value_node in merged:
            name = key_node.value if isinstance(key_node, ScalarNode) else None
            if name in explicit or name in seen:
                continue
            if name is not None:
                seen.add(name)
            kept_merges.append((key_node, value_node))
        return kept_merges + pairs
