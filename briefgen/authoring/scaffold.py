"""Authoring tools: `briefgen init` (a new site) and `briefgen new` (a new brief).

Owns the files a person starts from: the commented `briefgen.yaml`, the example
brief and registry, and the sidecar skeleton every new or imported brief gets
(`render_sidecar`), plus the checks shared with `importer` (site folder, free
file names, dates, source URLs). Writes only new files (or, with force, files
it wrote before); never builds and never edits a brief that is already there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..config import CONFIG_NAME
from ..errors import BriefgenError
from ..model import ARTICLE_SUFFIXES, REGISTRY_STEM, SIDECAR_SUFFIXES
from ..slugs import slugify, title_slug

CONTENT_DIR = "content"
FORCE_HINT = "use --force to overwrite it"


# ---------------------------------------------------------------- init


def init_site(target: Path, *, force: bool = False) -> list[Path]:
    """Create a site in `target`: config, an example brief, a registry, a README.

    `target` may not exist yet. A folder holding anything but hidden files
    (such as `.git`) is refused unless `force`, which overwrites only the files
    written here. Returns the files written.
    """
    if target.exists() and not target.is_dir():
        raise BriefgenError("this is a file, not a folder", target, hint="choose a folder for the new site")
    if target.is_dir() and not force:
        # Hidden entries are ignored, so `git init` before `briefgen init` works.
        visible = sorted(entry.name for entry in target.iterdir() if not entry.name.startswith("."))
        if visible:
            shown = ", ".join(visible[:3]) + (", ..." if len(visible) > 3 else "")
            raise BriefgenError(f"the folder is not empty ({shown})", target,
                                hint="use --force to write the site into it anyway, or choose an empty folder")
    files = {
        Path(CONFIG_NAME): _site_config(),
        Path("README.md"): _readme(target),
        Path(CONTENT_DIR) / "entities.yaml": EXAMPLE_REGISTRY,
        Path(CONTENT_DIR) / f"{EXAMPLE_SLUG}.md": EXAMPLE_ARTICLE,
        Path(CONTENT_DIR) / f"{EXAMPLE_SLUG}.yaml": EXAMPLE_SIDECAR,
    }
    written = []
    for relative, text in files.items():
        path = target / relative
        write_text(path, text)
        written.append(path)
    return written


def _site_config() -> str:
    return """\
# briefgen site configuration. Every option is shown with its default value;
# delete a line to go back to the default.

# The site's name, in every page header and in the feeds.
title: Briefs
# One sentence about the site, for the home page and the feed.
description: ""
# The absolute address the site will be published at, such as
# https://example.org/briefs/ (feeds and the sitemap need absolute links).
base_url: ""
# Language of the briefs (a BCP 47 tag such as en, de, pt-BR).
language: en
# IANA time zone for dates and date-times written without an offset.
timezone: UTC
# Briefs per page of the home page.
page_size: 20
# Entity types besides people, organizations, places and topics, each with its
# own pages at /<type>/: a list of names, or names with labels, such as
#   entity_types:
#     events: {title: Events, singular: Event}
entity_types: []
# Which mentions of a brief's entities link to their pages: first, all or none.
mentions: first
markdown:
  # Raw HTML in articles: false keeps what is safe (tables, figures, details, abbr, ...) and removes
  # scripts, styles, event handlers, frames and forms, with a warning; true publishes it all as written.
  unsafe_html: false
feed:
  # true puts whole briefs in the site's feeds; false only their summaries.
  full_content: true
  # The same for each entity's feed (summaries by default: a brief is in many of them).
  entity_full_content: false
  # How many of the newest briefs each feed holds.
  entries: 20
# What `briefgen check` reports.
check:
  # Kinds of finding `briefgen check` leaves out: advice you have decided against, such as
  # missing-description, brief-without-entities or search-skipped (`briefgen check` names each kind).
  ignore: []
"""


def _readme(target: Path) -> str:
    return f"""\
# {target.resolve().name or "briefs"}

