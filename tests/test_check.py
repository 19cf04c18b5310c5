"""`briefgen check`: likely mistakes are warnings; --strict makes them fail."""

from __future__ import annotations

import hashlib
import json
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
    out = capsys.readouterr().out
    assert "'Vladimir Putin' and 'Vladmir Putin' look like one entity spelt twice" in out
    assert "people entity 'Vladmir Putin' has no description" in out
    assert "'Vladimir Putin' has no description" not in out
    assert "'Ada' is never named in the text" in out
    assert f"  {site / 'content/b.yaml'}: brief names no entities" in out
    assert "0 errors, 2 likely mistakes, 3 pieces of advice." in out
    assert not (site / "site").exists()
    assert main(["check", "--strict", str(site)]) == 1


def test_check_passes_the_example_site(capsys: pytest.CaptureFixture[str]) -> None:
    from sitekit import REPO

    assert main(["check", str(REPO)]) == 0
    assert "0 errors, 0 likely mistakes, 0 pieces of advice." in capsys.readouterr().out


def test_check_warns_about_tags_that_share_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, {
        "content/a.md": "Text.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\ntags: [C++, Climate]\n",
        "content/b.md": "Text.\n", "content/b.yaml": "title: B\ndate: 2024-01-02\ntags: [C#, climate]\n",
    })
    assert main(["check", str(site)]) == 0
    err = capsys.readouterr().out
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
    err = capsys.readouterr().out
    assert "people '李强' and '李蔷' all give the id 'li-qiang', so they are one entity" in err
    assert "all give the id 'zoe-muller'" not in err, "accents alone do not make two names"
    assert "places 'U.K.' makes its own entity 'u-k', but the registry gives 'U.K.' the id 'united-kingdom'" in err
    assert ("'Paris' names 2 entities of this brief (places/paris-texas, places/paris-france): "
            "its mentions link to places/paris-texas") in err
    assert "'Paris' and 'Paris' look like one entity" not in err


def _many_findings(tmp_path: Path, extra_config: str = "") -> Path:
    """200 briefs, each naming an entity without a description, and one real mistake among them."""
    files = {"briefgen.yaml": extra_config}
    # Names no two of which look alike (a near-duplicate pair would be a real finding).
    names = ["".join(chr(97 + int(c, 16) % 26) for c in hashlib.sha256(str(n).encode()).hexdigest()[:12]).title()
             for n in range(200)]
    for n, name in enumerate(names):
        files[f"content/b{n}.md"] = f"{name} spoke.\n"
        files[f"content/b{n}.yaml"] = f"title: B{n}\ndate: 2024-01-01\nentities: {{people: [{name}]}}\n"
    files["content/b7.md"] = f"{names[7]} spoke. See [the table](#votes).\n"
    return write_site(tmp_path, files)


def test_hundreds_of_findings_make_a_short_report_with_the_mistake_first(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = _many_findings(tmp_path)
    assert main(["check", str(site)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) < 20
    assert lines[0] == "mistake: links to an #anchor the page does not have [dead-anchor]: 1"
    assert lines[1].endswith("b7.md:1: link to #votes leads nowhere: the page has no element with that id")
    assert "advice: entities without a description [missing-description]: 200" in lines
    assert "  … and 197 more (--all lists them)" in lines
    assert lines[-1] == "Checked 200 briefs and 200 entities: 0 errors, 1 likely mistake, 200 pieces of advice."
    assert main(["check", "--all", str(site)]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 200
    assert main(["check", "--strict", str(site)]) == 1


def test_json_lines_have_stable_keys_and_errors_are_findings_too(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    site = _many_findings(tmp_path)
    assert main(["check", "--format", "json", str(site)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 201 and all(set(row) == {"kind", "severity", "path", "line", "message", "hint"} for row in rows)
    assert (rows[0]["kind"], rows[0]["severity"], rows[0]["line"]) == ("dead-anchor", "mistake", 1)
    (site / "content/b3.yaml").write_text("title: B3\ndate: 2024-02-30\n")
    assert main(["check", "--format", "json", str(site)]) == 1
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["kind"] == "error" and first["severity"] == "error" and first["path"].endswith("b3.yaml")
    assert first["line"] == 2 and "2024-02-30" in first["message"] and first["hint"]


def test_github_annotations_are_escaped_as_the_actions_toolkit_does(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "a,b:c", {
        "content/x.md": "Text, 100% sure: see [it](#no,pe).\n",
        "content/x.yaml": "title: X\ndate: 2024-01-01\n",
    })
    monkeypatch.chdir(site)
    assert main(["check", "--format", "github", str(site)]) == 0
    lines = capsys.readouterr().out.splitlines()
    anchor = next(line for line in lines if "dead-anchor" in line)
    assert anchor == ("::warning file=content/x.md,line=1,title=briefgen dead-anchor::"
                      "link to #no,pe leads nowhere: the page has no element with that id")
    assert any(line.startswith("::notice ") and "brief-without-entities" in line for line in lines)
    (site / "content/x.yaml").write_text("title: X\ndate: 2024-01-01\ntitel: Y\n")
    assert main(["check", "--format", "github", str(site)]) == 1
    error = capsys.readouterr().out.splitlines()[0]
    assert error == ("::error file=content/x.yaml,line=3,title=briefgen error::unknown key 'titel'"
                     "%0Ahint: did you mean 'title'?")


def test_kinds_can_be_ignored_in_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _many_findings(tmp_path, "check:\n  ignore: [missing-description]\n")
    assert main(["check", "--strict", str(site)]) == 1  # the dead anchor is still there
    out = capsys.readouterr().out
    assert "missing-description" not in out and "1 likely mistake, 0 pieces of advice" in out
    (site / "briefgen.yaml").write_text("check:\n  ignore: [missing-descriptions]\n")
    assert main(["check", str(site)]) == 1
    err = capsys.readouterr().err
    assert "briefgen.yaml:2: 'missing-descriptions' is not a kind of finding `check` reports" in err
    assert "did you mean 'missing-description'?" in err


def test_every_kind_the_code_gives_a_warning_is_a_known_kind() -> None:
    import ast

    from briefgen.findings import KINDS

    from sitekit import REPO

    used = set()
    for module in (REPO / "briefgen").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "BuildWarning":
                kinds = [kw.value for kw in node.keywords if kw.arg == "kind"] + node.args[3:4]
                assert kinds, f"{module.name}:{node.lineno}: a BuildWarning without a kind"
                used.add(kinds[0].value)  # type: ignore[attr-defined]
    assert used <= set(KINDS) and len(used) >= 15
