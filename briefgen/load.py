"""Load stage: the scanned articles and sidecars → validated briefs and entity refs.

Owns reading each pair and checking every sidecar key against the content
format (finding the files is `scan.py`). Produces immutable model values; every
problem of the whole folder is collected and raised together. Must not render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .config import Config
from .errors import BriefgenError, BuildWarning, ErrorCollector, cannot_read, did_you_mean, shown
from .images import article_images
from .langtag import is_language_tag
from .model import (
    ARTICLE_SUFFIXES,
    AUTHORS,
    Agent,
    Annotation,
    Brief,
    Correction,
    EntityRef,
    Photo,
    Rating,
    Source,
)
from .photoref import read_photo
from .refs import ID_PATTERN, read_entity_refs
from .slugs import MAX_SLUG_LENGTH, slugify, stem_slug
from .wire import parse_wire
from .yamlfile import YamlList, YamlMap, decode_text, load_yaml_file, parse_yaml

SIDECAR_KEYS = ("title", "date", "updated", "summary", "key_points", "source", "author", "image", "entities",
                "annotations", "corrections", "tags", "slug", "aliases", "draft", "language")
CORRECTION_KEYS = ("date", "text")
SOURCE_KEYS = ("name", "url", "author", "published")
ANNOTATION_KEYS = ("quote", "note", "kind", "prefix", "suffix", "by", "date", "rating")
AGENT_KEYS = ("name", "url")
RATING_KEYS = ("name", "value", "best", "worst")
RATABLE_KIND = "fact-check"
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # characters a URL may hold as they are (RFC 3986 reserved, and '%')
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
MARKDOWN_BULLET = re.compile(r"^[-*+][ \t]+(.*)$")


def load_pair(pair: tuple[Path, Path], config: Config, read: tuple[bytes | None, bytes | None] = (None, None)
              ) -> tuple[tuple[Brief, list[EntityRef]] | None, list[BriefgenError]]:
    """One brief from its article and sidecar, with every error they gave (safe in a worker process).

    `read`: the files' bytes, when the caller has read them already (None: read here)."""
    errors = ErrorCollector()
    return load_brief(pair[0], pair[1], config, errors, read), errors.errors


def duplicate_slugs(briefs: Iterable[Brief]) -> list[BriefgenError]:
    """An error for each brief whose slug an earlier one (by sidecar path) already has, naming both."""
    seen: dict[str, Brief] = {}
    errors = []
    ordered = sorted(briefs, key=lambda b: b.sidecar_path)
    for brief in ordered:
        other = seen.get(brief.slug)
        if other is not None:
            errors.append(BriefgenError(
                f"slug '{brief.slug}' is used by two briefs: "
                f"{shown(other.sidecar_path)} and {shown(brief.sidecar_path)}",
                brief.sidecar_path, hint="give one of them another `slug:` or rename its files"))
        else:
            seen[brief.slug] = brief
    # An alias would put a redirect where a brief's page (or another redirect) is.
    taken = dict(seen)
    for brief in ordered:
        for alias in brief.aliases:
            other = taken.get(alias)
            if other is not None:
                what = "the slug" if other.slug == alias else "an alias"
                errors.append(BriefgenError(
                    f"alias '{alias}' would hide a page: it is {what} of {shown(other.sidecar_path)}",
                    brief.sidecar_path,
                    hint="remove the alias, or give the other brief another slug"))
            else:
                taken[alias] = brief
    return errors


