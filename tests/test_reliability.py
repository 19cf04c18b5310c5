"""Never lose a file, never publish a stale page: ownership of the output folder, the build lock,
builds killed at many instants, states that were not saved or are corrupt.

After every mishap the next build must equal a clean build byte for byte, and
the output folder must hold the user's own files and nothing briefgen left
behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefgen.build import Builder
from briefgen.cache import CACHE_DIR, clear_state
from briefgen.errors import BriefgenError
from briefgen.lock import build_locks, output_lock_path
from briefgen.store import STORE_FILE, forget_readers

from sitegen import generate_site
from sitekit import ADA, REPO, snapshot, write_site

BRIEFS = 80
USER_FILES = {".git/HEAD": "ref: refs/heads/main\n", ".git/objects/ab/cdef": "blob\n", "CNAME": "news.example.org\n",
              "extra/notes.txt": "mine\n", "briefs/mine.html": "<p>mine</p>\n", ".well-known/security.txt": "x\n"}


def make_site(root: Path, briefs: int = BRIEFS) -> Path:
    return generate_site(root, briefs=briefs)


def add_user_files(out: Path) -> None:
    for relative, text in USER_FILES.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text)


def assert_user_files_kept(out: Path) -> None:
    for relative, text in USER_FILES.items():
        assert (out / relative).read_text() == text, relative


def briefgen_files(out: Path) -> dict[str, bytes]:
    """What briefgen wrote: the folder less the user's files."""
    return {path: data for path, data in snapshot(out, skip=("pagefind/",)).items() if path not in USER_FILES}


def clean_build(site: Path, out: Path, **options: object) -> dict[str, bytes]:
    Builder(site, out, use_cache=False, search=False, **options).build()  # type: ignore[arg-type]
    return briefgen_files(out)


