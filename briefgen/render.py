"""Render stage: the resolved site → pages (output path + bytes).

Owns the Jinja environment (site templates override the built-in theme file by
file), rendering each brief's body once per build, and the list of pages with
the context each is a pure function of. Must not write files.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import posixpath
import shutil
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from .cache import CACHE_DIR, code_fingerprint
from .charts import entity_timeline, ranked_chart, recently_named, timeline_chart
from .config import Config, builtin_templates_dir
from .errors import BriefgenError, BuildWarning
from .images import body_photo_stem, variants
from .langtag import is_right_to_left
from .markdown.extension import BriefMarkdown
from .markdown.mentions import MentionContext, MentionMatcher
from .memory import RenderedView
from .metadata import claim_reviews, news_article
from .model import Brief, Entity, Group, Page, Site
from .rendered import BriefOutcome, RenderedBrief, RenderedNote, brief_summary
from .store import whole
from .wire import parse_wire
from .xmltext import MONTHS, format_date, plain_number, rfc3339

BRIEF_ROOT = "../../"  # a brief's page is briefs/<slug>/index.html
TYPE_INDEX_PAGE_SIZE = 200

def make_environment(config: Config) -> jinja2.Environment:
    """Jinja environment: site templates/ first, then the built-in theme."""
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(config.templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_compiled_templates(config),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A builder makes a new environment when the templates' fingerprint changes (`Builder._jinja`):
        # Jinja need not ask each template's file for its time on every page (2% of a clean build's pages).
        auto_reload=False,
    )
    env.filters["longdate"] = format_date
    env.filters["isodate"] = iso_date
    env.filters["right_to_left"] = is_right_to_left
    env.filters["monthname"] = lambda value: f"{MONTHS[value.month - 1]} {value.year}"
    env.filters["tojson_ld"] = json_ld
    env.filters["number"] = plain_number
    return env


TEMPLATES_CACHE = "templates"  # in .briefgen-cache/: compiled templates, a folder per version of the code


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier command, kept in the build cache: a one-edit build renders a
    few pages, and compiling their templates took 0.1 s of it. Jinja checks each against its
    template's source. A cache that cannot be read or written only makes the build slower."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates(config: Config) -> jinja2.BytecodeCache | None:
    """The cache of compiled templates, in the site's build cache when it has one (builds without a
    cache leave the site folder alone). Its folder is named for briefgen's code and Jinja's version
    (they decide what a template compiles to); the folders of other versions are removed."""
    cache = config.site_dir / CACHE_DIR
    if not cache.is_dir():
        return None
    key = hashlib.blake2b(f"{code_fingerprint()}\0{jinja2.__version__}".encode(), digest_size=8).hexdigest()
    folder = cache / TEMPLATES_CACHE / key
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for other in folder.parent.iterdir():
            if other.name != key:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return _CompiledTemplates(str(folder))


def iso_date(value: datetime | date) -> str:
    """A <time datetime>: a date, or a date-time with its offset (as feeds give it)."""
    return rfc3339(value) if isinstance(value, datetime) else value.isoformat()


def json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: '<' escaped so no tag can close it."""
    # No indent: Python's JSON encoder runs in C only without one, several times faster.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_brief(brief: Brief, entities: Sequence[Entity], converter: BriefMarkdown,
                 config: Config) -> BriefOutcome:
    """Render a brief's body, key points and notes; its entities are what it may link.

    Its text is read from the build store if it is kept there, into a copy that goes when the rendering
    is made: `brief` stays as small as it was (see `store.whole`)."""
    brief = whole(brief)
    try:
        return _render_brief(brief, entities, converter, config)
    except RecursionError:
        # Python-Markdown and the element tree walks recurse once per level of nested markup.
        converter.md.reset()
        error = BriefgenError("the article nests markup (emphasis, lists, quotes, raw HTML elements) too deeply "
                              "to render", brief.article_path,
                              hint="remove the runs of *, _ or > (or the HTML tags) that nest hundreds deep")
        return BriefOutcome(RenderedBrief(Markup(""), (), (), {}), (error,), ())


