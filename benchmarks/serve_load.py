"""Requests per second that ``egov-kg serve`` answers on loopback, per kind of request.

Usage::

    python benchmarks/serve_load.py [--clients 20] [--seconds 10] [--workers 2]

Starts ``egov-kg serve`` (this interpreter's) on a free 127.0.0.1 port, then for each target
(a canned query through ``/api``, a resource page as HTML, a resource as Turtle) runs
``--clients`` threads, each with its own HTTP connection, sending requests one after the other
for ``--seconds``. Every answer is compared with the first one; the table gives requests per
second and the number of wrong or failed answers. Traffic goes to 127.0.0.1 only, and every
loop stops by itself.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
from hostile_load import serving  # benchmarks/hostile_load.py, next to this script

TARGETS = [
    (
        "canned query /api/chairs?body=情報セキュリティ政策会議",
        "/api/chairs?body=情報セキュリティ政策会議",
        "*/*",
    ),
    ("resource page /id/org/cio-council (HTML)", "/id/org/cio-council", "text/html"),
    ("resource /id/org/cio-council (Turtle)", "/id/org/cio-council", "text/turtle"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _load(base: str, path: str, accept: str, clients: int, seconds: float) -> tuple[int, int]:
    expected = httpx.get(base + path, headers={"Accept": accept}, timeout=60).content
    done = [0, 0]  # answers, wrong answers
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop:
                try:
                    response = http.get(path, headers={"Accept": accept})
                    good = response.status_code == 200 and response.content == expected
                except httpx.HTTPError:
                    good = False
                with lock:
                    done[0] += 1
                    done[1] += 0 if good else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], done[1]


def main() -> None:
    """Start the server, load it target by target, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    script = Path(sys.executable).with_name("egov-kg")
    command = [str(script), "serve", "--port", str(port), "--workers", str(args.workers)]
    with serving(command, base):
        print(f"{args.clients} clients, {args.seconds:g} s each, {args.workers} query workers\n")
        print("| Request | Requests/s | Wrong or failed |")
        print("| --- | ---: | ---: |")
        for label, path, accept in TARGETS:
            count, wrong = _load(base, path, accept, args.clients, args.seconds)
            print(f"| {label} | {count / args.seconds:.0f} | {wrong} |")


if __name__ == "__main__":
    main()