def leftovers(out: Path) -> list[str]:
    """Work folders and lock files beside the output, half-written lists inside it.

    A replaced site (`.site.old-*`) is deleted by a detached process: it is given ten seconds.
    """
    deadline = time.monotonic() + 10
    while any(out.parent.glob(f".{out.name}.old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.glob(".briefgen-files.*")]
    return beside + inside


def edit_titles(site: Path, count: int, text: str) -> None:
    for sidecar in sorted((site / "content").rglob("*.yaml"))[:count]:
        if sidecar.name == "entities.yaml":
            continue
        lines = sidecar.read_text().splitlines()
        lines = [f"title: {text} {sidecar.stem}" if line.startswith("title:") else line for line in lines]
        sidecar.write_text("\n".join(lines) + "\n")


# -- own only what you wrote ----------------------------------------------------------------------

@pytest.mark.parametrize("how", ["clean", "drafts", "base-url", "no cache", "other out first"])
def test_every_kind_of_clean_build_keeps_the_users_files(tmp_path: Path, how: str) -> None:
    site = make_site(tmp_path / "site", briefs=12)
    out = site / "site"
    Builder(site, out, search=False).build()
    add_user_files(out)
    options: dict[str, object] = {}
    if how == "clean":
        clear_state(site)
    elif how == "drafts":
        options["drafts"] = True
    elif how == "base-url":
        options["base_url"] = "https://news.example.org/"
    elif how == "other out first":
        Builder(site, tmp_path / "preview", search=False).build()  # the cache now holds the preview's state
    report = Builder(site, out, use_cache=how != "no cache", search=False, **options).build()  # type: ignore[arg-type]
    assert not report.incremental
    assert_user_files_kept(out)
    assert briefgen_files(out) == clean_build(site, tmp_path / "reference", **options)
    assert leftovers(out) == []


def test_a_symlinked_output_keeps_the_web_servers_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", briefs=6)
    served = tmp_path / "www" / "html"
    served.mkdir(parents=True)
    (served / "index.html").write_text("the server's own front page\n")
    (site / "site").symlink_to(served)
    with pytest.raises(BriefgenError, match="has files that briefgen did not build"):
        Builder(site, search=False).build()  # a folder briefgen did not build is never taken over
    assert [p.name for p in served.iterdir()] == ["index.html"]
    (served / "index.html").unlink()
    Builder(site, search=False).build()
    (served / ".well-known").mkdir()
    (served / ".well-known" / "acme-challenge").write_text("token\n")  # the server's, added later
    (served / "50x.html").write_text("the server's error page\n")
    Builder(site, use_cache=False, search=False).build()
    assert (site / "site").is_symlink()
    assert (served / ".well-known" / "acme-challenge").read_text() == "token\n"
    assert (served / "50x.html").read_text() == "the server's error page\n"


@pytest.mark.parametrize("use_cache", [True, False], ids=["rebuild", "clean build"])
def test_a_users_file_where_a_page_now_goes_is_an_error_and_nothing_changes(tmp_path: Path, use_cache: bool) -> None:
    site = write_site(tmp_path / "site", ADA)
    out = site / "site"
    Builder(site, out, search=False).build()
    (out / "briefs" / "b").mkdir()
    (out / "briefs" / "b" / "index.html").write_text("mine\n")
    before = snapshot(out)
    write_site(site, {"content/b.md": "Ada Lovelace again.\n",
                      "content/b.yaml": "title: B\ndate: 2024-01-02\nentities: {people: [Ada Lovelace]}\n"})
    with pytest.raises(BriefgenError, match="briefgen did not write") as raised:
        Builder(site, out, use_cache=use_cache, search=False).build()
    assert "briefs/b/index.html" in raised.value.format_message()
    assert snapshot(out) == before
    assert leftovers(out) == []


# -- a state never describes a site the folder does not hold ------------------------------------------

def test_a_state_that_was_not_saved_never_hides_a_revert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", briefs=20)
    out = site / "site"
    Builder(site, out, search=False).build()
    original = briefgen_files(out)
    edit_titles(site, 5, "Edited")
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("briefgen.store.save", full_disk)
    report = Builder(site, out, search=False).build()
    assert any("could not be saved" in warning.message for warning in report.warnings)
    monkeypatch.undo()
    make_site(site, briefs=20)  # the writer reverts: every source is again as the saved state knows it
    report = Builder(site, out, search=False).build()
    assert "Nothing changed" not in report.summary()
    assert briefgen_files(out) == original


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "list pending", "list gone", "list half written"])
def test_a_damaged_state_or_list_gives_a_full_correct_build(tmp_path: Path, damage: str) -> None:
    site = make_site(tmp_path / "site", briefs=15)
    out = site / "site"
    Builder(site, out, search=False).build()
    edit_titles(site, 3, "Changed")
    cache = site / CACHE_DIR
    forget_readers()
    if damage == "truncated":
        data = (cache / STORE_FILE).read_bytes()
        (cache / STORE_FILE).write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        (cache / STORE_FILE).write_bytes(os.urandom(4096))
    elif damage == "empty":
        (cache / STORE_FILE).write_bytes(b"")
    elif damage == "list pending":
        listed = (out / ".briefgen-files").read_text().splitlines()
        listed[1] = "site pending"
        (out / ".briefgen-files").write_text("\n".join(listed) + "\n")
    elif damage == "list gone":
        (out / ".briefgen-files").unlink()
    else:
        (out / ".briefgen-files.new").write_text("# briefgen: the fi")  # killed while writing the list
    Builder(site, out, search=False).build()
    assert briefgen_files(out) == clean_build(site, tmp_path / "reference")
    assert leftovers(out) == []


# -- one build at a time ------------------------------------------------------------------------------

def test_a_second_build_waits_or_refuses(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", briefs=4)
    out = site / "site"
    with build_locks([output_lock_path(out)]):
        builder = Builder(site, out, search=False)
        builder.wait_for_lock = False
        with pytest.raises(BriefgenError, match="another build is running here"):
            builder.build()
        waiting = subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(site), "--out", str(out)],
                                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None and not out.exists(), "the second build ran while the lock was held"
    assert waiting.wait(timeout=60) == 0
    assert waiting.stderr is not None and "waiting for another build to finish (pid" in waiting.stderr.read()
    assert (out / "index.html").is_file()
    assert not output_lock_path(out).exists(), "the lock file is removed when let go"


def test_two_builds_at_once_both_succeed_and_the_site_is_right(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", briefs=40)
    out = site / "site"
    for round_number in range(4):
        edit_titles(site, 4 + round_number, f"Round {round_number}")
        runners = [subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(site), str(out), "0"], cwd=REPO,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        results = [(runner.wait(timeout=120), runner.stderr.read() if runner.stderr else "") for runner in runners]
        assert [code for code, _ in results] == [0, 0], results
    assert briefgen_files(out) == clean_build(site, tmp_path / "reference")
    assert leftovers(out) == []


# -- builds killed at many instants --------------------------------------------------------------------

BUILD_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from briefgen.build import Builder
    site, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) or None
    Builder(site, out, search=False, jobs=jobs).build()
