"""Wire copy import: raw agency copy → a draft brief with a suggested title and entities.

Owns `import_wire_files` and the tolerant reading of the entities a site
knows already (`known_entities`); the suggestions themselves are
`names.py`'s (a known name or alias is suggested as the site knows it, with
its type and id; an acronym the text introduces becomes an alias). Writes
new files in content/ only (through `authoring`); never builds, never edits
a brief.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BriefgenError, ErrorCollector
from ..model import REGISTRY_STEM, SIDECAR_SUFFIXES
from ..slugs import slugify, title_slug
from ..wire import parse_wire
from ..yamlfile import decode_text
from .dates import suggest_date
from .names import suggest
from .scaffold import (
    SidecarDraft,
    check_source_url,
    claim_brief_files,
    content_folder,
    iter_sidecars,
    read_yaml_quietly,
    render_sidecar,
    write_text,
)
from .titles import suggest_title

# ---------------------------------------------------------------- import


def import_wire_files(
    site_dir: Path,
    files: Sequence[Path],
    *,
    source_url: str | None = None,
    source_name: str | None = None,
    force: bool = False,
    today: dt.date | None = None,
) -> list[tuple[Path, Path]]:
    """Import each wire copy file as a draft brief: `content/<slug>.txt` and its sidecar.

    The slug comes from the file's name. The sidecar is `draft: true` with a
    suggested title, the key points, the dateline's date (else today's), the source when given and
    suggested entities. Every file is checked before any is written, so one bad
    file leaves the site untouched. Returns (article, sidecar) per file.
    """
    url = check_source_url(source_url) if source_url is not None else None
    name = " ".join(source_name.split()) if source_name else None
    content = content_folder(site_dir)
    known = known_entities(site_dir)
    when = today or dt.date.today()
    errors = ErrorCollector()
    planned: list[tuple[Path, Path, str, str]] = []
    claimed: dict[str, Path] = {}
    for file in files:
        try:
            text = _read_wire(file)
            slug = slugify(file.stem) or title_slug(suggest_title(text))
            article, sidecar = content / f"{slug}.txt", content / f"{slug}.yaml"
            # A wire file already in content/ ("briefgen import content/story.txt") is its own article.
            claim_brief_files(content, slug, [article, sidecar], force=force, claimed=claimed, keep=file)
            claimed[slug] = file
            sidecar_text = _draft_sidecar(text, file, known, when, url, name)
        except BriefgenError as error:
            errors.add(error)
            continue
        planned.append((article, sidecar, text, sidecar_text))
    errors.raise_if_any()
    written = []
    for article, sidecar, text, sidecar_text in planned:
        write_text(article, text)
        write_text(sidecar, sidecar_text)
        written.append((article, sidecar))
    return written


OTHER_BULLET = re.compile(r"^[•*–·▪●]\s+")


def _read_wire(file: Path) -> str:
    """The file's text with '\\n' line ends, or an error naming the file (and line)."""
    if not file.exists():
        raise BriefgenError("there is no such file", file, hint="check the path of the wire copy to import")
    if file.is_dir():
        raise BriefgenError("this is a folder, not a file", file, hint="pass the wire copy files themselves")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BriefgenError(f"cannot read the file: {exc.strerror}", file) from None
    text = decode_text(data, file)  # binary or non-UTF-8 input: an error with the line
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _dashed_bullets(text)
    if not parse_wire(text).paragraphs and not parse_wire(text).key_points:
        raise BriefgenError("the file has no text to import", file, hint="wire copy is a paragraph a line")
    return text if text.endswith("\n") else text + "\n"


