"""Site configuration: `briefgen.yaml` → a frozen `Config`.

Owns the options, their defaults and their validation; every problem in the
file is collected and reported together. Must not read content.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import BriefgenError, ErrorCollector, did_you_mean
from .findings import KINDS
from .langtag import is_language_tag
from .model import DEFAULT_ENTITY_TYPES
from .yamlfile import YamlList, YamlMap, load_yaml_file

CONFIG_NAME = "briefgen.yaml"
MENTION_MODES = ("first", "all", "none")
# Output folders the site itself uses: an entity type may not take them.
# Folders of the site briefgen writes itself (pagefind/: the search index): no entity type may take one.
RESERVED_PATHS = frozenset({"briefs", "tags", "archive", "entities", "page", "static", "assets", "search", "feeds",
                            "pagefind"})
TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The reproducible-builds convention (reproducible-builds.org/specs/source-date-epoch): the build's time.
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


def build_time() -> datetime:
    """The build's time, in UTC: `SOURCE_DATE_EPOCH` (seconds since 1970) when set, else the clock.

    Briefs dated after it are scheduled. Setting the variable makes a build
    reproducible; an empty one counts as unset, anything else that is not a
    whole number of seconds is an error.
    """
    text = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not text:
        return datetime.now(UTC)
    hint = "set it to a whole number of seconds since 1970-01-01 UTC (as `date +%s` prints), or unset it"
    if not text.isascii() or not text.isdigit():
        raise BriefgenError(f"{SOURCE_DATE_EPOCH}='{text[:40]}' is not a whole number of seconds", hint=hint)
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (OverflowError, ValueError, OSError):
        raise BriefgenError(f"{SOURCE_DATE_EPOCH}={text[:40]} is too far in the future to be a date",
                            hint=hint) from None


@dataclass(frozen=True)
class EntityType:
    """A kind of entity: its URL segment and how pages call it."""

    name: str
    title: str
    singular: str


DEFAULT_TYPE_LABELS = {
    "people": ("People", "Person"),
    "organizations": ("Organizations", "Organization"),
    "places": ("Places", "Place"),
    "topics": ("Topics", "Topic"),
    "authors": ("Authors", "Author"),
}


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the content."""

    site_dir: Path
    title: str = "Briefs"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    page_size: int = 20
    entity_types: tuple[EntityType, ...] = field(
        default_factory=lambda: tuple(EntityType(n, *DEFAULT_TYPE_LABELS[n]) for n in DEFAULT_ENTITY_TYPES)
    )
    mentions: str = "first"
    unsafe_html: bool = False
    feed_full_content: bool = True
    # Entity feeds: summaries unless asked, since a brief is an entry of every one of its entities' feeds.
    entity_feed_full_content: bool = False
    feed_entries: int = 20
    drafts: bool = False
    future: bool = False  # publish briefs dated after the build's time (Hugo's buildFuture)
    # Kinds of finding `check` leaves out (see findings.py); not part of the cache key: no page changes.
    check_ignore: tuple[str, ...] = field(default=(), repr=False, compare=False)
    # Not part of the config's identity (repr, ==): the cache key must not change with every build.
    now: datetime = field(default_factory=build_time, repr=False, compare=False)

    @property
    def publish_until(self) -> datetime | None:
        """Briefs dated after this are scheduled, left out; None: every date is published."""
        return None if self.future else self.now

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"

    @property
    def templates_dir(self) -> Path:
        return self.site_dir / "templates"

    @property
    def static_dir(self) -> Path:
        return self.site_dir / "static"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def type_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.entity_types)

    def entity_type(self, name: str) -> EntityType:
        for entity_type in self.entity_types:
            if entity_type.name == name:
                return entity_type
        raise KeyError(name)

    def with_overrides(self, *, base_url: str | None = None, drafts: bool | None = None,
                       future: bool = False) -> Config:
        """The config with command-line options applied on top (`future` can only turn it on)."""
        changes: dict[str, Any] = {}
        if base_url is not None:
            changes["base_url"] = _check_base_url(base_url, None, None)
        if drafts is not None:
            changes["drafts"] = drafts
        if future:
            changes["future"] = True
        return replace(self, **changes)


KNOWN_KEYS = (
    "title", "description", "base_url", "language", "timezone", "page_size",
    "entity_types", "mentions", "markdown", "feed", "future", "check",
)