def _render_brief(brief: Brief, entities: Sequence[Entity], converter: BriefMarkdown,
                  config: Config) -> BriefOutcome:
    if brief.body_format == "text":
        body, outcome = converter.convert_wire(parse_wire(brief.body), root=BRIEF_ROOT, entities=entities,
                                               annotations=brief.annotations, mention_mode=config.mentions)
        key_points = tuple(Markup(escape(point)) for point in brief.key_points)
    else:
        pictures = {photo.src: variants(photo, body_photo_stem(photo)) for photo in brief.body_photos}
        body, outcome = converter.convert(brief.body, root=BRIEF_ROOT, entities=entities,
                                          annotations=brief.annotations, mention_mode=config.mentions,
                                          pictures=pictures)
        key_points = tuple(Markup(converter.inline(point, root=BRIEF_ROOT)) for point in brief.key_points)
    errors = tuple(BriefgenError(problem.message, brief.sidecar_path, problem.annotation.line, problem.hint)
                   for problem in outcome.problems)
    warnings = tuple(BuildWarning(f"{entity.type} entity '{entity.name}' is never named in the text"
                                  if entity.names else
                                  f"{entity.type} entity '{entity.name}' has a one-character name, which is never "
                                  "linked in the text (give it an alias of two characters or more to link it)",
                                  Path(brief.sidecar_path), kind="entity-not-named")
                     for entity in entities
                     if entity.key not in outcome.mentioned and not _named_in(entity, brief.key_points))
    warnings += _shared_names(brief, entities)
    warnings += tuple(BuildWarning(f"the image {src or '(no src)'} has no alt text: readers who cannot see it "
                                   "learn nothing of it (write what it shows: ![what it shows](...))",
                                   Path(brief.article_path),
                                   _line_of(brief.body, posixpath.basename(src)) if src else None, "image-without-alt")
                      for src in dict.fromkeys(outcome.images_without_alt))
    warnings += tuple(BuildWarning(f"{removal.message} ({removal.hint})", Path(brief.article_path),
                                   _line_of(brief.body, removal.source), "raw-html-removed")
                      for removal in outcome.raw_html_removed)
    notes = []
    ids = set(outcome.ids)
    fragments = list(outcome.fragments)
    for index, annotation in enumerate(brief.annotations):
        number = outcome.note_numbers.get(index)
        if number is not None:
            html, note_outcome = converter.convert(annotation.note, root=BRIEF_ROOT, mention_mode="none",
                                                   id_prefix=f"note-{number}-")
            ids |= note_outcome.ids
            fragments += note_outcome.fragments
            notes.append(RenderedNote(number, annotation, Markup(html), outcome.quoted[index]))
    notes.sort(key=lambda note: note.number)
    shown = set(outcome.pictures)
    rendered = RenderedBrief(Markup(body), key_points, tuple(notes), dict(outcome.contexts), frozenset(ids),
                             tuple(photo for photo in brief.body_photos if photo.src in shown))
    page_ids = rendered.page_ids()
    warnings += tuple(BuildWarning(f"link to #{fragment} leads nowhere: the page has no element with that id",
                                   Path(brief.article_path), _line_of(brief.body, f"#{fragment}"), "dead-anchor")
                      for fragment in dict.fromkeys(fragments) if fragment not in page_ids)
    # Links relative to the page are checked as links from the root: briefs/<slug>/photo.jpg must be a file.
    relative = (f"/{posixpath.normpath(posixpath.join(brief.url, urllib.parse.urlsplit(url).path))}"
                for url in outcome.relative_links)
    return BriefOutcome(rendered, errors, warnings, tuple(dict.fromkeys((*outcome.root_links, *relative))),
                        rated=any(note.annotation.rating is not None for note in notes))


def _line_of(text: str, passage: str) -> int | None:
    """The line of `text` where `passage` starts (its first line, if it is not found whole)."""
    at = text.find(passage)
    if at < 0:
        at = text.find(passage.split("\n", 1)[0])
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _shared_names(brief: Brief, entities: Sequence[Entity]) -> tuple[BuildWarning, ...]:
    """A name (or alias) two of a brief's entities share: every mention of it links to the first."""
    owners: dict[str, list[Entity]] = {}
    for entity in entities:
        for name in entity.names:
            if entity not in owners.setdefault(name, []):
                owners[name].append(entity)
    return tuple(
        BuildWarning(f"'{name}' names {len(shared)} entities of this brief "
                     f"({', '.join(f'{e.type}/{e.id}' for e in shared)}): its mentions link to {shared[0].type}/"
                     f"{shared[0].id} (give the others an alias of their own to mention them)",
                     Path(brief.sidecar_path), kind="shared-name")
        for name, shared in owners.items() if len(shared) > 1)


def _named_in(entity: Entity, texts: Iterable[str]) -> bool:
    matcher = MentionMatcher(entity.names)
    return any(next(matcher.find(text), None) for text in texts)