def _dashed_bullets(text: str) -> str:
    """Leading bullet lines written with •, *, – or · as '- ' lines: wire copy's key points (content format)."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        marker = OTHER_BULLET.match(stripped)
        if marker is None:
            if not stripped.startswith("- "):
                break  # the first paragraph: bullets after it are text
            continue
        lines[index] = "- " + stripped[marker.end():]
    return "\n".join(lines)


def _draft_sidecar(text: str, file: Path, known: KnownEntities, today: dt.date,
                   url: str | None, name: str | None) -> str:
    wire = parse_wire(text)
    entities: dict[str, list[str | dict[str, Any]]] = {}
    seen: set[str] = set()
    for found in suggest(text, known.names):
        known_kind, ref = known.resolve(found.type, found.name)
        entity_name = ref if isinstance(ref, str) else ref["name"]
        entity_id = slugify(ref) if isinstance(ref, str) else ref["id"]
        if entity_id in seen:
            continue
        seen.add(entity_id)
        # Another name the text gives it ("ASIO"), unless the site knows that name of it already.
        aliases = [alias for alias in found.aliases if known.names.get(alias) != (known_kind, entity_name)]
        entry: str | dict[str, Any] = ref
        if aliases:
            entry = {"name": ref, "aliases": aliases} if isinstance(ref, str) else {**ref, "aliases": aliases}
        entities.setdefault(known_kind, []).append(entry)
    draft = SidecarDraft(
        title=suggest_title(text), date=suggest_date(text, today) or today, source_url=url, source_name=name,
        draft=True,
        key_points=wire.key_points, entities=entities,
        entities_comment="Suggested from the text: review them, delete the wrong ones, add what is missing.",
    )
    return render_sidecar(draft, header=[
        f"Imported from {file.name}: check the suggested title and entities,",
        "then delete `draft: true` to publish. Uncomment the other keys you need.",
    ])


# ---------------------------------------------------------------- the site's entities


@dataclass(frozen=True)
class KnownEntities:
    """What a site's registry and sidecars say about entities, for suggestions."""

    names: dict[str, tuple[str, str]]  # name or alias → (type, canonical name)
    entities: dict[str, tuple[str, str]]  # id → (type, canonical name)
    ids: dict[tuple[str, str], str]  # (type, canonical name) → id

    def resolve(self, kind: str, name: str) -> tuple[str, str | dict[str, str]]:
        """The type and sidecar ref of a suggestion, as the site already knows it.

        A name whose id the site uses already is that entity (one id is one
        entity); a ref carries `id:` when the id is not the slug of its name.
        """
        entity_id = self.ids.get((kind, name)) or slugify(name)
        kind, name = self.entities.get(entity_id, (kind, name))
        return kind, name if entity_id == slugify(name) else {"name": name, "id": entity_id}


def known_entities(site_dir: Path) -> KnownEntities:
    """Entities of `content/entities.yaml` and every sidecar, read tolerantly.

    One id is one entity (the content format's rule): every name and alias of
    an id maps to the name the registry gives it, else the first sidecar's.
    """
    content = site_dir / "content"
    sources = [content / f"{REGISTRY_STEM}{suffix}" for suffix in SIDECAR_SUFFIXES]
    documents: list[Any] = [read_yaml_quietly(path) for path in sources if path.is_file()]
    documents = [doc["entities"] if isinstance(doc, dict) and list(doc) == ["entities"] else doc
                 for doc in documents]
    for sidecar in iter_sidecars(content):
        data = read_yaml_quietly(sidecar)
        documents.append(data.get("entities") if isinstance(data, dict) else None)
    entities: dict[str, tuple[str, str]] = {}
    names: dict[str, tuple[str, str]] = {}
    pending: list[tuple[str, list[str]]] = []
    for document in documents:
        if not isinstance(document, dict):
            continue
        for kind, refs in document.items():
            if not isinstance(kind, str) or not isinstance(refs, list):
                continue
            for ref in refs:
                parsed = _read_ref(ref)
                if parsed is None:
                    continue
                name, entity_id, aliases = parsed
                entities.setdefault(entity_id, (kind, name))
                pending.append((entity_id, [name, *aliases]))
    for entity_id, texts in pending:
        for text in texts:
            names.setdefault(text, entities[entity_id])
    ids: dict[tuple[str, str], str] = {}
    for entity_id, entity in entities.items():
        ids.setdefault(entity, entity_id)  # the registry's id first
    return KnownEntities(names, entities, ids)


def _read_ref(ref: Any) -> tuple[str, str, list[str]] | None:
    """(name, id, aliases) of one entity ref, or None when it is not one."""
    if isinstance(ref, dict):
        name = ref.get("name")
        if not isinstance(name, str) or not name.strip():
            return None
        given = ref.get("id")
        raw_aliases = ref.get("aliases") or []
        aliases = [raw_aliases] if isinstance(raw_aliases, str) else raw_aliases
        aliases = [str(a).strip() for a in aliases if isinstance(a, (str, int)) and str(a).strip()] \
            if isinstance(aliases, list) else []
        entity_id = str(given).strip() if given is not None and str(given).strip() else slugify(name)
        return (name.strip(), entity_id, aliases) if entity_id else None
    if isinstance(ref, str) and ref.strip() and slugify(ref):
        return ref.strip(), slugify(ref), []
    return None
