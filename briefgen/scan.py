"""Scan stage: the content folder → its articles paired with their sidecars, and the registry.

Owns walking `content/` (any depth; names starting with '.' or '_' are
skipped), refusing symlinks that lead out of the site or nowhere, and
pairing files by folder and stem. Every problem of the folder is collected.
Must not read the files' contents.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .errors import BriefgenError, ErrorCollector, cannot_read
from .model import ARTICLE_SUFFIXES, REGISTRY_STEM, SIDECAR_SUFFIXES

Stem = tuple[Path, str]  # a folder and a file name without its suffix


@dataclass(frozen=True)
class SourceFiles:
    """The files of the content folder that matter, paired."""

    pairs: tuple[tuple[Path, Path], ...]  # (article, sidecar)
    registry: Path | None


def find_content(config: Config, errors: ErrorCollector) -> SourceFiles:
    """Walk content/ (any depth), pair articles with sidecars, skip '.' and '_' names."""
    root = config.content_dir
    if not root.is_dir():
        raise BriefgenError("there is no content/ folder here", config.site_dir,
                            hint="run briefgen in a site folder, or create content/ with a brief in it")
    walk = _ContentWalk(root, config.site_dir.resolve(), errors)
    walk.run()
    return SourceFiles(tuple(_pairs(walk.articles, walk.sidecars, errors)), walk.registry)


@dataclass
class _ContentWalk:
    """The articles, sidecars and registry found below `root`, folder by folder."""

    root: Path
    site_root: Path
    errors: ErrorCollector
    articles: dict[Stem, list[Path]] = field(default_factory=dict)
    sidecars: dict[Stem, list[Path]] = field(default_factory=dict)
    registry: Path | None = None

    def run(self) -> None:
        # Folder by folder, names sorted, as os.walk top-down; scandir's entries know whether they are
        # links or folders without a system call per file, which a folder of 200,000 files feels.
        folders = [self.root]
        while folders:
            here = folders.pop()
            try:
                with os.scandir(here) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError as exc:
                self.errors.add(cannot_read(here, exc))
                continue
            subfolders = []
            at_top = here == self.root
            for entry in entries:
                if entry.name.startswith((".", "_")):
                    continue
                path = here / entry.name  # one Path per file: 200,000 of them cost a second
                if not self._followed(entry, path):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    subfolders.append(path)
                else:
                    self._file(here, path, at_top)
            folders.extend(reversed(subfolders))

    def _followed(self, entry: os.DirEntry[str], path: Path) -> bool:
        """False (and an error) for a symlink out of the site, to nothing, or to a folder."""
        if not entry.is_symlink():
            return True
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

    def _file(self, here: Path, path: Path, in_root: bool) -> None:
        name = path.name
        stem, suffix = os.path.splitext(name)
        suffix = suffix.lower()
        at_top = in_root and stem == REGISTRY_STEM
        if at_top and suffix in SIDECAR_SUFFIXES:
            if self.registry is not None:
                self.errors.add(BriefgenError(f"two entity registries: {self.registry.name} and {name}", path,
                                              hint="keep one of them"))
            self.registry = path
        elif suffix in ARTICLE_SUFFIXES:
            if at_top:
                self.errors.add(BriefgenError(
                    f"an article at the top of content/ cannot be named '{REGISTRY_STEM}': "
                    f"{REGISTRY_STEM}.yaml there is the entity registry", path,
                    hint="rename the article and its sidecar"))
                return
            self.articles.setdefault((here, stem), []).append(path)
        elif suffix in SIDECAR_SUFFIXES:
            self.sidecars.setdefault((here, stem), []).append(path)


def _pairs(articles: dict[Stem, list[Path]], sidecars: dict[Stem, list[Path]],
           errors: ErrorCollector) -> list[tuple[Path, Path]]:
    """One (article, sidecar) per stem; a stem with two of either, or one missing, is an error."""
    pairs = []
    for key in sorted(set(articles) | set(sidecars)):
        found_articles = articles.get(key, [])
        found_sidecars = sidecars.get(key, [])
        folder, stem = key
        if len(found_articles) > 1:
            errors.add(BriefgenError("two articles share one sidecar: " + " and ".join(map(str, found_articles)),
                                     found_articles[0], hint="rename one of them"))
        elif len(found_sidecars) > 1:
            errors.add(BriefgenError("two sidecars for one article: " + " and ".join(map(str, found_sidecars)),
                                     found_sidecars[0], hint="keep either the .yaml or the .yml file"))
        elif not found_sidecars:
            errors.add(BriefgenError(f"article has no sidecar: expected {folder / f'{stem}.yaml'}",
                                     found_articles[0], hint="add a sidecar with at least a title and a date"))
        elif not found_articles:
            errors.add(BriefgenError(f"sidecar has no article: expected {folder / (stem + '.md')}",
                                     found_sidecars[0], hint="add the article (.md or .txt) with the same name"))
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