def load_brief(article: Path, sidecar: Path, config: Config, errors: ErrorCollector,
               read: tuple[bytes | None, bytes | None] = (None, None)) -> tuple[Brief, list[EntityRef]] | None:
    """One article and its sidecar → a Brief and its entity refs, or None after adding errors.

    `read`: the files' bytes, when the caller has read them already (None: read here)."""
    before = len(errors.errors)
    article_bytes, sidecar_bytes = read
    try:
        body = decode_text(article.read_bytes() if article_bytes is None else article_bytes, article)
    except BriefgenError as exc:
        errors.add(exc)
        body = None
    except OSError as exc:
        errors.add(cannot_read(article, exc))
        body = None
    try:
        data = load_yaml_file(sidecar) if sidecar_bytes is None else \
            parse_yaml(decode_text(sidecar_bytes, sidecar), sidecar)
    except BriefgenError as exc:
        errors.add(exc)
        return None
    if data is None:
        errors.add(BriefgenError("sidecar is empty", sidecar, 1, "a sidecar needs at least `title:` and `date:`"))
        return None
    if not isinstance(data, YamlMap):
        errors.add(BriefgenError("sidecar must be a mapping of keys (title:, date:, ...)", sidecar, 1))
        return None
    reader = _SidecarReader(sidecar, data, config, errors)
    fields = reader.read()
    warnings = list(reader.warnings)
    if body is None or len(errors.errors) > before:
        return None
    body_format = ARTICLE_SUFFIXES[article.suffix.lower()]
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        warnings.append(BuildWarning("the article has no text (it is empty or only white space): its page "
                                     "shows the title alone", article, kind="empty-article"))
    key_points = fields.pop("key_points")
    slug, shortened = fields.pop("slug"), False
    if not slug:
        slug, shortened = stem_slug(article.stem)
    if not slug:
        errors.add(BriefgenError(f"the file name '{article.name}' gives an empty slug", sidecar,
                                 hint="add `slug:` to the sidecar"))
        return None
    if shortened:
        warnings.append(BuildWarning(f"the file name makes a slug too long to name a folder: shortened to "
                                     f"'{slug}' (set `slug:` in the sidecar to choose it)", sidecar,
                                     kind="slug-shortened"))
    refs = fields.pop("refs")
    body_photos: list[Photo] = []
    files = [fields["image"].path] if fields["image"] else []
    if body_format == "markdown":
        body_photos, image_errors, watched = article_images(body, article, config.content_dir)
        files += watched
        if image_errors:
            errors.extend(image_errors)
            return None
    if not key_points:
        key_points, body = split_key_points(body, body_format)
    brief = Brief(slug=slug, body=body, body_format=body_format, key_points=tuple(key_points),
                  article_path=str(article), sidecar_path=str(sidecar),
                  entities=tuple(dict.fromkeys((ref.type, ref.id) for ref in refs)), warnings=tuple(warnings),
                  body_photos=tuple(body_photos), files=tuple(dict.fromkeys(files)), **fields)
    return brief, refs


def split_key_points(body: str, body_format: str) -> tuple[list[str], str]:
    """Key points from a leading bullet list, and the body without that list."""
    if body_format == "text":
        wire = parse_wire(body)
        if not wire.key_points:
            return [], body
        lines = body.split("\n")
        index = 0
        # Drop exactly the lines parse_wire took as key points (and blanks between them).
        while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith("- ")):
            index += 1
        return list(wire.key_points), "\n".join(lines[index:])
    lines = body.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    points: list[str] = []
    while index < len(lines):
        match = MARKDOWN_BULLET.match(lines[index])
        if match:
            points.append(match.group(1).strip())
        elif lines[index].startswith((" ", "\t")) and lines[index].strip() and points:
            points[-1] += " " + lines[index].strip()  # a wrapped bullet
        else:
            break
        index += 1
    if not points or (index < len(lines) and lines[index].strip()):
        # No list, or the "list" runs straight into a paragraph: not a key-point block.
        return [], body
    return [p for p in points if p], "\n".join(lines[index:]).lstrip("\n")


