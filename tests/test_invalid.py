"""Broken sites under tests/invalid/<case>/: each gives located errors and writes nothing.

Each case has `expect.yaml`: a list of {path, line, message, hint} that the
build's error output must contain as ``path:line: message`` (and the hint).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.cli import main

from sitekit import snapshot

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


# The list a build leaves in its output folder, so the folder counts as briefgen's.
PREVIOUS_LIST = "# briefgen: the files of this folder that briefgen wrote\nsite 0123\nindex.html\n"
PREVIOUS = {"index.html": b"<p>the previous build</p>", ".briefgen-files": PREVIOUS_LIST.encode()}


def run_case(case_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> tuple[int, str, dict[str, bytes]]:
    site = tmp_path / "site"
    shutil.copytree(case_dir, site, symlinks=True)
    (site / "expect.yaml").unlink(missing_ok=True)
    previous = site / "site"
    previous.mkdir()
    (previous / "index.html").write_text("<p>the previous build</p>")
    (previous / ".briefgen-files").write_text(PREVIOUS_LIST)
    monkeypatch.chdir(site)
    code = main(["build"])
    err = capsys.readouterr().err
    return code, err, snapshot(previous)


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_located_errors(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    expected = yaml.safe_load((INVALID / case / "expect.yaml").read_text(encoding="utf-8"))
    code, err, previous = run_case(INVALID / case, tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "Traceback" not in err
    for item in expected:
        where = item["path"] + (f":{item['line']}" if item.get("line") else "")
        lines = [line for line in err.splitlines() if line.startswith(where + ":")]
        assert any(item["message"] in line for line in lines), f"{where}: {item['message']!r} not in:\n{err}"
        if item.get("hint"):
            assert item["hint"] in err
    assert previous == PREVIOUS, "the previous output must survive"
    assert not [p for p in (tmp_path / "site").iterdir() if p.name.startswith(".site.")]


@pytest.mark.parametrize("case", CASES)
def test_check_reports_the_same_errors_and_writes_nothing(case: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    expected = yaml.safe_load((INVALID / case / "expect.yaml").read_text(encoding="utf-8"))
    site = tmp_path / "site"
    shutil.copytree(INVALID / case, site, symlinks=True)
    (site / "expect.yaml").unlink()
    before = snapshot(site)
    monkeypatch.chdir(site)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    for item in expected:
        assert item["message"] in err
    assert snapshot(site) == before


def test_symlink_out_of_the_site_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("the password is hunter2\n")
    case = tmp_path / "case"
    (case / "content").mkdir(parents=True)
    (case / "content/a.yaml").write_text("title: A\ndate: 2024-01-01\n")
    os.symlink(secret, case / "content/a.md")
    code, err, previous = run_case(case, tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "content/a.md: symlink leads outside the site and is not followed" in err
    assert previous == PREVIOUS


def _loop_in_content(case: Path) -> None:
    os.symlink("loop.md", case / "content/loop.md")


def _loop_in_static(case: Path) -> None:
    (case / "static").mkdir()
    os.symlink("loop", case / "static/loop")


def _long_names(case: Path) -> None:
    long = " ".join(["word"] * 60)
    (case / "content/a.yaml").write_text(f'title: A\ndate: 2024-01-01\ntags: ["{long}"]\n'
                                         f'entities:\n  people: ["{long}"]\n')


def _deep_nesting(case: Path) -> None:
    (case / "content/a.md").write_text("Ada Lovelace wrote.\n\n" + "*" * 2000 + "x" + "*" * 2000 + "\n")
    (case / "content/a.yaml").write_text("title: A\ndate: 2024-01-01\nentities: {people: [Ada Lovelace]}\n")


def _template_not_utf8(case: Path) -> None:
    (case / "templates").mkdir()
    (case / "templates/brief.html").write_bytes(b'\xff\xfe{% extends "base.html" %}')


def _template_extends_itself(case: Path) -> None:
    (case / "templates").mkdir()
    (case / "templates/brief.html").write_text('{% extends "brief.html" %}')


def _template_arithmetic_on_text(case: Path) -> None:
    (case / "templates").mkdir()
    (case / "templates/brief.html").write_text('{% extends "base.html" %}\n{% block main %}\n{{ "n: " + 1 }}\n'
                                               '{% endblock %}\n')


def _article_named_like_the_registry(case: Path) -> None:
    (case / "content/entities.md").write_text("An article.\n")
    (case / "content/entities.yaml").write_text("people: [Ada Lovelace]\n")


ODD_CASES = {
    "article named like the registry": (_article_named_like_the_registry,
                                        "content/entities.md: an article at the top of content/ cannot be named"),
    "template failing at run time": (_template_arithmetic_on_text,
                                     "templates/brief.html:3: template brief.html failed"),
    "symlink loop in content": (_loop_in_content, "content/loop.md: symlink leads nowhere"),
    "symlink loop in static": (_loop_in_static, "static/loop: symlink leads nowhere"),
    "names too long for a file name": (_long_names, "content/a.yaml:3: tag 'word word"),
    "markup nested thousands deep": (_deep_nesting, "content/a.md: the article nests markup"),
    "template not UTF-8": (_template_not_utf8, "templates/brief.html: a template is not valid UTF-8"),
    "template extending itself": (_template_extends_itself, "templates/brief.html: template brief.html never ends"),
}


@pytest.mark.parametrize("name", ODD_CASES)
def test_odd_files_are_located_errors_not_tracebacks(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    make, message = ODD_CASES[name]
    case = tmp_path / "case"
    (case / "content").mkdir(parents=True)
    (case / "content/a.md").write_text("Ada Lovelace wrote.\n")
    (case / "content/a.yaml").write_text("title: A\ndate: 2024-01-01\n")
    make(case)
    code, err, previous = run_case(case, tmp_path, monkeypatch, capsys)
    assert code == 1 and "Traceback" not in err
    assert any(line.startswith(message) for line in err.splitlines()), err
    assert previous == PREVIOUS
    assert main(["check"]) == 1, "check finds what build finds"
    assert any(line.startswith(message) for line in capsys.readouterr().err.splitlines())
