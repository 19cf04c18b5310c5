"""Fixtures shared by the tests; the helpers themselves live in sitekit.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitekit import REPO, build


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once for the whole session."""
    site = tmp_path_factory.mktemp("example")
    for name in ("content", "briefgen.yaml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        else:
            shutil.copyfile(source, site / name)
    build(site, site / "site")
    return site / "site"


@pytest.fixture(scope="session")
def generated_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated site of 300 briefs (tests/sitegen.py), built once for the whole session."""
    from sitegen import generate_site

    site = generate_site(tmp_path_factory.mktemp("generated"))
    build(site, site / "site")
    return site / "site"