class _SidecarReader:
    """Validates one sidecar mapping field by field, adding located errors."""

    def __init__(self, path: Path, data: YamlMap, config: Config, errors: ErrorCollector) -> None:
        self.path = path
        self.data = data
        self.config = config
        self.errors = errors
        self.warnings: list[BuildWarning] = []  # what is odd but not wrong (a small photo)

    def fail(self, message: str, line: int | None, hint: str | None = None) -> None:
        self.errors.add(BriefgenError(message, self.path, line, hint))

    def read(self) -> dict[str, Any]:
        data = self.data
        for key in data:
            if key not in SIDECAR_KEYS:
                self.fail(f"unknown key '{key}'", data.line_of(key),
                          did_you_mean(key, SIDECAR_KEYS) or f"valid keys: {', '.join(SIDECAR_KEYS)}")
        title = self.text("title", required=True)
        when = self.when(data, "date", required=True)
        return {
            "title": title or "",
            "date": when[0] if when else datetime.min,
            "has_time": when[1] if when else False,
            "summary": self.text("summary"),
            "key_points": self.text_list(data, "key_points"),
            "source": self.source(),
            "refs": [*read_entity_refs(data.get("entities"), data, "entities", self.path, self.config, self.errors),
                     *self.authors()],
            "annotations": self.annotations(),
            "tags": self.tags(),
            "slug": self.slug(),
            "draft": self.flag("draft"),
            **self.revisions(when[0] if when else None),
            "language": self.language(),
            "image": self.image(),
            "aliases": self.aliases(),
        }

    def text(self, key: str, *, required: bool = False, mapping: YamlMap | None = None) -> str | None:
        data = self.data if mapping is None else mapping
        if key not in data or data[key] is None:
            if required:
                self.fail(f"missing required key '{key}'", data.line, f"add `{key}:` to the sidecar")
            return None
        value = data[key]
        if isinstance(value, (dict, list)):
            self.fail(f"'{key}' must be text, not a {'list' if isinstance(value, list) else 'mapping'}",
                      data.line_of(key))
            return None
        text = data.raw.get(key, str(value)).strip()
        if required and not text:
            self.fail(f"'{key}' must not be empty", data.line_of(key))
            return None
        return text

    def text_list(self, data: YamlMap, key: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, YamlList):
            self.fail(f"'{key}' must be a list", data.line_of(key), "write each item on its own line as `- item`")
            return []
        items = []
        for index, item in enumerate(value):
            if item is None or isinstance(item, (dict, list)) or not str(item).strip():
                self.fail(f"'{key}' item {index + 1} must be non-empty text", value.line_of(index))
                continue
            items.append(str(item).strip())
        return items

    def tags(self) -> tuple[str, ...]:
        tags = []
        for index, tag in enumerate(self.text_list(self.data, "tags")):
            if not slugify(tag):
                self.fail(f"tag '{tag}' has no letters or digits to name its page", self.data["tags"].line_of(index),
                          "use a tag with letters or digits")
                continue
            if len(slugify(tag)) > MAX_SLUG_LENGTH:
                self.fail(f"tag '{tag[:40]}…' is too long to name its page", self.data["tags"].line_of(index),
                          f"use a tag whose page name stays under {MAX_SLUG_LENGTH} characters")
                continue
            tags.append(tag)
        return tuple(dict.fromkeys(tags))

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"'{key}' must be true or false", self.data.line_of(key))
            return False
        return value

    def when(self, data: YamlMap, key: str, *, required: bool = False) -> tuple[datetime, bool] | None:
        if data.get(key) is None:
            if required:
                self.fail(f"missing required key '{key}'", data.line, f"add `{key}: YYYY-MM-DD` to the sidecar")
            return None
        try:
            return parse_date(data[key], self.config)
        except ValueError as exc:
            self.fail(f"'{key}': {exc}", data.line_of(key),
                      "use an ISO 8601 date (2018-07-19) or date-time (2018-07-19T14:30:00+02:00)")
            return None

    def revisions(self, published: datetime | None) -> dict[str, Any]:
        """`updated:` (never before `date:`) and `corrections:` (each a date and a text; newest first)."""
        data = self.data
        updated = self.when(data, "updated")
        if updated and published and updated[0] < published:
            self.fail(f"'updated' ({data.raw.get('updated', data['updated'])}) is before the brief's date",
                      data.line_of("updated"), "a brief is updated after it is published: check both dates")
            updated = None
        corrections: list[Correction] = []
        value = data.get("corrections")
        if value is not None and not isinstance(value, YamlList):
            self.fail("'corrections' must be a list", data.line_of("corrections"),
                      "write each correction as `- date: YYYY-MM-DD` with `text: what was corrected`")
        listed = value if isinstance(value, YamlList) else YamlList()
        for index, item in enumerate(listed):
            if not isinstance(item, YamlMap):
                self.fail(f"correction {index + 1} must be a mapping with `date:` and `text:`", listed.line_of(index))
                continue
            for key in item:
                if key not in CORRECTION_KEYS:
                    self.fail(f"unknown key '{key}' in correction {index + 1}", item.line_of(key),
                              did_you_mean(key, CORRECTION_KEYS) or "a correction has `date:` and `text:`")
            when = self.when(item, "date", required=True)
            text = self.text("text", required=True, mapping=item)
            if when and text:
                if published and when[0] < published:
                    self.fail(f"correction {index + 1} is dated before the brief", item.line_of("date"),
                              "a correction comes after the brief is published: check its date")
                    continue
                corrections.append(Correction(when[0], when[1], text))
        corrections.sort(key=lambda correction: correction.date, reverse=True)
        if updated and corrections and updated[0] < corrections[0].date:
            self.fail("'updated' is before the newest correction", data.line_of("updated"),
                      f"set `updated:` to {corrections[0].date.date().isoformat()} or later, or leave it out "
                      "(the newest correction's date is then used)")
        return {"updated": updated[0] if updated else None, "updated_has_time": updated[1] if updated else False,
                "corrections": tuple(corrections)}

    def authors(self) -> list[EntityRef]:
        """`author:` a name or a list of names: who wrote the brief, each an entity of the type `authors`."""
        if self.data.get("author") is None:
            return []
        line = self.data.line_of("author")
        names = self.text_list(self.data, "author") if isinstance(self.data["author"], YamlList) else \
            [self.text("author") or ""]
        refs = []
        for name in names:
            if not name.strip() or not slugify(name):
                self.fail("an author needs a name with letters or digits", line, "write `author: Jane Doe`")
                continue
            refs.append(EntityRef(type=AUTHORS, id=slugify(name), name=name.strip(), path=str(self.path), line=line))
        return refs

    def image(self) -> Photo | None:
        """`image:`: the lead photo, a file beside the sidecar (or below it), with its alt text."""
        if self.data.get("image") is None:
            return None
        return read_photo(self.data["image"], self.data.line_of("image"), self.path, self.config.content_dir,
                          self.fail, self.warnings)

    def aliases(self) -> tuple[str, ...]:
        """`aliases:` the slugs the brief had before (as Hugo's front matter `aliases`), each a redirect page."""
        aliases = []
        for index, alias in enumerate(self.text_list(self.data, "aliases")):
            alias = alias.strip("/").removeprefix("briefs/")
            if not ID_PATTERN.match(alias):
                self.fail(f"alias '{alias}' is not a slug", self.data["aliases"].line_of(index),
                          f"give the old slug, as its address had it: '{slugify(alias) or 'old-slug'}'")
                continue
            aliases.append(alias)
        return tuple(dict.fromkeys(aliases))

    def language(self) -> str | None:
        value = self.text("language")
        if value is None:
            return None
        if not is_language_tag(value):
            self.fail(f"language '{value}' is not a language tag", self.data.line_of("language"),
                      "use a BCP 47 tag such as en, ar, ja, pt-BR or zh-Hant")
            return None
        return None if value.lower() == self.config.language.lower() else value

    def slug(self) -> str | None:
        value = self.text("slug")
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.fail(f"slug '{value}' is not a valid slug", self.data.line_of("slug"),
                      f"use lowercase letters, digits and '-', e.g. '{slugify(value) or 'my-brief'}'")
            return None
        if len(value) > MAX_SLUG_LENGTH:
            self.fail(f"slug '{value[:40]}…' is too long", self.data.line_of("slug"),
                      f"use a slug of at most {MAX_SLUG_LENGTH} characters")
            return None
        return value

    def source(self) -> Source | None:
        value = self.data.get("source")
        if value is None:
            return None
        line = self.data.line_of("source")
        if not isinstance(value, YamlMap):
            self.fail("'source' must be a mapping with name, url, author, published", line)
            return None
        for key in value:
            if key not in SOURCE_KEYS:
                self.fail(f"unknown key 'source.{key}'", value.line_of(key), did_you_mean(key, SOURCE_KEYS))
        url = self.text("url", mapping=value)
        if url is not None and not is_web_url(url):
            self.fail(f"source.url must be an http or https URL, not '{url[:80]}'", value.line_of("url"))
            url = None
        published = self.when(value, "published")
        return Source(name=self.text("name", mapping=value), url=url, author=self.text("author", mapping=value),
                      published=published[0] if published else None)

    def annotations(self) -> tuple[Annotation, ...]:
        value = self.data.get("annotations")
        if value is None:
            return ()
        if not isinstance(value, YamlList):
            self.fail("'annotations' must be a list of mappings with quote and note",
                      self.data.line_of("annotations"))
            return ()
        result = []
        for index, item in enumerate(value):
            line = value.line_of(index)
            if not isinstance(item, YamlMap):
                self.fail(f"annotation {index + 1} must be a mapping with quote and note", line)
                continue
            for key in item:
                if key not in ANNOTATION_KEYS:
                    hint = "W3C's `exact` is `quote` here" if key == "exact" else did_you_mean(key, ANNOTATION_KEYS)
                    self.fail(f"unknown key '{key}' in annotation {index + 1}", item.line_of(key), hint)
            quote = self.text("quote", mapping=item, required=True)
            note = self.text("note", mapping=item, required=True)
            kind = self.text("kind", mapping=item) or "note"
            if not KIND_PATTERN.match(kind):
                self.fail(f"annotation kind '{kind}' must be one lowercase word", item.line_of("kind"),
                          "for example note, context, fact-check, correction")
                continue
            prefix = item.raw.get("prefix") if item.get("prefix") is not None else None
            suffix = item.raw.get("suffix") if item.get("suffix") is not None else None
            when = self.when(item, "date")
            by, rating = self.annotation_by(item, index), self.annotation_rating(item, index, kind)
            if quote and note:
                result.append(Annotation(quote=quote, note=note, kind=kind, prefix=prefix, suffix=suffix, line=line,
                                         by=by, date=when[0] if when else None, has_time=bool(when and when[1]),
                                         rating=rating))
        return tuple(result)

    def annotation_by(self, item: YamlMap, index: int) -> Agent | None:
        """`by:` a name, or a mapping with `name` and optionally `url`."""
        if "by" not in item:
            return None
        value, line = item["by"], item.line_of("by")
        hint = "write `by: A. Name`, or `by: {name: A. Name, url: https://...}`"
        if isinstance(value, YamlMap):
            for key in value:
                if key not in AGENT_KEYS:
                    self.fail(f"unknown key '{key}' in the 'by' of annotation {index + 1}", value.line_of(key),
                              did_you_mean(key, AGENT_KEYS) or hint)
            name = self.text("name", mapping=value)
            url = self.text("url", mapping=value)
            if url is not None and not is_web_url(url):
                self.fail(f"'by' url must be an http or https URL, not '{url[:80]}'", value.line_of("url"))
                url = None
            elif url is not None:
                url = quote(url.strip(), safe=URL_SAFE)  # '<', '"' or spaces as a browser sends them
            if not name:
                self.fail(f"the 'by' of annotation {index + 1} has no name", line, hint)
                return None
            return Agent(name, url)
        name = self.text("by", mapping=item) if not isinstance(value, YamlList) else None
        if not name:
            if not isinstance(value, YamlList):
                self.fail(f"'by' of annotation {index + 1} is empty", line, hint)
            return None
        return Agent(name)

    def annotation_rating(self, item: YamlMap, index: int, kind: str) -> Rating | None:
        """`rating:` a short verdict, or `{value, best, worst, name}` (only on a fact-check)."""
        if "rating" not in item:
            return None
        value, line = item["rating"], item.line_of("rating")
        if kind != RATABLE_KIND:
            self.fail(f"annotation {index + 1} has a rating but is a '{kind}', not a fact-check", line,
                      "add `kind: fact-check`, or remove `rating:`")
            return None
        hint = "write `rating: False`, or `rating: {value: 1, best: 5, worst: 1, name: False}`"
        if not isinstance(value, YamlMap):
            name = self.text("rating", mapping=item) if not isinstance(value, YamlList) else None
            if not name:
                self.fail(f"'rating' of annotation {index + 1} must be a short verdict", line, hint)
                return None
            return Rating(name)
        for key in value:
            if key not in RATING_KEYS:
                self.fail(f"unknown key '{key}' in the rating of annotation {index + 1}", value.line_of(key),
                          did_you_mean(key, RATING_KEYS) or hint)
        name = self.text("name", mapping=value)
        numbers = {key: value.get(key) for key in ("value", "best", "worst")}
        for key, number in numbers.items():
            if number is not None and (isinstance(number, bool) or not isinstance(number, (int, float))):
                self.fail(f"rating {key} of annotation {index + 1} must be a number, not '{number}'",
                          value.line_of(key), hint)
                return None
        if not name or numbers["value"] is None:
            self.fail(f"the rating of annotation {index + 1} needs a `name` (the verdict in words) and a `value`",
                      line, hint)
            return None
        best = numbers["best"] if numbers["best"] is not None else 5
        worst = numbers["worst"] if numbers["worst"] is not None else 1
        if not worst <= numbers["value"] <= best:
            self.fail(f"rating value {numbers['value']} of annotation {index + 1} is outside worst..best "
                      f"({worst}..{best})", value.line_of("value"), "give a value between `worst` and `best`")
            return None
        return Rating(name, numbers["value"], best, worst)


def parse_date(value: Any, config: Config) -> tuple[datetime, bool]:
    """An ISO 8601 date or date-time → (aware datetime, has a time of day).

    A date-time without an offset takes the site's time zone; a date is midnight there.
    """
    if isinstance(value, datetime):
        parsed, has_time = value, True
    elif isinstance(value, date):
        parsed, has_time = datetime.combine(value, time()), False
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            parsed, has_time = datetime.combine(_checked_date(text), time()), False
        else:
            if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}", text):
                raise ValueError(f"'{text}' is not an ISO 8601 date")
            _checked_date(text[:10])
            try:
                parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
            except ValueError:
                raise ValueError(f"'{text}' is not a valid ISO 8601 date-time") from None
            has_time = True
    else:
        raise ValueError(f"'{value}' is not a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=config.zone)
    try:
        parsed.astimezone(UTC)  # feeds and sitemaps may give it in UTC
    except OverflowError:
        raise ValueError(f"'{value}' is too close to the year 1 to be given in UTC") from None
    return parsed, has_time


def _checked_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date (the day or month is out of range)") from None


def is_web_url(url: str) -> bool:
    """True for absolute http(s) URLs: never javascript:, data: or the like."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
