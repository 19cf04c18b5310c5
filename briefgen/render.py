"""Render stage: the resolved site → pages (output path + bytes).

Owns the Jinja environment (site templates override the built-in theme file by
file), rendering each brief's body once per build, and the list of pages with
the context each is a pure function of. Must not write files.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator, Sequence

import jinja2
from markupsafe import Markup, escape

from .config import Config
from .errors import BriefgenError, BuildWarning
from .markdown_ext import BriefMarkdown, MentionContext, MentionMatcher
from .model import Annotation, Brief, Entity, Page, Site
from .wire import parse_wire

BRIEF_ROOT = "../../"  # a brief's page is briefs/<slug>/index.html
TYPE_INDEX_PAGE_SIZE = 200
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class RenderedNote:
    """An annotation as its brief shows it: number, kind, note HTML."""

    number: int
    annotation: Annotation
    html: Markup


@dataclass(frozen=True)
class RenderedBrief:
    """A brief's Markdown rendered once per build, for every page that shows it."""

    body: Markup
    key_points: tuple[Markup, ...]
    notes: tuple[RenderedNote, ...]
    contexts: dict[tuple[str, str], MentionContext] = field(hash=False)


def builtin_templates_dir() -> Path:
    """The default theme: briefgen/templates/ in a wheel, top-level templates/ in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise BriefgenError("briefgen's built-in theme is missing from this installation",
                        hint="reinstall briefgen (pip install --force-reinstall briefgen)")


def make_environment(config: Config) -> jinja2.Environment:
    """Jinja environment: site templates/ first, then the built-in theme."""
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(config.templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = format_date
    env.filters["isodate"] = iso_date
    env.filters["monthname"] = lambda value: f"{MONTHS[value.month - 1]} {value.year}"
    env.filters["tojson_ld"] = json_ld
    return env


def format_date(value: datetime | date, has_time: bool = False) -> str:
    """'19 July 2018' (and ', 14:30 UTC' when the time is known): locale-free, stable."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if has_time and isinstance(value, datetime):
        text += f", {value:%H:%M} {value.tzname() or ''}".rstrip()
    return text


def iso_date(value: datetime | date) -> str:
    return value.isoformat()


def json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: '<' escaped so no tag can close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_briefs(site: Site, config: Config) -> tuple[dict[str, RenderedBrief], list[BriefgenError], list[BuildWarning]]:
    """Render every brief's body, key points and notes once; collect quote errors and warnings."""
    converter = BriefMarkdown(unsafe_html=config.unsafe_html)
    rendered: dict[str, RenderedBrief] = {}
    errors: list[BriefgenError] = []
    warnings: list[BuildWarning] = []
    for brief in site.briefs:
        entities = site.entities_of(brief)
        if brief.body_format == "text":
            body, outcome = converter.convert_wire(parse_wire(brief.body), root=BRIEF_ROOT, entities=entities,
                                                   annotations=brief.annotations, mention_mode=config.mentions)
            key_points = tuple(Markup(escape(point)) for point in brief.key_points)
        else:
            body, outcome = converter.convert(brief.body, root=BRIEF_ROOT, entities=entities,
                                              annotations=brief.annotations, mention_mode=config.mentions)
            key_points = tuple(Markup(converter.inline(point, root=BRIEF_ROOT)) for point in brief.key_points)
        for problem in outcome.problems:
            errors.append(BriefgenError(problem.message, brief.sidecar_path, problem.annotation.line, problem.hint))
        unmentioned = [e for e in entities if e.key not in outcome.mentioned
                       and not _named_in(e, brief.key_points)]
        for entity in unmentioned:
            warnings.append(BuildWarning(f"{entity.type} entity '{entity.name}' is never named in the text",
                                         Path(brief.sidecar_path)))
        notes = []
        for index, annotation in enumerate(brief.annotations):
            number = outcome.note_numbers.get(index)
            if number is not None:
                html, _ = converter.convert(annotation.note, root=BRIEF_ROOT, mention_mode="none")
                notes.append(RenderedNote(number, annotation, Markup(html)))
        notes.sort(key=lambda note: note.number)
        rendered[brief.slug] = RenderedBrief(Markup(body), key_points, tuple(notes), dict(outcome.contexts))
    return rendered, errors, warnings


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


def paginate(items: Sequence[Any], size: int, base: str) -> Iterator[tuple[str, Sequence[Any], Pager]]:
    """Split `items` into pages: base/ then base/page/2/, base/page/3/ ..."""
    count = max(1, math.ceil(len(items) / size))

    def path(number: int) -> str:
        return base if number == 1 else f"{base}page/{number}/"

    for number in range(1, count + 1):
        chunk = items[(number - 1) * size: number * size]
        yield path(number), chunk, Pager(
            number=number, count=count, first_item=(number - 1) * size + 1, total_items=len(items),
            previous=path(number - 1) if number > 1 else None,
            next=path(number + 1) if number < count else None,
        )


