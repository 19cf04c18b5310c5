"""What `check` (and a build) found, by kind: how serious each kind is, and the report people read.

Owns the list of finding kinds (each with a severity: an `error` stops the
build; a `mistake` is likely wrong; `advice` is worth doing), and printing
findings three ways: a report grouped by kind, most serious first, a few
examples each (as ruff and mypy summarise); GitHub Actions workflow commands;
and JSON lines with stable keys. Must not import other briefgen modules than
errors.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefgenError, BuildWarning, ErrorList, shown

SEVERITIES = ("error", "mistake", "advice")
# Every kind of finding, its severity and what it is about, most serious first within each severity.
KINDS: dict[str, tuple[str, str]] = {
    "error": ("error", "errors that stop the build"),
    "dead-link": ("mistake", "links to no page or file of the site"),
    "dead-anchor": ("mistake", "links to an #anchor the page does not have"),
    "near-duplicate-entity": ("mistake", "entities whose names differ by a letter or two"),
    "names-share-an-id": ("mistake", "different names that make one entity id"),
    "registry-id-not-used": ("mistake", "names the registry gives an id of their own, used without it"),
    "tags-share-a-page": ("mistake", "tags written differently that share one page"),
    "shared-name": ("mistake", "a name two entities of one brief share"),
    "entity-not-named": ("mistake", "entities a brief lists but never names in its text"),
    "date-far-ahead": ("mistake", "dates more than a year ahead"),
    "empty-article": ("mistake", "articles with no text"),
    "raw-html-removed": ("mistake", "raw HTML removed from an article as unsafe"),
    "image-without-alt": ("mistake", "images in an article without alt text"),
    "cache-not-saved": ("advice", "a build cache that could not be saved"),
    "slug-shortened": ("advice", "file names too long for a slug"),
    "photo-too-small": ("advice", "lead photos narrower than search engines ask"),
    "brief-without-entities": ("advice", "briefs that name no entities"),
    "missing-description": ("advice", "entities without a description"),
    "search-skipped": ("advice", "search not built"),
    "other": ("mistake", "other warnings"),
}
EXAMPLES = 3  # findings shown of each kind, unless all are asked for


@dataclass(frozen=True)
class Finding:
    """One thing `check` found: its kind and severity, where, what, and what to do."""

    kind: str
    severity: str
    path: str | None
    line: int | None
    message: str
    hint: str | None = None

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def as_json(self) -> str:
        return json.dumps({"kind": self.kind, "severity": self.severity, "path": self.path, "line": self.line,
                           "message": self.message, "hint": self.hint}, ensure_ascii=False)


def from_warning(warning: BuildWarning) -> Finding:
    kind = warning.kind if warning.kind in KINDS else "other"
    return Finding(kind, KINDS[kind][0], shown(warning.path) if warning.path else None, warning.line,
                   warning.message)


def from_error(error: BriefgenError) -> list[Finding]:
    errors = error.errors if isinstance(error, ErrorList) else [error]
    return [Finding("error", "error", shown(e.path) if e.path else None, e.line, e.message, e.hint) for e in errors]


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Most serious first; within a severity, the kinds in `KINDS` order; then by file and line."""
    kind_order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), kind_order.get(f.kind, len(KINDS)),
                                           f.path or "", f.line or 0, f.message))


def text_report(findings: Sequence[Finding], *, every: bool = False) -> list[str]:
    """Grouped by kind, most serious first: a heading with the count, then the first few (all with `every`)."""
    lines: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for finding in ordered(findings):
        groups.setdefault(finding.kind, []).append(finding)
    for kind, members in groups.items():
        severity, about = KINDS.get(kind, KINDS["other"])
        lines.append(f"{severity}: {about} [{kind}]: {len(members)}")
        shown = members if every else members[:EXAMPLES]
        for finding in shown:
            where = finding.location()
            lines.append(f"  {where}: {finding.message}" if where else f"  {finding.message}")
            if finding.hint:
                lines.append(f"      hint: {finding.hint}")
        if len(members) > len(shown):
            lines.append(f"  … and {len(members) - len(shown)} more (--all lists them)")
    return lines


def summary_line(findings: Sequence[Finding]) -> str:
    counts = {severity: sum(1 for f in findings if f.severity == severity) for severity in SEVERITIES}
    words = {"error": "error", "mistake": "likely mistake", "advice": "piece of advice"}
    plural = {"error": "errors", "mistake": "likely mistakes", "advice": "pieces of advice"}
    return ", ".join(f"{count} {words[s] if count == 1 else plural[s]}" for s, count in counts.items())


def github_commands(findings: Sequence[Finding]) -> list[str]:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message` (escaped as its toolkit does)."""
    lines = []
    for finding in ordered(findings):
        command = "error" if finding.severity == "error" else "warning" if finding.severity == "mistake" else "notice"
        properties = []
        if finding.path:
            properties.append(f"file={_property(finding.path)}")
        if finding.line:
            properties.append(f"line={finding.line}")
        properties.append(f"title={_property(f'briefgen {finding.kind}')}")
        message = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
        lines.append(f"::{command} {','.join(properties)}::{_data(message)}")
    return lines


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def relative(findings: Iterable[Finding], base: Path) -> list[Finding]:
    """The findings with their paths relative to `base` where they are inside it (as CI annotations need)."""
    out = []
    for finding in findings:
        path = finding.path
        if path is not None:
            try:
                path = str(Path(path).resolve().relative_to(base.resolve()))
            except ValueError:
                pass
        out.append(Finding(finding.kind, finding.severity, path, finding.line, finding.message, finding.hint))
    return out