A news brief site made with briefgen. Next: run `briefgen serve` in this folder to
preview it, and `briefgen new "Title of the brief"` to start a brief in content/
(`briefgen import story.txt` turns agency wire copy into a draft brief,
`briefgen check` looks for mistakes, `briefgen build` writes the site into site/).
"""


EXAMPLE_SLUG = "port-ellery-tidal-barrier"

EXAMPLE_ARTICLE = """\
The Port Ellery City Council voted 7–2 on Tuesday to build a movable tidal barrier
across the mouth of the Ellery Estuary, ending a decade of debate about how to
protect the harbour from storm surges.

Mayor Mara Quint called the vote "the most important decision this council will
take for a generation". The barrier, designed with the Coastal Works Agency, would
close only when a surge is forecast, leaving Port Ellery's harbour open to shipping
on every other day of the year.

## What it will cost

The council puts the cost at 140 million euros, two thirds of it from a national
climate adaptation fund. The two members who voted against said the estimate
leaves out the cost of running the gates for the next fifty years.

Tomás Reyes, the agency's chief engineer, said work could begin next spring and
that the barrier should be ready before the 2027 storm season.
"""

EXAMPLE_SIDECAR = """\
## An example brief: its article is port-ellery-tidal-barrier.md, next to this file.
## Everything in it is invented. Replace it with your own briefs.
title: Port Ellery approves a tidal barrier for its harbour
date: 2024-03-12
summary: After ten years of debate, the council backs a movable barrier against storm surges.
source:
  name: Ellery Courier
  url: https://example.com/news/port-ellery-tidal-barrier
  author: Jo Marsh
  published: 2024-03-12
key_points:
  - The council voted 7–2 for a movable barrier across the estuary mouth.
  - It would close only when a storm surge is forecast.
  - Building could start next spring, at a cost of 140 million euros.
entities:
  people:
    - Mara Quint
    - Tomás Reyes
  organizations:
    - Port Ellery City Council
    - Coastal Works Agency
  places:
    - Port Ellery
    - Ellery Estuary
  topics:
    - Climate adaptation
    - Storm surges
annotations:
  - quote: the most important decision this council will take for a generation
    note: Quint said the same of the harbour dredging plan in 2019.
    kind: context
  - quote: 140 million euros
    note: The council's own 2023 study put the cost at **120 to 180 million euros**.
    kind: fact-check
tags:
  - infrastructure
  - climate
"""

EXAMPLE_REGISTRY = """\
## The entity registry: descriptions, aliases and ids of the entities briefs name.
## Same shape as a sidecar's `entities:`. An entity gets a page once a brief names it.
people:
  - name: Mara Quint
    description: Mayor of Port Ellery since 2021.
  - name: Tomás Reyes
    description: Chief engineer of the Coastal Works Agency.
organizations:
  - name: Port Ellery City Council
    description: The nine elected members who govern Port Ellery.
  - name: Coastal Works Agency
    description: The national agency that builds and runs sea defences.
places:
  - name: Port Ellery
    description: A harbour town at the mouth of the Ellery Estuary.
  - name: Ellery Estuary
    description: Where the River Ellery meets the sea.
topics:
  - name: Climate adaptation
    aliases: [climate adaptation]
    description: Changing how places are built and run for the climate to come.
  - name: Storm surges
    aliases: [storm surges]
    description: Sea water pushed ashore by storm winds and low pressure.
