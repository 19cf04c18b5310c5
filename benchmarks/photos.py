"""What photos cost a build: seconds per lead photo, encoded cold and taken from the cache, and per core.

    python benchmarks/photos.py                 # 24 briefs, each with a 12-megapixel JPEG
    python benchmarks/photos.py --photos 60 --size 4000x3000

Builds the same site three ways, each a clean build (no saved build state):
without photos; with photos and an empty image cache (every width, format and
crop encoded); with photos again, the cache kept (nothing encoded). Prints
wall and CPU seconds and the cost per photo of each. Photos are generated
(noise and shapes, so they compress like photographs, not like flat colour).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from briefgen.build import Builder  # noqa: E402


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    rng = random.Random(seed)
    small = Image.effect_noise((size[0] // 8, size[1] // 8), 64).convert("RGB").resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x, y, x + rng.randrange(50, 600), y + rng.randrange(50, 600)),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    small.filter(ImageFilter.GaussianBlur(1.5)).save(path, quality=90)


def make_site(root: Path, count: int, size: tuple[int, int], with_photos: bool) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    for index in range(count):
        image = f"image: {{src: photo-{index}.jpg, alt: Photo {index}}}\n" if with_photos else ""
        (content / f"brief-{index}.md").write_text(f"Brief {index} says what happened.\n")
        day = f"2024-01-{index % 28 + 1:02d}"
        (content / f"brief-{index}.yaml").write_text(f"title: Brief {index}\ndate: {day}\n{image}")
        if with_photos:
            make_photo(content / f"photo-{index}.jpg", size, index)


def timed_build(site: Path, out: Path) -> tuple[float, float]:
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    Builder(site, out, use_cache=False, search=False).build()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--size", default="4000x3000", help="each photo's width x height")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        plain, photos = Path(scratch, "plain"), Path(scratch, "photos")
        make_site(plain, args.photos, size, with_photos=False)
        make_site(photos, args.photos, size, with_photos=True)  # type: ignore[arg-type]
        rows = [("without photos", *timed_build(plain, Path(scratch, "out-plain")))]
        shutil.rmtree(photos / ".briefgen-cache", ignore_errors=True)
        rows.append(("photos, empty image cache", *timed_build(photos, Path(scratch, "out-cold"))))
        rows.append(("photos, image cache kept", *timed_build(photos, Path(scratch, "out-warm"))))
    base_wall, base_cpu = rows[0][1], rows[0][2]
    print(f"{args.photos} briefs, each with a {size[0]}x{size[1]} JPEG lead photo; {os.cpu_count()} cores")
    print(f"{'build':28} {'wall s':>8} {'CPU s':>8} {'wall s/photo':>13} {'CPU s/photo':>12}")
    for name, wall, cpu in rows:
        extra = "" if name == rows[0][0] else \
            f" {(wall - base_wall) / args.photos:13.3f} {(cpu - base_cpu) / args.photos:12.3f}"
        print(f"{name:28} {wall:8.2f} {cpu:8.2f}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