""")


def run_build(site: Path, out: Path) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", BUILD_SCRIPT, str(site), str(out), "2"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def kill_build_after(site: Path, out: Path, seconds: float) -> None:
    runner = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(site), str(out), "2"], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        runner.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGKILL)  # the build and its workers, at once
        runner.wait()


INSTANTS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.8, 0.88, 0.94, 0.98)  # fractions of an uninterrupted build


@pytest.mark.parametrize("kind", ["clean", "incremental"])
def test_a_killed_build_is_made_whole_by_the_next(tmp_path: Path, kind: str) -> None:
    """Kill a build of 30 edited titles, then revert the edits (the writer changed their mind): the next
    build must show the reverted text, not the killed build's half of the edit."""
    site = make_site(tmp_path / "site")
    out = site / "site"
    duration = run_build(site, out)
    add_user_files(out)
    sidecars = sorted((site / "content").rglob("*.yaml"))
    for number, fraction in enumerate(INSTANTS):
        if kind == "clean":
            clear_state(site)
        before = {path: path.read_bytes() for path in sidecars}
        edit_titles(site, 30, f"Edit {number}")
        if kind == "incremental":
            duration = run_build(site, out)  # how long an incremental build of 30 edits takes
            before = {path: path.read_bytes() for path in sidecars}
            edit_titles(site, 30, f"Edit {number} again")
        kill_build_after(site, out, duration * fraction)
        if (out / "index.html").is_file():
            assert_user_files_kept(out)
        for path, data in before.items():  # reverted, with the stamps git would give them
            path.write_bytes(data)
        run_build(site, out)
        assert briefgen_files(out) == clean_build(site, tmp_path / f"reference-{number}"), (kind, fraction)
        assert_user_files_kept(out)
        assert leftovers(out) == []


def test_a_build_does_not_wait_for_a_replaced_site_still_being_deleted(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean build hands the site it replaced to a detached `rm`; a build starting before that `rm` is
    done (an edit right after a clean build of a large site) hands it on again instead of deleting it
    itself, which took 16 s at 100,000 briefs."""
    site = make_site(tmp_path / "site", briefs=3)
    out = site / "site"
    Builder(site, out, search=False).build()
    replaced = out.parent / f".{out.name}.old-0000beef"
    (replaced / "site" / "briefs").mkdir(parents=True)
    (replaced / "site" / "briefs" / "index.html").write_text("old", encoding="utf-8")
    handed: list[Path] = []
    monkeypatch.setattr("briefgen.lock.remove_later", handed.append)
    Builder(site, out, search=False).build()
    assert handed == [replaced]
    assert (replaced / "site" / "briefs" / "index.html").is_file()  # not deleted by the build itself
    monkeypatch.undo()
    Builder(site, out, search=False).build()
    assert leftovers(out) == []


def test_a_replaced_site_being_deleted_is_left_to_the_rm_deleting_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each build that found a replaced site still being deleted started one more `rm` over the same files
    (four at once, contending for one disk, after a few quick edits of a large site): the `rm` at work
    holds a lock on a file beside the folder, and a build leaves the folder to it. One that died before
    it was done (the machine stopped) is replaced; a real one leaves neither the folder nor its lock file."""
    from briefgen.lock import remove_leftovers

    out = tmp_path / "site"
    out.mkdir()
    replaced = tmp_path / ".site.old-0000beef"
    (replaced / "briefs").mkdir(parents=True)
    started: list[list[str]] = []
    holding: list[int] = []

    def at_work(args: list[str], pass_fds: tuple[int, ...] = (), **_: object) -> None:
        started.append(args)
        holding.extend(os.dup(fd) for fd in pass_fds)  # an `rm` at work, holding the lock it was given

    monkeypatch.setattr(subprocess, "Popen", at_work)
    remove_leftovers(out)
    remove_leftovers(out)
    assert started == [[shutil.which("rm"), "-rf", "--", str(replaced), f"{replaced}.removing"]]
    for fd in holding:  # that `rm` dies before it is done
        os.close(fd)
    remove_leftovers(out)
    assert len(started) == 2
    for fd in holding[1:]:  # and so does the second
        os.close(fd)

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr("briefgen.lock.fcntl.flock", no_locks)  # a file system without locks: an `rm` all the same
    remove_leftovers(out)
    assert started[-1] == [shutil.which("rm"), "-rf", "--", str(replaced)] and replaced.is_dir()
    monkeypatch.undo()
    remove_leftovers(out)
    assert leftovers(out) == []
    (tmp_path / ".site.old-0000cafe.removing").touch()  # an `rm` stopped after the folder, before its lock file
    remove_leftovers(out)
    assert leftovers(out) == []


def test_a_build_killed_between_moving_the_old_site_aside_and_the_new_one_in(tmp_path: Path) -> None:
    """The one instant a clean build's swap leaves no output folder: the next build puts the old one back."""
    site = make_site(tmp_path / "site", briefs=6)
    out = site / "site"
    Builder(site, out, search=False).build()
    add_user_files(out)
    aside = out.parent / f".{out.name}.old-0000dead"
    aside.mkdir()
    out.rename(aside / "site")  # what commit() does first; the kill comes before the new folder moves in
    Builder(site, out, use_cache=False, search=False).build()
    assert_user_files_kept(out)
    assert briefgen_files(out) == clean_build(site, tmp_path / "reference")
    assert leftovers(out) == []


# -- a full disk -------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path):
    """A folder on a 10 MB tmpfs of its own (root only: mounting needs it)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=10m", "tmpfs", str(mount_point)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave_kb: int) -> Path:
    """A file taking all of the disk's free space but `leave_kb`."""
    free = os.statvfs(disk)
    size = free.f_bavail * free.f_frsize - leave_kb * 1024
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, size))
    return filler


