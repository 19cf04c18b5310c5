"""`briefgen annotations import`: W3C Web Annotations and Hypothesis exports into the briefs' sidecars.

Owns reading an export (a W3C Annotation, AnnotationCollection or
AnnotationPage, a JSON list of annotations, or the Hypothesis API's search
result with its `rows`), finding the brief each annotation targets (its
published URL under any host, its path `/briefs/<slug>/`, a URL relative to
the export file, or the brief's `source.url`), checking its quote where the
build would, and appending it to the sidecar's `annotations:` as text, so the
file's comments and layout stay as they were. Each sidecar is written whole
or not at all. Must not build the site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from selectolax.lexbor import LexborHTMLParser

from ..annotations_ld import MOTIVATIONS
from ..config import load_config
from ..errors import BriefgenError, ErrorCollector
from ..files import replace_file
from ..load import load_pair
from ..markdown.extension import BriefMarkdown
from ..model import Agent, Annotation, Brief
from ..scan import find_content
from ..wire import parse_wire

UTC_ZERO = timedelta(0)
KINDS_BY_MOTIVATION = {motivation: kind for kind, motivation in MOTIVATIONS.items()}


@dataclass(frozen=True)
class Imported:
    """One annotation of an export, as briefgen's sidecar will hold it, and where it came from."""

    origin: str  # "export.json, annotation 3 (id ...)"
    target: str  # the page it annotates, as the export gives it
    quote: str
    note: str
    prefix: str = ""
    suffix: str = ""
    kind: str = "note"
    by: Agent | None = None
    date: str | None = None
    rating: str | None = None


@dataclass
class ImportReport:
    """What an import did (or, dry, would do)."""

    added: dict[Path, list[Imported]] = field(default_factory=dict)  # sidecar → annotations appended
    skipped: list[Imported] = field(default_factory=list)  # already in their sidecar
    failed: list[str] = field(default_factory=list)  # messages naming the export and the annotation


def import_annotations(site_dir: Path, files: Sequence[Path], *, dry_run: bool = False) -> ImportReport:
    """Append every annotation of `files` to its brief's sidecar (none written when `dry_run`)."""
    briefs = _site_briefs(site_dir)
    config = load_config(site_dir)
    report = ImportReport()
    converter = BriefMarkdown(unsafe_html=config.unsafe_html)
    for export in files:
        try:
            annotations = list(read_export(export))
        except BriefgenError as error:
            report.failed.append(error.format_message())
            continue
        for item in annotations:
            brief = _target_brief(item.target, export, briefs, config.base_url)
            if brief is None:
                report.failed.append(f"{item.origin}: no brief of the site is at {item.target}")
                continue
            sidecar = Path(brief.sidecar_path)
            present = [*brief.annotations, *(_as_annotation(i) for i in report.added.get(sidecar, []))]
            item = _as_written(item, brief, converter)
            if any(" ".join(a.quote.split()) == " ".join(item.quote.split()) and a.note.strip() == item.note.strip()
                   for a in present):
                report.skipped.append(item)
                continue
            placed = _placed(item, brief, present, converter)
            if isinstance(placed, str):
                report.failed.append(f"{item.origin}: {placed} (in {brief.sidecar_path})")
                continue
            report.added.setdefault(sidecar, []).append(placed)
    if not dry_run:
        for sidecar, items in report.added.items():
            try:
                append_annotations(sidecar, items)
            except OSError as exc:
                raise BriefgenError(f"cannot write the sidecar: {exc.strerror or exc}", sidecar,
                                    hint="it is as it was; check the disk and the file's permissions, "
                                         "then import again (what was added is skipped)") from None
    return report


# -- reading exports -------------------------------------------------------------------------------


