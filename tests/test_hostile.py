"""Large and hostile input that is not an error: it builds, and nothing leaks into a page."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sitekit import build, parse_html, write_site


def test_a_several_megabyte_article_builds(tmp_path: Path) -> None:
    sentence = "Ada Lovelace and Charles Babbage argued in London about the engine and its notes. "
    paragraphs = [sentence * 12 for _ in range(3000)]
    paragraphs[1500] += "A unique marker sentence appears here."
    site = write_site(tmp_path / "site", {
        "content/big.yaml": "title: Big\ndate: 2024-01-01\nentities:\n  people: [Ada Lovelace]\n"
                            "annotations:\n  - quote: A unique marker sentence appears here.\n    note: Found.\n",
    })
    (site / "content/big.md").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert (site / "content/big.md").stat().st_size > 2_000_000
    build(site)
    page = site / "site/briefs/big/index.html"
    assert page.stat().st_size > 2_000_000
    soup = parse_html(page)
    assert soup.select_one("mark.annotation").get_text().startswith("A unique marker")
    assert len(soup.select("a.mention")) == 1


def test_raw_html_is_sanitized_unless_the_site_trusts_its_writers(tmp_path: Path) -> None:
    files = {
        "content/a.md": ("Text with <span class=\"x\" onmouseover=\"steal()\">inline</span> HTML.\n\n"
                         "<div class=\"box\">A block.</div>\n\n<script>steal()</script>\n"),
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
    }
    site = write_site(tmp_path / "site", files)
    report = build(site)
    body = parse_html(site / "site/briefs/a/index.html").select_one(".brief__body")
    assert body.find("span", class_="x") is not None and body.find("div", class_="box") is not None
    assert body.find("script") is None and "steal" not in str(body)
    said = [(w.path.name, w.line, w.message.split(" (")[0]) for w in report.warnings if "raw HTML" in w.message]
    assert said == [("a.md", 1, "raw HTML: the onmouseover attribute of <span> was removed"),
                    ("a.md", 5, "raw HTML: <script> was removed")]
    (site / "briefgen.yaml").write_text("markdown:\n  unsafe_html: true\n")
    report = build(site)
    body = parse_html(site / "site/briefs/a/index.html").select_one(".brief__body")
    assert body.find("span")["onmouseover"] == "steal()" and body.find("script") is not None
    assert not [w for w in report.warnings if "raw HTML" in w.message]



def test_raw_html_nested_thousands_deep_keeps_its_text_and_the_build_going(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": ("Ada Lovelace wrote.\n\n" + '<div class="box">' * 5000 + "Deep text by Ada Lovelace."
                         + "</div>" * 5000 + "\n\nAfter the block.\n"),
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities: {people: [Ada Lovelace]}\n",
    })
    report = build(site)
    body = parse_html(site / "site/briefs/a/index.html").select_one(".brief__body")
    text = body.get_text()
    assert "Deep text by Ada Lovelace." in text and "After the block." in text
    depth, element = 0, body.find("div", class_="box")
    while element is not None:
        depth, element = depth + 1, element.find("div", class_="box", recursive=False)
    assert depth == 100  # the outer elements keep their tags
    said = [(w.path.name, w.line, w.message) for w in report.warnings if w.kind == "raw-html-removed"]
    assert said == [("a.md", 3, "raw HTML: the tags of elements nested more than 100 deep (their text is kept) "
                                "were removed (nest HTML elements fewer than 100 deep)")]

def test_control_characters_and_odd_unicode_do_not_break_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "Zero\u200bwidth, bidi \u202eoverride\u202c, nul-free \x07bell and \U0001F600 emoji.\n",
        "content/a.yaml": "title: \"Tab\\tand \\u0007bell\"\ndate: 2024-01-01\ntags: [\"ok\"]\n",
    })
    build(site)
    html = (site / "site/briefs/a/index.html").read_text()
    assert "\x07" not in html and "bell" in html and "\U0001F600" in html


def test_links_to_anchors_that_lead_nowhere_are_warnings(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": ("## Background\n\nSee [below](#background), [the note](#note-1), [gone](#nowhere),\n"
                         "[b's table](/briefs/b/#votes), [b's missing](/briefs/b/#missing) and [b](/briefs/b/).\n"),
        "content/a.yaml": ("title: A\ndate: 2024-01-01\nannotations:\n  - quote: See\n    note: A note.\n"),
        "content/b.md": "<table id=\"votes\"><tr><td>1</td></tr></table>\n",
        "content/b.yaml": "title: B\ndate: 2024-01-02\n",
    })
    report = build(site)
    warned = sorted(w.message for w in report.warnings if "#" in w.message)
    assert warned == ["link to #nowhere leads nowhere: the page has no element with that id",
                      "link to /briefs/b/#missing leads to a page without #missing"]
    (site / "content/b.md").write_text("No table any more.\n", encoding="utf-8")
    report = build(site)  # the other brief changed: the link into it is checked again
    assert "link to /briefs/b/#votes leads to a page without #votes" in [w.message for w in report.warnings]


def test_links_and_images_relative_to_the_page_that_lead_nowhere_are_warnings(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "See ![a chart](chart.png), [the report](files/report.pdf), [B](../b/index.html) "
                        "and [B's top](../b/index.html#main).\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\n",
        "static/briefs/a/chart.png": "not checked as an image here, only as a file that is published",
    })
    report = build(site)
    dead = sorted(w.message for w in report.warnings if w.kind == "dead-link")
    assert dead == ["link to /briefs/a/files/report.pdf leads to no page or file of the site (of the files beside "
                    "an article, only images are published: put it in static/ and link it from the root)"]


def test_an_image_without_alt_text_is_a_warning_on_its_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "content/a.md": "First.\n\n![](/chart.png)\n\n![A chart](/chart.png) <img src=\"/raw.png\">\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "static/chart.png": "x", "static/raw.png": "x",
    })
    report = build(site)
    warned = [(w.line, w.message.split(":")[0]) for w in report.warnings if w.kind == "image-without-alt"]
    assert warned == [(3, "the image ../../chart.png has no alt text"), (5, "the image ../../raw.png has no alt text")]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./#?%20 \t\n;:é\x00")), max_size=14))
def test_a_root_link_split_as_written_leads_where_parsing_it_does(tail: str) -> None:
    """Dead-link checks split most root links as they are written (quick); any link must lead to the
    same file and fragment as parsing it (urlsplit, unquote, PurePosixPath) says."""
    from briefgen.memory import _parsed_root_target, _root_target

    link = "/" + tail
    assert _root_target(link) == _parsed_root_target(link)
