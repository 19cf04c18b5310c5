"""The build: load → resolve → render → write, and the only place they meet.

`build_site` turns a site folder into its output folder and reports what it
did; any user error (of every stage, all at once) is raised as one
`BriefgenError` after the previous output was left untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from .annotations_ld import annotation_collection
from .config import Config, load_config
from .entities import resolve_site
from .errors import BriefgenError, BuildWarning, ErrorCollector
from .load import load_content
from .model import Site
from .render import (PageRenderer, RenderedBrief, builtin_templates_dir, make_environment, plan_pages,
                     render_briefs)
from .write import OutputWriter, check_output_folder

Progress = Callable[[int, int], None]
THEME_ASSETS = PurePosixPath("assets")


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    out_dir: Path
    pages: int
    files: int
    briefs: int
    entities: int
    seconds: float
    warnings: tuple[BuildWarning, ...]

    def summary(self) -> str:
        return (f"Built {self.pages} pages ({self.files} files) from {self.briefs} briefs and "
                f"{self.entities} entities in {self.seconds:.2f} s → {self.out_dir}")


def build_site(site_dir: Path, out_dir: Path | None = None, *, drafts: bool = False,
               base_url: str | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the site in `site_dir` into `out_dir` (default: site_dir/site)."""
    started = time.perf_counter()
    config = load_config(site_dir).with_overrides(base_url=base_url, drafts=drafts)
    out = out_dir if out_dir is not None else site_dir / "site"
    check_output_folder(out, site_dir)

    site, rendered, warnings = prepare_site(config)
    renderer = PageRenderer(make_environment(config), config, site)
    pages = plan_pages(site, config, rendered)
    writer = OutputWriter(out)
    try:
        for done, page in enumerate(pages, 1):
            writer.write(page.path, renderer.render(page), f"page {page.path}")
            if progress is not None:
                progress(done, len(pages))
        for brief in site.briefs:
            writer.write(PurePosixPath(brief.url) / "annotations.jsonld",
                         annotation_collection(brief, rendered[brief.slug], config))
        _copy_static(writer, config)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildReport(out_dir=out, pages=len(pages), files=len(writer.written), briefs=len(site.briefs),
                       entities=len(site.entities), seconds=time.perf_counter() - started,
                       warnings=tuple(sorted(warnings, key=lambda w: (str(w.path), w.message))))


def prepare_site(config: Config) -> tuple[Site, dict[str, RenderedBrief], list[BuildWarning]]:
    """Load, resolve and render every brief's body: all a build needs before pages.

    Every user error of these stages is collected and raised together.
    """
    errors = ErrorCollector()
    loaded, load_errors = load_content(config)
    errors.extend(load_errors)
    registry = _registry_path(config)
    site, resolve_errors = resolve_site(loaded.briefs, loaded.refs, registry, include_drafts=config.drafts)
    errors.extend(resolve_errors)
    rendered, render_errors, warnings = render_briefs(site, config)
    errors.extend(render_errors)
    errors.raise_if_any()
    return site, rendered, warnings


def _registry_path(config: Config) -> Path | None:
    for name in ("entities.yaml", "entities.yml"):
        candidate = config.content_dir / name
        if candidate.is_file():
            return candidate
    return None


def _copy_static(writer: OutputWriter, config: Config) -> None:
    """The theme's assets (a site's own static/assets/ files win), then the site's static/."""
    user_assets = frozenset(
        THEME_ASSETS / PurePosixPath(path.relative_to(config.static_dir / "assets").as_posix())
        for path in (config.static_dir / "assets").rglob("*") if path.is_file()
    ) if (config.static_dir / "assets").is_dir() else frozenset()
    site_theme_static = config.templates_dir / "static"
    theme_skip = user_assets
    if site_theme_static.is_dir():
        writer.copy_tree(site_theme_static, THEME_ASSETS, skip=user_assets)
        theme_skip = user_assets | frozenset(
            THEME_ASSETS / PurePosixPath(p.relative_to(site_theme_static).as_posix())
            for p in site_theme_static.rglob("*") if p.is_file())
    writer.copy_tree(builtin_templates_dir() / "static", THEME_ASSETS, skip=theme_skip)
    writer.copy_tree(config.static_dir)
