"""`briefgen serve` starts from the site `briefgen build` left, linking its files instead of rebuilding them."""

from __future__ import annotations

import os
from pathlib import Path

from briefgen.build import Builder

from sitegen import generate_site
from sitekit import NONDETERMINISTIC, snapshot


def _inodes(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _built(tmp_path: Path) -> Path:
    site = generate_site(tmp_path / "site", briefs=30)
    Builder(site, jobs=1).build()  # as `briefgen build` does: the cache on
    return site


def test_a_warm_start_rebuilds_what_changed_and_equals_a_clean_build(tmp_path: Path) -> None:
    site = _built(tmp_path)
    published = _inodes(site / "site")
    article = sorted((site / "content").rglob("*.md"))[4]
    article.write_text(article.read_text(encoding="utf-8") + "\nA line written after the last build.\n",
                       encoding="utf-8")
    served = Builder(site, tmp_path / "serve/site", use_cache=False, jobs=1)
    assert served.start_from(site / "site")
    report = served.build()
    assert report.incremental and 0 < report.files_written < 20
    clean = tmp_path / "clean"
    Builder(site, clean, use_cache=False, jobs=1).build()
    assert snapshot(tmp_path / "serve/site", skip=NONDETERMINISTIC) == snapshot(clean, skip=NONDETERMINISTIC)
    # The published site is as it was: same files, same bytes, none written through a shared link.
    assert _inodes(site / "site") == published
    served.build()  # and an edit after that
    article.write_text(article.read_text(encoding="utf-8") + "\nEdited while serving.\n", encoding="utf-8")
    served.build()
    assert _inodes(site / "site") == published


def test_no_warm_start_from_a_site_the_saved_state_does_not_describe(tmp_path: Path) -> None:
    site = _built(tmp_path)
    target = tmp_path / "serve/site"
    # Files of the site changed by hand since: its list of files no longer names the saved build.
    (site / "site/.briefgen-files").write_text("briefgen output\nsite 0000\n", encoding="utf-8")
    assert not Builder(site, target, use_cache=False).start_from(site / "site")
    assert not target.exists()
    # No saved state at all.
    other = generate_site(tmp_path / "other", briefs=3)
    Builder(other, use_cache=False).build()
    assert not Builder(other, tmp_path / "serve2/site", use_cache=False).start_from(other / "site")
    # Other options (drafts shown) than the build's: another key, nothing to start from.
    site2 = _built(tmp_path / "again")
    assert not Builder(site2, tmp_path / "serve3/site", use_cache=False, drafts=True).start_from(site2 / "site")


def test_a_file_system_that_refuses_links_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    site = _built(tmp_path)

    def refuse(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    target = tmp_path / "serve/site"
    builder = Builder(site, target, use_cache=False, jobs=1)
    assert not builder.start_from(site / "site")
    assert not target.exists()
    monkeypatch.undo()
    assert not builder.build().incremental  # a clean first build instead


def test_the_dev_server_goes_on_when_a_build_saved_over_the_rows_it_started_from(tmp_path: Path) -> None:
    """`briefgen serve` started from the build store; then `briefgen build` re-renders every brief and
    saves, which deletes the rows the server's memory points at. The server's next build starts afresh
    rather than fail, and equals a clean build."""
    site = _built(tmp_path)
    served = Builder(site, tmp_path / "serve/site", use_cache=False, jobs=1)
    assert served.start_from(site / "site")
    for article in sorted((site / "content").rglob("*.md")):  # every brief changes: every row is replaced
        article.write_text(article.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert Builder(site, jobs=1).build().incremental
    report = served.build()
    assert not report.incremental
    clean = tmp_path / "clean"
    Builder(site, clean, use_cache=False, jobs=1).build()
    assert snapshot(tmp_path / "serve/site", skip=NONDETERMINISTIC) == snapshot(clean, skip=NONDETERMINISTIC)


def test_serve_shows_the_built_site_at_once_saying_so_then_reloads_into_the_rebuilt_one(tmp_path: Path) -> None:
    """As `briefgen serve` wires it after `briefgen build`: the first request is answered from the built
    folder while the first build (held back here) runs, with a notice; the build then makes the page reload."""
    import threading
    import urllib.request

    from briefgen.cli import make_rebuild
    from briefgen.dev.server import DevServer

    site = _built(tmp_path)
    article = sorted((site / "content").rglob("*.md"))[2]
    article.write_text(article.read_text(encoding="utf-8") + "\nWritten while the server starts.\n",
                       encoding="utf-8")
    builder = Builder(site, tmp_path / "serve/site", use_cache=False, jobs=1)
    assert builder.can_start_from(site / "site")
    assert not Builder(site, tmp_path / "other/site", use_cache=False).can_start_from(tmp_path / "nowhere")
    gate = threading.Event()
    rebuild = make_rebuild(builder, quiet=True, start_from=site / "site")

    def held_back(changed: frozenset[Path]):  # type: ignore[no-untyped-def]
        gate.wait(20)
        return rebuild(changed)

    server = DevServer(out_dir=tmp_path / "serve/site", rebuild=held_back, port=0, log=lambda _: None,
                       interim_dir=site / "site")
    server.start()
    try:
        with urllib.request.urlopen(server.url + "index.html", timeout=5) as response:
            page = response.read()
        assert server.builds == 0, "answered before the first build ended"
        assert b'id="briefgen-interim"' in page and b"Showing the site as last built" in page
        assert page.replace(b"\r\n", b"\n").startswith((site / "site/index.html").read_bytes()[:200])
        assert b'data-version="' in page  # the reload script, at the interim version
        gate.set()
        assert server.wait_for_build(1, timeout=30) is not None
        with urllib.request.urlopen(server.url + "index.html", timeout=5) as response:
            page = response.read()
        assert b"briefgen-interim" not in page
        # What the server built equals a clean build of the edited site.
        clean = tmp_path / "clean"
        Builder(site, clean, use_cache=False, jobs=1).build()
        assert snapshot(tmp_path / "serve/site", skip=NONDETERMINISTIC) == snapshot(clean, skip=NONDETERMINISTIC)
    finally:
        gate.set()
        server.stop()