"""


# ---------------------------------------------------------------- new


def new_brief(
    site_dir: Path,
    title: str,
    *,
    date: str | None = None,
    source_url: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> tuple[Path, Path]:
    """Write `content/<slug>.md` and its sidecar `content/<slug>.yaml`; return both.

    The sidecar has the title, the date (ISO 8601, default today) and the
    source URL when given; every other key is there, commented out, with what
    it is for. Existing files are overwritten only with `force`.
    """
    title = clean_title(title)
    slug = title_slug(title)
    if not slug:
        raise BriefgenError(f"the title '{title}' gives an empty slug", hint="use a title with letters or digits")
    when = check_date(date) if date is not None else (today or dt.date.today())
    url = check_source_url(source_url) if source_url is not None else None
    content = content_folder(site_dir)
    article = content / f"{slug}.md"
    sidecar = content / f"{slug}.yaml"
    claim_brief_files(content, slug, [article, sidecar], force=force)
    draft = SidecarDraft(title=title, date=when, source_url=url)
    write_text(article, NEW_ARTICLE)
    write_text(sidecar, render_sidecar(draft, header=[
        f"Sidecar of {article.name}: `title` and `date` are required.",
        "Uncomment the other keys you need (remove the '# ' in front of each line).",
    ]))
    return article, sidecar


NEW_ARTICLE = """\
Write the brief here, in Markdown. Names of the brief's entities become links to their pages.
"""


def clean_title(title: str) -> str:
    """The title on one line, or an error when nothing is left."""
    cleaned = " ".join(title.split())
    if not cleaned:
        raise BriefgenError("the title is empty", hint='give the brief a title: briefgen new "Title of the brief"')
    return cleaned


def check_date(text: str) -> dt.date | dt.datetime:
    """An ISO 8601 date (2018-07-19) or date-time (2018-07-19T14:30:00+02:00), checked."""
    value = text.strip()
    hint = "use an ISO 8601 date (2018-07-19) or date-time (2018-07-19T14:30:00+02:00)"
    # The same shapes the loader accepts: extended ISO 8601 only, not 20180719.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BriefgenError(f"'{value}' is not a real date (the day or month is out of range)",
                                hint=hint) from None
    if re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}", value):
        try:
            dt.date.fromisoformat(value[:10])
            return dt.datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            raise BriefgenError(f"'{value}' is not a valid ISO 8601 date-time", hint=hint) from None
    raise BriefgenError(f"'{value}' is not an ISO 8601 date", hint=hint)


def check_source_url(url: str) -> str:
    """An absolute http(s) URL, as the content format requires of `source.url`."""
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise BriefgenError(f"the source URL '{value}' must be an http or https address",
                            hint="for example https://example.com/news/story")
    return value


# ---------------------------------------------------------------- the sidecar skeleton


@dataclass(frozen=True)
class SidecarDraft:
    """The values a new sidecar starts with; every other key is written commented out."""

    title: str
    date: dt.date | dt.datetime
    source_url: str | None = None
    source_name: str | None = None
    draft: bool = False
    key_points: tuple[str, ...] = ()
    # type → entity refs: a name, or a mapping with `name` and `id`
    entities: Mapping[str, Sequence[str | Mapping[str, Any]]] = field(default_factory=dict)
    entities_comment: str | None = None


def render_sidecar(draft: SidecarDraft, *, header: Iterable[str] = ()) -> str:
    """A sidecar with the draft's values and every other key commented out, each explained.

    Removing the '# ' in front of every commented key gives valid YAML (header
    lines start with '## ' and stay comments).
    """
    lines = [f"## {line}" for line in header]
    lines.append(f"title: {yaml_scalar(draft.title)}")
    lines.append(f"date: {format_date(draft.date)}")
    example_date = format_date(draft.date.date() if isinstance(draft.date, dt.datetime) else draft.date)
    if draft.draft:
        lines.append("draft: true              # left out of the site unless built with --drafts")
    lines += _source_lines(draft)
    lines.append("# summary: One sentence under the title that says what happened")
    if draft.key_points:
        lines.append("key_points:              # bullet points shown above the article")
        lines.extend(f"  - {yaml_scalar(point)}" for point in draft.key_points)
    else:
        lines.append("# key_points:              # bullet points shown above the article")
        lines.append("#   - The first key point")
    entities = {kind: refs for kind, refs in draft.entities.items() if refs}
    if entities:
        if draft.entities_comment:
            lines.append(f"## {draft.entities_comment}")
        lines.append("entities:                # who and what the brief is about; each gets its own page")
        for kind, refs in entities.items():
            lines.append(f"  {yaml_scalar(kind)}:")
            lines.extend(f"    - {_entity_ref(ref)}" for ref in refs)
    else:
        lines.extend([
            "# entities:                # who and what the brief is about; each gets its own page",
            "#   people: [Full Name]",
            "#   organizations: [Name of an organization]",
            "#   places: [Name of a place]",
            "#   topics: [Name of a topic]",
        ])
    lines.extend([
        "# annotations:             # notes anchored to exact words of the article",
        "#   - quote: exact words from the article",
        "#     note: The note, in Markdown",
        "#     kind: context        # note (the default), context, fact-check, correction, ...",
        "#     prefix: words just before the quote  # only when the quote occurs more than once",
        "#     suffix: words just after the quote",
        "# author: Your Name        # the byline (or a list); each author gets a page and a feed",
        "# image:                   # the lead photo, shown under the title (WebP and JPEG in a few widths)",
        "#   src: photo.jpg         # a file relative to this sidecar's folder",
        "#   alt: What the photo shows, for readers who cannot see it",
        "#   caption: What it is about",
        "#   credit: Who took it",
        "# tags: [a-tag, another-tag]  # the brief is listed on each tag's page",
        "# slug: custom-slug        # the brief's address, /briefs/<slug>/ (default: from the file name)",
        "# aliases: [old-slug]      # slugs it had before: each old address sends readers here",
        f"# updated: {example_date}     # when the brief last changed in substance (not before its date)",
        "# corrections:             # a correction log at the foot of the brief, newest first",
        f"#   - date: {example_date}",
        "#     text: What was corrected, and how",
        "# language: ar             # the brief's language, when it is not the site's (BCP 47: ar, ja, pt-BR)",
    ])
    if not draft.draft:
        lines.append("# draft: true              # leave the brief out of the site unless built with --drafts")
    return "\n".join(lines) + "\n"


def _source_lines(draft: SidecarDraft) -> list[str]:
    """The sidecar's `source:`: the draft's, with the keys it lacks commented; else all commented."""
    lines: list[str] = []
    example_date = format_date(draft.date.date() if isinstance(draft.date, dt.datetime) else draft.date)
    if draft.source_url or draft.source_name:
        lines.append("source:                  # where the story comes from")
        lines.append(f"  name: {yaml_scalar(draft.source_name)}" if draft.source_name
                     else "  # name: Name of the agency or publication")
        if draft.source_url:
            lines.append(f"  url: {yaml_scalar(draft.source_url)}")
        else:
            lines.append("  # url: https://example.com/the-original-story")
        lines.append("  # author: Who wrote the original")
        lines.append(f"  # published: {example_date}  # when the original appeared (ISO 8601)")
    else:
        lines.extend([
            "# source:                  # where the story comes from",
            "#   name: Name of the agency or publication",
            "#   url: https://example.com/the-original-story",
            "#   author: Who wrote the original",
            f"#   published: {example_date}  # when the original appeared (ISO 8601)",
        ])
    return lines


def _entity_ref(ref: str | Mapping[str, Any]) -> str:
    if isinstance(ref, str):
        return yaml_scalar(ref)
    return yaml.safe_dump(dict(ref), allow_unicode=True, default_flow_style=True, sort_keys=False,
                          width=float("inf")).strip()


def yaml_scalar(value: str) -> str:
    """`value` as one line of YAML that loads back to exactly the same string."""
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=float("inf"), sort_keys=False)
    text = dumped[len("k: "):].rstrip("\n")
    if "\n" in text:
        # A multi-line block scalar would break the one-value-per-line layout.
        dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=float("inf"), default_style='"')
        text = dumped.split(": ", 1)[1].rstrip("\n")
    return text


def format_date(value: dt.date | dt.datetime) -> str:
    """ISO 8601 text a YAML reader and the briefgen loader both take as that date."""
    return value.isoformat()


# ---------------------------------------------------------------- shared file checks


def content_folder(site_dir: Path) -> Path:
    """The site's content/ folder, or an error when `site_dir` is not a site.

    A site has a content/ folder or a briefgen.yaml (content/ is then made on
    first write): refusing other folders keeps a mistyped path from growing one.
    """
    if not site_dir.is_dir():
        raise BriefgenError("there is no such folder", site_dir, hint="pass the folder of a briefgen site")
    content = site_dir / CONTENT_DIR
    if content.exists() and not content.is_dir():
        raise BriefgenError("content is a file, not a folder", content, hint="a site keeps its briefs in content/")
    if not content.is_dir() and not (site_dir / CONFIG_NAME).is_file():
        raise BriefgenError("this folder is not a briefgen site: it has no content/ folder and no briefgen.yaml",
                            site_dir, hint="run `briefgen init` to make one, or pass the site's folder")
    return content


def claim_brief_files(content: Path, slug: str, paths: Sequence[Path], *, force: bool,
                      claimed: Mapping[str, Path] | None = None, keep: Path | None = None) -> None:
    """Check that a brief may be written to `paths` (its article and sidecar, named by `slug`).

    Refuses: a file of `paths` that exists, unless `force` or it is `keep`
    (a file that is already the brief's own); another article or sidecar with
    the same name (it would pair with the new one, even with `force`); a brief
    elsewhere that has the slug already; a slug in `claimed` (taken earlier in
    the same command).
    """
    if paths[0].parent == content and paths[0].stem == REGISTRY_STEM:
        raise BriefgenError(f"a brief at the top of content/ cannot be named '{REGISTRY_STEM}': "
                            f"{REGISTRY_STEM}.yaml there is the entity registry", paths[0],
                            hint="choose another title, or rename the file")
    for path in paths:
        if path.is_dir():
            raise BriefgenError("a folder has this name", path, hint="rename the folder or choose another title")
        if path.exists() and not force and not (keep is not None and path.resolve() == keep.resolve()):
            raise BriefgenError("the file exists already", path, hint=FORCE_HINT)
    if claimed and slug in claimed:
        raise BriefgenError(f"two files would become the brief '{slug}'", claimed[slug],
                            hint="rename one of them")
    folder = paths[0].parent
    ours = {path.name for path in paths}
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            stem, suffix = os.path.splitext(entry.name)
            if stem == paths[0].stem and entry.name not in ours and suffix.lower() in (*ARTICLE_SUFFIXES,
                                                                                       *SIDECAR_SUFFIXES):
                raise BriefgenError(f"a file with the same name is there already: {entry.name}", entry,
                                    hint="it would pair with the new brief; rename it or choose another title")
    owner = brief_slugs(content).get(slug)
    if owner is not None and owner not in paths:
        raise BriefgenError(f"the slug '{slug}' is taken by another brief", owner,
                            hint="choose another title, or give one of them its own `slug:`")


def brief_slugs(content: Path) -> dict[str, Path]:
    """slug → sidecar of every brief under content/, read tolerantly (the build reports bad files)."""
    slugs: dict[str, Path] = {}
    for sidecar in iter_sidecars(content):
        slug = slugify(sidecar.stem)
        data = read_yaml_quietly(sidecar)
        if isinstance(data, dict) and isinstance(data.get("slug"), str) and data["slug"].strip():
            slug = data["slug"].strip()
        slugs.setdefault(slug, sidecar)
    return slugs


def iter_sidecars(content: Path) -> list[Path]:
    """Every sidecar under content/ (not the registry), skipping '.' and '_' names, sorted."""
    found: list[Path] = []
    if not content.is_dir():
        return found
    for folder, dirnames, filenames in os.walk(content):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith((".", "_")))
        here = Path(folder)
        for name in sorted(filenames):
            stem, suffix = os.path.splitext(name)
            if name.startswith((".", "_")) or suffix.lower() not in SIDECAR_SUFFIXES:
                continue
            if here == content and stem == REGISTRY_STEM:
                continue
            found.append(here / name)
    return found


def read_yaml_quietly(path: Path) -> Any:
    """A YAML file's data, or None when it cannot be read: for hints, never for the build."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with '\\n' line ends, making folders as needed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise BriefgenError(f"cannot write the file: {exc.strerror}", path) from None