@dataclass(frozen=True)
class Pager:
    """Where one page of a paginated list stands among its siblings."""

    number: int
    count: int
    first_item: int
    total_items: int
    previous: str | None  # site-root-relative paths ('people/x/', 'people/x/page/2/')
    next: str | None


brief_slug = attrgetter("slug")


def plain_slugs(group: Group, site: Site) -> tuple[str, ...] | None:
    """The slugs of the briefs a home, tag or entity group shows a page at a time, in order (from the
    snapshot's sorted lists, without reading each brief); None for other groups. Each of their pages shows
    its briefs and what the group's head says (see `pages.group_head`), and an entity's first page its
    timeline too."""
    if group[0] == "home":
        return site.slugs
    if group[0] == "tag":
        return site.briefs_by_tag.slugs(site.tags[group[1]].slug)
    if group[0] == "entity":
        return site.briefs_by_entity.slugs((group[1], group[2]))
    return None


def paginate(items: Sequence[Any], size: int, base: str,
             numbers: Collection[int] | None = None) -> Iterator[tuple[str, Sequence[Any], Pager]]:
    """Split `items` into pages: base/ then base/page/2/, base/page/3/ ... (`numbers`: only these)."""
    count = max(1, math.ceil(len(items) / size))

    def path(number: int) -> str:
        return base if number == 1 else f"{base}page/{number}/"

    for number in range(1, count + 1) if numbers is None else sorted(n for n in numbers if 1 <= n <= count):
        chunk = items[(number - 1) * size: number * size]
        yield path(number), chunk, Pager(
            number=number, count=count, first_item=(number - 1) * size + 1, total_items=len(items),
            previous=path(number - 1) if number > 1 else None,
            next=path(number + 1) if number < count else None,
        )


def page_groups(site: Site, config: Config) -> list[Group]:
    """Every group of pages the site has, in a stable order.

    A group is what one input of the model produces: a brief's page, an
    entity's pages, the home pages... Incremental builds redo whole groups,
    or the pages of a group whose briefs changed.
    """
    groups: list[Group] = [("home",)]
    groups += zip(itertools.repeat("brief"), site.slugs, strict=False)  # made in C
    groups += [("type", entity_type.name) for entity_type in config.entity_types]
    groups += [("entity", *key) for key in site.entities]
    groups += [("entities",), ("archive",)]
    groups += [("archive-month", f"{year:04d}-{month:02d}") for year, month in site.briefs_by_month]
    groups += [("tags",)]
    groups += [("tag", slug) for slug in site.tags]
    groups += [("search",), ("404",)]
    return groups


def plan_group(group: Group, site: Site, config: Config, rendered: RenderedView,
               numbers: Collection[int] | None = None) -> list[Page]:
    """The pages of one group, each with the context it is rendered from.

    `Page.members` names the briefs (or entities) a page lists, so an
    incremental build can tell which pages of a long list an edit reached.
    `numbers`: of the home, tag and entity pages listing briefs, only these (counted from 1).
    """
    pages: list[Page] = []

    def add(directory: str, template: str, members: tuple[Any, ...] = (), **context: Any) -> None:
        path = PurePosixPath(directory) / "index.html" if directory else PurePosixPath("index.html")
        pages.append(Page(path, template, context, members))

    kind = group[0]
    if kind == "home":
        for path, chunk, pager in paginate(site.briefs, config.page_size, "", numbers):
            add(path, "index.html", tuple(map(brief_slug, chunk)), briefs=chunk, pager=pager)
    elif kind == "brief":
        _plan_brief(site.brief(group[1]), site, config, rendered, add)
    elif kind == "type":
        entity_type = config.entity_type(group[1])
        listed = _entities_of_type(site, entity_type.name)
        for path, chunk, pager in paginate(listed, TYPE_INDEX_PAGE_SIZE, f"{entity_type.name}/"):
            add(path, "entity_type.html", tuple(e.key for e, _ in chunk), entity_type=entity_type,
                entities=chunk, pager=pager)
    elif kind == "entity":
        _plan_entity((group[1], group[2]), site, config, rendered, add, numbers)
    elif kind == "entities":
        add("entities/", "entities.html", recent=recently_named(site.briefs, site.entities),
            groups=[(t, _entities_of_type(site, t.name)) for t in config.entity_types])
    elif kind == "archive":
        add("archive/", "archive.html", years=_archive_years(site))
    elif kind == "archive-month":
        year, month = (int(part) for part in group[1].split("-"))
        add(f"archive/{year:04d}/{month:02d}/", "archive_month.html", month=date(year, month, 1),
            briefs=site.briefs_by_month[(year, month)])
    elif kind == "tags":
        add("tags/", "tags.html", tags=[(tag, site.briefs_by_tag.count(slug)) for slug, tag in site.tags.items()])
    elif kind == "tag":
        tag = site.tags[group[1]]
        for path, chunk, pager in paginate(site.briefs_by_tag[tag.slug], config.page_size, tag.url, numbers):
            add(path, "tag.html", tuple(map(brief_slug, chunk)), tag=tag, briefs=chunk, pager=pager)
    elif kind == "search":
        add("search/", "search.html")
    elif kind == "404":
        pages.append(Page(PurePosixPath("404.html"), "404.html", {}))
    else:
        raise ValueError(f"unknown page group {group!r}")
    return pages


