"""The Markdown extension on tricky text: mentions, annotation anchoring, safety."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.markdown.extension import BriefMarkdown
from briefgen.markdown.mentions import MentionMatcher, _tokens
from briefgen.markdown.urls import relative_root_link, safe_url
from briefgen.model import Annotation, Entity
from briefgen.wire import parse_wire

PUTIN = Entity("people", "vladimir-putin", "Vladimir Putin", ("Putin",))
TRUMP = Entity("people", "donald-trump", "Donald Trump", ("Trump",))


def convert(text: str, entities=(), annotations=(), mode: str = "first", unsafe: bool = False):
    html, outcome = BriefMarkdown(unsafe_html=unsafe).convert(
        text, root="../../", entities=entities, annotations=annotations, mention_mode=mode)
    return BeautifulSoup(html, "html5lib"), outcome


def mentions(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [(a.get_text(), a["data-entity"]) for a in soup.select("a.mention")]


def test_longest_name_wins_and_first_mention_is_linked() -> None:
    soup, outcome = convert("Vladimir Putin spoke. Later Putin left.", [PUTIN])
    assert mentions(soup) == [("Vladimir Putin", "people/vladimir-putin")]
    assert soup.a["href"] == "../../people/vladimir-putin/index.html"
    assert outcome.mentioned == {("people", "vladimir-putin")}


def test_all_and_none_modes() -> None:
    soup, _ = convert("Putin met Trump. Putin left.", [PUTIN, TRUMP], mode="all")
    assert [text for text, _ in mentions(soup)] == ["Putin", "Trump", "Putin"]
    soup, outcome = convert("Putin met Trump.", [PUTIN, TRUMP], mode="none")
    assert mentions(soup) == [] and len(outcome.mentioned) == 2


def test_whole_words_only_and_case_sensitive() -> None:
    soup, outcome = convert("Putinism is not putin. Aputin neither.", [PUTIN])
    assert mentions(soup) == [] and not outcome.mentioned


def test_alias_only_mention_and_possessive() -> None:
    soup, _ = convert("It was Putin's plan.", [PUTIN])
    assert mentions(soup) == [("Putin", "people/vladimir-putin")]


def test_never_inside_links_code_or_headings() -> None:
    text = "# Putin\n\nSee [Putin here](https://example.org) and `Putin` code.\n\n    Putin\n\nFinally Putin."
    soup, _ = convert(text, [PUTIN])
    links = soup.select("a.mention")
    assert len(links) == 1 and links[0].parent.name == "p"
    assert "Finally" in links[0].parent.get_text()
    assert soup.h2.get_text() == "Putin", "headings move one level down: the page title is the h1"


@pytest.mark.parametrize("name,text,written", [
    ("Müller", "Thomas Müller scored.", "Müller"),
    ("Zelenskyy", "President Zelenskyy spoke.", "Zelenskyy"),
    ("Đoković", "Novak Đoković won.", "Đoković"),
    ("O'Rourke", "Beto O’Rourke ran.", "O’Rourke"),
    ("Μητσοτάκης", "Ο Κυριάκος Μητσοτάκης μίλησε.", "Μητσοτάκης"),
])
def test_unicode_names(name: str, text: str, written: str) -> None:
    entity = Entity("people", "x", name)
    soup, outcome = convert(text, [entity])
    # The whole name is linked, as the text spells it, and the text around it is unchanged.
    assert mentions(soup) == [(written, "people/x")]
    assert soup.p.get_text() == text and outcome.mentioned == {("people", "x")}


def test_overlapping_entities_prefer_the_longer_name() -> None:
    york = Entity("places", "new-york", "New York")
    times = Entity("organizations", "nyt", "New York Times")
    soup, _ = convert("The New York Times is in New York.", [york, times], mode="all")
    assert mentions(soup) == [("New York Times", "organizations/nyt"), ("New York", "places/new-york")]


def test_quote_across_emphasis_link_and_mention() -> None:
    text = "On the heels of *President Trump's meeting* with [the Russian](https://x.org) leader Putin in Finland."
    note = Annotation("Trump's meeting with the Russian leader Putin", "n", "context")
    soup, outcome = convert(text, [PUTIN], [note])
    marks = soup.select("mark.annotation")
    assert "".join(m.get_text() for m in marks) == "Trump's meeting with the Russian leader Putin"
    assert marks[0]["id"] == "anno-1" and all(m["data-note"] == "1" for m in marks)
    # One focus stop with one description for the whole quote, and none inside a link.
    focusable = soup.select("[tabindex]")
    assert [m["aria-describedby"] for m in focusable] == ["note-1"] and focusable[0] is marks[0]
    assert soup.select("a [tabindex], a [aria-describedby]") == []
    assert soup.select_one("a.mention").get_text() == "Putin"
    assert outcome.note_numbers == {0: 1}


def test_quote_with_folded_space_smart_quotes_and_markup() -> None:
    text = "She called it “a  sincere\nproposal” — twice."
    soup, outcome = convert(text, annotations=[Annotation('called it "a *sincere* proposal" - twice', "n")])
    assert outcome.problems == []
    assert soup.select_one("mark").get_text().startswith("called it “a")


def test_prefix_and_suffix_pick_one_of_several() -> None:
    text = "The vote was close. Nobody expected the vote to be close, but the vote passed."
    picked = Annotation("the vote", "n", suffix=" passed")
    soup, outcome = convert(text, annotations=[picked])
    assert outcome.problems == []
    mark = soup.select_one("mark")
    assert mark.find_next_sibling("sup").next_sibling.strip().startswith("passed")
    ambiguous = Annotation("the vote", "n")
    _, outcome = convert(text, annotations=[ambiguous])
    assert "found 2 times" in outcome.problems[0].message


def test_missing_quote_names_the_closest_passage() -> None:
    _, outcome = convert("The senator voted against the budget on Tuesday.",
                         annotations=[Annotation("voted agianst the budget", "n")])
    problem = outcome.problems[0]
    assert "is not in the text" in problem.message
    assert "voted against the budget" in (problem.hint or "")


def test_notes_are_numbered_in_reading_order() -> None:
    text = "Alpha beta gamma delta."
    later, earlier = Annotation("delta", "second"), Annotation("beta", "first")
    soup, outcome = convert(text, annotations=[later, earlier])
    assert outcome.note_numbers == {1: 1, 0: 2}
    assert [m["data-note"] for m in soup.select("mark")] == ["1", "2"]


def test_quote_inside_one_paragraph_only() -> None:
    across = Annotation("one. Start", "n")
    soup, outcome = convert("End of one.\n\nStart of two.", annotations=[across])
    assert [(problem.annotation, problem.message) for problem in outcome.problems] == [
        (across, 'quote "one. Start" is not in the text')], "a quote does not run across paragraphs"
    assert soup.find("mark") is None and outcome.note_numbers == {}
    # The same words within one paragraph are found.
    soup, outcome = convert("End of one. Start of two.", annotations=[across])
    assert outcome.problems == [] and outcome.quoted == {0: "one. Start"} and soup.find("mark") is not None


def test_raw_html_is_sanitized_by_default_and_kept_whole_when_trusted() -> None:
    text = "Hello <script>alert(1)</script> <b onclick='x()'>bold</b>\n\n<div>block</div>"
    soup, outcome = convert(text)
    assert soup.find("script") is None and "alert" not in soup.get_text()
    assert soup.find("b").get_text() == "bold" and not soup.find("b").has_attr("onclick")
    assert soup.find("div").get_text() == "block"
    assert [r.message for r in outcome.raw_html_removed] == [
        "raw HTML: <script> was removed", "raw HTML: the onclick attribute of <b> was removed"]
    soup, outcome = convert("Hello <b onclick='x()'>bold</b> <script>x</script>", unsafe=True)
    assert soup.find("b")["onclick"] == "x()" and soup.find("script") and outcome.raw_html_removed == []


RICH = """Intro naming Ada Lovelace.

