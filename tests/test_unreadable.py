"""Files and folders the system will not let briefgen read (or write beside the output): located errors.

`chmod 000` stops every user but root, and the tests may run as root: each
case runs twice, once with the system's own permissions (skipped as root)
and once with the reads refused by the test itself, which works as anyone.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.cli import main

from sitekit import write_site


def chmod_stops_this_user() -> bool:
    """False as root (or with the capability to override permissions): chmod 000 then stops nothing."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return True
        finally:
            probe.chmod(0o644)
    return False


AS_ROOT = not chmod_stops_this_user()


def refuse(monkeypatch: pytest.MonkeyPatch, paths: list[Path], *, writes_in: Path | None = None) -> None:
    """Make opening, listing (or, in `writes_in`, creating) these paths fail as chmod would."""
    refused = {os.path.abspath(p) for p in paths}
    real_open, real_scandir, real_os_open, real_mkdir = builtins.open, os.scandir, os.open, os.mkdir

    def check(path: object, creating: bool = False) -> None:
        if isinstance(path, int):
            return
        name = os.path.abspath(os.fspath(path))  # type: ignore[call-overload]
        if name in refused or (creating and writes_in is not None and os.path.dirname(name) == str(writes_in)):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[call-overload]

    def fake_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        check(file, creating=any(c in mode for c in "wax+"))
        return real_open(file, mode, *args, **kwargs)

    def fake_scandir(path="."):  # type: ignore[no-untyped-def]
        check(path)
        return real_scandir(path)

    def fake_os_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        check(path, creating=bool(flags & os.O_CREAT))
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        check(path, creating=True)
        return real_mkdir(path, *args, **kwargs)

    for module, name, fake in ((builtins, "open", fake_open), (io, "open", fake_open), (os, "scandir", fake_scandir),
                               (os, "open", fake_os_open), (os, "mkdir", fake_mkdir)):
        monkeypatch.setattr(module, name, fake)


def site(root: Path) -> Path:
    return write_site(root, {
        "content/a.md": "Ada Lovelace wrote.\n", "content/a.yaml": "title: A\ndate: 2024-01-01\n",
        "content/sub/b.md": "B.\n", "content/sub/b.yaml": "title: B\ndate: 2024-01-02\n",
        "content/entities.yaml": "people: [Ada Lovelace]\n",
        "static/style.css": "p {}\n", "static/fonts/x.woff": "x",
        "templates/brief.html": '{% extends "base.html" %}\n',
    })


# What is made unreadable, by what the error calls it.
CASES = {"article": "content/a.md", "sidecar": "content/a.yaml", "content folder": "content/sub",
         "registry": "content/entities.yaml", "static file": "static/style.css", "static folder": "static/fonts",
         "template": "templates/brief.html"}


def build_and_check(folder: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(folder)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    kind = "folder" if "folder" in case else "file"
    assert err.startswith(f"{folder / CASES[case]}: cannot read {kind}: permission denied"), err
    assert "hint: let this user read it (chmod u+r" in err
    assert not (folder / "site").exists()
    assert main(["check", str(folder)]) == 1 and "permission denied" in capsys.readouterr().err


@pytest.mark.parametrize("case", CASES)
def test_an_unreadable_file_is_a_located_error_as_anyone(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = site(tmp_path / "site")
    refuse(monkeypatch, [folder / CASES[case]])
    build_and_check(folder, case, capsys)


@pytest.mark.skipif(AS_ROOT, reason="root reads files whatever their permissions")
@pytest.mark.parametrize("case", CASES)
def test_an_unreadable_file_is_a_located_error(case: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = site(tmp_path / "site")
    (folder / CASES[case]).chmod(0)
    try:
        build_and_check(folder, case, capsys)
    finally:
        (folder / CASES[case]).chmod(0o755)


def check_read_only_parent(folder: Path, out: Path, capsys: pytest.CaptureFixture[str],
                           make_read_only: Callable[[], None]) -> None:
    make_read_only()
    code = main(["build", str(folder), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    assert err.startswith(f"{out.parent}: cannot write in {out.parent}: Permission denied"), err
    assert "hint: the new site is built beside site/ and swapped in" in err and "--out" in err


def test_a_read_only_parent_of_the_output_folder_is_a_located_error_as_anyone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = site(tmp_path / "site")
    parent = tmp_path / "www"
    parent.mkdir()
    check_read_only_parent(folder, parent / "site", capsys, lambda: refuse(monkeypatch, [], writes_in=parent))


@pytest.mark.skipif(AS_ROOT, reason="root writes in any folder whatever its permissions")
def test_a_read_only_parent_of_the_output_folder_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = site(tmp_path / "site")
    parent = tmp_path / "www"
    parent.mkdir()
    try:
        check_read_only_parent(folder, parent / "site", capsys, lambda: parent.chmod(0o555))
    finally:
        parent.chmod(0o755)