def _plan_brief(brief: Brief, site: Site, config: Config, rendered: Mapping[str, RenderedBrief],
                add: Callable[..., None]) -> None:
    """A brief's page, and a redirect at each slug it had before (`aliases:`)."""
    entities = site.entities_of(brief)
    description = brief_summary(brief, rendered[brief.slug])
    photo = variants(brief.image) if brief.image else None
    shown = rendered[brief.slug].photos  # without a lead photo, the first in the text makes the share card
    add(brief.url, "brief.html", brief=brief, rendered=rendered[brief.slug], description=description,
        photo=photo, share_photo=photo or (variants(shown[0], body_photo_stem(shown[0])) if shown else None),
        share_photo_of=brief.image or (shown[0] if shown else None),
        article_ld=news_article(brief, entities, config, description, site.authors_of(brief)),
        authors=site.authors_of(brief),
        claim_reviews=claim_reviews(brief, rendered[brief.slug], config), entities=_grouped(entities, config),
        related=site.related.get(brief.slug, ()), tags=site.tags_of(brief))
    for alias in brief.aliases:
        add(f"briefs/{alias}/", "redirect.html", title=brief.title, what="brief", language=brief.language,
            target=f"../{brief.slug}/index.html",
            target_url=f"{config.base_url}{brief.url}" if config.base_url else None)


def _plan_entity(key: tuple[str, str], site: Site, config: Config, rendered: RenderedView,
                 add: Callable[..., None], numbers: Collection[int] | None = None) -> None:
    """An entity's pages (its briefs a page at a time, the charts on the first; `numbers`: only these),
    and its redirects."""
    entity = site.entities[key]
    briefs = site.briefs_by_entity[key]
    timeline = entity_timeline(briefs)
    co_mentions = site.co_mentions.get(key, ())
    photo = variants(entity.image) if entity.image else None
    for path, chunk, pager in paginate(briefs, config.page_size, entity.url, numbers):
        first = pager.number == 1
        # The first page is redone when its timeline changes, whatever briefs it lists.
        members = (*map(brief_slug, chunk), *([("timeline", timeline.signature)] if first else ()))
        add(path, "entity.html", members, entity=entity, entity_photo=photo,
            entity_type=config.entity_type(entity.type), mentions=MentionList(chunk, key, rendered),
            co_mentions=co_mentions, brief_count=len(briefs), pager=pager,
            timeline=timeline_chart(timeline) if first else None,
            co_mention_chart=ranked_chart(co_mentions) if first else None)
    for old_type, old_id in entity.redirect_from:  # where it was before a merge or rename
        add(f"{old_type}/{old_id}/", "redirect.html", title=entity.name, what="page", language=None,
            target=f"../../{entity.url}index.html",
            target_url=f"{config.base_url}{entity.url}" if config.base_url else None)


def _archive_years(site: Site) -> list[tuple[int, list[tuple[date, int]]]]:
    """Each year, newest first, with its months and how many briefs each has."""
    years: dict[int, list[tuple[date, int]]] = {}
    for year, month in site.briefs_by_month:  # newest first
        years.setdefault(year, []).append((date(year, month, 1), site.briefs_by_month.count((year, month))))
    return list(years.items())