<table>
<caption>Votes</caption>
<thead><tr><th scope="col">Region</th><th>Votes</th></tr></thead>
<tbody><tr><td colspan="1">Ada Lovelace</td><td>1,200</td></tr></tbody>
</table>

<figure><img src="chart.png" alt="A chart" width="600" height="400"><figcaption>The chart</figcaption></figure>

<details><summary>Method</summary>We counted <mark>twice</mark>.</details>

The <abbr title="World Health Organization">WHO</abbr> said H<sub>2</sub>O and x<sup>2</sup>; press <kbd>Ctrl</kbd>.

<h2 id="overview">Overview</h2>
"""


def test_rich_raw_html_is_kept_with_its_attributes_and_mentions_linked_inside() -> None:
    ada = Entity(type="people", id="ada-lovelace", name="Ada Lovelace")
    soup, outcome = convert(RICH, entities=[ada], mode="all")
    assert outcome.raw_html_removed == []
    table = soup.find("table")
    assert table.caption.get_text() == "Votes" and table.find("th")["scope"] == "col"
    assert [td.get_text() for td in table.find_all("td")] == ["Ada Lovelace", "1,200"]
    assert table.find("a", class_="mention")["data-entity"] == "people/ada-lovelace"  # linked inside the table
    img = soup.figure.img
    assert (img["src"], img["alt"], img["width"], img["height"]) == ("chart.png", "A chart", "600", "400")
    assert soup.figure.figcaption.get_text() == "The chart"
    assert soup.details.summary.get_text() == "Method" and soup.details.mark.get_text() == "twice"
    assert soup.abbr["title"] == "World Health Organization"
    assert [soup.sub.get_text(), soup.sup.get_text(), soup.kbd.get_text()] == ["2", "2", "Ctrl"]
    heading = soup.find(id="overview")
    assert heading.name == "h3" and heading.get_text() == "Overview"  # one level down, as Markdown's ## is


HOSTILE = [
    ("<script>alert(1)</script>", "<script>"),
    ("<img src=x onerror=alert(1) alt=x>", "the onerror attribute of <img>"),
    ("<a href='javascript:alert(1)'>x</a>", "a javascript: URL in <a href>"),
    ("<a href=' JaVaScRiPt:alert(1)'>x</a>", "a javascript: URL in <a href>"),
    ("<img src='data:image/png;base64,AAAA' alt=x>", "a data: URL in <img src>"),
    ("<iframe src='https://evil.example/'></iframe>", "<iframe>"),
    ("<form action='/x'><input name=q></form>", "<form>"),
    ("<style>body{display:none}</style>", "<style>"),
    ("<p style='color:red'>x</p>", "the style attribute of <p>"),
    ("<svg><script>alert(1)</script></svg>", "<svg>"),
    ("<object data='x.swf'></object>", "<object>"),
    ("<div><b>unclosed <i>tags</div>", None),
]


@pytest.mark.parametrize(("raw", "said"), HOSTILE)
def test_hostile_raw_html_is_removed_and_said(raw: str, said: str | None) -> None:
    soup, outcome = convert(f"Before.\n\n{raw}\n\nAfter, inline: {raw} end.")
    html = str(soup)
    for bad in ("<script", "onerror", "javascript:", "data:", "<iframe", "<form", "<input", "<style", "style=",
                "<svg", "<object", "alert(1)"):
        assert bad not in html.lower(), bad
    messages = [r.message for r in outcome.raw_html_removed]
    if said is None:
        assert messages == [] and soup.find("b") and soup.find("i")
    else:
        assert f"raw HTML: {said} was removed" in messages
    assert "Before." in soup.get_text() and "end." in soup.get_text()


def test_unsafe_urls_are_dropped_and_root_links_made_relative() -> None:
    soup, _ = convert("[a](javascript:alert(1)) [b](JaVaScRiPt&#58;x) [c](/people/x/) [d](/feed.xml#top) ![i](data:text/html,x)")
    links = soup.select("a")
    assert not links[0].has_attr("href") and not links[1].has_attr("href")
    assert links[2]["href"] == "../../people/x/index.html"
    assert links[3]["href"] == "../../feed.xml#top"
    assert not soup.img.has_attr("src")
    assert not safe_url(" java\tscript:alert(1)") and safe_url("https://x.org") and safe_url("#top")
    assert relative_root_link("//cdn.example/x", "../", True) == "//cdn.example/x"


@pytest.mark.parametrize("target", ["&#106;avascript:alert(1)", "java&#x09;script:alert(2)", "&#x6A;avascript&colon;x",
                                    "JaVaScRiPt&#58;x", "&#0000106avascript:x", "&Tab;javascript:x"])
def test_urls_written_with_character_references_are_checked_as_a_browser_reads_them(target: str) -> None:
    # html5lib decodes attributes as a browser does: no link may come out as a script.
    text = f"[link]({target}) ![image]({target}) [ref][r] and a note.\n\n[r]: {target}\n"
    soup, _ = convert(text)
    for element in soup.find_all(["a", "img"]):
        for attribute in ("href", "src"):
            value = "".join(element.get(attribute, "").split()).lower()
            assert not value.startswith(("javascript:", "data:")), element
    assert not safe_url(target)


def test_wire_copy_is_never_markup() -> None:
    wire = parse_wire("- point\nA *star* and <b>tag</b> from Putin & co.\n# not a heading\n")
    html, _ = BriefMarkdown().convert_wire(wire, root="../../", entities=[PUTIN])
    soup = BeautifulSoup(html, "html5lib")
    paragraphs = [p.get_text() for p in soup.find_all("p")]
    assert paragraphs == ["A *star* and <b>tag</b> from Putin & co.", "# not a heading"]
    assert soup.find("b") is None and soup.find("em") is None
    assert soup.select_one("a.mention").get_text() == "Putin"


def test_entity_context_is_the_sentence_with_the_mention() -> None:
    _, outcome = convert("First sentence here. Then Putin spoke at length. Last one.", [PUTIN])
    context = outcome.contexts[("people", "vladimir-putin")]
    assert (context.before, context.mention, context.after) == ("Then ", "Putin", " spoke at length.")


# -- the mention matcher against a plain reference -------------------------------------------------

def reference_mentions(names: list[str], text: str) -> list[tuple[int, int, str]]:
    """The matcher's contract done the obvious way: tokenise the whole text, try every token."""
    by_first: dict[str, list[tuple[tuple[str, ...], tuple[bool, ...], str]]] = {}
    for name in set(names):
        tokens = _tokens(name)
        if tokens:
            words = tuple(token[0] for token in tokens)
            by_first.setdefault(words[0], []).append((words, tuple(t[3] for t in tokens[1:]), name))
    for candidates in by_first.values():
        candidates.sort(key=lambda item: (-len(item[2]), item[2]))
    tokens = _tokens(text)
    every = []  # every whole-word match at every token
    for index in range(len(tokens)):
        for words, spaced, name in by_first.get(tokens[index][0], ()):
            last = index + len(words) - 1
            if last >= len(tokens) or any(tokens[index + k][0] != words[k] or
                                          (k and tokens[index + k][3] != spaced[k - 1]) for k in range(len(words))):
                continue
            start, end = tokens[index][1], tokens[last][2]
            if (start and (text[start - 1].isalnum() or text[start - 1] == "_")) or \
                    (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                continue
            every.append((start, end, name))
    # The longest wins where matches overlap, then the leftmost; one name per span (the longest name
    # text first, as the candidates are sorted).
    chosen: list[tuple[int, int, str]] = []
    for match in sorted(every, key=lambda m: (m[0] - m[1], m[0])):
        if all(match[1] <= other[0] or other[1] <= match[0] for other in chosen):
            chosen.append(match)
    return sorted(chosen)


PIECES = ["Ada", "Adam", "Lovelace", "O", "'", "’", "-", "‐", "Brien", "St", ".", " ", "  ", "\n", "x", "_", "é", "1",
          "the", "Bank"]


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_matcher_finds_what_the_reference_finds(data: st.DataObject) -> None:
    piece = st.sampled_from(PIECES)
    names = data.draw(st.lists(st.lists(piece, min_size=1, max_size=4).map("".join), max_size=5))
    # Texts are mostly pieces of the names, so near misses (spacing, apostrophes, word ends) abound.
    parts = st.sampled_from(names) | piece if names else piece
    text = data.draw(st.lists(parts, max_size=12).map("".join))
    assert list(MentionMatcher(names).find(text)) == reference_mentions(names, text)


def test_the_longest_of_overlapping_mentions_wins() -> None:
    england = Entity("organizations", "bank-of-england", "Bank of England", ("the Bank",))
    japan = Entity("organizations", "bank-of-japan", "Bank of Japan")
    soup, _ = convert("Will the Bank of Japan move first? The Bank of England waits.", [england, japan])
    assert mentions(soup) == [("Bank of Japan", "organizations/bank-of-japan"),
                              ("Bank of England", "organizations/bank-of-england")]


def test_a_quote_ending_inside_a_link_puts_its_number_after_the_link() -> None:
    # Links cannot nest: a browser would tear the number out of its <sup> and split the mention.
    alice = Entity("people", "alice-smith", "Alice Smith")
    text = "Read [the full report](https://example.com/r) now. Alice Smith spoke."
    html, outcome = BriefMarkdown().convert(text, root="../../", entities=[alice], annotations=[
        Annotation("full report", "a"), Annotation("now. Alice", "b")])
    assert outcome.problems == [] and html.count("<a") == 4
    soup = BeautifulSoup(html, "html5lib")
    assert [a.get_text() for a in soup.select("a.mention")] == ["Alice Smith"]
    assert [(a.get_text(), a.parent.name) for a in soup.select("a.annotation-ref")] == [("1", "sup"), ("2", "sup")]
    assert soup.select_one("a[href='https://example.com/r']").get_text() == "the full report"
    assert soup.get_text() == "Read the full report1 now. Alice Smith2 spoke."
    for link in soup.find_all("a"):
        assert link.find_parent("a") is None


@pytest.mark.parametrize("text,entity,expected", [
    # A mention that starts its sentence: the sentence before is not glued to it.
    ("The talks ended. Putin left early. Nobody followed.", PUTIN, ("", "Putin", " left early.")),
    # Abbreviations and initials do not end a sentence.
    ("Aides met Mr. Putin in the U.S. on Monday. Then it rained.", PUTIN, ("Aides met Mr. ", "Putin", " in the U.S. on Monday.")),
    ("J. P. Morgan and Gen. Putin spoke. It ended.", PUTIN, ("J. P. Morgan and Gen. ", "Putin", " spoke.")),
    ("“We agree,” said Putin. Talks went on.", PUTIN, ("“We agree,” said ", "Putin", ".")),
    ("A spokesman at No. 10 said Putin called. It ended.", PUTIN, ("A spokesman at No. 10 said ", "Putin", " called.")),
    ("Putin welcomed it. Κυριάκος Μητσοτάκης later left.", PUTIN, ("", "Putin", " welcomed it.")),
    ("Putin spoke. 习近平 replied.", PUTIN, ("", "Putin", " spoke.")),
    ("He said no. «Putin lies», she said.", PUTIN, ("«", "Putin", " lies», she said.")),
])
def test_entity_context_is_the_whole_sentence(text: str, entity: Entity, expected: tuple[str, str, str]) -> None:
    _, outcome = convert(text, [entity])
    context = outcome.contexts[entity.key]
    assert (context.before, context.mention, context.after) == expected


def test_headings_get_anchors_as_in_hugo() -> None:
    text = ("See [the background](#background).\n\n## Background\n\nOne.\n\n## Background\n\nTwo.\n\n"
            "## Main\n\nThree.\n\n### Note 1\n\nFour.\n\n## *Why* it matters\n")
    soup, _ = convert(text)
    assert [(h.name, h["id"]) for h in soup.find_all(["h3", "h4"])] == [
        ("h3", "background"), ("h3", "background-1"), ("h3", "main-1"), ("h4", "note-1-1"), ("h3", "why-it-matters")]
    assert soup.find(id=soup.a["href"][1:]).get_text() == "Background"


def test_character_references_match_names_and_quotes_as_the_characters_they_are() -> None:
    att = Entity("organizations", "at-t", "AT&T")
    text = "WASHINGTON (Reuters) &ndash; AT&amp;T led the S&amp;P&nbsp;500 lower. It fell &#8212; again."
    html, outcome = BriefMarkdown().convert(text, root="../../", entities=[att],
                                            annotations=[Annotation("AT&T led the S&P 500 lower", "n")])
    assert outcome.problems == [] and att.key in outcome.mentioned
    context = outcome.contexts[att.key]
    assert (context.before, context.mention, context.after) == ("WASHINGTON (Reuters) – ", "AT&T",
                                                                " led the S&P 500 lower.")
    soup = BeautifulSoup(html, "html5lib")
    assert soup.p.get_text() == "WASHINGTON (Reuters) – AT&T led the S&P\u00a0500 lower1. It fell — again."


def test_right_to_left_blocks_get_their_direction_from_their_text() -> None:
    soup, _ = convert("English first.\n\nقال ولي العهد إن *الخطة* جاهزة.\n\n- שלום עולם\n- plain\n")
    assert [(element.name, element.get("dir")) for element in soup.find_all(["p", "li"])] == [
        ("p", None), ("p", "auto"), ("li", "auto"), ("li", None)]


def test_the_subpackage_does_not_shadow_python_markdown() -> None:
    # briefgen.markdown is a package of briefgen; `import markdown` inside it is still the library.
    import markdown

    from briefgen.markdown import extension

    assert extension.markdown is markdown and hasattr(markdown, "Markdown")
    assert "briefgen" not in (markdown.__file__ or "")


def test_quote_inside_a_mention_has_no_focusable_mark_in_the_link() -> None:
    """Nothing focusable inside a link (HTML forbids it; it is two focus stops in one link)."""
    soup, _ = convert("Leader Vladimir Putin spoke.", [PUTIN], [Annotation("Putin", "n")])
    mark = soup.select_one("a.mention mark.annotation")
    assert mark is not None and not mark.has_attr("tabindex") and not mark.has_attr("aria-describedby")
    assert soup.select_one("a.mention + sup a.annotation-ref")["href"] == "#note-1"


def test_note_number_follows_the_mark() -> None:
    """A mark's text is the quote alone: the number a client sees after it is outside."""
    soup, _ = convert("A plain sentence here.", annotations=[Annotation("plain sentence", "n")])
    mark = soup.select_one("mark.annotation")
    assert mark.get_text() == "plain sentence" and mark.find_next_sibling("sup").get_text() == "1"
