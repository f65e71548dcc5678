"""``egov-kg serve`` under concurrent clients that mix good and hostile requests.

Usage::

    python benchmarks/hostile_load.py [--clients 50] [--seconds 60] [--workers 2]

Starts ``egov-kg serve`` (this interpreter's) on a free 127.0.0.1 port, then runs
``--clients`` threads for ``--seconds``, each with its own HTTP connection, sending one
request after the other from a fixed mix: canned queries through ``/api`` (each answer
compared with :meth:`egov_kg.KnowledgeGraph.query` in this process), ``/id/`` pages as HTML
and Turtle (compared with their first answer), and a few hostile requests, each of which
must be refused with its own status and message: a 3-way cross join (stopped at the time
limit, 503; at most one at a time), ``SERVICE`` to a loopback port (400), updates (400), an
answer over the size limit (400) and ``FROM <file:...>`` (400). Every second it adds up the
resident memory of the server and its query workers. It prints requests per second, the
counts of right and wrong answers per kind, and whether memory stayed flat. Traffic goes
to 127.0.0.1 only, and every loop stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CANNED: list[tuple[str, dict[str, str]]] = [
    ("chairs", {"body": "情報セキュリティ政策会議"}),
    ("members", {"body": "CIO連絡会議"}),
    ("search", {"text": "ＣＩＯ"}),
    ("search", {"text": '") } UNION { ?resource ?p ?o } #'}),
    ("structure-as-of", {"date": "2005-06-10"}),
    ("timeline", {"start": "2000-11-10", "end": "2001-01-06"}),
    ("rankings", {"country": "JP"}),
    ("laws", {}),
]
PAGES: list[tuple[str, str]] = [
    ("/id/org/cio-council", "text/html"),
    ("/id/org/cio-council", "text/turtle"),
    ("/id/org/it-strategic-headquarters", "application/n-triples"),
]
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HOSTILE_KINDS = ("timeout", "service", "update", "huge", "file")
"""The hostile requests, each sent once in every ten requests of a client, in turn."""


@dataclass
class Tally:
    """Counts of answers per kind of request, and memory samples."""

    sent: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    rss_mib: list[float] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, good: bool, detail: str) -> None:
        with self.lock:
            self.sent[kind] += 1
            (self.right if good else self.wrong)[kind] += 1
            if not good:
                self.examples.setdefault(kind, detail[:300])

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    @property
    def warm_rss(self) -> float:
        """Memory after warm-up: the largest sample of the first fifth of the run."""
        head = self.rss_mib[: max(1, len(self.rss_mib) // 5)]
        return max(head) if head else 0.0

    @property
    def end_rss(self) -> float:
        """Memory at the end: the median of the last fifth of the samples."""
        tail = sorted(self.rss_mib[-max(1, len(self.rss_mib) // 5) :])
        return tail[len(tail) // 2] if tail else 0.0

    def report(self) -> str:
        lines = [
            f"{self.total} requests in {self.seconds:.0f} s: {self.total / self.seconds:.0f} "
            "requests/s",
            "",
            "| Kind | Sent | Right | Wrong |",
            "| --- | ---: | ---: | ---: |",
        ]
        for kind in sorted(self.sent):
            lines.append(
                f"| {kind} | {self.sent[kind]} | {self.right[kind]} | {self.wrong[kind]} |"
            )
        for kind, detail in sorted(self.examples.items()):
            lines.append(f"first wrong {kind}: {detail}")
        if self.rss_mib:
            lines.append(
                f"\nmemory (server + workers, RSS): after warm-up {self.warm_rss:.0f} MiB, "
                f"at the end {self.end_rss:.0f} MiB, peak {max(self.rss_mib):.0f} MiB "
                f"({len(self.rss_mib)} samples); flat: {self.flat}"
            )
        return "\n".join(lines)

    @property
    def flat(self) -> bool:
        """Whether memory at the end is within 1.5 times memory after warm-up."""
        return self.end_rss <= 1.5 * self.warm_rss


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (Linux ``/proc``)."""
    found = [pid]
    for current in found:
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            found.extend(int(child) for child in children)
    return found


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB."""
    total = 0
    for process in _descendants(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def expected_answers() -> dict[tuple[str, str], str]:
    """What each canned request must answer: the Python API's SPARQL JSON."""
    import egov_kg

    kg = egov_kg.load()
    return {
        (name, repr(sorted(params.items()))): kg.query(name, **params).to_json()
        for name, params in CANNED
    }