def test_a_full_disk_fails_the_build_and_keeps_the_site(small_disk: Path, tmp_path: Path) -> None:
    site = make_site(small_disk / "site", briefs=40)
    out = site / "site"
    Builder(site, out, search=False).build()
    add_user_files(out)
    published = snapshot(out)
    filler = fill(small_disk, leave_kb=400)
    edit_titles(site, 40, "Rewritten")  # every page changes: the rebuild needs more room than is left
    for use_cache in (True, False):  # a rebuild, then a clean build
        with pytest.raises(BriefgenError, match=r"No space left|cannot"):
            Builder(site, out, use_cache=use_cache, search=False).build()
        assert snapshot(out) == published
        assert leftovers(out) == []
    filler.unlink()
    Builder(site, out, search=False).build()
    assert briefgen_files(out) == clean_build(site, tmp_path / "reference")
    assert_user_files_kept(out)


def test_a_cache_on_a_full_disk_never_hides_a_revert(small_disk: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", briefs=30)
    (site / CACHE_DIR).mkdir()
    cache_disk = small_disk / "cache"
    cache_disk.mkdir()
    (site / CACHE_DIR).rmdir()
    (site / CACHE_DIR).symlink_to(cache_disk)
    out = site / "site"
    Builder(site, out, search=False).build()
    original = briefgen_files(out)
    before = {path: path.read_bytes() for path in (site / "content").rglob("*.yaml")}
    filler = fill(small_disk, leave_kb=0)
    edit_titles(site, 10, "Edited")
    report = Builder(site, out, search=False).build()
    assert any("could not be saved" in warning.message for warning in report.warnings)
    filler.unlink()
    for path, data in before.items():
        path.write_bytes(data)
    report = Builder(site, out, search=False).build()
    assert "Nothing changed" not in report.summary()
    assert briefgen_files(out) == original


def test_what_the_list_of_owned_files_says_briefgen_owns(tmp_path: Path) -> None:
    """The list names files and whole folders; a folder built before lists were kept is owned but for
    dot-files and a CNAME."""
    from briefgen.ownership import owned_lines, owned_list, read_owned, write_list

    out = tmp_path / "site"
    out.mkdir()
    write_list(out, owned_list("abc", owned_lines(
        ["index.html", "briefs/a/index.html"], ["_pagefind"])))
    owned = read_owned(out)
    assert owned.fingerprint == "abc"
    assert owned.owns("index.html") and owned.owns("briefs/a/index.html") and owned.owns(".briefgen-files")
    assert owned.owns("_pagefind/fragment/x.pf_fragment")
    assert not owned.owns("briefs/a/notes.txt") and not owned.owns("_pagefind") and not owned.owns("CNAME")
    assert not owned.owns("_pagefind-old/x") and not owned.owns("briefs/index.html")
    (out / ".briefgen-files").unlink()
    legacy = read_owned(out)
    assert not legacy.listed and legacy.owns("briefs/a/index.html")
    assert not legacy.owns("CNAME") and not legacy.owns(".git/config") and not legacy.owns("a/.well-known/x")