def plan_pages(site: Site, config: Config, rendered: dict[str, RenderedBrief]) -> list[Page]:
    """Every HTML page of the site, each with the context it is rendered from."""
    pages: list[Page] = []

    def add(directory: str, template: str, **context: Any) -> None:
        pages.append(Page(PurePosixPath(directory) / "index.html" if directory else PurePosixPath("index.html"),
                          template, context))

    for path, chunk, pager in paginate(site.briefs, config.page_size, ""):
        add(path, "index.html", briefs=chunk, pager=pager)
    for brief in site.briefs:
        add(brief.url, "brief.html", brief=brief, rendered=rendered[brief.slug],
            entities=_grouped(site.entities_of(brief), config), related=site.related.get(brief.slug, ()),
            tags=site.tags_of(brief))
    by_type = _entities_by_type(site, config)
    for entity_type in config.entity_types:
        listed = by_type[entity_type.name]
        for path, chunk, pager in paginate(listed, TYPE_INDEX_PAGE_SIZE, f"{entity_type.name}/"):
            add(path, "entity_type.html", entity_type=entity_type, entities=chunk, pager=pager)
    for key, entity in site.entities.items():
        briefs = site.briefs_by_entity[key]
        mentions = [(brief, rendered[brief.slug].contexts.get(key)) for brief in briefs]
        for path, chunk, pager in paginate(mentions, config.page_size, entity.url):
            add(path, "entity.html", entity=entity, entity_type=config.entity_type(entity.type),
                mentions=chunk, co_mentions=site.co_mentions.get(key, ()), brief_count=len(briefs), pager=pager)
    add("entities/", "entities.html", groups=[(t, by_type[t.name]) for t in config.entity_types])
    add("archive/", "archive.html", months=_by_month(site.briefs))
    add("tags/", "tags.html", tags=[(tag, len(site.briefs_by_tag[slug])) for slug, tag in site.tags.items()])
    for slug, tag in site.tags.items():
        for path, chunk, pager in paginate(site.briefs_by_tag[slug], config.page_size, tag.url):
            add(path, "tag.html", tag=tag, briefs=chunk, pager=pager)
    pages.append(Page(PurePosixPath("404.html"), "404.html", {}))
    return pages


def _entities_by_type(site: Site, config: Config) -> dict[str, list[tuple[Entity, int]]]:
    """Entities of each type with their brief counts, alphabetical."""
    result: dict[str, list[tuple[Entity, int]]] = {t.name: [] for t in config.entity_types}
    for key, entity in site.entities.items():
        result[entity.type].append((entity, len(site.briefs_by_entity[key])))
    for listed in result.values():
        listed.sort(key=lambda item: (item[0].name.casefold(), item[0].id))
    return result


def _grouped(entities: Sequence[Entity], config: Config) -> list[tuple[Any, list[Entity]]]:
    groups = []
    for entity_type in config.entity_types:
        members = [e for e in entities if e.type == entity_type.name]
        if members:
            groups.append((entity_type, members))
    return groups


def _by_month(briefs: Sequence[Brief]) -> list[tuple[date, list[Brief]]]:
    months: dict[date, list[Brief]] = {}
    for brief in briefs:
        months.setdefault(brief.month, []).append(brief)
    return sorted(months.items(), key=lambda item: item[0], reverse=True)


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
                "brief_count": len(site.briefs),
            },
        }

    def render(self, page: Page) -> bytes:
        root = page_root(page.path)
        if page.path == PurePosixPath("404.html") and self.config.base_url:
            # A 404 page is served at any depth: only absolute links work there.
            root = self.config.base_url
        context = dict(self.globals)
        context.update(page.context)
        context["root"] = root
        context["page_path"] = str(page.path)
        context["url"] = _url_maker(root)
        context["canonical"] = self.canonical(page.path)
        try:
            template = self.env.get_template(page.template)
            html = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise BriefgenError(f"template error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateError as exc:
            raise template_error(exc, page) from None
        return html.encode("utf-8")

    def canonical(self, path: PurePosixPath) -> str | None:
        if not self.config.base_url:
            return None
        text = str(path)
        if text.endswith("index.html"):
            text = text[: -len("index.html")]
        return self.config.base_url + text


def _url_maker(root: str) -> Callable[[str], str]:
    """url('people/x/') → relative link to that page's index.html from the current page."""

    def url(target: str) -> str:
        if target == "" or target.endswith("/"):
            return f"{root}{target}index.html"
        return f"{root}{target}"

    return url


def template_error(exc: jinja2.TemplateError, page: Page) -> BriefgenError:
    """A template failure as a user error: the template file and line when Jinja knows them."""
    import sys
    import traceback

    filename, line = None, None
    for frame in reversed(traceback.extract_tb(sys.exc_info()[2])):
        if frame.filename.endswith(".html") or frame.filename.endswith(".xml"):
            filename, line = frame.filename, frame.lineno
            break
    return BriefgenError(f"template {page.template} failed rendering {page.path}: {exc}", filename, line,
                         "check the template's variable names against the theme's templates")