def load_config(site_dir: Path) -> Config:
    """Read `briefgen.yaml` from the site folder; defaults when it is absent."""
    path = site_dir / CONFIG_NAME
    if path.is_dir():
        raise BriefgenError(f"{CONFIG_NAME} is a folder", path, hint="the settings file must be a YAML file")
    if not path.is_file():
        return Config(site_dir=site_dir)
    data = load_yaml_file(path)
    if data is None:
        return Config(site_dir=site_dir)
    if not isinstance(data, YamlMap):
        raise BriefgenError("briefgen.yaml must be a mapping of options", path, 1)
    return _parse_config(data, path, site_dir)


def _parse_config(data: YamlMap, path: Path, site_dir: Path) -> Config:
    errors = ErrorCollector()
    values: dict[str, Any] = {}

    def fail(key: str, message: str, hint: str | None = None) -> None:
        errors.add(BriefgenError(message, path, data.line_of(key), hint))

    for key in data:
        if key not in KNOWN_KEYS:
            fail(key, f"unknown option '{key}'", did_you_mean(key, KNOWN_KEYS))

    for key in ("title", "description", "language"):
        if key in data:
            value = data[key]
            if value is None or isinstance(value, (dict, list)):
                fail(key, f"'{key}' must be text")
            else:
                values[key] = data.raw.get(key, str(value)).strip()
    if "language" in values and not is_language_tag(values["language"]):
        fail("language", f"language '{values.pop('language')}' is not a language tag",
             "use a BCP 47 tag such as en, en-GB or pt-BR (it goes into every page's lang and the feeds' xml:lang)")
    if "base_url" in data:
        try:
            values["base_url"] = _check_base_url(data["base_url"], path, data.line_of("base_url"))
        except BriefgenError as exc:
            errors.add(exc)
    if "timezone" in data:
        zone = data["timezone"]
        try:
            ZoneInfo(str(zone))
            values["timezone"] = str(zone)
        except (ZoneInfoNotFoundError, ValueError):
            fail("timezone", f"unknown time zone '{zone}'", "use an IANA name such as 'Europe/Berlin' or 'UTC'")
    if "page_size" in data:
        size = data["page_size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            fail("page_size", "'page_size' must be a whole number of at least 1")
        else:
            values["page_size"] = size
    if "mentions" in data:
        mode = data["mentions"]
        if mode not in MENTION_MODES:
            fail("mentions", f"'mentions' must be one of {', '.join(MENTION_MODES)}",
                 did_you_mean(str(mode), MENTION_MODES))
        else:
            values["mentions"] = mode
    if "future" in data:
        if not isinstance(data["future"], bool):
            fail("future", "'future' must be true or false")
        else:
            values["future"] = data["future"]
    _parse_blocks(data, values, path, errors)
    errors.raise_if_any()
    return Config(site_dir=site_dir, **values)


def _parse_blocks(data: YamlMap, values: dict[str, Any], path: Path, errors: ErrorCollector) -> None:
    """The options that are mappings or lists: entity_types, markdown, feed, check."""
    if "entity_types" in data:
        types = _parse_entity_types(data["entity_types"], path, data.line_of("entity_types"), errors)
        if types is not None:
            values["entity_types"] = types
    for section, known in (("markdown", {"unsafe_html": "unsafe_html"}),
                           ("feed", {"full_content": "feed_full_content",
                                     "entity_full_content": "entity_feed_full_content",
                                     "entries": "feed_entries"})):
        if section in data:
            _parse_section(data, section, known, values, path, errors)
    if "check" in data:
        _parse_check(data, values, path, errors)


def _parse_section(data: YamlMap, section: str, known: dict[str, str], values: dict[str, Any],
                   path: Path, errors: ErrorCollector) -> None:
    block = data[section]
    if not isinstance(block, YamlMap):
        errors.add(BriefgenError(f"'{section}' must be a mapping", path, data.line_of(section)))
        return
    for key, value in block.items():
        if key not in known:
            errors.add(BriefgenError(f"unknown option '{section}.{key}'", path, block.line_of(key),
                                     did_you_mean(key, known)))
            continue
        expected = bool if key in ("unsafe_html", "full_content", "entity_full_content") else int
        if not isinstance(value, expected) or (expected is int and (isinstance(value, bool) or value < 1)):
            kind = "true or false" if expected is bool else "a whole number of at least 1"
            errors.add(BriefgenError(f"'{section}.{key}' must be {kind}", path, block.line_of(key)))
            continue
        values[known[key]] = value


def _parse_check(data: YamlMap, values: dict[str, Any], path: Path, errors: ErrorCollector) -> None:
    """`check: {ignore: [kind, ...]}`: kinds of finding `briefgen check` does not report."""
    block = data["check"]
    if not isinstance(block, YamlMap):
        errors.add(BriefgenError("'check' must be a mapping, such as `check: {ignore: [missing-description]}`",
                                 path, data.line_of("check")))
        return
    for key in block:
        if key != "ignore":
            errors.add(BriefgenError(f"unknown option 'check.{key}'", path, block.line_of(key),
                                     did_you_mean(key, ["ignore"])))
    ignore = block.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(kind, str) for kind in ignore):
        errors.add(BriefgenError("'check.ignore' must be a list of kinds", path, block.line_of("ignore"),
                                 "for example `ignore: [missing-description, brief-without-entities]`"))
        return
    for index, kind in enumerate(ignore):
        if kind not in KINDS or kind == "error":
            hint = did_you_mean(kind, [k for k in KINDS if k != "error"]) or \
                f"kinds: {', '.join(k for k in KINDS if k != 'error')}"
            errors.add(BriefgenError(f"'{kind}' is not a kind of finding `check` reports", path,
                                     ignore.line_of(index) if isinstance(ignore, YamlList) else block.line_of("ignore"),
                                     hint))
    values["check_ignore"] = tuple(kind for kind in ignore if kind in KINDS and kind != "error")