def read_export(path: Path) -> Iterator[Imported]:
    """The annotations of a W3C or Hypothesis export, in order; an error naming the file if it is neither."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BriefgenError(f"cannot read the export: {exc.strerror or exc}", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BriefgenError(f"not a JSON file: {exc}", path,
                            hint="export W3C Web Annotations (JSON-LD) or Hypothesis annotations (JSON)") from None
    for index, item in enumerate(_items(data, path), 1):
        origin = f"{path}: annotation {index}" + (f" ({item['id']})" if isinstance(item, dict) and "id" in item else "")
        if not isinstance(item, dict):
            raise BriefgenError(f"annotation {index} is not a JSON object", path)
        found = _hypothesis(item, origin) if "uri" in item or "user" in item else _w3c(item, origin)
        if isinstance(found, str):
            raise BriefgenError(f"annotation {index}: {found}", path,
                                hint="briefgen imports annotations of text quotes (TextQuoteSelector)")
        yield found


def _items(data: Any, path: Path) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise BriefgenError("the export is neither a list nor an object of annotations", path)
    if isinstance(data.get("rows"), list):  # the Hypothesis API's search result
        return list(data["rows"])
    kinds = data.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "AnnotationCollection" in kinds:
        first = data.get("first")
        items: list[Any] = []
        while isinstance(first, dict):
            items += first.get("items", [])
            first = first.get("next") if isinstance(first.get("next"), dict) else None
        return items
    if "AnnotationPage" in kinds:
        return list(data.get("items", []))
    if "Annotation" in kinds:
        return [data]
    raise BriefgenError("the export holds no annotations (no Annotation, AnnotationCollection, AnnotationPage "
                        "or Hypothesis rows)", path)


def _quote_selector(target: Any) -> tuple[str, dict[str, Any]] | None:
    """The page and the TextQuoteSelector of an annotation's target, if it has one."""
    targets = target if isinstance(target, list) else [target]
    for one in targets:
        if not isinstance(one, dict):
            continue
        selectors = one.get("selector")
        for selector in selectors if isinstance(selectors, list) else [selectors]:
            if isinstance(selector, dict) and selector.get("type") == "TextQuoteSelector" and selector.get("exact"):
                return str(one.get("source", "")), selector
    return None


def _w3c(item: dict[str, Any], origin: str) -> Imported | str:
    found = _quote_selector(item.get("target"))
    if found is None:
        return "its target has no TextQuoteSelector"
    source, selector = found
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    texts = [b for b in bodies if isinstance(b, dict) and b.get("type", "TextualBody") == "TextualBody"
             and isinstance(b.get("value"), str)]
    # A verdict is a short body that assesses, without a format of its own (as briefgen exports it).
    verdicts = [b for b in texts if b.get("purpose") == "assessing" and "format" not in b]
    notes = [b for b in texts if b not in verdicts]
    note = next((b["value"] for b in notes if b.get("format") == "text/markdown"), None) or \
        next((b["value"] for b in notes if b.get("format") in (None, "text/plain")), None) or \
        next((b["value"] for b in notes), None) or \
        (item["bodyValue"] if isinstance(item.get("bodyValue"), str) else None)
    if not note:
        return "it has no text body (a note)"
    rating = verdicts[0]["value"] if verdicts else None
    motivation = item.get("motivation")
    kind = KINDS_BY_MOTIVATION.get(motivation if isinstance(motivation, str) else "", "note")
    creator = item.get("creator")
    by = None
    if isinstance(creator, dict) and creator.get("name"):
        by = Agent(str(creator["name"]), str(creator["homepage"]) if creator.get("homepage") else None)
    elif isinstance(creator, str) and not creator.startswith(("http:", "https:")):
        by = Agent(creator)
    return Imported(origin, source, str(selector["exact"]), note, str(selector.get("prefix", "")),
                    str(selector.get("suffix", "")), kind, by, _day(item.get("created")),
                    rating if kind == "fact-check" else None)


def _hypothesis(item: dict[str, Any], origin: str) -> Imported | str:
    found = _quote_selector(item.get("target"))
    if found is None:
        return "its target has no TextQuoteSelector (a page note, or a reply)"
    source, selector = found
    note = str(item.get("text") or "").strip()
    if not note:
        return "it has no text (a highlight without a note)"
    user = str(item.get("user", ""))
    name = user.removeprefix("acct:").split("@")[0] if user else ""
    info = item.get("user_info")
    if isinstance(info, dict) and info.get("display_name"):
        name = str(info["display_name"])
    return Imported(origin, source or str(item.get("uri", "")), str(selector["exact"]), note,
                    str(selector.get("prefix", "")), str(selector.get("suffix", "")), "note",
                    Agent(name) if name else None, _day(item.get("created")))