def _hostile(kind: str, client: httpx.Client, loopback: str) -> tuple[bool, str]:
    """Send one hostile request; whether it was refused as it must be."""
    if kind == "timeout":
        response = client.post("/sparql", data={"query": CROSS_JOIN})
        return response.status_code == 503 and "stopped after" in response.text, response.text
    if kind == "service":
        query = f"SELECT * WHERE {{ SERVICE <{loopback}> {{ ?s ?p ?o }} }}"
        response = client.get("/sparql", params={"query": query})
        return response.status_code == 400 and "SERVICE is refused" in response.text, (
            response.text
        )
    if kind == "update":
        response = client.post("/sparql", data={"update": "DROP ALL"})
        return response.status_code == 400 and "Update is refused" in response.text, (response.text)
    if kind == "huge":
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
        response = client.get("/sparql", params={"query": query})
        return response.status_code == 400 and "limit of" in response.text, response.text
    query = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query})
    return response.status_code == 400 and "only the egov-kg graphs" in response.text, (
        response.text
    )


def run_load(base: str, server_pid: int, clients: int, seconds: float, loopback: str) -> Tally:
    """Load the server at ``base`` for ``seconds`` with ``clients`` threads; count answers."""
    expected = expected_answers()
    pages: dict[tuple[str, str], bytes] = {}
    with httpx.Client(base_url=base, timeout=120) as client:
        for path, accept in PAGES:
            first = client.get(path, headers={"Accept": accept})
            if first.status_code != 200 or not first.content:
                raise RuntimeError(f"{path} ({accept}): {first.status_code} {first.text[:200]}")
            pages[path, accept] = first.content
    tally = Tally()
    stop = time.monotonic() + seconds
    one_timeout = threading.Semaphore(1)  # a cross join holds a worker for the time limit

    def client_loop(number: int) -> None:
        requests: Iterator[int] = itertools.count(number * 7)
        hostile = itertools.cycle(HOSTILE_KINDS[number % len(HOSTILE_KINDS) :] + HOSTILE_KINDS)
        with httpx.Client(base_url=base, timeout=120) as http:
            while time.monotonic() < stop:
                step = next(requests)
                try:
                    if step % 10 == 9:
                        kind = next(hostile)
                        if kind == "timeout" and not one_timeout.acquire(blocking=False):
                            kind = "service"
                        try:
                            good, detail = _hostile(kind, http, loopback)
                        finally:
                            if kind == "timeout":
                                one_timeout.release()
                        tally.record(f"hostile: {kind}", good, detail)
                    elif step % 10 < 7:
                        name, params = CANNED[step % len(CANNED)]
                        response = http.get(f"/api/{name}", params=params)
                        want = expected[name, repr(sorted(params.items()))]
                        good = response.status_code == 200 and response.text == want
                        tally.record("canned /api", good, f"{response.status_code} {response.text}")
                    else:
                        path, accept = PAGES[step % len(PAGES)]
                        response = http.get(path, headers={"Accept": accept})
                        good = (
                            response.status_code == 200 and response.content == pages[path, accept]
                        )
                        tally.record("/id/ page", good, f"{response.status_code} {response.text}")
                except httpx.HTTPError as error:
                    tally.record("transport error", False, repr(error))

    def sample() -> None:
        while time.monotonic() < stop:
            tally.rss_mib.append(rss_mib(server_pid))
            time.sleep(1.0)

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.monotonic() - started
    return tally


@contextmanager
def serving(command: list[str], base: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` (an ``egov-kg serve``) until the block ends; wait until it answers."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("egov-kg serve did not start")
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def serve_command(port: int, workers: int, time_limit: float, max_results: int) -> list[str]:
    """The command line of the server under test."""
    script = Path(sys.executable).with_name("egov-kg")
    return [
        str(script),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--time-limit",
        f"{time_limit:g}",
        "--max-results",
        str(max_results),
    ]


def main(argv: list[str] | None = None) -> Tally:
    """Start the server, load it, print the report."""
    import socket

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--max-results", type=int, default=1000)
    args = parser.parse_args(argv)
    with socket.socket() as probe, socket.socket() as listener:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(0.5)
        loopback = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        base = f"http://127.0.0.1:{port}"
        command = serve_command(port, args.workers, args.time_limit, args.max_results)
        with serving(command, base) as server:
            print(
                f"{args.clients} clients for {args.seconds:g} s, {args.workers} query workers, "
                f"time limit {args.time_limit:g} s, result limit {args.max_results}\n"
            )
            tally = run_load(base, server.pid, args.clients, args.seconds, loopback)
        try:
            listener.accept()
            connected = True
        except TimeoutError:
            connected = False
    print(tally.report())
    print(f"a query connected to the loopback listener: {connected}")
    if connected:
        tally.record("hostile: service", False, "a query connected to the loopback listener")
    return tally


if __name__ == "__main__":
    main()
