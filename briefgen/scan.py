"""Scan stage: the content folder → its articles paired with their sidecars, and the registry.

Owns walking `content/` (any depth; names starting with '.' or '_' are
skipped), refusing symlinks that lead out of the site or nowhere, and
pairing files by folder and stem. Every problem of the folder is collected.
Must not read the files' contents.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Listing, folder_stamp
from .config import Config
from .errors import BriefgenError, ErrorCollector, cannot_read, shown
from .model import ARTICLE_SUFFIXES, REGISTRY_STEM, SIDECAR_SUFFIXES

PairKey = tuple[str, str]  # a brief's article and sidecar paths


@dataclass(frozen=True)
class SourceFiles:
    """The files of the content folder that matter, paired.

    `keys`: each brief's (article, sidecar) paths as text, in the order of their folders' parts and stems.
    Text, not `Path`: a folder of 200,000 files is walked, paired and stamped in a third of the time,
    and only the files a build loads become `Path`s (`pairs`).
    """

    keys: tuple[PairKey, ...]
    registry: Path | None
    listing: Listing  # the folders walked: while they hold, so do `keys` and `registry`

    @property
    def pairs(self) -> tuple[tuple[Path, Path], ...]:
        """(article, sidecar) of every brief."""
        return tuple((Path(article), Path(sidecar)) for article, sidecar in self.keys)


def find_content(config: Config, errors: ErrorCollector) -> SourceFiles:
    """Walk content/ (any depth), pair articles with sidecars, skip '.' and '_' names."""
    root = config.content_dir
    if not root.is_dir():
        raise BriefgenError("there is no content/ folder here", config.site_dir,
                            hint="run briefgen in a site folder, or create content/ with a brief in it")
    walk = _ContentWalk(root, config.site_dir.resolve(), errors)
    walk.run()
    return SourceFiles(tuple(_pairs(walk.articles, walk.sidecars, errors)),
                       Path(walk.registry) if walk.registry is not None else None,
                       Listing(tuple(walk.folders), walk.taken_ns))


@dataclass
class _ContentWalk:
    """The articles, sidecars and registries found below `root`: by folder, then by stem."""

    root: Path
    site_root: Path
    errors: ErrorCollector
    articles: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    sidecars: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    registries: list[str] = field(default_factory=list)
    folders: list[tuple[str, int, int, int]] = field(default_factory=list)  # stamped as they were read
    taken_ns: int = 0

    @property
    def registry(self) -> str | None:
        return self.registries[0] if self.registries else None

    def run(self) -> None:
        # scandir's entries know whether they are links or folders without a system call per file, which
        # a folder of 200,000 files feels; names are sorted once, at the end (see `_pairs`), not here.
        root = str(self.root)
        folders = [root]
        self.taken_ns = time.time_ns()
        while folders:
            here = folders.pop()
            try:
                self.folders.append(folder_stamp(here))  # before reading it: a later change is seen
                with os.scandir(here) as scan:
                    entries = list(scan)
            except OSError as exc:
                self.errors.add(cannot_read(here, exc))
                continue
            articles: dict[str, list[str]] = {}
            sidecars: dict[str, list[str]] = {}
            at_top = here == root
            for entry in entries:
                name = entry.name
                if name.startswith((".", "_")):
                    continue
                if entry.is_symlink() and not self._followed(entry, Path(entry.path)):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    folders.append(entry.path)
                    continue
                stem, dot, suffix = name.rpartition(".")  # as os.path.splitext, for names not starting with '.'
                suffix = f".{suffix.lower()}" if dot else ""
                stem = stem if dot else name
                if at_top and stem == REGISTRY_STEM:
                    if suffix in SIDECAR_SUFFIXES:
                        self.registries.append(entry.path)
                    elif suffix in ARTICLE_SUFFIXES:
                        self.errors.add(BriefgenError(
                            f"an article at the top of content/ cannot be named '{REGISTRY_STEM}': "
                            f"{REGISTRY_STEM}.yaml there is the entity registry", Path(entry.path),
                            hint="rename the article and its sidecar"))
                elif suffix in ARTICLE_SUFFIXES:
                    articles.setdefault(stem, []).append(entry.path)
                elif suffix in SIDECAR_SUFFIXES:
                    sidecars.setdefault(stem, []).append(entry.path)
            if articles or sidecars:
                self.articles[here] = articles
                self.sidecars[here] = sidecars
        self.registries.sort()
        for other in self.registries[1:]:
            self.errors.add(BriefgenError(f"two entity registries: {os.path.basename(self.registries[0])} and "
                                          f"{os.path.basename(other)}", Path(other), hint="keep one of them"))

    def _followed(self, entry: os.DirEntry[str], path: Path) -> bool:
        """False (and an error) for a symlink out of the site, to nothing, or to a folder."""
        if _outside_site(path, self.site_root, self.errors):
            return False
        if not os.path.exists(path):
            self.errors.add(BriefgenError("symlink leads nowhere (its target is missing, or it loops)", path,
                                          hint="remove the link or point it at a file in the site"))
            return False
        if entry.is_dir():
            self.errors.add(BriefgenError("a folder symlink inside content/ is not followed", path,
                                          hint="move the folder into content/ instead"))
            return False
        return True


def _pairs(articles: dict[str, dict[str, list[str]]], sidecars: dict[str, dict[str, list[str]]],
           errors: ErrorCollector) -> list[PairKey]:
    """One (article, sidecar) per stem, folder by folder (part by part, as Paths order), stems sorted;
    a stem with two of either, or one missing, is an error."""
    pairs = []
    for folder in sorted(articles, key=lambda folder: folder.split(os.sep)):
        folder_articles, folder_sidecars = articles[folder], sidecars[folder]
        for stem in sorted(folder_articles.keys() | folder_sidecars.keys()):
            one_article, one_sidecar = folder_articles.get(stem), folder_sidecars.get(stem)
            if one_article is not None and one_sidecar is not None and len(one_article) == len(one_sidecar) == 1:
                pairs.append((one_article[0], one_sidecar[0]))  # the usual case, without the checks below
                continue
            found_articles, found_sidecars = sorted(one_article or ()), sorted(one_sidecar or ())
            if len(found_articles) > 1:
                errors.add(BriefgenError("two articles share one sidecar: " + " and ".join(map(shown, found_articles)),
                                         Path(found_articles[0]), hint="rename one of them"))
            elif len(found_sidecars) > 1:
                errors.add(BriefgenError("two sidecars for one article: " + " and ".join(map(shown, found_sidecars)),
                                         Path(found_sidecars[0]), hint="keep either the .yaml or the .yml file"))
            elif not found_sidecars:
                expected = shown(os.path.join(folder, stem + ".yaml"))
                errors.add(BriefgenError(f"article has no sidecar: expected {expected}",
                                         Path(found_articles[0]),
                                         hint="add a sidecar with at least a title and a date"))
            elif not found_articles:
                expected = shown(os.path.join(folder, stem + ".md"))
                errors.add(BriefgenError(f"sidecar has no article: expected {expected}",
                                         Path(found_sidecars[0]),
                                         hint="add the article (.md or .txt) with the same name"))
            else:
                pairs.append((found_articles[0], found_sidecars[0]))
    return pairs


def _outside_site(path: Path, site_root: Path, errors: ErrorCollector) -> bool:
    """True (and an error) when the symlink `path` leads outside the site: it is never followed."""
    target = Path(os.path.realpath(path))
    if target == site_root or site_root in target.parents:
        return False
    errors.add(BriefgenError("symlink leads outside the site and is not followed", path,
                             hint="copy the file into the site instead of linking to it"))
    return True
