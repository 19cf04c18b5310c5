"""The benchmarks' in-process probes still find what they time (they wrap briefgen's functions by name)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sitegen import generate_site
from sitekit import REPO


def test_floor_probe_times_every_part_of_a_clean_build(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", briefs=40)
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "floor.py"), "--probe", str(site),
                           str(tmp_path / "out")], capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    parts = json.loads(done.stdout.strip().splitlines()[-1])
    assert parts["briefs"] == 40
    assert (tmp_path / "out" / "index.html").is_file()
    # Each part was reached (a renamed function would leave it at nothing, or fail to wrap).
    for part in ("markdown", "tree processing", "templates", "annotation JSON-LD", "Atom feeds", "writing files"):
        assert parts[part] > 0, part
    assert parts["tree processing"] < parts["markdown"]  # nested in it
    timed = sum(parts[part] for part in ("markdown", "templates", "annotation JSON-LD", "Atom feeds",
                                         "writing files"))
    assert timed <= parts["whole build"] + 0.05
