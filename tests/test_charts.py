"""Charts: binning brief dates, their layout, and the charts and cards of a built site, read as a reader would."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.charts import (
    TIMELINE_PLOT,
    bin_dates,
    entity_card,
    ranked_chart,
    recently_named,
    sparkline,
    timeline_chart,
    timeline_unit,
)
from briefgen.model import Brief, Entity

from sitekit import NONDETERMINISTIC, build, parse_html, snapshot, write_site

NUMBER = re.compile(r"^\d+(\.\d\d)?$")  # every coordinate: whole units, or exactly two decimals


def days(*texts: str) -> list[date]:
    return [date.fromisoformat(text) for text in texts]


# -- binning ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "unit"), [
    ("2023-03-01", "2023-03-01", "week"),
    ("2023-03-01", "2023-05-30", "week"),  # 90 days
    ("2023-03-01", "2023-05-31", "month"),  # 91 days
    ("2009-01-01", "2023-12-31", "month"),  # 180 months
    ("2009-01-01", "2024-01-01", "year"),  # 181 months
    ("1990-06-01", "2024-06-01", "year"),
])
def test_the_unit_follows_the_span(first: str, last: str, unit: str) -> None:
    assert timeline_unit(date.fromisoformat(first), date.fromisoformat(last)) == unit
    assert bin_dates(days(first, last)).unit == unit


def test_months_are_binned_with_empty_months_as_zero_across_a_new_year() -> None:
    timeline = bin_dates(days("2023-11-30", "2023-11-02", "2024-02-01", "2023-11-15"))
    assert [(p.key, p.count) for p in timeline.periods] == [
        ("2023-11", 3), ("2023-12", 0), ("2024-01", 0), ("2024-02", 1)]
    assert [p.archive for p in timeline.periods] == ["archive/2023/11/", None, None, "archive/2024/02/"]
    assert timeline.periods[0].title == "November 2023: 3 briefs"
    assert timeline.periods[1].title == "December 2023: no briefs"
    assert timeline.periods[3].title == "February 2024: 1 brief"
    assert timeline.total == 4


def test_weeks_start_on_monday_and_link_to_the_month_of_their_first_brief() -> None:
    # 2023-02-28 is a Tuesday: its ISO week starts on Monday 27 February; 2023-03-19 is a Sunday.
    timeline = bin_dates(days("2023-03-01", "2023-02-28", "2023-03-19"))
    assert timeline.unit == "week"
    assert [(p.key, p.count) for p in timeline.periods] == [
        ("2023-02-27", 2), ("2023-03-06", 0), ("2023-03-13", 1)]
    assert timeline.periods[0].archive == "archive/2023/02/"
    assert timeline.periods[0].label == "Week of 27 February 2023"
    assert timeline.periods[0].phrase == "the week of 27 February 2023"


def test_years_link_to_the_first_month_of_the_year_with_a_brief() -> None:
    timeline = bin_dates(days("1990-06-10", "1990-03-02", "2024-11-01"))
    assert timeline.unit == "year"
    assert len(timeline.periods) == 35 and timeline.periods[0].key == "1990" and timeline.periods[-1].key == "2024"
    assert timeline.periods[0].archive == "archive/1990/03/" and timeline.periods[0].count == 2
    assert sum(p.count for p in timeline.periods) == 3 and timeline.periods[1].count == 0


def test_the_busiest_three_periods_earlier_first_on_ties() -> None:
    timeline = bin_dates(days("2023-01-05", "2023-03-01", "2023-03-02", "2023-05-01", "2023-05-02",
                              "2023-07-01", "2023-07-02", "2023-09-01"))
    assert [p.key for p in timeline.busiest] == ["2023-03", "2023-05", "2023-07"]
    timeline = bin_dates(days("2023-01-05", "2023-06-01", "2023-06-02", "2023-06-03"))
    assert [p.key for p in timeline.busiest] == ["2023-06", "2023-01"], "only periods with briefs"
    assert bin_dates([]).periods == ()


@given(st.lists(st.dates(date(1950, 1, 1), date(2030, 12, 31)), min_size=1, max_size=60))
def test_every_brief_is_in_one_period_and_periods_follow_each_other(dates: list[date]) -> None:
    timeline = bin_dates(dates)
    assert timeline.total == len(dates)
    keys = [p.key for p in timeline.periods]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all((p.archive is None) == (p.count == 0) for p in timeline.periods)
    assert len(timeline.busiest) == min(3, sum(1 for p in timeline.periods if p.count))
    chart = timeline_chart(timeline)
    assert len(chart.bars) == len(timeline.periods)
    for bar in chart.bars:
        for value in (bar.x, bar.y, bar.width, bar.height, bar.middle):
            assert NUMBER.match(value), value
        assert float(bar.x) + float(bar.width) <= chart.width
    tallest = max(timeline.periods, key=lambda p: p.count)
    assert max(float(bar.height) for bar in chart.bars) == TIMELINE_PLOT and tallest.count > 0


def test_bars_are_as_tall_as_their_counts() -> None:
    chart = timeline_chart(bin_dates(days("2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04",
                                          "2023-02-01", "2023-04-01", "2023-04-02")))
    heights = [bar.height for bar in chart.bars]
    assert heights == ["140", "35", "0", "70"]  # TIMELINE_PLOT is 140 units
    assert [bar.busiest for bar in chart.bars] == [True, True, False, True]
    assert chart.summary == ("Briefs per month from January 2023 to April 2023, 7 in all; "
                             "most in January 2023 (4), April 2023 (2), February 2023 (1)")


# -- co-mentions, the most named, the card ------------------------------------------------------------


def person(name: str, entity_id: str | None = None) -> Entity:
    return Entity(type="people", id=entity_id or name.lower().replace(" ", "-"), name=name)


def test_ranked_bars_are_as_long_as_their_counts() -> None:
    chart = ranked_chart([(person("Ada"), 6), (person("Bob"), 3), (person("Cy"), 1)])
    assert chart is not None
    assert [(bar.entity.name, bar.count, bar.width) for bar in chart.bars] == [
        ("Ada", 6, "330"), ("Bob", 3, "165"), ("Cy", 1, "55")]
    assert chart.height == 3 * 40 and ranked_chart([]) is None


def brief(slug: str, when: str, *entities: Entity) -> Brief:
    return Brief(slug=slug, title=slug, date=datetime.fromisoformat(when), has_time=False, body="", body_format="markdown",
                 article_path="", sidecar_path="", entities=tuple(e.key for e in entities))


def test_the_most_named_are_counted_over_the_thirty_days_up_to_the_newest_brief() -> None:
    ada, bob, cy, dee = person("Ada"), person("Bob"), person("Cy"), person("Dee")
    entities = {e.key: e for e in (ada, bob, cy, dee)}
    briefs = [brief("n", "2024-03-31T10:00:00+00:00", ada, bob), brief("m", "2024-03-30T10:00:00+00:00", bob),
              brief("l", "2024-03-02T10:00:00+00:00", ada, cy),
              brief("k", "2024-03-01T10:00:00+00:00", dee, dee),  # one brief, counted once
              brief("j", "2024-02-29T10:00:00+00:00", dee, cy)]  # 31 days before: outside
    recent = recently_named(briefs, entities)
    assert recent is not None
    assert (recent.first, recent.last) == (date(2024, 3, 2), date(2024, 3, 31))
    assert [(item.entity.name, item.count) for item in recent.entities] == [("Ada", 2), ("Bob", 2), ("Cy", 1)]
    ada_line = recent.entities[0].sparkline
    assert len(ada_line.counts) == 30 and ada_line.counts[0] == 1 and ada_line.counts[-1] == 1 and sum(ada_line.counts) == 2
    assert ada_line.summary == "2 briefs from 2 March 2024 to 31 March 2024, most on 2 March 2024 (1)"
    assert recently_named([], entities) is None
    assert [(i.entity.name, i.count) for i in recently_named(briefs, entities, limit=1).entities] == [("Ada", 2)]


def test_a_sparkline_draws_only_days_with_briefs() -> None:
    line = sparkline([0, 2, 0, 1], date(2024, 1, 1))
    assert line.bars == (("3", "0", "2", "20"), ("9", "10", "2", "10")) and line.width == 12


def test_the_card_has_exactly_its_keys_sorted() -> None:
    ada = Entity(type="people", id="ada", name="Ada Lovelace", description="A mathematician.")
    card = entity_card(ada, "Person", bin_dates(days("2024-01-05", "2024-03-01")), "index.html")
    assert json.loads(card) == {"type": "Person", "name": "Ada Lovelace", "description": "A mathematician.",
                                "briefs": 2, "url": "index.html",
                                "timeline": [{"period": "2024-01-01", "count": 1}] + [
                                    {"period": (date(2024, 1, 1) + timedelta(weeks=w)).isoformat(), "count": 0}
                                    for w in range(1, 8)] + [{"period": "2024-02-26", "count": 1}]}
    assert card.decode().startswith('{"briefs":2,"description":"A mathematician.","name"')
    assert json.loads(entity_card(person("Bob"), "Person", bin_dates([]), "x"))["description"] is None


# -- a built site ---------------------------------------------------------------------------------------


def entity_key(href: str) -> str:
    """'../../people/ada/index.html' → 'people/ada'."""
    parts = urlsplit(href).path.split("/")
    return "/".join(parts[-3:-1])


@pytest.fixture(scope="module")
def truth(generated_out: Path) -> dict[str, list[tuple[str, date]]]:
    """Each entity's briefs (slug, local date), read from the briefs' own pages, not from the charts."""
    named: dict[str, list[tuple[str, date]]] = {}
    for page in sorted((generated_out / "briefs").glob("*/index.html")):
        soup = parse_html(page)
        when = date.fromisoformat(soup.select_one("article time")["datetime"][:10])
        for key in dict.fromkeys(entity_key(a["href"]) for a in soup.select(".brief-entities a")):
            named.setdefault(key, []).append((page.parent.name, when))
    return named


def test_each_timeline_counts_every_brief_of_its_entity_once(generated_out: Path, truth) -> None:  # type: ignore[no-untyped-def]
    assert len(truth) > 20
    for key, briefs in truth.items():
        page = generated_out / key / "index.html"
        soup = parse_html(page)
        chart = soup.select_one('[data-chart="timeline"]')
        assert chart is not None, key
        bars = chart.select("[data-month]")
        assert sum(int(bar["data-count"]) for bar in bars) == len(briefs), key
        if len(bars) > 1 and len(bars[0]["data-month"]) == 7:  # months: every one from the first to the last
            expected = Counter(f"{when:%Y-%m}" for _, when in briefs)
            assert {bar["data-month"]: int(bar["data-count"]) for bar in bars if bar["data-count"] != "0"} == expected
        table = chart.select("details table tbody tr")
        assert [int(row.td.get_text()) for row in table] == [int(bar["data-count"]) for bar in bars]
        assert chart.find("svg")["aria-label"].startswith("Coverage of ")


def test_each_bar_links_to_an_archive_month_listing_one_of_its_briefs(generated_out: Path, truth) -> None:  # type: ignore[no-untyped-def]
    for key, briefs in list(truth.items())[:40]:
        page = generated_out / key / "index.html"
        slugs = {slug for slug, _ in briefs}
        for bar in parse_html(page).select('[data-chart="timeline"] a[data-month]'):
            target = (page.parent / bar["href"]).resolve()
            assert target.is_file(), (key, bar["href"])
            listed = {entity_key(a["href"]).split("/")[-1] for a in parse_html(target).select("main a[href*='briefs/']")}
            assert listed & slugs, (key, bar["data-month"])
            assert re.fullmatch(r".+: \d+ briefs?", bar.rect.title.get_text())


def test_co_mention_counts_are_the_briefs_the_two_share(generated_out: Path, truth) -> None:  # type: ignore[no-untyped-def]
    slugs = {key: {slug for slug, _ in briefs} for key, briefs in truth.items()}
    names = {}
    for key in truth:
        names[key] = parse_html(generated_out / key / "index.html").h1.get_text()
    for key in truth:
        chart = parse_html(generated_out / key / "index.html").select_one('[data-chart="co-mentions"]')
        shared = {other: len(slugs[key] & slugs[other]) for other in truth if other != key}
        expected = sorted(((-count, names[other], other) for other, count in shared.items() if count),
                          key=lambda item: (item[0], item[1], tuple(item[2].split("/"))))[:10]
        assert chart is not None, key
        items = chart.select("a[data-entity]")
        assert [int(a["data-count"]) for a in items] == [-count for count, _, _ in expected], key
        for a in items:
            assert int(a["data-count"]) == shared[a["data-entity"]]
            assert (generated_out / key / a["href"]).resolve().is_file()
            assert a.find("text").get_text() == names[a["data-entity"]]


def test_only_the_first_page_of_an_entity_has_the_charts(generated_out: Path) -> None:
    later = sorted(generated_out.glob("*/*/page/2/index.html"))
    assert later
    for page in later:
        assert parse_html(page).select("[data-chart]") == []


def test_a_card_beside_each_entity_page(generated_out: Path, truth) -> None:  # type: ignore[no-untyped-def]
    for key, briefs in truth.items():
        card_path = generated_out / key / "card.json"
        card = json.loads(card_path.read_bytes())
        soup = parse_html(generated_out / key / "index.html")
        assert sorted(card) == ["briefs", "description", "name", "timeline", "type", "url"]
        assert card["name"] == soup.h1.get_text() and card["briefs"] == len(briefs)
        assert card["type"] == soup.select_one(".eyebrow").get_text()
        bars = soup.select('[data-chart="timeline"] [data-month]')
        assert card["timeline"] == [{"period": b["data-month"], "count": int(b["data-count"])} for b in bars]
        assert card["url"] == "index.html" and (card_path.parent / card["url"]).is_file()
        lede = soup.select_one(".lede")
        assert card["description"] == (lede.get_text() if lede else None)


def test_cards_stay_out_of_the_sitemap_and_no_card_without_a_page(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "briefgen.yaml": "base_url: https://example.org/news/\n",
        "content/entities.yaml": "people:\n  - name: Nobody Named\n    description: Never in a brief.\n",
        "content/a.md": "Ada Lovelace wrote.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities: {people: [Ada Lovelace]}\n",
    })
    build(site, tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("card.json")) == ["people/ada-lovelace/card.json"]
    card = json.loads((out / "people/ada-lovelace/card.json").read_text())
    assert card["url"] == "https://example.org/news/people/ada-lovelace/"
    assert "card.json" not in (out / "sitemap.xml").read_text()


def test_the_entities_index_shows_the_most_named_of_the_last_thirty_days(tmp_path: Path) -> None:
    files = {}
    for index, (when, people) in enumerate([("2024-03-31", "Ada Lovelace, Charles Babbage"),
                                            ("2024-03-20", "Ada Lovelace"), ("2024-03-05", "Mary Somerville"),
                                            ("2024-02-01", "Mary Somerville, Charles Babbage")]):
        files[f"content/b{index}.md"] = f"{people} met.\n"
        files[f"content/b{index}.yaml"] = f"title: B{index}\ndate: {when}\nentities: {{people: [{people}]}}\n"
    build(write_site(tmp_path / "site", files), tmp_path / "out")
    soup = parse_html(tmp_path / "out/entities/index.html")
    section = soup.select_one('[data-chart="recent"]')
    rows = [(li.a.get_text(), li["data-count"]) for li in section.select("li")]
    assert rows == [("Ada Lovelace", "2"), ("Charles Babbage", "1"), ("Mary Somerville", "1")]
    assert "2 March 2024" in section.get_text() and "31 March 2024" in section.get_text()
    sparks = section.select("svg.sparkline")
    assert len(sparks) == 3 and all(s["role"] == "img" and s["aria-label"] for s in sparks)
    assert len(sparks[0].select("rect")) == 2
    timeline = parse_html(tmp_path / "out/people/mary-somerville/index.html").select("[data-month]")
    assert [(b["data-month"], b["data-count"]) for b in timeline] == [("2024-01-29", "1"), ("2024-02-05", "0"),
                                                                      ("2024-02-12", "0"), ("2024-02-19", "0"),
                                                                      ("2024-02-26", "0"), ("2024-03-04", "1")]


def test_charts_are_byte_identical_between_builds(tmp_path: Path) -> None:
    from sitegen import generate_site

    site = generate_site(tmp_path / "site", briefs=60)
    build(site, tmp_path / "a", jobs=1)
    build(site, tmp_path / "b", jobs=2)
    first, second = snapshot(tmp_path / "a", skip=NONDETERMINISTIC), snapshot(tmp_path / "b", skip=NONDETERMINISTIC)
    assert first == second
    assert any(name.endswith("card.json") for name in first)


def test_a_date_edit_rewrites_its_entities_charts_and_cards_only(tmp_path: Path) -> None:
    from briefgen.build import Builder

    files = {}
    for index, (when, people) in enumerate([("2024-03-01", "Ada Lovelace, Charles Babbage"), ("2024-03-02", "Ada Lovelace"),
                                            ("2024-03-03", "Ada Lovelace"), ("2024-03-04", "Mary Somerville")]):
        files[f"content/b{index}.md"] = f"{people} met.\n"
        files[f"content/b{index}.yaml"] = f"title: B{index}\ndate: {when}\nentities: {{people: [{people}]}}\n"
    site = write_site(tmp_path / "site", {**files, "briefgen.yaml": "page_size: 2\n"})
    builder = Builder(site, use_cache=False, search=False)
    builder.build()
    path = site / "content/b0.yaml"
    path.write_text(path.read_text().replace("2024-03-01", "2023-01-01"))
    changed = set(builder.build().changed or ())
    assert {"people/ada-lovelace/index.html", "people/ada-lovelace/card.json", "people/charles-babbage/index.html",
            "people/charles-babbage/card.json", "entities/index.html", "briefs/b0/index.html"} <= changed
    assert not any(name.startswith("people/mary-somerville/") for name in changed)
    bars = parse_html(site / "site/people/ada-lovelace/index.html").select("[data-month]")
    assert bars[0]["data-month"] == "2023-01" and bars[-1]["data-month"] == "2024-03"


def test_a_timeline_is_drawn_once_per_list_and_again_for_another() -> None:
    from briefgen.charts import bin_dates, entity_timeline

    listed = (brief("a", "2024-03-01T10:00:00+00:00"), brief("b", "2024-05-01T10:00:00+00:00"))
    first = entity_timeline(listed)
    assert entity_timeline(listed) is first  # the entity's page and its card
    moved = (listed[0], brief("b", "2025-05-01T10:00:00+00:00"))  # a brief moved: another list
    assert entity_timeline(moved) == bin_dates([date(2024, 3, 1), date(2025, 5, 1)]) != first
    assert entity_timeline(list(listed)) == first  # a list that is not a tuple is drawn, not kept
