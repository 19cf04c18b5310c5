"""`briefgen check`: likely mistakes are warnings; --strict makes them fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main

from sitekit import write_site


def test_check_warns_about_likely_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, {
        "content/a.md": "Vladimir Putin met Vladmir Putin's double.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities:\n  people: [Vladimir Putin, Vladmir Putin, Ada]\n",
        "content/b.md": "Nothing here.\n",
        "content/b.yaml": "title: B\ndate: 2024-01-02\n",
        "content/entities.yaml": "people:\n  - {name: Vladimir Putin, description: President of Russia.}\n",
    })
    assert main(["check", str(site)]) == 0
    err = capsys.readouterr()
    assert "'Vladimir Putin' and 'Vladmir Putin' look like one entity spelt twice" in err.err
    assert "people entity 'Vladmir Putin' has no description" in err.err
    assert "'Vladimir Putin' has no description" not in err.err
    assert "'Ada' is never named in the text" in err.err
    assert f"{site / 'content/b.yaml'}: warning: brief names no entities" in err.err
    assert "no errors, 5 warnings" in err.out
    assert not (site / "site").exists()
    assert main(["check", "--strict", str(site)]) == 1


def test_check_passes_the_example_site(capsys: pytest.CaptureFixture[str]) -> None:
    from sitekit import REPO

    assert main(["check", str(REPO)]) == 0
    assert "0 warnings" in capsys.readouterr().out


def test_check_warns_about_tags_that_share_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, {
        "content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\ntags: [C++, Climate]\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\ntags: [C#, climate]\n",
    })
    assert main(["check", str(site)]) == 0
    err = capsys.readouterr().err
    assert "tags 'c#' and 'c++' share one page, tags/c/" in err
    assert "'climate'" not in err, "Climate and climate are one tag"


def test_check_warns_about_names_that_do_not_mean_what_they_seem(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, {
        "content/entities.yaml": "places:\n  - {name: U.K., id: united-kingdom, aliases: [Britain]}\n",
        "content/a.md": "李蔷 beat 李强 at badminton in the U.K. and in Paris.\n",
        "content/a.yaml": "title: A\ndate: 2024-01-01\nentities:\n  people: [李强, 李蔷, Zoë Müller, Zoe Muller]\n"
                          "  places: [U.K., {name: Paris, id: paris-texas}, {name: Paris, id: paris-france}]\n",
    })
    assert main(["check", str(site)]) == 0
    err = capsys.readouterr().err
    assert "people '李强' and '李蔷' all give the id 'li-qiang', so they are one entity" in err
    assert "all give the id 'zoe-muller'" not in err, "accents alone do not make two names"
    assert "places 'U.K.' makes its own entity 'u-k', but the registry gives 'U.K.' the id 'united-kingdom'" in err
    assert ("'Paris' names 2 entities of this brief (places/paris-texas, places/paris-france): "
            "its mentions link to places/paris-texas") in err
    assert "'Paris' and 'Paris' look like one entity" not in err