class MentionList(Sequence[tuple[Brief, MentionContext | None]]):
    """An entity page's briefs, each with the sentence naming the entity; looked up when first read.

    A rebuild plans every page of a long entity list but renders only those
    an edit reached: only those need their briefs' rendered bodies.
    """

    def __init__(self, briefs: Sequence[Brief], key: tuple[str, str], rendered: RenderedView) -> None:
        self._briefs = briefs
        self._key = key
        self._rendered = rendered
        self._items: list[tuple[Brief, MentionContext | None]] | None = None

    def _looked_up(self) -> list[tuple[Brief, MentionContext | None]]:
        if self._items is None:
            self._items = [(brief, self._rendered.contexts(brief.slug).get(self._key)) for brief in self._briefs]
        return self._items

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self._looked_up()[index]

    def __iter__(self) -> Iterator[tuple[Brief, MentionContext | None]]:
        return iter(self._looked_up())

    def __len__(self) -> int:
        return len(self._briefs)


def _entities_of_type(site: Site, type_name: str) -> list[tuple[Entity, int]]:
    """Entities of one type with their brief counts, alphabetical."""
    listed = [(entity, site.briefs_by_entity.count(key)) for key, entity in site.entities.items()
              if entity.type == type_name]
    listed.sort(key=lambda item: (item[0].name.casefold(), item[0].id))
    return listed


def _grouped(entities: Sequence[Entity], config: Config) -> list[tuple[Any, list[Entity]]]:
    groups = []
    for entity_type in config.entity_types:
        members = [e for e in entities if e.type == entity_type.name]
        if members:
            groups.append((entity_type, members))
    return groups


def page_root(path: PurePosixPath) -> str:
    """The relative way from a page back to the site root: '', '../', '../../' ..."""
    return "../" * (len(path.parts) - 1)


class PageRenderer:
    """Renders planned pages with the site-wide context every template gets."""

    def __init__(self, env: jinja2.Environment, config: Config, site: Site) -> None:
        self.env = env
        self.config = config
        self.globals = {
            "site": {
                "title": config.title,
                "description": config.description,
                "language": config.language,
                "base_url": config.base_url,
                "entity_types": config.entity_types,
            },
        }

    def render(self, page: Page) -> bytes:
        root = page_root(page.path)
        if page.path == PurePosixPath("404.html") and self.config.base_url:
            # A 404 page is served at any depth: only links from the host's root work there. Not the
            # whole base URL: the page must also work on another host (the dev server, a staging copy).
            root = urlsplit(self.config.base_url).path
        context: dict[str, object] = dict(self.globals)
        context.update(page.context)
        context["root"] = root
        context["page_path"] = str(page.path)
        context["url"] = _url_maker(root)
        context["canonical"] = self.canonical(page.path)
        template = None
        try:
            template = self.env.get_template(page.template)
            html = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise BriefgenError(f"template error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateError as exc:
            raise template_error(exc, page) from None
        except UnicodeDecodeError:
            raise BriefgenError("a template is not valid UTF-8", undecodable_template(self.config),
                                hint="save the template as UTF-8") from None
        except RecursionError:
            raise BriefgenError(f"template {page.template} never ends rendering {page.path}: "
                                "it extends, includes or calls itself",
                                template.filename if template is not None else page.template,
                                hint="check the template's {% extends %}, {% include %} and macro calls") from None
        except Exception as exc:  # a site's template doing arithmetic on text, dividing by zero...
            raise template_error(exc, page) from None
        return html.encode("utf-8")

    def canonical(self, path: PurePosixPath) -> str | None:
        if not self.config.base_url:
            return None
        text = str(path)
        if text.endswith("index.html"):
            text = text[: -len("index.html")]
        return self.config.base_url + text


def undecodable_template(config: Config) -> Path | None:
    """The first template of the site's (or the theme's) that is not UTF-8."""
    for folder in (config.templates_dir, builtin_templates_dir()):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            try:
                if path.is_file():
                    path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                return path
    return None


def _url_maker(root: str) -> Callable[[str], str]:
    """url('people/x/') → relative link to that page's index.html from the current page."""

    def url(target: str) -> str:
        if target == "" or target.endswith("/"):
            return f"{root}{target}index.html"
        return f"{root}{target}"

    return url


def template_error(exc: Exception, page: Page) -> BriefgenError:
    """A template failure as a user error: the template file and line when Jinja knows them."""
    import sys
    import traceback

    filename, line = None, None
    for frame in reversed(traceback.extract_tb(sys.exc_info()[2])):
        if frame.filename.endswith(".html") or frame.filename.endswith(".xml"):
            filename, line = frame.filename, frame.lineno
            break
    hint = ("check the template's variable names against the theme's templates"
            if isinstance(exc, jinja2.UndefinedError) else "check the expression on this line")
    return BriefgenError(f"template {page.template} failed rendering {page.path}: {exc}", filename, line, hint)
