"""Load on `briefgen serve`: many requests at once beside many open live-reload streams.

Builds a generated site, serves it with a real DevServer and Builder (as
`briefgen serve` wires them), opens `--streams` live-reload event streams,
then sends `--clients` requests at once for `--rounds` rounds and prints the
latency of every request: median, 95th percentile and worst, and how many
took over a second. Traffic goes to 127.0.0.1 only, bounded in count and time.

    python benchmarks/serve_load.py                      # 64 clients, 100 streams, 10 rounds
    python benchmarks/serve_load.py --clients 200 --streams 100 --rounds 5
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from briefgen.build import Builder  # noqa: E402
from briefgen.cli import make_rebuild  # noqa: E402
from briefgen.dev.server import DevServer  # noqa: E402

from sitegen import generate_site  # noqa: E402


def timed_get(port: int, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    finally:
        connection.close()


def open_stream(port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/__briefgen__/events")
    connection.getresponse()  # headers only: the stream stays open
    return connection


def run(briefs: int, clients: int, streams: int, rounds: int) -> list[tuple[float, int]]:
    with tempfile.TemporaryDirectory(prefix="briefgen-serve-load-") as scratch:
        site = generate_site(Path(scratch) / "site", briefs=briefs)
        builder = Builder(site, Path(scratch) / "out", use_cache=False, search=False)
        server = DevServer(out_dir=Path(scratch) / "out", rebuild=make_rebuild(builder, quiet=True),
                           watch_paths=[site / "content"], port=0, log=lambda _line: None)
        server.start()
        server.wait_for_build(1, timeout=600)
        pages = ["/", "/archive/", "/people/", "/tags/", "/search/", "/assets/briefgen.css", "/feed.xml"]
        open_streams = [open_stream(server.port) for _ in range(streams)]
        samples: list[tuple[float, int]] = []
        lock = threading.Lock()
        try:
            for _ in range(rounds):
                ready = threading.Barrier(clients)

                def client(number: int, ready: threading.Barrier = ready) -> None:
                    ready.wait(timeout=60)
                    result = timed_get(server.port, pages[number % len(pages)])
                    with lock:
                        samples.append(result)

                threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
        finally:
            for stream in open_streams:
                stream.close()
            server.stop()
        return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=300)
    parser.add_argument("--clients", type=int, default=64, help="requests sent at once (64)")
    parser.add_argument("--streams", type=int, default=100, help="live-reload streams kept open (100)")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    samples = run(args.briefs, args.clients, args.streams, args.rounds)
    seconds = sorted(s for s, _ in samples)
    failed = sum(1 for _, status in samples if status != 200)
    p95 = seconds[max(0, int(len(seconds) * 0.95) - 1)]
    print(f"{len(samples)} requests ({args.clients} at once x {args.rounds} rounds) beside {args.streams} open "
          f"event streams, {args.briefs}-brief site")
    print(f"median {statistics.median(seconds) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"worst {seconds[-1] * 1000:.1f} ms; over 1 s: {sum(1 for s in seconds if s > 1)}; not 200: {failed}")


if __name__ == "__main__":
    main()
