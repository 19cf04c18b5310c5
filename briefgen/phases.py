"""What one phase of a build hands the next: the sources found, the edits loaded, the resolution, the rendering.

Values only (and how to take a resolution back); the phases themselves are
`build.Builder`'s methods. Must not read files or render anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Listing
from .config import Config
from .memory import Outcomes, RegistryRecord, SourceRecord
from .model import Brief, GivenRefs, OutputPath, Site
from .scan import PairKey
from .schedule import is_published
from .write import StaticRefresh

if TYPE_CHECKING:  # not imported to run (see build.py)
    from .entities import SiteChange, SiteState
    from .pages import ProducedPages

RefsByFile = dict[str, GivenRefs]  # None: the file's refs are gone


@dataclass(frozen=True)
class Scan:
    """Where the sources are: every brief's pair of files, and the registry."""

    pairs: dict[PairKey, None]  # every brief's (article, sidecar), in order (a dict as an ordered set)
    registry_file: Path | None
    complete: bool  # the content folder was scanned (else `pairs` holds only the edited briefs)
    listing: Listing | None = None  # the content folder's stamps, if it was walked (else as last time)

    @property
    def registry_path(self) -> str | None:
        return str(self.registry_file) if self.registry_file else None


@dataclass(frozen=True)
class Edits:
    """What changed in the sources since the last build, as loaded."""

    gone: list[PairKey]
    loaded: dict[PairKey, SourceRecord]
    registry: RegistryRecord | None
    registry_changed: bool
    templates_digest: str
    static_digest: str
    templates_changed: bool
    static_changed: bool
    news_changed: bool = False  # time alone moved the news sitemap's window past a brief

    @property
    def none(self) -> bool:
        return not (self.gone or self.loaded or self.registry_changed or self.templates_changed
                    or self.static_changed or self.news_changed)


@dataclass(frozen=True)
class Resolution:
    """The edits applied to the resolved site, and how to take them back."""

    change: SiteChange
    sources: dict[PairKey, SourceRecord]
    old_briefs: list[Brief]
    new_briefs: list[Brief]
    inverse_refs: RefsByFile

    def undo(self, state: SiteState) -> None:
        state.apply(remove=self.new_briefs, add=self.old_briefs, refs=self.inverse_refs)

    def times_moved(self) -> bool:
        """Whether a brief came, went, or changed its date or draft (every brief's, published or not:
        when each is due follows from them)."""
        def timed(briefs: list[Brief]) -> list[tuple[str, bool]]:
            return sorted((b.date.isoformat(), b.draft) for b in briefs)
        return timed(self.old_briefs) != timed(self.new_briefs)

    def memberships_changed(self) -> bool:
        """Whether a brief joined or left an entity or a tag (their pages' dates may move)."""
        def members(briefs: list[Brief]) -> set[tuple[str, object]]:
            return {(b.slug, key) for b in briefs for key in (*b.entities, *b.tags)}
        return members(self.old_briefs) != members(self.new_briefs)

    def dates_changed(self, config: Config) -> bool:
        """Whether a published brief's date (or when it last changed) moved, came or went (the sitemaps list them)."""
        def dated(briefs: list[Brief]) -> set[tuple[Any, ...]]:
            return {(b.slug, b.date, b.has_time, b.modified) for b in briefs if is_published(b, config)}
        return dated(self.old_briefs) != dated(self.new_briefs)


@dataclass(frozen=True)
class Rendering:
    """Everything a build will write, rendered before anything is written."""

    site: Site
    outcomes: Outcomes
    pages: ProducedPages
    site_files: list[tuple[OutputPath, bytes]]
    static: StaticRefresh | None  # a rebuild's static files; None for a clean build