def _parse_entity_types(value: Any, path: Path, line: int | None,
                        errors: ErrorCollector) -> tuple[EntityType, ...] | None:
    """Default types plus the declared ones: a list of names or a mapping name → {title, singular}."""
    declared: list[tuple[str, dict[str, Any], int | None]] = []
    if isinstance(value, YamlList):
        declared = [(str(item), {}, value.line_of(i)) for i, item in enumerate(value)]
    elif isinstance(value, YamlMap):
        for name, spec in value.items():
            if spec is not None and not isinstance(spec, dict):
                errors.add(BriefgenError(f"entity type '{name}' must map to title/singular", path, value.line_of(name)))
                continue
            declared.append((str(name), dict(spec or {}), value.line_of(name)))
    else:
        errors.add(BriefgenError("'entity_types' must be a list of type names", path, line))
        return None
    types = {n: EntityType(n, *DEFAULT_TYPE_LABELS[n]) for n in DEFAULT_ENTITY_TYPES}
    for name, spec, item_line in declared:
        if not TYPE_NAME.match(name):
            errors.add(BriefgenError(f"entity type '{name}' must be lowercase letters, digits and '-'",
                                     path, item_line))
            continue
        if name in RESERVED_PATHS:
            errors.add(BriefgenError(f"entity type '{name}' would clash with the site's own '/{name}/' pages",
                                     path, item_line, "choose another name"))
            continue
        unknown = set(spec) - {"title", "singular"}
        if unknown:
            errors.add(BriefgenError(f"unknown option '{sorted(unknown)[0]}' for entity type '{name}'",
                                     path, item_line, "entity types take 'title' and 'singular'"))
        labels = {key: spec[key] for key in ("title", "singular") if key in spec}
        if any(label is None or isinstance(label, (dict, list)) or not str(label).strip() for label in labels.values()):
            errors.add(BriefgenError(f"entity type '{name}': 'title' and 'singular' must be text", path, item_line))
            continue
        base = types.get(name) or EntityType(name, name.replace("-", " ").title(), name.replace("-", " ").title())
        types[name] = EntityType(name, str(spec.get("title", base.title)), str(spec.get("singular", base.singular)))
    return tuple(types.values())


def _check_base_url(value: Any, path: Path | None, line: int | None) -> str:
    """'' or an absolute http(s) URL ending in '/'."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    parts = urlsplit(text)
    example = "for example https://example.org/briefs/"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BriefgenError(f"base_url '{text}' must be an absolute http or https URL", path, line, example)
    # Every page's address is base_url + its path: nothing may come after the path.
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise BriefgenError(f"base_url '{text}' has a query or fragment (?… or #…)", path, line,
                            "give the site's folder only, " + example)
    if any(character.isspace() for character in text):
        raise BriefgenError(f"base_url '{text}' contains white space", path, line,
                            "write a space in a path as %20, " + example)
    if "@" in parts.netloc:
        raise BriefgenError(f"base_url '{text}' contains a user name or password", path, line,
                            "published pages must not carry credentials; " + example)
    try:
        _ = parts.port  # reading it checks it
    except ValueError:
        raise BriefgenError(f"base_url '{text}' has an invalid port", path, line, example) from None
    if not parts.hostname:
        raise BriefgenError(f"base_url '{text}' has no host name", path, line, example)
    return text if text.endswith("/") else text + "/"


def builtin_templates_dir() -> Path:
    """The default theme: briefgen/templates/ in a wheel, top-level templates/ in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise BriefgenError("briefgen's built-in theme is missing from this installation",
                        hint="reinstall briefgen (pip install --force-reinstall briefgen)")
