"""Scheduled briefs: dated after the build's time (SOURCE_DATE_EPOCH here, never the real clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.config import build_time, load_config
from briefgen.errors import BriefgenError

from sitekit import build, write_site

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def build_time_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def site_with_scheduled_briefs(root: Path, config: str = "") -> Path:
    return write_site(root, {
        "briefgen.yaml": config or "title: Briefs\n",
        "content/past.md": "Ada Lovelace wrote.\n", "content/past.yaml": "title: Past\ndate: 2026-04-30\n",
        "content/soon.md": "Soon.\n", "content/soon.yaml": "title: Soon\ndate: 2026-05-03\n",
        "content/typo.md": "Typo.\n", "content/typo.yaml": "title: Typo\nsummary: A year typo'd.\ndate: 2204-05-01\n",
    })


def test_briefs_dated_after_the_build_time_are_left_out_and_noted(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    site = site_with_scheduled_briefs(tmp_path / "site")
    assert main(["build", str(site)]) == 0
    assert sorted(p.name for p in (site / "site/briefs").iterdir()) == ["past"]
    assert "Soon" not in (site / "site/index.html").read_text()
    assert "note: 2 briefs are scheduled for later; the next on 3 May 2026" in capsys.readouterr().out


def test_a_brief_dated_exactly_at_the_build_time_is_published(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/now.md": "Now.\n",
                                          "content/now.yaml": "title: Now\ndate: 2026-05-01T00:00:00Z\n"})
    report = build(site)
    assert report.briefs == 1 and not any("scheduled" in note for note in report.notes)


@pytest.mark.parametrize("how", ["flag", "config"])
def test_future_publishes_them(tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = site_with_scheduled_briefs(tmp_path / "site", "future: true\n" if how == "config" else "")
    assert main(["build", str(site)] + (["--future"] if how == "flag" else [])) == 0
    assert sorted(p.name for p in (site / "site/briefs").iterdir()) == ["past", "soon", "typo"]
    assert "scheduled" not in capsys.readouterr().out


def test_the_future_option_must_be_true_or_false(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"briefgen.yaml": "title: T\nfuture: soon\n"})
    with pytest.raises(BriefgenError) as caught:
        load_config(site)
    assert caught.value.line == 2 and "'future' must be true or false" in caught.value.message


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5", "99999999999999999999"])
def test_an_invalid_source_date_epoch_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], value: str) -> None:
    site = site_with_scheduled_briefs(tmp_path / "site")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert main(["build", str(site)]) == 1
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH" in err and "hint:" in err and "Traceback" not in err
    assert not (site / "site").exists()


def test_without_source_date_epoch_the_build_time_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs(build_time() - datetime.now(UTC)) < timedelta(minutes=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert abs(build_time() - datetime.now(UTC)) < timedelta(minutes=1)


def test_check_warns_about_a_date_more_than_a_year_ahead(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = site_with_scheduled_briefs(tmp_path / "site")
    assert main(["check", str(site)]) == 0
    out = capsys.readouterr().out
    typo = site / "content/typo.yaml"
    assert f"  {typo}:3: date 2204-05-01 is more than a year ahead" in out
    assert "soon.yaml:2:" not in out  # two days ahead: a plan, not a typo
    assert "note: 2 briefs are scheduled for later" in out
    assert main(["check", str(site), "--future"]) == 0
    assert "scheduled for later" not in capsys.readouterr().out


def test_check_finds_errors_in_scheduled_briefs_before_they_are_due(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path / "site", {
        "content/soon.md": "Text.\n",
        "content/soon.yaml": "title: Soon\ndate: 2026-06-01\nannotations:\n  - {quote: not in the text, note: N}\n",
    })
    assert main(["build", str(site)]) == 0  # scheduled: not rendered yet
    assert main(["check", str(site)]) == 1
    assert "not in the text" in capsys.readouterr().err


def test_the_schedule_is_learned_again_only_when_a_brief_moves_in_time(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A correction keeps what the last build learned of the schedule (when the briefs stay due, the
    note on those scheduled); a brief that comes, goes or moves in time, or leaves its draft, teaches it
    again. Each build is a new command's, from the saved memory."""
    from briefgen import memory

    site = site_with_scheduled_briefs(tmp_path / "site")
    learned: list[int] = []
    real = memory.publication_span
    monkeypatch.setattr(memory, "publication_span", lambda *args: learned.append(1) or real(*args))

    def notes() -> list[str]:
        learned.clear()
        return [note for note in build(site, use_cache=True).notes if "scheduled" in note]

    assert notes() == ["2 briefs are scheduled for later; the next on 3 May 2026 (--future publishes them now)"]
    (site / "content/past.md").write_text("Ada Lovelace wrote, corrected.\n")
    (site / "content/soon.md").write_text("Soon, corrected.\n")
    assert notes() == ["2 briefs are scheduled for later; the next on 3 May 2026 (--future publishes them now)"]
    assert learned == []
    (site / "content/soon.yaml").write_text("title: Soon\ndate: 2026-05-04\n")
    assert notes() == ["2 briefs are scheduled for later; the next on 4 May 2026 (--future publishes them now)"]
    assert learned
    (site / "content/soon.yaml").write_text("title: Soon\ndate: 2026-05-04\ndraft: true\n")
    assert notes() == ["1 brief is scheduled for later; the next on 1 May 2204 (--future publishes them now)"]
    (site / "content/later.md").write_text("Later.\n")
    (site / "content/later.yaml").write_text("title: Later\ndate: 2030-01-01\n")
    assert notes() == ["2 briefs are scheduled for later; the next on 1 January 2030 (--future publishes them now)"]
    # Time alone: the build after the first brief is due starts afresh, and publishes it.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2030, 1, 2, tzinfo=UTC).timestamp())))
    assert notes() == ["1 brief is scheduled for later; the next on 1 May 2204 (--future publishes them now)"]
    assert (site / "site/briefs/later/index.html").is_file()
