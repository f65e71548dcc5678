"""Helpers of the server and remote-store tests: free ports, processes, representative queries."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from conftest import REPO

ARTEFACTS = REPO / "build" / "test-artefacts"
"""Where tests keep what a person should look at (screenshots); ignored by git."""

# Safety nets for a process that never comes up or never stops; not performance assertions.
START_TIMEOUT = 180.0
STOP_TIMEOUT = 20.0

# Each canned query with parameters a user would give: labels in Japanese and English,
# full-width text, prefixed names, IRIs, dates, and a payload that tries to break out.
CASES: list[tuple[str, dict[str, str]]] = [
    ("chairs", {}),
    ("chairs", {"body": "情報セキュリティ政策会議"}),
    ("chairs", {"post": "egov-post:prime-minister"}),
    ("describe", {"resource": "CIO連絡会議"}),
    ("established-between", {"start": "2002-01-01", "end": "2002-12-31"}),
    ("governance-structure", {}),
    ("laws", {}),
    ("members", {"body": "https://w3id.org/egov-kg/id/org/cio-council"}),
    ("networks", {}),
    ("plans", {}),
    ("policy-areas", {}),
    ("provenance", {"resource": "egov-org:cio-council"}),
    ("rankings", {}),
    ("rankings", {"country": "JP", "survey": "egov-survey:un-2003"}),
    ("search", {"text": "ＣＩＯ"}),
    ("search", {"text": '") } UNION { ?resource ?p ?o } #'}),
    ("statistics", {}),
    ("structure-as-of", {"date": "2005-06-10"}),
    ("timeline", {}),
    ("timeline", {"start": "2000-11-10", "end": "2001-01-06"}),
]


def case_id(case: tuple[str, dict[str, str]]) -> str:
    name, params = case
    return name + "".join(f"-{key}" for key in sorted(params))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(process: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path) -> None:
    """Wait until ``ready()`` holds; fail with the process's log if it exits first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the process exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the process did not come up:\n{log.read_text()}")


@contextmanager
def running(
    args: Sequence[str], ready: Callable[[], bool], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``args`` in the background until the block ends; stop it with SIGTERM (then kill)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(args), stdout=out, stderr=subprocess.STDOUT, env={**os.environ}
        )
        try:
            _wait_until_up(process, ready, log)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def responds(url: str) -> Callable[[], bool]:
    """A check that ``url`` answers at all."""

    def check() -> bool:
        return httpx.get(url, timeout=2).status_code < 500

    return check