def _day(value: Any) -> str | None:
    """An export's timestamp as the sidecar writes it (RFC 3339 kept as it is, minus fractions of a second)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0) and when.utcoffset() in (None, UTC_ZERO):
        return when.date().isoformat()  # a date without a time, as briefgen exports one
    return when.replace(microsecond=0).isoformat()


# -- matching and placing --------------------------------------------------------------------------


def _site_briefs(site_dir: Path) -> list[Brief]:
    config = load_config(site_dir)
    errors = ErrorCollector()
    files = find_content(config, errors)
    briefs = []
    for pair in files.pairs:
        loaded, pair_errors = load_pair(pair, config)
        errors.extend(pair_errors)
        if loaded is not None:
            briefs.append(loaded[0])
    errors.raise_if_any()
    return briefs


def _target_brief(target: str, export: Path, briefs: Iterable[Brief], base_url: str | None) -> Brief | None:
    """The brief a page address names: by its path `briefs/<slug>/` (any host), else its source URL."""
    resolved = urljoin(export.resolve().as_uri(), target) if target else ""
    path = unquote(urlsplit(resolved).path)
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    parts = [part for part in path.split("/") if part]
    by_slug = {brief.slug: brief for brief in briefs}
    for index in range(len(parts) - 1):
        if parts[index] == "briefs" and index == len(parts) - 2 and parts[index + 1] in by_slug:
            return by_slug[parts[index + 1]]
    for brief in by_slug.values():
        if brief.source and brief.source.url and _same_page(brief.source.url, target):
            return brief
    return None


def _same_page(first: str, second: str) -> bool:
    def key(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"
    return key(first) == key(second)


def _as_annotation(item: Imported) -> Annotation:
    return Annotation(quote=item.quote, note=item.note, kind=item.kind, prefix=item.prefix or None,
                      suffix=item.suffix or None)


def _rendered(brief: Brief, annotations: Sequence[Annotation], converter: BriefMarkdown) -> tuple[str, Any]:
    if brief.body_format == "text":
        return converter.convert_wire(parse_wire(brief.body), root="", annotations=annotations)
    return converter.convert(brief.body, root="", annotations=annotations)


def _as_written(item: Imported, brief: Brief, converter: BriefMarkdown) -> Imported:
    """The annotation with its quote and context as the article has them, not as the published page shows them.

    A client quotes the page, where the numbers of other notes stand after
    their passages (`a long debate2 on Tuesday`) and white space is the
    layout's. The quote is looked for in the article's text as rendered, any
    digit of it optional (a note's number, or the text's own) and white space
    folded; its context chooses among repeats.
    """
    html, _ = _rendered(brief, (), converter)
    tree = LexborHTMLParser(html, is_fragment=True)
    text = " ".join((tree.root.text(deep=True, separator=" ", strip=False) if tree.root else "").split())
    exact = _pattern(item.quote)
    if not exact:
        return item
    found = [match for match in re.finditer(exact, text) if match.end() > match.start()]
    before_words, after_words = item.prefix.split(), item.suffix.split()

    def fits(match: re.Match[str], words: int) -> tuple[bool, bool]:
        prefix, suffix = _pattern(" ".join(before_words[-words:])), _pattern(" ".join(after_words[:words]))
        return (not prefix or re.search(f"{prefix}\\s*$", text[: match.start()]) is not None,
                not suffix or re.match(f"\\s*{suffix}", text[match.end():]) is not None)

    # Context on both sides first, as much of it as fits some occurrence (a repeat inside four words of
    # context is told apart by the fifth); one side only where the other runs off the article (into
    # the page's title, or its list of notes).
    chosen: list[re.Match[str]] = []
    for words in range(max(len(before_words), len(after_words)), 0, -1):
        chosen = [match for match in found if all(fits(match, words))]
        if chosen:
            break
    chosen = chosen or [match for match in found if any(fits(match, 4))] or found
    if len(chosen) != 1:
        return item  # not in the article as shown (or too often): the article's own search says why
    start, end = chosen[0].span()
    before, after = text[max(0, start - 60): start], text[end: end + 60]
    return replace(item, quote=text[start:end].strip(), prefix=before.strip(), suffix=after.strip())


def _pattern(quoted: str) -> str:
    """A regular expression for page text: white space folded, every digit optional (it may be a note's number)."""
    words = quoted.split()
    return r"\s+".join("".join(f"{re.escape(char)}?" if char.isdigit() else re.escape(char) for char in word)
                        for word in words)


def _placed(item: Imported, brief: Brief, present: Sequence[Annotation], converter: BriefMarkdown) -> Imported | str:
    """The annotation with just enough of its prefix and suffix to be found once, or why it cannot be."""
    def problem(candidate: Imported) -> str | None:
        annotations = [*present, _as_annotation(candidate)]
        _, outcome = _rendered(brief, annotations, converter)
        mine = [p for p in outcome.problems if p.annotation == annotations[-1]]
        return mine[0].message if mine else None

    bare = replace(item, prefix="", suffix="")
    first = problem(bare)
    if first is None:
        return bare
    before, after = item.prefix.split(), item.suffix.split()
    for words in range(max(len(before), len(after)), 0, -1):
        for prefix, suffix in ((before[-words:], after[:words]), (before[-words:], []), ([], after[:words])):
            if not prefix and not suffix:
                continue
            candidate = replace(item, prefix=" ".join(prefix), suffix=" ".join(suffix))
            if problem(candidate) is None:
                return candidate
    return first


# -- writing ---------------------------------------------------------------------------------------


def append_annotations(sidecar: Path, items: Sequence[Imported]) -> None:
    """Add `items` at the end of the sidecar's `annotations:` list (made if absent); all or nothing."""
    raw = sidecar.read_bytes()
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    entries = _yaml_items(items)
    node = yaml.compose(text)
    annotations = None
    if isinstance(node, yaml.MappingNode):
        annotations = next((value for key, value in node.value if getattr(key, "value", None) == "annotations"),
                           None)
    if annotations is None or (isinstance(annotations, yaml.ScalarNode) and annotations.value in ("", "~", "null")):
        if annotations is not None:  # `annotations:` with nothing after it: the list goes there
            at = annotations.start_mark.line
            lines[at] = lines[at].rstrip()
            new = lines[: at + 1] + entries + lines[at + 1:]
        else:
            while lines and lines[-1] == "":
                lines.pop()
            new = [*lines, "annotations:", *entries, ""]
    elif isinstance(annotations, yaml.SequenceNode) and not annotations.flow_style:
        end = annotations.end_mark.line  # the line after the list's last item (0-based)
        while (end > 0 and lines[end - 1].strip() == "") or (end > 0 and lines[end - 1].lstrip().startswith("#")
                                                            and _indent(lines[end - 1]) == 0):
            end -= 1
        indent = annotations.value[0].start_mark.column - 2 if annotations.value else 2
        new = lines[:end] + [" " * max(indent, 0) + entry[2:] if indent != 2 else entry for entry in entries] + \
            lines[end:]
    else:
        raise BriefgenError("cannot add annotations here: `annotations:` is not a list written one item per line",
                            sidecar, annotations.start_mark.line + 1,
                            hint="write it as `annotations:` followed by `  - quote: ...` items, then import again")
    result = newline.join(new)
    if not result.endswith(newline):
        result += newline
    replace_file(sidecar, result.encode("utf-8"), mode=sidecar.stat().st_mode & 0o7777)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _yaml_items(items: Sequence[Imported]) -> list[str]:
    """Each annotation as sidecar lines: `  - quote: ...` and its keys below, every value quoted as needed."""
    lines: list[str] = []
    for item in items:
        entry: dict[str, Any] = {"quote": item.quote}
        if item.prefix:
            entry["prefix"] = item.prefix
        if item.suffix:
            entry["suffix"] = item.suffix
        entry["note"] = item.note
        if item.kind != "note":
            entry["kind"] = item.kind
        if item.by is not None:
            entry["by"] = {"name": item.by.name, "url": item.by.url} if item.by.url else item.by.name
        if item.date:
            entry["date"] = item.date
        if item.rating:
            entry["rating"] = item.rating
        dumped = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
        lines += ["  " + line for line in dumped.rstrip("\n").split("\n")]
    return lines


